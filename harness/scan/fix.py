"""``scan --fix``: rewrite safe keyword renames, and nothing else.

A finding is fixable when it sits on a keyword argument of a call resolved
with high confidence and a rename is known (a ``parameter_renamed`` record,
or a curated keyword rename such as ``higher_is_better=`` ->
``greater_is_better=``): the value stays, the name changes. Positional calls
are never rewritten (binding them needs the target signature and is easy to
get wrong), nor are removed functions or attributes (their replacement is a
different call). When the new keyword does not exist on the baseline (the
rollback-direction API records say so), the fix is applied and the note says
that the fixed line breaks a rollback.

libcst rewrites the keyword and keeps every other byte of the file (comments,
formatting, encoding); the change is shown as a unified diff.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from harness.scan.findings import Finding, Problem


@dataclass
class FixOutcome:
    diff: str = ""
    fixed: list[Finding] = field(default_factory=list)
    #: one line per fix that breaks a rollback, and per finding refused
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _renamer(targets: dict[tuple[int, int], tuple[str, str]]):
    import libcst as cst
    from libcst.metadata import PositionProvider

    class Renamer(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.done: set[tuple[int, int]] = set()

        def leave_Arg(self, original: "cst.Arg", updated: "cst.Arg") -> "cst.Arg":
            if original.keyword is None:
                return updated
            start = self.get_metadata(PositionProvider, original.keyword).start
            where = (start.line, start.column + 1)
            target = targets.get(where)
            if target is None or original.keyword.value != target[0]:
                return updated
            self.done.add(where)
            return updated.with_changes(keyword=cst.Name(target[1]))

    return Renamer()


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically, keeping its mode (a symlink's target is what changes)."""
    target = path.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".fix", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def refusals(findings: Iterable[Finding]) -> list[str]:
    notes = []
    for f in findings:
        if f.code == "MLC003":
            notes.append(f"{f.location}: {f.code} not fixed: positional arguments are never rewritten "
                         "(binding them needs the target signature); pass the argument by keyword")
    return notes


def apply_fixes(findings: Iterable[Finding], write: bool = True) -> FixOutcome:
    """Apply every fixable finding's keyword rename; the diff of all files, and what was done."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    findings = list(findings)
    outcome = FixOutcome(notes=[])
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        if f.fix:
            by_path.setdefault(f.path, []).append(f)
    diffs = []
    for path, items in by_path.items():
        targets = {(f.line, f.col): (f.fix["old"], f.fix["new"]) for f in items}
        try:
            data = Path(path).read_bytes()
            module = cst.parse_module(data)
        except (OSError, cst.ParserSyntaxError) as exc:
            outcome.problems.append(Problem(path, f"not fixed: {exc}"))
            continue
        renamer = _renamer(targets)
        fixed_module = MetadataWrapper(module).visit(renamer)
        new = fixed_module.bytes
        if new == data:
            continue
        old_text, new_text = module.code, fixed_module.code
        diffs.append("".join(difflib.unified_diff(
            old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
            fromfile=f"a/{path}", tofile=f"b/{path}",
        )))
        if write:
            try:
                _write(Path(path), new)
            except OSError as exc:
                outcome.problems.append(Problem(path, f"not fixed: cannot write: {exc.strerror or exc}"))
                continue
        for f in items:
            if (f.line, f.col) in renamer.done:
                outcome.fixed.append(f)
                if f.fix.get("rollback"):
                    outcome.notes.append(f"{f.location}: fixed `{f.fix['old']}=` -> `{f.fix['new']}=`, but {f.fix['rollback']}")
    outcome.diff = "".join(diffs)
    outcome.notes += refusals(findings)
    return outcome
