"""The scan's part of ``nox -s bench``: a generated 50,000-line user tree
scanned with the API diff already on disk (issue #13: < 5 s).

The tree is what a team's repository looks like to the resolver: most
modules import mlflow under aliases, bind clients, call flavours with
keywords and positional arguments, read run attributes, and define classes
and helpers of their own; some modules do not touch mlflow at all. The diff is
the newest ``results/api/*.json`` when one exists (the real one), else a
synthetic one of about the real size (650 records), so the figure is the
scan's own cost, not the diff's.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from harness.results.api import ApiChange, ApiDiff, files_in, save

MODULE = '''\
"""Generated module {n}: training and registry helpers."""

import os
import mlflow
import mlflow.sklearn as mls
from mlflow import MlflowClient
from mlflow.models import MetricThreshold as MT
from mlflow.entities import RunInfo


class Trainer{n}:
    threshold = 0.8

    def __init__(self, name, client=None):
        self.name = name
        self.client = client or MlflowClient()

    def thresholds(self):
        return {{"acc": MT(threshold=self.threshold, higher_is_better=True), "f1": MT(threshold=0.5, greater_is_better=True)}}

    def fit(self, model, data):
        with mlflow.start_run(run_name=self.name) as run:
            mlflow.log_params({{"n": {n}, "name": self.name}})
            for step, value in enumerate(data):
                mlflow.log_metric("loss", value, step=step)
            info = mls.log_model(model, artifact_path="model", input_example=data[:1])
        return run.info.run_uuid, info.model_uri

    def promote(self, version):
        self.client.transition_model_version_stage(self.name, version, "Staging")
        return [v.version for v in self.client.get_latest_versions(self.name)]


def evaluate_{n}(model_uri, data, thresholds):
    result = mlflow.evaluate(model_uri, data, targets="label", model_type="classifier",
                             validation_thresholds=thresholds)
    return {{k: v for k, v in result.metrics.items() if not k.startswith("_")}}


def legacy_{n}(uuid):
    return RunInfo(uuid, "0", "me", "FINISHED", 0, 1, "active", "/tmp/a", uuid)


def summarize_{n}(rows):
    total = 0
    for row in rows:
        if row.get("ok"):
            total += len(os.path.basename(row["path"]))
        else:
            total -= 1
    return total
'''

PLAIN = '''\
"""Generated module {n}: no mlflow here."""

import json


class Table{n}:
    def __init__(self, rows):
        self.rows = list(rows)

    def to_json(self):
        return json.dumps([dict(r, n={n}) for r in self.rows])


def merge_{n}(a, b):
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out
'''


def generate_tree(directory: Path, lines: int = 50_000) -> tuple[int, int]:
    """Write modules until ``lines`` lines; four in five use mlflow. Returns (files, lines)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = files = 0
    while written < lines:
        template = PLAIN if files % 5 == 4 else MODULE
        text = template.format(n=files)
        (directory / f"module_{files:04d}.py").write_text(text)
        written += text.count("\n")
        files += 1
    return files, written


def synthetic_diff(records: int = 650) -> ApiDiff:
    """A diff of about the real size: most records for objects the tree never touches."""
    changes = [
        ApiChange("parameter_removed", "upgrade", "mlflow.models.evaluation.validation.MetricThreshold.__init__",
                  "higher_is_better", None, None, None, None, ["mlflow.models.MetricThreshold.__init__"]),
        ApiChange("object_removed", "upgrade", "mlflow.entities.run_info.RunInfo.run_uuid", None, None, None, None,
                  None, ["mlflow.entities.RunInfo.run_uuid"]),
        ApiChange("parameter_removed", "upgrade", "mlflow.models.evaluation.base.evaluate", "validation_thresholds",
                  None, None, None, None, ["mlflow.evaluate", "mlflow.models.evaluate"]),
        ApiChange("parameter_moved", "upgrade", "mlflow.entities.run_info.RunInfo.__init__", "run_id", "8", "0",
                  None, None, ["mlflow.entities.RunInfo.__init__"]),
    ]
    for i in range(records - len(changes)):
        kind = ("object_removed", "parameter_removed", "parameter_moved")[i % 3]
        path = f"mlflow.flavor{i % 40}.Thing{i % 7}.method{i}" if i % 2 else f"mlflow.flavor{i % 40}.function{i}"
        changes.append(ApiChange(kind, "upgrade" if i % 4 else "rollback", path,
                                 None if kind == "object_removed" else f"param{i}",
                                 "3" if kind == "parameter_moved" else None, "4" if kind == "parameter_moved" else None,
                                 None, None, [path]))
    return ApiDiff(baseline="2.9.2", candidate="3.17.2", created_at="2026-11-28T00:00:00Z", changes=changes,
                   settings={"synthetic": "nox -s bench"})


def diff_for_bench(results_dir: Path, work: Path) -> tuple[Path, str]:
    real = files_in(results_dir / "api")
    if real:
        return real[-1], "results/api (real)"
    path = work / "api" / "2.9.2__3.17.2.json"
    save(synthetic_diff(), path)
    return path, "synthetic, 650 records"


def bench_scan(work: Path, results_dir: Path, lines: int = 50_000, target_s: float = 5.0) -> dict:
    """Time ``python -m harness scan`` (whole command) and the scan alone on a generated tree."""
    from harness.scan import scan_paths
    from harness.results.api import load

    tree = work / "scan-tree"
    files, written = generate_tree(tree, lines)
    diff_file, which = diff_for_bench(results_dir, work)
    root = Path(__file__).resolve().parents[2]
    cmd = [sys.executable, "-m", "harness", "scan", str(tree), "--diff", str(diff_file), "--results-dir",
           str(work / "no-results"), "--format", "json", "--output", str(work / "scan.json")]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("GITHUB_ACTIONS", None)
    samples, cpu = [], []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)
        samples.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"scan failed ({proc.returncode}): {proc.stderr[-1500:]}")
    start = time.perf_counter()
    result = scan_paths([tree], [load(diff_file)], [])
    in_process = time.perf_counter() - start
    best = min(samples)
    print(
        f"  scan of {written} lines in {files} files (diff: {which}): best {best:.2f}s wall of {len(samples)}, "
        f"{min(cpu):.2f}s CPU (whole command, JSON output; target < {target_s}s), in-process scan {in_process:.2f}s; "
        f"{len(result.findings)} findings (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
        flush=True,
    )
    return {"lines": written, "files": files, "diff": which, "best_s": best, "samples_s": samples,
            "cpu_s": cpu, "in_process_s": in_process, "findings": len(result.findings)}
