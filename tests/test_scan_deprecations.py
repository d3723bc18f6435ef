"""harness.scan.deprecations: a deprecation becomes a finding only when a run
file's warning names an API that the scenario which raised it called.
Scenario modules, run files and warnings here are hand-written."""

from __future__ import annotations

import textwrap

import pytest

from harness.results.runs import load_runs
from harness.scan import scan_paths
from harness.scan.deprecations import mentions
from tests.factories import run_file, scenario, write
from tests.scan_support import change, diff_of

#: makes mlflow.evaluate and mlflow.models.evaluate two public paths of one canonical function
EVALUATE = change("parameter_removed", "mlflow.models.evaluation.base.evaluate", "unused_kw",
                  public=("mlflow.evaluate", "mlflow.models.evaluate"))

SCENARIOS = """\
    import mlflow
    from harness.scenario import Context, scenario

    @scenario(id="t.log.old_kw", area="t", kind="idiom")
    def old_kw(ctx: Context) -> None:
        mlflow.sklearn.log_model(ctx.model, artifact_path="m")

    @scenario(id="t.log.new_kw", area="t", kind="idiom")
    def new_kw(ctx: Context) -> None:
        mlflow.sklearn.log_model(ctx.model, name="m")

    @scenario(id="t.log.positional", area="t", kind="idiom")
    def positional(ctx: Context) -> None:
        mlflow.sklearn.log_model(ctx.model, "m")

    @scenario(id="t.evaluate", area="t", kind="idiom")
    def evaluate(ctx: Context) -> None:
        mlflow.evaluate("uri", ctx.data, targets="label")

    @scenario(id="t.stage", area="t", kind="idiom")
    def stage(ctx: Context) -> None:
        client = mlflow.MlflowClient()
        client.transition_model_version_stage("n", 1, "Staging")
    """
USER = """\
    import mlflow.sklearn
    from mlflow import MlflowClient
    mlflow.sklearn.log_model(model, artifact_path="m")
    mlflow.sklearn.log_model(model, name="m")
    MlflowClient().transition_model_version_stage("n", 1, "Staging")
    MlflowClient().get_latest_versions("n")
    mlflow.evaluate("uri", data, targets="label")
    mlflow.models.evaluate("uri", data, targets="label")
    """


def warning(message, category="FutureWarning", **extra):
    return {"category": category, "message": message, "source": "warnings", "where": "x.py:1", "count": 1, **extra}


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "t.py").write_text(textwrap.dedent(SCENARIOS))
    (tmp_path / "user.py").write_text(textwrap.dedent(USER))

    def scan(cells_new: dict[str, list[dict]]):
        runs_dir = tmp_path / "runs"
        cells = [scenario(sid, kind="idiom", warnings=cells_new.get(sid, [])) for sid in ("t.log.old_kw", "t.log.new_kw", "t.log.positional", "t.evaluate", "t.stage")]
        write(runs_dir, run_file("3.17.2", cells))
        runs, _ = load_runs(sorted(runs_dir.glob("*.json")))
        result = scan_paths([tmp_path / "user.py"], [diff_of(EVALUATE)], runs, scenario_paths=[tmp_path / "scen"])
        return [(f.line, f.code, f.name, f.severity) for f in result.findings], result

    return scan


def test_keyword_and_method_deprecations_are_tied(setup):
    found, result = setup({
        "t.log.old_kw": [warning("`artifact_path` is deprecated. Please use `name` instead.", "WARNING")],
        "t.stage": [warning("``mlflow.tracking.client.MlflowClient.transition_model_version_stage`` is deprecated since 2.9.0.")],
    })
    assert found == [(3, "MLC010", "artifact_path", "deprecated"), (5, "MLC010", None, "deprecated")]
    assert result.findings[1].evidence == [
        "observed: t.stage on 3.17.2 raised FutureWarning: ``mlflow.tracking.client.MlflowClient.transition_model_version_stage`` "
        "is deprecated since 2.9.0."
    ]


def test_a_warning_raised_without_the_keyword_too_is_not_the_keywords(setup):
    same = warning("`artifact_path` is deprecated; `name` too, this is a made-up message.")
    found, _ = setup({"t.log.old_kw": [same], "t.log.new_kw": [same]})
    assert found == []


def test_a_positional_call_raising_the_same_message_is_no_control(setup):
    """Passing the parameter positionally raises the same warning: still the parameter's."""
    same = warning("`artifact_path` is deprecated. Please use `name` instead.", "WARNING")
    found, _ = setup({"t.log.old_kw": [same], "t.log.positional": [same]})
    assert found == [(3, "MLC010", "artifact_path", "deprecated")]


def test_a_deprecated_name_does_not_taint_its_replacement(setup):
    """3.x deprecates `mlflow.evaluate` for `mlflow.models.evaluate`, the same code under another name."""
    message = ("The `mlflow.evaluate` API has been deprecated as of MLflow 3.0.0. Use `mlflow.models.evaluate`, "
               "which maintains full compatibility with the original `mlflow.evaluate` API.")
    found, _ = setup({"t.evaluate": [warning(message)]})
    assert found == [(7, "MLC010", None, "deprecated")]


def test_warnings_naming_nothing_the_scenario_called_are_not_tied(setup):
    found, _ = setup({"t.log.old_kw": [warning("Inferring requirements is deprecated for pandas")],
                      "t.stage": [warning("Stages are deprecated")]})
    assert found == []


def test_other_libraries_warnings_are_not_tied(setup):
    found, _ = setup({"t.log.old_kw": [warning("`artifact_path` is deprecated", origin="library:sklearn")]})
    assert found == []


def test_non_deprecation_warnings_are_not_tied(setup):
    found, _ = setup({"t.log.old_kw": [warning("`artifact_path` looks odd", category="UserWarning")]})
    assert found == []


def test_mentions_skip_qualifiers_and_order_by_position():
    message = "``mlflow.tracking.client.MlflowClient.transition_model_version_stage`` is deprecated; use `set_alias`"
    assert mentions(message, ["MlflowClient", "set_alias", "transition_model_version_stage"]) == [
        "transition_model_version_stage", "set_alias"]
    assert mentions("`name` and names", ["name"]) == ["name"]
    assert mentions("renamed", ["name"]) == []


def test_a_deprecated_function_gets_no_idiom_advice_meant_for_another_aspect(tmp_path):
    """The idiom that raised `mlflow.evaluate`'s deprecation pairs up validation, not evaluate's successor."""
    (tmp_path / "scen").mkdir()
    (tmp_path / "scen" / "t.py").write_text(textwrap.dedent("""\
        import mlflow
        from harness.scenario import scenario

        @scenario(id="t.validate.kwarg", area="t", kind="idiom")
        def kwarg(ctx):
            mlflow.evaluate("uri", ctx.data, validation_thresholds={})
        """))
    (tmp_path / "user.py").write_text("import mlflow\nmlflow.evaluate('uri', data)\n")
    cells = [scenario("t.validate.kwarg", kind="idiom", replaced_by="t.validate.own_call", code="evaluate(validation_thresholds=...)",
                      warnings=[warning("The `mlflow.evaluate` API has been deprecated")]),
             scenario("t.validate.own_call", kind="idiom", code="mlflow.validate_evaluation_results(...)")]
    write(tmp_path / "runs", run_file("3.17.2", cells))
    runs, _ = load_runs(sorted((tmp_path / "runs").glob("*.json")))
    (finding,) = scan_paths([tmp_path / "user.py"], [diff_of(EVALUATE)], runs, scenario_paths=[tmp_path / "scen"]).findings
    assert finding.code == "MLC010" and finding.replacement is None
