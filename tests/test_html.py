"""The HTML report (harness.report.html) from hand-written run and cross files:
content, the guidance records, the cross-version section, escaping of hostile
result files, charts and fallbacks."""

from __future__ import annotations

import re
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.analysis.inputs import Inputs
from harness.analysis.model import Analysis, analyse
from harness.analysis.policy import GatePolicy
from harness.cli import main
from harness.report import html as html_report
from harness.results import cross as cross_results
from harness.results.cross import CrossResult, Side, StepResult
from harness.results.runs import RunFile
from tests.factories import run_file, scenario, write

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "harness" / "report"
NASTY = "expected <class 'str'> & got <script>alert(1)</script>"


def sample_runs() -> list[RunFile]:
    """A baseline, two candidates and a version that did not install, covering every cell kind."""
    dep = {"category": "FutureWarning", "message": "`artifact_path` is deprecated <use name>",
           "origin": "scenario", "frame": {"filename": "scenarios/models.py", "lineno": 42, "function": "kwarg"}}
    lib = {"category": "LegacyAPIWarning", "message": "Query.get() is legacy", "count": 3, "source": "warnings",
           "where": "sqlalchemy_store.py:1857", "origin": "library:sqlalchemy"}
    old_code = 'mlflow.sklearn.log_model(m, artifact_path="model")  # a<b'
    new_code = 'mlflow.sklearn.log_model(m, name="model")'
    base = run_file("2.9.2", [
        scenario("models.log.name_kwarg", "error", kind="idiom", code=new_code,
                 error={"type": "TypeError", "message": NASTY}),
        scenario("models.log.artifact_path_kwarg", kind="idiom", replaced_by="models.log.name_kwarg", code=old_code,
                 observations={"model_uri_prefix": "runs:/"}),
        scenario("tracking.log_batch.perf", kind="perf", samples=[0.10, 0.11, 0.105, 0.12, 0.1]),
        scenario("tracking.search.perf", kind="perf", samples=[1.2, 1.3, 1.25]),
        scenario("registry.alias.uri", "skipped", reason="needs a registry <server>"),
    ])
    mid = run_file("3.1.4", [
        scenario("models.log.name_kwarg", kind="idiom", code=new_code),
        scenario("models.log.artifact_path_kwarg", kind="idiom", warnings=[dep, lib], code=old_code,
                 replaced_by="models.log.name_kwarg", observations={"model_uri_prefix": "models:/"}),
        scenario("tracking.log_batch.perf", kind="perf", samples=[0.21, 0.22, 0.2, 0.23, 0.2]),
        scenario("tracking.search.perf", kind="perf", samples=[1.2, 1.22, 1.3]),
        scenario("registry.alias.uri", "unsupported", reason="no aliases before 2.3"),
    ])
    mid.packages = {"mlflow": "3.1.4", "scikit-learn": "1.5.2", "numpy": "2.1.0"}
    new = run_file("3.17.2", [
        scenario("models.log.name_kwarg", kind="idiom", code=new_code),
        scenario("models.log.artifact_path_kwarg", "fail", kind="idiom", replaced_by="models.log.name_kwarg",
                 code=old_code, error={"type": "AssertionError", "message": "predictions differ after load"}),
        scenario("tracking.log_batch.perf", kind="perf", samples=[0.05, 0.051, 0.049, 0.05, 0.052]),
        scenario("tracking.new_thing", "crashed", reason="killed by signal 9 (SIGKILL)"),
    ], spec="3")
    new.packages = {"mlflow": "3.17.2", "scikit-learn": "1.5.2", "numpy": "2.1.0"}
    new.skipped_releases = [{"version": "3.18.0", "reason": "error: No solution found\n  because <mlflow-skinny>"}]
    new.install = {"companions": "release", "exclude_newer": "2026-11-01", "pins": ["sqlalchemy<2.1"]}
    broken = run_file("9.9.9", [], spec="9.9.9", run_status="install_failed",
                      install_error="resolving...\n" * 50 + "error: no version of mlflow==9.9.9 <sic>")
    base.packages = {"mlflow": "2.9.2", "scikit-learn": "1.3.2", "numpy": "1.26.4"}
    return [base, mid, new, broken]


