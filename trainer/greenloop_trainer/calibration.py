"""The margin that calibrates a prediction interval's two ends (conformalised quantile regression).

A row's score is how far its value lies outside the uncalibrated interval (negative inside). The
scores come from blocks of rows that the scoring models did not learn from, oldest first: the
walk-forward blocks of the training part, each scored by quantile models trained on the rows
before it, then the validation part, scored by the final models. A greenhouse's weather drifts
from day to day, so one block (the validation day) is a narrow sample of what comes next, and
older blocks describe the next hours less well than recent ones. Block k of K therefore weighs
k / K (the validation part 1, as much as the row to be forecast), and the margin is the smallest
score whose weighted share of all scores, with the next row's weight counted as beyond every score,
reaches the nominal coverage. This is conformal prediction with weights for data that are not
exchangeable (Barber, Candès, Ramdas and Tibshirani, "Conformal prediction beyond
exchangeability", Annals of Statistics, 2023); with one block it is the usual split-conformal
quantile.
"""

import numpy as np


def weights(blocks: list) -> np.ndarray:
    """Each row's weight: k / K for the rows of block k of K (oldest first, empty blocks left out)."""
    kept = [b for b in blocks if len(b)]
    return np.concatenate([np.full(len(b), (k + 1) / len(kept)) for k, b in enumerate(kept)]) if kept else np.empty(0)


def margin(blocks: list, nominal: float) -> float:
    """The calibration margin for `nominal` coverage (0 < nominal < 1) from the blocks' scores,
    oldest block first. When the blocks hold too few rows for the nominal share to be reached
    with the next row's weight beyond every score, the largest score (the widest the rows support)."""
    if not 0 < nominal < 1:
        raise ValueError(f"nominal coverage must lie between 0 and 1, not {nominal}")
    scores = np.concatenate([np.asarray(b, dtype=np.float64) for b in blocks if len(b)]) if blocks else np.empty(0)
    if len(scores) == 0:
        raise ValueError("no calibration rows")
    w = weights(blocks)
    order = np.argsort(scores, kind="stable")
    share = np.cumsum(w[order]) / (w.sum() + 1.0)
    first = int(np.searchsorted(share, nominal - 1e-12))
    return float(scores[order][min(first, len(scores) - 1)])
