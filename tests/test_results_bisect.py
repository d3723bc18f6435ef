"""The bisect result file: round trip, and bad files rejected in one line naming the file."""

from __future__ import annotations

import json

import pytest

from harness.errors import ResultsError
from harness.results import bisect as results
from tests.factories import write_raw
from tests.test_bisect_search import bisect, regression_from


def _result():
    result, _ = bisect(regression_from("2.14.0"), broken={"2.15.1": "error: No solution\n  cause: x"})
    return result


def test_round_trip_keeps_every_field(tmp_path):
    result = _result()
    path = tmp_path / results.file_name(result.baseline["version"], result.candidate["version"])
    results.save(result, path)
    loaded = results.load(path)
    assert loaded.to_dict() == result.to_dict()
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1 and data["kind"] == "mlflow-compat-bisect"
    change = data["changes"][0]
    assert change["first_with"] == "2.14.0" and change["last_without"] == "2.13.1"
    assert change["cells"][0] == {"version": "2.9.2", "status": "pass", "error": None, "value": "pass", "state": "without"}
    assert change["cells"][-1]["error"]["type"] == "TypeError"
    assert data["gaps"] == [{"version": "2.15.1", "reason": "error: No solution\n  cause: x"}]
    assert loaded.change(change["id"]).exact
    assert [t.version for t in loaded.tested][0] == "2.9.2" and loaded.tested[0].step is None


def _mutate(data, where, value):
    target = data
    *path, last = where
    for key in path:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    "where, value, message",
    [
        (("schema_version",), 2, "schema_version 2 is not supported"),
        (("kind",), "mlflow-compat-cross", "not a bisect result file"),
        (("changes",), KeyError, "missing field 'changes'"),
        (("changes", 0, "verdict"), "slower", "bisected verdicts are"),
        (("changes", 0, "cells", 0, "state"), "maybe", "unknown state 'maybe'"),
        (("changes", 0, "cells", 0, "status"), "exploded", "unknown status 'exploded'"),
        (("changes", 0, "cells", 0, "version"), "9.9.9", "not one of the file's releases"),
        (("changes", 0, "first_with"), "1.0.0", "not one of the file's releases"),
        (("changes", 0, "flips", 0, "between"), "none", "must be a list"),
        (("changes", 0, "tracked", "what"), "timing", "tracks 'timing'"),
        (("budget",), {"used": 1}, "missing field 'max_releases'"),
        (("gaps", 0), {"version": "2.15.1"}, "missing field 'reason'"),
    ],
)
def test_bad_files_are_rejected_naming_the_file(tmp_path, where, value, message):
    data = _mutate(_result().to_dict(), where, value)
    path = write_raw(tmp_path / "2.9.2__2.22.5.json", data)
    with pytest.raises(ResultsError) as info:
        results.load(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("content", ["{", "[]", "\xff\xfe"])
def test_unreadable_files_are_one_line(tmp_path, content):
    path = tmp_path / "a__b.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ResultsError, match=str(path)):
        results.load(path)


def test_load_all_keeps_good_files_and_reports_bad_ones(tmp_path):
    results.save(_result(), tmp_path / "2.9.2__2.22.5.json")
    write_raw(tmp_path / "2.9.2__3.1.4.json", "{")
    (tmp_path / "runs").mkdir()
    write_raw(tmp_path / "runs" / "mlflow-2.14.0.bisect-abc.json", "{}")  # run files live below, never read here
    found, problems = results.load_all(results.files_in(tmp_path))
    assert [r.candidate["version"] for r in found] == ["2.22.5"]
    assert len(problems) == 1 and "2.9.2__3.1.4.json" in problems[0]
