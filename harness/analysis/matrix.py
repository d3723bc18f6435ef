"""The matrix every renderer draws: ordered version columns, scenario rows,
the baseline and one comparison per candidate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from packaging.version import InvalidVersion, Version

from harness.analysis.compare import Comparison, compare
from harness.results.runs import RunFile, ScenarioResult
from harness.versions import matches


def version_key(run: RunFile) -> tuple[int, Any]:
    try:
        return (0, Version(run.mlflow_version))
    except InvalidVersion:
        return (1, run.mlflow_version)


def order_runs(runs: Iterable[RunFile]) -> list[RunFile]:
    """Installed runs by version, install failures last; for each spec keep the newest run."""
    newest: dict[str, RunFile] = {}
    for run in runs:
        key = run.spec or run.label
        if key not in newest or run.started_at > newest[key].started_at:
            newest[key] = run
    return sorted(newest.values(), key=lambda r: (not r.installed, version_key(r), r.label))


def superseded(runs: Iterable[RunFile], kept: Iterable[RunFile]) -> list[RunFile]:
    kept_ids = {id(r) for r in kept}
    return [r for r in runs if id(r) not in kept_ids]


def find_run(runs: Iterable[RunFile], spec: str) -> RunFile | None:
    """The run for ``spec``: same spec, else the newest installed version matching it."""
    runs = list(runs)
    for run in runs:
        if run.installed and (run.spec == spec or run.mlflow_version == spec or run.label == spec):
            return run
    found = [r for r in runs if r.installed and matches(spec, r.mlflow_version)]
    return max(found, key=version_key) if found else None


@dataclass
class Matrix:
    runs: list[RunFile]
    baseline: RunFile | None
    comparisons: dict[str, Comparison]
    scenario_ids: list[str]
    problems: list[str] = field(default_factory=list)
    superseded: list[RunFile] = field(default_factory=list)
    baseline_spec: str | None = None

    @property
    def installed(self) -> list[RunFile]:
        return [r for r in self.runs if r.installed]

    @property
    def install_failures(self) -> list[RunFile]:
        return [r for r in self.runs if not r.installed]

    @property
    def candidates(self) -> list[RunFile]:
        return [r for r in self.installed if r is not self.baseline]

    def cell(self, run: RunFile, sid: str) -> ScenarioResult | None:
        return run.by_id().get(sid)

    def verdict(self, run: RunFile, sid: str):
        """The candidate cell's ``CellVerdict`` against the baseline, or None (baseline, not compared)."""
        comparison = self.comparisons.get(run.label)
        return comparison.verdicts.get(sid) if comparison else None

    def meta(self, sid: str) -> ScenarioResult | None:
        """Scenario metadata (area, kind, replaced_by, code) from any run that has it."""
        for run in reversed(self.installed):
            found = run.by_id().get(sid)
            if found is not None:
                return found
        return None

    def timed_ids(self) -> list[str]:
        """Scenario ids with timing samples on at least one installed version."""
        return [
            sid for sid in self.scenario_ids
            if any((getattr(self.cell(r, sid), "timing", None) or {}).get("samples") for r in self.installed)
        ]

    def areas(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for sid in self.scenario_ids:
            meta = self.meta(sid)
            out.setdefault(meta.area if meta else sid.split(".")[0], []).append(sid)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.label if self.baseline else None,
            "columns": [
                {
                    "label": r.label,
                    "spec": r.spec,
                    "mlflow_version": r.mlflow_version,
                    "run_status": r.run_status,
                    "install_error": r.install_error,
                    "skipped_releases": r.skipped_releases,
                    "packages": r.packages,
                    "python_version": r.python_version,
                    "started_at": r.started_at,
                    "duration_s": r.duration_s,
                    "path": str(r.path) if r.path else None,
                }
                for r in self.runs
            ],
            "scenarios": [
                {
                    "id": sid,
                    "area": (self.meta(sid).area if self.meta(sid) else None),
                    "kind": (self.meta(sid).kind if self.meta(sid) else None),
                    "replaced_by": (self.meta(sid).replaced_by if self.meta(sid) else None),
                    "cells": {
                        r.label: _cell_dict(self.cell(r, sid)) for r in self.installed
                    },
                }
                for sid in self.scenario_ids
            ],
            "comparisons": {label: c.to_dict() for label, c in self.comparisons.items()},
            "problems": self.problems,
            "superseded": [str(r.path or r.label) for r in self.superseded],
        }


def _cell_dict(result: ScenarioResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "status": result.status,
        "duration_s": result.duration_s,
        "median_s": (result.timing or {}).get("median"),
        "error": result.error,
        "reason": result.reason,
        "warnings": len(result.warnings),
        "observations": result.observations,
    }


def build_matrix(
    runs: list[RunFile],
    baseline_spec: str | None,
    slowdown_factor: float,
    problems: list[str] | None = None,
) -> Matrix:
    ordered = order_runs(runs)
    baseline = find_run(ordered, baseline_spec) if baseline_spec else None
    if baseline is None:
        installed = [r for r in ordered if r.installed]
        baseline = installed[0] if installed else None
    comparisons = {
        r.label: compare(baseline, r, slowdown_factor)
        for r in ordered
        if r.installed and baseline is not None and r is not baseline
    }
    ids = sorted({s.id for r in ordered for s in r.scenarios})
    return Matrix(
        runs=ordered,
        baseline=baseline,
        comparisons=comparisons,
        scenario_ids=ids,
        problems=list(problems or []),
        superseded=superseded(runs, ordered),
        baseline_spec=baseline_spec,
    )
