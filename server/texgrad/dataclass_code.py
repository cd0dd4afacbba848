"""The bytecode of the methods :mod:`dataclasses` writes for texgrad's classes, kept where
Python keeps texgrad's own bytecode (issue 17: the cold path).

For every dataclass, Python (3.10–3.12) writes the text of its ``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, ``__setattr__`` … and compiles each with ``exec``: about 900
functions for the classes ``texgrad check`` loads, ~0.1 s of CPU at every start (each
command's largest cost after SymPy and NumPy; ``syntax/tree.py``'s import is 95% of it).
The text depends only on the class, and compiling the same text gives the same code: so
the compiled code is kept by its text, in one file beside texgrad's ``.pyc`` files, and
a second process compiles nothing.

:func:`install` gives the ``dataclasses`` module an ``exec`` of its own (a module global,
found before the builtin) that looks the text up before compiling it — exactly what the
builtin does with a text (``compile(text, "<string>", "exec")``, no ``__future__`` flags
inherited), then runs the code in the same namespaces.  Nothing of ``dataclasses`` is
copied or replaced, so it holds for any version of it that ``exec``s a text (3.13
``exec``s one text per class: kept the same way).

Like Python's bytecode, the file is found under ``sys.pycache_prefix`` when one is set,
else in texgrad's ``__pycache__`` folder, named with the interpreter's cache tag and the
bytecode's magic number (another Python, another file); it is written only where Python
writes bytecode (not under ``PYTHONDONTWRITEBYTECODE``), once, as the process ends, when a
text was compiled, to a temporary name renamed over the old file (concurrent writers each
leave a whole file).  A text is its own key, so an entry is never stale: an edited class
writes another text (compiled, then kept); the file keeps at most :data:`MAX_ENTRIES`.  A
file that cannot be read or is not ours is a miss; a folder that cannot be written is
nothing at all (the methods are compiled as without it).  ``TEXGRAD_CODE_CACHE=off`` turns
it off.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
import types
from pathlib import Path
from typing import Any

MAX_ENTRIES = 5000  # texgrad's classes make ~1,100 texts; a file past this starts afresh
_MAGIC = b"texgrad-dataclass-code-2\n"

# text → its code: marshalled as read from the file (made a code object at its first use:
# a process keeps no code object of the texts it does not run, ~1.3 MB of the ~2 MB that
# keeping them all as code objects took), or a code object compiled here
_codes: dict[str, Any] | None = None
_new: dict[str, Any] = {}  # compiled in this process: written as it ends
_file: Path | None = None


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """``exec`` for the ``dataclasses`` module: a text's code read from the kept file if
    it is there, else compiled as the builtin compiles it."""
    if source.__class__ is not str:
        builtins.exec(source, globals, locals)
        return
    codes = _codes if _codes is not None else _load()
    code = codes.get(source)
    if code.__class__ is bytes:
        code = _loaded(code)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        codes[source] = code
        if len(_new) < MAX_ENTRIES:
            if not _new:
                import atexit

                atexit.register(_save)
            _new[source] = code
    builtins.exec(code, globals, locals)


def _loaded(data: bytes) -> Any:
    """The code object marshalled in ``data`` (None if it holds anything else: compiled)."""
    try:
        code = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def install() -> None:
    """Give ``dataclasses`` the ``exec`` above (once; not with ``TEXGRAD_CODE_CACHE=off``)."""
    if os.environ.get("TEXGRAD_CODE_CACHE", "").strip().lower() in {"0", "off", "no", "false"}:
        return
    import dataclasses

    dataclasses.exec = _exec  # type: ignore[attr-defined]


def uninstall() -> None:
    """``dataclasses`` back to the builtin ``exec`` (tests)."""
    import dataclasses

    dataclasses.__dict__.pop("exec", None)


def code_file() -> Path:
    """Where the compiled methods are kept for this interpreter."""
    global _file
    if _file is None:
        from importlib.util import MAGIC_NUMBER

        tag = f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}"
        here = Path(__file__).resolve().parent
        folder = here / "__pycache__"
        if sys.pycache_prefix:  # (as Python places the .pyc of a source file there)
            folder = Path(sys.pycache_prefix) / str(here).lstrip(os.sep).replace(":", "")
        _file = folder / f"dataclass_code.{tag}.marshal"
    return _file


def _load() -> dict[str, Any]:
    """The kept codes ({} where there is no readable file of ours)."""
    global _codes
    _codes = {}
    try:
        data = code_file().read_bytes()
        if data.startswith(_MAGIC):
            kept = marshal.loads(data[len(_MAGIC) :])
            if isinstance(kept, dict):
                _codes = {
                    k: v for k, v in kept.items() if k.__class__ is str and v.__class__ is bytes
                }
    except (OSError, ValueError, EOFError, TypeError):
        pass
    return _codes


def _save() -> None:
    """Keep what was read and what this process compiled (only where Python writes
    bytecode; nothing said where it cannot be written)."""
    if not _new or sys.dont_write_bytecode:
        return
    kept = dict(_codes or {})
    if len(kept) > MAX_ENTRIES:
        kept = dict(_new)
    for text, code in kept.items():
        if code.__class__ is not bytes:
            kept[text] = marshal.dumps(code)
    write_marshalled(code_file(), _MAGIC, kept)
    _new.clear()


def write_marshalled(file: Path, magic: bytes, kept: dict[Any, Any]) -> None:
    """Write ``magic`` and ``kept`` marshalled to ``file`` whole or not at all (a temporary
    name renamed over it: a reader never sees half; an unwritable folder writes nothing)."""
    tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(magic + marshal.dumps(kept))
        os.replace(tmp, file)
    except (OSError, ValueError):
        try:
            tmp.unlink()
        except OSError:
            pass
