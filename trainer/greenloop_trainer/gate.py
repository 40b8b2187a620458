"""Which targets a model version serves: those whose test MAE is at least `margin` below the
persistence baseline's ("it stays as it is"). The others are left out of the version's ONNX graph,
so infer does not predict them and control decides on their measured values. train-launcher's
gate checks the same rule again before it promotes the version."""

import math


def served_targets(metrics: dict, targets: list, margin: float) -> tuple:
    """The targets that pass, in `targets` order, and for each one that does not, why (one line)."""
    served, refused = [], {}
    for target in targets:
        mae = metrics[f"mae_{target}"]
        baseline = metrics[f"mae_persistence_{target}"]
        if math.isfinite(mae) and math.isfinite(baseline) and mae <= (1 - margin) * baseline:
            served.append(target)
        else:
            refused[target] = (f"{target} MAE {mae:.3f} is not {margin * 100:.0f}% below persistence "
                               f"{baseline:.3f}")
    return served, refused
