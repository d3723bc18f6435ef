"""The custom PythonModel the artifact steps log.

It lives in an importable module (not ``__main__``), so cloudpickle stores it
by reference, as it does for a model class kept in a user's package; both
environments import this module from the project root.
"""

from __future__ import annotations

import mlflow.pyfunc


class AddN(mlflow.pyfunc.PythonModel):
    """Row sums plus ``n``: enough behaviour to check a loaded model predicts the same."""

    def __init__(self, n: float = 1.0) -> None:
        self.n = n

    def predict(self, context, model_input, params=None):  # noqa: ANN001 - pyfunc protocol
        return model_input.sum(axis=1) + self.n
