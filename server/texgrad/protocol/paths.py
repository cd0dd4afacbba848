"""The analysis key (a file path) of a document an editor names by URI, whatever the URI:
a file's, or one with no file behind it (``untitled:``, a notebook cell's
``vscode-notebook-cell:``), or one whose path cannot be used (a NUL byte, a lone
surrogate, a name too long, a symlink loop, a folder).  Those without a usable file are
read as unsaved buffers, keyed by a made-up path in a folder that does not exist, so that
nothing is read from disk for them; each odd one is logged in one line.

Standard library and the reading layer only (no pygls, no lsprotocol): the server's early
start reads the first opened document's path and format here before pygls is loaded
(``protocol/early_analysis.py``); :func:`fs_path` is ``pygls.uris.to_fs_path``, held
equal to it by ``tests/protocol/test_paths.py``."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import sys
from urllib.parse import unquote, urlparse

from texgrad.reading.document import Format, detect_format
from texgrad.reading.project import LATEX_SUFFIXES, MARKDOWN_SUFFIXES, normalize

log = logging.getLogger("texgrad.lsp")

UNTITLED_FOLDER = ".texgrad-untitled"  # (under the working folder; never created)
_NAME_CHARS = 80
_DRIVE = re.compile(r"^\/[a-zA-Z]:")
_WINDOWS = os.name == "nt"  # (pygls's IS_WIN)


def fs_path(uri: str) -> str | None:
    """The file system path of a ``file:`` URI as ``pygls.uris.to_fs_path`` reads it (a
    share's host kept, a drive letter lower-cased; None for another scheme; raises
    ValueError where ``urllib`` cannot parse it, as pygls's does)."""
    try:
        scheme, netloc, path = (unquote(part) for part in urlparse(uri)[:3])
    except TypeError:
        return None
    if scheme != "file":
        return None
    if netloc and path:
        value = f"//{netloc}{path}"
    elif _DRIVE.match(path):
        value = path[1].lower() + path[2:]
    else:
        value = path
    return value.replace("/", "\\") if _WINDOWS else value


def file_path(uri: str) -> str | None:
    """The normalized path of the file a ``file:`` URI names; None when it names none
    that can be used (logged)."""
    if not uri.startswith("file:"):
        return None
    try:
        fs = fs_path(uri)
    except Exception as exc:  # noqa: BLE001 - a URI urllib cannot parse
        log.warning("texgrad: %r is not a file URI texgrad can read (%s)", uri[:200], exc)
        return None
    problem = _unusable(fs)
    if problem is None:
        assert fs is not None
        try:
            path = normalize(fs)
        except (OSError, ValueError, RuntimeError) as exc:  # a symlink loop, a long name…
            problem = " ".join(str(exc).split())
        else:
            if not os.path.isdir(path):
                return path
            problem = "a folder"
    log.warning(
        "texgrad: %r names no readable file (%s): read as an unsaved buffer", uri[:200], problem
    )
    return None


def _unusable(fs: str | None) -> str | None:
    if not fs or not os.path.isabs(fs):
        return "no absolute path"
    if "\x00" in fs:
        return "a NUL byte in its path"
    try:
        fs.encode(sys.getfilesystemencoding(), "surrogateescape")
    except UnicodeEncodeError:
        return "a path the file system cannot encode"
    try:
        os.stat(fs)  # (not opened: a FIFO is not read here)
    except OSError as exc:
        if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP):
            return os.strerror(exc.errno)
    return None


def buffer_path(uri: str) -> str:
    """A made-up path for a buffer without a file: its URI's tail in safe characters
    (shortened, with a digest of the whole so that two buffers never share one), in a
    folder that does not exist."""
    tail = uri.split(":", 1)[-1]
    name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in tail)
    name = name.strip("._") or "untitled"
    if len(name) > _NAME_CHARS or name != tail:
        digest = hashlib.sha1(uri.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        name = f"{name[:_NAME_CHARS]}-{digest}"
    return os.path.join(os.getcwd(), UNTITLED_FOLDER, name)


def folder_path(uri: str) -> str | None:
    """A workspace folder's normalized path (None, logged, for one that is not a usable
    local folder: it is then not a workspace folder)."""
    if not uri.startswith("file:"):
        log.warning("texgrad: workspace folder %r is not a local folder: ignored", uri[:200])
        return None
    try:
        fs = fs_path(uri)
    except Exception:  # noqa: BLE001
        fs = None
    problem = _unusable(fs)
    if problem is None:
        assert fs is not None
        try:
            return normalize(fs)
        except (OSError, ValueError, RuntimeError) as exc:
            problem = " ".join(str(exc).split())
    log.warning("texgrad: workspace folder %r ignored (%s)", uri[:200], problem)
    return None


def format_of(uri: str, language_id: str | None) -> Format:
    """The format of an opened document: its language id's, unless its file name is
    LaTeX's or Markdown's and the language id names the other.  Then the name wins:
    eglot before 1.10 (Emacs 28) starts one server for all the modes of an
    ``eglot-server-programs`` entry and sends the language id of the first buffer
    opened for every buffer (a ``.md`` file arrives as ``latex``)."""
    by_id = detect_format(uri, language_id)
    name = uri.split("?", 1)[0].split("#", 1)[0]
    suffix = os.path.splitext(name)[1].lower()
    if suffix in LATEX_SUFFIXES or suffix in MARKDOWN_SUFFIXES:
        by_name = detect_format(name)
        if by_name != by_id:
            log.info("%s opened as %s: read as %s, as its name says", uri, language_id, by_name)
            return by_name
    return by_id


def path_of(uri: str, fmt: Format) -> str:
    """The analysis key of a document: its file's path, made to end in the suffix of
    its format when the editor's language id says otherwise (or, for a buffer with no
    usable file — untitled, a notebook cell, an odd URI — a made-up path)."""
    path = file_path(uri) or buffer_path(uri)
    if detect_format(path) != fmt:
        path += ".md" if fmt == "markdown" else ".tex"
    return path
