"""Two hand-written, tiny "releases" of a fake ``mlflow`` package for the API diff's tests.

They exercise the harness's logic (every change kind, re-exports, a
``functools.wraps`` wrapper, the surface policy), not MLflow's behaviour: each
change below is written on purpose, and the tests assert the diff finds it.
"""

from __future__ import annotations

import json
from pathlib import Path

ESC = "\x1b"

OLD: dict[str, str] = {
    "mlflow/__init__.py": '''
from mlflow.models import MetricThreshold, evaluate
from mlflow.tracking import log_metric, set_tag, start_run, log_param, log_batch, dropped_export, removed_fn
from mlflow.tracking import save, load, wait
__all__ = ["MetricThreshold", "evaluate", "log_metric", "set_tag", "start_run", "log_param",
           "log_batch", "dropped_export", "removed_fn", "save", "load", "wait"]
''',
    "mlflow/models/__init__.py": '''
from mlflow.models.validation import MetricThreshold
from mlflow.models.evaluation import evaluate
__all__ = ["MetricThreshold", "evaluate"]
''',
    "mlflow/models/validation.py": '''
class MetricThreshold:
    def __init__(self, threshold=None, greater_is_better=None, higher_is_better=None):
        self._threshold = threshold

    @property
    def higher_is_better(self):
        return None

    @property
    def threshold(self):
        return self._threshold
''',
    "mlflow/models/evaluation.py": '''
def evaluate(model=None, data=None, *, validation_thresholds=None, env_manager="local", _internal=False):
    return None
''',
    "mlflow/tracking.py": f'''
DEFAULT_TIMEOUT = 10


def log_metric(key, value, step=None):
    pass


def set_tag(key, value, synchronous=True):
    pass


def start_run(run_id=None, experiment_id=None):
    pass


def log_param(key, val):
    pass


def log_batch(metrics=None):
    pass


def dropped_export():
    pass


def removed_fn():
    pass


def save(path, fmt=None):
    pass


def load(path, dst=None):
    pass


def wait(timeout=DEFAULT_TIMEOUT):
    pass


def escape(sep="{ESC}[2J"):
    pass
''',
    "mlflow/entities.py": '''
class RunInfo:
    def __init__(self, run_uuid=None, run_id=None):
        self._run_id = run_id or run_uuid

    @property
    def run_uuid(self):
        return self._run_id

    @property
    def run_id(self):
        return self._run_id


class Thing:
    pass
''',
    "mlflow/sklearn/__init__.py": '''
def log_model(sk_model, artifact_path):
    pass
''',
    "mlflow/gone/__init__.py": '''
def gone_function(x):
    pass
''',
    "mlflow/gone/sub.py": '''
def deeper(y):
    pass
''',
    "mlflow/store/__init__.py": "",
    "mlflow/protos/__init__.py": "",
    "mlflow/store/tracking.py": '''
def internal(a, b):
    pass
''',
    "mlflow/protos/service_pb2.py": '''
GetRun = object()
''',
    "mlflow/_private.py": '''
def hidden(a):
    pass
''',
}

NEW: dict[str, str] = {
    "mlflow/__init__.py": '''
from mlflow.models import MetricThreshold
from mlflow.models.deprecated import evaluate
from mlflow.tracking import log_metric, set_tag, start_run, log_param, log_batch
from mlflow.tracking import save, load, wait
__all__ = ["MetricThreshold", "evaluate", "log_metric", "set_tag", "start_run", "log_param",
           "log_batch", "save", "load", "wait"]
''',
    "mlflow/models/__init__.py": '''
from mlflow.models.validation import MetricThreshold
from mlflow.models.evaluation import evaluate
__all__ = ["MetricThreshold", "evaluate"]
''',
    "mlflow/models/deprecated.py": '''
import functools
import warnings

from mlflow.models.evaluation import evaluate as model_evaluate


@functools.wraps(model_evaluate)
def evaluate(*args, **kwargs):
    warnings.warn("use mlflow.models.evaluate", FutureWarning)
    return model_evaluate(*args, **kwargs)
''',
    "mlflow/models/validation.py": '''
from dataclasses import dataclass


@dataclass
class MetricThreshold:
    threshold: float | None = None
    greater_is_better: bool | None = None
''',
    "mlflow/models/evaluation.py": '''
def evaluate(model=None, data=None, *, env_manager="local", model_id=None):
    return None
''',
    "mlflow/tracking.py": '''
TIMEOUT_S = 10


def log_metric(key, value, timestamp=None, step=None):
    pass


def set_tag(key, value, synchronous=None):
    pass


def start_run(run_id=None, *, experiment_id=None):
    pass


def log_param(key, value):
    pass


def log_batch(metrics=None, *, run_id):
    pass


def dropped_export():
    pass


def save(path, **kwargs):
    pass


def load(path, **kwargs):
    dst = kwargs.get("dst")
    return dst


def wait(timeout=TIMEOUT_S):
    pass


def escape(sep=None):
    pass
''',
    "mlflow/entities.py": '''
class RunInfo:
    def __init__(self, run_id=None):
        self._run_id = run_id

    @property
    def run_id(self):
        return self._run_id


def Thing():
    return None
''',
    "mlflow/sklearn/__init__.py": '''
def log_model(sk_model, artifact_path=None, name=None):
    pass
''',
    "mlflow/store/__init__.py": "",
    "mlflow/protos/__init__.py": "",
    "mlflow/store/tracking.py": '''
def internal(a):
    pass
''',
    "mlflow/protos/service_pb2.py": '''
''',
    "mlflow/_private.py": '''
def hidden():
    pass
''',
}


def write_release(root: Path, files: dict[str, str], version: str, *, manifest: bool = False) -> Path:
    """Write a release tree at ``root`` the way a --no-deps install lays it out."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
    info = root / f"mlflow-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: mlflow\nVersion: {version}\n")
    (info / "RECORD").write_text("".join(f"{name},,\n" for name in files))
    if manifest:
        (root / ".mlflow-compat-source.json").write_text(json.dumps({"version": version, "distributions": {"mlflow": len(files)}}))
    return root
