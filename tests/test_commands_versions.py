"""``versions``: what a CI job matrix is built from, read from the project's configuration."""

from __future__ import annotations

import json

from harness.cli import main
from harness.commands.versions import describe
from harness.config import load_config


def test_the_json_lists_each_session_with_its_role_and_pin(tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "requirements.txt").write_text("mlflow==2.9.2\n")
    (repo / "pyproject.toml").write_text('[tool.mlflow-compat]\nversions = ["2.9", "3.1"]\n'
                                         'environment = "requirements.txt"\npytest_paths = ["tests"]\n')
    monkeypatch.chdir(repo)
    assert main(["versions", "--json", "--no-resolve"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["baseline"] == "2.9.2" and data["sessions"] == ["mlflow-2.9.2", "mlflow-3.1"]
    assert data["versions"][0] == {"spec": "2.9.2", "session": "mlflow-2.9.2", "role": "baseline",
                                   "resolves_to": None, "pin": {"requirement": "mlflow==2.9.2",
                                                                "source": "requirements.txt"}}
    assert data["versions"][1]["role"] == "candidate" and data["versions"][1]["pin"] is None
    assert data["environment"] == ["requirements.txt"] and data["tests"] == ["tests"]
    assert data["matrix"] == {"include": [{"version": "2.9.2", "session": "mlflow-2.9.2"},
                                          {"version": "3.1", "session": "mlflow-3.1"}]}
    assert main(["versions", "--no-resolve"]) == 0
    text = capsys.readouterr().out
    assert "mlflow-2.9.2" in text and "mlflow==2.9.2 from requirements.txt" in text and "tests: tests" in text


def test_a_pinned_spec_resolves_to_its_pin_and_an_unreachable_index_is_null(tmp_path, monkeypatch):
    from harness import versions
    from harness.errors import VersionError

    def unreachable(spec, cache):
        raise VersionError("the index cannot be reached")

    monkeypatch.setattr(versions, "resolve", unreachable)
    (tmp_path / "r.txt").write_text("mlflow==3.1.4\n")
    config = load_config(env={}, candidate_from=[str(tmp_path / "r.txt")])
    rows = {r["spec"]: r["resolves_to"] for r in describe(config)["versions"]}
    assert rows == {config.baseline: None, "3.1.4": "3.1.4"}
