"""A deadline counted in CPU time (``Deadline(…, cpu=True)``, calculus/deadline.py), as the
server bounds its check of a document's derivatives: a thread that waits its turn on a
loaded machine is not cut short, one that works past its seconds is, and one starved or
blocked for ``wall`` times its seconds on the wall clock is stopped by the backstop.
(Waiting is measured by sleeping; no bound here is tight on the wall clock.)"""

from __future__ import annotations

import threading
import time

import pytest

from tests.robustness.bounded import run_bounded
from texgrad.calculus.deadline import BudgetExceeded, Deadline, checkpoint
from texgrad.calculus.differential import Budget


def _work_until(deadline: Deadline, limit: float = 60.0) -> float:
    """Busy work until ``deadline`` passes (the CPU time it took), ``limit`` wall seconds
    at most."""
    began, end = time.thread_time(), time.monotonic() + limit
    while not deadline.passed():
        assert time.monotonic() < end, "the deadline never passed"
        sum(range(1000))
    return time.thread_time() - began


def test_waiting_does_not_spend_a_cpu_deadline_but_working_does() -> None:
    deadline = Deadline(0.2, cpu=True, wall=1000.0)
    with deadline.active():
        time.sleep(0.5)  # (waits: more than its seconds on the wall clock, no CPU time)
        assert not deadline.passed()
        spent = _work_until(deadline)
        with pytest.raises(BudgetExceeded, match="0.2 s of CPU time"):
            checkpoint()
    assert spent >= 0.2 - 0.01  # (what was spent before the sleep counts too)


def test_a_wall_clock_deadline_passes_while_its_thread_waits() -> None:
    deadline = Deadline(0.2)  # (the command line's: a bound on the whole command)
    with deadline.active():
        time.sleep(0.5)
        assert deadline.passed()


def test_the_wall_clock_backstop_stops_a_thread_that_never_works() -> None:
    deadline = Deadline(0.05, cpu=True, wall=2.0)
    with deadline.active():
        time.sleep(0.3)  # (blocked: no CPU time, 6 times its seconds on the wall clock)
        assert deadline.passed()
        assert deadline.message() == "gave up after 0.1 s on the wall clock (the time budget)"


def test_the_cpu_time_counted_is_the_thread_it_is_active_on() -> None:
    deadline = Deadline(0.2, cpu=True, wall=1000.0)
    started, seen = threading.Event(), []

    def other() -> None:
        with deadline.active():
            started.set()
            time.sleep(0.6)  # (the main thread works meanwhile: not this thread's time)
            seen.append(deadline.passed())

    worker = threading.Thread(target=other)
    worker.start()
    started.wait(10)
    end = time.thread_time() + 0.4
    while time.thread_time() < end:  # this thread's CPU time, past the deadline's seconds
        sum(range(1000))
    worker.join(30)
    assert seen == [False]


def test_a_deadline_within_a_cpu_one_counts_cpu_time_and_ends_by_it() -> None:
    outer = Deadline(0.2, cpu=True, wall=1000.0)
    with outer.active():
        inner = Deadline(100.0, within=outer)  # (check_written's, inside the server's)
        assert inner.cpu and inner.at <= outer.at
        with inner.active():
            time.sleep(0.3)
            assert not inner.passed()
            _work_until(inner)
            assert outer.passed()
            assert inner.message() == "gave up after 0.2 s of CPU time (the time budget)"


def test_a_budget_made_under_a_cpu_deadline_counts_cpu_time() -> None:
    """A claim's budget (``Budget(per_equation)``, written_derivatives.py) inside a check
    counted in CPU time: not spent by waiting, spent by working."""
    request = Deadline(100.0, cpu=True, wall=1000.0)
    with request.active():
        made = time.thread_time()
        budget = Budget(0.2)
        time.sleep(0.5)
        budget.check()  # (no CPU time spent: not past)
        end = time.monotonic() + 60.0
        with pytest.raises(BudgetExceeded, match="0.2 s of CPU time"):
            while time.monotonic() < end:
                sum(range(1000))
                budget.check()
        assert time.thread_time() - made >= 0.2
    assert not request.passed()


def test_a_budget_made_under_a_wall_clock_deadline_counts_the_wall_clock() -> None:
    with Deadline(100.0).active():  # (``texgrad diff --budget``: the whole command)
        budget = Budget(0.2)
        time.sleep(0.3)
        with pytest.raises(BudgetExceeded, match=r"after 0.2 s \(the time budget\)"):
            budget.check()


def test_a_hard_cpu_deadline_interrupts_work_past_its_cpu_time_but_not_waiting() -> None:
    """On the main thread (``texgrad check``'s, ``hard``): a sleep past its seconds is not
    interrupted, work that makes no check is, once its CPU time is spent."""
    code = """
        import json, time
        from texgrad.calculus.deadline import BudgetExceeded, Deadline
        said, slept = "", 0.0
        try:
            with Deadline(0.3, cpu=True, wall=1000.0).active(hard=True):
                began = time.monotonic()
                time.sleep(1.0)
                slept = time.monotonic() - began
                while True:
                    sum(range(1000))
        except BudgetExceeded as exc:
            said = str(exc)
        print(json.dumps([said, slept >= 1.0]))
    """
    value, _ = run_bounded(code, limit=120.0)
    assert value == ["gave up after 0.3 s of CPU time (the time budget)", True]
