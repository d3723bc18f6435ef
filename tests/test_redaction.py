"""harness.runner.redaction: secret values never reach a run file. No MLflow needed."""

from __future__ import annotations

from harness.runner.redaction import redact_secrets


def test_redact_secrets_replaces_secret_looking_values_everywhere():
    env = {"MY_API_TOKEN": 'ab"c\\def-123', "DB_PASSWORD": "hunter2-long", "PATH": "/usr/bin:/bin", "SHORT_KEY": "abc"}
    data = {"error": {"message": 'token ab"c\\def-123 refused'}, "reason": ["pw hunter2-long", "/usr/bin:/bin"],
            "n": 1, "k": "abc"}
    clean = redact_secrets(data, env)
    assert clean == {"error": {"message": "token <redacted:MY_API_TOKEN> refused"},
                     "reason": ["pw <redacted:DB_PASSWORD>", "/usr/bin:/bin"], "n": 1, "k": "abc"}


def test_redaction_touches_strings_only():
    env = {"PIN_SECRET": "123456"}
    data = {"duration_s": 0.123456, "pid": 123456, "message": "pin 123456", "123456": [1, "x123456"]}
    assert redact_secrets(data, env) == {
        "duration_s": 0.123456, "pid": 123456, "message": "pin <redacted:PIN_SECRET>",
        "<redacted:PIN_SECRET>": [1, "x<redacted:PIN_SECRET>"],
    }
