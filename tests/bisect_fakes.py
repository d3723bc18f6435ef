"""Synthetic release histories and a fake runner for the bisect search (no MLflow)."""

from __future__ import annotations

from typing import Callable

from harness.bisect.search import Probe
from harness.results.runs import RunFile, ScenarioResult
from tests.factories import run_file, scenario

#: minor -> its patches, like MLflow's: 2.12 has no .0, 2.18 a single release
LINES = {
    (2, 9): [2], (2, 10): [0, 1, 2], (2, 11): [0, 1, 2, 3], (2, 12): [1, 2], (2, 13): [0, 1],
    (2, 14): [0, 1, 2, 3], (2, 15): [0, 1], (2, 16): [0, 1, 2], (2, 17): [0, 1, 2], (2, 18): [0],
    (2, 19): [0], (2, 20): [0, 1, 2, 3, 4], (2, 21): [0, 1, 2, 3], (2, 22): [0, 1, 2, 4, 5],
}
RELEASES = [f"{a}.{b}.{p}" for (a, b), patches in LINES.items() for p in patches]
BASELINE, CANDIDATE = RELEASES[0], RELEASES[-1]

#: scenario id -> version -> the cell on that release
History = dict[str, Callable[[str], ScenarioResult]]


def cell(sid: str, status: str = "pass", **kwargs) -> ScenarioResult:
    return scenario(sid, status, **kwargs)


def from_index(sid: str, first: str, before: ScenarioResult, after: ScenarioResult) -> Callable[[str], ScenarioResult]:
    """``before`` on releases older than ``first``, ``after`` from it on."""
    i = RELEASES.index(first)
    return lambda v: after if RELEASES.index(v) >= i else before


class FakeRunner:
    """Answers from a history; ``broken`` releases fail to install. Records every call."""

    def __init__(self, history: History, broken: dict[str, str] | None = None):
        self.history = history
        self.broken = broken or {}
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, version: str, scenario_ids: list[str]) -> Probe:
        self.calls.append((version, list(scenario_ids)))
        if version in self.broken:
            return Probe(failure=self.broken[version])
        return Probe(results={sid: self.history[sid](version) for sid in scenario_ids},
                     sources=[f"runs/mlflow-{version}.json"])

    @property
    def versions(self) -> list[str]:
        return [v for v, _ in self.calls]


def end_runs(history: History) -> tuple[RunFile, RunFile]:
    return tuple(run_file(v, [h(v) for h in history.values()]) for v in (BASELINE, CANDIDATE))
