"""Which files a scan reads, and reading them: every bad input is one
:class:`Problem` line, and the rest is still scanned.

Directories are walked for ``*.py`` files, skipping what ruff skips by default
(virtual environments, VCS and tool caches, build output); a file named on the
command line is always read. A file is decoded as Python does: UTF-8 unless a
PEP 263 coding line says otherwise.
"""

from __future__ import annotations

import ast
import io
import os
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from harness.scan.findings import Problem

#: ruff's default ``exclude`` (plus ``__pycache__``)
EXCLUDED_DIRS = frozenset({
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints", ".mypy_cache", ".nox",
    ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", ".vscode",
    "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv", "__pycache__",
})


@dataclass
class Source:
    path: str  # as displayed: relative to the working directory when under it
    text: str


def display(path: Path, cwd: Path | None = None) -> str:
    """A path relative to the working directory when under it (as given otherwise)."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(cwd or Path.cwd()))
    except ValueError:
        return str(path)


def python_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[Problem]]:
    """The ``.py`` files under ``paths`` (sorted per directory, duplicates once) and problems."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found = [path]
        elif path.is_dir():
            found = sorted(_walk(path, problems))
            if not found:
                problems.append(Problem(str(raw), "no Python files here"))
        elif path.exists():
            problems.append(Problem(str(raw), "not a file or directory"))
            continue
        else:
            problems.append(Problem(str(raw), "no such file or directory"))
            continue
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, problems


def _walk(root: Path, problems: list[Problem]) -> Iterator[Path]:
    def unreadable(error: OSError) -> None:
        problems.append(Problem(str(error.filename), f"not scanned: cannot read directory: {error.strerror}"))

    for directory, dirs, names in os.walk(root, onerror=unreadable):
        dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS and not d.endswith(".egg-info")]
        for name in names:
            if name.endswith(".py"):
                yield Path(directory) / name


def read(path: Path) -> Source | Problem:
    shown = display(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Problem(shown, f"cannot read: {exc.strerror or exc}")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # bytes that are not UTF-8 in the first lines, or an unknown coding declared
        return Problem(shown, "not scanned: not UTF-8 text, and no valid coding declaration says what it is")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        where = f" (byte {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
        if encoding == "utf-8":
            return Problem(shown, f"not scanned: not UTF-8 text{where}, and no coding declaration says what it is")
        return Problem(shown, f"not scanned: not valid {encoding} text{where}, as its coding declaration says")
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(shown, text)


def parse(source: Source) -> ast.Module | Problem:
    try:
        return ast.parse(source.text, filename=source.path)
    except SyntaxError as exc:
        return Problem(source.path, f"not scanned: syntax error: {exc.msg}", exc.lineno, exc.offset)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return Problem(source.path, f"not scanned: cannot parse: {type(exc).__name__}: {exc}")
