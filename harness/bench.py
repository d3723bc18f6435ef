"""``nox -s bench``: how fast is the harness itself? Prints its figures.

Measured in one run, on this machine, as ratios where timings are noisy:

* environment creation per version: uv vs virtualenv+pip, cold (no env) and
  warm (the env exists and its inputs did not change: what nox reuse does);
  plus creating two environments one after the other vs in parallel;
* a warm rerun of the matrix: total wall time vs the sum of the scenario
  bodies' own times, and the overhead per scenario (fork, store copy, result
  hand-off) from the run files' ``wall_s`` vs ``duration_s``;
* ``report`` on 100 synthetic run files of 40 scenarios each;
* the API diff of one pair (2.9.2 -> 3.17.2): cold (sources fetched --no-deps
  into an empty cache, both releases read by griffe, both directions diffed)
  and cached (the pair's file is current), in-process and as a whole command.
* ``scan`` of a generated 50,000-line tree with the API diff on disk
  (``harness.scan.benchmark``);
* with ``--bisect-from DIR`` (a matrix's run files): ``bisect`` of every change
  between the baseline and the newest candidate, in fresh environments (the uv
  cache warm), from no earlier bisect cells.

Targets (issue #5): warm matrix <= 1.5x the bodies; per-scenario overhead
< 0.3 s; report on 100 files < 2 s. Issue #13: API diff of one pair < 30 s
cold, < 1 s cached; scan of 50,000 lines < 5 s. Issue #15: the default
matrix's bisect < 15 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harness import envs, libraries
from harness.config import PROJECT_ROOT, load_config, split_specs
from harness.outcomes import Status
from harness.results.runs import RunFile, ScenarioResult, load_run, run_files_in, save_run

TARGETS = {"matrix_ratio": 1.5, "overhead_s": 0.3, "report_s": 2.0, "api_cold_s": 30.0, "api_cached_s": 1.0,
           "scan_s": 5.0, "bisect_s": 900.0}


def _run(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed:\n{proc.stderr[-1500:]}")
    return time.perf_counter() - start


def create_env(backend: str, venv: Path, requirements: list[str], version: str | None = None) -> float:
    """Create (if missing) and install the way the matrix does (libraries policy
    included, for ``version``); seconds taken."""
    start = time.perf_counter()
    python = envs.python_in(venv)
    uv = envs.find_uv()
    if not Path(python).exists():
        if backend == "uv":
            _run([uv, "venv", "-q", "-p", sys.executable, str(venv)])
        else:
            _run([sys.executable, "-m", "virtualenv", "-q", str(venv)])
    kind = libraries.UV if backend == "uv" else libraries.PIP
    plan = libraries.plan_for(version, load_config(), kind, python) if version else libraries.LibrariesPlan("latest", "latest")
    result = envs.install_with_plan(python, requirements, plan, use_uv=backend == "uv")
    if not result.ok:
        raise RuntimeError(f"installing {' '.join(requirements[:2])}... failed:\n{result.tail}")
    return time.perf_counter() - start


def installable(spec: str, work: Path) -> str:
    """The release of ``spec`` that installs (as the matrix resolves it), found untimed."""
    config = load_config()
    probe = work / f"probe-{spec}"
    _run([envs.find_uv() or "uv", "venv", "-q", "-p", sys.executable, str(probe)])
    try:
        resolution = envs.resolve_and_install(spec, envs.python_in(probe), config, log=lambda *_: None)
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    if not resolution.ok:
        raise RuntimeError(f"mlflow {spec} does not install: {resolution.error}")
    return resolution.version


def bench_envs(specs: list[str], work: Path, backends: list[str]) -> list[dict]:
    config = load_config()
    rows = []
    for spec in specs:
        version = installable(spec, work)
        reqs = envs.requirements_for(version, config)
        for backend in backends:
            venv = work / f"{backend}-{version}"
            shutil.rmtree(venv, ignore_errors=True)
            cold = create_env(backend, venv, reqs, version)
            warm = create_env(backend, venv, reqs, version)
            rows.append({"version": version, "backend": backend, "cold_s": cold, "warm_s": warm})
            print(f"  env {backend:<10} mlflow {version:<8} cold {cold:6.1f}s  warm {warm:5.2f}s", flush=True)
            shutil.rmtree(venv, ignore_errors=True)
    return rows


def bench_parallel_envs(specs: list[str], work: Path) -> dict:
    """Two uv environments one after the other vs at the same time."""
    config = load_config()
    jobs = []
    for spec in specs[:2]:
        version = installable(spec, work)
        jobs.append((work / f"par-{version}", envs.requirements_for(version, config), version))
    for venv, *_ in jobs:
        shutil.rmtree(venv, ignore_errors=True)
    start = time.perf_counter()
    for venv, reqs, version in jobs:
        create_env("uv", venv, reqs, version)
    sequential = time.perf_counter() - start
    for venv, *_ in jobs:
        shutil.rmtree(venv, ignore_errors=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(lambda job: create_env("uv", *job), jobs))
    parallel = time.perf_counter() - start
    for venv, *_ in jobs:
        shutil.rmtree(venv, ignore_errors=True)
    print(f"  {len(jobs)} uv envs: sequential {sequential:.1f}s, parallel {parallel:.1f}s "
          f"({sequential / parallel:.2f}x)", flush=True)
    return {"sequential_s": sequential, "parallel_s": parallel}


def matrix_figures(runs: list, wall: float | None) -> dict:
    """Where a matrix run's time went, from its run files (``wall``: the whole
    command, when it was timed; else the runners' own durations are used)."""
    installed = [r for r in runs if r.installed]
    scenarios = [s for r in installed for s in r.scenarios]
    bodies = sum(s.duration_s for s in scenarios)
    overheads = [s.metrics.get("wall_s", s.duration_s) - s.duration_s for s in scenarios]
    runner = sum(r.duration_s for r in installed)
    total = wall if wall is not None else runner
    figures = {
        "versions": [r.mlflow_version for r in installed],
        "scenarios": len(scenarios),
        "wall_s": total,
        "runner_s": runner,
        "bodies_s": bodies,
        "ratio": total / bodies if bodies else float("nan"),
        "overhead_per_scenario_s": sum(overheads) / len(overheads) if overheads else float("nan"),
        "fixed_cost_per_version_s": (total - bodies - sum(overheads)) / max(len(installed), 1),
    }
    what = "wall (nox, installs, runners)" if wall is not None else "runner time (imports, store, scenarios)"
    print(
        f"  matrix: {total:.1f}s {what} for {len(scenarios)} scenario runs on "
        f"{', '.join(figures['versions'])}; bodies {bodies:.1f}s -> {figures['ratio']:.2f}x "
        f"(target <= {TARGETS['matrix_ratio']}x)\n"
        f"  per-scenario overhead (fork, store copy, hand-off): "
        f"{figures['overhead_per_scenario_s'] * 1000:.0f} ms (target < {TARGETS['overhead_s'] * 1000:.0f} ms)\n"
        f"  fixed cost per version (imports, store migration{', nox, install check' if wall is not None else ''}): "
        f"{figures['fixed_cost_per_version_s']:.1f}s",
        flush=True,
    )
    return figures


