"""``matrix``: the compatibility matrix from the project's repository, through the packaged nox sessions.

    mlflow-compat matrix                       # every version, cross-version checks, API diff, report
    mlflow-compat matrix -- --only 'tests.*'   # arguments after -- go to each version's run
    mlflow-compat matrix -s mlflow-3           # one session (what a CI job per version runs)
    mlflow-compat matrix -s mlflow-3 -- --only 'tests.*'   # -- arguments go to every session -s names
    mlflow-compat matrix -l                    # the sessions the configuration defines

It runs ``python -m nox -f <harness>/noxfile.py -s matrix`` with this
interpreter: the same sessions ``nox -s matrix`` runs in mlflow-compat's own
checkout, so the environments are made and reused the same way, one nox
session per version (CI runs one job each), nox's summary at the end. The
project is found here (``--config``, ``MLFLOW_COMPAT_CONFIG`` or the
``pyproject.toml`` of the current directory) and handed to nox, which runs in
the package's directory, as ``MLFLOW_COMPAT_CONFIG`` / ``MLFLOW_COMPAT_ROOT``;
the environments go to the project's ``.nox`` and the results to its
``results/``. nox rather than calling the session code directly: one code path
for both ways in, and nox already does environment reuse, interpreter
discovery, Ctrl-C handling and the session summary.

Ctrl-C reaches nox (same terminal process group) and a SIGTERM to this process
is passed on, so nox stops the running harness cleanly either way. The exit
code is nox's.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from harness.commands import command
from harness.commands.options import common, config_from


def arguments(parser: argparse.ArgumentParser) -> None:
    common(parser)
    parser.add_argument("-s", "--session", action="append", default=[], metavar="NAME",
                        help="run these sessions instead of 'matrix' (repeatable), e.g. mlflow-3, report, skew")
    parser.add_argument("-l", "--list", action="store_true", help="list the sessions and exit")
    parser.add_argument("run_args", nargs=argparse.REMAINDER, metavar="-- ARGS",
                        help="after --: passed to each version's `harness run` (e.g. --only 'tests.*'); with -s, "
                        "to every session named (nox's posargs: name version sessions only, or use "
                        "MLFLOW_COMPAT_ONLY/MLFLOW_COMPAT_SKIP)")


def nox_command(args: argparse.Namespace) -> list[str]:
    """The nox command line for ``args`` (the packaged noxfile, this interpreter)."""
    from harness import home

    cmd = [sys.executable, "-m", "nox", "-f", str(home.NOXFILE)]
    if args.list:  # as JSON, for CI: `mlflow-compat versions --json`
        return [*cmd, "-l"]
    run_args = list(args.run_args)
    if run_args[:1] == ["--"]:
        run_args = run_args[1:]
    cmd += ["-s", *(args.session or ["matrix"])]
    return [*cmd, "--", *run_args] if run_args else cmd


def nox_environment(config, results_dir) -> dict[str, str]:
    """This process's environment plus where the project is (nox runs in the package's directory)."""
    from harness import home
    from harness.config import BASELINE_FROM_ENV, CANDIDATE_FROM_ENV, CONFIG_ENV, RESULTS_ENV, ROOT_ENV
    from harness.pins.sources import absolute_source
    from harness.specs import split_specs

    env = {**os.environ, ROOT_ENV: str(config.root)}
    if config.source is not None:
        env[CONFIG_ENV] = str(config.source)
    else:
        env.pop(CONFIG_ENV, None)
    if results_dir is not None:
        env[RESULTS_ENV] = str(results_dir.resolve())
    for variable in (BASELINE_FROM_ENV, CANDIDATE_FROM_ENV):
        # nox runs in the package's directory: relative pin sources are the user's, from here
        if env.get(variable):
            env[variable] = ",".join(absolute_source(s, Path.cwd()) for s in split_specs(env[variable]))
    if home.is_checkout():  # a checkout run without installing: nox must import it too
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(home.HOME), env.get("PYTHONPATH", "")) if p)
    return env


@command(
    "matrix",
    help="run the matrix from your repository: every version, cross-version checks, API diff, report",
    description="Run the compatibility matrix for the project in the current directory (its pyproject.toml "
    "[tool.mlflow-compat]): one environment per MLflow version under .nox/, results in results/. "
    "Runs mlflow-compat's packaged nox sessions; -s runs single sessions (a CI job per version). "
    "Exit code: nox's (0 when the matrix was produced, whatever it shows).",
    arguments=arguments,
)
def cmd_matrix(args: argparse.Namespace) -> int:
    config = config_from(args)  # a bad configuration is one line here, before nox starts
    proc = subprocess.Popen(nox_command(args), env=nox_environment(config, args.results_dir))

    def pass_on(signum, frame):
        proc.send_signal(signum)

    previous = {sig: signal.signal(sig, handler) for sig, handler in
                ((signal.SIGINT, signal.SIG_IGN), (signal.SIGTERM, pass_on))}
    try:
        return proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
