"""The pip requirements-file syntax, as far as reading a pin needs it.

What pip reads the same way: ``#`` comments (at the start of a line or after
whitespace), lines continued with a trailing backslash, ``-r``/``--requirement``
and ``-c``/``--constraint`` includes (relative to the including file, followed
recursively; a constraint on mlflow constrains the release as much as a
requirement does), per-requirement options such as pip-compile's
``--hash=...`` (dropped), and other option lines (``--index-url``, ``-e``,
``--pre`` ...), which pin nothing and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from harness.errors import HarnessError
from harness.pins.sources import Location

_COMMENT = re.compile(r"(^|\s+)#.*$")
#: the first option after a requirement (``--hash=...``, ``--config-settings ...``)
_TRAILING_OPTION = re.compile(r"\s+--?[A-Za-z]")
_INCLUDES = ("--requirement", "--constraint", "-r", "-c")


@dataclass(frozen=True)
class Entry:
    """One requirement as written, and where: ``("mlflow==3.1.4", "requirements.txt:3")``."""

    text: str
    where: str


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined, as pip joins them."""
    start, parts = 0, []
    for number, raw in enumerate(text.splitlines(), 1):
        if not parts and raw.lstrip().startswith("#"):
            continue  # a comment line ending in a backslash continues nothing
        if raw.endswith("\\"):
            start = start if parts else number
            parts.append(raw[:-1])
            continue
        if parts:
            yield start, " ".join([*parts, raw])
            parts = []
        else:
            yield number, raw
    if parts:
        yield start, " ".join(parts)


def _include_target(line: str) -> str | None:
    """The file a ``-r``/``-c`` line names, or None for any other line."""
    for flag in _INCLUDES:
        if line.startswith(flag):
            rest = line[len(flag):]
            if flag.startswith("--") and rest[:1] not in ("=", " ", "\t"):
                continue  # --requirements-foo is not --requirement
            return rest.lstrip(" \t=").strip() or None
    return None


def read(location: Location, seen: set[str] | None = None) -> list[Entry]:
    """Every requirement in ``location`` and the files it includes, in order."""
    seen = set() if seen is None else seen
    if location.shown in seen:
        return []  # an include cycle: pip would loop, we read each file once
    seen.add(location.shown)
    entries: list[Entry] = []
    for number, raw in _logical_lines(location.read_text()):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if line.startswith("-"):
            target = _include_target(line)
            if target:
                try:
                    entries.extend(read(location.include(target), seen))
                except HarnessError as exc:
                    raise HarnessError(f"{exc} (included from {location.shown}:{number})") from None
            continue
        line = _TRAILING_OPTION.split(line, maxsplit=1)[0].strip()
        entries.append(Entry(line, f"{location.shown}:{number}"))
    return entries
