"""The ``@scenario`` decorator, the scenario registry and the ``Context`` a scenario gets.

A scenario is a plain function ``def body(ctx: Context) -> None`` that raises to
fail. How it ended maps to a status:

* returns                  -> ``pass``
* ``AssertionError`` / ``ctx.fail`` -> ``fail``
* ``ctx.unsupported(...)`` (or the adapter raising ``Unsupported``) -> ``unsupported``
* ``ctx.skip(...)``        -> ``skipped``
* any other exception      -> ``error``
"""

from __future__ import annotations

import importlib
import importlib.util
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from harness.errors import ConfigError

#: ``test`` is a row from the project's own pytest suite (harness/usertests), never a decorated scenario
KINDS = ("capability", "idiom", "perf", "test")


class Unsupported(Exception):
    """This MLflow version lacks the capability (declared by the adapter)."""


class Skipped(Exception):
    """A precondition outside MLflow is missing."""


class ScenarioFailed(AssertionError):
    """An assertion about behaviour did not hold."""


@dataclass(frozen=True)
class ScenarioSpec:
    id: str
    area: str
    kind: str
    func: Callable[["Context"], Any]
    replaced_by: str | None = None
    code: str | None = None
    description: str | None = None
    timeout: float | None = None
    module: str = ""
    source: str = ""

    @property
    def name(self) -> str:
        return self.id


REGISTRY: dict[str, ScenarioSpec] = {}


def scenario(
    *,
    id: str,
    area: str,
    kind: str,
    replaced_by: str | None = None,
    code: str | None = None,
    timeout: float | None = None,
) -> Callable[[Callable[["Context"], Any]], Callable[["Context"], Any]]:
    """Register a scenario. ``id`` is dotted and stable: ``area.subject.variant``.

    ``code`` is the literal user code an idiom exercises (shown in migration
    hints); ``replaced_by`` names the idiom that supersedes this one.
    """
    if kind not in KINDS:
        raise ValueError(f"scenario {id!r}: kind must be one of {KINDS}, got {kind!r}")
    if not id.startswith(area + ".") or id.count(".") < 1:
        raise ValueError(f"scenario {id!r}: id must start with its area {area!r} followed by '.'")

    def register(func: Callable[["Context"], Any]) -> Callable[["Context"], Any]:
        source = getattr(sys.modules.get(func.__module__), "__file__", "") or ""
        if id in REGISTRY and REGISTRY[id].func is not func:
            other = REGISTRY[id]
            raise ConfigError(
                f"scenario id {id!r} is defined twice: in {other.source or other.module} "
                f"and in {source or func.__module__}"
            )
        doc = (func.__doc__ or "").strip().splitlines()
        REGISTRY[id] = ScenarioSpec(
            id=id,
            area=area,
            kind=kind,
            func=func,
            replaced_by=replaced_by,
            code=code,
            description=doc[0] if doc else None,
            timeout=timeout,
            module=func.__module__,
            source=source,
        )
        return func

    return register


def load_builtin() -> None:
    """Import every module of the shipped ``scenarios`` package."""
    import pkgutil

    import scenarios

    for info in sorted(pkgutil.iter_modules(scenarios.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"scenarios.{info.name}")


@dataclass(frozen=True)
class LoadError:
    """A user scenario module that could not be imported."""

    path: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "error": self.error}


def load_paths(paths: Iterable[Path]) -> list[LoadError]:
    """Import user scenario modules from files or directories (``scenario_paths``).

    A module that fails to import is returned as a ``LoadError`` naming the
    file (the other scenarios still run); a scenario id that clashes with
    another one is a ``ConfigError`` naming both files, because ids are the
    keys that join versions and runs.
    """
    import hashlib

    errors: list[LoadError] = []
    for base in paths:
        base = Path(base)
        if not base.exists():
            raise ConfigError(f"scenario path {base} does not exist")
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for file in files:
            if file.name.startswith("_"):
                continue
            digest = hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:8]
            name = f"compat_user_{file.stem}_{digest}"
            if name in sys.modules:
                continue
            spec = importlib.util.spec_from_file_location(name, file)
            if spec is None or spec.loader is None:
                errors.append(LoadError(str(file), "not an importable Python file"))
                continue
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            if str(file.parent) not in sys.path:
                sys.path.insert(0, str(file.parent))
            try:
                spec.loader.exec_module(module)
            except ConfigError:
                raise
            except BaseException as exc:  # noqa: BLE001 - report which file broke, go on
                del sys.modules[name]
                for sid in [k for k, v in REGISTRY.items() if v.module == name]:
                    del REGISTRY[sid]
                errors.append(LoadError(str(file), f"{type(exc).__name__}: {exc}"))
    return errors


