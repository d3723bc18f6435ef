from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import load_config, split_specs, with_pins
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
        ("[tool.mlflow-compat.api]\ninclde = []\n", "inclde"),
        ("[tool.mlflow-compat.api]\nexclude = 'mlflow.store.**'\n", "api.exclude"),
        ("[tool.mlflow-compat.api]\nextend_include = ['mlflow..x']\n", "'mlflow..x'"),
        ("[tool.mlflow-compat]\nlibraries = 'newest'\n", "libraries: 'newest' is not a libraries policy"),
        ("[tool.mlflow-compat]\nlibraries = true\n", "libraries: expected str"),
        ("[tool.mlflow-compat]\nlibraries_grace_days = -1\n", "libraries_grace_days: must be between 0 and 3650"),
        ("[tool.mlflow-compat]\nlibraries_grace_days = '7'\n", "libraries_grace_days: expected"),
        ("[tool.mlflow-compat]\npytest_paths = ['no-such-dir/']\n", "pytest_paths: no-such-dir/ does not exist"),
        ("[tool.mlflow-compat]\npytest_paths = 'tests'\n", "pytest_paths: expected list"),
        ("[tool.mlflow-compat]\npytest_timeout = 0\n", "pytest_timeout: must be > 0"),
        ("[tool.mlflow-compat]\npytest_requirement = ' '\n", "pytest_requirement: must name pytest"),
        ("[tool.mlflow-compat]\nenvironment = 'requirements.txt'\n", "environment: requirements.txt does not exist"),
        ("[tool.mlflow-compat]\nenvironment = 3\n", "environment: expected list"),
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


def test_api_table_replaces_or_extends_the_surface_and_moves_the_source_cache(tmp_path):
    config = load_config(write_pyproject(tmp_path, """
[tool.mlflow-compat.api]
exclude = ["mlflow.store.**"]
extend_include = ["mlflow.genai.*"]
source_cache = "cache/src"
"""), env={})
    assert config.api.exclude == ("mlflow.store.**",) and config.api.include is None
    assert config.api.extend_include == ("mlflow.genai.*",)
    assert config.api_source_cache == (tmp_path / "cache" / "src").resolve()
    assert load_config(env={}).api_source_cache == load_config(env={}).results_dir / ".cache" / "api-src"
# --------------------------------------------------------------------------
# versions from the mlflow pin in dependency files (harness/pins)
# --------------------------------------------------------------------------
@pytest.fixture
def pin_files(tmp_path: Path) -> Path:
    for name, text in {"old.txt": "mlflow==2.9.2\n", "new.txt": "mlflow==3.1.4\n", "range.txt": "mlflow>=3.1,<3.2\n"}.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_both_pins_make_the_versions_exactly_baseline_and_candidate(pin_files):
    env = {"MLFLOW_COMPAT_BASELINE_FROM": str(pin_files / "old.txt"),
           "MLFLOW_COMPAT_CANDIDATE_FROM": str(pin_files / "new.txt")}
    config = load_config(env=env)
    assert config.versions == ("2.9.2", "3.1.4") and config.baseline == "2.9.2"
    assert config.pin_for("3.1.4").role == "candidate" and config.pin_for("3.1.4").pin.requirement == "mlflow==3.1.4"
    assert config.pin_for("2.9") is None and config.release_candidates("2.9") == []
    assert config.pin_for("2.9.2").facts()["source"] == str(pin_files / "old.txt")


def test_equal_pins_are_one_version(pin_files):
    env = {"MLFLOW_COMPAT_BASELINE_FROM": str(pin_files / "new.txt"),
           "MLFLOW_COMPAT_CANDIDATE_FROM": str(pin_files / "new.txt")}
    config = load_config(env=env)
    assert config.versions == ("3.1.4",) and config.baseline == "3.1.4"


def test_one_pin_replaces_its_role_only(pin_files):
    only_candidate = load_config(env={"MLFLOW_COMPAT_CANDIDATE_FROM": str(pin_files / "new.txt")})
    assert only_candidate.versions == ("2.9", "3.1.4") and only_candidate.baseline == "2.9"
    only_baseline = load_config(env={"MLFLOW_COMPAT_BASELINE_FROM": str(pin_files / "new.txt")})
    assert only_baseline.versions == ("3.1.4", "2.9", "2.22", "3.1", "3") and only_baseline.baseline == "3.1.4"
    # with MLFLOW_COMPAT_VERSIONS naming the others
    mixed = load_config(env={"MLFLOW_COMPAT_BASELINE_FROM": str(pin_files / "old.txt"), "MLFLOW_COMPAT_VERSIONS": "3"})
    assert mixed.versions == ("2.9.2", "3")


def test_a_range_pin_is_its_newest_release_and_the_environment_walks_the_rest(pin_files):
    from tests.test_pins import RELEASES

    config = with_pins(load_config(env={}), [str(pin_files / "old.txt")], [str(pin_files / "range.txt")],
                       releases=lambda: RELEASES)
    assert config.versions == ("2.9.2", "3.1.4")
    assert config.release_candidates("3.1.4") == ["3.1.4", "3.1.3", "3.1.1", "3.1.0"]
    assert config.release_candidates("2.9.2") == ["2.9.2"]


