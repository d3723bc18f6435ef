from __future__ import annotations

import pytest

from harness import versions
from harness.errors import ConfigError

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
