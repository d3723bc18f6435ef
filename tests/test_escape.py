"""Values from result files are data: hostile run files cannot inject markup into any output."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from harness.cli import main
from harness.report.escape import md, md_code, md_fence, term
from tests.factories import run_file, scenario, write

HOSTILE = "<script>alert(1)</script> | [x](javascript:alert(2)) ![i](http://t/) `tick \x1b[31mred\x07 &amp; # h"


@pytest.mark.parametrize("text", [HOSTILE, "<img src=x onerror=alert(1)>", "a|b|c", "</td></tr>", "<!-- c -->"])
def test_md_leaves_no_html_tag_link_or_cell_break(text):
    out = md(text, table=True)
    assert not re.search(r"<[A-Za-z/!?]", out)  # no tag, comment or autolink can start
    assert "](" not in out.replace("\\](", "")  # no inline link or image
    assert not re.search(r"(?<!\\)\|", out)  # every pipe escaped


def test_md_keeps_code_spans_and_ordinary_text_readable():
    assert md("`artifact_path` is deprecated") == "`artifact_path` is deprecated"
    assert md("mlflow>=2.9,<2.22: pass -> error") == "mlflow>=2.9,<2.22: pass -> error"
    assert md("`a|b`", table=True) == "`a\\|b`" and md("`a|b`") == "`a|b`"
    assert md("> quoted") == "\\> quoted" and md("1. item") == "1\\. item" and md("# title") == "\\# title"


def test_md_code_and_fence_cannot_be_closed_by_their_content():
    assert md_code("a `b` c") == "``a `b` c``"
    assert md_code("`x") == "`` `x ``"
    lines = md_fence("before\n```\nafter")
    assert lines[0] == lines[-1] == "````" and "```" in lines[1:-1]


def test_term_makes_control_characters_visible():
    assert term("red \x1b[31m bell\x07 del\x7f") == "red \\x1b[31m bell\\x07 del\\x7f"
    assert term("tab\tnew\nline") == "tab\tnew\nline"


class Tags(HTMLParser):
    """The element names in an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        self.found.add(tag)


def tables(text: str) -> list[list[str]]:
    found, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


@pytest.fixture
def hostile_results(results_dir):
    runs = results_dir / "runs"
    sid = "evil.<b>id|x"
    write(runs, run_file("2.9.2", [
        scenario(sid, kind="idiom", code=f"call({HOSTILE})", replaced_by="evil.new"),
        scenario("evil.new", "error", kind="idiom", code="new()"),
    ], spec="2.9"))
    write(runs, run_file("3.1.4", [
        scenario(sid, "error", kind="idiom", code=f"call({HOSTILE})", replaced_by="evil.new",
                 error={"type": "Bad<T>", "message": HOSTILE},
                 warnings=[{"category": "FutureWarning", "message": f"deprecated {HOSTILE}"}],
                 observations={"k": HOSTILE}),
        scenario("evil.new", kind="idiom", code="new()"),
    ], spec="3.1"))
    write(runs, run_file("9.9.9", [], spec="9.9.9", run_status="install_failed",
                         install_error=f"```\n{HOSTILE}\n```"))
    return results_dir


def test_every_text_output_escapes_hostile_run_files(hostile_results, capsys):
    assert main(["report", "--results-dir", str(hostile_results)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b" in out
    for name in ("matrix.md", "guidance.md"):
        text = (hostile_results / name).read_text()
        # rendered the way GitHub renders it (CommonMark + tables), nothing but our own markup appears
        page = MarkdownIt("commonmark").enable("table").render(text)
        tags = Tags()
        tags.feed(page)
        assert not tags.found & {"script", "img", "a", "b", "iframe"}, (name, tags.found)
        for table in tables(text):
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table}
            assert len(widths) == 1, table  # no value broke a row open
    # a fence inside the installer's output cannot close the block holding it
    md_text = (hostile_results / "matrix.md").read_text()
    block = md_text[md_text.index("### 9.9.9"):]
    assert block.splitlines()[2].startswith("````")
    # JUnit: well-formed, the message is character data
    root = ET.parse(hostile_results / "junit.xml").getroot()
    messages = [e.get("message") for e in root.iter("error")]
    assert any("<script>" in (m or "") for m in messages)  # kept as text, parsed back intact


def test_a_lone_surrogate_in_a_run_file_does_not_stop_the_report(results_dir, capsys):
    import json

    write(results_dir / "runs", run_file("2.9.2", [scenario("a.x")]))
    write(results_dir / "runs", run_file("3.1.4", [scenario("a.x")], spec="3.1"))
    data = json.loads((results_dir / "runs" / "mlflow-3.1.4.json").read_text())
    data["scenarios"][0]["error"] = {"type": "E", "message": "half a pair \ud800"}
    data["scenarios"][0]["status"] = "error"
    (results_dir / "runs" / "mlflow-3.1.4.json").write_text(json.dumps(data))  # ensure_ascii: valid JSON
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    assert "\\ud800" in (results_dir / "matrix.md").read_text()
