"""Training: one XGBoost regressor per target on a time-ordered split, its settings chosen by a
bounded search with walk-forward validation inside the training part, early stopping on the
validation part, metrics on the test part against the persistence baseline and the current
champion, ONNX export checked against XGBoost of the targets that beat persistence by the gate
margin, registration with alias `candidate` (none when no target does)."""

import dataclasses
import json
import math
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import onnx
import xgboost as xgb
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature
from mlflow.tracking import MlflowClient
from mlflow.types.schema import Schema, TensorSpec

from . import bad_input, retriable
from . import calibration
from . import card
from . import dataset as ds
from . import gate
from . import onnx_export
from . import profile
from . import search


class Progress(xgb.callback.TrainingCallback):
    """Logs the validation RMSE every few rounds, so a long run shows how far it got."""

    def __init__(self, target: str, every: int = 10):
        self.target = target
        self.every = every

    def after_iteration(self, model, epoch, evals_log):
        if epoch % self.every == 0:
            for _data, metrics in evals_log.items():
                for metric, values in metrics.items():
                    mlflow.log_metric(f"progress_{self.target}_{metric}", float(values[-1]), step=epoch)
        return False


def resolve_device(requested: str) -> str:
    if requested != "auto":
        return requested
    try:
        cuda = xgb.build_info().get("USE_CUDA", False)
        gpus = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
        return "cuda" if cuda and gpus.returncode == 0 and "GPU" in gpus.stdout else "cpu"
    except (OSError, subprocess.SubprocessError):
        return "cpu"


def errors(predicted: np.ndarray, actual: np.ndarray) -> tuple:
    diff = predicted - actual
    return float(np.mean(np.abs(diff))), float(math.sqrt(np.mean(diff * diff)))


def persistence(frame, target: str) -> np.ndarray:
    """The baseline: the value now is the value in `horizon` minutes."""
    last = frame[f"{target}_last"].to_numpy(dtype=np.float64)
    mean = frame[f"{target}_mean"].to_numpy(dtype=np.float64)
    return np.where(np.isnan(last), mean, last)


def change(frame, column: str, target: str) -> np.ndarray:
    """What the models learn: the target's change from its current value."""
    return frame[column].to_numpy() - persistence(frame, target)


