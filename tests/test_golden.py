"""The report's outputs on a fixed set of real result files stay what they were.

tests/data/golden holds the run files and the cross result of a real default
matrix run (2.9.2, 2.22.5, 3.1.4, 3.17.2; 2026-11-29) and, in expected/, the
outputs the report made of them. A change to an output is either a bug or a
decision: regenerate expected/ with ``python -m tests.test_golden`` and say
why in the commit.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from harness.cli import main

GOLDEN = Path(__file__).parent / "data" / "golden"
OUTPUTS = ("matrix.json", "matrix.md", "guidance.md", "junit.xml")
PLACEHOLDER = "<results>"


def build(results: Path) -> dict[str, str]:
    """Report on a copy of the golden inputs in ``results``; the outputs with paths made stable."""
    for kind in ("runs", "cross"):
        shutil.copytree(GOLDEN / kind, results / kind)
    assert main(["report", "--results-dir", str(results), "--quiet"]) == 0
    return {name: (results / name).read_text(encoding="utf-8").replace(str(results), PLACEHOLDER) for name in OUTPUTS}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    return build(tmp_path_factory.mktemp("golden") / "results")


@pytest.mark.parametrize("name", OUTPUTS)
def test_output_is_unchanged(built, name):
    built = built[name]
    expected = (GOLDEN / "expected" / name).read_text(encoding="utf-8")
    assert built == expected, f"{name} differs from tests/data/golden/expected/{name}"


if __name__ == "__main__":  # pragma: no cover - regenerate expected/ on purpose
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in build(Path(tmp) / "results").items():
            (GOLDEN / "expected" / name).write_text(text, encoding="utf-8")
            print(f"wrote {GOLDEN / 'expected' / name}", file=sys.stderr)
