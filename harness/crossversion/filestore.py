"""Check group ``filestore``: a ``./mlruns`` file store written by the baseline, opened,
read and written by the candidate, read back by the baseline.

The baseline writes a project directory the way a 2.x user has it: its
default store (``./mlruns`` when that default is a file store; otherwise
``./mlruns`` set explicitly, and ``configured`` says so) with an experiment,
runs with params/metrics/tags, a deleted run, an artifact, a logged model and
a registered model with an alias and tags. Then, each time on the store
exactly as the baseline left it (restored from a pristine copy at the same
path, so the absolute artifact URIs the store holds stay true):

- the candidate opens it with nothing configured (``open_default``) and with
  ``MLFLOW_TRACKING_URI=file:...`` (``open_file_uri``): every record dumped
  and compared with what the baseline wrote, every registered model loaded;
- the candidate writes into it (``write_into``: a run, a model, a new model
  version), with the environment settings its own refusal named, if it
  refused; the baseline reads it back (``read_back``);
- if the candidate's refusal named a migration command, it migrates the store
  to sqlite (``migrate``), reads every record from the result
  (``read_migrated``), and the baseline tries to open that database
  (``baseline_reads_migrated``: rolling back after migrating).

An exception that stops a step is recorded as the ``raised`` observation
(``harness.remedies.describe_raised``): its type, message and what the
message names (``named_env``, ``named_commands``, ``named_links``,
``named_uris``). Nothing here knows what any
version does: the ways out come from the candidate's own message.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

from harness import procs
from harness.crossversion.inenv import check, client as tracking_client, iris
from harness.crossversion.orchestrate import Group, Orchestrator, diff_json
from harness.outcomes import Status

NAME = "filestore"
STEPS = {
    "filestore.write": "the baseline writes runs, an artifact, a model and registry entries to ./mlruns",
    "filestore.open_default": "the candidate, nothing configured, in that directory: every record, every model",
    "filestore.open_file_uri": "the candidate with MLFLOW_TRACKING_URI=file:.../mlruns: every record, every model",
    "filestore.write_into": "the candidate (with the settings its refusal named, if any) reads, then writes into it",
    "filestore.read_back": "the baseline reads everything back after the candidate wrote",
    "filestore.migrate": "the migration command the candidate's refusal named, to sqlite",
    "filestore.read_migrated": "the candidate reads every record and model from the migrated database",
    "filestore.baseline_reads_migrated": "the baseline opens the migrated database (rolling back after migrating)",
}
#: who wrote what a step used and who used it, where that is not baseline -> candidate
FLOW = {"filestore.write": ("baseline", "baseline"), "filestore.read_back": ("candidate", "baseline"),
        "filestore.baseline_reads_migrated": ("candidate", "baseline")}
MODEL = "filestore-model"
EXPERIMENT = "filestore-cross"
#: how the migration command is invoked: its options as ``mlflow migrate-filestore``
#: defines them in 3.17.2 (store/fs2db/cli.py: ``--source`` the directory holding
#: mlruns/, ``--target`` a sqlite URI of a file that does not exist yet)
MIGRATE_OPTIONS = ("--source", "{project}", "--target", "sqlite:///{target}")
MIGRATED_DB = "migrated.db"


# -- orchestration (nox's interpreter) ---------------------------------------
class _Layout:
    """The project directory every step uses, and the pristine copy it is restored from."""

    def __init__(self, orch: Orchestrator) -> None:
        self.root = orch.work / NAME
        self.project = self.root / "project"
        self.pristine = self.root / "pristine"
        self.project.mkdir(parents=True)

    def restore(self) -> None:
        shutil.rmtree(self.project)
        shutil.copytree(self.pristine, self.project, symlinks=True)

    def dump(self, name: str) -> Path:
        return self.root / f"dump-{name}.json"


def _open(orch: Orchestrator, lay: _Layout, sid: str, compare_to: dict | None, *, step: str = "filestore-open",
          uri: str | None = None, env: dict[str, str] | None = None) -> tuple[Any, dict | None]:
    """The step's reader (``FLOW``) runs ``step`` over the project; its records are compared with ``compare_to``."""
    from_role, role = _flow(sid)
    dump_path = lay.dump(sid.split(".")[1])
    args = ["--project", str(lay.project), "--dump-out", str(dump_path), "--id", sid]
    if uri:
        args += ["--uri", uri]
    called = orch.call(role, step, args, env)
    found = called.by_id().get(sid)
    dumped = json.loads(dump_path.read_text()) if dump_path.exists() else None
    if found is not None:
        obs = found.setdefault("observations", {})
        if env:
            obs["env"] = {k: v.replace(str(lay.project), "<project>") for k, v in env.items()}
        # write-into compares what the candidate read *before* it wrote
        before = _before(dump_path)
        reference = json.loads(before.read_text()) if before.exists() else dumped
        if compare_to is not None and reference is not None:
            differences = diff_json(compare_to, reference)
            obs["records_identical"] = not differences
            if differences:
                obs["differences"] = differences
                if found["status"] == Status.PASS:
                    found["status"] = Status.FAIL
                    found["error"] = {"type": "RecordsDiffer",
                                      "message": f"{len(differences)} difference(s), first: {differences[0]}"}
    return orch.add_from(found, sid, from_role, role, called), dumped


