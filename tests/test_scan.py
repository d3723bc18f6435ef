"""harness.scan.engine: the sample user tree (tests/data/scan_tree) against the
hand-written API diff and run files of tests/scan_support.py, with exact
expected findings. The records mirror the shape of real ones; nothing here
claims MLflow behaviour."""

from __future__ import annotations

import os

import pytest

from harness.results.runs import load_runs
from harness.scan import Severity, scan_paths
from tests.scan_support import TREE, sample_diff, write_runs

EXPECTED = [
    # path:line:col, code, severity, confidence
    ("pipeline/legacy.py:3:8", "MLC004", "breaks", "high"),  # import mlflow.gluon (module removed)
    ("pipeline/legacy.py:4:28", "MLC004", "breaks", "high"),  # from mlflow.gateway import query
    ("pipeline/legacy.py:8:12", "MLC004", "breaks", "high"),  # mlflow.gluon.log_model(...)
    ("pipeline/modern.py:4:29", "MLC004", "rollback-breaks", "high"),  # LoggedModel is not on 2.9.2
    ("pipeline/modern.py:8:12", "MLC006", "rollback-breaks", "low"),  # artifact_path required on 2.9.2; a
    # positional argument may pass it: low
    ("pipeline/modern.py:8:44", "MLC001", "rollback-breaks", "high"),  # log_model(name=) on 2.9.2
    ("pipeline/positional.py:8:54", "MLC003", "breaks", "high"),  # start_run(..., tags) 5th positional
    ("pipeline/positional.py:16:85", "MLC003", "breaks", "high"),  # RunInfo(...) 9th positional: run_id moved
    ("pipeline/train.py:11:30", "MLC010", "deprecated", "high"),  # mls.log_model(artifact_path=): observed warning
    ("pipeline/train.py:12:27", "MLC005", "breaks", "low"),  # run.info.run_uuid: receiver type unknown
    ("pipeline/train.py:13:49", "MLC001", "breaks", "high"),  # MT(higher_is_better=)
    ("pipeline/train.py:14:55", "MLC001", "breaks", "high"),  # mlflow.evaluate(validation_thresholds=)
    ("pipeline/train.py:15:40", "MLC005", "breaks", "low"),  # thresholds[...].higher_is_better
    ("pipeline/train.py:21:12", "MLC010", "deprecated", "high"),  # MlflowClient() bound to a name -> method
    ("pipeline/train.py:26:22", "MLC005", "breaks", "high"),  # MT(...) instance .higher_is_better
]


@pytest.fixture
def in_tree(monkeypatch):
    monkeypatch.chdir(TREE)


@pytest.fixture
def runs(tmp_path):
    found, problems = load_runs(write_runs(tmp_path / "runs"))
    assert not problems
    return found


def _summary(result):
    return [(f.location, f.code, f.severity, f.confidence) for f in result.findings]


def test_sample_tree_exact_findings(in_tree, runs):
    result = scan_paths(["pipeline"], [sample_diff()], runs)
    assert _summary(result) == EXPECTED
    assert [p.text() for p in result.problems] == [
        "pipeline/broken.py:5:12: not scanned: syntax error: invalid syntax",
        "pipeline/latin.py: not scanned: not UTF-8 text (byte 80), and no coding declaration says what it is",
    ]
    assert result.files == 7  # the two bad files are not counted; the rest were parsed


def test_look_alikes_and_untyped_helpers_are_never_reported(in_tree, runs):
    result = scan_paths(["pipeline/lookalikes.py", "pipeline/helpers.py"], [sample_diff()], runs)
    assert result.findings == [] and result.problems == [] and result.files == 2


def test_without_runs_no_deprecations_and_no_cells(in_tree):
    """Deprecated needs an observed warning; without run files there is none, and evidence is the diff only."""
    result = scan_paths(["pipeline"], [sample_diff()], [])
    assert [f[:2] for f in _summary(result)] == [e[:2] for e in EXPECTED if e[2] != "deprecated"]
    assert all(not line.startswith("matrix:") for f in result.findings for line in f.evidence)


def test_finding_record(in_tree, runs):
    result = scan_paths(["pipeline/train.py"], [sample_diff()], runs)
    f = next(f for f in result.findings if f.line == 13)
    assert f.source == '    thresholds = {"accuracy": MT(threshold=0.8, higher_is_better=True)}'
    assert (f.end_line, f.end_col) == (13, 70)
    assert f.api == "mlflow.models.MetricThreshold" and f.name == "higher_is_better"
    assert f.versions == ["3.17.2"]
    assert f.message == "`higher_is_better=` is not a parameter of `mlflow.models.MetricThreshold` on 3.17.2"
    assert f.changes[0]["path"] == "mlflow.models.evaluation.validation.MetricThreshold.__init__"
    assert f.changes[0]["baseline"] == "2.9.2" and f.changes[0]["candidate"] == "3.17.2"
    assert f.replacement == "`greater_is_better=`"
    assert f.fix == {"old": "higher_is_better", "new": "greater_is_better", "rollback": None}
    # the scenario covering the same API was found by resolving scenarios/evaluation.py, its cells read from the runs
    assert ("matrix: evaluation.threshold.higher_is_better: error on 3.17.2 (TypeError: MetricThreshold.__init__() "
            "got an unexpected keyword argument 'higher_is_better'); pass on 2.9.2") in f.evidence


