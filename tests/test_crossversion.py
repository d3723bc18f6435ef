"""Cross-version logic with hand-written result files: schema, pairing, advice, rendering, wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.analysis import crossadvice as advice
from harness.crossversion import groups, orchestrate, pairing, server
from harness.report import cross as render
from harness.results import cross
from harness.results.cross import CrossResult, Side, StepResult
from harness.errors import ResultsError
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
B, C = "2.9.2", "3.17.2"


def step(sid: str, frm: str, to: str, status: str = "pass", **obs) -> StepResult:
    error = None if status in ("pass", "skipped") else {"type": "MlflowException", "message": f"{sid} broke"}
    return StepResult(sid, sid.split(".")[0], frm, to, status, 0.5, error, dict(obs),
                      "not run" if status == "skipped" else None)


def result(*steps: StepResult) -> CrossResult:
    return CrossResult(Side("2.9", B), Side("3", C), "2026-11-27T03:00:00Z", 10.0, list(steps))


def grid(old_to_new: str = "pass", new_to_old: str = "pass", controls: str = "pass") -> list[StepResult]:
    """server.* steps: (server, client) -> status; old_to_new is the baseline client on the candidate server."""
    statuses = {("baseline", "baseline"): controls, ("candidate", "candidate"): controls,
                ("candidate", "baseline"): old_to_new, ("baseline", "candidate"): new_to_old}
    out = []
    for (srv, client), status in statuses.items():
        out.append(step("server.tracking", srv, client))
        extra = {"failed_op": "log_model"} if status != "pass" else {}
        out.append(step("server.registry", srv, client, status, **extra))
    return out


# -- schema --------------------------------------------------------------
def test_result_file_round_trips(tmp_path):
    path = tmp_path / "cross" / cross.file_name(B, C)
    cross.save(result(step("db.fill", "baseline", "baseline", counts={"runs": 4})), path)
    loaded = cross.load(path)
    assert loaded.baseline.mlflow_version == B and loaded.candidate.spec == "3"
    assert loaded.get("db.fill", "baseline", "baseline").observations == {"counts": {"runs": 4}}
    raw = json.loads(path.read_text())
    assert raw["schema_version"] == 1 and raw["steps"][0]["from"] == "baseline"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: "{not json", "corrupt JSON"),
    (lambda d: {**d, "schema_version": 9}, "schema_version 9 is not supported"),
    (lambda d: {k: v for k, v in d.items() if k != "steps"}, "missing field 'steps'"),
    (lambda d: {**d, "steps": [{**d["steps"][0], "status": "meh"}]}, "unknown status 'meh'"),
    (lambda d: {**d, "steps": [{**d["steps"][0], "to": "nobody"}]}, "to='nobody'"),
    (lambda d: {**d, "kind": "run"}, "not a cross-version result file"),
])
def test_corrupt_result_files_are_one_clear_error(tmp_path, mutate, message):
    data = result(step("db.fill", "baseline", "baseline")).to_dict()
    path = factories.write_raw(tmp_path / "bad.json", mutate(data))
    with pytest.raises(ResultsError) as info:
        cross.load(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_show_command_reports_a_corrupt_file_in_one_line(tmp_path, capsys):
    from harness.crossversion.cli import main

    path = factories.write_raw(tmp_path / "bad.json", "{")
    assert main(["show", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlflow-compat:") and err.count("\n") == 1 and "Traceback" not in err


def test_an_interpreter_that_does_not_exist_is_one_line(tmp_path, capsys, monkeypatch):
    from harness.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["skew", "--results-dir", str(tmp_path / "results"), "--baseline-python", "nope/bin/python",
                 "--candidate-python", "nope/bin/python"]) == 2
    err = capsys.readouterr().err
    assert err == "mlflow-compat: --baseline-python nope/bin/python: no such interpreter\n"


# -- pairing -------------------------------------------------------------
def test_pair_is_default_baseline_and_newest_candidate(make_config):
    config = make_config(versions=("2.9", "2.22", "3"), baseline="2.9")
    assert pairing.pick_pair(config) == ("2.9", "3")
    assert pairing.pick_pair(config, candidate="2.22") == ("2.9", "2.22")
    assert pairing.pick_pair(make_config(versions=("3",), baseline="3")) is None


def test_env_dir_is_the_one_nox_creates_for_the_version_session(tmp_path):
    from nox.sessions import _normalize_path

    for spec in ("2.9", "3", "3.1.4"):
        assert pairing.session_env_dir(spec, tmp_path) == Path(_normalize_path(str(tmp_path), f"mlflow-{spec}"))


def test_only_selects_groups_by_name_or_step_id():
    assert groups.selected_groups([]) == ["artifacts", "db", "server", "filestore"]
    assert groups.selected_groups(["db"]) == ["db"]
    assert groups.selected_groups(["server.*", "artifacts.pyfunc.load"]) == ["artifacts", "server"]
    assert groups.selected_groups(["nothing"]) == []


def test_diff_json_names_what_changed():
    before = {"runs": [{"params": {"a": "1"}, "tags": {"t": "x"}}]}
    after = {"runs": [{"params": {"a": "2"}, "tags": {}}]}
    diffs = orchestrate.diff_json(before, after)
    assert "$.runs[0].params.a: \"1\" != \"2\"" in diffs and "$.runs[0].tags.t: missing after" in diffs
    assert orchestrate.diff_json(before, before) == []


# -- advice --------------------------------------------------------------
@pytest.mark.parametrize("old_to_new, new_to_old, expected", [
    ("pass", "error", "Upgrade servers first"),
    ("error", "pass", "Upgrade clients first"),
    ("pass", "pass", "either order"),
    ("error", "error", "together"),
])
def test_upgrade_order_comes_from_the_grid(old_to_new, new_to_old, expected):
    items = advice.upgrade_order(result(*grid(old_to_new, new_to_old)))
    assert len(items) == 1 and items[0].summary.startswith("Upgrade")
    assert expected in items[0].summary
    if "error" in (old_to_new, new_to_old) and expected != "together":
        assert "at log_model" in items[0].summary


def test_upgrade_order_is_inconclusive_when_a_same_version_control_fails():
    items = advice.upgrade_order(result(*grid("pass", "error", controls="error")))
    assert "inconclusive" in items[0].summary
    assert advice.upgrade_order(result(step("db.fill", "baseline", "baseline"))) == []


def test_database_advice_says_back_up_and_restore_when_rollback_cannot_read():
    r = result(
        step("db.open_without_upgrade", "baseline", "candidate", schema_revision_before="a1", schema_revision_after="b2"),
        step("db.baseline_opens_upgraded", "candidate", "baseline", "error"),
        step("db.restore_backup", "baseline", "baseline"),
    )
    summaries = [a.summary for a in advice.database(r)]
    assert any("migrated" in s and "a1 -> b2" in s for s in summaries)
    rollback = [s for s in summaries if "cannot open" in s]
    assert rollback and "back up the database before upgrading" in rollback[0]
    assert "restoring that backup" in rollback[0] and "restored backup read back every record" in rollback[0]
    ok = advice.database(result(step("db.baseline_opens_upgraded", "candidate", "baseline")))
    assert "still reads" in ok[0].summary


def test_artifact_advice_names_the_failing_direction_and_the_workaround():
    r = result(
        step("artifacts.sklearn_default.log", "candidate", "candidate", serialization_format="skops"),
        step("artifacts.sklearn_default.load", "candidate", "candidate"),
        step("artifacts.sklearn_default.load", "candidate", "baseline", "error"),
        step("artifacts.sklearn_cloudpickle.load", "candidate", "baseline"),
        step("artifacts.sklearn_default.load", "baseline", "candidate"),
    )
    [item] = advice.artifacts(r)
    assert f"logged by mlflow {C}, saved as skops cannot be loaded by {B}" in item.summary
    assert "serialization_format='cloudpickle'" in item.summary


# -- rendering -----------------------------------------------------------
def test_markdown_shows_the_client_server_grid_and_why():
    r = result(*grid("pass", "error"), step("db.fill", "baseline", "baseline"))
    text = render.to_markdown(r, advice.derive(r))
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| client ")}
    assert f"server {B}" in text and f"server {C}" in text
    # new client against the old server: registry failed at log_model
    assert rows[f"client {C}"].split("|")[2].strip() == "pass · error (at log_model: MlflowException)"
    assert rows[f"client {B}"].split("|")[3].strip() == "pass · pass"
    assert f"`server.registry` {B} → {C}: **error** at `log_model`" in text
    assert "Upgrade servers first" in text


def test_report_adds_the_cross_section_and_json(make_config, results_dir):
    from harness.cli import main

    factories.write(results_dir / "runs", factories.run_file("2.9.2", [factories.scenario("tracking.a")], spec="2.9"))
    cross.save(result(*grid("error", "pass")), results_dir / "cross" / cross.file_name(B, C))
    factories.write_raw(results_dir / "cross" / "broken.json", "{")
    assert main(["report", "--results-dir", str(results_dir), "--quiet"]) == 0
    md = (results_dir / "matrix.md").read_text()
    assert "## Cross-version: mlflow 2.9.2 (baseline)" in md and "Upgrade clients first" in md
    assert "broken.json: corrupt JSON" in md
    data = json.loads((results_dir / "matrix.json").read_text())
    assert data["cross"][0]["candidate"]["mlflow_version"] == C
    assert data["cross"][0]["advice"][0]["topic"] == "upgrade_order"


def test_matrix_session_runs_skew_after_versions_and_before_report():
    import harness.noxfile as module  # the sessions the root noxfile registers (loading it again re-registers them)

    calls = []

    class FakeSession:
        posargs = ["--only", "tracking.*"]

        def log(self, *args):
            pass

        def notify(self, name, posargs=None):
            calls.append((name, posargs))

    module.matrix(FakeSession())
    names = [name for name, _ in calls]
    assert names[-3:] == ["skew", "api", "report"] and all(n.startswith("mlflow-") for n in names[:-3])
    assert dict(calls)["skew"] == []  # per-version --only globs do not apply to skew


def test_advice_from_a_results_dir_is_what_guidance_consumes(results_dir):
    cross.save(result(*grid("pass", "error")), results_dir / "cross" / cross.file_name(B, C))
    factories.write_raw(results_dir / "cross" / "broken.json", "[]")
    found, problems = cross.load_all(cross.files_in(results_dir / "cross"))
    items = advice.for_results(found)
    assert [i.topic for i in items] == ["upgrade_order"] and items[0].pair == (B, C)
    assert all("\n" not in i.summary for i in items)
    assert len(problems) == 1 and "broken.json" in problems[0]


def test_a_server_that_does_not_start_is_an_error_with_its_output_and_skips_its_clients(tmp_path):
    # a stand-in ``mlflow`` script (no MLflow involved: this checks the orchestrator's handling)
    bin_dir = tmp_path / "env" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "mlflow"
    script.write_text('#!/bin/sh\necho "RuntimeError: no such backend"\nexit 3\n')
    script.chmod(0o755)
    sides = {role: pairing.SideEnv(role, "0", str(bin_dir / "python"), "0.0") for role in ("baseline", "candidate")}
    orch = orchestrate.Orchestrator(sides, tmp_path / "work", 30)
    server.orchestrate(orch)
    starts = [s for s in orch.steps if s.id == "server.start"]
    assert [s.status for s in starts] == ["error", "error"]
    assert starts[0].error == {"type": "ServerDidNotStart", "message": "server exited with code 3 before /health answered"}
    assert starts[0].observations["output_tail"] == "RuntimeError: no such backend"
    assert starts[0].observations["command"].startswith("mlflow server --backend-store-uri sqlite:///<work>/")
    assert {s.status for s in orch.steps if s.id != "server.start"} == {"skipped"}


# -- check groups and in-environment checks ------------------------------
def test_every_group_names_its_steps_and_in_env_functions_once():
    names = [g.name for g in groups.GROUPS]
    assert names == ["artifacts", "db", "server", "filestore"]
    for group in groups.GROUPS:
        assert group.steps and all(sid.startswith(group.name + ".") for sid in group.steps)
    in_env = [name for g in groups.GROUPS for name in g.in_env]
    assert len(in_env) == len(set(in_env)) == len(groups.in_env_steps())


def test_a_new_group_is_one_registration_away(monkeypatch, tmp_path):
    from harness.crossversion import cli
    from harness.crossversion.orchestrate import Group

    seen = {}
    extra = Group(name="extra", steps={"extra.read": "reads a store"}, orchestrate=lambda orch: None,
                  in_env={"extra-read": lambda args: seen.setdefault("store", args.store) and []},
                  step_options={"--store": {"type": Path}, "--role": {}})
    monkeypatch.setattr(groups, "GROUPS", (*groups.GROUPS, extra))
    assert groups.selected_groups(["extra.*"]) == ["extra"]
    args = cli.build_parser().parse_args(["step", "extra-read", "--out", str(tmp_path / "o.json"),
                                          "--store", str(tmp_path), "--role", "baseline"])
    assert groups.in_env_steps()[args.name](args) == [] and seen["store"] == tmp_path


def test_a_check_records_how_its_body_ended_and_what_it_warned():
    import logging
    import warnings

    from harness.crossversion.inenv import check

    def body(obs):
        obs["seen"] = 1
        warnings.warn("old", FutureWarning)
        logging.getLogger("mlflow.store").warning("logged " + "x" * 300)
        raise ValueError("broke")

    result = check("db.fill", body, **{"from": "baseline"})
    assert (result["id"], result["from"], result["status"]) == ("db.fill", "baseline", "error")
    assert result["error"] == {"type": "ValueError", "message": "broke"}
    obs = result["observations"]
    assert obs["seen"] == 1 and "ValueError: broke" in obs["traceback_tail"]
    assert obs["warnings"][0] == "FutureWarning: old" and len(obs["warnings"][1]) == 240
    failed = check("db.fill", lambda obs: (_ for _ in ()).throw(AssertionError("differs")))
    assert failed["status"] == "fail" and "traceback_tail" not in failed["observations"]
    assert check("db.fill", lambda obs: None)["status"] == "pass"


def test_an_interrupt_inside_a_check_ends_the_step_instead_of_being_recorded():
    from harness.crossversion.inenv import check

    def body(obs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("server.tracking", body)


@pytest.mark.parametrize("script, status, reason", [
    ("echo 'Traceback: boom'; exit 3", "crashed", "process exited with code 3 without a result"),
    ("kill -SEGV $$", "crashed", "killed by signal 11"),
    ("sleep 30", "timeout", "no result within 1s; process tree killed"),
])
def test_a_step_process_that_writes_no_result_is_recorded_as_how_it_ended(tmp_path, script, status, reason):
    # a stand-in interpreter for the side (no MLflow: this checks the plumbing)
    python = tmp_path / "env" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\n{script}\n")
    python.chmod(0o755)
    sides = {role: pairing.SideEnv(role, "0", str(python), "0.0") for role in ("baseline", "candidate")}
    orch = orchestrate.Orchestrator(sides, tmp_path / "work", 1)
    called = orch.call("baseline", "db-dump", ["--id", "db.fill"])
    assert (called.results, called.status, called.reason) == (None, status, reason)
    step = orch.add_from(None, "db.fill", "baseline", "baseline", called)
    assert (step.status, step.reason, step.error) == (status, reason, {"type": status, "message": reason})
    if status == "crashed" and "code 3" in reason:
        assert step.observations == {"output_tail": "Traceback: boom"}
