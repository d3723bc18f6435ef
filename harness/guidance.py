"""Rollback pins, migration hints and deprecations, computed from the matrix.

Nothing here is written per version: every line is derived from what the
comparison observed.

* Rollback: for each candidate with breaking verdicts (default: ``regressed``,
  ``newly_unsupported``; the gate passes its policy), the newest tested
  version with none, as a requirement line and a ``pip install`` line, and
  the scenarios that force it.
* Migration: for each idiom pair (``replaced_by``), when the idiom breaks or
  warns on a candidate and its replacement passes there: "replace X with Y",
  now if the replacement also passes on the baseline, else together with the
  bump.
* Deprecations seen on the candidates, grouped by message, with the scenarios
  that raised them: what breaks next.

``Guidance.to_dict()`` is a contract (the HTML report renders it): keys
``rollback``, ``migrations``, ``deprecations`` (plus ``notes``), each a list of
dicts that each carry a one-line ``summary``. Other findings (cross-version
database or artifact compatibility, say) join through ``notes=`` of
:func:`build_guidance` or :meth:`Guidance.add_note`: dicts with a ``summary``
and optionally a ``section`` title, rendered under "Other findings".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Iterable, Mapping

from packaging.version import InvalidVersion, Version

from harness.compare import deprecations, version_key
from harness.report.model import Matrix
from harness.outcomes import BROKEN
from harness.results.runs import RunFile, ScenarioResult

#: verdicts that make a candidate unsafe when no policy is given (the gate's default)
BREAKING = ("regressed", "newly_unsupported")


@dataclass
class Guidance:
    rollback: list[dict[str, Any]] = field(default_factory=list)
    migrations: list[dict[str, Any]] = field(default_factory=list)
    deprecations: list[dict[str, Any]] = field(default_factory=list)
    #: findings from elsewhere (e.g. cross-version compatibility), each with a ``summary``
    notes: list[dict[str, Any]] = field(default_factory=list)

    def add_note(self, summary: str, section: str = "Other findings", **data: Any) -> None:
        """Add a finding computed outside this module (one-line ``summary``)."""
        self.notes.append({"section": section, "summary": summary, **data})

    def to_dict(self) -> dict[str, Any]:
        return {
            "rollback": self.rollback,
            "migrations": self.migrations,
            "deprecations": self.deprecations,
            "notes": self.notes,
        }

    def rollback_for(self, label: str) -> dict[str, Any] | None:
        return next((r for r in self.rollback if r["candidate_label"] == label), None)

    def terminal_lines(self, limit: int = 8) -> list[str]:
        lines = []
        for r in self.rollback:
            lines.append(f"ROLLBACK: {r['summary']}")
        for m in self.migrations[:limit]:
            lines.append(f"MIGRATE: {m['summary']}")
        if len(self.migrations) > limit:
            lines.append(f"MIGRATE: ... {len(self.migrations) - limit} more in results/guidance.md")
        for d in self.deprecations[:limit]:
            lines.append(f"DEPRECATED: {d['summary']}")
        if len(self.deprecations) > limit:
            lines.append(f"DEPRECATED: ... {len(self.deprecations) - limit} more in results/guidance.md")
        for n in self.notes:
            lines.append(f"NOTE: {n['summary']}")
        return lines

    def to_markdown(self) -> str:
        lines = ["## Guidance", ""]
        lines += ["### Rollback", ""]
        if not self.rollback:
            lines += ["No candidate has breaking changes against the baseline.", ""]
        for r in self.rollback:
            lines.append(f"- {_md(r['summary'])}")
            if r["requirement"]:
                lines += ["", "  ```", f"  {r['requirement']}", f"  {r['pip']}", "  ```"]
            lines.append("")
            for s in r["forced_by"]:
                lines.append(f"  - `{s['id']}`: {s['verdict']}" + (f" ({_md(s['detail'])})" if s["detail"] else ""))
            lines.append("")
        lines += ["### Migration hints", ""]
        if not self.migrations:
            lines += ["No idiom with a known replacement breaks or warns on a candidate.", ""]
        for m in self.migrations:
            lines.append(f"- {_md(m['summary'])}")
            if m.get("old_code") or m.get("new_code"):
                lines += ["", "  ```diff"]
                lines += [f"  - {line}" for line in (m.get("old_code") or m["old"]).splitlines()]
                lines += [f"  + {line}" for line in (m.get("new_code") or m["new"]).splitlines()]
                lines += ["  ```"]
            lines.append("")
        lines += ["### Deprecations seen on the candidates", ""]
        if not self.deprecations:
            lines += ["None.", ""]
        for d in self.deprecations:
            lines.append(f"- {_md(d['summary'])}")
        if self.deprecations:
            lines.append("")
        sections: dict[str, list[dict[str, Any]]] = {}
        for note in self.notes:
            sections.setdefault(note.get("section") or "Other findings", []).append(note)
        for title, notes in sections.items():
            lines += [f"### {title}", ""]
            lines += [f"- {_md(n['summary'])}" for n in notes]
            lines.append("")
        return "\n".join(lines)


def _first_line(text: Any, limit: int = 120) -> str:
    lines = str(text or "").strip().splitlines()
    first = lines[0] if lines else ""
    return first[:limit] + ("..." if len(first) > limit else "")


def _md(text: str) -> str:
    return str(text).replace("\n", " ").replace("|", "\\|")


def allowed(sid: str, allow: Mapping[str, str] | None) -> str | None:
    """The allowlist reason for ``sid`` (exact id or glob key), else None."""
    if not allow:
        return None
    if sid in allow:
        return allow[sid]
    return next((reason for key, reason in allow.items() if fnmatchcase(sid, key)), None)


def breaking_scenarios(
    comparison, breaking: Iterable[str] = BREAKING, allow: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Scenarios of one comparison with a breaking change that is not allowlisted."""
    breaking = tuple(breaking)
    out = []
    for v in comparison.verdicts.values():
        hits = [c for c in v.changes if c in breaking]
        if hits and allowed(v.id, allow) is None:
            detail = next((d for d in v.details if d), "")
            out.append({"id": v.id, "verdict": hits[0], "detail": detail})
    return out


