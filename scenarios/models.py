"""Models: logging and loading scikit-learn models."""

from __future__ import annotations

import numpy as np

from harness.scenario import Context, scenario


@scenario(id="models.sklearn.round_trip", area="models", kind="capability")
def sklearn_round_trip(ctx: Context) -> None:
    """Log a sklearn model through the adapter, load it back, predictions equal."""
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model")
    ctx.observe("model_uri_prefix", logged.model_uri.split(":", 1)[0] + ":/")
    loaded = ctx.adapter.load_sklearn(logged.model_uri)
    ctx.check(np.array_equal(loaded.predict(X), model.predict(X)), "sklearn flavour predictions differ")
    pyfunc = ctx.adapter.load_pyfunc(logged.model_uri)
    ctx.check(np.array_equal(np.asarray(pyfunc.predict(X)), model.predict(X)), "pyfunc predictions differ")


@scenario(
    id="models.log.artifact_path_kwarg",
    area="models",
    kind="idiom",
    replaced_by="models.log.name_kwarg",
    code='mlflow.sklearn.log_model(sk_model=m, artifact_path="model")',
)
def log_artifact_path_kwarg(ctx: Context) -> None:
    """The 2.x idiom: log a model under artifact_path=."""
    import mlflow
    import mlflow.sklearn

    m, X, _ = ctx.trained_model()
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(sk_model=m, artifact_path="model")
    ctx.observe("model_uri_prefix", info.model_uri.split(":", 1)[0] + ":/")
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    ctx.check(np.array_equal(np.asarray(loaded.predict(X)), m.predict(X)), "predictions differ after load")


@scenario(
    id="models.log.name_kwarg",
    area="models",
    kind="idiom",
    code='mlflow.sklearn.log_model(sk_model=m, name="model")',
)
def log_name_kwarg(ctx: Context) -> None:
    """The 3.x idiom: log a model with name=."""
    import mlflow
    import mlflow.sklearn

    m, X, _ = ctx.trained_model()
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(sk_model=m, name="model")
    ctx.observe("model_uri_prefix", info.model_uri.split(":", 1)[0] + ":/")
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    ctx.check(np.array_equal(np.asarray(loaded.predict(X)), m.predict(X)), "predictions differ after load")
