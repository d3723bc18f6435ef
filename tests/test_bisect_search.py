"""The bisect search on synthetic histories, with a fake runner (no MLflow, no environments)."""

from __future__ import annotations

import pytest

from harness.bisect.pair import bisect_pair, releases_between
from harness.bisect.search import NOT_TESTED, representatives
from harness.errors import HarnessError
from tests.bisect_fakes import BASELINE, CANDIDATE, RELEASES, FakeRunner, cell, end_runs, from_index

SID = "evaluation.threshold.higher_is_better"


def bisect(history, *, broken=None, known=(), max_releases=None, only=None, jobs=1):
    runner = FakeRunner(history, broken)
    baseline, candidate = end_runs(history)
    result = bisect_pair(baseline, candidate, listed_releases=RELEASES, runner=runner, previous=list(known),
                         max_releases=max_releases, only=only, jobs=jobs, log=lambda line: None)
    return result, runner


def regression_from(first: str, sid: str = SID):
    return {sid: from_index(sid, first, cell(sid, "pass"), cell(sid, "error"))}


def adjacent(first: str) -> str:
    return RELEASES[RELEASES.index(first) - 1]


def test_representatives_are_the_newest_patch_of_each_minor():
    reps = representatives(RELEASES)
    assert {"2.10.2", "2.12.2", "2.18.0", "2.22.5", BASELINE} == reps & {"2.10.2", "2.12.2", "2.18.0", "2.22.5", BASELINE}
    assert not reps & {"2.10.0", "2.12.1", "2.22.4"}
    assert len(reps) == 14


@pytest.mark.parametrize("first", ["2.14.0", "2.10.0", "2.22.0", "2.19.0"])
def test_monotonic_history_finds_the_exact_boundary_at_a_minor(first):
    result, runner = bisect(regression_from(first))
    (change,) = result.changes
    assert (change.last_without, change.first_with) == (adjacent(first), first)
    assert change.monotonic and change.exact and change.between == []
    assert [(f.before, f.after, f.before_value, f.after_value) for f in change.flips] == [
        (adjacent(first), first, "pass", "error")]
    # binary search: newest patches first, each release run once, far fewer than all 49
    assert runner.versions[0] in representatives(RELEASES)
    assert len(set(runner.versions)) == len(runner.versions) <= 8
    # every tested release is in the record, in order, with its state
    versions = [c.version for c in change.cells]
    assert versions == sorted(versions, key=RELEASES.index) and versions[0] == BASELINE and versions[-1] == CANDIDATE
    assert all(c.state == ("with" if RELEASES.index(c.version) >= RELEASES.index(first) else "without")
               for c in change.cells)


@pytest.mark.parametrize("first", ["2.16.1", "2.20.3", "2.11.2", "2.17.1"])
def test_boundary_inside_a_minor_is_narrowed_to_the_patch(first):
    result, runner = bisect(regression_from(first))
    (change,) = result.changes
    assert (change.last_without, change.first_with) == (adjacent(first), first)
    assert change.exact
    line = first.rsplit(".", 1)[0]
    patches = [v for v in RELEASES if v.startswith(line + ".")]
    # the minor's newest patch was tested before its earlier patches, then its first release
    tried = [v for v in runner.versions if v in patches]
    assert tried[0] == patches[-1] and tried[1] == patches[0]
    assert len(tried) <= 2 + len(patches).bit_length()


def test_uninstallable_release_at_the_boundary_is_skipped_and_the_boundary_spans_it():
    result, runner = bisect(regression_from("2.14.1"), broken={"2.14.0": "error: No solution found\n  cause: nope"})
    (change,) = result.changes
    assert (change.last_without, change.first_with) == ("2.13.1", "2.14.1")
    assert change.exact and change.monotonic
    assert [(u.version, u.reason) for u in change.between] == [("2.14.0", "error: No solution found\n  cause: nope")]
    assert [(g.version, g.reason[:6]) for g in result.gaps] == [("2.14.0", "error:")]
    assert runner.versions.count("2.14.0") == 1  # a gap is never retried


def test_uninstallable_middle_release_is_stepped_around():
    middle = bisect(regression_from("2.20.0"))[1].versions[0]  # the first release the search wants
    result, runner = bisect(regression_from("2.20.0"), broken={middle: "did not install"})
    (change,) = result.changes
    assert runner.versions[0] == middle
    assert (change.last_without, change.first_with) == ("2.19.0", "2.20.0") and change.exact
    assert change.between == []  # the gap is not at the boundary
    assert [g.version for g in result.gaps] == [middle]


