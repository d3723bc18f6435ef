"""harness.scan.fix: only safe keyword renames are rewritten, every other byte
is kept, positional calls are refused, and a fix that breaks rollback says so."""

from __future__ import annotations

import shutil

import pytest

from harness.results.runs import load_runs
from harness.scan import scan_paths
from harness.scan.fix import apply_fixes
from tests.scan_support import TREE, change, diff_of, sample_diff, write_runs


@pytest.fixture
def tree(tmp_path, monkeypatch):
    shutil.copytree(TREE / "pipeline", tmp_path / "pipeline")
    monkeypatch.chdir(tmp_path)
    runs, _ = load_runs(write_runs(tmp_path / "runs"))
    return tmp_path, runs


def test_renames_keywords_shows_the_diff_and_keeps_the_rest(tree):
    root, runs = tree
    before = (root / "pipeline/train.py").read_text()
    result = scan_paths(["pipeline/train.py", "pipeline/positional.py"], [sample_diff()], runs)
    outcome = apply_fixes(result.findings)
    after = (root / "pipeline/train.py").read_text()
    assert after == before.replace("higher_is_better=True)}", "greater_is_better=True)}").replace(
        'artifact_path="model"', 'name="model"')
    assert outcome.diff.startswith("--- a/pipeline/train.py\n+++ b/pipeline/train.py\n")
    assert '-        mls.log_model(model, artifact_path="model")\n+        mls.log_model(model, name="model")\n' in outcome.diff
    assert sorted((f.line, f.fix["new"]) for f in outcome.fixed) == [(11, "name"), (13, "greater_is_better")]
    # positional calls: refused, with the reason; the file is untouched
    assert (root / "pipeline/positional.py").read_text() == (TREE / "pipeline/positional.py").read_text()
    assert [n for n in outcome.notes if "MLC003" in n] == [
        "pipeline/positional.py:8:54: MLC003 not fixed: positional arguments are never rewritten (binding them needs "
        "the target signature); pass the argument by keyword",
        "pipeline/positional.py:16:85: MLC003 not fixed: positional arguments are never rewritten (binding them needs "
        "the target signature); pass the argument by keyword",
    ]
    # the rollback-direction record says name= does not exist on 2.9.2
    assert outcome.notes[0] == ("pipeline/train.py:11:30: fixed `artifact_path=` -> `name=`, but `name=` does not exist "
                                "on mlflow 2.9.2 (`mlflow.sklearn.log_model`): the fixed line breaks a rollback")
    # scanning again: the renamed keyword is gone from the upgrade findings, and now shows as rollback-breaks
    again = {(f.line, f.code, f.severity) for f in scan_paths(["pipeline/train.py"], [sample_diff()], runs).findings}
    assert (13, "MLC001", "breaks") not in again and (11, "MLC001", "rollback-breaks") in again


def test_dry_run_leaves_files_alone(tree):
    root, runs = tree
    result = scan_paths(["pipeline/train.py"], [sample_diff()], runs)
    outcome = apply_fixes(result.findings, write=False)
    assert outcome.diff and (root / "pipeline/train.py").read_text() == (TREE / "pipeline/train.py").read_text()


def test_no_fix_when_the_new_keyword_is_already_passed_or_confidence_is_low(tmp_path):
    renamed = change("parameter_renamed", "mlflow.x.f", "old", old="old", new="new")
    renamed_member = change("parameter_renamed", "mlflow.x.Client.m", "old", old="old", new="new")
    path = tmp_path / "u.py"
    path.write_text("import mlflow.x\nmlflow.x.f(old=1, new=2)\ndef g(c):\n    c.m(old=1)\n")
    result = scan_paths([path], [diff_of(renamed, renamed_member)], [], scenario_paths=[])
    assert [(f.code, f.confidence, f.fix) for f in result.findings] == [("MLC002", "high", None), ("MLC002", "low", None)]
    assert apply_fixes(result.findings).diff == ""


def test_encoding_comments_and_mode_are_kept(tmp_path):
    renamed = change("parameter_renamed", "mlflow.x.f", "old", old="old", new="new")
    path = tmp_path / "latin.py"
    source = '# -*- coding: latin-1 -*-\nimport mlflow.x\n# café\nmlflow.x.f(  old = "é" ,)  # keep\n'
    path.write_bytes(source.encode("latin-1"))
    path.chmod(0o751)
    result = scan_paths([path], [diff_of(renamed)], [], scenario_paths=[])
    outcome = apply_fixes(result.findings)
    assert path.read_bytes() == source.replace("old =", "new =").encode("latin-1")
    assert path.stat().st_mode & 0o777 == 0o751
    assert len(outcome.fixed) == 1
