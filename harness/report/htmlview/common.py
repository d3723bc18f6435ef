"""What every HTML view shares: element ids, text clean-up and clipping, chips, time texts.

Views return plain data (dataclasses, strings, numbers); the templates escape
every value. :func:`printable` is the page's one text filter (the Jinja
environment's ``finalize``): it runs on every value a template prints, so a
control character or an unpaired surrogate from a result file cannot end up in
the page, whatever view produced it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup

from harness.outcomes import Verdict

#: characters of one long text (an exception message, a reason, an install
#: error line) a page keeps; the result file has all of it
TEXT_LIMIT = 20_000

_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,120}")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
#: C0 controls except tab/newline/carriage return, DEL, C1 controls, lone surrogates
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _picture(match: re.Match[str]) -> str:
    """A C0 control as its Unicode control picture (U+241B for ESC), anything else as U+FFFD."""
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(value: Any) -> Any:
    """A value as page text: None as nothing, terminal colour codes dropped, other
    control characters shown as their control pictures, lone surrogates replaced.

    ``Markup`` (the chart SVG, nothing else) passes through untouched.
    """
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.isprintable() or _UNPRINTABLE.search(text) is None:  # the first test is the fast one
        return text
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    return _UNPRINTABLE.sub(_picture, text)


def chart_text(value: Any) -> str:
    """A label for a chart: like :func:`printable`, but controls are dropped (the
    chart font has no control pictures)."""
    text = str(value)
    return _UNPRINTABLE.sub("", _ANSI.sub("", text)) if _UNPRINTABLE.search(text) else text


def anchor(prefix: str, key: str) -> str:
    """A stable element id for ``key`` (a scenario id, a version pair): the key itself
    when it is a plain dotted id, else a readable slug plus a short hash."""
    if _PLAIN_ID.fullmatch(key):
        return f"{prefix}-{key}"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", key)[:60].strip("_")
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{prefix}-{slug}-{digest}" if slug else f"{prefix}-{digest}"


def row_anchor(sid: str) -> str:
    """The id of a scenario's row in the matrix (links from differences and guidance)."""
    return anchor("s", sid)


def clip(text: Any, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut at ``limit`` characters, saying how much was left out."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters in the result file)"


def last_line(text: Any, limit: int = 200) -> str:
    lines = str(text or "").strip().splitlines()
    return clip(lines[-1], limit) if lines else "no output"


def json_text(value: Any) -> str:
    """A JSON-like value as text: strings as they are, the rest as compact JSON
    (indented when nested)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return repr(value)  # what json.dumps writes, without its machinery (thousands of metrics)
    nested = isinstance(value, (dict, list, tuple)) and any(isinstance(v, (dict, list, tuple))
                                                              for v in (value.values() if isinstance(value, dict) else value))
    return json.dumps(value, indent=1 if nested else None, default=str, ensure_ascii=False, sort_keys=False)


@dataclass(slots=True)
class KeyValue:
    """One ``key: value`` line of a detail block; ``block`` when the value needs a <pre>."""

    key: str
    value: str
    block: bool = False


def key_values(data: dict[str, Any] | None) -> list[KeyValue]:
    out = []
    for key, value in (data or {}).items():
        text = clip(json_text(value))
        out.append(KeyValue(str(key), text, "\n" in text or len(text) > 90))
    return out


@dataclass(slots=True)
class Chip:
    """A coloured label: ``css`` is ``vd-<verdict>`` or ``st-<status>`` (enum values only)."""

    css: str
    text: str


#: a verdict's css class and words, looked up once (a matrix shows thousands of chips)
_CSS = {v: f"vd-{v.value}" for v in Verdict}
_WORDS = {v: v.label for v in Verdict}
_TIMED = (Verdict.SLOWER, Verdict.FASTER)


def verdict_chip(verdict: Verdict, ratio: float | None = None, count: int | None = None) -> Chip:
    text = _WORDS[verdict]
    if ratio is not None and verdict in _TIMED:
        text += f" {ratio:.2f}x"
    if count is not None:
        text = f"{count} {text}"
    return Chip(_CSS[verdict], text)


def change_chips(cell_verdict) -> list[Chip]:
    """A chip per change of a ``CellVerdict``: the primary verdict first, then the others."""
    primary = cell_verdict.verdict
    names = [primary] + [c for c in cell_verdict.changes if c != primary]
    return [verdict_chip(Verdict(n), cell_verdict.ratio) for n in names]


def allowlisted(policy, cell_verdict) -> str | None:
    """The gate policy's allowlist reason when a failing change of this cell is allowed, else None."""
    if cell_verdict is None or not policy.allow or not any(c in policy.failing for c in cell_verdict.changes):
        return None
    return policy.allowed(cell_verdict.id)


def seconds(value: float) -> str:
    return f"{value * 1000:.1f}ms" if value < 1 else f"{value:.3f}s"


def sample_text(samples: Iterable[float]) -> str:
    """``median 105.0ms (n=5, 100.0ms – 120.0ms)``."""
    values = [float(x) for x in samples]
    if not values:
        return ""
    return (f"median {seconds(statistics.median(values))} (n={len(values)}, {seconds(min(values))}"
            f" – {seconds(max(values))})")
