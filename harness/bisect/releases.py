"""One environment per release, and the scenarios run in it, the way the matrix does.

Environments: a matrix session's own (``.nox/mlflow-<spec>``) when it already
holds the release; otherwise ``.nox/bisect-mlflow-<version>``, kept next to the
sessions' so ``nox`` users find (and clean) them where they expect, reused by
every later bisect (uv makes re-checking an unchanged install a no-op, ~0.1 s).
Either way the release goes in through ``harness.envs.resolve_and_install``
with the exact version: the same companion pins, extra requirements and
companions policy as the matrix's environment of that release would get.

Runs: ``python -m harness run --only <ids> ...`` inside that environment (the
matrix's runner, so the cells are comparable), one process per release for all
the scenarios needed there, writing ``results/bisect/runs/<label>.json``; the
runner's output goes to ``results/bisect/logs/<label>.log``. Timings are not
bisected, so perf scenarios run one sample without warm-up unless asked.

Cells already computed are reused: every complete run file in
``results/bisect/runs`` and the matrix's ``results/runs``, by release.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from harness import envs, versions
from harness.bisect.search import Probe, headline
from harness import home
from harness.config import Config
from harness.errors import ResultsError
from harness.results.runs import RunFile, ScenarioResult, load_run, load_runs, run_files_in
from harness.userenv import UserEnvironment

ENV_PREFIX = "bisect-mlflow-"
#: exit code of an interrupted ``harness run``
INTERRUPTED = 130


def run_label(version: str, scenario_ids: Iterable[str]) -> str:
    """``mlflow-2.16.2.bisect-1a2b3c4d``: the release and which scenarios (a digest of their ids)."""
    digest = hashlib.sha1("\n".join(sorted(scenario_ids)).encode()).hexdigest()[:8]
    return f"{versions.label_for(version)}.bisect-{digest}"


def known_cells(
    runs: Iterable[RunFile], releases: Iterable[str], base: Path | None = None
) -> tuple[dict[str, dict[str, ScenarioResult]], dict[str, list[str]]]:
    """Cells of ``releases`` already in complete run files: version -> id -> cell, and version -> sources
    (run file paths, relative to ``base`` when under it).

    When two runs of a release have the same scenario, the later run's cell is kept.
    """
    wanted = set(releases)
    cells: dict[str, dict[str, ScenarioResult]] = {}
    sources: dict[str, list[str]] = {}
    for run in sorted(runs, key=lambda r: r.started_at):
        if not run.installed or run.run_status != "complete" or run.mlflow_version not in wanted:
            continue
        cells.setdefault(run.mlflow_version, {}).update(run.by_id())
        sources.setdefault(run.mlflow_version, []).append(shown(run.path, base) if run.path else run.label)
    return cells, sources


def installed_as_now(run: RunFile, config: Config, user_env: UserEnvironment | None) -> bool:
    """Whether ``run``'s release was installed with what ``config`` installs now: the same
    requirements (companion pins, extra requirements, what the project's environment leaves
    to the harness) and libraries policy. A cell from another install proves nothing about
    this one; a run file that did not record its install (older files) is taken as it is.
    ``user_env`` is ``UserEnvironment.of(config)``, read once by the caller."""
    recorded = run.install.get("requirements")
    if recorded is None:
        return True
    policy = (run.install.get("libraries") or {}).get("policy")
    wanted = envs.requirements_for(run.mlflow_version, config, user_env)
    return list(recorded) == wanted and policy in (None, config.libraries)


def shown(path: Path, base: Path | None = None) -> str:
    """``path`` relative to ``base`` (default: the working directory) when under it, else as given."""
    try:
        return str(Path(path).resolve().relative_to((base or Path.cwd()).resolve()))
    except ValueError:
        return str(path)


@dataclass
class ReleaseRunner:
    """``runner(version, scenario_ids) -> Probe`` for :class:`harness.bisect.search.Search`."""

    config: Config
    #: results/bisect: run files go to ``runs/``, runner output to ``logs/``
    bisect_dir: Path
    #: where the per-release environments live (None: the project's, ``Config.envs_dir``)
    envs_dir: Path | None = None
    #: the pyproject.toml the bisect was given (passed on to the runner); None for the default
    config_path: Path | None = None
    repeat: int = 1
    warmup: int = 0
    log: Callable[[str], None] = print
    #: seconds spent per release, for the summary: version -> {"install_s", "run_s"}
    timings: dict[str, dict[str, float]] = field(default_factory=dict)
    _live: set = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.envs_dir = Path(self.envs_dir or self.config.envs_dir)

    def stop(self) -> None:
        """Interrupt the runners in flight (Ctrl-C for each): they end their scenario processes and
        keep their partial results, as a matrix run does."""
        with self._lock:
            for proc in list(self._live):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)

    @property
    def runs_dir(self) -> Path:
        return self.bisect_dir / "runs"

    def previous_runs(self) -> tuple[list[RunFile], list[str]]:
        """Run files of earlier bisects (partial files of interrupted runs left out)."""
        return load_runs(run_files_in(self.runs_dir))

    def environment(self, version: str) -> Path:
        """A matrix session's environment when it holds ``version``, else the bisect's own for it."""
        from harness.crossversion.pairing import session_env_dir

        for spec in self.config.versions:
            if versions.matches(spec, version):
                venv = session_env_dir(spec, self.envs_dir)
                python = envs.python_in(venv)
                if Path(python).exists() and envs.installed_version(python) == version:
                    return venv
        return self.envs_dir / f"{ENV_PREFIX}{version}"

    def install(self, version: str) -> tuple[str | None, dict, str | None]:
        """(python, install facts, failure): the release installed the way the matrix installs it."""
        venv = self.environment(version)
        python = envs.python_in(venv)
        if not Path(python).exists():
            try:
                envs.create_venv(venv)
            except (OSError, subprocess.CalledProcessError) as exc:
                detail = getattr(exc, "stderr", None) or exc
                return None, {}, f"could not create {venv}: {str(detail).strip()[-300:]}"
        resolution = envs.resolve_and_install(version, python, self.config, log=lambda *_: None)
        if not resolution.ok:
            return None, {}, resolution.error or f"mlflow {version} did not install"
        return python, resolution.facts(), None

    def __call__(self, version: str, scenario_ids: list[str]) -> Probe:
        start = time.perf_counter()
        python, facts, failure = self.install(version)
        installed = time.perf_counter()
        self.timings[version] = {"install_s": installed - start, "run_s": 0.0}
        if failure is not None:
            return Probe(failure=f"did not install: {failure}", seconds=installed - start)
        label = run_label(version, scenario_ids)
        path, failure = self.run(python, version, label, scenario_ids, facts)
        self.timings[version]["run_s"] = time.perf_counter() - installed
        seconds = time.perf_counter() - start
        detail = f"install {installed - start:.0f}s, run {seconds - (installed - start):.0f}s"
        if failure is not None:
            return Probe(failure=failure, seconds=seconds, detail=detail)
        try:
            run = load_run(path)
        except ResultsError as exc:
            return Probe(failure=f"the run file is unusable: {exc}", seconds=seconds)
        if run.mlflow_version != version:
            return Probe(failure=f"the environment ran mlflow {run.mlflow_version}, not {version}", seconds=seconds)
        return Probe(results=run.by_id(), sources=[shown(path, self.bisect_dir.parent)], seconds=seconds, detail=detail)

    def run(
        self, python: str, version: str, label: str, scenario_ids: list[str], facts: dict
    ) -> tuple[Path, str | None]:
        """``python -m harness run --only ...`` in the release's environment; (run file, failure)."""
        log_path = self.bisect_dir / "logs" / f"{label}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump(facts, fh)
        cmd = [python, "-m", "harness", "run", "--label", label, "--spec", version,
               "--results-dir", str(self.bisect_dir), "--install-facts", fh.name,
               "--repeat", str(self.repeat), "--warmup", str(self.warmup), "--quiet"]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        for sid in scenario_ids:
            cmd += ["--only", sid]
        env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_COMPAT_ONLY", "MLFLOW_COMPAT_SKIP")}
        # the harness as the matrix's sessions import it, in the project root (harness.home)
        env.update(PYTHONPATH=home.import_path(self.config.envs_dir), PYTHONWARNINGS="ignore")
        try:
            with open(log_path, "w", encoding="utf-8") as out:
                proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=self.config.root, env=env)
                with self._lock:
                    self._live.add(proc)
                try:
                    proc.wait()
                finally:
                    with self._lock:
                        self._live.discard(proc)
        finally:
            os.unlink(fh.name)
        path = self.runs_dir / f"{label}.json"
        if proc.returncode == INTERRUPTED:
            # the runner was interrupted (Ctrl-C, CI cancelling): not a fault of the release
            raise KeyboardInterrupt(f"the runner on {version} was interrupted")
        if proc.returncode != 0 or not path.exists():
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-6:]
            return path, f"the runner exited with code {proc.returncode} (log: {shown(log_path)}): " + (
                headline("\n".join(tail)) if tail else "no output")
        return path, None
