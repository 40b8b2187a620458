"""Feature coverage: the trainer refuses a dataset that lost a required signal group upstream."""
import numpy as np
import pandas as pd
import pytest

from greenloop_trainer import EXIT_BAD_INPUT, TrainerError
from greenloop_trainer.dataset import check_coverage, missing_shares


def frame(spec: dict, rows: int, missing: dict) -> pd.DataFrame:
    """`missing`: signal -> share of rows (from the start) in which it is missing."""
    columns = {}
    for signals in spec["signalGroups"].values():
        for s in signals:
            flags = np.zeros(rows)
            flags[: int(rows * missing.get(s, 0.0))] = 1
            columns[f"{s}_missing"] = flags
    return pd.DataFrame(columns)


def test_a_row_misses_a_group_when_it_misses_any_reported_signal(spec):
    group, signals = next((g, s) for g, s in spec["signalGroups"].items() if len(s) >= 2)
    shares = missing_shares(frame(spec, 100, {signals[0]: 0.3, signals[1]: 0.2}), spec)

    assert shares[group][0] == pytest.approx(0.3)
    assert shares[group][1] == []


def test_a_signal_no_row_reports_is_left_out_and_a_silent_group_is_missing_everywhere(spec):
    group, signals = next((g, s) for g, s in spec["signalGroups"].items() if len(s) >= 2)
    shares = missing_shares(frame(spec, 50, {signals[0]: 1.0}), spec)
    assert shares[group] == (0.0, [signals[0]])

    silent = missing_shares(frame(spec, 50, {s: 1.0 for s in signals}), spec)
    assert silent[group][0] == 1.0


def test_a_required_group_missing_beyond_the_share_is_bad_input_that_names_it(spec):
    signal = spec["signalGroups"]["actuators"][0]
    data = frame(spec, 200, {signal: 0.8})

    with pytest.raises(TrainerError) as refused:
        check_coverage(data, spec, "ds-1", ["weather", "actuators"], 0.1)

    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert "actuators features" in str(refused.value) and "80.0 %" in str(refused.value)
    assert check_coverage(data, spec, "ds-1", ["weather"], 0.1)["actuators"] == pytest.approx(0.8)


def test_an_unknown_required_group_is_bad_input(spec):
    with pytest.raises(TrainerError) as refused:
        check_coverage(frame(spec, 10, {}), spec, "ds-1", ["lighting"], 0.1)

    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert "lighting" in str(refused.value)
