"""Migration hints from idiom pairs (``replaced_by=`` on a scenario).

When an idiom breaks or warns on a candidate and its replacement passes there:
"replace X with Y", *now* when the replacement also passes on the baseline,
*together with the bump* when it does not. Derived from the cells only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.analysis.bisection import passes_from
from harness.analysis.compare import deprecations
from harness.analysis.matrix import Matrix
from harness.analysis.text import first_line
from harness.outcomes import BROKEN, Status
from harness.remedies import named_ways_out
from harness.results.bisect import BisectResult
from harness.results.runs import ScenarioResult

#: how a broken idiom reads in a hint
_BROKEN_WORDS = {Status.FAIL: "fails", Status.ERROR: "errors", Status.TIMEOUT: "times out", Status.CRASHED: "crashes"}


@dataclass
class Migration:
    old: str
    new: str
    old_code: str | None
    new_code: str | None
    #: candidates where the old form misbehaves and the new one passes
    candidates: list[str]
    #: candidate version -> how the old form misbehaves there
    problems: dict[str, str]
    baseline_status: Status | None
    #: "now" (the replacement passes on the baseline too), "with_bump", or None (blocked everywhere)
    timing: str | None
    #: candidate version -> the replacement's status where it does not pass
    blocked: dict[str, str]
    summary: str = ""
    #: the first release from which the new form passes, when a bisect proved it
    new_passes_from: str | None = None
    #: candidate version -> the ways out the old form's own error named there
    #: (a migration command, an opt-out setting, a link: ``harness.remedies``)
    named: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem(cell: ScenarioResult, replacement: ScenarioResult | None) -> str | None:
    """How an idiom misbehaves on a version: 'errors (...)', 'warns (...)', or None.

    Only warnings its replacement does not raise on the same version count: a
    deprecation raised by the store under every scenario (SQLAlchemy's, say)
    is no reason to change this line of code.
    """
    if cell.status in BROKEN:
        err = cell.error or {}
        why = f" ({err.get('type')}: {first_line(err.get('message'))})" if err else ""
        return _BROKEN_WORDS[cell.status] + why
    shared = set(deprecations(replacement)) if replacement is not None else set()
    own = [w for key, w in deprecations(cell).items() if key not in shared]
    if own:
        return f"warns ({first_line(own[0].get('message'))})"
    return None


def _recorded(matrix: Matrix, sid: str, attribute: str) -> str | None:
    """A scenario's ``code`` or ``replaced_by``, from whichever run recorded it (newest first)."""
    for run in reversed(matrix.installed):
        cell = matrix.cell(run, sid)
        if cell is not None and getattr(cell, attribute):
            return getattr(cell, attribute)
    return None


def migrations(matrix: Matrix, bisected: list[BisectResult] | None = None) -> list[Migration]:
    baseline = matrix.baseline
    if baseline is None:
        return []
    entries = []
    for sid in matrix.scenario_ids:
        new_id = _recorded(matrix, sid, "replaced_by")
        if not new_id:
            continue
        hits, blocked = [], []
        for run in matrix.candidates:
            old_cell, new_cell = matrix.cell(run, sid), matrix.cell(run, new_id)
            if old_cell is None:
                continue
            found = problem(old_cell, new_cell)
            if found is None:
                continue
            if new_cell is not None and new_cell.status == Status.PASS:
                hits.append((run, found))
            else:
                blocked.append((run, found, new_cell.status if new_cell else "not run"))
        if not hits and not blocked:
            continue
        base_new = matrix.cell(baseline, new_id)
        now = base_new is not None and base_new.status == Status.PASS
        old_raw, new_raw = _recorded(matrix, sid, "code"), _recorded(matrix, new_id, "code")
        old_code, new_code = old_raw or sid, new_raw or new_id
        entry = Migration(
            old=sid,
            new=new_id,
            old_code=old_raw,
            new_code=new_raw,
            candidates=[r.mlflow_version for r, _ in hits],
            problems={r.mlflow_version: p for r, p in hits},
            baseline_status=base_new.status if base_new else None,
            timing="now" if now else "with_bump",
            blocked={r.mlflow_version: s for r, _, s in blocked},
        )
        where = "; ".join(f"{p} on {r.mlflow_version}" for r, p in hits)
        entry.named = {r.mlflow_version: ways for r in matrix.candidates
                       if (cell := matrix.cell(r, sid)) is not None
                       and (ways := named_ways_out(cell.observations.get("raised")))}
        if entry.named:
            where += "; " + "; ".join(f"{v} names {ways}" for v, ways in entry.named.items())
        entry.new_passes_from = passes_from(bisected or [], new_id)
        ids = f" [{sid} -> {new_id}]"
        if hits and now:
            entry.summary = (
                f"replace `{old_code}` with `{new_code}`: the old form {where}; the new one passes "
                f"there and on the baseline {baseline.mlflow_version}, so change it now, before the bump{ids}"
            )
        elif hits:
            state = base_new.status if base_new else "not run"
            since = f" (it passes from {entry.new_passes_from} on, found by bisect)" if entry.new_passes_from else ""
            entry.summary = (
                f"replace `{old_code}` with `{new_code}` together with the bump: the old form {where}; "
                f"the new one passes there but is {state} on the baseline {baseline.mlflow_version}{since}{ids}"
            )
        else:
            entry.timing = None
            where = "; ".join(f"{p} on {r.mlflow_version} (replacement: {s})" for r, p, s in blocked)
            entry.summary = f"`{old_code}` {where}; its replacement `{new_code}` does not pass there either{ids}"
        entries.append(entry)
    return entries