def _step(sid: str, frm: str, to: str, status: str = "pass", **obs) -> StepResult:
    error = None if status == "pass" else {"type": "MlflowException", "message": f"{sid} broke <b>"}
    return StepResult(sid, sid.split(".")[0], frm, to, status, 0.5, error, dict(obs))


def sample_cross() -> CrossResult:
    """2.9.2 <-> 3.17.2: the new client fails against the old server, a model does not load back,
    the database is migrated in place and the baseline cannot open it afterwards."""
    steps = []
    for server, client in (("baseline", "baseline"), ("candidate", "candidate"), ("candidate", "baseline"),
                           ("baseline", "candidate")):
        steps.append(_step("server.tracking", server, client))
        bad = (server, client) == ("baseline", "candidate")
        steps.append(_step("server.registry", server, client, "error" if bad else "pass",
                           **({"failed_op": "log_model"} if bad else {})))
    steps += [
        _step("artifacts.sklearn_default.log", "candidate", "candidate", serialization_format="skops"),
        _step("artifacts.sklearn_default.load", "candidate", "candidate"),
        _step("artifacts.sklearn_default.load", "candidate", "baseline", "error"),
        _step("artifacts.sklearn_default.load", "baseline", "candidate"),
        _step("artifacts.sklearn_default.load", "baseline", "baseline"),
        _step("db.fill", "baseline", "baseline"),
        _step("db.open_without_upgrade", "baseline", "candidate", schema_revision_before="a1",
              schema_revision_after="b2"),
        _step("db.baseline_opens_upgraded", "candidate", "baseline", "error"),
        _step("filestore.read", "baseline", "candidate", runs=3),
    ]
    return CrossResult(Side("2.9", "2.9.2"), Side("3", "3.17.2"), "2026-11-27T03:00:00Z", 10.0, steps)


def sample_analysis(runs: list[RunFile] | None = None, cross: list[CrossResult] | None = None,
                    policy: GatePolicy | None = None) -> Analysis:
    return analyse(Inputs(runs if runs is not None else sample_runs(), cross=list(cross or [])),
                   policy or GatePolicy(), "2.9")


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    return sample_analysis(cross=[sample_cross()])


@pytest.fixture(scope="module")
def page(analysis) -> str:
    return html_report.render(analysis)


def section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}")
    end = page.find("<section", start)
    return page[start:end if end != -1 else len(page)]


