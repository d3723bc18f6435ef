from __future__ import annotations

import json

import pytest

from harness.errors import ResultsError
from harness.results.runs import load_run, load_runs, save_run
from tests.factories import run_file, scenario, write_raw


def test_round_trip_keeps_every_field(tmp_path):
    run = run_file("2.9.2", [scenario("models.log.x", "error", warnings=[{"category": "FutureWarning", "message": "m"}],
                                      samples=[0.5, 0.49], observations={"k": "v"})])
    path = tmp_path / "runs" / "mlflow-2.9.2.json"
    save_run(run, path)
    loaded = load_run(path)
    assert loaded.to_dict() == run.to_dict()
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1
    assert data["scenarios"][0]["error"]["type"] == "TypeError"
    assert data["scenarios"][0]["timing"]["median"] == 0.495


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "corrupt JSON"),
        ('{"schema_version": 2}', "schema_version 2"),
        ('{"schema_version": 1, "label": "x"}', "missing field 'mlflow_version'"),
        ("[]", "expected a JSON object"),
    ],
)
def test_bad_files_are_rejected_naming_the_file(tmp_path, content, message):
    path = write_raw(tmp_path / "bad.json", content)
    with pytest.raises(ResultsError) as info:
        load_run(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_missing_scenario_field_names_the_scenario(tmp_path):
    data = run_file("3.1.4", [scenario("a.b")]).to_dict()
    del data["scenarios"][0]["warnings"]
    path = write_raw(tmp_path / "r.json", data)
    with pytest.raises(ResultsError, match="'a.b' is missing field 'warnings'"):
        load_run(path)


def test_load_runs_keeps_good_files_and_reports_bad_ones(tmp_path):
    good = tmp_path / "good.json"
    save_run(run_file("3.1.4", [scenario("a.b")]), good)
    bad = write_raw(tmp_path / "bad.json", "{")
    runs, problems = load_runs([good, bad])
    assert [r.label for r in runs] == ["mlflow-3.1.4"]
    assert len(problems) == 1 and "bad.json" in problems[0]
