"""Resolve version specs ("3", "2.9", "3.1.4") to MLflow releases.

A family spec resolves to its newest *final* release on the package index; the
installer (``harness.envs``) walks the candidates newest first, because a
release can be listed while its own pinned dependencies are not yet published.
Release lists are cached for a while under ``results/.cache`` so that a warm
rerun does not ask the index again, and a stale cache is used when the index
cannot be reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from packaging.version import InvalidVersion, Version

from harness.config import validate_spec
from harness.errors import VersionError

PACKAGE = "mlflow"
CACHE_TTL_S = 6 * 3600


def label_for(version_or_spec: str) -> str:
    """The run-file label of a version: ``mlflow-3.1.4``."""
    return f"mlflow-{version_or_spec}"


def is_exact(spec: str) -> bool:
    return spec.count(".") == 2


def matches(spec: str, version: str) -> bool:
    """Does ``version`` belong to ``spec``? ``3.1`` matches ``3.1.4`` but not ``3.10.0``."""
    spec_parts = spec.split(".")
    try:
        release = Version(version).release
    except InvalidVersion:
        return False
    padded = list(release) + [0] * (3 - len(release))
    return [int(p) for p in spec_parts] == padded[: len(spec_parts)]


def candidates(spec: str, releases: list[str]) -> list[str]:
    """Final releases matching ``spec``, newest first."""
    validate_spec(spec, "version spec")
    if is_exact(spec):
        # an exact spec is tried as written even if the list is stale/missing it
        return [spec]
    found = []
    for raw in releases:
        try:
            version = Version(raw)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        if matches(spec, raw):
            found.append(version)
    return [str(v) for v in sorted(set(found), reverse=True)]


def index_url() -> str:
    for name in ("UV_INDEX_URL", "PIP_INDEX_URL"):
        if os.environ.get(name):
            return os.environ[name].rstrip("/")
    return "https://pypi.org/simple"


def _fetch_simple_json(package: str, timeout: float = 30.0) -> list[str]:
    request = urllib.request.Request(
        f"{index_url()}/{package}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data = json.load(response)
    yanked_only: dict[str, bool] = {}
    for entry in data.get("files", []):
        filename = entry.get("filename", "")
        # mlflow-3.1.4-py3-none-any.whl / mlflow-3.1.4.tar.gz
        stem = filename[len(package) + 1 :]
        version = stem.split("-")[0] if stem.endswith(".whl") else stem.removesuffix(".tar.gz")
        yanked = bool(entry.get("yanked"))
        yanked_only[version] = yanked_only.get(version, True) and yanked
    versions = data.get("versions") or list(yanked_only)
    return [v for v in versions if not yanked_only.get(v, False)]


def _fetch_with_pip(package: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package],
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("Available versions:"):
            return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
    raise VersionError(f"could not list {package} releases: {proc.stderr.strip()[-200:]}")


def list_releases(cache_dir: Path | None = None, package: str = PACKAGE) -> list[str]:
    """All non-yanked releases of ``package`` on the index (cached)."""
    cache = cache_dir / f"releases-{package}.json" if cache_dir else None
    if cache and cache.exists() and time.time() - cache.stat().st_mtime < CACHE_TTL_S:
        try:
            return json.loads(cache.read_text())
        except (OSError, ValueError):
            pass
    errors = []
    for fetch in (_fetch_simple_json, _fetch_with_pip):
        try:
            releases = fetch(package)
        except Exception as exc:  # noqa: BLE001 - any failure: try the next source
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(releases))
            os.replace(tmp, cache)
        return releases
    if cache and cache.exists():
        return json.loads(cache.read_text())
    raise VersionError(f"could not list {package} releases from {index_url()}: {errors[-1]}")


def resolve(spec: str, cache_dir: Path | None = None) -> list[str]:
    """Candidate releases for ``spec``, newest first; raises when there are none."""
    validate_spec(spec, "version spec")
    if is_exact(spec):
        return [spec]
    found = candidates(spec, list_releases(cache_dir))
    if not found:
        raise VersionError(f"no mlflow release matches {spec!r} on {index_url()}")
    return found
