"""harness.scan.formats and harness.scan.sarif: every output is valid for its
reader and escapes what it did not write (source lines, messages, paths)."""

from __future__ import annotations

import json
import re

import pytest

from harness.results.runs import load_runs
from harness.scan import formats, sarif, scan_paths
from harness.scan.engine import ScanResult
from harness.scan.findings import RULES, Finding, Problem
from tests.scan_support import TREE, sample_diff, write_runs

HOSTILE = "boom\x1b[31m red\r\nnext, line: 100% <b>|`x`</b>"


@pytest.fixture
def result(tmp_path, monkeypatch):
    monkeypatch.chdir(TREE)
    runs, _ = load_runs(write_runs(tmp_path / "runs"))
    return scan_paths(["pipeline", "nope.py"], [sample_diff()], runs)


def hostile_finding(path="dir, with: odd%/a b.py") -> Finding:
    return Finding(path=path, line=3, col=5, end_line=3, end_col=9, source=f"x = {HOSTILE!r}\x1b[0m",
                   code="MLC001", message=f"`k=` {HOSTILE}", severity="breaks", confidence="high",
                   api="mlflow.x", name="k", versions=["3.17.2"], evidence=[f"matrix: {HOSTILE}"], replacement=HOSTILE)


def test_text_lines_are_ruff_style(result):
    out = formats.text(result, verbose=False)
    lines = out.splitlines()
    pattern = re.compile(r"^[\w/.]+\.py:\d+:\d+: MLC\d{3} .+ \[(breaks|deprecated|rollback-breaks)(, low confidence)?\]$")
    assert all(pattern.match(line) for line in lines[:-1]), lines
    assert lines[0] == "pipeline/legacy.py:3:8: MLC004 `mlflow.gluon` was removed on 3.17.2 [breaks]"
    assert lines[-1] == ("Found 15 findings (10 breaks, 3 rollback-breaks, 2 deprecated) in 4 files; 7 files scanned "
                         "(mlflow 2.9.2 -> 3.17.2); 2 fixable with --fix.")


def test_text_block_shows_the_source_line_and_a_caret(result):
    block = formats.finding_block(next(f for f in result.findings if f.code == "MLC001" and f.line == 13))
    assert block[1:4] == [
        "   |",
        '13 |     thresholds = {"accuracy": MT(threshold=0.8, higher_is_better=True)}',
        "   |                                                 ^^^^^^^^^^^^^^^^^^^^^",
    ]
    assert block[4] == "   = use: `greater_is_better=` (fixable with --fix)"


def test_text_escapes_control_characters():
    lines = formats.finding_block(hostile_finding())
    assert all("\x1b" not in line and "\r" not in line and "\n" not in line for line in lines)
    assert "\\x1b[31m" in lines[0]


def test_json_round_trips(result):
    data = json.loads(formats.to_json(result))
    assert data["kind"] == "mlflow-compat-scan" and data["schema_version"] == 1
    assert data["counts"] == {"breaks": 10, "rollback-breaks": 3, "deprecated": 2}
    assert data["problems"][0] == {"path": "nope.py", "message": "no such file or directory", "line": None, "col": None}
    assert [Finding.from_dict(f) for f in data["findings"]] == result.findings


def test_sarif_structure_for_github_code_scanning(result):
    doc = json.loads(sarif.to_text(result, root=TREE))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "mlflow-compat"
    assert [r["id"] for r in rules] == list(RULES) and len({r["id"] for r in rules}) == len(rules)
    assert all(r["shortDescription"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning") for r in rules)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == TREE.as_uri() + "/"
    assert len(run["results"]) == len(result.findings)
    for res, finding in zip(run["results"], result.findings):
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == finding.code
        assert res["level"] in ("error", "warning", "note") and res["message"]["text"]
        location = res["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        assert region["startLine"] == finding.line >= 1 and region["startColumn"] == finding.col >= 1
        assert len(res["partialFingerprints"]["mlflowCompatFinding/v1"]) == 32
    first = run["results"][0]
    assert first["level"] == "error" and first["properties"]["severity"] == "breaks"
    low = next(r for r in run["results"] if r["properties"]["confidence"] == "low")
    assert low["level"] == "warning"
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == "nope.py: no such file or directory"


def test_sarif_uris_are_relative_and_percent_encoded(tmp_path):
    finding = hostile_finding(path=str(tmp_path / "dir, with: odd%" / "a b.py"))
    doc = sarif.to_sarif(ScanResult(findings=[finding], files=1), root=tmp_path)
    location = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "dir%2C%20with%3A%20odd%25/a%20b.py", "uriBaseId": "%SRCROOT%"}
    outside = sarif.to_sarif(ScanResult(findings=[hostile_finding(path="/elsewhere/x.py")], files=1), root=tmp_path)
    assert outside["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///elsewhere/x.py"}
    assert HOSTILE in json.loads(json.dumps(doc))["runs"][0]["results"][0]["message"]["text"]


def test_sarif_fingerprints_survive_moving_lines():
    one, moved = hostile_finding(), hostile_finding()
    moved.line = moved.end_line = 40
    assert sarif.fingerprint(one, "a.py") == sarif.fingerprint(moved, "a.py") != sarif.fingerprint(one, "b.py")


def test_annotations_escape_data_and_properties():
    out = formats.annotations([hostile_finding()])
    assert out.count("\n") == 1 and "\r" not in out
    assert out.startswith("::error file=dir%2C with%3A odd%25/a b.py,line=3,col=5,endLine=3,endColumn=9,"
                          "title=MLC001 breaks::")
    message = out.split("::", 2)[2]
    assert "%0D%0A" in message and "100%25" in message and "," in message  # data keeps , and :
    assert formats.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotation_levels(result):
    levels = {(f.severity, f.confidence): formats.annotation_level(f) for f in result.findings}
    assert levels[("breaks", "high")] == "error"
    assert levels[("breaks", "low")] == levels[("deprecated", "high")] == levels[("rollback-breaks", "high")] == "warning"


def test_markdown_summary_escapes_tables():
    out = formats.markdown([hostile_finding()])
    row = out.splitlines()[-1]
    assert row.count(" | ") == 4 and "\\|" in row and "<b>" not in row and "\x1b" not in row


def test_problem_lines():
    assert formats.problem_line(Problem("a\x1b.py", "not scanned: x", 3, 4)) == "mlflow-compat: a\\x1b.py:3:4: not scanned: x"
