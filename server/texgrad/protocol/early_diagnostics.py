"""A document's diagnostics published as soon as it is opened, from the last session,
before the server and the analysis have loaded (issue 17: first diagnostics ≤ 0.4 s after
opening the Matrix Cookbook; importing pygls and the checker took ~1.2 s of CPU
before an analysis could start, sympy 0.3 s of it before the shape layer had dimensions of its own).

When the server has published a document's shape diagnostics and the document stays as
analysed for :data:`STORE_AFTER` seconds, they are kept on disk (:class:`DiagnosticsCache`,
one JSON file per document in the user's cache folder, ``texgrad/cache_folder.py``),
with what they were made from: a hash of the document's text, of texgrad's sources and
versions, the position encoding, the settings and workspace folders the client started
the server with, the text of every other file of its project (and for LaTeX the names of
the LaTeX files beside it and in the folder above, where a root may appear).  In the
next session, :class:`Pump` reads the client's messages while the server loads; a
``didOpen`` whose text and inputs are all the same gets those diagnostics at once.  The
analysis runs as always and publishes its own a second later (the same, unless something
the key does not hold changed: a file outside the project that now includes this one);
the derivative checks follow as before.  Entries are written only where the settings the
analysis used are those the client started with (no ``workspace/configuration`` changed
them), so a setting given only by configuration is never guessed.

Standard library only (and texgrad's settings schema): it runs before pygls is loaded.
JSON files are data, never code; a damaged or foreign file is a miss; files are written
under a temporary name and renamed; the folder keeps :data:`MAX_FILES` files, the least
recently used removed first; an unwritable folder is one log line.  It is off with every
cache (``TEXGRAD_CACHE=off``), or alone with ``TEXGRAD_KEEP_DIAGNOSTICS=off``.

The same folder holds, per start key, whether the last session started so found the
settings ``workspace/configuration`` gave equal to ``initialize``'s
(:meth:`DiagnosticsCache.note_configuration`, written by ``protocol/settings.py``): only
then is a first document with nothing kept analysed before the server loads
(:mod:`.early_analysis`, which the :class:`Pump` tells of the first ``didOpen``, of the
documents changed or closed since and of settings sent).  ``TEXGRAD_KEEP_DIAGNOSTICS=analyse``
keeps and publishes nothing kept but still analyses that first document early (the
benchmarks' setting).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from .framing import CHUNK, Framer

log = logging.getLogger("texgrad.lsp")

STORE_AFTER = 2.0  # seconds a document stays as analysed before its diagnostics are kept
MAX_FILES = 500  # documents kept, the least recently used removed first
_MAGIC = "texgrad-diagnostics-1"
_LATEX = (".tex", ".ltx", ".sty", ".cls", ".latex")

_said = False  # a failure was logged (once per process)


@cache
def sources_version() -> str:
    """A hash of everything a diagnostic depends on: texgrad's and Python's versions and
    every source file of the package (its grammar included)."""
    import hashlib

    from texgrad import __version__

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(f"{__version__}|{sys.version}".encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".lark", ".json") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode("utf-8", "surrogatepass"))
            h.update(path.read_bytes())
    if not (root / "grammar").is_dir():  # an editable install: the grammar is beside server/
        grammar = root.parents[1] / "grammar"
        for name in ("math.lark", "math.tables.json"):
            if (grammar / name).is_file():
                h.update((grammar / name).read_bytes())
    return h.hexdigest()


def digest(data: str | bytes) -> str:
    import hashlib  # (here, as the others below: the module is loaded before the server)

    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def start_key(settings_section: Any, folders: Iterable[str], encoding: str) -> str:
    """What the client started the server with that diagnostics depend on: its settings
    (as resolved), its workspace folders and the position encoding."""
    from texgrad.settings import resolve

    data = {"settings": resolve(settings_section), "folders": list(folders), "enc": encoding}
    return digest(json.dumps(data, sort_keys=True, default=repr))


def neighbours(path: str) -> list[str]:
    """The LaTeX files beside ``path`` and in the folder above (where a root including it
    may appear), by name: a LaTeX document's key."""
    if not path.endswith(_LATEX):
        return []
    out = []
    here = os.path.dirname(path)
    for folder in (here, os.path.dirname(here)):
        try:
            names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(_LATEX))
        except OSError:
            names = []
        out.append(f"{folder}:{'/'.join(names)}")
    return out


def _file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return digest(f.read())
    except OSError:
        return None


