"""The libraries policy: cutoffs from upload times, installer flags, what an
environment was installed with. Upload times come from a recorded cache or the
recorded index response on 127.0.0.1; nothing is installed."""

from __future__ import annotations

import json
import os
import stat

import pytest

from harness import libraries, versions
from harness.libraries import LibrariesPlan, cutoff_for, plan_for
from tests.fake_index import FakeIndex


def _recorded_uploads(config) -> None:
    """A cache as the index left it (upload times as recorded from pypi.org)."""
    cache = config.results_dir / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "uploads-mlflow.json").write_text(json.dumps({
        "2.9.2": "2023-12-14T05:30:49.658170Z",
        "3.18.0": "2026-11-03T23:46:06Z",
    }))


def test_the_default_policy_is_release_with_a_day_of_grace(make_config):
    config = make_config()
    assert config.libraries == "release" and config.libraries_grace_days == 1


@pytest.mark.parametrize(
    "uploaded, grace, cutoff",
    [
        # mlflow 2.9.2 and one day of grace
        ("2023-12-14T05:30:49.658170Z", 1, "2023-12-15T05:30:50Z"),
        # no grace: still after the release's own first file (installers keep
        # only what was uploaded strictly before the cutoff)
        ("2023-12-14T05:30:49.658170Z", 0, "2023-12-14T05:30:50Z"),
        ("2026-11-03T23:46:06Z", 0, "2026-11-03T23:46:07Z"),
        ("2026-11-03T23:46:06Z", 0.5, "2026-11-04T11:46:07Z"),
        ("2023-12-14T07:30:49+02:00", 7, "2023-12-21T05:30:50Z"),
    ],
)
def test_cutoff_is_the_upload_time_plus_grace_rounded_up(uploaded, grace, cutoff):
    assert cutoff_for(uploaded, grace) == cutoff
    assert versions.parse_upload_time(cutoff) > versions.parse_upload_time(uploaded)


def test_release_plan_uses_the_recorded_upload_time(make_config):
    config = make_config()
    _recorded_uploads(config)
    plan = plan_for("2.9.2", config, libraries.UV)
    assert plan.applied == "release" and plan.cutoff == "2023-12-15T05:30:50Z"
    assert plan.installer_args("uv") == ["--exclude-newer", "2023-12-15T05:30:50Z"]
    assert plan.installer_args("pip") == ["--uploaded-prior-to", "2023-12-15T05:30:50Z"]
    assert plan.facts() == {
        "policy": "release", "applied": "release", "released_at": "2023-12-14T05:30:49.658170Z",
        "grace_days": 1.0, "cutoff": "2023-12-15T05:30:50Z",
    }


def test_grace_comes_from_the_config(make_config):
    config = make_config(libraries_grace_days=30)
    _recorded_uploads(config)
    assert plan_for("2.9.2", config, libraries.UV).cutoff == "2024-01-13T05:30:50Z"


def test_latest_policy_adds_nothing(make_config):
    plan = plan_for("2.9.2", make_config(libraries="latest"), libraries.UV)
    assert plan.applied == "latest" and plan.installer_args("uv") == [] and not plan.note
    assert plan.facts()["cutoff"] is None


def test_release_from_the_recorded_index_response(make_config, monkeypatch):
    config = make_config()
    monkeypatch.setattr(versions, "_fetch_with_pip", lambda package: (_ for _ in ()).throw(OSError("off")))
    with FakeIndex() as index:
        monkeypatch.setenv("UV_INDEX_URL", index.url)
        assert plan_for("3.17.2", config, libraries.UV).cutoff == "2026-10-22T02:08:43Z"
        unknown = plan_for("9.9.9", config, libraries.UV)
    assert unknown.applied == "latest" and "no upload date for mlflow 9.9.9" in unknown.note


def test_unknown_upload_date_falls_back_to_latest_and_says_why(make_config, monkeypatch):
    monkeypatch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")  # unreachable, and no cache
    monkeypatch.setattr(versions, "_fetch_with_pip", lambda package: (_ for _ in ()).throw(OSError("off")))
    plan = plan_for("2.9.2", make_config(), libraries.UV)
    assert plan.policy == "release" and plan.applied == "latest"
    assert "upload date of mlflow 2.9.2 is unknown" in plan.note and plan.installer_args("uv") == []


