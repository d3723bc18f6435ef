"""Cross-version checks: what one MLflow version wrote, read by another.

The per-version runs answer "does this work on version X"; rolling back or
upgrading half a fleet also needs "does what X wrote still work on Y". This
package pairs the baseline with the newest candidate and runs, each step in the
right environment as its own subprocess with a timeout, one check group after
another:

- ``artifacts``: a model logged by one version is loaded by the other (both
  directions, plus same-version controls);
- ``database`` (``db``): a sqlite tracking store filled by the baseline, opened
  by the candidate without and after ``mlflow db upgrade``, then by the
  baseline again;
- ``server``: each version's real ``mlflow server`` called by each version's
  client (a client x server grid).

Each group module holds its step ids (``STEPS``), its orchestration and its
in-environment functions, and registers as a ``GROUP``; ``groups`` lists them
and runs a pair; ``orchestrate`` is the plumbing they share (the two sides,
calling a step in an environment through ``harness.procs.supervise``,
recording a step; stdlib only); ``inenv`` is what their in-environment
functions share (one check through ``harness.runner.capture``); ``pairing``
says which two versions and which environments; ``cli`` is
``python -m harness.crossversion run|show|step``. The result file schema is
``harness.results.cross``; what the report shows and advises lives in
``harness.report.cross`` and ``harness.analysis.crossadvice``. Results go to
``results/cross/<baseline>__<candidate>.json``.
"""
