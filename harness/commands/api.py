"""``api``: the static API diff of MLflow releases -> results/api/<baseline>__<candidate>.json."""

from __future__ import annotations

import argparse
import sys
import time

from harness.commands import command
from harness.commands.options import common, config_from, writable

DESCRIPTION = """\
Compare MLflow's public API between the baseline and each candidate, statically:
griffe reads each release's source (installed --no-deps into a cache, or taken
from an environment that has it); nothing is imported. Both directions are kept:
upgrade (code written for the baseline, run on the candidate) and rollback (code
written for the candidate, run on the baseline). A pair's file is reused while
the diff's rules, griffe and the public-surface policy ([tool.mlflow-compat.api])
are unchanged."""


def arguments(api: argparse.ArgumentParser) -> None:
    api.formatter_class = argparse.RawDescriptionHelpFormatter
    common(api)
    api.add_argument("--baseline", metavar="SPEC", help="baseline spec or exact release (default: config baseline)")
    api.add_argument(
        "--candidate", action="append", default=[], metavar="SPEC",
        help="candidate spec or exact release (repeatable; default: every configured version but the baseline)",
    )
    api.add_argument("--force", action="store_true", help="recompute even when the pair's file is current")
    api.add_argument(
        "--limit", type=int, default=25, metavar="N",
        help="user-facing changes listed per direction (default 25; 0 lists all)",
    )
    api.add_argument("-q", "--quiet", action="store_true", help="print only the counts per direction")


@command("api", help="static API diff of the baseline and each candidate -> results/api/", description=DESCRIPTION,
         arguments=arguments)
def cmd_api(args: argparse.Namespace) -> int:
    from harness.api import pairs
    from harness.api.produce import Producer, griffe_version
    from harness.api.summary import direction_lines, printable
    from harness.api.surface import Surface
    from harness.errors import HarnessError

    if args.limit < 0:
        raise HarnessError("--limit must be >= 0")
    config = config_from(args)
    griffe_version()  # fail in one line before anything else when griffe is missing
    writable(config.api_dir)
    version_cache = config.results_dir / ".cache"
    attempts = config.install_attempts
    from_runs = pairs.versions_from_runs(config.runs_dir)
    baseline = pairs.resolve(args.baseline or config.baseline, version_cache, from_runs, attempts)
    specs = pairs.candidates_for(baseline, args.candidate or list(config.versions))
    if not specs:
        raise HarnessError("no candidate to compare with the baseline (give --candidate SPEC)")
    candidates, problems = pairs.resolve_all(specs, version_cache, from_runs, attempts)
    surface = Surface.from_settings(
        config.api.include, config.api.exclude, config.api.extend_include, config.api.extend_exclude
    )

    def log(line: str) -> None:
        print(printable(line), flush=True)

    producer = Producer(
        config.api_dir, config.api_source_cache, surface, env_dirs=[config.envs_dir], log=log, force=args.force,
    )
    limit = None if args.limit == 0 else args.limit
    for line in problems:
        print(f"mlflow-compat: {printable(line)}", file=sys.stderr)
    if baseline.alternatives:
        baseline = pairs.with_source(baseline, producer.source, log)
    print(f"baseline {baseline.spec} -> mlflow {baseline.version} ({baseline.how})", flush=True)
    for candidate in candidates:
        if candidate.alternatives:
            try:
                candidate = pairs.with_source(candidate, producer.source, log)
            except HarnessError as exc:
                problems.append(str(exc))
                print(f"mlflow-compat: {printable(exc)}", file=sys.stderr)
                continue
        if candidate.version == baseline.version:
            print(f"{candidate.spec} -> mlflow {candidate.version}: same release as the baseline, nothing to compare")
            continue
        print(f"api {baseline.version} -> {candidate.version} (candidate {candidate.spec}, {candidate.how})", flush=True)
        start = time.perf_counter()
        try:
            diff, cached = producer.produce(baseline.version, candidate.version)
        except HarnessError as exc:
            problems.append(str(exc))
            print(f"mlflow-compat: {printable(exc)}", file=sys.stderr)
            continue
        for direction in ("upgrade", "rollback"):
            lines = direction_lines(diff, direction, 0 if args.quiet else limit)
            print("  " + "\n  ".join(lines if not args.quiet else lines[:1]))
        state = "current, reused" if cached else "written"
        print(f"  {state}: {diff.path} ({time.perf_counter() - start:.1f}s)", flush=True)
    # the pairs that could be made are written; a spec or release that could not is exit 2
    return 2 if problems else 0
