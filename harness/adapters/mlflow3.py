"""MLflow 3.x: models are logged with ``name`` (``artifact_path`` is deprecated)
and get a logged-model id, loadable as ``models:/<model_id>``."""

from __future__ import annotations

from harness.adapters.base import Adapter


class Mlflow3Adapter(Adapter):
    generation = "mlflow3"

    def _name_kwarg(self, name: str) -> dict[str, str]:
        # 3.x: log_model(sk_model, artifact_path=None, ..., name=None, ...) and
        # ModelInfo.model_id (sklearn/__init__.py, models/model.py in 3.17.2);
        # artifact_path only logs a deprecation warning
        return {"name": name}
