"""Facts about the environment a run happens in: when, on what platform, with which packages.

Used by the runner for every run file and by ``harness.envs`` for the run file
of a version that could not be installed. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import platform

#: the packages whose installed versions every run file records
KEY_PACKAGES = (
    "mlflow",
    "mlflow-skinny",
    "mlflow-tracing",
    "scikit-learn",
    "numpy",
    "pandas",
    "scipy",
    "sqlalchemy",
    "alembic",
    "cloudpickle",
    "skops",
    "pyarrow",
    "setuptools",
    "flask",
    "gunicorn",
    "fastapi",
    "starlette",
    "uvicorn",
    "opentelemetry-api",
    "opentelemetry-sdk",
    "protobuf",
    "pytest",  # the project's own suite runs with it (harness/usertests)
)


def utc_now() -> str:
    """The current time as ``2026-11-26T18:00:00Z``."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def installed_packages() -> dict[str, str]:
    """Installed version of each of ``KEY_PACKAGES`` that is installed here."""
    from importlib import metadata

    found = {}
    for name in KEY_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def platform_tag() -> str:
    """``Linux-x86_64``: the operating system and machine a run happened on."""
    return f"{platform.system()}-{platform.machine()}"
