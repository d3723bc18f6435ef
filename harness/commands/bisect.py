"""``bisect``: the first release of each change between the baseline and a candidate.

Reads the baseline's and the candidate's run files from ``results/runs``,
runs only the scenarios involved on the final releases between them (one
environment per release, shared by every change), and writes
``results/bisect/<baseline>__<candidate>.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from packaging.version import Version

from harness.commands import command
from harness.commands.options import common, config_from, writable
from harness.specs import validate_spec
from harness.errors import HarnessError, ResultsError


def arguments(parser: argparse.ArgumentParser) -> None:
    common(parser)
    parser.add_argument("--baseline", help="baseline spec or exact version (default: the configured baseline)")
    parser.add_argument("--candidate", action="append", default=[],
                        help="candidate spec or exact version, repeatable (default: the newest configured "
                        "version, as `skew` pairs them); each needs a run file in results/runs")
    parser.add_argument("--only", action="append", default=[], metavar="GLOB",
                        help="bisect only changes of scenarios whose id matches GLOB or whose area is GLOB (repeatable)")
    parser.add_argument("--max-releases", type=int, metavar="N",
                        help="run at most N releases per pair; open steps are then reported as untested")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timed samples per perf scenario in bisect runs (default 1: timings are not bisected)")
    parser.add_argument("--jobs", type=int, default=2, metavar="N",
                        help="releases run at the same time (default 2); timings are not bisected, so "
                        "concurrent runs do not distort what is compared")
    parser.add_argument("--rerun", action="store_true",
                        help="ignore cells of earlier bisect runs (results/bisect/runs) and run them again")
    parser.add_argument("--envs-dir", type=Path, default=None,
                        help="where the per-release environments live (default: the project's .nox)")


@command(
    "bisect",
    help="find the first release of each change between the baseline and a candidate (results/bisect/)",
    description="For every change between the baseline's and a candidate's run file (regressed, fixed, "
    "newly_unsupported, newly_warns, changed), run only its scenario on the final releases between them "
    "(newest patch of each minor first, then the patches of the minor where it changed) and record every "
    "release tested, the first release with the change and the last without. Reuses environments and "
    "cells already computed; prints one line per step.",
    arguments=arguments,
)
def cmd_bisect(args: argparse.Namespace) -> int:
    from harness import versions
    from harness.bisect.pair import bisect_pair, merged
    from harness.analysis.text import shortlist
    from harness.bisect.releases import ReleaseRunner, installed_as_now
    from harness.userenv import UserEnvironment
    from harness.bisect.render import summary
    from harness.analysis.matrix import find_run
    from harness.results import bisect as results
    from harness.results.runs import load_runs, run_files_in

    config = config_from(args)
    for option, value in (("--max-releases", args.max_releases), ("--repeat", args.repeat), ("--jobs", args.jobs)):
        if value is not None and value < 1:
            raise HarnessError(f"{option}: {value} is out of range (at least 1)")
    baseline_spec = validate_spec(args.baseline, "--baseline") if args.baseline else config.baseline
    candidate_specs = [validate_spec(c, "--candidate") for c in args.candidate] or [config.versions[-1]]
    runs, problems = load_runs(run_files_in(config.runs_dir))
    for problem in problems:
        print(f"mlflow-compat: {problem}", file=sys.stderr)
    tested = ", ".join(sorted({r.mlflow_version for r in runs if r.installed})) or "none"

    def run_for(spec: str, role: str):
        run = find_run(runs, spec)
        if run is None:
            raise HarnessError(f"no run file for {role} {spec} in {config.runs_dir} (tested: {tested}); "
                               f"run `nox -s mlflow-{spec}` first")
        return run

    baseline = run_for(baseline_spec, "baseline")
    pairs = [(baseline, run_for(spec, "candidate")) for spec in candidate_specs]
    bisect_dir = config.results_dir / "bisect"
    writable(bisect_dir)
    listed = versions.list_releases(config.results_dir / ".cache")
    user_env = UserEnvironment.of(config)  # the project's environment files, read once
    runner = ReleaseRunner(config, bisect_dir, envs_dir=args.envs_dir,
                           config_path=args.config, repeat=args.repeat, warmup=0)
    for base, cand in pairs:
        if base.mlflow_version == cand.mlflow_version:
            print(f"mlflow-compat: bisect: the candidate {cand.mlflow_version} is the baseline; skipped")
            continue
        previous = [r for r in runs if r is not base and r is not cand]
        if not args.rerun:
            earlier, bad = runner.previous_runs()
            previous += earlier
            for problem in bad:
                print(f"mlflow-compat: {problem}", file=sys.stderr)
        reusable = [r for r in previous if installed_as_now(r, config, user_env)]
        stale = sorted({r.mlflow_version for r in previous if all(r is not k for k in reusable)}, key=Version)
        if stale:
            _say(f"[bisect] not reusing the cells of {shortlist(stale, 5)}: installed with other requirements or libraries "
                 "than the configuration gives now (they run again)")
        previous = reusable
        result = bisect_pair(
            base, cand, listed_releases=listed, runner=runner, previous=previous, only=args.only,
            max_releases=args.max_releases, jobs=args.jobs, results_base=config.results_dir, settings={"repeat": args.repeat, "warmup": 0}, log=_say,
        )
        path = bisect_dir / results.file_name(base.mlflow_version, cand.mlflow_version)
        if args.only and path.exists():
            try:
                result = merged(results.load(path), result, args.only)
            except ResultsError as exc:
                print(f"mlflow-compat: {exc}; replaced", file=sys.stderr)
        results.save(result, path)
        for line in summary(result):
            print(line)
        print(f"wrote {path}", flush=True)
        if result.run_status == "interrupted":
            print("mlflow-compat: interrupted", file=sys.stderr)
            return 130
    return 0


def _say(line: str) -> None:
    print(line, flush=True)
