"""One real bisect: two idioms on real MLflow releases, in environments the bisect builds the way
the matrix does (``.nox/bisect-mlflow-<version>``, reused by later runs and real bisects).

Nothing here says what a release does: the test checks what any bisect must
satisfy on whatever the releases showed.
"""

from __future__ import annotations

import dataclasses


import pytest

from harness.bisect.pair import bisect_pair
from harness.bisect.releases import ReleaseRunner
from harness.config import load_config
from harness.results import bisect as results
from harness.results.runs import load_run

pytestmark = pytest.mark.mlflow

#: real final releases on the index, in order: the last 2.x line's two newest patches and 3.0's
RELEASES = ["2.22.4", "2.22.5", "3.0.0", "3.0.1"]
SCENARIOS = ["tracking.run_info.run_uuid", "evaluation.threshold.higher_is_better"]


def test_real_bisect_narrows_each_change_to_adjacent_releases(tmp_path):
    config = dataclasses.replace(load_config(env={}), results_dir=tmp_path)
    lines: list[str] = []
    runner = ReleaseRunner(config, tmp_path / "bisect", log=lines.append)  # the project's .nox
    ends = []
    for version in (RELEASES[0], RELEASES[-1]):
        probe = runner(version, SCENARIOS)
        assert probe.failure is None, probe.failure
        ends.append(load_run(tmp_path / probe.sources[0]))
    assert [run.mlflow_version for run in ends] == [RELEASES[0], RELEASES[-1]]

    result = bisect_pair(*ends, listed_releases=RELEASES, runner=runner, log=lines.append, results_base=tmp_path)

    assert result.changes, "the two ends did not differ on these idioms: nothing was bisected"
    assert result.budget["used"] <= len(RELEASES) - 2  # each release between was run at most once
    for change in result.changes:
        versions = [c.version for c in change.cells]
        assert versions[0] == RELEASES[0] and versions[-1] == RELEASES[-1]
        assert versions == sorted(versions, key=RELEASES.index)
        if change.monotonic:
            low, high = versions.index(change.last_without), versions.index(change.first_with)
            assert high == low + 1, "the boundary's two sides are adjacent among the tested releases"
            before, after = change.cells[low], change.cells[high]
            assert (before.state, after.state) == ("without", "with")
            assert before.value != after.value
            assert change.exact == all("not tested" not in u.reason for u in change.between)
        # every flip observed sits between releases with no untested installable release between them
        assert all(f.exact for f in change.flips)
        # the cells are what the real runs recorded
        for cell in change.cells[1:-1]:
            run_files = [s for t in result.tested if t.version == cell.version for s in t.sources]
            run = load_run(tmp_path / run_files[-1])
            assert run.mlflow_version == cell.version
            assert str(run.by_id()[change.scenario].status) == cell.status

    path = tmp_path / "bisect" / results.file_name(RELEASES[0], RELEASES[-1])
    results.save(result, path)
    assert results.load(path).to_dict() == result.to_dict()
    assert any(line.startswith("[bisect 1/") for line in lines)
