"""The project's own pytest suite as rows: a hand-written suite run by the real pytest in a
subprocess (no MLflow), and the mapping of pytest's events to statuses."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.outcomes import Status
from harness.results.runs import RunFile
from harness.runner.progress import Progress
from harness.usertests import rows
from harness.usertests.suite import Suite, run_suite

SUITE = '''
import logging, os, time, warnings
import pytest

def old_helper():
    warnings.warn("old_helper() is deprecated; use new_helper()", DeprecationWarning, stacklevel=2)

def test_passes():
    """Calls a deprecated helper of the team's own."""
    old_helper()

def test_fails():
    assert 1 == 2, "numbers differ"

def test_raises():
    {}["missing"]

@pytest.fixture
def broken():
    raise RuntimeError("fixture broke")

def test_setup_error(broken):
    pass

@pytest.fixture
def bad_teardown():
    yield
    raise ValueError("teardown broke")

def test_teardown_error(bad_teardown):
    pass

@pytest.mark.skip(reason="not on this machine")
def test_skipped():
    pass

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False

@pytest.mark.xfail(reason="maybe fixed")
def test_xpass():
    pass

@pytest.mark.parametrize("name", ["a b", "p/q", "x]y"])
def test_param(name):
    logging.getLogger("mlflow.models").warning("`artifact_path` is deprecated for %s", name)

def test_sometimes_crashes():
    if os.environ.get("SUITE_CRASH"):
        os._exit(3)

def test_sometimes_hangs():
    if os.environ.get("SUITE_HANG"):
        time.sleep(120)
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_suite.py").write_text(textwrap.dedent(SUITE))
    (root / "tests" / "test_broken.py").write_text("import not_a_module_anywhere\n")
    return root


def run(project: Path, tmp_path: Path, *, timeout: float = 120, paths=("tests",), args=()) -> tuple[dict, dict]:
    base = tmp_path / "base"
    base.mkdir(exist_ok=True)
    found, facts = run_suite(Suite(project, tuple(paths), tuple(args), timeout), base)
    return {r.id: r for r in found}, facts


def test_every_pytest_outcome_maps_to_its_status(project, tmp_path):
    found, facts = run(project, tmp_path)
    t = "tests.tests/test_suite.py::test_"
    status = {sid.removeprefix(t): r.status for sid, r in found.items()}
    assert status == {
        "passes": Status.PASS, "fails": Status.FAIL, "raises": Status.FAIL,
        "setup_error": Status.ERROR, "teardown_error": Status.ERROR,
        "skipped": Status.SKIPPED, "xfail": Status.SKIPPED, "xpass": Status.PASS,
        "param[a b]": Status.PASS, "param[p/q]": Status.PASS, "param[x]y]": Status.PASS,
        "sometimes_crashes": Status.PASS, "sometimes_hangs": Status.PASS,
        "tests.tests/test_broken.py": Status.ERROR,  # one module that does not import; the rest still ran
        "tests.(collection)": Status.PASS,  # importing the modules, in every column (its warnings, if any)
    }
    assert facts["exit_code"] == 1 and not facts["timed_out"] and facts["rows"] == len(found)
    assert all(r.area == "tests" and r.kind == "test" for r in found.values())
    assert "tests.(session)" not in found  # pytest ended normally
    fails, raises = found[t + "fails"], found[t + "raises"]
    assert fails.error["type"] == "AssertionError" and "numbers differ" in fails.error["message"]
    assert raises.error["type"] == "KeyError" and "missing" in raises.error["message"]
    assert "def test_raises" in raises.error["traceback"]  # pytest's own report text
    assert raises.error["raised_in"]["origin"] == "scenario" and raises.error["raised_in"]["chain"] == ["scenario"]
    assert found[t + "setup_error"].reason == "error in setup"
    assert found[t + "setup_error"].error["type"] == "RuntimeError"
    assert found[t + "teardown_error"].reason == "error in teardown"
    assert found[t + "skipped"].reason == "not on this machine"
    assert found[t + "xfail"].reason == "xfail: known bug"
    assert found[t + "xpass"].reason == "XPASS (expected to fail: maybe fixed)"
    assert found[t + "passes"].description == "Calls a deprecated helper of the team's own."
    broken = found["tests.tests/test_broken.py"]
    assert broken.error["type"] == "ModuleNotFoundError" and "not_a_module_anywhere" in broken.error["message"]


def test_warnings_carry_their_origins_as_a_scenarios_do(project, tmp_path):
    found, _ = run(project, tmp_path)
    t = "tests.tests/test_suite.py::test_"
    [deprecation] = found[t + "passes"].warnings
    assert deprecation["category"] == "DeprecationWarning" and deprecation["count"] == 1
    # the test's own code, and the chain starts at the test: pytest's frames around it are no origin
    assert deprecation["origin"] == "scenario" and deprecation["chain"] == ["scenario"]
    assert "test_suite.py:" in deprecation["frame"]
    [record] = found[t + "param[p/q]"].warnings
    assert record["category"] == "log.WARNING" and record["where"] == "mlflow.models"
    assert record["message"] == "`artifact_path` is deprecated for p/q"
    assert found[t + "fails"].warnings == []