def train(args) -> str:
    manifest = ds.load_json(args.manifest, "dataset manifest")
    spec = ds.spec_for(manifest, args.feature_spec)
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in targets if t not in spec.get("targets", [])]
    if unknown:
        raise bad_input(f"targets {unknown} are not targets of feature spec {spec['version']}")
    data = ds.load(manifest, spec, args.webhdfs, targets, args.horizon)
    required = [g.strip() for g in args.required_groups.split(",") if g.strip() and g.strip() != "none"]
    shares = ds.check_coverage(data.frame, spec, data.dataset_id, required, args.max_missing_share)
    device = resolve_device(args.device)
    # What the search does not touch: the round cap (early stopping on validation decides the
    # rounds), the device, the metric early stopping watches.
    params = dict(n_estimators=args.max_rounds, tree_method="hist", device=device,
                  early_stopping_rounds=args.early_stopping, eval_metric="rmse")
    mlflow.log_params({"dataset_id": data.dataset_id, "dataset_digest": data.digest,
                       "dataset_files": len(data.paths), "rows": len(data.frame),
                       "feature_spec_version": spec["version"], "n_features": len(data.features),
                       "targets": ",".join(targets), "horizon_minutes": args.horizon, "device": device,
                       "required_groups": ",".join(required), "max_missing_share": args.max_missing_share,
                       "gate_margin": args.gate_margin, "interval": args.interval,
                       "search_seconds": args.search_seconds, "search_trials": args.search_trials,
                       "search_folds": args.search_folds,
                       **{f"xgb_{k}": v for k, v in params.items() if k != "device"}})
    mlflow.set_tags({"greenloop.dataset_id": data.dataset_id, "greenloop.feature_spec_version": spec["version"]})
    mlflow.log_dict({"paths": data.paths, "manifest": manifest}, "dataset.json")
    mlflow.log_dict(spec, "feature-spec.json")
    mlflow.log_metrics({f"missing_share_{g}": share for g, share in shares.items()})

    # A row's target is `horizon` minutes after its window ends: purge that much before each boundary.
    gap = pd.Timedelta(seconds=spec.get("windowSeconds", 60)) + pd.Timedelta(minutes=args.horizon)
    train_part, valid_part, test_part = ds.split(data.frame, gap=gap)
    x_test_all = test_part[data.features].to_numpy(dtype=np.float32)
    bases = {t: (data.features.index(f"{t}_last"), data.features.index(f"{t}_mean")) for t in targets}
    models, metrics, tested, fitted, settings, searched, used = {}, {}, {}, {}, {}, {}, {}
    earlier = earlier_features(spec)
    kept = {}
    training_seconds = 0.0
    search_deadline = time.monotonic() + args.search_seconds
    for target, column in zip(targets, data.targets, strict=True):
        # The model learns the change from now: rows need a target and a current value.
        parts = []
        for part in (train_part, valid_part, test_part):
            parts.append(part[~part[column].isna() & ~np.isnan(persistence(part, target))])
        tr, va, te = parts
        if len(tr) < 50 or len(va) < 10 or len(te) < 10:
            raise bad_input(f"too few rows with {column}: train {len(tr)}, valid {len(va)}, test {len(te)}")
        # The settings: searched on walk-forward folds of the training part, within this target's
        # share of what is left of the budget; the defaults when the search is off or cannot fold.
        share = max(0.0, search_deadline - time.monotonic()) / (len(targets) - len(models))
        settings[target], searched[target] = choose(target, column, tr, data.features, params, gap, share, args)
        started = time.monotonic()
        model, settings[target], used[target] = point_model(target, column, tr, va, data.features, params,
                                                            settings[target], searched[target] is not None, earlier,
                                                            metrics, [Progress(target)])
        used[target] = used[target] or spec["version"]
        training_seconds += time.monotonic() - started
        print(f"greenloop-trainer: {target}: point model trained in {time.monotonic() - started:.0f} s on the "
              f"features of spec {used[target]}, best iteration {model.best_iteration} of at most {args.max_rounds}",
              flush=True)
        models[target] = model
        fitted[target] = (tr, va, column)
        x_te = te[data.features].to_numpy(dtype=np.float32)
        y_te = te[column].to_numpy(dtype=np.float64)
        now = persistence(te, target)
        predicted = model.predict(x_te).astype(np.float64) + now
        tested[target] = (te, y_te, predicted, now)
        mae, rmse = errors(predicted, y_te)
        p_mae, p_rmse = errors(now, y_te)
        metrics.update({f"mae_{target}": mae, f"rmse_{target}": rmse, f"mae_persistence_{target}": p_mae,
                        f"rmse_persistence_{target}": p_rmse, f"best_iteration_{target}": float(model.best_iteration),
                        f"test_rows_{target}": float(len(te))})
        mlflow.log_params({**{f"xgb_{target}_{k}": v for k, v in settings[target].items()},
                           f"features_{target}": used[target]})
        kept[target] = earlier[1] if earlier is not None and used[target] == earlier[0] else None
        result = searched[target]
        if result is not None:
            metrics.update({f"search_trials_{target}": float(result.completed),
                            f"search_pruned_{target}": float(result.pruned),
                            f"search_seconds_{target}": result.seconds})
            if math.isfinite(result.score):
                metrics[f"search_walk_forward_mae_{target}"] = result.score
            if math.isfinite(result.default_score):
                metrics[f"search_defaults_walk_forward_mae_{target}"] = result.default_score
    if args.search_seconds > 0:
        # Strict JSON: a score no trial reached (NaN) is written as null.
        trials = json.dumps({t: None if r is None else dataclasses.asdict(r) for t, r in searched.items()})
        mlflow.log_dict(json.loads(trials, parse_constant=lambda _: None), "search.json")

    # The version serves only the targets that beat "it stays as it is" by the margin.
    served, refused = gate.served_targets(metrics, targets, args.gate_margin)
    metrics.update({f"served_{t}": 1.0 if t in served else 0.0 for t in targets})
    mlflow.set_tags({"greenloop.targets_served": ",".join(served) or "none",
                     "greenloop.targets_refused": "; ".join(refused.values()) or "none"})
    champion = champion_metrics(args.model_name, targets, data, test_part) if served else ({}, {})
    metrics.update(champion[0])

    # Prediction intervals for the served targets: a low and a high quantile model of the change.
    intervals = {}
    if served and args.interval > 0:
        intervals, seconds = train_intervals(served, fitted, tested, params, settings, data.features, args.interval,
                                             metrics, kept, args.search_folds, gap)
        training_seconds += seconds

    # The model card: data, per-target figures per zone and hour of day, the gate, the budget.
    evaluations = {}
    for target, (te, y_te, predicted, now) in tested.items():
        theirs = champion[1].get(target)
        evaluations[target] = card.evaluation(te, y_te, predicted, now,
                                              None if theirs is None else theirs.loc[te.index].to_numpy(),
                                              spec.get("windowSeconds", 60))
    model_card = card.build(
        model_name=args.model_name, run_id=mlflow.active_run().info.run_id, spec=spec, horizon=args.horizon, data=data,
        parts={"train": len(train_part), "valid": len(valid_part), "test": len(test_part)}, shares=shares,
        targets=targets, served=served, refused=refused, metrics=metrics, evaluations=evaluations,
        importances=profile.importances(models, data.features), margin=args.gate_margin,
        interval=args.interval if intervals else None, feature_sets=used,
        budget={"device": device, "maxRounds": args.max_rounds, "earlyStopping": args.early_stopping,
                "trainingSeconds": training_seconds,
                "search": card.search_budget(args.search_seconds, args.search_folds, settings, searched)})
    mlflow.log_dict(model_card, card.ARTIFACT)
    mlflow.log_text(card.markdown(model_card), card.MARKDOWN)
    metrics.update(card.breakdown_metrics(model_card))
    metrics["training_seconds"] = training_seconds
    if not served:
        mlflow.log_metrics(metrics)
        reason = (f"no target is {args.gate_margin * 100:.0f}% below persistence: " + "; ".join(refused.values()))
        mlflow.set_tag("greenloop.refused", reason)
        return f"registered no model version: {reason}"
    models = {t: models[t] for t in served}

    # What the training features looked like, for the monitor's drift judgement.
    mlflow.log_dict(profile.reference_profile(train_part, data.features, models, spec["version"]), profile.ARTIFACT)
    onnx_model = onnx_export.convert(models, len(data.features), bases, intervals)
    diffs = onnx_export.check_parity(onnx_model, models, x_test_all, args.onnx_tolerance, bases, intervals)
    metrics.update({f"onnx_max_abs_diff_{t}": d for t, d in diffs.items()})
    metrics["onnx_parity"] = 1.0
    mlflow.log_metrics(metrics)
    mlflow.set_tag("greenloop.onnx_parity", "passed")

    signature = ModelSignature(
        inputs=Schema([TensorSpec(np.dtype(np.float32), (-1, len(data.features)), onnx_export.INPUT)]),
        outputs=Schema([TensorSpec(np.dtype(np.float32), (-1, 1), name) for t in served
                        for name in ([t, f"{t}_low", f"{t}_high"] if t in intervals else [t])]))
    try:
        info = mlflow.onnx.log_model(onnx_model, name="model", signature=signature,
                                     registered_model_name=args.model_name)
        version = str(info.registered_model_version)
        client = MlflowClient()
        client.set_registered_model_alias(args.model_name, "candidate", version)
        tags = {"run_id": mlflow.active_run().info.run_id, "dataset_id": data.dataset_id,
                "feature_spec_version": spec["version"], "targets": ",".join(served),
                "targets_trained": ",".join(targets), "horizon_minutes": str(args.horizon),
                "onnx_parity": "passed", "gate_margin": str(args.gate_margin), "model_card": card.ARTIFACT,
                "feature_sets": ",".join(f"{t}={used[t]}" for t in served)}
        if refused:
            tags["targets_refused"] = "; ".join(refused.values())
        if intervals:
            tags["interval"] = str(args.interval)
        for key, value in tags.items():
            client.set_model_version_tag(args.model_name, version, key, value)
        client.update_model_version(args.model_name, version, description=card.summary(model_card))
    except MlflowException as e:
        raise retriable(f"registering the model in MLflow failed: {str(e).splitlines()[0]}") from e
    return (f"registered {args.model_name} version {version} as candidate, serving "
            + ", ".join(f"{t} MAE {metrics[f'mae_{t}']:.3f} (persistence {metrics[f'mae_persistence_{t}']:.3f})"
                        for t in served)
            + "".join(f"; not serving {reason}" for reason in refused.values()))


