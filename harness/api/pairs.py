"""Which releases the API diff compares: the baseline spec against each candidate spec.

A spec resolves the way the matrix resolved it when a run file says so (the
run file of ``2.9`` records that it ran 2.9.2), so the API section joins the
matrix's cells; otherwise to the spec's newest final release on the index
(``harness.versions``; sources install ``--no-deps``, so the newest always does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from harness import versions
from harness.config import validate_spec
from harness.errors import HarnessError
from harness.results.runs import load_runs, run_files_in


@dataclass(frozen=True)
class Resolved:
    spec: str
    version: str
    #: "exact", "run file <name>" or "index"
    how: str
    #: older releases of the family to fall back on, newest first, when this one's source
    #: cannot be fetched (a release listed before the distributions it pins are published)
    alternatives: tuple[str, ...] = ()


def versions_from_runs(runs_dir: Path) -> dict[str, tuple[str, str]]:
    """spec -> (version, run file name) for installed runs that recorded their spec."""
    runs, _ = load_runs(run_files_in(runs_dir))
    found = {}
    for run in runs:
        if run.installed and run.spec and run.path is not None:
            found.setdefault(run.spec, (run.mlflow_version, run.path.name))
    return found


def resolve(spec: str, cache_dir: Path, from_runs: dict[str, tuple[str, str]], attempts: int = 3) -> Resolved:
    """One spec to one release; raises ``HarnessError`` (one line) when it cannot be resolved."""
    spec = validate_spec(spec, "version spec")
    if versions.is_exact(spec):
        return Resolved(spec, spec, "exact")
    if spec in from_runs:
        version, name = from_runs[spec]
        return Resolved(spec, version, f"run file {name}")
    found = versions.resolve(spec, cache_dir)
    return Resolved(spec, found[0], "index", tuple(found[1:attempts]))


def with_source(resolved: Resolved, fetch: Callable[[str], object], log: Callable[[str], None]) -> Resolved:
    """The first of ``resolved``'s releases whose source ``fetch`` gets (newest first, as the
    matrix installs); the last one's failure, one line, when none does."""
    releases = (resolved.version, *resolved.alternatives)
    for i, version in enumerate(releases):
        try:
            fetch(version)
        except HarnessError as exc:
            if i == len(releases) - 1:
                raise
            log(f"  skipped mlflow {version} for {resolved.spec}: {exc}")
            continue
        return replace(resolved, version=version, alternatives=())
    raise AssertionError("unreachable")  # pragma: no cover


def candidates_for(baseline: Resolved, specs: list[str]) -> list[str]:
    """Candidate specs, without duplicates and without the baseline's own spec."""
    seen, kept = {baseline.spec}, []
    for spec in specs:
        if spec not in seen:
            seen.add(spec)
            kept.append(spec)
    return kept


def resolve_all(
    specs: list[str], cache_dir: Path, from_runs: dict[str, tuple[str, str]], attempts: int = 3
) -> tuple[list[Resolved], list[str]]:
    """Every spec that resolves, and one problem line per spec that does not."""
    found, problems = [], []
    for spec in specs:
        try:
            found.append(resolve(spec, cache_dir, from_runs, attempts))
        except HarnessError as exc:
            problems.append(f"{spec}: {exc}")
    return found, problems
