"""How per-version environments import the harness: the checkout itself, or (installed) a directory
of links to the harness and scenarios packages only, never the tool's site-packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import home


def installed_layout(tmp_path: Path, monkeypatch) -> Path:
    site = tmp_path / "tool" / "lib" / "python3.11" / "site-packages"
    for package in ("harness", "scenarios", "jinja2", "packaging"):
        (site / package).mkdir(parents=True)
        (site / package / "__init__.py").write_text(f"WHERE = {package!r}\n")
    monkeypatch.setattr(home, "HOME", site)
    return site


def test_a_checkout_is_imported_as_it_is(tmp_path):
    assert home.is_checkout() and home.import_path(tmp_path / "envs") == str(home.HOME)
    assert not (tmp_path / "envs").exists()


def test_an_installed_harness_is_reached_through_links_to_its_two_packages_only(tmp_path, monkeypatch):
    site = installed_layout(tmp_path, monkeypatch)
    assert not home.is_checkout()
    path = Path(home.import_path(tmp_path / "envs"))
    assert path == tmp_path / "envs" / home.IMPORT_DIR
    assert sorted(p.name for p in path.iterdir()) == ["harness", "scenarios"]
    assert (path / "harness").resolve() == site / "harness"
    # an environment with this on PYTHONPATH finds the harness, and not the tool's other packages
    probe = subprocess.run([sys.executable, "-S", "-c", "import harness, scenarios; import jinja2"],
                           env={"PYTHONPATH": str(path)}, capture_output=True, text=True)
    assert "No module named 'jinja2'" in probe.stderr
    # refreshed when the tool moved (an upgrade into another environment), idempotent otherwise
    moved = installed_layout(tmp_path / "v2", monkeypatch)
    assert (Path(home.import_path(tmp_path / "envs")) / "harness").resolve() == moved / "harness"
    assert home.import_path(tmp_path / "envs") == str(path)


class RecordingSession:
    """Stands in for nox's session object: records what a session would run."""

    def __init__(self):
        self.ran, self.installed = [], []

    def run(self, *args, **kwargs):
        self.ran.append(args)

    def install(self, *args, **kwargs):
        self.installed.append(args)

    def chdir(self, path):
        import contextlib

        return contextlib.nullcontext()


def test_installed_the_tool_sessions_run_in_the_tools_interpreter_without_reading_a_checkout(tmp_path, monkeypatch):
    """An installed mlflow-compat has no pyproject.toml beside the harness: skew, bisect, report, gate,
    api and scan run with the tool's own interpreter and install nothing (the team run's skew once
    died reading the checkout's dependency list)."""
    import harness.noxfile as sessions

    installed_layout(tmp_path, monkeypatch)
    monkeypatch.setattr(sessions, "CHECKOUT", False)
    for name in ("skew", "bisect", "report", "gate", "api", "scan"):
        session = RecordingSession()
        session.posargs = []
        getattr(sessions, name).func(session)
        assert session.installed == [] and session.ran, name
        assert session.ran[-1][0] == sys.executable and "harness" in session.ran[-1][2], name
