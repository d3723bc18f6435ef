"""Users' own scenarios: discovery, id clashes, selection, import errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness import scenario as registry
from harness.config import load_config
from harness.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "user_project"


@pytest.fixture
def clean_registry():
    """An empty registry; scenario modules are re-imported so they register again."""
    import sys

    def forget_modules():
        for name in [m for m in sys.modules if m.startswith(("scenarios.", "compat_user_"))]:
            del sys.modules[name]

    saved = dict(registry.REGISTRY)
    registry.REGISTRY.clear()
    forget_modules()
    yield registry.REGISTRY
    registry.REGISTRY.clear()
    registry.REGISTRY.update(saved)
    forget_modules()


def write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body))
    return path


def test_user_modules_are_discovered_next_to_builtins(tmp_path, clean_registry):
    registry.load_builtin()
    builtin = set(clean_registry)
    write(tmp_path / "compat" / "mine.py", """
        from harness.scenario import scenario

        @scenario(id="team.helper.logs", area="team", kind="idiom", code="team.log()")
        def logs(ctx):
            '''Our helper logs a model.'''
    """)
    assert registry.load_paths([tmp_path / "compat"]) == []
    assert set(clean_registry) - builtin == {"team.helper.logs"}
    assert clean_registry["team.helper.logs"].description == "Our helper logs a model."


def test_id_clash_with_a_builtin_names_both_files(tmp_path, clean_registry):
    registry.load_builtin()
    mine = write(tmp_path / "clash.py", """
        from harness.scenario import scenario

        @scenario(id="models.log.name_kwarg", area="models", kind="idiom")
        def mine(ctx):
            pass
    """)
    with pytest.raises(ConfigError) as info:
        registry.load_paths([mine])
    message = str(info.value)
    assert "models.log.name_kwarg" in message and str(mine) in message and "scenarios/models.py" in message


def test_import_error_names_the_file_and_keeps_the_other_modules(tmp_path, clean_registry):
    broken = write(tmp_path / "user" / "a_broken.py", "import not_a_module_anywhere\n")
    write(tmp_path / "user" / "b_fine.py", """
        from harness.scenario import scenario

        @scenario(id="team.fine.one", area="team", kind="capability")
        def one(ctx):
            pass
    """)
    errors = registry.load_paths([tmp_path / "user"])
    assert [e.path for e in errors] == [str(broken)]
    assert "ModuleNotFoundError" in errors[0].error and "not_a_module_anywhere" in errors[0].error
    assert "team.fine.one" in clean_registry


def test_missing_scenario_path_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        registry.load_paths([tmp_path / "nowhere"])


@pytest.mark.parametrize(
    "only, skip, expected",
    [
        (["registry.*"], [], {"registry.alias.uri", "registry.stage.uri"}),
        (["models"], [], {"models.log.name_kwarg"}),
        ([], ["registry.stage.*"], {"registry.alias.uri", "models.log.name_kwarg", "perf.import.fresh"}),
        (["registry.*", "perf"], ["*.stage.*"], {"registry.alias.uri", "perf.import.fresh"}),
    ],
)
def test_selection_by_id_glob_and_area(only, skip, expected):
    specs = [
        registry.ScenarioSpec(id=sid, area=sid.split(".")[0], kind="capability", func=lambda ctx: None)
        for sid in ("registry.alias.uri", "registry.stage.uri", "models.log.name_kwarg", "perf.import.fresh")
    ]
    assert {s.id for s in registry.select(specs, only, skip)} == expected


def test_user_config_extends_the_shipped_one():
    config = load_config(env={"MLFLOW_COMPAT_CONFIG": str(EXAMPLE / "pyproject.toml")})
    # the baseline is the release its environment pins; its configured "2.9" is that column
    assert config.versions == ("2.9.2", "3") and config.baseline == "2.9.2"
    assert config.root == EXAMPLE.resolve() and config.envs_dir == EXAMPLE.resolve() / ".nox"
    assert config.scenario_paths == ((EXAMPLE / "compat_scenarios").resolve(),)
    assert config.extra_requirements == (str(EXAMPLE.resolve()),)
    assert config.pytest_paths == ("tests/",) and config.environment == ("requirements-dev.txt",)
    assert config.results_dir == (EXAMPLE / "results").resolve()
    # the measured companion pins still apply to the user's matrix
    assert "setuptools<82" in config.companion_pins("2.9.2")


def test_selection_takes_an_exact_id_with_glob_characters_and_knows_which_areas_it_can_reach():
    sid = "tests.tests/test_a.py::test_x[1-2]"
    assert registry.chosen(sid, "tests", [sid])  # as written (as a glob, [1-2] is a class of one character)
    assert registry.chosen(sid, "tests", ["tests"]) and not registry.chosen(sid, "tests", [], ["tests"])
    # the suite runs unless the selection cannot reach its rows
    assert registry.area_chosen("tests") and registry.area_chosen("tests", ["tests.tests/test_a.py::*"])
    assert registry.area_chosen("tests", ["*"]) and not registry.area_chosen("tests", ["models.*"])
    assert not registry.area_chosen("tests", [], ["tests"]) and registry.area_chosen("tests", [], ["models"])
