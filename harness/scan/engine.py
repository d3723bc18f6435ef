"""The scan as one chain: files -> parse -> resolve -> match -> findings.

``scan_paths`` is what the command and the gate call: it takes API diffs and
run files already loaded (``harness.scan.inputs`` finds and loads them) and
returns a :class:`ScanResult`; it prints nothing and never raises for bad
input files (each is a :class:`Problem`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from packaging.version import InvalidVersion, Version

from harness.config import PROJECT_ROOT
from harness.results.api import ApiDiff, ChangeKind
from harness.results.runs import RunFile
from harness.scan.changes import ChangeIndex, Entry, key_of
from harness.scan.deprecations import DeprecationIndex, match_deprecations, observed_ties
from harness.scan.evidence import Evidence, scenario_uses
from harness.scan.findings import Confidence, Finding, Problem, Severity, sort_key
from harness.scan.noqa import silenced
from harness.scan.replacements import Idioms, curated
from harness.scan.resolve import resolve
from harness.scan.values import UNTYPED
from harness.scan.rules import Match, match_uses
from harness.scan.sources import Source, parse, python_files, read

SCHEMA_VERSION = 1
KIND = "mlflow-compat-scan"
#: codes whose finding sits on a keyword argument (a rename can fix it)
KEYWORD_CODES = ("MLC001", "MLC002", "MLC007", "MLC010")


def version_key(text: str) -> tuple:
    try:
        return (0, Version(text))
    except InvalidVersion:
        return (1, text)


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: files parsed (with or without findings)
    files: int = 0
    baseline: str | None = None
    candidates: list[str] = field(default_factory=list)
    #: evidence that could not be read (a scenario module that does not parse ...)
    notes: list[str] = field(default_factory=list)
    #: findings left out by a ``# noqa`` comment on their line
    silenced: int = 0

    @property
    def scanned_nothing(self) -> bool:
        return self.files == 0

    def with_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def breaking(self) -> list[Finding]:
        """What the gate fails on: call sites that break on a candidate."""
        return self.with_severity(Severity.BREAKS)

    def counts(self) -> dict[str, int]:
        return {s: len(self.with_severity(s)) for s in Severity.ORDER}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "baseline": self.baseline,
            "candidates": self.candidates,
            "files_scanned": self.files,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "problems": [p.to_dict() for p in self.problems],
            "notes": self.notes,
            "silenced": self.silenced,
        }


def default_scenario_paths(extra: Iterable[Path] = ()) -> list[Path]:
    """The shipped scenario modules plus the user's ``scenario_paths``."""
    return [PROJECT_ROOT / "scenarios", *extra]


def _char_col(line: str, byte_col: int) -> int:
    """ast's UTF-8 byte offset -> a 1-based character column."""
    if line.isascii():
        return byte_col + 1
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", "ignore")) + 1


def _entry_evidence(entry: Entry) -> str:
    c = entry.change
    target = f"{c.path}({c.name})" if c.name else c.path
    if c.kind in (ChangeKind.OBJECT_REMOVED, ChangeKind.PARAMETER_REMOVED):
        values = ""
    elif c.kind == ChangeKind.PARAMETER_MOVED and c.old is not None and c.new is not None:
        values = f": position {c.old} -> {c.new}"
    else:
        values = f": {c.old} -> {c.new}" if c.old is not None and c.new is not None else ""
    where = f" [{c.file}:{c.line}]" if c.file else ""
    return f"api diff {entry.baseline} -> {entry.candidate} ({c.direction}): {c.kind} {target}{values}{where}"


