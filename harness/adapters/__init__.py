"""The version-adapter layer: one interface, one module per MLflow generation.

``pick_adapter()`` reads the *installed* mlflow version and returns the adapter
for its generation. Scenarios of kind ``capability`` go through the adapter so
that the same intent runs on every version; a capability a version lacks raises
``harness.scenario.Unsupported`` and the scenario is reported ``unsupported``.
"""

from __future__ import annotations

from harness.adapters.base import Adapter, LoggedModel


def pick_adapter(version: str | None = None) -> Adapter:
    """The adapter for ``version`` (default: the installed mlflow)."""
    if version is None:
        import mlflow

        version = mlflow.__version__
    major = int(version.split(".")[0])
    if major >= 3:
        from harness.adapters.mlflow3 import Mlflow3Adapter

        return Mlflow3Adapter(version)
    if major == 2:
        from harness.adapters.mlflow2 import Mlflow2Adapter

        return Mlflow2Adapter(version)
    raise ValueError(f"mlflow {version} is older than any adapter (2.x is the oldest supported)")


__all__ = ["Adapter", "LoggedModel", "pick_adapter"]