class DiagnosticsCache:
    """The diagnostics last published for documents, one file per document (see the
    module's docstring)."""

    def __init__(self, folder: Path, version: str | None = None, max_files: int = MAX_FILES):
        self.folder = folder
        self.version = version if version is not None else sources_version()
        self.max_files = max_files

    @classmethod
    def for_user(cls) -> DiagnosticsCache | None:
        from texgrad.cache_folder import cache_folder

        try:
            folder = cache_folder("diagnostics")
            return None if folder is None else cls(folder)
        except (OSError, RuntimeError, KeyError) as e:  # no home, sources unreadable
            _say(f"no cache of diagnostics ({e})")
            return None

    def _file(self, uri: str) -> Path:
        key = f"{self.version}\0{uri}"
        return self.folder / f"{digest(key)[:32]}.json"

    def lookup(
        self, uri: str, path: str, text: str, start: str, opened: Mapping[str, str]
    ) -> list[Any] | None:
        """The diagnostics kept for ``uri`` with this ``text``, if every input is as it was
        (``opened``: the texts of the documents opened before it, by path; the other files
        are read from disk)."""
        file = self._file(uri)
        try:
            with open(file, encoding="utf-8") as f:
                entry = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as e:
            _say(f"ignoring {file} ({type(e).__name__})")
            return None
        try:
            if not (
                entry["magic"] == _MAGIC
                and entry["version"] == self.version
                and entry["uri"] == uri
                and entry["path"] == path
                and entry["text"] == digest(text)
                and entry["start"] == start
                and entry["neighbours"] == neighbours(path)
            ):
                return None
            for dep, text_digest, bytes_digest in entry["deps"]:
                if dep in opened:
                    if digest(opened[dep]) != text_digest:
                        return None
                elif _file_digest(dep) != bytes_digest:
                    return None
            found = entry["diagnostics"]
        except (KeyError, TypeError, ValueError) as e:  # not ours, or damaged
            _say(f"ignoring {file} ({type(e).__name__})")
            return None
        if not isinstance(found, list):
            return None
        try:
            os.utime(file)  # recently used: kept when the folder is trimmed
        except OSError:
            pass
        return found

    def store(
        self,
        uri: str,
        path: str,
        text: str,
        start: str,
        deps: Iterable[tuple[str, str, str]],
        diagnostics: list[Any],
    ) -> None:
        """Keep ``diagnostics`` for ``uri`` with this ``text`` (``deps``: each other file
        of its project, the digest of its text as analysed and of its bytes on disk)."""
        entry = {
            "magic": _MAGIC,
            "version": self.version,
            "uri": uri,
            "path": path,
            "text": digest(text),
            "start": start,
            "neighbours": neighbours(path),
            "deps": [list(d) for d in deps],
            "diagnostics": diagnostics,
        }
        try:
            data = json.dumps(entry)
        except (TypeError, ValueError, RecursionError) as e:
            _say(f"cannot keep a document's diagnostics ({type(e).__name__})")
            return
        self._write(self._file(uri), data)

    def _stamp(self, start: str) -> Path:
        key = f"{self.version}\0start\0{start}"
        return self.folder / f"start-{digest(key)[:32]}.json"

    def configuration_agreed(self, start: str) -> bool:
        """Whether the last session started with ``start`` found that
        ``workspace/configuration`` said what ``initialize`` had (the settings cannot
        differ, as far as anything here can know, from what it will say this time)."""
        file = self._stamp(start)
        try:
            with open(file, encoding="utf-8") as f:
                entry = json.load(f)
            agreed = (
                entry["magic"] == _MAGIC
                and entry["version"] == self.version
                and entry["start"] == start
                and entry["agreed"] is True
            )
        except FileNotFoundError:
            return False
        except (OSError, ValueError, RecursionError, KeyError, TypeError) as e:
            _say(f"ignoring {file} ({type(e).__name__})")
            return False
        if agreed:
            try:
                os.utime(file)  # recently used: kept when the folder is trimmed
            except OSError:
                pass
        return agreed

    def note_configuration(self, start: str, agreed: bool) -> None:
        """Say, for the next session started with ``start``, whether this one's
        configuration agreed with ``initialize``'s settings (written when it changes)."""
        if self.configuration_agreed(start) == agreed:
            return
        entry = {"magic": _MAGIC, "version": self.version, "start": start, "agreed": agreed}
        self._write(self._stamp(start), json.dumps(entry))

    def _write(self, file: Path, data: str) -> None:
        import tempfile

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(data)
                os.replace(tmp, file)  # atomic: readers see the old file or this
            except BaseException:
                _remove(Path(tmp))
                raise
        except OSError as e:
            _say(f"cannot write to {self.folder}: {e}")
            return
        self._trim()

    def _trim(self) -> None:
        try:
            files = [
                (e.stat().st_mtime, e.name)
                for e in os.scandir(self.folder)
                if e.name.endswith((".json", ".tmp"))
            ]
        except OSError:
            return
        for _, name in sorted(files)[: max(0, len(files) - self.max_files)]:
            _remove(self.folder / name)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _say(message: str) -> None:
    global _said
    if not _said:
        _said = True
        log.warning("texgrad: cache of diagnostics: %s", message)


