"""Promotion in the model registry, the way the team's release process does it (stages)."""

from __future__ import annotations

from mlflow.tracking import MlflowClient


def promote(name: str, version: str | int, stage: str = "Staging") -> str:
    """Move a registered version to ``stage``; the stage it reports afterwards."""
    client = MlflowClient()
    client.transition_model_version_stage(name, str(version), stage)
    return client.get_model_version(name, str(version)).current_stage
