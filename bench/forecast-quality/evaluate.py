"""Forecast quality on the feature tables SimulatedDataset wrote, judged as the trainer judges it:
its purged time split (train, validation, then the held-out test days), its point models of the
change (default settings, or a search), the feature set chosen on the validation part, and its
calibrated prediction intervals. Prints, per target, test MAE against persistence for v1's and
the whole spec's features, the validation's pick, and the interval's coverage of the test split.

    python evaluate.py DIR [--search-seconds S] [--interval 0.8]

Run with the trainer's environment (bench/forecast-quality/run.sh makes one).
"""
import argparse
import contextlib
import glob
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "trainer"))
from greenloop_trainer import dataset as ds  # noqa: E402
from greenloop_trainer import search  # noqa: E402
from greenloop_trainer.train import (choose, earlier_features, errors, fit, persistence,  # noqa: E402
                                     point_model, train_intervals)

TARGETS = ["air_temperature", "relative_humidity", "co2"]


def test_ratio(model, te, features: list, now, y_te, persistence_mae: float) -> float:
    """Test MAE of a point model of the change, as a share of persistence's."""
    mae, _ = errors(model.predict(te[features].to_numpy(dtype=np.float32)).astype(np.float64) + now, y_te)
    return mae / persistence_mae


def main(argv) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--search-seconds", type=float, default=0.0)
    p.add_argument("--search-trials", type=int, default=40)
    p.add_argument("--interval", type=float, default=0.8)
    p.add_argument("--horizon", type=int, default=15)
    args = p.parse_args(argv)
    files = sorted(glob.glob(str(Path(args.dir) / "*.parquet")))
    if not files:
        print(f"no feature tables in {args.dir}", file=sys.stderr)
        return 2
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frame = frame.sort_values(["window_start", "zone"], kind="stable").reset_index(drop=True)
    # The spec the tables were written with, as the trainer reads it: the files' metadata.
    version = (pq.read_schema(files[0]).metadata or {}).get(ds.FEATURE_SPEC_KEY, b"").decode()
    spec = ds.spec_for({"datasetId": args.dir, "featureSpecVersion": version}, "")
    features = spec["features"]
    earlier = earlier_features(spec)
    gap = pd.Timedelta(seconds=spec.get("windowSeconds", 60)) + pd.Timedelta(minutes=args.horizon)
    train_part, valid_part, test_part = ds.split(frame, gap=gap)
    starts = pd.to_datetime(test_part["window_start"], utc=True)
    print(f"{len(files)} day(s), {len(frame)} rows, spec {spec['version']}; test split {starts.min()} to "
          f"{starts.max()} ({len(test_part)} rows)")
    params = dict(n_estimators=2000, tree_method="hist", device="cpu", early_stopping_rounds=30, eval_metric="rmse")
    options = SimpleNamespace(search_seconds=args.search_seconds, search_folds=3, search_trials=args.search_trials,
                              search_seed=0)
    print("| target | persistence MAE | v1's features | whole spec's | validation picks | MAE / persistence "
          "| interval coverage |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for target in TARGETS:
        column = f"target_{target}_{args.horizon}m"
        tr, va, te = [part[~part[column].isna() & ~np.isnan(persistence(part, target))]
                      for part in (train_part, valid_part, test_part)]
        y_te = te[column].to_numpy(dtype=np.float64)
        now = persistence(te, target)
        p_mae, _ = errors(now, y_te)
        settings = dict(search.DEFAULTS)
        if args.search_seconds > 0:
            with contextlib.redirect_stdout(sys.stderr):
                settings, _ = choose(target, column, tr, features, params, gap, args.search_seconds / len(TARGETS),
                                     options)
        # The trainer's choices (settings, feature set), then both feature sets with those settings
        # on the test days, for the table.
        metrics = {}
        model, settings, used = point_model(target, column, tr, va, features, params, settings, args.search_seconds > 0,
                                            earlier, metrics, [])
        pick = used or spec["version"]
        ratios = {"pick": test_ratio(model, te, features, now, y_te, p_mae),
                  spec["version"]: test_ratio(fit(params, settings, tr, va, features, column, target, []), te, features,
                                              now, y_te, p_mae)}
        if earlier is not None:
            narrow = fit(params, settings, tr, va, features, column, target, [], keep=earlier[1])
            ratios[earlier[0]] = test_ratio(narrow, te, features, now, y_te, p_mae)
        coverage = ""
        if args.interval > 0:
            predicted = model.predict(te[features].to_numpy(dtype=np.float32)).astype(np.float64) + now
            kept = {target: earlier[1]} if earlier is not None and pick == earlier[0] else {}
            with contextlib.redirect_stdout(sys.stderr):
                train_intervals([target], {target: (tr, va, column)}, {target: (te, y_te, predicted, now)}, params,
                                {target: settings}, features, args.interval, metrics, kept, options.search_folds, gap)
            coverage = f"{100 * metrics[f'interval_coverage_{target}']:.1f} % of {100 * args.interval:.0f} %"
        v1 = f"{ratios[earlier[0]]:.3f}" if earlier is not None else "-"
        print(f"| {target} | {p_mae:.3f} | {v1} | {ratios[spec['version']]:.3f} | {pick} | {ratios['pick']:.3f} "
              f"| {coverage} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
