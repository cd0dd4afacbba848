r"""Paths and folders as a hostile file system hands them over, without one exception.

A folder to check may hold anything: a symlink loop, a file that is a link to itself, a link
to ``/etc/hostname`` or to ``../secret.tex``, a FIFO (opening it blocks for ever), a folder
that cannot be listed, names too long for the system or holding bytes that are not UTF-8,
files of many megabytes, tens of thousands of files.  Every such entry becomes a
:class:`Skipped` note ("skipped: <reason>") that the command line prints and the language
server reports; nothing here raises and nothing reads a byte outside the folder.

The limits (file size, files per run) are set here, where the reading layer decides what it
reads; the analysis bounds of one document live with the analysis.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024  # a larger file is skipped as too large
MAX_FILES_PER_RUN = 10_000  # documents found in the folders named on one command line
MAX_FOLDERS = 20_000  # folders walked to find them

# The codes of the reading problems that say a part was skipped (a region or rows too large,
# files past a project's bound, includes nested too deep, a file outside the project): shown
# to the user even at the "information" severity (the command line prints them on stderr,
# the server publishes them as information diagnostics).
SKIPPED_CODES = frozenset({"too-large", "too-many-files", "include-depth", "outside-project"})


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or folder that was not read, and why (said after "skipped: ")."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.path)}: skipped: {self.reason}"


def printable(path: str) -> str:
    """``path`` as it can be printed: a byte that is not UTF-8 (a lone surrogate in the name
    Python made of it) and control characters such as NUL are shown escaped."""
    try:  # a byte that is not UTF-8, as the system gave it: shown as \xe9
        out = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeError:  # a lone surrogate that stands for no byte: \ud800
        out = path.encode("utf-8", "backslashreplace").decode("utf-8")
    if any(c < " " or c == "\x7f" for c in out):
        out = "".join(c if c >= " " and c != "\x7f" else repr(c)[1:-1] for c in out)
    return out


def reason_of(exc: BaseException) -> str:
    """Why a path could not be used, in a few words, from what Python raised."""
    if isinstance(exc, RuntimeError) and "loop" in str(exc).lower():
        return "a symlink loop"
    if isinstance(exc, UnicodeError):
        return "its name is not valid UTF-8"
    if isinstance(exc, ValueError):
        return "its name holds a NUL byte" if "null" in str(exc) else f"a bad name ({exc})"
    if isinstance(exc, OSError):
        if exc.errno == errno.ELOOP:
            return "a symlink loop"
        if exc.errno == errno.ENAMETOOLONG:
            return "its name is too long"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "it does not exist"
        return f"it cannot be read ({exc.strerror or exc})"
    return f"it cannot be read ({type(exc).__name__})"


def resolved(path: str | Path) -> tuple[Path | None, str]:
    """``path`` absolute with every link and ``..`` resolved, or None and why not."""
    try:
        p = Path(path).expanduser()
        if "\x00" in str(p):
            raise ValueError("embedded null byte")
        os.fsencode(p)  # a lone surrogate that stands for no byte cannot name a file
        return Path(os.path.realpath(p, strict=False)), ""
    except (OSError, RuntimeError, ValueError) as e:
        return None, reason_of(e)


def absolute(path: str | Path) -> str:
    """The key of a path: resolved where it can be, else only made absolute (a name that is
    too long, a NUL byte, a symlink loop): a key never raises; reading it reports why."""
    found, _ = resolved(path)
    if found is not None:
        return str(found)
    try:
        return os.path.abspath(os.path.expanduser(os.fspath(path)))
    except (OSError, ValueError):
        return os.fspath(path)


def is_regular(path: str | Path) -> bool:
    """A regular file (links followed), never raising: not a FIFO, a device, a folder."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def inside(path: str | Path, folder: str | Path) -> bool:
    """Is the (resolved) ``path`` the folder or below it?"""
    p, f = os.fspath(path), os.fspath(folder).rstrip(os.sep)
    return p == f or p.startswith(f + os.sep) or f == ""


def unreadable(path: str | Path, limit: int = MAX_DOCUMENT_BYTES) -> str | None:
    """Why the file at ``path`` is not read as a document (None when it is read): not a
    regular file, too large, or it cannot be looked at."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:
        return reason_of(e)
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file" if not stat.S_ISDIR(st.st_mode) else "a folder"
    if st.st_size > limit:
        return f"too large ({_size(st.st_size)}; the limit is {_size(limit)})"
    return None


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.0f} kB"


@dataclass
class Found:
    """The documents below a folder, and what was skipped on the way."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def documents_in(
    folder: Path,
    suffixes: Iterable[str],
    skipped_folders: frozenset[str] = frozenset(),
    *,
    limit: int = MAX_FILES_PER_RUN,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> Found:
    """The documents (by suffix) below ``folder``, sorted, in one linear walk.

    Hidden folders and ``skipped_folders`` are not entered; a link to a folder is not
    followed (it would read the same files twice or leave the folder); a link to a file is
    read only when it resolves inside ``folder``.  Whatever cannot be read is a
    :class:`Skipped` note, as are the files past ``limit``.
    """
    ends = tuple(s.lower() for s in suffixes)
    found = Found()
    base, why = resolved(folder)
    if base is None:
        found.skipped.append(Skipped(str(folder), why))
        return found
    queue: deque[str] = deque([str(base)])
    folders = 0
    extra = 0
    while queue:
        d = queue.popleft()
        folders += 1
        if folders > MAX_FOLDERS:
            found.skipped.append(Skipped(d, f"more than {MAX_FOLDERS:,} folders are not walked"))
            break
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (OSError, ValueError) as exc:
            found.skipped.append(Skipped(d, f"the folder cannot be listed: {reason_of(exc)}"))
            continue
        for entry in entries:
            kind = _entry(entry, str(base), ends, skipped_folders, max_bytes)
            if kind == "dir":
                queue.append(entry.path)
            elif isinstance(kind, Skipped):
                found.skipped.append(kind)
            elif kind == "file":
                if len(found.files) >= limit:
                    extra += 1
                else:
                    found.files.append(Path(entry.path))
    if extra:
        found.skipped.append(
            Skipped(str(folder), f"{extra:,} more documents (the limit is {limit:,} per run)")
        )
    found.files.sort()
    return found


def _entry(
    e: os.DirEntry[str], base: str, ends: tuple[str, ...], skipped: frozenset[str], max_bytes: int
) -> str | Skipped | None:
    """What one folder entry is: "dir" to walk, "file" to read, a Skipped note, or None."""
    name = e.name
    try:
        if e.is_symlink():
            if not name.lower().endswith(ends):
                return None  # a link to a folder or to another kind of file: not followed
            target, why = resolved(e.path)
            if target is None:
                return Skipped(e.path, why)
            if not inside(str(target), base):
                return Skipped(e.path, f"a link to {printable(str(target))}, outside the folder")
            bad = unreadable(target, max_bytes)
            return Skipped(e.path, bad) if bad else "file"
        if e.is_dir(follow_symlinks=False):
            if name.startswith(".") or name in skipped:
                return None
            return "dir"
        if not name.lower().endswith(ends):
            return None
        bad = unreadable(e.path, max_bytes)
        return Skipped(e.path, bad) if bad else "file"
    except (OSError, ValueError) as exc:
        return Skipped(e.path, reason_of(exc))
