"""File stores as users have them: the default store of an empty working
directory, ``./mlruns`` and ``file:`` URIs, ``MLFLOW_TRACKING_URI`` in the
environment, the model registry on a file store, and the sqlite URIs that
replace them.

The runner points every scenario at a sqlite store (``MLFLOW_TRACKING_URI``,
``MLFLOW_REGISTRY_URI``); these scenarios remove that first, move to an empty
directory and run the user's line as written. Then they do what a user does
with a store (a run with params, metrics, a tag, an artifact and a model, all
read back; or registry operations) and record the URI the version used and
what it created on disk.

When the version refuses (the user's code raises), the scenario records the
exception and what its message names (``raised``: see
``harness.remedies.describe_raised``), retries once in a fresh directory
with the environment settings the message named (``retry_with_named_env``)
and re-raises, so the cell is the exception the user's code gets and the
observations say which way out that release offered and whether it worked.
Nothing here knows what any release does.

Observation keys: ``store_uri``, ``registry_uri``, ``store_created``,
``artifact_uri``, ``raised``, ``retry_with_named_env``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Callable, Iterator

from harness.outcomes import Status
from harness.remedies import describe_raised
from harness.scenario import Context, scenario
from scenarios._common import PIP_REQUIREMENTS, relative_uri, same_predictions, setup_quietly

#: cleared before the user's line so the cell shows the release's own default:
#: the runner's sqlite store, and MLFLOW_ALLOW_FILE_STORE (the opt-out variable of
#: 3.x's FileStore, environment_variables.py in 3.17.2) should the shell have it
CLEARED_ENV = ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_ALLOW_FILE_STORE")
MODEL_NAME = "filestore-model"

Configure = Callable[[Path], None]
Workload = Callable[[Context, dict[str, Any]], None]


@contextlib.contextmanager
def _project(ctx: Context, name: str) -> Iterator[Path]:
    """An empty working directory with no store configured (what a fresh shell has).

    Nothing in a forked scenario has called ``set_tracking_uri`` before the
    user's line; a retry's own line sets the URI again before the store is used.
    """
    for var in CLEARED_ENV:
        os.environ.pop(var, None)
    cwd = ctx.work_dir / name
    cwd.mkdir()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        yield cwd
    finally:
        os.chdir(previous)


def _created(cwd: Path) -> list[str]:
    """The entries the store made in ``cwd`` (directories end with ``/``)."""
    return sorted(p.name + ("/" if p.is_dir() else "") for p in cwd.iterdir())


def _blank_ids(text: str, *ids: str | None) -> str:
    for value, mark in zip(ids, ("<run_id>", "<experiment_id>")):
        if value:
            text = text.replace(f"/{value}/", f"/{mark}/").replace(f"/{value}", f"/{mark}")
    return text


def _round_trip(ctx: Context, obs: dict[str, Any]) -> None:
    """A run with params, metrics, a tag, an artifact and a model; all read back."""
    import mlflow
    from mlflow.tracking import MlflowClient

    model, X, _ = ctx.trained_model()
    with mlflow.start_run() as run:
        mlflow.log_params({"alpha": "0.5", "solver": "lbfgs"})
        for step, value in enumerate([0.5, 0.7, 0.9]):
            mlflow.log_metric("accuracy", value, step=step)
        mlflow.set_tag("team", "compat")
        mlflow.log_text("hello", "notes.txt")
        logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    run_id = run.info.run_id
    cwd = Path.cwd()
    obs["store_uri"] = relative_uri(mlflow.get_tracking_uri(), cwd)
    obs["artifact_uri"] = _blank_ids(relative_uri(run.info.artifact_uri, cwd), run_id, run.info.experiment_id)
    client = MlflowClient()
    data = client.get_run(run_id).data
    ctx.check(data.params == {"alpha": "0.5", "solver": "lbfgs"}, f"params read back as {data.params}")
    ctx.check(data.tags.get("team") == "compat", f"tag read back as {data.tags.get('team')!r}")
    history = [m.value for m in sorted(client.get_metric_history(run_id, "accuracy"), key=lambda m: m.step)]
    ctx.check(history == [0.5, 0.7, 0.9], f"metric history read back as {history}")
    found = ctx.adapter.search_runs("params.alpha = '0.5'", [run.info.experiment_id])
    ctx.check(list(found["run_id"]) == [run_id], f"search_runs found {list(found['run_id'])}")
    dst = cwd.parent / f"{cwd.name}-download"
    dst.mkdir(exist_ok=True)
    text = Path(ctx.adapter.download_artifacts(run_id, "notes.txt", str(dst))).read_text()
    ctx.check(text == "hello", f"artifact read back as {text!r}")
    loaded = ctx.adapter.load_pyfunc(logged.model_uri)
    same_predictions(ctx, loaded.predict(X.head(5)), model.predict(X.head(5)), "model loaded from the store")


def _registry(ctx: Context, obs: dict[str, Any]) -> None:
    """Register a logged model, alias and tag the version, find it, load it by alias."""
    import mlflow

    model, X, _ = ctx.trained_model()
    with mlflow.start_run():
        logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    version = mlflow.register_model(logged.model_uri, MODEL_NAME).version
    obs["registry_uri"] = relative_uri(mlflow.get_registry_uri(), Path.cwd())
    ctx.adapter.set_alias(MODEL_NAME, "champion", str(version))
    ctx.adapter.set_version_tag(MODEL_NAME, str(version), "validated", "true")
    got = ctx.adapter.version_by_alias(MODEL_NAME, "champion")
    ctx.check(got == str(version), f"alias champion resolves to version {got}, registered {version}")
    found = [str(v.version) for v in ctx.adapter.search_model_versions(f"name='{MODEL_NAME}'")]
    ctx.check(found == [str(version)], f"search_model_versions found {found}")
    loaded = ctx.adapter.load_pyfunc(ctx.adapter.alias_uri(MODEL_NAME, "champion"))
    same_predictions(ctx, loaded.predict(X.head(5)), model.predict(X.head(5)), "model loaded by alias")


def _user_code(ctx: Context, configure: Configure, workload: Workload = _round_trip) -> None:
    """Run the user's ``configure`` line and the workload; on a refusal, record it,
    retry with what it named, and re-raise."""
    with _project(ctx, "project") as cwd:
        try:
            configure(cwd)
            workload(ctx, ctx.observations)
        except AssertionError:
            raise
        except Exception as exc:
            ctx.observe("raised", _here(ctx, describe_raised(exc)))
            ctx.observe("retry_with_named_env", _retry(ctx, configure, workload, ctx.observations["raised"]))
            raise
        finally:
            ctx.observe("store_created", _created(cwd))


def _here(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with the scenario's directory written ``<work>``, as the runner writes errors."""
    return {k: v.replace(str(ctx.work_dir), "<work>") if isinstance(v, str) else v for k, v in record.items()}


