"""One wall-clock deadline for a whole request: every step of it, however many budgets
it makes, ends by then.

A differentiation is lowering, the differential, simplifying, printing, verifying at
random points, writing NumPy code; several steps made a ``Budget`` of their own from the
request's seconds, so a request could run for several budgets, and work between two
``Budget.check`` calls (a sympy expansion, a loop of finite differences) ran on unseen.
While a :class:`Deadline` is :meth:`~Deadline.active` on a thread, every ``Budget`` made
there ends by it, :func:`checkpoint` (called in loops that no budget reaches) raises once it
has passed, and :meth:`Deadline.cancel` from another thread makes the next check raise
(cooperative: a server can free its worker; a server's job stop reaches every check too, as
:class:`texgrad.stop_points.Stopped`).  On the main thread, ``hard=True`` also
interrupts pure-Python work between two checks (sympy, printing) with a timer signal,
repeated until the request ends: the command line's ``--budget`` is a bound on the whole
command.  Work in C (a product of huge numpy arrays) is bounded by sizes instead
(``sampling.MAX_SAMPLED_ENTRIES``, ``shapes.dims.MAX_DIMENSION_BITS``).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from texgrad.calculus.expr import CalculusError
from texgrad.stop_points import point

_local = threading.local()
_REPEAT = 0.25  # seconds between two interruptions once the deadline has passed


class BudgetExceeded(CalculusError):
    """The request's time is up (or it was cancelled): what every check raises."""


class Deadline:
    """The time a request must end by; :meth:`cancel` ends it now.  ``within``: a larger
    request this one is part of (a document's check of the derivatives it writes, inside
    a server's job): this one has passed when that one has, or was cancelled."""

    def __init__(self, seconds: float, within: Deadline | None = None) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.cancelled = False
        self.within = within
        if within is not None:
            self.at = min(self.at, within.at)

    def cancel(self) -> None:
        """End the request at its next check (from any thread)."""
        self.cancelled = True
        self.at = time.monotonic()

    def passed(self) -> bool:
        return (
            self.cancelled
            or time.monotonic() > self.at
            or (self.within is not None and self.within.passed())
        )

    def message(self) -> str:
        if self.within is not None and self.within.passed():
            return self.within.message()
        if self.cancelled:
            return "cancelled"
        return f"gave up after {self.seconds:g} s (the time budget)"

    @contextmanager
    def active(self, hard: bool = False) -> Iterator[Deadline]:
        """This thread's requests end by this deadline while the block runs (``hard``: on
        the main thread, interrupted by a timer signal too)."""
        before = getattr(_local, "deadline", None)
        _local.deadline = self
        armed = hard and threading.current_thread() is threading.main_thread()
        if armed:
            previous = signal.signal(signal.SIGALRM, self._interrupt)
            signal.setitimer(signal.ITIMER_REAL, max(self.at - time.monotonic(), 0.001), _REPEAT)
        try:
            yield self
        finally:
            while armed:  # (an interruption here, the timer's last, is not to leave it on)
                try:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)
                    armed = False
                except BudgetExceeded:
                    continue
            _local.deadline = before

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        raise BudgetExceeded(self.message())


def current() -> Deadline | None:
    """The deadline active on this thread, if any."""
    found: Deadline | None = getattr(_local, "deadline", None)
    return found


def checkpoint() -> None:
    """Raise :class:`BudgetExceeded` if this thread's deadline has passed (cheap: call it in
    loops), and :class:`texgrad.stop_points.Stopped` if the server stopped this thread's job
    (a stop point: no verdict is made of it, unlike a budget's end)."""
    point()
    deadline: Deadline | None = getattr(_local, "deadline", None)
    if deadline is not None and deadline.passed():
        raise BudgetExceeded(deadline.message())
