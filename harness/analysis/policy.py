"""The policy the analysis and the gate apply (``[tool.mlflow-compat.gate]``).

One record, read once from the configuration and handed to the analysis, so
the guidance (which candidates need a rollback) and the gate (which verdicts
fail) can never disagree: both ask :meth:`GatePolicy.failing` and
:meth:`GatePolicy.allowed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Mapping

from harness.outcomes import DEFAULT_FAIL_ON, Verdict


@dataclass(frozen=True)
class GatePolicy:
    #: verdicts that make a candidate fail the gate (and need a rollback)
    fail_on: tuple[Verdict, ...] = DEFAULT_FAIL_ON
    #: a median ratio past this factor (and beyond noise) is slower/faster
    slowdown_factor: float = 1.5
    #: a new deprecation (newly_warns) fails too
    fail_on_deprecations: bool = False
    #: scenario id or glob -> why it may break: reported, never failing
    allow: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fail_on", tuple(Verdict(v) for v in self.fail_on))

    @property
    def failing(self) -> tuple[Verdict, ...]:
        """The verdicts that fail: ``fail_on``, plus ``newly_warns`` with ``fail_on_deprecations``."""
        if self.fail_on_deprecations and Verdict.NEWLY_WARNS not in self.fail_on:
            return (*self.fail_on, Verdict.NEWLY_WARNS)
        return self.fail_on

    def allowed(self, sid: str) -> str | None:
        """The allowlist reason for ``sid`` (exact id or glob key), else None."""
        if sid in self.allow:
            return self.allow[sid]
        return next((reason for key, reason in self.allow.items() if fnmatchcase(sid, key)), None)