def bench_matrix(specs: list[str], results: Path, extra: list[str]) -> dict:
    """A warm rerun of the matrix (environments exist) into a scratch results dir."""
    env = {**os.environ, "MLFLOW_COMPAT_VERSIONS": " ".join(specs), "MLFLOW_COMPAT_RESULTS": str(results)}
    cmd = [sys.executable, "-m", "nox", "-f", str(PROJECT_ROOT / "noxfile.py"),
           "-s", *[f"mlflow-{spec}" for spec in specs]]
    if extra:
        cmd += ["--", *extra]
    print(f"  warming: {' '.join(cmd[3:])}", flush=True)
    _run(cmd, env=env, cwd=PROJECT_ROOT)  # first run builds/refreshes the environments
    shutil.rmtree(results / "runs", ignore_errors=True)
    wall = _run(cmd, env=env, cwd=PROJECT_ROOT)
    return matrix_figures([load_run(p) for p in run_files_in(results / "runs")], wall)


def synthetic_runs(directory: Path, files: int = 100, scenarios: int = 40, seed: int = 7) -> None:
    rng = random.Random(seed)
    statuses = [Status.PASS] * 8 + [Status.FAIL, Status.ERROR, Status.UNSUPPORTED, Status.SKIPPED]
    for i in range(files):
        version = f"{2 + i // 50}.{i % 50}.0"
        results = []
        for j in range(scenarios):
            samples = [rng.uniform(0.09, 0.11) * (1 + i / 200) for _ in range(5)]
            status = rng.choice(statuses)
            results.append(
                ScenarioResult(
                    id=f"area{j % 6}.subject{j}.variant", area=f"area{j % 6}", kind="perf" if j % 4 == 0 else "idiom",
                    status=status, duration_s=sum(samples),
                    error={"type": "TypeError", "message": f"boom {j}"} if status in (Status.FAIL, Status.ERROR) else None,
                    warnings=[{"category": "FutureWarning", "message": f"deprecated {j % 3}", "source": "warnings", "where": "x.py:1", "count": 1}] if j % 5 == 0 else [],
                    timing={"unit": "s", "samples": samples, "median": sorted(samples)[2]} if j % 4 == 0 else None,
                    metrics={"peak_rss_mb": 300.0}, observations={"uri": f"scheme{i % 3}:/"},
                    replaced_by=f"area{(j + 1) % 6}.subject{j + 1}.variant" if j % 7 == 0 else None,
                )
            )
        run = RunFile(
            label=f"mlflow-{version}", mlflow_version=version, python_version="3.11.7", platform="Linux-x86_64",
            packages={"mlflow": version}, tracking_backend="sqlite", started_at="2026-11-27T00:00:00Z",
            duration_s=10.0, scenarios=results, spec=version,
        )
        save_run(run, directory / "runs" / f"{run.label}.json")


