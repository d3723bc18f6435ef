"""Validate a ``[tool.mlflow-compat]`` table, key by key, into ``Config`` keyword arguments.

``harness.config`` layers the tables (shipped defaults, the project's, the
environment variables) and builds the ``Config``; this module only knows what
each key may hold. Every problem is one ``ConfigError`` naming the key.
Standard library and ``packaging`` only (the per-version environments import it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from harness.analysis.policy import GatePolicy
from harness.errors import ConfigError
from harness.outcomes import Verdict
from harness.specs import validate_spec

#: how each version's other libraries are chosen (see harness/libraries.py)
LIBRARIES_POLICIES = ("release", "latest")

TOP_KEYS = {
    "versions", "baseline", "results_dir", "repeat", "warmup", "timeout", "install_attempts",
    "companions", "scenario_paths", "extra_requirements", "gate", "api", "libraries",
    "libraries_grace_days",
    # the project's own test suite and environment (harness/usertests, harness/userenv)
    "pytest_paths", "pytest_args", "pytest_timeout", "pytest_requirement", "environment",
}
API_KEYS = {"include", "exclude", "extend_include", "extend_exclude", "source_cache"}
GATE_KEYS = {"fail_on", "slowdown_factor", "fail_on_deprecations", "allow"}
COMPANION_KEYS = {"mlflow", "pins", "reason"}


def expect(value: Any, kind: type | tuple[type, ...], key: str) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"[tool.mlflow-compat] {key}: expected a number, got {value!r}")
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ConfigError(f"[tool.mlflow-compat] {key}: expected {name}, got {value!r}")
    return value


def string_list(value: Any, key: str) -> tuple[str, ...]:
    expect(value, list, key)
    for item in value:
        expect(item, str, key)
    return tuple(value)


def companions(raw: Any) -> tuple[dict[str, Any], ...]:
    """The companion rules as keyword arguments of ``CompanionRule``."""
    expect(raw, list, "companions")
    rules = []
    for i, item in enumerate(raw):
        key = f"companions[{i}]"
        expect(item, dict, key)
        unknown = set(item) - COMPANION_KEYS
        if unknown:
            raise ConfigError(f"[tool.mlflow-compat] {key}: unknown key {sorted(unknown)[0]!r}")
        if "mlflow" not in item or "pins" not in item:
            raise ConfigError(f"[tool.mlflow-compat] {key}: needs both 'mlflow' and 'pins'")
        spec = expect(item["mlflow"], str, f"{key}.mlflow")
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            raise ConfigError(
                f"[tool.mlflow-compat] {key}.mlflow: {spec!r} is not a version range like '<2.10'"
            ) from None
        rules.append({"mlflow": spec, "pins": string_list(item["pins"], f"{key}.pins"),
                      "reason": str(item.get("reason", ""))})
    return tuple(rules)


def gate(raw: Any) -> GatePolicy:
    expect(raw, dict, "gate")
    unknown = set(raw) - GATE_KEYS
    if unknown:
        raise ConfigError(f"[tool.mlflow-compat.gate] unknown key {sorted(unknown)[0]!r}")
    kwargs: dict[str, Any] = {}
    if "fail_on" in raw:
        fail_on = string_list(raw["fail_on"], "gate.fail_on")
        for verdict in fail_on:
            if verdict not in Verdict.values():
                raise ConfigError(
                    f"[tool.mlflow-compat.gate] fail_on: unknown verdict {verdict!r}; "
                    f"choose from {', '.join(Verdict.values())}"
                )
        kwargs["fail_on"] = fail_on
    if "slowdown_factor" in raw:
        factor = float(expect(raw["slowdown_factor"], (int, float), "gate.slowdown_factor"))
        if factor < 1.0:
            raise ConfigError("[tool.mlflow-compat.gate] slowdown_factor: must be >= 1.0")
        kwargs["slowdown_factor"] = factor
    if "fail_on_deprecations" in raw:
        kwargs["fail_on_deprecations"] = expect(raw["fail_on_deprecations"], bool, "gate.fail_on_deprecations")
    if "allow" in raw:
        allow = expect(raw["allow"], dict, "gate.allow")
        for sid, reason in allow.items():
            expect(reason, str, f"gate.allow.{sid}")
        kwargs["allow"] = dict(allow)
    return GatePolicy(**kwargs)


def api(raw: Any, base_dir: Path) -> dict[str, Any]:
    """``[tool.mlflow-compat.api]`` as keyword arguments of ``ApiSettings``."""
    expect(raw, dict, "api")
    unknown = set(raw) - API_KEYS
    if unknown:
        raise ConfigError(f"[tool.mlflow-compat.api] unknown key {sorted(unknown)[0]!r}")
    kwargs: dict[str, Any] = {}
    for key in ("include", "exclude", "extend_include", "extend_exclude"):
        if key in raw:
            patterns = string_list(raw[key], f"api.{key}")
            for pattern in patterns:
                if not pattern.strip() or any(not part for part in pattern.split(".")):
                    raise ConfigError(
                        f"[tool.mlflow-compat.api] {key}: {pattern!r} is not a dotted pattern like 'mlflow.models.*'"
                    )
            kwargs[key] = patterns
    if "source_cache" in raw:
        kwargs["source_cache"] = (base_dir / expect(raw["source_cache"], str, "api.source_cache")).resolve()
    return kwargs


def validate_libraries(policy: str, where: str) -> str:
    policy = str(policy).strip()
    if policy not in LIBRARIES_POLICIES:
        raise ConfigError(
            f"{where}: {policy!r} is not a libraries policy; choose "
            "'release' (each version with the libraries of its upload date) or 'latest' (today's newest)"
        )
    return policy


def local_requirement(requirement: str, base_dir: Path) -> str:
    """``.`` or ``./pkg`` in ``extra_requirements`` means a path next to the config."""
    if requirement.startswith((".", "/")):
        return str((base_dir / requirement).resolve())
    return requirement


def _existing_paths(values: tuple[str, ...], key: str, base_dir: Path) -> tuple[str, ...]:
    """Paths (relative to the project root) that must exist; ``tests/x.py::test_y`` checks its file."""
    for value in values:
        if not value.strip():
            raise ConfigError(f"[tool.mlflow-compat] {key}: an empty path")
        if not (base_dir / value.split("::", 1)[0]).exists():
            raise ConfigError(f"[tool.mlflow-compat] {key}: {value} does not exist (in {base_dir})")
    return values


def user_project(table: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """The project's own test suite and environment: ``pytest_*`` and ``environment``."""
    kwargs: dict[str, Any] = {}
    if "pytest_paths" in table:
        kwargs["pytest_paths"] = _existing_paths(
            string_list(table["pytest_paths"], "pytest_paths"), "pytest_paths", base_dir)
    if "pytest_args" in table:
        kwargs["pytest_args"] = string_list(table["pytest_args"], "pytest_args")
    if "pytest_timeout" in table:
        limit = float(expect(table["pytest_timeout"], (int, float), "pytest_timeout"))
        if limit <= 0:
            raise ConfigError(f"[tool.mlflow-compat] pytest_timeout: must be > 0, got {limit:g}")
        kwargs["pytest_timeout"] = limit
    if "pytest_requirement" in table:
        requirement = expect(table["pytest_requirement"], str, "pytest_requirement").strip()
        if not requirement:
            raise ConfigError("[tool.mlflow-compat] pytest_requirement: must name pytest, e.g. 'pytest>=7'")
        kwargs["pytest_requirement"] = requirement
    if "environment" in table:
        raw = table["environment"]
        files = (expect(raw, str, "environment"),) if isinstance(raw, str) else string_list(raw, "environment")
        kwargs["environment"] = _existing_paths(files, "environment", base_dir)
    return kwargs


