"""harness.api.pairs: specs resolve as the matrix resolved them, when a run file says so."""

from __future__ import annotations

import pytest

from harness.api import pairs
from harness.errors import HarnessError
from tests.factories import run_file, write


def test_a_family_spec_takes_the_release_its_run_file_ran(tmp_path, monkeypatch):
    write(tmp_path / "runs", run_file("2.9.2", [], spec="2.9"))
    write(tmp_path / "runs", run_file("3.1.0", [], spec="3.1", run_status="install_failed"))
    from_runs = pairs.versions_from_runs(tmp_path / "runs")
    assert from_runs == {"2.9": ("2.9.2", "mlflow-2.9.2.json")}
    monkeypatch.setattr(pairs.versions, "resolve", lambda spec, cache: {"3.1": ["3.1.4", "3.1.3"]}[spec])
    assert pairs.resolve("2.9", tmp_path, from_runs) == pairs.Resolved("2.9", "2.9.2", "run file mlflow-2.9.2.json")
    assert pairs.resolve("3.1", tmp_path, from_runs) == pairs.Resolved("3.1", "3.1.4", "index", ("3.1.3",))
    assert pairs.resolve("3.17.2", tmp_path, {}) == pairs.Resolved("3.17.2", "3.17.2", "exact")


def test_unresolvable_specs_are_problems_not_a_stop(tmp_path, monkeypatch):
    def resolve(spec, cache):
        raise HarnessError(f"no mlflow release matches {spec!r}")

    monkeypatch.setattr(pairs.versions, "resolve", resolve)
    found, problems = pairs.resolve_all(["3.17.2", "7"], tmp_path, {})
    assert [r.version for r in found] == ["3.17.2"]
    assert problems == ["7: no mlflow release matches '7'"]


def test_candidates_skip_the_baseline_spec_and_duplicates():
    baseline = pairs.Resolved("2.9", "2.9.2", "index")
    assert pairs.candidates_for(baseline, ["2.9", "3", "2.22", "3"]) == ["3", "2.22"]
    with pytest.raises(HarnessError):
        pairs.resolve("three", None, {})


def test_a_family_falls_back_to_the_newest_release_whose_source_can_be_fetched(tmp_path, monkeypatch):
    monkeypatch.setattr(pairs.versions, "resolve", lambda spec, cache: ["3.18.0", "3.17.2", "3.17.1", "3.17.0"])
    resolved = pairs.resolve("3", tmp_path, {}, attempts=3)
    assert resolved.alternatives == ("3.17.2", "3.17.1")

    def fetch(version):
        if version == "3.18.0":
            raise HarnessError("cannot fetch mlflow-skinny==3.18.0: not on the index")

    lines: list[str] = []
    assert pairs.with_source(resolved, fetch, lines.append).version == "3.17.2"
    assert lines == ["  skipped mlflow 3.18.0 for 3: cannot fetch mlflow-skinny==3.18.0: not on the index"]

    def nothing(version):
        raise HarnessError(f"cannot fetch mlflow=={version}")

    with pytest.raises(HarnessError, match="3.17.1"):
        pairs.with_source(resolved, nothing, lines.append)
