from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    (tmp_path / "runs").mkdir()
    return tmp_path


@pytest.fixture
def make_config(results_dir: Path):
    """A Config pointing at a temporary results directory."""
    import dataclasses

    from harness.config import load_config

    def make(**overrides):
        config = load_config(env={})
        return dataclasses.replace(config, results_dir=results_dir, **overrides)

    return make
