"""A model of the trainer's shape and size for infer's benchmarks, made by the trainer's own code.

    make_model.py OUT.onnx [--rounds 300] [--depth 6] [--register TRACKING_URI --model NAME]

Trains one XGBoost regressor per target (air temperature, humidity, CO2) on seeded synthetic
rows of the feature spec's width, with the trainer's settings and no early stopping (so every
round's tree is kept: the largest model the trainer makes), and exports them with
greenloop_trainer.onnx_export, the graph infer serves. With --register, logs it to MLflow as the
trainer does (mlflow.onnx.log_model, version tags) and points alias champion at it. Runs in the
trainer's virtualenv with the trainer directory on PYTHONPATH; reuses OUT.onnx when it exists.
"""

import argparse
import json
from pathlib import Path

import numpy as np
import xgboost as xgb

from greenloop_trainer import onnx_export

TARGETS = ["air_temperature", "relative_humidity", "co2"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--rounds", type=int, default=300)
    p.add_argument("--depth", type=int, default=6)
    p.add_argument("--register")
    p.add_argument("--model", default="greenloop-gh-bench")
    args = p.parse_args()
    if not Path(args.out).exists():
        make(args)
    if args.register:
        register(args)


def register(args):
    import mlflow
    import onnx
    from mlflow.models import ModelSignature
    from mlflow.tracking import MlflowClient
    from mlflow.types.schema import Schema, TensorSpec

    model = onnx.load(args.out)
    width = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    mlflow.set_tracking_uri(args.register)
    mlflow.set_experiment("infer-bench")
    with mlflow.start_run():
        signature = ModelSignature(inputs=Schema([TensorSpec(np.dtype(np.float32), (-1, width), "features")]),
                                   outputs=Schema([TensorSpec(np.dtype(np.float32), (-1, 1), t) for t in TARGETS]))
        info = mlflow.onnx.log_model(model, name="model", signature=signature, registered_model_name=args.model)
    client = MlflowClient()
    version = str(info.registered_model_version)
    for key, value in {"feature_spec_version": "v1", "horizon_minutes": "15", "targets": ",".join(TARGETS)}.items():
        client.set_model_version_tag(args.model, version, key, value)
    client.set_registered_model_alias(args.model, "champion", version)
    print(json.dumps({"model": args.model, "version": version}))


def make(args):
    spec = json.loads((Path(onnx_export.__file__).parent / "feature-spec-v1.json").read_text())
    names = spec["features"]
    rng = np.random.default_rng(42)
    x = rng.normal(20, 5, size=(20000, len(names))).astype(np.float32)
    x[rng.random(x.shape) < 0.05] = np.nan
    models, bases = {}, {}
    for i, target in enumerate(TARGETS):
        last, mean = names.index(f"{target}_last"), names.index(f"{target}_mean")
        y = np.sin(np.nan_to_num(x[:, (i * 7) % len(names)])) + 0.1 * np.nan_to_num(x[:, (i * 13 + 5) % len(names)]) + rng.normal(0, 0.1, len(x))
        model = xgb.XGBRegressor(n_estimators=args.rounds, learning_rate=0.05, max_depth=args.depth, subsample=0.8,
                                 colsample_bytree=0.8, min_child_weight=2, tree_method="hist", device="cpu")
        model.fit(x, y, verbose=False)
        models[target] = model
        bases[target] = (last, mean)
    onnx_model = onnx_export.convert(models, len(names), bases)
    onnx_export.check_parity(onnx_model, models, x[:2000], 1e-3, bases)
    Path(args.out).write_bytes(onnx_model.SerializeToString())
    print(json.dumps({"out": args.out, "bytes": Path(args.out).stat().st_size, "rounds": args.rounds, "depth": args.depth}))


if __name__ == "__main__":
    main()
