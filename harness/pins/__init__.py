"""Reading the mlflow pin from a project's dependency files, and what it resolves to.

A pin source is a file on disk or ``git:<ref>:<path>`` (the file as it is at a
git ref, see :mod:`harness.pins.sources`), optionally several (``-c``
constraints passed apart). The file kind comes from its name:

- ``pyproject.toml`` (also ``pyproject.toml#group``): :mod:`harness.pins.pyproject`
- ``uv.lock``, ``poetry.lock``, ``pylock.toml``: :mod:`harness.pins.locks`
- anything else is a pip requirements file: :mod:`harness.pins.requirements`

Every ``mlflow`` requirement found counts (its extras do not matter; one whose
environment marker does not hold on this interpreter is left out), and
together they must allow a release: two different exact pins, or an exact
pin another requirement excludes, are one clear error. A project that depends
only on ``mlflow-skinny`` pins that instead (the two are released together,
with the same version numbers).

:func:`resolve_pin` turns a pin into the releases the matrix tries: an exact
pin (``==3.1.4``) is that release, as an exact version spec is; a range
(``>=3.1,<3.2``) is every final release inside it on the package index,
newest first, and the environment walks them until one installs, as a
family spec does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from harness.errors import HarnessError
from harness.pins import locks, pyproject, requirements
from harness.pins.requirements import Entry
from harness.pins.sources import GIT_PREFIX, Location, locate

#: the distributions whose pin names the mlflow release, in order of preference
NAMES = ("mlflow", "mlflow-skinny")
ROLES = ("baseline", "candidate")


@dataclass(frozen=True)
class Found:
    """One requirement on mlflow, normalised, and where it was written."""

    requirement: str
    specifier: str
    where: str

    def line(self) -> str:
        return f"{self.requirement} ({self.where})"


@dataclass(frozen=True)
class Pin:
    """The mlflow constraint a set of dependency files makes, with its evidence."""

    sources: tuple[str, ...]
    specifier: SpecifierSet
    found: tuple[Found, ...]
    #: requirements on mlflow whose environment marker does not hold here
    ignored: tuple[Found, ...] = ()
    name: str = "mlflow"

    @property
    def source(self) -> str:
        return ", ".join(self.sources)

    @property
    def requirement(self) -> str:
        """``mlflow==3.1.4`` for an exact pin, else every requirement found combined (``mlflow<3.2,>=3.1``)."""
        exact = _exact_versions(self.found)
        if len(exact) == 1:
            return f"{self.name}=={next(iter(exact))}"
        return f"{self.name}{self.specifier}"

    @property
    def exact(self) -> str | None:
        """The release when the pin allows exactly one (``==3.1.4``), as a version spec."""
        versions = _exact_versions(self.found)
        return as_spec(next(iter(versions)), self) if len(versions) == 1 else None


def _exact_versions(found: Sequence[Found]) -> dict[Version, Found]:
    exact: dict[Version, Found] = {}
    for item in found:
        for clause in SpecifierSet(item.specifier):
            if clause.operator in ("==", "===") and not clause.version.endswith(".*"):
                try:
                    exact.setdefault(Version(clause.version), item)
                except InvalidVersion:
                    continue
    return exact


def as_spec(version: Version, pin: Pin | None = None) -> str:
    """``3.1`` -> ``3.1.0``: the three-part exact spec the matrix uses (finals only)."""
    if version.is_prerelease or version.is_devrelease or version.is_postrelease or version.local or version.epoch:
        where = f" ({pin.found[0].where})" if pin else ""
        raise HarnessError(
            f"mlflow {version}{where}: only final releases (X.Y.Z) can be matrix versions"
        )
    if len(version.release) > 3:
        raise HarnessError(f"mlflow {version}: a four-part version cannot be a matrix version (X.Y.Z)")
    return ".".join(str(p) for p in (list(version.release) + [0, 0])[:3])


def _entries(location: Location, selector: str | None, wanted: Callable[[str], bool]) -> list[Entry]:
    if location.name.endswith(".toml") and not locks.lock_kind(location.name):
        return pyproject.read(location, wanted, selector)
    if selector:
        raise HarnessError(f"{location.shown}#{selector}: a #group applies to pyproject.toml only")
    if locks.lock_kind(location.name):
        return locks.read(location, wanted)
    return requirements.read(location)


def _split_selector(source: str) -> tuple[str, str | None]:
    """``pyproject.toml#test`` -> (``pyproject.toml``, ``test``)."""
    path, sep, selector = source.rpartition("#")
    if sep and path and re.fullmatch(r"[A-Za-z0-9._-]+", selector):
        return path, selector
    return source, None


def _found(entries: Sequence[Entry], option: str) -> dict[str, tuple[list[Found], list[Found]]]:
    """Per wanted name: (requirements that hold here, requirements whose marker does not)."""
    by_name: dict[str, tuple[list[Found], list[Found]]] = {name: ([], []) for name in NAMES}
    for entry in entries:
        try:
            req = Requirement(entry.text)
        except InvalidRequirement:
            continue  # not ours to judge: the installer complains about it itself
        name = canonicalize_name(req.name)
        if name not in by_name:
            continue
        if req.url:
            raise HarnessError(
                f"{option}: {req.name} comes from {req.url} ({entry.where}), not from a release the matrix can install"
            )
        item = Found(str(req), str(req.specifier), entry.where)
        holds = req.marker is None or req.marker.evaluate({"extra": ""})
        by_name[name][0 if holds else 1].append(item)
    return by_name


