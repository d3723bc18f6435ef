"""Tracking: runs, params/metrics/tags, search, artifacts, nested runs, datasets,
and the silent defaults (tracking URI of an empty directory)."""

from __future__ import annotations

import os
from pathlib import Path

from harness.scenario import Context, scenario
from scenarios._common import relative_uri


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


@scenario(id="tracking.search_runs.filter", area="tracking", kind="capability")
def search_runs_filter(ctx: Context) -> None:
    """search_runs with a metric + param filter returns exactly the matching runs."""
    import mlflow

    ids = {}
    for lr, acc in [("0.1", 0.7), ("0.2", 0.9), ("0.3", 0.95)]:
        with ctx.adapter.start_run() as run:
            mlflow.log_param("lr", lr)
            mlflow.log_metric("acc", acc)
            ids[lr] = run.info.run_id
    found = ctx.adapter.search_runs("metrics.acc > 0.8 and params.lr != '0.3'")
    ctx.observe("search_runs_type", type(found).__name__)
    got = set(found["run_id"]) if hasattr(found, "columns") else {r.info.run_id for r in found}
    ctx.check(got == {ids["0.2"]}, f"filter matched {sorted(got)}, expected only the lr=0.2 run")


@scenario(id="tracking.artifacts.log_download", area="tracking", kind="capability")
def artifacts_log_download(ctx: Context) -> None:
    """A directory of artifacts logged to a run downloads back byte for byte."""
    src = ctx.work_dir / "src"
    (src / "sub").mkdir(parents=True)
    files = {"a.txt": b"alpha\n", "sub/b.bin": bytes(range(256))}
    for rel, content in files.items():
        (src / rel).write_bytes(content)
    with ctx.adapter.start_run() as run:
        ctx.adapter.log_artifacts(str(src), "bundle")
    dst = ctx.work_dir / "dst"
    dst.mkdir()
    local = Path(ctx.adapter.download_artifacts(run.info.run_id, "bundle", str(dst)))
    for rel, content in files.items():
        path = local / rel
        ctx.check(path.is_file(), f"{rel} missing after download")
        ctx.check(path.read_bytes() == content, f"{rel} differs after download")
    listed = sorted(f.path for f in ctx.adapter.client().list_artifacts(run.info.run_id, "bundle"))
    ctx.check(listed == ["bundle/a.txt", "bundle/sub"], f"list_artifacts gave {listed}")


@scenario(id="tracking.runs.nested", area="tracking", kind="capability")
def nested_runs(ctx: Context) -> None:
    """A nested run records its parent (mlflow.parentRunId) and is found by it."""
    with ctx.adapter.start_run() as parent:
        with ctx.adapter.start_run(nested=True) as child:
            pass
    tags = ctx.adapter.client().get_run(child.info.run_id).data.tags
    ctx.check(tags.get("mlflow.parentRunId") == parent.info.run_id,
              f"child's mlflow.parentRunId is {tags.get('mlflow.parentRunId')!r}")
    found = ctx.adapter.search_runs(f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    ctx.check(list(found["run_id"]) == [child.info.run_id], f"search by parent found {list(found['run_id'])}")


@scenario(id="tracking.log_input.pandas_dataset", area="tracking", kind="capability")
def log_input_pandas(ctx: Context) -> None:
    """A pandas dataset logged with log_input reads back with its name, context and digest."""
    X, y = ctx.iris()
    df = X.assign(target=y)
    with ctx.adapter.start_run() as run:
        ctx.adapter.log_pandas_input(df, targets="target", name="iris")
    inputs = ctx.adapter.run_dataset_inputs(run.info.run_id)
    ctx.check(len(inputs) == 1, f"{len(inputs)} dataset inputs read back")
    dataset = inputs[0].dataset
    ctx.check(dataset.name == "iris", f"dataset name read back as {dataset.name!r}")
    contexts = [t.value for t in inputs[0].tags if t.key == "mlflow.data.context"]
    ctx.check(contexts == ["training"], f"context tags read back as {contexts}")
    ctx.observe("dataset_source_type", dataset.source_type)
    ctx.observe("dataset_digest_length", len(dataset.digest or ""))


@scenario(
    id="tracking.run_info.run_uuid",
    area="tracking",
    kind="idiom",
    replaced_by="tracking.run_info.run_id",
    code="run.info.run_uuid",
)
def run_info_run_uuid(ctx: Context) -> None:
    """The old spelling of a run's id."""
    import mlflow

    with mlflow.start_run() as run:
        pass
    run_id = run.info.run_uuid
    ctx.check(run_id == mlflow.get_run(run.info.run_id).info.run_id, f"run_uuid {run_id!r} is not the run's id")


@scenario(id="tracking.run_info.run_id", area="tracking", kind="idiom", code="run.info.run_id")
def run_info_run_id(ctx: Context) -> None:
    """The current spelling of a run's id."""
    import mlflow

    with mlflow.start_run() as run:
        pass
    run_id = run.info.run_id
    ctx.check(mlflow.get_run(run_id).info.run_id == run_id, f"get_run({run_id!r}) returned another run")


@scenario(id="tracking.defaults.tracking_uri", area="tracking", kind="capability")
def default_tracking_uri(ctx: Context) -> None:
    """Where MLflow writes when nothing is configured, in an empty working directory.

    Observed only: MLFLOW_TRACKING_URI is unset and mlflow is asked. A run is
    then logged so the observation also says what the default store creates.
    """
    import mlflow

    empty = ctx.work_dir / "empty"
    empty.mkdir()
    os.chdir(empty)
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        os.environ.pop(name, None)
    # nothing in this process called set_tracking_uri, so mlflow falls back
    # to its default (tracking/_tracking_service/utils.py in 2.9.2 and 3.x)
    uri = mlflow.get_tracking_uri()
    ctx.observe("default_tracking_uri", relative_uri(uri, empty))
    ctx.observe("default_registry_uri", relative_uri(mlflow.get_registry_uri(), empty))
    with mlflow.start_run():
        mlflow.log_param("p", "1")
    ctx.observe("default_store_creates", sorted(p.name for p in empty.iterdir()))

