"""Models: logging and loading scikit-learn and custom pyfunc models, signatures,
URIs (runs:/, models:/<model_id>), and what a logged model looks like on disk."""

from __future__ import annotations

from harness.scenario import Context, scenario
from scenarios._common import PIP_REQUIREMENTS, local_model_dir, mlmodel, same_predictions, setup_quietly, uri_prefix


# -- capabilities --------------------------------------------------------------
@scenario(id="models.sklearn.round_trip", area="models", kind="capability")
def sklearn_round_trip(ctx: Context) -> None:
    """Log a sklearn model through the adapter, load it back, predictions equal."""
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    ctx.observe("model_uri_prefix", uri_prefix(logged.model_uri))
    loaded = ctx.adapter.load_sklearn(logged.model_uri)
    same_predictions(ctx, loaded.predict(X), model.predict(X), "sklearn flavour")
    ctx.observe("loaded_type", type(loaded).__name__)


@scenario(id="models.pyfunc.predict", area="models", kind="capability")
def pyfunc_predict(ctx: Context) -> None:
    """A sklearn model loaded as pyfunc predicts like the original on a DataFrame."""
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    pyfunc = ctx.adapter.load_pyfunc(logged.model_uri)
    out = pyfunc.predict(X)
    ctx.observe("pyfunc_output_type", type(out).__name__)
    same_predictions(ctx, out, model.predict(X), "pyfunc")


@scenario(id="models.signature.input_example_enforced", area="models", kind="capability")
def signature_enforced(ctx: Context) -> None:
    """Signature + input example are saved; an input with a missing column is rejected."""
    from mlflow.models import infer_signature

    model, X, _ = ctx.trained_model()
    signature = infer_signature(X, model.predict(X))
    logged = ctx.adapter.log_sklearn_model(
        model, "model", signature=signature, input_example=X.head(3), pip_requirements=PIP_REQUIREMENTS
    )
    pyfunc = ctx.adapter.load_pyfunc(logged.model_uri)
    saved = pyfunc.metadata.get_input_schema()
    ctx.check(saved is not None and saved.input_names() == list(X.columns),
              f"saved input schema is {saved}")
    same_predictions(ctx, pyfunc.predict(X), model.predict(X), "pyfunc with signature")
    wrong = X.drop(columns=[X.columns[0]])
    try:
        pyfunc.predict(wrong)
    except Exception as exc:  # noqa: BLE001 - which type is what we observe
        ctx.observe("wrong_schema_exception", type(exc).__name__)
    else:
        ctx.fail("an input missing a column of the signature was accepted")
    files = sorted(p.name for p in local_model_dir(logged.model_uri).iterdir())
    ctx.observe("input_example_files", [f for f in files if "example" in f])


def _add_n_model(n: float):
    import mlflow.pyfunc

    class AddNModel(mlflow.pyfunc.PythonModel):
        def __init__(self, n: float) -> None:
            self.n = n

        def predict(self, context, model_input, params=None):
            return model_input + self.n

    return AddNModel(n)


@scenario(id="models.pyfunc.custom_python_model", area="models", kind="capability")
def custom_python_model(ctx: Context) -> None:
    """A custom PythonModel logs, loads and predicts what it computed before."""
    X, _ = ctx.iris()
    python_model = _add_n_model(5.0)
    logged = ctx.adapter.log_pyfunc_model(python_model, "model", pip_requirements=PIP_REQUIREMENTS)
    loaded = ctx.adapter.load_pyfunc(logged.model_uri)
    out = loaded.predict(X.head(10))
    import numpy as np

    ctx.check(np.allclose(np.asarray(out), X.head(10).to_numpy() + 5.0), f"custom model predicted {out!r}")


@scenario(id="models.load.runs_uri", area="models", kind="capability")
def load_runs_uri(ctx: Context) -> None:
    """A model loads by runs:/<run_id>/<name> and predicts like the original."""
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    loaded = ctx.adapter.load_pyfunc(ctx.adapter.runs_uri(logged, "model"))
    same_predictions(ctx, loaded.predict(X), model.predict(X), "runs:/ load")


