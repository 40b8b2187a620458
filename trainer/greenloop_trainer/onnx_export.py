"""XGBoost models to one ONNX model: input `features` (float32, [n, len(spec)]), one output per
target (float32, [n, 1]) named after it.

The models predict the change from now (the target's `_last` feature, or `_mean` when that is
missing): trees cannot extrapolate a level they have not seen, a change they can. The graph adds
the current value back, so the model's outputs are levels."""

import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
from onnx import TensorProto, compose, helper
from onnxmltools.convert.common.data_types import FloatTensorType

from . import bad_input

INPUT = "features"


def convert(models: dict, n_features: int, bases: dict) -> onnx.ModelProto:
    """`bases`: per target, the column indices of its `_last` and `_mean` features."""
    nodes, initializers, outputs = [], [], []
    opsets = {"": 15}
    ir_version = 8
    for target, model in models.items():
        single = onnxmltools.convert_xgboost(model, initial_types=[(INPUT, FloatTensorType([None, n_features]))],
                                             target_opset=15)
        ir_version = max(ir_version, single.ir_version)
        for opset in single.opset_import:
            opsets[opset.domain] = max(opsets.get(opset.domain, 0), opset.version)
        prefixed = compose.add_prefix(single, prefix=f"{target}__")
        graph = prefixed.graph
        prefixed_input = graph.input[0].name
        for node in graph.node:
            node.input[:] = [INPUT if name == prefixed_input else name for name in node.input]
            nodes.append(node)
        initializers.extend(graph.initializer)
        last_index, mean_index = bases[target]
        initializers.append(helper.make_tensor(f"{target}__last_index", TensorProto.INT64, [1], [last_index]))
        initializers.append(helper.make_tensor(f"{target}__mean_index", TensorProto.INT64, [1], [mean_index]))
        p = f"{target}__base_"
        nodes += [
            helper.make_node("Gather", [INPUT, f"{target}__last_index"], [p + "last"], axis=1, name=p + "last"),
            helper.make_node("Gather", [INPUT, f"{target}__mean_index"], [p + "mean"], axis=1, name=p + "mean"),
            helper.make_node("IsNaN", [p + "last"], [p + "missing"], name=p + "missing"),
            helper.make_node("Where", [p + "missing", p + "mean", p + "last"], [p + "value"], name=p + "value"),
            helper.make_node("Add", [graph.output[0].name, p + "value"], [target], name=f"{target}__output"),
        ]
        outputs.append(helper.make_tensor_value_info(target, TensorProto.FLOAT, [None, 1]))
    graph = helper.make_graph(nodes, "greenloop", [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT,
                                                                                  [None, n_features])],
                              outputs, initializers)
    merged = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()],
                               producer_name="greenloop-trainer")
    merged.ir_version = ir_version
    onnx.checker.check_model(merged)
    return merged


def predict(model: onnx.ModelProto, x: np.ndarray) -> dict:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    values = session.run(names, {INPUT: x.astype(np.float32)})
    return {name: value.reshape(-1) for name, value in zip(names, values, strict=True)}


def base(x: np.ndarray, indices: tuple) -> np.ndarray:
    """The current value a change is added to: `_last`, or `_mean` where it is missing."""
    last, mean = x[:, indices[0]], x[:, indices[1]]
    return np.where(np.isnan(last), mean, last)


def check_parity(model: onnx.ModelProto, models: dict, x: np.ndarray, tolerance: float, bases: dict) -> dict:
    """Max abs difference per target between ONNX Runtime and XGBoost; a mismatch is an error."""
    onnx_out = predict(model, x)
    diffs = {}
    for target, native in models.items():
        expected = native.predict(x) + base(x, bases[target])
        known = ~np.isnan(expected)
        expected, got = expected[known], onnx_out[target][known]
        diff = float(np.max(np.abs(got - expected))) if len(expected) else 0.0
        scale = max(1.0, float(np.max(np.abs(expected)))) if len(expected) else 1.0
        diffs[target] = diff
        if diff > tolerance * scale:
            raise bad_input(f"ONNX Runtime differs from XGBoost by {diff:.6g} on {target} "
                            f"(tolerance {tolerance * scale:.6g}); the export is not faithful")
    return diffs
