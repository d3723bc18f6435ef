"""A file that does not parse."""

import mlflow

def broken(:
    mlflow.start_run()
