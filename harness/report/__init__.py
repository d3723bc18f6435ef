"""Renderers: pure functions of the :class:`~harness.analysis.model.Analysis`.

One module per output: ``terminal`` (what ``report`` prints), ``markdown``
(``matrix.md``, ``guidance.md``), ``jsonout`` (``matrix.json``), ``junit``
(``junit.xml``), ``html`` (``report.html``, with ``charts``), ``cross`` (the
cross-version section), ``gatetext`` (the gate's lines and step-summary
section). :func:`write_outputs` writes the files; :func:`append_step_summary`
is the one place that appends to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.analysis.model import Analysis
from harness.errors import ResultsError
from harness.results.files import atomic_write_text


def outputs(analysis: Analysis) -> dict[str, str]:
    """Every report file's name and text."""
    from harness.report import jsonout, markdown

    written = {
        "matrix.md": markdown.render(analysis),
        "guidance.md": markdown.render_guidance(analysis.guidance),
        "matrix.json": jsonout.render(analysis),
    }
    try:
        from harness.report import junit

        written["junit.xml"] = junit.render(analysis.matrix)
    except ImportError:
        pass
    try:
        from harness.report import html

        written["report.html"] = html.render(analysis)
    except ImportError:
        pass
    return written


def write_outputs(texts: dict[str, str], results_dir: Path) -> dict[str, Path]:
    """Write each output atomically (two reports at once both leave complete files)."""
    paths = {}
    try:
        for name, text in texts.items():
            path = Path(results_dir) / name
            atomic_write_text(path, text)
            paths[name] = path
    except OSError as exc:
        raise ResultsError(
            f"cannot write the report in {results_dir}: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
        ) from None
    return paths


def append_step_summary(markdown: str, environ: dict[str, str] | None = None) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when it is set (GitHub Actions renders it)."""
    target = (os.environ if environ is None else environ).get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(markdown if markdown.endswith("\n") else markdown + "\n")
