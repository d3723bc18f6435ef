"""Cross-version checks: what one MLflow version wrote, read by another.

The per-version runs answer "does this work on version X"; rolling back or
upgrading half a fleet also needs "does what X wrote still work on Y". This
package pairs the baseline with the newest candidate and runs, each step in the
right environment as its own subprocess with a timeout:

- ``artifacts``: a model logged by one version is loaded by the other (both
  directions, plus same-version controls);
- ``db``: a sqlite tracking store filled by the baseline, opened by the
  candidate without and after ``mlflow db upgrade``, then by the baseline again;
- ``server``: each version's real ``mlflow server`` called by each version's
  client (a client x server grid).

Modules: ``results`` (the cross result file schema), ``pairing`` (which two
versions, which environments), ``orchestrate`` (runs the steps; stdlib only),
``steps`` (runs *inside* an MLflow environment), ``server`` (start/stop a
server), ``render`` and ``advice`` (what the report shows and says).
Results go to ``results/cross/<baseline>__<candidate>.json``.
"""
