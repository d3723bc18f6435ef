"""Steps that run *inside* one MLflow environment (``python -m harness.crossversion step ...``).

Each step writes ``{"mlflow_version": ..., "results": [...]}`` to ``--out``;
every result has ``id``, ``status``, ``error``, ``observations``,
``duration_s`` and, where the step read what another role wrote, ``from``.
The orchestrator adds the rest and turns a missing file (crash, timeout) into
a status. Nothing here knows what a version is expected to do: it does the
thing and records what happened.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable

VARIANTS = ("sklearn_default", "sklearn_cloudpickle", "pyfunc")
MAX_TEXT = 400


class Check:
    """Runs one body, turns its outcome into a status; the body fills ``obs``."""

    def __init__(self, sid: str, **extra: Any) -> None:
        self.result: dict[str, Any] = {"id": sid, "status": "pass", "error": None, "observations": {}, **extra}

    @property
    def obs(self) -> dict[str, Any]:
        return self.result["observations"]

    def run(self, body: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        start = time.perf_counter()
        warned: list[str] = []
        handler = _Collector(warned)
        logging.getLogger("mlflow").addHandler(handler)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    body(self.obs)
                except AssertionError as exc:
                    self.result.update(status="fail", error=_error(exc))
                except Exception as exc:  # noqa: BLE001 - recorded, not raised
                    self.result.update(status="error", error=_error(exc))
                    self.obs.setdefault("traceback_tail", _short(traceback.format_exc()[-1200:], 1200))
            warned.extend(f"{w.category.__name__}: {w.message}" for w in caught)
        finally:
            logging.getLogger("mlflow").removeHandler(handler)
        if warned:
            self.obs["warnings"] = sorted({_short(w, 240) for w in warned})[:6]
        self.result["duration_s"] = round(time.perf_counter() - start, 3)
        return self.result


class _Collector(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(f"log.{record.levelname}: {record.getMessage()}")


def _short(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error(exc: BaseException) -> dict[str, str]:
    return {"type": type(exc).__name__, "message": _short(str(exc)) or type(exc).__name__}


def _iris():
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


# --------------------------------------------------------------------------
# artifacts
# --------------------------------------------------------------------------
def _model_dir(root: Path) -> Path:
    """The directory holding ``MLmodel`` under a downloaded artifact tree."""
    for candidate in [root, *sorted(p.parent for p in root.rglob("MLmodel"))]:
        if (candidate / "MLmodel").is_file():
            return candidate
    raise FileNotFoundError(f"no MLmodel file under {root}")


def _describe_model(path: Path) -> dict[str, Any]:
    from mlflow.models import Model

    model = Model.load(str(path / "MLmodel"))
    sk = model.flavors.get("sklearn", {})
    return {
        "flavors": sorted(model.flavors),
        "written_by_mlflow": getattr(model, "mlflow_version", None),
        "serialization_format": sk.get("serialization_format"),
        "model_file": sk.get("pickled_model") or model.flavors.get("python_function", {}).get("python_model"),
        "files": sorted(p.name for p in path.iterdir()),
    }


def artifacts_write(work: Path, role: str) -> list[dict[str, Any]]:
    """Log each model variant with this version's API, export it for the other side."""
    import mlflow

    from harness.adapters import pick_adapter
    from harness.crossversion.pymodel import AddN
    from sklearn.linear_model import LogisticRegression

    adapter = pick_adapter()
    store = work / f"artifact-store-{role}"
    store.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(f"sqlite:///{store / 'mlflow.db'}")
    experiment = mlflow.create_experiment("cross-artifacts", artifact_location=str(store / "artifacts"))
    X, y = _iris()
    model = LogisticRegression(max_iter=500).fit(X.to_numpy(), y)
    sample = X.head(5)
    loggers = {
        "sklearn_default": lambda: adapter.log_sklearn_model(model, "model"),
        "sklearn_cloudpickle": lambda: adapter.log_sklearn_model(model, "model", serialization_format="cloudpickle"),
        "pyfunc": lambda: adapter.log_pyfunc_model(AddN(1.0), "model"),
    }
    results = []
    for variant, log in loggers.items():
        def body(obs: dict[str, Any], variant: str = variant, log: Callable = log) -> None:
            with mlflow.start_run(experiment_id=experiment):
                logged = log()
            obs["model_uri_scheme"] = logged.model_uri.split(":")[0]
            download = work / "downloads" / role / variant
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=logged.model_uri, dst_path=str(download)))
            target = work / "exports" / role / variant
            shutil.copytree(_model_dir(local), target / "model")
            obs.update(_describe_model(target / "model"))
            if variant == "pyfunc":
                expected = AddN(1.0).predict(None, sample).tolist()
            else:
                expected = model.predict(sample.to_numpy()).tolist()
            (target / "expected.json").write_text(json.dumps({
                "variant": variant, "columns": list(sample.columns),
                "input": sample.to_numpy().tolist(), "predictions": expected,
            }))

        results.append(Check(f"artifacts.{variant}.log").run(body))
    return results