def bench_report(work: Path, files: int = 100, scenarios: int = 40) -> dict:
    directory = work / "report-bench"
    shutil.rmtree(directory, ignore_errors=True)
    synthetic_runs(directory, files, scenarios)
    cmd = [sys.executable, "-m", "harness", "report", "--results-dir", str(directory), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    samples = [_run(cmd, env=env, cwd=PROJECT_ROOT) for _ in range(3)]
    best = min(samples)
    outputs = sorted(p.name for p in directory.iterdir() if p.is_file())
    print(
        f"  report on {files} run files x {scenarios} scenarios: best {best:.2f}s of {len(samples)} "
        f"(whole command, interpreter start included; target < {TARGETS['report_s']}s); wrote {', '.join(outputs)}",
        flush=True,
    )
    return {"files": files, "scenarios": scenarios, "best_s": best, "samples_s": samples, "outputs": outputs}


def bench_api(work: Path, baseline: str = "2.9.2", candidate: str = "3.17.2") -> dict:
    """One pair's API diff, cold (empty source cache, no environment reused) then cached."""
    from harness.api.produce import Producer
    from harness.api.surface import Surface

    results = work / "api-results"
    shutil.rmtree(results, ignore_errors=True)

    def producer() -> Producer:
        return Producer(results / "api", work / "api-src", Surface(), env_dirs=[],
                        log=lambda line: print(f"    {line.strip()}", flush=True))

    def child_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    wall, cpu, installers = time.perf_counter(), time.process_time(), child_cpu()
    diff, cached = producer().produce(baseline, candidate)
    # this process (griffe, the diff) plus the installers it ran (uv --no-deps)
    cold, cold_cpu = time.perf_counter() - wall, time.process_time() - cpu + child_cpu() - installers
    assert not cached
    start, cpu = time.perf_counter(), time.process_time()
    _, cached = producer().produce(baseline, candidate)
    warm, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert cached
    cmd = [sys.executable, "-m", "harness", "api", "--results-dir", str(results),
           "--baseline", baseline, "--candidate", candidate, "-q"]
    before = child_cpu()
    command = min(_run(cmd, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, cwd=PROJECT_ROOT) for _ in range(3))
    command_cpu = (child_cpu() - before) / 3
    counts = {d: (len(diff.direction(d)), len(diff.direction(d, user_facing_only=True))) for d in ("upgrade", "rollback")}
    print(
        f"  API diff {baseline} -> {candidate}: cold {cold:.1f}s wall, {cold_cpu:.1f}s CPU "
        f"(target < {TARGETS['api_cold_s']:.0f}s); cached {warm * 1000:.0f} ms in-process ({warm_cpu * 1000:.0f} ms CPU), "
        f"{command:.2f}s as a whole command (best of 3, interpreter start included; {command_cpu:.2f}s CPU on average; "
        f"target < {TARGETS['api_cached_s']:.0f}s)\n"
        f"  changes (all / user-facing): upgrade {counts['upgrade'][0]} / {counts['upgrade'][1]}, "
        f"rollback {counts['rollback'][0]} / {counts['rollback'][1]}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall above CPU is waiting for a core)",
        flush=True,
    )
    return {"pair": [baseline, candidate], "cold_s": cold, "cold_cpu_s": cold_cpu, "cached_s": warm,
            "cached_cpu_s": warm_cpu, "cached_command_s": command, "cached_command_cpu_s": command_cpu,
            "load_average": os.getloadavg()[0], "changes": counts}
def bench_bisect(runs_from: Path, work: Path, extra: list[str]) -> dict:
    """``python -m harness bisect`` from a matrix's run files, no earlier bisect cells, fresh environments."""
    from harness.results import bisect as bisect_results

    results = work / "bisect-results"
    shutil.copytree(runs_from, results / "runs")
    cmd = [sys.executable, "-m", "harness", "bisect", "--results-dir", str(results),
           "--envs-dir", str(work / "bisect-envs"), *extra]
    print(f"  bisect: {' '.join(cmd[1:])}", flush=True)
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU time of the bisect and everything it ran: what the machine had to give, however busy it was
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"bisect failed ({proc.returncode}):\n{proc.stdout[-1500:]}")
    found = [bisect_results.load(p) for p in bisect_results.files_in(results / "bisect")]
    changes = sum(len(r.changes) for r in found)
    exact = sum(1 for r in found for c in r.changes if c.exact)
    ran = sum(r.budget.get("used", 0) for r in found)
    load = os.getloadavg()[0]
    print(f"  bisect of {changes} changes ({exact} to an exact boundary): {wall:.0f}s wall, {ran} releases run "
          f"(target < {TARGETS['bisect_s']:.0f}s); {cpu:.0f}s CPU in all its processes, {cpu / (os.cpu_count() or 1):.0f}s "
          f"over {os.cpu_count()} cores; load average {load:.1f} at the end", flush=True)
    return {"wall_s": wall, "cpu_s": cpu, "changes": changes, "exact": exact, "releases_run": ran, "load_average": load,
            "pairs": [f"{r.baseline['version']}__{r.candidate['version']}" for r in found]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", default=os.environ.get("MLFLOW_COMPAT_VERSIONS", ""),
                        help="specs for the matrix part (default: the configured versions)")
    parser.add_argument("--env-versions", default="2.9 3", help="specs for the environment part")
    parser.add_argument("--skip", action="append", default=[], choices=["envs", "matrix", "report", "api", "scan"],
                        help="leave a part out")
    parser.add_argument("--api-pair", default="2.9.2 3.17.2", help="baseline and candidate release of the API diff part")
    parser.add_argument("--matrix-args", default="", help="arguments for the matrix's scenario runs, e.g. \"--skip serving\"")
    parser.add_argument("--matrix-from", type=Path,
                        help="instead of rerunning the matrix, read the run files of one (a results/runs dir)")
    parser.add_argument("--bisect-from", type=Path,
                        help="a matrix's run files (results/runs): also time bisecting every change between "
                        "the baseline and the newest candidate (fresh environments, warm uv cache)")
    parser.add_argument("--bisect-args", default="", help="arguments for that bisect, e.g. \"--jobs 1\"")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    config = load_config()
    specs = split_specs(args.versions) or list(config.versions)
    work = Path(tempfile.mkdtemp(prefix="mlflow-compat-bench-"))
    figures: dict = {"date": time.strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores, {os.uname().machine}"}
    try:
        print(f"mlflow-compat bench, {figures['date']}, {figures['machine']}", flush=True)
        if "report" not in args.skip:
            figures["report"] = bench_report(work)
        if "api" not in args.skip:
            figures["api"] = bench_api(work, *split_specs(args.api_pair)[:2])
        if "scan" not in args.skip:
            from harness.scan.benchmark import bench_scan

            figures["scan"] = bench_scan(work, load_config().results_dir, target_s=TARGETS["scan_s"])
        if "envs" not in args.skip:
            env_specs = split_specs(args.env_versions)
            figures["envs"] = bench_envs(env_specs, work, ["uv", "virtualenv"])
            figures["parallel_envs"] = bench_parallel_envs(env_specs, work)
        if args.matrix_from:
            figures["matrix"] = matrix_figures([load_run(p) for p in run_files_in(args.matrix_from)], None)
        elif "matrix" not in args.skip:
            figures["matrix"] = bench_matrix(specs, work / "matrix-results", args.matrix_args.split())
        if args.bisect_from:
            figures["bisect"] = bench_bisect(args.bisect_from, work, args.bisect_args.split())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    misses = []
    if "report" in figures and figures["report"]["best_s"] >= TARGETS["report_s"]:
        misses.append("report")
    if "api" in figures:
        if figures["api"]["cold_s"] >= TARGETS["api_cold_s"]:
            misses.append("API diff cold")
        if figures["api"]["cached_command_s"] >= TARGETS["api_cached_s"]:
            misses.append("API diff cached")
    if "scan" in figures and figures["scan"]["best_s"] >= TARGETS["scan_s"]:
        misses.append("scan")
    if "matrix" in figures:
        if figures["matrix"]["ratio"] > TARGETS["matrix_ratio"]:
            misses.append("matrix ratio")
        if figures["matrix"]["overhead_per_scenario_s"] >= TARGETS["overhead_s"]:
            misses.append("per-scenario overhead")
    if "bisect" in figures and figures["bisect"]["wall_s"] >= TARGETS["bisect_s"]:
        misses.append("bisect")
    print("targets: " + ("all met" if not misses else "missed: " + ", ".join(misses)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
