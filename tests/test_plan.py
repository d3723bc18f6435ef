"""``plan`` (harness/plan.py, harness/commands/plan.py): what CI runs for a change of the mlflow pin.

Pins come from hand-written files and a temporary git repository; ranges
resolve against the recorded release list (tests/data/pins), never the
network. The last tests take the plan's gate command to hand-written run files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import versions
from harness.cli import main
from harness.config import load_config, with_pins
from harness.plan import build
from tests.factories import run_file, scenario, write
from tests.test_pins import RELEASES, files, git

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def recorded_index(monkeypatch):
    """The package index, as recorded: ranges and families resolve without the network."""
    monkeypatch.setattr(versions, "list_releases", lambda *a, **k: RELEASES)


@pytest.fixture
def repo(tmp_path) -> Path:
    """main pins mlflow==2.9.2; the checked-out branch pins mlflow==3.1.4."""
    root = tmp_path / "app"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    files(root, **{"requirements.txt": "numpy\nmlflow==2.9.2\n"})
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "bump")
    files(root, **{"requirements.txt": "numpy\nmlflow==3.1.4\n"})
    git(root, "commit", "-q", "-am", "bump mlflow to 3.1.4")
    return root


def plan_json(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["plan", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_bump_plans_exactly_the_two_pinned_releases(repo, results_dir, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    data = plan_json(capsys, "--results-dir", str(results_dir),
                     "--baseline-from", "git:main:requirements.txt", "--candidate-from", "requirements.txt")
    assert data["run"] is True and data["direction"] == "bump"
    assert data["summary"] == "mlflow 2.9.2 -> 3.1.4 (bump)"
    assert data["versions"] == ["2.9.2", "3.1.4"]
    assert data["baseline"] == {
        "role": "baseline", "spec": "2.9.2", "version": "2.9.2", "session": "mlflow-2.9.2",
        "label": "mlflow-2.9.2", "requirement": "mlflow==2.9.2", "source": "git:main:requirements.txt",
        "candidates": ["2.9.2"],
    }
    assert data["candidate"]["source"] == "requirements.txt" and data["candidate"]["version"] == "3.1.4"
    assert data["env"] == {"MLFLOW_COMPAT_BASELINE_FROM": "git:main:requirements.txt",
                           "MLFLOW_COMPAT_CANDIDATE_FROM": "requirements.txt"}
    assert [(j["kind"], j["session"]) for j in data["jobs"]] == [
        ("version", "mlflow-2.9.2"), ("version", "mlflow-3.1.4"), ("cross", "skew"), ("scan", "scan")]
    assert data["matrix"]["include"] == data["jobs"][:2]
    assert data["gate"]["args"] == ["--baseline", "2.9.2", "--candidate", "3.1.4"]
    assert data["gate"]["command"] == "nox -s gate -- --baseline 2.9.2 --candidate 3.1.4"
    scan = data["jobs"][-1]
    assert scan["command"].startswith("nox -s scan -- . --format sarif --output ") and scan["sarif"].endswith("scan.sarif")


def test_installed_the_plan_names_the_installed_command(repo, results_dir, capsys, monkeypatch):
    """A team's repository has no noxfile of ours: the jobs run `mlflow-compat matrix -s <session>`."""
    from harness import home

    monkeypatch.chdir(repo)
    monkeypatch.setattr(home, "is_checkout", lambda: False)
    data = plan_json(capsys, "--results-dir", str(results_dir),
                     "--baseline-from", "git:main:requirements.txt", "--candidate-from", "requirements.txt")
    assert [j["command"] for j in data["jobs"][:3]] == [
        "mlflow-compat matrix -s mlflow-2.9.2", "mlflow-compat matrix -s mlflow-3.1.4", "mlflow-compat matrix -s skew"]
    assert data["jobs"][-1]["commands"][0] == "mlflow-compat matrix -s api"
    assert data["gate"]["command"] == "mlflow-compat matrix -s gate -- --baseline 2.9.2 --candidate 3.1.4"
    assert data["report"]["command"] == "mlflow-compat matrix -s report"