@dataclass
class Session:
    """What this server was started with, for the diagnostics it keeps: set by
    :mod:`~texgrad.protocol.early_initialize` when it answered ``initialize``."""

    cache: DiagnosticsCache
    start: str  # start_key of the initialize parameters
    settings: dict[str, Any]  # resolved from the initialization options
    options: dict[str, Any] = field(default_factory=dict)  # those options (texgrad's)
    pending: dict[str, Any] = field(default_factory=dict)  # uri -> timer handle


_session: list[Session] = []


def session() -> Session | None:
    return _session[0] if _session else None


def turned_off() -> bool:
    from texgrad.cache_folder import is_off

    return is_off("TEXGRAD_KEEP_DIAGNOSTICS")


def analyse_only() -> bool:
    """``TEXGRAD_KEEP_DIAGNOSTICS=analyse``: nothing kept is published (nor kept), but the
    first document opened is still analysed before the server loads
    (:mod:`.early_analysis`) — what ``benchmarks/cold.py`` measures."""
    return os.environ.get("TEXGRAD_KEEP_DIAGNOSTICS", "").strip().lower() == "analyse"


def begin(params: Mapping[str, Any], encoding: str) -> Session | None:
    """Set up this process's session from ``initialize``'s parameters (None: no cache)."""
    from texgrad.settings import resolve

    if turned_off():
        return None
    cache_ = DiagnosticsCache.for_user()
    if cache_ is None:
        return None
    options = params.get("initializationOptions")
    if isinstance(options, dict) and isinstance(options.get("texgrad"), dict):
        options = options["texgrad"]  # (as protocol/settings.py reads them)
    folders = [f.get("uri") for f in params.get("workspaceFolders") or []]
    if not folders and params.get("rootUri"):
        folders = [params["rootUri"]]
    new = Session(
        cache_,
        start_key(options, folders, encoding),
        resolve(options if isinstance(options, dict) else None),
        dict(options) if isinstance(options, dict) else {},
    )
    _session[:] = [new]
    return new


def _reader(stdin: BinaryIO) -> Callable[[int], bytes]:
    """Reads of ``stdin``'s file descriptor itself where it has one: a thread blocked in a
    buffered stream's read holds its lock, and Python aborts at exit when a daemon thread
    does (the buffer is empty: what was read before was read with ``read1``, which buffers
    nothing when it reads as much as the buffer holds or more)."""
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):  # (a stream in memory: tests)
        return getattr(stdin, "read1", None) or stdin.read
    return lambda size: os.read(fd, size)


