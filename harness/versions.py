"""Resolve version specs ("3", "2.9", "3.1.4") to MLflow releases.

A family spec resolves to its newest *final* release on the package index; the
installer (``harness.envs``) walks the candidates newest first, because a
release can be listed while its own pinned dependencies are not yet published.
Release lists are cached for a while under ``results/.cache`` so that a warm
rerun does not ask the index again, and a stale cache is used when the index
cannot be reached. The same index page gives each release's upload time
(PEP 700), kept in ``uploads-<package>.json`` for the libraries policy.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from packaging.version import InvalidVersion, Version

from harness.specs import validate_spec
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


def _file_version(package: str, filename: str) -> str:
    """``mlflow-3.1.4-py3-none-any.whl`` / ``mlflow_skinny-3.1.4.tar.gz`` -> ``3.1.4``."""
    stem = filename[len(package) + 1 :]
    return stem.split("-")[0] if stem.endswith(".whl") else stem.removesuffix(".tar.gz")


def parse_simple_json(package: str, data: dict) -> tuple[list[str], dict[str, str]]:
    """(non-yanked releases, {release: first upload time}) from a PEP 691/700 project page.

    A release's upload time is its *first* file's ``upload-time`` (PEP 700):
    files added long after a release (2.1.1 got one 19 days later) do not
    move its date.
    """
    yanked_only: dict[str, bool] = {}
    uploads: dict[str, str] = {}
    for entry in data.get("files", []):
        version = _file_version(package, entry.get("filename", ""))
        yanked = bool(entry.get("yanked"))
        yanked_only[version] = yanked_only.get(version, True) and yanked
        uploaded = entry.get("upload-time")
        if isinstance(uploaded, str) and uploaded:
            if version not in uploads or parse_upload_time(uploaded) < parse_upload_time(uploads[version]):
                uploads[version] = uploaded
    versions = data.get("versions") or list(yanked_only)
    return [v for v in versions if not yanked_only.get(v, False)], uploads


def _fetch_simple_json(package: str, timeout: float = 30.0) -> tuple[list[str], dict[str, str]]:
    request = urllib.request.Request(
        f"{index_url()}/{package}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data = json.load(response)
    return parse_simple_json(package, data)


def _fetch_with_pip(package: str) -> tuple[list[str], dict[str, str]]:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", package],
        capture_output=True,
        text=True,
        timeout=120,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("Available versions:"):
            # pip does not say when a release was uploaded
            return [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()], {}
    raise VersionError(f"could not list {package} releases: {proc.stderr.strip()[-200:]}")


def _write_cache(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value))
    os.replace(tmp, path)


def _read_cache(path: Path | None):
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _fetch(package: str, cache_dir: Path | None) -> list[str]:
    """Ask the index; keep the release list and the upload times in the cache."""
    errors = []
    for fetch in (_fetch_simple_json, _fetch_with_pip):
        try:
            releases, uploads = fetch(package)
        except Exception as exc:  # noqa: BLE001 - any failure: try the next source
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        if cache_dir:
            _write_cache(cache_dir / f"releases-{package}.json", releases)
            if uploads:
                known = _read_cache(cache_dir / f"uploads-{package}.json")
                merged = {**known, **uploads} if isinstance(known, dict) else uploads
                _write_cache(cache_dir / f"uploads-{package}.json", merged)
        return releases
    raise VersionError(f"could not list {package} releases from {index_url()}: {errors[-1]}")


def list_releases(cache_dir: Path | None = None, package: str = PACKAGE) -> list[str]:
    """All non-yanked releases of ``package`` on the index (cached)."""
    cache = cache_dir / f"releases-{package}.json" if cache_dir else None
    if cache and cache.exists() and time.time() - cache.stat().st_mtime < CACHE_TTL_S:
        cached = _read_cache(cache)
        if cached is not None:
            return cached
    try:
        return _fetch(package, cache_dir)
    except VersionError:
        cached = _read_cache(cache)
        if cached is not None:
            return cached
        raise


def release_uploaded_at(version: str, cache_dir: Path | None = None, package: str = PACKAGE) -> str | None:
    """When ``version`` was first uploaded (PEP 700 ``upload-time``), or None if the index lacks it.

    Upload times never change, so a cached one is used whatever its age; the
    index is asked only for a release the cache does not know. Raises
    ``VersionError`` when the index cannot be reached and the cache lacks it.
    """
    cache = cache_dir / f"uploads-{package}.json" if cache_dir else None
    cached = _read_cache(cache)
    if isinstance(cached, dict) and version in cached:
        return cached[version]
    if cache is None:
        return _fetch_simple_json(package)[1].get(version)
    _fetch(package, cache_dir)
    cached = _read_cache(cache)
    if not isinstance(cached, dict):
        raise VersionError(f"{index_url()} did not say when {package} releases were uploaded (no PEP 700 upload-time)")
    return cached.get(version)


def parse_upload_time(text: str) -> datetime:
    """An index ``upload-time`` (RFC 3339, ``Z`` or an offset, any fraction) as an aware UTC datetime."""
    match = _TIME_RE.match(text.strip())
    if not match:
        raise VersionError(f"unreadable upload time {text!r}")
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    moment = datetime.fromisoformat(f"{match['base']}.{fraction}+00:00")
    if match["offset"] and match["offset"] not in ("Z", "z"):
        sign = 1 if match["offset"][0] == "+" else -1
        hours, minutes = (int(x) for x in match["offset"][1:].split(":"))
        moment -= sign * timedelta(hours=hours, minutes=minutes)
    return moment


_TIME_RE = re.compile(
    r"^(?P<base>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d+))?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?$"
)


def resolve(spec: str, cache_dir: Path | None = None) -> list[str]:
    """Candidate releases for ``spec``, newest first; raises when there are none."""
    validate_spec(spec, "version spec")
    if is_exact(spec):
        return [spec]
    found = candidates(spec, list_releases(cache_dir))
    if not found:
        raise VersionError(f"no mlflow release matches {spec!r} on {index_url()}")
    return found
