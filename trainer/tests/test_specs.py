"""The feature specs the trainer carries, how it picks one for a dataset, and what a champion of
an earlier spec reads."""
import json

import pytest

from greenloop_trainer import EXIT_BAD_INPUT, TrainerError
from greenloop_trainer import dataset as ds
from greenloop_trainer.train import champion_columns


def test_the_bundled_specs_are_v1_and_v2_and_v2_starts_with_v1():
    specs = ds.bundled_specs()
    assert list(specs) == ["v1", "v2"]
    v1, v2 = specs["v1"]["features"], specs["v2"]["features"]
    assert len(v1) == 149
    assert len(v2) > len(v1) and v2[:len(v1)] == v1
    assert specs["v2"]["extends"] == "v1"
    assert "vent_opening_change_5m" in v2 and "vent_opening_change_5m" not in v1


def test_the_dataset_chooses_its_spec_unless_one_is_given(tmp_path):
    assert ds.spec_for({"datasetId": "d", "featureSpecVersion": "v2"}, "")["version"] == "v2"
    assert ds.spec_for({"datasetId": "d", "featureSpecVersion": "v1"}, "")["version"] == "v1"
    given = tmp_path / "spec.json"
    given.write_text(json.dumps({"version": "v7", "features": ["a"]}), encoding="utf-8")
    assert ds.spec_for({"datasetId": "d", "featureSpecVersion": "v2"}, str(given))["version"] == "v7"


def test_a_dataset_of_an_unknown_spec_is_refused_with_the_known_ones():
    with pytest.raises(TrainerError) as refused:
        ds.spec_for({"datasetId": "ds-1", "featureSpecVersion": "v9"}, "")
    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert "ds-1 has feature spec v9" in str(refused.value)
    assert "v1, v2" in str(refused.value)


def test_a_champion_of_an_earlier_spec_reads_the_first_columns():
    specs = ds.bundled_specs()
    v1, v2 = specs["v1"]["features"], specs["v2"]["features"]
    assert champion_columns("v2", len(v2), v2) == v2
    assert champion_columns("v1", len(v1), v2) == v1
    assert champion_columns("v1", len(v1) - 1, v2) is None
    assert champion_columns("v9", len(v1), v2) is None
    assert champion_columns("v2", len(v2), v1) is None


def test_hidden_columns_are_missing_so_no_tree_splits_on_them():
    import numpy as np
    import pandas as pd
    import xgboost as xgb

    from greenloop_trainer.train import earlier_features, matrix

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    x = matrix(frame, ["a", "b"], keep=["a"])
    assert np.isnan(x[:, 1]).all() and not np.isnan(x[:, 0]).any()
    assert np.array_equal(matrix(frame, ["a", "b"]), frame[["a", "b"]].to_numpy(dtype=np.float32))
    # "b" drives the target, but a model that may not see it never splits on it: it still takes both columns.
    model = xgb.XGBRegressor(n_estimators=20, max_depth=3).fit(x, frame["b"].to_numpy() * 3)
    assert model.get_booster().get_score(importance_type="weight").get("f1") is None
    assert model.n_features_in_ == 2

    version, features = earlier_features(ds.bundled_specs()["v2"])
    assert version == "v1" and len(features) == 149
    assert earlier_features(ds.bundled_specs()["v1"]) is None
