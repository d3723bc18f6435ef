"""The scan as one chain: files -> parse -> resolve -> match -> findings.

``scan_paths`` is what the command and the gate call: it takes API diffs and
run files already loaded (``harness.scan.inputs`` finds and loads them) and
returns a :class:`ScanResult`; it prints nothing and never raises for bad
input files (each is a :class:`Problem`).
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from harness.home import HOME
from harness.results.api import ApiDiff
from harness.results.runs import RunFile
from harness.scan.assemble import Builder, version_key
from harness.scan.changes import ChangeIndex
from harness.scan.deprecations import DeprecationIndex, match_deprecations, observed_ties
from harness.scan.evidence import Evidence, scenario_uses
from harness.scan.findings import Finding, Problem, Severity, sort_key
from harness.scan.replacements import Idioms
from harness.scan.resolve import resolve
from harness.scan.rules import match_uses
from harness.scan.sources import Source, parse, python_files, read

SCHEMA_VERSION = 1
KIND = "mlflow-compat-scan"
#: below this many files one process does it all; above, files are shared among worker processes
PARALLEL_FROM = 200


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: files parsed (with or without findings)
    files: int = 0
    baseline: str | None = None
    candidates: list[str] = field(default_factory=list)
    #: evidence that could not be read (a scenario module that does not parse ...)
    notes: list[str] = field(default_factory=list)
    #: findings left out by a ``# noqa`` comment on their line
    silenced: int = 0

    @property
    def scanned_nothing(self) -> bool:
        return self.files == 0

    def with_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def breaking(self) -> list[Finding]:
        """What the gate fails on: call sites that break on a candidate."""
        return self.with_severity(Severity.BREAKS)

    def counts(self) -> dict[str, int]:
        return {s: len(self.with_severity(s)) for s in Severity.ORDER}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "baseline": self.baseline,
            "candidates": self.candidates,
            "files_scanned": self.files,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "problems": [p.to_dict() for p in self.problems],
            "notes": self.notes,
            "silenced": self.silenced,
        }


def default_scenario_paths(extra: Iterable[Path] = ()) -> list[Path]:
    """The shipped scenario modules plus the user's ``scenario_paths``."""
    return [HOME / "scenarios", *extra]


@dataclass
class _Context:
    """What every file's scan reads; built once, inherited by forked workers."""

    index: ChangeIndex
    evidence: Evidence
    idioms: Idioms
    ties: DeprecationIndex


_CONTEXT: _Context | None = None


@dataclass
class _FileResult:
    findings: list[Finding] = field(default_factory=list)
    problem: Problem | None = None
    scanned: bool = False
    silenced: int = 0


def _scan_file(file: Path, context: _Context | None = None) -> _FileResult:
    context = context or _CONTEXT
    source = read(file)
    tree = parse(source) if isinstance(source, Source) else source
    if isinstance(tree, Problem):
        return _FileResult(problem=tree)
    if "mlflow" not in source.text:  # nothing can resolve to mlflow without naming it
        return _FileResult(scanned=True)
    try:
        resolution = resolve(tree)
        matches = match_uses(resolution, context.index) + match_deprecations(resolution, context.ties, context.index)
    except RecursionError:
        return _FileResult(problem=Problem(source.path, "not scanned: expressions nested too deeply to resolve"))
    builder = Builder(context.index, context.evidence, context.idioms)
    builder.add(source, matches)
    return _FileResult(builder.findings(), None, True, builder.silenced)


def _jobs(files: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if files < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _scan_files(files: list[Path], context: _Context, jobs: int) -> list[_FileResult]:
    """Each file on its own (findings never merge across files); with ``jobs`` > 1 in forked
    workers, which inherit the context instead of receiving it pickled."""
    if jobs == 1:
        return [_scan_file(f, context) for f in files]
    global _CONTEXT
    _CONTEXT = context
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_scan_file, files, chunksize=max(1, len(files) // (jobs * 8)))
    finally:
        _CONTEXT = None


def scan_paths(
    paths: Iterable[Path | str],
    diffs: Iterable[ApiDiff],
    runs: Iterable[RunFile] = (),
    scenario_paths: Iterable[Path] | None = None,
    jobs: int | None = None,
) -> ScanResult:
    """Scan the Python files under ``paths`` for call sites the API changes in ``diffs`` affect.

    ``runs`` (run files) add evidence (matrix cells of scenarios covering the
    same API), replacements (idiom pairs) and ``deprecated`` findings
    (deprecations observed on a candidate). ``scenario_paths``: the scenario
    modules to learn coverage from (default: the shipped ``scenarios/``).
    ``jobs``: worker processes (default: one for small trees, up to the cores
    from ``PARALLEL_FROM`` files on).
    """
    diffs, runs = list(diffs), list(runs)
    index = ChangeIndex(diffs)
    scenarios, scenario_problems = scenario_uses(default_scenario_paths() if scenario_paths is None else scenario_paths)
    evidence = Evidence(scenarios, index, runs)
    candidates = sorted({d.candidate for d in diffs}, key=version_key)
    ties = DeprecationIndex(observed_ties(scenarios, evidence, candidates, index))
    context = _Context(index, evidence, Idioms(runs), ties)
    files, problems = python_files(paths)
    results = _scan_files(files, context, _jobs(len(files), jobs))
    findings = sorted((f for r in results for f in r.findings), key=sort_key)
    problems += [r.problem for r in results if r.problem is not None]
    baselines = sorted({d.baseline for d in diffs}, key=version_key)
    return ScanResult(
        findings=findings,
        silenced=sum(r.silenced for r in results),
        problems=problems,
        files=sum(1 for r in results if r.scanned),
        baseline=", ".join(baselines) or None,
        candidates=candidates,
        notes=[f"scenario module {p.text()}" for p in scenario_problems],
    )
