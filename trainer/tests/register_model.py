"""Registers a small ONNX model with the trainer's signature in MLflow, for infer's and train-launcher's tests.

    register_model.py --tracking-uri URI --model NAME --alias ALIAS --spec-file SPEC [--bias B]
        [--width N] [--spec-version V] [--horizon M] [--targets a,b] [--corrupt] [--no-tags]
        [--missing-as-zero] [--external-data] [--interval W [--interval-without-high]]

Each target's output is the feature <target>_last plus the bias: input `features` float [n, width],
outputs [n, 1] named for the targets, opset 15, logged with mlflow.onnx like the trainer does.
--missing-as-zero reads a missing (NaN) feature as 0, so the model answers a number for any row, as
a tree ensemble does. --external-data adds to each output the sum of a 2 KiB tensor of zeros, which
mlflow.onnx.log_model stores as external data in a file beside model.onnx (its default for tensors
of 1 KiB or more), as it does for large models. --corrupt registers a version whose model.onnx is
not ONNX. --interval W adds each target's prediction interval, outputs <target>_low and
<target>_high: the value minus and plus W (--interval-without-high leaves out the high ones, a model
infer must refuse). Prints {"version": "..."}.
"""

import argparse
import json
import os
import tempfile

# MLflow 3's telemetry thread changes os.environ while requests iterates it (KeyError under load).
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import mlflow  # noqa: E402 - after the telemetry switch
import numpy as np
import onnx
from mlflow.models import ModelSignature
from mlflow.tracking import MlflowClient
from mlflow.types.schema import Schema, TensorSpec
from onnx import TensorProto, helper, numpy_helper


def build(names, width, targets, bias, missing_as_zero=False, external_data=False, interval=None,
          without_high=False):
    nodes, outputs, inits = [], [], []
    for t in targets:
        index = min(names.index(f"{t}_last"), width - 1)
        inits.append(helper.make_tensor(f"{t}_index", TensorProto.INT64, [1], [index]))
        inits.append(helper.make_tensor(f"{t}_bias", TensorProto.FLOAT, [1], [bias]))
        nodes.append(helper.make_node("Gather", ["features", f"{t}_index"], [f"{t}_now"], axis=1))
        now = f"{t}_now"
        if missing_as_zero:
            inits.append(helper.make_tensor(f"{t}_zero", TensorProto.FLOAT, [1], [0.0]))
            nodes.append(helper.make_node("IsNaN", [now], [f"{t}_missing"]))
            nodes.append(helper.make_node("Where", [f"{t}_missing", f"{t}_zero", now], [f"{t}_filled"]))
            now = f"{t}_filled"
        if external_data:
            # Raw data of 2 KiB: above onnx's 1 KiB threshold for external data.
            inits.append(numpy_helper.from_array(np.zeros(512, dtype=np.float32), name=f"{t}_zeros"))
            nodes.append(helper.make_node("ReduceSum", [f"{t}_zeros"], [f"{t}_zero_sum"], keepdims=1))
            nodes.append(helper.make_node("Add", [now, f"{t}_zero_sum"], [f"{t}_padded"]))
            now = f"{t}_padded"
        nodes.append(helper.make_node("Add", [now, f"{t}_bias"], [t]))
        outputs.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, ["n", 1]))
        if interval is not None:
            inits.append(helper.make_tensor(f"{t}_half_width", TensorProto.FLOAT, [1], [interval]))
            nodes.append(helper.make_node("Sub", [t, f"{t}_half_width"], [f"{t}_low"]))
            outputs.append(helper.make_tensor_value_info(f"{t}_low", TensorProto.FLOAT, ["n", 1]))
            if not without_high:
                nodes.append(helper.make_node("Add", [t, f"{t}_half_width"], [f"{t}_high"]))
                outputs.append(helper.make_tensor_value_info(f"{t}_high", TensorProto.FLOAT, ["n", 1]))
    features = helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", width])
    graph = helper.make_graph(nodes, "greenloop-test", [features], outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)], producer_name="greenloop-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tracking-uri", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--alias", required=True)
    p.add_argument("--spec-file", required=True)
    p.add_argument("--bias", type=float, default=0.0)
    p.add_argument("--width", type=int)
    p.add_argument("--spec-version", default="v1")
    p.add_argument("--horizon", default="15")
    p.add_argument("--targets", default="air_temperature,relative_humidity,co2")
    p.add_argument("--corrupt", action="store_true")
    p.add_argument("--no-tags", action="store_true")
    p.add_argument("--missing-as-zero", action="store_true")
    p.add_argument("--external-data", action="store_true")
    p.add_argument("--interval", type=float)
    p.add_argument("--interval-without-high", action="store_true")
    args = p.parse_args()

    spec = json.load(open(args.spec_file))
    names = spec["features"]
    width = args.width or len(names)
    targets = args.targets.split(",")
    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment("infer-tests")
    client = MlflowClient()
    with mlflow.start_run() as run:
        if args.corrupt:
            try:
                client.create_registered_model(args.model)
            except Exception:  # noqa: BLE001 - exists already
                pass
            directory = tempfile.mkdtemp()
            with open(os.path.join(directory, "model.onnx"), "wb") as f:
                f.write(b"this is not an ONNX model" * 10)
            mlflow.log_artifact(os.path.join(directory, "model.onnx"), artifact_path="model")
            version = client.create_model_version(args.model, f"runs:/{run.info.run_id}/model", run.info.run_id).version
        else:
            signature = ModelSignature(
                inputs=Schema([TensorSpec(np.dtype(np.float32), (-1, width), "features")]),
                outputs=Schema([TensorSpec(np.dtype(np.float32), (-1, 1), name) for t in targets
                                for name in ([t] if args.interval is None else [t, f"{t}_low"]
                                             + ([] if args.interval_without_high else [f"{t}_high"]))]))
            model = build(names, width, targets, args.bias, args.missing_as_zero, args.external_data, args.interval,
                          args.interval_without_high)
            info = mlflow.onnx.log_model(model, name="model", signature=signature,
                                         registered_model_name=args.model)
            version = str(info.registered_model_version)
    if not args.no_tags:
        for key, value in {"feature_spec_version": args.spec_version, "horizon_minutes": args.horizon,
                           "targets": args.targets}.items():
            client.set_model_version_tag(args.model, version, key, value)
    client.set_registered_model_alias(args.model, args.alias, version)
    print(json.dumps({"version": str(version)}))


if __name__ == "__main__":
    main()
