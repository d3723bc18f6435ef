"""harness.api.surface: the public-surface policy's dotted globs and defaults."""

from __future__ import annotations

import pytest

from harness.api.surface import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, Surface, glob_match


@pytest.mark.parametrize(
    "pattern, path, expected",
    [
        ("mlflow.*", "mlflow.log_metric", True),
        ("mlflow.*", "mlflow.store.tracking", False),  # one segment only
        ("mlflow.*.log_model", "mlflow.sklearn.log_model", True),
        ("mlflow.*.log_model", "mlflow.sklearn.utils.log_model", False),
        ("mlflow.store.**", "mlflow.store", True),  # ** matches no segment too
        ("mlflow.store.**", "mlflow.store.tracking.file_store.FileStore", True),
        ("**.*_pb2", "mlflow.protos.service_pb2", True),
        ("**.*_pb2", "mlflow.protos.service_pb2.GetRun", False),
        ("mlflow.models.*", "mlflow.modelsx.Model", False),
    ],
)
def test_glob_match_is_segment_aware(pattern, path, expected):
    assert glob_match(pattern, path) is expected


def test_defaults_take_the_documented_api_and_leave_internals_out():
    surface = Surface()
    for anchor in ("mlflow.log_metric", "mlflow.sklearn", "mlflow.sklearn.log_model", "mlflow.models.MetricThreshold",
                   "mlflow.entities.RunInfo", "mlflow.client.MlflowClient", "mlflow.pyfunc.PythonModel"):
        assert surface.anchor_is_user_facing(anchor), anchor
    for anchor in ("mlflow.store", "mlflow.server.handlers.get_run", "mlflow.protos.service_pb2",
                   "mlflow.utils.file_utils.chdir", "mlflow.sklearn.utils._private", "mlflow.gateway.config.Route"):
        assert not surface.anchor_is_user_facing(anchor), anchor
    assert surface.user_facing(["mlflow.store.x.Y", "mlflow.entities.Y"])


def test_settings_replace_or_extend_and_change_the_fingerprint():
    default = Surface.from_settings()
    assert (default.include, default.exclude) == (DEFAULT_INCLUDE, DEFAULT_EXCLUDE)
    extended = Surface.from_settings(extend_include=["mlflow.genai.*"], extend_exclude=["mlflow.pyfunc.*"])
    assert extended.include[-1] == "mlflow.genai.*" and extended.anchor_is_user_facing("mlflow.genai.evaluate")
    assert not extended.anchor_is_user_facing("mlflow.pyfunc.PythonModel")
    replaced = Surface.from_settings(include=["mlflow.tracking.*"], exclude=[])
    assert replaced.include == ("mlflow.tracking.*",) and replaced.exclude == ()
    assert len({default.fingerprint(), extended.fingerprint(), replaced.fingerprint()}) == 3
