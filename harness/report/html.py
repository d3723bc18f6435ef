"""``results/report.html``: the matrix as one self-contained page.

Everything is inline (CSS, SVG charts, a few lines of script to open or close
every cell), so the file can be attached to a CI run or mailed and opened
offline. Every value from a run file goes through :func:`esc`: exception
messages routinely contain ``<`` and ``&``.

Charts come from :mod:`harness.report.charts` (matplotlib); without
matplotlib the page still renders, with timing tables and one note instead.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import statistics
from typing import Any, Iterable

from harness.analysis.compare import CellVerdict as Verdict
from harness.analysis.matrix import Matrix
from harness.outcomes import Verdict as V
from harness.report import charts
from harness.report.cells import column_title, time_text

FLAGGED = tuple(str(v) for v in V if v.flagged)
from harness.results.runs import RunFile, ScenarioResult

#: packages listed first in the environment table, when a run recorded them
KEY_PACKAGES = ("mlflow", "scikit-learn", "numpy", "pandas", "sqlalchemy", "setuptools", "pydantic", "protobuf")
#: lines of installer output kept per failed version
INSTALL_TAIL = 20


def esc(value: Any) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def render(matrix: Matrix, guidance: Any = None) -> str:
    """The whole page; ``guidance`` is a ``Guidance`` (or its ``to_dict()``), or None."""
    guidance_dict = _guidance_dict(guidance)
    body = [
        _header(matrix),
        _problems(matrix),
        _summary(matrix),
        _matrix_table(matrix),
        _differences(matrix),
        _timings(matrix),
        _guidance(guidance_dict),
        _install_failures(matrix),
        _environments(matrix),
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(_title(matrix))}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + f"\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------
def _title(matrix: Matrix) -> str:
    versions = ", ".join(r.mlflow_version for r in matrix.installed)
    return f"MLflow compatibility matrix ({versions})" if versions else "MLflow compatibility matrix"


def _header(matrix: Matrix) -> str:
    generated = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    base = matrix.baseline
    parts = [f"<header><h1>MLflow compatibility matrix</h1><p class=\"meta\">"]
    if base is not None:
        parts.append(f"Baseline <strong>mlflow {esc(base.mlflow_version)}</strong>")
        if matrix.candidates:
            parts.append(" against " + ", ".join(
                f"<strong>{esc(r.mlflow_version)}</strong>" for r in matrix.candidates))
        parts.append(". ")
    parts.append(f"{len(matrix.scenario_ids)} scenarios, {len(matrix.installed)} installed versions")
    if matrix.install_failures:
        parts.append(f", {len(matrix.install_failures)} not installable")
    parts.append(f". Generated {esc(generated)}.</p></header>")
    return "".join(parts)


def _problems(matrix: Matrix) -> str:
    items = [f"<li>skipped file: {esc(p)}</li>" for p in matrix.problems]
    items += [f"<li>older run superseded: {esc(r.path or r.label)}</li>" for r in matrix.superseded]
    if not items:
        return ""
    return f"<section class=\"problems\"><h2>Notes on the inputs</h2><ul>{''.join(items)}</ul></section>"


def _summary(matrix: Matrix) -> str:
    cards = []
    for comparison in matrix.comparisons.values():
        counts: dict[str, int] = {}  # every change, not just each scenario's primary verdict
        for v in comparison.verdicts.values():
            for name in v.changes or [v.verdict]:
                counts[name] = counts.get(name, 0) + 1
        chips = "".join(
            f"<span class=\"chip vd-{esc(v)}\">{counts[v]} {esc(v.replace('_', ' '))}</span>"
            for v in (*FLAGGED, "new", "same") if counts.get(v)
        )
        worst = ("bad" if counts.get("regressed") or counts.get("newly_unsupported") or counts.get("gone")
                 else "attn" if counts.get("slower") or counts.get("newly_warns") or counts.get("changed") else "ok")
        cards.append(
            f"<div class=\"card {worst}\"><div class=\"card-title\">{esc(comparison.candidate.mlflow_version)}"
            f" <span class=\"vs\">vs {esc(comparison.baseline.mlflow_version)}</span></div>{chips or 'no scenarios'}</div>"
        )
    for run in matrix.install_failures:
        cards.append(
            f"<div class=\"card bad\"><div class=\"card-title\">{esc(run.spec or run.label)}</div>"
            f"<span class=\"chip vd-regressed\">install failed</span></div>"
        )
    if not cards:
        return ""
    return f"<section><h2>Summary</h2><div class=\"cards\">{''.join(cards)}</div></section>"


def _legend() -> str:
    statuses = "".join(f"<span class=\"chip st-{s}\">{s}</span>" for s in
                       ("pass", "fail", "error", "timeout", "crashed", "unsupported", "skipped"))
    verdicts = "".join(f"<span class=\"chip vd-{v}\">{v.replace('_', ' ')}</span>" for v in (*FLAGGED, "new"))
    return (
        f"<div class=\"legend\"><div><span class=\"legend-label\">status</span>{statuses}</div>"
        f"<div><span class=\"legend-label\">vs baseline</span>{verdicts}</div>"
        "<div class=\"legend-note\">Each cell: status, median or wall time, "
        "<span class=\"warn\">&#9888; n</span> warnings captured, and the verdict against the baseline "
        "when it differs. Click a cell for the exception, reason, warnings and observations.</div></div>"
    )


def _matrix_table(matrix: Matrix) -> str:
    runs = matrix.installed
    failed = matrix.install_failures
    if not runs and not failed:
        return ""
    head = ["<th class=\"sid\">scenario</th>"]
    for run in runs:
        cls = " baseline" if run is matrix.baseline else ""
        head.append(
            f"<th class=\"ver{cls}\" title=\"{esc(_run_title(run))}\">{esc(column_title(run, matrix.baseline))}"
            f"<div class=\"spec\">spec {esc(run.spec or '?')}, python {esc(run.python_version)}</div></th>"
        )
    for run in failed:
        head.append(
            f"<th class=\"ver failed\" title=\"{esc(_last_line(run.install_error))}\">"
            f"{esc(run.spec or run.label)}<br><span class=\"chip vd-regressed\">install failed</span></th>"
        )
    rows = []
    for area, sids in matrix.areas().items():
        rows.append(f"<tr class=\"area\"><th colspan=\"{1 + len(runs) + len(failed)}\">{esc(area)}</th></tr>")
        for sid in sids:
            meta = matrix.meta(sid)
            label = f"<code>{esc(sid)}</code>"
            if meta is not None:
                label += f" <span class=\"kind kind-{esc(meta.kind)}\">{esc(meta.kind)}</span>"
                if meta.replaced_by:
                    label += f"<div class=\"sub\">replaced by <code>{esc(meta.replaced_by)}</code></div>"
                if meta.description:
                    label = f"<span title=\"{esc(meta.description)}\">{label}</span>"
            cells = [f"<th class=\"sid\" scope=\"row\" id=\"s-{esc(sid)}\">{label}</th>"]
            for run in runs:
                comparison = matrix.comparisons.get(run.label)
                verdict = comparison.verdicts.get(sid) if comparison else None
                cells.append(_cell(matrix.cell(run, sid), verdict))
            cells.extend("<td class=\"cell na\" title=\"not installed\">&ndash;</td>" for _ in failed)
            rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<section><h2>Matrix <button type=\"button\" class=\"toggle\" onclick=\"toggleAll()\">"
        "open all cells</button></h2>" + _legend()
        + "<div class=\"scroll\"><table class=\"matrix\" id=\"matrix\"><thead><tr>"
        + "".join(head) + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div></section>"
    )


def _cell(result: ScenarioResult | None, verdict: Verdict | None) -> str:
    if result is None:
        text = verdict.details[0] if verdict and verdict.details else "not run on this version"
        return f"<td class=\"cell na\" title=\"{esc(text)}\">&ndash;</td>"
    shown = verdict is not None and verdict.verdict in (*FLAGGED, "new")
    summary = [f"<span class=\"status\">{esc(result.status)}</span>"]
    timing = time_text(result)
    if timing:
        summary.append(f"<span class=\"time\">{esc(timing)}</span>")
    if result.warnings:
        summary.append(f"<span class=\"warn\" title=\"{len(result.warnings)} warnings\">&#9888;&#xFE0E; {len(result.warnings)}</span>")
    if shown:
        # the primary verdict first, then any other change the comparison saw
        for name in [verdict.verdict] + [c for c in verdict.changes if c != verdict.verdict]:
            flag = name.replace("_", " ")
            if verdict.ratio is not None and name in ("slower", "faster"):
                flag += f" {verdict.ratio:.2f}x"
            summary.append(f"<span class=\"chip vd-{esc(name)}\">{esc(flag)}</span>")
    classes = f"cell st-{esc(result.status)}" + (f" vd-{esc(verdict.verdict)}-cell" if shown else "")
    return (
        f"<td class=\"{classes}\" title=\"{esc(_hover(result, verdict))}\"><details><summary>"
        + " ".join(summary) + "</summary><div class=\"detail\">" + _cell_detail(result, verdict)
        + "</div></details></td>"
    )


def _hover(result: ScenarioResult, verdict: Verdict | None) -> str:
    lines = [f"{result.id}: {result.status}"]
    if result.error:
        lines.append(_first_line(f"{result.error.get('type')}: {result.error.get('message')}"))
    elif result.reason:
        lines.append(_first_line(result.reason))
    if verdict is not None and verdict.verdict != "same":
        lines.extend(verdict.details[:2])
    return "\n".join(lines)


def _cell_detail(result: ScenarioResult, verdict: Verdict | None) -> str:
    out = []
    if verdict is not None and verdict.details:
        out.append("<div class=\"dh\">vs baseline</div><ul>"
                   + "".join(f"<li>{esc(d)}</li>" for d in verdict.details) + "</ul>")
    if result.error:
        out.append(f"<div class=\"dh\">exception</div><pre class=\"exc\"><b>{esc(result.error.get('type'))}</b>: "
                   f"{esc(result.error.get('message'))}</pre>")
    if result.reason:
        out.append(f"<div class=\"dh\">reason</div><pre>{esc(result.reason)}</pre>")
    if result.warnings:
        items = "".join(
            f"<li><b>{esc(w.get('category'))}</b>: {esc(w.get('message'))}"
            + (f" <span class=\"sub\">{esc(w.get('filename'))}:{esc(w.get('lineno'))}</span>" if w.get("filename") else "")
            + "</li>"
            for w in result.warnings
        )
        out.append(f"<div class=\"dh\">warnings ({len(result.warnings)})</div><ul class=\"warnings\">{items}</ul>")
    if result.observations:
        out.append("<div class=\"dh\">observations</div>" + _kv(result.observations))
    if verdict is not None and verdict.observation_diff:
        diff = {k: f"{v.get('baseline')!r} -> {v.get('candidate')!r}" for k, v in verdict.observation_diff.items()}
        out.append("<div class=\"dh\">observation changes</div>" + _kv(diff))
    samples = (result.timing or {}).get("samples") or []
    if samples:
        out.append(f"<div class=\"dh\">timing</div><div>{esc(_sample_text(samples))}</div>")
    if result.metrics:
        out.append("<div class=\"dh\">metrics</div>" + _kv(result.metrics))
    out.append(f"<div class=\"sub\">{esc(result.kind)}, wall time {result.duration_s:.2f}s</div>")
    return "".join(out)


def _differences(matrix: Matrix) -> str:
    blocks = []
    for comparison in matrix.comparisons.values():
        rows = [
            f"<tr><td><a href=\"#s-{esc(v.id)}\"><code>{esc(v.id)}</code></a></td>"
            f"<td><span class=\"chip vd-{esc(v.verdict)}\">{esc(v.verdict.replace('_', ' '))}</span></td>"
            f"<td>{'<br>'.join(esc(d) for d in v.details)}</td></tr>"
            for v in sorted(comparison.verdicts.values(), key=_severity_key)
            if v.verdict != "same"
        ]
        title = f"{esc(comparison.candidate.mlflow_version)} vs {esc(comparison.baseline.mlflow_version)}"
        if rows:
            blocks.append(f"<h3>{title}</h3><table class=\"plain\"><thead><tr><th>scenario</th><th>verdict</th>"
                          f"<th>detail</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")
        else:
            blocks.append(f"<h3>{title}</h3><p class=\"ok-text\">No differences.</p>")
    if not blocks:
        return ""
    return "<section><h2>Differences from the baseline</h2>" + "".join(blocks) + "</section>"


def _severity_key(v: Verdict) -> tuple[int, str]:
    return (v.verdict.severity, v.id)


def _series(matrix: Matrix, sid: str) -> list[charts.Series]:
    out = []
    for run in matrix.installed:
        result = matrix.cell(run, sid)
        samples = [float(x) for x in ((result.timing or {}).get("samples") or [])] if result else []
        if not samples:
            continue
        comparison = matrix.comparisons.get(run.label)
        verdict = comparison.verdicts.get(sid) if comparison else None
        out.append(charts.Series(
            version=run.mlflow_version,
            samples=samples,
            baseline=run is matrix.baseline,
            ratio=verdict.ratio if verdict else None,
            verdict=verdict.verdict if verdict else None,
        ))
    return out


#: beyond this many versions a chart is unreadable (and slow to draw): tables only
CHART_MAX_VERSIONS = 12
#: at most this many timing charts (each costs ~0.3 s to draw); the scenarios
#: whose medians move most get them, every scenario keeps its table
CHART_MAX_SCENARIOS = 12
#: the wall-time overview draws a bar per scenario and version: past this many
#: scenarios it is unreadable and slow, so it is left out
WALL_CHART_MAX_SCENARIOS = 60


def _charted(matrix: Matrix, sids: list[str]) -> set[str]:
    """The timed scenarios that get a chart: those whose ratios stray furthest from 1."""
    import math

    def spread(sid: str) -> float:
        ratios = [v.ratio for c in matrix.comparisons.values() for v in [c.verdicts.get(sid)] if v and v.ratio]
        return max((abs(math.log(r)) for r in ratios if r > 0), default=0.0)

    return set(sorted(sids, key=lambda sid: (-spread(sid), sid))[:CHART_MAX_SCENARIOS])


def _charts_fit(matrix: Matrix) -> bool:
    return len(matrix.installed) <= CHART_MAX_VERSIONS


def _timings(matrix: Matrix) -> str:
    sids = matrix.timed_ids()
    if not sids:
        note = ("<p class=\"note\">matplotlib is not installed in the report environment, so charts are left "
                "out. Install it (the <code>html</code> extra) to get charts.</p>") if not charts.available() else ""
        return ("<section><h2>Timings</h2>" + note + "<p class=\"sub\">No scenario in these runs recorded timing "
                "samples (perf scenarios do).</p>" + _wall_times(matrix) + "</section>")
    can_chart = charts.available() and _charts_fit(matrix)
    parts = ["<section><h2>Timings</h2>"]
    if charts.available() and not can_chart:
        parts.append(f"<p class=\"note\">{len(matrix.installed)} versions are more than a chart can show "
                     f"(at most {CHART_MAX_VERSIONS}); the samples are summarised in tables below.</p>")
    elif not can_chart:
        parts.append("<p class=\"note\">matplotlib is not installed in the report environment, so the timing "
                     "charts are left out; the samples are summarised in tables below. "
                     "Install it (the <code>html</code> extra) to get charts.</p>")
    else:
        parts.append("<p class=\"sub\">Dots are the timed samples (after warm-up), the thick bar the median, "
                     "the thin line the spread (min to max). Labels give the ratio of each median to the "
                     "baseline's; a timing verdict also needs the samples to be separated beyond noise.</p>")
    charted = _charted(matrix, sids) if can_chart else set()
    if can_chart and len(charted) < len(sids):
        parts.append(f"<p class=\"note\">{len(sids)} timed scenarios: charts for the {len(charted)} whose "
                     "medians move most against the baseline; every scenario has its table.</p>")
    parts.append("<div class=\"charts\">")
    for sid in sids:
        series = _series(matrix, sid)
        if not series:
            continue
        figure = ""
        if sid in charted:
            try:
                figure = charts.timing_svg(sid, series)
            except Exception as exc:  # a broken chart must not cost the whole report
                figure = f"<p class=\"note\">chart failed: {esc(type(exc).__name__)}: {esc(exc)}</p>"
        rows = "".join(
            f"<tr><td>{esc(s.version)}{' (baseline)' if s.baseline else ''}</td>"
            f"<td>{esc(_sample_text(s.samples))}</td>"
            f"<td>{'' if s.ratio is None else esc(f'{s.ratio:.2f}x')}"
            f"{'' if s.verdict in (None, 'same') or s.baseline else ' ' + _chip(s.verdict)}</td></tr>"
            for s in series
        )
        parts.append(
            f"<figure class=\"timing\" id=\"t-{esc(sid)}\">{figure}<figcaption><code>{esc(sid)}</code>"
            f"<table class=\"plain small\"><thead><tr><th>version</th><th>samples</th><th>vs baseline</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></figcaption></figure>"
        )
    parts.append("</div>")
    parts.append(_wall_times(matrix))
    parts.append("</section>")
    return "".join(parts)


def _wall_times(matrix: Matrix) -> str:
    """One overview chart of every scenario's wall time per version (not a benchmark)."""
    runs = matrix.installed
    if not runs or not matrix.scenario_ids or not charts.available() or not _charts_fit(matrix):
        return ""
    if len(matrix.scenario_ids) > WALL_CHART_MAX_SCENARIOS:
        return (f"<p class=\"note\">{len(matrix.scenario_ids)} scenarios are more than the wall-time chart can "
                f"show (at most {WALL_CHART_MAX_SCENARIOS}); each cell above carries its time.</p>")
    seconds = [[(matrix.cell(r, sid).duration_s if matrix.cell(r, sid) else None) for sid in matrix.scenario_ids]
               for r in runs]
    base = runs.index(matrix.baseline) if matrix.baseline in runs else None
    try:
        svg = charts.wall_time_svg(matrix.scenario_ids, [r.mlflow_version for r in runs], seconds, base)
    except Exception as exc:  # a broken chart must not cost the whole report
        return f"<p class=\"note\">wall-time chart failed: {esc(type(exc).__name__)}: {esc(exc)}</p>"
    return (
        "<h3>Wall time per scenario</h3><p class=\"sub\">One run of each scenario per version, including its "
        "process start and setup: where the time goes, not a benchmark (perf scenarios above are).</p>"
        f"<figure class=\"timing wide\" id=\"wall-times\">{svg}</figure>"
    )