def test_equal_pins_plan_nothing(repo, results_dir, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    same = ["--results-dir", str(results_dir), "--baseline-from", "git:main:requirements.txt",
            "--candidate-from", "git:main:requirements.txt"]
    data = plan_json(capsys, *same)
    assert data["run"] is False and data["direction"] == "same"
    assert data["jobs"] == [] and data["matrix"] == {"include": []} and data["versions"] == []
    assert data["summary"].startswith("no mlflow change")
    assert main(["plan", *same]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "no mlflow change: baseline and candidate are both mlflow 2.9.2; nothing to run")


def test_a_downgrade_keeps_the_base_branch_as_the_baseline(repo, results_dir, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    data = plan_json(capsys, "--results-dir", str(results_dir),
                     "--baseline-from", "requirements.txt", "--candidate-from", "git:main:requirements.txt")
    assert data["direction"] == "downgrade" and data["summary"] == "mlflow 3.1.4 -> 2.9.2 (downgrade)"
    assert data["versions"] == ["3.1.4", "2.9.2"] and data["gate"]["args"][:2] == ["--baseline", "3.1.4"]


def test_a_range_is_its_newest_release_and_equal_releases_are_no_change(tmp_path, results_dir, capsys, recorded_index):
    files(tmp_path, **{"base.txt": "mlflow==2.9.2\n", "range.txt": "mlflow>=3.1,<3.2\n", "exact.txt": "mlflow==3.1.4\n"})
    common = ["--results-dir", str(results_dir)]
    data = plan_json(capsys, *common, "--baseline-from", str(tmp_path / "base.txt"),
                     "--candidate-from", str(tmp_path / "range.txt"))
    assert data["direction"] == "bump" and data["versions"] == ["2.9.2", "3.1.4"]
    assert data["candidate"]["requirement"] == "mlflow<3.2,>=3.1"
    assert data["candidate"]["candidates"] == ["3.1.4", "3.1.3", "3.1.1", "3.1.0"]
    # the range and the exact pin come to the same release: nothing to run
    same = plan_json(capsys, *common, "--baseline-from", str(tmp_path / "exact.txt"),
                     "--candidate-from", str(tmp_path / "range.txt"))
    assert same["run"] is False
    main(["plan", *common, "--baseline-from", str(tmp_path / "base.txt"), "--candidate-from", str(tmp_path / "range.txt")])
    assert "3.1.4     mlflow<3.2,>=3.1 from" in capsys.readouterr().out  # and what it falls back to
    capsys.readouterr()


def test_only_a_candidate_pin_plans_it_against_the_configured_baseline(tmp_path, results_dir, capsys, recorded_index):
    files(tmp_path, **{"requirements.txt": "mlflow==3.1.4\n"})
    data = plan_json(capsys, "--results-dir", str(results_dir), "--candidate-from", str(tmp_path / "requirements.txt"))
    assert data["versions"] == ["2.9", "3.1.4"] and data["baseline"]["version"] == "2.9.2"
    assert data["baseline"]["source"] is None and data["direction"] == "bump"
    assert list(data["env"]) == ["MLFLOW_COMPAT_CANDIDATE_FROM"]


def test_without_pins_the_plan_is_the_configured_matrix(results_dir, capsys, recorded_index):
    data = plan_json(capsys, "--results-dir", str(results_dir))
    assert data["versions"] == ["2.9", "2.22", "3.1", "3"] and data["env"] == {}
    assert data["baseline"]["version"] == "2.9.2" and data["candidate"]["spec"] == "3"
    assert data["gate"]["command"] == "nox -s gate"  # every run against the configured baseline


@pytest.mark.parametrize(
    "args, message",
    [
        (["--candidate-from", "nope.txt"], r"^mlflow-compat: --candidate-from nope.txt: no such file$"),
        (["--candidate-from", "numpy.txt"], r"^mlflow-compat: --candidate-from numpy.txt: no mlflow requirement found$"),
        (["--baseline-from", "git:nope:requirements.txt"], r"git ref 'nope' not found"),
        (["--candidate-from", "conflict.txt"], r"the mlflow pins conflict: mlflow==2.9.2 \(conflict.txt:1\) and mlflow>=3"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(repo, results_dir, capsys, monkeypatch, args, message):
    monkeypatch.chdir(repo)
    files(repo, **{"numpy.txt": "numpy\n", "conflict.txt": "mlflow==2.9.2\n-c more.txt\n", "more.txt": "mlflow>=3\n"})
    assert main(["plan", "--results-dir", str(results_dir), *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and __import__("re").search(message, err.strip())


def test_the_environment_variables_choose_the_same_versions_as_the_options(repo, results_dir, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    monkeypatch.setenv("MLFLOW_COMPAT_BASELINE_FROM", "git:main:requirements.txt")
    monkeypatch.setenv("MLFLOW_COMPAT_CANDIDATE_FROM", "git:main:requirements.txt")
    # the command line wins over the environment, role by role
    data = plan_json(capsys, "--results-dir", str(results_dir), "--candidate-from", "requirements.txt")
    assert data["versions"] == ["2.9.2", "3.1.4"]
    monkeypatch.setenv("MLFLOW_COMPAT_CANDIDATE_FROM", "requirements.txt")
    assert plan_json(capsys, "--results-dir", str(results_dir))["versions"] == ["2.9.2", "3.1.4"]


def test_github_output_and_step_summary(repo, results_dir, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(repo)
    out, summary = tmp_path / "github_output", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["plan", "--results-dir", str(results_dir), "--github-output",
                 "--baseline-from", "git:main:requirements.txt", "--candidate-from", "requirements.txt"]) == 0
    outputs = {}
    lines = out.read_text().splitlines()
    while lines:
        key, _, delimiter = lines.pop(0).partition("<<")
        value = []
        while (line := lines.pop(0)) != delimiter:
            value.append(line)
        outputs[key] = "\n".join(value)
    assert outputs["run"] == "true" and outputs["direction"] == "bump"
    assert outputs["baseline"] == "2.9.2" and outputs["candidate"] == "3.1.4"
    assert outputs["gate-args"] == "--baseline 2.9.2 --candidate 3.1.4"
    assert [job["session"] for job in json.loads(outputs["matrix"])["include"]] == ["mlflow-2.9.2", "mlflow-3.1.4"]
    assert json.loads(outputs["plan"])["schema_version"] == 1
    assert "mlflow 2.9.2 -> 3.1.4 (bump)" in summary.read_text()
    monkeypatch.delenv("GITHUB_OUTPUT")
    assert main(["plan", "--results-dir", str(results_dir), "--github-output"]) == 2


def test_the_step_summary_escapes_what_the_pins_say(tmp_path):
    from harness.commands.plan import summary_markdown

    version = {"role": "candidate", "version": "3.1.4", "requirement": "mlflow==3.1.4",
               "source": "req|<script>`x`.txt"}
    text = summary_markdown({"summary": "s", "baseline": None, "candidate": version})
    assert "<script>" not in text and "\\|" in text and "\\`x\\`" in text


def test_the_plan_sessions_are_the_noxfile_sessions(repo, tmp_path):
    """Every session a plan names exists when nox runs with the plan's env."""
    env = {"PATH": "/usr/bin:/bin:" + str(Path(sys.executable).parent), "HOME": str(tmp_path),
           "MLFLOW_COMPAT_BASELINE_FROM": f"git:main:{repo}/requirements.txt",
           "MLFLOW_COMPAT_CANDIDATE_FROM": f"{repo}/requirements.txt"}
    proc = subprocess.run([sys.executable, "-m", "nox", "-l"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sessions = {line.split()[1] for line in proc.stdout.splitlines() if line[:2] in ("* ", "- ")}
    config = load_config(env=env)
    data = build(config, lambda spec: []).to_dict()
    assert {j["session"] for j in data["matrix"]["include"]} == {"mlflow-2.9.2", "mlflow-3.1.4"}
    assert {j["session"] for j in data["jobs"] if j["kind"] != "scan"} <= sessions
    assert {"plan", "report", "gate"} <= sessions
    assert not any(s in sessions for s in ("mlflow-2.9", "mlflow-3"))  # just the two pinned releases


# --------------------------------------------------------------------------
# the gate compares exactly the two pinned versions
# --------------------------------------------------------------------------
@pytest.fixture
def many_runs(results_dir):
    """Run files for the two pinned releases and two others a results directory may also hold."""
    d = results_dir / "runs"
    write(d, run_file("2.9.2", [scenario("t.run_uuid"), scenario("m.log")], spec="2.9.2"))
    write(d, run_file("2.22.1", [scenario("t.run_uuid"), scenario("m.log", "error")], spec="2.22"))
    write(d, run_file("3.1.4", [scenario("t.run_uuid", "error", error={"type": "AttributeError", "message": "run_uuid"}),
                                scenario("m.log")], spec="3.1.4"))
    write(d, run_file("3.17.2", [scenario("t.run_uuid", "error"), scenario("m.log", "unsupported", reason="x")], spec="3"))
    return d


def test_the_plans_gate_command_compares_exactly_the_two_pinned_versions(repo, results_dir, many_runs, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    data = plan_json(capsys, "--results-dir", str(results_dir),
                     "--baseline-from", "git:main:requirements.txt", "--candidate-from", "requirements.txt")
    assert main(["gate", "--results-dir", str(results_dir), *data["gate"]["args"]]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("gate: baseline mlflow 2.9.2; candidates: 3.1.4;")
    assert [line for line in out if line.startswith("VIOLATION")] == [
        "VIOLATION mlflow 3.1.4: t.run_uuid: regressed (pass -> error (AttributeError: run_uuid))"]
    assert out[-1] == "gate: FAIL: 1 violation(s) in 3.1.4"
    assert not any("2.22.1" in line or "3.17.2" in line for line in out)


def test_with_the_pins_in_the_environment_the_gate_baseline_is_the_base_branchs(repo, results_dir, many_runs, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("MLFLOW_COMPAT_BASELINE_FROM", "git:main:requirements.txt")
    monkeypatch.setenv("MLFLOW_COMPAT_CANDIDATE_FROM", "requirements.txt")
    config = with_pins(load_config(env={}), ["git:main:requirements.txt"], ["requirements.txt"])
    assert config.versions == ("2.9.2", "3.1.4") and config.baseline == "2.9.2"
    assert main(["gate", "--results-dir", str(results_dir), "--candidate", config.versions[1]]) == 1
    assert capsys.readouterr().out.startswith("gate: baseline mlflow 2.9.2; candidates: 3.1.4;")
