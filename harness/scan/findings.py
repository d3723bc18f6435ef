"""The typed records a scan produces: one :class:`Finding` per affected place
in the user's code, one :class:`Problem` per input that could not be scanned.

Each rule kind has a stable code (ruff-style, ``MLC001``...): codes are what
editors, SARIF viewers and ``# noqa``-style tooling key on, so never renumber
one. Formatters (``harness.scan.formats``) are functions over these records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class Severity:
    """How a finding affects the user: spelled once, here."""

    BREAKS = "breaks"  # fails on the candidate (an upgrade-direction API change)
    DEPRECATED = "deprecated"  # works on the candidate, with a deprecation observed there
    ROLLBACK_BREAKS = "rollback-breaks"  # code written for the candidate fails on the baseline

    ORDER = (BREAKS, ROLLBACK_BREAKS, DEPRECATED)


class Confidence:
    HIGH = "high"  # the callee or receiver resolved to an mlflow object through imports
    LOW = "low"  # matched by member name on a receiver whose type is not known


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # PascalCase, as SARIF's reportingDescriptor.name
    summary: str  # one line: what the rule finds
    help: str  # what to do about it


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("MLC001", "RemovedKeywordArgument",
             "a keyword argument the called MLflow function no longer accepts",
             "Remove the argument or pass its replacement; the call raises TypeError as it is."),
        Rule("MLC002", "RenamedKeywordArgument",
             "a keyword argument whose parameter was renamed",
             "Pass the argument under its new name (`--fix` does this)."),
        Rule("MLC003", "MovedPositionalArgument",
             "a positional argument whose parameter moved: it binds to another parameter",
             "Pass the argument by keyword; positional calls are never rewritten automatically."),
        Rule("MLC004", "RemovedObject",
             "an import or reference of an MLflow module, class, function or attribute that was removed",
             "Use the replacement API; the import or attribute access raises as it is."),
        Rule("MLC005", "RemovedMember",
             "an attribute or method of an MLflow object that was removed",
             "Use the replacement attribute or method (AttributeError as it is)."),
        Rule("MLC006", "MissingRequiredArgument",
             "a call that does not pass a parameter which became required",
             "Pass the new required argument."),
        Rule("MLC007", "ParameterKindChanged",
             "an argument passed in a way its parameter no longer accepts (positional/keyword-only)",
             "Pass the argument the way the new signature accepts it."),
        Rule("MLC010", "DeprecatedUsage",
             "a use of an MLflow API that raised a deprecation warning when a scenario called it",
             "Move to the replacement before the API is removed."),
    )
}


@dataclass
class Finding:
    """One affected place in the user's code."""

    path: str  # as given on the command line (relative paths stay relative)
    line: int  # 1-based
    col: int  # 1-based, in characters
    end_line: int
    end_col: int
    source: str  # the source line, without its newline
    code: str
    message: str
    severity: str
    confidence: str
    #: the dotted path the user's code reached (``mlflow.models.MetricThreshold``) and
    #: the parameter or member concerned, when there is one
    api: str
    name: str | None = None
    #: the versions this applies to: candidates for breaks/deprecated, the baseline for rollback-breaks
    versions: list[str] = field(default_factory=list)
    #: the API-diff records behind the finding (``ApiChange.to_dict()`` plus the pair), if any
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: one line each: the diff record, the matrix cells of scenarios covering the same API, warnings
    evidence: list[str] = field(default_factory=list)
    replacement: str | None = None
    #: a keyword rename ``--fix`` may apply: {"old", "new", "rollback"} (rollback: why it breaks rollback, or None)
    fix: dict[str, Any] | None = None

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def key(self) -> tuple:
        """Identity across candidates: the same place, rule, severity and API."""
        return (self.path, self.line, self.col, self.code, self.severity, self.api, self.name)

    def to_dict(self) -> dict[str, Any]:
        # by hand rather than dataclasses.asdict, whose deep copy dominated a big scan's JSON output
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["versions"] = list(self.versions)
        data["changes"] = [dict(c) for c in self.changes]
        data["evidence"] = list(self.evidence)
        data["fix"] = dict(self.fix) if self.fix is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Problem:
    """An input the scan could not read; one line, the rest is scanned."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None

    def text(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.col or 1}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sort_key(finding: Finding) -> tuple:
    return (finding.path, finding.line, finding.col, finding.code, Severity.ORDER.index(finding.severity)
            if finding.severity in Severity.ORDER else 9, finding.api, finding.name or "")
