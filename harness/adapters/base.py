"""The adapter interface: the operations scenarios need, in version-neutral terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.version import Version

from harness.scenario import Unsupported


@dataclass(frozen=True)
class LoggedModel:
    """What logging a model produced, whatever the version calls it."""

    model_uri: str
    run_id: str | None
    model_id: str | None = None
    info: Any = None


class Adapter:
    """Base adapter: the behaviour shared by every generation.

    Subclasses override what differs. A method that a generation cannot do
    raises ``Unsupported`` with the reason; facts about a version come from
    its source in site-packages, never from expectations about results.
    """

    generation = "base"

    def __init__(self, version: str) -> None:
        self.version = version
        self.parsed = Version(version)

    def at_least(self, version: str) -> bool:
        return self.parsed >= Version(version)

    # -- tracking ---------------------------------------------------------
    def start_run(self, **kwargs: Any) -> Any:
        import mlflow

        return mlflow.start_run(**kwargs)

    def client(self) -> Any:
        from mlflow.tracking import MlflowClient

        return MlflowClient()

    def search_runs(self, filter_string: str, experiment_ids: list[str] | None = None) -> Any:
        """Runs matching ``filter_string`` as a pandas DataFrame.

        ``mlflow.search_runs(experiment_ids=, filter_string=)`` returns a
        DataFrame by default in 2.9.2 and 3.x (tracking/fluent.py).
        """
        import mlflow

        if experiment_ids is None:
            experiment_ids = [mlflow.get_experiment_by_name("Default").experiment_id]
        return mlflow.search_runs(experiment_ids=experiment_ids, filter_string=filter_string)

    def log_artifacts(self, local_dir: str, artifact_path: str | None = None) -> None:
        import mlflow

        mlflow.log_artifacts(local_dir, artifact_path)

    def download_artifacts(self, run_id: str, artifact_path: str, dst_path: str) -> str:
        """``mlflow.artifacts.download_artifacts(run_id=, artifact_path=, dst_path=)``
        has this signature in 2.9.2 (artifacts/__init__.py) and 3.x."""
        import mlflow.artifacts

        return mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=artifact_path, dst_path=dst_path
        )

    def log_pandas_input(self, df: Any, targets: str, name: str, context: str = "training") -> None:
        """``mlflow.data.from_pandas`` + ``mlflow.log_input`` (both since 2.4;
        same keywords in 2.9.2 and 3.x data/pandas_dataset.py, tracking/fluent.py)."""
        import mlflow
        import mlflow.data

        dataset = mlflow.data.from_pandas(df, targets=targets, name=name)
        mlflow.log_input(dataset, context=context)

    def run_dataset_inputs(self, run_id: str) -> list[Any]:
        """The run's logged datasets (``Run.inputs.dataset_inputs``)."""
        return list(self.client().get_run(run_id).inputs.dataset_inputs)

    # -- models -----------------------------------------------------------
    def _name_kwarg(self, name: str) -> dict[str, str]:
        raise NotImplementedError

    def log_sklearn_model(self, model: Any, name: str = "model", **kwargs: Any) -> LoggedModel:
        """Log a sklearn model in the active run (one is started if none is)."""
        import mlflow
        import mlflow.sklearn

        if mlflow.active_run() is None:
            with mlflow.start_run():
                return self.log_sklearn_model(model, name, **kwargs)
        info = mlflow.sklearn.log_model(model, **self._name_kwarg(name), **kwargs)
        return self._logged(info)

    def log_pyfunc_model(self, python_model: Any, name: str = "model", **kwargs: Any) -> LoggedModel:
        import mlflow
        import mlflow.pyfunc

        if mlflow.active_run() is None:
            with mlflow.start_run():
                return self.log_pyfunc_model(python_model, name, **kwargs)
        info = mlflow.pyfunc.log_model(python_model=python_model, **self._name_kwarg(name), **kwargs)
        return self._logged(info)

    def _logged(self, info: Any) -> LoggedModel:
        return LoggedModel(
            model_uri=info.model_uri,
            run_id=getattr(info, "run_id", None),
            model_id=getattr(info, "model_id", None),
            info=info,
        )

    def runs_uri(self, logged: LoggedModel, name: str = "model") -> str:
        return f"runs:/{logged.run_id}/{name}"

    def model_id_uri(self, logged: LoggedModel) -> str:
        """``models:/<model_id>``; generations without logged-model ids override."""
        return f"models:/{logged.model_id}"

    def load_pyfunc(self, uri: str) -> Any:
        import mlflow.pyfunc

        return mlflow.pyfunc.load_model(uri)

    def load_sklearn(self, uri: str) -> Any:
        import mlflow.sklearn

        return mlflow.sklearn.load_model(uri)

    # -- serving ----------------------------------------------------------
    def serve_command(self, model_uri: str, port: int) -> list[str]:
        """``mlflow models serve`` for ``model_uri`` on 127.0.0.1:``port`` in this env.

        ``-m/--model-uri``, ``-h/--host``, ``-p/--port`` and ``--env-manager``
        are options of ``mlflow models serve`` in 2.9.2 and 3.x
        (models/cli.py, utils/cli_args.py); ``python -m mlflow`` works in both
        (mlflow/__main__.py).
        """
        import sys

        return [
            sys.executable, "-m", "mlflow", "models", "serve",
            "-m", model_uri, "--env-manager", "local",
            "-h", "127.0.0.1", "-p", str(port),
        ]

    def scoring_payload(self, df: Any) -> bytes:
        """A ``dataframe_split`` request body (the 2.0+ scoring protocol, both generations)."""
        import json

        split = df.to_dict(orient="split")
        return json.dumps(
            {"dataframe_split": {"columns": split["columns"], "data": split["data"]}}
        ).encode()

    def parse_predictions(self, body: bytes) -> list[Any]:
        """Predictions from a scoring-server response: ``{"predictions": [...]}``
        in 2.9.2 and 3.x (pyfunc/scoring_server)."""
        import json

        data = json.loads(body)
        return data["predictions"] if isinstance(data, dict) else data

    # -- tracing ----------------------------------------------------------
    def traces(self, experiment_id: str) -> list[dict[str, Any]]:
        """Traces recorded in ``experiment_id``, one dict per trace.

        ``mlflow.search_traces`` (tracing/fluent.py) arrived with tracing in
        2.14 and returns a DataFrame by default in 2.14+ and 3.x; the id column
        is ``request_id`` in 2.x and ``trace_id`` in 3.x. Versions without it
        have no tracing: ``Unsupported``.
        """
        import mlflow

        search = getattr(mlflow, "search_traces", None)
        if search is None:
            raise Unsupported(f"mlflow {self.version} has no mlflow.search_traces (tracing arrived in 2.14)")
        import inspect

        # 3.x later added ``locations`` and deprecated ``experiment_ids``
        # (tracing/fluent.py in 3.17.2); older releases only have experiment_ids
        if "locations" in inspect.signature(search).parameters:
            frame = search(locations=[experiment_id])
        else:
            frame = search(experiment_ids=[experiment_id])
        rows = frame.to_dict(orient="records") if hasattr(frame, "to_dict") else [vars(t) for t in frame]
        for row in rows:
            row["id"] = row.get("trace_id") or row.get("request_id")
        return rows

    # -- registry ---------------------------------------------------------
    def register_model(self, model_uri: str, name: str) -> str:
        import mlflow

        return str(mlflow.register_model(model_uri, name).version)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        self.client().set_registered_model_alias(name, alias, version)

    def version_by_alias(self, name: str, alias: str) -> str:
        return str(self.client().get_model_version_by_alias(name, alias).version)

    def alias_uri(self, name: str, alias: str) -> str:
        return f"models:/{name}@{alias}"

    def version_uri(self, name: str, version: str) -> str:
        return f"models:/{name}/{version}"

    def set_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self.client().set_model_version_tag(name, version, key, value)

    def search_model_versions(self, filter_string: str) -> list[Any]:
        return list(self.client().search_model_versions(filter_string))

    # -- evaluation -------------------------------------------------------
    def evaluate_classifier(self, model_uri: str, data: Any, targets: str) -> Any:
        """Evaluate a classifier; returns the EvaluationResult."""
        return self._evaluate(model_uri, data, targets, "classifier")

    def evaluate_regressor(self, model_uri: str, data: Any, targets: str) -> Any:
        """Evaluate a regressor with the default evaluator; returns the EvaluationResult."""
        return self._evaluate(model_uri, data, targets, "regressor")

    def _evaluate(self, model_uri: str, data: Any, targets: str, model_type: str) -> Any:
        """``evaluate(model_uri, data, targets=, model_type=, evaluators=["default"])`` in a run.

        ``mlflow.models.evaluate`` where the version has it, else ``mlflow.evaluate``
        (same keywords in 2.9.2 models/evaluation/base.py and 3.x).
        """
        import mlflow

        evaluate = getattr(getattr(mlflow, "models", None), "evaluate", None) or mlflow.evaluate
        if mlflow.active_run() is None:
            with mlflow.start_run():
                return evaluate(model_uri, data, targets=targets, model_type=model_type, evaluators=["default"])
        return evaluate(model_uri, data, targets=targets, model_type=model_type, evaluators=["default"])

    def metric_threshold(self, threshold: float, greater_is_better: bool) -> Any:
        from mlflow.models import MetricThreshold

        return MetricThreshold(threshold=threshold, greater_is_better=greater_is_better)

    def validate_thresholds(
        self, model_uri: str, data: Any, targets: str, thresholds: dict[str, Any]
    ) -> None:
        """Raise the version's validation failure when a threshold is not met.

        Uses ``mlflow.validate_evaluation_results`` where the installed version
        has it, else ``evaluate(validation_thresholds=...)`` (2.x up to its
        introduction; the keyword is gone from 3.x's ``evaluate``).
        """
        import mlflow

        if hasattr(mlflow, "validate_evaluation_results"):
            result = self.evaluate_classifier(model_uri, data, targets)
            mlflow.validate_evaluation_results(
                validation_thresholds=thresholds, candidate_result=result
            )
            return
        with mlflow.start_run(nested=mlflow.active_run() is not None):
            mlflow.evaluate(
                model_uri,
                data,
                targets=targets,
                model_type="classifier",
                evaluators=["default"],
                validation_thresholds=thresholds,
            )