def _retry(ctx: Context, configure: Configure, workload: Workload, raised: dict[str, Any]) -> dict[str, Any] | None:
    """The same code again in a fresh directory with the settings the refusal named
    (warnings silenced: the cell shows what the user's line did, not the retry)."""
    env = raised.get("named_env") or {}
    if not env:
        return None
    outcome: dict[str, Any] = {"env": env, "status": str(Status.PASS), "error": None}
    saved = {name: os.environ.get(name) for name in env}
    try:
        with _project(ctx, "retry") as cwd, setup_quietly():
            os.environ.update(env)  # after _project, which clears them
            try:
                configure(cwd)
                workload(ctx, {})
            except Exception as exc:  # noqa: BLE001 - recorded; the original exception is what raises
                status = Status.FAIL if isinstance(exc, AssertionError) else Status.ERROR
                outcome.update(status=str(status), error=_here(ctx, {"type": type(exc).__name__, "message": str(exc)[:500]}))
            outcome["store_created"] = _created(cwd)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return outcome


# --------------------------------------------------------------------------
# the scenarios
# --------------------------------------------------------------------------
@scenario(
    id="filestore.default.empty_dir",
    area="filestore",
    kind="idiom",
    code="with mlflow.start_run(): ...  # no tracking URI set anywhere",
)
def default_empty_dir(ctx: Context) -> None:
    """The default store of an empty working directory: logged to, read back."""
    _user_code(ctx, lambda cwd: None)


@scenario(
    id="filestore.uri.mlruns_path",
    area="filestore",
    kind="idiom",
    code='mlflow.set_tracking_uri("./mlruns")',
    replaced_by="filestore.uri.sqlite",
)
def uri_mlruns_path(ctx: Context) -> None:
    """A local ./mlruns directory set as the tracking URI."""
    import mlflow

    _user_code(ctx, lambda cwd: mlflow.set_tracking_uri("./mlruns"))


@scenario(
    id="filestore.uri.file_scheme",
    area="filestore",
    kind="idiom",
    code='mlflow.set_tracking_uri("file:///path/to/mlruns")',
    replaced_by="filestore.uri.sqlite",
)
def uri_file_scheme(ctx: Context) -> None:
    """An absolute file: URI set as the tracking URI."""
    import mlflow

    _user_code(ctx, lambda cwd: mlflow.set_tracking_uri(f"file://{cwd / 'mlruns'}"))


@scenario(
    id="filestore.uri.sqlite",
    area="filestore",
    kind="idiom",
    code='mlflow.set_tracking_uri("sqlite:///mlflow.db")',
)
def uri_sqlite(ctx: Context) -> None:
    """A local sqlite database set as the tracking URI (what file-store users move to)."""
    import mlflow

    _user_code(ctx, lambda cwd: mlflow.set_tracking_uri("sqlite:///mlflow.db"))


@scenario(
    id="filestore.env.file_uri",
    area="filestore",
    kind="idiom",
    code="MLFLOW_TRACKING_URI=file:///path/to/mlruns python train.py",
    replaced_by="filestore.env.sqlite_uri",
)
def env_file_uri(ctx: Context) -> None:
    """MLFLOW_TRACKING_URI set to a file: URI in the environment.

    MLflow reads the variable when it resolves the store (``get_tracking_uri``
    in 2.9.2 and 3.x), so setting it in this process equals setting it in the
    shell that starts it.
    """
    _user_code(ctx, lambda cwd: os.environ.__setitem__("MLFLOW_TRACKING_URI", f"file://{cwd / 'mlruns'}"))


@scenario(
    id="filestore.env.sqlite_uri",
    area="filestore",
    kind="idiom",
    code="MLFLOW_TRACKING_URI=sqlite:///mlflow.db python train.py",
)
def env_sqlite_uri(ctx: Context) -> None:
    """MLFLOW_TRACKING_URI set to a sqlite URI in the environment."""
    _user_code(ctx, lambda cwd: os.environ.__setitem__("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"))


@scenario(
    id="filestore.registry.register_model",
    area="filestore",
    kind="idiom",
    code='mlflow.set_tracking_uri("./mlruns")\nmlflow.register_model(model_uri, "name")',
)
def registry_register_model(ctx: Context) -> None:
    """The model registry on a ./mlruns file store: register, alias, tag, search, load by alias."""
    import mlflow

    _user_code(ctx, lambda cwd: mlflow.set_tracking_uri("./mlruns"), _registry)
