"""The HTML report opened in a real browser: headless Debian chromium.

Chromium renders the page from hand-written run files, takes a screenshot
(which must show the coloured matrix, not a blank page) and dumps the DOM it
built (which must hold the matrix table and the chart SVGs). The test installs
nothing: `.ci/run` installs chromium (the Debian package), and without it the test is
skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from harness.results import cross as cross_results
from tests.factories import write
from tests.test_html import sample_cross, sample_runs

#: Debian's chromium (what .ci/run installs), else one on PATH
CANDIDATES = ("/usr/bin/chromium", "chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
#: the page's background colour for a passing cell (.st-pass in harness/report/static/report.css)
PASS_RGB = (0xE3, 0xF4, 0xE8)


def find_chromium() -> str | None:
    for candidate in CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("chromium is not installed (no /usr/bin/chromium, none on PATH); "
                    ".ci/run installs the Debian chromium package")
    return found


def _run(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("results")
    for run in sample_runs():
        write(results / "runs", run)
    cross_results.save(sample_cross(), results / "cross" / cross_results.file_name("2.9.2", "3.17.2"))
    assert main(["report", "-q", "--results-dir", str(results)]) == 0
    return results / "report.html"


def test_chromium_renders_the_matrix_and_the_charts(chromium, report, tmp_path):
    done = _run(chromium, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom", report.as_uri())
    dom = done.stdout
    # the page's script ran without an error (chromium logs uncaught ones as CONSOLE lines)
    assert "Uncaught" not in done.stderr, [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert '<table class="matrix" id="matrix">' in dom
    assert dom.count('<td class="cell st-') == 14
    assert dom.count('<svg class="chart"') == 3  # two perf charts and the wall-time overview
    # the charts' text survived as text: the ratio labels are in the DOM
    assert "2.00x slower" in dom and "0.48x faster" in dom
    # an exception message full of markup arrived as text, not as elements
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    # the cross-version section, with the anchor the guidance links to
    assert "<h2>Cross-version results</h2>" in dom and 'id="x-2.9.2__3.17.2"' in dom


def test_chromium_screenshot_shows_a_coloured_page(chromium, report, tmp_path):
    shot = tmp_path / "report.png"
    _run(chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,2000", report.as_uri())
    pixels = read_png_rgb(shot)
    assert pixels.shape == (1400 * 2000, 3)
    colours = len(set((pixels[:, 0].astype(int) << 16 | pixels[:, 1].astype(int) << 8 | pixels[:, 2]).tolist()))
    assert colours > 200, f"only {colours} colours: the page looks blank"
    # the stylesheet applied: passing cells are painted in their colour
    pass_pixels = int((abs(pixels.astype(int) - PASS_RGB) <= 2).all(axis=1).sum())
    assert pass_pixels > 5000, f"{pass_pixels} pass-coloured pixels"


def read_png_rgb(path: Path):
    """Every pixel of a PNG as an (n, 3) uint8 array, read with matplotlib's image reader."""
    import numpy as np
    from matplotlib.image import imread

    image = imread(path)  # floats in [0, 1], RGB or RGBA
    return np.rint(image[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
