"""Positional calls: arguments bind by position."""

import mlflow
from mlflow.entities import RunInfo


def start(name, tags):
    return mlflow.start_run(None, None, name, False, tags)


def start_short(name):
    return mlflow.start_run(None, None, name)


def info(uuid, experiment_id):
    return RunInfo(uuid, experiment_id, "me", "FINISHED", 0, 1, "active", "/tmp/a", uuid)
