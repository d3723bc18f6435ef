"""The project's own environment as the matrix's baseline (``environment = "requirements.txt"``).

A team's environment is a requirements file (or several, ``-r``/``-c``
included as pip reads them), a ``pyproject.toml``, or a lock file (``uv.lock``,
``pylock.toml``, ``poetry.lock``). With ``environment`` set, every column is
that environment with only MLflow changed, as a pull request bumping the pin
would make it:

* the **baseline** is the release the environment pins (``mlflow==2.9.2``),
  unless ``baseline`` is configured; a configured spec of the same minor
  (``2.9``) is that column, not a second one (:func:`with_environment`);
* each column installs ``-r <file>`` for every file, with the column's release
  as a uv **override** (``mlflow==X``, and ``mlflow-skinny``/``mlflow-tracing``
  when the files name them: MLflow releases them in lockstep), so the user's
  own ``mlflow==`` line gives way and nothing else does. Lock files are
  turned into a requirements file of their registry packages first (the
  project itself and path/git sources are left out; it is installed from
  ``extra_requirements``);
* the harness's own additions (companion pins, ``pip``, the pytest
  requirement) are added only for packages the files do not name: **the
  user's pins are the truth**, a companion pin never moves one;
* the **libraries policy** applies to what the files leave open: under
  ``release`` the column's cutoff (its MLflow's upload date) chooses the
  packages the files do not pin, as when the team installed that release;
  every package the files name is exempt (``--exclude-newer-package NAME=false``),
  so a pin newer than the cutoff still installs.

When the pins cannot be installed with a column's MLflow, uv's resolver says
which requirement conflicts; that column becomes an install failure whose
message is the resolver's explanation (``harness.envs.write_install_failure``):
a finding about the bump, not a crash. Overrides need uv, which mlflow-compat
depends on; with pip alone the column says so.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from harness.errors import ConfigError, HarnessError
from harness.pins import locks, pyproject, requirements
from harness.pins.roles import with_pins
from harness.pins.sources import Location

if TYPE_CHECKING:
    from harness.settings import Config

#: released together with the same version numbers: one override moves them all
MLFLOW_FAMILY = ("mlflow", "mlflow-skinny", "mlflow-tracing")
#: names the environment is reported under in messages
OPTION = "[tool.mlflow-compat] environment"
#: written into each environment's directory
OVERRIDES_FILE = "mlflow-compat-overrides.txt"


@dataclass(frozen=True)
class UserEnvironment:
    """The project's environment files and the package names they pin."""

    #: as configured, relative to the project root
    shown: tuple[str, ...]
    #: absolute paths
    files: tuple[Path, ...]
    #: canonical names every file (with its includes) requires or constrains
    pinned: frozenset[str]

    @classmethod
    def of(cls, config: Config) -> UserEnvironment | None:
        """The environment ``config`` names, read; None when it names none."""
        if not config.environment:
            return None
        names: set[str] = set()
        for shown, path in zip(config.environment, config.environment_files):
            names.update(_names(_entries(path, shown)))
        return cls(tuple(config.environment), tuple(config.environment_files), frozenset(names))

    def pins(self, requirement: str) -> bool:
        """Does the environment name the package ``requirement`` asks for?"""
        try:
            return canonicalize_name(Requirement(requirement).name) in self.pinned
        except InvalidRequirement:
            return False

    def overrides(self, version: str) -> list[str]:
        """``mlflow==X`` plus the lockstep packages the files name."""
        return [f"{name}=={version}" for name in MLFLOW_FAMILY if name == "mlflow" or name in self.pinned]

    def exemptions(self) -> list[str]:
        """uv options that keep every pinned package out of a libraries cutoff."""
        args: list[str] = []
        for name in sorted(self.pinned | set(MLFLOW_FAMILY)):
            args += ["--exclude-newer-package", f"{name}=false"]
        return args

    def installer_args(self, version: str, work: Path) -> list[str]:
        """``-r FILE ... --overrides FILE`` for a column of mlflow ``version``; files go to ``work``."""
        work.mkdir(parents=True, exist_ok=True)
        args: list[str] = []
        for shown, path in zip(self.shown, self.files):
            args += ["-r", str(_installable(path, shown, work))]
        overrides = work / OVERRIDES_FILE
        overrides.write_text("\n".join(self.overrides(version)) + "\n", encoding="utf-8")
        return [*args, "--overrides", str(overrides)]

    def facts(self, version: str, dropped: Sequence[str]) -> dict:
        """What the run file records (``RunFile.install["environment"]``)."""
        return {"files": list(self.shown), "overrides": self.overrides(version),
                "pinned_packages": len(self.pinned), "not_added": list(dropped)}


def _entries(path: Path, shown: str) -> list[requirements.Entry]:
    location = Location(shown=shown, path=path)
    try:
        if locks.lock_kind(path.name):
            return locks.read(location, lambda name: True, registry_only=True)
        if path.name == "pyproject.toml":
            return pyproject.read(location, lambda name: True)
        return requirements.read(location)
    except HarnessError as exc:
        raise ConfigError(f"{OPTION}: {exc}") from None


def _names(entries: Sequence[requirements.Entry]) -> set[str]:
    names = set()
    for entry in entries:
        try:
            names.add(canonicalize_name(Requirement(entry.text).name))
        except InvalidRequirement:
            continue  # the installer reports it, with its own words
    return names


def _installable(path: Path, shown: str, work: Path) -> Path:
    """A file uv takes with ``-r``: requirements and pyproject.toml as they are, a lock file
    as ``name==version`` lines of its registry packages."""
    if not locks.lock_kind(path.name):
        return path
    lines = [entry.text for entry in _entries(path, shown)]
    target = work / f"mlflow-compat-{path.name}.txt"
    target.write_text(f"# from {shown}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return target


def with_environment(config: Config, candidate_from: Sequence[str], candidate_option: str) -> Config:
    """``config`` with its baseline chosen by the environment's mlflow pin.

    The configured versions are the candidates; one naming the pinned release,
    or its minor (``2.9`` for ``mlflow==2.9.2``), is the baseline column itself.
    """
    pinned = with_pins(config, list(config.environment), candidate_from, options=(OPTION, candidate_option),
                       baseline_cwd=config.root)
    release = pinned.baseline
    minor = ".".join(release.split(".")[:2])
    chosen = [release, *(v for v in pinned.versions if v != minor)]
    return dataclasses.replace(pinned, versions=tuple(dict.fromkeys(chosen)))
