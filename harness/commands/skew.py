"""``skew``: the cross-version checks of one pair (``python -m harness.crossversion run``).

The same command ``nox -s skew`` runs (which also adds the file-store group
for every other candidate); as an ``mlflow-compat`` command it works from an
installed mlflow-compat in the project's repository, with the environments in
its ``.nox``.
"""

from __future__ import annotations

import argparse

from harness.commands import command
from harness.crossversion.cli import cmd_run, run_arguments


@command(
    "skew",
    help="cross-version checks: what one version wrote, read by the other (results/cross/)",
    description="Cross-version checks between the baseline and the newest candidate (or --baseline/--candidate): "
    "artifacts, the tracking database, client/server skew and the file store. Each step runs in the "
    "version's own environment (created like the matrix's when missing).",
    arguments=run_arguments,
)
def cmd_skew(args: argparse.Namespace) -> int:
    return cmd_run(args)
