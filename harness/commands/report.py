"""``report``: every result file -> matrix.md/json, guidance.md, junit.xml, report.html."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.commands import command
from harness.commands.options import common, config_from, writable


def arguments(report: argparse.ArgumentParser) -> None:
    common(report)
    report.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    report.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    report.add_argument("--gate", action="store_true", help="also apply the gate policy and exit 1 on a violation")
    report.add_argument("-q", "--quiet", action="store_true", help="print only the summary, not the matrix")


@command(
    "report",
    help="merge run files into results/matrix.{md,json}, guidance.md, junit.xml, report.html",
    description="Build the compatibility matrix from every run file in results/runs (or those given).",
    arguments=arguments,
)
def cmd_report(args: argparse.Namespace) -> int:
    from harness.report import build_report

    config = config_from(args)
    writable(config.results_dir)
    return build_report(
        config,
        run_paths=args.runs or None,
        baseline=args.baseline,
        gate=args.gate,
        quiet=args.quiet,
    )
