"""``# noqa`` on a line silences findings there, as in ruff: ``# noqa`` alone
silences all, ``# noqa: MLC001, MLC005`` those codes. The comment is found with
``tokenize`` (a ``# noqa`` inside a string does not count)."""

from __future__ import annotations

import io
import tokenize

ALL = frozenset({"*"})


def codes(line: str) -> frozenset[str] | None:
    """The codes the line's ``# noqa`` comment names (``ALL`` for a bare one), or None."""
    if "noqa" not in line.lower():
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # a line inside a multi-line construct: its comment is what follows the last '#'
        comments = [line[line.rindex("#"):]] if "#" in line else []
    else:
        comments = [t.string for t in tokens if t.type == tokenize.COMMENT]
    for comment in comments:
        body = comment.lstrip("#").strip()
        if not body.lower().startswith("noqa"):
            continue
        rest = body[4:].strip()
        if not rest.startswith(":"):
            return ALL
        named = frozenset(part.strip().upper() for part in rest[1:].replace(",", " ").split() if part.strip())
        return named or ALL
    return None


def silenced(line: str, code: str) -> bool:
    found = codes(line)
    return found is not None and (found is ALL or code in found)