class Elements(HTMLParser):
    """Every start tag with its attributes, the text, and what each <script> holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def visible(self) -> str:
        """Text and attribute values as a browser decodes them."""
        attrs = [v for _, a in self.tags for v in a.values() if v]
        return "\n".join(self.text + attrs)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


#: every element the page's templates and matplotlib's SVG may produce
OUR_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p", "strong", "b", "nav",
    "a", "section", "div", "span", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "details", "summary",
    "pre", "code", "br", "dl", "dt", "dd", "figure", "figcaption", "script", "button",
    "svg", "g", "defs", "path", "clippath", "use", "text", "style", "rect", "line", "polyline", "polygon", "circle",
}


def assert_only_our_markup(page: str) -> Elements:
    """No element, attribute or script the templates did not write; every link stays in the page."""
    found = parse(page)
    assert {tag for tag, _ in found.tags} <= OUR_TAGS
    handlers = [(tag, name) for tag, attrs in found.tags for name in attrs if name.lower().startswith("on")]
    assert handlers == []
    hrefs = [v for _, attrs in found.tags for k, v in attrs.items() if k in ("href", "xlink:href")]
    assert all(h.startswith("#") for h in hrefs), [h for h in hrefs if not h.startswith("#")]
    assert [s.strip() for s in found.scripts] == [(PACKAGE / "static" / "report.js").read_text().strip()]
    return found


# -- the page as a file ---------------------------------------------------
def test_page_is_one_self_contained_document(page):
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # nothing is fetched: no external scripts, stylesheets, images or CSS imports
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(\s*['\"]?https?:", page)
    # the stylesheet and the script are the package files, included verbatim
    assert (PACKAGE / "static" / "report.css").read_text() in page
    assert (PACKAGE / "static" / "report.js").read_text() in page


def test_only_our_own_markup_and_every_run_value_is_text(page):
    found = assert_only_our_markup(page)
    assert "could not be rendered" not in page  # every view worked
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and NASTY in found.visible()
    assert "&lt;class &#39;str&#39;&gt; &amp; got" in page
    assert "needs a registry &lt;server&gt;" in page
    assert "&lt;use name&gt;" in page and "mlflow==9.9.9 &lt;sic&gt;" in page


def test_templates_and_static_files_ship_in_the_package():
    """pip install of the project must render reports: every file is matched by package-data."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["harness.report"]
    files = [p.relative_to(PACKAGE).as_posix() for d in ("templates", "static") for p in (PACKAGE / d).iterdir()]
    assert files and all(any(Path(f).match(glob) for glob in data) for f in files), (files, data)
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("jinja2") for d in deps)


# -- sections -------------------------------------------------------------
def test_matrix_has_a_coloured_cell_per_version_and_detail(page):
    table = section(page, "Matrix")
    for status in ("pass", "error", "fail", "skipped", "unsupported", "crashed"):
        assert f"st-{status}" in table
    # one cell with a detail block per present (scenario, installed version)
    assert table.count('<td class="cell st-') == 5 + 5 + 4
    for verdict in ("fixed", "regressed", "changed", "newly_warns", "slower", "faster", "new"):
        assert f"vd-{verdict}" in table, verdict
    assert 'replaced by <a href="#s-models.log.name_kwarg"><code>models.log.name_kwarg</code></a>' in table
    assert 'id="s-models.log.name_kwarg"' in table
    assert "model_uri_prefix" in table and "models:/" in table  # observations and their diff
    assert "killed by signal 9" in table  # reasons


def test_cell_chips_put_the_primary_verdict_first(page):
    row = page[page.index('<tr id="s-models.log.artifact_path_kwarg">'):]
    row = row[:row.index("</tr>")]
    mid = row.split('<td class="cell')[2]  # 3.1.4: a new deprecation and a changed observation
    assert mid.index("vd-newly_warns") < mid.index("vd-changed")


def test_warnings_show_their_origin_and_frame_when_recorded(page):
    row = page[page.index('<tr id="s-models.log.artifact_path_kwarg">'):]
    mid = row[:row.index("</tr>")].split('<td class="cell')[2]
    assert '<span class="origin org-scenario"' in mid and "scenarios/models.py:42 in kwarg" in mid
    assert '<span class="origin org-library"' in mid and "library:sqlalchemy" in mid
    assert "&times;3" in mid and "sqlalchemy_store.py:1857" in mid
    # a warning without origin fields still renders (the real 2026-11 run files have none)
    plain = sample_analysis([run_file("2.9.2", [scenario("a.b", warnings=[{"category": "UserWarning",
                                                                            "message": "m"}])])])
    assert "<b>UserWarning</b>: m" in html_report.render(plain)


def test_install_failure_is_a_column_with_the_installer_tail(page):
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert "9.9.9" in head and "install failed" in head
    text = section(page, "Versions that could not be installed")
    assert "last 20 of 51 lines" in text and "mlflow==9.9.9 &lt;sic&gt;" in text


