"""How a gate result reads: terminal lines, and the step summary's Markdown section."""

from __future__ import annotations

from harness.analysis.guidance import Guidance
from harness.gate import GateResult, Violation
from harness.report.escape import md, md_cell, md_code, md_table, term


def _names(result: GateResult) -> str:
    return ", ".join(r.mlflow_version if r.installed else (r.spec or r.label) for r in result.candidates) or "none"


def lines(result: GateResult, guidance: Guidance) -> list[str]:
    """The gate's terminal output: policy, violations, allowlist notes, rollback and migration advice, verdict."""
    policy = result.policy
    out = [
        f"gate: baseline mlflow {term(result.baseline.mlflow_version)}; candidates: {term(_names(result))}; fails on "
        f"{', '.join(str(v) for v in policy.failing)} (slowdown factor {policy.slowdown_factor:g})"
    ]
    out += [f"VIOLATION {term(v.line())}" for v in result.failing]
    out += [f"allowed   {term(v.line())}: {term(v.allowed_because)}" for v in result.allowed]
    out += [f"note: {term(note)}" for note in result.notes]
    bad = set(result.failing_candidates)
    for run in result.candidates:
        if run.mlflow_version not in bad and (run.spec or run.label) not in bad:
            continue
        rollback = guidance.rollback_for(run.label)
        if rollback:
            out.append(f"  rollback: {term(rollback.summary)}")
            if rollback.pip:
                out.append(f"            {term(rollback.pip)}")
    out += [f"  migrate: {term(m.summary)}" for m in guidance.migrations if set(m.candidates) & bad]
    out += [f"BREAKS {term(finding_line(f))}" for f in result.breaking_calls]
    verdict = "PASS" if result.passed else "FAIL"
    where = result.failing_candidates
    out.append(
        f"gate: {verdict}: {len(result.failing)} violation(s)"
        + (f" in {term(', '.join(where))}" if where else "")
        + (f", {len(result.allowed)} allowed" if result.allowed else "")
        + (f", {len(result.breaking_calls)} call site(s) in your code break" if result.breaking_calls else "")
    )
    return out


def finding_line(finding) -> str:
    """``path:line:col: CODE message``, the scan's own line for a finding."""
    from harness.scan.formats import finding_line as line

    return line(finding)


def summary_markdown(result: GateResult, guidance: Guidance) -> str:
    """The gate's section of the GitHub step summary."""
    verdict = "PASS" if result.passed else "FAIL"
    lines = [f"## mlflow-compat gate: {verdict}", ""]
    lines.append(f"Baseline mlflow {md(result.baseline.mlflow_version)}; candidates: {md(_names(result))}")
    lines.append("")
    if result.failing or result.allowed:
        rows = [_row(v) for v in result.failing + result.allowed]
        lines += [md_table(["candidate", "scenario", "verdict", "reason", "allowed"], rows), ""]
    lines += [f"- {md(r.summary)}" for r in guidance.rollback]
    lines.append("")
    if result.breaking_calls:
        from harness.scan.formats import markdown as scan_markdown

        lines += [scan_markdown(result.breaking_calls), ""]
    return "\n".join(lines) + "\n"


def _row(v: Violation) -> list[str]:
    return [md_cell(v.candidate), md_code(v.scenario, table=True), md_cell(v.verdict), md_cell(v.reason),
            md_cell(v.allowed_because or "")]
