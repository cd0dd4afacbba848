r"""The memory bound of one piece of work (``texgrad.stop_points.memory_bound``): the
process's resident size, sampled at stop points, may grow by ``TEXGRAD_MEMORY_MB`` at most;
past it the work ends with ``MemoryExceeded`` and the command line says so for that file
and checks the others (exit status 2: input it could not check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import run_cli
from texgrad import stop_points
from texgrad.stop_points import MemoryExceeded, memory_bound, point, resident_bytes

pytestmark = pytest.mark.skipif(resident_bytes() is None, reason="no /proc/self/statm here")

MB = 1024 * 1024


def test_the_resident_size_is_read() -> None:
    size = resident_bytes()
    assert size is not None and 10 * MB < size < 64 * 1024 * MB


def test_work_that_grows_past_its_bound_is_stopped_at_a_stop_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The resident size is the whole process's: in a test process other threads (servers
    # of other tests) may free memory at any moment, so the sizes are given here.
    sizes = iter([300 * MB, 310 * MB, 420 * MB, 420 * MB])
    monkeypatch.setattr(stop_points, "resident_bytes", lambda: next(sizes))
    with memory_bound(100) as bound:  # (reads 300 MB: the limit is 400 MB)
        assert bound is not None
        point()  # 310 MB: within
        bound.next_at = 0.0  # (the next point samples at once)
        with pytest.raises(MemoryExceeded, match="more than 100 MB of memory") as stopped:
            point()  # 420 MB: past
        assert stopped.value.limit == 400 * MB
        bound.next_at = 0.0
        point()  # (said once: the cleanup's own stop points go on)
    point()  # (outside the block: no bound)


def test_no_bound_when_set_to_zero_and_the_default_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEXGRAD_MEMORY_MB", "0")
    with memory_bound() as bound:
        assert bound is None
    monkeypatch.setenv("TEXGRAD_MEMORY_MB", "bad")
    assert stop_points.memory_limit_mb() == stop_points.MEMORY_MB
    monkeypatch.setenv("TEXGRAD_MEMORY_MB", "300")
    with memory_bound() as bound:
        assert bound is not None and bound.megabytes == 300


def test_the_command_line_says_which_file_outgrew_it_and_checks_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from texgrad import cli

    (tmp_path / "big.tex").write_text("Let $A \\in \\mathbb{R}^{2 \\times 3}$: $A A$.\n")
    (tmp_path / "small.tex").write_text("Let $B \\in \\mathbb{R}^{2 \\times 3}$: $B B$.\n")
    real = cli._check_file

    def runaway_for_big(checker: Any, key: str, unit: Any) -> Any:
        if key.endswith("big.tex"):  # (an analysis that keeps growing)
            held = []
            for _ in range(40):
                held.append(b"x" * (10 * MB))
                point()
        return real(checker, key, unit)

    monkeypatch.setattr(cli, "_check_file", runaway_for_big)
    monkeypatch.setattr(stop_points, "SAMPLE_SECONDS", 0.0)
    monkeypatch.setenv("TEXGRAD_MEMORY_MB", "100")
    code, out, err = run_cli("check", "--jobs", "1", str(tmp_path))
    assert code == 2 and "Traceback" not in err
    assert "big.tex: not checked: it needed more than 100 MB of memory" in err
    assert "small.tex" in out and "big.tex" not in out  # (the other file: checked)