def _fake_python(tmp_path, pip_help: str, pip_config: str = "") -> str:
    """An executable that answers ``-m pip install --help`` and ``-m pip config list`` like a pip would."""
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    python = venv / "python"
    python.write_text(
        f"#!/bin/sh\nif [ \"$3\" = config ]; then cat <<'EOF'\n{pip_config}\nEOF\n"
        f"else cat <<'EOF'\n{pip_help}\nEOF\nfi\n"
    )
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return str(python)


def test_pip_without_uploaded_prior_to_cannot_apply_the_policy(make_config, tmp_path):
    config = make_config()
    _recorded_uploads(config)
    old_pip = _fake_python(tmp_path, "Usage: pip install [options]\n  --upgrade")
    plan = plan_for("2.9.2", config, libraries.PIP, old_pip)
    assert plan.applied == "latest" and "--uploaded-prior-to" in plan.note
    assert plan.facts()["note"] == plan.note and plan.facts()["released_at"] == "2023-12-14T05:30:49.658170Z"


def test_pip_with_uploaded_prior_to_applies_it(make_config, tmp_path):
    config = make_config()
    _recorded_uploads(config)
    new_pip = _fake_python(tmp_path, "  --uploaded-prior-to <datetime_or_duration>")
    plan = plan_for("2.9.2", config, libraries.PIP, new_pip)
    assert plan.applied == "release" and plan.installer_args("pip")[0] == "--uploaded-prior-to"
    assert not plan.caveat and "caveat" not in plan.facts()


def test_pip_sources_without_upload_times_are_named(make_config, tmp_path):
    config = make_config()
    _recorded_uploads(config)
    pip_config = "\n".join([
        "global.cert='/etc/ssl/certs/ca-certificates.crt'",
        "global.index-url='https://pypi.org/simple'",
        "global.extra-index-url='file:///opt/pypi/simple https://mirror.example/simple'",
        "global.find-links='/opt/wheels'",
        ":env:.find-links='/opt/wheels'",
    ])
    python = _fake_python(tmp_path, "  --uploaded-prior-to <datetime>", pip_config)
    plan = plan_for("2.9.2", config, libraries.PIP, python)
    assert plan.applied == "release" and plan.cutoff
    assert plan.caveat.startswith("pip also reads file:///opt/pypi/simple, /opt/wheels, which give no upload times")
    assert plan.facts()["caveat"] == plan.caveat


# -- what an environment holds ------------------------------------------------------
RELEASE_PLAN = LibrariesPlan("release", "release", "2023-12-14T05:30:49Z", 1, "2023-12-15T05:30:50Z")
LATEST_PLAN = LibrariesPlan("latest", "latest")


def test_an_empty_environment_needs_no_reinstall(tmp_path):
    python = str(tmp_path / "bin" / "python")
    assert not libraries.needs_reinstall(python, RELEASE_PLAN, has_packages=lambda: False)


def test_an_unmarked_environment_with_packages_holds_the_latest_libraries(tmp_path):
    python = str(tmp_path / "bin" / "python")
    assert libraries.needs_reinstall(python, RELEASE_PLAN, has_packages=lambda: True)
    assert not libraries.needs_reinstall(python, LATEST_PLAN, has_packages=lambda: True)


def test_the_marker_says_what_an_environment_holds(tmp_path):
    python = str(tmp_path / "bin" / "python")
    libraries.record_state(python, RELEASE_PLAN)
    asked = []
    assert not libraries.needs_reinstall(python, RELEASE_PLAN, has_packages=lambda: asked.append(1) or True)
    assert asked == []  # the marker answers: no need to look inside the environment
    later = LibrariesPlan("release", "release", "2023-12-14T05:30:49Z", 7, "2023-12-21T05:30:50Z")
    assert libraries.needs_reinstall(python, later, has_packages=lambda: True)
    assert libraries.needs_reinstall(python, LATEST_PLAN, has_packages=lambda: True)
    assert json.loads((tmp_path / libraries.MARKER).read_text()) == {
        "libraries": "release", "cutoff": "2023-12-15T05:30:50Z",
    }
    os.remove(tmp_path / libraries.MARKER)
