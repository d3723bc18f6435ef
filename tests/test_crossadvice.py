"""Cross-version advice about file stores, and migration hints carrying what an error named."""

from __future__ import annotations

from harness.analysis import crossadvice
from harness.analysis.matrix import build_matrix
from harness.analysis.migrations import migrations
from tests.factories import run_file, scenario
from tests.test_crossversion import B, C, result, step

REFUSAL = {"type": "MlflowException", "message": "file stores are read-only; run `mlflow migrate-filestore`",
           "named_commands": ["mlflow migrate-filestore"], "named_env": {"MLFLOW_ALLOW_FILE_STORE": "true"},
           "named_links": ["https://example.org/migrate"], "named_uris": []}


def test_file_store_advice_names_what_the_candidate_said_and_the_rollback_trap():
    r = result(
        step("filestore.write", "baseline", "baseline"),
        step("filestore.open_default", "baseline", "candidate", "error", raised=REFUSAL),
        step("filestore.read_back", "candidate", "baseline", "error"),
        step("filestore.read_migrated", "baseline", "candidate"),
        step("filestore.baseline_reads_migrated", "candidate", "baseline", "error"),
    )
    summaries = [a.summary for a in crossadvice.filestore(r)]
    assert f"mlflow {C} does not open a ./mlruns file store written by {B}" in summaries[0]
    assert "`mlflow migrate-filestore`, `MLFLOW_ALLOW_FILE_STORE=true`, https://example.org/migrate" in summaries[0]
    assert "after the migration it read back every record" in summaries[0]
    assert f"{B} cannot read it back" in summaries[1] and "copy ./mlruns" in summaries[1]
    assert "keep ./mlruns to roll back" in summaries[2]
    # a candidate that reads the store says so, and nothing is invented for steps that did not run
    ok = crossadvice.filestore(result(step("filestore.open_default", "baseline", "candidate")))
    assert [a.summary for a in ok] == [f"mlflow {C} reads a ./mlruns file store written by {B}."]
    assert crossadvice.filestore(result(step("filestore.write", "baseline", "baseline"))) == []


def test_a_migration_hint_carries_the_ways_out_the_old_forms_error_named():
    old = dict(kind="idiom", code='mlflow.set_tracking_uri("./mlruns")', replaced_by="fs.uri.sqlite")
    new = dict(kind="idiom", code='mlflow.set_tracking_uri("sqlite:///mlflow.db")')
    m = build_matrix([
        run_file("2.9.2", [scenario("fs.uri.mlruns", **old), scenario("fs.uri.sqlite", **new)], spec="2.9"),
        run_file("3.17.2", [scenario("fs.uri.mlruns", "error", observations={"raised": REFUSAL}, **old),
                            scenario("fs.uri.sqlite", **new)], spec="3"),
    ], "2.9", 1.5)
    (hint,) = migrations(m)
    assert hint.named == {"3.17.2": "`mlflow migrate-filestore`, `MLFLOW_ALLOW_FILE_STORE=true`, https://example.org/migrate"}
    assert "3.17.2 names `mlflow migrate-filestore`" in hint.summary and "change it now" in hint.summary
