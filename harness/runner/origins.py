"""Where a warning or an exception comes from: the scenario's code, MLflow, or another library.

Every frame is classified by the file its code lives in:

* ``mlflow``: the ``mlflow`` package, whichever distribution ships it
  (mlflow, mlflow-skinny, mlflow-tracing);
* ``library:<distribution>``: a file installed in a site-packages directory,
  mapped to the distribution that installed it through the installed
  metadata (``importlib.metadata.packages_distributions`` and, where several
  distributions share a top-level package, their file lists), never guessed
  from directory names; the name is canonical (``library:scikit-learn``);
* ``scenario``: the scenario's or the user's own code: scenario modules (the
  shipped ``scenarios`` package, user scenario files loaded by path), the
  harness's scenario-side code (the adapters, ``Context``), and any other file
  outside site-packages and the standard library (a user's helper package on
  ``PYTHONPATH``, an editable install of it);
* the standard library, the ``warnings``/``logging`` machinery, the runner's
  own frames and generated code (``<string>``) are not an origin: a walk from
  the innermost frame outwards passes over them, so a deprecated stdlib call
  is attributed to the code that made it.

A frame is written ``path:line`` with the path relative to the import root it
was loaded from (``sqlalchemy/orm/query.py:1234``, ``scenarios/models.py:42``),
or absolute when it has none. ``warm()`` reads the installed metadata once;
the runner calls it before forking so every scenario process inherits it.
Standard library only.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import sysconfig
import warnings
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Iterable

SCENARIO = "scenario"
MLFLOW = "mlflow"
STDLIB = "stdlib"
LIBRARY = "library:"

_HARNESS = str(Path(__file__).resolve().parent.parent) + os.sep
#: frames that are the harness's machinery, not anyone's code: the warnings and
#: logging modules, the runner itself, and ``Context`` (a call through
#: ``ctx.check`` is attributed to the scenario line that made it)
_MACHINERY_FILES = {
    os.path.realpath(f) for f in (warnings.__file__, logging.__file__, str(Path(__file__).parent.parent / "scenario.py"))
}
_MACHINERY_DIRS = (str(Path(__file__).resolve().parent) + os.sep,)
_STDLIB = tuple(
    dict.fromkeys(os.path.realpath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib"))
)
_SITE_DIR = re.compile(r"[\\/](site|dist)-packages([\\/]|$)")

#: a stack as the capture keeps it: (filename, line) from the innermost frame outwards
Stack = list[tuple[str, int]]


@dataclass(frozen=True)
class Place:
    """One frame's file, classified."""

    #: ``scenario``, ``mlflow``, ``library:<name>``, ``stdlib``, or None for machinery
    origin: str | None
    #: the file relative to its import root (absolute when it has none)
    path: str
    #: the distribution that installed the file (mlflow's or a library's), else None
    distribution: str | None = None

    def at(self, line: int) -> str:
        return f"{self.path}:{line}"


def canonical(name: str) -> str:
    """A distribution name as package indexes compare them: ``scikit-learn``, ``sqlalchemy``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def warm() -> None:
    """Read the installed metadata now, once, before forking: the first classification in
    every scenario process would otherwise pay for it (0.3-0.6 s here)."""
    for name in _top_level_distributions().get("mlflow", []):
        _files_of(name)
    _scenario_side_dirs()


def refresh() -> None:
    """Forget what was read (after ``sys.path`` or the installed packages changed)."""
    for cached in (_top_level_distributions, _files_of, version_of, _scenario_side_dirs, place):
        cached.cache_clear()


@functools.lru_cache(maxsize=None)
def _top_level_distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


@functools.lru_cache(maxsize=None)
def _files_of(distribution: str) -> frozenset[str]:
    """The files a distribution installed, as its RECORD names them (relative, ``/``-separated)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return frozenset()
    return frozenset(str(f) for f in dist.files or ())


@functools.lru_cache(maxsize=None)
def version_of(distribution: str | None) -> str | None:
    """The installed version of a distribution (None when unknown)."""
    if not distribution:
        return None
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _distribution_of(relative: str, top: str) -> str | None:
    """The distribution that installed ``relative`` (a path under its import root, in
    top-level package ``top``), from the installed metadata."""
    candidates = _top_level_distributions().get(top, [])
    if len(candidates) > 1:  # a namespace shared by several (mlflow-skinny, mlflow, mlflow-tracing)
        posix = relative.replace(os.sep, "/")
        for name in candidates:
            if posix in _files_of(name):
                return name
    return candidates[0] if candidates else None


def _import_root(real: str) -> str | None:
    """The longest ``sys.path`` entry ``real`` lies under."""
    best = None
    for entry in sys.path:
        root = os.path.realpath(entry or os.getcwd())
        if real.startswith(root + os.sep) and (best is None or len(root) > len(best)):
            best = root
    return best


