"""The cross result file (``results/cross/<baseline>__<candidate>.json``): schema, load, save.

Like run files, it is the only interface between the environments that
produced it and the report, so it is stdlib-only and strict: a reader rejects a
file of another ``schema_version``, a missing field or an unknown status with
one line naming the file.

Each step records who produced what was used (``from``) and who used it
(``to``), as the role ``baseline`` or ``candidate``: for an artifact, the
writer and the reader; for the database, the version that last wrote it and
the one that opened it; for a server, the server and the client.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from harness.errors import ResultsError
from harness.outcomes import Status
from harness.results.files import check_header, json_files, load_each, read_json, save_checked

SCHEMA_VERSION = 1
KIND = "mlflow-compat-cross"
ROLES = ("baseline", "candidate")
FILE_REQUIRED = ("schema_version", "kind", "baseline", "candidate", "started_at", "duration_s", "steps")
SIDE_REQUIRED = ("spec", "mlflow_version")
STEP_REQUIRED = ("id", "area", "from", "to", "status", "duration_s", "error", "observations")


@dataclass
class Side:
    """One of the two environments: the spec it came from and the release installed."""

    spec: str
    mlflow_version: str
    python: str | None = None


@dataclass
class StepResult:
    id: str
    area: str
    #: role that produced what this step used (writer, db author, server)
    from_role: str
    #: role that used it (reader, db opener, client)
    to_role: str
    status: str
    duration_s: float = 0.0
    error: dict[str, str] | None = None
    observations: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"] = data.pop("from_role")
        data["to"] = data.pop("to_role")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "StepResult":
        return cls(
            id=data["id"], area=data["area"], from_role=data["from"], to_role=data["to"],
            status=Status(data["status"]), duration_s=float(data["duration_s"]), error=data["error"],
            observations=data["observations"] or {}, reason=data.get("reason"),
        )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.id, self.from_role, self.to_role)


@dataclass
class CrossResult:
    baseline: Side
    candidate: Side
    started_at: str
    duration_s: float = 0.0
    steps: list[StepResult] = field(default_factory=list)
    #: "complete" or "interrupted"
    run_status: str = "complete"
    selection: list[str] = field(default_factory=list)
    #: client settings the server steps ran with (retries, timeouts)
    settings: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    path: Path | None = field(default=None, compare=False, repr=False)

    def version(self, role: str) -> str:
        return (self.baseline if role == "baseline" else self.candidate).mlflow_version

    def get(self, sid: str, from_role: str, to_role: str) -> StepResult | None:
        for step in self.steps:
            if step.key == (sid, from_role, to_role):
                return step
        return None

    def area(self, area: str) -> list[StepResult]:
        return [s for s in self.steps if s.area == area]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "kind": KIND,
            "baseline": asdict(self.baseline),
            "candidate": asdict(self.candidate),
            "started_at": self.started_at,
            "duration_s": self.duration_s,
            "run_status": self.run_status,
            "selection": self.selection,
            "settings": self.settings,
            "steps": [s.to_dict() for s in self.steps],
        }


def file_name(baseline_version: str, candidate_version: str) -> str:
    return f"{baseline_version}__{candidate_version}.json"


def validate(data: Any, source: str) -> None:
    """Raise ``ResultsError`` naming ``source`` unless ``data`` is a schema-1 cross result."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ResultsError(f"{source}: not a cross-version result file (expected kind {KIND!r})")
    check_header(data, source, SCHEMA_VERSION, FILE_REQUIRED)
    for role in ROLES:
        side = data[role]
        if not isinstance(side, dict) or any(k not in side for k in SIDE_REQUIRED):
            raise ResultsError(f"{source}: {role!r} must be an object with {', '.join(SIDE_REQUIRED)}")
    if not isinstance(data["steps"], list):
        raise ResultsError(f"{source}: 'steps' must be a list")
    for i, step in enumerate(data["steps"]):
        if not isinstance(step, dict):
            raise ResultsError(f"{source}: steps[{i}] must be an object")
        for key in STEP_REQUIRED:
            if key not in step:
                raise ResultsError(f"{source}: step {step.get('id', f'#{i}')!r} is missing field {key!r}")
        if step["status"] not in Status.values():
            raise ResultsError(f"{source}: step {step['id']!r} has unknown status {step['status']!r}")
        for key in ("from", "to"):
            if step[key] not in ROLES:
                raise ResultsError(f"{source}: step {step['id']!r} has {key}={step[key]!r}; expected one of {ROLES}")


def from_dict(data: dict[str, Any], source: str = "<cross result>") -> CrossResult:
    validate(data, source)
    return CrossResult(
        baseline=Side(**{k: v for k, v in data["baseline"].items() if k in Side.__dataclass_fields__}),
        candidate=Side(**{k: v for k, v in data["candidate"].items() if k in Side.__dataclass_fields__}),
        started_at=data["started_at"],
        duration_s=float(data["duration_s"]),
        steps=[StepResult.from_dict(s) for s in data["steps"]],
        run_status=data.get("run_status", "complete"),
        selection=list(data.get("selection") or []),
        settings=dict(data.get("settings") or {}),
    )


def load(path: Path) -> CrossResult:
    """Read and validate one cross result; every failure is one ``ResultsError`` line."""
    result = from_dict(read_json(path, "cross-version result file"), str(path))
    result.path = Path(path)
    return result


def save(result: CrossResult, path: Path) -> None:
    save_checked(result.to_dict(), path, validate, indent=2)


def files_in(cross_dir: Path) -> list[Path]:
    return json_files(cross_dir, "*.json")


def load_all(paths: Iterable[Path]) -> tuple[list[CrossResult], list[str]]:
    """Every readable cross result, and one-line problems for the rest."""
    return load_each(paths, load)
