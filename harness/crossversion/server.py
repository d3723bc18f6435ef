"""Check group ``server``: each version's real ``mlflow server`` called by each version's client.

For each side, its own ``mlflow server`` starts on 127.0.0.1 (``harness.servers``)
over a fresh sqlite store; then each side's client runs tracking and registry
operations against it (``client-ops``): a client x server grid whose
same-version cells are the controls.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from harness import servers
from harness.crossversion.inenv import check, client as tracking_client, iris
from harness.crossversion.orchestrate import Group, Orchestrator
from harness.results.cross import ROLES

NAME = "server"
#: step ids, with what each checks
STEPS = {
    "server.start": "the version's own `mlflow server` starts and answers /health",
    "server.tracking": "a client creates, logs, reads and searches runs and an artifact on the server",
    "server.registry": "a client logs, registers, aliases, tags, searches and loads a model through the server",
}
#: client settings for the server steps: a refused call fails fast instead of
#: retrying with back-off for minutes (MLflow's defaults)
CLIENT_ENV = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "1",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
}
SERVER_START_TIMEOUT = 240.0
CLIENT_STEPS = ("server.tracking", "server.registry")


# -- orchestration (nox's interpreter) ---------------------------------------
def _shown(orch: Orchestrator, cmd: list[str]) -> str:
    """A server command as recorded: ``mlflow`` for the env's script, ``<work>`` for the work dir."""
    return " ".join(["mlflow", *cmd[1:]]).replace(str(orch.work), "<work>")


def orchestrate(orch: Orchestrator) -> None:
    for srv in ROLES:
        sdir = orch.work / f"server-{srv}"
        sdir.mkdir()
        tried: list[list[str]] = []

        def command(port: int, srv: str = srv, sdir: Path = sdir) -> list[str]:
            # the env's own ``mlflow`` script: its server runs gunicorn/uvicorn as
            # ``sys.executable -m ...`` (mlflow/server/__init__.py), so PATH need not name the env
            tried.append([orch.mlflow_cli(srv), "server", "--backend-store-uri", f"sqlite:///{sdir / 'mlflow.db'}",
                          "--artifacts-destination", str(sdir / "artifacts"), "--host", "127.0.0.1",
                          "--port", str(port), "--workers", "1"])
            return tried[-1]

        start = time.perf_counter()
        try:
            server = servers.start(command, health_path="/health", timeout=min(SERVER_START_TIMEOUT, orch.timeout),
                                   env=orch.env(), cwd=sdir, log_path=sdir / "server.log")
        except servers.ServerError as exc:
            obs = {"command": _shown(orch, tried[-1]) if tried else None, "output_tail": exc.tail}
            orch.add("server.start", srv, srv, "error", duration=time.perf_counter() - start,
                     error={"type": "ServerDidNotStart", "message": exc.reason}, observations=obs)
            for client in ROLES:
                orch.skip(CLIENT_STEPS, srv, client, f"the mlflow {orch.sides[srv].version} server did not start")
            continue
        try:
            orch.add("server.start", srv, srv, "pass", duration=time.perf_counter() - start,
                     observations={"command": _shown(orch, tried[-1])})
            for client in ROLES:
                called = orch.call(client, "client-ops", ["--uri", server.url, "--role", f"{client}-client"], CLIENT_ENV)
                by_id = called.by_id()
                for sid in CLIENT_STEPS:
                    orch.add_from(by_id.get(sid), sid, srv, client, called)
        finally:
            server.stop(grace_s=10.0)