def _chip(verdict: str) -> str:
    return f"<span class=\"chip vd-{esc(verdict)}\">{esc(verdict.replace('_', ' '))}</span>"


def _guidance(data: dict[str, list[dict[str, Any]]] | None) -> str:
    if data is None:
        return ""
    titles = {
        "rollback": ("Rollback", "No candidate regresses against the baseline."),
        "migrations": ("Migrations", "None listed."),
        "deprecations": ("Deprecations", "None listed."),
    }
    parts = ["<section class=\"guidance\"><h2>Guidance</h2>"]
    keys = list(titles) + [k for k in data if k not in titles]
    for key in keys:
        items = data.get(key) or []
        title, empty = titles.get(key, (key.replace("_", " ").capitalize(), "None."))
        parts.append(f"<h3>{esc(title)}</h3>")
        if not items:
            parts.append(f"<p class=\"sub\">{esc(empty)}</p>")
            continue
        lis = []
        for item in items:
            if not isinstance(item, dict):
                lis.append(f"<li>{esc(item)}</li>")
                continue
            summary = item.get("summary") or ", ".join(f"{k}: {v}" for k, v in item.items())
            rest = {k: v for k, v in item.items() if k != "summary"}
            detail = f"<details><summary>details</summary>{_kv(rest)}</details>" if rest else ""
            lis.append(f"<li><span class=\"gsum\">{esc(summary)}</span>{detail}</li>")
        parts.append(f"<ul class=\"gitems\">{''.join(lis)}</ul>")
    parts.append("</section>")
    return "".join(parts)