def _before(dump_path: Path) -> Path:
    """Where ``write-into`` puts the records it read before writing."""
    return dump_path.with_name("before-" + dump_path.name)


def _flow(sid: str) -> tuple[str, str]:
    return FLOW.get(sid, ("baseline", "candidate"))


def _skip(orch: Orchestrator, sids: Any, reason: str) -> None:
    for sid in sids:
        orch.skip([sid], *_flow(sid), reason)


def _named(step: Any, key: str) -> Any:
    """What the refusal recorded on ``step`` named under ``key`` (empty when none)."""
    raised = (step.observations or {}).get("raised") or {}
    return raised.get(key) or ({} if key == "named_env" else [])


def _migrate(orch: Orchestrator, lay: _Layout, command: str) -> Any:
    """The candidate's CLI runs the migration its refusal named, onto a new sqlite file."""
    target = lay.root / MIGRATED_DB
    words = command.split()
    if words[:3] == ["python", "-m", "mlflow"]:
        words = words[2:]
    options = [o.format(project=lay.project, target=target) for o in MIGRATE_OPTIONS]
    cmd = [orch.mlflow_cli("candidate"), *words[1:], *options]
    ended = orch.execute(cmd, "filestore-migrate-candidate")
    obs = {"command": " ".join(["mlflow", *cmd[1:]]).replace(str(orch.work), "<work>"),
           "named_command": command, "exit_code": ended.returncode,
           "output_tail": procs.output_tail(ended.log, 8).replace(str(orch.work), "<work>")}
    if ended.returncode == 0 and target.exists():
        return orch.add("filestore.migrate", "baseline", "candidate", Status.PASS, duration=ended.seconds,
                        observations=obs)
    if ended.returncode is None:
        return orch.add("filestore.migrate", "baseline", "candidate", Status.TIMEOUT, duration=ended.seconds,
                        observations=obs, reason=f"no result within {orch.timeout:g}s",
                        error={"type": str(Status.TIMEOUT), "message": "the migration hung"})
    return orch.add("filestore.migrate", "baseline", "candidate", Status.ERROR, duration=ended.seconds,
                    observations=obs, error={"type": f"exit code {ended.returncode}",
                                             "message": procs.output_tail(ended.log, 3)})


