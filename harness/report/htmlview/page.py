"""The page's frame and overview sections: header, notes on the inputs, summary cards, differences."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from harness.analysis.model import Analysis
from harness.outcomes import Verdict
from harness.report.htmlview.common import Chip, allowlisted, anchor, change_chips, row_anchor, verdict_chip


def title(analysis: Analysis) -> str:
    versions = ", ".join(r.mlflow_version for r in analysis.matrix.installed)
    return f"MLflow compatibility matrix ({versions})" if versions else "MLflow compatibility matrix"


@dataclass
class Header:
    baseline: str | None
    candidates: list[str]
    scenarios: int
    installed: int
    not_installable: int
    generated: str


def header(analysis: Analysis) -> Header:
    matrix = analysis.matrix
    return Header(
        baseline=matrix.baseline.mlflow_version if matrix.baseline else None,
        candidates=[r.mlflow_version for r in matrix.candidates],
        scenarios=len(matrix.scenario_ids),
        installed=len(matrix.installed),
        not_installable=len(matrix.install_failures),
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


def problems(analysis: Analysis) -> list[str] | None:
    """One line per input the matrix could not use as it is."""
    matrix = analysis.matrix
    lines = [f"skipped file: {p}" for p in matrix.problems]
    lines += [f"older run superseded: {r.path or r.label}" for r in matrix.superseded]
    lines += [f"scenario module not loaded ({run.label}): {e.get('path')}: {e.get('error')}"
              for run in matrix.installed for e in run.load_errors]
    lines += [f"skipped cross-version file: {p}" for p in analysis.cross_problems]
    return lines or None


@dataclass
class Card:
    title: str
    vs: str | None
    #: "bad" (fails the gate policy), "attn" (other changes) or "ok"
    level: str
    chips: list[Chip]
    #: one line on the gate policy and the rollback advice
    gate: str = ""
    link: str | None = None


def _card(analysis: Analysis, label: str) -> Card:
    comparison = analysis.matrix.comparisons[label]
    policy = analysis.policy
    counts: dict[Verdict, int] = {}  # every change, not just each scenario's primary verdict
    for v in comparison.verdicts.values():
        for name in v.changes or [v.verdict]:
            counts[Verdict(name)] = counts.get(Verdict(name), 0) + 1
    chips = [verdict_chip(v, count=counts[v]) for v in Verdict if counts.get(v)]
    failing = set(policy.failing)
    breaking = [v for v in comparison.verdicts.values() if failing & set(v.changes) and policy.allowed(v.id) is None]
    attention = any(v.flagged and v not in (Verdict.FIXED, Verdict.FASTER) for v in counts)
    rollback = analysis.guidance.rollback_for(label)
    if breaking:
        gate = f"{len(breaking)} breaking under the gate policy"
        if rollback is not None and rollback.requirement:
            gate += f"; newest safe: {rollback.safe_version} ({rollback.requirement})"
    else:
        gate = "within the gate policy"
    return Card(
        title=comparison.candidate.mlflow_version,
        vs=comparison.baseline.mlflow_version,
        level="bad" if breaking else "attn" if attention else "ok",
        chips=chips,
        gate=gate,
        link=anchor("d", label),
    )


def summary(analysis: Analysis) -> list[Card] | None:
    matrix = analysis.matrix
    cards = [_card(analysis, label) for label in matrix.comparisons]
    cards += [Card(run.spec or run.label, None, "bad", [Chip("vd-regressed", "install failed")],
                   link=anchor("i", run.label)) for run in matrix.install_failures]
    return cards or None


@dataclass
class DifferenceRow:
    sid: str
    link: str
    chips: list[Chip]
    details: list[str]
    allowed: str | None = None


@dataclass
class DifferenceBlock:
    title: str
    id: str
    rows: list[DifferenceRow] = field(default_factory=list)


def differences(analysis: Analysis) -> list[DifferenceBlock] | None:
    """Per candidate, every scenario that is not ``same``, most severe first."""
    blocks = []
    for label, comparison in analysis.matrix.comparisons.items():
        block = DifferenceBlock(f"{comparison.candidate.mlflow_version} vs {comparison.baseline.mlflow_version}",
                                anchor("d", label))
        for v in sorted(comparison.verdicts.values(), key=lambda v: (v.verdict.severity, v.id)):
            if v.verdict == Verdict.SAME:
                continue
            block.rows.append(DifferenceRow(v.id, row_anchor(v.id), change_chips(v), list(v.details),
                                            allowlisted(analysis.policy, v)))
        blocks.append(block)
    return blocks or None
