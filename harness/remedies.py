"""What an exception message itself names as a way out: settings, commands, links, URIs.

When a release refuses something (MLflow 3.17.2's file store raises an
``MlflowException`` that names an environment variable to opt out, a command
that migrates the data, a documentation page and a database URI to use
instead), the matrix should carry exactly what *that release* said, not what
we believe. ``named_remedies`` reads the message and nothing else: it knows
the shapes such things have in text (``NAME=value``, a backquoted ``mlflow
...`` command, ``https://...``, a quoted ``scheme:/...`` URI), not any
particular release's wording. Stdlib only, so it runs anywhere (in a
scenario's process, in a cross-version step, in the analysis).
"""

from __future__ import annotations

import re
from typing import Any

#: ``MLFLOW_ALLOW_X=true`` (optionally quoted): an upper-case name with at least one underscore
_ENV = re.compile(r"(?<![\w$])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*=\s*[`'\"]?([\w.:/+-]+)")
#: a backquoted (or quoted) command line of the ``mlflow`` CLI
_COMMAND = re.compile(r"[`'\"]((?:python -m )?mlflow [a-z][^`'\"\n]*?)\s*[`'\"]")
_LINK = re.compile(r"https?://[^\s'\"`<>()\[\]]+")
#: a quoted URI with a scheme that is not a web link: 'sqlite:///mlflow.db', `file:///tmp/mlruns`
_URI = re.compile(r"[`'\"]([a-z][a-z0-9+.-]*:/{1,3}[^\s'\"`]*)[`'\"]")
_TRAILING = ".,;:!?"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def named_remedies(message: str) -> dict[str, Any]:
    """The ways out ``message`` names, each kind a list in order of appearance.

    ``env``: ``{"NAME": "value"}`` settings; ``commands``: CLI command lines;
    ``links``: web pages; ``uris``: other URIs (a store to use instead).
    Empty lists/dicts when the message names none.
    """
    text = str(message or "")
    env: dict[str, str] = {}
    for name, value in _ENV.findall(text):
        env.setdefault(name, value.rstrip(_TRAILING))
    links = _unique([m.rstrip(_TRAILING) for m in _LINK.findall(text)])
    uris = _unique([u for u in _URI.findall(text) if not u.startswith(("http://", "https://"))])
    commands = _unique([" ".join(c.split()) for c in _COMMAND.findall(text)])
    return {"env": env, "commands": commands, "links": links, "uris": uris}


def describe_raised(exc: BaseException, limit: int = 2000) -> dict[str, Any]:
    """An exception as a record: its type, message, MLflow error code and what the message names.

    The keys (``type``, ``message``, ``error_code``, ``named_env``,
    ``named_commands``, ``named_links``, ``named_uris``) are what run files
    and cross result files carry under a ``raised`` observation. Whether it
    was a refusal with a way out is for the reader: the ``named_*`` lists are
    empty when the message names none.
    """
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ still names its type
        message = ""
    named = named_remedies(message)
    return {
        "type": type(exc).__name__,
        "message": message[:limit],
        "error_code": getattr(exc, "error_code", None),
        "named_env": named["env"],
        "named_commands": named["commands"],
        "named_links": named["links"],
        "named_uris": named["uris"],
    }


def named_ways_out(raised: dict[str, Any] | None) -> str:
    """A recorded ``raised`` observation's ways out as one phrase:
    ``mlflow migrate-filestore``, ``MLFLOW_ALLOW_FILE_STORE=true``, its first link ('' when none)."""
    raised = raised or {}
    parts = [f"`{c}`" for c in raised.get("named_commands") or []]
    parts += [f"`{k}={v}`" for k, v in (raised.get("named_env") or {}).items()]
    parts += list(raised.get("named_links") or [])[:1]
    return ", ".join(parts)
