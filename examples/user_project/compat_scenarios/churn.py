"""This project's own scenarios: its helpers, run unchanged on every MLflow version."""

from __future__ import annotations

import mlflow

from harness.scenario import Context, scenario

import churn_helpers


@scenario(
    id="churn.helpers.log_and_gate",
    area="churn",
    kind="idiom",
    replaced_by="churn.helpers.log_and_gate_v3",
    code="churn_helpers.log_churn_model(m); churn_helpers.accuracy_gate(0.8)",
)
def log_and_gate(ctx: Context) -> None:
    """The team's current helpers: log the model, build the accuracy gate."""
    model, X, _ = ctx.trained_model()
    with mlflow.start_run():
        info = churn_helpers.log_churn_model(model)
    gate = churn_helpers.accuracy_gate(0.8)
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    ctx.check(len(loaded.predict(X.head(5))) == 5, "the logged model does not predict")
    ctx.check("accuracy_score" in gate, "the gate has no accuracy threshold")


@scenario(
    id="churn.helpers.log_and_gate_v3",
    area="churn",
    kind="idiom",
    code="churn_helpers.log_churn_model_v3(m); churn_helpers.accuracy_gate_v3(0.8)",
)
def log_and_gate_v3(ctx: Context) -> None:
    """The proposed MLflow 3 versions of the same helpers."""
    model, X, _ = ctx.trained_model()
    with mlflow.start_run():
        info = churn_helpers.log_churn_model_v3(model)
    gate = churn_helpers.accuracy_gate_v3(0.8)
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    ctx.check(len(loaded.predict(X.head(5))) == 5, "the logged model does not predict")
    ctx.check("accuracy_score" in gate, "the gate has no accuracy threshold")
