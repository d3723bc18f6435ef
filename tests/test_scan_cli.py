"""``python -m harness scan`` (harness/commands/scan.py): exit codes, outputs and bad input."""

from __future__ import annotations

import re

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from tests.scan_support import TREE, results_with_diff

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(TREE)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    results = results_with_diff(tmp_path / "results")

    def run(*args):
        return main(["scan", "--results-dir", str(results), *args])

    return run, results


def test_findings_exit_1_with_problems_on_stderr(env, capsys):
    run, _ = env
    assert run("pipeline", "--candidate", "3", "--concise") == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "pipeline/legacy.py:3:8: MLC004 `mlflow.gluon` was removed on 3.17.2 [breaks]"
    assert err.splitlines() == [
        "mlflow-compat: pipeline/broken.py:5:12: not scanned: syntax error: invalid syntax",
        "mlflow-compat: pipeline/latin.py: not scanned: not UTF-8 text (byte 80), and no coding declaration says what it is",
    ]


def test_clean_code_exits_0(env, capsys):
    run, _ = env
    assert run("pipeline/lookalikes.py", "--candidate", "3.17.2", "--baseline", "2.9.2") == 0
    assert capsys.readouterr().out.startswith("No affected call sites; 1 file scanned")


def test_bad_paths_are_lines_and_the_rest_is_scanned(env, capsys):
    run, _ = env
    assert run("missing.py", "empty_dir", "pipeline/lookalikes.py", "--candidate", "3") == 0
    assert capsys.readouterr().err.splitlines() == [
        "mlflow-compat: missing.py: no such file or directory", "mlflow-compat: empty_dir: no Python files here"]


@pytest.mark.parametrize("paths", [["missing.py"], ["empty_dir"], ["pipeline/broken.py", "pipeline/latin.py"]])
def test_nothing_scanned_exits_2(env, capsys, paths):
    run, _ = env
    assert run(*paths, "--candidate", "3") == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("mlflow-compat: nothing could be scanned") and "Traceback" not in err


def test_missing_diff_names_the_command_that_makes_it(env, capsys):
    run, results = env
    assert run("pipeline", "--candidate", "3.1") == 2
    assert capsys.readouterr().err == (f"mlflow-compat: no API diff for mlflow 2.9 -> 3.1 in {results / 'api'}; "
                                       "make it with `python -m harness api`\n")
    assert run("pipeline") == 2  # the configured candidates include 2.22 and 3.1


def test_corrupt_diff_is_one_line(env, capsys):
    run, results = env
    (results / "api" / "2.9.2__3.17.2.json").write_text("{not json")
    assert run("pipeline", "--candidate", "3") == 2
    err = capsys.readouterr().err
    assert err.startswith("mlflow-compat: ") and "corrupt JSON" in err and err.count("\n") == 1


def test_explicit_diff_files(env, capsys):
    run, results = env
    assert run("pipeline/train.py", "--diff", str(results / "api" / "2.9.2__3.17.2.json"), "--concise") == 1
    assert run("pipeline/train.py", "--diff", "nope.json") == 2
    assert "--diff nope.json: no such file" in capsys.readouterr().err


def test_json_and_sarif_outputs(env, tmp_path, capsys):
    run, _ = env
    assert run("pipeline", "--candidate", "3", "--format", "json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["breaks"] == 10 and len(data["problems"]) == 2
    target = tmp_path / "scan.sarif"
    assert run("pipeline", "--candidate", "3", "--format", "sarif", "--output", str(target)) == 1
    out, err = capsys.readouterr()
    assert out == "" and f"wrote {target} (15 findings)" in err
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_github_annotations_keep_machine_output_parseable(env, capsys, monkeypatch):
    run, _ = env
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert run("pipeline/train.py", "--candidate", "3", "--format", "json") == 1
    out, err = capsys.readouterr()
    json.loads(out)
    assert err.count("::error file=pipeline/train.py,line=13,col=49") == 1
    assert run("pipeline/train.py", "--candidate", "3", "--concise") == 1
    out, _ = capsys.readouterr()
    assert "::warning file=pipeline/train.py,line=12,col=27" in out


def test_step_summary_lists_the_findings(env, tmp_path, monkeypatch, capsys):
    run, _ = env
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert run("pipeline/train.py", "--candidate", "3", "--concise") == 1
    text = summary.read_text()
    assert text.startswith("### mlflow-compat scan: Found 7 findings")
    assert re.search(r"\| `pipeline/train\.py:13:49` +\| MLC001 +\| breaks +\|", text)


def test_fix_through_the_command(env, tmp_path, monkeypatch, capsys):
    run, _ = env
    shutil.copytree(TREE / "pipeline", tmp_path / "work")
    monkeypatch.chdir(tmp_path)
    assert run("work/train.py", "--candidate", "3", "--fix", "--concise") == 1
    out, _ = capsys.readouterr()
    assert "+    thresholds = {\"accuracy\": MT(threshold=0.8, greater_is_better=True)}" in out
    assert "work/train.py:11:30: fixed `artifact_path=` -> `name=`, but `name=` does not exist on mlflow 2.9.2" in out
    assert out.rstrip().endswith("fixed 2.")
    assert "greater_is_better=True" in (tmp_path / "work/train.py").read_text()


def test_help_and_module_entry_point():
    proc = subprocess.run([sys.executable, "-m", "harness", "scan", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "--format {text,json,sarif}" in proc.stdout and "--fix" in proc.stdout