def test_summary_cards_follow_the_gate_policy(page):
    cards = section(page, "Summary")
    assert cards.count('<div class="card bad">') == 3  # two breaking candidates and the install failure
    assert "1 breaking under the gate policy; newest safe: 2.9.2 (mlflow&gt;=2.9,&lt;3.1)" in cards
    assert '<a class="card-link" href="#d-mlflow-3.17.2">' in cards and 'id="d-mlflow-3.17.2"' in page
    allow = {"models.log.artifact_path_kwarg": "known <flaky>", "registry.alias.*": "aliases differ"}
    relaxed = html_report.render(sample_analysis(policy=GatePolicy(allow=allow)))
    cards = section(relaxed, "Summary")
    assert "breaking under the gate policy" not in cards and cards.count("within the gate policy") == 2
    assert '<div class="card attn">' in cards  # still slower, newly warns, changed
    assert "allowlisted by the gate policy: known &lt;flaky&gt;" in relaxed
    assert "No candidate has breaking changes against the baseline." in relaxed


def test_one_timing_chart_per_timed_scenario_with_baseline_and_ratio(page):
    timings = section(page, "Timings")
    assert timings.count("<svg") == 3  # two perf charts and the wall-time overview
    assert timings.count('<figure class="timing" id="t-') == 2
    log_batch = timings[timings.index('id="t-tracking.log_batch.perf"'):timings.index('id="t-tracking.search.perf"')]
    svg = log_batch[log_batch.index("<svg"):log_batch.index("</svg>")]
    assert "baseline" in svg
    assert "2.00x slower" in svg and "0.48x faster" in svg
    assert "3.1.4" in svg and "3.17.2" in svg and "2.9.2" in svg


def test_rollback_from_the_record_with_its_pins_and_forcing_scenarios(page, analysis):
    rollback = analysis.guidance.rollback_for("mlflow-3.17.2")
    text = section(page, "Guidance")
    assert text.count('<div class="block bad">') == len(analysis.guidance.rollback) == 2
    block = text[text.index(rollback.summary.replace("<", "&lt;").replace(">", "&gt;")):]
    block = block[:block.index("</div>\n</div>")]
    assert "stay on the baseline <b>2.9.2</b>" in block
    assert "mlflow&gt;=2.9,&lt;3.1\npip install &#34;mlflow&gt;=2.9,&lt;3.1&#34;" in block
    forced = block[block.index("forced by"):]
    assert '<a href="#s-models.log.artifact_path_kwarg">' in forced and "vd-regressed" in forced
    assert "predictions differ after load" in forced


def test_migration_as_a_diff_with_when_to_change(page, analysis):
    [migration] = analysis.guidance.migrations
    assert migration.timing == "with_bump"  # the replacement errors on the baseline
    text = section(page, "Guidance")
    hint = text[text.index("<h3>Migration hints"):text.index("<h3>Deprecations")]
    assert '<span class="tag bump">change it with the bump</span>' in hint
    assert ('<span class="del">- mlflow.sklearn.log_model(m, artifact_path=&#34;model&#34;)  # a&lt;b</span>'
            '<span class="add">+ mlflow.sklearn.log_model(m, name=&#34;model&#34;)</span>') in hint
    assert "now on <b>3.1.4</b>: the old form warns" in hint and "3.17.2" in hint
    assert "the replacement on the baseline: <b>error</b>" in hint


def test_deprecations_say_new_or_also_on_the_baseline_and_link_their_scenarios(page):
    text = section(page, "Guidance")
    deps = text[text.index("<h3>Deprecations"):]
    assert "new since the baseline" in deps and "<b>FutureWarning</b>: `artifact_path` is deprecated &lt;use name&gt;" in deps
    assert '<a href="#s-models.log.artifact_path_kwarg">' in deps