def _install_failures(matrix: Matrix) -> str:
    if not matrix.install_failures:
        return ""
    parts = ["<section><h2>Versions that could not be installed</h2>"]
    for run in matrix.install_failures:
        lines = (run.install_error or "no output").strip().splitlines()
        tail = "\n".join(lines[-INSTALL_TAIL:])
        cut = f" (last {INSTALL_TAIL} of {len(lines)} lines)" if len(lines) > INSTALL_TAIL else ""
        parts.append(f"<h3>{esc(run.spec or run.label)}</h3><p class=\"failline\">{esc(_last_line(run.install_error))}</p>"
                     f"<p class=\"sub\">installer output{cut}:</p>"
                     f"<pre class=\"log\">{esc(tail)}</pre>")
        parts.append(_skipped_releases(run))
    parts.append("</section>")
    return "".join(parts)


def _skipped_releases(run: RunFile) -> str:
    if not run.skipped_releases:
        return ""
    items = "".join(
        f"<li>mlflow {esc(s.get('version'))}: <details><summary>{esc(_first_line(s.get('reason')))}</summary>"
        f"<pre class=\"log\">{esc(s.get('reason'))}</pre></details></li>"
        for s in run.skipped_releases
    )
    return f"<p class=\"sub\">releases tried and skipped for spec {esc(run.spec)}:</p><ul>{items}</ul>"


