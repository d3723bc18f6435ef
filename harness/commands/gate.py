"""``gate``: exit 1 when a candidate regresses beyond policy, 0 within it, 2 on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.analysis.model import Analysis
from harness.commands import command
from harness.commands.options import common
from harness.commands.stages import analysis, configure, load, run_chain
from harness.config import validate_spec
from harness.errors import HarnessError


def arguments(gate: argparse.ArgumentParser) -> None:
    common(gate)
    gate.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    gate.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    gate.add_argument("--candidate", action="append", default=[],
                      help="candidate spec or exact version (default: every other run)")
    gate.add_argument("--candidate-from", type=Path,
                      help="read the candidate mlflow pin from a requirements file or pyproject.toml")


def check_arguments(_: None, args: argparse.Namespace) -> None:
    """Bad specs and pin files fail before any file is read."""
    from harness.pins import candidate_from_file

    for spec in args.candidate:
        validate_spec(spec, "--candidate")
    if args.baseline:
        validate_spec(args.baseline, "--baseline")
    args.constraint = candidate_from_file(args.candidate_from) if args.candidate_from else None


def select(analysis: Analysis, args: argparse.Namespace) -> tuple[Analysis, list]:
    """The baseline must have a run file; the candidates are named, pinned, or every other run."""
    from harness.analysis.matrix import find_run
    from harness.gate import select_candidates, tested

    matrix = analysis.matrix
    spec = args.baseline or args.settings.baseline
    if find_run(matrix.runs, spec) is None:
        raise HarnessError(
            f"no run file for the baseline {spec} in the results; tested: {tested(matrix.runs)}; "
            f"run `nox -s mlflow-{spec}` first"
        )
    chosen = select_candidates(matrix, args.candidate, args.constraint, args.candidate_from)
    if not chosen:
        raise HarnessError(f"no candidate to gate: only the baseline {spec} has a run file")
    return analysis, chosen


def apply(selected: tuple[Analysis, list], args: argparse.Namespace) -> int:
    from harness import gate
    from harness.report import append_step_summary, gatetext

    analysis, candidates = selected
    result = gate.evaluate(analysis, candidates)
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
    return run_chain((configure, check_arguments, load, analysis, select, apply), args)
