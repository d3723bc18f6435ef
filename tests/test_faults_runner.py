"""Fault injection into the whole runner on a real MLflow: scenarios that raise,
crash, hang, leak a server, bind beyond loopback, leak secrets and temp files,
and an interrupt, as the run file and the partial file record them.

The sandbox's own cases (every crash code and signal, leftover children and
daemons, the loopback watch) and the capture's (every exception kind) are
unit-tested without MLflow: tests/test_sandbox.py, tests/test_capture.py.

All of it is ONE runner invocation in a real MLflow environment (a runner start
costs tens of seconds here): tests/fault_scenarios/runner_faults.py, ids
sorted, ends with a scenario that hangs until this module SIGINTs the runner.
So the per-scenario rows are read from the partial run file the interrupted
run keeps, and the interrupt row is checked on the same run.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness import net
from harness.cli import main
from harness.results.runs import load_run, save_run
from tests.factories import run_file, scenario
from tests.fault_scenarios._support import (
    FAULTS_DIR, harness_env, kill_all, noted_pids, snapshot, wait_dead, wait_for_file,
)
from tests.mlflow_envs import ROOT, real_env

pytestmark = pytest.mark.mlflow

LABEL = "faults"
SECRET = "tok-9f3c1e-DO-NOT-LEAK-7a1b"
CANARY = "canary-5d2e-plain-env-value"


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory, request):
    python, _ = real_env("3")
    base = tmp_path_factory.mktemp("faults")
    results_dir, tmpdir, out = base / "results", base / "tmpdir", base / "out"
    tmpdir.mkdir()
    # the previous complete run of this label: an interrupted run must not touch it
    previous = dataclasses.replace(run_file("3.0.0", [scenario("faults.previous.pass")]), label=LABEL)
    final = results_dir / "runs" / f"{LABEL}.json"
    save_run(previous, final)
    final_before = final.read_bytes()
    env = harness_env(TMPDIR=str(tmpdir), FAULTS_OUT=str(out), FAULTS_API_TOKEN=SECRET, FAULTS_CANARY=CANARY)
    stdout, stderr = base / "stdout.txt", base / "stderr.txt"
    with open(stdout, "w") as so, open(stderr, "w") as se:
        proc = subprocess.Popen(
            [python, "-m", "harness", "run", "--no-builtin",
             "--scenario-path", str(FAULTS_DIR / "runner_faults.py"),
             "--results-dir", str(results_dir), "--label", LABEL],
            cwd=ROOT, env=env, stdout=so, stderr=se,
        )
        try:
            try:
                hang = wait_for_file(out / "interrupt.json", proc, 900)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\nstdout:\n{stdout.read_text()[-3000:]}\nstderr:\n{stderr.read_text()[-3000:]}")
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
            # if the harness failed to clean up, the tests say so; the machine must not pay
            request.addfinalizer(lambda: kill_all(noted_pids(out)))
    partial_path = results_dir / "runs" / f"{LABEL}.partial.json"
    return SimpleNamespace(
        code=code, stdout=stdout.read_text(), stderr=stderr.read_text(), out=out, tmpdir=tmpdir,
        results_dir=results_dir, final=final, final_before=final_before, partial_path=partial_path,
        partial=load_run(partial_path) if partial_path.exists() else None,
        interrupted_pids=hang["pids"],
    )


def result(run, sid: str):
    assert run.partial is not None, f"no partial run file; stderr:\n{run.stderr[-3000:]}"
    found = run.partial.by_id()
    assert sid in found, f"{sid} missing; the run stopped early? stdout:\n{run.stdout[-3000:]}"
    return found[sid]


def note(run, name: str) -> dict:
    return json.loads((run.out / f"{name}.json").read_text())


def test_exceptions_are_errors_and_an_interrupt_inside_a_scenario_does_not_stop_the_run(faulty_run):
    r = result(faulty_run, "faults.exception.value_error")
    assert r.status == "error"
    assert r.error["type"] == "ValueError" and r.error["message"] == "boom: an ordinary failure"
    r = result(faulty_run, "faults.base.keyboard_interrupt")
    assert r.status == "error" and r.error["type"] == "KeyboardInterrupt"
    # the runner itself did not take the scenario's KeyboardInterrupt: every
    # scenario before the one interrupted on purpose has a result
    assert len(faulty_run.partial.scenarios) == faulty_run.stdout.count("] faults.")


def test_a_process_exit_is_crashed_with_its_code_and_output(faulty_run):
    r = result(faulty_run, "faults.crash.exit_3")
    assert r.status == "crashed"
    assert r.reason.splitlines()[0] == "process exited with code 3"
    assert "about to os._exit(3)" in r.reason  # the output's tail is kept


def test_hang_times_out_after_its_limit_and_its_tree_is_killed(faulty_run):
    r = result(faulty_run, "faults.hang.forever")
    assert r.status == "timeout"
    assert "no result within 3s" in r.reason
    assert 3 <= r.metrics["wall_s"] < 20
    # the scenario process, a child in its own session and a double-forked daemon
    assert wait_dead(note(faulty_run, "hang")["pids"]) == []


def test_a_server_left_running_is_killed_its_port_freed_and_noted(faulty_run):
    server = result(faulty_run, "faults.leak.server")
    leak = note(faulty_run, "leak_server")
    assert wait_dead([leak["pid"]]) == []
    assert net.bind_check(leak["port"]), f"port {leak['port']} is still bound after the run"
    with pytest.raises(OSError):
        socket.create_connection((net.HOST, leak["port"]), timeout=2).close()
    # what was left running is on record, not silently cleaned
    [left] = [w for w in server.warnings if w["category"] == "harness.LeftRunning"]
    assert "listening on 127.0.0.1" in left["message"]


def test_a_server_beyond_127_0_0_1_is_killed_and_recorded(faulty_run):
    r = result(faulty_run, "faults.listen.not_loopback")
    assert r.status == "error" and r.error["type"] == "NonLoopbackListen"
    assert "127.0.0.2" in r.error["message"]
    assert r.metrics["wall_s"] < 15  # killed when seen, not after its 30 s sleep
    seen = note(faulty_run, "not_loopback")
    assert wait_dead([seen["pid"]]) == []
    assert net.bind_check(seen["port"], "127.0.0.2")


def test_run_files_never_contain_secrets_from_the_environment(faulty_run):
    for path in faulty_run.results_dir.rglob("*.json"):
        assert SECRET not in path.read_text(), f"{path} contains the secret"
    raised = result(faulty_run, "faults.secret.in_error")
    assert raised.error["message"] == "server refused token <redacted:FAULTS_API_TOKEN>"
    crashed = result(faulty_run, "faults.secret.in_crash_output")
    assert crashed.status == "crashed" and "Bearer <redacted:FAULTS_API_TOKEN>" in crashed.reason
    # and the environment is not dumped: a plain (not secret-looking) variable is absent too
    assert CANARY not in faulty_run.partial_path.read_text()


def test_temporary_stores_and_dirs_are_removed(faulty_run):
    assert snapshot(faulty_run.tmpdir) == [], "the runner left entries in its TMPDIR"
    for path in note(faulty_run, "tmp_left_behind")["paths"]:
        assert not Path(path).exists()
    assert result(faulty_run, "faults.zz_after.store_still_works").status == "pass"


def test_sigint_keeps_the_previous_run_file_and_the_partial_apart(faulty_run):
    assert faulty_run.code == 130, faulty_run.stderr[-2000:]
    assert "interrupted:" in faulty_run.stderr and f"{LABEL}.json left as it was" in faulty_run.stderr
    assert faulty_run.final.read_bytes() == faulty_run.final_before
    partial = faulty_run.partial
    assert partial.run_status == "interrupted"
    ids = [s.id for s in partial.scenarios]
    assert "faults.zz_interrupt.hang" not in ids and "faults.previous.pass" not in ids
    assert ids == sorted(ids) and len(ids) == 10
    assert wait_dead(faulty_run.interrupted_pids) == []
    # no temporary atomic-write files left next to the run files
    assert sorted(p.name for p in faulty_run.final.parent.iterdir()) == [f"{LABEL}.json", f"{LABEL}.partial.json"]


def test_report_ignores_the_partial_file(faulty_run, capsys):
    assert main(["report", "--results-dir", str(faulty_run.results_dir)]) == 0
    out = capsys.readouterr().out
    assert "faults.previous.pass" in out and "faults.exception.value_error" not in out
    # named explicitly, it is still kept out, with one line; nothing usable -> exit 2
    assert main(["report", "--results-dir", str(faulty_run.results_dir), str(faulty_run.partial_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "interrupted run" in err[0] and str(faulty_run.partial_path) in err[0]
