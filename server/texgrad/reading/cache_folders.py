"""Where texgrad keeps what it remembers between runs for this user: the parsed rows
(``syntax/parse_cache.py``) and the diagnostics last published for a document
(``protocol/early_diagnostics.py``).  Standard library only: the language server asks for
it before it has loaded anything else.

``TEXGRAD_CACHE=off`` (or ``0``, ``no``, ``false``) turns every cache off;
``TEXGRAD_CACHE_DIR`` is the parses' folder, the others being folders inside it; else
``$XDG_CACHE_HOME/texgrad/<kind>`` or ``~/.cache/texgrad/<kind>`` (on macOS
``~/Library/Caches``, on Windows ``%LOCALAPPDATA%``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_OFF = frozenset({"0", "off", "no", "false"})


def user_cache_folder(kind: str) -> Path | None:
    """The folder of one kind of cache (``parses``, ``diagnostics``); None: turned off."""
    if os.environ.get("TEXGRAD_CACHE", "").strip().lower() in _OFF:
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
