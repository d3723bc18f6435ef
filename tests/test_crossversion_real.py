"""One real pair of environments (2.9 and 3) through the cross-version orchestrator: the db group only."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.crossversion import database
from harness.results import cross
from tests.mlflow_envs import ROOT, _clean_env, real_env

pytestmark = pytest.mark.mlflow



def test_db_steps_run_across_a_real_pair(tmp_path):
    base_python, base_version = real_env("2.9")
    cand_python, cand_version = real_env("3")
    proc = subprocess.run(
        [sys.executable, "-m", "harness.crossversion", "run", "--results-dir", str(tmp_path),
         "--baseline", "2.9", "--candidate", "3", "--baseline-python", base_python,
         "--candidate-python", cand_python, "--only", "db"],
        cwd=ROOT, env={**_clean_env(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    path = tmp_path / "cross" / cross.file_name(base_version, cand_version)
    result = cross.load(path)
    assert (result.baseline.mlflow_version, result.candidate.mlflow_version) == (base_version, cand_version)
    by_id = {s.id: s for s in result.steps}
    assert list(by_id) == list(database.STEPS)  # every step of the group, in its order
    # the roles each step ran as: who wrote the store, who opened it
    assert by_id["db.open_without_upgrade"].key[1:] == ("baseline", "candidate")
    assert by_id["db.baseline_opens_upgraded"].key[1:] == ("candidate", "baseline")
    # same-version controls: the harness's own fill, dump and backup work
    assert by_id["db.fill"].status == "pass" and by_id["db.fill"].observations["counts"]["runs"] == 4
    assert by_id["db.restore_backup"].status == "pass"
    assert by_id["db.restore_backup"].observations["records_identical"] is True
    # the upgrade was observed through the schema revision, whatever it did
    assert by_id["db.upgrade"].observations["schema_revision_after"]
    assert "Tracking database (sqlite)" in proc.stdout
    assert not (tmp_path / "work" / "cross").exists() or not any((tmp_path / "work" / "cross").iterdir())
