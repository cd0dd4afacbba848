"""The calculus tests read a differentiation's time budget (``Budget``, a wall-clock
``Deadline``) on the process's CPU time (``deadline.clock``): on a loaded machine the wall
clock runs on while the test waits its turn, and a request of 0.5 s ran past its 5 s budget
(the user's promise, a bound on the wall clock, is tested in tests/robustness)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from texgrad.calculus import deadline


@pytest.fixture(autouse=True)
def _budgets_in_cpu_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(deadline, "clock", time.process_time)
    yield
