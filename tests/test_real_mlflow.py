"""Real scenarios against a real MLflow, installed into its own environment."""

from __future__ import annotations

import pytest

from harness.results import load_run
from tests.mlflow_envs import real_env, run_harness

pytestmark = pytest.mark.mlflow


def test_real_scenarios_produce_a_valid_run_file(tmp_path):
    python, version = real_env("3")
    proc = run_harness(
        python, "run", "--results-dir", str(tmp_path), "--label", "real",
        "--only", "tracking.params_metrics_tags.round_trip", "--only", "models.log.artifact_path_kwarg",
        "--only", "models.log.name_kwarg", "--spec", "3",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "[1/3]" in proc.stdout and "[3/3]" in proc.stdout
    run = load_run(tmp_path / "runs" / "real.json")
    assert run.mlflow_version == version and run.spec == "3" and run.run_status == "complete"
    by_id = run.by_id()
    assert set(by_id) == {"tracking.params_metrics_tags.round_trip", "models.log.artifact_path_kwarg", "models.log.name_kwarg"}
    # the tracking round trip is the harness's own smoke test: a store, a run, reads
    assert by_id["tracking.params_metrics_tags.round_trip"].status == "pass"
    for result in run.scenarios:
        assert result.duration_s > 0
        assert "peak_rss_mb" in result.metrics
    # MLflow's logger output is captured as warnings, not lost to stderr
    logged = [w for r in run.scenarios for w in r.warnings if w["source"] == "logging"]
    assert all(w["category"].startswith("log.") for w in logged)
    assert not (tmp_path / "runs" / "real.partial.json").exists()
