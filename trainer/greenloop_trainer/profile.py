"""The reference profile of a model version: what its training features looked like.

Written next to the model as `reference-profile.json`; the monitor function compares the live
feature windows with it (population stability index per feature) and weighs each feature by the
model's importance. Per feature: the inner edges of its quantile bins over the training rows
(repeated edges merged), the share of non-missing rows in each bin (a value on an edge belongs to
the bin the edge closes), and the share of rows where the feature is missing.
"""
import numpy as np

BINS = 10
ARTIFACT = "reference-profile.json"


def feature_profile(values: np.ndarray) -> dict:
    values = np.asarray(values, dtype=np.float64)
    present = values[~np.isnan(values)]
    missing = 1.0 - len(present) / len(values) if len(values) else 1.0
    if len(present) == 0:
        return {"edges": [], "shares": [1.0], "missingShare": missing}
    edges = np.unique(np.quantile(present, np.arange(1, BINS) / BINS))
    bins = np.searchsorted(edges, present, side="left")
    counts = np.bincount(bins, minlength=len(edges) + 1)
    return {"edges": [float(e) for e in edges], "shares": [float(c) / len(present) for c in counts],
            "missingShare": float(missing)}


def importances(models: dict, names: list) -> dict:
    """Total gain per feature, summed over the targets' models and normalised to 1."""
    total = np.zeros(len(names))
    for model in models.values():
        for key, gain in model.get_booster().get_score(importance_type="total_gain").items():
            index = int(key[1:]) if key.startswith("f") and key[1:].isdigit() else names.index(key)
            total[index] += gain
    if total.sum() > 0:
        total = total / total.sum()
    return {name: float(g) for name, g in zip(names, total, strict=True) if g > 0}


def reference_profile(frame, names: list, models: dict, spec_version: str) -> dict:
    return {"featureSpecVersion": spec_version,
            "features": {n: feature_profile(frame[n].to_numpy(dtype=np.float64)) for n in names},
            "importances": importances(models, names)}
