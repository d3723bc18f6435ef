"""Bad inputs and bad places: corrupt run files, partial runs, results
directories that cannot be written, two reports at once. No MLflow needed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.runner import driver
from harness.cli import main
from harness.errors import ResultsError
from harness.results.runs import save_run
from tests.factories import run_file, scenario, write, write_raw
from tests.mlflow_envs import ROOT

GOOD = run_file("2.9.2", [scenario("tracking.good")])
_valid = run_file("3.1.4", [scenario("tracking.good")], spec="3.1").to_dict()


def _variant(**changes):
    data = json.loads(json.dumps(_valid))
    for key, value in changes.items():
        target = data
        *path, last = key.split(".")
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return json.dumps(data)


BAD_FILES = {
    "truncated.json": json.dumps(_valid)[:200],
    "empty.json": "",
    "garbage.json": "this is not json",
    "binary.json": b"\x89PNG\r\n\x1a\n\xff\xfe\x00".decode("latin-1"),
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "list.json": "[1, 2]",
    "schema2.json": _variant(schema_version=2),
    "nolabel.json": json.dumps({k: v for k, v in _valid.items() if k != "label"}),
    "status.json": _variant(**{"scenarios.0.status": "exploded"}),
    "duration.json": _variant(**{"scenarios.0.duration_s": "fast"}),
    "errortype.json": _variant(**{"scenarios.0.error": "TypeError"}),
    "warnings.json": _variant(**{"scenarios.0.warnings": ["careful"]}),
    "samples.json": _variant(**{"scenarios.0.timing": {"unit": "s", "samples": ["1"]}}),
    "packages.json": _variant(packages=["mlflow"]),
}


def _write_bad(runs: Path) -> None:
    for name, text in BAD_FILES.items():
        path = runs / name
        if name == "binary.json":
            path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
        else:
            write_raw(path, text)
    (runs / "adir.json").mkdir()


def test_corrupt_truncated_and_wrong_schema_files_are_one_line_each_and_the_rest_reports(results_dir, capsys):
    runs = results_dir / "runs"
    write(runs, GOOD)
    _write_bad(runs)
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    bad = [*BAD_FILES, "adir.json"]
    assert len(lines) == len(bad), captured.err
    for name in bad:
        (line,) = [line for line in lines if f"{runs / name}:" in line]
        assert line.startswith("mlflow-compat: skipped ")
    assert "Traceback" not in captured.err
    assert "tracking.good" in captured.out and "2.9.2" in captured.out
    assert json.loads((results_dir / "matrix.json").read_text())["problems"]


def test_nothing_usable_exits_2_with_one_line(results_dir, capsys):
    _write_bad(results_dir / "runs")
    assert main(["report", "--results-dir", str(results_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("mlflow-compat: no usable run file")
    assert "truncated.json" in err


def test_partial_run_files_are_never_reported(results_dir, capsys):
    runs = results_dir / "runs"
    write(runs, GOOD)
    partial = run_file("3.1.4", [scenario("tracking.half")], run_status="interrupted")
    save_run(partial, runs / "mlflow-3.1.4.partial.json")
    write(runs, partial)  # an interrupted run's file renamed to look final
    assert main(["report", "--results-dir", str(results_dir)]) == 0
    captured = capsys.readouterr()
    assert "tracking.good" in captured.out and "tracking.half" not in captured.out
    (line,) = captured.err.strip().splitlines()  # the .partial.json is not even looked at
    assert "mlflow-3.1.4.json: partial results of an interrupted run" in line
    # named explicitly (a shell glob), partials are still left out
    assert main(["report", "--results-dir", str(results_dir), *map(str, sorted(runs.glob("*.json")))]) == 0
    captured = capsys.readouterr()
    assert "tracking.half" not in captured.out and len(captured.err.strip().splitlines()) == 2


def _one_line_exit_2(proc: subprocess.CompletedProcess, *needles: str) -> str:
    err = proc.stderr.strip()
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], err[-2000:])
    assert len(err.splitlines()) == 1 and err.startswith("mlflow-compat:"), err
    for needle in needles:
        assert needle in err, err
    return err


def _harness(*args: str, python: str = sys.executable, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MLFLOW_COMPAT_VERSIONS", None)
    return subprocess.run([python, "-m", "harness", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def quick_scenario(tmp_path) -> Path:
    path = tmp_path / "quick.py"
    path.write_text("from harness.scenario import scenario\n\n"
                    "@scenario(id='q.ok', area='q', kind='capability')\ndef ok(ctx):\n    pass\n")
    return path


def test_results_dir_that_cannot_exist_is_one_line_exit_2(tmp_path, quick_scenario):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    target = blocker / "results"
    _one_line_exit_2(_harness("report", "--results-dir", str(target)), str(target), "cannot be created")
    _one_line_exit_2(
        _harness("run", "--no-builtin", "--scenario-path", str(quick_scenario), "--results-dir", str(target)),
        str(target), "cannot be created",
    )


def test_missing_results_dir_for_report_is_one_line_exit_2(tmp_path):
    _one_line_exit_2(_harness("report", "--results-dir", str(tmp_path / "nowhere")), "no run files")


def _can_mount_read_only(path: Path) -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro {path} {path}"],
                           capture_output=True)
    return probe.returncode == 0


def test_read_only_results_dir_is_one_line_exit_2_even_for_root(tmp_path):
    results = tmp_path / "results"
    write(results / "runs", GOOD)
    if not _can_mount_read_only(results):
        pytest.skip("needs root and mount namespaces to make a read-only mount")
    # root ignores permission bits, so a read-only bind mount in a private mount namespace
    cmd = (f"mount --bind -o ro {results} {results} && exec {sys.executable} -m harness report "
           f"--results-dir {results}")
    proc = subprocess.run(["unshare", "-m", "sh", "-c", cmd], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    _one_line_exit_2(proc, str(results), "not writable")
    assert not (results / "matrix.md").exists()


def test_read_only_results_dir_is_one_line_exit_2_for_a_normal_user(request):
    """What a non-root user sees: the permission bits hold."""
    site = next(p for p in sys.path if p.endswith("site-packages"))
    system_python = shutil.which("python3", path="/usr/bin:/bin")
    if os.geteuid() != 0 or not shutil.which("setpriv") or not system_python:
        pytest.skip("needs root (to switch to nobody), setpriv and a system python3")
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="faults-nobody-"))  # pytest's own tmp is 0700
    request.addfinalizer(lambda: shutil.rmtree(home, ignore_errors=True))
    results = home / "results"
    write(results / "runs", GOOD)
    os.chmod(home, 0o755)
    os.chmod(results, 0o555)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT}{os.pathsep}{site}", "HOME": str(home)}
    proc = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", system_python,
         "-m", "harness", "report", "--results-dir", str(results)],
        cwd="/", env=env, capture_output=True, text=True, timeout=120,
    )
    if "No module named" in proc.stderr or "Permission denied" in proc.stderr and "python" in proc.stderr:
        pytest.skip(f"nobody cannot run the harness here: {proc.stderr.strip()[-200:]}")
    _one_line_exit_2(proc, str(results), "not writable")


def test_runner_reports_a_run_file_it_cannot_write_as_one_error(tmp_path):
    blocker = tmp_path / "runs"
    blocker.write_text("the results directory was replaced by a file mid-run")
    with pytest.raises(ResultsError, match=r"runs/x\.partial\.json: cannot write the run file"):
        driver.save(GOOD, blocker / "x.partial.json")


def test_report_cannot_write_outputs_is_one_line(results_dir, capsys):
    write(results_dir / "runs", GOOD)
    (results_dir / "matrix.md").mkdir()  # an output path that cannot be replaced
    assert main(["report", "--results-dir", str(results_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot write the report" in err


def test_two_reports_at_once_both_leave_complete_valid_outputs(results_dir):
    runs = results_dir / "runs"
    ids = [f"area{a}.scenario.n{i:03d}" for a in range(4) for i in range(60)]
    for version, spec in (("2.9.2", "2.9"), ("2.22.5", "2.22"), ("3.1.4", "3.1"), ("3.17.2", "3")):
        # many scenarios, so the two writers overlap; no samples: charts are not what is tested here
        write(runs, run_file(version, [scenario(sid) for sid in ids], spec=spec))

    def report(_):
        return _harness("report", "--results-dir", str(results_dir), "-q")

    for _ in range(3):
        with ThreadPoolExecutor(2) as pool:
            procs = list(pool.map(report, range(2)))
        for proc in procs:
            assert proc.returncode == 0, proc.stderr[-2000:]
            assert proc.stdout.strip().splitlines()[-1].startswith("wrote ")
        matrix = json.loads((results_dir / "matrix.json").read_text())
        assert [s["id"] for s in matrix["scenarios"]] == sorted(ids)
        md = (results_dir / "matrix.md").read_text()
        assert f"| {sorted(ids)[-1]}" in md and md.endswith("\n")
        assert not [p for p in results_dir.iterdir() if p.name.startswith(".")], "temporary files left"