def orchestrate(orch: Orchestrator) -> None:
    lay = _Layout(orch)
    written, original = _open(orch, lay, "filestore.write", None, step="filestore-write")
    if written.status != Status.PASS or original is None:
        _skip(orch, [s for s in STEPS if s != "filestore.write"], "the baseline could not write the file store")
        return
    shutil.copytree(lay.project, lay.pristine, symlinks=True)
    file_uri = (lay.project / "mlruns").as_uri()
    opened = _open(orch, lay, "filestore.open_default", original)[0]
    lay.restore()
    by_uri = _open(orch, lay, "filestore.open_file_uri", original, env={"MLFLOW_TRACKING_URI": file_uri})[0]
    refused = by_uri if "raised" in by_uri.observations else opened
    named_env = _named(refused, "named_env")
    lay.restore()
    wrote, after = _open(orch, lay, "filestore.write_into", original, step="filestore-write-into",
                         env={"MLFLOW_TRACKING_URI": file_uri, **named_env})
    if wrote.status in (Status.PASS, Status.FAIL) and after is not None:
        _open(orch, lay, "filestore.read_back", after, env={"MLFLOW_TRACKING_URI": file_uri})
    else:
        _skip(orch, ["filestore.read_back"], "the candidate could not write into the store")
    commands = [c for c in _named(refused, "named_commands") if "mlflow" in c.split()[:3]]
    later = ("filestore.migrate", "filestore.read_migrated", "filestore.baseline_reads_migrated")
    if not commands:
        raised = refused.observations.get("raised")
        why = f"raised {raised['type']} naming no migration command" if raised \
            else "opened the file store without an exception; it named no migration"
        _skip(orch, later, f"mlflow {orch.sides['candidate'].version} {why}")
        return
    lay.restore()
    if _migrate(orch, lay, commands[0]).status != Status.PASS:
        _skip(orch, later[1:], "the migration did not complete")
        return
    sqlite_uri = f"sqlite:///{lay.root / MIGRATED_DB}"
    _open(orch, lay, "filestore.read_migrated", original, uri=sqlite_uri)
    _open(orch, lay, "filestore.baseline_reads_migrated", original, uri=sqlite_uri)


# -- inside an environment ---------------------------------------------------
def _op(obs: dict[str, Any], name: str, fn: Callable[[], Any]) -> Any:
    """Run one operation, leaving ``failed_op`` behind if it raises."""
    obs["failed_op"] = name
    value = fn()
    obs.setdefault("ops", []).append(name)
    del obs["failed_op"]
    return value


def _store_uri(obs: dict[str, Any], project: Path) -> str:
    import mlflow

    uri = mlflow.get_tracking_uri()
    obs["store_uri"] = str(uri).replace(str(project), "<project>").replace(str(project.parent), "<filestore>")
    return uri


def _full_dump(uri: str) -> dict[str, Any]:
    """Every record (``database.dump``) plus each run's root artifacts and its notes."""
    from mlflow.entities import ViewType

    from harness.crossversion.database import dump

    dumped = dump(uri)
    client = tracking_client(uri)
    artifacts = {}
    for exp in client.search_experiments(view_type=ViewType.ALL):
        for run in client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=1000):
            rid = run.info.run_id
            artifacts[rid] = sorted(f.path for f in client.list_artifacts(rid))
    dumped["artifacts"] = dict(sorted(artifacts.items()))
    return dumped


def _predictions_file(project: Path) -> Path:
    return project.parent / "expected.json"


def _load_models(uri: str, project: Path, obs: dict[str, Any]) -> None:
    """Load every registered version and the aliases; predictions must match the writer's."""
    import numpy as np

    from harness.adapters import pick_adapter

    adapter = pick_adapter()
    expected = json.loads(_predictions_file(project).read_text())
    client = tracking_client(uri)
    uris = [f"models:/{MODEL}/{v.version}" for v in client.search_model_versions(f"name='{MODEL}'")]
    uris += [f"models:/{MODEL}@{alias}" for alias in ("champion", "candidate")
             if alias in _aliases_of(client)]
    loads: dict[str, str] = {}
    for model_uri in sorted(uris):
        try:
            got = adapter.load_pyfunc(model_uri).predict(np.asarray(expected["input"]))
            same = np.asarray(got).ravel().tolist() == expected["predictions"]
            loads[model_uri] = "pass" if same else "predictions differ"
        except Exception as exc:  # noqa: BLE001 - each model's outcome is recorded
            loads[model_uri] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    obs["model_loads"] = loads
    broken = {u: r for u, r in loads.items() if r != "pass"}
    assert not broken, f"{len(broken)} of {len(loads)} model(s) did not load as written: " + "; ".join(
        f"{u}: {r}" for u, r in broken.items())


def _aliases_of(client: Any) -> set[str]:
    model = client.get_registered_model(MODEL)
    aliases = model.aliases
    return set(aliases) if isinstance(aliases, dict) else {a.alias for a in aliases or []}


def _fit() -> Any:
    from sklearn.linear_model import LogisticRegression

    X, y = iris()
    return LogisticRegression(max_iter=500).fit(X.to_numpy(), y), X.head(5).to_numpy()


