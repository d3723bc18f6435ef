"""Every comparison verdict, over hand-written run files."""

from __future__ import annotations

import copy

import pytest

from harness.analysis.compare import compare, compare_scenario
from harness.analysis.deprecations import message_key
from harness.outcomes import Verdict
from tests.factories import run_file, scenario

DEP = {"category": "FutureWarning", "message": "`artifact_path` is deprecated. Please use `name` instead."}
STEADY = [0.100, 0.102, 0.099, 0.101, 0.100]


def verdict(base, cand, factor=1.5):
    sid = (base or cand).id
    return compare_scenario(sid, base, cand, factor)


@pytest.mark.parametrize("broken", ["fail", "error", "timeout", "crashed"])
def test_pass_to_broken_is_regressed_with_the_error(broken):
    cand = scenario("a.b", broken, error={"type": "TypeError", "message": "unexpected kwarg 'x'\nmore"} if broken in ("fail", "error") else None,
                    reason="no result within 5s" if broken == "timeout" else None)
    v = verdict(scenario("a.b"), cand)
    assert v.verdict == "regressed"
    assert v.details[0].startswith(f"pass -> {broken}")
    if broken == "error":
        assert "TypeError: unexpected kwarg 'x'" in v.details[0] and "more" not in v.details[0]


@pytest.mark.parametrize("before", ["fail", "error", "timeout", "crashed", "unsupported"])
def test_broken_or_unsupported_to_pass_is_fixed(before):
    assert verdict(scenario("a.b", before), scenario("a.b")).verdict == "fixed"


@pytest.mark.parametrize("before", ["pass", "fail", "skipped"])
def test_becoming_unsupported_is_newly_unsupported(before):
    v = verdict(scenario("a.b", before), scenario("a.b", "unsupported", reason="no aliases before 2.3"))
    assert v.verdict == "newly_unsupported"
    assert "no aliases before 2.3" in v.details[0]


def test_a_new_deprecation_is_newly_warns_but_an_old_one_is_not():
    assert verdict(scenario("a.b"), scenario("a.b", warnings=[DEP])).verdict == "newly_warns"
    assert verdict(scenario("a.b", warnings=[DEP]), scenario("a.b", warnings=[DEP])).verdict == "same"
    # MLflow 3 deprecates through its logger: a log record saying "deprecated" counts
    logged = {"category": "log.WARNING", "message": "Parameter 'artifact_path' is deprecated."}
    assert verdict(scenario("a.b"), scenario("a.b", warnings=[logged])).verdict == "newly_warns"
    # other warnings are kept in the cell but are no deprecation
    other = {"category": "UserWarning", "message": "Hint: inferring the signature"}
    assert verdict(scenario("a.b"), scenario("a.b", warnings=[other])).verdict == "same"


def test_deprecations_differing_only_in_run_ids_and_paths_are_the_same_warning():
    a = {"category": "FutureWarning", "message": "run 0123456789abcdef0123456789abcdef at /tmp/x1/y is deprecated"}
    b = {"category": "FutureWarning", "message": "run fedcba9876543210fedcba9876543210 at /tmp/q9/z is deprecated"}
    assert message_key(a["message"]) == message_key(b["message"])
    assert verdict(scenario("a.b", warnings=[a]), scenario("a.b", warnings=[b])).verdict == "same"


def test_an_observation_that_differs_is_changed_with_both_values():
    v = verdict(scenario("a.b", observations={"uri": "runs:/", "n": 1}),
                scenario("a.b", observations={"uri": "models:/", "n": 1}))
    assert v.verdict == "changed"
    assert v.observation_diff == {"uri": {"baseline": "runs:/", "candidate": "models:/"}}
    assert "'runs:/' -> 'models:/'" in v.details[0]


