"""One release's API as griffe reads it from source, and the paths users reach it by.

``griffe.load`` parses the ``mlflow`` package statically (``allow_inspection``
off: nothing is imported, so a release whose dependencies are missing loads
as well as one that installs). Aliases (imports, re-exports) are resolved
lazily and only inside the package: an alias to another library stays
unresolved and is never loaded.

:attr:`Release.paths` is the reverse index the diff and the scan need: for
each module-level object (and each module), every public dotted path that
reaches it, re-exports included (``mlflow.models.MetricThreshold`` and
``mlflow.models.evaluation.validation.MetricThreshold`` are one class).
Public follows griffe: no leading underscore, and an import counts as a
re-export only when its module lists it in ``__all__``. Defined objects are
public whatever ``__all__`` says, since ``from module import name`` works.
"""

from __future__ import annotations

import ast
import logging
from functools import cached_property
from pathlib import Path
from typing import Any

import griffe

from harness.api.source import PACKAGE
from harness.errors import HarnessError

_RESOLUTION_ERRORS = (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def string_constants(obj: Any) -> set[str]:
    """String constants in ``obj``'s source: the names a ``__getattr__`` serves, the keys a
    function reads from ``**kwargs`` (``kwargs.get("x")``). Parsed, not searched as text."""
    try:
        tree = ast.parse(obj.source)
    except (SyntaxError, ValueError, TypeError, AttributeError, OSError):
        return set()
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def kind_of(obj: Any) -> str:
    """module / class / function / property / attribute (aliases: their final target's kind)."""
    if obj.is_module:
        return "module"
    if obj.is_class:
        return "class"
    if obj.is_function:
        return "function"
    if "property" in obj.labels:
        return "property"
    return "attribute"


def location(obj: Any) -> tuple[str | None, int | None]:
    """(file relative to the release's root, line) where ``obj`` is written; aliases: the import
    (an inherited member: where the base class defines it)."""
    try:
        if obj.is_alias and getattr(obj, "inherited", False):
            obj = final(obj) or obj
        if obj.is_alias:
            return str(obj.parent.relative_package_filepath), obj.alias_lineno
        return str(obj.relative_package_filepath), obj.lineno or (1 if obj.is_module else None)
    except (ValueError, AttributeError, TypeError):
        return None, None


class Release:
    """A release's ``mlflow`` package loaded statically from ``root`` (a site-packages or cache entry)."""

    def __init__(self, version: str, root: Path) -> None:
        self.version = version
        self.root = Path(root)
        griffe_logger = logging.getLogger("griffe")
        level = griffe_logger.level
        griffe_logger.setLevel(logging.ERROR)  # unresolvable annotations etc. are not our findings
        try:
            self.package = griffe.load(
                PACKAGE,
                search_paths=[str(self.root)],
                allow_inspection=False,
                resolve_aliases=False,
                store_source=True,
            )
        except Exception as exc:  # noqa: BLE001 - griffe raises many kinds on a broken tree
            raise HarnessError(f"mlflow {version}: griffe could not read {self.root}: {type(exc).__name__}: {exc}") from None
        finally:
            griffe_logger.setLevel(level)
        loaded_from = Path(str(self.package.filepath)).resolve()
        if not loaded_from.is_relative_to(self.root.resolve()):
            raise HarnessError(f"mlflow {version}: loaded {loaded_from}, not the release in {self.root}")
        self._resolved: dict[str, Any] = {}

    # -- lookups --------------------------------------------------------------

    def get(self, path: str) -> Any | None:
        """The object or alias bound at dotted ``path`` (aliases not followed at the end), or None."""
        parts = path.split(".")
        if parts[0] != PACKAGE:
            return None
        obj: Any = self.package
        for part in parts[1:]:
            try:
                if obj.is_alias:
                    obj = obj.final_target
                obj = obj.all_members[part] if obj.is_class else obj.members[part]
            except _RESOLUTION_ERRORS:
                return None
        return obj

    def exists(self, path: str) -> bool:
        """Is ``path`` still bound (an import of another library counts)? A name a module's
        ``__getattr__`` serves lazily (it compares the name to a string constant) counts too."""
        if self.get(path) is not None:
            return True
        parent, _, name = path.rpartition(".")
        module = self.resolve(parent) if parent else None
        if module is None or not module.is_module:
            return False
        lazy = module.members.get("__getattr__")
        return lazy is not None and name in string_constants(lazy)

    def resolve(self, path: str) -> Any | None:
        """The object at ``path`` with every alias followed, or None (missing or outside the package)."""
        if path not in self._resolved:
            self._resolved[path] = final(self.get(path))
        return self._resolved[path]

    def anchor(self, path: str) -> str:
        """The module-level object of ``path``: its shortest prefix that is not a module."""
        parts = path.split(".")
        for end in range(2, len(parts) + 1):
            prefix = ".".join(parts[:end])
            obj = self.resolve(prefix)
            if obj is None or not obj.is_module:
                return prefix
        return path

    # -- the reverse index -----------------------------------------------------

    @cached_property
    def paths(self) -> dict[str, list[str]]:
        """Canonical path -> sorted public paths, for every module and module-level object."""
        index: dict[str, set[str]] = {}
        stack = [self.package]
        while stack:
            module = stack.pop()
            index.setdefault(module.path, set()).add(module.path)
            for name, member in module.members.items():
                if is_private(name) or is_dunder(name):  # __getattr__, __all__: the module's machinery
                    continue
                if member.is_alias:
                    if not member.is_public:
                        continue
                    target = final(member)
                    if target is None:
                        continue
                    index.setdefault(target.path, set()).add(f"{module.path}.{name}")
                elif member.is_module:
                    stack.append(member)
                else:
                    index.setdefault(member.path, set()).add(member.path)
        return {canonical: sorted(paths, key=_path_order) for canonical, paths in index.items()}


def final(obj: Any) -> Any | None:
    """``obj`` with aliases followed; None for None or an alias that leaves the package."""
    if obj is None:
        return None
    if not obj.is_alias:
        return obj
    try:
        return obj.final_target
    except _RESOLUTION_ERRORS:
        return None


def _path_order(path: str) -> tuple[int, str]:
    """Shortest (most public) first: ``mlflow.MetricThreshold`` before its canonical path."""
    return (path.count("."), path)
