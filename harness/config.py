"""The configuration: shipped defaults, the project's ``[tool.mlflow-compat]``, environment overrides.

Three layers, later ones win:

1. ``harness/defaults.toml`` (package data: an installed mlflow-compat has it
   too): versions, baseline, the measured companion pins with their reasons,
   the gate and libraries policies. The one place defaults are written.
2. the project's ``[tool.mlflow-compat]``: ``--config FILE``, else
   ``MLFLOW_COMPAT_CONFIG``, else the ``pyproject.toml`` of the project root
   (``MLFLOW_COMPAT_ROOT``, else the current directory), if there is one. Its
   keys replace the defaults'; its companion pins add to the shipped ones.
   This repository's own pyproject.toml is such a project configuration.
3. ``MLFLOW_COMPAT_*`` environment variables (versions, baseline, results ...).

The project root (``Config.root``) is the directory of that configuration:
the user's repository. Relative paths resolve there, ``results/`` and the
per-version environments (``.nox/``) live there, whichever directory
mlflow-compat itself is installed in (``harness.home``).

Imported by the noxfile (nox's own interpreter) and by the harness inside every
per-version environment, so it depends on the standard library and
``packaging`` only (nox and mlflow both bring ``packaging``). Key validation is
``harness.configtable``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from packaging.specifiers import SpecifierSet

from harness import configtable, home
from harness.analysis.policy import GatePolicy
from harness.configtable import LIBRARIES_POLICIES, validate_libraries  # noqa: F401 - public here too
from harness.errors import ConfigError
from harness.specs import SPEC_RE, split_specs, validate_spec  # noqa: F401 - public here too
from harness.pins import PinnedVersion
from harness.pins.roles import pin_sources, with_pins  # noqa: F401 - with_pins is public here too

#: where the harness itself is (a checkout or site-packages); the user's project is ``Config.root``
PROJECT_ROOT = home.HOME
VERSIONS_ENV = "MLFLOW_COMPAT_VERSIONS"
BASELINE_ENV = "MLFLOW_COMPAT_BASELINE"
RESULTS_ENV = "MLFLOW_COMPAT_RESULTS"
SCENARIO_PATHS_ENV = "MLFLOW_COMPAT_SCENARIO_PATHS"
CONFIG_ENV = "MLFLOW_COMPAT_CONFIG"
#: the project root when no configuration file is named (default: the current directory)
ROOT_ENV = "MLFLOW_COMPAT_ROOT"
#: dependency files whose mlflow pin sets the baseline / the candidate (harness/pins)
BASELINE_FROM_ENV = "MLFLOW_COMPAT_BASELINE_FROM"
CANDIDATE_FROM_ENV = "MLFLOW_COMPAT_CANDIDATE_FROM"
LIBRARIES_ENV = "MLFLOW_COMPAT_LIBRARIES"


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
    results_dir: Path = PROJECT_ROOT / "results"
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


def parse_table(
    table: Mapping[str, Any], base_dir: Path, source: Path | None = None, root: Path | None = None
) -> Config:
    """Validate a ``[tool.mlflow-compat]`` table (already parsed from TOML; paths relative to ``base_dir``)."""
    kwargs = configtable.parse(table, base_dir)
    if "companions" in kwargs:
        kwargs["companions"] = tuple(CompanionRule(**rule) for rule in kwargs["companions"])
    if "api" in kwargs:
        kwargs["api"] = ApiSettings(**kwargs["api"])
    return Config(**kwargs, source=source, root=(root or base_dir).resolve())


def defaults_table() -> dict[str, Any]:
    """The shipped defaults (``harness/defaults.toml``)."""
    table = read_table(home.DEFAULTS_FILE)
    if not table:
        raise ConfigError(f"{home.DEFAULTS_FILE}: the shipped defaults are missing; reinstall mlflow-compat")
    return table


def project_file(pyproject: Path | None, env: Mapping[str, str]) -> tuple[Path | None, Path]:
    """(the project's configuration file or None, the project root): see the module docstring."""
    if pyproject is None and env.get(CONFIG_ENV, "").strip():
        pyproject = Path(env[CONFIG_ENV].strip())
        if not pyproject.is_file():
            raise ConfigError(f"{CONFIG_ENV}={pyproject}: no such file")
    if pyproject is not None:
        pyproject = pyproject.resolve()
        return pyproject, pyproject.parent
    root = Path(env[ROOT_ENV].strip()) if env.get(ROOT_ENV, "").strip() else Path.cwd()
    if not root.is_dir():
        raise ConfigError(f"{ROOT_ENV}={root}: no such directory")
    found = root.resolve() / "pyproject.toml"
    return (found if found.is_file() else None), root.resolve()


def layered(project: Mapping[str, Any]) -> dict[str, Any]:
    """The shipped defaults with the project's table on top: its keys win, its companion
    pins add to the measured ones shipped."""
    table = defaults_table()
    shipped = list(table.get("companions", []))
    table.update(project)
    if isinstance(project.get("companions"), list):
        table["companions"] = shipped + project["companions"]
    return table


def read_table(pyproject: Path) -> dict[str, Any]:
    try:
        with open(pyproject, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("mlflow-compat", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.mlflow-compat] must be a table, got {table!r}")
    return table


def load_config(
    pyproject: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    baseline_from: Sequence[str | Path] = (),
    candidate_from: Sequence[str | Path] = (),
) -> Config:
    """The configuration: shipped defaults, the project's table, environment overrides.

    ``pyproject`` (``--config``) names the project's configuration; without it
    ``MLFLOW_COMPAT_CONFIG``, else ``pyproject.toml`` in ``MLFLOW_COMPAT_ROOT`` or the
    current directory (see the module docstring). Relative paths resolve next to it.

    ``MLFLOW_COMPAT_VERSIONS`` replaces ``versions``; ``MLFLOW_COMPAT_BASELINE``
    replaces ``baseline``; ``MLFLOW_COMPAT_RESULTS`` replaces ``results_dir``;
    ``MLFLOW_COMPAT_SCENARIO_PATHS`` (``os.pathsep``-separated) replaces
    ``scenario_paths``. ``MLFLOW_COMPAT_LIBRARIES`` (``release``/``latest``)
    replaces ``libraries``.

    ``MLFLOW_COMPAT_BASELINE_FROM`` / ``MLFLOW_COMPAT_CANDIDATE_FROM`` (or
    ``baseline_from`` / ``candidate_from``, which win) name dependency files
    whose mlflow pin chooses the baseline / candidate (:func:`with_pins`).
    Without them, a project ``environment`` pins the baseline
    (``harness.userenv.with_environment``).
    """
    from harness import userenv

    env = os.environ if env is None else env
    pyproject, root = project_file(pyproject, env)
    project = dict(read_table(pyproject)) if pyproject else {}
    table = layered(project)
    if env.get(VERSIONS_ENV, "").strip():
        table["versions"] = [
            validate_spec(spec, VERSIONS_ENV) for spec in split_specs(env[VERSIONS_ENV])
        ]
    if env.get(BASELINE_ENV, "").strip():
        validate_spec(env[BASELINE_ENV], BASELINE_ENV)
        table["baseline"] = env[BASELINE_ENV].strip()
    if env.get(RESULTS_ENV, "").strip():
        table["results_dir"] = env[RESULTS_ENV].strip()
    if env.get(LIBRARIES_ENV, "").strip():
        table["libraries"] = validate_libraries(env[LIBRARIES_ENV], LIBRARIES_ENV)
    if env.get(SCENARIO_PATHS_ENV, "").strip():
        table["scenario_paths"] = [p for p in env[SCENARIO_PATHS_ENV].split(os.pathsep) if p]
    config = parse_table(table, root, source=pyproject)
    base, base_option = pin_sources(baseline_from, env, BASELINE_FROM_ENV, "--baseline-from")
    cand, cand_option = pin_sources(candidate_from, env, CANDIDATE_FROM_ENV, "--candidate-from")
    if base and env.get(BASELINE_ENV, "").strip():
        raise ConfigError(f"{BASELINE_ENV} and {base_option} both choose the baseline; set one")
    if base and cand and env.get(VERSIONS_ENV, "").strip():
        raise ConfigError(f"{VERSIONS_ENV} and {base_option} + {cand_option} both choose the versions; set one")
    if not base and config.environment and "baseline" not in project and not env.get(BASELINE_ENV, "").strip():
        return userenv.with_environment(config, cand, cand_option)
    return with_pins(config, base, cand, options=(base_option, cand_option))
