"""Check group ``artifacts``: a model logged by one version, loaded by the other.

Each side logs every variant with its own API and exports the model directory
with its inputs and predictions (``artifacts-write``); then each side loads
what both sides exported and compares predictions (``artifacts-read``): both
directions, plus same-version controls.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

from harness.crossversion.inenv import check, iris
from harness.crossversion.orchestrate import Group, Orchestrator
from harness.outcomes import Status
from harness.results.cross import ROLES

NAME = "artifacts"
#: the kinds of model each side logs, in the order they are shown
VARIANTS = ("sklearn_default", "sklearn_cloudpickle", "pyfunc")
STEPS = {
    **{f"artifacts.{v}.log": f"the writer logs a {v} model and exports it" for v in VARIANTS},
    **{f"artifacts.{v}.load": f"the reader loads the exported {v} model and compares predictions" for v in VARIANTS},
}


# -- orchestration (nox's interpreter) ---------------------------------------
def orchestrate(orch: Orchestrator) -> None:
    written: dict[tuple[str, str], bool] = {}
    for writer in ROLES:
        called = orch.call(writer, "artifacts-write", ["--work", str(orch.work), "--role", writer])
        by_id = called.by_id()
        for variant in VARIANTS:
            sid = f"artifacts.{variant}.log"
            step = orch.add_from(by_id.get(sid), sid, writer, writer, called)
            written[(writer, variant)] = step.status == Status.PASS
    for reader in ROLES:
        args = ["--work", str(orch.work)] + [a for w in ROLES for a in ("--from-role", w)]
        called = orch.call(reader, "artifacts-read", args)
        by_key = {(r["id"], r["from"]): r for r in called.results or []}
        for writer in ROLES:
            for variant in VARIANTS:
                sid = f"artifacts.{variant}.load"
                if not written[(writer, variant)]:
                    orch.add(sid, writer, reader, "skipped",
                             reason=f"mlflow {orch.sides[writer].version} could not log this model")
                    continue
                orch.add_from(by_key.get((sid, writer)), sid, writer, reader, called)


# -- inside an environment ---------------------------------------------------
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


def write(work: Path, role: str) -> list[dict[str, Any]]:
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
    X, y = iris()
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

        results.append(check(f"artifacts.{variant}.log", body))
    return results


def read(work: Path, from_roles: list[str]) -> list[dict[str, Any]]:
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

            results.append(check(f"artifacts.{variant}.load", body, **{"from": from_role}))
    return results


GROUP = Group(
    name=NAME,
    steps=STEPS,
    orchestrate=orchestrate,
    in_env={
        "artifacts-write": lambda args: write(args.work, args.role),
        "artifacts-read": lambda args: read(args.work, args.from_role),
    },
    step_options={
        "--work": {"type": Path},
        "--role": {},
        "--from-role": {"action": "append", "default": []},
    },
)
