"""``plan``: which versions and jobs CI runs, and ``no mlflow change`` when the pins agree.

    python -m harness plan --baseline-from git:origin/main:requirements.txt \\
                           --candidate-from requirements.txt [--json] [--github-output]

Exit 0 with a plan (``run: false`` in the JSON when there is nothing to run),
2 on bad input (no mlflow pin, an unreadable file or git ref, pins that
conflict). The JSON shape is documented in :mod:`harness.plan`.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shlex

from harness.commands import command
from harness.commands.options import common, config_from, github_outputs, pin_sources
from harness.errors import HarnessError, VersionError


def arguments(plan: argparse.ArgumentParser) -> None:
    common(plan)
    pin_sources(plan)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON (the shape CI reads)")
    plan.add_argument(
        "--github-output", action="store_true",
        help="also write run, direction, baseline, candidate, versions, matrix, gate-args, env, summary "
        "and plan to $GITHUB_OUTPUT for later jobs, and the summary to $GITHUB_STEP_SUMMARY",
    )
    plan.add_argument("--scan-path", action="append", default=[], metavar="PATH",
                      help="what the scan job scans (repeatable; default: .)")


def _resolver(config):
    from harness import versions

    def resolve(spec: str) -> list[str]:
        try:
            return versions.resolve(spec, config.results_dir / ".cache")
        except VersionError:
            return []  # the version job will say why; the plan shows the spec alone

    return resolve


def text(data: dict) -> list[str]:
    """The plan for a person: the answer first, then one line per job."""
    lines = [data["summary"]]
    rows = [v for v in (data["baseline"], data["candidate"]) if v]
    for v in rows:
        tried = v["candidates"][1:4]
        extra = f" (then {', '.join(tried)} if it does not install)" if tried else ""
        pin = f"  {v['requirement']} from {v['source']}" if v["source"] else "  (configured)"
        lines.append(f"  {v['role']:<10} {v['version'] or v['spec']:<8}{pin}{extra}")
    if not data["run"]:
        return lines
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in data["env"].items())
    lines.append("jobs (one CI job each" + (f"; each with {env}" if env else "") + "):")
    for job in data["jobs"]:
        what = {"version": f"{job.get('role')} {job.get('version') or job.get('spec')}",
                "cross": "cross-version", "scan": "scan (SARIF)"}[job["kind"]]
        lines.append(f"  {what:<18} {' && '.join(job['commands'])}")
    lines.append("then, with every job's results in one results directory:")
    lines += [f"  {data['report']['command']}", f"  {data['gate']['command']}"]
    return lines


def _md_text(value: object) -> str:
    """Text we did not write (paths, requirements), safe inside Markdown."""
    escaped = html.escape(str(value).replace("\n", " "), quote=False)
    return "".join("\\" + c if c in "\\`*_[]|#" else c for c in escaped)


def summary_markdown(data: dict) -> str:
    # the summary is ours (versions are validated X.Y.Z); the pins' text is not
    lines = ["### mlflow-compat plan", "", data["summary"], ""]
    for v in (data["baseline"], data["candidate"]):
        if v and v["source"]:
            lines.append(f"- {v['role']}: mlflow {_md_text(v['version'])} "
                         f"({_md_text(v['requirement'])} from {_md_text(v['source'])})")
    return "\n".join(lines) + "\n"


def write_github_output(data: dict, environ=os.environ) -> None:
    """Outputs for later jobs (``needs.plan.outputs.<key>``), in GitHub's multi-line form."""
    compact = lambda value: json.dumps(value, separators=(",", ":"))  # noqa: E731
    values = {
        "run": "true" if data["run"] else "false",
        "direction": data["direction"] or "",
        "summary": data["summary"],
        "baseline": data["gate"]["baseline"],
        "candidate": (data["candidate"] or {}).get("spec") or "",
        "versions": compact(data["versions"]),
        "matrix": compact(data["matrix"]),
        "gate-args": " ".join(shlex.quote(a) for a in data["gate"]["args"]),
        "env": compact(data["env"]),
        "plan": compact(data),
    }
    github_outputs(values, environ)


@command(
    "plan",
    help="which versions and jobs to run for a change of the mlflow pin (no mlflow change: nothing)",
    description="Plan the CI jobs: one per version, the cross-version checks, the scan; then report "
    "and gate. With --baseline-from/--candidate-from, exactly the two releases the pins name. "
    "Exit 0 with a plan (also 'no mlflow change', run: false, when both pins name the same release); "
    "2 on bad input (no mlflow pin, unreadable file or git ref, pins that conflict).",
    arguments=arguments,
)
def cmd_plan(args: argparse.Namespace) -> int:
    from harness.plan import build

    config = config_from(args)
    data = build(config, _resolver(config), args.scan_path or ["."]).to_dict()
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print("\n".join(text(data)))
    if args.github_output:
        write_github_output(data)
        from harness.report import append_step_summary

        append_step_summary(summary_markdown(data))
    return 0
