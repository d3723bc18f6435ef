"""The one-line history the bisect command prints: every step in order, messages escaped."""

from __future__ import annotations

from harness.bisect.render import since, summary
from tests.bisect_fakes import cell, from_index
from tests.test_bisect_search import SID, bisect


def test_since_names_every_step_and_escapes_what_mlflow_wrote():
    broke = cell(SID, "error", error={"type": "TypeError", "message": "bad \x1b[31mred\x1b[0m\nsecond line"})
    result, _ = bisect({SID: from_index(SID, "2.14.0", cell(SID, "pass"), broke)})
    text = since(result.changes[0])
    assert text == "pass up to 2.13.1; error (TypeError: bad \\x1b[31mred\\x1b[0m) from 2.14.0"
    assert "\x1b" not in "\n".join(summary(result))


def test_since_says_when_a_step_spans_releases_that_did_not_install_or_were_not_tested():
    history = {SID: from_index(SID, "2.14.1", cell(SID, "pass"), cell(SID, "error"))}
    gap, _ = bisect(history, broken={"2.14.0": "did not install"})
    assert "from 2.14.1 (1 release before it did not install)" in since(gap.changes[0])
    short, _ = bisect(history, max_releases=1)
    assert " by " in since(short.changes[0]) and "untested after" in since(short.changes[0])
    assert any("budget spent" in line for line in summary(short))