def _environments(matrix: Matrix) -> str:
    runs = matrix.installed
    if not runs:
        return ""
    names = {n for r in runs for n in r.packages}
    ordered = [n for n in KEY_PACKAGES if n in names] + sorted(names - set(KEY_PACKAGES))
    head = "".join(f"<th>{esc(r.label)}</th>" for r in runs)
    base = matrix.baseline

    def row(name: str, values: list[Any], pkg: bool = False) -> str:
        base_value = values[runs.index(base)] if base in runs else None
        cells = "".join(
            f"<td class=\"{'differs' if pkg and v != base_value else ''}\">{esc('—' if v is None else v)}</td>"
            for v in values
        )
        return f"<tr><th scope=\"row\">{esc(name)}</th>{cells}</tr>"

    rows = [
        row("spec", [r.spec for r in runs]),
        row("python", [r.python_version for r in runs]),
        row("platform", [r.platform for r in runs]),
        row("tracking backend", [r.tracking_backend for r in runs]),
        row("run", [r.run_status for r in runs]),
        row("started", [r.started_at for r in runs]),
        row("duration", [f"{r.duration_s:.1f}s" for r in runs]),
        row("selection", [" ".join(f"--{k} {' '.join(v)}" for k, v in r.selection.items()) or "all" for r in runs]),
    ]
    rows.append(f"<tr class=\"area\"><th colspan=\"{1 + len(runs)}\">packages</th></tr>")
    rows.extend(row(n, [r.packages.get(n) for r in runs], pkg=True) for n in ordered)
    skipped = "".join(_skipped_releases(r) for r in runs)
    return (
        "<section><h2>Environments</h2><p class=\"sub\">Exact versions each run recorded; package versions that "
        "differ from the baseline are highlighted.</p><div class=\"scroll\"><table class=\"plain env\"><thead><tr>"
        f"<th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>{skipped}</section>"
    )


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _guidance_dict(guidance: Any) -> dict[str, list[Any]] | None:
    if guidance is None:
        return None
    if hasattr(guidance, "to_dict"):
        guidance = guidance.to_dict()
    return {k: list(v or []) for k, v in dict(guidance).items()}


