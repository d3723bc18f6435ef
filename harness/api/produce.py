"""``results/api/<baseline>__<candidate>.json``: make it, or reuse it when it is current.

A pair file is current when it was made by the same diff algorithm
(:data:`ALGORITHM`, bumped whenever the rules in ``harness.api`` change), the
same griffe release and the same public-surface policy: release sources never
change under a version number, so a rerun reads the file and costs well under a
second. Otherwise both releases' sources are located (or fetched ``--no-deps``,
``harness.api.source``), loaded by griffe once per process (a baseline shared
by three candidates is parsed once), and diffed in both directions.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable

from harness.api.source import ReleaseSource, release_source
from harness.api.surface import Surface
from harness.errors import HarnessError, ResultsError
from harness.results import api as api_results
from harness.results.api import ApiChange, ApiDiff, ChangeKind

#: bump when the diff's rules change, so cached pair files are recomputed
ALGORITHM = 1
_KIND_ORDER = {kind: i for i, kind in enumerate(ChangeKind)}
_DIRECTION_ORDER = {d: i for i, d in enumerate(api_results.DIRECTIONS)}

Log = Callable[[str], None]


def griffe_version() -> str:
    try:
        return metadata.version("griffe")
    except metadata.PackageNotFoundError:
        raise HarnessError(
            "griffe is not installed: the API diff needs it (pip install 'mlflow-compat[api]', or nox -s api)"
        ) from None


def pair_path(api_dir: Path, baseline: str, candidate: str) -> Path:
    return Path(api_dir) / api_results.file_name(baseline, candidate)


def is_current(diff: ApiDiff, surface: Surface) -> bool:
    settings = diff.settings
    return (
        settings.get("algorithm") == ALGORITHM
        and settings.get("griffe") == griffe_version()
        and settings.get("surface") == surface.to_dict()
    )


def ordered(changes: list[ApiChange]) -> list[ApiChange]:
    """Stable order: direction, user-facing first, then path, kind and parameter."""
    return sorted(changes, key=lambda c: (
        _DIRECTION_ORDER[c.direction], not c.user_facing, c.path, _KIND_ORDER[c.kind], c.name or "",
    ))


class Producer:
    """Makes pair files; keeps each loaded release for the next pair in this process."""

    def __init__(
        self,
        api_dir: Path,
        source_cache: Path,
        surface: Surface,
        env_dirs: list[Path] | None = None,
        log: Log = lambda line: None,
        force: bool = False,
    ) -> None:
        self.api_dir, self.source_cache, self.surface = Path(api_dir), Path(source_cache), surface
        self.env_dirs, self.log, self.force = list(env_dirs or []), log, force
        self._releases: dict[str, object] = {}
        self._sources: dict[str, ReleaseSource] = {}

    def cached(self, baseline: str, candidate: str) -> ApiDiff | None:
        """The pair's file when it exists and is current (a corrupt or stale one is remade)."""
        path = pair_path(self.api_dir, baseline, candidate)
        if self.force or not path.is_file():
            return None
        try:
            diff = api_results.load(path)
        except ResultsError as exc:
            self.log(f"  {exc}; making it again")
            return None
        return diff if is_current(diff, self.surface) else None

    def source(self, version: str) -> ReleaseSource:
        if version not in self._sources:
            start = time.perf_counter()
            source = release_source(version, self.source_cache, self.env_dirs)
            self.log(f"  source of {source.describe()} in {time.perf_counter() - start:.1f}s")
            self._sources[version] = source
        return self._sources[version]

    def release(self, version: str):
        if version not in self._releases:
            from harness.api.release import Release  # griffe: only when a diff is computed

            source = self.source(version)
            start = time.perf_counter()
            self.log(f"  reading mlflow {version} with griffe ...")
            self._releases[version] = Release(version, source.root)
            self.log(f"  read mlflow {version} in {time.perf_counter() - start:.1f}s")
        return self._releases[version]

    def produce(self, baseline: str, candidate: str) -> tuple[ApiDiff, bool]:
        """(the pair's diff, whether it came from the cache); writes the file when computed."""
        diff = self.cached(baseline, candidate)
        if diff is not None:
            return diff, True
        from harness.api.diff import diff_direction

        start = time.perf_counter()
        # fetch both sources before the slow parse, so an unfetchable release fails fast
        self.source(baseline)
        self.source(candidate)
        old, new = self.release(baseline), self.release(candidate)
        diffed = time.perf_counter()
        try:
            changes = diff_direction(old, new, self.surface, "upgrade") + diff_direction(new, old, self.surface, "rollback")
        except Exception as exc:  # noqa: BLE001 - one pair's failure must not take the other pairs down
            raise HarnessError(f"API diff {baseline} -> {candidate} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            # a baseline serves every candidate; a candidate's tree (~100 MB) is not needed again
            for version in [v for v in self._releases if v != baseline]:
                del self._releases[version]
        diff = ApiDiff(
            baseline=baseline,
            candidate=candidate,
            created_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            changes=ordered(changes),
            settings={
                "algorithm": ALGORITHM,
                "griffe": griffe_version(),
                "surface": self.surface.to_dict(),
                "sources": {
                    v: {"origin": self._sources[v].origin, "distributions": self._sources[v].distributions}
                    for v in (baseline, candidate)
                },
                "timings_s": {
                    "total": round(time.perf_counter() - start, 2),
                    "diff": round(time.perf_counter() - diffed, 2),
                },
            },
        )
        path = pair_path(self.api_dir, baseline, candidate)
        api_results.save(diff, path)
        diff.path = path
        return diff, False
