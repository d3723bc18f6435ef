"""How the team records a training run (written against MLflow 2.x)."""

from __future__ import annotations

import mlflow


def log_training_run(params: dict, metrics: dict, run_name: str = "churn-training") -> str:
    """Log one training run's parameters and metrics; the run's id."""
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
    return training_run_id(run)


def training_run_id(run) -> str:
    """The id the team stores next to each deployed model (2.x spelling: ``run_uuid``)."""
    return run.info.run_uuid
