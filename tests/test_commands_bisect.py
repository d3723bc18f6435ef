"""``python -m harness bisect`` without MLflow: bad input, and a rerun from cells already computed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.bisect.releases import known_cells, run_label
from harness.results import bisect as results
from harness.results.runs import load_runs
from tests.bisect_fakes import BASELINE, CANDIDATE, RELEASES
from tests.factories import run_file, scenario, write
from tests.mlflow_envs import ROOT

SID = "tracking.run_info.run_uuid"


def _harness(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_COMPAT_")}
    return subprocess.run([sys.executable, "-m", "harness", "bisect", *args], cwd=ROOT,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)


def _status(version: str) -> str:
    return "error" if RELEASES.index(version) >= RELEASES.index("2.17.0") else "pass"


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    """The matrix's two ends in results/runs, every release between already bisected, the
    release list cached (so nothing is installed or run and the index is not asked)."""
    for version in (BASELINE, CANDIDATE):
        write(tmp_path / "runs", run_file(version, [scenario(SID, _status(version)), scenario("other.same.x")],
                                         spec=".".join(version.split(".")[:2])))
    for version in RELEASES[1:-1]:
        run = run_file(version, [scenario(SID, _status(version))])
        run.label = run_label(version, [SID])
        write(tmp_path / "bisect" / "runs", run)
    cache = tmp_path / ".cache" / "releases-mlflow.json"
    cache.parent.mkdir()
    cache.write_text(json.dumps(RELEASES))
    return tmp_path


def test_bisect_from_cells_already_computed_writes_the_result_and_runs_nothing(results_dir, tmp_path):
    envs_dir = tmp_path / "envs"
    proc = _harness("--results-dir", str(results_dir), "--baseline", "2.9", "--candidate", "2.22",
                    "--envs-dir", str(envs_dir))
    assert proc.returncode == 0, proc.stderr
    assert "[bisect 1/" not in proc.stdout  # no step: every cell was there
    assert f"{SID} (regressed): pass up to 2.16.2; error (TypeError: {SID} broke) from 2.17.0" in proc.stdout
    assert not envs_dir.exists()
    result = results.load(results_dir / "bisect" / f"{BASELINE}__{CANDIDATE}.json")
    (change,) = result.changes
    assert (change.last_without, change.first_with, change.exact) == ("2.16.2", "2.17.0", True)
    assert result.budget == {"max_releases": None, "used": 0, "exhausted": False}


@pytest.mark.parametrize("args, needle", [
    (["--max-releases", "0"], "--max-releases"),
    (["--repeat", "0"], "--repeat"),
    (["--baseline", "latest"], "'latest'"),
    (["--candidate", "3.1"], "no run file for candidate 3.1"),
    (["--baseline", "2.22", "--candidate", "2.9"], "the baseline must be the older release"),
])
def test_bad_input_is_one_line_and_exit_2(results_dir, args, needle):
    proc = _harness("--results-dir", str(results_dir), *args)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("mlflow-compat:") and needle in lines[0], lines


def test_known_cells_keep_the_newest_cell_and_skip_unusable_runs(tmp_path):
    old = run_file("2.14.0", [scenario(SID, "pass"), scenario("a.b.c", "fail")], started_at="2026-01-01T00:00:00Z")
    new = run_file("2.14.0", [scenario(SID, "error")], started_at="2026-02-01T00:00:00Z")
    new.label = "mlflow-2.14.0.bisect-x"
    partial = run_file("2.15.0", [scenario(SID, "error")], run_status="interrupted")
    failed = run_file("2.16.0", [], run_status="install_failed")
    outside = run_file("3.1.0", [scenario(SID, "error")])
    for run in (old, new, partial, failed, outside):
        write(tmp_path, run)
    runs, _ = load_runs(sorted(tmp_path.glob("*.json")), include_interrupted=True)
    cells, sources = known_cells(runs, ["2.14.0", "2.15.0", "2.16.0"])
    assert set(cells) == {"2.14.0"}
    assert {sid: c.status for sid, c in cells["2.14.0"].items()} == {SID: "error", "a.b.c": "fail"}
    assert len(sources["2.14.0"]) == 2


def test_a_cell_installed_otherwise_than_the_configuration_says_now_is_not_reused(tmp_path):
    """Companion pins or the libraries policy changed since a bisect run: its cells prove nothing now."""
    import dataclasses

    from harness import envs
    from harness.bisect.releases import installed_as_now
    from harness.config import CompanionRule, load_config

    config = dataclasses.replace(load_config(env={}), results_dir=tmp_path, environment=(),
                                 companions=(CompanionRule("<2.10", ("setuptools<82",)),))
    now = envs.requirements_for("2.9.4", config)
    assert "setuptools<82" in now
    same = run_file("2.9.4", [], install={"requirements": now, "libraries": {"policy": config.libraries}})
    other_pins = run_file("2.9.4", [], install={"requirements": [r for r in now if r != "setuptools<82"]})
    other_libraries = run_file("2.9.4", [], install={"requirements": now, "libraries": {"policy": "other"}})
    unrecorded = run_file("2.9.4", [])
    assert installed_as_now(same, config, None) and installed_as_now(unrecorded, config, None)
    assert not installed_as_now(other_pins, config, None) and not installed_as_now(other_libraries, config, None)
