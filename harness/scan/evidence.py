"""Which runtime scenario covers an API, and what its matrix cells showed.

Observed, not hard-coded: the scenario modules themselves (``scenarios/*.py``
and the user's ``scenario_paths``) are resolved with the same resolver and
matched with the same rules as the user's code, so a scenario *covers* an API
change when its own body hits it. Its cells then come from the run files
(``results/runs/*.json``): ``tracking.run_info.run_uuid: error on 3.17.2``.

Only a scenario function's own body counts (helpers it calls are setup), and
only what it certainly hits: a low-confidence guess about a call is no coverage.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from harness.outcomes import Status
from harness.results.runs import RunFile, ScenarioResult
from harness.scan.changes import ChangeIndex, Entry
from harness.scan.findings import Confidence, Problem
from harness.scan.resolve import resolve
from harness.scan.values import Resolution
from harness.scan.rules import match_uses
from harness.scan.sources import parse, python_files, read


@dataclass
class ScenarioUses:
    """The uses inside one ``@scenario`` function."""

    id: str
    path: str
    resolution: Resolution


def _scenario_id(node: ast.AST) -> str | None:
    """``@scenario(id="...")`` (or ``@anything.scenario(id=...)``) on a function: its id."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name != "scenario":
            continue
        for keyword in decorator.keywords:
            if keyword.arg == "id" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                return keyword.value.value
    return None


def scenario_uses(paths: Iterable[Path]) -> tuple[list[ScenarioUses], list[Problem]]:
    """Resolve every scenario module under ``paths``; one record per scenario function."""
    files, problems = python_files([p for p in paths if Path(p).exists()])
    found: list[ScenarioUses] = []
    for file in files:
        source = read(file)
        tree = parse(source) if not isinstance(source, Problem) else source
        if isinstance(tree, Problem):
            problems.append(tree)
            continue
        resolution = resolve(tree)
        for node in tree.body:
            sid = _scenario_id(node)
            if sid is None:
                continue
            first, last = node.lineno, node.end_lineno or node.lineno
            uses = [u for u in resolution.uses if first <= u.node.lineno <= last]
            found.append(ScenarioUses(sid, source.path, Resolution(uses, resolution.imports_mlflow)))
    return found, problems


def runs_by_version(runs: Iterable[RunFile]) -> dict[str, RunFile]:
    """The newest installed run of each mlflow version."""
    newest: dict[str, RunFile] = {}
    for run in runs:
        if not run.installed:
            continue
        known = newest.get(run.mlflow_version)
        if known is None or run.started_at > known.started_at:
            newest[run.mlflow_version] = run
    return newest


def _first_line(text: object, limit: int = 110) -> str:
    line = str(text or "").strip().splitlines()[0] if str(text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def cell_text(cell: ScenarioResult, version: str) -> str:
    text = f"{cell.status} on {version}"
    if cell.error:
        text += f" ({cell.error.get('type')}: {_first_line(cell.error.get('message'))})"
    elif cell.reason and cell.status != Status.PASS:
        text += f" ({_first_line(cell.reason)})"
    return text


class Evidence:
    """Coverage of API changes by scenarios, and their cells in the run files."""

    def __init__(self, scenarios: list[ScenarioUses], index: ChangeIndex, runs: Iterable[RunFile]):
        self.scenarios = scenarios
        self.runs = runs_by_version(runs)
        self._cells = {version: run.by_id() for version, run in self.runs.items()}
        self._cell_lines: dict[tuple, list[str]] = {}
        self.covering: dict[tuple, list[str]] = {}
        for scenario in scenarios:
            for match in match_uses(scenario.resolution, index):
                # a guess about a call (an unbound position, an absorbed keyword) is no coverage;
                # an attribute on a receiver of unknown type is how idioms read run.info.run_uuid
                if match.entry is None or (match.confidence == Confidence.LOW and match.code != "MLC005"):
                    continue
                ids = self.covering.setdefault(match.entry.identity(), [])
                if scenario.id not in ids:
                    ids.append(scenario.id)

    def scenarios_for(self, entry: Entry) -> list[str]:
        return self.covering.get(entry.identity(), [])

    def cell(self, version: str, sid: str) -> ScenarioResult | None:
        return self._cells.get(version, {}).get(sid)

    def cells(self, entry: Entry) -> list[str]:
        """``<scenario>: <status> on <where it breaks>; <status> on <the other side>`` per covering scenario with a run."""
        key = entry.identity()
        if key not in self._cell_lines:
            self._cell_lines[key] = self._cells_of(entry)
        return self._cell_lines[key]

    def _cells_of(self, entry: Entry) -> list[str]:
        where = entry.version
        other = entry.baseline if where == entry.candidate else entry.candidate
        lines = []
        for sid in self.scenarios_for(entry):
            cell = self.cell(where, sid)
            if cell is None:
                continue
            text = f"{sid}: {cell_text(cell, where)}"
            other_cell = self.cell(other, sid)
            if other_cell is not None:
                text += f"; {cell_text(other_cell, other)}"
            lines.append(text)
        return lines
