"""The cross-version check groups, in the order they run, and the run over a pair.

Adding a group is a new module that defines a ``GROUP``
(:class:`harness.crossversion.orchestrate.Group`: its name, its step ids, its
orchestration, its in-environment functions and the ``step`` options they
read) plus one line in ``GROUPS`` below. ``run`` needs nothing else: it
selects groups, records their steps and writes the cross result file;
``python -m harness.crossversion step NAME`` finds the group's functions here.
"""

from __future__ import annotations

import fnmatch
import shutil
import time
from pathlib import Path

from harness import home
from harness.config import Config
from harness.crossversion import artifacts, database, filestore, server
from harness.crossversion.orchestrate import Group, InEnv, Orchestrator
from harness.crossversion.pairing import SideEnv
from harness.results import cross as results
from harness.results.cross import CrossResult, Side
from harness.runner.facts import utc_now

GROUPS: tuple[Group, ...] = (artifacts.GROUP, database.GROUP, server.GROUP, filestore.GROUP)


def by_name() -> dict[str, Group]:
    return {group.name: group for group in GROUPS}


def selected_groups(only: list[str]) -> list[str]:
    """Groups to run: ``--only`` matches a group name or a step id (which selects its group)."""
    names = [group.name for group in GROUPS]
    if not only:
        return names
    return [
        g for g in names
        if any(fnmatch.fnmatch(g, p) or fnmatch.fnmatch(f"{g}.x", p) or p.split(".")[0] == g for p in only)
    ]


def in_env_steps() -> dict[str, InEnv]:
    """``step NAME`` -> the in-environment function, over every group."""
    return {name: fn for group in GROUPS for name, fn in group.in_env.items()}


def run(config: Config, sides: dict[str, SideEnv], only: list[str] | None = None,
        timeout: float = 300.0, keep_work: bool = False) -> Path:
    """Run the selected groups; write and return the cross result file."""
    base, cand = sides["baseline"], sides["candidate"]
    name = results.file_name(base.version, cand.version)
    work = config.results_dir / "work" / "cross" / name[: -len(".json")]
    shutil.rmtree(work, ignore_errors=True)
    orch = Orchestrator(sides, work, timeout, home.import_path(config.envs_dir))
    settings = {key: value for group in GROUPS for key, value in group.settings.items()}
    result = CrossResult(
        baseline=Side(base.spec, base.version, base.python),
        candidate=Side(cand.spec, cand.version, cand.python),
        started_at=utc_now(), selection=list(only or []), settings={**settings, "timeout_s": timeout},
    )
    chosen = selected_groups(list(only or []))
    print(f"== cross-version: mlflow {base.version} (baseline) <-> {cand.version} (candidate): {', '.join(chosen)}",
          flush=True)
    start = time.perf_counter()
    path = config.results_dir / "cross" / name
    groups = by_name()
    try:
        for group in chosen:
            groups[group].orchestrate(orch)
    except KeyboardInterrupt:
        result.run_status = "interrupted"
        raise
    finally:
        result.steps = orch.steps
        result.duration_s = round(time.perf_counter() - start, 2)
        results.save(result, path)
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
            for parent in (work.parent, work.parent.parent):  # results/work/cross, results/work
                try:
                    parent.rmdir()
                except OSError:
                    break  # not empty: someone else's work lives there
    return path
