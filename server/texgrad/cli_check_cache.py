r"""What ``texgrad check`` found in a file, kept on disk between runs: a second check of
files that did not change (CI, a pre-commit hook, ``make``) prints the same lines without
loading the analysis (no sympy, no parser, no engine).

One file per unit checked together (a LaTeX project, or one file), in the user's cache
folder (``cache_folder("checks")``), named by a hash of the unit's paths, the working
folder (paths are printed relative to it) and the options that change what is found.  It
holds the unit's *key* and, per file, the lines said on stderr, the records and the exit
status they set.  The key is a hash of:

- texgrad's code: its version, Python's, every source of the package and the grammar, and
  the installed files of sympy, numpy, scipy and lark (their ``__init__.py``: path, size and
  time), so that an edited checkout or an upgrade never reads an old result;
- what the unit reads: its project's root, folder and every file in reading order (path,
  format and a hash of the text), and what reading them reported (a missing include, an
  unreadable file) — a file added that the project now includes, or a new root that
  includes the file, makes another project and another key;
- the options (``--no-derivatives``, the derivative budget) and the working folder.

Only complete results are kept: none where a time limit cut any work short (a
:class:`~texgrad.calculus.deadline.BudgetExceeded` was raised), the memory bound was hit,
a file was not read, or an internal error happened.  The file is JSON, validated on
reading; one that is damaged, not ours, or of another key is a miss; it is written under a
temporary name and renamed (concurrent writers each leave a whole file); a folder that
cannot be made or written is said once in the log and the check runs as without a cache.
``TEXGRAD_CACHE=off`` turns every cache off, ``TEXGRAD_CHECK_CACHE=off`` this one only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from texgrad.cache_folder import cache_folder, is_off, remove_quietly, trim

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 2**20  # the folder's size, kept by removing the least recently used files
MAGIC = "texgrad-checks-1"
DEPENDENCIES = ("sympy", "numpy", "scipy", "lark")

Outcome = dict[str, Any]  # messages: [str], records: [dict], errors: int, bad/internal: bool

_said = False  # a failure was logged (once per process)


@cache
def code_version() -> str:
    """A hash of everything texgrad's findings depend on besides the files read."""
    import texgrad

    return version_of(Path(texgrad.__file__).resolve().parent)