def test_cross_version_results_show_the_grid_artifacts_database_and_advice(page, analysis):
    text = section(page, "Cross-version results")
    assert '<div class="block" id="x-2.9.2__3.17.2">' in text
    grid = text[text.index("Client &times; server"):text.index("Models across versions")]
    assert "<tr><th>client 2.9.2</th>" in grid and "<tr><th>client 3.17.2</th>" in grid
    assert "<th>server 2.9.2</th><th>server 3.17.2</th>" in grid
    assert "error (at log_model: MlflowException)" in grid and "server.registry broke &lt;b&gt;" in grid
    models = text[text.index("Models across versions"):text.index("Tracking database")]
    assert "3.17.2 → 2.9.2" in models and "skops" in models
    db = text[text.index("Tracking database"):]
    assert "a1 → b2" in db and "baseline opens the upgraded store (rollback)" in db
    assert "filestore.read" in text and "Other steps" in text  # a step group without a table of its own
    advice = [a.summary for a in analysis.guidance.cross]
    assert advice and all(a in parse(text).visible() for a in advice)
    # guidance links each piece of advice to its pair's block
    assert '<a href="#x-2.9.2__3.17.2">2.9.2 ↔ 3.17.2</a>' in section(page, "Guidance")


def test_environment_table_shows_exact_versions_and_differences(page):
    text = section(page, "Environments")
    assert "scikit-learn" in text and "1.3.2" in text and "1.5.2" in text
    assert '<td class="differs">1.5.2</td>' in text and '<td class="">1.3.2</td>' in text
    assert "how it was installed" in text and "sqlalchemy&lt;2.1" in text and "2026-11-01" in text
    # releases a spec tried and skipped, with the installer's reason
    assert "releases tried and skipped for spec 3" in text and "mlflow 3.18.0" in text
    assert "because &lt;mlflow-skinny&gt;" in text


def test_without_matplotlib_the_report_still_renders_with_one_note(monkeypatch, analysis):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    page = html_report.render(analysis)
    assert "<svg" not in page
    assert page.count("matplotlib is not installed") == 1
    assert "median 105.0ms (n=5" in page  # the timing tables remain
    assert '<table class="matrix"' in page


def test_no_timed_scenarios_says_so():
    runs = [run_file("2.9.2", [scenario("a.b")]), run_file("3.1.4", [scenario("a.b")])]
    page = html_report.render(sample_analysis(runs))
    assert "No scenario in these runs recorded timing samples" in page
    assert page.count("<svg") == 1 and 'id="wall-times"' in page  # only the wall-time overview


def test_a_failing_view_costs_its_section_not_the_page(analysis):
    def broken(_):
        raise KeyError("<oops>")

    sections = tuple(html_report.Section(s.name, broken if s.name == "guidance" else s.view, s.title)
                     for s in html_report.SECTIONS)
    page = html_report.render(analysis, sections)
    assert "The guidance section could not be rendered: KeyError: &#39;&lt;oops&gt;&#39;" in page
    assert '<table class="matrix"' in page and "<h2>Environments" in page


def test_report_command_writes_report_html(results_dir: Path, capsys):
    for run in sample_runs():
        write(results_dir / "runs", run)
    cross_results.save(sample_cross(), results_dir / "cross" / cross_results.file_name("2.9.2", "3.17.2"))
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    assert "report.html" in capsys.readouterr().out
    page = (results_dir / "report.html").read_text(encoding="utf-8")
    assert '<table class="matrix"' in page and page.count("<svg") == 3
    assert "<h2>Cross-version results" in page


# -- hostile result files -------------------------------------------------
def hostile(field: str) -> str:
    """A value that is live markup, breaks tables and quoting, and carries control characters."""
    return (f'<script>alert("{field}")</script><img src=x onerror=alert(1)> \' " & | `rm -rf` '
            f"\x1b[31mred\x1b[0m\x00\x07 javascript:alert(1) {{{{ 7*7 }}}} $x$")


