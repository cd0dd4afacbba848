"""One deadline for a whole request: every step of it, however many budgets it makes, ends
by then (on the wall clock, or in CPU time of the thread it runs on with a wall-clock
backstop: ``Deadline(…, cpu=True)``, a server's check of a document's derivatives).

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
repeated until the request ends (a CPU deadline's timer looks at its thread's CPU time
every ``_REPEAT`` seconds once its seconds have passed on the wall clock): the command line's ``--budget`` is a bound on the whole
command.  Work in C (a product of huge numpy arrays) is bounded by sizes instead
(``sampling.MAX_SAMPLED_ENTRIES``, ``shapes.dims.MAX_DIMENSION_BITS``).
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType
from typing import Any

from texgrad.calculus.expr import CalculusError
from texgrad.stop_points import point

_local = threading.local()
_REPEAT = 0.25  # seconds between two interruptions once the deadline has passed

# The clock a deadline that is not counted in CPU time reads (and a Budget made under no CPU
# deadline): the wall clock.  A test may put another here (``time.process_time``: the
# process's CPU time), so that what it checks does not depend on the machine's load; the
# timer of a hard deadline interrupts only once this clock says it has passed.
clock = time.monotonic


class BudgetExceeded(CalculusError):
    """The request's time is up (or it was cancelled): what every check raises.  ``raised``
    counts them in this process (``texgrad check`` keeps no result a time limit cut short)."""

    raised = 0

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        BudgetExceeded.raised += 1


class Deadline:
    """The time a request must end by; :meth:`cancel` ends it now.  ``within``: a larger
    request this one is part of (a document's check of the derivatives it writes, inside
    a server's job): this one has passed when that one has, or was cancelled.

    ``cpu``: ``seconds`` of CPU time of the thread the deadline is first made
    :meth:`active` on (a server's worker: on a loaded machine the wall clock runs on while
    it waits its turn, and correct work would be cut short), with ``wall`` times that on
    the wall clock as a backstop (a thread starved or blocked); the wall clock alone
    where a thread's CPU time cannot be read.  A deadline made within a CPU one counts
    CPU time too (on the thread it is active on)."""

    def __init__(
        self,
        seconds: float,
        within: Deadline | None = None,
        cpu: bool = False,
        wall: float = 3.0,
    ) -> None:
        self.seconds = seconds
        self.cpu: bool = cpu or (within is not None and within.cpu)
        self.backstop = wall  # (cpu: the wall clock's bound, in times ``seconds``)
        self.wall = seconds * wall if self.cpu else seconds  # (seconds on the wall clock)
        self.at = clock() + self.wall
        self.cancelled = False
        self.within = within
        self._thread: int | None = None  # (cpu: the thread whose CPU time is counted …)
        self._cpu_at: float | None = None  # (… and its CPU time the deadline passes at)
        self._counted_from = 0.0  # (… and the monotonic clock when it was counted from)
        if within is not None:
            self.at = min(self.at, within.at)

    def count_here(self) -> None:
        """Count this thread's CPU time from now (cpu, the first time it is made active)."""
        if not self.cpu or self._thread is not None:
            return
        try:
            now = time.thread_time()
        except (AttributeError, OSError):  # (not measurable here: the wall clock alone)
            self.at = min(self.at, clock() + self.seconds)
            self.cpu, self.wall = False, self.seconds
            return
        self._thread, self._cpu_at = threading.get_ident(), now + self.seconds
        self._counted_from = time.monotonic()

    def cancel(self) -> None:
        """End the request at its next check (from any thread)."""
        self.cancelled = True
        self.at = clock()

    def passed(self) -> bool:
        return (
            self.cancelled
            or clock() > self.at
            or self._cpu_passed()
            or (self.within is not None and self.within.passed())
        )

    def _cpu_passed(self) -> bool:
        """Past its CPU time (read on its own thread only: another's clock is not this)."""
        if self._cpu_at is None or threading.get_ident() != self._thread:
            return False
        if time.monotonic() - self._counted_from < self.seconds:
            # a thread's CPU time grows no faster than the wall clock: not read until the
            # seconds have passed on that (a loaded machine made each reading of the CPU
            # clock, ~45,000 in a 1 MB thesis's check, a wait for the processor)
            return False
        return time.thread_time() >= self._cpu_at

    def message(self) -> str:
        if self.within is not None and self.within.passed():
            return self.within.message()
        if self.cancelled:
            return "cancelled"
        if self.cpu and not self._cpu_passed():  # (the backstop: a thread starved or blocked)
            return f"gave up after {self.wall:g} s on the wall clock (the time budget)"
        if self.cpu:
            return f"gave up after {self.seconds:g} s of CPU time (the time budget)"
        return f"gave up after {self.seconds:g} s (the time budget)"

    def active(self, hard: bool = False) -> _Active:
        """This thread's requests end by this deadline while the ``with`` block runs
        (``hard``: on the main thread, interrupted by a timer signal too)."""
        return _Active(self, hard and threading.current_thread() is threading.main_thread())

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        raise BudgetExceeded(self.message())


class _Active:
    """A deadline active on this thread for a ``with`` block, and for a hard one the window
    in which its timer signal may interrupt the main thread.  The handler raises only while
    the window is open and never in the window's own setting up or cleanup (the frame it
    interrupts says where it is); once the window is closed it turns the timer off itself.
    So an interruption (the timer repeats every ``_REPEAT`` seconds) landing as the block
    ends can neither escape the cleanup nor leave the timer armed, and one landing as the
    block starts cannot skip the cleanup."""

    def __init__(self, deadline: Deadline, hard: bool) -> None:
        self.deadline = deadline
        self.hard = hard
        self.is_open = False
        self.before: Deadline | None = None
        self.previous: Any = None

    def __enter__(self) -> Deadline:
        self.before = getattr(_local, "deadline", None)
        _local.deadline = self.deadline
        self.deadline.count_here()
        if self.hard:
            self.previous = signal.getsignal(signal.SIGALRM)
            self.is_open = True
            signal.signal(signal.SIGALRM, self._handler)
            seconds = max(self.deadline.at - clock(), 0.001)
            if self.deadline.cpu:  # (its CPU time passes no sooner than its seconds)
                seconds = min(seconds, max(self.deadline.seconds, 0.001))
            signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
        return self.deadline

    def __exit__(self, *exc: object) -> None:
        if self.hard:
            self.is_open = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        _local.deadline = self.before

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if not self.is_open:
            signal.setitimer(signal.ITIMER_REAL, 0)  # (late: the window is closed)
        elif not self.deadline.passed():
            pass  # (CPU time, or a test's clock: not yet spent, the next one looks again)
        elif frame is None or frame.f_code not in _QUIET:
            self.deadline._interrupt(signum, frame)
        # (in the window's own setting up or cleanup: the next interruption, if any)


_QUIET = frozenset(
    {_Active.__enter__.__code__, _Active.__exit__.__code__, _Active._handler.__code__}
)


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
