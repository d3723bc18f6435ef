"""A team's MLflow helpers, written against MLflow 2.x."""

from __future__ import annotations

import mlflow
import mlflow.sklearn
from mlflow.models import MetricThreshold


def log_churn_model(model, input_example=None):
    """Log the churn model the way the team always has (2.x style)."""
    return mlflow.sklearn.log_model(model, artifact_path="churn_model", input_example=input_example)


def accuracy_gate(minimum: float = 0.8) -> dict:
    """The team's release gate: accuracy must be at least ``minimum``."""
    return {"accuracy_score": MetricThreshold(threshold=minimum, higher_is_better=True)}


def log_churn_model_v3(model, input_example=None):
    """The proposed replacement for MLflow 3: ``name=`` instead of ``artifact_path=``."""
    return mlflow.sklearn.log_model(model, name="churn_model", input_example=input_example)


def accuracy_gate_v3(minimum: float = 0.8) -> dict:
    """The proposed replacement: ``greater_is_better=`` instead of ``higher_is_better=``."""
    return {"accuracy_score": MetricThreshold(threshold=minimum, greater_is_better=True)}


# the rest of the team's helpers, one module each
from churn_helpers.features import add_tenure_bucket, churn_features  # noqa: E402
from churn_helpers.tracking import log_training_run, training_run_id  # noqa: E402
from churn_helpers.registry import promote  # noqa: E402

__all__ = [
    "accuracy_gate", "accuracy_gate_v3", "add_tenure_bucket", "churn_features", "log_churn_model",
    "log_churn_model_v3", "log_training_run", "promote", "training_run_id",
]
