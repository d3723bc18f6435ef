"""``run``: the scenarios against the mlflow installed here -> ``results/runs/<label>.json``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from harness.commands import command
from harness.commands.options import common, config_from, selection, writable
from harness.config import split_specs
from harness.errors import HarnessError


def arguments(run: argparse.ArgumentParser) -> None:
    common(run)
    selection(run)
    run.add_argument("--label", help="run-file label (default: mlflow-<installed version>)")
    run.add_argument("--spec", help="the version spec this environment was resolved from")
    run.add_argument("--repeat", type=int, help="timed samples per perf scenario (default: config)")
    run.add_argument("--warmup", type=int, help="untimed warm-up runs per perf scenario (default: config)")
    run.add_argument("--timeout", type=float, help="per-scenario time limit in seconds (default: config)")
    run.add_argument("--scenario-path", action="append", default=[], type=Path,
                     help="extra scenario module or directory (repeatable; adds to scenario_paths)")
    run.add_argument("--no-builtin", action="store_true", help="do not load the shipped scenarios")
    run.add_argument("--install-facts", type=Path, help=argparse.SUPPRESS)
    run.add_argument("-q", "--quiet", action="store_true", help="print only scenarios that did not pass")
    run.add_argument("--list", action="store_true", help="list the selected scenarios and exit")


@command(
    "run",
    help="run the scenarios against the mlflow installed here and write results/runs/<label>.json",
    description="Run the scenarios in this environment (one process per scenario, with a timeout).",
    arguments=arguments,
)
def cmd_run(args: argparse.Namespace) -> int:
    from harness import scenario as registry

    config = config_from(args)
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
    from harness.usertests.suite import Suite
    from harness.usertests.rows import AREA as TESTS

    suite = Suite.of(config) if registry.area_chosen(TESTS, only, skip) else None
    if args.list:
        for spec in selected:
            print(f"{spec.id:<50} {spec.kind:<11} {spec.description or ''}")
        if suite is not None:
            print(f"{TESTS + '.<nodeid>':<50} {'test':<11} pytest {' '.join(suite.paths)}: one row per test")
        return 0
    if not selected and suite is None:
        raise HarnessError("no scenario matches the selection (--only/--skip)")
    writable(config.runs_dir)
    try:
        import mlflow
    except ImportError:
        raise HarnessError("mlflow is not installed in this environment; run through nox") from None
    from harness.runner.driver import run
    from harness.versions import label_for

    # what the installer (the nox session) knows about this environment:
    # {"skipped_releases": [...], and anything else it recorded}
    install = json.loads(args.install_facts.read_text()) if args.install_facts else {}
    skipped = install.pop("skipped_releases", [])
    selection_used = {k: v for k, v in (("only", only), ("skip", skip)) if v}
    run(
        selected,
        args.label or label_for(mlflow.__version__),
        config.runs_dir,
        spec=args.spec,
        repeat=config.repeat,
        warmup=config.warmup,
        timeout=config.timeout,
        quiet=args.quiet,
        selection=selection_used,
        skipped_releases=skipped,
        install=install,
        load_errors=[e.to_dict() for e in load_errors],
        suite=suite,
    )
    return 0
