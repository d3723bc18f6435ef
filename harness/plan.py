"""What CI runs for a configuration: one job per version, the cross-version
checks between the baseline and the candidate, the scan; then report and gate.

Built from the :class:`~harness.config.Config` every command sees, so a bump
pull request (``--baseline-from git:origin/main:requirements.txt
--candidate-from requirements.txt``) plans exactly the two pinned releases,
and equal pins plan nothing (``run: false``). :meth:`Plan.to_dict` is the
JSON ``python -m harness plan --json`` prints, a contract CI reads
(schema 1)::

    {"schema_version": 1,
     "run": true,                 # false: nothing to run (the pins name the same release)
     "summary": "mlflow 2.9.2 -> 3.1.4 (bump)",
     "direction": "bump",         # bump | downgrade | same | null (no candidate)
     "baseline":  VERSION,        # see below
     "candidate": VERSION | null, # the newest other version when nothing is pinned
     "versions": ["2.9.2", "3.1.4"],
     "env": {"MLFLOW_COMPAT_BASELINE_FROM": "...", ...},   # every job needs it
     "jobs": [JOB, ...],
     "matrix": {"include": [JOB of kind "version", ...]},   # for a CI job matrix
     "report": {"command": "nox -s report"},    # installed: "mlflow-compat matrix -s report"
     "gate": {"baseline": "2.9.2", "candidates": ["3.1.4"], "args": [...], "command": "..."}}

    VERSION = {"role": "baseline" | "candidate" | "version", "spec": "3.1.4",
               "version": "3.1.4" | null,  # the release it comes to (newest that exists)
               "session": "mlflow-3.1.4", "label": "mlflow-3.1.4",
               "requirement": "mlflow==3.1.4" | null, "source": "requirements.txt" | null,
               "candidates": ["3.1.4", ...]}   # releases tried, newest first
    JOB = {"id": ..., "kind": "version" | "cross" | "scan", "session": ..., "command": ...,
           "commands": [...], ...}     # a version job also has the VERSION fields
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from packaging.version import Version

from harness.config import BASELINE_FROM_ENV, CANDIDATE_FROM_ENV, CONFIG_ENV, Config
from harness.versions import is_exact, label_for

SCHEMA_VERSION = 1
SARIF_NAME = "scan.sarif"


def session_name(spec: str) -> str:
    """The nox session that runs one version: ``mlflow-3.1.4``, ``mlflow-3``."""
    return f"mlflow-{spec}"



def session_command(session: str, args: Sequence[str] = ()) -> str:
    """How a user runs one packaged session: ``nox -s NAME`` in mlflow-compat's checkout,
    ``mlflow-compat matrix -s NAME`` when installed (a team's repository has no noxfile of ours)."""
    from harness import home

    prefix = "nox -s" if home.is_checkout() else "mlflow-compat matrix -s"
    return " ".join([prefix, session, *(["--", *map(shlex.quote, args)] if args else [])])

@dataclass(frozen=True)
class PlannedVersion:
    role: str
    spec: str
    candidates: tuple[str, ...]
    requirement: str | None = None
    source: str | None = None

    @property
    def version(self) -> str | None:
        return self.candidates[0] if self.candidates else None

    @property
    def session(self) -> str:
        return session_name(self.spec)

    def to_dict(self) -> dict:
        return {
            "role": self.role, "spec": self.spec, "version": self.version,
            "session": self.session, "label": label_for(self.spec),
            "requirement": self.requirement, "source": self.source,
            "candidates": list(self.candidates),
        }


@dataclass
class Plan:
    versions: list[PlannedVersion]
    baseline: PlannedVersion
    candidate: PlannedVersion | None
    env: dict[str, str] = field(default_factory=dict)
    scan_paths: tuple[str, ...] = (".",)
    results_dir: str = "results"

    @property
    def direction(self) -> str | None:
        if self.candidate is None or not self.baseline.version or not self.candidate.version:
            return None
        base, cand = Version(self.baseline.version), Version(self.candidate.version)
        return "same" if base == cand else "bump" if cand > base else "downgrade"

    @property
    def run(self) -> bool:
        """False only when the pins name the same release: nothing changed for mlflow."""
        return not (self.direction == "same" and self.candidate is not None and self.candidate.source)

    @property
    def summary(self) -> str:
        if not self.run:
            return f"no mlflow change: baseline and candidate are both mlflow {self.baseline.version}; nothing to run"
        if self.candidate is None:
            return f"mlflow {self.baseline.version or self.baseline.spec}: one version, nothing to compare"
        arrow = f"mlflow {self.baseline.version or self.baseline.spec} -> {self.candidate.version or self.candidate.spec}"
        return f"{arrow} ({self.direction})" if self.direction else arrow

    @property
    def gate_args(self) -> list[str]:
        if self.candidate is None or not self.run:
            return []
        if not self.baseline.source and not self.candidate.source:
            return []  # the configured matrix: every run against the configured baseline
        args = ["--baseline", self.baseline.spec]
        for version in self.versions:
            if version is not self.baseline:
                args += ["--candidate", version.spec]
        return args

    def jobs(self) -> list[dict]:
        if not self.run:
            return []
        jobs = [
            {"id": v.session, "kind": "version", **v.to_dict(), "command": session_command(v.session),
             "commands": [session_command(v.session)], "artifact": f"runs-{v.session}"}
            for v in self.versions
        ]
        if self.candidate is not None:
            cross = session_command("skew")
            jobs.append({"id": "skew", "kind": "cross", "session": "skew", "command": cross, "commands": [cross],
                         "baseline": self.baseline.spec, "candidate": self.candidate.spec, "artifact": "cross"})
        sarif = f"{self.results_dir}/{SARIF_NAME}"
        scan = session_command("scan", [*self.scan_paths, "--format", "sarif", "--output", sarif])
        # the scan reads the API diff between the two releases (results/api)
        jobs.append({"id": "scan", "kind": "scan", "session": "scan", "command": scan,
                     "commands": [session_command("api"), scan], "sarif": sarif, "paths": list(self.scan_paths)})
        return jobs

    def to_dict(self) -> dict:
        jobs = self.jobs()
        gate = session_command("gate", self.gate_args)
        return {
            "schema_version": SCHEMA_VERSION,
            "run": self.run,
            "summary": self.summary,
            "direction": self.direction,
            "baseline": self.baseline.to_dict(),
            "candidate": self.candidate.to_dict() if self.candidate else None,
            "versions": [v.spec for v in self.versions] if self.run else [],
            "env": dict(self.env),
            "jobs": jobs,
            "matrix": {"include": [j for j in jobs if j["kind"] == "version"]},
            "report": {"command": session_command("report")},
            "gate": {
                "baseline": self.baseline.spec,
                "candidates": [v.spec for v in self.versions if v is not self.baseline] if self.run else [],
                "args": self.gate_args,
                "command": gate,
            },
        }


def _shown(path: Path) -> str:
    """A path as the jobs see it: relative to where the plan runs (the jobs run there too)."""
    path, here = Path(path), Path.cwd()
    return path.relative_to(here).as_posix() if path.is_relative_to(here) else str(path)


def build(config: Config, resolve: Callable[[str], Sequence[str]], scan_paths: Sequence[str] = (".",)) -> Plan:
    """The plan for ``config``: ``resolve(spec)`` lists an unpinned family's releases, newest first."""
    planned = []
    for spec in config.versions:
        pinned = config.pin_for(spec)
        role = "baseline" if spec == config.baseline else pinned.role if pinned else "version"
        if pinned:
            planned.append(PlannedVersion(role, spec, pinned.candidates, pinned.pin.requirement, pinned.pin.source))
        else:
            planned.append(PlannedVersion(role, spec, (spec,) if is_exact(spec) else tuple(resolve(spec))))
    if config.baseline not in config.versions:
        planned.insert(0, PlannedVersion("baseline", config.baseline, tuple(resolve(config.baseline))))
    baseline = next(v for v in planned if v.spec == config.baseline)
    others = [v for v in planned if v is not baseline]
    candidate = next((v for v in others if v.role == "candidate"), others[-1] if others else None)
    if candidate is None:
        # equal pins: one version; the candidate pin is still worth showing
        cand_pin = next((p for p in config.pinned if p.role == "candidate"), None)
        if cand_pin is not None:
            candidate = PlannedVersion("candidate", cand_pin.spec, cand_pin.candidates,
                                       cand_pin.pin.requirement, cand_pin.pin.source)
    env = {}
    from_environment = tuple(config.environment)
    for pinned in config.pinned:
        if pinned.pin.sources == from_environment:
            continue  # the configuration's own environment: every job reads it from there
        env[BASELINE_FROM_ENV if pinned.role == "baseline" else CANDIDATE_FROM_ENV] = ",".join(pinned.pin.sources)
    if config.source and config.source.resolve() != (Path.cwd() / "pyproject.toml").resolve():
        env[CONFIG_ENV] = _shown(config.source)
    return Plan(planned, baseline, candidate, env, tuple(scan_paths), _shown(config.results_dir))
