"""Which libraries go next to each MLflow version: the libraries policy.

``release`` (the default) resolves a version's environment as the index stood
when that release was uploaded, plus a grace period: scikit-learn, pandas,
numpy ... of its own time, the ones its users run and its own CI passed with.
``latest`` takes today's newest, as the matrix did before. Comparing a team's
current version with a candidate, ``latest`` puts the old version next to
libraries it never met (mlflow 2.9.2's regressor evaluation raises a TypeError
from inside scikit-learn 1.9.1 and passes with 1.3.2) and calls the next
release ``fixed``.

The cutoff is the release's first upload (``upload-time``, PEP 700, from
``harness.versions``) plus ``libraries_grace_days``; installers take it as
``uv pip install --exclude-newer`` or pip's ``--uploaded-prior-to`` (pip 26.0+;
pip applies it only to indexes that give upload times, so its other sources
are named in the facts).
Both keep packages already in an environment when they satisfy the request, so
an environment last installed under another policy or cutoff is reinstalled:
a small marker file in the environment says what it was installed with.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from harness import versions
from harness.config import Config
from harness.errors import VersionError

RELEASE = "release"
LATEST = "latest"
#: in the environment's root, next to pyvenv.cfg
MARKER = "mlflow-compat-libraries.json"
UV, PIP = "uv", "pip"


@dataclass(frozen=True)
class LibrariesPlan:
    """How one version's libraries are to be chosen, and why if not as asked."""

    policy: str  # what the configuration asked for
    applied: str  # what the install uses: "release" or "latest"
    released_at: str | None = None  # the release's first upload (index time)
    grace_days: float | None = None
    cutoff: str | None = None  # RFC 3339, UTC: nothing uploaded at or after it
    note: str = ""  # why the policy was not applied, when it was not
    caveat: str = ""  # applied, but with a limit the user should know

    def installer_args(self, installer: str) -> list[str]:
        """The flags that make ``installer`` ("uv" or "pip") respect the cutoff."""
        if self.applied != RELEASE or not self.cutoff:
            return []
        return ["--exclude-newer", self.cutoff] if installer == UV else ["--uploaded-prior-to", self.cutoff]

    def state(self) -> dict:
        """What an environment installed with this plan holds (the marker's content)."""
        return {"libraries": self.applied, "cutoff": self.cutoff if self.applied == RELEASE else None}

    def as_latest(self, note: str) -> LibrariesPlan:
        return LibrariesPlan(self.policy, LATEST, self.released_at, self.grace_days, None, note)

    def facts(self) -> dict:
        """What the run file records (``RunFile.install["libraries"]``)."""
        facts = {
            "policy": self.policy,
            "applied": self.applied,
            "released_at": self.released_at,
            "grace_days": self.grace_days,
            "cutoff": self.cutoff,
        }
        if self.note:
            facts["note"] = self.note
        if self.caveat:
            facts["caveat"] = self.caveat
        return facts


def format_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cutoff_for(released_at: str, grace_days: float) -> str:
    """The upload time plus the grace period, rounded *up* to the next second.

    Installers keep only files uploaded strictly before the cutoff (measured:
    uv rejects mlflow 2.9.2 at exactly its upload time), so the cutoff is
    always later than the release's own first file, even with no grace.
    """
    moment = versions.parse_upload_time(released_at) + timedelta(days=grace_days)
    return format_time(moment.replace(microsecond=0) + timedelta(seconds=1))


def plan_for(version: str, config: Config, installer: str, python: str | None = None) -> LibrariesPlan:
    """The plan for installing mlflow ``version`` with ``installer`` under ``config``'s policy."""
    if config.libraries != RELEASE:
        return LibrariesPlan(config.libraries, LATEST)
    plan = LibrariesPlan(RELEASE, RELEASE, grace_days=config.libraries_grace_days)
    try:
        released_at = versions.release_uploaded_at(version, config.results_dir / ".cache")
    except VersionError as exc:
        return plan.as_latest(f"the upload date of mlflow {version} is unknown ({exc})")
    if released_at is None:
        return plan.as_latest(f"{versions.index_url()} gives no upload date for mlflow {version}")
    plan = LibrariesPlan(
        RELEASE, RELEASE, released_at, config.libraries_grace_days,
        cutoff_for(released_at, config.libraries_grace_days),
    )
    if installer == PIP and python:
        if not pip_has_cutoff(python):
            return plan.as_latest(
                "this environment's pip has no --uploaded-prior-to (pip 26.0 added it) and uv was not used"
            )
        sources = pip_sources_without_upload_times(python)
        if sources:
            plan = replace(plan, caveat=(
                f"pip also reads {', '.join(sources)}, which give no upload times: "
                "files from there are taken whatever their date"
            ))
    return plan


def pip_has_cutoff(python: str) -> bool:
    """Does the pip in ``python``'s environment take ``--uploaded-prior-to``? (asked, not assumed)"""
    try:
        proc = subprocess.run(
            [python, "-m", "pip", "install", "--help"], capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and "--uploaded-prior-to" in proc.stdout


def pip_sources_without_upload_times(python: str) -> list[str]:
    """pip's configured find-links and file:// indexes (pip.conf or PIP_*).

    pip applies ``--uploaded-prior-to`` only to index files that carry an
    upload time and silently takes the others (measured: with a
    ``find-links`` directory and ``file://`` extra indexes configured, pip
    26.3 picked scikit-learn 1.9.1 under a 2023 cutoff).
    """
    try:
        proc = subprocess.run(
            [python, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    found: list[str] = []
    for line in proc.stdout.splitlines():
        key, _, value = line.partition("=")
        if not key.endswith(("find-links", "index-url")):
            continue
        for source in value.strip().strip("'\"").split():
            if key.endswith("find-links") or not source.startswith(("http://", "https://")):
                if source not in found:
                    found.append(source)
    return found


# -- what an environment was installed with --------------------------------------
def marker_path(python: str) -> Path:
    """``<venv>/mlflow-compat-libraries.json`` for ``<venv>/bin/python``."""
    return Path(python).parent.parent / MARKER


def installed_state(python: str) -> dict | None:
    """The libraries state an environment was last installed with (None: no marker)."""
    try:
        data = json.loads(marker_path(python).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def needs_reinstall(python: str, plan: LibrariesPlan, has_packages: Callable[[], bool]) -> bool:
    """True when the environment holds libraries chosen another way than ``plan`` asks.

    An environment without a marker but with packages (``has_packages``) was
    installed before the policy existed, that is with the latest libraries; an
    empty one (asked only then) needs no reinstall (uv's ``--reinstall`` also refreshes its whole
    cache from the index: seconds better not spent on a fresh environment).
    """
    state = installed_state(python)
    if state is None:
        state = {"libraries": LATEST, "cutoff": None} if has_packages() else plan.state()
    return state != plan.state()


def record_state(python: str, plan: LibrariesPlan) -> None:
    try:
        marker_path(python).write_text(json.dumps(plan.state()) + "\n")
    except OSError:
        pass  # a missing marker only costs a reinstall next time
