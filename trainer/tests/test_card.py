"""The model card: per-zone and per-hour figures, the gate's decisions, the summary and markdown."""
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd

from greenloop_trainer import card, search


def test_errors_are_broken_down_per_zone_and_per_utc_hour_of_the_window_end():
    test = pd.DataFrame({"zone": ["a", "b", "a", "b"],
                         "window_start": pd.to_datetime(["2026-06-01T09:59:00Z", "2026-06-01T09:59:00Z",
                                                         "2026-06-01T10:30:00Z", "2026-06-01T10:30:00Z"])})
    actual = np.array([20.0, 21.0, 22.0, 23.0])
    predicted = np.array([20.5, 21.0, 23.0, 23.0])
    baseline = np.array([19.0, 20.0, 22.0, 21.0])
    champion = np.array([21.0, np.nan, 22.0, 24.0])

    e = card.evaluation(test, actual, predicted, baseline, champion, window_seconds=60)

    assert e["byZone"] == {
        "a": {"rows": 2, "mae": 0.75, "persistenceMae": 0.5, "championMae": 0.5},
        "b": {"rows": 2, "mae": 0.0, "persistenceMae": 1.5, "championMae": 1.0},
    }
    # 09:59 + one minute ends at 10:00: both rows fall in hour 10.
    assert list(e["byHourOfDayUtc"]) == ["10"]
    assert e["byHourOfDayUtc"]["10"]["rows"] == 4


def _card():
    frame = pd.DataFrame({"zone": ["a", "b"], "window_start": pd.to_datetime(["2026-06-01T00:00:00Z",
                                                                                "2026-06-02T23:59:00Z"])})
    data = SimpleNamespace(frame=frame, features=["f1", "f2"], dataset_id="ds-1", digest="abc", paths=["p"])
    metrics = {"mae_air_temperature": 0.1, "mae_persistence_air_temperature": 0.2, "mae_co2": 9.5,
               "mae_persistence_co2": 10.0, "champion_version": 3.0, "champion_mae_air_temperature": 0.12}
    evaluations = {"air_temperature": {"byZone": {"zone a/1": {"rows": 5, "mae": 0.1, "persistenceMae": 0.2}},
                                       "byHourOfDayUtc": {"7": {"rows": 3, "mae": 0.3, "persistenceMae": 0.4}}}}
    return card.build(model_name="greenloop-gh-1", run_id="r1", spec={"version": "v1", "windowSeconds": 60}, horizon=15,
                      data=data, parts={"train": 1, "valid": 1, "test": 1}, shares={"weather": 0.0},
                      targets=["air_temperature", "co2"], served=["air_temperature"],
                      refused={"co2": "co2 MAE 9.500 is not 10% below persistence 10.000"}, metrics=metrics,
                      evaluations=evaluations, importances={"f1": 0.25, "f2": 0.75}, margin=0.1,
                      feature_sets={"air_temperature": "v0", "co2": "v1"},
                      budget={"device": "cpu", "maxRounds": 300, "earlyStopping": 30, "trainingSeconds": 4.2})


def test_the_card_says_what_data_which_targets_are_served_and_why_and_is_json():
    c = _card()
    json.dumps(c)
    assert c["data"]["from"] == "2026-06-01T00:00:00+00:00"
    assert c["data"]["to"] == "2026-06-03T00:00:00+00:00"
    assert c["data"]["zones"] == ["a", "b"]
    assert c["targets"]["air_temperature"]["served"] is True
    assert c["targets"]["co2"] == {"served": False, "reason": "co2 MAE 9.500 is not 10% below persistence 10.000",
                                   "mae": 9.5, "rmse": None, "persistenceMae": 10.0, "championMae": None,
                                   "bestIteration": None, "testRows": None, "featureSet": "v1"}
    assert c["targets"]["air_temperature"]["featureSet"] == "v0"
    assert c["champion"] == {"version": "3"}
    assert list(c["features"]["mostImportant"]) == ["f2", "f1"]
    assert card.breakdown_metrics(c) == {"mae_air_temperature_zone_zone_a_1": 0.1,
                                         "mae_persistence_air_temperature_zone_zone_a_1": 0.2,
                                         "mae_air_temperature_hour_07": 0.3,
                                         "mae_persistence_air_temperature_hour_07": 0.4}


