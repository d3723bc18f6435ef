"""Written for MLflow 3: fails if the team rolls back to 2.x."""

import mlflow.sklearn
from mlflow.entities import LoggedModel


def log(model) -> LoggedModel:
    return mlflow.sklearn.log_model(model, name="model")
