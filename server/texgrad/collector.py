"""Large imports made without Python's cyclic garbage collector running (issue 17: the cold
path).

Importing SymPy, NumPy and texgrad's analysis makes ~150,000 objects that live as long as
the process; with the collector on, each 700 new ones start a collection, and every tenth
of those walks the middle generation again, ~100 collections walking what the imports made
so far: 15–20% of the imports' CPU time (measured: importing the shape checker and the
engine with SymPy and NumPy, 0.64–0.70 s with it, 0.51–0.58 s without, load ~10).
:func:`uncollected` turns it off for the time of an import and back on after (only if it
was on): nothing is freed later than it would be by counting references, and what the
imports made in reference cycles is found by the first collection after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def uncollected() -> Iterator[None]:
    """The cyclic collector off within (back on after, if it was on)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
