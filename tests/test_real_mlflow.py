"""Real scenarios against a real MLflow, installed into its own environment.

One runner invocation covers: built-in scenarios, the example user project's
scenarios (importing the user's own package), and a user module that fails to
import (named, while everything else still runs).
"""

from __future__ import annotations

import os

import pytest

from harness.results.runs import load_run
from tests.mlflow_envs import ROOT, real_env, run_harness

pytestmark = pytest.mark.mlflow

EXAMPLE = ROOT / "examples" / "user_project"


def test_real_run_with_builtin_and_user_scenarios(tmp_path):
    python, version = real_env("3")
    broken = tmp_path / "user" / "broken.py"
    broken.parent.mkdir()
    broken.write_text("import not_a_module_anywhere\n")
    proc = run_harness(
        python, "run", "--results-dir", str(tmp_path), "--label", "real", "--spec", "3",
        "--only", "tracking.params_metrics_tags.round_trip", "--only", "models.log.name_kwarg",
        "--only", "churn.*",
        "--scenario-path", str(EXAMPLE / "compat_scenarios"), "--scenario-path", str(broken.parent),
        env_extra={"PYTHONPATH": os.pathsep.join([str(ROOT), str(EXAMPLE)])},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"{broken}" in proc.stderr and "ModuleNotFoundError" in proc.stderr
    assert "[1/4]" in proc.stdout and "[4/4]" in proc.stdout
    run = load_run(tmp_path / "runs" / "real.json")
    assert run.mlflow_version == version and run.spec == "3" and run.run_status == "complete"
    assert run.selection["only"][0] == "tracking.params_metrics_tags.round_trip"
    assert [e["path"] for e in run.load_errors] == [str(broken)]
    by_id = run.by_id()
    assert set(by_id) == {
        "tracking.params_metrics_tags.round_trip", "models.log.name_kwarg",
        "churn.helpers.log_and_gate", "churn.helpers.log_and_gate_v3",
    }
    # the tracking round trip is the harness's own smoke test: a store, a run, reads
    assert by_id["tracking.params_metrics_tags.round_trip"].status == "pass"
    assert by_id["churn.helpers.log_and_gate"].replaced_by == "churn.helpers.log_and_gate_v3"
    assert by_id["churn.helpers.log_and_gate"].code.startswith("churn_helpers.log_churn_model(m)")
    for result in run.scenarios:
        assert result.duration_s > 0 and "peak_rss_mb" in result.metrics
        assert result.status in ("pass", "fail", "error"), (result.id, result.status, result.reason)
    # MLflow's logger output is captured as warnings, not lost to stderr
    logged = [w for r in run.scenarios for w in r.warnings if w["source"] == "logging"]
    assert all(w["category"].startswith("log.") for w in logged)
    assert not (tmp_path / "runs" / "real.partial.json").exists()
