"""mlflow-compat's sessions in this checkout: the packaged ones, plus the harness's own.

    nox -s matrix                 every configured version, then the report
    nox -s mlflow-2.9             one version alone (one session per spec)
    nox -s skew                   cross-version: baseline <-> newest candidate
    nox -s bisect                 the first release of each change between the
                                  baseline and the newest candidate
    nox -s report                 rebuild the matrix from results/runs/*.json
    nox -s gate                   exit 1 when a candidate breaks the gate policy
    nox -s api                    static API diff: baseline vs each version (results/api/)
    nox -s scan -- PATH...        the lines of your code the API changes affect
    nox -s plan                   which versions and jobs CI runs for a pin change
    nox -s versions               the configured versions and their sessions (--json)
    nox -s tests                  the harness's own test suite
    nox -s bench                  how fast the harness itself is
    nox -s browser                the HTML report checked in headless chromium

The matrix sessions (``matrix``, ``mlflow-<spec>``, ``skew``, ``report``,
``gate``, ``api``, ``scan``, ``plan``, ``versions``) ship inside the package as
``harness/noxfile.py``, so an installed ``mlflow-compat matrix`` runs exactly
them; importing that module here registers them. This file adds the sessions
that only make sense in the checkout (tests, bench, browser).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

# importing the packaged sessions registers them with nox; the names are re-exported for the tests
from harness.noxfile import (  # noqa: E402, F401
    CONFIG, PY, _report_deps, api, bisect, gate, matrix, plan, report, scan, skew, versions,
)


@nox.session(python=PY, reuse_venv=True)
def tests(session: nox.Session) -> None:
    """The harness's own tests (unit tests plus a few against real MLflow)."""
    session.install("-e", ".[test]")
    session.run("pytest", *(session.posargs or ["-q"]))


@nox.session(python=PY, reuse_venv=True)
def bench(session: nox.Session) -> None:
    """How fast is the harness itself: env creation, warm matrix overhead, report time, API diff."""
    session.install(*_report_deps())
    session.install("nox[uv]", "virtualenv", "-e", ".[api,scan]")
    session.run("python", "-m", "harness.bench", *session.posargs, env={"PYTHONPATH": str(ROOT)})


@nox.session(python=PY, reuse_venv=True)
def browser(session: nox.Session) -> None:
    """Open an HTML report in headless chromium: screenshot non-blank, matrix and charts in the DOM."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", "tests/test_browser.py", *session.posargs)
