"""The ONNX export: one graph for every target, levels out (change + current value), equal to XGBoost."""
import numpy as np
import xgboost as xgb

from greenloop_trainer import onnx_export


def test_the_exported_graph_predicts_what_xgboost_predicts_plus_the_current_value():
    rng = np.random.default_rng(7)
    x = rng.normal(20, 3, size=(400, 6)).astype(np.float32)
    x[::7, 0] = np.nan  # the current value is missing: the graph falls back to the mean
    models = {}
    for name, column in (("air_temperature", 0), ("co2", 2)):
        y = 0.5 * x[:, column + 1] - 0.1 * np.nan_to_num(x[:, 3]) + rng.normal(0, 0.1, 400)
        models[name] = xgb.XGBRegressor(n_estimators=30, max_depth=3).fit(x, y)
    bases = {"air_temperature": (0, 1), "co2": (2, 3)}

    model = onnx_export.convert(models, 6, bases)
    predicted = onnx_export.predict(model, x)

    for name, (last, mean) in bases.items():
        base = np.where(np.isnan(x[:, last]), x[:, mean], x[:, last])
        expected = models[name].predict(x) + base
        np.testing.assert_allclose(predicted[name], expected, rtol=1e-4, atol=1e-3)
    assert onnx_export.check_parity(model, models, x, 1e-3, bases)
