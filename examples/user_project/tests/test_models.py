"""Logging, gating and promoting the churn model."""

import mlflow

from churn_helpers import accuracy_gate, churn_features, log_churn_model, promote


def test_logged_model_predicts_like_the_trained_one(experiment, model, customers):
    features = churn_features(customers)
    with mlflow.start_run():
        info = log_churn_model(model, input_example=features.head(3))
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert (loaded.predict(features) == model.predict(features)).all()


def test_accuracy_gate_needs_at_least_the_minimum():
    gate = accuracy_gate(0.85)
    assert gate["accuracy_score"].threshold == 0.85


def test_promote_moves_the_version_to_staging(experiment, model, customers):
    features = churn_features(customers)
    with mlflow.start_run():
        info = log_churn_model(model, input_example=features.head(3))
    version = mlflow.register_model(info.model_uri, "churn-model")
    assert promote("churn-model", version.version) == "Staging"
