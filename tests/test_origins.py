"""harness.runner.origins (through harness.runner.capture): where a warning comes from.

No MLflow: the libraries are hand-written packages in a temporary
site-packages directory with their own dist-info metadata, and "MLflow code"
is a file under a temporary ``site-packages/mlflow/`` loaded under another
module name (``sys.modules["mlflow"]`` is never touched). Classification is by
file and installed metadata only, so that is all it takes.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from harness.runner import origins
from harness.runner.capture import capture, warning_dicts


def _install(site: Path, dist: str, version: str, files: dict[str, str]) -> None:
    """Write ``files`` into ``site`` and a dist-info that says ``dist`` installed them."""
    for rel, text in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    tops = sorted({rel.split("/")[0].removesuffix(".py") for rel in files})
    (info / "top_level.txt").write_text("\n".join(tops) + "\n")
    (info / "RECORD").write_text("".join(f"{rel},,\n" for rel in [*files, f"{info.name}/METADATA"]))


def _load(path: Path, name: str):
    """Import a file under a module name of our choosing."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LIBRARY = """
    import locale
    import warnings


    def deprecated_api():
        warnings.warn("deprecated_api is deprecated", DeprecationWarning, stacklevel=2)


    def legacy_query():
        # like SQLAlchemy: attributed to the first frame outside this library
        warnings.warn("Query.get() is legacy", FutureWarning, stacklevel=2)


    def old_stdlib_call():
        return locale.getdefaultlocale()
"""
MLFLOW_STORE = """
    import logging
    import warnings

    import fakelib

    _logger = logging.getLogger("mlflow.store.tracking")


    def get_run():
        fakelib.legacy_query()


    def log_model(artifact_path=None):
        if artifact_path is not None:
            warnings.warn("artifact_path is deprecated, use name", FutureWarning, stacklevel=2)


    def log_model_v3():
        _logger.warning("`artifact_path` is deprecated. Please use `name` instead.")
