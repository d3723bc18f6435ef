"""The API section: counts from the diff, covering scenarios observed from the scenario modules' own code."""

from __future__ import annotations

import json
import shutil
import textwrap

from harness.cli import main
from tests.factories import run_file, scenario, write
from tests.scan_support import DIFF_FILE


def test_report_shows_the_api_diff_with_the_scenarios_that_cover_it(results_dir, tmp_path, capsys):
    (results_dir / "api").mkdir()
    shutil.copy(DIFF_FILE, results_dir / "api" / DIFF_FILE.name)
    ids = ("team.threshold.old", "team.unrelated")
    write(results_dir / "runs", run_file("2.9.2", [scenario(ids[0]), scenario(ids[1])], spec="2.9"))
    write(results_dir / "runs", run_file("3.17.2", [scenario(ids[0], "error"), scenario(ids[1])], spec="3"))
    scenarios = tmp_path / "team_scenarios"
    scenarios.mkdir()
    (scenarios / "thresholds.py").write_text(textwrap.dedent('''
        from harness.scenario import scenario
        from mlflow.models import MetricThreshold as MT

        @scenario(id="team.threshold.old", area="team", kind="idiom", code="MT(higher_is_better=True)")
        def old(ctx):
            MT(threshold=0.5, higher_is_better=True)

        @scenario(id="team.unrelated", area="team", kind="idiom", code="x")
        def unrelated(ctx):
            higher_is_better = True  # a name, not a call into mlflow
    '''))
    config = tmp_path / "pyproject.toml"
    config.write_text(f'[tool.mlflow-compat]\nversions = ["2.9", "3"]\nscenario_paths = ["{scenarios}"]\n')
    assert main(["report", "--config", str(config), "--results-dir", str(results_dir), "-q"]) == 0
    out = capsys.readouterr().out
    assert "API 2.9.2 -> 3.17.2:" in out and "user-facing breaking changes" in out
    data = json.loads((results_dir / "matrix.json").read_text())
    (section,) = data["api"]
    assert (section["baseline"], section["candidate"]) == ("2.9.2", "3.17.2")
    upgrade = section["changes"]["upgrade"]
    by_name = {c["name"]: c["covered_by"] for c in upgrade}
    # the user's scenario covers what its own body calls (the shipped scenarios count too), nothing else
    assert "team.threshold.old" in by_name["higher_is_better"]
    assert "evaluation.threshold.higher_is_better" in by_name["higher_is_better"]
    assert not any("team.unrelated" in ids for ids in by_name.values())
    assert all("team.threshold.old" not in ids for name, ids in by_name.items() if name != "higher_is_better")
    assert upgrade[0]["covered_by"]  # covered changes first
    assert section["totals"]["upgrade"]["user_facing"] == len(upgrade)
    md = (results_dir / "matrix.md").read_text()
    assert "## API changes" in md and "`team.threshold.old`: pass on 2.9.2, error on 3.17.2" in md
    assert 'id="sec-api"' in (results_dir / "report.html").read_text()


def test_no_api_files_no_section(results_dir, capsys):
    write(results_dir / "runs", run_file("2.9.2", [scenario("a.x")]))
    assert main(["report", "--results-dir", str(results_dir), "-q"]) == 0
    assert json.loads((results_dir / "matrix.json").read_text())["api"] == []
    assert "## API changes" not in (results_dir / "matrix.md").read_text()
