"""``texgrad check`` checks a document's written derivatives with what was alive before
frozen out of the collector's view (``gc.freeze``: the checked trees are not walked again by
every full collection), and unfrozen after, also when the check fails; so are a file's
records made, written derivatives checked or not."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import pytest

from texgrad import cli

DOC = r"""Let $A \in \mathbb{R}^{n \times n}$ and $x \in \mathbb{R}^n$.
$$ \nabla_x (x^\top A x) = 2 A x $$
"""


@pytest.mark.parametrize("fails", [False, True])
def test_the_derivative_check_runs_on_a_frozen_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fails: bool
) -> None:
    (tmp_path / "doc.md").write_text(DOC)
    seen: list[int] = []
    check = cli._wrong_derivatives

    def watched(*args: Any) -> Any:
        seen.append(gc.get_freeze_count())
        if fails:
            raise RuntimeError("a bug in the check")
        return check(*args)

    monkeypatch.setattr(cli, "_wrong_derivatives", watched)
    before = gc.get_freeze_count()
    status = cli.main(["check", "-j", "1", str(tmp_path / "doc.md")])
    assert len(seen) == 1 and seen[0] > before + 1000  # (the checked trees among them)
    assert gc.get_freeze_count() == before
    assert status == (3 if fails else 0)  # (an internal error; else a warning: A not symmetric)
    capsys.readouterr()


@pytest.mark.parametrize("derivatives", [False, True])
def test_the_records_are_made_on_a_frozen_heap(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    derivatives: bool,
) -> None:
    """What the check made (the trees, the table, the runs) is frozen while the file's records
    are made: a full collection there walked a 2 MB thesis's check again to free ~100 objects."""
    (tmp_path / "doc.md").write_text(DOC.replace("A x", "x A"))  # (a shape error: a record)
    seen: list[int] = []
    record = cli._diagnostic_record

    def watched(*args: Any) -> Any:
        seen.append(gc.get_freeze_count())
        return record(*args)

    monkeypatch.setattr(cli, "_diagnostic_record", watched)
    before = gc.get_freeze_count()
    flags = [] if derivatives else ["--no-derivatives"]
    status = cli.main(["check", "-j", "1", *flags, str(tmp_path / "doc.md")])
    assert status == 1 and seen and all(n > before + 1000 for n in seen)
    assert gc.get_freeze_count() == before
    capsys.readouterr()


def test_the_program_ends_on_a_frozen_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run as the program (no arguments given: ``sys.argv``), ``main`` leaves what is alive
    frozen, so that the interpreter's exit does not walk it all in a last full collection;
    called with arguments, as tests do, it leaves the collector as it found it."""
    (tmp_path / "doc.md").write_text(DOC)
    argv = ["check", "-j", "1", "--no-derivatives", str(tmp_path / "doc.md")]
    before = gc.get_freeze_count()
    assert cli.main(argv) == 0
    assert gc.get_freeze_count() == before
    out = capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["texgrad", *argv])
    try:
        status = cli.main()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()  # (this process goes on)
    assert status == 0 and frozen > before + 1000
    assert capsys.readouterr().out == out  # (the same answer)
