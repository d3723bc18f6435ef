"""mlflow-compat: run one scenario set against many MLflow releases and diff them."""

__version__ = "0.1.0"
