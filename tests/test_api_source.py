"""harness.api.source: a release's source from an environment, the cache, or a --no-deps fetch.
The installer is replaced by one that writes a fake distribution: nothing is downloaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.api import source
from harness.api.source import SourceError, fetch, find_in_environments, release_source
from tests.api_releases import OLD, write_release


def fake_installer(calls: list[list[str]], siblings: str = ""):
    """Installs ``mlflow==V`` as the OLD tree (plus a JavaScript asset); sibling distributions
    as a dist-info whose RECORD lists part of the package."""

    def install(requirements: list[str], target: Path) -> None:
        calls.append(list(requirements))
        for requirement in requirements:
            name, version = requirement.split("==")
            if name == "mlflow":
                write_release(target, OLD, version)
                (target / "mlflow" / "server" / "js").mkdir(parents=True)
                (target / "mlflow" / "server" / "js" / "main.js").write_text("x")
                metadata = target / f"mlflow-{version}.dist-info" / "METADATA"
                metadata.write_text(metadata.read_text() + siblings.replace("V", version))
            else:
                info = target / f"{name.replace('-', '_')}-{version}.dist-info"
                info.mkdir()
                (info / "RECORD").write_text("mlflow/__init__.py,,\nmlflow/tracking.py,,\n")

    return install


def test_fetch_installs_the_same_version_siblings_and_keeps_only_sources(tmp_path):
    calls: list[list[str]] = []
    siblings = (
        "Requires-Dist: mlflow-skinny==V\nRequires-Dist: mlflow-tracing==V\n"
        "Requires-Dist: mlflow-dbstore; extra == \"sqlserver\"\nRequires-Dist: mlflow-other==0.1\n"
    )
    found = fetch("3.5.0", tmp_path, fake_installer(calls, siblings))
    assert calls == [["mlflow==3.5.0"], ["mlflow-skinny==3.5.0", "mlflow-tracing==3.5.0"]]
    assert found.origin == "fetched" and found.root == tmp_path / "3.5.0"
    assert found.distributions == {"mlflow": len([f for f in OLD if f.endswith(".py")]), "mlflow-skinny": 2, "mlflow-tracing": 2}
    assert not (found.root / "mlflow" / "server" / "js" / "main.js").exists()
    assert (found.root / "mlflow" / "tracking.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["3.5.0"]  # no temporary directory left
    manifest = json.loads((found.root / source.MANIFEST).read_text())
    assert manifest["version"] == "3.5.0"


def test_a_cached_release_is_not_fetched_again(tmp_path):
    calls: list[list[str]] = []
    fetch("2.9.2", tmp_path, fake_installer(calls))
    again = release_source("2.9.2", tmp_path, install=fake_installer(calls))
    assert again.origin == "cache" and len(calls) == 1


def test_an_environment_that_has_the_release_is_read_in_place(tmp_path):
    site = tmp_path / ".nox" / "mlflow-2.9" / "lib" / "python3.11" / "site-packages"
    write_release(site, OLD, "2.9.2")
    assert find_in_environments("2.9.2", [tmp_path / ".nox"]) == site
    assert find_in_environments("2.9.3", [tmp_path / ".nox"]) is None
    found = release_source("2.9.2", tmp_path / "cache", [tmp_path / ".nox"], install=fake_installer([]))
    assert found.origin == "environment" and found.root == site
    assert not (tmp_path / "cache").exists()


def test_a_release_that_cannot_be_fetched_is_one_line_and_leaves_nothing(tmp_path):
    def refuse(requirements, target):
        raise SourceError(f"cannot fetch {' '.join(requirements)}: No solution found: mlflow==9.9.9 does not exist")

    with pytest.raises(SourceError) as info:
        release_source("9.9.9", tmp_path, install=refuse)
    assert "9.9.9" in str(info.value) and "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_the_real_installer_reports_its_failure_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("harness.envs.find_uv", lambda: None)
    monkeypatch.setattr(source.sys, "executable", "/nonexistent/python")
    with pytest.raises(SourceError) as info:
        source.install_no_deps(["mlflow==1.0.0"], tmp_path)
    assert "\n" not in str(info.value)