def test_evidence_and_replacements(in_tree, runs):
    by_line = {f.line: f for f in scan_paths(["pipeline/train.py"], [sample_diff()], runs).findings}
    uuid = by_line[12]
    assert "matrix: tracking.run_info.run_uuid: error on 3.17.2 (AttributeError: 'RunInfo' object has no " \
           "attribute 'run_uuid'); pass on 2.9.2" in uuid.evidence
    assert uuid.replacement == "`.run_id`" and uuid.fix is None  # attributes are never rewritten
    deprecated = by_line[11]
    assert deprecated.evidence == ["observed: models.log.artifact_path_kwarg on 3.17.2 raised WARNING: "
                                   "`artifact_path` is deprecated. Please use `name` instead."]
    assert deprecated.fix["new"] == "name"
    assert deprecated.fix["rollback"].startswith("`name=` does not exist on mlflow 2.9.2")
    stage = by_line[21]
    assert stage.api == "mlflow.MlflowClient.transition_model_version_stage"
    assert stage.replacement.startswith("model aliases")


def test_rollback_cells(in_tree, runs):
    required, removed = scan_paths(["pipeline/modern.py"], [sample_diff()], runs).findings[1:]
    assert removed.severity == Severity.ROLLBACK_BREAKS and removed.versions == ["2.9.2"]
    assert removed.message.endswith("on 2.9.2 (rollback)")
    name_cell = ("matrix: models.log.name_kwarg: error on 2.9.2 (TypeError: log_model() got an unexpected keyword "
                 "argument 'name'); pass on 3.17.2")
    assert name_cell in removed.evidence
    # artifact_path required on 2.9.2: log_model(m, "model") may pass it positionally, so that scenario
    # does not count as covering the change; and idiom pairs (old -> new) give no advice for new-style code
    assert [e for e in required.evidence if e.startswith("matrix:")] == [name_cell]
    assert required.replacement is None


def test_one_finding_per_place_across_candidates(in_tree, runs):
    """Two candidates with the same change: one finding listing both versions."""
    second = sample_diff()
    second.candidate = "3.1.4"
    result = scan_paths(["pipeline/train.py"], [sample_diff(), second], runs)
    f = next(f for f in result.findings if f.line == 13)
    assert f.versions == ["3.1.4", "3.17.2"] and len(f.changes) == 2
    assert f.message.endswith("on 3.1.4, 3.17.2")
    assert result.candidates == ["3.1.4", "3.17.2"]


def test_breaking_is_what_the_gate_fails_on(in_tree, runs):
    result = scan_paths(["pipeline"], [sample_diff()], runs)
    assert {f.severity for f in result.breaking()} == {"breaks"}
    assert result.counts() == {"breaks": 10, "rollback-breaks": 3, "deprecated": 2}


def test_bad_paths_are_problems_and_the_rest_is_scanned(in_tree, runs):
    result = scan_paths(["nope.py", "empty_dir", "pipeline/train.py"], [sample_diff()], runs)
    assert [p.text() for p in result.problems] == ["nope.py: no such file or directory", "empty_dir: no Python files here"]
    assert result.files == 1 and result.findings


def test_nothing_scannable(in_tree):
    result = scan_paths(["nope.py", "pipeline/broken.py"], [sample_diff()], [])
    assert result.scanned_nothing and len(result.problems) == 2


def test_absolute_paths_outside_the_cwd_are_kept(tmp_path, runs):
    target = tmp_path / "x.py"
    target.write_text("from mlflow.models import MetricThreshold\nMetricThreshold(higher_is_better=True)\n")
    result = scan_paths([target], [sample_diff()], runs)
    assert [f.location for f in result.findings] == [f"{target}:2:17"]
    assert os.path.isabs(result.findings[0].path)


def test_pathological_files_are_problems_not_crashes(tmp_path, runs):
    deep = tmp_path / "deep.py"
    deep.write_text("import mlflow\nx = " + " + ".join(["mlflow.a"] * 2500) + "\n")
    fine = tmp_path / "fine.py"
    fine.write_text("from mlflow.models import MetricThreshold\nMetricThreshold(higher_is_better=True)\n")
    result = scan_paths([deep, fine], [sample_diff()], runs)
    assert len(result.findings) == 1 and result.files == 1
    assert [p.text() for p in result.problems] == [f"{deep}: not scanned: expressions nested too deeply to resolve"]


def test_worker_processes_give_the_same_result(in_tree, runs):
    serial = scan_paths(["pipeline", "nope.py"], [sample_diff()], runs, jobs=1)
    parallel = scan_paths(["pipeline", "nope.py"], [sample_diff()], runs, jobs=2)
    assert parallel.to_dict() == serial.to_dict() and serial.findings
