from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from harness import versions
from harness.errors import ConfigError, VersionError

RELEASES = ["2.9.0", "2.9.2", "2.9.1", "2.22.5", "3.1.4", "3.10.0", "3.17.2", "3.18.0", "3.19.0rc0", "3.1.0"]


def test_family_resolves_newest_final_release_first():
    assert versions.candidates("3", RELEASES) == ["3.18.0", "3.17.2", "3.10.0", "3.1.4", "3.1.0"]
    assert versions.candidates("2.9", RELEASES) == ["2.9.2", "2.9.1", "2.9.0"]


def test_family_does_not_match_a_longer_minor():
    assert versions.candidates("3.1", RELEASES) == ["3.1.4", "3.1.0"]
    assert not versions.matches("3.1", "3.10.0")


def test_exact_release_is_used_as_written():
    assert versions.candidates("3.1.4", RELEASES) == ["3.1.4"]
    assert versions.resolve("9.9.9") == ["9.9.9"]


def test_unknown_family_has_no_candidates():
    assert versions.candidates("9", RELEASES) == []


def test_invalid_spec_is_rejected():
    with pytest.raises(ConfigError):
        versions.candidates("latest", RELEASES)


def test_release_list_comes_from_the_cache_when_fresh(tmp_path):
    (tmp_path / "releases-mlflow.json").write_text('["3.1.4", "3.2.0"]')
    assert versions.list_releases(tmp_path) == ["3.1.4", "3.2.0"]


# -- upload times (PEP 700), from a recorded index response served on 127.0.0.1 --
from tests.fake_index import FakeIndex  # noqa: E402


def _no_pip_index(package):
    raise OSError("pip index is not asked in unit tests")


@pytest.fixture
def fake_index(monkeypatch):
    """The recorded index on 127.0.0.1; pip's own index lookup (the fallback) is off."""
    monkeypatch.setattr(versions, "_fetch_with_pip", _no_pip_index)
    with FakeIndex() as index:
        monkeypatch.setenv("UV_INDEX_URL", index.url)
        monkeypatch.delenv("PIP_INDEX_URL", raising=False)
        yield index


def test_release_upload_time_is_its_first_file(fake_index, tmp_path):
    # 2.1.1's sdist came 19 days after its wheel: the release date is the wheel's
    assert versions.release_uploaded_at("2.1.1", tmp_path) == "2022-12-26T08:02:39.865466Z"
    assert versions.release_uploaded_at("2.9.2", tmp_path) == "2023-12-14T05:30:49.658170Z"
    assert versions.release_uploaded_at("9.9.9", tmp_path) is None
    # the release list came with it, without the yanked 2.12.0
    assert "2.12.0" not in versions.list_releases(tmp_path) and "3.18.0" in versions.list_releases(tmp_path)


def test_upload_times_are_cached_for_good_and_used_when_the_index_is_gone(fake_index, tmp_path, monkeypatch):
    assert versions.release_uploaded_at("3.17.2", tmp_path) == "2026-10-21T02:08:42.779429Z"
    asked = len(fake_index.requests)
    cache = tmp_path / "uploads-mlflow.json"
    os.utime(cache, (0, 0))  # however old: an upload time never changes
    assert versions.release_uploaded_at("3.17.2", tmp_path) == "2026-10-21T02:08:42.779429Z"
    assert len(fake_index.requests) == asked
    monkeypatch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")  # nothing listens there
    assert versions.release_uploaded_at("2.9.2", tmp_path) == "2023-12-14T05:30:49.658170Z"
    (tmp_path / "releases-mlflow.json").unlink()
    cache.unlink()
    with pytest.raises(VersionError, match="could not list mlflow releases"):
        versions.release_uploaded_at("2.9.2", tmp_path)


def test_a_stale_release_list_is_used_when_the_index_is_unreachable(tmp_path, monkeypatch):
    cache = tmp_path / "releases-mlflow.json"
    cache.write_text('["2.9.2"]')
    os.utime(cache, (0, 0))
    monkeypatch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setattr(versions, "_fetch_with_pip", _no_pip_index)
    assert versions.list_releases(tmp_path) == ["2.9.2"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-12-14T05:30:49.658170Z", datetime(2023, 12, 14, 5, 30, 49, 658170, tzinfo=timezone.utc)),
        ("2026-11-03T23:46:06Z", datetime(2026, 11, 3, 23, 46, 6, tzinfo=timezone.utc)),
        ("2023-12-14T07:30:49.65817+02:00", datetime(2023, 12, 14, 5, 30, 49, 658170, tzinfo=timezone.utc)),
        ("2023-12-14T05:30:49.1234567891Z", datetime(2023, 12, 14, 5, 30, 49, 123456, tzinfo=timezone.utc)),
    ],
)
def test_upload_times_parse_as_utc(text, expected):
    assert versions.parse_upload_time(text) == expected


def test_an_unreadable_upload_time_is_a_version_error():
    with pytest.raises(VersionError, match="unreadable upload time"):
        versions.parse_upload_time("last tuesday")
