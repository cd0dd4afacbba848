"""Where texgrad keeps what it caches between runs (parsed rows, check results): the user's
cache folder, or none.  Imports nothing of texgrad (a command that finds its answer there
loads no analysis).

``$TEXGRAD_CACHE_DIR`` names the parses' folder itself (other kinds go in sub-folders of
it); else ``$XDG_CACHE_HOME/texgrad/<kind>``, else ``~/.cache/texgrad/<kind>``; on macOS
``~/Library/Caches/texgrad``, on Windows ``%LOCALAPPDATA%/texgrad/Cache``.
``TEXGRAD_CACHE=off`` (or ``0``, ``no``, ``false``) turns every cache off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OFF = frozenset({"0", "off", "no", "false"})


def is_off(variable: str = "TEXGRAD_CACHE") -> bool:
    return os.environ.get(variable, "").strip().lower() in OFF


def cache_folder(kind: str = "parses") -> Path | None:
    """The folder of one kind of cache for this user (None: turned off).  Raises OSError,
    RuntimeError or KeyError where there is no home folder to put it in."""
    if is_off():
        return None
    given = os.environ.get("TEXGRAD_CACHE_DIR")
    if given:
        return Path(given) if kind == "parses" else Path(given) / kind
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "texgrad" / "Cache" / kind
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "texgrad" / kind
    xdg = os.environ.get("XDG_CACHE_HOME")
    base_path = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base_path / "texgrad" / kind


def remove_quietly(path: Path) -> None:
    """Delete ``path`` if it can be (another process may have removed it first)."""
    try:
        path.unlink()
    except OSError:
        pass


def trim(folder: Path, suffixes: tuple[str, ...], max_bytes: int) -> None:
    """Remove the least recently used files ending in ``suffixes`` while ``folder`` holds
    more than ``max_bytes`` of them (temporary files a writer left count too: list ".tmp")."""
    try:
        files = []
        for entry in os.scandir(folder):
            if entry.name.endswith(suffixes):
                st = entry.stat()
                files.append((st.st_mtime, st.st_size, entry.name))
    except OSError:
        return
    total = sum(size for _, size, _ in files)
    for _, size, name in sorted(files):
        if total <= max_bytes:
            break
        remove_quietly(folder / name)
        total -= size