def test_the_summary_and_markdown_name_every_target_and_the_budget():
    c = _card()
    summary = card.summary(c)
    assert "air_temperature MAE 0.100 vs persistence 0.200" in summary
    assert "co2 MAE 9.500 vs persistence 10.000 (not served)" in summary
    assert "Serves air_temperature." in summary
    text = card.markdown(c)
    assert "| co2 | no: co2 MAE 9.500 is not 10% below persistence 10.000 | 9.500 | 10.000 |  |" in text
    assert "## air_temperature by zone" in text
    assert "at most 300 rounds with early stopping after 30; 4.2 s of training" in text


def test_the_budget_names_the_search_and_the_settings_it_chose():
    result = search.Result(params={**search.DEFAULTS, "max_depth": 4}, score=0.08, default_score=0.1, completed=5,
                           pruned=2, seconds=12.5)
    found = card.search_budget(60, 3, {"air_temperature": result.params, "co2": dict(search.DEFAULTS)},
                               {"air_temperature": result, "co2": None})
    assert found["targets"]["air_temperature"] == {"params": result.params, "trials": 5, "pruned": 2, "seconds": 12.5,
                                                   "kept": "search", "walkForwardMae": 0.08,
                                                   "defaultsWalkForwardMae": 0.1}
    assert found["targets"]["co2"] == {"params": search.DEFAULTS}
    # The validation part preferred the defaults over the search's pick.
    overruled = card.search_budget(60, 3, {"air_temperature": dict(search.DEFAULTS)}, {"air_temperature": result})
    assert overruled["targets"]["air_temperature"]["kept"] == "defaults: better on the validation part"
    c = _card()
    c["budget"]["search"] = overruled
    assert "(the defaults: better on the validation part)" in card.markdown(c)
    assert card.search_budget(0, 3, {}, {}) is None

    c = _card()
    c["budget"]["search"] = found
    text = card.markdown(c)
    assert "## Hyperparameter search (60 s budget, 3 walk-forward folds)" in text
    assert "| air_temperature | 5 (2) | 0.080 | 0.100 | learning_rate 0.05, max_depth 4," in text
    assert "| co2 | none: too little data |" in text
    assert "No hyperparameter search" in card.markdown(_card())


def test_the_intervals_say_their_coverage_and_what_they_were_calibrated_on():
    metrics = {"interval_coverage_air_temperature": 0.79, "interval_width_air_temperature": 0.5,
               "interval_calibration_rows_air_temperature": 4200.0, "interval_calibration_blocks_air_temperature": 4.0}
    frame = pd.DataFrame({"zone": ["a"], "window_start": pd.to_datetime(["2026-06-01T00:00:00Z"])})
    c = card.build(model_name="greenloop-gh-1", run_id="r1", spec={"version": "v1", "windowSeconds": 60}, horizon=15,
                   data=SimpleNamespace(frame=frame, features=["f1"], dataset_id="ds-1", digest="abc", paths=["p"]),
                   parts={"train": 1, "valid": 1, "test": 1}, shares={}, targets=["air_temperature"],
                   served=["air_temperature"], refused={}, metrics={**metrics, "mae_air_temperature": 0.1},
                   evaluations={}, importances={"f1": 1.0}, margin=0.1, interval=0.8,
                   budget={"device": "cpu", "maxRounds": 300, "earlyStopping": 30, "trainingSeconds": 4.2})

    assert c["intervals"]["targets"]["air_temperature"] == {"coverage": 0.79, "meanWidth": 0.5,
                                                            "calibrationRows": 4200.0, "calibrationBlocks": 4.0}
    assert "| air_temperature | 79.0% | 0.500 | 4200 rows in 4 blocks |" in card.markdown(c)
