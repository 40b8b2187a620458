"""Exit codes: 2 for input not worth retrying (a Job's podFailurePolicy fails fast on it), 3 for
services that may come back, one line on stderr either way."""
import json

from greenloop_trainer import EXIT_BAD_INPUT, EXIT_RETRIABLE
from greenloop_trainer.__main__ import main


def test_a_manifest_that_is_not_json_is_bad_input(capsys):
    code = main(["--manifest", "{not json", "--webhdfs", "http://127.0.0.1:9", "--tracking-uri",
                 "http://127.0.0.1:9"])

    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot read the dataset manifest" in err[0]


def test_a_manifest_without_a_greenhouse_is_bad_input(capsys):
    code = main(["--manifest", json.dumps({"datasetId": "ds-1"}), "--webhdfs", "http://127.0.0.1:9",
                 "--tracking-uri", "http://127.0.0.1:9"])

    assert code == EXIT_BAD_INPUT
    assert "names no greenhouseId" in capsys.readouterr().err


def test_an_unreachable_mlflow_is_worth_retrying(capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    code = main(["--manifest", json.dumps({"datasetId": "ds-1", "greenhouseId": "gh-1"}), "--webhdfs",
                 "http://127.0.0.1:9", "--tracking-uri", "http://127.0.0.1:9"])

    assert code == EXIT_RETRIABLE
    assert "cannot reach MLflow" in capsys.readouterr().err
