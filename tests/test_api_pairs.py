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
    assert pairs.resolve("3.1", tmp_path, from_runs) == pairs.Resolved("3.1", "3.1.4", "index")
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
