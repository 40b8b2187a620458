"""The per-target gate: a version serves the targets that beat persistence by the margin."""
import math

from greenloop_trainer import gate

TARGETS = ["air_temperature", "relative_humidity", "co2"]


def metrics(air, humidity, co2):
    return {"mae_air_temperature": air, "mae_persistence_air_temperature": 1.0,
            "mae_relative_humidity": humidity, "mae_persistence_relative_humidity": 2.0,
            "mae_co2": co2, "mae_persistence_co2": 40.0}


def test_only_the_targets_below_persistence_by_the_margin_are_served_in_the_given_order():
    served, refused = gate.served_targets(metrics(0.70, 1.95, 20.0), TARGETS, 0.10)
    assert served == ["air_temperature", "co2"]
    assert list(refused) == ["relative_humidity"]
    assert refused["relative_humidity"] == "relative_humidity MAE 1.950 is not 10% below persistence 2.000"


def test_the_margin_is_inclusive_and_a_larger_margin_serves_fewer_targets():
    served, _ = gate.served_targets(metrics(0.90, 1.80, 36.0), TARGETS, 0.10)
    assert served == TARGETS
    served, refused = gate.served_targets(metrics(0.90, 1.20, 36.0), TARGETS, 0.25)
    assert served == ["relative_humidity"]
    assert set(refused) == {"air_temperature", "co2"}


def test_a_version_that_passes_on_no_target_serves_nothing_and_says_why_for_each():
    served, refused = gate.served_targets(metrics(1.2, math.nan, 41.0), TARGETS, 0.10)
    assert served == []
    assert list(refused) == TARGETS
    assert "nan" in refused["relative_humidity"]
