"""Command line of the training job.

    python -m greenloop_trainer --manifest MANIFEST --webhdfs URL --tracking-uri URI [--run-id ID] \\
        [--model-name NAME] [--targets air_temperature,relative_humidity,co2] [--horizon 15]

Every option also reads an environment variable (GREENLOOP_MANIFEST, GREENLOOP_WEBHDFS_URL,
MLFLOW_TRACKING_URI, GREENLOOP_RUN_ID, GREENLOOP_MODEL_NAME, GREENLOOP_EXPERIMENT, GREENLOOP_TARGETS,
GREENLOOP_HORIZON_MINUTES, GREENLOOP_FEATURE_SPEC, GREENLOOP_DEVICE, GREENLOOP_REQUIRED_GROUPS,
GREENLOOP_MAX_MISSING_SHARE, GREENLOOP_GATE_MARGIN, GREENLOOP_INTERVAL, GREENLOOP_MAX_ROUNDS,
GREENLOOP_EARLY_STOPPING, GREENLOOP_SEARCH_SECONDS, GREENLOOP_SEARCH_TRIALS, GREENLOOP_SEARCH_FOLDS,
GREENLOOP_SEARCH_SEED). The version registered serves only the targets
whose test MAE is at least the gate margin below persistence; when none is, no version is
registered (the run says why in its tag `greenloop.refused`) and the exit code is still 0.
Without a run id (train-launcher creates one for its Jobs) the trainer creates its own run in the
greenhouse's experiment. Exit codes: 0 success, 2 bad input or configuration (not worth retrying),
other non-zero for retriable failures; every failure prints one line saying why.
"""

import argparse
import os
import sys
import time

from . import EXIT_OK, EXIT_RETRIABLE, TrainerError, bad_input, retriable


def parse_args(argv):
    env = os.environ.get
    p = argparse.ArgumentParser(prog="greenloop-trainer", description="Train, export to ONNX, register in MLflow.")
    p.add_argument("--manifest", default=env("GREENLOOP_MANIFEST"), help="dataset manifest: JSON or a file path")
    p.add_argument("--webhdfs", default=env("GREENLOOP_WEBHDFS_URL"), help="NameNode HTTP address, e.g. http://namenode:9870")
    p.add_argument("--tracking-uri", default=env("MLFLOW_TRACKING_URI"))
    p.add_argument("--run-id", default=env("GREENLOOP_RUN_ID"),
                   help="the MLflow run to log into (train-launcher creates one); without it, a new run")
    p.add_argument("--experiment", default=env("GREENLOOP_EXPERIMENT"),
                   help="experiment of a new run; default greenloop-<greenhouse of the manifest>, as train-launcher's")
    p.add_argument("--model-name", default=env("GREENLOOP_MODEL_NAME"),
                   help="registered model; default greenloop-<greenhouse of the manifest>")
    p.add_argument("--targets", default=env("GREENLOOP_TARGETS", "air_temperature,relative_humidity,co2"))
    p.add_argument("--horizon", type=int, default=int(env("GREENLOOP_HORIZON_MINUTES", "15")))
    p.add_argument("--feature-spec", default=env("GREENLOOP_FEATURE_SPEC", ""),
                   help="the feature spec (JSON or a file path); default the bundled copy of the dataset's version")
    p.add_argument("--device", default=env("GREENLOOP_DEVICE", "auto"), choices=["auto", "cpu", "cuda"])
    p.add_argument("--max-rounds", type=int, default=int(env("GREENLOOP_MAX_ROUNDS", "2000")),
                   help="cap on boosting rounds; early stopping on the validation part chooses the number")
    p.add_argument("--early-stopping", type=int, default=int(env("GREENLOOP_EARLY_STOPPING", "30")))
    p.add_argument("--search-seconds", type=float, default=float(env("GREENLOOP_SEARCH_SECONDS", "600")),
                   help="wall-clock budget of the hyperparameter search, all targets together; 0 for none "
                        "(the fixed defaults)")
    p.add_argument("--search-trials", type=int, default=int(env("GREENLOOP_SEARCH_TRIALS", "40")),
                   help="most settings tried per target")
    p.add_argument("--search-folds", type=int, default=int(env("GREENLOOP_SEARCH_FOLDS", "3")),
                   help="walk-forward folds of the training part that judge each setting")
    p.add_argument("--search-seed", type=int, default=int(env("GREENLOOP_SEARCH_SEED", "0")))
    p.add_argument("--onnx-tolerance", type=float, default=float(env("GREENLOOP_ONNX_TOLERANCE", "1e-3")))
    p.add_argument("--required-groups", default=env("GREENLOOP_REQUIRED_GROUPS", "weather,actuators"),
                   help="signal groups the dataset must have; comma-separated, 'none' for no check")
    p.add_argument("--max-missing-share", type=float, default=float(env("GREENLOOP_MAX_MISSING_SHARE", "0.1")),
                   help="largest share of rows that may miss a required group (0..1)")
    p.add_argument("--gate-margin", type=float, default=float(env("GREENLOOP_GATE_MARGIN", "0.1")),
                   help="how far below persistence a target's test MAE must be for the version to serve it (0..1)")
    p.add_argument("--interval", type=float, default=float(env("GREENLOOP_INTERVAL", "0.8")),
                   help="nominal coverage of the prediction interval per served target (0.8: the 10 %% and 90 %% "
                        "quantiles); 0 for none")
    args = p.parse_args(argv)
    for name in ("manifest", "webhdfs", "tracking_uri"):
        if not getattr(args, name):
            raise bad_input(f"--{name.replace('_', '-')} is required (or its environment variable)")
    if not 0 <= args.max_missing_share <= 1:
        raise bad_input(f"--max-missing-share must be between 0 and 1, not {args.max_missing_share}")
    if not 0 <= args.interval < 1:
        raise bad_input(f"--interval must be at least 0 and below 1, not {args.interval}")
    if args.search_seconds < 0 or args.search_trials < 1 or args.search_folds < 1:
        raise bad_input(f"--search-seconds must be at least 0 and --search-trials and --search-folds at least 1, "
                        f"not {args.search_seconds}, {args.search_trials}, {args.search_folds}")
    if args.max_rounds < 1 or args.early_stopping < 1:
        raise bad_input(f"--max-rounds and --early-stopping must be at least 1, not {args.max_rounds}, "
                        f"{args.early_stopping}")
    if not 0 <= args.gate_margin < 1:
        raise bad_input(f"--gate-margin must be at least 0 and below 1, not {args.gate_margin}")
    return args


