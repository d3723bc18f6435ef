"""The HTML report from hand-written run files: content, escaping, charts, fallbacks."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.report import html as html_report
from harness.analysis.matrix import build_matrix
from harness.results.runs import RunFile
from tests.factories import run_file, scenario, write

NASTY = "expected <class 'str'> & got <script>alert(1)</script>"


def sample_runs() -> list[RunFile]:
    """A baseline, two candidates and a version that did not install, covering every cell kind."""
    dep = {"category": "FutureWarning", "message": "`artifact_path` is deprecated <use name>"}
    base = run_file("2.9.2", [
        scenario("models.log.name_kwarg", "error", kind="idiom", error={"type": "TypeError", "message": NASTY}),
        scenario("models.log.artifact_path_kwarg", kind="idiom", replaced_by="models.log.name_kwarg",
                 observations={"model_uri_prefix": "runs:/"}),
        scenario("tracking.log_batch.perf", kind="perf", samples=[0.10, 0.11, 0.105, 0.12, 0.1]),
        scenario("tracking.search.perf", kind="perf", samples=[1.2, 1.3, 1.25]),
        scenario("registry.alias.uri", "skipped", reason="needs a registry <server>"),
    ])
    mid = run_file("3.1.4", [
        scenario("models.log.name_kwarg", kind="idiom"),
        scenario("models.log.artifact_path_kwarg", kind="idiom", warnings=[dep], replaced_by="models.log.name_kwarg",
                 observations={"model_uri_prefix": "models:/"}),
        scenario("tracking.log_batch.perf", kind="perf", samples=[0.21, 0.22, 0.2, 0.23, 0.2]),
        scenario("tracking.search.perf", kind="perf", samples=[1.2, 1.22, 1.3]),
        scenario("registry.alias.uri", "unsupported", reason="no aliases before 2.3"),
    ])
    mid.packages = {"mlflow": "3.1.4", "scikit-learn": "1.5.2", "numpy": "2.1.0"}
    new = run_file("3.17.2", [
        scenario("models.log.name_kwarg", kind="idiom"),
        scenario("models.log.artifact_path_kwarg", "fail", kind="idiom", replaced_by="models.log.name_kwarg",
                 error={"type": "AssertionError", "message": "predictions differ after load"}),
        scenario("tracking.log_batch.perf", kind="perf", samples=[0.05, 0.051, 0.049, 0.05, 0.052]),
        scenario("tracking.new_thing", "crashed", reason="killed by signal 9 (SIGKILL)"),
    ], spec="3")
    new.packages = {"mlflow": "3.17.2", "scikit-learn": "1.5.2", "numpy": "2.1.0"}
    new.skipped_releases = [{"version": "3.18.0", "reason": "error: No solution found\n  because <mlflow-skinny>"}]
    broken = run_file("9.9.9", [], spec="9.9.9", run_status="install_failed",
                      install_error="resolving...\n" * 50 + "error: no version of mlflow==9.9.9 <sic>")
    base.packages = {"mlflow": "2.9.2", "scikit-learn": "1.3.2", "numpy": "1.26.4"}
    return [base, mid, new, broken]


def sample_guidance() -> dict:
    return dict(
        rollback=[{"summary": "3.17.2: 1 regression (models.log.artifact_path_kwarg)",
                   "candidate": "3.17.2", "scenarios": ["models.log.artifact_path_kwarg"]}],
        migrations=[{"summary": "replace artifact_path= with name=", "from": "models.log.artifact_path_kwarg",
                     "code": 'mlflow.sklearn.log_model(m, name="model")  # a<b', "since": {"version": "3.0"}}],
        deprecations=[],
    )


@pytest.fixture(scope="module")
def page() -> str:
    matrix = build_matrix(sample_runs(), "2.9", 1.5)
    return html_report.render(matrix, sample_guidance())


def test_page_is_one_self_contained_document(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<style>" in page
    # nothing is fetched: no external scripts, stylesheets, images or CSS imports
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(\s*['\"]?https?:", page)


def test_every_run_value_is_escaped(page):
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;class &#x27;str&#x27;&gt; &amp; got" in page
    assert "needs a registry &lt;server&gt;" in page
    assert "&lt;use name&gt;" in page and "mlflow==9.9.9 &lt;sic&gt;" in page
    assert page.count("<script>") == 1  # only the page's own open/close-all script


def test_matrix_has_a_coloured_cell_per_version_and_detail(page):
    table = page[page.index('<table class="matrix"'):page.index("</table>", page.index('<table class="matrix"'))]
    for status in ("pass", "error", "fail", "skipped", "unsupported", "crashed"):
        assert f"st-{status}" in table
    # one <details> per present (scenario, installed version) cell
    assert table.count("<details>") == 5 + 5 + 4
    # verdicts against the baseline, coloured
    for verdict in ("fixed", "regressed", "changed", "newly_warns", "slower", "faster", "new"):
        assert f"vd-{verdict}" in table, verdict
    assert "replaced by <code>models.log.name_kwarg</code>" in table
    assert "model_uri_prefix" in table and "models:/" in table  # observations and their diff
    assert "FutureWarning" in table  # warnings in the cell detail
    assert "killed by signal 9" in table  # reasons


def test_install_failure_is_a_column_with_the_installer_tail(page):
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert "9.9.9" in head and "install failed" in head
    section = page[page.index("Versions that could not be installed"):]
    assert "last 20 of 51 lines" in section and "mlflow==9.9.9 &lt;sic&gt;" in section


def test_one_timing_chart_per_timed_scenario_with_baseline_and_ratio(page):
    timings = page[page.index("<h2>Timings"):page.index("<h2>Guidance")]
    assert timings.count("<svg") == 3  # two perf charts and the wall-time overview
    assert timings.count('<figure class="timing" id="t-') == 2
    log_batch = timings[timings.index('id="t-tracking.log_batch.perf"'):timings.index('id="t-tracking.search.perf"')]
    svg = log_batch[log_batch.index("<svg"):log_batch.index("</svg>")]
    assert "baseline" in svg
    assert "2.00x slower" in svg and "0.48x faster" in svg
    assert "3.1.4" in svg and "3.17.2" in svg and "2.9.2" in svg


def test_guidance_renders_summaries_and_other_keys_generically(page):
    section = page[page.index("<h2>Guidance"):page.index("</section>", page.index("<h2>Guidance"))]
    assert "replace artifact_path= with name=" in section
    assert "3.17.2: 1 regression" in section
    assert "<dt>since</dt>" in section and "<dt>version</dt>" in section  # nested dict, generically
    assert "# a&lt;b" in section
    assert "<h3>Deprecations</h3><p class=\"sub\">None listed.</p>" in section


def test_environment_table_shows_exact_versions_and_differences(page):
    section = page[page.index("<h2>Environments"):]
    assert "scikit-learn" in section and "1.3.2" in section and "1.5.2" in section
    assert '<td class="differs">1.5.2</td>' in section and '<td class="">1.3.2</td>' in section
    # releases a spec tried and skipped, with the installer's reason
    assert "releases tried and skipped for spec 3" in section and "mlflow 3.18.0" in section
    assert "because &lt;mlflow-skinny&gt;" in section


def test_guidance_without_the_known_keys_or_as_a_plain_dict():
    matrix = build_matrix(sample_runs()[:2], "2.9", 1.5)
    page = html_report.render(matrix, {"rollback": [], "migrations": [{"summary": "s", "extra": [1, 2]}],
                                        "deprecations": [], "future_key": [{"summary": "from the future"}]})
    assert "from the future" in page and "<code>1</code>, <code>2</code>" in page


def test_without_matplotlib_the_report_still_renders_with_one_note(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    matrix = build_matrix(sample_runs(), "2.9", 1.5)
    page = html_report.render(matrix, sample_guidance())
    assert "<svg" not in page
    assert page.count("matplotlib is not installed") == 1
    assert "median 105.0ms (n=5" in page  # the timing tables remain
    assert '<table class="matrix"' in page


def test_no_timed_scenarios_says_so():
    runs = [run_file("2.9.2", [scenario("a.b")]), run_file("3.1.4", [scenario("a.b")])]
    page = html_report.render(build_matrix(runs, "2.9", 1.5), None)
    assert "No scenario in these runs recorded timing samples" in page
    assert page.count("<svg") == 1 and 'id="wall-times"' in page  # only the wall-time overview


def test_report_command_writes_report_html(results_dir: Path, capsys):
    for run in sample_runs():
        write(results_dir / "runs", run)
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    assert "report.html" in capsys.readouterr().out
    page = (results_dir / "report.html").read_text(encoding="utf-8")
    assert '<table class="matrix"' in page and page.count("<svg") == 3
