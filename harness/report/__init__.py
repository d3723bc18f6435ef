"""Renderers and the ``report`` command: run files in, matrix outputs out.

Outputs (in ``results/``): ``matrix.md``, ``matrix.json``, ``guidance.md``,
``junit.xml`` and ``report.html``; each written atomically, so two reports at
once on the same directory both leave complete files.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from harness.config import Config
from harness.errors import ResultsError
from harness.results.files import atomic_write_text
from harness.results.runs import load_runs, run_files_in


def load_matrix(config: Config, run_paths: list[Path] | None = None, baseline: str | None = None):
    """Read run files and build the matrix; unreadable files become ``problems``."""
    from harness.report.model import build_matrix

    paths = list(run_paths) if run_paths else run_files_in(config.runs_dir)
    if not paths:
        raise ResultsError(f"no run files in {config.runs_dir}; run `nox -s matrix` first")
    runs, problems = load_runs(paths)
    if not runs:
        raise ResultsError("no usable run file: " + "; ".join(problems))
    return build_matrix(runs, baseline or config.baseline, config.gate.slowdown_factor, problems)


def guidance_for(matrix, config: Config):
    """Guidance from the matrix plus the cross-version advice in ``results/cross``."""
    from harness.crossversion.advice import from_results_dir
    from harness.guidance import build_guidance

    advice, problems = from_results_dir(config.results_dir)
    for problem in problems:
        print(f"mlflow-compat: skipped {problem}", file=sys.stderr)
    notes = [{**item, "section": "Cross-version compatibility"} for item in advice]
    return build_guidance(matrix, notes=notes)


def write_outputs(matrix, config: Config, guidance=None) -> dict[str, Path]:
    from harness.report import markdown

    out = config.results_dir
    guidance = guidance if guidance is not None else guidance_for(matrix, config)
    guidance_md = guidance.to_markdown()
    cross_md, cross = markdown.render_cross(config.results_dir)
    written = {
        "matrix.md": markdown.render(matrix, guidance_md, cross_md),
        "guidance.md": guidance_md,
        "matrix.json": json.dumps({**matrix.to_dict(), "guidance": guidance.to_dict(), "cross": cross},
                                  indent=2, default=str) + "\n",
    }
    try:
        from harness.report import junit

        written["junit.xml"] = junit.render(matrix)
    except ImportError:
        pass
    try:
        from harness.report import html

        written["report.html"] = html.render(matrix, guidance)
    except ImportError:
        pass
    paths = {}
    for name, text in written.items():
        path = out / name
        atomic_write_text(path, text)
        paths[name] = path
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as fh:
            fh.write(written["matrix.md"] + "\n")
    return paths


def build_report(
    config: Config,
    run_paths: list[Path] | None = None,
    baseline: str | None = None,
    gate: bool = False,
    quiet: bool = False,
) -> int:
    from harness.report import terminal

    matrix = load_matrix(config, run_paths, baseline)
    for problem in matrix.problems:
        print(f"mlflow-compat: skipped {problem}", file=sys.stderr)
    guidance = guidance_for(matrix, config)
    try:
        paths = write_outputs(matrix, config, guidance)
    except OSError as exc:
        raise ResultsError(
            f"cannot write the report in {config.results_dir}: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
        ) from None
    print(terminal.render(matrix, quiet=quiet))
    for line in guidance.terminal_lines():
        print(line)
    print("wrote " + ", ".join(str(p) for p in paths.values()))
    if gate:
        from harness.gate import apply_gate

        return apply_gate(matrix, config)
    return 0
