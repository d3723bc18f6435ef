"""The project's own environment as the baseline: reading its files, the baseline it pins, the
install command each column gets (a fake installer records it), and a conflict as a finding.
One test asks the real index (uv's resolver) for a real conflict; nothing is installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import envs
from harness.config import load_config
from harness.errors import ConfigError
from harness.results.runs import INSTALL_FAILED, load_run
from harness.userenv import OVERRIDES_FILE, UserEnvironment
from tests.test_envs import UV, FakeInstaller, _fake


def project(tmp_path: Path, table: str, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "pyproject.toml").write_text(f"[tool.mlflow-compat]\n{table}\n")
    return root


REQUIREMENTS = {
    "requirements.txt": "mlflow==2.9.2  # the deployment pin\nscikit-learn==1.3.2\nsetuptools==68.2.2\n",
    "requirements-dev.txt": "-r requirements.txt\npytest==7.4.3\n",
}


def test_the_environment_pins_the_baseline_and_its_minor_is_that_column(tmp_path):
    root = project(tmp_path, 'versions = ["2.9", "2.22", "3"]\nenvironment = "requirements-dev.txt"', REQUIREMENTS)
    config = load_config(root / "pyproject.toml", env={})
    assert config.baseline == "2.9.2" and config.versions == ("2.9.2", "2.22", "3")
    pinned = config.pin_for("2.9.2")
    assert pinned.pin.source == "requirements-dev.txt" and pinned.facts()["found"] == ["mlflow==2.9.2 (requirements.txt:1)"]
    # a configured baseline wins; so does a pin from the command line
    explicit = project(tmp_path, 'baseline = "2.22"\nversions = ["2.22", "3"]\nenvironment = "requirements.txt"', {})
    assert load_config(explicit / "pyproject.toml", env={}).baseline == "2.22"
    pin = tmp_path / "pin.txt"
    pin.write_text("mlflow==3.1.4\n")
    assert load_config(root / "pyproject.toml", env={}, baseline_from=[str(pin)]).baseline == "3.1.4"


def test_an_environment_without_an_mlflow_pin_or_file_is_one_clear_error(tmp_path):
    root = project(tmp_path, 'environment = "requirements.txt"', {"requirements.txt": "pandas==2.1.4\n"})
    with pytest.raises(Exception, match="environment.*no mlflow requirement found"):
        load_config(root / "pyproject.toml", env={})
    root = project(tmp_path, 'environment = ["missing.txt"]', {})
    with pytest.raises(ConfigError, match="environment: missing.txt does not exist"):
        load_config(root / "pyproject.toml", env={})


def test_the_names_pinned_include_included_files(tmp_path):
    root = project(tmp_path, 'environment = "requirements-dev.txt"', REQUIREMENTS)
    env = UserEnvironment.of(load_config(root / "pyproject.toml", env={}))
    assert env.pinned == {"mlflow", "scikit-learn", "setuptools", "pytest"}
    assert env.pins("setuptools<82") and not env.pins("pip") and env.overrides("3.1.4") == ["mlflow==3.1.4"]


def test_lock_files_become_requirements_of_their_registry_packages(tmp_path):
    lock = """
