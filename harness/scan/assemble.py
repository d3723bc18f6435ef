"""Matches -> findings: one :class:`Finding` per place, rule, severity and
API, merged across version pairs, with its position in characters, source
line, message, evidence, replacement and ``--fix`` rename."""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from harness.results.api import ChangeKind
from harness.scan.changes import ChangeIndex, Entry, key_of
from harness.scan.evidence import Evidence
from harness.scan.findings import Confidence, Finding, Severity, sort_key
from harness.scan.noqa import silenced
from harness.scan.replacements import Idioms, curated
from harness.scan.rules import Match
from harness.scan.sources import Source
from harness.scan.values import UNTYPED

#: codes whose finding sits on a keyword argument (a rename can fix it)
KEYWORD_CODES = ("MLC001", "MLC002", "MLC007", "MLC010")


def version_key(text: str) -> tuple:
    try:
        return (0, Version(text))
    except InvalidVersion:
        return (1, text)


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


class Builder:
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
        if finding.replacement is None and finding.severity != Severity.ROLLBACK_BREAKS and (
                entry is not None or match.name is not None):
            # idiom pairs replace old code with new: no advice for code already in the new style, nor
            # for a deprecated function as a whole (the idiom that raised it pairs up another aspect:
            # evaluate(validation_thresholds=) -> validate_evaluation_results, not evaluate's successor)
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
