"""Installing a version under the libraries policy: the installer's command
line, the fallback, the facts a run file gets. The installer is a fake that
records what it was asked (nothing is installed); upload times come from a
recorded cache."""

from __future__ import annotations

import json
import subprocess

import pytest

from harness import envs, libraries

UV = "/fake/bin/uv"


class FakeInstaller:
    """Stands in for ``subprocess.run``: records install commands, answers the rest."""

    def __init__(
        self, fail_when=lambda cmd: False, installed: str | None = None, pip_help: str = "", pip_config: str = ""
    ) -> None:
        self.fail_when = fail_when
        self.installed = installed
        self.pip_help = pip_help
        self.pip_config = pip_config
        self.installs: list[list[str]] = []

    def __call__(self, cmd, **kwargs):
        if cmd[-2:] == ["config", "list"]:
            return subprocess.CompletedProcess(cmd, 0, self.pip_config, "")
        if "install" in cmd and "--help" in cmd:
            return subprocess.CompletedProcess(cmd, 0, self.pip_help, "")
        if "install" in cmd:
            self.installs.append(list(cmd))
            if self.fail_when(cmd):
                return subprocess.CompletedProcess(cmd, 1, "", "error: No solution found\n  because of the cutoff")
            self.installed = next(r.split("==")[1] for r in cmd if r.startswith("mlflow=="))
            return subprocess.CompletedProcess(cmd, 0, "", "Installed 60 packages")
        if "-c" in cmd:  # installed_version()
            return subprocess.CompletedProcess(cmd, 0 if self.installed else 1, (self.installed or "") + "\n", "")
        raise AssertionError(f"unexpected command {cmd}")


