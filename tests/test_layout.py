"""The shape DESIGN.md asks for: no import circle in harness/, small modules, one vocabulary."""

from __future__ import annotations

import ast
from pathlib import Path

from harness.outcomes import Status, Verdict

HARNESS = Path(__file__).resolve().parent.parent / "harness"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    return {
        ".".join(p.relative_to(HARNESS.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in HARNESS.rglob("*.py")
    }


def imports(path: Path, names: set[str]) -> set[str]:
    """The harness modules ``path`` imports (``from a.b import c`` is a.b.c when that is a module)."""
    found = set()
    # every import counts: inside functions and under TYPE_CHECKING too (a circle a type
    # checker follows is still a circle in the design)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.add(target if target in names else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in names}


def test_no_import_circle_in_harness():
    mods = modules()
    graph = {name: imports(path, set(mods)) - {name} for name, path in mods.items()}
    # a package importing its own submodules (harness.report -> harness.report.html) is not a circle
    graph = {u: {v for v in vs if not (v.startswith(u + ".") or u.startswith(v + "."))} for u, vs in graph.items()}
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(stack[stack.index(nxt):] + [nxt])
            elif not state.get(nxt):
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if not state.get(name):
            visit(name, [])
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_no_module_holds_more_than_one_job_worth_of_lines():
    big = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"


def _spelled(node: ast.AST, words: set[str]) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words


def test_statuses_and_verdicts_are_spelled_only_in_outcomes():
    """A status or verdict is compared, listed or chosen through Status/Verdict, never as a bare string.

    Looks where a spelling would encode the vocabulary: comparisons with something
    named like a status or verdict (``step.status == "pass"``, ``v.verdict in
    ("slower", "faster")``) and tuples/lists/sets holding two or more such words.
    """
    words = set(Status.values()) | set(Verdict.values())
    found = []
    for name, path in modules().items():
        if name == "harness.outcomes":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                about = " ".join(ast.unparse(o) for o in operands if not _spelled(o, words)).lower()
                if not any(word in about for word in ("status", "verdict", "change", "outcome")):
                    continue
                if any(_spelled(o, words) for o in operands):
                    found.append(f"{path.relative_to(HARNESS.parent)}:{node.lineno}")
                for o in operands:
                    if isinstance(o, (ast.Tuple, ast.List, ast.Set)) and any(_spelled(e, words) for e in o.elts):
                        found.append(f"{path.relative_to(HARNESS.parent)}:{node.lineno}")
            elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                if sum(_spelled(e, words) for e in node.elts) >= 2:
                    found.append(f"{path.relative_to(HARNESS.parent)}:{node.lineno}")
    assert not found, "statuses/verdicts spelled outside harness/outcomes.py at: " + ", ".join(sorted(set(found)))