def matrix(part, features: list, keep=None) -> np.ndarray:
    """The part's features in spec order; with `keep`, every other column is missing (NaN), so no
    tree splits on it and the model still takes the whole spec's vector."""
    x = part[features].to_numpy(dtype=np.float32)
    if keep is not None:
        x = x.copy()
        kept = set(keep)
        x[:, [i for i, f in enumerate(features) if f not in kept]] = np.nan
    return x


def fit(params: dict, settings: dict, tr, va, features: list, column: str, target: str, callbacks: list, keep=None):
    """One point model of a target's change, early stopped on the validation part; learning only
    from the features in `keep` when given."""
    model = xgb.XGBRegressor(**params, **settings, callbacks=callbacks)
    model.fit(matrix(tr, features, keep), change(tr, column, target),
              eval_set=[(matrix(va, features, keep), change(va, column, target))], verbose=False)
    return model


def earlier_features(spec: dict):
    """The features of the spec this one extends (v1's 149 for v2), when the trainer carries it and
    this spec's vector starts with them; else None."""
    earlier = ds.bundled_specs().get(spec.get("extends"))
    if earlier is None or spec["features"][:len(earlier["features"])] != earlier["features"]:
        return None
    return earlier["version"], list(earlier["features"])


def point_model(target: str, column: str, tr, va, features: list, params: dict, settings: dict, searched: bool,
                earlier, metrics: dict, callbacks: list) -> tuple:
    """A target's point model, its settings and its feature set (a spec version), each decided on
    the validation part: the searched settings against the defaults (when a search proposed
    others), then the whole spec's features against the earlier spec's it starts with (`earlier`,
    from earlier_features, or None). The validation MAEs go into `metrics`."""
    model = fit(params, settings, tr, va, features, column, target, callbacks)
    if searched and settings != search.DEFAULTS:
        # The search proposes, the validation part (later than every fold) decides: the searched
        # settings are kept only when they also beat the defaults there.
        defaults = fit(params, search.DEFAULTS, tr, va, features, column, target, [])
        ours, theirs = valid_mae(model, va, features, column, target), valid_mae(defaults, va, features, column, target)
        metrics.update({f"search_valid_mae_{target}": ours, f"search_defaults_valid_mae_{target}": theirs})
        if theirs <= ours:
            model, settings = defaults, dict(search.DEFAULTS)
    if searched:
        metrics[f"search_kept_defaults_{target}"] = 1.0 if settings == search.DEFAULTS else 0.0
    # The feature set: on a few days of data the added features can fit noise that the validation
    # part does not confirm; the graph takes the whole vector either way.
    used = None
    if earlier is not None:
        narrow = fit(params, settings, tr, va, features, column, target, [], keep=earlier[1])
        ours, theirs = valid_mae(model, va, features, column, target), valid_mae(narrow, va, features, column, target)
        metrics.update({f"feature_set_valid_mae_{target}": ours,
                        f"feature_set_{earlier[0]}_valid_mae_{target}": theirs})
        if theirs < ours:
            model, used = narrow, earlier[0]
        metrics[f"feature_set_{earlier[0]}_{target}"] = 1.0 if used == earlier[0] else 0.0
    return model, settings, used


