"""harness.api.diff (with release and signature): the breaking changes between two
hand-written releases of a fake ``mlflow`` (tests/api_releases.py), in both directions."""

from __future__ import annotations

import pytest

pytest.importorskip("griffe")

from harness.api.diff import diff_direction  # noqa: E402
from harness.api.release import Release  # noqa: E402
from harness.api.summary import change_line  # noqa: E402
from harness.api.surface import Surface  # noqa: E402
from harness.results.api import ChangeKind  # noqa: E402
from tests.api_releases import NEW, OLD, write_release  # noqa: E402


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    root = tmp_path_factory.mktemp("releases")
    old = Release("1.0.0", write_release(root / "old", OLD, "1.0.0"))
    new = Release("2.0.0", write_release(root / "new", NEW, "2.0.0"))
    return old, new


@pytest.fixture(scope="module")
def upgrade(releases):
    old, new = releases
    return diff_direction(old, new, Surface(), "upgrade")


@pytest.fixture(scope="module")
def rollback(releases):
    old, new = releases
    return diff_direction(new, old, Surface(), "rollback")


def find(changes, kind, path_part, name=None):
    found = [c for c in changes if c.kind is kind and path_part in c.path and (name is None or c.name == name)]
    assert len(found) == 1, f"{kind} {path_part} {name}: {[change_line(c) for c in changes]}"
    return found[0]


def test_removed_function_is_one_record_with_every_path(upgrade):
    change = find(upgrade, ChangeKind.OBJECT_REMOVED, "removed_fn")
    assert change.path == "mlflow.tracking.removed_fn"
    assert change.public_paths == ["mlflow.removed_fn", "mlflow.tracking.removed_fn"]
    assert change.new is None and change.name is None
    assert (change.file, change.line) == ("mlflow/tracking.py", 28)
    assert change.object_kind == "function" and change.direction == "upgrade"


def test_dropped_reexport_says_where_the_object_still_is(upgrade):
    change = find(upgrade, ChangeKind.OBJECT_REMOVED, "dropped_export")
    assert change.path == "mlflow.dropped_export"
    assert change.public_paths == ["mlflow.dropped_export"]
    assert change.new == "mlflow.tracking.dropped_export"
    assert change.file == "mlflow/__init__.py"  # the import line that went away


def test_removed_module_covers_its_content(upgrade):
    change = find(upgrade, ChangeKind.OBJECT_REMOVED, "mlflow.gone")
    assert change.path == "mlflow.gone" and change.object_kind == "module"
    assert not [c for c in upgrade if c.path.startswith("mlflow.gone.")]


def test_removed_constructor_parameter_is_reported_at_init_with_the_class_paths(upgrade):
    change = find(upgrade, ChangeKind.PARAMETER_REMOVED, "MetricThreshold", "higher_is_better")
    assert change.path == "mlflow.models.validation.MetricThreshold.__init__"
    assert change.public_paths == [
        "mlflow.MetricThreshold", "mlflow.models.MetricThreshold", "mlflow.models.validation.MetricThreshold",
    ]
    assert change.file == "mlflow/models/validation.py" and change.line == 2
    # the new class is a dataclass: its __init__ is the one griffe's dataclasses extension derives
    assert not [c for c in upgrade if c.name in ("threshold", "greater_is_better")]


def test_removed_property_is_an_object_removed_member(upgrade):
    change = find(upgrade, ChangeKind.OBJECT_REMOVED, "RunInfo.run_uuid")
    assert change.object_kind == "property"
    assert change.public_paths == ["mlflow.entities.RunInfo.run_uuid"]
    run_id = find(upgrade, ChangeKind.PARAMETER_MOVED, "RunInfo", "run_id")
    assert (run_id.old, run_id.new) == ("1", "0")  # argument positions: self is not counted


def test_wrapper_is_followed_to_its_wrapped_target(upgrade):
    change = find(upgrade, ChangeKind.PARAMETER_REMOVED, "evaluate", "validation_thresholds")
    assert "mlflow.evaluate" in change.public_paths and "mlflow.models.evaluate" in change.public_paths
    assert change.via == "mlflow.models.evaluation.evaluate"
    assert not change.absorbed  # not "swallowed by **kwargs": the wrapper forwards to a signature without it


