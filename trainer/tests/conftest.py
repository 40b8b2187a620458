"""Shared fixtures of the trainer's unit tests: the feature spec the trainer ships with."""
import json
from pathlib import Path

import pytest

SPEC_FILE = Path(__file__).resolve().parents[1] / "greenloop_trainer" / "feature-spec-v1.json"


@pytest.fixture(scope="session")
def spec() -> dict:
    return json.loads(SPEC_FILE.read_text(encoding="utf-8"))