class Pump:
    """Reads the client's stream from the moment ``initialize`` is answered: the server,
    once loaded, reads the same bytes from it (:meth:`read1`).  Until :meth:`loaded`, each
    ``didOpen`` whose diagnostics are kept is answered with them (written with ``write``),
    a few milliseconds after it arrives, while the server is still loading.  It also notes
    what :mod:`.early_analysis` needs to know: the first ``didOpen`` (:attr:`first`, and
    :attr:`first_seen` set then or at the end of the stream), the documents changed or
    closed since they were opened (:attr:`touched`) and whether the client sent settings
    (:attr:`reconfigured`)."""

    def __init__(
        self,
        stdin: BinaryIO,
        write: Callable[[bytes], None],
        session_: Callable[[], Session | None],
    ) -> None:
        self._read1 = _reader(stdin)
        self._write = write
        self._begin = session_  # (called in the thread: hashing the sources takes a while)
        self._session: Session | None = None
        self._queue: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._loaded = False
        self._framer = Framer()
        self._opened: dict[str, str] = {}  # path -> text of the documents opened so far
        self.published: list[str] = []  # uris published early (for the log and tests)
        self.analysed: list[str] = []  # uris published by the early analysis (the same)
        self.first: dict[str, Any] | None = None  # the first didOpen's textDocument
        self.first_kept = False  # (its kept diagnostics were published)
        self.first_seen = threading.Event()
        self.touched: set[str] = set()  # uris changed or closed (didChange, didClose)
        self.reconfigured = False  # a didChangeConfiguration gave other settings
        self._thread = threading.Thread(target=self._run, name="texgrad-stdin", daemon=True)
        self._thread.start()

    def read1(self, size: int = CHUNK) -> bytes:
        """The next bytes of the stream (b"" at its end), as a stream's ``read1``: blocking.
        (The pump reads :data:`CHUNK` at a time; ``size`` is not a bound.)"""
        return self._queue.get()

    def loaded(self) -> None:
        """The server is loaded: from now on it alone writes to the client."""
        with self._lock:
            self._loaded = True

    def publish(self, uri: str, diagnostics: list[Any], version: Any, kept: bool = True) -> bool:
        """Write ``publishDiagnostics`` for ``uri`` unless the server is loaded (then it
        alone writes) or ``uri`` was changed or closed since it was opened (True: written;
        ``kept``: diagnostics kept from the last session, else an early analysis's, which
        is not written either once the client has sent settings)."""
        data = _publication(uri, diagnostics, version)
        with self._lock:
            if self._loaded or uri in self.touched or (self.reconfigured and not kept):
                return False
            try:
                self._write(data)
            except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
                self._loaded = True
                return False
            # (logged by the server: logging is not set up yet)
            (self.published if kept else self.analysed).append(uri)
            return True

    def _run(self) -> None:
        try:
            self._session = self._begin()
        except Exception:  # only a head start: never a failure of the server
            log.exception("setting up the cache of diagnostics failed")
        if self._session is None:
            self._loaded = True  # (nothing to publish: a reader only)
        while True:
            try:
                data = self._read1(CHUNK)
            except (OSError, ValueError) as exc:
                log.warning("reading from the client failed: %s", exc)
                data = b""
            self._queue.put(data)
            if not data:
                self.first_seen.set()  # (nothing more will come)
                return
            if not self._loaded:
                try:
                    for body in self._framer.feed(data):
                        self._look(body)
                except Exception:  # only a head start: never a failure of the server
                    log.exception("publishing kept diagnostics failed")
                    self._loaded = True
                    self.first_seen.set()

    def _look(self, body: bytes) -> None:
        if self._loaded or not any(m in body for m in _WATCHED):
            return
        try:
            message = json.loads(body)
            method = message.get("method")
            if method == "workspace/didChangeConfiguration":
                if not self._settings_agree(message.get("params")):
                    with self._lock:
                        self.reconfigured = True
                return
            doc = message["params"]["textDocument"]
            if method in ("textDocument/didChange", "textDocument/didClose"):
                with self._lock:
                    self.touched.add(doc["uri"])
                return
            uri, text, version = doc["uri"], doc["text"], doc.get("version")
        except (ValueError, RecursionError, KeyError, TypeError, AttributeError):
            return  # (the server says what is wrong with it)
        if method != "textDocument/didOpen":
            return
        first = self.first is None
        if first:
            self.first = doc
        try:
            if isinstance(text, str) and isinstance(uri, str) and uri.startswith("file://"):
                self._publish_kept(uri, text, version, first)
        finally:
            if first:
                self.first_seen.set()

    def _settings_agree(self, params: Any) -> bool:
        """Whether the settings of a ``didChangeConfiguration`` leave the server's as
        ``initialize``'s: given (a ``texgrad`` section, which the server merges over
        those) and resolving alike, or not given (the server then asks
        ``workspace/configuration`` again: what the last session's note is about)."""
        settings = params.get("settings") if isinstance(params, dict) else None
        if not (isinstance(settings, dict) and isinstance(settings.get("texgrad"), dict)):
            return True
        from texgrad.settings import resolve

        sess = self._session
        return sess is not None and resolve({**sess.options, **settings["texgrad"]}) == (
            sess.settings
        )

    def _publish_kept(self, uri: str, text: str, version: Any, first: bool) -> None:
        from urllib.parse import unquote, urlparse

        path = os.path.normpath(unquote(urlparse(uri).path))
        sess = self._session
        assert sess is not None
        found = None
        if not analyse_only():
            found = sess.cache.lookup(uri, path, text, sess.start, self._opened)
        self._opened[path] = text
        if found is not None and self.publish(uri, found, version):
            self.first_kept = self.first_kept or first


_WATCHED = (
    b'"textDocument/didOpen"',
    b'"textDocument/didChange"',
    b'"textDocument/didClose"',
    b'"workspace/didChangeConfiguration"',
)


def _publication(uri: str, diagnostics: list[Any], version: Any) -> bytes:
    """``textDocument/publishDiagnostics`` framed as pygls writes it."""
    params: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
    if isinstance(version, int) and not isinstance(version, bool):
        params["version"] = version
    data = json.dumps(
        {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}
    ).encode("utf-8")
    header = f"Content-Length: {len(data)}\r\nContent-Type: {_CONTENT_TYPE}\r\n\r\n"
    return header.encode("ascii") + data


_CONTENT_TYPE = "application/vscode-jsonrpc; charset=utf-8"