def test_flip_flop_seen_in_known_cells_is_reported_flip_by_flip_never_forced():
    sid = SID
    statuses = {v: "pass" for v in RELEASES}
    for v in RELEASES[RELEASES.index("2.11.0"):RELEASES.index("2.14.0")]:
        statuses[v] = "error"
    for v in RELEASES[RELEASES.index("2.20.0"):]:
        statuses[v] = "error"
    history = {sid: lambda v: cell(sid, statuses[v])}
    # the matrix ran 2.12.2 (error) and 2.17.2 (pass): the flip-flop is in plain sight
    from tests.factories import run_file

    known = [run_file(v, [history[sid](v)]) for v in ("2.12.2", "2.17.2")]
    result, _ = bisect(history, known=known)
    (change,) = result.changes
    assert not change.monotonic and not change.exact
    assert [(f.before, f.after, f.before_value, f.after_value) for f in change.flips] == [
        ("2.10.2", "2.11.0", "pass", "error"), ("2.13.1", "2.14.0", "error", "pass"),
        ("2.19.0", "2.20.0", "pass", "error")]
    assert all(f.exact for f in change.flips)
    assert change.first_with == "2.20.0"  # start of the trailing run of "with" cells, reported as seen
    assert change.last_without == "2.10.2"


def test_a_third_status_is_other_and_makes_the_history_not_monotonic():
    sid = SID

    def history_of(v):
        i = RELEASES.index(v)
        if i >= RELEASES.index("2.20.0"):
            return cell(sid, "error")
        return cell(sid, "unsupported" if i >= RELEASES.index("2.16.0") else "pass")

    result, _ = bisect({sid: history_of})
    (change,) = result.changes
    states = [c.state for c in change.cells]
    assert "other" in states and not change.monotonic
    assert [(f.before_state, f.after_state) for f in change.flips] == [("without", "other"), ("other", "with")]
    assert [f.after for f in change.flips] == ["2.16.0", "2.20.0"]


def test_two_status_steps_inside_the_change_are_both_narrowed():
    """pass -> fail -> error: both are `with` a regression, and both steps are found (fail: silently ignored)."""
    sid = "evaluation.validate.thresholds_kwarg"

    def history_of(v):
        i = RELEASES.index(v)
        return cell(sid, "error" if i >= RELEASES.index("2.21.0") else "fail" if i >= RELEASES.index("2.13.0") else "pass")

    result, _ = bisect({sid: history_of})
    (change,) = result.changes
    assert change.monotonic and change.exact
    assert (change.last_without, change.first_with) == ("2.12.2", "2.13.0")
    assert [(f.after, f.before_value, f.after_value) for f in change.flips] == [("2.13.0", "pass", "fail"),
                                                                               ("2.21.0", "fail", "error")]


def test_changes_share_one_run_per_release():
    a, b = "tracking.run_info.run_uuid", "models.log.name_kwarg"
    history = {**regression_from("2.18.0", a), **regression_from("2.18.0", b)}
    alone, alone_runner = bisect(regression_from("2.18.0", a))
    both, runner = bisect(history)
    assert runner.versions == alone_runner.versions
    assert all(ids == [b, a] or ids == sorted([a, b]) for _, ids in runner.calls)
    assert all(c.first_with == "2.18.0" and c.exact for c in both.changes)


def test_budget_exhausted_says_which_releases_are_untested():
    result, runner = bisect(regression_from("2.14.2"), max_releases=2)
    (change,) = result.changes
    assert len(runner.calls) == 2
    assert result.budget == {"max_releases": 2, "used": 2, "exhausted": True}
    assert change.budget_exhausted and not change.exact and change.monotonic
    assert change.between and all(u.reason == NOT_TESTED for u in change.between)
    versions = [u.version for u in change.between]
    assert RELEASES.index(change.last_without) < RELEASES.index(versions[0])
    assert RELEASES.index(versions[-1]) < RELEASES.index(change.first_with)
    assert "2.14.2" in versions + [change.first_with]


def test_cells_already_computed_are_not_run_again():
    sid = SID
    history = regression_from("2.14.0")
    first, runner = bisect(history)
    from tests.factories import run_file

    known = [run_file(v, [history[sid](v)]) for v in runner.versions]
    again, second_runner = bisect(history, known=known)
    assert second_runner.calls == []
    assert again.changes[0].to_dict() == first.changes[0].to_dict()
    assert all(t.step is None for t in again.tested)


def test_only_selects_changes_by_glob_or_area():
    history = {**regression_from("2.14.0", "tracking.run_info.run_uuid"), **regression_from("2.18.0", SID)}
    result, _ = bisect(history, only=["tracking"])
    assert [c.scenario for c in result.changes] == ["tracking.run_info.run_uuid"]
    result, _ = bisect(history, only=["evaluation.*"])
    assert [c.scenario for c in result.changes] == [SID]


