"""How a gate result reads: terminal lines, and the step summary's Markdown section."""

from __future__ import annotations

from harness.analysis.guidance import Guidance
from harness.gate import GateResult


def _names(result: GateResult) -> str:
    return ", ".join(r.mlflow_version if r.installed else (r.spec or r.label) for r in result.candidates) or "none"


def lines(result: GateResult, guidance: Guidance) -> list[str]:
    """The gate's terminal output: policy, violations, allowlist notes, rollback and migration advice, verdict."""
    policy = result.policy
    out = [
        f"gate: baseline mlflow {result.baseline.mlflow_version}; candidates: {_names(result)}; fails on "
        f"{', '.join(str(v) for v in policy.failing)} (slowdown factor {policy.slowdown_factor:g})"
    ]
    out += [f"VIOLATION {v.line()}" for v in result.failing]
    out += [f"allowed   {v.line()}: {v.allowed_because}" for v in result.allowed]
    out += [f"note: {note}" for note in result.notes]
    bad = set(result.failing_candidates)
    for run in result.candidates:
        if run.mlflow_version not in bad and (run.spec or run.label) not in bad:
            continue
        rollback = guidance.rollback_for(run.label)
        if rollback:
            out.append(f"  rollback: {rollback.summary}")
            if rollback.pip:
                out.append(f"            {rollback.pip}")
    out += [f"  migrate: {m.summary}" for m in guidance.migrations if set(m.candidates) & bad]
    verdict = "PASS" if result.passed else "FAIL"
    where = result.failing_candidates
    out.append(
        f"gate: {verdict}: {len(result.failing)} violation(s)"
        + (f" in {', '.join(where)}" if where else "")
        + (f", {len(result.allowed)} allowed" if result.allowed else "")
    )
    return out


def summary_markdown(result: GateResult, guidance: Guidance) -> str:
    """The gate's section of the GitHub step summary."""
    verdict = "PASS" if result.passed else "FAIL"
    md = [f"## mlflow-compat gate: {verdict}", ""]
    md.append(f"Baseline mlflow {result.baseline.mlflow_version}; candidates: {_names(result)}")
    md.append("")
    if result.failing or result.allowed:
        md += ["| candidate | scenario | verdict | reason | allowed |", "|---|---|---|---|---|"]
        for v in result.failing + result.allowed:
            reason = v.reason.replace("|", "\\|").replace("\n", " ")
            md.append(f"| {v.candidate} | `{v.scenario}` | {v.verdict} | {reason} | {v.allowed_because or ''} |")
        md.append("")
    md += [f"- {r.summary}" for r in guidance.rollback]
    md.append("")
    return "\n".join(md) + "\n"
