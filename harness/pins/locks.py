"""Exact pins from lock files: ``uv.lock``, ``pylock.toml`` (PEP 751) and ``poetry.lock``.

A lock file names the release it installs (``[[package]]`` / ``[[packages]]``
with ``name`` and ``version``); a package entry restricted by markers
(``resolution-markers`` in uv.lock, ``marker`` in pylock.toml) counts only
when the marker holds on this interpreter. Building environments from these
files is another matter (``harness.envs``); this module only reads them.
"""

from __future__ import annotations

from typing import Any, Callable

from packaging.markers import InvalidMarker, Marker

from harness.pins.pyproject import load_toml
from harness.pins.requirements import Entry
from harness.pins.sources import Location

#: file name -> the array of tables that lists the locked packages
LOCK_TABLES = {"uv.lock": "package", "poetry.lock": "package", "pylock.toml": "packages"}


def lock_kind(name: str) -> str | None:
    """``uv.lock`` / ``poetry.lock`` / ``pylock.toml`` (also ``pylock.<name>.toml``), else None."""
    if name in LOCK_TABLES:
        return name
    if name.startswith("pylock.") and name.endswith(".toml"):
        return "pylock.toml"
    return None


def _holds(markers: Any) -> bool:
    """True when there is no marker or one of them holds here (an invalid one is not ours to judge)."""
    if not markers:
        return True
    for text in markers if isinstance(markers, list) else [markers]:
        try:
            if Marker(str(text)).evaluate({"extra": ""}):
                return True
        except InvalidMarker:
            return True
    return False


def from_registry(kind: str | None, package: dict[str, Any]) -> bool:
    """Does a locked package come from a package index (not a path, a git repository or a URL)?"""
    if kind == "uv.lock":
        source = package.get("source")
        return isinstance(source, dict) and "registry" in source
    if kind == "pylock.toml":
        return not any(key in package for key in ("directory", "vcs", "archive"))
    source = package.get("source")  # poetry.lock: a private index is type "legacy"
    return not isinstance(source, dict) or source.get("type") in (None, "legacy")


def read(location: Location, wanted: Callable[[str], bool], *, registry_only: bool = False) -> list[Entry]:
    """``name==version`` for every locked package ``wanted`` accepts (with ``registry_only``,
    only those an installer can fetch from an index by that line: what ``harness.userenv``
    installs)."""
    kind = lock_kind(location.name)
    data = load_toml(location)
    entries = []
    for package in data.get(LOCK_TABLES[kind or ""], []) or []:
        if not isinstance(package, dict) or not wanted(str(package.get("name", ""))):
            continue
        if registry_only and not from_registry(kind, package):
            continue
        name, version = package["name"], package.get("version")
        if not _holds(package.get("resolution-markers") or package.get("marker")):
            continue
        where = f"{location.shown} [[{LOCK_TABLES[kind or '']}]] {name}"
        entries.append(Entry(f"{name}=={version}" if version else f"{name} @ locked-source", where))
    return entries
