"""The command registry behind ``python -m harness`` / ``mlflow-compat``.

Each command is a module of this package that registers one function with
:func:`command` (nox's decorator-registry shape): the function receives the
parsed arguments and returns the exit code. ``MODULES`` lists the modules in
the order ``--help`` shows them; adding a command is a new module and one
name here. Command modules import their heavy dependencies inside the
function, so ``--help`` and bad-input errors stay fast.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from typing import Callable

#: command modules, in the order ``--help`` lists them
MODULES = ("matrix", "run", "report", "gate", "skew", "bisect", "resolve", "plan", "versions", "api", "scan")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


REGISTRY: dict[str, Command] = {}


def command(
    name: str,
    *,
    help: str,
    description: str | None = None,
    arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register ``name``: ``arguments(parser)`` declares its options, the function runs it."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        REGISTRY[name] = Command(name, help, description or help, arguments or (lambda parser: None), func)
        return func

    return register


def load_all() -> dict[str, Command]:
    """Import every command module (each registers itself) and return the registry."""
    for module in MODULES:
        importlib.import_module(f"harness.commands.{module}")
    return REGISTRY
