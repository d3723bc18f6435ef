"""One tracking store for the suite (sqlite, as the team's CI uses) and a small trained model."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from churn_helpers import churn_features


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory) -> str:
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


@pytest.fixture
def experiment(tracking_uri, request) -> str:
    """A fresh experiment per test, so runs never mix."""
    name = request.node.name
    mlflow.set_experiment(name)
    return name


@pytest.fixture(scope="session")
def customers() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 200
    frame = pd.DataFrame({
        "tenure_months": rng.integers(0, 72, n),
        "monthly_charges": rng.normal(70, 20, n).round(2),
        "support_calls": rng.integers(0, 10, n),
    })
    frame["churned"] = ((frame["support_calls"] > 5) | (frame["tenure_months"] < 6)).astype(int)
    return frame


@pytest.fixture(scope="session")
def model(customers):
    return LogisticRegression(max_iter=500).fit(churn_features(customers), customers["churned"])
