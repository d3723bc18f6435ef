"""The file-store scenarios on a real MLflow, through the harness (one version).

Outcomes are whatever this release does with a ./mlruns store; the test
checks that each cell is recorded faithfully: a status, the store it used and
what it created when it ran, and, when the user's line raised, the exception
with what its message named, and the retry with any setting it named.
"""

from __future__ import annotations

import pytest

from harness.outcomes import Status
from harness.results.runs import load_run
from tests.mlflow_envs import real_env, run_harness

pytestmark = pytest.mark.mlflow

CHOSEN = ("filestore.default.empty_dir", "filestore.uri.mlruns_path")
RAISED_KEYS = {"type", "message", "error_code", "named_env", "named_commands", "named_links", "named_uris"}


def test_file_store_cells_record_the_store_or_the_exception_and_its_way_out(tmp_path):
    python, version = real_env("3")
    only = [arg for sid in CHOSEN for arg in ("--only", sid)]
    proc = run_harness(python, "run", "--results-dir", str(tmp_path), "--label", "real", *only)
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = load_run(tmp_path / "runs" / "real.json")
    assert run.mlflow_version == version and set(run.by_id()) == set(CHOSEN)
    for cell in run.scenarios:
        assert cell.status in Status.values(), cell.id
        assert cell.kind == "idiom" and cell.code, cell.id
        obs = cell.observations
        assert isinstance(obs["store_created"], list), cell.id  # recorded however it ended
        assert str(tmp_path) not in repr(obs) and "mlflow-compat-" not in repr(obs), cell.id
        if cell.status == "pass":
            assert obs["store_uri"] and "raised" not in obs, cell.id
        elif cell.status == "error":
            # the exception the user's code got is the cell's error and the recorded one
            raised = obs["raised"]
            assert set(raised) == RAISED_KEYS, cell.id
            assert raised["type"] == cell.error["type"], cell.id
            assert cell.error["message"].startswith(raised["message"][:200]), cell.id
            retry = obs["retry_with_named_env"]
            if raised["named_env"]:
                assert retry["env"] == raised["named_env"] and retry["status"] in Status.values(), cell.id
            else:
                assert retry is None, cell.id
    assert run.by_id()["filestore.uri.mlruns_path"].replaced_by == "filestore.uri.sqlite"
