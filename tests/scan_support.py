"""Hand-written inputs for the scan's tests: the sample API diff (its shape
mirrors real records; it claims nothing about MLflow) and run files whose
cells and warnings the tests choose."""

from __future__ import annotations

import shutil
from pathlib import Path

from harness.results.api import ApiChange, ApiDiff, load
from tests.factories import run_file, scenario, write

DATA = Path(__file__).resolve().parent / "data"
TREE = DATA / "scan_tree"
DIFF_FILE = DATA / "scan_api" / "2.9.2__3.17.2.json"

ARTIFACT_PATH_WARNING = {"category": "WARNING", "message": "`artifact_path` is deprecated. Please use `name` instead.",
                         "source": "logging", "where": "mlflow.models.model", "count": 1}
STAGE_WARNING = {"category": "FutureWarning", "source": "warnings", "where": "registry.py:83", "count": 1,
                 "message": "``mlflow.tracking.client.MlflowClient.transition_model_version_stage`` is deprecated "
                            "since 2.9.0. Model registry stages will be removed in a future major release."}


def sample_diff() -> ApiDiff:
    return load(DIFF_FILE)


def change(kind: str, path: str, name: str | None = None, *, direction: str = "upgrade", old=None, new=None,
           public: tuple[str, ...] = (), message: str = "", user_facing: bool = True) -> ApiChange:
    return ApiChange(kind=kind, direction=direction, path=path, name=name, old=old, new=new, file=None, line=None,
                     public_paths=[path, *public], user_facing=user_facing, message=message)


def diff_of(*changes: ApiChange, baseline: str = "2.9.2", candidate: str = "3.17.2") -> ApiDiff:
    return ApiDiff(baseline=baseline, candidate=candidate, created_at="2026-11-28T00:00:00Z", changes=list(changes))


def _idioms(version: str) -> list:
    """The idiom cells of one version: 2.9.2 (the baseline) or 3.17.2."""
    new = version == "3.17.2"

    def cell(sid: str, status: str, **kw):
        return scenario(sid, status, kind="idiom", **kw)

    return [
        cell("tracking.run_info.run_uuid", "error" if new else "pass", replaced_by="tracking.run_info.run_id",
             code="run.info.run_uuid",
             error={"type": "AttributeError", "message": "'RunInfo' object has no attribute 'run_uuid'"} if new else None),
        cell("tracking.run_info.run_id", "pass", code="run.info.run_id"),
        cell("evaluation.threshold.higher_is_better", "error" if new else "pass",
             replaced_by="evaluation.threshold.greater_is_better", code="MetricThreshold(threshold=0.8, higher_is_better=True)",
             error={"type": "TypeError", "message": "MetricThreshold.__init__() got an unexpected keyword argument "
                                                    "'higher_is_better'"} if new else None),
        cell("evaluation.threshold.greater_is_better", "pass", code="MetricThreshold(threshold=0.8, greater_is_better=True)"),
        cell("models.log.artifact_path_kwarg", "pass", replaced_by="models.log.name_kwarg",
             code='mlflow.sklearn.log_model(sk_model=m, artifact_path="model")',
             warnings=[ARTIFACT_PATH_WARNING] if new else []),
        cell("models.log.artifact_path_positional", "pass", replaced_by="models.log.name_kwarg",
             code='mlflow.sklearn.log_model(m, "model")', warnings=[ARTIFACT_PATH_WARNING] if new else []),
        cell("models.log.name_kwarg", "pass" if new else "error", code='mlflow.sklearn.log_model(sk_model=m, name="model")',
             error=None if new else {"type": "TypeError", "message": "log_model() got an unexpected keyword argument 'name'"}),
        cell("registry.stage.transition", "pass", replaced_by="registry.alias.set_get_load",
             code='client.transition_model_version_stage(name, v, "Staging")', warnings=[STAGE_WARNING]),
    ]


def write_runs(runs_dir: Path) -> list[Path]:
    """Run files for 2.9.2 and 3.17.2 with the cells the sample tree's evidence refers to."""
    return [write(runs_dir, run_file(version, _idioms(version))) for version in ("2.9.2", "3.17.2")]


def results_with_diff(root: Path) -> Path:
    """A results directory holding the sample diff in api/ and run files in runs/."""
    (root / "api").mkdir(parents=True, exist_ok=True)
    shutil.copy(DIFF_FILE, root / "api" / DIFF_FILE.name)
    write_runs(root / "runs")
    return root
