"""The model card of a training run: what the version was trained on, how it does per target, per
zone and per hour of day against persistence and the champion, which targets it serves and why,
and what the training cost. Logged to the run as `model-card.json` and `model-card.md`; the
registered version's description is the card's summary and its tag `model_card` names the artifact.
"""

import math

import numpy as np
import pandas as pd

ARTIFACT = "model-card.json"
MARKDOWN = "model-card.md"


def _mae(predicted: np.ndarray, actual: np.ndarray):
    if len(actual) == 0:
        return None
    return float(np.mean(np.abs(predicted - actual)))


def breakdown(keys: pd.Series, actual: np.ndarray, predicted: np.ndarray, baseline: np.ndarray,
              champion=None) -> dict:
    """MAE of the model, persistence and (where it forecast the row) the champion, per key value."""
    out = {}
    keys = np.asarray(keys)
    for key in sorted(set(keys.tolist())):
        rows = keys == key
        entry = {"rows": int(rows.sum()), "mae": _mae(predicted[rows], actual[rows]),
                 "persistenceMae": _mae(baseline[rows], actual[rows])}
        if champion is not None:
            known = rows & ~np.isnan(champion)
            entry["championMae"] = _mae(champion[known], actual[known])
        out[str(key)] = entry
    return out


def evaluation(test: pd.DataFrame, actual: np.ndarray, predicted: np.ndarray, baseline: np.ndarray,
               champion=None, window_seconds: int = 60) -> dict:
    """Per zone and per UTC hour of day (of the window's end) for one target's test rows."""
    ends = pd.to_datetime(test["window_start"], utc=True) + pd.Timedelta(seconds=window_seconds)
    return {"byZone": breakdown(test["zone"], actual, predicted, baseline, champion),
            "byHourOfDayUtc": breakdown(ends.dt.hour, actual, predicted, baseline, champion)}


def build(*, model_name: str, run_id: str, spec: dict, horizon: int, data, parts: dict, shares: dict,
          targets: list, served: list, refused: dict, metrics: dict, evaluations: dict, importances: dict,
          budget: dict, margin: float, interval=None, feature_sets=None) -> dict:
    frame = data.frame
    window = pd.Timedelta(seconds=spec.get("windowSeconds", 60))
    starts = pd.to_datetime(frame["window_start"], utc=True)
    card = {
        "model": model_name, "run": run_id, "featureSpecVersion": spec["version"], "horizonMinutes": horizon,
        "data": {"datasetId": data.dataset_id, "digest": data.digest, "files": len(data.paths),
                 "from": starts.min().isoformat(), "to": (starts.max() + window).isoformat(),
                 "zones": sorted(str(z) for z in frame["zone"].unique()), "rows": int(len(frame)),
                 "rowsPerPart": parts, "missingShares": shares},
        "features": {"count": len(data.features),
                     "mostImportant": dict(sorted(importances.items(), key=lambda kv: -kv[1])[:10])},
        "gate": {"persistenceMargin": margin, "served": served, "refused": refused},
        "targets": {},
        "champion": {"version": str(int(metrics["champion_version"]))} if "champion_version" in metrics else None,
        "intervals": None if interval is None else {
            "nominalCoverage": interval,
            "targets": {t: {"coverage": metrics.get(f"interval_coverage_{t}"),
                            "meanWidth": metrics.get(f"interval_width_{t}"),
                            "calibrationRows": metrics.get(f"interval_calibration_rows_{t}"),
                            "calibrationBlocks": metrics.get(f"interval_calibration_blocks_{t}")}
                        for t in served if f"interval_coverage_{t}" in metrics}},
        "budget": budget,
    }
    for t in targets:
        card["targets"][t] = {
            "served": t in served, "reason": refused.get(t),
            "mae": metrics.get(f"mae_{t}"), "rmse": metrics.get(f"rmse_{t}"),
            "persistenceMae": metrics.get(f"mae_persistence_{t}"), "championMae": metrics.get(f"champion_mae_{t}"),
            "bestIteration": metrics.get(f"best_iteration_{t}"), "testRows": metrics.get(f"test_rows_{t}"),
            "featureSet": (feature_sets or {}).get(t, spec["version"]),
            **evaluations.get(t, {}),
        }
    return card


def search_budget(seconds: float, folds: int, settings: dict, searched: dict):
    """The hyperparameter search in the card's budget: the budget, and per target the settings
    chosen, how many trials ran, and the walk-forward MAE of the chosen settings and the defaults.
    None when the search was off."""
    if seconds <= 0:
        return None
    out = {"seconds": seconds, "folds": folds, "targets": {}}
    for target, params in settings.items():
        r = searched.get(target)
        out["targets"][target] = {"params": params} if r is None else {
            "params": params, "trials": r.completed, "pruned": r.pruned, "seconds": r.seconds,
            # The search's pick, unless the defaults did better on the validation part.
            "kept": "search" if params == r.params else "defaults: better on the validation part",
            "walkForwardMae": None if math.isnan(r.score) else r.score,
            "defaultsWalkForwardMae": None if math.isnan(r.default_score) else r.default_score}
    return out