def version_of(root: Path) -> str:
    """:func:`code_version` of the package at ``root``."""
    import texgrad

    h = hashlib.sha256(f"{texgrad.__version__}|{sys.version}".encode())
    for name in _sources(str(root)):
        h.update(name.encode("utf-8", "surrogatepass"))
        with open(os.path.join(root, name), "rb") as f:
            h.update(f.read())
    if not (root / "grammar").is_dir():  # an editable install: the grammar is beside server/
        grammar = _grammar_folder()
        for name in ("math.lark", "math.tables.json"):
            h.update(name.encode())
            h.update((grammar / name).read_bytes() if grammar is not None else b"")
    for name in DEPENDENCIES:
        spec = find_spec(name)
        origin = spec.origin if spec is not None else None
        h.update(f"|{name}:{origin}".encode("utf-8", "surrogatepass"))
        if origin:
            st = os.stat(origin)
            h.update(f":{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _grammar_folder() -> Path | None:
    """Where ``texgrad.grammar`` is (not by importlib.resources: 40 ms to import)."""
    spec = find_spec("texgrad.grammar")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    return Path(folders[0]) if folders else None


def _sources(root: str, under: str = "") -> list[str]:
    """The package's sources below ``root`` (relative names, sorted; os.scandir rather than
    pathlib: this runs at every start of a check)."""
    found = []
    with os.scandir(os.path.join(root, under) if under else root) as entries:
        for entry in entries:
            name = f"{under}/{entry.name}" if under else entry.name
            if entry.is_dir() and entry.name != "__pycache__":
                found += _sources(root, name)
            elif entry.name.endswith((".py", ".lark", ".json")):
                found.append(name)
    return sorted(found)


def project_key(project: Any) -> str:
    """A hash of what a :class:`~texgrad.reading.project.Project` holds: root, folder, every
    file (path, format, text) in reading order, and the problems found reading them."""
    h = hashlib.sha256(f"{project.folder}\0{project.root}".encode("utf-8", "surrogatepass"))
    for path, file in project.files.items():
        h.update(f"\0{path}\0{file.format}\0".encode("utf-8", "surrogatepass"))
        h.update(hashlib.sha256(file.text.encode("utf-8", "surrogatepass")).digest())
    for path in sorted(project.problems):
        for p in project.problems[path]:
            h.update(
                f"\0{path}\0{p.code}\0{p.severity}\0{p.start}\0{p.end}\0{p.message}".encode(
                    "utf-8", "surrogatepass"
                )
            )
    return h.hexdigest()


def alone_key(path: str, folder: str, data: bytes) -> str:
    """The key of a file that is its own project (it includes nothing): its bytes."""
    h = hashlib.sha256(_text(["alone", folder, path]))
    h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _text(parts: Iterable[object]) -> bytes:
    return "\0".join(str(p) for p in parts).encode("utf-8", "surrogatepass")


class CheckCache:
    """The check results of units of files, one file per unit (see module docstring)."""

    def __init__(self, folder: Path, version: str | None = None, max_bytes: int = MAX_BYTES):
        self.folder = folder
        self.version = version if version is not None else code_version()
        self.max_bytes = max_bytes
        self.hits = self.misses = 0
        self.failed = False

    @classmethod
    def for_user(cls) -> CheckCache | None:
        """The user's cache (None when turned off or it cannot be set up)."""
        if is_off("TEXGRAD_CHECK_CACHE"):
            return None
        try:
            folder = cache_folder("checks")
            return cls(folder) if folder is not None else None
        except (OSError, RuntimeError, KeyError, ValueError) as e:  # no home, unreadable sources
            log.warning("texgrad: no check cache (%s)", e)
            return None

    def name(self, paths: Sequence[str], options: Sequence[object]) -> str:
        """The unit's file: by its paths, the working folder and the options."""
        try:
            here = os.getcwd()
        except OSError:  # the working folder was removed: paths print absolute
            here = ""
        digest = hashlib.sha256(_text([self.version, here, *options, "", *paths])).hexdigest()
        return digest[:32] + ".json"

    def key(self, name: str, project_keys: Sequence[str]) -> str:
        return hashlib.sha256(_text([self.version, name, *project_keys])).hexdigest()

    def load(self, name: str, key: str, count: int) -> list[Outcome] | None:
        """The ``count`` outcomes kept under this name for this key (None: a miss)."""
        file = self.folder / name
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as e:
            self._say(f"cannot read {file}: {e}")
            self.misses += 1
            return None
        try:
            outcomes = _read(data, key, count)
        except (ValueError, TypeError, KeyError, RecursionError) as e:  # damaged: a miss
            self._say(f"ignoring the damaged file {file} ({type(e).__name__})")
            self.misses += 1
            return None
        if outcomes is None:  # another key (the files changed): replaced after the check
            self.misses += 1
            return None
        self.hits += 1
        try:
            os.utime(file)  # recently used: kept when the folder is trimmed
        except OSError:
            pass
        return outcomes

    def save(self, name: str, key: str, outcomes: Sequence[Outcome]) -> None:
        try:
            data = json.dumps(
                {"magic": MAGIC, "key": key, "outcomes": list(outcomes)}, ensure_ascii=False
            ).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError, RecursionError) as e:
            self._say(f"cannot keep a check's results ({type(e).__name__})")
            return
        try:
            import tempfile  # (here: a run that keeps nothing does not import it)

            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, self.folder / name)  # atomic: readers see a whole file
            except BaseException:
                remove_quietly(Path(tmp))
                raise
        except OSError as e:
            self._say(f"cannot write to {self.folder}: {e}")
            return
        self._trim()

    def _trim(self) -> None:
        """The least recently used files go while the folder is over its size."""
        trim(self.folder, (".json", ".tmp"), self.max_bytes)

    def _say(self, message: str) -> None:
        global _said
        self.failed = True
        if not _said:
            _said = True
            log.warning("texgrad: check cache: %s; checking without it", message)


def _read(data: bytes, key: str, count: int) -> list[Outcome] | None:
    stored = json.loads(data.decode("utf-8", "surrogatepass"))
    if not isinstance(stored, dict) or stored.get("magic") != MAGIC:
        raise ValueError("not a texgrad check file")
    if stored.get("key") != key:
        return None
    outcomes = stored["outcomes"]
    if not isinstance(outcomes, list) or len(outcomes) != count:
        raise ValueError("not the unit's outcomes")
    for o in outcomes:
        if not (
            isinstance(o, dict)
            and isinstance(o.get("messages"), list)
            and all(isinstance(m, str) for m in o["messages"])
            and isinstance(o.get("records"), list)
            and all(_is_record(r) for r in o["records"])
            and type(o.get("errors")) is int
            and o.get("bad") is False
            and o.get("internal") is False
        ):
            raise ValueError("not an outcome")
    return outcomes


_RECORD_FIELDS = {"path": str, "line": int, "column": int, "end_line": int, "end_column": int,
                  "severity": str, "code": str, "message": str, "related": list}  # fmt: skip


def _is_record(r: object) -> bool:
    return isinstance(r, dict) and all(
        isinstance(r.get(name), kind) for name, kind in _RECORD_FIELDS.items()
    )
