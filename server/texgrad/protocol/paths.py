"""The analysis key (a file path) of a document an editor names by URI, whatever the URI:
a file's, or one with no file behind it (``untitled:``, a notebook cell's
``vscode-notebook-cell:``), or one whose path cannot be used (a NUL byte, a lone
surrogate, a name too long, a symlink loop, a folder).  Those without a usable file are
read as unsaved buffers, keyed by a made-up path in a folder that does not exist, so that
nothing is read from disk for them; each odd one is logged in one line."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import sys

from pygls.uris import to_fs_path

from texgrad.reading.project import normalize

log = logging.getLogger("texgrad.lsp")

UNTITLED_FOLDER = ".texgrad-untitled"  # (under the working folder; never created)
_NAME_CHARS = 80


def file_path(uri: str) -> str | None:
    """The normalized path of the file a ``file:`` URI names; None when it names none
    that can be used (logged)."""
    if not uri.startswith("file:"):
        return None
    try:
        fs = to_fs_path(uri)
    except Exception as exc:  # noqa: BLE001 - pygls on a URI it cannot parse
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
        fs = to_fs_path(uri)
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
