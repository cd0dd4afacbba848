"""A declaration, a signature or a fact at another place, made fast.

Every check after an edit places again what the rows and paragraphs it reuses declared
(their offsets kept relative to where they start) and moves the last check's knowledge
to compare it: a few hundred objects a keystroke in the Cookbook.  ``dataclasses.replace``
took ~4 times as long as copying the fields through their slots (each ~7 µs against ~2 on
a loaded machine: ~1 ms of a keystroke).  For frozen dataclasses with slots and no
``__post_init__``, the copy is the object ``replace`` makes; for any other class it is
``replace``'s.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_PLACERS: dict[type, Callable[..., Any]] = {}


def placed(item: T, start: int, end: int, path: str | None = None) -> T:
    """``item`` with ``start`` and ``end`` (and ``path``, if given) replaced."""
    cls = type(item)
    make = _PLACERS.get(cls)
    if make is None:
        make = _PLACERS[cls] = _placer(cls)
    out: T = make(item, item.path if path is None else path, start, end)  # type: ignore[attr-defined]
    return out


def _placer(cls: type) -> Callable[..., Any]:
    """A function of (item, path, start, end) making the item so placed."""
    fields = dataclasses.fields(cls)
    names = [f.name for f in fields]
    plain = (
        "__slots__" in cls.__dict__
        and not hasattr(cls, "__post_init__")
        and all(f.init for f in fields)
        and {"path", "start", "end"} <= set(names)
        and set(cls.__dict__["__slots__"]) == set(names)
    )
    if not plain:
        return lambda item, path, start, end: dataclasses.replace(
            item, path=path, start=start, end=end
        )
    # (each field set through its slot: the frozen class's __setattr__ refuses)
    others = [n for n in names if n not in ("path", "start", "end")]
    values: Callable[[Any], tuple[Any, ...]] = (
        (
            operator.attrgetter(*others)
            if len(others) > 1
            else lambda item: (getattr(item, others[0]),)
        )
        if others
        else lambda item: ()
    )
    setters = [getattr(cls, n).__set__ for n in others]
    set_path, set_start, set_end = (getattr(cls, n).__set__ for n in ("path", "start", "end"))
    new = object.__new__

    def make(item: Any, path: str, start: int, end: int) -> Any:
        out: Any = new(cls)
        for put, value in zip(setters, values(item), strict=True):
            put(out, value)
        set_path(out, path)
        set_start(out, start)
        set_end(out, end)
        return out

    return make
