"""Check group ``db``: a sqlite tracking store written by one version, opened by the other.

The baseline creates and fills a store; the candidate opens a copy without
``mlflow db upgrade``, then ``mlflow db upgrade`` runs with the candidate, the
candidate reads every record, the baseline opens the upgraded store (rollback)
and finally the backup taken before the upgrade. Every open dumps every record
(``db-dump``), compared with what the baseline wrote; schema revisions and row
counts are read with sqlite3, without MLflow.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from harness import procs
from harness.crossversion.inenv import check, client as tracking_client
from harness.crossversion.orchestrate import Group, Orchestrator, diff_json
from harness.outcomes import Status
from harness.results.cross import StepResult

NAME = "db"
#: step ids in the order they run, with what each checks
STEPS = {
    "db.fill": "baseline creates and fills a sqlite store",
    "db.open_without_upgrade": "candidate opens a copy of it, no `mlflow db upgrade`",
    "db.upgrade": "`mlflow db upgrade` with the candidate (on the original)",
    "db.records_after_upgrade": "candidate reads every record after the upgrade",
    "db.baseline_opens_upgraded": "baseline opens the upgraded store (rollback)",
    "db.restore_backup": "baseline opens the backup taken before the upgrade",
}


def sqlite_facts(db: Path) -> dict[str, Any]:
    """Schema revision and row counts, read with sqlite3 (no MLflow involved)."""
    facts: dict[str, Any] = {}
    if not db.exists():
        return {"exists": False}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        try:
            facts["alembic_revision"] = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        except sqlite3.Error:
            facts["alembic_revision"] = None
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        facts["tables"] = len(tables)
        facts["rows"] = {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in tables if t in (
                "experiments", "runs", "params", "metrics", "tags", "experiment_tags", "registered_models",
                "model_versions", "registered_model_tags", "model_version_tags", "registered_model_aliases",
            )
        }
    finally:
        conn.close()
    return facts


# -- orchestration (nox's interpreter) ---------------------------------------
def _dump(orch: Orchestrator, role: str, db: Path, name: str, sid: str, from_role: str,
          compare_to: dict[str, Any] | None = None, action: str = "db-dump") -> tuple[StepResult, dict | None]:
    """``role`` opens ``db`` (``db-dump``, or ``db-fill`` first) and its records are compared with ``compare_to``."""
    dump_path = db.parent / f"dump-{name}.json"
    before = sqlite_facts(db)
    called = orch.call(role, action, ["--db", str(db), "--dump-out", str(dump_path), "--id", sid])
    found = (called.results or [None])[0]
    dumped = json.loads(dump_path.read_text()) if dump_path.exists() else None
    if found is not None:
        obs = found.setdefault("observations", {})
        after = sqlite_facts(db)
        obs["schema_revision_before"] = before.get("alembic_revision")
        obs["schema_revision_after"] = after.get("alembic_revision")
        if action == "db-fill":
            obs["sqlite_rows"] = after.get("rows")
        if compare_to is not None and dumped is not None and found["status"] == Status.PASS:
            differences = diff_json(compare_to, dumped)
            obs["records_identical"] = not differences
            if differences:
                obs["differences"] = differences
                found["status"] = "fail"
                found["error"] = {"type": "RecordsDiffer",
                                  "message": f"{len(differences)} difference(s), first: {differences[0]}"}
    return orch.add_from(found, sid, from_role, role, called), dumped


def _upgrade(orch: Orchestrator, db: Path) -> StepResult:
    """``mlflow db upgrade`` with the candidate's own CLI."""
    before = sqlite_facts(db)
    ended = orch.execute([orch.mlflow_cli("candidate"), "db", "upgrade", f"sqlite:///{db}"], "db-upgrade-candidate")
    after = sqlite_facts(db)
    code, secs = ended.returncode, ended.seconds
    obs = {"schema_revision_before": before.get("alembic_revision"),
           "schema_revision_after": after.get("alembic_revision"),
           "exit_code": code, "output_tail": procs.output_tail(ended.log, 6)}
    if code == 0:
        return orch.add("db.upgrade", "baseline", "candidate", "pass", duration=secs, observations=obs)
    if code is None:
        return orch.add("db.upgrade", "baseline", "candidate", "timeout", duration=secs, observations=obs,
                        reason=f"no result within {orch.timeout:g}s", error={"type": "timeout", "message": "upgrade hung"})
    return orch.add("db.upgrade", "baseline", "candidate", "error", duration=secs, observations=obs,
                    error={"type": f"exit code {code}", "message": procs.output_tail(ended.log, 3)})


