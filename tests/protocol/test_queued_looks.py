r"""A thousand documents opened at once (issue 18): each queued analysis looked at its job
20 times a second, so the event loop's work grew as the square of the documents open
(500 opens: 5.2 s of the server's CPU, 1,000: 12.6 s).  A queued analysis is now woken
when its job starts, and only the front of the queue looks often."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from texgrad.protocol import server as srv
from texgrad.protocol.server import TexgradServer
from texgrad.protocol.stopping import Job, Stopped


def _waiting_run(ls: TexgradServer, path: str) -> Any:
    job: Job[Any] = Job(lambda: None)
    loop = asyncio.new_event_loop()
    try:
        fut = loop.create_future()
    finally:
        loop.close()
    return srv._Run(job, path, fut, None, 0)  # type: ignore[arg-type]


def _looks_per_second(queued: int) -> float:
    ls = TexgradServer()
    ls._queued = [_waiting_run(ls, f"/d/{i}.tex") for i in range(queued)]
    return sum(1 / ls._poll(run) for run in ls._queued)


def test_the_front_of_the_queue_looks_often_the_back_seldom() -> None:
    ls = TexgradServer()
    ls._queued = [_waiting_run(ls, f"/d/{i}.tex") for i in range(200)]
    front, back = ls._poll(ls._queued[0]), ls._poll(ls._queued[-1])
    assert front == srv.POLL
    assert back > 10 * srv.POLL
    ls._queued[-1].job.state = "running"  # (running: watched as often as before)
    assert ls._poll(ls._queued[-1]) == srv.POLL


def test_looks_grow_with_the_log_of_the_queue_not_its_length() -> None:
    hundred, thousand = _looks_per_second(100), _looks_per_second(1000)
    assert hundred > 8 / srv.POLL  # (the front: as often as before)
    assert thousand < 2 * hundred  # (every job 20 times a second: 10 times as many)


def test_a_job_tells_its_start_in_its_thread_and_not_if_stopped_before() -> None:
    started: list[int] = []
    job: Job[int] = Job(lambda: 7)
    job.on_start = lambda: started.append(threading.get_ident())
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(job.run).result() == 7
        assert len(started) == 1 and started[0] != threading.get_ident()
        other: Job[int] = Job(lambda: 8)
        other.on_start = lambda: started.append(0)
        assert other.stop()
        try:
            pool.submit(other.run).result()
        except Stopped:
            pass
    assert len(started) == 1


def test_a_queued_analysis_is_woken_by_its_start() -> None:
    async def main() -> bool:
        loop = asyncio.get_running_loop()
        job: Job[None] = Job(lambda: None)
        started = srv._start_signal(job, loop)
        with ThreadPoolExecutor(1) as pool:
            gate = threading.Event()
            pool.submit(gate.wait)  # (the job waits behind this)
            fut = loop.run_in_executor(pool, job.run)
            await asyncio.sleep(0.01)
            assert not started.done()
            gate.set()
            await asyncio.wait_for(started, 60)
            await fut
        return started.done()

    assert asyncio.run(main())


class _NoSearch(list):  # type: ignore[type-arg]
    def index(self, *args: Any) -> int:
        raise AssertionError("the queue searched")

    def remove(self, *args: Any) -> None:
        raise AssertionError("the queue searched")


def test_a_queued_analysis_finds_its_place_without_searching_the_queue() -> None:
    ls = TexgradServer()
    ls._queued = _NoSearch()
    runs = [_waiting_run(ls, f"/d/{i}.tex") for i in range(1000)]
    for run in runs:
        ls._enqueue(run)
    assert [ls._place(r) for r in runs[::97]] == list(range(0, 1000, 97))
    for run in runs[100:900:2]:  # (stale ones leave from the middle)
        ls._dequeue(run)
    left = [r for r in runs if r not in runs[100:900:2]]
    assert list(ls._queued) == left
    assert [ls._place(r) for r in left] == list(range(len(left)))
    assert ls._poll(left[-1]) == srv.POLL * (len(left) - 1) / srv.POLL_FRONT
    for run in left:
        ls._dequeue(run)
    assert not ls._queued and not ls._queued_seqs


def test_a_queue_set_whole_is_still_served() -> None:
    ls = TexgradServer()
    ls._queued = [_waiting_run(ls, f"/d/{i}.tex") for i in range(20)]  # (not numbered)
    extra = _waiting_run(ls, "/d/extra.tex")
    ls._enqueue(extra)
    assert ls._place(extra) == 20 and ls._place(ls._queued[3]) == 3
    ls._dequeue(ls._queued[3])
    assert ls._place(extra) == 19
    for run in list(ls._queued):
        ls._dequeue(run)
    assert not ls._queued
    again = _waiting_run(ls, "/d/again.tex")
    ls._enqueue(again)  # (numbered again once empty)
    assert ls._queued_seqs == [again.seq] and ls._place(again) == 0
