"""The gate: exit 0 within policy, 1 on a violation, 2 on bad input; allowlist; --candidate-from."""

from __future__ import annotations

import pytest

from harness.cli import main
import argparse
import re

from harness.analysis.policy import GatePolicy
from harness.errors import HarnessError
from harness.commands.gate import cmd_gate
from tests.factories import run_file, scenario, write

DEP = {"category": "FutureWarning", "message": "`artifact_path` is deprecated. Please use `name` instead."}
STEADY = [0.100, 0.102, 0.099, 0.101, 0.100]


@pytest.fixture
def runs(results_dir):
    """2.9.4 baseline; 2.22.1 fine but warns; 3.1.4 and 3.6.0 regress; 3.6.0 also slower."""
    d = results_dir / "runs"
    write(d, run_file("2.9.4", [scenario("a.x"), scenario("a.y"), scenario("p.t", samples=STEADY)], spec="2.9"))
    write(d, run_file("2.22.1", [scenario("a.x", warnings=[DEP]), scenario("a.y"), scenario("p.t", samples=STEADY)], spec="2.22"))
    write(d, run_file("3.1.4", [scenario("a.x", "error", error={"type": "TypeError", "message": "bad kwarg"}),
                                scenario("a.y"), scenario("p.t", samples=STEADY)], spec="3.1"))
    write(d, run_file("3.6.0", [scenario("a.x", "error"), scenario("a.y", "unsupported", reason="gone in 3"),
                                scenario("p.t", samples=[x * 3 for x in STEADY])], spec="3"))
    return d


def cli(results_dir, *args):
    return main(["gate", "--results-dir", str(results_dir), *args])


def gate(make_config, *args, **policy):
    """The gate command on ``config`` (with ``policy``), as the CLI would run it."""
    config = make_config(gate=GatePolicy(**policy)) if policy else make_config()
    options = {"runs": [], "baseline": None, "candidate": [], "scan": []}
    options.update({"candidate" if k == "candidates" else k: v for k, v in args})
    return cmd_gate(argparse.Namespace(settings=config, **options))


def test_every_candidate_default_fails_and_names_scenarios_verdicts_and_rollback(runs, make_config, capsys):
    assert gate(make_config) == 1
    out = capsys.readouterr().out
    assert "VIOLATION mlflow 3.1.4: a.x: regressed (pass -> error (TypeError: bad kwarg))" in out
    assert "VIOLATION mlflow 3.6.0: a.y: newly_unsupported (pass -> unsupported (gone in 3))" in out
    assert "rollback: mlflow 3.6.0" in out and 'pip install "mlflow>=2.22,<3.1"' in out
    assert out.strip().splitlines()[-1].startswith("gate: FAIL: 3 violation(s) in 3.1.4, 3.6.0")
    assert "p.t" not in out  # slower is not in the default fail_on


def test_a_candidate_within_policy_passes(runs, make_config, capsys):
    assert gate(make_config, ("candidates", ["2.22"])) == 0
    assert "gate: PASS" in capsys.readouterr().out


def test_baseline_and_candidate_the_same_version_passes(runs, make_config, capsys):
    assert gate(make_config, ("candidates", ["2.9.4"])) == 0
    assert "candidates: 2.9.4" in capsys.readouterr().out


def test_fail_on_deprecations_and_slower_are_policy(runs, make_config, capsys):
    assert gate(make_config, ("candidates", ["2.22"]), fail_on_deprecations=True) == 1
    assert "a.x: newly_warns" in capsys.readouterr().out
    assert gate(make_config, ("candidates", ["3"]), fail_on=("slower",), slowdown_factor=2.0) == 1
    assert "p.t: slower" in capsys.readouterr().out
    assert gate(make_config, ("candidates", ["3"]), fail_on=("slower",), slowdown_factor=4.0) == 0


def test_allowlist_with_reasons_exact_and_glob(runs, make_config, capsys):
    allow = {"a.x": "known: artifact_path removed, migrating in #12", "a.y*": "registry stages dropped"}
    assert gate(make_config, ("candidates", ["3"]), allow=allow) == 0
    out = capsys.readouterr().out
    assert "allowed   mlflow 3.6.0: a.x: regressed" in out and "migrating in #12" in out
    assert "gate: PASS: 0 violation(s), 2 allowed" in out
    # an allowlist entry for a scenario that is not there is pointed out
    assert gate(make_config, ("candidates", ["3"]), allow={**allow, "b.typo": "x"}) == 0
    assert "allow entry 'b.typo' matches no scenario" in capsys.readouterr().out


def test_a_candidate_that_could_not_be_installed_fails(results_dir, make_config, capsys):
    d = results_dir / "runs"
    write(d, run_file("2.9.4", [scenario("a.x")], spec="2.9"))
    write(d, run_file("9.9.9", [], spec="9.9.9", run_status="install_failed", install_error="error: no mlflow==9.9.9"))
    assert gate(make_config, ("candidates", ["9.9.9"])) == 1
    assert "9.9.9: (install): install_failed (error: no mlflow==9.9.9)" in capsys.readouterr().out


def test_missing_candidate_or_baseline_is_bad_input(runs, make_config):
    with pytest.raises(HarnessError, match=r"no run file for candidate 3.3 .*tested: 2.9.4, 2.22.1, 3.1.4, 3.6.0"):
        gate(make_config, ("candidates", ["3.3"]))
    with pytest.raises(HarnessError, match="no run file for the baseline 2.5"):
        gate(make_config, ("baseline", "2.5"))


