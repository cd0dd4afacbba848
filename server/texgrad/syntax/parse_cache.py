r"""Parsed rows kept on disk between runs, so that a second cold check of a document (a
``texgrad check`` in CI or a pre-commit hook, a new editor session) reads its trees
instead of parsing every row again.

One file per document, in the user's cache folder (``$TEXGRAD_CACHE_DIR``, else
``$XDG_CACHE_HOME/texgrad/parses``, else ``~/.cache/texgrad/parses``; on macOS
``~/Library/Caches``, on Windows ``%LOCALAPPDATA%``), named by a hash of the document's path
and of the parser's version; it holds, for each row, the row's key (its text and its map
relative to where it starts, ``MappedText.key``) with the tree and where it was parsed.
What a tree is depends on the code that makes it, so the version is a hash of texgrad's
version, Python's, the grammar and the sources of ``syntax/`` and ``reading/`` (an edited
parser in a development checkout misses, never reads an old tree).

Safe by construction: a file is written to a temporary name and renamed over the old one
(concurrent writers each leave a whole file); one that cannot be read, is not ours or holds
anything but trees (the unpickler loads texgrad's tree classes only) is a miss; a folder
that cannot be made or written is said once in the log and the rows are parsed as without
a cache.  The folder is kept under :data:`MAX_BYTES` by removing the files least recently
used.  ``TEXGRAD_CACHE=off`` (or ``0``, ``no``, ``false``) turns it off.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Hashable
from functools import cache
from pathlib import Path
from typing import Any

from texgrad.cache_folder import cache_folder, remove_quietly, trim
from texgrad.syntax import tree as t

log = logging.getLogger(__name__)

MAX_BYTES = 200 * 2**20  # the folder's size, kept by removing the least recently used files
_MAGIC = b"texgrad-parses-1\n"

Entry = tuple[t.Node | None, int]  # a row's tree and where (source offset) it was parsed

_said = False  # a failure of the cache was logged (once per process)


def default_folder() -> Path | None:
    """Where the cache lives for this user (None: turned off)."""
    return cache_folder("parses")


@cache
def parser_version() -> str:
    """A hash of everything a tree depends on: texgrad's and Python's versions, the grammar
    and the sources of the packages that read a row (syntax/, reading/)."""
    return version_of(Path(t.__file__).resolve().parents[1])  # server/texgrad or site-packages


def version_of(root: Path) -> str:
    """:func:`parser_version` of the package at ``root``."""
    from texgrad import __version__

    h = hashlib.sha256(f"{__version__}|{sys.version}|{pickle.HIGHEST_PROTOCOL}".encode())
    for package in ("syntax", "reading", "grammar"):
        for path in sorted((root / package).glob("*")):
            if path.suffix in (".py", ".lark", ".json"):
                h.update(path.name.encode())
                h.update(path.read_bytes())
    if not (root / "grammar").is_dir():  # an editable install: the grammar is beside server/
        from importlib import resources

        grammar = resources.files("texgrad.grammar")
        for name in ("math.lark", "math.tables.json"):
            h.update(grammar.joinpath(name).read_bytes())
    return h.hexdigest()


class ParseCache:
    """The parsed rows of documents, one file per document (see module docstring)."""

    def __init__(self, folder: Path, version: str | None = None, max_bytes: int = MAX_BYTES):
        self.folder = folder
        self.version = version if version is not None else parser_version()
        self.max_bytes = max_bytes
        self.hits = self.misses = 0  # files read and files not found or unreadable
        self.failed = False  # a file could not be read or written

    @classmethod
    def for_user(cls) -> ParseCache | None:
        """The user's cache (None when ``TEXGRAD_CACHE=off`` or it cannot be set up)."""
        try:
            folder = default_folder()
        except (OSError, RuntimeError, KeyError) as e:  # no home folder to put it in
            log.warning("texgrad: no parse cache (%s)", e)
            return None
        if folder is None:
            return None
        try:
            return cls(folder)
        except (OSError, RuntimeError) as e:  # sources unreadable, no home: no cache, no crash
            log.warning("texgrad: no parse cache (%s)", e)
            return None

    def _file(self, path: str) -> Path:
        # (a path may hold bytes that are not UTF-8, kept as surrogates)
        key = f"{self.version}\0{path}".encode("utf-8", "surrogatepass")
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}.parses"

    def load(self, path: str) -> dict[Hashable, Entry]:
        """The trees kept for the document at ``path``, by row key ({} if none)."""
        file = self._file(path)
        try:
            with open(file, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            self.misses += 1
            return {}
        except OSError as e:
            self._say(f"cannot read {file}: {e}")
            self.misses += 1
            return {}
        try:
            entries = _read(data, self.version, path)
        except Exception as e:  # noqa: BLE001 - any damage to the file is a miss, never a crash
            self._say(f"ignoring the damaged file {file} ({type(e).__name__})")
            self.misses += 1
            return {}
        self.hits += 1
        try:
            os.utime(file)  # recently used: kept when the folder is trimmed
        except OSError:
            pass
        return entries

    def save(self, path: str, entries: dict[Hashable, Entry]) -> None:
        """Keep these trees for the document at ``path`` (replacing what was kept)."""
        try:
            data = _MAGIC + pickle.dumps(
                (self.version, path, entries), protocol=pickle.HIGHEST_PROTOCOL
            )
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as e:
            self._say(f"cannot keep a document's parses ({type(e).__name__})")
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, self._file(path))  # atomic: readers see the old file or this one
            except BaseException:
                remove_quietly(Path(tmp))
                raise
        except OSError as e:
            self._say(f"cannot write to {self.folder}: {e}")
            return
        self._trim()

    def _trim(self) -> None:
        """The least recently used files go while the folder is over its size."""
        trim(self.folder, (".parses", ".tmp"), self.max_bytes)

    def _say(self, message: str) -> None:
        global _said
        self.failed = True
        if not _said:  # once per process: a command checking 300 files says it once
            _said = True
            log.warning("texgrad: parse cache: %s; parsing without it", message)


class _TreesOnly(pickle.Unpickler):
    """Loads texgrad's tree classes and nothing else (a file in the cache folder is data,
    never code)."""

    def find_class(self, module: str, name: str) -> Any:
        if module == t.__name__:
            cls = getattr(t, name, None)
            if isinstance(cls, type) and issubclass(cls, t.Node):
                return cls
        raise pickle.UnpicklingError(f"{module}.{name} is not a tree class")


def _read(data: bytes, version: str, path: str) -> dict[Hashable, Entry]:
    if not data.startswith(_MAGIC):
        raise ValueError("not a texgrad parse file")
    with t.sharing_values():  # (equal offsets one object, as when built)
        stored_version, stored_path, entries = _TreesOnly(io.BytesIO(data[len(_MAGIC) :])).load()
    if stored_version != version or stored_path != path or not isinstance(entries, dict):
        raise ValueError("another version's or document's file")
    for tree, at in entries.values():
        if not (tree is None or isinstance(tree, t.Node)) or not isinstance(at, int):
            raise ValueError("not a tree")
    return entries
