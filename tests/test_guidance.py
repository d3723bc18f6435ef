"""Rollback pins, migration hints from idiom pairs, deprecations: from hand-written run files."""

from __future__ import annotations

from harness.analysis.guidance import build_guidance as _build
from harness.analysis.matrix import build_matrix
from harness.analysis.policy import GatePolicy
from harness.analysis.crossadvice import CrossAdvice
from harness.analysis.rollback import requirement_for
from harness.report.markdown import render_guidance
from harness.report.terminal import guidance_lines
from tests.factories import run_file, scenario

OLD_CODE = 'mlflow.sklearn.log_model(sk_model=m, artifact_path="model")'
NEW_CODE = 'mlflow.sklearn.log_model(sk_model=m, name="model")'
DEP = {"category": "FutureWarning", "message": "`artifact_path` is deprecated. Please use `name` instead."}


def old_idiom(status="pass", **kw):
    return scenario("models.log.artifact_path_kwarg", status, kind="idiom",
                    replaced_by="models.log.name_kwarg", code=OLD_CODE, **kw)


def new_idiom(status="pass", **kw):
    return scenario("models.log.name_kwarg", status, kind="idiom", code=NEW_CODE, **kw)


def build_guidance(matrix, breaking=None, allow=None, cross=None):
    policy = GatePolicy(allow=allow or {}) if breaking is None else GatePolicy(fail_on=breaking, allow=allow or {})
    return _build(matrix, policy, cross)


def matrix_of(*runs, baseline="2.9"):
    return build_matrix(list(runs), baseline, 1.5)


def test_rollback_to_the_newest_tested_version_without_regressions():
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x"), scenario("a.y")], spec="2.9"),
        run_file("2.22.1", [scenario("a.x"), scenario("a.y")], spec="2.22"),
        run_file("3.1.4", [scenario("a.x", "error"), scenario("a.y")], spec="3.1"),
        run_file("3.6.0", [scenario("a.x", "error"), scenario("a.y", "unsupported")], spec="3"),
    )
    g = build_guidance(m)
    by_candidate = {r.candidate: r for r in g.rollback}
    assert set(by_candidate) == {"3.1.4", "3.6.0"}
    newest = by_candidate["3.6.0"]
    assert newest.safe_version == "2.22.1" and newest.direction == "rollback"
    assert not newest.baseline_is_newest_safe
    # from the safe minor up to the oldest newer version that breaks, as its family
    assert newest.requirement == "mlflow>=2.22,<3.1"
    assert newest.pip == 'pip install "mlflow>=2.22,<3.1"'
    assert newest.scenarios == ["a.x", "a.y"]
    assert {s.verdict for s in newest.forced_by} == {"regressed", "newly_unsupported"}
    assert "a.x regressed" in newest.summary and "mlflow>=2.22,<3.1" in newest.summary
    assert "roll back to 2.22.1" in newest.summary


def test_baseline_is_the_newest_safe():
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x")], spec="2.9"),
        run_file("3.6.0", [scenario("a.x", "fail")], spec="3"),
    )
    (r,) = build_guidance(m).rollback
    assert r.baseline_is_newest_safe and r.safe_version == "2.9.4"
    assert r.requirement == "mlflow>=2.9,<3"
    assert "stay on it" in r.summary


def test_no_safe_version():
    # the baseline run did not complete, and every candidate breaks: nothing tested is safe
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x")], spec="2.9", run_status="interrupted"),
        run_file("3.6.0", [scenario("a.x", "error")], spec="3"),
    )
    (r,) = build_guidance(m).rollback
    assert r.safe_version is None and r.requirement is None and r.pip is None
    assert "no tested version ran these scenarios without breaking changes" in r.summary


def test_a_run_that_did_not_run_the_forcing_scenarios_is_no_rollback_target():
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x"), scenario("t.y")], spec="2.9"),
        run_file("2.22.1", [scenario("t.y")], spec="2.22", selection={"only": ["t.*"]}),
        run_file("3.6.0", [scenario("a.x", "error"), scenario("t.y")], spec="3"),
    )
    (r,) = build_guidance(m).rollback
    assert r.safe_version == "2.9.4" and r.baseline_is_newest_safe
    assert r.requirement == "mlflow>=2.9,<3"


def test_a_newer_safe_version_means_skip_the_candidate():
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x")], spec="2.9"),
        run_file("3.1.4", [scenario("a.x", "error")], spec="3.1"),
        run_file("3.6.0", [scenario("a.x")], spec="3"),
    )
    (r,) = build_guidance(m).rollback
    assert r.candidate == "3.1.4" and r.safe_version == "3.6.0" and r.direction == "upgrade"
    assert r.requirement == "mlflow>=3.6,<4"


def test_upper_bound_never_excludes_the_safe_version():
    safe = run_file("3.6.0", [], spec="3.6")
    broken = run_file("3.7.1", [], spec="3")  # "<3" would exclude 3.6.0 as well
    assert requirement_for(safe, [broken]) == "mlflow>=3.6,<3.7"


def test_allowlisted_and_policy_verdicts_decide_what_forces_a_rollback():
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x"), scenario("a.y")], spec="2.9"),
        run_file("3.6.0", [scenario("a.x", "error"), scenario("a.y", warnings=[DEP])], spec="3"),
    )
    assert build_guidance(m, allow={"a.*": "known"}).rollback == []
    (r,) = build_guidance(m, breaking=("regressed", "newly_warns"), allow={"a.x": "known"}).rollback
    assert r.scenarios == ["a.y"]


