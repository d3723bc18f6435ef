"""Text from result files is data: make it inert in Markdown and on a terminal.

Exception messages, reasons, warnings, ids and versions come from run files
anyone can write (a scenario's exception may quote HTML, a hostile file may
carry ``<script>``). The renderers pass every such value through here:

* :func:`md` for Markdown text (GitHub's flavour, as in ``matrix.md`` and the
  step summary). Outside code spans it neutralises exactly what CommonMark
  would act on, so ordinary text stays readable in the raw file: ``<`` before
  a letter, ``/``, ``!`` or ``?`` (raw HTML, comments, autolinks) becomes
  ``&lt;``; ``&`` that would form an entity becomes ``&amp;``; ``](``
  (inline links and images) and a backslash before punctuation are
  backslash-escaped; ``|`` is escaped (table cells); a leading ``>``, ``#``
  or list marker cannot start a block. Code spans (backtick runs matched the
  way CommonMark matches them) stay literal, since a code span shows its
  content as text, except ``|`` in table cells, which GFM sees even there;
* :func:`md_fence` for a fenced block: a fence longer than any backtick run
  inside, so the content cannot close it;
* :func:`md_table` for a table: tabulate's ``github`` format over cells
  already escaped with :func:`md_cell`;
* :func:`term` for the terminal: control characters (ANSI escapes included)
  shown as ``\\x1b`` instead of acting on the terminal.

HTML escaping is jinja2's autoescape (harness/report/html.py); XML is
ElementTree's (junit.py).
"""

from __future__ import annotations

import re
from functools import partial

_BACKTICKS = re.compile(r"`+")
#: (pattern, replacement) applied to text outside code spans, in order
_MD_TEXT = (
    (re.compile(r"\\(?=[!-/:-@\[-`{-~])"), r"\\\\"),  # a backslash that would escape the next character
    (re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)"), "&amp;"),  # an entity reference
    (re.compile(r"<(?=[A-Za-z/!?])"), "&lt;"),  # raw HTML, comments, processing instructions, autolinks
    (re.compile(r"\](?=[(\[])"), r"\\]"),  # the middle of a link or an image
    (re.compile(r"\|"), r"\\|"),  # a table cell separator
    (re.compile(r"`"), r"\\`"),  # an unmatched backtick run (matched ones are code spans)
)
#: a line that would start a block quote, heading, list, rule or fence
_BLOCK_START = re.compile(r"^(\s*)(>|#{1,6}(?=\s|$)|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[-=_*~]{3,})")
#: C0 controls but tab and newline, DEL, C1 controls, and the Unicode line/paragraph separators
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: object) -> str:
    return term(" ".join(str(text if text is not None else "").splitlines()))


def _code_spans(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into (is_code, piece): a backtick run opens a span that the next
    run of the same length closes; an unmatched run is literal text (CommonMark)."""
    pieces: list[tuple[bool, str]] = []
    pos = plain_from = 0
    while True:
        opener = _BACKTICKS.search(text, pos)
        if opener is None:
            break
        width = len(opener.group())
        closer = next((m for m in _BACKTICKS.finditer(text, opener.end()) if len(m.group()) == width), None)
        if closer is None:
            pos = opener.end()  # unmatched: these backticks are plain text
            continue
        pieces.append((False, text[plain_from:opener.start()]))
        pieces.append((True, text[opener.start():closer.end()]))
        pos = plain_from = closer.end()
    pieces.append((False, text[plain_from:]))
    return [p for p in pieces if p[1]]


def md(text: object, table: bool = False) -> str:
    """``text`` as inert, one-line Markdown; ``table=True`` when it goes in a table cell."""
    out = []
    for is_code, piece in _code_spans(_one_line(text)):
        if is_code:
            out.append(piece.replace("|", "\\|") if table else piece)
        else:
            for pattern, replacement in _MD_TEXT:
                piece = pattern.sub(replacement, piece)
            out.append(piece)
    return _BLOCK_START.sub(_unblock, "".join(out), count=1)


def _unblock(match: re.Match[str]) -> str:
    """``\\> quote``, ``1\\. item``: the block marker escaped, so the text stays a paragraph."""
    lead, marker = match.group(1), match.group(2)
    return f"{lead}{marker}\\" if marker[0].isdigit() else f"{lead}\\{marker}"


def md_code(text: object, table: bool = False) -> str:
    """``text`` as one inline code span, whatever backticks it holds."""
    body = _one_line(text)
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    span = f"{fence}{pad}{body}{pad}{fence}"
    return span.replace("|", "\\|") if table else span


#: ``md`` for a value inside a table cell
md_cell = partial(md, table=True)


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub Markdown table of already-escaped cells."""
    from tabulate import tabulate

    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def md_fence(text: object, info: str = "") -> list[str]:
    """Lines of a fenced block holding ``text`` verbatim; no line inside can close it."""
    body = str(text if text is not None else "")
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *body.splitlines(), fence]


def term(text: object, one_line: bool = False) -> str:
    """``text`` with control characters made visible, so printing it cannot drive the terminal;
    ``one_line`` shows newlines and tabs as ``\\x0a``/``\\x09`` too (a line a log parser reads)."""
    pattern = _ONE_LINE if one_line else _CONTROL
    return pattern.sub(_visible, str(text if text is not None else ""))


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
