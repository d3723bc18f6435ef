"""``python -m harness run|report|gate|resolve``.

Every expected failure (bad config, corrupt run file, unknown version) is a
``HarnessError``: printed as one line starting with ``mlflow-compat:`` and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from harness.config import Config, load_config, split_specs, validate_spec
from harness.errors import HarnessError

EPILOG = """\
exit codes: 0 done (whatever the matrix shows), 1 gate violation,
2 bad input or configuration, 130 interrupted.
Configuration: [tool.mlflow-compat] in pyproject.toml; see README.md."""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, default=None, help="pyproject.toml to read (default: the project's)"
    )
    parser.add_argument(
        "--results-dir", type=Path, default=None, help="where run files and reports live (default: results/)"
    )


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only", action="append", default=[], metavar="GLOB",
        help="run only scenarios whose id matches GLOB or whose area is GLOB "
        "(repeatable; also MLFLOW_COMPAT_ONLY, comma/space separated)",
    )
    parser.add_argument(
        "--skip", action="append", default=[], metavar="GLOB",
        help="skip scenarios whose id matches GLOB or whose area is GLOB "
        "(repeatable; also MLFLOW_COMPAT_SKIP)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m harness",
        description="mlflow-compat: one scenario set, many MLflow versions, one compatibility matrix.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run the scenarios against the mlflow installed here and write results/runs/<label>.json",
        description="Run the scenarios in this environment (one process per scenario, with a timeout).",
    )
    _common(run)
    _selection(run)
    run.add_argument("--label", help="run-file label (default: mlflow-<installed version>)")
    run.add_argument("--spec", help="the version spec this environment was resolved from")
    run.add_argument("--repeat", type=int, help="timed samples per perf scenario (default: config)")
    run.add_argument("--warmup", type=int, help="untimed warm-up runs per perf scenario (default: config)")
    run.add_argument("--timeout", type=float, help="per-scenario time limit in seconds (default: config)")
    run.add_argument("--scenario-path", action="append", default=[], type=Path,
                     help="extra scenario module or directory (repeatable; adds to scenario_paths)")
    run.add_argument("--no-builtin", action="store_true", help="do not load the shipped scenarios")
    run.add_argument("--skipped-releases", type=Path, help=argparse.SUPPRESS)
    run.add_argument("-q", "--quiet", action="store_true", help="print only scenarios that did not pass")
    run.add_argument("--list", action="store_true", help="list the selected scenarios and exit")

    report = sub.add_parser(
        "report",
        help="merge run files into results/matrix.{md,json}, guidance.md, junit.xml, report.html",
        description="Build the compatibility matrix from every run file in results/runs (or those given).",
    )
    _common(report)
    report.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    report.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    report.add_argument("--gate", action="store_true", help="also apply the gate policy and exit 1 on a violation")
    report.add_argument("-q", "--quiet", action="store_true", help="print only the summary, not the matrix")

    gate = sub.add_parser(
        "gate",
        help="exit 1 when a candidate regresses beyond policy ([tool.mlflow-compat.gate])",
        description="Compare baseline and candidate run files and apply the gate policy.",
    )
    _common(gate)
    gate.add_argument("runs", nargs="*", type=Path, help="run files (default: results/runs/*.json)")
    gate.add_argument("--baseline", help="baseline spec or exact version (default: config)")
    gate.add_argument("--candidate", action="append", default=[],
                      help="candidate spec or exact version (default: every other run)")
    gate.add_argument("--candidate-from", type=Path,
                      help="read the candidate mlflow pin from a requirements file or pyproject.toml")

    resolve = sub.add_parser("resolve", help="show which release each version spec resolves to")
    _common(resolve)
    resolve.add_argument("specs", nargs="*", help="version specs (default: config versions)")
    return parser


def _config(args: argparse.Namespace) -> Config:
    import dataclasses

    if args.config is not None and not args.config.is_file():
        raise HarnessError(f"--config {args.config}: no such file")
    config = load_config(args.config)
    if getattr(args, "results_dir", None):
        config = dataclasses.replace(config, results_dir=args.results_dir.resolve())
    return config


def cmd_run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from harness import scenario as registry

    config = _config(args)
    for key in ("repeat", "warmup", "timeout"):
        value = getattr(args, key)
        if value is not None:
            if value < (1 if key == "repeat" else 0) or (key == "timeout" and value <= 0):
                raise HarnessError(f"--{key}: {value} is out of range")
            config = dataclasses.replace(config, **{key: value})
    if not args.no_builtin:
        registry.load_builtin()
    load_errors = registry.load_paths([*config.scenario_paths, *args.scenario_path])
    for problem in load_errors:
        print(f"mlflow-compat: scenario module {problem.path} not loaded: {problem.error}", file=sys.stderr)
    only = [*args.only, *split_specs(os.environ.get("MLFLOW_COMPAT_ONLY", ""))]
    skip = [*args.skip, *split_specs(os.environ.get("MLFLOW_COMPAT_SKIP", ""))]
    selected = registry.select(registry.REGISTRY.values(), only, skip)
    if args.list:
        for spec in selected:
            print(f"{spec.id:<50} {spec.kind:<11} {spec.description or ''}")
        return 0
    if not selected:
        raise HarnessError("no scenario matches the selection (--only/--skip)")
    _writable(config.runs_dir)
    try:
        import mlflow
    except ImportError:
        raise HarnessError("mlflow is not installed in this environment; run through nox") from None
    from harness import runner
    from harness.versions import label_for

    skipped = []
    if args.skipped_releases and args.skipped_releases.exists():
        skipped = json.loads(args.skipped_releases.read_text())
    selection = {k: v for k, v in (("only", only), ("skip", skip)) if v}
    runs_dir = config.runs_dir
    runner.run(
        selected,
        args.label or label_for(mlflow.__version__),
        runs_dir,
        spec=args.spec,
        repeat=config.repeat,
        warmup=config.warmup,
        timeout=config.timeout,
        quiet=args.quiet,
        selection=selection,
        skipped_releases=skipped,
        load_errors=[e.to_dict() for e in load_errors],
    )
    return 0


def _writable(directory: Path) -> None:
    """Fail early, in one line, when results cannot be written to ``directory``.

    A write probe, not only ``os.access``: root passes ``access`` checks on a
    directory it cannot write (read-only mount), and a run should not find out
    after an hour of scenarios.
    """
    import os
    import tempfile

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HarnessError(f"results directory {directory} cannot be created: {exc.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise HarnessError(f"results directory {directory} is not writable")
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise HarnessError(f"results directory {directory} is not writable: {exc.strerror}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from harness.report import build_report

    config = _config(args)
    _writable(config.results_dir)
    return build_report(
        config,
        run_paths=args.runs or None,
        baseline=args.baseline,
        gate=args.gate,
        quiet=args.quiet,
    )


def cmd_gate(args: argparse.Namespace) -> int:
    from harness.gate import run_gate

    config = _config(args)
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


def cmd_resolve(args: argparse.Namespace) -> int:
    from harness import versions

    config = _config(args)
    specs = args.specs or list(config.versions)
    for spec in specs:
        validate_spec(spec, "version spec")
        found = versions.resolve(spec, config.results_dir / ".cache")
        extra = f" (then {', '.join(found[1:4])})" if len(found) > 1 else ""
        print(f"{spec:<8} -> {found[0]}{extra}")
    return 0


COMMANDS = {"run": cmd_run, "report": cmd_report, "gate": cmd_gate, "resolve": cmd_resolve}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return guarded(COMMANDS[args.command], args)


def guarded(command, args: argparse.Namespace) -> int:
    """Run a command so that expected failures end as one line and an exit code:
    ``HarnessError`` -> 2, interrupt -> 130, a closed pipe (``| head``) -> 0."""
    try:
        return command(args)
    except HarnessError as exc:
        print(f"mlflow-compat: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlflow-compat: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
