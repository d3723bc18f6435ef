"""Scenario ids are contracts: they join versions, runs and CI history.

The recorded list below must change together with the scenarios. Renaming or
removing a scenario without updating it fails here, on purpose: say why in the
commit, and keep the old id if users' CI history depends on it.
"""

from __future__ import annotations

import re

import pytest

from harness import scenario as registry

RECORDED_IDS = [
    "evaluation.classifier.metrics",
    "evaluation.evaluate.models_module",
    "evaluation.evaluate.top_level",
    "evaluation.regressor.metrics",
    "evaluation.threshold.failing",
    "evaluation.threshold.greater_is_better",
    "evaluation.threshold.higher_is_better",
    "evaluation.validate.thresholds_kwarg",
    "evaluation.validate.validate_results",
    "filestore.default.empty_dir",
    "filestore.env.file_uri",
    "filestore.env.sqlite_uri",
    "filestore.registry.register_model",
    "filestore.uri.file_scheme",
    "filestore.uri.mlruns_path",
    "filestore.uri.sqlite",
    "models.load.model_id",
    "models.load.model_id_uri",
    "models.load.runs_uri",
    "models.log.artifact_path_kwarg",
    "models.log.artifact_path_positional",
    "models.log.name_kwarg",
    "models.pyfunc.custom_python_model",
    "models.pyfunc.predict",
    "models.signature.input_example_enforced",
    "models.sklearn.round_trip",
    "models.sklearn.saved_artifacts",
    "perf.import.mlflow",
    "perf.load_model.pyfunc",
    "perf.log_model.inferred_requirements",
    "perf.log_model.pip_requirements",
    "perf.memory.peak_rss",
    "perf.predict.one_row",
    "registry.alias.set",
    "registry.alias.set_get_load",
    "registry.alias.uri",
    "registry.register.from_run",
    "registry.search_model_versions.by_name",
    "registry.stage.latest_versions",
    "registry.stage.transition",
    "registry.stage.uri",
    "registry.version.tags",
    "registry.version.uri_load",
    "serving.scoring_server.invocations",
    "tracing.decorator",
    "tracking.artifacts.log_download",
    "tracking.defaults.tracking_uri",
    "tracking.log_input.pandas_dataset",
    "tracking.params_metrics_tags.round_trip",
    "tracking.run_info.run_id",
    "tracking.run_info.run_uuid",
    "tracking.runs.nested",
    "tracking.search_runs.filter",
]

#: the idiom table of issue #3: id -> (literal code, replaced_by)
IDIOMS = {
    "models.log.artifact_path_kwarg": ('mlflow.sklearn.log_model(sk_model=m, artifact_path="model")', "models.log.name_kwarg"),
    "models.log.artifact_path_positional": ('mlflow.sklearn.log_model(m, "model")', "models.log.name_kwarg"),
    "models.log.name_kwarg": ('mlflow.sklearn.log_model(sk_model=m, name="model")', None),
    "models.load.model_id_uri": ('mlflow.pyfunc.load_model(f"models:/{info.model_id}")', None),
    "tracking.run_info.run_uuid": ("run.info.run_uuid", "tracking.run_info.run_id"),
    "tracking.run_info.run_id": ("run.info.run_id", None),
    "evaluation.threshold.higher_is_better": ("MetricThreshold(threshold=0.8, higher_is_better=True)", "evaluation.threshold.greater_is_better"),
    "evaluation.threshold.greater_is_better": ("MetricThreshold(threshold=0.8, greater_is_better=True)", None),
    "evaluation.evaluate.top_level": ("mlflow.evaluate(", "evaluation.evaluate.models_module"),
    "evaluation.evaluate.models_module": ("mlflow.models.evaluate(", None),
    "evaluation.validate.thresholds_kwarg": ("validation_thresholds=", "evaluation.validate.validate_results"),
    "evaluation.validate.validate_results": ("mlflow.validate_evaluation_results(", None),
    # issue #14: a replacement must be literal code too, so not the capability registry.alias.set_get_load
    "registry.stage.transition": ('client.transition_model_version_stage(name, v, "Staging")', "registry.alias.set"),
    "registry.alias.set": ('client.set_registered_model_alias(name, "staging", v)', None),
    "registry.stage.uri": ('mlflow.pyfunc.load_model("models:/name/Staging")', "registry.alias.uri"),
    "registry.stage.latest_versions": ("client.get_latest_versions(name)", None),
    "registry.alias.uri": ('mlflow.pyfunc.load_model("models:/name@champion")', None),
    "tracing.decorator": ("@mlflow.trace", None),
    "filestore.default.empty_dir": ("with mlflow.start_run():", None),
    "filestore.uri.mlruns_path": ('mlflow.set_tracking_uri("./mlruns")', "filestore.uri.sqlite"),
    "filestore.uri.file_scheme": ('mlflow.set_tracking_uri("file:///path/to/mlruns")', "filestore.uri.sqlite"),
    "filestore.uri.sqlite": ('mlflow.set_tracking_uri("sqlite:///mlflow.db")', None),
    "filestore.env.file_uri": ("MLFLOW_TRACKING_URI=file:///path/to/mlruns", "filestore.env.sqlite_uri"),
    "filestore.env.sqlite_uri": ("MLFLOW_TRACKING_URI=sqlite:///mlflow.db", None),
    "filestore.registry.register_model": ('mlflow.register_model(model_uri, "name")', None),
}


@pytest.fixture(scope="module")
def specs():
    registry.load_builtin()
    return {sid: spec for sid, spec in registry.REGISTRY.items() if spec.module.startswith("scenarios.")}


def test_every_recorded_id_still_exists_and_no_new_one_is_unrecorded(specs):
    assert len(RECORDED_IDS) == len(set(RECORDED_IDS)), "RECORDED_IDS lists an id twice"
    missing = sorted(set(RECORDED_IDS) - set(specs))
    unrecorded = sorted(set(specs) - set(RECORDED_IDS))
    assert not missing, f"scenario ids renamed or removed: {missing} (update RECORDED_IDS on purpose)"
    assert not unrecorded, f"new scenario ids not recorded: {unrecorded} (add them to RECORDED_IDS)"


def test_ids_are_dotted_and_start_with_their_area(specs):
    for sid, spec in specs.items():
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+){1,3}", sid), sid
        assert sid.startswith(spec.area + "."), sid
        assert spec.description, f"{sid} has no docstring"


def test_idioms_carry_their_literal_code_and_replacement(specs):
    for sid, (code, replaced_by) in IDIOMS.items():
        spec = specs[sid]
        assert spec.kind == "idiom", sid
        assert spec.code and code in spec.code, f"{sid}: code= is {spec.code!r}"
        assert spec.replaced_by == replaced_by, f"{sid}: replaced_by= is {spec.replaced_by!r}"


def test_replaced_by_names_an_existing_scenario_with_literal_code(specs):
    """A migration hint reads "replace <code> with <code>": both sides must be code, never an id."""
    for sid, spec in specs.items():
        if spec.replaced_by:
            assert spec.replaced_by in specs, f"{sid} is replaced by unknown {spec.replaced_by!r}"
            assert spec.code, f"{sid} names a replacement but has no code="
            assert specs[spec.replaced_by].code, f"{sid} is replaced by {spec.replaced_by!r}, which has no code="
