"""The example GitHub workflows: they parse, the nox sessions they call exist,
`report` merges run files produced by separate jobs, and the pull-request
workflow reads what `plan` writes (outputs, matrix keys)."""

from __future__ import annotations

import json
import os
import re
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


def versions_outputs(tmp_path, monkeypatch, env: dict[str, str] | None = None) -> dict[str, str]:
    """What `versions --json --github-output` hands the later jobs."""
    out = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    for key in [k for k in os.environ if k.startswith("MLFLOW_COMPAT_")]:
        monkeypatch.delenv(key)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    assert main(["versions", "--json", "--no-resolve", "--github-output"]) == 0
    found = re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", out.read_text(), flags=re.M | re.S)
    return {key: value for key, _, value in found}


def test_the_job_per_version_comes_from_the_configuration(workflow, tmp_path, monkeypatch, capsys):
    jobs = workflow["jobs"]
    step = next(s for s in jobs["versions"]["steps"] if s.get("id") == "versions")
    assert step["run"] == "nox -s versions -- --json --github-output"
    for key, value in jobs["versions"]["outputs"].items():
        assert value == f"${{{{ steps.versions.outputs.{key} }}}}", key
    version = jobs["version"]
    assert version["needs"] == "versions"
    assert version["strategy"]["matrix"] == "${{ fromJSON(needs.versions.outputs.matrix) }}"
    assert 'nox -s "${{ matrix.session }}"' in run_steps(version)
    outputs = versions_outputs(tmp_path, monkeypatch)
    capsys.readouterr()
    assert set(jobs["versions"]["outputs"]) <= set(outputs)
    include = json.loads(outputs["matrix"])["include"]
    # one job per configured version, with every key the version job reads
    assert [j["version"] for j in include] == list(load_config(env={}).versions)
    keys = set(re.findall(r"matrix\.([\w-]+)", yaml.safe_dump(version)))
    assert keys and all(keys <= set(job) for job in include)
    upload = next(s for s in version["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    # the per-version session writes its run file where the artifact is taken from
    runs_dir = load_config(env={}).runs_dir.relative_to(ROOT)
    assert upload["with"]["path"] == f"{runs_dir.as_posix()}/*.json"
    merge = jobs["report"]
    assert set(merge["needs"]) == {"versions", "version", "cross"}
    downloads = [s["with"] for s in merge["steps"] if s.get("uses", "").startswith("actions/download-artifact")]
    assert {"pattern": "runs-*", "path": runs_dir.as_posix(), "merge-multiple": True} in downloads
    assert any(d["path"] == "results/cross" for d in downloads)
    steps = run_steps(merge)
    assert "nox -s report" in steps and "nox -s gate" in steps
    assert steps.index("nox -s report") < steps.index("nox -s gate")


def test_the_weekly_workflow_has_the_cross_version_and_scan_jobs(workflow):
    jobs = workflow["jobs"]
    assert "nox -s skew" in run_steps(jobs["cross"])
    scan = jobs["scan"]
    assert scan["permissions"]["security-events"] == "write"
    sarif = next(s for s in scan["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    scan_step = next(r for r in run_steps(scan) if r.startswith("nox -s scan"))
    assert f"--output {sarif['with']['sarif_file']}" in scan_step and "--format sarif" in scan_step
    assert run_steps(scan).index("nox -s api") < run_steps(scan).index(scan_step)
    assert (ROOT / workflow["env"]["SCAN_PATHS"]).is_dir()


def test_the_sessions_the_workflow_calls_exist(workflow, tmp_path, monkeypatch, capsys):
    include = json.loads(versions_outputs(tmp_path, monkeypatch)["matrix"])["include"]
    capsys.readouterr()
    sessions = nox_sessions(" ".join(j["version"] for j in include))
    assert {j["session"] for j in include} <= sessions
    called = set(nox_commands(workflow)) - {"${{ matrix.session }}"}
    assert called <= sessions | {"tests"}, called - sessions
    assert {"report", "gate", "matrix", "tests", "versions", "skew", "api", "scan"} <= sessions


def test_the_team_workflow_example_runs_commands_mlflow_compat_has(capsys):
    from harness.commands import load_all

    flow = yaml.safe_load((ROOT / "examples" / "ci" / "mlflow-compat.yml").read_text())
    [job] = flow["jobs"].values()
    commands = [r.split()[1] for r in run_steps(job) if r.startswith("mlflow-compat ")]
    assert commands == ["matrix", "gate"] and set(commands) <= set(load_all())
    install = next(r for r in run_steps(job) if "pip install" in r)
    assert "mlflow-compat[all]" in install


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


# --------------------------------------------------------------------------
# the weekly matrix and the pull-request workflow (mlflow-compat-pr.yml)
# --------------------------------------------------------------------------
PR_WORKFLOW = ROOT / ".github" / "workflows" / "mlflow-compat-pr.yml"
#: sessions the workflows call that other branches bring (api diff, scan): the
#: test names them instead of failing until they are merged
@pytest.fixture(scope="module")
def pr_workflow() -> dict:
    return yaml.safe_load(PR_WORKFLOW.read_text())


def triggers(flow: dict) -> dict:
    return flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true


def nox_commands(flow: dict) -> list[str]:
    """Every `nox -s NAME` the workflow runs, NAME as written."""
    found = []
    for job in flow["jobs"].values():
        for run in run_steps(job):
            found += [a or b for a, b in re.findall(r'nox -s (?:"([^"]+)"|(\S+))', run)]
    return found


def test_the_full_matrix_is_weekly_and_manual_and_pull_requests_have_their_own(workflow, pr_workflow):
    assert set(triggers(workflow)) == {"schedule", "workflow_dispatch"}
    assert set(triggers(pr_workflow)) == {"pull_request"}


def test_the_pull_request_workflow_runs_only_when_a_dependency_file_changes(pr_workflow):
    from fnmatch import fnmatch

    paths = triggers(pr_workflow)["pull_request"]["paths"]
    for changed in ("requirements.txt", "app/requirements-prod.txt", "pyproject.toml", "uv.lock",
                    "poetry.lock", "pylock.toml", "constraints.txt", "examples/user_project/requirements.txt"):
        # GitHub's ** also matches no directory at all
        assert any(fnmatch(changed, p) or fnmatch(changed, p.removeprefix("**/")) for p in paths), changed
    assert not any(fnmatch("harness/config.py", p) for p in paths)


def test_every_job_sees_the_same_pins_and_the_base_commit(pr_workflow):
    env = pr_workflow["env"]
    assert env["MLFLOW_COMPAT_BASELINE_FROM"].startswith("git:${{ github.event.pull_request.base.sha }}:")
    pin_file = env["MLFLOW_COMPAT_CANDIDATE_FROM"]
    assert env["MLFLOW_COMPAT_BASELINE_FROM"].endswith(f":{pin_file}")
    # the demo pin exists and pins mlflow, and the config it names exists
    from harness.pins import read_pin

    assert read_pin(pin_file, cwd=ROOT).exact
    assert (ROOT / env["MLFLOW_COMPAT_CONFIG"]).is_file()
    for name, job in pr_workflow["jobs"].items():
        steps = run_steps(job)
        # git show needs the base commit in every job that loads the configuration
        assert any('git fetch --no-tags --depth=1 origin "$BASE_SHA"' in r for r in steps), name
        if name != "plan":
            assert "needs.plan.outputs.run == 'true'" in job["if"], name


def test_the_plan_job_outputs_are_what_plan_writes(pr_workflow, tmp_path, monkeypatch, capsys):
    plan = pr_workflow["jobs"]["plan"]
    assert "nox -s plan -- --github-output" in run_steps(plan)
    step = next(s for s in plan["steps"] if s.get("id") == "plan")
    assert step["run"] == "nox -s plan -- --github-output"
    out = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    pin = ROOT / pr_workflow["env"]["MLFLOW_COMPAT_CANDIDATE_FROM"]
    (tmp_path / "bumped.txt").write_text("mlflow==3.1.4\n")
    assert main(["plan", "--results-dir", str(tmp_path / "results"), "--github-output",
                 "--baseline-from", str(pin), "--candidate-from", str(tmp_path / "bumped.txt")]) == 0
    written = set(re.findall(r"^([\w-]+)<<", out.read_text(), flags=re.M))
    for key, value in plan["outputs"].items():
        assert value == f"${{{{ steps.plan.outputs.{key} }}}}" and key in written, key
    # every needs.plan.outputs.X used anywhere is declared
    used = set(re.findall(r"needs\.plan\.outputs\.([\w-]+)", PR_WORKFLOW.read_text()))
    assert used <= set(plan["outputs"])
    # the version job's matrix comes from the plan, and reads keys the plan's jobs have
    version = pr_workflow["jobs"]["version"]
    assert version["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    matrix = json.loads(next(line for line in out.read_text().splitlines() if line.startswith("{\"include\"")))
    keys = set(re.findall(r"matrix\.([\w-]+)", yaml.safe_dump(version)))
    assert keys and all(keys <= set(job) for job in matrix["include"])
    capsys.readouterr()


def test_the_pull_request_workflow_uploads_and_merges_what_the_jobs_write(pr_workflow):
    jobs = pr_workflow["jobs"]
    runs_dir = "results/runs"  # MLFLOW_COMPAT_RESULTS is the workspace's results/
    assert pr_workflow["env"]["MLFLOW_COMPAT_RESULTS"] == "${{ github.workspace }}/results"
    upload = next(s for s in jobs["version"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == f"{runs_dir}/*.json" and upload["with"]["name"] == "runs-${{ matrix.session }}"
    assert "nox -s skew" in run_steps(jobs["cross"])
    report = jobs["report"]
    assert set(report["needs"]) == {"plan", "version", "cross"}
    downloads = [s["with"] for s in report["steps"] if s.get("uses", "").startswith("actions/download-artifact")]
    assert {"pattern": "runs-*", "path": runs_dir, "merge-multiple": True} in downloads
    assert any(d["path"] == "results/cross" for d in downloads)
    steps = run_steps(report)
    gate = 'nox -s gate -- --baseline "$BASELINE" --candidate "$CANDIDATE"'
    assert steps.index("nox -s report") < steps.index(gate)
    scan = jobs["scan"]
    assert scan["permissions"]["security-events"] == "write"
    sarif = next(s for s in scan["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    scan_step = next(r for r in run_steps(scan) if r.startswith("nox -s scan"))
    assert f"--output {sarif['with']['sarif_file']}" in scan_step and "--format sarif" in scan_step
    assert run_steps(scan).index("nox -s api") < run_steps(scan).index(scan_step)


def test_the_sessions_the_pull_request_workflow_calls_exist(pr_workflow):
    pin = pr_workflow["env"]["MLFLOW_COMPAT_CANDIDATE_FROM"]
    env = {**os.environ, "MLFLOW_COMPAT_CONFIG": pr_workflow["env"]["MLFLOW_COMPAT_CONFIG"],
           "MLFLOW_COMPAT_BASELINE_FROM": pin, "MLFLOW_COMPAT_CANDIDATE_FROM": pin}
    for key in ("MLFLOW_COMPAT_RESULTS", "MLFLOW_COMPAT_VERSIONS", "MLFLOW_COMPAT_BASELINE"):
        env.pop(key, None)
    proc = subprocess.run([sys.executable, "-m", "nox", "-l"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sessions = {line.split()[1] for line in proc.stdout.splitlines() if line[:2] in ("* ", "- ")}
    called = set(nox_commands(pr_workflow)) - {"${{ matrix.session }}"}  # the plan's: see test_plan.py
    assert not called - sessions, f"the workflow calls sessions nox does not list: {sorted(called - sessions)}"


def test_dependabot_and_renovate_group_the_mlflow_bump(pr_workflow):
    dependabot = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    pin_dir = "/" + str(Path(pr_workflow["env"]["MLFLOW_COMPAT_CANDIDATE_FROM"]).parent)
    pip = next(u for u in dependabot["updates"] if u["package-ecosystem"] == "pip")
    assert pip["directory"] == pin_dir
    group = pip["groups"]["mlflow"]["patterns"]
    assert {"mlflow", "mlflow-skinny"} <= set(group)
    renovate = json.loads((ROOT / "examples" / "ci" / "renovate.json").read_text())
    rule = next(r for r in renovate["packageRules"] if r.get("groupName") == "mlflow")
    assert {"mlflow", "mlflow-skinny"} <= set(rule["matchPackageNames"])