def _write_store(obs: dict[str, Any], project: Path) -> None:
    """What a user's project holds: runs (one deleted), params, metrics, tags, an artifact,
    a model, and a registered model with an alias and tags."""
    import mlflow

    from harness.adapters import pick_adapter

    adapter = pick_adapter()
    model, sample = _fit()
    exp = _op(obs, "create_experiment", lambda: mlflow.create_experiment(EXPERIMENT, tags={"team": "compat"}))
    mlflow.set_experiment(experiment_id=exp)
    with mlflow.start_run(run_name="train") as run:
        mlflow.log_params({"alpha": "0.5", "solver": "lbfgs"})
        for step, value in enumerate([0.5, 0.7, 0.9]):
            mlflow.log_metric("accuracy", value, step=step)
        mlflow.set_tags({"stage": "test"})
        mlflow.log_text("hello", "notes.txt")
        logged = _op(obs, "log_model", lambda: adapter.log_sklearn_model(model, "model", pip_requirements=["mlflow"]))
    with mlflow.start_run(run_name="discarded") as gone:
        mlflow.log_param("alpha", "9")
    _op(obs, "delete_run", lambda: mlflow.tracking.MlflowClient().delete_run(gone.info.run_id))
    version = _op(obs, "register_model", lambda: adapter.register_model(logged.model_uri, MODEL))
    _op(obs, "set_alias", lambda: adapter.set_alias(MODEL, "champion", version))
    _op(obs, "set_version_tag", lambda: adapter.set_version_tag(MODEL, version, "validated", "true"))
    _predictions_file(project).write_text(json.dumps(
        {"input": sample.tolist(), "predictions": model.predict(sample).tolist(), "run_id": run.info.run_id}))


def _write_into(obs: dict[str, Any], project: Path) -> None:
    """The candidate adds a run with a model, and a new version of the baseline's model."""
    import mlflow

    from harness.adapters import pick_adapter

    adapter = pick_adapter()
    model, _ = _fit()
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name="candidate"):
        mlflow.log_params({"alpha": "0.25"})
        mlflow.log_metric("accuracy", 0.95, step=0)
        mlflow.log_text("from the candidate", "notes.txt")
        logged = _op(obs, "log_model", lambda: adapter.log_sklearn_model(model, "model", pip_requirements=["mlflow"]))
    version = _op(obs, "register_model", lambda: adapter.register_model(logged.model_uri, MODEL))
    _op(obs, "set_alias", lambda: adapter.set_alias(MODEL, "candidate", version))


def _in_project(action: str, args: Any) -> list[dict[str, Any]]:
    """``write`` / ``open`` / ``write-into`` in the project directory, dumping every record."""
    from harness.remedies import describe_raised

    project: Path = args.project
    os.chdir(project)
    if args.uri:
        os.environ["MLFLOW_TRACKING_URI"] = args.uri

    def body(obs: dict[str, Any]) -> None:
        import mlflow

        try:
            if action == "write" and not str(mlflow.get_tracking_uri()).startswith("file:"):
                mlflow.set_tracking_uri("./mlruns")
                obs["configured"] = "./mlruns"
            elif action == "write":
                obs["configured"] = "default"
            uri = _store_uri(obs, project)
            if action == "write":
                _write_store(obs, project)
            elif action == "write-into":
                before = _op(obs, "read_records", lambda: _full_dump(uri))
                _before(args.dump_out).write_text(json.dumps(before, indent=1, sort_keys=True))
                _write_into(obs, project)
            dumped = _op(obs, "read_records", lambda: _full_dump(uri))
        except Exception as exc:
            obs["raised"] = describe_raised(exc)
            raise
        args.dump_out.write_text(json.dumps(dumped, indent=1, sort_keys=True))
        _op(obs, "load_models", lambda: _load_models(uri, project, obs))

    return [check(args.id, body)]


GROUP = Group(
    name=NAME,
    steps=STEPS,
    orchestrate=orchestrate,
    in_env={
        "filestore-write": lambda args: _in_project("write", args),
        "filestore-open": lambda args: _in_project("open", args),
        "filestore-write-into": lambda args: _in_project("write-into", args),
    },
    step_options={"--project": {"type": Path}, "--dump-out": {"type": Path}, "--id": {}, "--uri": {}},
)
