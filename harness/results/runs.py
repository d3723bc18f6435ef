"""The run-file schema (``results/runs/<label>.json``, schema 1): load, save, validate.

Run files are the only interface between the per-version environments and the
report, so this module is stdlib-only and strict: a reader rejects a file with
another ``schema_version`` or a missing field, naming the file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from harness.errors import ResultsError
from harness.outcomes import Status
from harness.results.files import atomic_write_text, check_header, read_json

SCHEMA_VERSION = 1

#: a run file whose environment could not be installed has this run status
INSTALL_FAILED = "install_failed"

RUN_REQUIRED = (
    "schema_version",
    "label",
    "mlflow_version",
    "python_version",
    "platform",
    "packages",
    "tracking_backend",
    "started_at",
    "duration_s",
    "scenarios",
)
SCENARIO_REQUIRED = (
    "id",
    "area",
    "kind",
    "status",
    "duration_s",
    "error",
    "warnings",
    "timing",
    "metrics",
    "observations",
)
#: JSON types of the required fields, checked so a wrong-schema file is one
#: clear line here instead of a traceback deep in a renderer
_NUMBER = (int, float)
RUN_TYPES: dict[str, Any] = {
    "label": str,
    "mlflow_version": str,
    "python_version": str,
    "platform": str,
    "packages": dict,
    "tracking_backend": str,
    "started_at": str,
    "duration_s": _NUMBER,
}
SCENARIO_TYPES: dict[str, Any] = {
    "id": str,
    "area": str,
    "kind": str,
    "duration_s": _NUMBER,
    "error": (dict, type(None)),
    "warnings": list,
    "timing": (dict, type(None)),
    "metrics": dict,
    "observations": dict,
}
#: a partial run file (interrupted run) has this run status
INTERRUPTED = "interrupted"


def _type_name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number", type(None): "null"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _check_type(value: Any, kind: Any, where: str) -> None:
    if (isinstance(value, bool) and kind is _NUMBER) or not isinstance(value, kind):
        raise ResultsError(f"{where} must be {_type_name(kind)}, got {type(value).__name__}")


@dataclass
class ScenarioResult:
    id: str
    area: str
    kind: str
    status: Status
    duration_s: float
    error: dict[str, str] | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    timing: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    observations: dict[str, Any] = field(default_factory=dict)
    #: the idiom that replaces this one (migration hints), or None
    replaced_by: str | None = None
    #: the literal code an idiom runs, shown in migration hints
    code: str | None = None
    description: str | None = None
    #: why a scenario was skipped or unsupported, or how a crash ended
    reason: str | None = None

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ScenarioResult":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class RunFile:
    label: str
    mlflow_version: str
    python_version: str
    platform: str
    packages: dict[str, str]
    tracking_backend: str
    started_at: str
    duration_s: float
    scenarios: list[ScenarioResult] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    #: the spec this run was resolved from ("3" -> 3.17.2)
    spec: str | None = None
    #: "complete", "interrupted" or "install_failed"
    run_status: str = "complete"
    #: releases tried and skipped before this one, with the installer's reason
    skipped_releases: list[dict[str, str]] = field(default_factory=list)
    #: for install_failed: the installer's last lines
    install_error: str | None = None
    #: --only/--skip selection used, if any
    selection: dict[str, list[str]] = field(default_factory=dict)
    #: user scenario modules that failed to import: [{"path", "error"}]
    load_errors: list[dict[str, str]] = field(default_factory=list)
    #: how the environment was installed, as the installer recorded it
    #: (requirements, companions policy and date, the pin it came from ...)
    install: dict[str, Any] = field(default_factory=dict)
    #: the project's pytest suite, when one ran (harness/usertests): paths, command, exit, rows
    user_tests: dict[str, Any] = field(default_factory=dict)
    #: where this run file was read from (not written)
    path: Path | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("path", None)
        return data

    def by_id(self) -> dict[str, ScenarioResult]:
        return {s.id: s for s in self.scenarios}

    @property
    def installed(self) -> bool:
        return self.run_status != INSTALL_FAILED


def validate(data: Any, source: str) -> None:
    """Raise ``ResultsError`` naming ``source`` unless ``data`` is a schema-1 run file."""
    if not isinstance(data, dict):
        raise ResultsError(f"{source}: not a run file (expected a JSON object)")
    check_header(data, source, SCHEMA_VERSION, RUN_REQUIRED)
    for key, kind in RUN_TYPES.items():
        _check_type(data[key], kind, f"{source}: field {key!r}")
    if not isinstance(data["scenarios"], list):
        raise ResultsError(f"{source}: 'scenarios' must be a list")
    for i, entry in enumerate(data["scenarios"]):
        if not isinstance(entry, dict):
            raise ResultsError(f"{source}: scenarios[{i}] must be an object")
        for key in SCENARIO_REQUIRED:
            if key not in entry:
                sid = entry.get("id", f"#{i}")
                raise ResultsError(f"{source}: scenario {sid!r} is missing field {key!r}")
        sid = entry["id"] if isinstance(entry["id"], str) else f"#{i}"
        for key, kind in SCENARIO_TYPES.items():
            _check_type(entry[key], kind, f"{source}: scenario {sid!r} field {key!r}")
        error = entry["error"]
        if error is not None and not (isinstance(error.get("type"), str) and isinstance(error.get("message"), str)):
            raise ResultsError(f"{source}: scenario {sid!r} field 'error' needs string 'type' and 'message'")
        timing = entry["timing"] or {}
        samples = timing.get("samples", [])
        if not isinstance(samples, list) or not all(
            isinstance(x, _NUMBER) and not isinstance(x, bool) for x in samples
        ):
            raise ResultsError(f"{source}: scenario {sid!r} field 'timing.samples' must be a list of numbers")
        if not all(isinstance(w, dict) for w in entry["warnings"]):
            raise ResultsError(f"{source}: scenario {sid!r} field 'warnings' must be a list of objects")
        if entry["status"] not in Status.values():
            raise ResultsError(
                f"{source}: scenario {entry['id']!r} has unknown status {entry['status']!r}"
            )


def from_dict(data: dict[str, Any], source: str = "<run file>") -> RunFile:
    validate(data, source)
    known = set(RunFile.__dataclass_fields__) - {"path", "scenarios"}
    run = RunFile(**{k: v for k, v in data.items() if k in known})
    run.scenarios = [ScenarioResult.from_dict(s) for s in data["scenarios"]]
    return run


def load_run(path: Path) -> RunFile:
    """Read and validate one run file; every failure is a ``ResultsError`` naming it."""
    run = from_dict(read_json(path), str(path))
    run.path = Path(path)
    return run


def save_run(run: RunFile, path: Path) -> None:
    data = run.to_dict()
    validate(data, str(path))
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def run_files_in(runs_dir: Path) -> list[Path]:
    """Run files in a directory; partial files of interrupted runs are ignored."""
    if not runs_dir.is_dir():
        return []
    return sorted(
        p for p in runs_dir.glob("*.json") if not p.name.startswith(".") and not p.name.endswith(".partial.json")
    )


def load_runs(paths: Iterable[Path], include_interrupted: bool = False) -> tuple[list[RunFile], list[str]]:
    """Load every readable run file; return (runs, one-line problems for the rest).

    Partial files of interrupted runs are left out (with a problem line) even
    when named explicitly, so they never mix with complete runs in a report.
    """
    runs, problems = [], []
    for path in paths:
        try:
            run = load_run(path)
        except ResultsError as exc:
            problems.append(str(exc))
            continue
        if run.run_status == INTERRUPTED and not include_interrupted:
            problems.append(
                f"{path}: partial results of an interrupted run ({len(run.scenarios)} scenarios); not reported"
            )
            continue
        runs.append(run)
    return runs, problems
