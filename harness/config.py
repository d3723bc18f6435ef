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
from pathlib import Path
from typing import Any, Mapping, Sequence

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from harness import configtable, home
from harness.configtable import LIBRARIES_POLICIES, validate_libraries  # noqa: F401 - public here too
from harness.errors import ConfigError
from harness.pins.roles import pin_sources, with_pins  # noqa: F401 - with_pins is public here too
from harness.settings import ApiSettings, CompanionRule, Config  # noqa: F401 - public here too
from harness.specs import SPEC_RE, split_specs, validate_spec  # noqa: F401 - public here too

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