"""


@pytest.fixture
def env(tmp_path, monkeypatch):
    site = tmp_path / "venv" / "lib" / "site-packages"
    _install(site, "fakelib", "1.2.3", {"fakelib/__init__.py": LIBRARY})
    _install(site, "shared-a", "1.0", {"sharedns/a.py": "import warnings\ndef go():\n    warnings.warn('from a')\n"})
    _install(site, "shared-b", "2.0", {"sharedns/b.py": "import warnings\ndef go():\n    warnings.warn('from b')\n"})
    _install(site, "fake-mlflow-skinny", "9.9.9", {"mlflow/store.py": MLFLOW_STORE})
    user = tmp_path / "user_project"
    user.mkdir()
    (user / "team_helpers.py").write_text(textwrap.dedent("""
        def log_churn_model(store):
            store.log_model(artifact_path="model")
    """))
    monkeypatch.syspath_prepend(str(user))
    monkeypatch.syspath_prepend(str(site))
    origins.refresh()
    yield site
    for name in ("fakelib", "fakelib.pool", "sharedns", "sharedns.a", "sharedns.b", "team_helpers"):
        sys.modules.pop(name, None)
    origins.refresh()


def _warned(body) -> list[dict]:
    captured = capture(body)
    assert captured.exception is None, captured.traceback()
    return warning_dicts(captured, Path("/nowhere"))


def _src_line(source: str, marker: str) -> int:
    """The line of a hand-written module that holds ``marker``."""
    return next(i for i, text in enumerate(textwrap.dedent(source).splitlines(), 1) if marker in text)


def _line(marker: str) -> int:
    """The line of this file that holds ``marker``."""
    return next(i for i, text in enumerate(Path(__file__).read_text().splitlines(), 1) if marker in text)


def test_a_warning_from_the_scenario_body_is_the_scenarios(env):
    [w] = _warned(lambda: warnings.warn("my own", UserWarning))  # marker: own-warning
    here = f"tests/test_origins.py:{_line('marker: own-warning')}"
    assert (w["origin"], w["frame"], w["frame_origin"], w["scenario_frame"], w["mlflow_frame"]) == (
        "scenario", here, "scenario", here, None)
    assert "version" not in w
    # what was recorded before origins is unchanged
    assert (w["category"], w["message"], w["source"], w["count"]) == ("UserWarning", "my own", "warnings", 1)
    assert w["where"] == f"test_origins.py:{_line('marker: own-warning')}"


def test_a_library_warning_names_the_distribution_and_its_version(env):
    import fakelib

    [w] = _warned(lambda: fakelib.deprecated_api())  # marker: library-call
    assert w["origin"] == "library:fakelib" and w["version"] == "1.2.3"
    assert w["raised_at"] == f"fakelib/__init__.py:{_src_line(LIBRARY, 'deprecated_api is deprecated')}"
    # stacklevel attributes it to the caller: the scenario's line
    assert w["frame"] == w["scenario_frame"] == f"tests/test_origins.py:{_line('marker: library-call')}"


def test_a_library_warning_inside_mlflow_is_the_librarys_not_mlflows(env):
    store = _load(env / "mlflow" / "store.py", "compat_test_mlflow_store")
    [w] = _warned(lambda: store.get_run())  # marker: through-mlflow
    # SQLAlchemy-style: raised in the library, attributed to MLflow's frame
    assert w["origin"] == "library:fakelib" and w["version"] == "1.2.3"
    assert w["frame"].startswith("mlflow/store.py:") and w["frame_origin"] == "mlflow"
    assert w["mlflow_frame"] == w["frame"]
    assert w["scenario_frame"] == f"tests/test_origins.py:{_line('marker: through-mlflow')}"


def test_mlflows_own_deprecation_of_an_api_the_user_called_is_mlflows_attributed_to_the_user(env):
    store = _load(env / "mlflow" / "store.py", "compat_test_mlflow_store")
    import team_helpers

    [w] = _warned(lambda: team_helpers.log_churn_model(store))
    assert w["origin"] == "mlflow" and "version" not in w
    assert w["frame"] == w["scenario_frame"] == "team_helpers.py:3"  # the user's own package, not installed
    assert w["frame_origin"] == "scenario" and w["mlflow_frame"].startswith("mlflow/store.py:")


def test_an_mlflow_log_record_is_mlflows_with_the_scenario_frame_that_led_to_it(env):
    store = _load(env / "mlflow" / "store.py", "compat_test_mlflow_store")
    [w] = _warned(lambda: store.log_model_v3())  # marker: logged
    assert (w["category"], w["source"], w["where"]) == ("log.WARNING", "logging", "mlflow.store.tracking")
    assert w["origin"] == "mlflow" and w["frame"].startswith("mlflow/store.py:")
    assert w["frame"] == w["raised_at"] == w["mlflow_frame"]
    assert w["scenario_frame"] == f"tests/test_origins.py:{_line('marker: logged')}"


def test_a_library_logger_record_is_the_librarys(env):
    def body() -> None:
        logging.getLogger("fakelib").warning("pool exhausted")

    [w] = _warned(body)
    assert w["origin"] == "scenario"  # logged from this very line: the scenario's code
    code = "import logging\ndef warn():\n    logging.getLogger('fakelib').warning('pool exhausted')\n"
    (env / "fakelib" / "pool.py").write_text(code)
    import fakelib.pool

    [w] = _warned(fakelib.pool.warn)
    assert w["origin"] == "library:fakelib" and w["frame"] == "fakelib/pool.py:3" and w["version"] == "1.2.3"


def test_a_shared_top_level_package_is_told_apart_by_the_distributions_file_lists(env):
    from sharedns import a, b

    [wa] = _warned(a.go)
    [wb] = _warned(b.go)
    assert (wa["origin"], wa["version"]) == ("library:shared-a", "1.0")
    assert (wb["origin"], wb["version"]) == ("library:shared-b", "2.0")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="locale.getdefaultlocale warns from 3.11 on")
def test_a_deprecated_stdlib_call_belongs_to_the_code_that_made_it(env):
    import fakelib

    [w] = _warned(fakelib.old_stdlib_call)
    assert w["category"] == "DeprecationWarning" and w["origin"] == "library:fakelib"
    assert w["raised_at"].startswith("fakelib/__init__.py:") and w["frame"] == w["raised_at"]


# -- cause attribution: the frame that raised a scenario's error ---------------
def _spec_ctx(tmp_path, func):
    from harness.scenario import Context, ScenarioSpec

    spec = ScenarioSpec(id="unit.raises", area="unit", kind="capability", func=func)
    return spec, Context(work_dir=tmp_path, tracking_uri="sqlite:///x.db", adapter=None)


def test_an_error_raised_inside_a_library_under_mlflow_names_the_library_and_its_version(env, tmp_path):
    from harness.runner.capture import execute

    (env / "fakelib" / "metrics.py").write_text(
        "def r2_score(y, p, **kw):\n    raise TypeError(\"got an unexpected keyword argument 'squared'\")\n")
    (env / "mlflow" / "evaluate.py").write_text(
        "from fakelib.metrics import r2_score\n\ndef evaluate():\n    return r2_score([1], [1], squared=False)\n")
    evaluate = _load(env / "mlflow" / "evaluate.py", "compat_test_mlflow_evaluate")
    spec, ctx = _spec_ctx(tmp_path, lambda ctx: evaluate.evaluate())  # marker: evaluates
    error = execute(spec, ctx)["error"]
    assert error["type"] == "TypeError"
    assert error["raised_in"] == {
        "origin": "library:fakelib", "frame": "fakelib/metrics.py:2", "distribution": "fakelib", "version": "1.2.3",
        "scenario_frame": f"tests/test_origins.py:{_line('marker: evaluates')}", "mlflow_frame": "mlflow/evaluate.py:4",
    }


def test_an_error_raised_by_mlflow_or_by_the_scenario_says_so(env, tmp_path):
    from harness.runner.capture import execute

    (env / "mlflow" / "client.py").write_text("def get(name):\n    raise KeyError(name)\n")
    client = _load(env / "mlflow" / "client.py", "compat_test_mlflow_client")
    spec, ctx = _spec_ctx(tmp_path, lambda ctx: client.get("champion"))
    raised = execute(spec, ctx)["error"]["raised_in"]
    assert (raised["origin"], raised["frame"], raised["distribution"], raised["version"]) == (
        "mlflow", "mlflow/client.py:2", "fake-mlflow-skinny", "9.9.9")

    def check(ctx) -> None:
        ctx.check(1 == 2, "values differ")  # marker: ctx-check

    spec, ctx = _spec_ctx(tmp_path, check)
    data = execute(spec, ctx)
    # a failed ctx.check is the scenario line that made it, not harness/scenario.py
    assert data["status"] == "fail"
    assert data["error"]["raised_in"] == {
        "origin": "scenario", "frame": f"tests/test_origins.py:{_line('marker: ctx-check')}",
        "distribution": None, "version": None,
        "scenario_frame": f"tests/test_origins.py:{_line('marker: ctx-check')}", "mlflow_frame": None,
    }


def test_an_error_raised_in_the_standard_library_belongs_to_its_caller(env, tmp_path):
    import json

    from harness.runner.capture import execute

    spec, ctx = _spec_ctx(tmp_path, lambda ctx: json.loads("{"))  # marker: stdlib-raise
    raised = execute(spec, ctx)["error"]["raised_in"]
    assert raised["origin"] == "scenario" and raised["frame"] == f"tests/test_origins.py:{_line('marker: stdlib-raise')}"
