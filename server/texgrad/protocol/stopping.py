"""Work in a thread that the server can stop: a differentiation nobody waits for any
more (its request cancelled, a newer listing started), a derivative check of a text that
changed, an analysis whose text changed, that another document waits behind, or past
its bound.

A Python thread cannot be killed, and work in it only stops where it checks.  Every job
runs with a stop request current on its thread (:mod:`texgrad.stop_points`): a stop
makes the work raise :class:`Stopped` at its next stop point, where what it built is
whole (the checker between rows, the engine at its budget checks, the derivative check
between claims) — so a *cooperative* job's owner keeps its state (the analysis's
workspace) and the next job goes on from there.  A job that is not cooperative, or one
stopped by force (an analysis past its bound), also gets ``Stopped`` raised at the next
bytecode (CPython's ``PyThreadState_SetAsyncExc``): pure-Python work ends at once, a
long call into C when it returns; what it was changing may be left half done, and its
owner throws that state away (a stopped analysis's workspace).  ``Stopped`` is a
``BaseException``, so the ``except Exception`` that keep a bug from taking the server
down do not swallow it; the job's future ends with it.  Each job also runs under a memory
bound (:func:`texgrad.stop_points.memory_bound`): one that grows the process past it ends
with :class:`MemoryExceeded` (a ``Stopped``) at its next stop point.

A stop is only ever raised while the job's own function runs (both under one lock), and
one not delivered when the function returns is withdrawn, so it never reaches the pool's
worker loop or the next job.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from texgrad.stop_points import MemoryExceeded, Stopped, StopRequest, memory_bound, stoppable

__all__ = ["Job", "MemoryExceeded", "Stopped"]

T = TypeVar("T")

_set_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


class Job(Generic[T]):
    """``fn(*args)`` to run in a pool (:meth:`run`), stoppable from any thread
    (``cooperative``: at its stop points only, unless forced)."""

    def __init__(self, fn: Callable[..., T], *args: Any, cooperative: bool = False) -> None:
        self._fn = fn
        self._args = args
        self._lock = threading.Lock()
        self._thread: int | None = None
        self._raised = False  # an asynchronous Stopped is on its way
        self.cooperative = cooperative
        self.request = StopRequest()
        self.state = "waiting"  # running, stopping, done
        # whether it started (done and not begun: stopped while it waited; done and begun:
        # it ended, and its future is told a moment later, from its thread)
        self.began = False
        self.overdue = False  # stopped for running past its bound (not moved, not cancelled)
        self.on_start: Callable[[], object] | None = None  # told in its thread as it starts

    def run(self) -> T:
        with self._lock:
            if self.state != "waiting":
                raise Stopped("stopped before it started")
            self.state = "running"
            self.began = True
            self._thread = threading.get_ident()
        if self.on_start is not None:
            self.on_start()
        try:
            with stoppable(self.request), memory_bound():
                return self._fn(*self._args)
        finally:
            with self._lock:
                if self._raised and self._thread is not None:
                    _withdraw(self._thread)  # (if not delivered yet)
                self.state = "done"
                self._thread = None

    def cpu_seconds(self) -> float | None:
        """CPU time its thread has used so far (None: not running, or not measurable
        here): how long it has really worked, whatever the machine's load."""
        thread = self._thread
        if thread is None:
            return None
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(thread))
        except (AttributeError, OSError, OverflowError):  # (not Linux/BSD, or just ended)
            return None

    @property
    def forced(self) -> bool:
        """Stopped at any bytecode: what it was changing may be half done."""
        return self._raised

    def stop(self, force: bool = False) -> bool:
        """Stop the job (True: it was waiting or running): at its next stop point, and at
        once unless it is cooperative (``force``: at once even so)."""
        with self._lock:
            if self.state == "waiting":
                self.state = "done"
                return True
            if self.state not in ("running", "stopping") or self._thread is None:
                return False
            self.request.request()
            self.state = "stopping"
            if (self.cooperative and not force) or self._raised:
                return True
            self._raised = _set_async_exc(self._thread, Stopped) == 1
            return self._raised


def _withdraw(thread: int) -> None:
    _clear_async_exc(thread, None)
