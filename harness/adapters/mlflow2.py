"""MLflow 2.x: models are logged under ``artifact_path``; no logged-model ids."""

from __future__ import annotations

from harness.adapters.base import Adapter, LoggedModel
from harness.scenario import Unsupported


class Mlflow2Adapter(Adapter):
    generation = "mlflow2"

    def _name_kwarg(self, name: str) -> dict[str, str]:
        # 2.x: mlflow.sklearn.log_model(sk_model, artifact_path, ...) has no
        # ``name`` parameter (sklearn/__init__.py in 2.9.2)
        return {"artifact_path": name}

    def model_id_uri(self, logged: LoggedModel) -> str:
        # 2.x ModelInfo (models/model.py, 2.9.2 through 2.22) has no model_id:
        # logged models as first-class entities arrived in 3.0
        raise Unsupported(f"mlflow {self.version} has no logged-model ids (models:/<model_id> is 3.x)")
