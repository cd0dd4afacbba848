"""How often the language server's process collects garbage, and how its C heap is kept
(standard library only: the first document is analysed with them before pygls and the
server are loaded, see :mod:`.early_analysis`)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from texgrad.collector import uncollected

# Allocations between two collections of the youngest generation while serving (Python's
# default is 700): what an edit's analysis makes of the Cookbook (rows and runs moved, the
# symbol table made again) ran 10-20 young collections a keystroke, each walking what it
# made so far — ~0.8 ms of a keystroke's ~12 ms of CPU and its 5-9 ms outliers, measured
# in-process over 200 edits; at 10,000, ~0.02 ms.  What the analysis keeps is frozen after
# it (collect_when_idle), so the older generations stay small either way.
YOUNG_COLLECT_EVERY = 10_000


def fewer_young_collections() -> None:
    """Collect the youngest generation every YOUNG_COLLECT_EVERY allocations (the process
    serves: its other thresholds as they are)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECT_EVERY, middle, old)


@contextmanager
def collected_after() -> Iterator[None]:
    """The cyclic collector off within (the first document's analysis and its publishing:
    its ~10 young collections walked what the analysis made so far, ~10% of its CPU time,
    and it leaves ~150 objects in reference cycles); after, what is alive frozen out of
    the collector's view, as the server freezes what an analysis keeps
    (``collect_when_idle``), and the collector back on (if it was)."""
    with uncollected(freeze=True):
        yield


_M_ARENA_MAX = -8  # (glibc's malloc.h)


def one_heap() -> None:
    """Let every thread allocate from the one C heap (glibc's ``mallopt(M_ARENA_MAX, 1)``):
    by default each thread that allocates — the early analysis's, the analysis's, the
    derivative checks' — gets a heap of its own, which keeps the pages it freed, and the
    threads take turns under the GIL anyway.  Called first thing by ``texgrad lsp``
    (``early_initialize.main``), before the thread reading the client and the early
    analysis's start (called in ``TexgradServer`` only, the Cookbook's early analysis
    filled a heap of its own: with every corpus file open, ~5 MB more resident and twice
    the spread between runs), and again by the server (a server started otherwise: TCP,
    the tests).  Nowhere but on glibc; threads that have allocated already keep theirs."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):  # (musl, another C library)
        pass


def forget_generated_sources() -> int:
    """Drop what Python's ``linecache`` keeps of generated code's source — attrs's methods
    of lsprotocol's ~1,000 classes (``<attrs generated init …>``), cattrs's converters,
    made as messages of new types are read and written — kept only to be shown in a
    traceback that passes through them (one would show no line of them instead): ~1.5 MB
    once the server is loaded, more as it serves.  Files' entries stay.  How many went."""
    import linecache

    generated = [name for name in list(linecache.cache) if name.startswith("<")]
    for name in generated:
        linecache.cache.pop(name, None)
    return len(generated)
