"""``results/report.html``: the analysis as one self-contained page, from Jinja templates.

The page is ``templates/page.html.j2``; each section is a partial
(``templates/<name>.html.j2``) that shows what one view function of
:mod:`harness.report.htmlview` made of the :class:`Analysis` (or is left out
when the view returns None). The CSS and the script are package files
(``static/``) included verbatim, so the page stays one file that opens offline
and fetches nothing.

Autoescaping is on for every template, and every printed value passes
:func:`~harness.report.htmlview.common.printable`: a value from a result file
can only ever be text. The one piece of markup a view hands over is the chart
SVG (see :func:`harness.report.htmlview.timings.trusted_svg`).

Adding a section (an API diff per candidate, a release strip per bisected
scenario): write ``templates/<name>.html.j2`` reading ``view``, a function
``view(analysis) -> object | None`` in a module of ``htmlview``, and one
:class:`Section` line in :data:`SECTIONS`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, StrictUndefined

from harness.analysis.model import Analysis
from harness.report.htmlview import apiview, bisectview, cells, cross, envs, guidance, page, timings
from harness.report.htmlview.common import printable


@dataclass(frozen=True)
class Section:
    """One part of the page: ``templates/<name>.html.j2`` fed by ``view(analysis)``."""

    name: str
    view: Callable[[Analysis], Any]
    #: the link in the page's table of contents; None for no link
    title: str | None = None

    @property
    def template(self) -> str:
        return f"{self.name}.html.j2"


#: the page, top to bottom
SECTIONS: tuple[Section, ...] = (
    Section("problems", page.problems),
    Section("summary", page.summary, "Summary"),
    Section("matrix", cells.matrix, "Matrix"),
    Section("differences", page.differences, "Differences"),
    Section("guidance", guidance.guidance, "Guidance"),
    Section("bisect", bisectview.bisect, "Since when"),
    Section("api", apiview.api, "API changes"),
    Section("cross", cross.cross, "Cross-version"),
    Section("timings", timings.timings, "Timings"),
    Section("library_warnings", apiview.library_warnings, "Library warnings"),
    Section("install_failures", envs.install_failures, "Not installable"),
    Section("environments", envs.environments, "Environments"),
)


@dataclass
class Shown:
    """A section as the page template gets it: its view, or why the view failed."""

    name: str
    template: str
    title: str | None
    view: Any
    failure: str = ""


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """Templates from ``harness/report/templates``; ``static/...`` names the CSS and script."""
    return Environment(
        loader=ChoiceLoader([
            PackageLoader("harness.report", "templates"),
            PrefixLoader({"static": PackageLoader("harness.report", "static")}),
        ]),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=printable,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # package files do not change under a running report
    )


def _show(section: Section, analysis: Analysis) -> Shown | None:
    """Run one view; a view that fails costs its section, not the report (the note says why)."""
    try:
        view = section.view(analysis)
    except Exception as exc:  # one broken part never takes the rest down
        return Shown(section.name, "failed.html.j2", section.title, None, f"{type(exc).__name__}: {exc}")
    if view is None:
        return None
    return Shown(section.name, section.template, section.title, view)


def render(analysis: Analysis, sections: tuple[Section, ...] = SECTIONS) -> str:
    """The whole page."""
    shown = [s for s in (_show(section, analysis) for section in sections) if s is not None]
    return environment().get_template("page.html.j2").render(
        title=page.title(analysis),
        header=page.header(analysis),
        sections=shown,
    )