class _Builder:
    """Turns matches into findings, one per place and rule, merged across version pairs."""

    def __init__(self, index: ChangeIndex, evidence: Evidence, idioms: Idioms):
        self.index, self.evidence, self.idioms = index, evidence, idioms
        self.found: dict[tuple, Finding] = {}
        self.base_message: dict[tuple, str] = {}
        self.silenced = 0

    def add(self, source: Source, matches: list[Match]) -> None:
        if not matches:
            return
        lines = source.text.splitlines()
        for match in matches:
            self._add(source, lines, match)

    def _position(self, lines: list[str], match: Match) -> tuple[int, int, int, int, str]:
        node = match.node
        end_line, end_byte = node.end_lineno or node.lineno, node.end_col_offset or node.col_offset
        if match.attr is not None:
            line, byte = end_line, max(end_byte - len(match.attr.encode("utf-8")), 0)
        else:
            line, byte = node.lineno, node.col_offset
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        end_text = lines[end_line - 1] if 0 < end_line <= len(lines) else ""
        return line, _char_col(text, byte), end_line, _char_col(end_text, end_byte), text

    def _add(self, source: Source, lines: list[str], match: Match) -> None:
        line, col, end_line, end_col, text = self._position(lines, match)
        entry, tie = match.entry, match.tie
        severity = entry.severity if entry is not None else Severity.DEPRECATED
        version = entry.version if entry is not None else tie.version
        api = match.use.path
        if match.use.via == UNTYPED and entry is not None:
            api = key_of(entry.change.path)
        finding = Finding(
            path=source.path, line=line, col=col, end_line=end_line, end_col=end_col, source=text,
            code=match.code, message="", severity=severity, confidence=match.confidence, api=api, name=match.name,
        )
        key = finding.key()
        known = self.found.get(key)
        if known is None:
            self.found[key] = known = finding
            self.base_message[key] = match.message
            self._replacement(known, match)
        elif match.confidence == Confidence.HIGH:
            known.confidence = Confidence.HIGH
        if version not in known.versions:
            known.versions.append(version)
        lines_of_evidence = []
        if entry is not None:
            known.changes.append(entry.record())
            lines_of_evidence.append(_entry_evidence(entry))
            lines_of_evidence += [f"matrix: {cell}" for cell in self.evidence.cells(entry)]
        else:
            lines_of_evidence.append(f"observed: {tie.evidence()}")
        for item in lines_of_evidence:
            if item not in known.evidence:
                known.evidence.append(item)

    def _replacement(self, finding: Finding, match: Match) -> None:
        entry = match.entry
        keyword = match.code in KEYWORD_CODES and match.name is not None
        rename = None
        if entry is not None and entry.change.kind == ChangeKind.OBJECT_REMOVED and entry.change.new:
            finding.replacement = f"`{entry.change.new}` (the object is still there)"
        if entry is not None and entry.change.kind == ChangeKind.PARAMETER_RENAMED and entry.change.new:
            rename = entry.change.new
            finding.replacement = f"`{rename}=`"
        table = curated(finding.api, match.name, keyword)
        if table is not None and finding.replacement is None:
            finding.replacement = table.text
            rename = table.rename if keyword else None
        if finding.replacement is None and finding.severity != Severity.ROLLBACK_BREAKS:
            # idiom pairs replace old code with new: no advice for code already in the new style
            scenarios = self.evidence.scenarios_for(entry) if entry is not None else [match.tie.scenario]
            finding.replacement = self.idioms.replacement(scenarios)
        call = match.use.call
        if (rename and keyword and call is not None and finding.confidence == Confidence.HIGH
                and all(k.arg != rename for k in call.keywords)):
            blocked = self.index.rollback_removes(match.use.path, rename)
            finding.fix = {
                "old": match.name,
                "new": rename,
                "rollback": (f"`{rename}=` does not exist on mlflow {blocked[0].baseline} "
                             f"(`{blocked[0].change.path}`): the fixed line breaks a rollback") if blocked else None,
            }

    def findings(self) -> list[Finding]:
        result = []
        for key, finding in self.found.items():
            finding.versions.sort(key=version_key)
            shown = ", ".join(finding.versions)
            suffix = f" on {shown} (rollback)" if finding.severity == Severity.ROLLBACK_BREAKS else f" on {shown}"
            finding.message = self.base_message[key] + suffix
            result.append(finding)
        breaks = {(f.path, f.line, f.col, f.name, v) for f in result if f.severity == Severity.BREAKS for v in f.versions}
        kept = []
        for finding in result:  # a deprecation on a version where the same place already breaks says nothing more
            if silenced(finding.source, finding.code):
                self.silenced += 1
                continue
            if finding.severity == Severity.DEPRECATED:
                finding.versions = [v for v in finding.versions if (finding.path, finding.line, finding.col, finding.name, v) not in breaks]
                if not finding.versions:
                    continue
            kept.append(finding)
        return sorted(kept, key=sort_key)


def scan_paths(
    paths: Iterable[Path | str],
    diffs: Iterable[ApiDiff],
    runs: Iterable[RunFile] = (),
    scenario_paths: Iterable[Path] | None = None,
) -> ScanResult:
    """Scan the Python files under ``paths`` for call sites the API changes in ``diffs`` affect.

    ``runs`` (run files) add evidence (matrix cells of scenarios covering the
    same API), replacements (idiom pairs) and ``deprecated`` findings
    (deprecations observed on a candidate). ``scenario_paths``: the scenario
    modules to learn coverage from (default: the shipped ``scenarios/``).
    """
    diffs, runs = list(diffs), list(runs)
    index = ChangeIndex(diffs)
    scenarios, scenario_problems = scenario_uses(default_scenario_paths() if scenario_paths is None else scenario_paths)
    evidence = Evidence(scenarios, index, runs)
    candidates = sorted({d.candidate for d in diffs}, key=version_key)
    ties = DeprecationIndex(observed_ties(scenarios, evidence, candidates, index))
    builder = _Builder(index, evidence, Idioms(runs))
    files, problems = python_files(paths)
    scanned = 0
    for file in files:
        source = read(file)
        tree = parse(source) if isinstance(source, Source) else source
        if isinstance(tree, Problem):
            problems.append(tree)
            continue
        if "mlflow" not in source.text:  # nothing can resolve to mlflow without naming it
            scanned += 1
            continue
        try:
            resolution = resolve(tree)
            matches = match_uses(resolution, index) + match_deprecations(resolution, ties, index)
        except RecursionError:
            problems.append(Problem(source.path, "not scanned: expressions nested too deeply to resolve"))
            continue
        scanned += 1
        builder.add(source, matches)
    baselines = sorted({d.baseline for d in diffs}, key=version_key)
    findings = builder.findings()
    return ScanResult(
        findings=findings,
        silenced=builder.silenced,
        problems=problems,
        files=scanned,
        baseline=", ".join(baselines) or None,
        candidates=candidates,
        notes=[f"scenario module {p.text()}" for p in scenario_problems],
    )
