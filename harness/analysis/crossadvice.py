"""Advice derived from a cross result, as :class:`CrossAdvice` records (topic, evidence, summary).

Every item is computed from what the steps observed, never from what a version
is expected to do; a topic whose steps did not run (or whose same-version
control failed, which makes the comparison meaningless) yields no advice or
says it is inconclusive. ``summary`` is one line, ready for guidance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.outcomes import Status
from harness.remedies import named_ways_out
from harness.results.cross import CrossResult, StepResult

SECTION = "Cross-version compatibility"


@dataclass
class CrossAdvice:
    """One finding of the cross-version checks, ready for guidance."""

    topic: str  # database | upgrade_order | artifacts
    evidence: list[str]
    summary: str
    #: (baseline version, candidate version) the finding is about
    pair: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "evidence": self.evidence, "summary": self.summary}

    def as_note(self) -> dict[str, Any]:
        """The shape guidance's ``notes`` have in matrix.json."""
        return {"section": SECTION, "summary": self.summary, "topic": self.topic, "evidence": self.evidence,
                "pair": list(self.pair) if self.pair else None}

VARIANT_NAMES = {
    "sklearn_default": "sklearn models (default settings)",
    "sklearn_cloudpickle": "sklearn models (serialization_format='cloudpickle')",
    "pyfunc": "custom pyfunc models",
}


def _why(step: StepResult) -> str:
    """The error's type and first sentence (HTTP errors append a whole HTML page)."""
    err = step.error or {}
    message = (err.get("message") or step.reason or "").split(". ")[0].split(" Response body:")[0]
    text = f"{err.get('type', step.status)}: {message}".strip(": ")
    return text if len(text) <= 160 else text[:157] + "..."


def _ok(step: StepResult | None) -> bool | None:
    """True/False when the step ran to a verdict; None when it did not run."""
    if step is None or step.status in (Status.SKIPPED, Status.UNSUPPORTED):
        return None
    return step.status == Status.PASS


def _ev(*steps: StepResult | None) -> list[str]:
    return [f"{s.id} ({s.from_role}->{s.to_role}): {s.status}" for s in steps if s is not None]


def database(r: CrossResult) -> list[CrossAdvice]:
    b, c = r.baseline.mlflow_version, r.candidate.mlflow_version
    out = []
    opened = r.get("db.open_without_upgrade", "baseline", "candidate")
    if opened is not None and _ok(opened) is not None:
        before = opened.observations.get("schema_revision_before")
        after = opened.observations.get("schema_revision_after")
        if before != after:
            out.append(CrossAdvice("database", _ev(opened), (
                f"mlflow {c} migrated a {b} tracking database in place the first time it opened it "
                f"(schema {before} -> {after}), without `mlflow db upgrade`: back up the database "
                f"before any {c} client or server touches it."
            )))
        elif not _ok(opened):
            out.append(CrossAdvice("database", _ev(opened), (
                f"mlflow {c} does not open a {b} tracking database before `mlflow db upgrade` ({_why(opened)})."
            )))
    records = r.get("db.records_after_upgrade", "baseline", "candidate")
    if records is not None and records.status == Status.FAIL:
        out.append(CrossAdvice("database", _ev(records), (
            f"Records read back differently after upgrading to mlflow {c}: {_why(records)}."
        )))
    back = r.get("db.baseline_opens_upgraded", "candidate", "baseline")
    restored = r.get("db.restore_backup", "baseline", "baseline")
    if back is not None and _ok(back) is False:
        tail = " (observed: the restored backup read back every record)" if _ok(restored) else ""
        out.append(CrossAdvice("database", _ev(back, restored), (
            f"mlflow {b} cannot open the tracking database once {c} has upgraded it ({_why(back)}): "
            f"back up the database before upgrading; rolling back to {b} means restoring that backup{tail}."
        )))
    elif back is not None and _ok(back):
        out.append(CrossAdvice("database", _ev(back), (
            f"mlflow {b} still reads the tracking database after the upgrade to {c}; keep a backup anyway."
        )))
    return out


def _grid_ok(r: CrossResult, server: str, client: str) -> tuple[bool | None, list[StepResult]]:
    steps = [r.get(sid, server, client) for sid in ("server.tracking", "server.registry")]
    found = [s for s in steps if s is not None]
    verdicts = [_ok(s) for s in found]
    if not found or any(v is None for v in verdicts):
        return None, found
    return all(verdicts), found


def _first_failure(steps: list[StepResult]) -> str:
    for s in steps:
        if s.status != Status.PASS:
            op = s.observations.get("failed_op")
            return f"{s.id}{f' at {op}' if op else ''}: {_why(s)}"
    return ""


