"""Reading the mlflow pin from a project's dependency files.

``candidate_from_file`` reads the ``mlflow`` requirement from a requirements
file or a ``pyproject.toml`` (``[project] dependencies``, optional
dependencies, dependency groups, a poetry pin), the way a bump pull request
changes it.
"""

from __future__ import annotations

import re
from pathlib import Path

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from harness.errors import HarnessError


def _requirement_lines(path: Path) -> list[str]:
    """Requirement strings from a requirements file or a pyproject.toml."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"--candidate-from {path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise HarnessError(f"--candidate-from {path}: invalid TOML: {exc}") from None
        project = data.get("project") or {}
        lines = list(project.get("dependencies") or [])
        for group in (project.get("optional-dependencies") or {}).values():
            lines.extend(group)
        for group in (data.get("dependency-groups") or {}).values():
            lines.extend(item for item in group if isinstance(item, str))
        poetry = ((data.get("tool") or {}).get("poetry") or {}).get("dependencies") or {}
        for name, value in poetry.items():
            version = value.get("version") if isinstance(value, dict) else value
            if canonicalize_name(name) == "mlflow" and isinstance(version, str):
                if not re.match(r"^\s*(==|>=|<=|!=|~=|<|>)", version):
                    if not re.match(r"^\d+(\.\d+)*$", version.strip()):
                        raise HarnessError(
                            f"--candidate-from {path}: poetry constraint mlflow = {version!r} is not "
                            "supported; use a PEP 440 specifier such as '==3.1.4' or '>=3.1,<3.2'"
                        )
                    version = f"=={version.strip()}"
                lines.append(f"mlflow{version}")
        return [line for line in lines if isinstance(line, str)]
    joined = re.sub(r"\\\n", " ", text)
    lines = []
    for raw in joined.splitlines():
        line = re.split(r"(^|\s)#", raw, maxsplit=1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(line)
    return lines


def candidate_from_file(path: Path) -> SpecifierSet:
    """The mlflow version constraint pinned in ``path`` (``==3.1.4``, ``>=3.1,<3.2``)."""
    path = Path(path)
    found: list[Requirement] = []
    for line in _requirement_lines(path):
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue  # not ours to judge: pip will complain about it itself
        if canonicalize_name(req.name) == "mlflow":
            found.append(req)
    if not found:
        raise HarnessError(f"--candidate-from {path}: no mlflow requirement found")
    spec = SpecifierSet()
    for req in found:
        spec &= req.specifier
    if not str(spec):
        raise HarnessError(
            f"--candidate-from {path}: mlflow is not pinned; pin it like 'mlflow==3.1.4' or 'mlflow>=3.1,<3.2'"
        )
    return spec
