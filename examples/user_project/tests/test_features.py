"""Feature engineering: no MLflow involved, the same on every version."""

import pandas as pd

from churn_helpers import add_tenure_bucket, churn_features


def test_tenure_buckets_cover_every_customer():
    frame = pd.DataFrame({"tenure_months": [0, 11, 12, 30, 71]})
    assert add_tenure_bucket(frame)["tenure_bucket"].tolist() == [0, 0, 1, 2, 3]


def test_features_are_floats_without_gaps(customers):
    features = churn_features(customers)
    assert list(features.columns) == ["tenure_bucket", "monthly_charges", "calls_per_year"]
    assert not features.isna().any().any()