def valid_mae(model, va, features: list, column: str, target: str) -> float:
    return float(np.mean(np.abs(model.predict(va[features].to_numpy(dtype=np.float32)) - change(va, column, target))))


def choose(target: str, column: str, train_part, features: list, params: dict, gap, seconds: float, args) -> tuple:
    """One target's XGBoost settings and the search's result (None when the search is off, or the
    training part is too short for one walk-forward fold)."""
    if args.search_seconds <= 0:
        return dict(search.DEFAULTS), None
    folds = []
    for fit, judge in ds.walk_forward(train_part, args.search_folds, gap):
        folds.append((fit[features].to_numpy(dtype=np.float32), change(fit, column, target),
                      judge[features].to_numpy(dtype=np.float32), change(judge, column, target)))
    if not folds or min(len(f[0]) for f in folds) < 50:
        mlflow.set_tag(f"greenloop.search_skipped_{target}", "the training part is too short for a walk-forward fold")
        return dict(search.DEFAULTS), None
    result = search.search(folds, params, seconds, args.search_trials, seed=args.search_seed)
    print(f"greenloop-trainer: {target}: {result.completed} search trials ({result.pruned} pruned) in "
          f"{result.seconds:.0f} s, walk-forward MAE {result.score:.4f} (defaults {result.default_score:.4f})",
          flush=True)
    return result.params, result


