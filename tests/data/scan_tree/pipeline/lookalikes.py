"""Names that look like MLflow's but are not: never reported."""

import mlflow


class MetricThreshold:
    def __init__(self, threshold, higher_is_better=True):
        self.threshold = threshold
        self.higher_is_better = higher_is_better

    def flipped(self):
        return MetricThreshold(self.threshold, higher_is_better=not self.higher_is_better)


def evaluate(model, validation_thresholds=None):
    return {"model": model, "thresholds": validation_thresholds}


class Report:
    run_uuid = "local"

    def evaluate(self, validation_thresholds=None):
        return validation_thresholds

    def render(self):
        return self.evaluate(validation_thresholds={}), self.run_uuid


def local_calls():
    t = MetricThreshold(0.5, higher_is_better=False)
    report = Report()
    return t.higher_is_better, evaluate("m", validation_thresholds={}), report.run_uuid, mlflow.active_run()
