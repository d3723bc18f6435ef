"""The shared scenario set: one module per area, each scenario registered with
``@harness.scenario.scenario``. Ids are contracts (see tests/test_scenario_ids.py)."""
