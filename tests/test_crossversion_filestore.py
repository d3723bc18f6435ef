"""The file-store check group's orchestration, with scripted in-environment results (no MLflow).

What each step does inside an environment is checked on real releases in
tests/test_crossversion_filestore_real.py; here: which steps run in which
order and roles, what is compared, and how what the candidate's own
exception named (settings, a migration command) drives the next steps.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness import procs
from harness.crossversion import filestore, groups, pairing
from harness.crossversion.orchestrate import Called, Orchestrator

RECORDS = {"experiments": [{"name": "filestore-cross", "runs": [{"params": {"alpha": "0.5"}}]}],
           "registered_models": []}
REFUSAL = {
    "type": "MlflowException", "message": "refused; set `MLFLOW_ALLOW_X=true`; see `mlflow migrate-x`",
    "error_code": "INVALID_PARAMETER_VALUE", "named_env": {"MLFLOW_ALLOW_X": "true"},
    "named_commands": ["mlflow migrate-x"], "named_links": [], "named_uris": [],
}


class Scripted(Orchestrator):
    """An orchestrator whose in-environment steps and commands answer from a script."""

    def __init__(self, tmp: Path, refuse: dict | None = None, records: dict | None = None,
                 migrate_exit: int = 0) -> None:
        sides = {r: pairing.SideEnv(r, r, str(tmp / r / "bin" / "python"), v)
                 for r, v in (("baseline", "2.9.2"), ("candidate", "3.17.2"))}
        super().__init__(sides, tmp / "work", 30)
        self.refuse, self.records, self.migrate_exit = refuse, records or RECORDS, migrate_exit
        self.calls: list[tuple[str, str, str, dict]] = []
        self.commands: list[list[str]] = []

    def call(self, role, step, args, extra_env=None):
        sid = args[args.index("--id") + 1]
        dump_out = Path(args[args.index("--dump-out") + 1])
        env = dict(extra_env or {})
        self.calls.append((role, step, sid, env))
        refused = role == "candidate" and self.refuse and not env.get("MLFLOW_ALLOW_X") and "--uri" not in args
        if refused:
            result = {"id": sid, "status": "error", "observations": {"raised": self.refuse},
                      "error": {"type": self.refuse["type"], "message": self.refuse["message"]}, "duration_s": 0.1}
            return Called([result], None, None, "", 0.1)
        records = RECORDS if role == "baseline" or sid != "filestore.open_default" else self.records
        dump_out.write_text(json.dumps(records))
        if step == "filestore-write-into":
            filestore._before(dump_out).write_text(json.dumps(self.records))
        result = {"id": sid, "status": "pass", "error": None, "observations": {}, "duration_s": 0.1}
        return Called([result], None, None, "", 0.1)

    def execute(self, cmd, label, extra_env=None):
        self.commands.append(cmd)
        target = Path(cmd[cmd.index("--target") + 1].removeprefix("sqlite:///"))
        if self.migrate_exit == 0:
            target.write_bytes(b"")
        log = self.work / "steps" / f"{label}.log"
        log.write_text("migrated\n" if self.migrate_exit == 0 else "Error: no such option\n")
        return procs.Finished(self.migrate_exit, None, False, 0.2, log)


def flow(orch: Scripted) -> list[tuple[str, str, str, str]]:
    return [(s.id, s.from_role, s.to_role, s.status) for s in orch.steps]


def test_a_candidate_that_opens_the_store_is_compared_and_names_no_migration(tmp_path):
    orch = Scripted(tmp_path)
    filestore.orchestrate(orch)
    assert flow(orch) == [
        ("filestore.write", "baseline", "baseline", "pass"),
        ("filestore.open_default", "baseline", "candidate", "pass"),
        ("filestore.open_file_uri", "baseline", "candidate", "pass"),
        ("filestore.write_into", "baseline", "candidate", "pass"),
        ("filestore.read_back", "candidate", "baseline", "pass"),
        ("filestore.migrate", "baseline", "candidate", "skipped"),
        ("filestore.read_migrated", "baseline", "candidate", "skipped"),
        ("filestore.baseline_reads_migrated", "candidate", "baseline", "skipped"),
    ]
    assert [s.id for s in orch.steps] == list(filestore.STEPS)
    opened = orch.steps[1]
    assert opened.observations["records_identical"] is True
    assert "without an exception" in orch.steps[-1].reason and "3.17.2" in orch.steps[-1].reason
    # the store is reached by file URI in the environment, with the project path blanked in the record
    by_uri = orch.steps[2]
    assert by_uri.observations["env"] == {"MLFLOW_TRACKING_URI": "file://<project>/mlruns"}
    assert orch.calls[1][3] == {} and orch.calls[2][3]["MLFLOW_TRACKING_URI"].startswith("file:///")
    assert not orch.commands


def test_records_that_differ_fail_the_step_and_say_where(tmp_path):
    changed = {"experiments": [{"name": "filestore-cross", "runs": [{"params": {"alpha": "0.7"}}]}],
               "registered_models": []}
    orch = Scripted(tmp_path, records=changed)
    filestore.orchestrate(orch)
    opened = {s.id: s for s in orch.steps}["filestore.open_default"]
    assert opened.status == "fail" and opened.error["type"] == "RecordsDiffer"
    assert opened.observations["differences"] == ['$.experiments[0].runs[0].params.alpha: "0.5" != "0.7"']
    # write_into compares what it read before writing with the original; read_back
    # compares what the baseline reads with what the candidate left (here: the same)
    steps = {s.id: s for s in orch.steps}
    assert steps["filestore.write_into"].status == "fail"
    assert steps["filestore.read_back"].status == "pass"
    assert steps["filestore.read_back"].observations["records_identical"] is True


def test_what_the_refusal_names_drives_the_write_and_the_migration(tmp_path):
    orch = Scripted(tmp_path, refuse=REFUSAL)
    filestore.orchestrate(orch)
    assert flow(orch) == [
        ("filestore.write", "baseline", "baseline", "pass"),
        ("filestore.open_default", "baseline", "candidate", "error"),
        ("filestore.open_file_uri", "baseline", "candidate", "error"),
        ("filestore.write_into", "baseline", "candidate", "pass"),
        ("filestore.read_back", "candidate", "baseline", "pass"),
        ("filestore.migrate", "baseline", "candidate", "pass"),
        ("filestore.read_migrated", "baseline", "candidate", "pass"),
        ("filestore.baseline_reads_migrated", "candidate", "baseline", "pass"),
    ]
    steps = {s.id: s for s in orch.steps}
    assert steps["filestore.open_file_uri"].observations["raised"] == REFUSAL
    # the candidate writes with the setting its own message named; the baseline reads back without it
    write_env = [c[3] for c in orch.calls if c[2] == "filestore.write_into"][0]
    assert write_env["MLFLOW_ALLOW_X"] == "true"
    assert steps["filestore.write_into"].observations["env"]["MLFLOW_ALLOW_X"] == "true"
    assert "MLFLOW_ALLOW_X" not in [c[3] for c in orch.calls if c[2] == "filestore.read_back"][0]
    # the migration is the named command, run by the candidate's own CLI, onto a fresh sqlite file
    (cmd,) = orch.commands
    assert cmd[0] == orch.mlflow_cli("candidate") and cmd[1] == "migrate-x"
    assert cmd[2:4] == ["--source", str(tmp_path / "work" / "filestore" / "project")]
    assert steps["filestore.migrate"].observations["command"].startswith("mlflow migrate-x --source <work>/")
    migrated = [c for c in orch.calls if c[2] in ("filestore.read_migrated", "filestore.baseline_reads_migrated")]
    assert [c[0] for c in migrated] == ["candidate", "baseline"]


def test_a_failed_migration_is_an_error_with_its_output_and_skips_the_reads(tmp_path):
    orch = Scripted(tmp_path, refuse=REFUSAL, migrate_exit=2)
    filestore.orchestrate(orch)
    steps = {s.id: s for s in orch.steps}
    assert steps["filestore.migrate"].status == "error"
    assert steps["filestore.migrate"].observations["output_tail"] == "Error: no such option"
    assert {steps[s].status for s in ("filestore.read_migrated", "filestore.baseline_reads_migrated")} == {"skipped"}


def test_a_refusal_that_names_nothing_skips_the_migration_and_says_so(tmp_path):
    bare = {**REFUSAL, "named_env": {}, "named_commands": []}
    orch = Scripted(tmp_path, refuse=bare)
    filestore.orchestrate(orch)
    steps = {s.id: s for s in orch.steps}
    assert steps["filestore.write_into"].status == "error"
    assert steps["filestore.read_back"].status == "skipped"
    assert "raised MlflowException naming no migration command" in steps["filestore.migrate"].reason


def test_when_the_baseline_cannot_write_every_later_step_is_skipped_with_its_roles(tmp_path):
    class Broken(Scripted):
        def call(self, role, step, args, extra_env=None):
            return Called(None, "crashed", "process exited with code 1 without a result", "boom", 0.1)

    orch = Broken(tmp_path)
    filestore.orchestrate(orch)
    assert orch.steps[0].status == "crashed"
    assert [(s.id, s.from_role, s.to_role) for s in orch.steps[1:]] == [
        (sid, *filestore.FLOW.get(sid, ("baseline", "candidate"))) for sid in list(filestore.STEPS)[1:]
    ]
    assert {s.status for s in orch.steps[1:]} == {"skipped"}


def test_the_group_is_registered_with_its_step_functions():
    assert groups.by_name()["filestore"] is filestore.GROUP
    assert set(filestore.GROUP.in_env) <= set(groups.in_env_steps())
    assert groups.selected_groups(["filestore.migrate"]) == ["filestore"]


def test_skew_runs_the_file_store_group_for_every_other_candidate_only_by_default():
    import harness.noxfile as module  # the sessions the root noxfile registers (loading it again re-registers them)

    config = module.CONFIG

    def runs(posargs):
        calls = []

        class FakeSession:
            def install(self, *args, **kwargs):
                pass

            def run(self, *args, **kwargs):
                calls.append(list(args[4:]))  # after: python -m harness.crossversion run

            def chdir(self, path):
                import contextlib

                return contextlib.nullcontext()

            def install(self, *args, **kwargs):
                pass

        FakeSession.posargs = posargs
        module.skew(FakeSession())
        return calls

    extra = [spec for spec in config.versions[:-1] if spec != config.baseline]
    assert runs([]) == [[]] + [["--candidate", spec, "--only", "filestore"] for spec in extra]
    assert runs(["--only", "db"]) == [["--only", "db"]]
