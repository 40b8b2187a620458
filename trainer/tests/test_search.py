"""The hyperparameter search: the defaults first, the best completed trial chosen, the trial cap
and the time budget kept."""
import math

import numpy as np

from greenloop_trainer import search

BASE = {"n_estimators": 200, "tree_method": "hist", "device": "cpu", "early_stopping_rounds": 10,
        "eval_metric": "rmse"}


def folds(n_folds=2, rows=300, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_folds):
        x = rng.normal(size=(rows * (k + 1), 5)).astype(np.float32)
        y = 2 * x[:, 0] - x[:, 1] * x[:, 2] + rng.normal(scale=0.1, size=len(x))
        xv = rng.normal(size=(rows // 2, 5)).astype(np.float32)
        yv = 2 * xv[:, 0] - xv[:, 1] * xv[:, 2] + rng.normal(scale=0.1, size=len(xv))
        out.append((x, y, xv, yv))
    return out


def test_the_defaults_are_tried_first_and_the_best_completed_trial_is_chosen():
    result = search.search(folds(), BASE, seconds=300, trials=6, seed=3)

    assert len(result.trials) == 6
    assert result.trials[0]["params"] == search.DEFAULTS
    completed = [t for t in result.trials if t["state"] == "complete"]
    assert result.completed == len(completed) and result.completed + result.pruned == 6
    best = min(completed, key=lambda t: t["meanMae"])
    assert result.params == {**search.DEFAULTS, **best["params"]}
    assert result.score == best["meanMae"] <= result.default_score
    # The score is the mean of the folds' validation MAEs, each fold early stopped.
    assert math.isclose(best["meanMae"], float(np.mean(best["foldMae"])))
    assert len(best["bestIteration"]) == 2


def test_no_trial_is_started_past_the_budget_and_one_running_stops_between_folds():
    result = search.search(folds(n_folds=3), BASE, seconds=0.0, trials=10)

    # The budget ran out before the defaults' first fold: nothing completed, the defaults stand.
    assert result.completed == 0
    assert result.params == search.DEFAULTS
    assert math.isnan(result.score)
    assert all(t.get("stopped") == "out of time" for t in result.trials if t["state"] == "pruned")
    assert len(result.trials) <= 1
