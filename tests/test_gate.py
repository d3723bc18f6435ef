"""The gate: exit 0 within policy, 1 on a violation, 2 on bad input; allowlist; --candidate-from."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from harness.cli import main
import argparse

from harness.analysis.policy import GatePolicy
from harness.errors import HarnessError
from harness.commands.gate import cmd_gate
from harness.pins import candidate_from_file
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


def gate(make_config, *args, **policy):
    """The gate command on ``config`` (with ``policy``), as the CLI would run it."""
    config = make_config(gate=GatePolicy(**policy)) if policy else make_config()
    options = {"runs": [], "baseline": None, "candidate": [], "candidate_from": None}
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


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("requirements.txt", "numpy>=1.26  # arrays\nmlflow==3.1.4 ; python_version >= '3.10'\n", "==3.1.4"),
        ("requirements-ml.txt", "-r base.txt\n--index-url https://example.invalid\nmlflow[extras]>=3.1,<3.2\n", "<3.2,>=3.1"),
        ("pyproject.toml", '[project]\nname = "app"\ndependencies = ["pandas", "MLflow~=3.1.0"]\n', "~=3.1.0"),
        ("pyproject.toml", '[project]\nname = "app"\n[project.optional-dependencies]\nml = ["mlflow==2.22.1"]\n', "==2.22.1"),
    ],
)
def test_candidate_from_reads_the_mlflow_pin(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    assert candidate_from_file(path) == SpecifierSet(expected)


@pytest.mark.parametrize(
    "text, message",
    [("numpy\n", "no mlflow requirement found"), ("mlflow\n", "mlflow is not pinned")],
)
def test_candidate_from_without_a_pin_is_bad_input(tmp_path, text, message):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    with pytest.raises(HarnessError, match=message):
        candidate_from_file(path)


def test_candidate_from_picks_the_newest_tested_version_in_range(runs, make_config, tmp_path, capsys):
    req = tmp_path / "requirements.txt"
    req.write_text("mlflow>=2.20,<3\n")
    assert gate(make_config, ("candidate_from", req)) == 0
    assert "candidates: 2.22.1" in capsys.readouterr().out
    req.write_text("mlflow>=3.1,<3.2\n")
    assert gate(make_config, ("candidate_from", req)) == 1
    req.write_text("mlflow==3.3.0\n")
    with pytest.raises(HarnessError, match=r"no run file for candidate mlflow==3.3.0 \(from .*requirements.txt\)"):
        gate(make_config, ("candidate_from", req))


# --------------------------------------------------------------------------
# through the command line: exit codes and one-line errors
# --------------------------------------------------------------------------
def cli(results_dir, *args):
    return main(["gate", "--results-dir", str(results_dir), *args])


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
    assert "## mlflow-compat gate: FAIL" in text and "| 3.1.4 | `a.x` | regressed |" in text


def test_gate_on_an_empty_results_dir_is_bad_input(results_dir, capsys):
    assert cli(results_dir) == 2
    assert "no run files" in capsys.readouterr().err


def test_policy_dataclass_defaults_match_the_design():
    policy = GatePolicy()
    assert policy.fail_on == ("regressed", "newly_unsupported") and not policy.fail_on_deprecations
