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


def convert(models: dict, n_features: int, bases: dict, intervals: dict | None = None) -> onnx.ModelProto:
    """`bases`: per target, the column indices of its `_last` and `_mean` features. `intervals`: per
    target, its low and high quantile models (of the change, like the point model) and a margin by
    which both ends are moved outwards (conformal calibration; may be negative); each gives an
    output `<target>_low` / `<target>_high`, kept on its side of the value (Min / Max with it), so
    that low <= value <= high in every row."""
    intervals = intervals or {}
    nodes, initializers, outputs = [], [], []
    opsets = {"": 15}
    ir = [8]

    def add(prefix: str, model) -> str:
        """Adds one XGBoost model's trees under `prefix`; returns the name of its [n, 1] output."""
        single = onnxmltools.convert_xgboost(model, initial_types=[(INPUT, FloatTensorType([None, n_features]))],
                                             target_opset=15)
        ir[0] = max(ir[0], single.ir_version)
        for opset in single.opset_import:
            opsets[opset.domain] = max(opsets.get(opset.domain, 0), opset.version)
        prefixed = compose.add_prefix(single, prefix=prefix)
        graph = prefixed.graph
        prefixed_input = graph.input[0].name
        for node in graph.node:
            node.input[:] = [INPUT if name == prefixed_input else name for name in node.input]
            nodes.append(node)
        initializers.extend(graph.initializer)
        return graph.output[0].name

    for target, model in models.items():
        change = add(f"{target}__", model)
        last_index, mean_index = bases[target]
        initializers.append(helper.make_tensor(f"{target}__last_index", TensorProto.INT64, [1], [last_index]))
        initializers.append(helper.make_tensor(f"{target}__mean_index", TensorProto.INT64, [1], [mean_index]))
        p = f"{target}__base_"
        nodes += [
            helper.make_node("Gather", [INPUT, f"{target}__last_index"], [p + "last"], axis=1, name=p + "last"),
            helper.make_node("Gather", [INPUT, f"{target}__mean_index"], [p + "mean"], axis=1, name=p + "mean"),
            helper.make_node("IsNaN", [p + "last"], [p + "missing"], name=p + "missing"),
            helper.make_node("Where", [p + "missing", p + "mean", p + "last"], [p + "value"], name=p + "value"),
            helper.make_node("Add", [change, p + "value"], [target], name=f"{target}__output"),
        ]
        outputs.append(helper.make_tensor_value_info(target, TensorProto.FLOAT, [None, 1]))
        if target in intervals:
            low_model, high_model, margin = intervals[target]
            for bound, quantile_model, shift, keep in (("low", low_model, -margin, "Min"),
                                                       ("high", high_model, margin, "Max")):
                name = f"{target}_{bound}"
                quantile = add(f"{name}__", quantile_model)
                initializers.append(helper.make_tensor(f"{name}__shift", TensorProto.FLOAT, [1], [shift]))
                nodes += [
                    helper.make_node("Add", [quantile, p + "value"], [f"{name}__level"], name=f"{name}__level"),
                    helper.make_node("Add", [f"{name}__level", f"{name}__shift"], [f"{name}__calibrated"],
                                     name=f"{name}__calibrated"),
                    helper.make_node(keep, [f"{name}__calibrated", target], [name], name=f"{name}__output"),
                ]
                outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, 1]))
    graph = helper.make_graph(nodes, "greenloop", [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT,
                                                                                  [None, n_features])],
                              outputs, initializers)
    merged = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()],
                               producer_name="greenloop-trainer")
    merged.ir_version = ir[0]
    onnx.checker.check_model(merged)
    return merged


def native(models: dict, x: np.ndarray, bases: dict, intervals: dict | None = None) -> dict:
    """What the exported graph must give, computed with XGBoost: per output name, one value per row."""
    out = {}
    for target, model in models.items():
        value = model.predict(x) + base(x, bases[target])
        out[target] = value
        if intervals and target in intervals:
            low, high = bounds(intervals[target], x, base(x, bases[target]), value)
            out[f"{target}_low"] = low
            out[f"{target}_high"] = high
    return out


def predict(model: onnx.ModelProto, x: np.ndarray) -> dict:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    values = session.run(names, {INPUT: x.astype(np.float32)})
    return {name: value.reshape(-1) for name, value in zip(names, values, strict=True)}


def base(x: np.ndarray, indices: tuple) -> np.ndarray:
    """The current value a change is added to: `_last`, or `_mean` where it is missing."""
    last, mean = x[:, indices[0]], x[:, indices[1]]
    return np.where(np.isnan(last), mean, last)


def bounds(interval: tuple, x: np.ndarray, now: np.ndarray, value: np.ndarray) -> tuple:
    """The interval's ends for rows `x` (current values `now`, point predictions `value`), as the graph has them."""
    low_model, high_model, margin = interval
    low = np.minimum(low_model.predict(x).astype(np.float32) + now - np.float32(margin), value)
    high = np.maximum(high_model.predict(x).astype(np.float32) + now + np.float32(margin), value)
    return low, high


def check_parity(model: onnx.ModelProto, models: dict, x: np.ndarray, tolerance: float, bases: dict,
                 intervals: dict | None = None) -> dict:
    """Max abs difference per output between ONNX Runtime and XGBoost; a mismatch is an error."""
    onnx_out = predict(model, x)
    diffs = {}
    for name, expected in native(models, x, bases, intervals).items():
        known = ~np.isnan(expected)
        expected, got = expected[known], onnx_out[name][known]
        diff = float(np.max(np.abs(got - expected))) if len(expected) else 0.0
        scale = max(1.0, float(np.max(np.abs(expected)))) if len(expected) else 1.0
        diffs[name] = diff
        if diff > tolerance * scale:
            raise bad_input(f"ONNX Runtime differs from XGBoost by {diff:.6g} on {name} "
                            f"(tolerance {tolerance * scale:.6g}); the export is not faithful")
    return diffs
