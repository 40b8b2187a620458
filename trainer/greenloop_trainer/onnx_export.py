"""XGBoost models to one ONNX model: input `features` (float32, [n, len(spec)]), one output per
target (float32, [n, 1]) named after it."""

import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
from onnx import TensorProto, compose, helper
from onnxmltools.convert.common.data_types import FloatTensorType

from . import bad_input

INPUT = "features"


def convert(models: dict, n_features: int) -> onnx.ModelProto:
    nodes, initializers, outputs = [], [], []
    opsets = {"": 17}
    ir_version = 8
    for target, model in models.items():
        single = onnxmltools.convert_xgboost(model, initial_types=[(INPUT, FloatTensorType([None, n_features]))],
                                             target_opset=17)
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
        nodes.append(helper.make_node("Identity", [graph.output[0].name], [target], name=f"{target}__output"))
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
    return {name: value.reshape(-1) for name, value in zip(names, values)}


def check_parity(model: onnx.ModelProto, models: dict, x: np.ndarray, tolerance: float) -> dict:
    """Max abs difference per target between ONNX Runtime and XGBoost; a mismatch is an error."""
    onnx_out = predict(model, x)
    diffs = {}
    for target, native in models.items():
        expected = native.predict(x)
        diff = float(np.max(np.abs(onnx_out[target] - expected))) if len(expected) else 0.0
        scale = max(1.0, float(np.max(np.abs(expected)))) if len(expected) else 1.0
        diffs[target] = diff
        if diff > tolerance * scale:
            raise bad_input(f"ONNX Runtime differs from XGBoost by {diff:.6g} on {target} "
                            f"(tolerance {tolerance * scale:.6g}); the export is not faithful")
    return diffs
