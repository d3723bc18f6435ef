"""harness.remedies: what an exception message names as a way out, read from the text alone."""

from __future__ import annotations

import json

from harness.remedies import describe_raised, named_remedies

#: the shape of a refusal as a release words it (settings, a command, a link, a URI in one text)
REFUSAL = (
    "The filesystem tracking backend (e.g., './mlruns') is in maintenance mode. Please migrate to a "
    "database backend (e.g., 'sqlite:///mlflow.db'). The `mlflow migrate-filestore` tool migrates your "
    "existing data losslessly. See https://example.org/docs/migrate-from-file-store for migration "
    "guidance. If required, set `MLFLOW_ALLOW_FILE_STORE=true` to opt out of this exception."
)


def test_a_refusal_names_its_setting_command_link_and_replacement_uri():
    named = named_remedies(REFUSAL)
    assert named == {
        "env": {"MLFLOW_ALLOW_FILE_STORE": "true"},
        "commands": ["mlflow migrate-filestore"],
        "links": ["https://example.org/docs/migrate-from-file-store"],
        "uris": ["sqlite:///mlflow.db"],
    }


def test_a_plain_message_names_nothing():
    assert named_remedies("Run 'abc' not found") == {"env": {}, "commands": [], "links": [], "uris": []}
    assert named_remedies("") == {"env": {}, "commands": [], "links": [], "uris": []}


def test_settings_and_commands_in_other_quotings_and_trailing_punctuation():
    named = named_remedies(
        'Set MLFLOW_X_Y="1", or run "mlflow db upgrade sqlite:///x.db". Docs: http://h/p. '
        "Also MLFLOW_X_Y=2 (ignored: first one wins); a=b and PATH=/bin are not settings we name."
    )
    assert named["env"] == {"MLFLOW_X_Y": "1"}
    assert named["commands"] == ["mlflow db upgrade sqlite:///x.db"]
    assert named["links"] == ["http://h/p"]


def test_links_are_not_reported_as_uris_and_duplicates_collapse():
    named = named_remedies("see 'https://a/b' and 'https://a/b', use `file:///tmp/mlruns` or 'file:///tmp/mlruns'")
    assert named["links"] == ["https://a/b"]
    assert named["uris"] == ["file:///tmp/mlruns"]


class _Refused(Exception):
    error_code = "INVALID_PARAMETER_VALUE"


class _BrokenStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no text")


def test_describe_raised_keeps_type_message_code_and_what_it_names_as_json():
    record = describe_raised(_Refused(REFUSAL))
    assert record["type"] == "_Refused"
    assert record["message"] == REFUSAL
    assert record["error_code"] == "INVALID_PARAMETER_VALUE"
    assert record["named_env"] == {"MLFLOW_ALLOW_FILE_STORE": "true"}
    assert record["named_commands"] == ["mlflow migrate-filestore"]
    assert json.loads(json.dumps(record)) == record  # goes into run files as is


def test_describe_raised_survives_a_broken_message_and_cuts_long_ones():
    assert describe_raised(_BrokenStr())["type"] == "_BrokenStr"
    assert describe_raised(ValueError("x" * 5000), limit=100)["message"] == "x" * 100
    assert describe_raised(ValueError("x"))["error_code"] is None
