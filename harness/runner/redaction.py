"""Secret redaction: values of secret-looking environment variables never reach a run file.

A scenario may print or raise with a token in it (an MLflow error message
quoting a header, say); the run file keeps ``<redacted:NAME>`` instead.
Standard library only.
"""

from __future__ import annotations

import os
import re
from typing import Any

#: environment variables whose values never reach a run file
SECRET_NAME_RE = re.compile(r"TOKEN|SECRET|PASSW|CREDENTIAL|PRIVATE|AUTH|COOKIE|API_?KEY|ACCESS_?KEY|KEY$", re.I)


def secret_values(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Environment variables that look like secrets (name) and are long enough to matter."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if SECRET_NAME_RE.search(k) and len(v) >= 6}


def redact_secrets(data: Any, environ: dict[str, str] | None = None) -> Any:
    """``data`` with the value of every secret-looking environment variable replaced."""
    secrets = sorted(secret_values(environ).items(), key=lambda kv: -len(kv[1]))
    if not secrets:
        return data

    def clean(value: Any) -> Any:
        # strings only: a numeric secret must not turn a duration into garbage
        if isinstance(value, str):
            for name, secret in secrets:
                value = value.replace(secret, f"<redacted:{name}>")
            return value
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value

    return clean(data)