@pytest.fixture
def python(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    return str(tmp_path / "venv" / "bin" / "python")


@pytest.fixture
def config(make_config):
    config = make_config()
    cache = config.results_dir / ".cache"
    cache.mkdir(parents=True)
    (cache / "uploads-mlflow.json").write_text(json.dumps({"2.9.2": "2023-12-14T05:30:49.658170Z"}))
    return config


def _fake(monkeypatch, installer: FakeInstaller, uv: str | None = UV) -> FakeInstaller:
    monkeypatch.setattr(envs.subprocess, "run", installer)
    monkeypatch.setattr(envs, "find_uv", lambda: uv)
    return installer


def test_release_policy_installs_with_exclude_newer_and_records_it(monkeypatch, python, config):
    fake = _fake(monkeypatch, FakeInstaller())
    resolution = envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    assert resolution.ok
    [cmd] = fake.installs
    assert cmd[:5] == [UV, "pip", "install", "--python", python]
    assert cmd[5:7] == ["--exclude-newer", "2023-12-15T05:30:50Z"]
    assert "mlflow==2.9.2" in cmd and "--reinstall" not in cmd  # a fresh environment
    facts = resolution.facts()
    assert facts["libraries"] == {
        "policy": "release", "applied": "release", "released_at": "2023-12-14T05:30:49.658170Z",
        "grace_days": 1.0, "cutoff": "2023-12-15T05:30:50Z",
    }
    assert facts["requirements"][0] == "mlflow==2.9.2"
    # the next run finds the same state: a plain (no-op) install again
    envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    assert fake.installs[1] == cmd


def test_latest_policy_is_the_install_it_always_was(monkeypatch, python, config):
    import dataclasses

    fake = _fake(monkeypatch, FakeInstaller(installed="2.9.2"))  # an environment from before the policy
    latest = dataclasses.replace(config, libraries="latest")
    resolution = envs.resolve_and_install("2.9.2", python, latest, log=lambda *_: None)
    assert fake.installs == [[UV, "pip", "install", "--python", python, *envs.requirements_for("2.9.2", latest)]]
    assert resolution.facts()["libraries"]["applied"] == "latest"


def test_switching_policy_reinstalls(monkeypatch, python, config):
    import dataclasses

    fake = _fake(monkeypatch, FakeInstaller(installed="2.9.2"))  # holds the latest libraries
    envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    assert "--reinstall" in fake.installs[-1] and "--exclude-newer" in fake.installs[-1]
    envs.resolve_and_install("2.9.2", python, dataclasses.replace(config, libraries="latest"), log=lambda *_: None)
    assert "--reinstall" in fake.installs[-1] and "--exclude-newer" not in fake.installs[-1]


def test_era_libraries_that_do_not_install_fall_back_to_latest_loudly(monkeypatch, python, config):
    fake = _fake(monkeypatch, FakeInstaller(fail_when=lambda cmd: "--exclude-newer" in cmd))
    logged: list[str] = []
    resolution = envs.resolve_and_install("2.9.2", python, config, log=logged.append)
    assert resolution.ok and len(fake.installs) == 2
    assert "--exclude-newer" not in fake.installs[1]
    libs = resolution.facts()["libraries"]
    assert libs["policy"] == "release" and libs["applied"] == "latest" and libs["cutoff"] is None
    assert "did not install" in libs["note"] and "because of the cutoff" in libs["note"]
    assert any("retrying with the latest libraries" in line for line in logged)
    assert json.loads((libraries.marker_path(python)).read_text())["libraries"] == "latest"


def test_pip_without_the_option_installs_latest_and_records_why(monkeypatch, python, config):
    fake = _fake(monkeypatch, FakeInstaller(pip_help="Usage: pip install"), uv=None)
    resolution = envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    [cmd] = fake.installs
    assert cmd[:3] == [python, "-m", "pip"] and "--uploaded-prior-to" not in cmd
    libs = resolution.facts()["libraries"]
    assert libs["applied"] == "latest" and "pip 26.0" in libs["note"]
    assert resolution.libraries_warning().startswith("mlflow 2.9.2: libraries policy 'release' not applied")


def test_pip_with_the_option_gets_the_cutoff(monkeypatch, python, config):
    fake = _fake(monkeypatch, FakeInstaller(pip_help="  --uploaded-prior-to <datetime>"), uv=None)
    resolution = envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    [cmd] = fake.installs
    assert cmd[cmd.index("--uploaded-prior-to") + 1] == "2023-12-15T05:30:50Z"
    assert resolution.libraries_warning() is None


def test_pip_reading_sources_without_upload_times_warns(monkeypatch, python, config):
    fake = FakeInstaller(pip_help="  --uploaded-prior-to <datetime>", pip_config="global.find-links='/opt/wheels'")
    _fake(monkeypatch, fake, uv=None)
    resolution = envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    assert resolution.facts()["libraries"]["applied"] == "release"
    assert resolution.libraries_warning() == (
        "mlflow 2.9.2: libraries as of 2023-12-15T05:30:50Z, but pip also reads /opt/wheels, "
        "which give no upload times: files from there are taken whatever their date"
    )


def test_a_release_that_installs_neither_way_is_skipped_with_the_installers_words(monkeypatch, python, config):
    fake = _fake(monkeypatch, FakeInstaller(fail_when=lambda cmd: True))
    resolution = envs.resolve_and_install("2.9.2", python, config, log=lambda *_: None)
    assert not resolution.ok and "because of the cutoff" in resolution.error
    assert len(fake.installs) == 2 and not libraries.marker_path(python).exists()


@pytest.mark.mlflow
def test_real_environment_of_2_9_has_the_libraries_of_its_time():
    """The tests' own 2.9 environment (shared with the cross-version test) is built
    the matrix's way: under the default policy, with libraries uploaded before
    mlflow 2.9.2's cutoff (scikit-learn 1.4.0 came in January 2024)."""
    from packaging.version import Version

    from tests.mlflow_envs import real_env

    python, version = real_env("2.9")
    from harness import versions
    from harness.config import load_config

    config = load_config(env={})
    uploaded = versions.release_uploaded_at(version, config.results_dir / ".cache")
    assert libraries.installed_state(python) == {
        "libraries": "release", "cutoff": libraries.cutoff_for(uploaded, config.libraries_grace_days),
    }
    proc = subprocess.run(
        [python, "-c", "from importlib.metadata import version; print(version('scikit-learn'))"],
        capture_output=True, text=True, check=True,
    )
    if version == "2.9.2":
        assert Version(proc.stdout.strip()) < Version("1.4")
