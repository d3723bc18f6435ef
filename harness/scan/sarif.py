"""Scan findings as SARIF 2.1.0, the format GitHub code scanning uploads.

What GitHub reads (docs: "SARIF support for code scanning"): ``runs[].tool.driver``
with ``name`` and ``rules[]`` (``id``, descriptions, ``defaultConfiguration.level``),
``results[]`` with ``ruleId``/``ruleIndex``, ``level``, ``message.text`` and one
``physicalLocation`` each: ``artifactLocation.uri`` relative to the repository
root (with ``uriBaseId`` ``%SRCROOT%``) and a ``region`` with 1-based
``startLine``/``startColumn``. ``partialFingerprints`` keeps alerts stable when
lines move; ours hashes the rule, file, API and the stripped source line
(GitHub computes its own ``primaryLocationLineHash`` on upload).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from harness.scan.engine import ScanResult
from harness.scan.findings import RULES, Confidence, Finding, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DEFAULT_LEVEL = {"MLC010": "warning"}


def repo_root(start: Path | None = None) -> Path:
    """The nearest directory holding ``.git`` (a directory, or a worktree's file), else the start."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def artifact_uri(path: str, root: Path) -> tuple[str, bool]:
    """(URI, relative to root?) for a finding's path: relative and percent-encoded when under the root."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return absolute.as_uri(), False
    return quote(relative.as_posix(), safe="/"), True


def level(finding: Finding) -> str:
    if finding.severity == Severity.BREAKS:
        return "error" if finding.confidence == Confidence.HIGH else "warning"
    if finding.severity == Severity.ROLLBACK_BREAKS:
        return "warning"
    return "note" if finding.confidence == Confidence.LOW else "warning"


def fingerprint(finding: Finding, uri: str) -> str:
    text = "\0".join((finding.code, uri, finding.api, finding.name or "", finding.severity, finding.source.strip()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _rules() -> list[dict]:
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": f"{rule.summary}. {rule.help}"},
            "help": {"text": rule.help},
            "defaultConfiguration": {"level": DEFAULT_LEVEL.get(rule.code, "error")},
            "properties": {"tags": ["mlflow", "compatibility"]},
        }
        for rule in RULES.values()
    ]


def _message(finding: Finding) -> str:
    text = finding.message + "."
    if finding.replacement:
        text += f" Use: {finding.replacement}."
    if finding.fix and finding.fix.get("rollback"):
        text += f" Note: {finding.fix['rollback']}."
    if finding.evidence:
        text += " Evidence: " + "; ".join(finding.evidence)
    return text


def tool_version() -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return None
    try:
        return version("mlflow-compat")
    except PackageNotFoundError:
        return None


def to_sarif(result: ScanResult, root: Path | None = None) -> dict:
    root = repo_root(root) if root is None else Path(root).resolve()
    rule_ids = list(RULES)
    results = []
    for finding in result.findings:
        uri, relative = artifact_uri(finding.path, root)
        location = {"uri": uri, "uriBaseId": "%SRCROOT%"} if relative else {"uri": uri}
        results.append({
            "ruleId": finding.code,
            "ruleIndex": rule_ids.index(finding.code),
            "level": level(finding),
            "message": {"text": _message(finding)},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.col,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_col,
                        "snippet": {"text": finding.source},
                    },
                }
            }],
            "partialFingerprints": {"mlflowCompatFinding/v1": fingerprint(finding, uri)},
            "properties": {
                "severity": finding.severity,
                "confidence": finding.confidence,
                "api": finding.api,
                "versions": finding.versions,
                "evidence": finding.evidence,
                "replacement": finding.replacement,
            },
        })
    driver = {"name": "mlflow-compat", "rules": _rules()}
    if tool_version():
        driver["version"] = tool_version()
    base = root.as_uri() if root.as_uri().endswith("/") else root.as_uri() + "/"
    notifications = [
        {"level": "error", "message": {"text": problem.text()}} for problem in result.problems
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": base}},
            "automationDetails": {"id": "mlflow-compat-scan/"},
            "invocations": [{
                "executionSuccessful": not result.scanned_nothing,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }


def to_text(result: ScanResult, root: Path | None = None) -> str:
    return json.dumps(to_sarif(result, root), indent=2) + "\n"