# -- inside an environment ---------------------------------------------------
def client_ops(uri: str, tag: str) -> list[dict[str, Any]]:
    """Tracking, then registry operations through this version's client against ``uri``."""
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    state: dict[str, Any] = {}

    def step(obs: dict[str, Any], name: str, fn: Callable[[], Any]) -> Any:
        obs.setdefault("ops", [])
        obs["failed_op"] = name
        value = fn()
        obs["ops"].append(name)
        del obs["failed_op"]
        return value

    def tracking_body(obs: dict[str, Any]) -> None:
        from mlflow.entities import Metric, Param, RunTag

        client = tracking_client(uri)
        exp = step(obs, "create_experiment", lambda: client.create_experiment(f"skew-{tag}"))
        state["experiment"] = exp
        run = step(obs, "create_run", lambda: client.create_run(exp, run_name="skew"))
        rid = run.info.run_id
        ts = int(time.time() * 1000)
        step(obs, "log_batch", lambda: client.log_batch(
            rid, metrics=[Metric("m", 0.5, ts, 0), Metric("m", 0.7, ts, 1)],
            params=[Param("p", "1")], tags=[RunTag("t", "v")]))
        step(obs, "set_terminated", lambda: client.set_terminated(rid))
        got = step(obs, "get_run", lambda: client.get_run(rid))
        assert got.data.params == {"p": "1"} and got.data.tags.get("t") == "v", f"run read back as {got.data}"
        history = step(obs, "get_metric_history", lambda: client.get_metric_history(rid, "m"))
        assert sorted(m.value for m in history) == [0.5, 0.7], f"metric history {history}"
        found = step(obs, "search_runs", lambda: client.search_runs([exp], "params.p = '1'"))
        assert [r.info.run_id for r in found] == [rid], f"search_runs found {len(found)} runs"

        def fluent() -> str:
            mlflow.set_experiment(experiment_id=exp)
            with mlflow.start_run() as active:
                mlflow.log_param("fluent", "yes")
                mlflow.log_metric("fm", 1.0)
                mlflow.log_text("hello", "notes.txt")
            return active.info.run_id

        fluent_id = step(obs, "fluent_run_with_artifact", fluent)
        text = step(obs, "download_artifact", lambda: Path(mlflow.artifacts.download_artifacts(
            run_id=fluent_id, artifact_path="notes.txt")).read_text())
        assert text == "hello", f"artifact read back as {text!r}"

    def registry_body(obs: dict[str, Any]) -> None:
        from harness.adapters import pick_adapter
        from sklearn.linear_model import LogisticRegression

        adapter = pick_adapter()
        if "experiment" in state:
            mlflow.set_experiment(experiment_id=state["experiment"])
        X, y = iris()
        model = LogisticRegression(max_iter=500).fit(X.to_numpy(), y)
        name = f"skew-model-{tag}"
        logged = step(obs, "log_model", lambda: adapter.log_sklearn_model(model, "model"))
        obs["model_uri_scheme"] = logged.model_uri.split(":")[0]
        version = step(obs, "register_model", lambda: adapter.register_model(logged.model_uri, name))
        step(obs, "set_alias", lambda: adapter.set_alias(name, "champion", version))
        got = step(obs, "get_version_by_alias", lambda: adapter.version_by_alias(name, "champion"))
        assert got == version, f"alias resolves to {got}, expected {version}"
        step(obs, "set_version_tag", lambda: adapter.set_version_tag(name, version, "validated", "true"))
        step(obs, "set_model_tag", lambda: adapter.client().set_registered_model_tag(name, "owner", "compat"))
        found = step(obs, "search_model_versions", lambda: adapter.search_model_versions(f"name='{name}'"))
        assert [str(v.version) for v in found] == [version], f"search_model_versions found {len(found)}"
        loaded = step(obs, "load_by_alias", lambda: adapter.load_pyfunc(adapter.alias_uri(name, "champion")))
        preds = loaded.predict(X.head(3).to_numpy())
        assert list(preds) == list(model.predict(X.head(3).to_numpy())), "loaded model predicts differently"

    return [check("server.tracking", tracking_body), check("server.registry", registry_body)]


GROUP = Group(
    name=NAME,
    steps=STEPS,
    orchestrate=orchestrate,
    in_env={"client-ops": lambda args: client_ops(args.uri, args.role)},
    step_options={"--uri": {}, "--role": {}},
    settings={"client_env": CLIENT_ENV},
)
