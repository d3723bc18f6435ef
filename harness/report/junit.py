"""``results/junit.xml``: one test case per scenario x version, for CI test viewers.

One ``<testsuite>`` per version (name = run label), one ``<testcase>`` per
scenario in it (``classname`` = the version label, ``name`` = the scenario
id). Status mapping: ``fail`` -> ``<failure>``; ``error``, ``timeout`` and
``crashed`` -> ``<error>``; ``unsupported`` and ``skipped`` -> ``<skipped>``;
the message is the error (type: message) or the reason. A version whose
environment could not be installed gets one ``<error>`` case named
``(install)``. The verdict against the baseline and the warnings go to
``<system-out>`` so a viewer shows them next to the case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from harness.analysis.matrix import Matrix
from harness.outcomes import BROKEN, Status, Verdict
from harness.results.runs import RunFile, ScenarioResult

#: XML 1.0 forbids most control characters; error messages may contain them
_BAD_XML = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: Any) -> str:
    return str(text if text is not None else "").translate(_BAD_XML)


def _message(result: ScenarioResult) -> tuple[str, str, str]:
    """(type, one-line message, full text) for a failure/error/skip element."""
    err = result.error or {}
    if err:
        kind = str(err.get("type") or result.status)
        message = str(err.get("message") or "")
        full = str(err.get("traceback") or f"{kind}: {message}")
    else:
        kind = result.status
        message = result.reason or result.status
        full = message
    first = message.strip().splitlines()[0] if message.strip() else result.status
    return kind, first[:500], full


def _case(suite: ET.Element, run: RunFile, result: ScenarioResult, verdict: Any) -> str:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=_clean(run.label),
        name=_clean(result.id),
        time=f"{float(result.duration_s or 0):.3f}",
    )
    outcome = "passed"
    if result.status in BROKEN:
        kind, first, full = _message(result)
        tag = "failure" if result.status == Status.FAIL else "error"
        element = ET.SubElement(case, tag, message=_clean(f"{result.status}: {first}"), type=_clean(kind))
        element.text = _clean(full)
        outcome = tag
    elif result.status in (Status.UNSUPPORTED, Status.SKIPPED):
        _, first, _ = _message(result)
        ET.SubElement(case, "skipped", message=_clean(f"{result.status}: {first}"))
        outcome = "skipped"
    notes = []
    if verdict is not None and verdict.verdict != Verdict.SAME:
        notes.append(f"vs baseline: {verdict.verdict}" + (f" ({'; '.join(verdict.details)})" if verdict.details else ""))
    for w in result.warnings:
        notes.append(f"warning {w.get('category')}: {w.get('message')}")
    if notes:
        ET.SubElement(case, "system-out").text = _clean("\n".join(notes))
    return outcome


def render(matrix: Matrix) -> str:
    """The JUnit XML document for ``matrix``."""
    root = ET.Element("testsuites", name="mlflow-compat")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for run in matrix.runs:
        suite = ET.SubElement(root, "testsuite", name=_clean(run.label), timestamp=_clean(run.started_at))
        props = ET.SubElement(suite, "properties")
        for key, value in (("mlflow_version", run.mlflow_version), ("spec", run.spec or ""),
                           ("python_version", run.python_version), ("run_status", run.run_status)):
            ET.SubElement(props, "property", name=key, value=_clean(value))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if not run.installed:
            case = ET.SubElement(suite, "testcase", classname=_clean(run.label), name="(install)", time="0")
            lines = (run.install_error or "").strip().splitlines()
            error = ET.SubElement(case, "error", type="install_failed",
                                  message=_clean(f"mlflow {run.spec or run.label} could not be installed: "
                                                 f"{lines[-1][:300] if lines else 'no output'}"))
            error.text = _clean(run.install_error or "")
            counts["tests"], counts["errors"] = 1, 1
        else:
            for result in sorted(run.scenarios, key=lambda s: s.id):
                outcome = _case(suite, run, result, matrix.verdict(run, result.id))
                counts["tests"] += 1
                key = {"failure": "failures", "error": "errors", "skipped": "skipped"}.get(outcome)
                if key:
                    counts[key] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{float(run.duration_s or 0):.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
