"""Evaluation: classifier and regressor metrics, MetricThreshold spellings,
evaluate's two homes, and model validation against a threshold the model
cannot meet."""

from __future__ import annotations

from harness.scenario import Context, scenario
from scenarios._common import PIP_REQUIREMENTS, setup_quietly

#: accuracy can never reach this: validation must fail
UNREACHABLE = 1.5


def _model_and_data(ctx: Context):
    """(model_uri, eval DataFrame with a 'label' column), logged through the adapter."""
    model, X, y = ctx.trained_model()
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    return logged.model_uri, X.assign(label=y)


def _is_validation_failure(exc: BaseException) -> bool:
    # mlflow.models.evaluation.validation.ModelValidationFailedException in 2.9.2 and 3.x
    return type(exc).__name__ == "ModelValidationFailedException"


# -- capabilities --------------------------------------------------------------
@scenario(id="evaluation.classifier.metrics", area="evaluation", kind="capability")
def classifier_metrics(ctx: Context) -> None:
    """The default evaluator computes classifier metrics for a logged model."""
    model_uri, df = _model_and_data(ctx)
    result = ctx.adapter.evaluate_classifier(model_uri, df, targets="label")
    metrics = result.metrics
    ctx.check("accuracy_score" in metrics, f"no accuracy_score among {sorted(metrics)}")
    ctx.check(0.9 <= metrics["accuracy_score"] <= 1.0, f"accuracy_score {metrics['accuracy_score']}")
    ctx.observe("metric_names", sorted(metrics))
    ctx.observe("artifact_names", sorted(getattr(result, "artifacts", {}) or {}))


def _regressor_and_data(ctx: Context):
    """(model_uri, eval DataFrame with a 'target' column): a LinearRegression on
    scikit-learn's bundled diabetes data, logged through the adapter."""
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression

    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target
    model = LinearRegression().fit(X, y)
    logged = ctx.adapter.log_sklearn_model(model, "model", pip_requirements=PIP_REQUIREMENTS)
    return logged.model_uri, X.assign(target=y)


@scenario(id="evaluation.regressor.metrics", area="evaluation", kind="capability")
def regressor_metrics(ctx: Context) -> None:
    """The default evaluator computes regressor metrics for a logged model."""
    model_uri, df = _regressor_and_data(ctx)
    result = ctx.adapter.evaluate_regressor(model_uri, df, targets="target")
    metrics = result.metrics
    ctx.check("r2_score" in metrics, f"no r2_score among {sorted(metrics)}")
    # the training data itself: a linear fit explains a good part of it
    ctx.check(0.0 < metrics["r2_score"] <= 1.0, f"r2_score {metrics['r2_score']}")
    ctx.observe("metric_names", sorted(metrics))
    ctx.observe("artifact_names", sorted(getattr(result, "artifacts", {}) or {}))


@scenario(id="evaluation.threshold.failing", area="evaluation", kind="capability")
def threshold_failing(ctx: Context) -> None:
    """A threshold the model cannot meet is reported as a validation failure."""
    model_uri, df = _model_and_data(ctx)
    thresholds = {"accuracy_score": ctx.adapter.metric_threshold(UNREACHABLE, greater_is_better=True)}
    try:
        ctx.adapter.validate_thresholds(model_uri, df, "label", thresholds)
    except Exception as exc:  # noqa: BLE001
        if not _is_validation_failure(exc):
            raise
        ctx.observe("failure_mentions_metric", "accuracy_score" in str(exc))
        return
    ctx.fail("an unreachable accuracy threshold passed validation")


# -- idioms ----------------------------------------------------------------------
@scenario(
    id="evaluation.threshold.higher_is_better",
    area="evaluation",
    kind="idiom",
    replaced_by="evaluation.threshold.greater_is_better",
    code="MetricThreshold(threshold=0.8, higher_is_better=True)",
)
def threshold_higher_is_better(ctx: Context) -> None:
    """The old keyword for the direction of a threshold."""
    from mlflow.models import MetricThreshold

    t = MetricThreshold(threshold=0.8, higher_is_better=True)
    ctx.check(t.threshold == 0.8 and t.greater_is_better is True, f"threshold built as {t}")


