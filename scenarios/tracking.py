"""Tracking: params, metrics and tags written and read back."""

from __future__ import annotations

from harness.scenario import Context, scenario


@scenario(id="tracking.params_metrics_tags.round_trip", area="tracking", kind="capability")
def params_metrics_tags_round_trip(ctx: Context) -> None:
    """Params, metrics (with steps) and tags logged in a run read back equal."""
    import mlflow

    with ctx.adapter.start_run() as run:
        mlflow.log_params({"alpha": "0.5", "solver": "lbfgs"})
        for step, value in enumerate([0.5, 0.7, 0.9]):
            mlflow.log_metric("accuracy", value, step=step)
        mlflow.set_tags({"team": "compat", "stage": "test"})
    data = ctx.adapter.client().get_run(run.info.run_id).data
    ctx.check(data.params == {"alpha": "0.5", "solver": "lbfgs"}, f"params read back as {data.params}")
    ctx.check(data.metrics.get("accuracy") == 0.9, f"latest accuracy read back as {data.metrics.get('accuracy')}")
    history = ctx.adapter.client().get_metric_history(run.info.run_id, "accuracy")
    ctx.check([m.value for m in sorted(history, key=lambda m: m.step)] == [0.5, 0.7, 0.9],
              f"metric history read back as {[m.value for m in history]}")
    ctx.check(data.tags.get("team") == "compat" and data.tags.get("stage") == "test",
              f"tags read back as { {k: v for k, v in data.tags.items() if not k.startswith('mlflow.')} }")
