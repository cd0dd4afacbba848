"""Work in a thread that the server can stop: a differentiation nobody waits for any
more (its request cancelled, a newer listing started) or an analysis past its bound.

A Python thread cannot be killed, and work in it only stops where it checks; so a job
that is told to stop gets :class:`Stopped` raised in its thread at the next bytecode
(CPython's ``PyThreadState_SetAsyncExc``): pure-Python work (the engine, sympy, the
checker) ends at once, a long call into C ends when it returns.  ``Stopped`` is a
``BaseException``, so the ``except Exception`` that keep a bug from taking the server
down do not swallow it; the job's future ends with it.  What the job was changing may be
left half done: its owner throws that state away (a stopped analysis's workspace).

A stop is only ever raised while the job's own function runs (both under one lock), and
one not delivered when the function returns is withdrawn, so it never reaches the pool's
worker loop or the next job.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_set_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


class Stopped(BaseException):
    """Raised in a job's thread when the server stops it."""


class Job(Generic[T]):
    """``fn(*args)`` to run in a pool (:meth:`run`), stoppable from any thread."""

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self._fn = fn
        self._args = args
        self._lock = threading.Lock()
        self._thread: int | None = None
        self.state = "waiting"  # running, stopping, done
        self.overdue = False  # stopped for running past its bound (not moved, not cancelled)

    def run(self) -> T:
        with self._lock:
            if self.state != "waiting":
                raise Stopped("stopped before it started")
            self.state = "running"
            self._thread = threading.get_ident()
        try:
            return self._fn(*self._args)
        finally:
            with self._lock:
                if self.state == "stopping" and self._thread is not None:
                    _withdraw(self._thread)  # (if not delivered yet)
                self.state = "done"
                self._thread = None

    def stop(self) -> bool:
        """Stop the job (True: it was waiting or running)."""
        with self._lock:
            if self.state == "waiting":
                self.state = "done"
                return True
            if self.state != "running" or self._thread is None:
                return False
            self.state = "stopping"
            return _set_async_exc(self._thread, Stopped) == 1


def _withdraw(thread: int) -> None:
    _clear_async_exc(thread, None)
