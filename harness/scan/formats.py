"""Scan findings as text: ruff-style terminal lines, JSON, GitHub annotations
and a Markdown summary (SARIF is ``harness.scan.sarif``).

Every string here may come from outside (the user's source lines, exception
messages from run files, ids): terminal output has control characters made
visible, annotations are escaped the way GitHub's toolkit escapes them,
Markdown has its table and inline-code characters neutralised.
"""

from __future__ import annotations

import json
from typing import Iterable

from harness.analysis.text import counted
from harness.report.escape import md_cell, md_code, md_table, term
from harness.scan.engine import ScanResult
from harness.scan.findings import Confidence, Finding, Problem, Severity

# -- terminal -------------------------------------------------------------------------------
def printable(text: object) -> str:
    """``text`` as one terminal line: control characters (ANSI escapes, newlines, NUL ...) shown as ``\\xNN``."""
    return term(text, one_line=True)


def _label(finding: Finding) -> str:
    low = ", low confidence" if finding.confidence == Confidence.LOW else ""
    return f"[{finding.severity}{low}]"


def finding_line(finding: Finding) -> str:
    """``path:line:col: CODE message [severity]``: what editors and CI log parsers read."""
    return printable(f"{finding.location}: {finding.code} {finding.message} {_label(finding)}")


def finding_block(finding: Finding) -> list[str]:
    lines = [finding_line(finding)]
    number = str(finding.line)
    pad = " " * len(number)
    source = printable(finding.source.replace("\t", " "))
    width = (finding.end_col - finding.col) if finding.end_line == finding.line else len(source) - finding.col + 1
    lines += [
        f"{pad} |",
        f"{number} | {source}",
        f"{pad} | {' ' * (finding.col - 1)}{'^' * max(width, 1)}",
    ]
    if finding.replacement:
        fixable = ""
        if finding.fix:
            fixable = " (fixable with --fix" + (f"; {finding.fix['rollback']}" if finding.fix.get("rollback") else "") + ")"
        lines.append(f"{pad} = use: {printable(finding.replacement)}{fixable}")
    for item in finding.evidence:
        lines.append(f"{pad} = evidence: {printable(item)}")
    return lines


def summary(result: ScanResult, fixed: int = 0) -> str:
    counts = result.counts()
    parts = [f"{counts[s]} {s}" for s in Severity.ORDER if counts[s]]
    files = len({f.path for f in result.findings})
    text = (f"Found {counted(len(result.findings), 'finding')} ({', '.join(parts)}) in {counted(files, 'file')}"
            if result.findings else "No affected call sites")
    text += f"; {counted(result.files, 'file')} scanned"
    if result.candidates:
        text += f" (mlflow {result.baseline} -> {', '.join(result.candidates)})"
    fixable = sum(1 for f in result.findings if f.fix)
    if result.silenced:
        text += f"; {result.silenced} silenced by # noqa"
    if fixed:
        text += f"; fixed {fixed}"
    if fixable:
        text += f"; {fixable} fixable with --fix"
    return text + "."


def text(result: ScanResult, fixed: int = 0, verbose: bool = True) -> str:
    out: list[str] = []
    for finding in result.findings:
        out += finding_block(finding) if verbose else [finding_line(finding)]
        if verbose:
            out.append("")
    out.append(summary(result, fixed))
    return "\n".join(out) + "\n"


def problem_line(problem: Problem) -> str:
    return printable(f"mlflow-compat: {problem.text()}")


# -- JSON -------------------------------------------------------------------------------------
def to_json(result: ScanResult) -> str:
    """Indented, one finding per line: readable and greppable, and the findings go through
    json's C encoder (``indent=`` switches to the pure-Python one, seconds on a big tree)."""
    data = result.to_dict()
    lines = []
    for key, value in data.items():
        if key == "findings" and value:
            text = "[\n" + ",\n".join("    " + json.dumps(item) for item in value) + "\n  ]"
        else:
            text = json.dumps(value, indent=2).replace("\n", "\n  ")
        lines.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


# -- GitHub annotations -------------------------------------------------------------------------
def escape_data(text: object) -> str:
    """A workflow command's message, as @actions/core's ``escapeData`` does."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: object) -> str:
    """A workflow command's property value, as @actions/core's ``escapeProperty`` does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_level(finding: Finding) -> str:
    if finding.severity == Severity.BREAKS and finding.confidence == Confidence.HIGH:
        return "error"
    return "warning"


def annotations(findings: Iterable[Finding]) -> str:
    """One ``::error``/``::warning`` workflow command per finding (GitHub shows them on the diff)."""
    lines = []
    for f in findings:
        props = ",".join(
            f"{key}={escape_property(value)}"
            for key, value in (
                ("file", f.path.replace("\\", "/")), ("line", f.line), ("col", f.col),
                ("endLine", f.end_line), ("endColumn", f.end_col), ("title", f"{f.code} {f.severity}"),
            )
        )
        message = f.message + (f" Use: {f.replacement}" if f.replacement else "")
        if f.evidence:
            message += "\n" + "\n".join(f.evidence)
        lines.append(f"::{annotation_level(f)} {props}::{escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


# -- Markdown (the gate's step summary) ------------------------------------------------------------
def markdown(findings: Iterable[Finding], title: str = "Call sites that break") -> str:
    findings = list(findings)
    if not findings:
        return ""
    rows = []
    for f in findings:
        severity = f.severity + (" (low confidence)" if f.confidence == Confidence.LOW else "")
        rows.append([md_code(f.location, table=True), f.code, severity, md_cell(f.message), md_cell(f.replacement or "")])
    table = md_table(["where", "code", "severity", "what", "use instead"], rows)
    return f"### {md_cell(title)}\n\n{table}\n"
