"""Feature engineering for the churn model: plain pandas, no MLflow."""

from __future__ import annotations

import pandas as pd

TENURE_BUCKETS = (0, 12, 24, 48, 10_000)


def add_tenure_bucket(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with ``tenure_bucket`` (0-3) from ``tenure_months``."""
    out = frame.copy()
    out["tenure_bucket"] = pd.cut(out["tenure_months"], bins=list(TENURE_BUCKETS), labels=False, right=False)
    return out


def churn_features(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's inputs: tenure bucket, monthly charges, support calls per year."""
    out = add_tenure_bucket(frame)
    out["calls_per_year"] = out["support_calls"] / (out["tenure_months"].clip(lower=1) / 12)
    return out[["tenure_bucket", "monthly_charges", "calls_per_year"]].astype("float64")