# ---------------------------------------------------------------------------
# rollback
# ---------------------------------------------------------------------------
def _version(run: RunFile) -> Version | None:
    try:
        return Version(run.mlflow_version)
    except InvalidVersion:
        return None


def _minor(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def _upper_bound(broken: RunFile, safe: Version) -> str:
    """The narrowest-sounding ``<X`` that excludes ``broken`` and keeps ``safe``.

    The spec the broken run was resolved from ("3" -> ``<3``) reads best; fall
    back to its minor, then its exact version, when the spec would also exclude
    the safe version (safe 3.6.0, broken 3.7.1 from spec "3").
    """
    version = _version(broken)
    options = [broken.spec] if broken.spec else []
    if version is not None:
        options += [_minor(version), str(version)]
    for option in options:
        try:
            if Version(option) > safe:
                return option
        except InvalidVersion:
            continue
    return str(broken.mlflow_version)


def requirement_for(safe: RunFile, newer_broken: list[RunFile]) -> str:
    """``mlflow>=2.9,<3``: from the safe version's minor up to the oldest newer broken one."""
    version = _version(safe)
    if version is None:
        return f"mlflow=={safe.mlflow_version}"
    lower = _minor(version)
    above = sorted((r for r in newer_broken if (_version(r) or version) > version), key=version_key)
    upper = _upper_bound(above[0], version) if above else str(version.major + 1)
    return f"mlflow>={lower},<{upper}"


def _rollback(
    matrix: Matrix, breaking: tuple[str, ...], allow: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    baseline = matrix.baseline
    if baseline is None:
        return []
    forced = {
        label: breaking_scenarios(c, breaking, allow) for label, c in matrix.comparisons.items()
    }
    unsafe = [c.candidate for label, c in matrix.comparisons.items() if forced[label]]
    entries = []
    for label, comparison in matrix.comparisons.items():
        scenarios = forced[label]
        if not scenarios:
            continue
        cand = comparison.candidate
        ids = [s["id"] for s in scenarios]
        # a target must have run the scenarios that force the rollback: a run
        # made with --only that skipped them proves nothing about them
        safe = [
            r for r in matrix.installed
            if r.run_status == "complete"
            and (r is baseline or not forced.get(r.label))
            and all(sid in r.by_id() for sid in ids)
        ]
        newest_safe = max(safe, key=version_key) if safe else None
        listing = ", ".join(f"{s['id']} {s['verdict']}" for s in scenarios[:4])
        listing += f", +{len(scenarios) - 4} more" if len(scenarios) > 4 else ""
        head = f"mlflow {cand.mlflow_version}: {len(scenarios)} breaking ({listing})"
        entry: dict[str, Any] = {
            "candidate": cand.mlflow_version,
            "candidate_label": cand.label,
            "scenarios": ids,
            "forced_by": scenarios,
            "safe_version": None,
            "safe_label": None,
            "baseline_is_newest_safe": False,
            "direction": None,
            "requirement": None,
            "pip": None,
        }
        if newest_safe is None:
            entry["summary"] = (
                f"{head}; no tested version ran these scenarios without breaking changes (the "
                "baseline run is incomplete): fix the scenarios or allowlist them"
            )
        else:
            requirement = requirement_for(newest_safe, unsafe)
            is_base = newest_safe is baseline
            ahead = (_version(newest_safe) or Version("0")) > (_version(cand) or Version("0"))
            entry.update(
                safe_version=newest_safe.mlflow_version,
                safe_label=newest_safe.label,
                baseline_is_newest_safe=is_base,
                direction="upgrade" if ahead else "rollback",
                requirement=requirement,
                pip=f'pip install "{requirement}"',
            )
            if is_base:
                advice = f"the baseline {newest_safe.mlflow_version} is the newest safe version: stay on it"
            elif ahead:
                advice = f"skip it: {newest_safe.mlflow_version} is the newest tested version without them"
            else:
                advice = f"roll back to {newest_safe.mlflow_version}, the newest tested version without them"
            entry["summary"] = f"{head}; {advice}: {requirement}"
        entries.append(entry)
    return entries


# ---------------------------------------------------------------------------
# migration hints
# ---------------------------------------------------------------------------
def _problem(cell: ScenarioResult, replacement: ScenarioResult | None) -> str | None:
    """How an idiom misbehaves on a version: 'errors (...)', 'warns (...)', or None.

    Only warnings its replacement does not raise on the same version count: a
    deprecation raised by the store under every scenario (SQLAlchemy's, say)
    is no reason to change this line of code.
    """
    if cell.status in BROKEN:
        err = cell.error or {}
        why = f" ({err.get('type')}: {_first_line(err.get('message'))})" if err else ""
        return {"fail": "fails", "error": "errors", "timeout": "times out", "crashed": "crashes"}[cell.status] + why
    shared = set(deprecations(replacement)) if replacement is not None else set()
    own = [w for key, w in deprecations(cell).items() if key not in shared]
    if own:
        return f"warns ({_first_line(own[0].get('message'))})"
    return None


def _code(matrix: Matrix, sid: str) -> str | None:
    """The literal code of an idiom, from whichever run recorded it."""
    for run in reversed(matrix.installed):
        cell = matrix.cell(run, sid)
        if cell is not None and cell.code:
            return cell.code
    return None


def _replacement(matrix: Matrix, sid: str) -> str | None:
    for run in reversed(matrix.installed):
        cell = matrix.cell(run, sid)
        if cell is not None and cell.replaced_by:
            return cell.replaced_by
    return None


def _migrations(matrix: Matrix) -> list[dict[str, Any]]:
    baseline = matrix.baseline
    if baseline is None:
        return []
    entries = []
    for sid in matrix.scenario_ids:
        new_id = _replacement(matrix, sid)
        if not new_id:
            continue
        hits, blocked = [], []
        for run in matrix.candidates:
            old_cell, new_cell = matrix.cell(run, sid), matrix.cell(run, new_id)
            if old_cell is None:
                continue
            problem = _problem(old_cell, new_cell)
            if problem is None:
                continue
            if new_cell is not None and new_cell.status == "pass":
                hits.append((run, problem))
            else:
                blocked.append((run, problem, new_cell.status if new_cell else "not run"))
        if not hits and not blocked:
            continue
        base_new = matrix.cell(baseline, new_id)
        now = base_new is not None and base_new.status == "pass"
        old_raw, new_raw = _code(matrix, sid), _code(matrix, new_id)
        old_code, new_code = old_raw or sid, new_raw or new_id
        entry: dict[str, Any] = {
            "old": sid,
            "new": new_id,
            "old_code": old_raw,
            "new_code": new_raw,
            "candidates": [r.mlflow_version for r, _ in hits],
            "problems": {r.mlflow_version: p for r, p in hits},
            "baseline_status": base_new.status if base_new else None,
            "timing": "now" if now else "with_bump",
            "blocked": {r.mlflow_version: s for r, _, s in blocked},
        }
        where = "; ".join(f"{p} on {r.mlflow_version}" for r, p in hits)
        ids = f" [{sid} -> {new_id}]"
        if hits and now:
            entry["summary"] = (
                f"replace `{old_code}` with `{new_code}`: the old form {where}; the new one passes "
                f"there and on the baseline {baseline.mlflow_version}, so change it now, before the bump{ids}"
            )
        elif hits:
            state = base_new.status if base_new else "not run"
            entry["summary"] = (
                f"replace `{old_code}` with `{new_code}` together with the bump: the old form {where}; "
                f"the new one passes there but is {state} on the baseline {baseline.mlflow_version}{ids}"
            )
        else:
            entry["timing"] = None
            where = "; ".join(f"{p} on {r.mlflow_version} (replacement: {s})" for r, p, s in blocked)
            entry["summary"] = (
                f"`{old_code}` {where}; its replacement `{new_code}` does not pass there either{ids}"
            )
        entries.append(entry)
    return entries


# ---------------------------------------------------------------------------
# deprecations
# ---------------------------------------------------------------------------
def _deprecations(matrix: Matrix) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    baseline_keys = set()
    if matrix.baseline is not None:
        for cell in matrix.baseline.scenarios:
            baseline_keys.update(deprecations(cell))
    for run in matrix.candidates:
        for cell in run.scenarios:
            for key, warning in deprecations(cell).items():
                group = groups.setdefault(
                    key,
                    {
                        "category": key[0],
                        "message": str(warning.get("message", "")),
                        "scenarios": [],
                        "versions": [],
                        "on_baseline": key in baseline_keys,
                    },
                )
                if cell.id not in group["scenarios"]:
                    group["scenarios"].append(cell.id)
                if run.mlflow_version not in group["versions"]:
                    group["versions"].append(run.mlflow_version)
    out = sorted(groups.values(), key=lambda g: (g["on_baseline"], -len(g["scenarios"]), g["message"]))
    for g in out:
        first = _first_line(g["message"], 160)
        scen = ", ".join(g["scenarios"][:5]) + (f", +{len(g['scenarios']) - 5} more" if len(g["scenarios"]) > 5 else "")
        seen = "also on the baseline" if g["on_baseline"] else "new since the baseline"
        g["summary"] = f"{g['category']}: {first} [{', '.join(g['versions'])}; {seen}; raised by {scen}]"
    return out


def build_guidance(
    matrix: Matrix,
    *,
    breaking: Iterable[str] = BREAKING,
    allow: Mapping[str, str] | None = None,
    notes: Iterable[Mapping[str, Any]] = (),
) -> Guidance:
    """Guidance for every candidate of ``matrix``.

    ``breaking`` and ``allow`` decide which candidates need a rollback (the gate
    passes its policy); ``notes`` adds findings computed elsewhere.
    """
    guidance = Guidance(
        rollback=_rollback(matrix, tuple(breaking), allow),
        migrations=_migrations(matrix),
        deprecations=_deprecations(matrix),
    )
    for note in notes:
        guidance.add_note(**dict(note))
    return guidance
