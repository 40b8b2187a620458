"""Reading a dataset: its manifest, its files over WebHDFS (checked against their SHA-256), the
feature spec they were built with."""

import functools
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import requests

from . import bad_input, retriable

FEATURE_SPEC_KEY = b"greenloop.feature_spec_version"


@dataclass
class Dataset:
    frame: pd.DataFrame
    features: list
    targets: list
    dataset_id: str
    digest: str
    paths: list


def load_json(value: str, what: str) -> dict:
    """A JSON document given inline or as a file path."""
    try:
        if value.lstrip().startswith("{"):
            return json.loads(value)
        with open(value, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise bad_input(f"cannot read the {what} ({value[:80]}): {e}") from e


SPEC_DIR = Path(__file__).resolve().parent


@functools.cache
def bundled_specs() -> dict:
    """The feature specs this trainer carries (copies of libs/features' export), by version; read
    once (callers do not change them)."""
    out = {}
    for path in sorted(SPEC_DIR.glob("feature-spec-*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        out[spec["version"]] = spec
    return out


def spec_for(manifest: dict, given: str) -> dict:
    """The spec to read the dataset with: the one given, or the bundled copy of the manifest's version."""
    if given:
        return load_json(given, "feature spec")
    version = manifest.get("featureSpecVersion")
    specs = bundled_specs()
    if version not in specs:
        raise bad_input(f"dataset {manifest.get('datasetId')} has feature spec {version}; this trainer knows "
                        f"{', '.join(specs)} (build the dataset with one of them, or pass --feature-spec)")
    return specs[version]


def fetch(webhdfs: str, path: str) -> bytes:
    url = f"{webhdfs.rstrip('/')}/webhdfs/v1{path}?op=OPEN&user.name=greenloop"
    try:
        response = requests.get(url, timeout=120, allow_redirects=True)
    except requests.RequestException as e:
        raise retriable(f"cannot reach WebHDFS at {webhdfs}: {e}") from e
    if response.status_code == 404:
        raise bad_input(f"dataset file {path} does not exist on HDFS")
    if response.status_code != 200:
        raise retriable(f"WebHDFS answered {response.status_code} for {path}: {response.text[:200]}")
    return response.content


def load(manifest: dict, spec: dict, webhdfs: str, targets: list, horizon: int) -> Dataset:
    version = spec["version"]
    if manifest.get("featureSpecVersion") != version:
        raise bad_input(f"dataset {manifest.get('datasetId')} has feature spec "
                        f"{manifest.get('featureSpecVersion')}, this trainer expects {version}")
    files = manifest.get("files") or []
    if not files:
        raise bad_input(f"dataset {manifest.get('datasetId')} has no files")
    features = list(spec["features"])
    target_columns = [f"target_{t}_{horizon}m" for t in targets]
    frames = []
    digest = hashlib.sha256()
    for entry in files:
        data = fetch(webhdfs, entry["path"])
        actual = hashlib.sha256(data).hexdigest()
        if actual != entry["sha256"]:
            raise bad_input(f"{entry['path']} has SHA-256 {actual}, the manifest says {entry['sha256']}")
        digest.update(entry["path"].encode())
        digest.update(actual.encode())
        table = pq.read_table(io.BytesIO(data))
        found = (table.schema.metadata or {}).get(FEATURE_SPEC_KEY, b"").decode()
        if found != version:
            raise bad_input(f"{entry['path']} was built with feature spec '{found}', expected {version}")
        missing = [c for c in features + target_columns if c not in table.column_names]
        if missing:
            raise bad_input(f"{entry['path']} lacks columns {missing[:5]}{'...' if len(missing) > 5 else ''}")
        frames.append(table.to_pandas())
    frame = pd.concat(frames, ignore_index=True).sort_values(["window_start", "zone"], kind="stable")
    frame = frame.reset_index(drop=True)
    return Dataset(frame, features, target_columns, manifest.get("datasetId", "unknown"), digest.hexdigest(),
                   [f["path"] for f in files])


def missing_shares(frame: pd.DataFrame, spec: dict) -> dict:
    """Per signal group of the spec: (share of rows that miss the group, signals never reported).

    The rule preprocess reports by (`FeatureCoverage`): a signal no row has is not reported (a
    greenhouse without lamps) and is left out; a row misses the group when it misses any of the
    group's reported signals; a group none of whose signals is reported is missing in every row.
    """
    out = {}
    rows = len(frame)
    for group, signals in spec.get("signalGroups", {}).items():
        flags = {s: frame[f"{s}_missing"].fillna(1).to_numpy() != 0 for s in signals}
        reported = [s for s in signals if not flags[s].all()]
        unreported = [s for s in signals if s not in reported]
        if rows == 0:
            share = 0.0
        elif not reported:
            share = 1.0
        else:
            missing = flags[reported[0]].copy()
            for s in reported[1:]:
                missing |= flags[s]
            share = float(missing.mean())
        out[group] = (share, unreported)
    return out


def check_coverage(frame: pd.DataFrame, spec: dict, dataset_id: str, required: list, max_share: float) -> dict:
    """The shares of `missing_shares`; refuses (bad input) a dataset in which a required group is
    missing in more than `max_share` of the rows: a stage upstream lost part of the data."""
    shares = missing_shares(frame, spec)
    unknown = [g for g in required if g not in shares]
    if unknown:
        raise bad_input(f"--required-groups {unknown} are not signal groups of feature spec {spec['version']} "
                        f"(groups: {', '.join(shares)})")
    for group in required:
        share, unreported = shares[group]
        if share > max_share:
            signals = ", ".join(spec["signalGroups"][group])
            never = f"; never reported: {', '.join(unreported)}" if unreported else ""
            raise bad_input(f"dataset {dataset_id}: {group} features ({signals}) are missing in {100 * share:.1f} % "
                            f"of {len(frame)} rows, more than the {100 * max_share:.0f} % allowed "
                            f"(--max-missing-share){never}")
    return {g: share for g, (share, _) in shares.items()}


def split(frame: pd.DataFrame, train: float = 0.7, valid: float = 0.15, gap=None):
    """Time-ordered: the earliest windows train, the next validate, the latest test.

    `gap` (a Timedelta; the window length plus the horizon) purges the rows before each boundary
    whose targets would lie after it: a training row's target must not be a value of the
    validation period, nor a validation row's one of the test period.
    """
    times = frame["window_start"].sort_values().unique()
    if len(times) < 20:
        raise bad_input(f"the dataset spans only {len(times)} windows; at least 20 are needed")
    t_valid = times[int(len(times) * train)]
    t_test = times[int(len(times) * (train + valid))]
    purge = gap if gap is not None else pd.Timedelta(0)
    starts = frame["window_start"]
    return (frame[starts < t_valid - purge],
            frame[(starts >= t_valid) & (starts < t_test - purge)],
            frame[starts >= t_test])


def walk_forward(frame: pd.DataFrame, folds: int, gap=None, min_windows: int = 20) -> list:
    """Walk-forward folds over a time-ordered part (the training part, for the search): the first
    half of its windows is the history every fold learns from; the second half is cut into `folds`
    consecutive validation blocks, and fold k trains on everything before its block, so each
    setting is judged on windows later than all it learnt from, with at least half the part to
    learn from (close to what the final model has). `gap` purges, as in `split`, the training rows
    whose targets lie in the validation block. Fewer folds than asked when the part is short (each
    block needs `min_windows` windows); an empty list when not even one fold fits.
    """
    times = frame["window_start"].sort_values().unique()
    half = len(times) // 2
    folds = min(folds, (len(times) - half) // min_windows)
    if folds < 1 or half < min_windows:
        return []
    purge = gap if gap is not None else pd.Timedelta(0)
    starts = frame["window_start"]
    edges = [times[half + k * (len(times) - half) // folds] for k in range(folds)]
    out = []
    for k, begin in enumerate(edges):
        end = edges[k + 1] if k + 1 < folds else None
        valid = (starts >= begin) if end is None else (starts >= begin) & (starts < end)
        out.append((frame[starts < begin - purge], frame[valid]))
    return out
