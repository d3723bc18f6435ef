"""Which deprecations count (origin), and when two are the same (what they deprecate)."""

from __future__ import annotations

from harness.analysis.compare import compare
from harness.analysis.deprecations import actionable, deprecated_api, deprecation_key, deprecations
from harness.outcomes import Verdict
from tests.factories import run_file, scenario

STAGE = ("``mlflow.tracking.client.MlflowClient.transition_model_version_stage`` is deprecated since 2.9.0. "
         "Model registry stages will be removed. To learn more, see https://mlflow.org/docs/{}/model-registry.html")
LEGACY = {"category": "LegacyAPIWarning", "message": "The Query.get() method is considered legacy (deprecated since: 2.0)",
          "origin": "library:sqlalchemy", "chain": ["scenario", "mlflow", "library:sqlalchemy"]}


def warning(message, category="FutureWarning", origin="scenario", chain=None):
    w = {"category": category, "message": message, "origin": origin}
    if chain is not None:
        w["chain"] = chain
    return w


def test_who_can_act_on_a_warning():
    assert actionable(warning("x is deprecated"))  # raised (or attributed) in the scenario's code
    assert actionable(warning("`artifact_path` is deprecated", "log.WARNING", "mlflow", ["scenario", "mlflow"]))
    assert not actionable(LEGACY)  # a library deep inside MLflow
    assert not actionable(warning("inplace is deprecated", "Pandas4Warning", "library:pandas"))
    # MLflow warning about its own internals, reached through a library: not the user's call
    assert not actionable(warning("x is deprecated", origin="mlflow", chain=["scenario", "library:sklearn", "mlflow"]))
    # run files from before origins were recorded: counted as before
    assert actionable({"category": "FutureWarning", "message": "x is deprecated"})


def test_same_deprecation_whatever_its_docs_url_or_ids():
    old, new = warning(STAGE.format("2.9.2")), warning(STAGE.format("latest"))
    assert deprecated_api(old["message"]) == "mlflow.tracking.client.MlflowClient.transition_model_version_stage"
    assert deprecation_key(old) == deprecation_key(new)
    assert deprecation_key(warning("`mlflow.evaluate` is deprecated")) != deprecation_key(warning("`artifact_path` is deprecated"))
    # no name quoted: the message with URLs and ids blanked
    a = warning("Run 0123456789abcdef0123456789abcdef uses a deprecated store, see https://a/1")
    b = warning("Run fedcba9876543210fedcba9876543210 uses a deprecated store, see https://a/2")
    assert deprecation_key(a) == deprecation_key(b)
    # the origin is part of what a deprecation is
    assert deprecation_key(warning("`x` is deprecated")) != deprecation_key(warning("`x` is deprecated", origin="mlflow"))


def test_newly_warns_only_for_what_the_code_can_act_on():
    base = run_file("2.9.2", [scenario("a.stage", warnings=[warning(STAGE.format("2.9.2"))]), scenario("a.store")])
    cand = run_file("3.1.4", [scenario("a.stage", warnings=[warning(STAGE.format("latest"))]),
                              scenario("a.store", warnings=[LEGACY], observations={"root_artifacts": 0})], spec="3.1")
    base.scenarios[1].observations = {"root_artifacts": 1}
    verdicts = compare(base, cand).verdicts
    assert verdicts["a.stage"].verdict == Verdict.SAME  # the same FutureWarning, another docs URL
    # the library's warning hides nothing: the observation change is the verdict
    assert verdicts["a.store"].verdict == Verdict.CHANGED and Verdict.NEWLY_WARNS not in verdicts["a.store"].changes
    assert deprecations(cand.scenarios[1]) == {}


def test_library_warnings_are_listed_once_not_judged(results_dir, capsys):
    from harness.cli import main
    from tests.factories import write

    runs = results_dir / "runs"
    write(runs, run_file("2.9.2", [scenario("a.x"), scenario("a.y")]))
    write(runs, run_file("3.1.4", [scenario("a.x", warnings=[LEGACY]), scenario("a.y", warnings=[LEGACY])], spec="3.1"))
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    out = capsys.readouterr().out
    assert "3.1.4 vs 2.9.2: no differences" in out and "library warnings: 1 raised inside libraries" in out
    md = (results_dir / "matrix.md").read_text()
    section = md[md.index("## Library warnings"):]
    assert "library:sqlalchemy: LegacyAPIWarning: The Query.get() method" in section and "under a.x, a.y" in section
    assert "### Deprecations seen on the candidates\n\nNone." in md
