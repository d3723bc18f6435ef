"""Requirements from a ``pyproject.toml``: PEP 621, PEP 735, poetry, uv and pdm tables.

Read: ``[project] dependencies`` and ``optional-dependencies``,
``[dependency-groups]`` (PEP 735, ``{include-group = "..."}`` expanded),
``[tool.poetry.dependencies]``, ``dev-dependencies`` and
``[tool.poetry.group.<name>.dependencies]`` (poetry's constraint syntax
translated to PEP 440: ``^2.9.2`` is ``>=2.9.2,<3.0.0``, ``~2.9.2`` is
``>=2.9.2,<2.10.0``), ``[tool.uv] dev-dependencies`` /
``constraint-dependencies`` and ``[tool.pdm.dev-dependencies]``.

``pyproject.toml#name`` reads the main dependencies plus the extra, dependency
group or poetry group called ``name`` only; without it every table counts
(a project that pins mlflow differently in two groups has to say which).
"""

from __future__ import annotations

import platform
import re
from typing import Any, Callable

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from harness.errors import HarnessError
from harness.pins.requirements import Entry
from harness.pins.sources import Location

_OPERATOR = re.compile(r"^(===|==|!=|~=|<=|>=|<|>|=)\s*(.+)$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")


def load_toml(location: Location) -> dict[str, Any]:
    try:
        return tomllib.loads(location.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise HarnessError(f"{location.shown}: invalid TOML: {exc}") from None


def _bump(parts: list[int], index: int) -> str:
    upper = parts[: index + 1]
    upper[index] += 1
    return ".".join(str(p) for p in upper + [0] * (len(parts) - index - 1))


def poetry_specifier(constraint: str) -> str:
    """A poetry version constraint as a PEP 440 specifier (``""`` for ``*``).

    ``^X.Y.Z`` allows changes that do not modify the left-most non-zero part
    (``^0.2.3`` is ``>=0.2.3,<0.3.0``; ``^2`` is ``>=2,<3``); ``~X.Y.Z`` allows
    patch changes (``~2`` allows minor ones); ``X.Y.*`` and bare ``X.Y.Z`` are
    as in PEP 440; ``||`` (either of two ranges) has no PEP 440 equivalent.
    """
    text = constraint.strip()
    if "||" in text or re.search(r"\s\|\s", text):
        raise ValueError("'||' (one range or another) has no single PEP 440 range")
    clauses = []
    for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text):
        part = part.strip()
        if part in ("", "*"):
            continue
        if part[0] in "^~" and part[:2] != "~=":
            raw = part[1:].strip()
            if not _VERSION.match(raw):
                raise ValueError(f"{part!r} is not a version range")
            numbers = [int(p) for p in raw.split(".")]
            if part[0] == "^":
                index = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
            else:
                index = 0 if len(numbers) == 1 else 1
            clauses += [f">={raw}", f"<{_bump(numbers, index)}"]
            continue
        match = _OPERATOR.match(part)
        if match:
            operator, version = match.groups()
            clauses.append(f"{'==' if operator == '=' else operator}{version.strip()}")
        elif _VERSION.match(part) or re.match(r"^\d+(\.\d+)*\.\*$", part):
            clauses.append(f"=={part}")
        else:
            raise ValueError(f"{part!r} is not a version constraint")
    try:
        return str(SpecifierSet(",".join(clauses)))
    except InvalidSpecifier as exc:
        raise ValueError(str(exc)) from None


def _applies_here(spec: dict[str, Any], where: str) -> bool:
    """A poetry dependency's ``python`` / ``markers`` restriction, on this interpreter."""
    if "python" in spec:
        try:
            allowed = SpecifierSet(poetry_specifier(str(spec["python"])))
        except ValueError as exc:
            raise HarnessError(f"{where}: python = {spec['python']!r}: {exc}") from None
        if not allowed.contains(platform.python_version(), prereleases=True):
            return False
    if "markers" in spec:
        try:
            return Marker(str(spec["markers"])).evaluate({"extra": ""})
        except InvalidMarker as exc:
            raise HarnessError(f"{where}: markers: {exc}") from None
    return True


