"""``collector.uncollected``: the cyclic collector off within an import and back on after;
within ``frozen_imports`` (``texgrad`` run as the program) what is alive as the import ends
is frozen out of the collector's view, elsewhere the collector is left as it was found."""

from __future__ import annotations

import gc

from texgrad import collector


def _made_within(frozen: bool) -> tuple[int, int, bool]:
    """The freeze count before and after an uncollected block that makes 5,000 objects
    (kept alive), and whether the collector is on after."""
    kept: list[object] = []
    before = gc.get_freeze_count()
    if frozen:
        with collector.frozen_imports(), collector.uncollected():
            assert not gc.isenabled()
            kept.extend([i] for i in range(5000))
    else:
        with collector.uncollected():
            assert not gc.isenabled()
            kept.extend([i] for i in range(5000))
    return before, gc.get_freeze_count(), gc.isenabled()


def test_a_process_that_goes_on_keeps_the_collector_as_it_was() -> None:
    before, after, enabled = _made_within(frozen=False)
    assert after == before and enabled


def test_the_program_freezes_what_an_import_made() -> None:
    try:
        before, after, enabled = _made_within(frozen=True)
    finally:
        gc.unfreeze()
    assert after >= before + 5000 and enabled
    assert collector._freeze is False  # (only within frozen_imports)
    before, after, _ = _made_within(frozen=False)
    assert after == before


def test_a_collector_that_was_off_stays_off_and_nothing_is_frozen() -> None:
    gc.disable()
    try:
        before = gc.get_freeze_count()
        with collector.frozen_imports(), collector.uncollected():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == before
    finally:
        gc.enable()
