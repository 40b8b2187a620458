"""The interval's calibration: the weighted conformal margin, and the walk-forward blocks it is
computed from (scored by models that never saw them)."""
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from greenloop_trainer import calibration
from greenloop_trainer.train import fold_quantile_models, interval_scores


def test_one_block_gives_the_split_conformal_quantile():
    scores = np.arange(1.0, 100.0)  # 99 rows
    # The ceil((n + 1) * 0.8)-th smallest of n = 99 scores: the 80th.
    assert calibration.margin([scores], 0.8) == 80.0
    assert calibration.margin([scores[::-1]], 0.8) == 80.0


def test_a_later_block_weighs_more_than_an_earlier_one():
    calm, stormy = np.linspace(-1, 0, 200), np.linspace(0, 3, 200)

    storm_last = calibration.margin([calm, stormy], 0.8)
    storm_first = calibration.margin([stormy, calm], 0.8)

    assert storm_last > storm_first
    # Equal weights would put the 80 % point inside the stormy block at 1.8 either way.
    assert storm_first < 1.8 < storm_last


def test_weights_rise_with_the_block_and_the_last_is_one():
    w = calibration.weights([np.zeros(2), np.zeros(0), np.zeros(3), np.zeros(1)])

    assert list(w) == pytest.approx([1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3, 1.0])


def test_too_few_rows_give_the_largest_score():
    # Three rows with equal weight reach at most 3/4 of the share with the next row counted: not 80 %.
    assert calibration.margin([np.array([0.5, -1.0, 2.0])], 0.8) == 2.0


def test_the_margin_covers_the_nominal_weighted_share():
    rng = np.random.default_rng(5)
    blocks = [rng.normal(k, 1.0, 150) for k in range(4)]
    w = calibration.weights(blocks)
    scores = np.concatenate(blocks)

    m = calibration.margin(blocks, 0.9)

    assert np.sum(w[scores <= m]) / (w.sum() + 1) >= 0.9
    assert np.sum(w[scores < m]) / (w.sum() + 1) < 0.9


@pytest.mark.parametrize("nominal", [0.0, 1.0, -0.2])
def test_a_nominal_outside_zero_to_one_is_refused(nominal):
    with pytest.raises(ValueError):
        calibration.margin([np.ones(10)], nominal)


def test_no_rows_are_refused():
    with pytest.raises(ValueError):
        calibration.margin([np.empty(0)], 0.8)


def frame(minutes: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-06-21T00:00:00Z")
    last = 400 + np.cumsum(rng.normal(0, 2, minutes))
    return pd.DataFrame({"window_start": [start + pd.Timedelta(minutes=m) for m in range(minutes)],
                         "co2_last": last, "co2_mean": last, "light": rng.uniform(0, 1, minutes),
                         "target_co2_15m": last + rng.normal(0, 5, minutes)})


def test_each_block_is_scored_by_models_that_learned_only_from_rows_before_it():
    tr = frame(600)
    features = ["co2_last", "co2_mean", "light"]
    quantile = dict(n_estimators=500, early_stopping_rounds=5, objective="reg:quantileerror", eval_metric="quantile",
                    tree_method="hist")
    x, y = tr[features].to_numpy(dtype=np.float32), (tr["target_co2_15m"] - tr["co2_last"]).to_numpy()
    final = [xgb.XGBRegressor(**quantile, quantile_alpha=a).fit(x[:500], y[:500], eval_set=[(x[500:], y[500:])],
                                                              verbose=False) for a in (0.1, 0.9)]
    gap = pd.Timedelta(minutes=16)

    folds = fold_quantile_models(tr, final, quantile, {"max_depth": 3}, features, "target_co2_15m", "co2", None, 3, gap)

    assert len(folds) == 3
    blocks = [judge for _, judge in folds]
    assert all(a["window_start"].max() < b["window_start"].min() for a, b in zip(blocks, blocks[1:], strict=False))
    assert blocks[0]["window_start"].min() == tr["window_start"].iloc[300]
    for pair, judge in folds:
        for model, of in zip(pair, final, strict=True):
            # The final model's rounds and quantile, no early stopping on the block it scores.
            assert model.get_booster().num_boosted_rounds() == of.best_iteration + 1
            assert model.get_params()["quantile_alpha"] == of.get_params()["quantile_alpha"]
            assert model.get_params().get("early_stopping_rounds") is None
        # Trained on the rows before the block, less the purge gap: the same model as one fitted on exactly those.
        before = tr[tr["window_start"] < judge["window_start"].min() - gap]
        assert 0 < len(before) < len(tr[tr["window_start"] < judge["window_start"].min()])
        again = xgb.XGBRegressor(n_estimators=final[0].best_iteration + 1, objective="reg:quantileerror",
                                 tree_method="hist", max_depth=3, quantile_alpha=0.1)
        learnt = (before["target_co2_15m"] - before["co2_last"]).to_numpy()
        again.fit(before[features].to_numpy(dtype=np.float32), learnt)
        xj = judge[features].to_numpy(dtype=np.float32)
        np.testing.assert_allclose(pair[0].predict(xj), again.predict(xj), rtol=1e-6)
        scores = interval_scores(pair, judge, features, "target_co2_15m", "co2")
        assert scores.shape == (len(judge),) and np.isfinite(scores).all()