def test_timings_slower_and_faster_need_ratio_and_evidence():
    slow = verdict(scenario("p.x", samples=STEADY), scenario("p.x", samples=[x * 2 for x in STEADY]))
    assert slow.verdict == "slower" and slow.ratio == pytest.approx(2.0, rel=0.01)
    assert slow.timing.p_slower < 0.05
    fast = verdict(scenario("p.x", samples=STEADY), scenario("p.x", samples=[x / 2 for x in STEADY]))
    assert fast.verdict == "faster" and fast.ratio == pytest.approx(0.5, rel=0.01)
    # past the factor but within noise: two samples overlap wildly -> same, ratio still shown
    noisy = verdict(scenario("p.x", samples=[0.1, 0.5, 0.1, 0.5, 0.1]), scenario("p.x", samples=[0.5, 0.1, 0.5, 0.1, 0.5]))
    assert noisy.verdict == "same" and noisy.ratio == pytest.approx(5.0)
    # beyond noise but under the factor -> same
    small = verdict(scenario("p.x", samples=STEADY), scenario("p.x", samples=[x * 1.2 for x in STEADY]), factor=1.5)
    assert small.verdict == "same" and small.timing.p_slower < 0.05


def test_timings_are_not_compared_when_a_side_did_not_pass():
    v = verdict(scenario("p.x", samples=STEADY), scenario("p.x", "fail", samples=[x * 3 for x in STEADY]))
    assert v.verdict == "regressed" and "slower" not in v.changes and v.timing is None
    assert v.ratio == pytest.approx(3.0)  # still reported, never judged


def test_new_and_gone():
    assert compare_scenario("a.b", None, scenario("a.b"), 1.5).verdict == "new"
    gone = compare_scenario("a.b", scenario("a.b"), None, 1.5)
    assert gone.verdict == "gone" and gone.details == ["not run on the candidate"]
    selected = compare_scenario("a.b", scenario("a.b"), None, 1.5, {"only": ["models.*"]})
    assert "not selected" in selected.details[0]


def test_the_primary_verdict_is_the_most_severe_and_changes_keep_all():
    v = verdict(scenario("a.b", observations={"k": 1}), scenario("a.b", "error", warnings=[DEP], observations={"k": 2}))
    assert v.verdict == "regressed"
    assert "newly_warns" in v.changes and "changed" not in v.changes  # observations only when both ended alike


def test_a_status_change_between_non_pass_states_is_same_but_explained():
    v = verdict(scenario("a.b", "error"), scenario("a.b", "fail"))
    assert v.verdict == "same" and v.details and v.details[0].startswith("error -> fail")


def test_every_verdict_is_produced_somewhere():
    base = run_file("2.9.4", [
        scenario("v.same"), scenario("v.regressed"), scenario("v.fixed", "error"), scenario("v.unsupported"),
        scenario("v.warns"), scenario("v.changed", observations={"k": 1}), scenario("v.slower", samples=STEADY),
        scenario("v.faster", samples=STEADY), scenario("v.gone"),
    ])
    cand = run_file("3.6.0", [
        scenario("v.same"), scenario("v.regressed", "error"), scenario("v.fixed"), scenario("v.unsupported", "unsupported"),
        scenario("v.warns", warnings=[DEP]), scenario("v.changed", observations={"k": 2}),
        scenario("v.slower", samples=[x * 3 for x in STEADY]), scenario("v.faster", samples=[x / 3 for x in STEADY]),
        scenario("v.new"),
    ])
    comparison = compare(base, cand, 1.5)
    got = {sid.split(".", 1)[1]: v.verdict for sid, v in comparison.verdicts.items()}
    expected = {"same": "same", "regressed": "regressed", "fixed": "fixed", "unsupported": "newly_unsupported",
                "warns": "newly_warns", "changed": "changed", "slower": "slower", "faster": "faster",
                "gone": "gone", "new": "new"}
    assert got == expected
    assert set(got.values()) == set(Verdict)
    data = comparison.to_dict()
    assert data["counts"]["regressed"] == 1
    assert data["verdicts"]["v.slower"]["timing"]["method"] == "mann-whitney-u"