@scenario(id="models.load.model_id", area="models", kind="capability")
def load_model_id(ctx: Context) -> None:
    """A model loads by models:/<model_id> (versions without model ids: unsupported)."""
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    uri = ctx.adapter.model_id_uri(logged)
    loaded = ctx.adapter.load_pyfunc(uri)
    same_predictions(ctx, loaded.predict(X), model.predict(X), "models:/<model_id> load")


@scenario(id="models.sklearn.saved_artifacts", area="models", kind="capability")
def sklearn_saved_artifacts(ctx: Context) -> None:
    """What logging a sklearn model writes, the way a user logs it (requirements inferred).

    Observed: the serialization format in MLmodel, the files of the model
    directory, the inferred requirement names, and whether the run's own
    artifacts list the model.
    """
    model, X, _ = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model")
    model_dir = local_model_dir(logged.model_uri)
    meta = mlmodel(model_dir)
    flavor = meta.get("flavors", {}).get("sklearn", {})
    ctx.observe("serialization_format", flavor.get("serialization_format"))
    ctx.observe("model_file", flavor.get("pickled_model") or flavor.get("model_path") or flavor.get("skops_model"))
    ctx.observe("model_dir_files", sorted(p.name for p in model_dir.iterdir()))
    ctx.observe("mlmodel_keys", sorted(meta))
    requirements = (model_dir / "requirements.txt").read_text().splitlines()
    names = sorted({r.split("==")[0].split(">")[0].split("<")[0].strip().lower()
                    for r in requirements if r.strip() and not r.startswith("#")})
    ctx.observe("inferred_requirements", names)
    if logged.run_id:
        run_artifacts = [f.path for f in ctx.adapter.client().list_artifacts(logged.run_id)]
        ctx.observe("run_artifacts", sorted(run_artifacts))
    loaded = ctx.adapter.load_sklearn(logged.model_uri)
    same_predictions(ctx, loaded.predict(X), model.predict(X), "reloaded sklearn model")


# -- idioms ----------------------------------------------------------------------
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
    ctx.observe("model_uri_prefix", uri_prefix(info.model_uri))
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    same_predictions(ctx, loaded.predict(X), m.predict(X), "after load")


@scenario(
    id="models.log.artifact_path_positional",
    area="models",
    kind="idiom",
    replaced_by="models.log.name_kwarg",
    code='mlflow.sklearn.log_model(m, "model")',
)
def log_artifact_path_positional(ctx: Context) -> None:
    """The 2.x idiom with the artifact path as second positional argument."""
    import mlflow
    import mlflow.sklearn

    m, X, _ = ctx.trained_model()
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(m, "model")
    ctx.observe("model_uri_prefix", uri_prefix(info.model_uri))
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    same_predictions(ctx, loaded.predict(X), m.predict(X), "after load")


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
    ctx.observe("model_uri_prefix", uri_prefix(info.model_uri))
    loaded = mlflow.pyfunc.load_model(info.model_uri)
    same_predictions(ctx, loaded.predict(X), m.predict(X), "after load")


@scenario(
    id="models.load.model_id_uri",
    area="models",
    kind="idiom",
    code='mlflow.pyfunc.load_model(f"models:/{info.model_id}")',
)
def load_model_id_uri(ctx: Context) -> None:
    """Load a logged model by its model id, as 3.x documents it."""
    import mlflow

    m, X, _ = ctx.trained_model()
    with setup_quietly(), mlflow.start_run():
        # setup: log the model the way every version accepts (only the load is the idiom)
        info = ctx.adapter.log_sklearn_model(m, "model", pip_requirements=PIP_REQUIREMENTS).info
    loaded = mlflow.pyfunc.load_model(f"models:/{info.model_id}")
    same_predictions(ctx, loaded.predict(X), m.predict(X), "models:/<model_id> load")
