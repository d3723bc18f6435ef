"""Reading the mlflow pin (harness/pins): every file kind, git:<ref>:<path>, conflicts, ranges.

Hand-written dependency files in temporary directories and a temporary git
repository; ranges resolve against a recorded release list of the index
(tests/data/pins/mlflow-releases.json, 2026-11-29), never the network.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from harness.errors import HarnessError
from harness.pins import candidate_from_file, read_pin, releases_in, resolve_pin
from harness.pins.pyproject import poetry_specifier

RELEASES = json.loads((Path(__file__).parent / "data" / "pins" / "mlflow-releases.json").read_text())


def recorded() -> list[str]:
    return RELEASES


def no_index() -> list[str]:
    raise AssertionError("an exact pin must not ask the index")


def files(root: Path, **contents: str) -> Path:
    """Write ``name=text`` files under ``root`` (``__`` in a name is a ``/``)."""
    for name, text in contents.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def pin_of(tmp_path: Path, source: str, **contents: str):
    files(tmp_path, **contents)
    return read_pin(source, cwd=tmp_path)


# --------------------------------------------------------------------------
# requirements files
# --------------------------------------------------------------------------
def test_requirements_file_comments_continuations_hashes_extras_and_markers(tmp_path):
    pin = pin_of(tmp_path, "requirements.txt", **{"requirements.txt": (
        "# the service's pins\n"
        "--index-url https://example.invalid/simple\n"
        "numpy>=1.26  # arrays\n"
        "mlflow[extras] == 3.1.4 ; python_version >= '3.8' \\\n"
        "    --hash=sha256:aaaa \\\n"
        "    --hash=sha256:bbbb\n"
        "mlflow==2.9.2 ; python_version < '3.0'   # never on this interpreter\n"
        "-e ./local_pkg\n"
    )})
    assert pin.specifier == SpecifierSet("==3.1.4") and pin.exact == "3.1.4"
    assert pin.requirement == "mlflow==3.1.4"
    assert [f.where for f in pin.found] == ["requirements.txt:4"]
    assert [f.where for f in pin.ignored] == ["requirements.txt:7"]  # its marker does not hold


def test_requirement_and_constraint_includes_are_followed_relative_to_the_including_file(tmp_path):
    pin = pin_of(tmp_path, "requirements/prod.txt", **{
        "requirements__prod.txt": "-r base.txt\n--constraint=../constraints.txt\nmlflow>=3.1\n",
        "requirements__base.txt": "-r prod.txt\npandas\nmlflow<3.2  # cycles are read once\n",
        "constraints.txt": "mlflow!=3.1.3\n",
    })
    assert pin.specifier == SpecifierSet(">=3.1,<3.2,!=3.1.3")
    assert [f.where for f in pin.found] == ["requirements/base.txt:3", "constraints.txt:1", "requirements/prod.txt:3"]
    assert pin.exact is None


def test_a_missing_include_names_the_file_and_the_line(tmp_path):
    with pytest.raises(HarnessError, match=r"--candidate-from base.txt: no such file \(included from requirements.txt:1\)"):
        pin_of(tmp_path, "requirements.txt", **{"requirements.txt": "-r base.txt\nmlflow==3.1.4\n"})


@pytest.mark.parametrize(
    "text, message",
    [
        ("numpy\n", "no mlflow requirement found"),
        ("mlflow\n", r"mlflow is not pinned \(requirements.txt:1\)"),
        ("mlflow @ https://example.invalid/mlflow.whl\n", "comes from https://example.invalid/mlflow.whl"),
        ("mlflow==3.1.4; python_version < '3'\n", "no mlflow requirement applies on this interpreter"),
        ("mlflow==3.0.0rc1\n", "only final releases"),
    ],
)
def test_a_file_without_a_usable_pin_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(HarnessError, match=message):
        pin_of(tmp_path, "requirements.txt", **{"requirements.txt": text}).exact


def test_a_missing_file_is_one_line_naming_the_option(tmp_path):
    with pytest.raises(HarnessError, match=r"^--baseline-from nope.txt: no such file$"):
        read_pin("nope.txt", option="--baseline-from", cwd=tmp_path)


@pytest.mark.parametrize(
    "contents, message",
    [
        ({"requirements.txt": "-r other.txt\nmlflow==2.9.2\n", "other.txt": "mlflow>=3\n"},
         r"conflict: mlflow==2.9.2 \(requirements.txt:2\) and mlflow>=3 \(other.txt:1\)"),
        ({"requirements.txt": "mlflow==2.9.2\n-c c.txt\n", "c.txt": "mlflow==3.1.4\n"},
         r"conflict: mlflow==2.9.2 \(requirements.txt:1\) and mlflow==3.1.4 \(c.txt:1\)"),
    ],
)
def test_a_pin_that_conflicts_with_itself_is_one_line(tmp_path, contents, message):
    with pytest.raises(HarnessError, match=message):
        pin_of(tmp_path, "requirements.txt", **contents)


def test_several_sources_are_read_as_one_set_and_may_conflict(tmp_path):
    files(tmp_path, **{"requirements.txt": "mlflow>=3.1\n", "constraints.txt": "mlflow<3.2\n", "old.txt": "mlflow==2.9.2\n"})
    assert read_pin(["requirements.txt", "constraints.txt"], cwd=tmp_path).specifier == SpecifierSet(">=3.1,<3.2")
    with pytest.raises(HarnessError, match="conflict"):
        read_pin(["requirements.txt", "old.txt"], cwd=tmp_path)


def test_candidate_from_file_keeps_its_contract(tmp_path):
    path = files(tmp_path, **{"requirements.txt": "mlflow>=3.1,<3.2\n"}) / "requirements.txt"
    assert candidate_from_file(path) == SpecifierSet(">=3.1,<3.2")


def test_mlflow_skinny_alone_pins_the_release(tmp_path):
    pin = pin_of(tmp_path, "requirements.txt", **{"requirements.txt": "mlflow-skinny==3.1.4\n"})
    assert pin.exact == "3.1.4" and pin.requirement == "mlflow-skinny==3.1.4"
    both = pin_of(tmp_path, "r2.txt", **{"r2.txt": "mlflow==2.9.2\nmlflow-skinny==3.1.4\n"})
    assert both.requirement == "mlflow==2.9.2"  # mlflow itself wins when both are named


# --------------------------------------------------------------------------
# pyproject.toml
# --------------------------------------------------------------------------
PEP621 = """
[project]
name = "app"
dependencies = ["pandas", "MLflow[genai]>=2.9"]
[project.optional-dependencies]
serve = ["mlflow<3"]
[dependency-groups]
test = ["pytest", {include-group = "pins"}]
pins = ["mlflow==2.9.2"]
"""


def test_pyproject_reads_dependencies_extras_and_dependency_groups_with_includes(tmp_path):
    pin = pin_of(tmp_path, "pyproject.toml", **{"pyproject.toml": PEP621})
    assert pin.exact == "2.9.2"
    assert [f.where for f in pin.found] == [
        "pyproject.toml [project] dependencies",
        "pyproject.toml [project.optional-dependencies] serve",
        "pyproject.toml [dependency-groups] test",  # through include-group = "pins"
        "pyproject.toml [dependency-groups] pins",
    ]


def test_pyproject_group_selector_reads_main_dependencies_plus_that_group(tmp_path):
    files(tmp_path, **{"pyproject.toml": PEP621 + 'legacy = ["mlflow==2.22.1"]\n'})
    with pytest.raises(HarnessError, match="conflict"):
        read_pin("pyproject.toml", cwd=tmp_path)  # every group at once: 2.9.2 and 2.22.1
    assert read_pin("pyproject.toml#test", cwd=tmp_path).exact == "2.9.2"
    assert read_pin("pyproject.toml#legacy", cwd=tmp_path).exact == "2.22.1"
    assert read_pin("pyproject.toml#serve", cwd=tmp_path).specifier == SpecifierSet(">=2.9,<3")
    with pytest.raises(HarnessError, match=r"no extra or dependency group 'nope' \(there are: legacy, pins, serve, test\)"):
        read_pin("pyproject.toml#nope", cwd=tmp_path)


def test_dependency_group_include_cycles_and_missing_groups_are_errors(tmp_path):
    cyclic = '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}]\n'
    with pytest.raises(HarnessError, match="includes itself"):
        pin_of(tmp_path, "pyproject.toml", **{"pyproject.toml": cyclic})
    missing = '[dependency-groups]\na = [{include-group = "zz"}]\n'
    with pytest.raises(HarnessError, match="has no group 'zz'"):
        pin_of(tmp_path, "pyproject.toml", **{"pyproject.toml": missing})


def test_invalid_toml_is_one_line(tmp_path):
    with pytest.raises(HarnessError, match="pyproject.toml: invalid TOML"):
        pin_of(tmp_path, "pyproject.toml", **{"pyproject.toml": "[project\n"})


@pytest.mark.parametrize(
    "constraint, expected",
    [
        ("^2.9.2", ">=2.9.2,<3.0.0"),
        ("^2.9", ">=2.9,<3.0"),
        ("^2", ">=2,<3"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("~2.9.2", ">=2.9.2,<2.10.0"),
        ("~2.9", ">=2.9,<2.10"),
        ("~2", ">=2,<3"),
        ("~=2.9.2", "~=2.9.2"),
        ("2.9.2", "==2.9.2"),
        ("2.9.*", "==2.9.*"),
        (">=2.9,<3", ">=2.9,<3"),
        (">=2.9 <3", ">=2.9,<3"),
        ("=3.1.4", "==3.1.4"),
        ("*", ""),
    ],
)
def test_poetry_constraints_translate_to_pep440(constraint, expected):
    assert SpecifierSet(poetry_specifier(constraint)) == SpecifierSet(expected)


@pytest.mark.parametrize("constraint", ["^2.9 || ^3.1", "latest", "^x.y"])
def test_poetry_constraints_without_a_pep440_equivalent_are_rejected(constraint):
    with pytest.raises(ValueError):
        poetry_specifier(constraint)


def test_poetry_tables_dict_forms_python_restrictions_and_groups(tmp_path):
    text = """