@scenario(
    id="evaluation.threshold.greater_is_better",
    area="evaluation",
    kind="idiom",
    code="MetricThreshold(threshold=0.8, greater_is_better=True)",
)
def threshold_greater_is_better(ctx: Context) -> None:
    """The current keyword for the direction of a threshold."""
    from mlflow.models import MetricThreshold

    t = MetricThreshold(threshold=0.8, greater_is_better=True)
    ctx.check(t.threshold == 0.8 and t.greater_is_better is True, f"threshold built as {t}")


@scenario(
    id="evaluation.evaluate.top_level",
    area="evaluation",
    kind="idiom",
    replaced_by="evaluation.evaluate.models_module",
    code='mlflow.evaluate(model_uri, df, targets="label", model_type="classifier")',
)
def evaluate_top_level(ctx: Context) -> None:
    """Evaluate a classifier through mlflow.evaluate."""
    import mlflow

    with setup_quietly():
        model_uri, df = _model_and_data(ctx)
    with mlflow.start_run():
        result = mlflow.evaluate(model_uri, df, targets="label", model_type="classifier")
    ctx.check("accuracy_score" in result.metrics, f"no accuracy_score among {sorted(result.metrics)}")


@scenario(
    id="evaluation.evaluate.models_module",
    area="evaluation",
    kind="idiom",
    code='mlflow.models.evaluate(model_uri, df, targets="label", model_type="classifier")',
)
def evaluate_models_module(ctx: Context) -> None:
    """Evaluate a classifier through mlflow.models.evaluate."""
    import mlflow
    import mlflow.models

    with setup_quietly():
        model_uri, df = _model_and_data(ctx)
    with mlflow.start_run():
        result = mlflow.models.evaluate(model_uri, df, targets="label", model_type="classifier")
    ctx.check("accuracy_score" in result.metrics, f"no accuracy_score among {sorted(result.metrics)}")


@scenario(
    id="evaluation.validate.thresholds_kwarg",
    area="evaluation",
    kind="idiom",
    replaced_by="evaluation.validate.validate_results",
    code='mlflow.evaluate(model_uri, df, targets="label", model_type="classifier", '
    'validation_thresholds={"accuracy_score": MetricThreshold(threshold=1.5, greater_is_better=True)})',
)
def validate_thresholds_kwarg(ctx: Context) -> None:
    """Validation inside evaluate: passes only if the unmeetable threshold fails validation."""
    import mlflow
    from mlflow.models import MetricThreshold

    with setup_quietly():
        model_uri, df = _model_and_data(ctx)
    try:
        with mlflow.start_run():
            mlflow.evaluate(
                model_uri, df, targets="label", model_type="classifier",
                validation_thresholds={"accuracy_score": MetricThreshold(threshold=UNREACHABLE, greater_is_better=True)},
            )
    except Exception as exc:  # noqa: BLE001
        if _is_validation_failure(exc):
            return
        raise
    ctx.fail("evaluate(validation_thresholds=...) did not fail validation for an unreachable threshold")


@scenario(
    id="evaluation.validate.validate_results",
    area="evaluation",
    kind="idiom",
    code='mlflow.validate_evaluation_results(validation_thresholds={"accuracy_score": '
    "MetricThreshold(threshold=1.5, greater_is_better=True)}, candidate_result=result)",
)
def validate_results(ctx: Context) -> None:
    """Validation as its own call: passes only if the unmeetable threshold fails validation."""
    import mlflow
    import mlflow.models
    from mlflow.models import MetricThreshold

    with setup_quietly():
        model_uri, df = _model_and_data(ctx)
        with mlflow.start_run():
            result = ctx.adapter.evaluate_classifier(model_uri, df, targets="label")
    try:
        mlflow.validate_evaluation_results(
            validation_thresholds={"accuracy_score": MetricThreshold(threshold=UNREACHABLE, greater_is_better=True)},
            candidate_result=result,
        )
    except Exception as exc:  # noqa: BLE001
        if _is_validation_failure(exc):
            return
        raise
    ctx.fail("validate_evaluation_results did not fail validation for an unreachable threshold")