def _kv(data: Any) -> str:
    """Any JSON-like value, rendered generically: dicts as definition lists, lists as lists."""
    if isinstance(data, dict):
        if not data:
            return "<span class=\"sub\">(empty)</span>"
        return "<dl class=\"kv\">" + "".join(
            f"<dt>{esc(k)}</dt><dd>{_kv(v)}</dd>" for k, v in data.items()) + "</dl>"
    if isinstance(data, (list, tuple)):
        if not data:
            return "<span class=\"sub\">(none)</span>"
        if all(not isinstance(x, (dict, list, tuple)) and len(str(x)) < 60 for x in data):
            return ", ".join(f"<code>{esc(x)}</code>" for x in data)
        return "<ul>" + "".join(f"<li>{_kv(x)}</li>" for x in data) + "</ul>"
    if isinstance(data, str):
        return f"<pre>{esc(data)}</pre>" if "\n" in data else esc(data)
    if data is None or isinstance(data, (bool, int, float)):
        return f"<code>{esc(json.dumps(data))}</code>"
    return esc(data)


def _sample_text(samples: Iterable[float]) -> str:
    values = [float(x) for x in samples]
    if not values:
        return ""
    med = statistics.median(values)
    return (f"median {_seconds(med)} (n={len(values)}, {_seconds(min(values))}"
            f" – {_seconds(max(values))})")


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f}ms" if value < 1 else f"{value:.3f}s"


