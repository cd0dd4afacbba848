"""A hard deadline's timer window (calculus/deadline.py): however the block ends — even with
an interruption landing as it starts or in its cleanup — the timer is off afterwards, the
signal handler before it is back, and no interruption escapes from outside the block."""

from __future__ import annotations

import signal
import time
import traceback

import pytest

from texgrad.calculus import deadline as dl
from texgrad.calculus.deadline import BudgetExceeded, Deadline

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no interval timers")


def _timer_off() -> bool:
    return signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_closed_window_does_not_raise_and_turns_its_timer_off() -> None:
    window = Deadline(0.0).active(hard=True)
    previous = signal.getsignal(signal.SIGALRM)
    signal.setitimer(signal.ITIMER_REAL, 5.0, 5.0)
    try:
        window._handler(signal.SIGALRM, None)  # (never opened: as after the cleanup)
        assert _timer_off()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    assert signal.getsignal(signal.SIGALRM) is previous


def test_an_open_window_raises_in_the_block_but_not_in_its_own_cleanup() -> None:
    deadline = Deadline(0.0)
    window = deadline.active(hard=True)
    window.is_open = True
    with pytest.raises(BudgetExceeded):
        window._handler(signal.SIGALRM, None)
    exit_frame = type("F", (), {"f_code": type(window).__exit__.__code__})()
    window._handler(signal.SIGALRM, exit_frame)  # type: ignore[arg-type]  (quiet)


def test_interruptions_every_100_microseconds_never_leave_the_timer_armed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dl, "_REPEAT", 0.0001)  # interruptions land everywhere, the cleanup too
    previous = signal.getsignal(signal.SIGALRM)
    escaped = inside = 0
    for i in range(400):
        try:
            with Deadline(0.0002 * (i % 7)).active(hard=True) as d:
                try:
                    end = time.monotonic() + 0.002
                    while time.monotonic() < end:
                        pass
                except BudgetExceeded:
                    inside += 1
                    assert d.passed()
        except BudgetExceeded as exc:  # (the block's own code, after its ``try``: fine)
            where = traceback.extract_tb(exc.__traceback__)
            escaped += any(f.name in ("__enter__", "__exit__", "active") for f in where)
        assert _timer_off(), f"iteration {i}: the timer is still armed"
        assert signal.getsignal(signal.SIGALRM) is previous
        assert dl.current() is None
    assert inside > 0
    assert escaped == 0
