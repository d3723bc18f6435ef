"""No mlflow import: a run passed in from elsewhere is not reported (its type is unknown here)."""


def run_id_of(run):
    return run.info.run_uuid
