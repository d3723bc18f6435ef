"""Versions that cannot be installed: a clear install-failure column, with the
installer's last lines, and the other versions still reported.

Real installs into a throwaway environment (the package index is asked; the
uv cache keeps it to seconds). Marked ``mlflow`` because they need the index.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from harness import envs
from harness.cli import main
from harness.config import CompanionRule
from harness.results.runs import INSTALL_FAILED, load_run
from tests.factories import run_file, scenario, write

pytestmark = pytest.mark.mlflow


@pytest.fixture(scope="module")
def empty_python(tmp_path_factory) -> str:
    venv = tmp_path_factory.mktemp("install") / "venv"
    uv = envs.find_uv()
    if uv is None:
        pytest.skip("uv is needed to build a throwaway environment quickly")
    subprocess.run([uv, "venv", "-q", "-p", "3.11", str(venv)], check=True)
    return envs.python_in(venv)


def _report(results_dir, capsys) -> str:
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    return capsys.readouterr().out


def test_nonexistent_version_gets_an_install_failure_column_and_others_report(
    empty_python, make_config, results_dir, capsys
):
    config = make_config(versions=("9.9.9", "3"))
    resolution = envs.resolve_and_install("9.9.9", empty_python, config, log=lambda *_: None)
    assert not resolution.ok
    assert "mlflow==9.9.9" in resolution.error  # the installer's own words
    path = envs.write_install_failure(resolution, config)
    failed = load_run(path)
    assert failed.run_status == INSTALL_FAILED and failed.spec == "9.9.9" and failed.scenarios == []
    # another version ran: both columns are in the report
    write(results_dir / "runs", run_file("3.17.2", [scenario("tracking.x")], spec="3"))
    out = _report(results_dir, capsys)
    assert "INSTALL FAILED: 9.9.9" in out and "mlflow==9.9.9" in out
    assert "tracking.x" in out and "3.17.2" in out
    columns = {c["label"]: c for c in json.loads((results_dir / "matrix.json").read_text())["columns"]}
    assert columns["mlflow-9.9.9"]["run_status"] == INSTALL_FAILED
    assert "mlflow==9.9.9" in columns["mlflow-9.9.9"]["install_error"]


def test_install_failing_midway_keeps_the_installers_last_lines(
    empty_python, make_config, results_dir, tmp_path, capsys
):
    # a requirement whose build fails (after mlflow and its dependencies resolved)
    broken = tmp_path / "broken-pkg"
    broken.mkdir()
    (broken / "setup.py").write_text(
        "import sys\nsys.stderr.write('boom-from-setup-py: cannot be built\\n')\nraise SystemExit(1)\n"
    )
    config = make_config(extra_requirements=(str(broken),))
    resolution = envs.resolve_and_install("3.17.2", empty_python, config, log=lambda *_: None)
    assert not resolution.ok
    assert "boom-from-setup-py: cannot be built" in resolution.error
    # a companion pin that cannot resolve
    config = make_config(companions=(CompanionRule(">=0", ("numpy<0.0.1",), "test"),))
    pinned = envs.resolve_and_install("3.17.2", empty_python, config, log=lambda *_: None)
    assert not pinned.ok and "numpy<0.0.1" in pinned.error
    # the environment was left as it was: nothing half-installed
    assert envs.installed_version(empty_python) is None
    envs.write_install_failure(resolution, config)
    write(results_dir / "runs", run_file("2.9.2", [scenario("tracking.x")]))
    out = _report(results_dir, capsys)
    assert "INSTALL FAILED: 3.17.2" in out
    assert "boom-from-setup-py" in (results_dir / "matrix.md").read_text()