def parse(table: Mapping[str, Any], base_dir: Path) -> dict[str, Any]:
    """Validate a merged ``[tool.mlflow-compat]`` table into ``Config`` keyword arguments
    (``companions`` and ``api`` stay plain keyword dictionaries for ``harness.config`` to build)."""
    unknown = set(table) - TOP_KEYS
    if unknown:
        raise ConfigError(f"[tool.mlflow-compat] unknown key {sorted(unknown)[0]!r}")
    kwargs: dict[str, Any] = {}
    if "versions" in table:
        versions = string_list(table["versions"], "versions")
        if not versions:
            raise ConfigError("[tool.mlflow-compat] versions: needs at least one version")
        kwargs["versions"] = tuple(validate_spec(v, "[tool.mlflow-compat] versions") for v in versions)
    if "baseline" in table:
        kwargs["baseline"] = validate_spec(expect(table["baseline"], str, "baseline"), "[tool.mlflow-compat] baseline")
    if "results_dir" in table:
        kwargs["results_dir"] = (base_dir / expect(table["results_dir"], str, "results_dir")).resolve()
    for key, minimum in (("repeat", 1), ("warmup", 0), ("install_attempts", 1)):
        if key in table:
            value = expect(table[key], int, key)
            if value < minimum:
                raise ConfigError(f"[tool.mlflow-compat] {key}: must be >= {minimum}, got {value}")
            kwargs[key] = value
    if "timeout" in table:
        timeout = float(expect(table["timeout"], (int, float), "timeout"))
        if timeout <= 0:
            raise ConfigError(f"[tool.mlflow-compat] timeout: must be > 0, got {timeout:g}")
        kwargs["timeout"] = timeout
    if "companions" in table:
        kwargs["companions"] = companions(table["companions"])
    if "scenario_paths" in table:
        kwargs["scenario_paths"] = tuple(
            (base_dir / p).resolve() for p in string_list(table["scenario_paths"], "scenario_paths"))
    if "extra_requirements" in table:
        kwargs["extra_requirements"] = tuple(
            local_requirement(req, base_dir) for req in string_list(table["extra_requirements"], "extra_requirements"))
    if "gate" in table:
        kwargs["gate"] = gate(table["gate"])
    if "api" in table:
        kwargs["api"] = api(table["api"], base_dir)
    if "libraries" in table:
        kwargs["libraries"] = validate_libraries(expect(table["libraries"], str, "libraries"),
                                                 "[tool.mlflow-compat] libraries")
    if "libraries_grace_days" in table:
        grace = float(expect(table["libraries_grace_days"], (int, float), "libraries_grace_days"))
        if not 0 <= grace <= 3650:
            raise ConfigError(
                f"[tool.mlflow-compat] libraries_grace_days: must be between 0 and 3650 days, got {grace:g}")
        kwargs["libraries_grace_days"] = grace
    kwargs.update(user_project(table, base_dir))
    return kwargs
