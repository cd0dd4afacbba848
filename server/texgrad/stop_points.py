"""Where long work may be stopped on request: the language server's jobs (an analysis whose
text changed, a derivative check of a text gone, a differentiation nobody waits for).

A job runs with a :class:`StopRequest` made current on its thread (:func:`stoppable`); the
work calls :func:`point` where what it has changed so far is whole (a row parsed and
remembered, a claim's verdict stored, a step of the engine done), and ``point`` raises
:class:`Stopped` there once the request is made.  Stopping there, rather than at any
bytecode, is what lets the server keep what the job built (its workspace, its caches)
instead of throwing it away.  Without a current request — the command line, tests —
``point`` does nothing.  Imports nothing of texgrad: every layer may call it.
"""

from __future__ import annotations

import threading
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
    """Raise :class:`Stopped` if this thread's job has been asked to stop (cheap)."""
    request: StopRequest | None = getattr(_local, "request", None)
    if request is not None and request.requested:
        raise Stopped("stopped at the server's request")
