"""harness.scan.resolve (with rules): qualified names through imports, aliases,
instances and scopes, checked end to end on small snippets. The records are
hand-written (tests/scan_support.change); they claim nothing about MLflow."""

from __future__ import annotations

import ast
import textwrap

from harness.scan import scan_paths
from harness.scan.resolve import resolve
from harness.scan.values import CALL
from tests.scan_support import change, diff_of

MT = "mlflow.models.evaluation.validation.MetricThreshold"
THRESHOLD_KW = change("parameter_removed", MT + ".__init__", "higher_is_better",
                      public=("mlflow.models.MetricThreshold.__init__",))
CLIENT = "mlflow.tracking.client.MlflowClient"
CLIENT_KW = change("parameter_removed", CLIENT + ".search_runs", "old_kw",
                   public=("mlflow.MlflowClient.search_runs", "mlflow.tracking.MlflowClient.search_runs"))
REMOVED_METHOD = change("object_removed", CLIENT + ".gone", public=("mlflow.MlflowClient.gone",))


def scan_code(tmp_path, code, *changes, name="user.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(code))
    result = scan_paths([path], [diff_of(*changes)], [], scenario_paths=[])
    return [(f.line, f.col, f.code, f.confidence) for f in result.findings]


def test_aliases_of_modules_and_names(tmp_path):
    code = """\
        import mlflow
        import mlflow.models as mm
        from mlflow import models
        from mlflow.models import MetricThreshold as MT
        mlflow.models.MetricThreshold(higher_is_better=True)
        mm.MetricThreshold(higher_is_better=True)
        models.MetricThreshold(higher_is_better=True)
        MT(higher_is_better=True)
        Alias = MT
        Alias(higher_is_better=True)
        """
    assert [f[0] for f in scan_code(tmp_path, code, THRESHOLD_KW)] == [5, 6, 7, 8, 10]


def test_instances_bound_to_names_and_annotations(tmp_path):
    code = """\
        from mlflow import MlflowClient
        import mlflow.tracking
        client = MlflowClient()
        client.search_runs(["1"], old_kw=1)
        mlflow.tracking.MlflowClient(tracking_uri="x").search_runs(old_kw=2)
        def f(c: MlflowClient, d: "MlflowClient", e: MlflowClient | None):
            c.search_runs(old_kw=3)
            d.search_runs(old_kw=4)
            e.search_runs(old_kw=5)
            c.gone()
        """
    assert scan_code(tmp_path, code, CLIENT_KW, REMOVED_METHOD) == [
        (4, 27, "MLC001", "high"),
        (5, 60, "MLC001", "high"),
        (7, 19, "MLC001", "high"),
        (8, 19, "MLC001", "low"),  # a string annotation is not evaluated: receiver unknown
        (9, 19, "MLC001", "high"),
        (10, 7, "MLC005", "high"),
    ]


def test_unknown_receivers_are_low_confidence_and_only_where_mlflow_is_imported(tmp_path):
    code = """\
        import mlflow
        def f(client, run):
            client.search_runs(old_kw=1)
            return run.info.run_uuid
        """
    removed = change("object_removed", "mlflow.entities.run_info.RunInfo.run_uuid")
    assert scan_code(tmp_path, code, CLIENT_KW, removed) == [(3, 24, "MLC001", "low"), (4, 21, "MLC005", "low")]
    assert scan_code(tmp_path, code.replace("import mlflow", "import os"), CLIENT_KW, removed) == []


def test_internal_records_only_match_resolved_uses(tmp_path):
    """user_facing=False records are matched where the code resolves to them, never by member name alone."""
    internal = change("object_removed", "mlflow.store.tracking.SqlStore.gone", user_facing=False)
    code = """\
        import mlflow
        from mlflow.store.tracking import SqlStore
        def f(store):
            SqlStore().gone()
            store.gone()
        """
    assert scan_code(tmp_path, code, internal) == [(4, 16, "MLC005", "high")]


def test_local_definitions_shadow_and_look_alikes_never_match(tmp_path):
    code = """\
        from mlflow.models import MetricThreshold
        def uses_local():
            MetricThreshold = dict
            return MetricThreshold(higher_is_better=True)
        def uses_mlflow():
            return MetricThreshold(higher_is_better=True)
        class Holder:
            MetricThreshold = dict
            x = MetricThreshold(higher_is_better=True)
            def method(self):
                return MetricThreshold(higher_is_better=True)
        from .models import MetricThreshold as Relative
        Relative(higher_is_better=True)
        """
    # line 9: the class body sees its own binding; line 11: methods do not see class scope (mlflow's)
    assert [f[0] for f in scan_code(tmp_path, code, THRESHOLD_KW)] == [6, 11]


def test_function_bodies_see_the_final_module_binding(tmp_path):
    code = """\
        def later():
            return MetricThreshold(higher_is_better=True)
        from mlflow.models import MetricThreshold
        """
    assert [f[0] for f in scan_code(tmp_path, code, THRESHOLD_KW)] == [2]


def test_fallback_imports_keep_the_mlflow_meaning(tmp_path):
    code = """\
        try:
            from mlflow.models import MetricThreshold
        except ImportError:
            MetricThreshold = None
        MetricThreshold(higher_is_better=True)
        """
    assert [f[0] for f in scan_code(tmp_path, code, THRESHOLD_KW)] == [5]


def test_star_imports_and_subclasses(tmp_path):
    code = """\
        from mlflow.models import *
        import mlflow
        MetricThreshold(higher_is_better=True)
        class Mine(mlflow.MlflowClient):
            def own(self):
                return 1
            def run(self):
                self.own()
                self.gone()
                return self.search_runs(old_kw=1)
        """
    assert scan_code(tmp_path, code, THRESHOLD_KW, CLIENT_KW, REMOVED_METHOD) == [
        (3, 17, "MLC001", "high"), (9, 14, "MLC005", "high"), (10, 33, "MLC001", "high"),
    ]


def test_positional_binding(tmp_path):
    moved = change("parameter_moved", "mlflow.tracking.fluent.start_run", "tags", old="4", new="5",
                   public=("mlflow.start_run",))
    moved_in_message = change("parameter_moved", MT + ".__init__", "greater_is_better",
                              message="positional parameter greater_is_better moved from position 3 to 4",
                              public=("mlflow.models.MetricThreshold.__init__",))
    code = """\
        import mlflow
        from mlflow.models import MetricThreshold
        args = (1, 2)
        mlflow.start_run(None, None, "n", False, {"a": 1})
        mlflow.start_run(None, None, "n", False)
        mlflow.start_run(*args, None, None, False, {})
        mlflow.start_run(None, None, "n", False, tags={})
        MetricThreshold(0.8, None, None, True)
        MetricThreshold(0.8, None, None)
        """
    assert scan_code(tmp_path, code, moved, moved_in_message) == [(4, 42, "MLC003", "high"), (8, 34, "MLC003", "high")]


def test_positions_are_call_site_positions(tmp_path):
    """``self`` is not counted; a method called through its class passes it explicitly and is not checked."""
    moved = change("parameter_moved", CLIENT + ".create_run", "tags", old="1", new="2",
                   public=("mlflow.MlflowClient.create_run",))
    added = change("required_parameter_added", CLIENT + ".create_run", "run_name", new="position 1",
                   public=("mlflow.MlflowClient.create_run",))
    code = """\
        from mlflow import MlflowClient
        client = MlflowClient()
        client.create_run("0", {"a": 1})
        MlflowClient.create_run(client, "0", {"a": 1})
        client.create_run("0")
        """
    # line 4: through the class, positions are not bound: run_name may be missing (low); line 3 passes it
    assert scan_code(tmp_path, code, moved, added) == [
        (3, 24, "MLC003", "high"), (4, 1, "MLC006", "low"), (5, 1, "MLC006", "high")]


def test_absorbed_parameters_are_low_confidence(tmp_path):
    absorbed = change("parameter_removed", "mlflow.catboost.log_model", "name", direction="rollback")
    absorbed.absorbed = True  # the new signature still takes it through **kwargs
    code = """\
        import mlflow.catboost
        mlflow.catboost.log_model(m, name="x")
        """
    assert scan_code(tmp_path, code, absorbed) == [(2, 30, "MLC001", "low")]


def test_renamed_required_and_kind_changes(tmp_path):
    renamed = change("parameter_renamed", "mlflow.pkg.func", "old_name", old="old_name", new="new_name")
    required = change("required_parameter_added", "mlflow.pkg.needs", "must", new="0")
    kind = change("kind_changed", "mlflow.pkg.posonly", "x", old="positional or keyword", new="positional-only")
    code = """\
        from mlflow import pkg
        pkg.func(old_name=1)
        pkg.needs(1)
        pkg.needs()
        pkg.needs(must=1)
        pkg.needs(**{"must": 1})
        pkg.posonly(x=1)
        pkg.posonly(1)
        """
    assert scan_code(tmp_path, code, renamed, required, kind) == [
        (2, 10, "MLC002", "high"), (4, 1, "MLC006", "high"), (7, 13, "MLC007", "high"),
    ]


def test_removed_prefix_reported_once_per_chain(tmp_path):
    gone = change("object_removed", "mlflow.gluon")
    gone_too = change("object_removed", "mlflow.gluon.log_model")
    code = """\
        import mlflow
        mlflow.gluon.log_model(1, 2)
        """
    assert scan_code(tmp_path, code, gone, gone_too) == [(2, 8, "MLC004", "high")]


def test_class_aliases_learned_from_records(tmp_path):
    """A method record naming only its canonical path still matches ``mlflow.MlflowClient().m``
    when another record says ``mlflow.MlflowClient`` is that class."""
    canonical_only = change("parameter_removed", CLIENT + ".create_run", "old_kw")
    code = """\
        import mlflow
        mlflow.MlflowClient().create_run("0", old_kw=1)
        """
    assert scan_code(tmp_path, code, canonical_only) == []
    assert scan_code(tmp_path, code, canonical_only, CLIENT_KW) == [(2, 39, "MLC001", "high")]


def test_non_ascii_columns_are_characters(tmp_path):
    code = """\
        from mlflow.models import MetricThreshold
        d = {"précision": MetricThreshold(higher_is_better=True)}
        """
    assert scan_code(tmp_path, code, THRESHOLD_KW) == [(2, 35, "MLC001", "high")]


def test_resolver_uses_in_nested_scopes():
    tree = ast.parse(textwrap.dedent("""\
        import mlflow as m
        def outer():
            def inner():
                return [m.log_param(k, v) for k, v in {}.items()]
            return lambda: m.log_metric("a", 1)
        """))
    assert sorted(u.path for u in resolve(tree).uses if u.kind == CALL) == ["mlflow.log_metric", "mlflow.log_param"]


def test_noqa_silences_like_ruff(tmp_path):
    from harness.scan.noqa import codes

    code = """\
        from mlflow.models import MetricThreshold
        MetricThreshold(higher_is_better=True)  # noqa
        MetricThreshold(higher_is_better=True)  # noqa: MLC001
        MetricThreshold(higher_is_better=True)  # noqa: MLC005
        MetricThreshold(higher_is_better="# noqa")
        """
    assert [f[0] for f in scan_code(tmp_path, code, THRESHOLD_KW)] == [4, 5]
    assert codes("x = 1  # NOQA:mlc001,MLC002") == {"MLC001", "MLC002"}
    assert codes("    higher_is_better=True,  # noqa") is not None  # a line inside a call


def test_instance_attributes_of_local_classes(tmp_path):
    code = """\
        from mlflow import MlflowClient
        class Trainer:
            def __init__(self, uri):
                self.client = MlflowClient(uri)
                self.other = []
            def promote(self):
                self.client.search_runs(old_kw=1)
                self.other.search_runs(old_kw=2)
                return self.missing.search_runs(old_kw=3)
        Trainer("x").client.search_runs(old_kw=4)
        """
    # line 8: a list, not mlflow; line 9: never assigned, type unknown
    assert scan_code(tmp_path, code, CLIENT_KW) == [
        (7, 33, "MLC001", "high"), (9, 41, "MLC001", "low"), (10, 33, "MLC001", "high")]


def test_member_names_alone_match_upgrade_records_only(tmp_path):
    """Metric.run_id is new in the candidate (a rollback record); run.info.run_id is RunInfo's, old."""
    new_member = change("object_removed", "mlflow.entities.metric.Metric.run_id", direction="rollback",
                        public=("mlflow.entities.Metric.run_id",))
    code = """\
        import mlflow
        from mlflow.entities import Metric
        def f(run, metric: Metric):
            return run.info.run_id, metric.run_id
        """
    assert scan_code(tmp_path, code, new_member) == [(4, 36, "MLC005", "high")]


def test_rollback_position_guesses_yield_to_upgrade_evidence(tmp_path):
    """A call an upgrade record shows was written for the baseline's signature gets no rollback guesses."""
    init = "mlflow.entities.run_info.RunInfo.__init__"
    public = ("mlflow.entities.RunInfo",)
    upgrade = change("parameter_moved", init, "run_id", old="8", new="0", public=public)
    rollback = change("parameter_moved", init, "run_id", old="0", new="8", public=public, direction="rollback")
    code = """\
        from mlflow.entities import RunInfo
        RunInfo("u", "0", "me", "FINISHED", 0, 1, "active", "/a", "u")
        RunInfo("u", "0")
        """
    assert scan_code(tmp_path, code, upgrade, rollback) == [(2, 59, "MLC003", "high"), (3, 9, "MLC003", "low")]
