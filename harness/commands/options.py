"""Options and helpers more than one command shares."""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import uuid
from pathlib import Path
from typing import Mapping

from harness.config import Config, load_config
from harness.errors import HarnessError


def common(parser: argparse.ArgumentParser) -> None:
    """``--config`` and ``--results-dir``: every command that reads the configuration has them."""
    parser.add_argument(
        "--config", type=Path, default=None,
        help="the project's pyproject.toml (default: MLFLOW_COMPAT_CONFIG, else ./pyproject.toml); "
        "its directory is the project root"
    )
    parser.add_argument(
        "--results-dir", type=Path, default=None,
        help="where run files and reports live (default: results/ in the project root)"
    )


def selection(parser: argparse.ArgumentParser) -> None:
    """``--only`` / ``--skip``: scenario selection by id glob or area."""
    parser.add_argument(
        "--only", action="append", default=[], metavar="GLOB",
        help="run only scenarios whose id matches GLOB or whose area is GLOB "
        "(repeatable; also MLFLOW_COMPAT_ONLY, comma/space separated)",
    )
    parser.add_argument(
        "--skip", action="append", default=[], metavar="GLOB",
        help="skip scenarios whose id matches GLOB or whose area is GLOB "
        "(repeatable; also MLFLOW_COMPAT_SKIP)",
    )


PIN_SOURCE_HELP = (
    "a requirements file, pyproject.toml (#group to pick one), uv.lock, poetry.lock or pylock.toml; "
    "git:<ref>:<path> reads it at a git ref (repeatable: read together)"
)


def pin_sources(parser: argparse.ArgumentParser) -> None:
    """``--baseline-from`` / ``--candidate-from``: versions from the mlflow pin in dependency files
    (they win over MLFLOW_COMPAT_BASELINE_FROM / MLFLOW_COMPAT_CANDIDATE_FROM)."""
    parser.add_argument(
        "--baseline-from", dest="baseline_sources", action="append", default=[], metavar="FILE",
        help=f"the baseline is the release this file pins: {PIN_SOURCE_HELP}",
    )
    parser.add_argument(
        "--candidate-from", dest="candidate_sources", action="append", default=[], metavar="FILE",
        help="the candidate is the release this file pins (same kinds)",
    )


def config_from(args: argparse.Namespace) -> Config:
    """The configuration ``--config`` names (or the default), with ``--results-dir`` applied
    and the pins of :func:`pin_sources` (when the command declares them)."""
    if args.config is not None and not args.config.is_file():
        raise HarnessError(f"--config {args.config}: no such file")
    config = load_config(
        args.config,
        baseline_from=getattr(args, "baseline_sources", None) or (),
        candidate_from=getattr(args, "candidate_sources", None) or (),
    )
    if getattr(args, "results_dir", None):
        config = dataclasses.replace(config, results_dir=args.results_dir.resolve())
    return config


def writable(directory: Path) -> None:
    """Fail early, in one line, when results cannot be written to ``directory``.

    A write probe, not only ``os.access``: root passes ``access`` checks on a
    directory it cannot write (read-only mount), and a run should not find out
    after an hour of scenarios.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HarnessError(f"results directory {directory} cannot be created: {exc.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise HarnessError(f"results directory {directory} is not writable")
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise HarnessError(f"results directory {directory} is not writable: {exc.strerror}") from None


def github_outputs(values: Mapping[str, str], environ: Mapping[str, str] = os.environ) -> None:
    """Step outputs for later jobs (``needs.<job>.outputs.<key>``), in GitHub's multi-line form."""
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        raise HarnessError("--github-output: $GITHUB_OUTPUT is not set (GitHub Actions sets it in a step)")
    try:
        with open(target, "a", encoding="utf-8") as fh:
            for key, value in values.items():
                delimiter = f"mlflow_compat_{uuid.uuid4().hex}"
                fh.write(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
    except OSError as exc:
        raise HarnessError(f"--github-output: cannot write {target}: {exc.strerror or exc}") from None
