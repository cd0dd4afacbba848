"""``check_written`` as the tests of written derivatives call it: with budgets for a loaded
CI machine.

The check's defaults (3 s of wall clock a claim, 20 s a document) decide what is found:
under load a claim of 0.4 s of CPU time took 2.2 s on the wall clock with other engineers'
tests beside it, and a claim cut off is found nothing.  These tests claim what is found,
not how fast; a runaway still ends.  A test that passes its own seconds keeps them."""

from __future__ import annotations

from typing import Any

from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker, CheckResult

SECONDS = 300.0
PER_EQUATION = 60.0


def check_written(checked: CheckResult, **options: Any) -> list[wd.Finding]:
    options.setdefault("seconds", SECONDS)
    options.setdefault("per_equation", PER_EQUATION)
    return wd.check_written(checked, **options)


def found_lines(text: str, name: str = "doc.md") -> tuple[list[int], wd.Tally]:
    """The 1-based lines of the claims :func:`check_written` flags in ``text``, and its tally."""
    checked = Checker().check(name, text=text)
    tally = wd.Tally()
    found = check_written(checked, tally=tally)
    return [text.count("\n", 0, f.start) + 1 for f in found], tally
