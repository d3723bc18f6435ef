"""The API diff on the real releases 2.9.2 and 3.17.2 (slow: their sources are read from the
test environments when they exist, else installed --no-deps into the harness's source cache)."""

from __future__ import annotations

import pytest

pytest.importorskip("griffe")

from harness.api.produce import Producer  # noqa: E402
from harness.api.surface import Surface  # noqa: E402
from harness.config import load_config  # noqa: E402
from harness.results.api import ChangeKind  # noqa: E402
from tests.mlflow_envs import ENVS  # noqa: E402

pytestmark = pytest.mark.mlflow


@pytest.fixture(scope="module")
def diff(tmp_path_factory):
    config = load_config(env={})
    producer = Producer(tmp_path_factory.mktemp("api"), config.api_source_cache, Surface(), env_dirs=[ENVS])
    made, cached = producer.produce("2.9.2", "3.17.2")
    assert not cached
    return made


def one(changes, kind, path_end, name=None):
    found = [c for c in changes if c.kind is kind and c.path.endswith(path_end) and c.name == name]
    assert len(found) == 1, [c.message for c in changes if path_end.split(".")[-1] in c.path]
    assert found[0].user_facing
    return found[0]


def test_upgrade_2_9_2_to_3_17_2(diff):
    upgrade = diff.direction("upgrade")
    threshold = one(upgrade, ChangeKind.PARAMETER_REMOVED, "MetricThreshold.__init__", "higher_is_better")
    assert "mlflow.models.MetricThreshold" in threshold.public_paths
    assert threshold.file == "mlflow/models/evaluation/validation.py"
    run_uuid = one(upgrade, ChangeKind.OBJECT_REMOVED, "RunInfo.run_uuid")
    assert "mlflow.entities.RunInfo.run_uuid" in run_uuid.public_paths and run_uuid.object_kind == "property"
    # 3.17.2's mlflow.evaluate is `@functools.wraps(model_evaluate) def evaluate(*args, **kwargs)`
    thresholds = one(upgrade, ChangeKind.PARAMETER_REMOVED, ".evaluate", "validation_thresholds")
    assert "mlflow.evaluate" in thresholds.public_paths
    assert thresholds.via == "mlflow.models.evaluation.base.evaluate" and not thresholds.absorbed


def test_rollback_3_17_2_to_2_9_2(diff):
    name = one(diff.direction("rollback"), ChangeKind.PARAMETER_REMOVED, "mlflow.sklearn.log_model", "name")
    assert name.public_paths == ["mlflow.sklearn.log_model"] and name.file == "mlflow/sklearn/__init__.py"
