"""``protocol.collection.collected_after``: the cyclic collector off while an analysis runs
(the first document's until its diagnostics are out), then what is alive frozen, as the
server freezes what an analysis keeps, and the collector back on; a collector that was off
stays off and nothing is frozen."""

from __future__ import annotations

import gc

from texgrad.protocol.collection import collected_after


def test_off_within_then_frozen_and_on() -> None:
    kept: list[object] = []
    before = gc.get_freeze_count()
    try:
        with collected_after():
            assert not gc.isenabled()
            kept.extend([i] for i in range(5000))
        after = gc.get_freeze_count()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
    assert after >= before + 5000


def test_frozen_and_on_when_what_it_runs_fails() -> None:
    before = gc.get_freeze_count()
    try:
        try:
            with collected_after():
                raise ValueError("a bug in an analysis")
        except ValueError:
            pass
        assert gc.isenabled() and gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        before = gc.get_freeze_count()
        with collected_after():
            pass
        assert not gc.isenabled() and gc.get_freeze_count() == before
    finally:
        gc.enable()
