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


def test_interval_outputs_hold_the_value_and_match_the_quantile_models():
    rng = np.random.default_rng(11)
    x = rng.normal(20, 3, size=(600, 4)).astype(np.float32)
    x[::9, 0] = np.nan
    y = 0.3 * x[:, 2] + rng.normal(0, 1 + np.abs(x[:, 3] - 20) / 3, 600)
    point = xgb.XGBRegressor(n_estimators=40, max_depth=3).fit(x, y)
    # A "low" model that is often above the point and a "high" one often below: the graph must order them.
    low = xgb.XGBRegressor(n_estimators=40, max_depth=3, objective="reg:quantileerror", quantile_alpha=0.6).fit(x, y)
    high = xgb.XGBRegressor(n_estimators=40, max_depth=3, objective="reg:quantileerror", quantile_alpha=0.4).fit(x, y)
    bases = {"co2": (0, 1)}

    model = onnx_export.convert({"co2": point}, 4, bases, {"co2": (low, high, 0.25)})
    out = onnx_export.predict(model, x)

    assert [o.name for o in model.graph.output] == ["co2", "co2_low", "co2_high"]
    assert np.all(out["co2_low"] <= out["co2"]) and np.all(out["co2"] <= out["co2_high"])
    assert np.any(out["co2_low"] < out["co2"]) and np.any(out["co2_high"] > out["co2"])
    diffs = onnx_export.check_parity(model, {"co2": point}, x, 1e-3, bases, {"co2": (low, high, 0.25)})
    assert set(diffs) == {"co2", "co2_low", "co2_high"}
