"""The time split: ordered, and purged at each boundary so no target crosses into the next part."""
import pandas as pd
import pytest

from greenloop_trainer import EXIT_BAD_INPUT, TrainerError
from greenloop_trainer.dataset import split, walk_forward


def frame(minutes: int, zones=("zone-a", "zone-b")) -> pd.DataFrame:
    start = pd.Timestamp("2026-06-21T00:00:00Z")
    rows = [{"window_start": start + pd.Timedelta(minutes=m), "zone": z} for m in range(minutes) for z in zones]
    return pd.DataFrame(rows)


def test_parts_are_in_time_order_and_cover_the_rows_without_a_gap():
    train, valid, test = split(frame(200))

    assert train["window_start"].max() < valid["window_start"].min()
    assert valid["window_start"].max() < test["window_start"].min()
    assert len(train) + len(valid) + len(test) == 400


@pytest.mark.parametrize("horizon", [15, 60])
def test_a_purge_gap_keeps_every_target_inside_its_own_part(horizon):
    gap = pd.Timedelta(minutes=1 + horizon)
    train, valid, test = split(frame(600), gap=gap)

    # A row's target is gap after its window starts: it must fall before the next part begins.
    assert train["window_start"].max() + gap < valid["window_start"].min() + pd.Timedelta(minutes=1)
    assert valid["window_start"].max() + gap < test["window_start"].min() + pd.Timedelta(minutes=1)
    unpurged_train, unpurged_valid, _ = split(frame(600))
    assert len(unpurged_train) - len(train) == 2 * (1 + horizon)
    assert len(unpurged_valid) - len(valid) == 2 * (1 + horizon)
    assert len(test) == len(split(frame(600))[2])


def test_too_few_windows_is_bad_input():
    with pytest.raises(TrainerError) as refused:
        split(frame(19))

    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert "19 windows" in str(refused.value)


def test_walk_forward_folds_grow_and_each_validates_on_later_windows_than_it_learnt_from():
    gap = pd.Timedelta(minutes=16)
    folds = walk_forward(frame(400), 3, gap=gap)

    assert len(folds) == 3
    for fit, judge in folds:
        # Purged: no training row's target (gap after its start) lies in the validation block.
        assert fit["window_start"].max() + gap < judge["window_start"].min() + pd.Timedelta(minutes=1)
    # Each fold learns from more history than the one before and validates on the next block.
    assert [len(f) for f, _ in folds] == sorted(len(f) for f, _ in folds)
    assert folds[0][1]["window_start"].max() < folds[1][1]["window_start"].min()
    assert folds[-1][1]["window_start"].max() == frame(400)["window_start"].max()
    # The validation blocks together are the second half of the part, each window once; every
    # fold learns from at least the first half.
    assert sum(len(j) for _, j in folds) == 2 * 200
    assert min(len(f) for f, _ in folds) == 2 * (200 - 16)


def test_a_short_part_gets_fewer_folds_or_none():
    assert len(walk_forward(frame(100), 3)) == 2
    assert walk_forward(frame(39), 3) == []
