"""Bisect results in the analysis: proven rollback bounds, when a replacement works, the report's 'since'."""

from __future__ import annotations

import json

from harness.cli import main
from harness.results import bisect as bisect_results
from harness.results.bisect import BisectResult, Cell, ChangeHistory, Flip
from tests.factories import run_file, scenario, write

OLD = dict(kind="idiom", code="old()", replaced_by="a.new")
NEW = dict(kind="idiom", code="new()")


def history(sid, verdict, cells, flips):
    return ChangeHistory(id=f"{sid}:{verdict}", scenario=sid, verdict=verdict,
                         tracked={"what": "status", "key": None, "baseline": cells[0][1], "candidate": cells[-1][1], "text": ""},
                         cells=[Cell(v, s, None, s, st) for v, s, st in cells],
                         first_with=flips[-1][1], last_without=flips[0][0], monotonic=True, exact=True,
                         flips=[Flip(a, b, "without", "with", None, None, True) for a, b in flips])


def results_with_bisect(results_dir, exact=True):
    runs = results_dir / "runs"
    write(runs, run_file("2.9.2", [scenario("a.old", **OLD), scenario("a.new", "error", **NEW)], spec="2.9"))
    write(runs, run_file("3.1.4", [scenario("a.old", "error", **OLD), scenario("a.new", **NEW)], spec="3"))
    broke = history("a.old", "regressed", [("2.9.2", "pass", "without"), ("2.17.2", "pass", "without"),
                                           ("2.18.0", "error", "with"), ("3.1.4", "error", "with")], [("2.17.2", "2.18.0")])
    broke.flips[0].exact = exact
    fixed = history("a.new", "fixed", [("2.9.2", "error", "without"), ("2.22.5", "error", "without"),
                                       ("3.0.0", "pass", "with"), ("3.1.4", "pass", "with")], [("2.22.5", "3.0.0")])
    result = BisectResult(baseline={"version": "2.9.2", "label": "mlflow-2.9.2"}, candidate={"version": "3.1.4", "label": "mlflow-3.1.4"}, started_at="2026-11-29T00:00:00Z",
                          budget={"max_releases": None, "used": 2, "exhausted": False},
                          releases=["2.9.2", "2.17.2", "2.18.0", "2.22.5", "3.0.0", "3.1.4"],
                          changes=[broke, fixed])
    bisect_results.save(result, results_dir / "bisect" / "2.9.2__3.1.4.json")
    return results_dir


def test_a_proven_boundary_is_the_rollback_pins_upper_bound(results_dir, capsys):
    results_with_bisect(results_dir)
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    out = capsys.readouterr().out
    assert "mlflow>=2.9,<2.18.0 (2.18.0 is the first release that breaks, found by bisect)" in out
    assert "SINCE: a.old (regressed): pass up to 2.17.2; error from 2.18.0" in out
    assert "(it passes from 3.0.0 on, found by bisect)" in out
    data = json.loads((results_dir / "matrix.json").read_text())
    assert data["guidance"]["rollback"][0]["bound_proven"] is True
    assert data["bisect"][0]["changes"][0]["first_with"] == "2.18.0"
    assert "## Where each change happened (bisect)" in (results_dir / "matrix.md").read_text()
    assert 'id="sec-bisect"' in (results_dir / "report.html").read_text()


def test_without_a_proven_boundary_the_pin_says_what_is_untested(results_dir, capsys):
    results_with_bisect(results_dir, exact=False)
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    out = capsys.readouterr().out
    assert "mlflow>=2.9,<3 (releases after 2.9.2 below 3 were not tested; `nox -s bisect` finds the first that breaks)" in out


def test_a_proven_break_caps_the_pin_even_when_other_forcing_scenarios_were_not_bisected(results_dir, capsys):
    """3.1.4 also breaks b.other, which no bisect followed: 2.18.0 is still proven to break a.old,
    so the pin stops there, and says the releases below were not run for b.other."""
    results_with_bisect(results_dir)
    runs = results_dir / "runs"
    write(runs, run_file("2.9.2", [scenario("a.old", **OLD), scenario("a.new", "error", **NEW), scenario("b.other")],
                         spec="2.9"))
    write(runs, run_file("3.1.4", [scenario("a.old", "error", **OLD), scenario("a.new", **NEW),
                                   scenario("b.other", "fail")], spec="3"))
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    out = capsys.readouterr().out
    assert ("mlflow>=2.9,<2.18.0 (2.18.0 is the first release that breaks, found by bisect; releases after 2.9.2 "
            "below 2.18.0 were not bisected for b.other; `nox -s bisect` finds the first that breaks)") in out
    rollback = json.loads((results_dir / "matrix.json").read_text())["guidance"]["rollback"][0]
    assert rollback["bound_proven"] is False and rollback["requirement"] == "mlflow>=2.9,<2.18.0"
