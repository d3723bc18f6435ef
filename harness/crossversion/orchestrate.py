"""Run the cross-version steps across two environments and write the cross result file.

Stdlib only: this runs in nox's own interpreter. Every step is a subprocess
(``python -m harness.crossversion step ...``) in the right environment, in
its own session, with a timeout; a crash or hang becomes a status and the
process group is killed. What one environment writes for the other lives in
``results/work/cross/<baseline>__<candidate>/``, removed afterwards.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from harness.config import PROJECT_ROOT, Config
from harness import procs, servers
from harness.results import cross as results
from harness.crossversion.pairing import SideEnv
from harness.results.cross import CrossResult, Side, StepResult

GROUPS = ("artifacts", "db", "server")
VARIANTS = ("sklearn_default", "sklearn_cloudpickle", "pyfunc")
ROLES = ("baseline", "candidate")
#: client settings for the server steps: a refused call fails fast instead of
#: retrying with back-off for minutes (MLflow's defaults)
CLIENT_ENV = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
}
QUIET_ENV = {
    "PYTHONWARNINGS": "ignore",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "GIT_PYTHON_REFRESH": "quiet",
}
SERVER_START_TIMEOUT = 240.0
TAIL_LINES = 12


def selected_groups(only: list[str]) -> list[str]:
    """Groups to run: ``--only`` matches a group name or a step id (which selects its group)."""
    if not only:
        return list(GROUPS)
    return [
        g for g in GROUPS
        if any(fnmatch.fnmatch(g, p) or fnmatch.fnmatch(f"{g}.x", p) or p.split(".")[0] == g for p in only)
    ]


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


def diff_json(a: Any, b: Any, path: str = "$", limit: int = 20) -> list[str]:
    """Differences between two JSON values, as ``path: a != b`` lines (at most ``limit``)."""
    out: list[str] = []

    def walk(x: Any, y: Any, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                if key not in y:
                    out.append(f"{where}.{key}: missing after")
                elif key not in x:
                    out.append(f"{where}.{key}: new after")
                else:
                    walk(x[key], y[key], f"{where}.{key}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                out.append(f"{where}: {len(x)} items before, {len(y)} after")
            for i, (p, q) in enumerate(zip(x, y)):
                walk(p, q, f"{where}[{i}]")
        elif x != y:
            out.append(f"{where}: {json.dumps(x, default=str)[:80]} != {json.dumps(y, default=str)[:80]}")

    walk(a, b, path)
    return out[:limit]


class Orchestrator:
    def __init__(self, sides: dict[str, SideEnv], work: Path, timeout: float) -> None:
        self.sides = sides
        self.work = work
        self.timeout = timeout
        self.steps: list[StepResult] = []
        self.counter = 0
        (work / "tmp").mkdir(parents=True, exist_ok=True)
        (work / "steps").mkdir(exist_ok=True)

    # -- plumbing ----------------------------------------------------------
    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.update(QUIET_ENV)
        env.update({"PYTHONPATH": str(PROJECT_ROOT), "TMPDIR": str(self.work / "tmp")})
        env.update(extra or {})
        return env

    def mlflow_cli(self, role: str) -> str:
        return str(Path(self.sides[role].python).parent / "mlflow")

    def execute(self, cmd: list[str], label: str, extra_env: dict[str, str] | None = None) -> tuple[int | None, Path, float]:
        """Run ``cmd`` in its own session with the step timeout: (exit code or None on timeout, log, seconds)."""
        self.counter += 1
        log = self.work / "steps" / f"{self.counter:02d}-{label}.log"
        start = time.perf_counter()
        with open(log, "wb") as fh:
            proc = subprocess.Popen(
                cmd, cwd=self.work, env=self.env(extra_env), stdout=fh, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
            try:
                code: int | None = proc.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                code = None
            except BaseException:
                procs.kill_group(proc.pid)
                proc.wait()
                raise
            finally:
                procs.kill_group(proc.pid)  # whatever the step left running goes too
            if code is None:
                proc.wait()
        return code, log, time.perf_counter() - start

    def call(self, role: str, step: str, args: list[str], extra_env: dict[str, str] | None = None):
        """Run an in-env step; (its results or None, failure status, failure reason, output tail, seconds)."""
        out = self.work / "steps" / f"{self.counter + 1:02d}-{step}-{role}.json"
        cmd = [self.sides[role].python, "-m", "harness.crossversion", "step", step, "--out", str(out), *args]
        code, log, seconds = self.execute(cmd, f"{step}-{role}", extra_env)
        tail = procs.output_tail(log, TAIL_LINES)
        if out.exists():
            try:
                return json.loads(out.read_text())["results"], None, None, tail, seconds
            except (ValueError, KeyError):
                return None, "crashed", "the step wrote an unreadable result", tail, seconds
        if code is None:
            return None, "timeout", f"no result within {self.timeout:g}s; process tree killed", tail, seconds
        if code < 0:
            return None, "crashed", f"killed by signal {-code}", tail, seconds
        return None, "crashed", f"process exited with code {code} without a result", tail, seconds

    def add(self, sid: str, from_role: str, to_role: str, status: str, *, duration: float = 0.0,
            error: dict[str, str] | None = None, observations: dict[str, Any] | None = None,
            reason: str | None = None) -> StepResult:
        step = StepResult(sid, sid.split(".")[0], from_role, to_role, status, round(duration, 3), error,
                          observations or {}, reason)
        self.steps.append(step)
        mark = "ok" if status == "pass" else status.upper()
        why = f"  ({(error or {}).get('message') or reason})" if status != "pass" else ""
        print(f"  {sid:<34} {self.sides[from_role].version:>8} -> {self.sides[to_role].version:<8} {mark}{why[:160]}",
              flush=True)
        return step

    def add_from(self, found: dict[str, Any] | None, sid: str, from_role: str, to_role: str,
                 failure: tuple[str | None, str | None, str], seconds: float) -> StepResult:
        """Record an in-env result, or the process failure that kept it from being written."""
        status, reason, tail = failure
        if found is not None:
            return self.add(sid, from_role, to_role, found["status"], duration=found.get("duration_s", 0.0),
                            error=found.get("error"), observations=found.get("observations"))
        if status is None:
            status, reason = "error", "the step finished without a result for this check"
        return self.add(sid, from_role, to_role, status, duration=seconds, reason=reason,
                        error={"type": status, "message": reason}, observations={"output_tail": tail})

    # -- artifacts ---------------------------------------------------------
    def artifacts(self) -> None:
        written: dict[tuple[str, str], bool] = {}
        for writer in ROLES:
            res, status, reason, tail, secs = self.call(writer, "artifacts-write", ["--work", str(self.work), "--role", writer])
            by_id = {r["id"]: r for r in res or []}
            for variant in VARIANTS:
                step = self.add_from(by_id.get(f"artifacts.{variant}.log"), f"artifacts.{variant}.log",
                                     writer, writer, (status, reason, tail), secs)
                written[(writer, variant)] = step.status == "pass"
        for reader in ROLES:
            args = ["--work", str(self.work)] + [a for w in ROLES for a in ("--from-role", w)]
            res, status, reason, tail, secs = self.call(reader, "artifacts-read", args)
            by_key = {(r["id"], r["from"]): r for r in res or []}
            for writer in ROLES:
                for variant in VARIANTS:
                    sid = f"artifacts.{variant}.load"
                    if not written[(writer, variant)]:
                        self.add(sid, writer, reader, "skipped",
                                 reason=f"mlflow {self.sides[writer].version} could not log this model")
                        continue
                    self.add_from(by_key.get((sid, writer)), sid, writer, reader, (status, reason, tail), secs)

    # -- tracking database -------------------------------------------------
    def _dump(self, role: str, db: Path, name: str, sid: str, from_role: str,
              compare_to: dict[str, Any] | None = None, action: str = "db-dump") -> tuple[StepResult, dict | None]:
        dump_path = db.parent / f"dump-{name}.json"
        before = sqlite_facts(db)
        res, status, reason, tail, secs = self.call(
            role, action, ["--db", str(db), "--dump-out", str(dump_path), "--id", sid])
        found = (res or [None])[0]
        dump = json.loads(dump_path.read_text()) if dump_path.exists() else None
        if found is not None:
            obs = found.setdefault("observations", {})
            after = sqlite_facts(db)
            obs["schema_revision_before"] = before.get("alembic_revision")
            obs["schema_revision_after"] = after.get("alembic_revision")
            if action == "db-fill":
                obs["sqlite_rows"] = after.get("rows")
            if compare_to is not None and dump is not None and found["status"] == "pass":
                differences = diff_json(compare_to, dump)
                obs["records_identical"] = not differences
                if differences:
                    obs["differences"] = differences
                    found["status"] = "fail"
                    found["error"] = {"type": "RecordsDiffer",
                                      "message": f"{len(differences)} difference(s), first: {differences[0]}"}
        return self.add_from(found, sid, from_role, role, (status, reason, tail), secs), dump

    def database(self) -> None:
        ddir = self.work / "db"
        ddir.mkdir()
        db = ddir / "mlflow.db"
        fill, original = self._dump("baseline", db, "baseline", "db.fill", "baseline", action="db-fill")
        later = ("db.open_without_upgrade", "db.upgrade", "db.records_after_upgrade",
                 "db.baseline_opens_upgraded", "db.restore_backup")
        if fill.status != "pass" or original is None:
            for sid in later:
                self.add(sid, "baseline", "candidate", "skipped", reason="the baseline could not create the store")
            return
        backup = ddir / "backup.db"
        shutil.copy2(db, backup)  # what the guidance tells users to do before upgrading
        # the candidate opens a copy, so that `mlflow db upgrade` below meets the
        # store exactly as the baseline left it, even if opening migrates it
        untouched = ddir / "opened-without-upgrade.db"
        shutil.copy2(db, untouched)
        self._dump("candidate", untouched, "candidate-no-upgrade", "db.open_without_upgrade", "baseline", original)

        before = sqlite_facts(db)
        code, log, secs = self.execute([self.mlflow_cli("candidate"), "db", "upgrade", f"sqlite:///{db}"],
                                       "db-upgrade-candidate")
        after = sqlite_facts(db)
        obs = {"schema_revision_before": before.get("alembic_revision"),
               "schema_revision_after": after.get("alembic_revision"),
               "exit_code": code, "output_tail": procs.output_tail(log, 6)}
        if code == 0:
            upgrade = self.add("db.upgrade", "baseline", "candidate", "pass", duration=secs, observations=obs)
        elif code is None:
            upgrade = self.add("db.upgrade", "baseline", "candidate", "timeout", duration=secs, observations=obs,
                               reason=f"no result within {self.timeout:g}s", error={"type": "timeout", "message": "upgrade hung"})
        else:
            upgrade = self.add("db.upgrade", "baseline", "candidate", "error", duration=secs, observations=obs,
                               error={"type": f"exit code {code}", "message": procs.output_tail(log, 3)})
        if upgrade.status == "pass":
            self._dump("candidate", db, "candidate-upgraded", "db.records_after_upgrade", "baseline", original)
            self._dump("baseline", db, "baseline-upgraded", "db.baseline_opens_upgraded", "candidate", original)
        else:
            for sid in ("db.records_after_upgrade", "db.baseline_opens_upgraded"):
                self.add(sid, "baseline", "candidate", "skipped", reason="mlflow db upgrade failed")
        restored = ddir / "restored.db"
        shutil.copy2(backup, restored)
        self._dump("baseline", restored, "baseline-restored", "db.restore_backup", "baseline", original)

    # -- client / server ---------------------------------------------------
    def servers(self) -> None:
        for srv in ROLES:
            sdir = self.work / f"server-{srv}"
            sdir.mkdir()
            tried: list[list[str]] = []

            def command(port: int, srv: str = srv, sdir: Path = sdir) -> list[str]:
                # the env's own ``mlflow`` script: its server runs gunicorn/uvicorn as
                # ``sys.executable -m ...`` (mlflow/server/__init__.py), so PATH need not name the env
                tried.append([self.mlflow_cli(srv), "server", "--backend-store-uri", f"sqlite:///{sdir / 'mlflow.db'}",
                              "--artifacts-destination", str(sdir / "artifacts"), "--host", "127.0.0.1",
                              "--port", str(port), "--workers", "1"])
                return tried[-1]

            start = time.perf_counter()
            try:
                server = servers.start(command, health_path="/health", timeout=min(SERVER_START_TIMEOUT, self.timeout),
                                       env=self.env(), cwd=sdir, log_path=sdir / "server.log")
            except servers.ServerError as exc:
                obs = {"command": self._shown(tried[-1]) if tried else None, "output_tail": exc.tail}
                self.add("server.start", srv, srv, "error", duration=time.perf_counter() - start,
                         error={"type": "ServerDidNotStart", "message": exc.reason}, observations=obs)
                for client in ROLES:
                    for sid in ("server.tracking", "server.registry"):
                        self.add(sid, srv, client, "skipped", reason=f"the mlflow {self.sides[srv].version} server did not start")
                continue
            try:
                self.add("server.start", srv, srv, "pass", duration=time.perf_counter() - start,
                         observations={"command": self._shown(tried[-1])})
                for client in ROLES:
                    res, status, reason, tail, secs = self.call(
                        client, "client-ops", ["--uri", server.url, "--role", f"{client}-client"], CLIENT_ENV)
                    by_id = {r["id"]: r for r in res or []}
                    for sid in ("server.tracking", "server.registry"):
                        self.add_from(by_id.get(sid), sid, srv, client, (status, reason, tail), secs)
            finally:
                server.stop(grace_s=10.0)

    def _shown(self, cmd: list[str]) -> str:
        """A server command as recorded: ``mlflow`` for the env's script, ``<work>`` for the work dir."""
        return " ".join(["mlflow", *cmd[1:]]).replace(str(self.work), "<work>")

