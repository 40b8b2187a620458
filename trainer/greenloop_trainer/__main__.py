"""Command line of the training job.

    python -m greenloop_trainer --manifest MANIFEST --webhdfs URL --tracking-uri URI --run-id ID \\
        --model-name NAME [--targets air_temperature,relative_humidity,co2] [--horizon 15]

Every option also reads an environment variable (GREENLOOP_MANIFEST, GREENLOOP_WEBHDFS_URL,
MLFLOW_TRACKING_URI, GREENLOOP_RUN_ID, GREENLOOP_MODEL_NAME, GREENLOOP_TARGETS,
GREENLOOP_HORIZON_MINUTES, GREENLOOP_FEATURE_SPEC, GREENLOOP_DEVICE). Exit codes: 0 success,
2 bad input or configuration (not worth retrying), other non-zero for retriable failures; every
failure prints one line saying why.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from . import EXIT_OK, EXIT_RETRIABLE, TrainerError, bad_input, retriable

DEFAULT_SPEC = Path(__file__).resolve().parent / "feature-spec-v1.json"


def parse_args(argv):
    env = os.environ.get
    p = argparse.ArgumentParser(prog="greenloop-trainer", description="Train, export to ONNX, register in MLflow.")
    p.add_argument("--manifest", default=env("GREENLOOP_MANIFEST"), help="dataset manifest: JSON or a file path")
    p.add_argument("--webhdfs", default=env("GREENLOOP_WEBHDFS_URL"), help="NameNode HTTP address, e.g. http://namenode:9870")
    p.add_argument("--tracking-uri", default=env("MLFLOW_TRACKING_URI"))
    p.add_argument("--run-id", default=env("GREENLOOP_RUN_ID"), help="the MLflow run the launcher created")
    p.add_argument("--model-name", default=env("GREENLOOP_MODEL_NAME"))
    p.add_argument("--targets", default=env("GREENLOOP_TARGETS", "air_temperature,relative_humidity,co2"))
    p.add_argument("--horizon", type=int, default=int(env("GREENLOOP_HORIZON_MINUTES", "15")))
    p.add_argument("--feature-spec", default=env("GREENLOOP_FEATURE_SPEC", str(DEFAULT_SPEC)))
    p.add_argument("--device", default=env("GREENLOOP_DEVICE", "auto"), choices=["auto", "cpu", "cuda"])
    p.add_argument("--max-rounds", type=int, default=int(env("GREENLOOP_MAX_ROUNDS", "300")))
    p.add_argument("--early-stopping", type=int, default=int(env("GREENLOOP_EARLY_STOPPING", "30")))
    p.add_argument("--onnx-tolerance", type=float, default=float(env("GREENLOOP_ONNX_TOLERANCE", "1e-3")))
    args = p.parse_args(argv)
    for name in ("manifest", "webhdfs", "tracking_uri", "run_id", "model_name"):
        if not getattr(args, name):
            raise bad_input(f"--{name.replace('_', '-')} is required (or its environment variable)")
    return args


def main(argv=None) -> int:
    started = time.time()
    run_started = False
    try:
        args = parse_args(argv)
        # Imported here: a usage error answers at once, without loading XGBoost and MLflow.
        from .train import train
        import mlflow
        mlflow.set_tracking_uri(args.tracking_uri)
        try:
            mlflow.start_run(run_id=args.run_id)
            run_started = True
        except Exception as e:  # noqa: BLE001 - MLflow raises several kinds for an unreachable server
            message = str(e).splitlines()[0] if str(e) else type(e).__name__
            if "RESOURCE_DOES_NOT_EXIST" in message or "not found" in message.lower():
                raise bad_input(f"MLflow run {args.run_id} does not exist at {args.tracking_uri}")
            raise retriable(f"cannot reach MLflow at {args.tracking_uri}: {message}")
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
