r"""The check of the derivatives a document writes, under one deadline for the document
(calculus/written_derivatives.py ``check_written``): past it, the claims left are not
checked, counted, said once (``unchecked_note``), and never kept as undecided."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.robustness.bounded import run_bounded
from tests.test_cli import run
from texgrad.calculus import written_derivatives as wd
from texgrad.calculus.deadline import Deadline, checkpoint
from texgrad.shapes.check import Checker, CheckResult

WRITTEN = Path(__file__).parent / "written"

DOC = r"""Let $A \in \mathbb{R}^{n \times n}$, $\mathbf x \in \mathbb{R}^n$ and
$\mathbf b \in \mathbb{R}^n$.

$$ \nabla_{\mathbf x} (\mathbf b^\top \mathbf x) = \mathbf b $$

$$ \nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2 A \mathbf x $$

$$ \nabla_{\mathbf x} (\mathbf x^\top \mathbf x) = 2 \mathbf x $$

$$ \nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = (A + A^\top) \mathbf x $$
"""


@pytest.fixture(scope="module")
def checked() -> CheckResult:
    return Checker().check("doc.md", text=DOC)


def test_with_time_every_claim_is_checked(checked: CheckResult) -> None:
    tally = wd.Tally()
    found = wd.check_written(checked, seconds=120.0, tally=tally)
    assert (tally.read, tally.verified, tally.flagged, tally.unchecked) == (4, 3, 1, 0)
    assert [DOC[f.start : f.end] for f in found] == [r"2 A \mathbf x"]
    assert wd.unchecked_note(checked, tally) is None


def test_past_the_deadline_nothing_more_is_checked_and_it_is_said(checked: CheckResult) -> None:
    tally = wd.Tally()
    cache: wd.Verdicts = {}
    assert wd.check_written(checked, seconds=0.0, tally=tally, cache=cache) == []
    assert (tally.read, tally.unchecked) == (0, 4)
    assert cache == {}  # nothing kept as undecided: the next check checks them
    note = wd.unchecked_note(checked, tally)
    assert note is not None and note.code == wd.UNCHECKED and note.severity == "information"
    assert note.message == (
        "none of the 4 derivatives this document writes was checked: the check of written "
        "derivatives gave up after 0 s of CPU time (the time budget)"
    )
    assert DOC[note.start : note.end] == r"\mathbf b"  # at the first claim not checked


def test_a_claim_cut_off_is_not_kept_and_the_rest_is_counted(
    checked: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = wd.check_claim
    calls: list[int] = []

    def slow_third(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:  # runs until the deadline (its checks give up there)
            while True:
                checkpoint()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(wd, "check_claim", slow_third)
    monkeypatch.setattr(wd, "WALL", 1000.0)  # (its CPU time decides, however loaded)
    tally = wd.Tally()
    cache: wd.Verdicts = {}
    found = wd.check_written(checked, seconds=3.0, tally=tally, cache=cache)
    assert (tally.read, tally.unchecked, len(cache)) == (2, 2, 2)
    assert [DOC[f.start : f.end] for f in found] == [r"2 A \mathbf x"]
    note = wd.unchecked_note(checked, tally)
    assert note is not None and DOC[note.start : note.end] == r"2 \mathbf x"
    assert note.message.startswith(
        "2 of the 4 derivatives this document writes were not checked (this one and those "
        "after it): the check of written derivatives gave up after 3 s of CPU time"
    )
    again = wd.Tally()  # the next check (an editor's, after an edit) does the rest only
    monkeypatch.setattr(wd, "check_claim", real)
    assert len(wd.check_written(checked, seconds=120.0, tally=again, cache=cache)) == 1
    assert (again.read, again.verified, again.unchecked, len(cache)) == (4, 3, 0, 4)


def test_waiting_its_turn_does_not_spend_the_check_s_time(
    checked: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound is the thread's CPU time: claims whose thread waits (a loaded machine;
    here a sleep) longer on the wall clock than the check's seconds are all checked (the
    wall-clock backstop set far beyond)."""
    real = wd.check_claim

    def waits_first(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)  # (4 claims: 1.2 s on the wall clock, no CPU time)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(wd, "check_claim", waits_first)
    monkeypatch.setattr(wd, "WALL", 1000.0)
    spent = time.thread_time()
    tally = wd.Tally()
    found = wd.check_written(checked, seconds=1.0, tally=tally)
    spent = time.thread_time() - spent
    if spent >= 0.9:  # (the claims' own work took the second: nothing to learn here)
        pytest.skip(f"the claims took {spent:.2f} s of CPU time")
    assert (tally.read, tally.verified, tally.flagged, tally.unchecked) == (4, 3, 1, 0)
    assert [DOC[f.start : f.end] for f in found] == [r"2 A \mathbf x"]


