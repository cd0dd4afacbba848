"""The compiled code of the regular expressions texgrad's modules make at import, kept where
Python keeps texgrad's own bytecode (issue 17: the cold path).

Python compiles a regular expression in Python (``re._parser`` then ``re._compiler``, ~0.25
ms each): texgrad's modules make ~300 at import, 0.065-0.085 s of the 0.19 s of CPU that
importing the engine takes (``texgrad diff``; measured, load ~7 on 2 cores). What they
compile to depends only on the pattern, its flags and the interpreter: so the arguments
the compiler gives ``_sre.compile`` (the C type's constructor: the flags, the code as a
list of integers, the groups and their names) are kept by pattern and flags, in one file
beside texgrad's ``.pyc`` files, and a second process makes each pattern from them with
that same call, parsing and compiling nothing.

:func:`install` gives ``re._compiler`` a ``compile`` of its own (a module global ``re``
calls at every pattern it has not cached in memory) that looks the pattern up first; on
a miss it runs the real ``compile``, seeing the ``_sre.compile`` call it makes (a module
of its own in place of ``_sre`` within ``re._compiler``), and keeps those arguments. Nothing
of ``re`` is copied: what is kept is what this interpreter's compiler passed, and a
pattern made from it is the pattern it made. Only where ``re._compiler`` is (Python 3.11 and
later; 3.10 compiles as ever), for str and bytes patterns without ``re.DEBUG``.

Like ``dataclass_code``: the file is under ``sys.pycache_prefix`` when one is set, else in
texgrad's ``__pycache__``, named with the interpreter's cache tag, bytecode magic and
``_sre.MAGIC`` (another Python, another file); written only where Python writes bytecode,
as the process ends, when a pattern was compiled, to a temporary name renamed over the old
file (read again then and merged: the process let go of each entry it used, once its pattern
was made, so that a server holds only what it has not used). A pattern is its own key, so an
entry is never stale (an edited pattern is another key); the file keeps at most
:data:`MAX_ENTRIES`. A file that cannot be read, or holds
anything but such arguments, is a miss; a folder that cannot be written, nothing at all.
``TEXGRAD_CODE_CACHE=off`` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
import types
from _thread import RLock  # (not threading: --version need not import it)
from array import array
from pathlib import Path
from typing import Any

MAX_ENTRIES = 3000  # texgrad's modules make ~350 patterns (with SymPy's, NumPy's)
_MAGIC = b"texgrad-regex-code-2\n"

Key = tuple[Any, int]  # (pattern, flags)
Args = tuple[Any, ...]  # what _sre.compile was given, its code as bytes (see _kept_args)

# read on the first use; an entry is let go of once its pattern is made (the pattern is
# Python's to keep: re's cache, a module's global), so that what a process holds after its
# imports is what it has not used (a server held every entry, 3 MB resident of ~1,100)
_kept: dict[Key, Args] | None = None
_new: dict[Key, Args] = {}  # compiled in this process: written as it ends
_damaged: set[Key] = set()  # kept entries that were not valid code: not written again
_file: Path | None = None
_real_compile: Any = None  # re._compiler.compile
_sre: Any = None  # the _sre module
_lock = RLock()  # (one pattern compiled and seen at a time)
_CODE = array("I")  # (its item size: 4 bytes where the code is kept)


class _Seeing(types.ModuleType):
    """``_sre`` as ``re._compiler`` sees it while installed: its ``compile`` call noted while
    :func:`_compile` watches (under its lock: one thread at a time)."""

    def __init__(self, real: Any) -> None:
        super().__init__("_sre")
        self.__dict__.update(real.__dict__)
        del self.__dict__["compile"]  # (the method below, not the real one, is found)
        self.real = real
        self.watching = False
        self.seen: list[Args] = []

    def compile(self, *args: Any) -> Any:
        if self.watching:
            self.seen.append(args)
        return self.real.compile(*args)


def _compile(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``: a pattern made from its kept arguments, else compiled (its
    arguments kept)."""
    cls = p.__class__
    if (cls is not str and cls is not bytes) or flags & 128:  # (re.DEBUG prints: compiled)
        return _real_compile(p, flags)
    key = (p, int(flags))
    kept = _kept if _kept is not None else _load()
    args = kept.pop(key, None)  # (made once here: the file still has it, see _save)
    if args is not None:
        try:
            return _sre.compile(*_given(args))
        except Exception:  # noqa: BLE001 - a damaged entry (invalid code): compiled anew
            _damaged.add(key)
    import re._compiler as compiler  # type: ignore[import-not-found,unused-ignore]

    seeing = compiler._sre
    if not isinstance(seeing, _Seeing):  # (put back by someone: compiled, not kept)
        return _real_compile(p, flags)
    with _lock:
        seeing.watching = True
        seeing.seen.clear()
        try:
            pattern = _real_compile(p, flags)
        finally:
            seeing.watching = False
        seen = list(seeing.seen)
        seeing.seen.clear()
    if len(seen) != 1 or seen[0][0] is not p or len(seen[0]) != 6:
        return pattern  # (not its own one call: not kept)
    args = _kept_args(p, seen[0])
    if args is None:
        return pattern
    if _valid(key, args):
        if len(_new) < MAX_ENTRIES:
            if not _new:
                import atexit

                atexit.register(_save)
            _new[key] = args
    return pattern


