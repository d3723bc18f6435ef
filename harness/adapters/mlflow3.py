"""MLflow 3.x: models are logged with ``name`` (``artifact_path`` is deprecated)
and get a logged-model id, loadable as ``models:/<model_id>``."""

from __future__ import annotations

from harness.adapters.base import Adapter


class Mlflow3Adapter(Adapter):
    generation = "mlflow3"

    def _name_kwarg(self, name: str) -> dict[str, str]:
        return {"name": name}
