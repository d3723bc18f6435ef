"""The configuration's records: :class:`Config` and its parts, with no loading logic.

Apart from :mod:`harness.config` (which builds them from the layers) so that the
modules the loader uses (``harness.pins.roles``, ``harness.userenv``) can name
``Config`` without importing the loader: no import circle, not even one that
only a type checker follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import SpecifierSet

from harness import home
from harness.analysis.policy import GatePolicy
from harness.pins import PinnedVersion


@dataclass(frozen=True)
class CompanionRule:
    """Extra requirements installed next to mlflow versions matching ``mlflow``."""

    mlflow: str
    pins: tuple[str, ...]
    reason: str = ""

    def applies_to(self, version: str) -> bool:
        return SpecifierSet(self.mlflow).contains(version, prereleases=True)


@dataclass(frozen=True)
class ApiSettings:
    """``[tool.mlflow-compat.api]``: the API diff's public-surface policy and source cache.

    ``include``/``exclude`` replace the shipped defaults (``harness.api.surface``)
    when set; ``extend_include``/``extend_exclude`` add to them.
    """

    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    extend_include: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    #: where release sources are installed (--no-deps) for the diff; None: results/.cache/api-src
    source_cache: Path | None = None


@dataclass(frozen=True)
class Config:
    """The configuration every command and session sees (built by :func:`load_config`).

    The field defaults are what a hand-built ``Config`` gets; ``load_config``
    starts from ``harness/defaults.toml`` (tests/test_config.py keeps the two equal).
    """

    versions: tuple[str, ...] = ("2.9", "2.22", "3.1", "3")
    baseline: str = "2.9"
    results_dir: Path = home.HOME / "results"
    repeat: int = 5
    warmup: int = 1
    timeout: float = 300.0
    install_attempts: int = 3
    companions: tuple[CompanionRule, ...] = ()
    scenario_paths: tuple[Path, ...] = ()
    extra_requirements: tuple[str, ...] = ()
    gate: GatePolicy = field(default_factory=GatePolicy)
    api: ApiSettings = field(default_factory=ApiSettings)
    #: "release": each version's libraries as of its upload date (+ grace);
    #: "latest": today's newest (harness/libraries.py says why and how)
    libraries: str = "release"
    libraries_grace_days: float = 1.0
    #: the project's own pytest suite, run once per version (harness/usertests); () = none
    pytest_paths: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()
    #: seconds the whole suite may take in one version's environment
    pytest_timeout: float = 1800.0
    #: installed when the project's environment does not pin pytest itself
    pytest_requirement: str = "pytest"
    #: the project's requirements or lock files (relative to ``root``): each column installs
    #: them with only mlflow changed (harness/userenv); () = mlflow + companions only
    environment: tuple[str, ...] = ()
    #: the configuration file read (None: the shipped defaults only)
    source: Path | None = None
    #: the project root: the configuration's directory (results, environments, relative paths)
    root: Path = field(default_factory=Path.cwd)
    #: versions chosen by a pin (``--baseline-from`` / ``--candidate-from``), see :func:`with_pins`
    pinned: tuple[PinnedVersion, ...] = ()

    @property
    def runs_dir(self) -> Path:
        return self.results_dir / "runs"

    @property
    def envs_dir(self) -> Path:
        """Where the per-version environments are kept: the project's ``.nox`` (nox's own default)."""
        return self.root / ".nox"

    @property
    def pytest_requirements(self) -> tuple[str, ...]:
        """What the suite needs installed next to mlflow: ``pytest_requirement`` when there is a suite."""
        return (self.pytest_requirement,) if self.pytest_paths else ()

    @property
    def environment_files(self) -> tuple[Path, ...]:
        return tuple((self.root / f).resolve() for f in self.environment)

    @property
    def api_dir(self) -> Path:
        return self.results_dir / "api"

    @property
    def api_source_cache(self) -> Path:
        return self.api.source_cache or self.results_dir / ".cache" / "api-src"

    def pin_for(self, spec: str) -> PinnedVersion | None:
        """The pin that chose ``spec`` (the baseline's when both chose the same release)."""
        return next((p for p in self.pinned if p.spec == spec), None)

    def release_candidates(self, spec: str) -> list[str]:
        """The releases a pinned ``spec`` tries, newest first; [] when no pin chose it."""
        pinned = self.pin_for(spec)
        return list(pinned.candidates) if pinned else []

    def companion_pins(self, version: str) -> list[str]:
        pins: list[str] = []
        for rule in self.companions:
            if rule.applies_to(version):
                pins.extend(p for p in rule.pins if p not in pins)
        return pins