def _kept_args(p: Any, seen: Args) -> Args | None:
    """The arguments of a ``_sre.compile`` call as they are kept: the code (a list of
    unsigned 32-bit ints, ``SRE_CODE``) as the bytes of an ``array('I')`` — four bytes a
    code in the file and in memory, where a list holds a pointer and, past 256, an int
    object (~36 bytes) a code: 1.7 MB kept for ~500 patterns, ~0.3 MB so; None if it is
    not such a list."""
    pattern_, flags_, code, groups, names, by_index = seen
    if _CODE.itemsize != 4:
        return None
    try:  # (the opcodes are named ints: kept as the ints they are)
        return (p, int(flags_), array("I", code).tobytes(), int(groups), dict(names), by_index)
    except (TypeError, ValueError, OverflowError):
        return None


def _given(args: Args) -> Args:
    """What ``_sre.compile`` is given for kept arguments (the code a list of ints again)."""
    code = array("I")
    code.frombytes(args[2])
    return (args[0], args[1], code.tolist(), *args[3:])


def install() -> None:
    """Give ``re._compiler`` the ``compile`` above (once; not with ``TEXGRAD_CODE_CACHE=off``
    nor where there is no ``re._compiler``)."""
    global _real_compile, _sre
    if os.environ.get("TEXGRAD_CODE_CACHE", "").strip().lower() in {"0", "off", "no", "false"}:
        return
    try:
        import _sre as real_sre
        import re._compiler as compiler  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # (Python 3.10: sre_compile)
        return
    if compiler.compile is _compile:
        return
    if not callable(getattr(real_sre, "compile", None)):
        return
    _real_compile, _sre = compiler.compile, real_sre
    compiler._sre = _Seeing(real_sre)
    compiler.compile = _compile


def uninstall() -> None:
    """``re._compiler`` as it was (tests)."""
    try:
        import re._compiler as compiler  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return
    if compiler.compile is _compile:
        compiler.compile = _real_compile
        compiler._sre = _sre


def code_file() -> Path:
    """Where the patterns' arguments are kept for this interpreter."""
    global _file
    if _file is None:
        from importlib.util import MAGIC_NUMBER

        magic = getattr(_sre, "MAGIC", 0)
        tag = f"{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}-{magic}-{sys.byteorder}"
        here = Path(__file__).resolve().parent
        folder = here / "__pycache__"
        if sys.pycache_prefix:  # (as Python places the .pyc of a source file there)
            folder = Path(sys.pycache_prefix) / str(here).lstrip(os.sep).replace(":", "")
        _file = folder / f"regex_code.{tag}.marshal"
    return _file


def _valid(key: Any, args: Any) -> bool:
    """An entry as :func:`_compile` keeps it: (pattern, flags) → (pattern, flags, code as
    the bytes of whole 32-bit codes, groups, group names, names by index)."""
    if key.__class__ is not tuple or len(key) != 2 or args.__class__ is not tuple:
        return False
    p, flags = key
    if len(args) != 6 or args[0] != p or flags.__class__ is not int:
        return False
    return (
        args[1].__class__ is int
        and args[2].__class__ is bytes
        and len(args[2]) % 4 == 0  # (whole codes: what _sre makes of them, it checks)
        and args[3].__class__ is int
        and args[4].__class__ is dict
        and args[5].__class__ is tuple
    )


def _load() -> dict[Key, Args]:
    """The kept arguments, read on the first use ({} where there is no readable file of ours)."""
    global _kept
    _kept = read_kept()
    return _kept


def read_kept() -> dict[Key, Args]:
    """The valid entries of the file as it is now ({} where there is no readable file of ours)."""
    try:
        data = code_file().read_bytes()
        if data.startswith(_MAGIC):
            kept = marshal.loads(memoryview(data)[len(_MAGIC) :])
            if isinstance(kept, dict):
                return {k: v for k, v in kept.items() if _valid(k, v)}
    except (OSError, ValueError, EOFError, TypeError):
        pass
    return {}


def _save() -> None:
    """Keep what was read and what this process compiled (only where Python writes
    bytecode; nothing said where it cannot be written)."""
    if not _new or sys.dont_write_bytecode:
        return
    # (read again: what this process used it let go of, and another may have written since)
    kept = {k: v for k, v in read_kept().items() if k not in _damaged}
    kept.update(_new)
    if len(kept) > MAX_ENTRIES:
        kept = dict(_new)
    from texgrad.dataclass_code import write_marshalled  # (imported first by texgrad)

    write_marshalled(code_file(), _MAGIC, kept)
    _new.clear()