def test_a_a_of_the_same_run_content_is_all_same():
    run = run_file("3.6.0", [
        scenario("a.x", warnings=[DEP], observations={"uri": "runs:/"}), scenario("a.y", "error"),
        scenario("a.z", "unsupported"), scenario("p.t", samples=STEADY),
    ])
    other = copy.deepcopy(run)
    assert {v.verdict for v in compare(run, other).verdicts.values()} == {"same"}


def test_matrix_outputs_show_timings_as_ratios_to_the_baseline(results_dir, capsys):
    import json

    from harness.cli import main
    from tests.factories import write

    runs = results_dir / "runs"
    write(runs, run_file("2.9.4", [scenario("p.t", samples=STEADY), scenario("p.u", samples=STEADY)], spec="2.9"))
    write(runs, run_file("2.22.1", [scenario("p.t", samples=[x * 1.02 for x in STEADY]),
                                    scenario("p.u", "fail", samples=STEADY)], spec="2.22"))
    write(runs, run_file("3.6.0", [scenario("p.t", samples=[x * 1.8 for x in STEADY]),
                                   scenario("p.u", samples=[x / 2 for x in STEADY])], spec="3"))
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    out = capsys.readouterr().out
    md = (results_dir / "matrix.md").read_text()
    assert "## Timings (ratio to the baseline)" in md
    timings = md.split("## Timings (ratio to the baseline)", 1)[1].split("\n## ", 1)[0]
    row_t = next(line for line in timings.splitlines() if line.startswith("| p.t "))
    assert "100ms" in row_t and "1.02x" in row_t and "1.80x [slower]" in row_t
    row_u = next(line for line in timings.splitlines() if line.startswith("| p.u "))
    assert "1.00x (pass->fail)" in row_u and "0.50x [faster]" in row_u
    assert "1.80x [slower]" in out  # the terminal prints the same table
    data = json.loads((results_dir / "matrix.json").read_text())
    verdicts = data["comparisons"]["mlflow-3.6.0"]["verdicts"]
    assert verdicts["p.t"]["ratio"] == pytest.approx(1.8) and verdicts["p.t"]["timing"]["verdict"] == "slower"
    assert data["comparisons"]["mlflow-2.22.1"]["verdicts"]["p.u"]["ratio"] == pytest.approx(1.0)


def test_a_status_change_raised_inside_a_library_names_it_and_both_versions():
    from tests.factories import run_file, scenario

    raised = {"origin": "library:scikit-learn", "distribution": "scikit-learn", "version": "1.9.1",
              "frame": "sklearn/metrics/_regression.py:123"}
    base = run_file("2.9.2", [scenario("evaluation.regressor.metrics")])
    cand = run_file("2.9.2", [scenario("evaluation.regressor.metrics", "error",
                                       error={"type": "TypeError", "message": "got an unexpected keyword 'squared'",
                                              "raised_in": raised})])
    base.packages = {"mlflow": "2.9.2", "scikit-learn": "1.3.2"}
    cand.packages = {"mlflow": "2.9.2", "scikit_learn": "1.9.1"}
    v = compare(base, cand).verdicts["evaluation.regressor.metrics"]
    assert v.cause == {"package": "scikit-learn", "baseline": "1.3.2", "candidate": "1.9.1",
                       "frame": "sklearn/metrics/_regression.py:123"}
    assert "cause: scikit-learn 1.3.2 -> 1.9.1" in " ".join(v.details)
    # same library version on both sides: the library did not change, nothing to blame on it
    base.packages["scikit-learn"] = "1.9.1"
    assert compare(base, cand).verdicts["evaluation.regressor.metrics"].cause is None
    # raised inside mlflow: no library cause
    cand.scenarios[0].error["raised_in"] = {"origin": "mlflow", "frame": "mlflow/models/evaluation/base.py:1"}
    assert compare(base, cand).verdicts["evaluation.regressor.metrics"].cause is None