version = 1
[[package]]
name = "mlflow"
version = "2.9.2"
source = { registry = "https://pypi.org/simple" }
[[package]]
name = "mlflow-skinny"
version = "2.9.2"
source = { registry = "https://pypi.org/simple" }
[[package]]
name = "team-app"
version = "0.1.0"
source = { editable = "." }
[[package]]
name = "only-on-windows"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["sys_platform == 'win32'"]
"""
    root = project(tmp_path, 'environment = "uv.lock"', {"uv.lock": lock})
    config = load_config(root / "pyproject.toml", env={})
    assert config.baseline == "2.9.2"
    env = UserEnvironment.of(config)
    assert env.pinned == {"mlflow", "mlflow-skinny"}  # not the project itself, not another platform's
    args = env.installer_args("3.1.4", tmp_path / "venv")
    written = Path(args[1]).read_text().splitlines()
    assert written[1:] == ["mlflow==2.9.2", "mlflow-skinny==2.9.2"]
    # mlflow-skinny is pinned too: it moves with mlflow
    assert (tmp_path / "venv" / OVERRIDES_FILE).read_text().split() == ["mlflow==3.1.4", "mlflow-skinny==3.1.4"]


@pytest.fixture
def python(tmp_path):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    return str(tmp_path / "venv" / "bin" / "python")


def env_config(tmp_path, table=""):
    root = project(tmp_path, 'versions = ["3"]\nenvironment = "requirements-dev.txt"\npytest_paths = ["tests"]\n'
                   'extra_requirements = ["."]\n' + table, REQUIREMENTS)
    (root / "tests").mkdir()
    config = load_config(root / "pyproject.toml", env={})
    cache = config.results_dir / ".cache"
    cache.mkdir(parents=True)
    (cache / "uploads-mlflow.json").write_text(json.dumps({"2.9.2": "2023-12-14T05:30:49.658170Z",
                                                           "3.1.4": "2025-07-23T05:33:24.000000Z"}))
    return config


def test_each_column_is_the_environment_with_only_mlflow_changed(monkeypatch, python, tmp_path):
    config = env_config(tmp_path)
    fake = _fake(monkeypatch, FakeInstaller())
    resolution = envs.resolve_and_install("3.1.4", python, config, log=lambda *_: None)
    assert resolution.ok
    [cmd] = fake.installs
    root = config.root
    assert cmd[cmd.index("-r") + 1] == str(root / "requirements-dev.txt")
    overrides = Path(cmd[cmd.index("--overrides") + 1])
    assert overrides.read_text().split() == ["mlflow==3.1.4"]
    # the user's pins are exempt from the libraries cutoff, which still chooses the rest
    assert cmd[cmd.index("--exclude-newer") + 1] == "2025-07-24T05:33:25Z"
    exempt = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--exclude-newer-package"]
    assert {"scikit-learn=false", "setuptools=false", "pytest=false", "mlflow=false"} <= set(exempt)
    assert f"--editable={root}" in cmd  # the project itself, editable
    facts = resolution.facts()["environment"]
    assert facts == {"files": ["requirements-dev.txt"], "overrides": ["mlflow==3.1.4"], "pinned_packages": 4,
                     "not_added": ["pytest"]}


def test_the_harness_adds_only_what_the_environment_does_not_pin(tmp_path):
    config = env_config(tmp_path)
    env = UserEnvironment.of(config)
    # 2.9.2's companion setuptools<82 gives way to the user's setuptools==68.2.2, pytest to theirs
    assert envs.requirements_for("2.9.2", config, env) == [
        "mlflow==2.9.2", "sqlalchemy<2.1", "pip", f"--editable={config.root}"]
    assert envs.not_added("2.9.2", config, env) == ["setuptools<82", "pytest"]


def test_without_an_environment_pytest_is_the_configured_requirement(monkeypatch, python, tmp_path):
    root = tmp_path / "plain"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.mlflow-compat]\npytest_paths = ["tests"]\n'
                                         'pytest_requirement = "pytest>=7,<8"\nlibraries = "latest"\n')
    config = load_config(root / "pyproject.toml", env={})
    assert envs.requirements_for("2.9.2", config)[-2:] == ["pip", "pytest>=7,<8"]
    assert "setuptools<82" in envs.requirements_for("2.9.2", config)


def test_a_conflict_is_the_columns_install_failure_with_the_resolvers_words(monkeypatch, python, tmp_path):
    import dataclasses

    config = dataclasses.replace(env_config(tmp_path), install_attempts=1)
    message = ("error: No solution found when resolving dependencies\n  cause: Because mlflow==3.1.4 depends on "
               "scikit-learn>=9 and you require scikit-learn==1.3.2, we can conclude that your requirements are "
               "unsatisfiable.")

    def refuse(cmd, **kwargs):
        if "install" in cmd:
            return subprocess.CompletedProcess(cmd, 1, "", message)
        return FakeInstaller()(cmd, **kwargs)

    _fake(monkeypatch, FakeInstaller())
    monkeypatch.setattr(envs.subprocess, "run", refuse)
    resolution = envs.resolve_and_install("3.1.4", python, config, log=lambda *_: None)
    assert not resolution.ok
    assert resolution.error.startswith("the project's environment (requirements-dev.txt) with only mlflow changed "
                                       "does not install")
    assert "you require scikit-learn==1.3.2" in resolution.error
    run = load_run(envs.write_install_failure(resolution, config))
    assert run.run_status == INSTALL_FAILED and "you require scikit-learn==1.3.2" in run.install_error


def test_an_environment_needs_uv(monkeypatch, python, tmp_path):
    _fake(monkeypatch, FakeInstaller(), uv=None)
    resolution = envs.resolve_and_install("3.1.4", python, env_config(tmp_path), log=lambda *_: None)
    assert not resolution.ok and "uv's --overrides" in resolution.error


@pytest.mark.mlflow
def test_the_real_resolver_names_the_conflicting_pin(tmp_path):
    """2.9-era pins that mlflow 3.17.2 cannot take: pydantic 1 (mlflow-skinny 3.17.2 requires pydantic>=2)."""
    import dataclasses

    uv = envs.find_uv()
    if uv is None:
        pytest.skip("uv is not installed")
    root = project(tmp_path, 'versions = ["3.17.2"]\nenvironment = "requirements.txt"\nlibraries = "latest"',
                   {"requirements.txt": "mlflow==2.9.2\npydantic==1.10.13\n"})
    config = dataclasses.replace(load_config(root / "pyproject.toml", env={}), install_attempts=1)
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    resolution = envs.resolve_and_install("3.17.2", envs.python_in(venv), config, log=lambda *_: None)
    assert not resolution.ok
    assert "pydantic>=2" in resolution.error and "you require" in resolution.error and "pydantic==1.10.13" in resolution.error
    assert envs.installed_version(envs.python_in(venv)) is None  # nothing was installed
