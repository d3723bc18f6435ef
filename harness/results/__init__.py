"""Result files: the only interface between the environments that produce
results and the analysis that reads them (DESIGN.md, "The flow").

Each kind is one module with a versioned JSON schema and one loader:

* ``runs``  -- ``results/runs/<label>.json``: one version's scenario cells
* ``cross`` -- ``results/cross/<baseline>__<candidate>.json``: cross-version steps
* ``api``   -- ``results/api/<baseline>__<candidate>.json``: the static API diff, both directions

``files`` holds what they share (corrupt-safe reading, atomic writing, the
schema header check). A new kind is a new module here with ``SCHEMA_VERSION``,
dataclasses with ``to_dict``/``from_dict``, ``validate``, ``load``/``save`` and
``files_in``/``load_all``; ``harness.analysis.inputs`` then loads it once.
"""
