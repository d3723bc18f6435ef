"""The HTML view model's own rules (harness.report.htmlview): text clean-up, element ids,
the chart SVG check, warning origins, cross-version step outcomes."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from harness.report.htmlview import common
from harness.report.htmlview.cells import frame_text, warning_view
from harness.report.htmlview.cross import step_view
from harness.report.htmlview.timings import trusted_svg
from harness.results.cross import StepResult


def test_printable_drops_colour_codes_and_shows_other_controls():
    assert common.printable(None) == ""
    assert common.printable(3) == "3"
    assert common.printable("a\tb\nc") == "a\tb\nc"
    assert common.printable("\x1b[31mred\x1b[0m") == "red"
    assert common.printable("nul\x00 bell\x07 del\x7f c1\x85 \ud800") == "nul\u2400 bell\u2407 del\u2421 c1\ufffd \ufffd"
    svg = Markup("<svg></svg>")
    assert common.printable(svg) is svg


def test_anchor_is_the_id_itself_when_plain_and_stable_otherwise():
    assert common.row_anchor("models.log.name_kwarg") == "s-models.log.name_kwarg"
    odd = common.row_anchor('tests.test_x.py::test[a b"<c>]')
    assert odd == common.row_anchor('tests.test_x.py::test[a b"<c>]')
    assert odd.startswith("s-tests.test_x.py_test_a_b_c-") and all(c.isalnum() or c in "._-" for c in odd)
    assert odd != common.row_anchor('tests.test_x.py::test[a b"<d>]')
    assert common.anchor("x", "<>") .startswith("x-") and len(common.anchor("x", "<>")) == 10


def test_clip_says_how_much_it_left_out():
    assert common.clip("abc", 5) == "abc"
    assert common.clip("abcdefgh", 3) == "abc\n... (5 more characters in the result file)"


@pytest.mark.parametrize("svg, why", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "onload"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<use xlink:href="https://evil.example/x.svg#a"/></svg>', "href"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', "foreignObject"),
])
def test_only_a_drawing_is_marked_safe(svg, why):
    with pytest.raises(ValueError, match=why):
        trusted_svg(svg)


def test_a_real_chart_is_marked_safe_with_its_labels_escaped():
    pytest.importorskip("matplotlib")
    from harness.report import charts

    svg = charts.timing_svg('<script>alert("x")</script> $x$', [charts.Series("2.9.2", [0.1, 0.2], baseline=True),
                                                               charts.Series("3.1.4", [0.3], ratio=2.0)])
    safe = trusted_svg(svg)
    assert isinstance(safe, Markup) and "<script>" not in safe
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; $x$" in safe or \
        '&lt;script&gt;alert("x")&lt;/script&gt; $x$' in safe  # a dollar sign is not mathtext


def test_warning_origin_and_frame_when_present_and_nothing_breaks_without():
    full = warning_view({"category": "FutureWarning", "message": "m", "origin": "library:pandas",
                         "frame": {"filename": "pandas/core/frame.py", "lineno": 5, "function": "drop"},
                         "count": 2, "source": "warnings", "stack_depth": 3})
    assert (full.origin, full.origin_kind, full.frame, full.count) == ("library:pandas", "library",
                                                                      "pandas/core/frame.py:5 in drop", 2)
    assert [(kv.key, kv.value) for kv in full.extra] == [("stack_depth", "3")]
    bare = warning_view({"category": "UserWarning", "message": "m", "filename": "x.py", "lineno": 3})
    assert (bare.origin, bare.origin_kind, bare.frame, bare.where, bare.count) == ("", "other", "", "x.py:3", None)
    assert warning_view({"origin": "elsewhere"}).origin_kind == "other"
    assert frame_text("scenarios/models.py:12") == "scenarios/models.py:12"


def test_step_outcome_names_the_operation_and_exception():
    def step(status, error=None, **obs):
        return StepResult("server.registry", "server", "baseline", "candidate", status, 0.1, error, obs)

    assert step_view(None).text == "–"
    assert step_view(step("pass")).text == "pass" and step_view(step("pass")).why == ""
    failed = step_view(step("error", {"type": "MlflowException", "message": "boom Response body: <html>"},
                            failed_op="log_model"))
    assert failed.text == "error (at log_model: MlflowException)" and failed.why == "MlflowException: boom"
    assert step_view(step("fail", None, failed_op="search")).text == "fail (at search)"
    assert step_view(step("timeout", {"type": "TimeoutError", "message": ""})).text == "timeout (TimeoutError)"
