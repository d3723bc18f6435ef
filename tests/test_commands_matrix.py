"""``mlflow-compat matrix`` / ``versions`` from a team's own repository: the packaged nox sessions
read that repository's configuration and keep environments and results there.

In process, then through the installed ``mlflow-compat`` script (this test environment has
mlflow-compat installed in develop mode), then one real run (marked mlflow): a temporary
repository with its own package, tests and pinned requirements, one version's session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.commands.matrix import nox_command, nox_environment
from harness.results.runs import load_run
from tests.mlflow_envs import ROOT

SCRIPT = Path(sys.executable).parent / "mlflow-compat"


def team_repo(tmp_path: Path, table: str = 'versions = ["2.22", "3.1.4"]\nbaseline = "2.22"') -> Path:
    repo = tmp_path / "team"
    (repo / "tests").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(f"[tool.mlflow-compat]\n{table}\n")
    return repo


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "PYTEST_"))}
    return {**env, **extra}


def test_the_nox_command_is_the_packaged_noxfile_with_the_projects_place(tmp_path, monkeypatch):
    import argparse

    from harness import home
    from harness.config import load_config

    args = argparse.Namespace(list=False, session=[], run_args=["--", "--only", "tests.*"])
    assert nox_command(args)[1:] == ["-m", "nox", "-f", str(home.NOXFILE), "-s", "matrix", "--", "--only", "tests.*"]
    args.session, args.run_args = ["mlflow-3", "report"], []
    assert nox_command(args)[-3:] == ["-s", "mlflow-3", "report"]
    repo = team_repo(tmp_path)
    monkeypatch.chdir(repo)
    env = nox_environment(load_config(env={}), None)
    assert env["MLFLOW_COMPAT_ROOT"] == str(repo.resolve())
    assert env["MLFLOW_COMPAT_CONFIG"] == str(repo.resolve() / "pyproject.toml")
    # the pull-request variables name the user's files from here; nox runs in the package's directory
    monkeypatch.setenv("MLFLOW_COMPAT_BASELINE_FROM", "git:origin/main:requirements.txt")
    monkeypatch.setenv("MLFLOW_COMPAT_CANDIDATE_FROM", "requirements.txt,/abs/constraints.txt")
    env = nox_environment(load_config(env={}), None)
    here = Path.cwd()
    assert env["MLFLOW_COMPAT_BASELINE_FROM"] == f"git:origin/main:{here / 'requirements.txt'}"
    assert env["MLFLOW_COMPAT_CANDIDATE_FROM"] == f"{here / 'requirements.txt'},/abs/constraints.txt"


def test_matrix_lists_the_sessions_of_the_repository_it_runs_in(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(team_repo(tmp_path))
    for key in [k for k in os.environ if k.startswith("MLFLOW_COMPAT_")]:
        monkeypatch.delenv(key)
    assert main(["matrix", "-l"]) == 0
    sessions = {line.split()[1] for line in capfd.readouterr().out.splitlines() if line[:2] in ("* ", "- ")}
    assert {"mlflow-2.22", "mlflow-3.1.4", "matrix", "report", "skew", "versions"} <= sessions
    assert "tests" not in sessions  # the checkout's own sessions are not shipped


def test_a_bad_configuration_is_one_line_before_nox_starts(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(team_repo(tmp_path, "versions = ['latest']"))
    assert main(["matrix"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mlflow-compat: ") and "'latest'" in err[0]


@pytest.fixture
def script():
    if not SCRIPT.exists():
        pytest.skip("mlflow-compat is not installed in this environment")
    return str(SCRIPT)


def test_the_installed_command_reads_the_repository_it_runs_in(tmp_path, script):
    repo = team_repo(tmp_path, 'versions = ["2.22", "3.1.4"]\nbaseline = "2.22"\npytest_paths = ["tests"]')
    proc = subprocess.run([script, "versions", "--json", "--no-resolve"], cwd=repo, env=clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["config"] == str(repo / "pyproject.toml") and data["tests"] == ["tests"]
    assert data["matrix"]["include"] == [{"version": "2.22", "session": "mlflow-2.22"},
                                         {"version": "3.1.4", "session": "mlflow-3.1.4"}]
    listed = subprocess.run([script, "matrix", "-l"], cwd=repo, env=clean_env(), capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0 and "mlflow-3.1.4" in listed.stdout
    assert not (repo / "results").exists()  # listing writes nothing


PROJECT = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=68"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "tiny-team"
        version = "0.1.0"
        dependencies = ["mlflow"]

        [tool.setuptools]
        packages = ["tiny_team"]

        [tool.mlflow-compat]
        versions = ["2.9"]
        environment = "requirements.txt"
        pytest_paths = ["tests"]
        extra_requirements = ["."]
        """,
    "requirements.txt": "mlflow==2.9.2\npytest==7.4.3\n",
    "tiny_team/__init__.py": """
        import mlflow

        def run_id_of(run):
            return run.info.run_uuid
        """,
    "tests/test_tiny.py": """
        import mlflow
        import tiny_team

        def test_run_ids(tmp_path):
            mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/db.sqlite")
            with mlflow.start_run() as run:
                pass
            assert tiny_team.run_id_of(run) == run.info.run_id

        def test_fails():
            assert mlflow.__version__ == "0"
        """,
}


@pytest.mark.mlflow
def test_a_team_repository_runs_its_tests_in_its_own_pinned_environment(tmp_path, script):
    repo = tmp_path / "tiny"
    for name, text in PROJECT.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(textwrap.dedent(text).lstrip())
    kept = ROOT / ".nox" / "test-team-repo"  # the environment survives between test runs, as the matrix's do
    kept.mkdir(parents=True, exist_ok=True)
    (repo / ".nox").symlink_to(kept)
    proc = subprocess.run([script, "matrix", "-s", "mlflow-2.9.2", "--", "--no-builtin"], cwd=repo,
                          env=clean_env(), capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    run = load_run(repo / "results" / "runs" / "mlflow-2.9.2.json")
    rows = {s.id: s for s in run.scenarios}
    # importing mlflow 2.9.2 warns (setuptools' pkg_resources deprecation, under mlflow): a row of its
    # own, which is not the tests' and not something the team's code can act on
    collection = rows.pop("tests.(collection)", None)
    assert collection is None or all(w["origin"] != "scenario" for w in collection.warnings)
    assert set(rows) == {"tests.tests/test_tiny.py::test_run_ids", "tests.tests/test_tiny.py::test_fails"}
    assert rows["tests.tests/test_tiny.py::test_run_ids"].status == "pass"
    assert rows["tests.tests/test_tiny.py::test_fails"].error["type"] == "AssertionError"
    assert run.install["environment"]["files"] == ["requirements.txt"]
    assert run.install["pin"]["source"] == "requirements.txt" and run.packages["pytest"] == "7.4.3"
    assert run.user_tests["paths"] == ["tests"] and run.user_tests["exit_code"] == 1
