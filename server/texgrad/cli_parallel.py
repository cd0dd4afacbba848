"""Work of the command line spread over every core, and the progress line of a long run.

``run`` hands each job to a pool of processes (one per core) and yields the results as they
come, with the job's index, so that the caller prints them in its own order: the output of a
parallel run is the output of the serial one. A small run is done here, in this process: the
pool's start-up (forking, or importing texgrad again where processes are spawned) costs more
than it saves below ``PARALLEL_MIN_BYTES`` of text beside the largest job (measured: see
docs/internals/fronts.md, on the command line's parallel run).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TextIO, TypeVar

if TYPE_CHECKING:  # (imported where a pool is made: a small run makes none)
    import multiprocessing.context
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")
R = TypeVar("R")

# Text (bytes) that must run beside the largest job for a pool to pay: forking two workers and
# sending them their jobs costs 0.05-0.2 s; texgrad checks 35-300 KB of text a CPU-second
# (median 90 KB on the corpus).
PARALLEL_MIN_BYTES = 48_000
# Where processes are spawned (macOS, Windows) each worker imports texgrad again: 1-3 s.
SPAWNED_MIN_BYTES = 400_000


@dataclass(frozen=True)
class Job(Generic[T]):
    task: T  # what the worker function is given (picklable)
    weight: int  # its size in bytes: the largest jobs start first
    count: int  # the files it holds, for the progress line


def cores() -> int:
    """The cores this process may run on (its affinity, where the system says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe and cheap (Linux: the workers inherit what is imported); spawn
    elsewhere (macOS' system libraries are not fork-safe, Windows has no fork)."""
    import multiprocessing  # (here: a run with nothing to check, or one job, needs no pool)

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def worth_a_pool(jobs: Sequence[Job[T]], workers: int) -> bool:
    """Whether ``jobs`` are worth the start-up of ``workers`` processes."""
    if workers < 2 or len(jobs) < 2:
        return False
    beside = sum(j.weight for j in jobs) - max(j.weight for j in jobs)
    least = PARALLEL_MIN_BYTES if _context().get_start_method() == "fork" else SPAWNED_MIN_BYTES
    return beside >= least


def run(
    work: Callable[[T], R],
    jobs: Sequence[Job[T]],
    workers: int,
    lost: Callable[[T, BaseException], R],
    progress: Progress | None = None,
) -> Iterator[tuple[int, R]]:
    """``(index, work(job.task))`` for every job, in the order they finish (in order when
    run here). A job whose worker process died is answered by ``lost(task, error)``."""
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].weight)
    broken: list[int] = []
    try:
        if not worth_a_pool(jobs, workers):
            raise _NoPool
        yield from _pooled(work, jobs, order, min(workers, len(jobs)), broken, lost, progress)
    except _NoPool:  # a small run, or a system that gives no processes: all of it here
        for i, job in enumerate(jobs):
            result = work(job.task)
            if progress is not None:
                progress.advance(job.count)
            yield i, result
        return
    # A worker that died (killed for its memory, a signal) breaks the whole pool, and every job
    # not done with it. They run again on a fresh pool; those it loses too run alone, one pool
    # each, so that only the job that kills its process is lost.
    if broken:
        again: list[int] = []
        try:
            yield from _pooled(work, jobs, broken, min(workers, len(broken)), again, lost, progress)
        except _NoPool:
            again = broken
        for i in sorted(again):
            last: list[int] = []
            try:
                yield from _pooled(work, jobs, [i], 1, last, lost, progress)
            except _NoPool:
                last.append(i)
            if last:
                if progress is not None:
                    progress.advance(jobs[i].count)
                from concurrent.futures.process import BrokenProcessPool

                yield i, lost(jobs[i].task, BrokenProcessPool("its process was terminated"))


def _pooled(
    work: Callable[[T], R],
    jobs: Sequence[Job[T]],
    order: list[int],
    workers: int,
    broken: list[int],
    lost: Callable[[T, BaseException], R],
    progress: Progress | None,
) -> Iterator[tuple[int, R]]:
    """The jobs of ``order`` on a pool of ``workers``; those lost with a broken pool are put
    in ``broken``."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    try:
        pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_worker_start)
    except (OSError, ImportError, NotImplementedError) as exc:  # no semaphores (/dev/shm) …
        raise _NoPool from exc
    try:
        try:
            pending: dict[Future[R], int] = {pool.submit(work, jobs[i].task): i for i in order}
        except OSError as exc:  # no process could be started (a limit on processes)
            raise _NoPool from exc
        while pending:
            done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                i = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken.append(i)
                    continue
                except Exception as exc:  # noqa: BLE001 - a result that did not come back whole
                    result = lost(jobs[i].task, exc)
                if progress is not None:
                    progress.advance(jobs[i].count)
                yield i, result
            if progress is not None:
                progress.tick()
    except BaseException:  # Ctrl-C, or the caller stopped reading: stop the workers now
        _stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _NoPool(Exception):
    """The jobs are run in this process: too few to pay for a pool, or no pool to be had."""


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the parent, which stops it (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        try:
            process.terminate()
        except (OSError, AttributeError):  # already gone
            pass
    pool.shutdown(wait=False, cancel_futures=True)


class Progress:
    """``checked 120/400 files`` on stderr, rewritten in place, when stderr is a terminal and
    the run is long (shown after ``delay`` seconds); cleared at the end. Lines said meanwhile
    go through ``say`` so that they are not written over."""

    def __init__(self, total: int, stream: TextIO, delay: float = 0.5, noun: str = "files"):
        self.total = total
        self.done = 0
        self.stream = stream
        self.noun = noun
        try:
            self.enabled = total > 1 and stream.isatty()
        except (AttributeError, ValueError):  # a closed or odd stream
            self.enabled = False
        self.start = time.monotonic()
        self.delay = delay
        self.shown = 0  # width of the line on screen (0: none)
        self.on_screen = ""
        self.last = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        self.tick()

    def tick(self) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.start < self.delay or now - self.last < 0.1:
            return
        self.last = now
        line = f"checked {self.done}/{self.total} {self.noun}"
        if self.shown and line == self.on_screen:
            return
        self.on_screen = line
        self.stream.write("\r" + line + " " * max(0, self.shown - len(line)))
        self.stream.flush()
        self.shown = len(line)

    def say(self, lines: Sequence[str]) -> None:
        """Print ``lines`` on the stream, above the progress line."""
        if not lines:
            return
        self.clear()
        for line in lines:
            print(line, file=self.stream)
        self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0
            self.last = 0.0
