"""Where a pin file is read from: the working tree, or a git ref.

``requirements.txt`` is a file on disk (relative to the current directory);
``git:<ref>:<path>`` is the same file as it is at ``<ref>`` (a branch, a tag,
a commit), read with ``git show <ref>:<path>`` so the base branch's pin can be
read without checking it out. ``<path>`` is a path on disk too (relative or
absolute): the repository is the one that holds it, so
``git:main:/work/app/requirements.txt`` works from any directory.

A ``-r``/``-c`` include inside a file is read from the same place (the same
ref for a git source), relative to the including file, as pip does.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError

GIT_PREFIX = "git:"


@dataclass(frozen=True)
class Location:
    """One file to read: ``path`` on disk, or ``path`` (relative to ``repo``) at git ``ref``."""

    #: how the file is named in messages and run files (as the user wrote it)
    shown: str
    path: Path | str
    ref: str | None = None
    repo: Path | None = None

    @property
    def name(self) -> str:
        return posixpath.basename(str(self.path))

    def read_text(self) -> str:
        if self.ref is None:
            try:
                return Path(self.path).read_text(encoding="utf-8")
            except FileNotFoundError:
                raise HarnessError(f"{self.shown}: no such file") from None
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or exc
                raise HarnessError(f"{self.shown}: cannot read: {reason}") from None
        proc = _git(self.repo, "show", f"{self.ref}:{self.path}")
        if proc.returncode != 0:
            raise HarnessError(f"{self.shown}: no file {self.path} at git ref {self.ref!r}")
        return proc.stdout

    def include(self, relative: str) -> Location:
        """The file a ``-r``/``-c`` line names, relative to this one."""
        shown = posixpath.normpath(posixpath.join(posixpath.dirname(self.shown_path), relative))
        if self.ref is None:
            target = Path(relative) if Path(relative).is_absolute() else Path(self.path).parent / relative
            return Location(shown=shown if not Path(relative).is_absolute() else relative, path=target)
        if relative.startswith("/"):
            raise HarnessError(f"{self.shown}: cannot include the absolute path {relative} from git ref {self.ref!r}")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(str(self.path)), relative))
        if target.startswith("../"):
            raise HarnessError(f"{self.shown}: the include {relative} is outside the repository")
        return Location(shown=f"{GIT_PREFIX}{self.ref}:{target}", path=target, ref=self.ref, repo=self.repo)

    @property
    def shown_path(self) -> str:
        return str(self.path) if self.ref is not None else self.shown


def _git(repo: Path | None, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *(["-C", str(repo)] if repo else []), *args],
            capture_output=True, text=True, timeout=60,
        )
    except FileNotFoundError:
        raise HarnessError("git is not installed, so a git:<ref>:<path> pin cannot be read") from None
    except subprocess.TimeoutExpired:
        raise HarnessError(f"git {' '.join(args)} did not finish in 60 s") from None


def _existing_parent(path: Path) -> Path:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def absolute_source(source: str, cwd: Path) -> str:
    """``source`` with its path made absolute against ``cwd`` (``git:<ref>:<path>`` keeps its ref):
    for handing a source to a process that runs elsewhere, such as nox in the package's directory."""
    text = source.strip()
    if text.startswith(GIT_PREFIX):
        ref, sep, raw = text[len(GIT_PREFIX):].partition(":")
        if sep and raw.strip() and not Path(raw.strip()).is_absolute():
            return f"{GIT_PREFIX}{ref}:{cwd / raw.strip()}"
        return text
    return str(cwd / text) if text and not Path(text).is_absolute() else text


def locate(source: str | Path, cwd: Path | None = None) -> Location:
    """The file ``source`` names: a path on disk or ``git:<ref>:<path>``."""
    text = str(source).strip()
    cwd = Path.cwd() if cwd is None else Path(cwd)
    if not text.startswith(GIT_PREFIX):
        if not text:
            raise HarnessError("an empty pin source; name a file such as requirements.txt")
        path = Path(text)
        return Location(shown=text, path=path if path.is_absolute() else cwd / path)
    ref, sep, raw = text[len(GIT_PREFIX):].partition(":")
    if not sep or not ref.strip() or not raw.strip():
        raise HarnessError(f"{text}: expected git:<ref>:<path>, for example git:origin/main:requirements.txt")
    ref, raw = ref.strip(), raw.strip()
    wanted = Path(raw) if Path(raw).is_absolute() else cwd / raw
    # the repository is the one holding the file's directory (or the nearest
    # directory that exists: the file may exist only at the ref)
    anchor = _existing_parent(wanted)
    top = _git(anchor, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise HarnessError(f"{text}: {anchor} is not inside a git repository")
    toplevel = Path(top.stdout.strip())
    inside = Path(os.path.realpath(anchor)) / wanted.relative_to(anchor)
    relative = os.path.relpath(inside, toplevel)
    if relative.startswith(".."):
        raise HarnessError(f"{text}: {raw} is outside the repository {toplevel}")
    if _git(toplevel, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        branch = ref.removeprefix("origin/")
        raise HarnessError(
            f"{text}: git ref {ref!r} not found in {toplevel} (fetch it first, e.g. `git fetch origin {branch}`)"
        )
    return Location(shown=text, path=Path(relative).as_posix(), ref=ref, repo=toplevel)
