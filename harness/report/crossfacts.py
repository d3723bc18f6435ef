"""What a cross-version result says, in words every format shares: a step's outcome, why it
failed, what each version saved a model as, the load directions, a schema change.

Plain text, unescaped: :mod:`harness.report.cross` (Markdown) and
:mod:`harness.report.htmlview.cross` (HTML) escape it their own way.
"""

from __future__ import annotations

from typing import Any

from harness.crossversion.artifacts import VARIANTS  # noqa: F401 - the variants both formats tabulate
from harness.crossversion.database import STEPS as DB_WHAT
from harness.outcomes import Status
from harness.results.cross import ROLES, CrossResult, StepResult

DB_STEPS = tuple(DB_WHAT)


def step_text(step: StepResult) -> str:
    """``pass``, or the status with where and what failed: ``error (at log_model: MlflowException)``."""
    text = str(step.status)
    if step.status == Status.PASS:
        return text
    op, kind = step.observations.get("failed_op"), (step.error or {}).get("type")
    where = f"at {op}" if op else ""
    if where and kind:
        return f"{text} ({where}: {kind})"
    return f"{text} ({where or kind})" if where or kind else text


def step_why(step: StepResult) -> str:
    """The error's type and message, without the HTML body an HTTP error appends (each format clips it)."""
    err = step.error or {}
    message = str(err.get("message") or step.reason or "").split(" Response body:")[0]
    return f"{err.get('type', '')}: {message}".strip(": ")


def load_pairs() -> list[tuple[str, str]]:
    """(writer, reader) roles: each version reads its own models, then the other's."""
    return [(w, rd) for w in ROLES for rd in ((w,) + tuple(x for x in ROLES if x != w))]


def direction(r: CrossResult, writer: str, reader: str) -> str:
    return f"{r.version(writer)} → {r.version(reader)}"


def saved_formats(r: CrossResult, variant: str) -> str:
    """What each version saved the variant's model as: ``2.9.2: cloudpickle; 3.17.2: skops``."""
    formats = []
    for writer in ROLES:
        log = r.get(f"artifacts.{variant}.log", writer, writer)
        if log is None:
            continue
        fmt = log.observations.get("serialization_format") or log.observations.get("model_file")
        formats.append(f"{r.version(writer)}: " + (str(fmt) if log.status == Status.PASS else f"not logged ({log.status})"))
    return "; ".join(formats)


def schema_change(observations: dict[str, Any]) -> str:
    """``acf3f17fdcc7 → dc11669786a5`` when a step saw a schema revision, else ''."""
    before, after = observations.get("schema_revision_before"), observations.get("schema_revision_after")
    return f"{before or '–'} → {after or '–'}" if (before or after) else ""
