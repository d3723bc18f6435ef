"""Finding and loading what a scan reads: the API diffs for the configured (or
given) version pairs from ``results/api/``, and the run files for evidence.

A diff file is named ``<baseline>__<candidate>.json`` (exact versions), so a
spec pair (``2.9`` -> ``3``) picks the newest file whose versions match the
specs, the way ``gate`` picks runs. A needed diff that is missing is bad input
(exit 2) with the command that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from harness.config import Config
from harness.errors import HarnessError
from harness.results import api
from harness.results.api import ApiDiff
from harness.results.runs import RunFile, load_runs, run_files_in
from harness.scan.assemble import version_key
from harness.versions import matches

MAKE_IT = "python -m harness api"


@dataclass
class Inputs:
    diffs: list[ApiDiff]
    runs: list[RunFile] = field(default_factory=list)
    #: run files that could not be read (evidence only: the scan goes on)
    notes: list[str] = field(default_factory=list)


def api_dir(config: Config) -> Path:
    return config.results_dir / "api"


def _pair(path: Path) -> tuple[str, str] | None:
    stem = path.name[: -len(".json")]
    if "__" not in stem:
        return None
    baseline, _, candidate = stem.partition("__")
    return baseline, candidate


def _fits(spec: str, version: str) -> bool:
    return spec == version or matches(spec, version)


def find_diff_files(directory: Path, baseline: str, candidates: Iterable[str]) -> list[Path]:
    """One diff file per candidate spec (the newest matching versions); HarnessError naming the first missing."""
    pairs = [(p, pair) for p in api.files_in(directory) if (pair := _pair(p)) is not None]
    chosen = []
    for spec in candidates:
        found = [(p, pair) for p, pair in pairs if _fits(baseline, pair[0]) and _fits(spec, pair[1])]
        if not found:
            raise HarnessError(
                f"no API diff for mlflow {baseline} -> {spec} in {directory}; make it with `{MAKE_IT}`"
            )
        best = max(found, key=lambda item: (version_key(item[1][1]), version_key(item[1][0])))
        if best[0] not in chosen:
            chosen.append(best[0])
    return chosen


def load_diffs(paths: Iterable[Path]) -> list[ApiDiff]:
    """Every named diff file; a corrupt one is bad input (one line naming it)."""
    return [api.load(Path(p)) for p in paths]


def load_inputs(config: Config, baseline: str | None, candidates: list[str], diff_files: list[Path]) -> Inputs:
    if diff_files:
        for path in diff_files:
            if not Path(path).is_file():
                raise HarnessError(f"--diff {path}: no such file")
        diffs = load_diffs(diff_files)
    else:
        base = baseline or config.baseline
        wanted = candidates or [v for v in config.versions if v != base]
        if not wanted:
            raise HarnessError("no candidate version: give --candidate or list more than the baseline in `versions`")
        diffs = load_diffs(find_diff_files(api_dir(config), base, wanted))
    runs, problems = load_runs(run_files_in(config.runs_dir))
    return Inputs(diffs, runs, [f"run file not used as evidence: {p}" for p in problems])
