"""``resolve``: which release each version spec resolves to on the package index,
and the date its libraries are taken from (the libraries policy)."""

from __future__ import annotations

import argparse

from harness.commands import command
from harness.commands.options import common, config_from
from harness.config import validate_spec


def arguments(resolve: argparse.ArgumentParser) -> None:
    common(resolve)
    resolve.add_argument("specs", nargs="*", help="version specs (default: config versions)")


@command("resolve", help="show which release each version spec resolves to", arguments=arguments)
def cmd_resolve(args: argparse.Namespace) -> int:
    from harness import libraries, versions

    config = config_from(args)
    for spec in args.specs or list(config.versions):
        validate_spec(spec, "version spec")
        found = versions.resolve(spec, config.results_dir / ".cache")
        extra = f" (then {', '.join(found[1:4])})" if len(found) > 1 else ""
        plan = libraries.plan_for(found[0], config, libraries.UV)
        libs = f"libraries as of {plan.cutoff}" if plan.cutoff else f"latest libraries{f' ({plan.note})' if plan.note else ''}"
        print(f"{spec:<8} -> {found[0]}{extra}; {libs}")
    return 0
