"""Helpers shared by the scenario modules (not a scenario module: the leading
underscore keeps ``load_builtin`` from importing it as one)."""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
import warnings
from pathlib import Path
from typing import Any, Iterator

#: requirements given explicitly so logging skips pip-requirement inference
#: (a subprocess that takes seconds on this machine); the content does not
#: matter for scenarios that only log and load in this environment
PIP_REQUIREMENTS = ["mlflow", "scikit-learn"]


@contextlib.contextmanager
def setup_quietly() -> Iterator[None]:
    """Silence warnings and MLflow's WARNING logs while a scenario prepares state.

    An idiom's cell should show what its own line of user code does; warnings
    raised while (for example) registering the model it loads would otherwise
    be reported as if the idiom raised them.
    """
    mlflow_logger = logging.getLogger("mlflow")
    previous = mlflow_logger.level
    mlflow_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        mlflow_logger.setLevel(previous)


def same_predictions(ctx: Any, got: Any, expected: Any, what: str) -> None:
    """Fail the scenario unless two prediction arrays are equal element for element."""
    import numpy as np

    got, expected = np.asarray(got).reshape(-1), np.asarray(expected).reshape(-1)
    ctx.check(np.array_equal(got, expected), f"{what}: predictions differ")


def uri_prefix(uri: str) -> str:
    """``runs:/abc/model`` -> ``runs:/``."""
    return uri.split(":", 1)[0] + ":/"


def relative_uri(uri: str, cwd: str | os.PathLike[str]) -> str:
    """A URI with the working directory replaced by ``<cwd>`` (stable across runs)."""
    return str(uri).replace(str(Path(cwd).resolve()), "<cwd>").replace(str(cwd), "<cwd>")


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_metrics(samples: list[float], prefix: str) -> dict[str, float]:
    """p50/p95 (milliseconds) of per-call latencies in seconds."""
    return {
        f"{prefix}_p50_ms": round(percentile(samples, 50) * 1000, 3),
        f"{prefix}_p95_ms": round(percentile(samples, 95) * 1000, 3),
        f"{prefix}_mean_ms": round(statistics.fmean(samples) * 1000, 3),
    }


def local_model_dir(model_uri: str) -> Path:
    """Download (or resolve) a model's artifacts to a local directory."""
    import mlflow.artifacts

    return Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))


def mlmodel(model_dir: Path) -> dict[str, Any]:
    import yaml  # a dependency of every MLflow release

    return yaml.safe_load((model_dir / "MLmodel").read_text())