def test_a_cancelled_request_stops_the_check(checked: CheckResult) -> None:
    outer = Deadline(120.0)  # a server's, cancelled when a newer text comes
    outer.cancel()
    tally = wd.Tally()
    with outer.active():
        assert wd.check_written(checked, seconds=120.0, tally=tally) == []
    assert (tally.read, tally.unchecked, tally.stopped) == (0, 4, "cancelled")


def test_work_that_never_checks_is_interrupted_on_the_main_thread() -> None:
    """``hard``: the command line's check is interrupted by a timer signal, even in code that
    makes no check (a child process, killed if it hangs)."""
    code = f"""
        import json
        from texgrad.calculus import written_derivatives as wd
        from texgrad.shapes.check import Checker
        checked = Checker().check("doc.md", text={DOC!r})
        def forever(*args, **kwargs):
            while True:
                pass
        wd.check_claim = forever
        wd.WALL = 1000.0  # (its CPU time decides, however loaded: the backstop far beyond)
        tally = wd.Tally()
        wd.check_written(checked, seconds=1.0, tally=tally, hard=True)
        print(json.dumps([tally.read, tally.unchecked, tally.stopped]))
    """
    value, took = run_bounded(code, limit=600.0)
    assert value == [0, 4, "gave up after 1 s of CPU time (the time budget)"]


def test_the_command_line_says_once_what_it_did_not_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(DOC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "--derivatives-budget", "0", "doc.md")
    assert code == 0 and out == ""  # a note, not a finding
    assert capsys.readouterr().err.splitlines() == [
        "texgrad: doc.md:4:52: none of the 4 derivatives this document writes was checked: the "
        "check of written derivatives gave up after 0 s of CPU time (the time budget); "
        "--derivatives-budget gives it more time"
    ]
    with pytest.raises(SystemExit):
        run("check", "--derivatives-budget", "soon", "doc.md")
    assert "not a number: 'soon'" in capsys.readouterr().err


def test_the_fronts_find_what_the_full_check_finds_in_a_cheat_sheet() -> None:
    """(All the written fixtures: the slow test below; here the cheat sheet, whose
    undeclared identities are typed by their letters and reported.)"""
    path = WRITTEN / "cheat-sheet.md"
    checked = Checker().check(str(path), None, WRITTEN)
    every = wd.check_written(checked, seconds=600.0)
    found = wd.check_written(checked, seconds=600.0, only_findings=True)
    assert len(every) >= 1
    assert [(f.start, f.message, f.correct) for f in found] == [
        (f.start, f.message, f.correct) for f in every
    ]


def test_the_server_notes_what_it_did_not_check(checked: CheckResult) -> None:
    from texgrad.workspace import Workspace

    ws = Workspace()
    found = ws.wrong_derivatives(checked, seconds=0.0)
    assert [(d.code, d.severity) for d in found] == [(wd.UNCHECKED, "information")]
    found = ws.wrong_derivatives(checked, seconds=120.0)  # nothing kept of the first
    assert [d.code for d in found] == [wd.CODE]


# -- only what can be reported ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in WRITTEN.iterdir()))
def test_the_fronts_find_what_the_full_check_finds(name: str) -> None:
    """``only_findings`` (texgrad check, the server) skips the claims that could only be
    verified: the same findings, at the same places, with the same messages."""
    path = WRITTEN / name
    checked = Checker().check(str(path), None, WRITTEN)
    full, fronts = wd.Tally(), wd.Tally()
    every = wd.check_written(checked, seconds=600.0, tally=full)
    found = wd.check_written(checked, seconds=600.0, tally=fronts, only_findings=True)
    assert [(f.start, f.end, f.message, f.correct) for f in found] == [
        (f.start, f.end, f.message, f.correct) for f in every
    ]
    assert fronts.read == full.read and fronts.verified <= full.verified


