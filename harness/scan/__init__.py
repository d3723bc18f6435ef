"""``scan``: the places in the user's code that MLflow's API changes affect.

One module per job: ``sources`` (which files, reading and parsing them),
``resolve`` (qualified names through imports, aliases and instances),
``changes`` (API-diff records indexed by public path), ``rules`` (records ->
affected uses), ``evidence`` (which scenario covers an API, its matrix cells),
``deprecations`` (deprecations observed in run files, tied to an API),
``replacements`` (idiom pairs and a curated table), ``engine`` (the chain),
``findings`` (the records), ``formats``/``sarif`` (outputs), ``fix`` (``--fix``),
``inputs`` (which result files to read).

The gate and the report call :func:`scan_paths` with diffs and runs they
have loaded and read :class:`ScanResult` (``breaking()`` is what fails a gate).
"""

from harness.scan.engine import ScanResult, scan_paths
from harness.scan.findings import Finding, Problem, Severity

__all__ = ["Finding", "Problem", "ScanResult", "Severity", "scan_paths"]
