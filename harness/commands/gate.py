"""``gate``: exit 1 when a candidate regresses beyond policy, 0 within it, 2 on bad input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.analysis.model import Analysis
from harness.commands import command
from harness.commands.options import common, pin_sources
from harness.commands.stages import analysis, configure, load, run_chain
from harness.config import validate_spec
from harness.errors import HarnessError


def arguments(gate: argparse.ArgumentParser) -> None:
    common(gate)
    gate.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    gate.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    gate.add_argument("--candidate", action="append", default=[],
                      help="candidate spec or exact version (default: the pinned candidate, else every other run)")
    pin_sources(gate)
    gate.add_argument("--scan", action="append", default=[], type=Path, metavar="PATH",
                      help="also fail when your code under PATH calls something that breaks on a candidate "
                      "(the API diff in results/api, see `python -m harness api`; repeatable)")


def check_arguments(_: None, args: argparse.Namespace) -> None:
    """Bad specs fail before any file is read (bad pins already failed reading the configuration)."""
    for spec in args.candidate:
        validate_spec(spec, "--candidate")
    if args.baseline:
        validate_spec(args.baseline, "--baseline")


def select(analysis: Analysis, args: argparse.Namespace) -> tuple[Analysis, list]:
    """The baseline must have a run file; the candidates are named (``--candidate``), the pinned
    one (``--candidate-from``, MLFLOW_COMPAT_CANDIDATE_FROM), or every other run."""
    from harness.analysis.matrix import find_run
    from harness.gate import select_candidates, tested

    matrix = analysis.matrix
    spec = args.baseline or args.settings.baseline
    if find_run(matrix.runs, spec) is None:
        raise HarnessError(
            f"no run file for the baseline {spec} in the results; tested: {tested(matrix.runs)}; "
            f"run `nox -s mlflow-{spec}` first"
        )
    pinned = [p.spec for p in args.settings.pinned if p.role == "candidate"]
    chosen = select_candidates(matrix, args.candidate or pinned)
    if not chosen:
        raise HarnessError(f"no candidate to gate: only the baseline {spec} has a run file")
    return analysis, chosen


def scan(selected: tuple[Analysis, list], args: argparse.Namespace) -> tuple[Analysis, list, list]:
    """With ``--scan``: the user's call sites that break on the candidates being gated."""
    analysis, candidates = selected
    if not args.scan:
        return analysis, candidates, []
    from harness.scan import scan_paths
    from harness.scan.engine import default_scenario_paths
    from harness.scan.formats import problem_line
    from harness.scan.inputs import load_inputs

    baseline = analysis.matrix.baseline
    versions = [r.mlflow_version for r in candidates if r.installed]
    inputs = load_inputs(args.settings, baseline.mlflow_version, versions, [])
    result = scan_paths(args.scan, inputs.diffs, inputs.runs, default_scenario_paths(args.settings.scenario_paths))
    for problem in result.problems:
        print(problem_line(problem), file=sys.stderr)
    if result.scanned_nothing:
        raise HarnessError("--scan: no Python file could be scanned under " + ", ".join(map(str, args.scan)))
    return analysis, candidates, result.breaking()


def apply(selected: tuple[Analysis, list, list], args: argparse.Namespace) -> int:
    from harness import gate
    from harness.report import append_step_summary, gatetext

    analysis, candidates, breaking_calls = selected
    result = gate.evaluate(analysis, candidates, breaking_calls)
    for line in gatetext.lines(result, analysis.guidance):
        print(line)
    append_step_summary(gatetext.summary_markdown(result, analysis.guidance))
    return result.exit_code


@command(
    "gate",
    help="exit 1 when a candidate regresses beyond policy ([tool.mlflow-compat.gate])",
    description="Compare baseline and candidate run files and apply the gate policy.",
    arguments=arguments,
)
def cmd_gate(args: argparse.Namespace) -> int:
    return run_chain((configure, check_arguments, load, analysis, select, scan, apply), args)