def artifacts_read(work: Path, from_roles: list[str]) -> list[dict[str, Any]]:
    """Load every model the given roles exported and compare its predictions."""
    import numpy as np
    import pandas as pd

    results = []
    for from_role in from_roles:
        for variant in VARIANTS:
            target = work / "exports" / from_role / variant
            if not (target / "expected.json").is_file():
                continue  # the orchestrator reports why it was never written

            def body(obs: dict[str, Any], target: Path = target, variant: str = variant) -> None:
                import mlflow.pyfunc
                import mlflow.sklearn

                expected = json.loads((target / "expected.json").read_text())
                frame = pd.DataFrame(expected["input"], columns=expected["columns"])
                if variant.startswith("sklearn"):
                    loaded = mlflow.sklearn.load_model(str(target / "model"))
                    got = loaded.predict(frame.to_numpy())
                    obs["loaded_as"] = type(loaded).__name__
                else:
                    loaded = mlflow.pyfunc.load_model(str(target / "model"))
                    got = loaded.predict(frame)
                got = np.asarray(got, dtype=float).ravel().tolist()
                assert np.allclose(got, expected["predictions"]), (
                    f"predictions differ: {got} vs {expected['predictions']}"
                )

            results.append(Check(f"artifacts.{variant}.load", **{"from": from_role}).run(body))
    return results


# --------------------------------------------------------------------------
# tracking database
# --------------------------------------------------------------------------
def _client(uri: str):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def db_fill(db: Path, artifacts: Path) -> None:
    """Experiments, runs with params/metrics/tags, deleted things, a registry with aliases and tags."""
    from mlflow.entities import Metric, Param, RunTag

    client = _client(f"sqlite:///{db}")
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


def db_dump(uri: str) -> dict[str, Any]:
    """A canonical, version-neutral JSON of everything ``db_fill`` writes."""
    from mlflow.entities import ViewType

    client = _client(uri)
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


def dump_counts(dump: dict[str, Any]) -> dict[str, int]:
    runs = [r for e in dump["experiments"] for r in e["runs"]]
    return {
        "experiments": len(dump["experiments"]),
        "runs": len(runs),
        "params": sum(len(r["params"]) for r in runs),
        "metric_points": sum(len(v) for r in runs for v in r["metrics"].values()),
        "run_tags": sum(len(r["tags"]) for r in runs),
        "registered_models": len(dump["registered_models"]),
        "model_versions": sum(len(m["versions"]) for m in dump["registered_models"]),
        "aliases": sum(len(m["aliases"]) for m in dump["registered_models"]),
        "model_version_tags": sum(len(v["tags"]) for m in dump["registered_models"] for v in m["versions"]),
    }


def db_step(action: str, db: Path, dump_out: Path, sid: str) -> list[dict[str, Any]]:
    """``fill`` then dump, or just ``dump`` (which is how a version "opens" the store)."""
    uri = f"sqlite:///{db}"

    def body(obs: dict[str, Any]) -> None:
        if action == "fill":
            db_fill(db, db.parent / "artifacts")
        dump = db_dump(uri)
        dump_out.write_text(json.dumps(dump, indent=1, sort_keys=True))
        obs["counts"] = dump_counts(dump)

    return [Check(sid).run(body)]


# --------------------------------------------------------------------------
# client against a server
# --------------------------------------------------------------------------
def client_ops(uri: str, tag: str) -> list[dict[str, Any]]:
    """Tracking, then registry operations through this version's client against ``uri``."""
    import mlflow

    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    tracking, registry = Check("server.tracking"), Check("server.registry")
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

        client = _client(uri)
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
        X, y = _iris()
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

    return [tracking.run(tracking_body), registry.run(registry_body)]