def train_intervals(served: list, fitted: dict, tested: dict, params: dict, settings: dict, features: list,
                    nominal: float, metrics: dict, kept: dict, folds: int = 3, gap=None) -> tuple:
    """Per served target, XGBoost quantile models of the change for the interval's two ends, early
    stopped on the validation part like the point model, then calibrated (conformalised quantile
    regression: both ends move out, or in, by one margin) on the scores of rows no model learned
    from: the `folds` walk-forward blocks of the training part (each scored by quantile models with
    the final models' rounds, trained on the rows before it, `gap` purged) and the validation part,
    the later blocks weighing more (calibration.margin). Coverage and mean width on the test split
    go into `metrics` (`interval_coverage_<t>`, `interval_width_<t>`, `interval_margin_<t>`,
    `interval_calibration_rows_<t>`, `interval_calibration_blocks_<t>`, `interval_nominal`), with
    the bounds kept on their side of the value, as the ONNX graph keeps them."""
    low_q, high_q = (1 - nominal) / 2, (1 + nominal) / 2
    quantile = {**params, "objective": "reg:quantileerror", "eval_metric": "quantile"}
    intervals, seconds = {}, 0.0
    for target in served:
        tr, va, column = fitted[target]
        pair = []
        for q in (low_q, high_q):
            model = xgb.XGBRegressor(**quantile, **settings[target], quantile_alpha=q)
            started = time.monotonic()
            # From the same features as the target's point model.
            model.fit(matrix(tr, features, kept.get(target)), change(tr, column, target),
                      eval_set=[(matrix(va, features, kept.get(target)), change(va, column, target))], verbose=False)
            seconds += time.monotonic() - started
            print(f"greenloop-trainer: {target}: {q:.2f} quantile model trained in {time.monotonic() - started:.0f} s, "
                  f"best iteration {model.best_iteration}", flush=True)
            pair.append(model)
        started = time.monotonic()
        blocks = [interval_scores(fold_pair, judge, features, column, target) for fold_pair, judge
                  in fold_quantile_models(tr, pair, quantile, settings[target], features, column, target,
                                          kept.get(target), folds, gap)]
        seconds += time.monotonic() - started
        blocks.append(interval_scores(pair, va, features, column, target))
        margin = calibration.margin(blocks, nominal)
        intervals[target] = (pair[0], pair[1], margin)
        metrics[f"interval_calibration_rows_{target}"] = float(sum(len(b) for b in blocks))
        metrics[f"interval_calibration_blocks_{target}"] = float(len(blocks))
        te, y_te, predicted, now = tested[target]
        low, high = onnx_export.bounds(intervals[target], te[features].to_numpy(dtype=np.float32), now, predicted)
        metrics[f"interval_coverage_{target}"] = float(np.mean((low <= y_te) & (y_te <= high)))
        metrics[f"interval_width_{target}"] = float(np.mean(high - low))
        metrics[f"interval_margin_{target}"] = margin
    metrics["interval_nominal"] = nominal
    return intervals, seconds


