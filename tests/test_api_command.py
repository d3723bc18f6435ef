"""``python -m harness api`` (harness.commands.api): pairs, summary lines, one-line failures."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("griffe")

from harness.api.source import SourceError  # noqa: E402
from harness.cli import main  # noqa: E402
from tests.api_releases import NEW, OLD, write_release  # noqa: E402


@pytest.fixture
def project(tmp_path, monkeypatch):
    write_release(tmp_path / "cache" / "1.0.0", OLD, "1.0.0", manifest=True)
    write_release(tmp_path / "cache" / "2.0.0", NEW, "2.0.0", manifest=True)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlflow-compat]\nresults_dir = "results"\nbaseline = "1.0.0"\nversions = ["1.0.0", "2.0.0"]\n'
        '[tool.mlflow-compat.api]\nsource_cache = "cache"\n'
    )

    def refuse(requirements, target):
        raise SourceError(f"cannot fetch {' '.join(requirements)}: not on the index")

    monkeypatch.setattr("harness.api.source.install_no_deps", refuse)
    return tmp_path


def test_default_pairs_summary_and_file(project, capsys):
    assert main(["api", "--config", str(project / "pyproject.toml")]) == 0
    out = capsys.readouterr().out
    assert "api 1.0.0 -> 2.0.0" in out
    assert "upgrade  1.0.0 -> 2.0.0:" in out and "rollback 2.0.0 -> 1.0.0:" in out
    assert "mlflow/models/validation.py:2: parameter_removed: mlflow.MetricThreshold: parameter higher_is_better" in out
    data = json.loads((project / "results" / "api" / "1.0.0__2.0.0.json").read_text())
    assert data["kind"] == "mlflow-compat-api" and data["baseline"] == "1.0.0"
    assert main(["api", "--config", str(project / "pyproject.toml"), "-q"]) == 0
    out = capsys.readouterr().out
    assert "current, reused" in out and "parameter_removed: mlflow.MetricThreshold" not in out


def test_an_unfetchable_release_is_one_line_and_the_other_pairs_still_run(project, capsys):
    code = main(["api", "--config", str(project / "pyproject.toml"),
                 "--candidate", "9.9.9", "--candidate", "2.0.0", "--limit", "2"])
    captured = capsys.readouterr()
    assert code == 2
    errors = [line for line in captured.err.splitlines() if line]
    assert len(errors) == 1 and errors[0].startswith("mlflow-compat: ") and "9.9.9" in errors[0]
    assert "Traceback" not in captured.err
    assert (project / "results" / "api" / "1.0.0__2.0.0.json").is_file()
    assert "more user-facing changes in the file" in captured.out


@pytest.mark.parametrize("argv, message", [
    (["--limit", "-1"], "--limit"),
    (["--baseline", "three"], "'three' is not a version spec"),
    (["--candidate", "1.0.0"], "no candidate"),
])
def test_bad_input_is_one_line_and_exit_2(project, capsys, argv, message):
    assert main(["api", "--config", str(project / "pyproject.toml"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlflow-compat: ") and message in err and "\n" not in err
