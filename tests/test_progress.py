"""Progress lines printed while a version's scenarios run."""

from __future__ import annotations

import io

from harness.runner.progress import Progress
from tests.factories import scenario


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run_progress(quiet: bool) -> list[str]:
    out, clock = io.StringIO(), FakeClock()
    progress = Progress(4, "mlflow-2.9.2", quiet=quiet, stream=out, clock=clock)
    progress.start("2.9.2")
    results = [
        scenario("models.sklearn.round_trip", duration_s=30.0),
        scenario("models.log.name_kwarg", "error", error={"type": "TypeError", "message": "no 'name'\nsecond line"}),
        scenario("registry.alias.uri", "unsupported", reason="no aliases before 2.3"),
        scenario("tracking.params.round_trip", duration_s=2.5),
    ]
    for index, result in enumerate(results, 1):
        clock.now += 30
        progress.done(index, result)
    progress.finish(121.0)
    return out.getvalue().splitlines()


def test_progress_prints_a_header_a_line_per_scenario_with_eta_and_counts():
    lines = run_progress(quiet=False)
    assert lines[0] == "== mlflow-2.9.2: mlflow 2.9.2, 4 scenarios"
    assert len(lines) == 6
    first = lines[1]
    assert first.startswith("[1/4] models.sklearn.round_trip ") and " pass " in first and "30.00s" in first
    assert "(30s elapsed, ~1m30s left)" in first
    # the estimate uses the scenarios' own durations: (30 + 0.1) / 2 per remaining scenario
    assert "(1m00s elapsed, ~30s left)  TypeError: no 'name'" in lines[2] and "second line" not in lines[2]
    assert "no aliases before 2.3" in lines[3]
    assert lines[4].startswith("[4/4]") and "(2m00s elapsed)" in lines[4] and "left" not in lines[4]
    # counts in status order, with the total time
    assert lines[5] == "== mlflow-2.9.2: 2 pass, 1 error, 1 unsupported in 2m01s"


def test_quiet_prints_only_what_did_not_pass_plus_the_counts():
    lines = run_progress(quiet=True)
    assert lines[0].startswith("== mlflow-2.9.2: mlflow 2.9.2")
    assert [line.split()[1] for line in lines[1:-1]] == ["models.log.name_kwarg", "registry.alias.uri"]
    assert lines[-1] == "== mlflow-2.9.2: 2 pass, 1 error, 1 unsupported in 2m01s"
