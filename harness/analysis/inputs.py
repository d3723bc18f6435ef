"""Load every result file once: the analysis stage's only I/O.

Every command that reports (``report``, ``gate``) starts here, so a result
kind is read by one loader in one place; unreadable files become one-line
problems and the rest is still used (asv's "every command reads files").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import ResultsError
from harness.results import api as api_results, bisect as bisect_results, cross as cross_results
from harness.results.api import ApiDiff
from harness.results.bisect import BisectResult
from harness.results.cross import CrossResult
from harness.results.runs import RunFile, load_runs, run_files_in


@dataclass
class Inputs:
    runs: list[RunFile]
    #: one line per run file that could not be used
    run_problems: list[str] = field(default_factory=list)
    cross: list[CrossResult] = field(default_factory=list)
    #: one line per cross result file that could not be used
    cross_problems: list[str] = field(default_factory=list)
    api: list[ApiDiff] = field(default_factory=list)
    api_problems: list[str] = field(default_factory=list)
    #: API change identity -> the scenarios whose body covers it (see harness.analysis.api)
    coverage: dict[tuple, list[str]] = field(default_factory=dict)
    bisect: list[BisectResult] = field(default_factory=list)
    bisect_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [*self.run_problems, *self.cross_problems, *self.api_problems, *self.bisect_problems]


def load_inputs(
    results_dir: Path, run_paths: list[Path] | None = None, scenario_paths: list[Path] | None = None
) -> Inputs:
    """Run files (``run_paths`` or every one in ``results_dir/runs``), cross results and API diffs,
    plus which scenario covers which API change (the scenario modules parsed, never imported).

    No run file at all, or none usable, is a ``ResultsError``: there is no
    matrix to report. Anything else unreadable is a problem line.
    """
    runs_dir = Path(results_dir) / "runs"
    paths = list(run_paths) if run_paths else run_files_in(runs_dir)
    if not paths:
        raise ResultsError(f"no run files in {runs_dir}; run `nox -s matrix` first")
    runs, problems = load_runs(paths)
    if not runs:
        raise ResultsError("no usable run file: " + "; ".join(problems))
    cross, cross_problems = cross_results.load_all(cross_results.files_in(Path(results_dir) / "cross"))
    diffs, api_problems = api_results.load_all(api_results.files_in(Path(results_dir) / "api"))
    from harness.analysis.api import coverage
    from harness.scan.engine import default_scenario_paths

    covering = coverage(diffs, default_scenario_paths(scenario_paths or []))
    bisected, bisect_problems = bisect_results.load_all(bisect_results.files_in(Path(results_dir) / "bisect"))
    return Inputs(runs, problems, cross, cross_problems, diffs, api_problems, covering, bisected, bisect_problems)
