"""A release's source, without importing it: where the ``mlflow`` package files are.

Either an environment that already has the release installed (the matrix's
``.nox/mlflow-<spec>`` or the tests' ``.nox/test-mlflow-<spec>``: their
site-packages hold it, nothing to fetch), or a cache directory, keyed by
version, into which the release is installed with ``--no-deps``: no
dependency is resolved and nothing is imported, so any release installs there
in about a second, even one whose dependencies no longer install.

Since 3.0 the ``mlflow`` package's files are shipped by several distributions
(``mlflow``, ``mlflow-skinny``, ``mlflow-tracing``) that ``mlflow`` pins at its
own version. Measured on 3.0.0, 3.1.4, 3.5.0 and 3.17.2, the ``mlflow`` wheel
alone holds every ``.py`` file of the package (the others are subsets), but
that is a packaging choice of each release: the fetch installs ``mlflow`` and
then every ``mlflow-*`` distribution its metadata pins to the same version,
all ``--no-deps`` into the same directory, and the cache's manifest records
how many package files each distribution brought.

The default cache is ``results/.cache/api-src/<version>`` (next to the
release-list cache, git-ignored, dropped with ``results/``, and a directory CI
can cache); ``[tool.mlflow-compat.api] source_cache`` moves it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path
from typing import Callable

from harness.errors import HarnessError

PACKAGE = "mlflow"
MANIFEST = ".mlflow-compat-source.json"
#: ``Requires-Dist: mlflow-skinny==3.5.0`` (no environment marker, same version)
_SIBLING = re.compile(r"^(mlflow(?:[-_][A-Za-z0-9]+)+)\s*==\s*([^\s;,]+)\s*$")

#: installs ``requirements`` with --no-deps into ``target``; raises ``SourceError``
Installer = Callable[[list[str], Path], None]


class SourceError(HarnessError):
    """A release's source could not be found or fetched."""


@dataclass
class ReleaseSource:
    version: str
    #: the directory that contains the ``mlflow`` package (a site-packages or a cache entry)
    root: Path
    #: "cache", "fetched" or "environment"
    origin: str
    #: distribution -> number of ``mlflow/**.py`` files it lists (fetched/cached sources)
    distributions: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        where = {"cache": "cached", "fetched": "fetched", "environment": "from environment"}[self.origin]
        return f"{self.version} ({where}: {self.root})"


def _dist_info(root: Path, version: str, dist: str = PACKAGE) -> Path:
    return root / f"{dist}-{version}.dist-info"


def _has_release(root: Path, version: str) -> bool:
    return _dist_info(root, version).is_dir() and (root / PACKAGE / "__init__.py").is_file()


def find_in_environments(version: str, env_dirs: list[Path]) -> Path | None:
    """The site-packages of an existing environment with mlflow ``version`` installed."""
    for env_dir in env_dirs:
        if not env_dir.is_dir():
            continue
        for site in sorted(env_dir.glob("*/lib/python*/site-packages")):
            if _has_release(site, version):
                return site
    return None


def install_no_deps(requirements: list[str], target: Path) -> None:
    """``uv pip install --no-deps --target`` (or pip's), output kept for the error line."""
    from harness.envs import find_uv

    uv = find_uv()
    if uv:
        cmd = [uv, "pip", "install", "--quiet", "--no-deps", "--python", sys.executable,
               "--target", str(target), *requirements]
    else:
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--no-compile", "--target", str(target), *requirements]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise SourceError(f"installing {' '.join(requirements)} timed out") from None
    except OSError as exc:
        raise SourceError(f"cannot run the installer: {exc}") from None
    if proc.returncode != 0:
        lines = [line.strip(" ×╰─▶│") for line in proc.stderr.splitlines()]
        reason = " ".join(line for line in lines if line)[-300:] or f"exit code {proc.returncode}"
        raise SourceError(f"cannot fetch {' '.join(requirements)}: {reason}")


def sibling_distributions(root: Path, version: str) -> list[str]:
    """``mlflow-*`` distributions that ``mlflow`` ``version`` pins to its own version."""
    metadata = _dist_info(root, version) / "METADATA"
    try:
        message = Parser().parsestr(metadata.read_text(encoding="utf-8"), headersonly=True)
    except OSError:
        return []
    found = []
    for requirement in message.get_all("Requires-Dist") or []:
        match = _SIBLING.match(requirement.strip())
        if match and match.group(2) == version:
            found.append(match.group(1))
    return found


def package_files(root: Path) -> dict[str, int]:
    """``mlflow*`` distribution -> how many ``mlflow/**.py`` files its RECORD lists (those with any)."""
    counts = {}
    for info in sorted(root.glob("mlflow*.dist-info")):
        try:
            records = (info / "RECORD").read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        name = info.name.removesuffix(".dist-info").rsplit("-", 1)[0].replace("_", "-")
        files = sum(1 for line in records if line.startswith(f"{PACKAGE}/") and line.split(",")[0].endswith(".py"))
        if files:
            counts[name] = files
    return counts


def prune(root: Path) -> None:
    """Keep only what a static read needs: Python sources and the distributions' metadata
    (3.x wheels also ship the server's JavaScript build: most of their size)."""
    for path in (root / PACKAGE).rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyi"):
            path.unlink()


def fetch(version: str, cache_dir: Path, install: Installer | None = None) -> ReleaseSource:
    """Install ``version``'s package files (``--no-deps``) into ``cache_dir/<version>``, atomically."""
    install = install or install_no_deps
    entry = cache_dir / version
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=cache_dir))
    try:
        install([f"{PACKAGE}=={version}"], tmp)
        if not _has_release(tmp, version):
            raise SourceError(f"mlflow {version}: the installed distribution has no mlflow package")
        siblings = sibling_distributions(tmp, version)
        if siblings:
            install([f"{name}=={version}" for name in siblings], tmp)
        distributions = package_files(tmp)
        prune(tmp)
        (tmp / MANIFEST).write_text(json.dumps({"version": version, "distributions": distributions}))
        try:
            os.replace(tmp, entry)
        except OSError:
            if not (entry / MANIFEST).is_file():  # not a concurrent fetch of the same release
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ReleaseSource(version, entry, "fetched", distributions)


def cached(version: str, cache_dir: Path) -> ReleaseSource | None:
    entry = cache_dir / version
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if not _has_release(entry, version):
        return None
    return ReleaseSource(version, entry, "cache", dict(manifest.get("distributions") or {}))


def release_source(
    version: str,
    cache_dir: Path,
    env_dirs: list[Path] | None = None,
    install: Installer | None = None,
) -> ReleaseSource:
    """Where ``version``'s source is: an existing environment, the cache, or fetched now."""
    site = find_in_environments(version, env_dirs or [])
    if site is not None:
        return ReleaseSource(version, site, "environment", package_files(site))
    return cached(version, cache_dir) or fetch(version, cache_dir, install)