def _check_consistent(found: Sequence[Found], option: str) -> None:
    """Two different exact pins, or an exact pin another requirement excludes: one line."""
    exact = _exact_versions(found)
    if len(exact) > 1:
        first, second = list(exact.values())[:2]
        raise HarnessError(f"{option}: the mlflow pins conflict: {first.line()} and {second.line()}")
    for version, pinned in exact.items():
        for item in found:
            if not SpecifierSet(item.specifier).contains(version, prereleases=True):
                raise HarnessError(f"{option}: the mlflow pins conflict: {pinned.line()} and {item.line()}")


def read_pin(
    sources: str | Path | Sequence[str | Path], *, option: str = "--candidate-from", cwd: Path | None = None
) -> Pin:
    """The mlflow pin that ``sources`` make together (one file, or several read as one set).

    ``option`` names where the sources came from in messages (``--baseline-from``,
    ``MLFLOW_COMPAT_BASELINE_FROM``). Bad input is a :class:`HarnessError`.
    """
    items = [sources] if isinstance(sources, (str, Path)) else list(sources)
    if not items:
        raise HarnessError(f"{option}: no pin source given")
    shown = tuple(str(s) for s in items)
    label = f"{option} {', '.join(shown)}"
    entries: list[Entry] = []
    for source in shown:
        path, selector = _split_selector(source)
        try:
            entries += _entries(locate(path, cwd), selector, lambda name: canonicalize_name(name) in NAMES)
        except HarnessError as exc:
            raise HarnessError(f"{option} {exc}") from None
    by_name = _found(entries, label)
    name = next((n for n in NAMES if any(by_name[n])), None)
    if name is None:
        raise HarnessError(f"{label}: no mlflow requirement found")
    found, ignored = by_name[name]
    if not found:
        raise HarnessError(
            f"{label}: no mlflow requirement applies on this interpreter (environment markers): "
            + "; ".join(i.line() for i in ignored)
        )
    _check_consistent(found, label)
    specifier = SpecifierSet()
    for item in found:
        specifier &= SpecifierSet(item.specifier)
    if not str(specifier):
        raise HarnessError(
            f"{label}: mlflow is not pinned ({found[0].where}); pin it like 'mlflow==3.1.4' or 'mlflow>=3.1,<3.2'"
        )
    return Pin(shown, specifier, tuple(found), tuple(ignored), name)


def candidate_from_file(path: str | Path) -> SpecifierSet:
    """The mlflow version constraint pinned in ``path`` (``==3.1.4``, ``>=3.1,<3.2``)."""
    return read_pin(path, option="--candidate-from").specifier


# ---------------------------------------------------------------------------
# pin -> releases
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PinnedVersion:
    """A matrix version chosen by a pin: its role, the pin, and the releases to try."""

    role: str
    pin: Pin
    #: newest first; one for an exact pin. The first is the version spec.
    candidates: tuple[str, ...]

    @property
    def spec(self) -> str:
        return self.candidates[0]

    def facts(self) -> dict:
        """What a run file records about where its column came from (``RunFile.install["pin"]``)."""
        facts = {
            "role": self.role,
            "source": self.pin.source,
            "requirement": self.pin.requirement,
            "found": [f.line() for f in self.pin.found],
        }
        if self.pin.exact is None:
            facts["candidates"] = list(self.candidates)
        return facts


def releases_in(specifier: SpecifierSet, releases: Sequence[str]) -> list[str]:
    """Final releases inside ``specifier``, newest first, as three-part specs."""
    found = set()
    for raw in releases:
        try:
            version = Version(raw)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease or version.is_postrelease or version.local:
            continue
        if len(version.release) <= 3 and specifier.contains(version):
            found.add(version)
    return [as_spec(v) for v in sorted(found, reverse=True)]


def resolve_pin(pin: Pin, role: str, releases: Callable[[], Sequence[str]]) -> PinnedVersion:
    """The releases ``pin`` allows (``releases()`` lists the index; asked only for a range)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    exact = pin.exact
    if exact is not None:
        return PinnedVersion(role, pin, (exact,))
    candidates = releases_in(pin.specifier, releases())
    if not candidates:
        if len(pin.found) > 1:
            raise HarnessError(
                f"the {role} mlflow pins conflict: no release satisfies "
                + " and ".join(f.line() for f in pin.found)
            )
        raise HarnessError(f"no mlflow release satisfies the {role} pin {pin.found[0].line()}")
    return PinnedVersion(role, pin, tuple(candidates))


__all__ = [
    "GIT_PREFIX", "NAMES", "Found", "Pin", "PinnedVersion",
    "as_spec", "candidate_from_file", "read_pin", "releases_in", "resolve_pin",
]