def _first_line(text: Any) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0][:200] if lines else ""


def _last_line(text: Any) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[-1][:200] if lines else "no output"


def _run_title(run: RunFile) -> str:
    return f"{run.label}: spec {run.spec}, python {run.python_version}, {run.platform}, {run.run_status}"


SCRIPT = """
function toggleAll() {
  var cells = document.querySelectorAll('#matrix details');
  var open = Array.prototype.some.call(cells, function (d) { return !d.open; });
  cells.forEach(function (d) { d.open = open; });
  document.querySelector('button.toggle').textContent = open ? 'close all cells' : 'open all cells';
}
"""

CSS = """
:root { --fg:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#ffffff; --soft:#f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
       color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-word; margin: 2px 0 6px; background: var(--soft);
      padding: 6px 8px; border-radius: 4px; max-height: 18em; overflow: auto; }
pre.log { max-height: none; font-size: 12px; }
.failline { font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: #a93226; font-weight: 600; margin: 4px 0; }
.meta, .sub { color: var(--muted); }
.sub { font-size: 12.5px; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 8px 12px; }
.problems { background: #fdecea; border-left: 4px solid #c0392b; padding: 4px 16px; }
.scroll { overflow-x: auto; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-left: 5px solid #1e8449; border-radius: 6px; padding: 10px 14px;
        min-width: 220px; background: var(--bg); }
.card.bad { border-left-color: #c0392b; }
.card.attn { border-left-color: #d4ac0d; }
.card-title { font-weight: 600; font-size: 15px; margin-bottom: 6px; }
.card .vs { color: var(--muted); font-weight: 400; font-size: 13px; }
.chip { display: inline-block; padding: 1px 7px; margin: 1px 3px 1px 0; border-radius: 10px; font-size: 12px;
        line-height: 18px; white-space: nowrap; border: 1px solid transparent; }
.legend { margin: 0 0 10px; font-size: 12.5px; }
.legend > div { margin: 3px 0; }
.legend-label { display: inline-block; width: 90px; color: var(--muted); }
.legend-note { color: var(--muted); }
button.toggle { float: right; font-size: 12px; padding: 2px 10px; border: 1px solid var(--line); border-radius: 4px;
                background: var(--soft); cursor: pointer; }
table { border-collapse: collapse; }
table.matrix { width: 100%; }
table.matrix th, table.matrix td { border: 1px solid var(--line); padding: 5px 8px; vertical-align: top; text-align: left; }
table.matrix thead th { background: #334e68; color: #fff; position: sticky; top: 0; font-weight: 600; }
table.matrix thead th.baseline { background: #243b53; }
table.matrix thead .spec { font-weight: 400; font-size: 11.5px; color: #d9e2ec; }
table.matrix thead th.failed { background: #7b2d26; }
table.matrix tr.area th { background: var(--soft); color: var(--muted); font-size: 12px; text-transform: uppercase;
                          letter-spacing: .05em; }
th.sid { font-weight: 400; min-width: 260px; background: var(--bg); }
.kind { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; }
.kind-idiom { color: #6c3483; border-color: #d7bde2; }
.kind-perf { color: #1a5276; border-color: #aed6f1; }
td.cell { min-width: 150px; }
td.cell summary { cursor: pointer; list-style: none; }
td.cell summary::-webkit-details-marker { display: none; }
td.cell summary::before { content: "\\25B8"; color: var(--muted); margin-right: 4px; font-size: 11px; }
td.cell details[open] summary::before { content: "\\25BE"; }
td.cell .status { font-weight: 600; }
td.cell .time { color: var(--muted); font-size: 12px; }
td.na { color: var(--muted); background: repeating-linear-gradient(45deg, #fafbfc, #fafbfc 6px, #f0f2f5 6px, #f0f2f5 12px); }
.warn { color: #9a6700; font-size: 12px; white-space: nowrap; }
.detail { max-width: 34em; margin-top: 6px; font-size: 12.5px; }
.detail ul { margin: 2px 0 6px; padding-left: 18px; }
.detail .dh { font-weight: 600; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
              margin-top: 6px; }
pre.exc { background: #fff; border: 1px solid #f1c6c0; }
dl.kv { margin: 2px 0 6px; display: grid; grid-template-columns: max-content 1fr; gap: 1px 10px; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; word-break: break-word; }
/* status colours */
.st-pass { background: #e3f4e8; } .chip.st-pass { border-color: #9fd5b0; }
.st-fail { background: #fde2dd; } .chip.st-fail { border-color: #f0a598; }
.st-error { background: #f9c9c1; } .chip.st-error { border-color: #e57f6e; }
.st-timeout { background: #fde9c8; } .chip.st-timeout { border-color: #f0b95e; }
.st-crashed { background: #ead9f2; } .chip.st-crashed { border-color: #c39bd3; }
.st-unsupported { background: #e9ecef; } .chip.st-unsupported { border-color: #bfc5cc; }
.st-skipped { background: #f6f7f8; color: var(--muted); } .chip.st-skipped { border: 1px dashed #bfc5cc; }
/* verdict colours */
.vd-regressed { background: #c0392b; color: #fff; }
.vd-newly_unsupported { background: #7d3c98; color: #fff; }
.vd-gone { background: #5d6d7e; color: #fff; }
.vd-slower { background: #d35400; color: #fff; }
.vd-newly_warns { background: #f4d03f; color: #4d3b00; }
.vd-changed { background: #2874a6; color: #fff; }
.vd-new { background: #d6eaf8; color: #1b4f72; }
.vd-fixed { background: #1e8449; color: #fff; }
.vd-faster { background: #58d68d; color: #0b3d20; }
.vd-same { background: #eef1f4; color: var(--muted); }
td.vd-regressed-cell { box-shadow: inset 4px 0 0 #c0392b; }
td.vd-newly_unsupported-cell { box-shadow: inset 4px 0 0 #7d3c98; }
td.vd-slower-cell { box-shadow: inset 4px 0 0 #d35400; }
td.vd-fixed-cell { box-shadow: inset 4px 0 0 #1e8449; }
td.vd-changed-cell { box-shadow: inset 4px 0 0 #2874a6; }
td.vd-newly_warns-cell { box-shadow: inset 4px 0 0 #d4ac0d; }
table.plain th, table.plain td { border-bottom: 1px solid var(--line); padding: 4px 10px 4px 0; text-align: left;
                                 vertical-align: top; }
table.plain thead th { color: var(--muted); font-weight: 600; font-size: 12.5px; }
table.plain.small { font-size: 12.5px; margin-top: 4px; }
table.env td.differs { background: #fff4d6; font-weight: 600; }
table.env tr.area th { color: var(--muted); font-size: 12px; text-transform: uppercase; padding-top: 10px; }
.ok-text { color: #1e8449; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
figure.timing { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; }
figure.timing svg.chart { display: block; max-width: 100%; height: auto; }
figure.timing.wide { display: inline-block; }
figcaption { margin-top: 4px; }
.guidance ul.gitems { padding-left: 20px; }
.guidance li { margin: 4px 0; }
.guidance details summary { cursor: pointer; color: var(--muted); font-size: 12.5px; }
.gsum { font-weight: 500; }
@media print { td.cell details { display: block; } button.toggle { display: none; } }
"""