def upgrade_order(r: CrossResult) -> list[CrossAdvice]:
    b, c = r.baseline.mlflow_version, r.candidate.mlflow_version
    controls = [_grid_ok(r, role, role) for role in ("baseline", "candidate")]
    old_to_new, s1 = _grid_ok(r, "candidate", "baseline")
    new_to_old, s2 = _grid_ok(r, "baseline", "candidate")
    if old_to_new is None or new_to_old is None:
        return []
    evidence = _ev(*s1, *s2)
    if any(ok is False for ok, _ in controls):
        bad = [s for ok, steps in controls if ok is False for s in steps]
        return [CrossAdvice("upgrade_order", evidence + _ev(*bad), (
            "Upgrade order is inconclusive: a client failed against a server of its own version "
            f"({_first_failure(bad)})."
        ))]
    if old_to_new and new_to_old:
        text = (f"Upgrade servers and clients in either order: {b} clients work with a {c} server "
                f"and {c} clients with a {b} server (tracking and registry).")
    elif old_to_new:
        text = (f"Upgrade servers first: {b} clients work with a {c} server, but {c} clients fail "
                f"against a {b} server ({_first_failure(s2)}).")
    elif new_to_old:
        text = (f"Upgrade clients first: {c} clients work with a {b} server, but {b} clients fail "
                f"against a {c} server ({_first_failure(s1)}).")
    else:
        text = (f"Upgrade servers and clients together: {b} clients fail against a {c} server "
                f"({_first_failure(s1)}) and {c} clients against a {b} server ({_first_failure(s2)}).")
    return [CrossAdvice("upgrade_order", evidence, text)]


def artifacts(r: CrossResult) -> list[CrossAdvice]:
    out = []
    for writer, reader in (("candidate", "baseline"), ("baseline", "candidate")):
        w, rd = r.version(writer), r.version(reader)
        for variant, label in VARIANT_NAMES.items():
            step = r.get(f"artifacts.{variant}.load", writer, reader)
            control = r.get(f"artifacts.{variant}.load", writer, writer)
            if _ok(step) is not False or _ok(control) is not True:
                continue
            fmt = (r.get(f"artifacts.{variant}.log", writer, writer) or step).observations.get("serialization_format")
            saved = f", saved as {fmt}" if fmt else ""
            text = f"{label.capitalize()} logged by mlflow {w}{saved} cannot be loaded by {rd} ({_why(step)})."
            alt = r.get("artifacts.sklearn_cloudpickle.load", writer, reader)
            if variant == "sklearn_default" and writer == "candidate" and _ok(alt):
                text += (f" While a rollback to {rd} is possible, log sklearn models in {w} with "
                         f"serialization_format='cloudpickle' (observed: {rd} loads those).")
            out.append(CrossAdvice("artifacts", _ev(step, control), text))
    return out


def filestore(r: CrossResult) -> list[CrossAdvice]:
    """A ./mlruns written by the baseline: does the candidate open it, write it, migrate it, and can the
    baseline still read it afterwards (a rollback)?"""
    b, c = r.baseline.mlflow_version, r.candidate.mlflow_version
    out = []
    opened = r.get("filestore.open_default", "baseline", "candidate")
    if opened is not None and _ok(opened) is False:
        named = named_ways_out(opened.observations.get("raised") or {})
        migrated = r.get("filestore.read_migrated", "baseline", "candidate")
        tail = " (observed: after the migration it read back every record)" if _ok(migrated) else ""
        out.append(CrossAdvice("filestore", _ev(opened, migrated), (
            f"mlflow {c} does not open a ./mlruns file store written by {b} ({_why(opened)})"
            + (f"; the message names {named}{tail}." if named else ".")
        )))
    elif opened is not None and _ok(opened):
        out.append(CrossAdvice("filestore", _ev(opened), f"mlflow {c} reads a ./mlruns file store written by {b}."))
    back = r.get("filestore.read_back", "candidate", "baseline")
    if back is not None and _ok(back) is False:
        out.append(CrossAdvice("filestore", _ev(back), (
            f"Once mlflow {c} has written into a shared ./mlruns, {b} cannot read it back ({_why(back)}): "
            f"copy ./mlruns before any {c} client writes to it, and roll back to that copy."
        )))
    rolled = r.get("filestore.baseline_reads_migrated", "candidate", "baseline")
    if rolled is not None and _ok(rolled) is False:
        out.append(CrossAdvice("filestore", _ev(rolled), (
            f"mlflow {b} cannot open the database the migration made ({_why(rolled)}): keep ./mlruns to roll back."
        )))
    return out


def derive(r: CrossResult) -> list[CrossAdvice]:
    """All advice for one pair: database, upgrade order, artifacts, then the file store."""
    return [*database(r), *upgrade_order(r), *artifacts(r), *filestore(r)]


def for_results(results: list[CrossResult]) -> list[CrossAdvice]:
    """Advice for every cross result, each tagged with its version pair."""
    out = []
    for r in results:
        for item in derive(r):
            item.pair = (r.baseline.mlflow_version, r.candidate.mlflow_version)
            out.append(item)
    return out
