"""What every result file kind shares: reading JSON that may be corrupt, writing
atomically, and checking a schema header. Standard library only: producers run
inside per-version environments and in nox's own interpreter."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from harness.errors import ResultsError


def read_json(path: Path, what: str = "run file") -> Any:
    """Parse a result file; unreadable, non-UTF-8 or corrupt JSON is a ``ResultsError`` naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ResultsError(f"{path}: not a {what} (not UTF-8 text: {exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ResultsError(f"{path}: corrupt JSON ({exc})") from None
    except RecursionError:
        raise ResultsError(f"{path}: corrupt JSON (nested too deeply)") from None


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never half.

    A lone surrogate (a run file may carry ``"\\ud800"``, valid JSON but not
    encodable) is written as its ``\\ud800`` escape instead of failing the report.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def check_header(data: dict[str, Any], source: str, schema_version: int, required: Iterable[str]) -> None:
    """The checks every result file kind shares: its schema version, then its required fields."""
    version = data.get("schema_version")
    if version != schema_version:
        raise ResultsError(
            f"{source}: schema_version {version!r} is not supported (expected {schema_version})"
        )
    for key in required:
        if key not in data:
            raise ResultsError(f"{source}: missing field {key!r}")


def json_files(directory: Path, pattern: str = "*.json") -> list[Path]:
    """The result files of one kind in ``directory`` (hidden temporary files left out), sorted."""
    if not Path(directory).is_dir():
        return []
    return sorted(p for p in Path(directory).glob(pattern) if not p.name.startswith("."))


def load_each(paths: Iterable[Path], load: Any) -> tuple[list[Any], list[str]]:
    """``load(path)`` for every path: what loaded, and one line per ``ResultsError`` for the rest."""
    found, problems = [], []
    for path in paths:
        try:
            found.append(load(path))
        except ResultsError as exc:
            problems.append(str(exc))
    return found, problems


def save_checked(data: dict[str, Any], path: Path, validate: Any, indent: int = 2) -> None:
    """Validate ``data`` as its reader will, then write it atomically: a producer never writes a file
    its own reader would reject."""
    validate(data, str(path))
    atomic_write_text(path, json.dumps(data, indent=indent, default=str) + "\n")
