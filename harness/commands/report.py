"""``report``: every result file -> matrix.md/json, guidance.md, junit.xml, report.html."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.analysis.model import Analysis
from harness.commands import command
from harness.commands.options import common, pin_sources, writable
from harness.commands.stages import analysis, configure, load, run_chain


def arguments(report: argparse.ArgumentParser) -> None:
    common(report)
    report.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    report.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    pin_sources(report)
    report.add_argument("--gate", action="store_true", help="also apply the gate policy and exit 1 on a violation")
    report.add_argument("-q", "--quiet", action="store_true", help="print only the summary, not the matrix")


def check_writable(_: None, args: argparse.Namespace) -> None:
    writable(args.settings.results_dir)


def write(analysis: Analysis, args: argparse.Namespace) -> Analysis:
    """Render every output, write them, and print the matrix and where they went."""
    from harness.report import outputs, terminal, write_outputs

    texts = outputs(analysis)
    paths = write_outputs(texts, args.settings.results_dir)
    print(terminal.render(analysis, quiet=args.quiet))
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    args.matrix_md = texts["matrix.md"]
    return analysis


def gate_or_finish(analysis: Analysis, args: argparse.Namespace) -> int:
    """With ``--gate``: the gate over every candidate; the step summary is written once, either way."""
    from harness import gate
    from harness.report import append_step_summary, gatetext

    summary = args.matrix_md
    code = 0
    if args.gate:
        result = gate.evaluate(analysis)
        for line in gatetext.lines(result, analysis.guidance):
            print(line)
        summary = gatetext.summary_markdown(result, analysis.guidance) + "\n" + summary
        code = result.exit_code
    append_step_summary(summary)
    return code


@command(
    "report",
    help="merge run files into results/matrix.{md,json}, guidance.md, junit.xml, report.html",
    description="Build the compatibility matrix from every run file in results/runs (or those given).",
    arguments=arguments,
)
def cmd_report(args: argparse.Namespace) -> int:
    return run_chain((configure, check_writable, load, analysis, write, gate_or_finish), args)