[tool.poetry.dependencies]
python = "^3.10"
mlflow = [
    {version = "^2.9.2", python = "<3.8"},
    {version = "~3.1.4", python = ">=3.8", extras = ["genai"]},
]
[tool.poetry.group.ml.dependencies]
mlflow = ">=3.1"
"""
    pin = pin_of(tmp_path, "pyproject.toml", **{"pyproject.toml": text})
    assert pin.specifier == SpecifierSet(">=3.1.4,<3.2.0,>=3.1")
    assert pin.found[0].where == "pyproject.toml [tool.poetry.dependencies] mlflow = '~3.1.4'"
    assert resolve_pin(pin, "candidate", recorded).candidates == ("3.1.4",)
    with pytest.raises(HarnessError, match=r"mlflow = '\^2.9 \|\| \^3.1'"):
        pin_of(tmp_path, "p2/pyproject.toml", **{"p2__pyproject.toml": '[tool.poetry.dependencies]\nmlflow = "^2.9 || ^3.1"\n'})
    with pytest.raises(HarnessError, match="comes from git"):
        pin_of(tmp_path, "p3/pyproject.toml", **{"p3__pyproject.toml": '[tool.poetry.dependencies]\nmlflow = {git = "https://x/mlflow.git"}\n'})


def test_uv_and_pdm_development_tables(tmp_path):
    text = '[tool.uv]\ndev-dependencies = ["mlflow>=3"]\nconstraint-dependencies = ["mlflow<3.2"]\n' \
           '[tool.pdm.dev-dependencies]\nml = ["mlflow!=3.0.0"]\n'
    pin = pin_of(tmp_path, "pyproject.toml", **{"pyproject.toml": text})
    assert pin.specifier == SpecifierSet(">=3,<3.2,!=3.0.0")


# --------------------------------------------------------------------------
# lock files
# --------------------------------------------------------------------------
def test_uv_lock_pins_the_locked_release_and_honours_resolution_markers(tmp_path):
    lock = """