def test_a_crash_keeps_the_finished_tests_and_names_the_running_one(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SUITE_CRASH", "1")
    found, facts = run(project, tmp_path)
    t = "tests.tests/test_suite.py::test_"
    assert found[t + "sometimes_crashes"].status == Status.CRASHED
    assert found[t + "passes"].status == Status.PASS and found[t + "fails"].status == Status.FAIL
    session = found["tests.(session)"]
    assert session.status == Status.CRASHED and facts["exit_code"] == 3
    assert "exited with code 3 before its session ended" in session.reason
    assert "test_suite.py" in session.reason  # pytest's last lines come with it
    assert t + "sometimes_hangs" not in found  # never started


def test_a_hang_is_killed_at_the_timeout(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SUITE_HANG", "1")
    found, facts = run(project, tmp_path, timeout=8)
    assert facts["timed_out"] and found["tests.(session)"].status == Status.TIMEOUT
    assert "did not finish within 8s" in found["tests.(session)"].reason
    assert found["tests.tests/test_suite.py::test_sometimes_hangs"].status == Status.TIMEOUT
    assert found["tests.tests/test_suite.py::test_passes"].status == Status.PASS


def test_nothing_collected_and_a_bad_command_line_are_session_errors(project, tmp_path):
    (project / "empty").mkdir()
    found, facts = run(project, tmp_path, paths=("empty",))
    assert set(found) <= {"tests.(collection)", "tests.(session)"} and facts["exit_code"] == 5
    assert found["tests.(session)"].status == Status.ERROR
    assert "pytest collected no tests" in found["tests.(session)"].error["message"]
    found, facts = run(project, tmp_path, args=("--no-such-pytest-option",))
    assert found["tests.(session)"].status == Status.ERROR and facts["exit_code"] == 4
    assert "no-such-pytest-option" in found["tests.(session)"].reason


# -- the mapping alone, from hand-written events ----------------------------------
def phase(when: str, outcome: str, **extra) -> dict:
    return {"when": when, "outcome": outcome, "duration": 0.5, **extra}


def test_a_failing_call_with_a_failing_teardown_is_a_fail_that_says_both():
    row = rows.test_row({"nodeid": "t.py::x", "phases": [
        phase("setup", "passed"), phase("call", "failed", crash="AssertionError: no", type="AssertionError"),
        phase("teardown", "failed", crash="ValueError: td", type="ValueError")]})
    assert row.status == Status.FAIL and row.error["message"] == "no"
    assert row.reason == "also failed in teardown" and row.duration_s == 1.5


def test_strict_xpass_is_a_fail_and_late_warnings_join_their_row():
    events = [
        {"event": "start", "nodeid": "t.py::x"},
        {"event": "test", "nodeid": "t.py::x", "phases": [
            phase("call", "failed", crash="[XPASS(strict)] fixed", text="[XPASS(strict)] fixed")]},
        {"event": "warnings", "nodeid": "t.py::x", "warnings": [{"category": "FutureWarning", "message": "m"}]},
        {"event": "finish", "exitstatus": 1},
    ]
    [row] = rows.rows(events, {"exit_code": 1}, "")
    assert row.status == Status.FAIL and row.error["type"] == "Failed"
    assert [w["message"] for w in row.warnings] == ["m"]


def test_a_pytest_that_never_started_is_one_session_row_with_its_output():
    [row] = rows.rows([], {"exit_code": 1, "seconds": 0.2}, "/venv/bin/python: No module named pytest")
    assert row.id == "tests.(session)" and row.status == Status.ERROR
    assert "pytest did not start" in row.error["message"] and "No module named pytest" in row.reason


def test_the_runner_keeps_only_the_rows_the_selection_chooses(project, tmp_path):
    from harness.runner.driver import _run_suite

    run_file = RunFile("mlflow-x", "x", "3.11", "linux", {}, "sqlite", "now", 0.0)
    lines = []

    class Stream:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    only = ["tests.tests/test_suite.py::test_param[x]y]", "tests.tests/test_suite.py::test_fail*"]
    _run_suite(Suite(project, ("tests/test_suite.py",)), tmp_path, run_file, Progress(0, "x", stream=Stream()),
               {"only": only})
    # an exact id with glob characters in it, and a glob
    assert [s.id for s in run_file.scenarios] == [
        "tests.tests/test_suite.py::test_fails", "tests.tests/test_suite.py::test_param[x]y]"]
    assert run_file.user_tests["paths"] == ["tests/test_suite.py"] and run_file.user_tests["exit_code"] == 1
    assert any("[tests] tests.tests/test_suite.py::test_fails" in line for line in lines)


def test_a_crash_line_with_a_dotted_type_is_split_into_type_and_message():
    row = rows.test_row({"nodeid": "t.py::x", "phases": [phase("call", "failed", type="MlflowException",
                         crash="mlflow.exceptions.MlflowException: file store refused")]})
    assert row.error["type"] == "MlflowException" and row.error["message"] == "file store refused"
    row = rows.test_row({"nodeid": "t.py::x", "phases": [phase("call", "failed", crash="pkg.Oops: no")]})
    assert row.error["type"] == "Oops" and row.error["message"] == "no"