def orchestrate(orch: Orchestrator) -> None:
    ddir = orch.work / "db"
    ddir.mkdir()
    db = ddir / "mlflow.db"
    filled, original = _dump(orch, "baseline", db, "baseline", "db.fill", "baseline", action="db-fill")
    if filled.status != Status.PASS or original is None:
        orch.skip([sid for sid in STEPS if sid != "db.fill"], "baseline", "candidate",
                  "the baseline could not create the store")
        return
    backup = ddir / "backup.db"
    shutil.copy2(db, backup)  # what the guidance tells users to do before upgrading
    # the candidate opens a copy, so that `mlflow db upgrade` below meets the
    # store exactly as the baseline left it, even if opening migrates it
    untouched = ddir / "opened-without-upgrade.db"
    shutil.copy2(db, untouched)
    _dump(orch, "candidate", untouched, "candidate-no-upgrade", "db.open_without_upgrade", "baseline", original)
    upgrade = _upgrade(orch, db)
    if upgrade.status == Status.PASS:
        _dump(orch, "candidate", db, "candidate-upgraded", "db.records_after_upgrade", "baseline", original)
        _dump(orch, "baseline", db, "baseline-upgraded", "db.baseline_opens_upgraded", "candidate", original)
    else:
        orch.skip(("db.records_after_upgrade", "db.baseline_opens_upgraded"), "baseline", "candidate",
                  "mlflow db upgrade failed")
    restored = ddir / "restored.db"
    shutil.copy2(backup, restored)
    _dump(orch, "baseline", restored, "baseline-restored", "db.restore_backup", "baseline", original)


# -- inside an environment ---------------------------------------------------
def fill(db: Path, artifacts: Path) -> None:
    """Experiments, runs with params/metrics/tags, deleted things, a registry with aliases and tags."""
    from mlflow.entities import Metric, Param, RunTag

    client = tracking_client(f"sqlite:///{db}")
    base_ts = 1_700_000_000_000
    exp_a = client.create_experiment("cross-a", artifact_location=str(artifacts / "a"), tags={"team": "compat"})
    exp_b = client.create_experiment("cross-b", artifact_location=str(artifacts / "b"))
    client.set_experiment_tag(exp_b, "purpose", "rollback")
    gone = client.create_experiment("cross-deleted", artifact_location=str(artifacts / "d"))
    client.delete_experiment(gone)
    run_ids = []
    for i, exp in enumerate([exp_a, exp_a, exp_a, exp_b]):
        run = client.create_run(exp, start_time=base_ts + i, tags={"kind": "train"}, run_name=f"run-{i}")
        rid = run.info.run_id
        client.log_batch(
            rid,
            metrics=[Metric("loss", 1.0 / (s + 1 + i), base_ts + s, s) for s in range(5)]
            + [Metric("accuracy", 0.5 + i / 10, base_ts, 0)],
            params=[Param("alpha", str(i / 2)), Param("solver", "lbfgs")],
            tags=[RunTag("seed", str(i))],
        )
        client.set_terminated(rid, "FINISHED", end_time=base_ts + 1000 + i)
        run_ids.append(rid)
    client.delete_run(run_ids[2])
    client.create_registered_model("cross-model", tags={"owner": "compat"}, description="a model for rollback checks")
    for i, rid in enumerate(run_ids[:2]):
        run = client.get_run(rid)
        client.create_model_version(
            "cross-model", f"{run.info.artifact_uri}/model", rid,
            tags={"trained_on": f"run-{i}"}, description=f"version from run-{i}",
        )
    client.set_registered_model_alias("cross-model", "champion", "1")
    client.set_registered_model_alias("cross-model", "challenger", "2")
    client.set_model_version_tag("cross-model", "2", "validated", "true")
    client.create_registered_model("cross-empty")