def run(config: Config, sides: dict[str, SideEnv], only: list[str] | None = None,
        timeout: float = 300.0, keep_work: bool = False) -> Path:
    """Run the selected groups; write and return the cross result file."""
    import datetime as dt

    utc_now = lambda: dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    base, cand = sides["baseline"], sides["candidate"]
    name = results.file_name(base.version, cand.version)
    work = config.results_dir / "work" / "cross" / name[: -len(".json")]
    shutil.rmtree(work, ignore_errors=True)
    orch = Orchestrator(sides, work, timeout)
    result = CrossResult(
        baseline=Side(base.spec, base.version, base.python),
        candidate=Side(cand.spec, cand.version, cand.python),
        started_at=utc_now(), selection=list(only or []), settings={"client_env": CLIENT_ENV, "timeout_s": timeout},
    )
    groups = selected_groups(list(only or []))
    print(f"== cross-version: mlflow {base.version} (baseline) <-> {cand.version} (candidate): {', '.join(groups)}",
          flush=True)
    start = time.perf_counter()
    runners = {"artifacts": orch.artifacts, "db": orch.database, "server": orch.servers}
    path = config.results_dir / "cross" / name
    try:
        for group in groups:
            runners[group]()
    except KeyboardInterrupt:
        result.run_status = "interrupted"
        raise
    finally:
        result.steps = orch.steps
        result.duration_s = round(time.perf_counter() - start, 2)
        results.save(result, path)
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
            for parent in (work.parent, work.parent.parent):  # results/work/cross, results/work
                try:
                    parent.rmdir()
                except OSError:
                    break  # not empty: someone else's work lives there
    return path
