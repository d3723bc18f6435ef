"""A handful of the shared scenarios on a real MLflow (the tests' own environment).

Chosen to be quick yet to cross every layer: literal idioms with their
code/replaced_by metadata, an observation of a silent default, tracing through
the adapter, and one evaluation (MLflow calling pandas and scikit-learn, for
warning origins). Outcomes are whatever this MLflow does;
the test checks that they are recorded faithfully, not what they are.
"""

from __future__ import annotations

import pytest

from harness.outcomes import Status
from harness.results.runs import load_run
from tests.mlflow_envs import real_env, run_harness

pytestmark = pytest.mark.mlflow

CHOSEN = (
    "tracking.defaults.tracking_uri",
    "tracking.run_info.run_uuid",
    "tracking.run_info.run_id",
    "evaluation.threshold.higher_is_better",
    "evaluation.threshold.greater_is_better",
    "evaluation.threshold.failing",
    "tracing.decorator",
)


def test_a_handful_of_shared_scenarios_on_real_mlflow(tmp_path):
    python, version = real_env("3")
    only = [arg for sid in CHOSEN for arg in ("--only", sid)]
    proc = run_harness(python, "run", "--results-dir", str(tmp_path), "--label", "real", *only)
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = load_run(tmp_path / "runs" / "real.json")
    assert run.mlflow_version == version and run.run_status == "complete"
    by_id = run.by_id()
    assert set(by_id) == set(CHOSEN)
    for result in run.scenarios:
        assert result.status in Status.values()
        if result.status in ("fail", "error"):
            assert result.error["type"] and result.error["message"], result.id
    # idioms carry the literal code and their replacement into the run file
    uuid = by_id["tracking.run_info.run_uuid"]
    assert uuid.kind == "idiom" and uuid.code == "run.info.run_uuid"
    assert uuid.replaced_by == "tracking.run_info.run_id"
    # the current spelling works on every release this harness supports
    assert by_id["tracking.run_info.run_id"].status == "pass"
    # the silent default is observed, with the scenario's directory normalised away
    default = by_id["tracking.defaults.tracking_uri"]
    assert default.status == "pass", default.error
    uri = default.observations["default_tracking_uri"]
    assert isinstance(uri, str) and uri and str(tmp_path) not in uri and "mlflow-compat-" not in uri
    assert isinstance(default.observations["default_store_creates"], list)
    # warning origins: a warning raised inside a library that MLflow's code called is
    # the library's (measured here: pandas' Pandas4Warning inside mlflow/data/ while
    # evaluating), with the library's installed version and MLflow's frame around it
    under_mlflow = [w for r in run.scenarios for w in r.warnings
                    if w.get("origin", "").startswith("library:") and w.get("mlflow_frame")]
    assert under_mlflow, [(w["category"], w.get("origin")) for r in run.scenarios for w in r.warnings]
    for w in under_mlflow:
        name = w["origin"].removeprefix("library:")
        assert not w["raised_at"].startswith("mlflow/") and w["mlflow_frame"].startswith("mlflow/")
        assert w["version"] == run.packages.get(name, w["version"])
