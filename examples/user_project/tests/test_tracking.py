"""Training runs as the team records them."""

import mlflow

from churn_helpers import log_training_run


def test_training_run_keeps_params_and_metrics(experiment):
    """The run id the helper returns finds the run with what was logged."""
    run_id = log_training_run({"C": 1.0, "max_iter": 500}, {"accuracy": 0.91})
    run = mlflow.get_run(run_id)
    assert run.data.params["C"] == "1.0" and run.data.metrics["accuracy"] == 0.91


def test_search_finds_runs_above_a_threshold(experiment):
    for accuracy in (0.7, 0.8, 0.9):
        log_training_run({"C": accuracy}, {"accuracy": accuracy})
    found = mlflow.search_runs(experiment_names=[experiment], filter_string="metrics.accuracy >= 0.8")
    assert sorted(found["metrics.accuracy"]) == [0.8, 0.9]


def test_offline_runs_go_to_a_local_mlruns_folder(tmp_path):
    """Laptops without a tracking server log to ./mlruns (MLflow 2.x's default store)."""
    mlflow.set_tracking_uri(str(tmp_path / "mlruns"))
    try:
        mlflow.set_experiment("offline")
        run_id = log_training_run({"C": 0.5}, {"accuracy": 0.88}, run_name="offline")
        assert mlflow.get_run(run_id).data.metrics["accuracy"] == 0.88
    finally:
        mlflow.set_tracking_uri(None)
