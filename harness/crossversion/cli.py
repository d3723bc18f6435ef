"""``python -m harness.crossversion run|show|step``.

``run`` and ``show`` need no MLflow (``run`` drives the per-version
environments); ``step`` is what ``run`` calls inside one of them. Bad input
is one ``mlflow-compat:`` line and exit code 2, as for ``python -m harness``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.errors import HarnessError


def run_arguments(run: argparse.ArgumentParser) -> None:
    """The options of ``run`` (also ``mlflow-compat skew``)."""
    from harness.crossversion import groups

    run.add_argument("--config", type=Path, default=None,
                     help="the project's pyproject.toml (default: MLFLOW_COMPAT_CONFIG, else ./pyproject.toml)")
    run.add_argument("--results-dir", type=Path, default=None, help="results directory (default: config)")
    run.add_argument("--baseline", help="baseline spec (default: config baseline)")
    run.add_argument("--candidate", help="candidate spec (default: the last configured version)")
    run.add_argument("--baseline-python", help="interpreter of an environment with the baseline installed")
    run.add_argument("--candidate-python", help="interpreter of an environment with the candidate installed")
    run.add_argument("--only", action="append", default=[], metavar="GLOB",
                     help=f"run only groups/steps matching GLOB: {', '.join(g.name for g in groups.GROUPS)}, "
                          "or step ids (repeatable)")
    run.add_argument("--timeout", type=float, default=None, help="per-step time limit in seconds (default: config timeout)")
    run.add_argument("--keep-work", action="store_true", help="keep results/work/cross for inspection")


def build_parser() -> argparse.ArgumentParser:
    from harness.crossversion import groups

    parser = argparse.ArgumentParser(
        prog="python -m harness.crossversion",
        description="Cross-version checks: artifacts, tracking database and client/server skew "
        "between the baseline and the newest candidate.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run_arguments(sub.add_parser(
        "run", help="run the cross-version steps and write results/cross/<baseline>__<candidate>.json"))

    show = sub.add_parser("show", help="print a cross result file as Markdown")
    show.add_argument("files", nargs="+", type=Path)

    step = sub.add_parser("step", help=argparse.SUPPRESS)
    step.add_argument("name", choices=sorted(groups.in_env_steps()))
    step.add_argument("--out", type=Path, required=True)
    added = {"--out"}
    for group in groups.GROUPS:  # each group's options, once (groups that share one agree on it)
        for flag, options in group.step_options.items():
            if flag not in added:
                step.add_argument(flag, **options)
                added.add(flag)
    return parser


def cmd_step(args: argparse.Namespace) -> int:
    from harness.crossversion import groups

    results = groups.in_env_steps()[args.name](args)
    import mlflow

    args.out.write_text(json.dumps({"mlflow_version": mlflow.__version__, "results": results}, default=str))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import dataclasses

    from harness.config import load_config, validate_spec
    from harness.crossversion import groups, pairing

    config = load_config(args.config)
    if args.results_dir:
        config = dataclasses.replace(config, results_dir=args.results_dir.resolve())
    for value, where in ((args.baseline, "--baseline"), (args.candidate, "--candidate")):
        if value:
            validate_spec(value, where)
    pair = pairing.pick_pair(config, args.baseline, args.candidate)
    if pair is None:
        print("mlflow-compat: cross-version: one version configured, nothing to pair; skipped")
        return 0
    if args.timeout is not None and args.timeout <= 0:
        raise HarnessError(f"--timeout: {args.timeout} is out of range")
    sides = pairing.prepare_sides(config, pair, args.baseline_python, args.candidate_python)
    if sides is None:
        return 0
    path = groups.run(
        config, sides, only=args.only, timeout=args.timeout or config.timeout, keep_work=args.keep_work
    )
    _show(path)
    print(f"wrote {path}")
    return 0


def _show(path: Path) -> None:
    from harness.analysis.crossadvice import derive
    from harness.report.cross import to_markdown
    from harness.results import cross as results

    result = results.load(path)
    print(to_markdown(result, derive(result)))


def cmd_show(args: argparse.Namespace) -> int:
    for path in args.files:
        _show(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    from harness.cli import guarded

    args = build_parser().parse_args(argv)
    return guarded({"run": cmd_run, "show": cmd_show, "step": cmd_step}[args.command], args)
