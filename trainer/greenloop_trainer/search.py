"""A bounded hyperparameter search per target, judged by walk-forward validation inside the
training part, with Optuna's TPE sampler.

The first trial is always the fixed settings the trainer used before the search (`DEFAULTS`), so
the chosen settings are never worse than those on the walk-forward score. Every trial trains one
model per fold, early stopped on that fold's validation block, and scores the mean of the folds'
MAEs. The search stops at `trials` trials or when `seconds` have passed, whichever comes first; a
trial still running then is stopped between two folds (and counts as pruned), so the budget is
exceeded by at most one fold's training. Trials whose running score is worse than the median of
earlier trials at the same fold are pruned too (Optuna's median pruner).
"""

import time
from dataclasses import dataclass, field

import numpy as np
import optuna
import xgboost as xgb

# The settings before the search; the first trial.
DEFAULTS = {"learning_rate": 0.05, "max_depth": 6, "min_child_weight": 2.0, "subsample": 0.8,
            "colsample_bytree": 0.8, "reg_lambda": 1.0}


def suggest(trial: optuna.Trial) -> dict:
    """The search space: ranges around the defaults wide enough to matter for tabular climate data."""
    return {"learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            "max_depth": trial.suggest_int("max_depth", 3, 10),
            "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 20.0, log=True),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.4, 1.0),
            "reg_lambda": trial.suggest_float("reg_lambda", 0.1, 20.0, log=True)}


@dataclass
class Result:
    params: dict                 # the chosen settings (DEFAULTS when no trial completed)
    score: float                 # their mean walk-forward MAE; nan when no trial completed
    default_score: float         # the defaults' (the first trial's); nan when it did not complete
    completed: int               # trials that ran every fold
    pruned: int                  # trials stopped early (worse than the median, or out of time)
    seconds: float
    trials: list = field(default_factory=list)  # per trial: number, state, params, fold MAEs, best iterations


def search(folds: list, base: dict, seconds: float, trials: int, seed: int = 0) -> Result:
    """`folds`: (x_train, y_train, x_valid, y_valid) per walk-forward fold; `base`: the XGBoost
    settings the search does not touch (round cap, early stopping, device, objective)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.monotonic()
    deadline = started + seconds
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0))
    study.enqueue_trial(DEFAULTS)

    def objective(trial: optuna.Trial) -> float:
        params = suggest(trial)
        maes, iterations = [], []
        for k, (x_train, y_train, x_valid, y_valid) in enumerate(folds):
            if time.monotonic() > deadline:
                trial.set_user_attr("stopped", "out of time")
                raise optuna.TrialPruned()
            model = xgb.XGBRegressor(**base, **params)
            model.fit(x_train, y_train, eval_set=[(x_valid, y_valid)], verbose=False)
            maes.append(float(np.mean(np.abs(model.predict(x_valid) - y_valid))))
            iterations.append(int(model.best_iteration))
            trial.set_user_attr("foldMae", maes)
            trial.set_user_attr("bestIteration", iterations)
            trial.report(float(np.mean(maes)), k)
            if k + 1 < len(folds) and trial.should_prune():
                trial.set_user_attr("stopped", "worse than the median")
                raise optuna.TrialPruned()
        return float(np.mean(maes))

    study.optimize(objective, n_trials=trials, timeout=seconds, catch=())
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    first = study.trials[0] if study.trials else None
    best = min(done, key=lambda t: t.value) if done else None
    return Result(
        params={**DEFAULTS, **best.params} if best else dict(DEFAULTS),
        score=best.value if best else float("nan"),
        default_score=first.value if first is not None and first.state == optuna.trial.TrialState.COMPLETE
        else float("nan"),
        completed=len(done),
        pruned=sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials),
        seconds=time.monotonic() - started,
        trials=[{"number": t.number, "state": t.state.name.lower(), "params": t.params,
                 "meanMae": t.value, **{k: v for k, v in t.user_attrs.items()}} for t in study.trials])
