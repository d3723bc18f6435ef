"""Where the runs ran: versions that could not be installed (the installer's last
lines) and the environments table (exact versions, differences from the baseline
highlighted, how each environment was installed, releases a spec skipped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.analysis.model import Analysis
from harness.analysis.text import first_line
from harness.report.htmlview.common import anchor, clip, json_text, last_line
from harness.results.runs import RunFile

#: packages listed first in the environment table, when a run recorded them
KEY_PACKAGES = ("mlflow", "scikit-learn", "numpy", "pandas", "sqlalchemy", "setuptools", "pydantic", "protobuf")
#: lines of installer output kept per failed version
INSTALL_TAIL = 20


@dataclass
class Skipped:
    version: str
    headline: str
    reason: str


@dataclass
class SkippedReleases:
    spec: str
    releases: list[Skipped]


def skipped_releases(run: RunFile) -> SkippedReleases | None:
    if not run.skipped_releases:
        return None
    return SkippedReleases(str(run.spec), [
        Skipped(str(s.get("version")), first_line(s.get("reason"), 200), clip(s.get("reason")))
        for s in run.skipped_releases
    ])


@dataclass
class InstallFailure:
    title: str
    id: str
    last_line: str
    cut: str
    tail: str
    skipped: SkippedReleases | None


def install_failures(analysis: Analysis) -> list[InstallFailure] | None:
    out = []
    for run in analysis.matrix.install_failures:
        lines = (run.install_error or "no output").strip().splitlines()
        cut = f" (last {INSTALL_TAIL} of {len(lines)} lines)" if len(lines) > INSTALL_TAIL else ""
        out.append(InstallFailure(run.spec or run.label, anchor("i", run.label), last_line(run.install_error), cut,
                                  "\n".join(clip(line, 2000) for line in lines[-INSTALL_TAIL:]),
                                  skipped_releases(run)))
    return out or None


@dataclass
class EnvCell:
    text: str
    differs: bool = False


@dataclass
class EnvRow:
    name: str
    cells: list[EnvCell]


@dataclass
class Environments:
    labels: list[str]
    rows: list[EnvRow]
    packages: list[EnvRow]
    install: list[EnvRow] = field(default_factory=list)
    skipped: list[SkippedReleases] = field(default_factory=list)


def _row(name: str, values: list[Any], base: int | None, compare: bool = False) -> EnvRow:
    base_value = values[base] if base is not None else None
    return EnvRow(name, [EnvCell("—" if v is None else clip(v, 2000), compare and v != base_value) for v in values])


def _install_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(str(v) for v in value) or "—"
    return json_text(value)


def environments(analysis: Analysis) -> Environments | None:
    matrix = analysis.matrix
    runs = matrix.installed
    if not runs:
        return None
    base = runs.index(matrix.baseline) if matrix.baseline in runs else None
    names = {n for r in runs for n in r.packages}
    ordered = [n for n in KEY_PACKAGES if n in names] + sorted(names - set(KEY_PACKAGES))
    rows = [
        _row("spec", [r.spec for r in runs], base),
        _row("python", [r.python_version for r in runs], base),
        _row("platform", [r.platform for r in runs], base),
        _row("tracking backend", [r.tracking_backend for r in runs], base),
        _row("run", [r.run_status for r in runs], base),
        _row("started", [r.started_at for r in runs], base),
        _row("duration", [f"{r.duration_s:.1f}s" for r in runs], base),
        _row("selection", [" ".join(f"--{k} {' '.join(v)}" for k, v in r.selection.items()) or "all" for r in runs],
             base),
    ]
    installs = [r.install if isinstance(r.install, dict) else {} for r in runs]
    keys = list(dict.fromkeys(str(k) for facts in installs for k in facts))
    return Environments(
        labels=[r.label for r in runs],
        rows=rows,
        packages=[_row(n, [r.packages.get(n) for r in runs], base, compare=True) for n in ordered],
        install=[_row(k, [_install_text(facts.get(k)) for facts in installs], base) for k in keys],
        skipped=[s for s in (skipped_releases(r) for r in runs) if s is not None],
    )
