"""``python -m harness COMMAND`` / ``mlflow-compat COMMAND``: the user-facing facade.

The commands live in :mod:`harness.commands` (one module each, registered with
``@command``); this module builds the parser from that registry and turns
every expected failure into one line and an exit code: a ``HarnessError``
(bad config, corrupt result file, unknown version) is printed as one line
starting with ``mlflow-compat:`` and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from harness.commands import load_all
from harness.errors import HarnessError

EPILOG = """\
exit codes: 0 done (whatever the matrix shows), 1 gate violation,
2 bad input or configuration, 130 interrupted.
Configuration: [tool.mlflow-compat] in pyproject.toml; see README.md."""


def program_name() -> str:
    """What the user typed: ``mlflow-compat`` for the installed script, ``python -m harness`` otherwise."""
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return script if script.startswith("mlflow-compat") else "python -m harness"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=program_name(),
        description="mlflow-compat: one scenario set, many MLflow versions, one compatibility matrix.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in load_all().items():
        cmd.arguments(sub.add_parser(name, help=cmd.help, description=cmd.description))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return guarded(load_all()[args.command].run, args)


def guarded(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command so that expected failures end as one line and an exit code:
    ``HarnessError`` -> 2, interrupt -> 130, a closed pipe (``| head``) -> 0."""
    try:
        return command(args)
    except HarnessError as exc:
        print(f"mlflow-compat: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlflow-compat: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