def interval_scores(pair: list, part, features: list, column: str, target: str) -> np.ndarray:
    """How far each row's value lies outside the uncalibrated interval of the quantile models
    `pair` (low, high), negative inside."""
    x = part[features].to_numpy(dtype=np.float32)
    now = persistence(part, target)
    y = part[column].to_numpy(dtype=np.float64)
    return np.maximum(pair[0].predict(x) + now - y, y - (pair[1].predict(x) + now))


def fold_quantile_models(tr, final: list, quantile: dict, settings: dict, features: list, column: str, target: str,
                         keep, folds: int, gap) -> list:
    """Per walk-forward fold of the training part (ds.walk_forward, oldest first), the pair of
    quantile models trained on the rows before its block, each with its final model's rounds (no
    early stopping: the block is for calibration), and the block; folds with fewer than 50 rows
    to learn from are left out."""
    fixed = {k: v for k, v in quantile.items() if k != "early_stopping_rounds"}
    out = []
    for fit_part, judge in ds.walk_forward(tr, folds, gap):
        if len(fit_part) < 50 or len(judge) == 0:
            continue
        pair = []
        for model in final:
            rounds = (model.best_iteration + 1) if getattr(model, "best_iteration", None) is not None \
                else model.n_estimators
            fold_model = xgb.XGBRegressor(**{**fixed, "n_estimators": int(rounds)}, **settings,
                                          quantile_alpha=model.get_params()["quantile_alpha"])
            fold_model.fit(matrix(fit_part, features, keep), change(fit_part, column, target), verbose=False)
            pair.append(fold_model)
        out.append((pair, judge))
    return out


def champion_columns(spec_version, width: int, features: list):
    """The dataset's columns a champion reads: all of them, or, for a champion of an earlier spec
    that the dataset's starts with (v1 within v2), the first ones; None when it cannot read them."""
    if width == len(features):
        return features
    earlier = ds.bundled_specs().get(spec_version)
    if earlier is not None and len(earlier["features"]) == width and features[:width] == earlier["features"]:
        return features[:width]
    return None


def champion_metrics(model_name: str, targets: list, data, test_part) -> tuple:
    """The current champion on the same test split, when there is one with the same inputs: its
    metrics, and its predictions per target it forecasts (a Series on the test part's index)."""
    client = MlflowClient()
    try:
        champion = client.get_model_version_by_alias(model_name, "champion")
    except MlflowException:
        return {}, {}
    directory = tempfile.mkdtemp(prefix="champion-")
    try:
        local = mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{model_name}@champion", dst_path=directory)
        model = onnx.load(str(Path(local) / "model.onnx"))
        width = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
        columns = champion_columns(champion.tags.get("feature_spec_version"), width, data.features)
        if columns is None:
            mlflow.set_tag("greenloop.champion_skipped", f"champion takes {width} features of spec "
                           f"{champion.tags.get('feature_spec_version')}, which the dataset's do not start with")
            return {}, {}
        x = test_part[columns].to_numpy(dtype=np.float32)
        predicted = onnx_export.predict(model, x)
        out = {"champion_version": float(champion.version)}
        series = {}
        for target, column in zip(targets, data.targets, strict=True):
            if target not in predicted:
                continue
            series[target] = pd.Series(predicted[target].astype(np.float64), index=test_part.index)
            y = test_part[column].to_numpy(dtype=np.float64)
            known = ~np.isnan(y) & ~np.isnan(predicted[target])
            mae, rmse = errors(predicted[target][known].astype(np.float64), y[known])
            out[f"champion_mae_{target}"] = mae
            out[f"champion_rmse_{target}"] = rmse
        return out, series
    except MlflowException as e:
        raise retriable(f"cannot fetch the champion of {model_name}: {str(e).splitlines()[0]}") from e
    finally:
        shutil.rmtree(directory, ignore_errors=True)
