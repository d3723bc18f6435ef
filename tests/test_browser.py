"""The HTML report opened in a real browser: headless Debian chromium.

Chromium renders the page from hand-written run files, takes a screenshot
(which must show the coloured matrix, not a blank page) and dumps the DOM it
built (which must hold the matrix table and the chart SVGs). When chromium is
missing, the test tries to install it (as root, with apt-get, like .ci/run)
and is skipped, with the reason, only when that is impossible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from tests.factories import write
from tests.test_html import sample_runs

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
#: the page's background colour for a passing cell (.st-pass in harness/report/html.py)
PASS_RGB = (0xE3, 0xF4, 0xE8)


def _install_chromium() -> str | None:
    """Install Debian's chromium; None on success, else why it cannot be installed."""
    if shutil.which("apt-get") is None:
        return "chromium is not installed and there is no apt-get to install it"
    if os.geteuid() != 0:
        return "chromium is not installed and installing it needs root (apt-get install -y chromium)"
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()
            return f"`{' '.join(cmd)}` failed: {tail[-1] if tail else done.returncode}"
    return None if Path(CHROMIUM).exists() else "apt-get installed chromium but /usr/bin/chromium is missing"


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        why = _install_chromium()
        if why:
            pytest.skip(why)
    return CHROMIUM


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
    assert main(["report", "-q", "--results-dir", str(results)]) == 0
    return results / "report.html"


def test_chromium_renders_the_matrix_and_the_charts(chromium, report, tmp_path):
    dom = _run(chromium, tmp_path / "profile", "--dump-dom", report.as_uri()).stdout
    assert '<table class="matrix" id="matrix">' in dom
    assert dom.count('<td class="cell st-') == 14
    assert dom.count('<svg class="chart"') == 3  # two perf charts and the wall-time overview
    # the charts' text survived as text: the ratio labels are in the DOM
    assert "2.00x slower" in dom and "0.48x faster" in dom
    # an exception message full of markup arrived as text, not as elements
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


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
