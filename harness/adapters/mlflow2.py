"""MLflow 2.x: models are logged under ``artifact_path``; no logged-model ids."""

from __future__ import annotations

from harness.adapters.base import Adapter


class Mlflow2Adapter(Adapter):
    generation = "mlflow2"

    def _name_kwarg(self, name: str) -> dict[str, str]:
        return {"artifact_path": name}
