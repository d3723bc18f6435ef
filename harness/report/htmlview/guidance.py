"""The guidance section, from the analysis's typed records: rollback, migrations,
deprecations and cross-version advice, each linked to the rows and sections it rests on."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.analysis.crossadvice import CrossAdvice
from harness.analysis.deprecations import DeprecationGroup
from harness.analysis.migrations import Migration
from harness.analysis.model import Analysis
from harness.analysis.rollback import Rollback
from harness.analysis.text import first_line
from harness.outcomes import Verdict
from harness.report.htmlview.common import Chip, anchor, clip, row_anchor, verdict_chip


@dataclass
class Link:
    """A scenario id and the id of its matrix row."""

    sid: str
    href: str


def link(sid: str) -> Link:
    return Link(sid, row_anchor(sid))


@dataclass
class Forcing:
    scenario: Link
    chip: Chip
    detail: str


@dataclass
class RollbackView:
    summary: str
    candidate: str
    #: "upgrade", "rollback", or "" without a safe version
    direction: str
    safe_version: str
    baseline_is_newest_safe: bool
    requirement: str
    pip: str
    forced_by: list[Forcing]


def rollback_view(r: Rollback) -> RollbackView:
    return RollbackView(
        summary=r.summary, candidate=r.candidate, direction=r.direction or "", safe_version=r.safe_version or "",
        baseline_is_newest_safe=r.baseline_is_newest_safe, requirement=r.requirement or "", pip=r.pip or "",
        forced_by=[Forcing(link(s.id), verdict_chip(Verdict(s.verdict)), clip(s.detail, 2000)) for s in r.forced_by],
    )


@dataclass
class DiffLine:
    #: "del" (the old code) or "add" (its replacement)
    kind: str
    text: str


@dataclass
class MigrationView:
    summary: str
    old: Link
    new: Link
    diff: list[DiffLine]
    #: "now", "bump" or "blocked" (css ``tag <when>``) and how it reads
    when: str
    when_text: str
    baseline_status: str
    problems: list[tuple[str, str]]
    blocked: list[tuple[str, str]]


_WHEN = {"now": ("now", "change it now"), "with_bump": ("bump", "change it with the bump"),
         None: ("blocked", "no working replacement yet")}


def migration_view(m: Migration) -> MigrationView:
    when, when_text = _WHEN.get(m.timing, _WHEN[None])
    diff = [DiffLine("del", f"- {line}") for line in (m.old_code or m.old).splitlines()]
    diff += [DiffLine("add", f"+ {line}") for line in (m.new_code or m.new).splitlines()]
    return MigrationView(
        summary=m.summary, old=link(m.old), new=link(m.new), diff=diff, when=when, when_text=when_text,
        baseline_status=str(m.baseline_status or "not run"),
        problems=[(version, m.problems.get(version, "")) for version in m.candidates],
        blocked=sorted(m.blocked.items()),
    )


@dataclass
class DeprecationView:
    summary: str
    category: str
    headline: str
    #: the whole message when the headline is cut
    message: str
    versions: list[str]
    scenarios: list[Link]
    new: bool


def deprecation_view(d: DeprecationGroup) -> DeprecationView:
    headline = first_line(d.message, 200)
    full = clip(d.message, 4000)
    return DeprecationView(
        summary=d.summary, category=d.category, headline=headline, message=full if full.strip() != headline else "",
        versions=list(d.versions), scenarios=[link(s) for s in d.scenarios], new=not d.on_baseline,
    )


@dataclass
class AdviceView:
    topic: str
    summary: str
    evidence: list[str]
    pair: str
    href: str


TOPICS = {"database": "tracking database", "upgrade_order": "upgrade order", "artifacts": "models across versions"}


def cross_anchor(baseline: str, candidate: str) -> str:
    """The id of one pair's cross-version block."""
    return anchor("x", f"{baseline}__{candidate}")


def advice_view(a: CrossAdvice) -> AdviceView:
    pair = f"{a.pair[0]} ↔ {a.pair[1]}" if a.pair else ""
    return AdviceView(TOPICS.get(a.topic, a.topic.replace("_", " ")), a.summary, list(a.evidence), pair,
                      cross_anchor(*a.pair) if a.pair else "")


@dataclass
class GuidanceView:
    policy: str
    rollback: list[RollbackView] = field(default_factory=list)
    migrations: list[MigrationView] = field(default_factory=list)
    deprecations: list[DeprecationView] = field(default_factory=list)
    cross: list[AdviceView] = field(default_factory=list)

    @property
    def new_deprecations(self) -> int:
        return sum(1 for d in self.deprecations if d.new)


def policy_line(analysis: Analysis) -> str:
    policy = analysis.policy
    line = "Rollback advice follows the gate policy: a candidate needs one when a scenario is " + \
        ", ".join(v.label for v in policy.failing)
    if policy.allow:
        line += f" ({len(policy.allow)} allowlisted: " + ", ".join(sorted(policy.allow)) + ")"
    return line + "."


def guidance(analysis: Analysis) -> GuidanceView | None:
    g = analysis.guidance
    if analysis.matrix.baseline is None:
        return None
    return GuidanceView(
        policy=policy_line(analysis),
        rollback=[rollback_view(r) for r in g.rollback],
        migrations=[migration_view(m) for m in g.migrations],
        deprecations=[deprecation_view(d) for d in g.deprecations],
        cross=[advice_view(a) for a in g.cross],
    )