def test_parameter_kinds(upgrade):
    moved = find(upgrade, ChangeKind.PARAMETER_MOVED, "log_metric", "step")
    assert (moved.old, moved.new) == ("2", "3")
    renamed = find(upgrade, ChangeKind.PARAMETER_RENAMED, "log_param", "val")
    assert (renamed.old, renamed.new) == ("val", "value")
    assert not [c for c in upgrade if c.kind is ChangeKind.PARAMETER_REMOVED and c.name == "val"]
    added = find(upgrade, ChangeKind.REQUIRED_PARAMETER_ADDED, "log_batch", "run_id")
    assert (added.old, added.new) == (None, "position 1")
    default = find(upgrade, ChangeKind.DEFAULT_CHANGED, "set_tag", "synchronous")
    assert (default.old, default.new) == ("True", "None")
    kind = find(upgrade, ChangeKind.KIND_CHANGED, "start_run", "experiment_id")
    assert (kind.old, kind.new, kind.position) == ("positional or keyword", "keyword-only", 1)
    # the argument position in the old signature, for a scan binding positional calls
    assert (moved.position, renamed.position, added.position) == (2, 1, None)
    assert find(upgrade, ChangeKind.PARAMETER_REMOVED, "RunInfo", "run_uuid").position == 0


def test_object_kind_change(upgrade):
    change = find(upgrade, ChangeKind.KIND_CHANGED, "entities.Thing")
    assert (change.old, change.new, change.name) == ("class", "function", None)


def test_kwargs_absorption_is_marked_unless_the_body_reads_the_name(upgrade):
    assert find(upgrade, ChangeKind.PARAMETER_REMOVED, "save", "fmt").absorbed
    assert not [c for c in upgrade if c.name == "dst"]


def test_default_names_compare_by_value(upgrade):
    # DEFAULT_TIMEOUT -> TIMEOUT_S, both 10: no default change (the constant's removal is its own record)
    assert not [c for c in upgrade if c.kind is ChangeKind.DEFAULT_CHANGED and "wait" in c.path]
    find(upgrade, ChangeKind.OBJECT_REMOVED, "DEFAULT_TIMEOUT")


def test_private_names_are_never_reported(upgrade, rollback):
    assert not [c for c in upgrade + rollback if "_private" in c.path]
    assert not [c for c in upgrade if c.name == "_internal"]  # a private parameter is not an argument users pass


def test_surface_policy_marks_internals(upgrade):
    internal = find(upgrade, ChangeKind.PARAMETER_REMOVED, "store.tracking.internal", "b")
    assert not internal.user_facing
    proto = find(upgrade, ChangeKind.OBJECT_REMOVED, "service_pb2.GetRun")
    assert not proto.user_facing
    assert find(upgrade, ChangeKind.PARAMETER_REMOVED, "MetricThreshold", "higher_is_better").user_facing


def test_surface_policy_is_configurable(releases):
    old, new = releases
    surface = Surface.from_settings(extend_exclude=["mlflow.tracking.**"])
    changes = diff_direction(old, new, surface, "upgrade")
    set_tag = find(changes, ChangeKind.DEFAULT_CHANGED, "set_tag")
    # reached as mlflow.set_tag too, which the policy still includes
    assert set_tag.user_facing
    assert not find(changes, ChangeKind.OBJECT_REMOVED, "DEFAULT_TIMEOUT").user_facing


def test_rollback_direction(rollback):
    name = find(rollback, ChangeKind.PARAMETER_REMOVED, "sklearn.log_model", "name")
    assert name.public_paths == ["mlflow.sklearn.log_model"] and name.direction == "rollback"
    required = find(rollback, ChangeKind.REQUIRED_PARAMETER_ADDED, "sklearn.log_model", "artifact_path")
    assert (required.old, required.new) == ("default None", "required")
    # code written for 2.0 that relies on **kwargs
    assert find(rollback, ChangeKind.PARAMETER_REMOVED, "tracking.save", "kwargs").old == "**kwargs"
    # the wrapper's own record, in the release that has it
    wrapper = find(rollback, ChangeKind.PARAMETER_REMOVED, "deprecated.evaluate", "model_id")
    # mlflow.models.deprecated.evaluate is covered by its module's removal: only the path that still resolves
    assert wrapper.public_paths == ["mlflow.evaluate"]
    assert find(rollback, ChangeKind.OBJECT_REMOVED, "mlflow.models.deprecated").object_kind == "module"


def test_terminal_line_escapes_source_text(upgrade):
    line = change_line(find(upgrade, ChangeKind.DEFAULT_CHANGED, "escape", "sep"))
    assert "\x1b" not in line and "\\x1b[2J" in line