def breakdown_metrics(card: dict) -> dict:
    """MLflow metrics per target and zone, `mae_<target>_zone_<zone>`, and per UTC hour of the
    window's end, `mae_<target>_hour_<hh>`, each with persistence's beside it."""
    out = {}
    for target, entry in card["targets"].items():
        for key, kind in (("byZone", "zone"), ("byHourOfDayUtc", "hour")):
            for value, e in entry.get(key, {}).items():
                name = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(value))
                if kind == "hour":
                    name = name.zfill(2)
                if e["mae"] is not None:
                    out[f"mae_{target}_{kind}_{name}"] = e["mae"]
                    out[f"mae_persistence_{target}_{kind}_{name}"] = e["persistenceMae"]
    return out


def _num(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def summary(card: dict) -> str:
    """One paragraph for the version's description."""
    data = card["data"]
    parts = [f"{t} MAE {_num(e['mae'])} vs persistence {_num(e['persistenceMae'])}"
             + ("" if e["served"] else " (not served)") for t, e in card["targets"].items()]
    return (f"Feature spec {card['featureSpecVersion']}, +{card['horizonMinutes']} min. Trained on dataset "
            f"{data['datasetId']} ({data['rows']} rows, zones {', '.join(data['zones'])}, "
            f"{data['from']} to {data['to']}). "
            f"Test split: {'; '.join(parts)}. Serves {', '.join(card['gate']['served']) or 'nothing'}. "
            f"Full card: run artifact {MARKDOWN}.")


def markdown(card: dict) -> str:
    lines = [f"# {card['model']}: model card of run {card['run']}", "", summary(card), ""]
    lines += ["| target | served | test MAE | persistence MAE | champion MAE | best iteration | features |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for t, e in card["targets"].items():
        lines.append(f"| {t} | {'yes' if e['served'] else 'no: ' + (e['reason'] or '')} | {_num(e['mae'])} | "
                     f"{_num(e['persistenceMae'])} | {_num(e['championMae'])} | {_num(e['bestIteration'])} | "
                     f"{e.get('featureSet', card['featureSpecVersion'])} |")
    for t, e in card["targets"].items():
        for title, key in (("zone", "byZone"), ("hour of day (UTC, window end)", "byHourOfDayUtc")):
            if not e.get(key):
                continue
            lines += ["", f"## {t} by {title}", "", "| " + title + " | rows | MAE | persistence MAE | champion MAE |",
                      "| --- | --- | --- | --- | --- |"]
            for k, v in e[key].items():
                lines.append(f"| {k} | {v['rows']} | {_num(v['mae'])} | {_num(v['persistenceMae'])} | "
                             f"{_num(v.get('championMae'))} |")
    b = card["budget"]
    lines += ["", "## Training budget", "",
              f"Device {b['device']}, at most {b['maxRounds']} rounds with early stopping after {b['earlyStopping']}; "
              f"{b['trainingSeconds']:.1f} s of training in all."]
    found = b.get("search")
    if found:
        title = f"## Hyperparameter search ({found['seconds']:.0f} s budget, {found['folds']} walk-forward folds)"
        lines += ["", title, "",
                  "| target | trials (pruned) | walk-forward MAE | with the defaults | settings kept |",
                  "| --- | --- | --- | --- | --- |"]
        for t, e in found["targets"].items():
            chosen = ", ".join(f"{k} {v:.3g}" for k, v in e["params"].items())
            trials = f"{e['trials']} ({e['pruned']})" if "trials" in e else "none: too little data"
            kept = "" if e.get("kept", "search") == "search" else " (the defaults: better on the validation part)"
            lines.append(f"| {t} | {trials} | {_num(e.get('walkForwardMae'))} | "
                         f"{_num(e.get('defaultsWalkForwardMae'))} | {chosen}{kept} |")
    else:
        lines += ["", "No hyperparameter search: the fixed defaults."]
    intervals = card.get("intervals")
    if intervals:
        lines += ["", f"## Prediction intervals (nominal coverage {intervals['nominalCoverage']:.0%})", "",
                  "| target | coverage on the test split | mean width | calibrated on |", "| --- | --- | --- | --- |"]
        for t, e in intervals["targets"].items():
            rows, blocks = e.get("calibrationRows"), e.get("calibrationBlocks")
            calibrated = "-" if rows is None else f"{rows:.0f} rows in {blocks:.0f} blocks"
            lines.append(f"| {t} | {e['coverage']:.1%} | {_num(e['meanWidth'])} | {calibrated} |")
    else:
        lines += ["", "No prediction intervals."]
    return "\n".join(lines) + "\n"
