"""Training: MLflow reached through aliases."""

import mlflow
import mlflow.sklearn as mls
from mlflow import MlflowClient
from mlflow.models import MetricThreshold as MT


def train(model, data, model_uri):
    with mlflow.start_run() as run:
        mls.log_model(model, artifact_path="model")
        run_id = run.info.run_uuid
    thresholds = {"accuracy": MT(threshold=0.8, higher_is_better=True)}
    mlflow.evaluate(model_uri, data, targets="label", validation_thresholds=thresholds)
    direction = thresholds["accuracy"].higher_is_better
    return run_id, direction


def promote(name: str, version: int) -> None:
    client = MlflowClient()
    client.transition_model_version_stage(name, version, "Staging")


def gate() -> bool:
    threshold = MT(threshold=0.9, greater_is_better=True)
    return threshold.higher_is_better
