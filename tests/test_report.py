from __future__ import annotations

import json

from harness.cli import main
from tests.factories import run_file, scenario, write, write_raw


def test_report_writes_matrix_files_and_prints_the_matrix(results_dir, capsys):
    runs = results_dir / "runs"
    write(runs, run_file("2.9.2", [scenario("models.log.name_kwarg", "error"), scenario("tracking.x", samples=[0.1, 0.11])]))
    write(runs, run_file("3.17.2", [scenario("models.log.name_kwarg"), scenario("tracking.x", samples=[0.1, 0.1])], spec="3"))
    code = main(["report", "--results-dir", str(results_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert "models.log.name_kwarg" in out and "2.9.2 (baseline)" in out and "3.17.2" in out
    matrix = json.loads((results_dir / "matrix.json").read_text())
    assert matrix["baseline"] == "mlflow-2.9.2"
    assert matrix["comparisons"]["mlflow-3.17.2"]["verdicts"]["models.log.name_kwarg"]["verdict"] == "fixed"
    md = (results_dir / "matrix.md").read_text()
    assert "| models.log.name_kwarg" in md


def test_report_with_one_corrupt_file_still_reports_the_rest(results_dir, capsys):
    runs = results_dir / "runs"
    write(runs, run_file("2.9.2", [scenario("a.b")]))
    write_raw(runs / "mlflow-3.1.4.json", '{"schema_version": 1')
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    captured = capsys.readouterr()
    assert "mlflow-3.1.4.json" in captured.err and "corrupt JSON" in captured.err


def test_report_with_nothing_usable_exits_2_with_one_line(results_dir, capsys):
    write_raw(results_dir / "runs" / "x.json", "garbage")
    assert main(["report", "--results-dir", str(results_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mlflow-compat:") and len(err.splitlines()) == 1


def test_install_failure_column_is_reported(results_dir, capsys):
    runs = results_dir / "runs"
    write(runs, run_file("2.9.2", [scenario("a.b")]))
    write(runs, run_file("9.9.9", [], spec="9.9.9", run_status="install_failed",
                         install_error="no release of '9.9.9' installed:\nerror: no version of mlflow==9.9.9"))
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    out = capsys.readouterr().out
    assert "INSTALL FAILED: 9.9.9" in out and "no version of mlflow==9.9.9" in out
