"""One real pair of environments (2.9 and 3) through the file-store check group."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.crossversion import filestore
from harness.outcomes import Status
from harness.results import cross
from tests.mlflow_envs import ROOT, _clean_env, real_env

pytestmark = pytest.mark.mlflow


def test_file_store_steps_run_across_a_real_pair(tmp_path):
    base_python, base_version = real_env("2.9")
    cand_python, cand_version = real_env("3")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.crossversion", "run", "--results-dir", str(tmp_path),
         "--baseline", "2.9", "--candidate", "3", "--baseline-python", base_python,
         "--candidate-python", cand_python, "--only", "filestore"],
        cwd=ROOT, env={**_clean_env(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = cross.load(tmp_path / "cross" / cross.file_name(base_version, cand_version))
    by_id = {s.id: s for s in result.steps}
    assert list(by_id) == list(filestore.STEPS)  # every step once, in the group's order
    for sid, step in by_id.items():
        assert step.status in Status.values() and step.area == "filestore", sid
        assert (step.from_role, step.to_role) == filestore.FLOW.get(sid, ("baseline", "candidate")), sid
        assert str(tmp_path) not in repr(step.observations.get("env", {})), sid
    # the control: the harness's own writer read its own store and loaded its own model
    written = by_id["filestore.write"]
    assert written.status == "pass", written.error
    assert written.observations["model_loads"] and set(written.observations["model_loads"].values()) == {"pass"}
    # every opening by the candidate was observed: records compared, or the exception and what it named
    for sid in ("filestore.open_default", "filestore.open_file_uri"):
        obs = by_id[sid].observations
        assert "records_identical" in obs or obs["raised"]["type"] == by_id[sid].error["type"], sid
    # a migration ran exactly when the candidate's own exception named a command
    named = by_id["filestore.open_file_uri"].observations.get("raised", {}).get("named_commands")
    assert (by_id["filestore.migrate"].status != "skipped") == bool(named)
    assert not (tmp_path / "work" / "cross").exists() or not any((tmp_path / "work" / "cross").iterdir())
