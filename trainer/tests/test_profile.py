"""The reference profile: quantile bins that hold the training rows, the missing share, importances."""
import numpy as np
import pandas as pd
import xgboost as xgb

from greenloop_trainer.profile import feature_profile, importances, reference_profile


def test_bins_hold_a_tenth_each_and_missing_is_counted_apart():
    values = np.concatenate([np.random.default_rng(3).normal(size=1000), [np.nan] * 25])
    p = feature_profile(values)

    assert len(p["edges"]) == 9
    assert p["edges"] == sorted(p["edges"])
    assert np.allclose(p["shares"], 0.1, atol=0.002)
    assert abs(sum(p["shares"]) - 1) < 1e-9
    assert abs(p["missingShare"] - 25 / 1025) < 1e-9


def test_a_constant_feature_has_one_edge_and_all_rows_in_its_first_bin():
    p = feature_profile(np.full(100, 4.0))

    assert p["edges"] == [4.0]
    assert p["shares"] == [1.0, 0.0]


def test_an_all_missing_feature_is_all_missing():
    assert feature_profile(np.full(10, np.nan))["missingShare"] == 1.0


def test_importances_name_the_features_the_models_use_and_sum_to_one():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(400, 3))
    y = 3 * x[:, 1] + 0.01 * rng.normal(size=400)
    model = xgb.XGBRegressor(n_estimators=20, max_depth=2).fit(x, y)

    gains = importances({"air_temperature": model}, ["a", "b", "c"])

    assert max(gains, key=gains.get) == "b"
    assert abs(sum(gains.values()) - 1) < 1e-9


def test_the_profile_covers_every_feature():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [0.0, 0.0, 1.0, 1.0]})
    model = xgb.XGBRegressor(n_estimators=2, max_depth=1).fit(frame[["a", "b"]].to_numpy(), [1, 2, 3, 4])

    p = reference_profile(frame, ["a", "b"], {"t": model}, "v1")

    assert p["featureSpecVersion"] == "v1"
    assert set(p["features"]) == {"a", "b"}