def test_identities_typed_by_their_letters_are_not_differentiated_for_the_fronts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the document declares some of an identity's letters otherwise (another
    section's `X` a vector), the identity is checked with its letters typed only to be
    verified, never reported: the fronts do not differentiate it a second time."""
    text = (
        r"Let $X \in \mathbb{R}^n$." "\n\n"
        r"$$ \frac{\partial \operatorname{Tr}(A X)}{\partial X} = A^T $$" "\n"
    )  # fmt: skip
    checked = Checker().check("doc.md", text=text)
    calls: list[str] = []
    real = wd.differentiate
    monkeypatch.setattr(wd, "differentiate", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    full = wd.Tally()
    assert wd.check_written(checked, seconds=600.0, tally=full) == []
    assert full.verified == 1 and len(calls) == 2  # as declared (refused), then typed
    calls.clear()
    fronts = wd.Tally()
    assert wd.check_written(checked, seconds=600.0, tally=fronts, only_findings=True) == []
    assert fronts.verified == 0 and len(calls) == 1
    assert list(fronts.reasons) == [wd._NEVER_REPORTED]


def test_a_cached_verdict_is_redone_when_its_paragraph_says_more() -> None:
    """The verdicts a server keeps are keyed by all the claim's check reads: the symmetry
    its paragraph states too ("where $A$ is symmetric" after the equation)."""
    base = r"Let $A \in \mathbb{R}^{n \times n}$ and $\mathbf x \in \mathbb{R}^n$." "\n\n"
    claim = r"$$ \nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2 A \mathbf x $$"
    texts = (
        base + claim + "\n\nHere $A$ is any matrix.\n",
        base + claim + "\nwhere $A$ is symmetric.\n",
    )
    fresh = [len(wd.check_written(Checker().check("doc.md", text=t))) for t in texts]
    cache: wd.Verdicts = {}
    kept = [len(wd.check_written(Checker().check("doc.md", text=t), cache=cache)) for t in texts]
    assert fresh == kept == [1, 0]


def test_a_claim_whose_own_time_ran_out_is_checked_again_a_bounded_number_of_times(
    checked: CheckResult,
) -> None:
    """A claim undecided because its per-claim seconds ran out (a loaded machine) is kept as
    a :class:`~texgrad.calculus.written_derivatives.Retry`, not as undecided for good: the
    next check of the document checks it again, up to ``RETRIES`` times."""
    cache: wd.Verdicts = {}
    tally = wd.Tally()
    assert (
        wd.check_written(checked, seconds=120.0, per_equation=0.0, tally=tally, cache=cache) == []
    )
    assert tally.verified == tally.flagged == 0
    assert sorted(cache.values(), key=repr) == [wd.Retry(1)] * 4
    assert wd.retries_pending(cache)
    tally = wd.Tally()  # a later check, with time: every claim decided, and kept so
    found = wd.check_written(checked, seconds=120.0, per_equation=30.0, tally=tally, cache=cache)
    assert [DOC[f.start : f.end] for f in found] == [r"2 A \mathbf x"]
    assert (tally.verified, tally.flagged) == (3, 1)
    assert not wd.retries_pending(cache)
    assert not any(isinstance(v, wd.Retry) for v in cache.values())


def test_a_claim_out_of_time_every_time_is_left_undecided_after_its_retries(
    checked: CheckResult,
) -> None:
    cache: wd.Verdicts = {}
    for n in range(1, wd.RETRIES + 1):
        wd.check_written(checked, seconds=120.0, per_equation=0.0, cache=cache)
        assert set(cache.values()) == {wd.Retry(n)}
    assert not wd.retries_pending(cache)
    tally = wd.Tally()  # no more tries: undecided, and not differentiated again
    assert (
        wd.check_written(checked, seconds=120.0, per_equation=30.0, tally=tally, cache=cache) == []
    )
    assert (tally.read, tally.verified, tally.flagged) == (4, 0, 0)
    assert set(cache.values()) == {wd.Retry(wd.RETRIES)}
