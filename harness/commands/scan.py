"""``scan``: the places in the user's code that the MLflow API changes affect.

Exit codes, like a linter: 0 nothing found, 1 findings, 2 bad input (a
missing API diff, nothing that could be scanned); a file that cannot be read
is one line on stderr and the rest is scanned.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness.commands import command
from harness.commands.options import common, config_from
from harness.config import validate_spec

FORMATS = ("text", "json", "sarif")


def arguments(scan: argparse.ArgumentParser) -> None:
    common(scan)
    scan.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH",
                      help="files or directories to scan (default: .)")
    scan.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    scan.add_argument("--candidate", action="append", default=[],
                      help="candidate spec or exact version, repeatable (default: every configured version but the baseline)")
    scan.add_argument("--diff", action="append", default=[], type=Path, metavar="FILE",
                      help="use this API diff file (results/api/<baseline>__<candidate>.json) instead of looking them up")
    scan.add_argument("--format", choices=FORMATS, default="text",
                      help="text (ruff-style lines with the source), json, or sarif (SARIF 2.1.0 for GitHub code scanning)")
    scan.add_argument("--output", type=Path, metavar="FILE", help="write the json/sarif/text output here instead of stdout")
    scan.add_argument("--fix", action="store_true",
                      help="rewrite safe keyword renames (never positional calls) and show the diff")
    scan.add_argument("--concise", action="store_true", help="text: one line per finding, without source and evidence")


@command(
    "scan",
    help="find the lines of your code that the MLflow API changes break (needs results/api from `harness api`)",
    description=(
        "Resolve imports and aliases in your Python code and report every call site, keyword, positional "
        "argument, import and attribute that an API change between the baseline and a candidate affects "
        "(results/api/*.json), with the matrix cells of scenarios that cover the same API as evidence "
        "(results/runs/*.json). Exit 0 when nothing is found, 1 when something is, 2 on bad input."
    ),
    arguments=arguments,
)
def cmd_scan(args: argparse.Namespace) -> int:
    from harness.errors import HarnessError
    from harness.results.files import atomic_write_text
    from harness.scan import formats, sarif
    from harness.scan.engine import default_scenario_paths, scan_paths
    from harness.scan.inputs import load_inputs

    config = config_from(args)
    for spec in args.candidate:
        validate_spec(spec, "--candidate")
    if args.baseline:
        validate_spec(args.baseline, "--baseline")
    inputs = load_inputs(config, args.baseline, list(args.candidate), list(args.diff))
    for note in inputs.notes:
        print(formats.printable(f"mlflow-compat: note: {note}"), file=sys.stderr)

    def run():
        return scan_paths(args.paths, inputs.diffs, inputs.runs, default_scenario_paths(config.scenario_paths))

    result = run()
    for problem in result.problems:
        print(formats.problem_line(problem), file=sys.stderr)
    for note in result.notes:
        print(formats.printable(f"mlflow-compat: note: {note}"), file=sys.stderr)
    if result.scanned_nothing:
        raise HarnessError("nothing could be scanned" + (" (see above)" if result.problems else ": no Python files"))

    to_stdout = args.output is None
    fixed = 0
    if args.fix:
        from harness.scan.fix import apply_fixes

        outcome = apply_fixes(result.findings)
        stream = sys.stdout if args.format == "text" and to_stdout else sys.stderr
        if outcome.diff:
            stream.write("".join(formats.printable(line) + "\n" for line in outcome.diff.rstrip("\n").split("\n")))
        for problem in outcome.problems:
            print(formats.problem_line(problem), file=sys.stderr)
        for note in outcome.notes:
            print(formats.printable(note), file=stream)
        fixed = len(outcome.fixed)
        if fixed:
            result = run()  # what remains, at the positions the rewrite left

    if args.format == "json":
        output = formats.to_json(result)
    elif args.format == "sarif":
        output = sarif.to_text(result)
    else:
        output = formats.text(result, fixed=fixed, verbose=not args.concise)
    if to_stdout:
        sys.stdout.write(output)
    else:
        try:
            atomic_write_text(args.output, output)
        except OSError as exc:
            raise HarnessError(f"--output {args.output}: cannot write: {exc.strerror or exc}") from None
        print(f"mlflow-compat: wrote {args.output} ({len(result.findings)} findings)", file=sys.stderr)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file and result.findings:
        try:
            with open(summary_file, "a", encoding="utf-8") as fh:
                fh.write(formats.markdown(result.findings, f"mlflow-compat scan: {formats.summary(result, fixed)}"))
        except OSError as exc:
            print(f"mlflow-compat: note: cannot append to $GITHUB_STEP_SUMMARY: {exc.strerror or exc}", file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true" and result.findings:
        # workflow commands are read from stdout; keep a JSON/SARIF stdout parseable
        stream = sys.stdout if args.format == "text" or not to_stdout else sys.stderr
        stream.write(formats.annotations(result.findings))
    return 1 if result.findings else 0