version = 1
[[package]]
name = "mlflow"
version = "2.9.2"
resolution-markers = ["python_full_version < '3.0'"]
[[package]]
name = "mlflow"
version = "3.1.4"
resolution-markers = ["python_full_version >= '3.0'"]
[[package]]
name = "numpy"
version = "2.0.0"
"""
    pin = pin_of(tmp_path, "uv.lock", **{"uv.lock": lock})
    assert pin.exact == "3.1.4" and pin.found[0].where == "uv.lock [[package]] mlflow"


def test_poetry_lock_and_pylock(tmp_path):
    assert pin_of(tmp_path, "poetry.lock", **{"poetry.lock": '[[package]]\nname = "mlflow"\nversion = "2.22.1"\n'}).exact == "2.22.1"
    pylock = 'lock-version = "1.0"\n[[packages]]\nname = "mlflow"\nversion = "3.1.4"\nmarker = "python_version >= \'3.8\'"\n'
    assert pin_of(tmp_path, "pylock.toml", **{"pylock.toml": pylock}).exact == "3.1.4"
    assert pin_of(tmp_path, "pylock.ci.toml", **{"pylock.ci.toml": pylock}).exact == "3.1.4"


def test_a_group_selector_on_a_non_pyproject_file_is_an_error(tmp_path):
    with pytest.raises(HarnessError, match="applies to pyproject.toml only"):
        pin_of(tmp_path, "uv.lock#dev", **{"uv.lock": ""})


# --------------------------------------------------------------------------
# git:<ref>:<path>
# --------------------------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
         "-c", "commit.gpgsign=false", *args],
        capture_output=True, text=True, check=True,
    )
    return proc.stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    """main pins 2.9.2 (with an include); the checked-out branch bump pins 3.1.4 and dropped the include."""
    root = tmp_path / "app"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    files(root, **{"requirements.txt": "-r reqs/base.txt\nmlflow==2.9.2\n", "reqs__base.txt": "mlflow>=2.9\n",
                   "pyproject.toml": '[project]\nname = "app"\ndependencies = ["mlflow==2.9.2"]\n'})
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "bump")
    files(root, **{"requirements.txt": "mlflow==3.1.4\n"})
    git(root, "rm", "-q", "-r", "reqs")
    git(root, "commit", "-q", "-am", "bump mlflow")
    return root


def test_git_source_reads_the_file_and_its_includes_at_the_ref(repo):
    base = read_pin("git:main:requirements.txt", cwd=repo)
    assert base.exact == "2.9.2"
    assert [f.where for f in base.found] == ["git:main:reqs/base.txt:1", "git:main:requirements.txt:2"]
    assert read_pin("requirements.txt", cwd=repo).exact == "3.1.4"
    assert read_pin("git:HEAD:requirements.txt", cwd=repo).exact == "3.1.4"
    sha = git(repo, "rev-parse", "main")
    assert read_pin(f"git:{sha}:pyproject.toml", cwd=repo).exact == "2.9.2"


def test_git_source_with_an_absolute_path_works_from_any_directory(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert read_pin(f"git:main:{repo}/requirements.txt", cwd=elsewhere).exact == "2.9.2"
    # a file that exists only at the ref (its directory is gone from the working tree)
    assert read_pin(f"git:main:{repo}/reqs/base.txt", cwd=elsewhere).specifier == SpecifierSet(">=2.9")


@pytest.mark.parametrize(
    "source, message",
    [
        ("git:mian:requirements.txt", r"git ref 'mian' not found in .*app \(fetch it first, e.g. `git fetch origin mian`\)"),
        ("git:origin/main:requirements.txt", r"git ref 'origin/main' not found .*`git fetch origin main`"),
        ("git:main:nope.txt", r"no file nope.txt at git ref 'main'"),
        ("git:main", r"expected git:<ref>:<path>"),
        ("git::requirements.txt", r"expected git:<ref>:<path>"),
    ],
)
def test_bad_git_sources_are_one_line(repo, source, message):
    with pytest.raises(HarnessError, match=message) as info:
        read_pin(source, option="--baseline-from", cwd=repo)
    assert str(info.value).startswith(f"--baseline-from {source}") and "\n" not in str(info.value)


def test_git_source_outside_a_repository(tmp_path):
    files(tmp_path, **{"requirements.txt": "mlflow==3.1.4\n"})
    with pytest.raises(HarnessError, match="is not inside a git repository"):
        read_pin("git:main:requirements.txt", cwd=tmp_path)


# --------------------------------------------------------------------------
# pin -> releases
# --------------------------------------------------------------------------
def test_an_exact_pin_is_its_release_without_asking_the_index(tmp_path):
    pin = pin_of(tmp_path, "requirements.txt", **{"requirements.txt": "mlflow==3.1\n"})
    pinned = resolve_pin(pin, "candidate", no_index)
    assert pinned.candidates == ("3.1.0",) and pinned.spec == "3.1.0"
    assert pinned.facts() == {"role": "candidate", "source": "requirements.txt", "requirement": "mlflow==3.1",
                              "found": ["mlflow==3.1 (requirements.txt:1)"]}


def test_a_range_is_every_final_release_inside_it_newest_first(tmp_path):
    pin = pin_of(tmp_path, "requirements.txt", **{"requirements.txt": "mlflow>=3.1,<3.2\n"})
    pinned = resolve_pin(pin, "candidate", recorded)
    # 3.1.2 was never published; 3.1.0rc0 is a pre-release
    assert pinned.candidates == ("3.1.4", "3.1.3", "3.1.1", "3.1.0")
    assert pinned.facts()["candidates"] == ["3.1.4", "3.1.3", "3.1.1", "3.1.0"]
    assert releases_in(SpecifierSet("==3.1.*"), RELEASES)[0] == "3.1.4"
    assert releases_in(SpecifierSet(">=0.9,<0.9.1"), RELEASES) == ["0.9.0"]  # 0.9.0.1 is not X.Y.Z


def test_ranges_that_exclude_every_release_say_so(tmp_path):
    both = pin_of(tmp_path, "requirements.txt", **{"requirements.txt": "mlflow>=3\n-c c.txt\n", "c.txt": "mlflow<2\n"})
    with pytest.raises(HarnessError, match=r"the baseline mlflow pins conflict: no release satisfies mlflow>=3 \(requirements.txt:1\) and mlflow<2 \(c.txt:1\)"):
        resolve_pin(both, "baseline", recorded)
    future = pin_of(tmp_path, "r2.txt", **{"r2.txt": "mlflow>=99\n"})
    with pytest.raises(HarnessError, match=r"no mlflow release satisfies the candidate pin mlflow>=99 \(r2.txt:1\)"):
        resolve_pin(future, "candidate", recorded)


def test_the_environment_walks_a_range_pins_releases_until_one_installs(tmp_path, monkeypatch):
    """As for a family: 3.1.4 does not install here, so the column is 3.1.3, and the run file says why."""
    import dataclasses

    from harness import envs
    from harness.config import load_config, with_pins

    files(tmp_path, **{"requirements.txt": "mlflow>=3.1,<3.2\n"})
    config = with_pins(dataclasses.replace(load_config(env={}), results_dir=tmp_path / "results"),
                       candidate_from=[str(tmp_path / "requirements.txt")], releases=recorded)
    tried = []

    def install(python, requirements, use_uv=None, **kwargs):
        tried.append(requirements[0])
        ok = requirements[0] != "mlflow==3.1.4"
        return envs.InstallResult(ok, 0.1, "" if ok else "mlflow-skinny==3.1.4 is not on the index")

    monkeypatch.setattr(envs, "install", install)
    monkeypatch.setattr(envs.versions, "resolve", no_index)
    resolution = envs.resolve_and_install("3.1.4", "python", config, log=lambda *_: None)
    assert tried == ["mlflow==3.1.4", "mlflow==3.1.3"]
    assert resolution.version == "3.1.3"
    assert resolution.skipped == [{"version": "3.1.4", "reason": "mlflow-skinny==3.1.4 is not on the index"}]