def greenhouse_of(manifest_arg: str) -> str:
    """The greenhouse a manifest names, for the default experiment and model name."""
    from .dataset import load_json
    greenhouse = load_json(manifest_arg, "dataset manifest").get("greenhouseId")
    if not greenhouse:
        raise bad_input("the manifest names no greenhouseId; give --model-name (and --experiment)")
    return greenhouse


def main(argv=None) -> int:
    started = time.time()
    run_started = False
    try:
        args = parse_args(argv)
        # Imported here: a usage error answers at once, without loading XGBoost and MLflow.
        from .train import train
        import mlflow
        if not args.model_name or not (args.run_id or args.experiment):
            default = f"greenloop-{greenhouse_of(args.manifest)}"
            args.model_name = args.model_name or default
            args.experiment = args.experiment or default
        mlflow.set_tracking_uri(args.tracking_uri)
        try:
            if args.run_id:
                mlflow.start_run(run_id=args.run_id)
            else:
                mlflow.set_experiment(args.experiment)
                run = mlflow.start_run(run_name=f"trainer-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}",
                                       tags={"greenloop.started_by": "trainer-cli"})
                print(f"greenloop-trainer: created run {run.info.run_id} in experiment {args.experiment}", flush=True)
            run_started = True
        except Exception as e:  # noqa: BLE001 - MLflow raises several kinds for an unreachable server
            message = str(e).splitlines()[0] if str(e) else type(e).__name__
            if args.run_id and ("RESOURCE_DOES_NOT_EXIST" in message or "not found" in message.lower()):
                raise bad_input(f"MLflow run {args.run_id} does not exist at {args.tracking_uri}") from e
            raise retriable(f"cannot reach MLflow at {args.tracking_uri}: {message}") from e
        summary = train(args)
        mlflow.end_run("FINISHED")
        print(f"greenloop-trainer: {summary} in {time.time() - started:.0f} s", flush=True)
        return EXIT_OK
    except TrainerError as e:
        print(f"greenloop-trainer: error: {e}", file=sys.stderr, flush=True)
        _fail_run(run_started, str(e))
        return e.exit_code
    except Exception as e:  # noqa: BLE001 - the one line a failing Job must print
        first = str(e).splitlines()[0] if str(e) else ""
        print(f"greenloop-trainer: error: unexpected {type(e).__name__}: {first}", file=sys.stderr, flush=True)
        _fail_run(run_started, f"{type(e).__name__}: {first}")
        return EXIT_RETRIABLE


def _fail_run(run_started: bool, reason: str) -> None:
    if not run_started:
        return
    try:
        import mlflow
        mlflow.set_tag("greenloop.failure", reason[:4000])
        mlflow.end_run("FAILED")
    except Exception:  # noqa: BLE001 - reporting must not hide the original failure
        pass


if __name__ == "__main__":
    sys.exit(main())
