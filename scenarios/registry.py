"""Model registry: registering, aliases, version URIs, tags, search, and the
stage-based idioms that aliases replace."""

from __future__ import annotations

from harness.scenario import Context, scenario
from scenarios._common import PIP_REQUIREMENTS, same_predictions, setup_quietly

NAME = "compat-model"


def _registered(ctx: Context, versions: int = 1):
    """(model, X, [version strings]): ``versions`` versions of NAME, registered through the adapter."""
    model, X, _ = ctx.trained_model()
    found = []
    for _ in range(versions):
        logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
        found.append(ctx.adapter.register_model(logged.model_uri, NAME))
    return model, X, found


# -- capabilities --------------------------------------------------------------
@scenario(id="registry.register.from_run", area="registry", kind="capability")
def register_from_run(ctx: Context) -> None:
    """A model logged in a run registers as version 1, then 2, linked to the run."""
    _, _, versions = _registered(ctx, versions=2)
    ctx.check(versions == ["1", "2"], f"registered versions {versions}")
    mv = ctx.adapter.client().get_model_version(NAME, "2")
    ctx.check(bool(mv.run_id), "the model version has no run id")
    ctx.observe("model_version_source_prefix", mv.source.split(":", 1)[0] + ":/" if ":" in mv.source else "path")
    ctx.observe("model_version_status", str(mv.status))


@scenario(id="registry.alias.set_get_load", area="registry", kind="capability")
def alias_set_get_load(ctx: Context) -> None:
    """An alias set on version 2 resolves to it and loads it; moving it follows."""
    model, X, _ = _registered(ctx, versions=2)
    ctx.adapter.set_alias(NAME, "champion", "2")
    ctx.check(ctx.adapter.version_by_alias(NAME, "champion") == "2", "alias did not resolve to version 2")
    loaded = ctx.adapter.load_pyfunc(ctx.adapter.alias_uri(NAME, "champion"))
    same_predictions(ctx, loaded.predict(X), model.predict(X), "alias load")
    ctx.adapter.set_alias(NAME, "champion", "1")
    ctx.check(ctx.adapter.version_by_alias(NAME, "champion") == "1", "alias did not move to version 1")


@scenario(id="registry.version.uri_load", area="registry", kind="capability")
def version_uri_load(ctx: Context) -> None:
    """models:/<name>/<version> loads that version."""
    model, X, _ = _registered(ctx)
    loaded = ctx.adapter.load_pyfunc(ctx.adapter.version_uri(NAME, "1"))
    same_predictions(ctx, loaded.predict(X), model.predict(X), "version URI load")


@scenario(id="registry.version.tags", area="registry", kind="capability")
def version_tags(ctx: Context) -> None:
    """A tag set on a model version reads back."""
    _registered(ctx)
    ctx.adapter.set_version_tag(NAME, "1", "validated", "yes")
    tags = ctx.adapter.client().get_model_version(NAME, "1").tags
    ctx.check(tags.get("validated") == "yes", f"version tags read back as {tags}")


@scenario(id="registry.search_model_versions.by_name", area="registry", kind="capability")
def search_model_versions(ctx: Context) -> None:
    """search_model_versions by name finds every version of the model."""
    _registered(ctx, versions=2)
    found = ctx.adapter.search_model_versions(f"name = '{NAME}'")
    ctx.check(sorted(str(mv.version) for mv in found) == ["1", "2"],
              f"found versions {sorted(str(mv.version) for mv in found)}")


# -- idioms ----------------------------------------------------------------------
@scenario(
    id="registry.stage.transition",
    area="registry",
    kind="idiom",
    replaced_by="registry.alias.set",
    code='client.transition_model_version_stage(name, v, "Staging")',
)
def stage_transition(ctx: Context) -> None:
    """Move a model version to the Staging stage."""
    from mlflow import MlflowClient

    with setup_quietly():
        _, _, (v,) = _registered(ctx)
    client = MlflowClient()
    name = NAME
    client.transition_model_version_stage(name, v, "Staging")
    stage = client.get_model_version(name, v).current_stage
    ctx.check(stage == "Staging", f"current_stage is {stage!r} after the transition")


@scenario(
    id="registry.stage.uri",
    area="registry",
    kind="idiom",
    replaced_by="registry.alias.uri",
    code='mlflow.pyfunc.load_model("models:/name/Staging")',
)
def stage_uri(ctx: Context) -> None:
    """Load the version in the Staging stage by stage URI."""
    import mlflow
    import mlflow.pyfunc

    with setup_quietly():
        model, X, (v,) = _registered(ctx)
        mlflow.MlflowClient().transition_model_version_stage(NAME, v, "Staging")
    loaded = mlflow.pyfunc.load_model(f"models:/{NAME}/Staging")
    same_predictions(ctx, loaded.predict(X), model.predict(X), "stage URI load")


@scenario(
    id="registry.stage.latest_versions",
    area="registry",
    kind="idiom",
    code="client.get_latest_versions(name)",
)
def latest_versions(ctx: Context) -> None:
    """The latest version per stage (no stages set: the newest version)."""
    from mlflow import MlflowClient

    with setup_quietly():
        _registered(ctx, versions=2)
    client = MlflowClient()
    name = NAME
    latest = client.get_latest_versions(name)
    ctx.check([str(mv.version) for mv in latest] == ["2"], f"latest versions {[mv.version for mv in latest]}")


@scenario(
    id="registry.alias.set",
    area="registry",
    kind="idiom",
    code='client.set_registered_model_alias(name, "staging", v)',
)
def alias_set(ctx: Context) -> None:
    """Point an alias at a model version (what replaces moving it to a stage)."""
    from mlflow import MlflowClient

    with setup_quietly():
        _, _, (v,) = _registered(ctx)
    client = MlflowClient()
    name = NAME
    client.set_registered_model_alias(name, "staging", v)
    found = client.get_model_version_by_alias(name, "staging").version
    ctx.check(str(found) == str(v), f"alias 'staging' resolves to version {found}, not {v}")


@scenario(
    id="registry.alias.uri",
    area="registry",
    kind="idiom",
    code='mlflow.pyfunc.load_model("models:/name@champion")',
)
def alias_uri(ctx: Context) -> None:
    """Load the version an alias points to by alias URI."""
    import mlflow
    import mlflow.pyfunc

    with setup_quietly():
        model, X, (v,) = _registered(ctx)
        ctx.adapter.set_alias(NAME, "champion", v)
    loaded = mlflow.pyfunc.load_model(f"models:/{NAME}@champion")
    same_predictions(ctx, loaded.predict(X), model.predict(X), "alias URI load")