# reading the pin itself (every file kind, git refs, conflicts): tests/test_pins.py
def test_candidate_from_gates_exactly_the_pinned_release(runs, results_dir, tmp_path, capsys):
    """A bump pull request's pin names the candidate; the baseline's pin names the baseline."""
    (tmp_path / "base.txt").write_text("mlflow==2.9.4\n")
    req = tmp_path / "requirements.txt"
    req.write_text("mlflow==2.22.1\n")
    args = ["--baseline-from", str(tmp_path / "base.txt"), "--candidate-from", str(req)]
    assert cli(results_dir, *args) == 0
    assert "baseline mlflow 2.9.4; candidates: 2.22.1;" in capsys.readouterr().out
    req.write_text("mlflow==3.1.4\n")
    assert cli(results_dir, *args) == 1
    out = capsys.readouterr().out
    assert "candidates: 3.1.4;" in out and "3.6.0" not in out  # only the pinned release, not every run
    req.write_text("mlflow==3.3.0\n")
    assert cli(results_dir, *args) == 2
    assert "no run file for candidate 3.3.0 in the results" in capsys.readouterr().err


# --------------------------------------------------------------------------
# through the command line: exit codes and one-line errors
# --------------------------------------------------------------------------
def test_cli_exit_codes(runs, results_dir, tmp_path, capsys):
    assert cli(results_dir, "--candidate", "2.22") == 0
    assert cli(results_dir, "--candidate", "3.1.4") == 1
    assert cli(results_dir) == 1
    capsys.readouterr()
    for args in (["--candidate", "3.3"], ["--candidate", "three"], ["--baseline", "2.5"],
                 ["--candidate-from", str(tmp_path / "missing.txt")]):
        assert cli(results_dir, *args) == 2, args
        err = capsys.readouterr().err.strip()
        assert err.startswith("mlflow-compat:") and len(err.splitlines()) == 1, err
        assert "Traceback" not in err


def test_cli_reads_the_policy_from_the_config(runs, results_dir, tmp_path, capsys):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.mlflow-compat]\nbaseline = "2.9"\n'
        '[tool.mlflow-compat.gate]\nfail_on = ["regressed"]\n'
        '[tool.mlflow-compat.gate.allow]\n"a.x" = "being migrated"\n'
    )
    assert main(["gate", "--config", str(pyproject), "--results-dir", str(results_dir)]) == 0
    pyproject.write_text('[tool.mlflow-compat.gate]\nfail_on = ["regresed"]\n')
    assert main(["gate", "--config", str(pyproject), "--results-dir", str(results_dir)]) == 2
    assert "unknown verdict 'regresed'" in capsys.readouterr().err


def test_report_gate_flag_and_step_summary(runs, results_dir, tmp_path, monkeypatch, capsys):
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["report", "--results-dir", str(results_dir), "--gate", "-q"]) == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n")  # appended, never overwritten
    assert "# MLflow compatibility matrix" in text and "## Guidance" in text
    assert "## mlflow-compat gate: FAIL" in text
    assert re.search(r"\| 3\.1\.4 +\| `a\.x` +\| regressed +\|", text)
    # written once: the gate's section, then the matrix
    assert text.count("## mlflow-compat gate") == 1 and text.count("# MLflow compatibility matrix") == 1


def test_gate_on_an_empty_results_dir_is_bad_input(results_dir, capsys):
    assert cli(results_dir) == 2
    assert "no run files" in capsys.readouterr().err


def test_policy_dataclass_defaults_match_the_design():
    policy = GatePolicy()
    assert policy.fail_on == ("regressed", "newly_unsupported") and not policy.fail_on_deprecations


def test_gate_scan_fails_on_call_sites_that_break_and_lists_them(tmp_path, capsys, monkeypatch):
    """gate --scan: the matrix may be within policy, the user's code still calls what is gone."""
    from tests.scan_support import TREE, results_with_diff

    results = results_with_diff(tmp_path / "results")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    allow = tmp_path / "pyproject.toml"
    allow.write_text('[tool.mlflow-compat]\nversions = ["2.9", "3"]\n[tool.mlflow-compat.gate]\nfail_on = ["gone"]\n')
    base = ["gate", "--config", str(allow), "--results-dir", str(results)]
    assert main(base) == 0  # the matrix alone passes this policy
    capsys.readouterr()
    assert main([*base, "--scan", str(TREE)]) == 1
    out = capsys.readouterr().out
    assert "BREAKS " in out and "higher_is_better" in out and "call site(s) in your code break" in out
    assert out.strip().splitlines()[-1].startswith("gate: FAIL: 0 violation(s)")
    assert "### Call sites that break" in summary.read_text()
    # no diff for the pair: one line naming the command that makes it
    (results / "api" / "2.9.2__3.17.2.json").unlink()
    assert main([*base, "--scan", str(TREE)]) == 2
    assert "python -m harness api" in capsys.readouterr().err


def test_a_test_row_id_is_allowed_by_its_exact_id_though_it_holds_glob_characters(results_dir, make_config, capsys):
    """pytest node ids hold '[', which a glob reads as a class: the allowlist matches the id as written."""
    sid = "tests.tests/test_models.py::test_gate[0.8 high]"
    d = results_dir / "runs"
    write(d, run_file("2.9.4", [scenario(sid, kind="test")], spec="2.9"))
    write(d, run_file("3.6.0", [scenario(sid, "fail", kind="test",
                                         error={"type": "AssertionError", "message": "x"})], spec="3"))
    assert gate(make_config, allow={sid: "fixed with the bump"}) == 0
    out = capsys.readouterr().out
    assert f"allowed   mlflow 3.6.0: {sid}: regressed" in out and "matches no scenario" not in out
