"""Latin-1 bytes without a coding line: not UTF-8."""
import mlflow

NAME = "café"
mlflow.set_experiment(NAME)