def test_options_win_over_the_environment(pin_files):
    env = {"MLFLOW_COMPAT_BASELINE_FROM": str(pin_files / "old.txt"),
           "MLFLOW_COMPAT_CANDIDATE_FROM": str(pin_files / "old.txt")}
    config = load_config(env=env, candidate_from=[str(pin_files / "new.txt")])
    assert config.versions == ("2.9.2", "3.1.4")


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MLFLOW_COMPAT_BASELINE": "2.9", "MLFLOW_COMPAT_BASELINE_FROM": "old.txt"},
         "MLFLOW_COMPAT_BASELINE and MLFLOW_COMPAT_BASELINE_FROM both choose the baseline"),
        ({"MLFLOW_COMPAT_VERSIONS": "3", "MLFLOW_COMPAT_BASELINE_FROM": "old.txt", "MLFLOW_COMPAT_CANDIDATE_FROM": "new.txt"},
         "MLFLOW_COMPAT_VERSIONS and MLFLOW_COMPAT_BASELINE_FROM \\+ MLFLOW_COMPAT_CANDIDATE_FROM both choose the versions"),
        ({"MLFLOW_COMPAT_CANDIDATE_FROM": "missing.txt"}, "^MLFLOW_COMPAT_CANDIDATE_FROM missing.txt: no such file$"),
    ],
)
def test_pins_that_clash_with_other_settings_are_one_line(pin_files, monkeypatch, env, message):
    from harness.errors import HarnessError

    monkeypatch.chdir(pin_files)
    with pytest.raises(HarnessError, match=message):
        load_config(env=env)
def test_libraries_policy_and_grace_from_the_table_and_the_environment(tmp_path):
    path = write_pyproject(tmp_path, "[tool.mlflow-compat]\nlibraries = 'latest'\nlibraries_grace_days = 7\n")
    config = load_config(path, env={})
    assert config.libraries == "latest" and config.libraries_grace_days == 7.0
    assert load_config(path, env={"MLFLOW_COMPAT_LIBRARIES": " release "}).libraries == "release"


def test_bad_libraries_policy_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError, match="^MLFLOW_COMPAT_LIBRARIES: 'today' is not a libraries policy"):
        load_config(env={"MLFLOW_COMPAT_LIBRARIES": "today"})


# --------------------------------------------------------------------------
# where the configuration comes from (issue 16: installed, not cloned)
# --------------------------------------------------------------------------
def test_the_shipped_defaults_are_package_data_and_the_dataclass_agrees(tmp_path, monkeypatch):
    """harness/defaults.toml is the one place defaults are written: a directory without a
    pyproject.toml gets exactly them, and a hand-built Config the same values."""
    import dataclasses

    from harness import home
    from harness.config import Config, defaults_table

    monkeypatch.chdir(tmp_path)
    config = load_config(env={})
    assert config.source is None and config.root == tmp_path.resolve()
    assert config.results_dir == tmp_path.resolve() / "results" and config.envs_dir == tmp_path.resolve() / ".nox"
    assert [rule.pins for rule in config.companions][0] == ("setuptools<82",) and config.companions[0].reason
    plain = Config(root=tmp_path.resolve(), results_dir=tmp_path.resolve() / "results")
    skip = {"companions", "source"}
    assert {f.name: getattr(config, f.name) for f in dataclasses.fields(Config) if f.name not in skip} == \
        {f.name: getattr(plain, f.name) for f in dataclasses.fields(Config) if f.name not in skip}
    assert home.DEFAULTS_FILE.is_file() and set(defaults_table()) >= {"versions", "companions", "gate"}


def test_this_repositorys_own_table_repeats_no_default():
    from harness.config import read_table

    assert read_table(Path(__file__).resolve().parent.parent / "pyproject.toml") == {}


def test_the_project_is_the_current_directory_or_the_named_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    write_pyproject(repo, '[tool.mlflow-compat]\nversions = ["3.1"]\nbaseline = "3.1"\npytest_paths = ["tests"]\n'
                          '[[tool.mlflow-compat.companions]]\nmlflow = "<4"\npins = ["ours<2"]\n')
    monkeypatch.chdir(repo)
    here = load_config(env={})
    assert here.source == repo.resolve() / "pyproject.toml" and here.versions == ("3.1",)
    assert here.pytest_paths == ("tests",) and here.pytest_requirements == ("pytest",)
    # the project's companion pins add to the shipped ones
    assert here.companion_pins("3.1.4")[-1] == "ours<2" and "sqlalchemy<2.1" in here.companion_pins("3.1.4")
    monkeypatch.chdir(tmp_path)
    assert load_config(env={"MLFLOW_COMPAT_ROOT": str(repo)}).source == here.source
    assert load_config(env={"MLFLOW_COMPAT_CONFIG": str(repo / "pyproject.toml")}).root == repo.resolve()
    with pytest.raises(ConfigError, match="MLFLOW_COMPAT_ROOT=.*no such directory"):
        load_config(env={"MLFLOW_COMPAT_ROOT": str(tmp_path / "nowhere")})
