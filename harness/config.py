"""Read and validate ``[tool.mlflow-compat]`` plus environment overrides.

Imported by the noxfile (nox's own interpreter) and by the harness inside every
per-version environment, so it depends on the standard library and
``packaging`` only (nox and mlflow both bring ``packaging``).
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

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from harness.analysis.policy import GatePolicy
from harness.errors import ConfigError
from harness.specs import split_specs, validate_spec  # noqa: F401 - public here too
from harness.outcomes import Verdict
from harness.pins import PinnedVersion
from harness.pins.roles import pin_sources, with_pins  # noqa: F401 - with_pins is public here too

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VERSIONS_ENV = "MLFLOW_COMPAT_VERSIONS"
BASELINE_ENV = "MLFLOW_COMPAT_BASELINE"
RESULTS_ENV = "MLFLOW_COMPAT_RESULTS"
SCENARIO_PATHS_ENV = "MLFLOW_COMPAT_SCENARIO_PATHS"
CONFIG_ENV = "MLFLOW_COMPAT_CONFIG"
#: dependency files whose mlflow pin sets the baseline / the candidate (harness/pins)
BASELINE_FROM_ENV = "MLFLOW_COMPAT_BASELINE_FROM"
CANDIDATE_FROM_ENV = "MLFLOW_COMPAT_CANDIDATE_FROM"
LIBRARIES_ENV = "MLFLOW_COMPAT_LIBRARIES"

#: how each version's other libraries are chosen (see harness/libraries.py)
LIBRARIES_POLICIES = ("release", "latest")


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
    source: Path | None = None
    #: versions chosen by a pin (``--baseline-from`` / ``--candidate-from``), see :func:`with_pins`
    pinned: tuple[PinnedVersion, ...] = ()

    @property
    def runs_dir(self) -> Path:
        return self.results_dir / "runs"

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


_TOP_KEYS = {
    "versions",
    "baseline",
    "results_dir",
    "repeat",
    "warmup",
    "timeout",
    "install_attempts",
    "companions",
    "scenario_paths",
    "extra_requirements",
    "gate",
    "api",
    "libraries",
    "libraries_grace_days",
}
_API_KEYS = {"include", "exclude", "extend_include", "extend_exclude", "source_cache"}
_GATE_KEYS = {"fail_on", "slowdown_factor", "fail_on_deprecations", "allow"}
_COMPANION_KEYS = {"mlflow", "pins", "reason"}


def _expect(value: Any, kind: type | tuple[type, ...], key: str) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"[tool.mlflow-compat] {key}: expected a number, got {value!r}")
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ConfigError(f"[tool.mlflow-compat] {key}: expected {name}, got {value!r}")
    return value


def _string_list(value: Any, key: str) -> tuple[str, ...]:
    _expect(value, list, key)
    for item in value:
        _expect(item, str, key)
    return tuple(value)


def _parse_companions(raw: Any) -> tuple[CompanionRule, ...]:
    _expect(raw, list, "companions")
    rules = []
    for i, item in enumerate(raw):
        key = f"companions[{i}]"
        _expect(item, dict, key)
        unknown = set(item) - _COMPANION_KEYS
        if unknown:
            raise ConfigError(f"[tool.mlflow-compat] {key}: unknown key {sorted(unknown)[0]!r}")
        if "mlflow" not in item or "pins" not in item:
            raise ConfigError(f"[tool.mlflow-compat] {key}: needs both 'mlflow' and 'pins'")
        spec = _expect(item["mlflow"], str, f"{key}.mlflow")
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            raise ConfigError(
                f"[tool.mlflow-compat] {key}.mlflow: {spec!r} is not a version range like '<2.10'"
            ) from None
        rules.append(
            CompanionRule(
                mlflow=spec,
                pins=_string_list(item["pins"], f"{key}.pins"),
                reason=str(item.get("reason", "")),
            )
        )
    return tuple(rules)


def _parse_gate(raw: Any) -> GatePolicy:
    _expect(raw, dict, "gate")
    unknown = set(raw) - _GATE_KEYS
    if unknown:
        raise ConfigError(f"[tool.mlflow-compat.gate] unknown key {sorted(unknown)[0]!r}")
    kwargs: dict[str, Any] = {}
    if "fail_on" in raw:
        fail_on = _string_list(raw["fail_on"], "gate.fail_on")
        for verdict in fail_on:
            if verdict not in Verdict.values():
                raise ConfigError(
                    f"[tool.mlflow-compat.gate] fail_on: unknown verdict {verdict!r}; "
                    f"choose from {', '.join(Verdict.values())}"
                )
        kwargs["fail_on"] = fail_on
    if "slowdown_factor" in raw:
        factor = float(_expect(raw["slowdown_factor"], (int, float), "gate.slowdown_factor"))
        if factor < 1.0:
            raise ConfigError("[tool.mlflow-compat.gate] slowdown_factor: must be >= 1.0")
        kwargs["slowdown_factor"] = factor
    if "fail_on_deprecations" in raw:
        kwargs["fail_on_deprecations"] = _expect(
            raw["fail_on_deprecations"], bool, "gate.fail_on_deprecations"
        )
    if "allow" in raw:
        allow = _expect(raw["allow"], dict, "gate.allow")
        for sid, reason in allow.items():
            _expect(reason, str, f"gate.allow.{sid}")
        kwargs["allow"] = dict(allow)
    return GatePolicy(**kwargs)


def _parse_api(raw: Any, base_dir: Path) -> ApiSettings:
    _expect(raw, dict, "api")
    unknown = set(raw) - _API_KEYS
    if unknown:
        raise ConfigError(f"[tool.mlflow-compat.api] unknown key {sorted(unknown)[0]!r}")
    kwargs: dict[str, Any] = {}
    for key in ("include", "exclude", "extend_include", "extend_exclude"):
        if key in raw:
            patterns = _string_list(raw[key], f"api.{key}")
            for pattern in patterns:
                if not pattern.strip() or any(not part for part in pattern.split(".")):
                    raise ConfigError(
                        f"[tool.mlflow-compat.api] {key}: {pattern!r} is not a dotted pattern like 'mlflow.models.*'"
                    )
            kwargs[key] = patterns
    if "source_cache" in raw:
        kwargs["source_cache"] = (base_dir / _expect(raw["source_cache"], str, "api.source_cache")).resolve()
    return ApiSettings(**kwargs)


def parse_table(table: Mapping[str, Any], base_dir: Path, source: Path | None = None) -> Config:
    """Validate a ``[tool.mlflow-compat]`` table (already parsed from TOML)."""
    unknown = set(table) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"[tool.mlflow-compat] unknown key {sorted(unknown)[0]!r}")
    kwargs: dict[str, Any] = {"source": source}
    if "versions" in table:
        versions = _string_list(table["versions"], "versions")
        if not versions:
            raise ConfigError("[tool.mlflow-compat] versions: needs at least one version")
        kwargs["versions"] = tuple(validate_spec(v, "[tool.mlflow-compat] versions") for v in versions)
    if "baseline" in table:
        kwargs["baseline"] = validate_spec(
            _expect(table["baseline"], str, "baseline"), "[tool.mlflow-compat] baseline"
        )
    if "results_dir" in table:
        kwargs["results_dir"] = (base_dir / _expect(table["results_dir"], str, "results_dir")).resolve()
    for key, minimum in (("repeat", 1), ("warmup", 0), ("install_attempts", 1)):
        if key in table:
            value = _expect(table[key], int, key)
            if value < minimum:
                raise ConfigError(f"[tool.mlflow-compat] {key}: must be >= {minimum}, got {value}")
            kwargs[key] = value
    if "timeout" in table:
        timeout = float(_expect(table["timeout"], (int, float), "timeout"))
        if timeout <= 0:
            raise ConfigError(f"[tool.mlflow-compat] timeout: must be > 0, got {timeout:g}")
        kwargs["timeout"] = timeout
    if "companions" in table:
        kwargs["companions"] = _parse_companions(table["companions"])
    if "scenario_paths" in table:
        kwargs["scenario_paths"] = tuple(
            (base_dir / p).resolve() for p in _string_list(table["scenario_paths"], "scenario_paths")
        )
    if "extra_requirements" in table:
        kwargs["extra_requirements"] = tuple(
            _local_requirement(req, base_dir)
            for req in _string_list(table["extra_requirements"], "extra_requirements")
        )
    if "gate" in table:
        kwargs["gate"] = _parse_gate(table["gate"])
    if "api" in table:
        kwargs["api"] = _parse_api(table["api"], base_dir)
    if "libraries" in table:
        kwargs["libraries"] = validate_libraries(
            _expect(table["libraries"], str, "libraries"), "[tool.mlflow-compat] libraries"
        )
    if "libraries_grace_days" in table:
        grace = float(_expect(table["libraries_grace_days"], (int, float), "libraries_grace_days"))
        if not 0 <= grace <= 3650:
            raise ConfigError(
                f"[tool.mlflow-compat] libraries_grace_days: must be between 0 and 3650 days, got {grace:g}"
            )
        kwargs["libraries_grace_days"] = grace
    return Config(**kwargs)


def validate_libraries(policy: str, where: str) -> str:
    policy = str(policy).strip()
    if policy not in LIBRARIES_POLICIES:
        raise ConfigError(
            f"{where}: {policy!r} is not a libraries policy; choose "
            "'release' (each version with the libraries of its upload date) or 'latest' (today's newest)"
        )
    return policy


def _local_requirement(requirement: str, base_dir: Path) -> str:
    """``.`` or ``./pkg`` in ``extra_requirements`` means a path next to the config."""
    if requirement.startswith((".", "/")):
        return str((base_dir / requirement).resolve())
    return requirement


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
    """Load the config from ``pyproject`` (default: the project's) and apply env overrides.

    ``MLFLOW_COMPAT_VERSIONS`` replaces ``versions``; ``MLFLOW_COMPAT_BASELINE``
    replaces ``baseline``; ``MLFLOW_COMPAT_RESULTS`` replaces ``results_dir``;
    ``MLFLOW_COMPAT_SCENARIO_PATHS`` (``os.pathsep``-separated) replaces
    ``scenario_paths``. ``MLFLOW_COMPAT_LIBRARIES`` (``release``/``latest``)
    replaces ``libraries``. ``MLFLOW_COMPAT_CONFIG`` names another pyproject.toml
    (a user project's), whose relative paths resolve next to it.

    ``MLFLOW_COMPAT_BASELINE_FROM`` / ``MLFLOW_COMPAT_CANDIDATE_FROM`` (or
    ``baseline_from`` / ``candidate_from``, which win) name dependency files
    whose mlflow pin chooses the baseline / candidate (:func:`with_pins`).
    """
    env = os.environ if env is None else env
    if pyproject is None and env.get(CONFIG_ENV, "").strip():
        pyproject = Path(env[CONFIG_ENV].strip())
        if not pyproject.is_file():
            raise ConfigError(f"{CONFIG_ENV}={pyproject}: no such file")
    own = (PROJECT_ROOT / "pyproject.toml").resolve()
    pyproject = (pyproject or own).resolve()
    table = dict(read_table(pyproject))
    if pyproject != own:
        # a user project's config extends this project's: its keys win, and its
        # companion pins add to the measured ones shipped here
        base = dict(read_table(own))
        base_companions = list(base.get("companions", []))
        base.update(table)
        if "companions" in table and isinstance(table["companions"], list):
            base["companions"] = base_companions + table["companions"]
        table = base
    if env.get(VERSIONS_ENV, "").strip():
        table["versions"] = [
            validate_spec(spec, VERSIONS_ENV) for spec in split_specs(env[VERSIONS_ENV])
        ]
    if env.get(BASELINE_ENV, "").strip():
        validate_spec(env[BASELINE_ENV], BASELINE_ENV)
    if env.get(BASELINE_ENV, "").strip():
        table["baseline"] = env[BASELINE_ENV].strip()
    if env.get(RESULTS_ENV, "").strip():
        table["results_dir"] = env[RESULTS_ENV].strip()
    if env.get(LIBRARIES_ENV, "").strip():
        table["libraries"] = validate_libraries(env[LIBRARIES_ENV], LIBRARIES_ENV)
    if env.get(SCENARIO_PATHS_ENV, "").strip():
        table["scenario_paths"] = [p for p in env[SCENARIO_PATHS_ENV].split(os.pathsep) if p]
    config = parse_table(table, pyproject.parent, source=pyproject)
    base, base_option = pin_sources(baseline_from, env, BASELINE_FROM_ENV, "--baseline-from")
    cand, cand_option = pin_sources(candidate_from, env, CANDIDATE_FROM_ENV, "--candidate-from")
    if base and env.get(BASELINE_ENV, "").strip():
        raise ConfigError(f"{BASELINE_ENV} and {base_option} both choose the baseline; set one")
    if base and cand and env.get(VERSIONS_ENV, "").strip():
        raise ConfigError(f"{VERSIONS_ENV} and {base_option} + {cand_option} both choose the versions; set one")
    return with_pins(config, base, cand, options=(base_option, cand_option))
