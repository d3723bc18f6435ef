"""The two vocabularies every part of the harness shares, spelled once.

``Status``: how one scenario ended on one version (DESIGN.md, "Outcomes").
``Verdict``: how a candidate's cell differs from the baseline's ("Comparison
verdicts"), with its severity rank and whether it breaks the default policy.

Both are ``str`` enums: a member compares equal to its value, is written to
JSON as its value, and prints as its value, so result files keep plain
strings and readers turn them back into members with ``Status(text)``.
"""

from __future__ import annotations

from enum import Enum


class _Word(str, Enum):
    """A str enum that formats as its value on every Python version."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    def __hash__(self) -> int:
        # equal to its value, so it must hash like it: "fail" in {Status.FAIL}
        return hash(self.value)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)


class Status(_Word):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    UNSUPPORTED = "unsupported"
    SKIPPED = "skipped"
    TIMEOUT = "timeout"
    CRASHED = "crashed"

    @property
    def broken(self) -> bool:
        """The scenario did not work on this version (an assertion, an exception, a hang, a crash)."""
        return self in BROKEN


#: statuses meaning "the scenario did not work on this version"
BROKEN = frozenset({Status.FAIL, Status.ERROR, Status.TIMEOUT, Status.CRASHED})


class Verdict(_Word):
    """A candidate cell against the baseline cell; declared most severe first."""

    REGRESSED = "regressed"
    NEWLY_UNSUPPORTED = "newly_unsupported"
    GONE = "gone"
    SLOWER = "slower"
    NEWLY_WARNS = "newly_warns"
    CHANGED = "changed"
    NEW = "new"
    FIXED = "fixed"
    FASTER = "faster"
    SAME = "same"

    @property
    def severity(self) -> int:
        """0 for the most severe; the primary verdict of a cell is the lowest."""
        return list(Verdict).index(self)

    @property
    def breaking(self) -> bool:
        """Breaks the candidate for code that worked on the baseline (the gate's default ``fail_on``)."""
        return self in (Verdict.REGRESSED, Verdict.NEWLY_UNSUPPORTED)

    @property
    def flagged(self) -> bool:
        """Worth marking in a cell; ``same`` and ``new`` stay quiet."""
        return self not in (Verdict.SAME, Verdict.NEW)

    @property
    def label(self) -> str:
        """``newly unsupported``: the verdict as words."""
        return self.value.replace("_", " ")


def most_severe(verdicts: "list[Verdict] | tuple[Verdict, ...]") -> Verdict:
    """The primary verdict among ``verdicts`` (``same`` when there are none)."""
    return min(verdicts, key=lambda v: v.severity, default=Verdict.SAME)


#: verdicts the gate fails on when the policy names none
DEFAULT_FAIL_ON = tuple(v for v in Verdict if v.breaking)
