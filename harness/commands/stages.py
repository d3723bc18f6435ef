"""The shared stages of the reporting commands, chained the way nox's workflow chains its tasks.

A command is a tuple of stage functions ``stage(previous, args) -> next``:
each takes the previous stage's result and the parsed arguments and returns
the next result; returning an ``int`` ends the chain with that exit code.
``report`` is load -> analyse -> render+write -> show -> (gate); ``gate`` is
load -> analyse -> select -> gate. ``args.settings`` carries the configuration
every stage reads, set by :func:`configure`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Iterable

from harness.analysis.inputs import Inputs, load_inputs
from harness.analysis.model import Analysis, analyse
from harness.commands.options import config_from

Stage = Callable[[Any, argparse.Namespace], Any]


def run_chain(stages: Iterable[Stage], args: argparse.Namespace) -> int:
    """Run ``stages`` in order; the first ``int`` a stage returns is the exit code (0 at the end)."""
    value: Any = None
    for stage in stages:
        value = stage(value, args)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def configure(_: Any, args: argparse.Namespace) -> None:
    """Read the configuration once (``--config``, ``--results-dir``) into ``args.settings``
    (a caller that already holds a configuration sets ``settings`` itself)."""
    if getattr(args, "settings", None) is None:
        args.settings = config_from(args)


def load(_: Any, args: argparse.Namespace) -> Inputs:
    """Every result file, once; unreadable ones are reported and left out."""
    settings = args.settings
    inputs = load_inputs(settings.results_dir, getattr(args, "runs", None) or None, list(settings.scenario_paths))
    for problem in inputs.problems:
        print(f"mlflow-compat: skipped {problem}", file=sys.stderr)
    return inputs


def analysis(inputs: Inputs, args: argparse.Namespace) -> Analysis:
    """The typed analysis under the configured policy and baseline (``--baseline`` wins)."""
    baseline = getattr(args, "baseline", None) or args.settings.baseline
    return analyse(inputs, args.settings.gate, baseline)