@functools.lru_cache(maxsize=None)
def _scenario_side_dirs() -> tuple[str, ...]:
    """The harness's and the shipped scenarios' package directories: scenario-side code even
    when mlflow-compat is installed into site-packages."""
    import importlib.util

    spec = importlib.util.find_spec("scenarios")
    shipped = [os.path.realpath(p) + os.sep for p in (spec.submodule_search_locations or [])] if spec else []
    return (_HARNESS, *shipped)


@functools.lru_cache(maxsize=4096)
def place(filename: str) -> Place:
    """Classify the file a frame's code lives in."""
    if not filename or filename.startswith("<"):
        return Place(None, filename)
    real = os.path.realpath(filename)
    if real in _MACHINERY_FILES or real.startswith(_MACHINERY_DIRS):
        return Place(None, filename)
    root = _import_root(real)
    relative = os.path.relpath(real, root) if root else real
    top = relative.split(os.sep)[0].removesuffix(".py") if root else ""
    if top == "mlflow":
        return Place(MLFLOW, relative, _distribution_of(relative, top) or "mlflow")
    if real.startswith(_scenario_side_dirs()):
        if root is None:  # the harness reached through links (harness.home.import_path): relative to its home
            side = next(d for d in _scenario_side_dirs() if real.startswith(d))
            relative = os.path.relpath(real, os.path.dirname(side.rstrip(os.sep)))
        return Place(SCENARIO, relative)
    if root and _SITE_DIR.search(real):
        name = _distribution_of(relative, top) or top
        return Place(LIBRARY + canonical(name), relative, name)
    if real.startswith(_STDLIB):
        return Place(STDLIB, os.path.relpath(real, _STDLIB[0]) if real.startswith(_STDLIB[0]) else real)
    # outside site-packages and the standard library: scenario modules, user
    # scenario paths, the user's own packages (on PYTHONPATH or installed editable)
    return Place(SCENARIO, relative)


@dataclass(frozen=True)
class Origin:
    """Where something raised or warned, and the nearest scenario and MLflow frames around it."""

    #: ``scenario``, ``mlflow``, ``library:<name>`` (``stdlib`` only when nothing else is on the stack)
    origin: str
    #: the frame that raised it: the innermost one that is not machinery or the standard library
    raised_at: str | None
    distribution: str | None
    #: the innermost scenario-side frame on the stack (the caller chain reaching the scenario)
    scenario_frame: str | None
    #: the innermost MLflow frame on the stack
    mlflow_frame: str | None
    #: the origins of the stack from the outermost frame inwards to the one that raised it,
    #: consecutive repeats merged: ``("scenario", "mlflow", "library:sqlalchemy")``
    chain: tuple[str, ...] = ()

    @property
    def version(self) -> str | None:
        return version_of(self.distribution)


def origin_of(stack: Iterable[tuple[str, int]]) -> Origin:
    """Classify a stack (innermost frame first)."""
    raised: tuple[Place, int] | None = None
    stdlib: tuple[Place, int] | None = None
    scenario = mlflow = None
    inwards: list[str] = []  # origins, innermost first
    for filename, line in stack:
        where = place(filename)
        if where.origin is None:
            continue
        if where.origin == STDLIB:
            stdlib = stdlib or (where, line)
            continue
        raised = raised or (where, line)
        inwards.append(where.origin)
        if where.origin == SCENARIO and scenario is None:
            scenario = where.at(line)
        if where.origin == MLFLOW and mlflow is None:
            mlflow = where.at(line)
    found = raised or stdlib
    if found is None:
        return Origin(SCENARIO, None, None, None, None)
    where, line = found
    chain: list[str] = []
    for outer_first in reversed(inwards):
        if not chain or chain[-1] != outer_first:
            chain.append(outer_first)
    return Origin(where.origin or SCENARIO, where.at(line), where.distribution, scenario, mlflow,
                  tuple(chain) or (where.origin,))


def frame_of(filename: str, line: int) -> str:
    """A frame as ``path:line``, the path relative to its import root."""
    return place(filename).at(line)


def stack_here(skip: int = 1, limit: int = 200, stop: FrameType | None = None) -> Stack:
    """The calling thread's stack, innermost first, without this function's ``skip`` callers,
    and ending below ``stop`` (the frame that ran the body: what called it is no one's origin)."""
    frame: FrameType | None = sys._getframe(skip)
    stack: Stack = []
    while frame is not None and frame is not stop and len(stack) < limit:
        stack.append((frame.f_code.co_filename, frame.f_lineno))
        frame = frame.f_back
    return stack


def stack_of(exc: BaseException) -> Stack:
    """An exception's traceback, innermost frame first."""
    stack: Stack = []
    tb = exc.__traceback__
    while tb is not None:
        stack.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    return stack[::-1]
