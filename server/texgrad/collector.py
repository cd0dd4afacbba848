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

In a process that runs one command (:func:`frozen_imports`: ``texgrad`` run as the program),
what is alive as such an import ends is also frozen out of the collector's view
(``gc.freeze``).  Otherwise the first young collection after it walks every object the
import made (all of them still young: the collector was off) and the middle one walks them
all again: 0.05–0.10 s of the 0.45 s of CPU of ``texgrad diff`` of ``x^\top A x``
(measured, load ~7 on 2 cores, with ``gc.callbacks``).  What the imports left in reference
cycles then lives as long as the process (a few objects: modules, classes and functions
live that long anyway); a caller that unfreezes (``gc.unfreeze``) gives it all back to the
collector.  Only where :func:`frozen_imports` is on: a process that goes on (tests, an
embedding program) keeps the collector as it found it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze = False  # (see frozen_imports)


@contextmanager
def uncollected(freeze: bool = False) -> Iterator[None]:
    """The cyclic collector off within (back on after, if it was on); ``freeze`` (or
    within :func:`frozen_imports`): what is alive at the end frozen out of its view."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze or _freeze:
            gc.freeze()
        gc.enable()


@contextmanager
def frozen_imports() -> Iterator[None]:
    """Within, what is alive as an :func:`uncollected` import ends is frozen (see the
    module's docstring): for a process that runs one command, then ends."""
    global _freeze
    before = _freeze
    _freeze = True
    try:
        yield
    finally:
        _freeze = before
