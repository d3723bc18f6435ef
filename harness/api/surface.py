"""The public-surface policy: which of MLflow's objects are user-facing.

An API change is *user-facing* when one of the dotted paths a user reaches the
object by (its canonical path or a re-export, ``mlflow.models.MetricThreshold``)
has an *anchor* that an ``include`` pattern matches and no ``exclude`` pattern
does. The anchor of a path is its module-level object: the module itself for a
module, ``mlflow.entities.RunInfo`` for ``mlflow.entities.RunInfo.run_uuid``.
Members of a class therefore follow their class, and a pattern like
``mlflow.*`` (the top-level names) does not pull in ``mlflow.store``'s content.

Patterns are dotted globs matched segment by segment: ``*`` matches within one
segment (``*_pb2``), ``**`` matches any number of segments, none included.
Private names never reach the policy: the diff skips them (griffe's notion of
public: no leading underscore; imports only when listed in ``__all__``).

Defaults ship here; ``[tool.mlflow-compat.api]`` replaces them (``include``,
``exclude``) or adds to them (``extend_include``, ``extend_exclude``).
Standard library only: the configuration imports it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterable

#: what users call: the top-level API, the flavours' log/save/load/autolog
#: functions, and the modules MLflow's Python API reference documents
DEFAULT_INCLUDE: tuple[str, ...] = (
    "mlflow.*",
    "mlflow.*.log_model",
    "mlflow.*.save_model",
    "mlflow.*.load_model",
    "mlflow.*.autolog",
    "mlflow.models.*",
    "mlflow.entities.*",
    "mlflow.client.MlflowClient",
    "mlflow.tracking.*",
    "mlflow.artifacts.*",
    "mlflow.pyfunc.*",
    "mlflow.exceptions.*",
    "mlflow.data.*",
    "mlflow.deployments.*",
    "mlflow.types.*",
    "mlflow.metrics.*",
    "mlflow.projects.*",
    "mlflow.environment_variables.*",
    "mlflow.config.*",
    "mlflow.tracing.*",
    "mlflow.genai.*",
)

#: generated protocol buffers, the tracking/registry store and server
#: implementations, and helpers that are importable but not an API
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "**.*_pb2",
    "**.*_pb2_grpc",
    "mlflow.protos.**",
    "mlflow.store.**",
    "mlflow.server.**",
    "mlflow.utils.**",
    "mlflow.cli.**",
    "mlflow.java.**",
    "mlflow.R.**",
    "mlflow.*.cli.**",
    "mlflow.*.utils.**",
)


def glob_match(pattern: str, path: str) -> bool:
    """Does dotted ``path`` match dotted glob ``pattern`` (``*`` one segment, ``**`` any)?"""
    return _match(pattern.split("."), path.split("."))


def _match(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(rest, parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], head) and _match(rest, parts[1:])


@dataclass(frozen=True)
class Surface:
    """The policy: ``include`` and ``exclude`` dotted globs over anchors."""

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE

    @classmethod
    def from_settings(
        cls,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        extend_include: Iterable[str] = (),
        extend_exclude: Iterable[str] = (),
    ) -> "Surface":
        """Defaults, replaced by ``include``/``exclude`` when given, extended by ``extend_*``."""
        inc = tuple(DEFAULT_INCLUDE if include is None else include)
        exc = tuple(DEFAULT_EXCLUDE if exclude is None else exclude)
        return cls(inc + tuple(p for p in extend_include if p not in inc),
                   exc + tuple(p for p in extend_exclude if p not in exc))

    def anchor_is_user_facing(self, anchor: str) -> bool:
        return any(glob_match(p, anchor) for p in self.include) and not any(
            glob_match(p, anchor) for p in self.exclude
        )

    def user_facing(self, anchors: Iterable[str]) -> bool:
        """User-facing when any of the object's anchors is."""
        return any(self.anchor_is_user_facing(a) for a in anchors)

    def to_dict(self) -> dict[str, list[str]]:
        return {"include": list(self.include), "exclude": list(self.exclude)}

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]