def chosen(sid: str, area: str, only: Iterable[str] = (), skip: Iterable[str] = ()) -> bool:
    """Does ``--only``/``--skip`` select the row ``sid`` of ``area``? A pattern is an exact id, an id
    glob or an area name (an id is tried exactly first: test ids hold ``[``, which globs read)."""
    from fnmatch import fnmatchcase

    only, skip = list(only), list(skip)

    def hit(patterns: list[str]) -> bool:
        return any(sid == p or fnmatchcase(sid, p) or area == p for p in patterns)

    return (not only or hit(only)) and not hit(skip)


def area_chosen(area: str, only: Iterable[str] = (), skip: Iterable[str] = ()) -> bool:
    """Could ``--only``/``--skip`` select any row of ``area`` (rows not known before they run)?"""
    from fnmatch import fnmatchcase

    def names(pattern: str) -> bool:
        return pattern == area or pattern.startswith(area + ".") or fnmatchcase(area + ".\x00", pattern)

    skip = list(skip)
    if area in skip or f"{area}.*" in skip:
        return False
    only = list(only)
    return not only or any(names(p) for p in only)


def select(
    specs: Iterable[ScenarioSpec], only: Iterable[str] = (), skip: Iterable[str] = ()
) -> list[ScenarioSpec]:
    """Filter by id glob or area name: ``--only 'registry.*' --skip perf``."""
    only, skip = list(only), list(skip)
    return sorted((s for s in specs if chosen(s.id, s.area, only, skip)), key=lambda s: s.id)


@dataclass
class Timing:
    samples: list[float]
    unit: str = "s"

    def to_dict(self) -> dict[str, Any]:
        samples = list(self.samples)
        data: dict[str, Any] = {"unit": self.unit, "samples": samples}
        if samples:
            data["median"] = statistics.median(samples)
            data["min"] = min(samples)
            data["max"] = max(samples)
            data["stdev"] = statistics.stdev(samples) if len(samples) > 1 else 0.0
        return data


@dataclass
class Context:
    """What a scenario gets: a fresh store, sample data, the adapter and a timer."""

    work_dir: Path
    tracking_uri: str
    adapter: Any
    repeat: int = 5
    warmup: int = 1
    observations: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    timing: Timing | None = None

    # -- outcomes -------------------------------------------------------
    def fail(self, message: str) -> None:
        raise ScenarioFailed(message)

    def check(self, condition: Any, message: str) -> None:
        if not condition:
            raise ScenarioFailed(message)

    def unsupported(self, reason: str) -> None:
        raise Unsupported(reason)

    def skip(self, reason: str) -> None:
        raise Skipped(reason)

    # -- what was seen --------------------------------------------------
    def observe(self, key: str, value: Any) -> None:
        """Record a small JSON value the comparison diffs across versions."""
        self.observations[key] = value

    def metric(self, key: str, value: float) -> None:
        self.metrics[key] = value

    # -- data -----------------------------------------------------------
    def iris(self) -> tuple[Any, Any]:
        """The iris dataset bundled with scikit-learn, as (X DataFrame, y Series)."""
        from sklearn.datasets import load_iris

        data = load_iris(as_frame=True)
        return data.data, data.target

    def trained_model(self) -> tuple[Any, Any, Any]:
        """(model, X, y): a small LogisticRegression fitted on iris."""
        from sklearn.linear_model import LogisticRegression

        X, y = self.iris()
        model = LogisticRegression(max_iter=500).fit(X, y)
        return model, X, y

    # -- timing ---------------------------------------------------------
    def measure(
        self, body: Callable[[], Any], repeat: int | None = None, warmup: int | None = None
    ) -> list[float]:
        """Run ``body`` ``warmup`` times untimed, then ``repeat`` timed samples (kept)."""
        repeat = self.repeat if repeat is None else repeat
        warmup = self.warmup if warmup is None else warmup
        for _ in range(warmup):
            body()
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            body()
            samples.append(time.perf_counter() - start)
        self.timing = Timing(samples)
        return samples

    def record_samples(self, samples: list[float], unit: str = "s") -> None:
        """Keep samples timed by the scenario itself (latencies of a burst, say)."""
        self.timing = Timing(list(samples), unit)