def test_newly_warns_tracks_the_specific_deprecation():
    sid = "registry.stage.transition"
    old = {"category": "FutureWarning", "message": "`transition` is deprecated since 2.9.0"}
    new = {"category": "FutureWarning", "message": "stages will be removed (deprecated) in run 0123456789abcdef0123456789abcdef"}

    def history_of(v):
        i = RELEASES.index(v)
        warnings = [old] + ([dict(new, message=new["message"].replace("0123", f"{i:04d}"))] if i >= RELEASES.index("2.17.0") else [])
        return cell(sid, "pass", warnings=warnings)

    result, _ = bisect({sid: history_of})
    (change,) = result.changes
    assert change.verdict == "newly_warns" and change.tracked["what"] == "deprecation"
    assert (change.last_without, change.first_with) == ("2.16.2", "2.17.0") and change.exact
    assert {c.value for c in change.cells} == {True, False}


def test_changed_tracks_one_observation_and_a_third_value_is_other():
    sid = "tracking.defaults.tracking_uri"

    def history_of(v):
        i = RELEASES.index(v)
        value = "sqlite" if i >= RELEASES.index("2.21.0") else "file-v2" if i >= RELEASES.index("2.15.0") else "file"
        return cell(sid, "pass", observations={"default_uri_scheme": value, "steady": 1})

    result, _ = bisect({sid: history_of})
    (change,) = result.changes
    assert change.id == f"{sid}:changed:default_uri_scheme"
    assert [(f.after, f.before_state, f.after_state, f.after_value) for f in change.flips] == [
        ("2.15.0", "without", "other", "file-v2"), ("2.21.0", "other", "with", "sqlite")]
    assert not change.monotonic


def test_releases_between_keeps_finals_and_both_ends():
    listed = ["2.9.2", "2.10.0rc0", "2.10.0", "3.0.0.dev0", "2.11.0", "junk", "2.12.0"]
    assert releases_between("2.9.2", "2.11.1", listed) == ["2.9.2", "2.10.0", "2.11.0", "2.11.1"]
    with pytest.raises(HarnessError, match="must be the older"):
        releases_between("3.1.0", "2.9.2", listed)


def test_two_jobs_find_the_same_boundaries_running_each_release_once():
    a, b = "tracking.run_info.run_uuid", SID
    history = {**regression_from("2.11.1", a), **regression_from("2.20.2", b)}
    one, _ = bisect(history)
    two, runner = bisect(history, jobs=2)
    bounds = lambda result: [(c.scenario, c.last_without, c.first_with, c.exact) for c in result.changes]  # noqa: E731
    assert bounds(two) == bounds(one)
    assert len(set(runner.versions)) == len(runner.versions)
    assert all(c.exact for c in two.changes)
    steps = sorted(t.step for t in two.tested if t.step is not None)
    assert steps == list(range(1, len(runner.calls) + 1))


def test_a_bisect_of_some_scenarios_keeps_the_other_changes_of_the_pair():
    from harness.bisect.pair import merged

    a, b = "tracking.run_info.run_uuid", SID
    history = {**regression_from("2.11.1", a), **regression_from("2.20.2", b)}
    full, _ = bisect(history)
    part, _ = bisect(history, only=["tracking"])
    result = merged(full, part, ["tracking"])
    assert [c.scenario for c in result.changes] == [b, a]
    assert result.change(f"{b}:regressed").first_with == "2.20.2"
    assert {sid for t in result.tested for sid in t.scenarios} == {a, b}
    # a whole-pair bisect replaces the file
    assert merged(full, part, []) is part


def test_a_free_job_runs_ahead_inside_a_step_only_without_a_budget():
    from harness.bisect.changes import changes_to_bisect
    from harness.bisect.search import Search

    history = regression_from("2.14.1")
    baseline, candidate = end_runs(history)
    known = {v: r.by_id() for v, r in ((BASELINE, baseline), (CANDIDATE, candidate))}
    changes = changes_to_bisect(baseline, candidate)
    search = Search(RELEASES, changes, known, log=lambda line: None)
    first, scenarios, _, early = search.choose()
    assert not early and scenarios == [SID]
    second, _, _, early = search.choose({first: {SID}})
    assert early and second != first
    assert 0 < RELEASES.index(second) < len(RELEASES) - 1
    budgeted = Search(RELEASES, changes, known, max_releases=5, log=lambda line: None)
    assert budgeted.choose({first: {SID}}) is None
