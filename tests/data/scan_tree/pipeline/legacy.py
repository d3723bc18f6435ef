"""Removed modules and functions."""

import mlflow.gluon
from mlflow.gateway import query


def old(block, route):
    mlflow.gluon.log_model(block, "model")
    return query(route, {"prompt": "hi"})
