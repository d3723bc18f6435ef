"""``gate``: exit 1 when a candidate regresses beyond policy, 0 within it, 2 on bad input."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands import command
from harness.commands.options import common, config_from
from harness.config import validate_spec


def arguments(gate: argparse.ArgumentParser) -> None:
    common(gate)
    gate.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    gate.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    gate.add_argument("--candidate", action="append", default=[],
                      help="candidate spec or exact version (default: every other run)")
    gate.add_argument("--candidate-from", type=Path,
                      help="read the candidate mlflow pin from a requirements file or pyproject.toml")


@command(
    "gate",
    help="exit 1 when a candidate regresses beyond policy ([tool.mlflow-compat.gate])",
    description="Compare baseline and candidate run files and apply the gate policy.",
    arguments=arguments,
)
def cmd_gate(args: argparse.Namespace) -> int:
    from harness.gate import run_gate

    config = config_from(args)
    for spec in args.candidate:
        validate_spec(spec, "--candidate")
    if args.baseline:
        validate_spec(args.baseline, "--baseline")
    return run_gate(
        config,
        run_paths=args.runs or None,
        baseline=args.baseline,
        candidates=list(args.candidate),
        candidate_from=args.candidate_from,
    )
