"""``versions``: the configured versions, the baseline, their sessions, and what each resolves to.

    mlflow-compat versions                 # a table
    mlflow-compat versions --json          # what a CI job matrix is built from
    mlflow-compat versions --github-output # the same, as step outputs (matrix, versions, baseline)

The JSON::

    {"baseline": "2.9.2", "config": "pyproject.toml", "environment": ["requirements.txt"],
     "tests": ["tests/"],
     "versions": [{"spec": "2.9.2", "session": "mlflow-2.9.2", "role": "baseline",
                   "resolves_to": "2.9.2", "pin": {"requirement": "mlflow==2.9.2", "source": "..."}},
                  {"spec": "3", "session": "mlflow-3", "role": "candidate", "resolves_to": "3.18.0", "pin": null}],
     "sessions": ["mlflow-2.9.2", "mlflow-3"],
     "matrix": {"include": [{"version": "2.9.2", "session": "mlflow-2.9.2"}, ...]}}

``resolves_to`` is the newest release of the spec on the index (cached in
``results/.cache``; null with ``--no-resolve`` or when the index cannot be
read): the release the session tries first, which it may skip when it does not
install. Exit 0, or 2 on a bad configuration.
"""

from __future__ import annotations

import argparse
import json

from harness.commands import command
from harness.commands.options import common, config_from, github_outputs


def arguments(parser: argparse.ArgumentParser) -> None:
    common(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (a CI job matrix is its 'matrix' key)")
    parser.add_argument("--no-resolve", action="store_true",
                        help="do not ask the package index what each spec resolves to")
    parser.add_argument("--github-output", action="store_true",
                        help="also write matrix, versions, baseline and sessions to $GITHUB_OUTPUT")


def describe(config, resolve: bool = True) -> dict:
    """The configured versions as the sessions see them (the JSON in the module docstring)."""
    from harness import versions
    from harness.errors import VersionError

    def resolved(spec: str) -> str | None:
        if not resolve:
            return None
        try:
            found = config.release_candidates(spec) or versions.resolve(spec, config.results_dir / ".cache")
        except VersionError:
            return None
        return found[0] if found else None

    rows = []
    for spec in config.versions:
        pinned = config.pin_for(spec)
        role = "baseline" if spec == config.baseline else "candidate"
        rows.append({
            "spec": spec, "session": f"mlflow-{spec}", "role": role, "resolves_to": resolved(spec),
            "pin": {"requirement": pinned.pin.requirement, "source": pinned.pin.source} if pinned else None,
        })
    return {
        "baseline": config.baseline,
        "config": str(config.source) if config.source else None,
        "environment": list(config.environment),
        "tests": list(config.pytest_paths),
        "versions": rows,
        "sessions": [row["session"] for row in rows],
        "matrix": {"include": [{"version": row["spec"], "session": row["session"]} for row in rows]},
    }


@command(
    "versions",
    help="the configured versions, baseline and session names (--json: a CI job matrix)",
    description="List the versions the configuration runs, one nox session each, with the baseline and "
    "what each spec resolves to on the package index. --json prints what a CI workflow builds its job "
    "matrix from.",
    arguments=arguments,
)
def cmd_versions(args: argparse.Namespace) -> int:
    config = config_from(args)
    data = describe(config, resolve=not args.no_resolve)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for row in data["versions"]:
            pin = f"  {row['pin']['requirement']} from {row['pin']['source']}" if row["pin"] else ""
            release = row["resolves_to"] or "?"
            print(f"{row['session']:<20} {row['role']:<10} {row['spec']:<8} -> {release}{pin}")
        if data["tests"]:
            print(f"tests: {' '.join(data['tests'])} (one row per test in every version)")
        if data["environment"]:
            print(f"environment: {' '.join(data['environment'])} (each column with only mlflow changed)")
    if args.github_output:
        compact = lambda value: json.dumps(value, separators=(",", ":"))  # noqa: E731
        github_outputs({"matrix": compact(data["matrix"]), "versions": compact([r["spec"] for r in data["versions"]]),
                        "baseline": data["baseline"], "sessions": " ".join(data["sessions"])})
    return 0
