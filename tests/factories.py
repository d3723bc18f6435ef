"""Hand-written run files for unit tests of the harness's own logic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.results.runs import RunFile, ScenarioResult, save_run


def scenario(
    sid: str,
    status: str = "pass",
    *,
    kind: str = "capability",
    samples: list[float] | None = None,
    warnings: list[dict[str, Any]] | None = None,
    observations: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
    replaced_by: str | None = None,
    code: str | None = None,
    reason: str | None = None,
    duration_s: float = 0.1,
) -> ScenarioResult:
    timing = None
    if samples is not None:
        import statistics

        timing = {"unit": "s", "samples": samples, "median": statistics.median(samples)}
    if status in ("error", "fail") and error is None:
        error = {"type": "TypeError" if status == "error" else "AssertionError", "message": f"{sid} broke"}
    return ScenarioResult(
        id=sid,
        area=sid.split(".")[0],
        kind=kind,
        status=status,
        duration_s=duration_s,
        error=error,
        warnings=warnings or [],
        timing=timing,
        metrics={},
        observations=observations or {},
        replaced_by=replaced_by,
        code=code,
        reason=reason,
    )


def run_file(version: str, scenarios: list[ScenarioResult], *, spec: str | None = None, **extra: Any) -> RunFile:
    return RunFile(
        label=f"mlflow-{version}",
        mlflow_version=version,
        python_version="3.11.7",
        platform="Linux-x86_64",
        packages={"mlflow": version},
        tracking_backend="sqlite",
        started_at=extra.pop("started_at", "2026-11-26T18:00:00Z"),
        duration_s=1.0,
        scenarios=scenarios,
        spec=spec or ".".join(version.split(".")[:2]),
        **extra,
    )


def write(runs_dir: Path, run: RunFile) -> Path:
    path = runs_dir / f"{run.label}.json"
    save_run(run, path)
    return path


def write_raw(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path
