"""Small text helpers the analysis records use to build their one-line summaries."""

from __future__ import annotations

from typing import Any, Sequence


def first_line(text: Any, limit: int = 120) -> str:
    """The first line of ``text``, cut at ``limit`` characters (``...`` when cut)."""
    lines = str(text or "").strip().splitlines()
    first = lines[0] if lines else ""
    return first[:limit] + ("..." if len(first) > limit else "")


def shortlist(items: Sequence[Any], limit: int) -> str:
    """The first ``limit`` items, comma-separated, then ``+N more`` for the rest."""
    shown = ", ".join(str(item) for item in items[:limit])
    return shown + (f", +{len(items) - limit} more" if len(items) > limit else "")


def counted(n: int, noun: str) -> str:
    """``1 change``, ``3 changes``: ``n`` and the noun, plural unless ``n`` is 1."""
    return f"{n} {noun}{'s' if n != 1 else ''}"
