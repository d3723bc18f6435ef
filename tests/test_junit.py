"""results/junit.xml: one test case per scenario x version, readable by CI viewers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.cli import main
from harness.report import junit
from harness.analysis.matrix import build_matrix
from tests.factories import run_file, scenario, write


def sample_matrix():
    base = run_file("2.9.4", [scenario("a.pass"), scenario("a.fail"), scenario("a.skip", "skipped", reason="no docker")],
                    spec="2.9")
    cand = run_file("3.6.0", [
        scenario("a.pass", "error", error={"type": "TypeError", "message": "log_model() got an unexpected keyword\x07 'artifact_path'"}),
        scenario("a.fail", "fail", error={"type": "AssertionError", "message": "predictions differ"}),
        scenario("a.skip", "unsupported", reason="no stages in 3.x"),
        scenario("a.slow", "timeout", reason="no result within 300s"),
    ], spec="3")
    broken = run_file("9.9.9", [], spec="9.9.9", run_status="install_failed", install_error="resolving...\nerror: no mlflow==9.9.9")
    return build_matrix([base, cand, broken], "2.9", 1.5)


def test_one_case_per_scenario_and_version_with_counts():
    root = ET.fromstring(junit.render(sample_matrix()))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"mlflow-2.9.4", "mlflow-3.6.0", "mlflow-9.9.9"}
    cases = root.findall(".//testcase")
    assert len(cases) == 3 + 4 + 1 == int(root.get("tests"))
    assert {(c.get("classname"), c.get("name")) for c in suites["mlflow-3.6.0"].findall("testcase")} == {
        ("mlflow-3.6.0", "a.pass"), ("mlflow-3.6.0", "a.fail"), ("mlflow-3.6.0", "a.skip"), ("mlflow-3.6.0", "a.slow")}
    cand = suites["mlflow-3.6.0"]
    assert (cand.get("tests"), cand.get("failures"), cand.get("errors"), cand.get("skipped")) == ("4", "1", "2", "1")
    base = suites["mlflow-2.9.4"]
    assert (base.get("tests"), base.get("failures"), base.get("errors"), base.get("skipped")) == ("3", "0", "0", "1")
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("1", "3", "2")


def test_failures_errors_and_skips_carry_the_message():
    root = ET.fromstring(junit.render(sample_matrix()))
    case = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    error = case[("mlflow-3.6.0", "a.pass")].find("error")
    assert error.get("type") == "TypeError" and "unexpected keyword 'artifact_path'" in error.get("message")
    assert "regressed" in case[("mlflow-3.6.0", "a.pass")].find("system-out").text
    failure = case[("mlflow-3.6.0", "a.fail")].find("failure")
    assert failure.get("message") == "fail: predictions differ"
    assert case[("mlflow-3.6.0", "a.slow")].find("error").get("message") == "timeout: no result within 300s"
    assert case[("mlflow-3.6.0", "a.skip")].find("skipped").get("message") == "unsupported: no stages in 3.x"
    assert case[("mlflow-2.9.4", "a.skip")].find("skipped").get("message") == "skipped: no docker"
    passed = case[("mlflow-2.9.4", "a.pass")]
    assert passed.find("failure") is None and passed.find("error") is None and passed.find("skipped") is None
    install = case[("mlflow-9.9.9", "(install)")].find("error")
    assert "error: no mlflow==9.9.9" in install.get("message")


def test_report_writes_junit_xml(results_dir):
    runs = results_dir / "runs"
    write(runs, run_file("2.9.4", [scenario("a.b")]))
    write(runs, run_file("3.6.0", [scenario("a.b", "fail")], spec="3"))
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    root = ET.parse(results_dir / "junit.xml").getroot()
    assert root.get("tests") == "2" and root.get("failures") == "1"
