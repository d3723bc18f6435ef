"""harness.api.produce: a pair's file is made once and reused while current (same rules,
griffe and surface policy); a stale or corrupt one is made again."""

from __future__ import annotations

import pytest

pytest.importorskip("griffe")

from harness.api import produce  # noqa: E402
from harness.api.produce import Producer  # noqa: E402
from harness.api.surface import Surface  # noqa: E402
from harness.results import api as api_results  # noqa: E402
from tests.api_releases import NEW, OLD, write_release  # noqa: E402


@pytest.fixture
def cache(tmp_path):
    cache = tmp_path / "api-src"
    write_release(cache / "1.0.0", OLD, "1.0.0", manifest=True)
    write_release(cache / "2.0.0", NEW, "2.0.0", manifest=True)
    return cache


def producer(tmp_path, cache, surface=None, **kwargs) -> Producer:
    return Producer(tmp_path / "api", cache, surface or Surface(), env_dirs=[], **kwargs)


def test_pair_file_is_written_then_reused_without_reading_the_releases(tmp_path, cache, monkeypatch):
    diff, cached = producer(tmp_path, cache).produce("1.0.0", "2.0.0")
    assert not cached and diff.path == tmp_path / "api" / "1.0.0__2.0.0.json"
    saved = api_results.load(diff.path)
    assert saved.settings["algorithm"] == produce.ALGORITHM and saved.settings["surface"] == Surface().to_dict()
    assert saved.settings["sources"]["1.0.0"]["origin"] == "cache"
    assert {c.direction for c in saved.changes} == {"upgrade", "rollback"}
    assert saved.counts("upgrade")["object_removed"] >= 3

    def no_griffe(*args, **kwargs):
        raise AssertionError("a current pair file must not be recomputed")

    monkeypatch.setattr("harness.api.release.Release.__init__", no_griffe)
    again, cached = producer(tmp_path, cache).produce("1.0.0", "2.0.0")
    assert cached and again.to_dict() == saved.to_dict()


def test_changed_policy_or_rules_recompute(tmp_path, cache, monkeypatch):
    first, _ = producer(tmp_path, cache).produce("1.0.0", "2.0.0")
    narrower = Surface.from_settings(extend_exclude=["mlflow.tracking.**"])
    second, cached = producer(tmp_path, cache, narrower).produce("1.0.0", "2.0.0")
    assert not cached and second.settings["surface"] == narrower.to_dict()
    monkeypatch.setattr(produce, "ALGORITHM", produce.ALGORITHM + 1)
    _, cached = producer(tmp_path, cache, narrower).produce("1.0.0", "2.0.0")
    assert not cached


def test_corrupt_pair_file_is_made_again(tmp_path, cache):
    path = tmp_path / "api" / "1.0.0__2.0.0.json"
    path.parent.mkdir()
    path.write_text("{not json")
    lines: list[str] = []
    diff, cached = producer(tmp_path, cache, log=lines.append).produce("1.0.0", "2.0.0")
    assert not cached and api_results.load(path).changes
    assert any("corrupt JSON" in line for line in lines)


def test_a_baseline_is_read_once_for_several_candidates(tmp_path, cache):
    write_release(cache / "3.0.0", NEW, "3.0.0", manifest=True)
    made = producer(tmp_path, cache)
    made.produce("1.0.0", "2.0.0")
    baseline = made.release("1.0.0")
    made.produce("1.0.0", "3.0.0")
    assert made.release("1.0.0") is baseline


def test_changes_are_in_a_stable_order(tmp_path, cache):
    diff, _ = producer(tmp_path, cache).produce("1.0.0", "2.0.0")
    assert diff.changes == produce.ordered(list(reversed(diff.changes)))
    directions = [c.direction for c in diff.changes]
    assert directions == sorted(directions, key=["upgrade", "rollback"].index)