def test_migration_now_when_the_replacement_passes_on_the_baseline_too():
    m = matrix_of(
        run_file("2.9.4", [old_idiom(), new_idiom()], spec="2.9"),
        run_file("3.6.0", [old_idiom("error", error={"type": "TypeError", "message": "unexpected keyword 'artifact_path'"}),
                           new_idiom()], spec="3"),
    )
    (hint,) = build_guidance(m).migrations
    assert hint.old == "models.log.artifact_path_kwarg" and hint.new == "models.log.name_kwarg"
    assert hint.timing == "now" and hint.candidates == ["3.6.0"]
    assert hint.old_code == OLD_CODE and hint.new_code == NEW_CODE
    assert f"replace `{OLD_CODE}` with `{NEW_CODE}`" in hint.summary
    assert "errors (TypeError: unexpected keyword 'artifact_path') on 3.6.0" in hint.summary
    assert "change it now" in hint.summary


def test_migration_goes_with_the_bump_when_the_replacement_fails_on_the_baseline():
    m = matrix_of(
        run_file("2.9.4", [old_idiom(), new_idiom("error")], spec="2.9"),
        run_file("3.6.0", [old_idiom(warnings=[DEP]), new_idiom()], spec="3"),
    )
    (hint,) = build_guidance(m).migrations
    assert hint.timing == "with_bump" and hint.baseline_status == "error"
    assert "together with the bump" in hint.summary and "warns" in hint.summary
    md = render_guidance(build_guidance(m))
    assert f"  - {OLD_CODE}" in md and f"  + {NEW_CODE}" in md


def test_no_migration_hint_when_the_idiom_still_works_quietly_or_has_no_working_replacement():
    quiet = matrix_of(
        run_file("2.9.4", [old_idiom(), new_idiom()], spec="2.9"),
        run_file("3.6.0", [old_idiom(), new_idiom()], spec="3"),
    )
    assert build_guidance(quiet).migrations == []
    blocked = matrix_of(
        run_file("2.9.4", [old_idiom(), new_idiom()], spec="2.9"),
        run_file("3.6.0", [old_idiom("error"), new_idiom("error")], spec="3"),
    )
    (hint,) = build_guidance(blocked).migrations
    assert hint.timing is None and hint.blocked == {"3.6.0": "error"}
    assert "does not pass there either" in hint.summary


def test_deprecations_are_grouped_by_message_with_scenarios_and_versions():
    other = {"category": "DeprecationWarning", "message": "get_latest_versions is deprecated"}
    m = matrix_of(
        run_file("2.9.4", [scenario("a.x"), scenario("a.y", warnings=[other])], spec="2.9"),
        run_file("3.1.4", [scenario("a.x", warnings=[DEP]), scenario("a.y", warnings=[DEP, other])], spec="3.1"),
        run_file("3.6.0", [scenario("a.x", warnings=[DEP]), scenario("a.y")], spec="3"),
    )
    deps = build_guidance(m).deprecations
    assert [d.message for d in deps] == [DEP["message"], other["message"]]  # new ones first
    first = deps[0]
    assert first.scenarios == ["a.x", "a.y"] and first.versions == ["3.1.4", "3.6.0"]
    assert not first.on_baseline and deps[1].on_baseline
    assert "new since the baseline" in first.summary and "a.x, a.y" in first.summary


def test_to_dict_contract_and_extra_notes():
    m = matrix_of(
        run_file("2.9.4", [old_idiom(), new_idiom(), scenario("a.x")], spec="2.9"),
        run_file("3.6.0", [old_idiom("error"), new_idiom(), scenario("a.x", "error", warnings=[DEP])], spec="3"),
    )
    advice = CrossAdvice("database", ["db.fill (baseline->baseline): pass"], "3.6.0 reads a 2.9.4 store", ("2.9.4", "3.6.0"))
    g = build_guidance(m, cross=[advice])
    data = g.to_dict()
    for key in ("rollback", "migrations", "deprecations"):
        assert data[key], key
        assert all(isinstance(item["summary"], str) and "\n" not in item["summary"] for item in data[key])
    assert data["notes"] == [{"section": "Cross-version compatibility", "summary": "3.6.0 reads a 2.9.4 store",
                              "topic": "database", "evidence": ["db.fill (baseline->baseline): pass"],
                              "pair": ["2.9.4", "3.6.0"]}]
    md = render_guidance(g)
    assert "### Cross-version compatibility" in md and "- 3.6.0 reads a 2.9.4 store" in md
    lines = guidance_lines(g)
    assert lines[0].startswith("ROLLBACK: ") and any(line.startswith("MIGRATE: ") for line in lines)
    assert any(line.startswith("NOTE: ") for line in lines)


def test_a_warning_the_replacement_raises_too_is_no_reason_to_migrate():
    store = {"category": "SADeprecationWarning", "message": "The ``noload`` loader strategy is deprecated"}
    m = matrix_of(
        run_file("2.9.4", [old_idiom(), new_idiom("error")], spec="2.9"),
        run_file("3.6.0", [old_idiom(warnings=[store]), new_idiom(warnings=[store])], spec="3"),
    )
    g = build_guidance(m)
    assert g.migrations == []
    assert g.deprecations[0].scenarios == ["models.log.artifact_path_kwarg", "models.log.name_kwarg"]
