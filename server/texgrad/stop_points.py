"""Where long work may be stopped on request: the language server's jobs (an analysis whose
text changed, a derivative check of a text gone, a differentiation nobody waits for).

A job runs with a :class:`StopRequest` made current on its thread (:func:`stoppable`); the
work calls :func:`point` where what it has changed so far is whole (a row parsed and
remembered, a claim's verdict stored, a step of the engine done), and ``point`` raises
:class:`Stopped` there once the request is made.  Stopping there, rather than at any
bytecode, is what lets the server keep what the job built (its workspace, its caches)
instead of throwing it away.  Without a current request — the command line, tests —
``point`` does nothing.  Imports nothing of texgrad: every layer may call it.

Stop points are also where one piece of work's memory is bounded (:func:`memory_bound`: a
server's job, a command line's check of one file): ``point`` reads the process's resident
size (``/proc/self/statm``, at most every ``SAMPLE_SECONDS``) and raises
:class:`MemoryExceeded` — a :class:`Stopped`, so caught where stops are, with its own
message — once the work has grown it by more than its bound.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


class Stopped(BaseException):
    """Raised in a job's thread when the server stops it.  A ``BaseException``: the
    ``except Exception`` that keep a bug from taking the server down, or that turn an
    engine's failure into an undecided verdict, do not swallow it."""


class StopRequest:
    """Made by the job's owner; :meth:`request` (from any thread) stops the job at its
    next :func:`point`."""

    __slots__ = ("requested",)

    def __init__(self) -> None:
        self.requested = False

    def request(self) -> None:
        self.requested = True


@contextmanager
def stoppable(request: StopRequest) -> Iterator[StopRequest]:
    """Run the block on this thread with ``request`` current (restoring the one before)."""
    before = getattr(_local, "request", None)
    _local.request = request
    try:
        yield request
    finally:
        _local.request = before


def requested() -> bool:
    """Whether this thread's current job has been asked to stop."""
    request: StopRequest | None = getattr(_local, "request", None)
    return request is not None and request.requested


def point() -> None:
    """Raise :class:`Stopped` if this thread's job has been asked to stop, and
    :class:`MemoryExceeded` if it has outgrown its memory bound (cheap)."""
    request: StopRequest | None = getattr(_local, "request", None)
    if request is not None and request.requested:
        raise Stopped("stopped at the server's request")
    bound: MemoryBound | None = getattr(_local, "memory", None)
    if bound is not None:
        bound.check()


# -- the memory bound -------------------------------------------------------------------

MEMORY_MB = 1024  # megabytes one piece of work may grow the process by (TEXGRAD_MEMORY_MB)
SAMPLE_SECONDS = 0.01  # the resident size is read at most this often


class MemoryExceeded(Stopped):
    """The work grew the process past its bound: it is stopped, and its document told.
    ``limit``: the resident size it was not to pass (the size is the whole process's: work
    running beside it in another thread counts too, see the language server's retry)."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


def memory_limit_mb() -> float:
    """The bound set by ``TEXGRAD_MEMORY_MB`` (0 or less: none), else :data:`MEMORY_MB`."""
    raw = os.environ.get("TEXGRAD_MEMORY_MB", "")
    try:
        return float(raw) if raw.strip() else float(MEMORY_MB)
    except ValueError:
        return float(MEMORY_MB)


def resident_bytes() -> int | None:
    """The process's resident size now (None where ``/proc`` does not tell it)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            fields = f.read(128).split()
        return int(fields[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # (not POSIX)
    _PAGE = 4096


class MemoryBound:
    """What one piece of work may add to the process's resident size: ``megabytes`` more
    than when it began (sampled at stop points)."""

    __slots__ = ("megabytes", "limit", "next_at")

    def __init__(self, megabytes: float) -> None:
        self.megabytes = megabytes
        start = resident_bytes()
        self.limit = None if start is None else start + int(megabytes * 1024 * 1024)
        self.next_at = 0.0

    def check(self) -> None:
        if self.limit is None:
            return
        now = time.monotonic()
        if now < self.next_at:
            return
        self.next_at = now + SAMPLE_SECONDS
        size = resident_bytes()
        if size is not None and size > self.limit:
            limit, self.limit = self.limit, None  # (said once: the cleanup's points go on)
            raise MemoryExceeded(
                f"it needed more than {self.megabytes:g} MB of memory (its memory bound; "
                "TEXGRAD_MEMORY_MB sets it)",
                limit,
            )


@contextmanager
def memory_bound(megabytes: float | None = None) -> Iterator[MemoryBound | None]:
    """Bound this thread's work in the block (``megabytes``: default
    :func:`memory_limit_mb`; 0 or less, or no ``/proc``: no bound)."""
    mb = memory_limit_mb() if megabytes is None else megabytes
    before = getattr(_local, "memory", None)
    bound = MemoryBound(mb) if mb > 0 else None
    _local.memory = bound
    try:
        yield bound
    finally:
        _local.memory = before