def hostile_runs() -> list[RunFile]:
    h = hostile
    sid = h("sid")
    warning = {"category": h("category"), "message": h("warning"), "origin": h("origin"), "where": h("where"),
               "frame": {"filename": h("frame"), "lineno": 1, "function": "f"}, h("extra key"): h("extra")}
    cell = scenario(sid, "error", kind=h("kind"), error={"type": h("type"), "message": h("message") + "A" * 200_000,
                                                         "traceback": h("traceback")},
                    warnings=[warning], observations={h("obs key"): h("obs"), "nested": {"k": [h("nested")]}},
                    reason=h("reason"), samples=[0.1, 0.2, 0.15])
    cell.metrics = {h("metric"): 1.0}
    cell.description = h("description")
    replaced = scenario("x.old", "pass", kind="idiom", replaced_by=sid, code=h("old code"),
                        warnings=[{"category": "FutureWarning", "message": h("deprecation")}])
    base = run_file("2.9.2", [scenario(sid, "pass", samples=[0.1, 0.11, 0.1]), scenario("x.old", "pass", kind="idiom",
                                                                                          code=h("old code"))])
    cand = run_file(h("version"), [cell, replaced], spec=h("spec"))
    cand.label = "mlflow-hostile"
    cand.python_version, cand.platform = h("python"), h("platform")
    cand.packages = {h("package"): h("package version"), "mlflow": h("mlflow")}
    cand.skipped_releases = [{"version": h("skipped version"), "reason": h("skipped reason")}]
    cand.install = {h("install key"): h("install value")}
    cand.load_errors = [{"path": h("load path"), "error": h("load error")}]
    failed = run_file("9.9.9", [], spec=h("failed spec"), run_status="install_failed",
                      install_error=h("install error") + "\n" + "B" * 100_000)
    failed.label = "mlflow-failed"
    return [base, cand, failed]


def hostile_cross() -> CrossResult:
    h = hostile
    steps = [StepResult("server.registry", "server", "baseline", "candidate", "error", 0.1,
                        {"type": h("step type"), "message": h("step message")}, {"failed_op": h("failed op")}),
             StepResult(h("step id"), h("area"), "baseline", "candidate", "fail", 0.1, None, {h("step obs"): 1},
                        reason=h("step reason"))]
    return CrossResult(Side("2.9", "2.9.2"), Side(h("cross spec"), h("cross version")), "2026-11-27", 1.0, steps)


def test_hostile_result_files_are_text_everywhere_in_the_page(results_dir: Path):
    for run in hostile_runs():
        write(results_dir / "runs", run)
    cross_results.save(hostile_cross(), results_dir / "cross" / "hostile.json")
    assert main(["report", "-q", "--results-dir", str(results_dir)]) == 0
    page = (results_dir / "report.html").read_text(encoding="utf-8")
    found = assert_only_our_markup(page)
    assert "could not be rendered" not in page  # every section made it
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)  # controls as control pictures
    visible = found.visible()
    assert "{{ 7*7 }}" in visible  # data is never evaluated as a template
    shown = ["sid", "kind", "type", "message", "traceback", "reason", "category", "warning", "origin", "frame",
             "extra key", "extra", "obs key", "obs", "metric", "description", "old code", "deprecation",
             "version", "spec", "python", "platform", "package", "package version", "mlflow", "skipped version",
             "skipped reason", "install key", "install value", "load path", "load error", "failed spec",
             "install error", "step type", "step message", "failed op", "step id", "step obs", "step reason", "cross version"]
    for name in shown:
        assert f'<script>alert("{name}")</script>' in visible, f"{name} is not shown as text"
    assert '<script>alert(\\"nested\\")</script>' in visible  # nested observations, as JSON
    # very long texts are cut, saying so
    assert len(page) < 1_500_000 and "more characters in the result file" in page


def test_lone_surrogates_and_controls_become_replacement_characters():
    run = run_file("2.9.2", [scenario("a.b", "error", error={"type": "E", "message": "bad \ud800 \x1b[1mbold\x1b[0m \x1f"})])
    page = html_report.render(sample_analysis([run]))
    page.encode("utf-8")  # writable as UTF-8
    assert "bad \ufffd bold \u241f" in page
