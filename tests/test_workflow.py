"""The example GitHub workflow: it parses, the nox sessions it calls exist, and
`report` merges run files produced by separate jobs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.config import load_config
from tests.factories import run_file, scenario, write

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "mlflow-compat.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def nox_sessions(env_versions: str) -> set[str]:
    env = {**os.environ, "MLFLOW_COMPAT_VERSIONS": env_versions}
    env.pop("MLFLOW_COMPAT_RESULTS", None)
    proc = subprocess.run([sys.executable, "-m", "nox", "-l"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {line.split()[1] for line in proc.stdout.splitlines() if line[:2] in ("* ", "- ")}


def run_steps(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_workflow_has_a_job_per_version_and_a_merge_job(workflow):
    jobs = workflow["jobs"]
    versions = jobs["version"]["strategy"]["matrix"]["version"]
    assert versions and all(isinstance(v, str) for v in versions)  # "3.1", not the float 3.1
    assert jobs["version"]["env"]["MLFLOW_COMPAT_VERSIONS"] == "${{ matrix.version }}"
    assert any('nox -s "mlflow-${{ matrix.version }}"' in r for r in run_steps(jobs["version"]))
    upload = next(s for s in jobs["version"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    # the per-version session writes its run file where the artifact is taken from
    runs_dir = load_config(env={}).runs_dir.relative_to(ROOT)
    assert upload["with"]["path"] == f"{runs_dir.as_posix()}/*.json"
    merge = jobs["report"]
    assert merge["needs"] == "version"
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"]["path"] == runs_dir.as_posix() and download["with"]["merge-multiple"] is True
    steps = run_steps(merge)
    assert "nox -s report" in steps and "nox -s gate" in steps
    assert steps.index("nox -s report") < steps.index("nox -s gate")


def test_the_sessions_the_workflow_calls_exist(workflow):
    versions = workflow["jobs"]["version"]["strategy"]["matrix"]["version"]
    # a version job sees only its own version, the merge job the default config
    for version in versions[:1] + versions[-1:]:
        assert f"mlflow-{version}" in nox_sessions(version)
    assert {"report", "gate", "matrix", "tests"} <= nox_sessions(" ".join(versions))


def test_report_merges_run_files_produced_separately(results_dir, tmp_path, monkeypatch):
    # two "jobs", each with its own results dir, as the artifacts arrive
    job_a, job_b = tmp_path / "job-2.9" / "runs", tmp_path / "job-3" / "runs"
    a = write(job_a, run_file("2.9.4", [scenario("a.x"), scenario("a.y")], spec="2.9"))
    b = write(job_b, run_file("3.6.0", [scenario("a.x", "error"), scenario("a.y")], spec="3"))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    # merged by download-artifact into one runs dir ...
    for path in (a, b):
        shutil.copy(path, results_dir / "runs" / path.name)
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    merged = (results_dir / "matrix.md").read_text()
    assert "2.9.4 (baseline)" in merged and "3.6.0" in merged and "regressed" in merged
    # ... or named on the command line where they lie
    other = tmp_path / "out"
    assert main(["report", "--results-dir", str(other), "-q", str(a), str(b)]) == 0
    assert "3.6.0" in (other / "matrix.md").read_text()


def test_report_appends_markdown_to_the_github_step_summary(results_dir, tmp_path, monkeypatch):
    write(results_dir / "runs", run_file("2.9.4", [scenario("a.x")], spec="2.9"))
    write(results_dir / "runs", run_file("3.6.0", [scenario("a.x", "error")], spec="3"))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    text = summary.read_text()
    assert text.count("# MLflow compatibility matrix") == 2  # appended, not replaced
    assert "### Rollback" in text and "mlflow>=2.9,<3" in text