def _poetry_entries(table: dict[str, Any], where: str, wanted: Callable[[str], bool]) -> list[Entry]:
    entries = []
    for name, value in (table or {}).items():
        if not wanted(name):
            continue
        here = f"{where} {name}"
        for item in value if isinstance(value, list) else [value]:
            spec = item if isinstance(item, dict) else {"version": item}
            if not _applies_here(spec, here):
                continue
            if "version" not in spec:
                source = next((k for k in ("git", "path", "url", "file") if k in spec), "a non-index source")
                entries.append(Entry(f"{name} @ {source}", here))  # not a release: the reader says so
                continue
            try:
                specifier = poetry_specifier(str(spec["version"]))
            except ValueError as exc:
                raise HarnessError(f"{here} = {spec['version']!r}: {exc}") from None
            entries.append(Entry(f"{name}{specifier}", f"{here} = {spec['version']!r}"))
    return entries


def _group(groups: dict[str, Any], name: str, shown: str, trail: tuple[str, ...] = ()) -> list[str]:
    """A PEP 735 dependency group with its ``include-group`` items expanded."""
    if name in trail:
        raise HarnessError(f"{shown}: [dependency-groups] {name} includes itself ({' -> '.join([*trail, name])})")
    if name not in groups:
        raise HarnessError(f"{shown}: [dependency-groups] has no group {name!r} (included from {trail[-1]})")
    items = []
    for item in groups[name] or []:
        if isinstance(item, dict) and "include-group" in item:
            items += _group(groups, str(item["include-group"]), shown, (*trail, name))
        elif isinstance(item, str):
            items.append(item)
    return items


def read(location: Location, wanted: Callable[[str], bool], selector: str | None = None) -> list[Entry]:
    """Requirement entries from the tables above (``selector``: main + that group only)."""
    data = load_toml(location)
    shown = location.shown
    project = data.get("project") or {}
    tool = data.get("tool") or {}
    poetry = tool.get("poetry") or {}
    extras = project.get("optional-dependencies") or {}
    groups = {canonicalize_name(k): v for k, v in (data.get("dependency-groups") or {}).items()}
    poetry_groups = poetry.get("group") or {}
    # main dependencies: always
    entries = [Entry(t, f"{shown} [project] dependencies") for t in project.get("dependencies") or []]
    entries += _poetry_entries(poetry.get("dependencies"), f"{shown} [tool.poetry.dependencies]", wanted)
    names = set(extras) | set(groups) | set(poetry_groups)
    picked_name = canonicalize_name(selector) if selector else None
    if picked_name and picked_name not in {canonicalize_name(n) for n in names}:
        known = ", ".join(sorted(names)) or "none"
        raise HarnessError(f"{shown}#{selector}: no extra or dependency group {selector!r} (there are: {known})")

    def picked(name: str) -> bool:
        return picked_name is None or canonicalize_name(name) == picked_name

    for name, items in extras.items():
        if picked(name):
            entries += [Entry(t, f"{shown} [project.optional-dependencies] {name}") for t in items or []]
    for name in groups:
        if picked(name):
            entries += [Entry(t, f"{shown} [dependency-groups] {name}") for t in _group(groups, name, shown)]
    for name, table in poetry_groups.items():
        if picked(name):
            where = f"{shown} [tool.poetry.group.{name}.dependencies]"
            entries += _poetry_entries((table or {}).get("dependencies"), where, wanted)
    if picked_name is None:
        entries += _poetry_entries(poetry.get("dev-dependencies"), f"{shown} [tool.poetry.dev-dependencies]", wanted)
        uv = tool.get("uv") or {}
        for key in ("dev-dependencies", "constraint-dependencies"):
            entries += [Entry(t, f"{shown} [tool.uv] {key}") for t in uv.get(key) or []]
        pdm_dev = (tool.get("pdm") or {}).get("dev-dependencies") or {}
        for name, items in pdm_dev.items():
            entries += [Entry(t, f"{shown} [tool.pdm.dev-dependencies] {name}") for t in items or []]
    return [e for e in entries if isinstance(e.text, str)]
