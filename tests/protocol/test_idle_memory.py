"""What the server does when idle: freed C heap pages go back to the system (issue 17)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from texgrad.protocol import server as server_module
from texgrad.protocol.server import TexgradServer, release_freed_memory


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux")
def test_freed_memory_goes_back_to_the_system() -> None:
    release_freed_memory()
    before = _rss_kb()
    blocks = [bytearray(100_000) for _ in range(400)]  # ~40 MB of C heap (not mmapped alone:
    blocks = blocks[1:]  # the last block holds the heap's top, as live objects do)
    held = blocks.pop()
    blocks.clear()
    grown = _rss_kb()  # (kept resident by glibc: the freed blocks lie below the held one)
    release_freed_memory()
    after = _rss_kb()
    assert held is not None
    assert after - before < 20_000, (before, grown, after)


@pytest.mark.asyncio
async def test_the_idle_collection_releases_memory(
    server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(server_module, "IDLE_COLLECT", 0.01)
    monkeypatch.setattr(server_module, "release_freed_memory", lambda: calls.append(1))
    server.collect_when_idle()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if calls:
            break
    assert calls == [1]


@pytest.mark.asyncio
async def test_the_idle_collection_walks_everything_only_when_much_more_is_frozen(
    server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    walks: list[int] = []
    unfreeze = gc.unfreeze
    monkeypatch.setattr(server_module, "IDLE_COLLECT", 0.01)
    monkeypatch.setattr(server_module, "release_freed_memory", lambda: None)
    monkeypatch.setattr(gc, "unfreeze", lambda: (walks.append(1), unfreeze())[1])
    try:
        for _ in range(3):
            server.collect_when_idle()
            await asyncio.sleep(0.1)
        assert walks == [1]  # the first (nothing walked yet), not the two after it
        server._frozen_collected = gc.get_freeze_count() // 2  # (as if half was made since)
        server._heap_counted = sys.getallocatedblocks() // 2
        server.collect_when_idle()
        await asyncio.sleep(0.1)
        assert walks == [1, 1]
    finally:
        unfreeze()


@pytest.mark.asyncio
async def test_the_idle_collection_counts_the_frozen_objects_only_when_the_heap_grew(
    server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``gc.get_freeze_count`` walks the list of every frozen object (16-34 ms of the event
    loop at each pause in typing): it is asked only when the allocator's blocks grew by
    as many as the frozen objects lack to start a walk, and then the walk is not put off."""
    import gc

    counted: list[int] = []
    walks: list[int] = []
    count, unfreeze = gc.get_freeze_count, gc.unfreeze
    monkeypatch.setattr(server_module, "IDLE_COLLECT", 0.01)
    monkeypatch.setattr(server_module, "release_freed_memory", lambda: None)
    monkeypatch.setattr(gc, "get_freeze_count", lambda: (counted.append(1), count())[1])
    monkeypatch.setattr(gc, "unfreeze", lambda: (walks.append(1), unfreeze())[1])
    try:
        for _ in range(3):
            server.collect_when_idle()
            await asyncio.sleep(0.1)
        assert (len(counted), walks) == (2, [1])  # (the first: nothing counted yet)
        walked = server._frozen_collected
        # kept, 7% more frozen objects (a list and its item array each: 14% more blocks):
        # counted, not walked (under 10% more)
        kept = [[k] for k in range(walked * 7 // 100)]
        server.collect_when_idle()
        await asyncio.sleep(0.1)
        assert (len(counted), walks) == (3, [1]), len(kept)
        assert walked * 1.06 < server._frozen_counted < walked * 1.1
        # 7% more again: the blocks grew by less than 10% of what they were when counted,
        # but the frozen objects are now 14% more than walked: counted, and walked
        kept2 = [[k] for k in range(walked * 7 // 100)]
        server.collect_when_idle()
        await asyncio.sleep(0.1)
        assert (len(counted), walks) == (5, [1, 1]), len(kept2)
        assert server._frozen_collected > walked * 1.1
    finally:
        unfreeze()


def test_texgrad_lsp_keeps_one_c_heap_before_its_first_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``one_heap`` runs before the thread that reads the client and the early analysis
    start (each would otherwise fill a C heap of its own, kept after): in
    ``early_initialize.main``, not only in ``TexgradServer`` (loaded after both)."""
    from texgrad.protocol import app, collection
    from texgrad.protocol import early_initialize as early
    from texgrad.protocol.framing import EarlyStart

    order: list[str] = []
    start = EarlyStart.__new__(EarlyStart)
    monkeypatch.setattr(early, "read_start", lambda i, o: (order.append("initialize"), start)[1])
    monkeypatch.setattr(collection, "one_heap", lambda: order.append("one heap"))
    monkeypatch.setattr(early, "_pump", lambda e: (order.append("pump thread"), None)[1])
    monkeypatch.setattr(app, "main", lambda **kw: (order.append("server"), 0)[1])
    assert early.main() == 0
    assert order == ["initialize", "one heap", "pump thread", "server"]


def test_the_source_of_generated_code_is_forgotten_and_files_kept() -> None:
    """What linecache keeps of attrs's generated methods (lsprotocol's classes, loaded with
    the server) goes; a file's lines stay, and a traceback still formats."""
    import linecache
    import traceback

    import texgrad.protocol.app  # noqa: F401 - (lsprotocol's classes: attrs's generated code)
    from texgrad.protocol.collection import forget_generated_sources

    linecache.getline(__file__, 1)
    linecache.cache["<attrs generated init test.Thing>"] = (1, None, ["x = 1\n"], "<attrs>")
    assert forget_generated_sources() >= 1
    assert not [name for name in linecache.cache if name.startswith("<")]
    assert __file__ in linecache.cache
    try:
        raise ValueError("shown")
    except ValueError as exc:
        assert "shown" in "".join(traceback.format_exception(exc))


@pytest.mark.asyncio
async def test_the_idle_collection_forgets_generated_sources(
    server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(server_module, "IDLE_COLLECT", 0.01)
    monkeypatch.setattr(server_module, "forget_generated_sources", lambda: calls.append("forget"))
    monkeypatch.setattr(server_module, "release_freed_memory", lambda: calls.append("release"))
    server.collect_when_idle()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if calls:
            break
    assert calls == ["forget", "release"]


@pytest.mark.asyncio
async def test_a_stopped_analysis_leaves_no_cycle_holding_what_it_read(
    server: TexgradServer,
) -> None:
    """An analysis stopped (an edit: its text stale) lets go of its frames at once: its
    ``Stopped`` raised where the analysis is awaited, its traceback held that frame, which
    held the future, which held it — a cycle, until the next full collection."""
    import gc
    import weakref

    from texgrad.protocol.stopping import Stopped

    class Read:  # (stands for what the stopped analysis had read: weakly referable)
        pass

    made: list[weakref.ref[Read]] = []
    stale = [False]

    def stopped(*args: object) -> None:
        held = Read()  # (a frame of the analysis holds it)
        made.append(weakref.ref(held))
        stale[0] = True  # (the document changed meanwhile)
        raise Stopped("edited")

    server._analyse = stopped  # type: ignore[assignment,method-assign]
    gc.disable()
    try:
        got = await server._bounded_analysis("/doc.md", "x", {}, "markdown", lambda: stale[0])
        await asyncio.sleep(0.05)  # (the future's callbacks run)
        assert got is None and len(made) == 1 and made[0]() is None
    finally:
        gc.enable()
