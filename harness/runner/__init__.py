"""Run the selected scenarios in the current environment and write a run file.

One job per module:

- ``driver``: the run itself (``run``, ``run_one``, ``save``): a forked child
  per scenario, the partial and final run files;
- ``sandbox``: the forked child (``fork_watch``): own session, timeout, crash
  codes, leftover processes killed, loopback enforced;
- ``capture``: inside the child (and in the cross-version steps), a body's
  outcome, warnings and log records (``capture``, ``execute``);
- ``store``: the migrated template tracking store, copied per scenario;
- ``progress``: the lines printed while a version runs;
- ``redaction``: secret values kept out of run files;
- ``facts``: when, where and with which packages (also used by ``harness.envs``).

This package imports none of them itself, so ``harness.runner.facts`` stays
cheap for callers that need only it.
"""
