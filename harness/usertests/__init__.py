"""The project's own pytest suite as rows of the matrix (``pytest_paths`` in the configuration).

- ``plugin``: loaded into the user's pytest run; writes one JSON line per event
  (each test's phases, crash, warnings with their origins);
- ``rows``: those events -> ``ScenarioResult`` rows (``tests.<nodeid>``, kind
  ``test``), and the ``tests.(session)`` row when pytest did not end normally;
- ``suite``: runs pytest once in this version's environment, supervised (own
  session, timeout, killed tree), in the project root.

This package imports none of them itself: the plugin runs inside the user's
pytest process and must not pull in the runner.
"""
