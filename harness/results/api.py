"""The API-diff result file (``results/api/<baseline>__<candidate>.json``): schema, load, save.

Produced statically (griffe over each release's source; nothing imported) by
``harness.api``; read by the scan of the user's code and by the analysis.
One file holds both directions for a version pair:

* ``upgrade``: what code written for the baseline hits on the candidate;
* ``rollback``: what code written for the candidate hits on the baseline.

Each change is one :class:`ApiChange`, a typed record in the manner of
griffe's ``Breakage``: its kind, the object it concerns, the old and new
value, where it is in the release, and the public paths a user reaches it by.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterable

from harness.errors import ResultsError
from harness.results.files import check_header, json_files, load_each, read_json, save_checked

SCHEMA_VERSION = 1
KIND = "mlflow-compat-api"
DIRECTIONS = ("upgrade", "rollback")
FILE_REQUIRED = ("schema_version", "kind", "baseline", "candidate", "created_at", "changes")
CHANGE_REQUIRED = ("kind", "direction", "path", "name", "old", "new", "file", "line", "public_paths", "user_facing")


class ChangeKind(str, Enum):
    """What changed; one value per way old code can break on the new release."""

    OBJECT_REMOVED = "object_removed"  # a module, class, function or attribute is gone
    PARAMETER_REMOVED = "parameter_removed"  # a parameter is gone (a keyword passing it fails)
    PARAMETER_RENAMED = "parameter_renamed"  # removed here, a new one in its position (old -> new name)
    PARAMETER_MOVED = "parameter_moved"  # same name, another position (positional calls bind differently)
    REQUIRED_PARAMETER_ADDED = "required_parameter_added"  # calls without it fail
    DEFAULT_CHANGED = "default_changed"  # same call, other behaviour
    KIND_CHANGED = "kind_changed"  # positional -> keyword-only, function -> class, ...

    def __str__(self) -> str:
        return str(self.value)

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass
class ApiChange:
    kind: ChangeKind
    #: "upgrade" (baseline -> candidate) or "rollback" (candidate -> baseline)
    direction: str
    #: canonical dotted path of the object in the release it was *removed from or changed in*:
    #: the function for parameter changes (``...MetricThreshold.__init__``), the object itself otherwise
    path: str
    #: the parameter concerned, for parameter kinds; None for object kinds
    name: str | None
    #: the old and new value, as text; None when absent. By kind:
    #: object_removed: old None, new a path that still reaches the object in the new release (a
    #: re-export dropped, the defining module kept) or None; parameter_removed: old the default;
    #: parameter_renamed: old and new name; parameter_moved: old and new position (0-based
    #: argument positions at the call site: a method's ``self``/``cls`` is not counted);
    #: required_parameter_added: (None, "position N") for a new parameter,
    #: ("default X", "required") for one that lost its default; default_changed: the defaults;
    #: kind_changed: the kinds (module/class/function/property/attribute, or a parameter kind
    #: like "positional or keyword" -> "keyword-only" when ``name`` is set)
    old: str | None
    new: str | None
    #: where the old object is defined in the old release (path relative to site-packages), and its line;
    #: for a removed re-export, the import line; for parameter kinds, the function that declares them
    file: str | None
    line: int | None
    #: dotted paths a user can import or reach the object by in the old release
    #: (``mlflow.models.MetricThreshold``, ``mlflow.MetricThreshold``), canonical path included.
    #: For parameter changes these are the paths a user *calls*: the class's paths for ``__init__``
    #: (``MetricThreshold(...)``), ``<class path>.<method>`` for a method. For object_removed only the
    #: paths that no longer resolve (a re-export can go while the object stays).
    public_paths: list[str] = field(default_factory=list)
    #: inside the public-surface policy (user-facing) or not
    user_facing: bool = True
    #: a one-line explanation, ruff-style
    message: str = ""
    #: what the old object is: module, class, function, property or attribute
    #: (for parameter kinds: the function whose signature changed)
    object_kind: str | None = None
    #: parameter_removed only: the new signature still accepts the argument through
    #: ``**kwargs``/``*args`` (no TypeError at the call; the argument is no longer declared)
    absorbed: bool = False
    #: the ``functools.wraps`` target whose signature was compared, when the function only forwards
    via: str | None = None
    #: parameter kinds: the parameter's argument position in the old signature (0-based, at the call
    #: site: ``self``/``cls`` not counted); None when it cannot be passed positionally or is new
    position: int | None = None

    def __post_init__(self) -> None:
        self.kind = ChangeKind(self.kind)
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ApiChange":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ApiDiff:
    baseline: str
    candidate: str
    created_at: str
    changes: list[ApiChange] = field(default_factory=list)
    #: how the diff was made: tool versions, the surface policy, timings
    settings: dict[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION
    path: Path | None = field(default=None, compare=False, repr=False)

    def direction(self, direction: str, user_facing_only: bool = False) -> list[ApiChange]:
        return [c for c in self.changes if c.direction == direction and (c.user_facing or not user_facing_only)]

    def counts(self, direction: str, user_facing_only: bool = False) -> dict[str, int]:
        """Changes by kind (``ChangeKind`` order, kinds with none left out)."""
        found = [c.kind for c in self.direction(direction, user_facing_only)]
        return {k.value: found.count(k) for k in ChangeKind if k in found}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "kind": KIND,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "created_at": self.created_at,
            "settings": self.settings,
            "changes": [c.to_dict() for c in self.changes],
        }


def file_name(baseline_version: str, candidate_version: str) -> str:
    return f"{baseline_version}__{candidate_version}.json"


def validate(data: Any, source: str) -> None:
    """Raise ``ResultsError`` naming ``source`` unless ``data`` is a schema-1 API diff."""
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ResultsError(f"{source}: not an API diff file (expected kind {KIND!r})")
    check_header(data, source, SCHEMA_VERSION, FILE_REQUIRED)
    if not isinstance(data["changes"], list):
        raise ResultsError(f"{source}: 'changes' must be a list")
    kinds = {k.value for k in ChangeKind}
    for i, change in enumerate(data["changes"]):
        if not isinstance(change, dict):
            raise ResultsError(f"{source}: changes[{i}] must be an object")
        for key in CHANGE_REQUIRED:
            if key not in change:
                raise ResultsError(f"{source}: change #{i} is missing field {key!r}")
        if change["kind"] not in kinds:
            raise ResultsError(f"{source}: change #{i} has unknown kind {change['kind']!r}")
        if change["direction"] not in DIRECTIONS:
            raise ResultsError(f"{source}: change #{i} has unknown direction {change['direction']!r}")


def from_dict(data: dict[str, Any], source: str = "<api diff>") -> ApiDiff:
    validate(data, source)
    return ApiDiff(
        baseline=data["baseline"],
        candidate=data["candidate"],
        created_at=data["created_at"],
        changes=[ApiChange.from_dict(c) for c in data["changes"]],
        settings=dict(data.get("settings") or {}),
    )


def load(path: Path) -> ApiDiff:
    diff = from_dict(read_json(path, "API diff file"), str(path))
    diff.path = Path(path)
    return diff


def save(diff: ApiDiff, path: Path) -> None:
    save_checked(diff.to_dict(), path, validate, indent=1)


def files_in(api_dir: Path) -> list[Path]:
    return json_files(api_dir, "*.json")


def load_all(paths: Iterable[Path]) -> tuple[list[ApiDiff], list[str]]:
    return load_each(paths, load)