def _aliases(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {str(a.alias): str(a.version) for a in value or []}


def dump(uri: str) -> dict[str, Any]:
    """A canonical, version-neutral JSON of everything ``db_fill`` writes."""
    from mlflow.entities import ViewType

    client = tracking_client(uri)
    experiments = []
    for exp in sorted(client.search_experiments(view_type=ViewType.ALL), key=lambda e: e.name):
        runs = []
        for run in client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=1000):
            info, data = run.info, run.data
            metrics = {
                key: sorted([m.step, m.timestamp, m.value] for m in client.get_metric_history(info.run_id, key))
                for key in sorted(data.metrics)
            }
            runs.append({
                "run_id": info.run_id, "run_name": info.run_name, "status": info.status,
                "lifecycle_stage": info.lifecycle_stage, "start_time": info.start_time,
                "end_time": info.end_time, "artifact_uri": info.artifact_uri,
                "params": dict(sorted(data.params.items())), "tags": dict(sorted(data.tags.items())),
                "metrics": metrics,
            })
        experiments.append({
            "name": exp.name, "experiment_id": exp.experiment_id, "lifecycle_stage": exp.lifecycle_stage,
            "artifact_location": exp.artifact_location, "tags": dict(sorted(exp.tags.items())),
            "runs": sorted(runs, key=lambda r: r["run_id"]),
        })
    models = []
    for rm in sorted(client.search_registered_models(max_results=1000), key=lambda m: m.name):
        versions = []
        for mv in client.search_model_versions(f"name='{rm.name}'"):
            full = client.get_model_version(rm.name, mv.version)
            versions.append({
                "version": str(full.version), "source": full.source, "run_id": full.run_id,
                "status": full.status, "description": full.description,
                "tags": dict(sorted(full.tags.items())), "aliases": sorted(full.aliases or []),
            })
        models.append({
            "name": rm.name, "description": rm.description, "tags": dict(sorted(rm.tags.items())),
            "aliases": dict(sorted(_aliases(rm.aliases).items())),
            "versions": sorted(versions, key=lambda v: int(v["version"])),
        })
    return {"experiments": experiments, "registered_models": models}


def dump_counts(dumped: dict[str, Any]) -> dict[str, int]:
    """How many of each kind of record a dump holds."""
    runs = [r for e in dumped["experiments"] for r in e["runs"]]
    return {
        "experiments": len(dumped["experiments"]),
        "runs": len(runs),
        "params": sum(len(r["params"]) for r in runs),
        "metric_points": sum(len(v) for r in runs for v in r["metrics"].values()),
        "run_tags": sum(len(r["tags"]) for r in runs),
        "registered_models": len(dumped["registered_models"]),
        "model_versions": sum(len(m["versions"]) for m in dumped["registered_models"]),
        "aliases": sum(len(m["aliases"]) for m in dumped["registered_models"]),
        "model_version_tags": sum(len(v["tags"]) for m in dumped["registered_models"] for v in m["versions"]),
    }


def step(action: str, db: Path, dump_out: Path, sid: str) -> list[dict[str, Any]]:
    """``fill`` then dump, or just ``dump`` (which is how a version "opens" the store)."""
    uri = f"sqlite:///{db}"

    def body(obs: dict[str, Any]) -> None:
        if action == "fill":
            fill(db, db.parent / "artifacts")
        dumped = dump(uri)
        dump_out.write_text(json.dumps(dumped, indent=1, sort_keys=True))
        obs["counts"] = dump_counts(dumped)

    return [check(sid, body)]


GROUP = Group(
    name=NAME,
    steps=STEPS,
    orchestrate=orchestrate,
    in_env={
        "db-fill": lambda args: step("fill", args.db, args.dump_out, args.id),
        "db-dump": lambda args: step("dump", args.db, args.dump_out, args.id),
    },
    step_options={"--db": {"type": Path}, "--dump-out": {"type": Path}, "--id": {}},
)
