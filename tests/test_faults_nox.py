"""The matrix through nox, with a version that cannot be installed and a
SIGTERM to nox (a CI job being cancelled) in the middle of the next version.

One nox invocation in a throwaway ``--envdir`` (uv's cache makes the MLflow
install take seconds): ``MLFLOW_COMPAT_VERSIONS="9.9.9 3" nox -s matrix``
with the fault scenarios of tests/fault_scenarios/interrupt_faults.py.
"""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys

import pytest

from harness.cli import main
from harness.results.runs import INSTALL_FAILED, load_run, save_run
from tests.factories import run_file, scenario
from tests.fault_scenarios._support import (
    FAULTS_DIR, alive, kill_all, noted_pids, snapshot, wait_dead, wait_for_file,
)
from tests.mlflow_envs import ROOT, _clean_env

pytestmark = pytest.mark.mlflow

LABEL = "faults-nox"


def test_matrix_survives_an_uninstallable_version_and_sigterm_to_nox(tmp_path, capsys, request):
    results, out, tmpdir = tmp_path / "results", tmp_path / "out", tmp_path / "tmpdir"
    tmpdir.mkdir()
    runs = results / "runs"
    previous = dataclasses.replace(run_file("3.0.0", [scenario("faults.previous.pass")], spec="3"), label=LABEL)
    save_run(previous, runs / f"{LABEL}.json")
    before = (runs / f"{LABEL}.json").read_bytes()
    env = {**_clean_env(), "MLFLOW_COMPAT_VERSIONS": "9.9.9 3", "MLFLOW_COMPAT_RESULTS": str(results),
           "FAULTS_OUT": str(out), "TMPDIR": str(tmpdir)}
    log = tmp_path / "nox.log"
    with open(log, "w") as fh:
        nox = subprocess.Popen(
            [sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "--envdir", str(tmp_path / "envs"),
             "-s", "matrix", "--", "--no-builtin", "--scenario-path", str(FAULTS_DIR / "interrupt_faults.py"),
             "--label", LABEL],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
        )
        try:
            hang = wait_for_file(out / "nox_hang.json", nox, 900)
            nox.send_signal(signal.SIGTERM)  # to nox only, as a CI runner cancelling the job does
            code = nox.wait(timeout=120)
        finally:
            if nox.poll() is None:
                nox.kill()
            request.addfinalizer(lambda: kill_all(noted_pids(out)))
    text = log.read_text()
    assert code != 0, text[-3000:]
    # 9.9.9: a clear install-failure run file, written by the session's install-failure path
    failed = load_run(runs / "mlflow-9.9.9.json")
    assert failed.run_status == INSTALL_FAILED and "mlflow==9.9.9" in failed.install_error
    # and the next version ran: its first scenario finished before the SIGTERM
    assert "faults.interrupt.a_quick" in text and "Running session mlflow-3" in text
    # nox passed the interrupt on: the runner, its scenario and the scenario's child are gone
    assert wait_dead([hang["runner"], *hang["pids"]]) == [], text[-3000:]
    assert "interrupted: 1/2 scenarios kept in" in text
    # previous complete file untouched; partial results kept apart
    assert (runs / f"{LABEL}.json").read_bytes() == before
    partial = load_run(runs / f"{LABEL}.partial.json")
    assert partial.run_status == "interrupted" and [s.id for s in partial.scenarios] == ["faults.interrupt.a_quick"]
    assert [n for n in snapshot(tmpdir) if n.startswith("mlflow-compat-") or n.endswith(".json")] == []
    # the report (which nox never reached) shows the failure column and the
    # previous complete run, not the partial one
    assert main(["report", "--results-dir", str(results)]) == 0
    shown = capsys.readouterr().out
    assert "INSTALL FAILED: 9.9.9" in shown and "faults.previous.pass" in shown
    assert "faults.interrupt.a_quick" not in shown
    assert not alive(hang["runner"])
