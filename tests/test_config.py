from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import load_config, split_specs
from harness.errors import ConfigError


def write_pyproject(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(body)
    return path


def test_project_defaults_are_the_documented_ones():
    config = load_config(env={})
    assert config.versions == ("2.9", "2.22", "3.1", "3")
    assert config.baseline == "2.9"
    assert config.repeat == 5 and config.warmup == 1
    assert config.gate.fail_on == ("regressed", "newly_unsupported")


def test_companion_pins_follow_the_version_ranges():
    config = load_config(env={})
    assert "setuptools<82" in config.companion_pins("2.9.2")
    assert "setuptools<82" not in config.companion_pins("3.17.2")
    assert "sqlalchemy<2.1" in config.companion_pins("3.1.4")
    assert config.companion_pins("3.17.2") == []


def test_environment_overrides_versions_and_baseline():
    config = load_config(env={"MLFLOW_COMPAT_VERSIONS": "2.9, 3.1.4  3", "MLFLOW_COMPAT_BASELINE": "3.1.4"})
    assert config.versions == ("2.9", "3.1.4", "3")
    assert config.baseline == "3.1.4"


def test_split_specs_accepts_spaces_and_commas():
    assert split_specs(" 2.9,3.1.4 3 ") == ["2.9", "3.1.4", "3"]


@pytest.mark.parametrize(
    "body, key",
    [
        ("[tool.mlflow-compat]\nversionz = ['3']\n", "versionz"),
        ("[tool.mlflow-compat]\nrepeat = -1\n", "repeat"),
        ("[tool.mlflow-compat]\nversions = ['three']\n", "three"),
        ("[tool.mlflow-compat]\ntimeout = 0\n", "timeout"),
        ("[tool.mlflow-compat.gate]\nfail_on = ['worse']\n", "worse"),
        ("[tool.mlflow-compat.gate]\nstrict = true\n", "strict"),
        ("[[tool.mlflow-compat.companions]]\nmlflow = 'newest'\npins = []\n", "'newest' is not a version range"),
        ("[tool.mlflow-compat\nversions = 1\n", "invalid TOML"),
        ("[tool.mlflow-compat]\nlibraries = 'newest'\n", "libraries: 'newest' is not a libraries policy"),
        ("[tool.mlflow-compat]\nlibraries = true\n", "libraries: expected str"),
        ("[tool.mlflow-compat]\nlibraries_grace_days = -1\n", "libraries_grace_days: must be between 0 and 3650"),
        ("[tool.mlflow-compat]\nlibraries_grace_days = '7'\n", "libraries_grace_days: expected"),
    ],
)
def test_config_errors_name_the_key(tmp_path, body, key):
    with pytest.raises(ConfigError) as info:
        load_config(write_pyproject(tmp_path, body), env={})
    assert key in str(info.value)
    assert "\n" not in str(info.value).strip() or "invalid TOML" in str(info.value)


def test_bad_spec_in_environment_is_a_config_error():
    with pytest.raises(ConfigError, match="not a version spec"):
        load_config(env={"MLFLOW_COMPAT_VERSIONS": "2.9 latest"})


def test_tool_table_that_is_not_a_table_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(write_pyproject(tmp_path, '[tool]\n"mlflow-compat" = "x"\n'), env={})


def test_bad_spec_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError, match="MLFLOW_COMPAT_VERSIONS: 'latest'"):
        load_config(env={"MLFLOW_COMPAT_VERSIONS": "2.9 latest"})
    with pytest.raises(ConfigError, match="MLFLOW_COMPAT_BASELINE"):
        load_config(env={"MLFLOW_COMPAT_BASELINE": "two"})


def test_libraries_policy_and_grace_from_the_table_and_the_environment(tmp_path):
    path = write_pyproject(tmp_path, "[tool.mlflow-compat]\nlibraries = 'latest'\nlibraries_grace_days = 7\n")
    config = load_config(path, env={})
    assert config.libraries == "latest" and config.libraries_grace_days == 7.0
    assert load_config(path, env={"MLFLOW_COMPAT_LIBRARIES": " release "}).libraries == "release"


def test_bad_libraries_policy_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError, match="^MLFLOW_COMPAT_LIBRARIES: 'today' is not a libraries policy"):
        load_config(env={"MLFLOW_COMPAT_LIBRARIES": "today"})
