r"""What the check of a document's written derivatives looks up for each claim, found by
bisection or kept per text instead of scanned over the whole document for every claim
(issue 18: a 1 MB thesis's claims each scanned every row, every statement and the whole
text).  Each lookup is compared, at every offset of a document, with the scan it replaces;
and the scans are counted, not timed."""

from __future__ import annotations

import re
import time

import pytest

from texgrad.calculus import context, deadline
from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker, CheckResult

# rows in displays and inline, "where" clauses after displays (some stating a property of
# a matrix, some not), statements before and after, a sentence's condition, a lemma
DOC = r"""Let $A \in \mathbb{R}^{n \times n}$, $B \in \mathbb{R}^{n \times n}$ and
$x \in \mathbb{R}^n$.  The matrix $A$ is symmetric.
\begin{equation}
  f(x) = x^\top A x + x^\top B x
\end{equation}
where $B$ is symmetric positive definite.  If $C$ is symmetric, then $C x$ is too.
\begin{align}
  g &= A x \\
  h &= B x + A x
\end{align}
Here $K \in \mathbb{R}^{n \times n}$ and $y = K x$.
\[ \nabla_x (x^\top K x) = 2 K x \]
where $K$ is symmetric.  Later, $M \in \mathbb{R}^{n \times n}$ is symmetric and
$P \in \mathbb{R}^{n \times n}$, $P$ positive definite; $z = P M x$.
"""


def _checked() -> CheckResult:
    return Checker().check("doc.tex", text=DOC)


def _rows_scanned(result: CheckResult, offset: int) -> int | None:
    rows = [r for r in result.rows if r.path == result.path and r.start <= offset <= r.end]
    return max(r.end for r in rows) if rows else None


def test_the_rows_holding_an_offset_are_found_as_a_scan_of_every_row_finds_them() -> None:
    result = _checked()
    assert len(result.rows) >= 8
    held = 0
    for offset in range(-1, len(DOC) + 2):
        expected = _rows_scanned(result, offset)
        assert context._row_end_around(result, offset) == expected, offset
        held += expected is not None
    assert held > 50  # (the offsets inside rows, and outside them: both asked)


def _said_scanned(result: CheckResult, offset: int) -> list[object]:
    """What the scan of every statement kept (before: ``_stated``'s own loop)."""
    said = context._said_of(result).properties
    near = any(s.path is None and s.until < 0 and 0 < s.start - offset < 2000 for s in said)
    where = context._where_clause(result, offset) if near else (0, 0)
    kept = []
    for s in said:
        after = s.start > offset and not (s.until < 0 and where[0] <= s.start < where[1])
        if s.path is None and after:
            continue
        kept.append(s)
    return kept


def test_what_is_said_around_a_claim_is_what_a_scan_of_every_statement_keeps() -> None:
    result = _checked()
    said = context._said_of(result).properties
    assert len(said) >= 4  # A, B (in a where clause), C (a condition), K, M, P
    windows = 0
    for offset in range(-1, len(DOC) + 2):
        expected = _said_scanned(result, offset)
        got = context._said_around(result, offset)
        key = lambda s: (s.start, s.key)  # noqa: E731
        assert sorted(got, key=key) == sorted(expected, key=key), offset
        windows += any(s.start > offset for s in got)
    assert windows > 0  # (a where clause after a row: said after the claim, and read)


def test_a_letters_declarations_are_found_once_per_text_and_as_the_pattern_finds_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = DOC * 3 + r"And $\Alpha \in \mathbb{R}$, $xA \in$ nothing, $A\in \mathbb{R}$."
    for key in ("A", "B", "K", "x", "P", "Q"):
        literal = re.escape(key)
        pattern = literal + r"(?<![\\A-Za-z]" + literal + r")\s*\\in(?![A-Za-z])"
        expected = [m.start() for m in re.finditer(pattern, text)]
        assert wd._declarations(text, key) == expected
    assert len(wd._declarations(text, "A")) == 4  # (three copies, and one with no space)
    scans: list[str] = []
    finditer = re.finditer
    monkeypatch.setattr(wd.re, "finditer", lambda p, s, *a: scans.append(p) or finditer(p, s, *a))
    for _ in range(100):
        wd._declarations(text, "A")
        wd._declared_again(text, "K", 0, len(text))
    assert scans == []  # (both asked before: kept)
    wd._declarations(text + " ", "A")  # another text: scanned again
    assert len(scans) == 1


def test_a_cpu_deadline_reads_the_cpu_clock_only_once_its_seconds_can_have_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A thread's CPU time grows no faster than the wall clock: before ``seconds`` have
    passed on that, the deadline has not passed and the CPU clock is not read (each read
    is a system call); after, it is, and the deadline passes by the CPU time."""
    reads: list[float] = []
    thread_time = time.thread_time
    monkeypatch.setattr(deadline.time, "thread_time", lambda: reads.append(1) or thread_time())
    waiting = deadline.Deadline(60.0, cpu=True)
    waiting.count_here()
    counted = len(reads)
    assert counted == 1
    assert not any(waiting.passed() for _ in range(1000))
    assert len(reads) == counted  # (60 s have not passed on the wall clock)
    short = deadline.Deadline(0.05, cpu=True, wall=1000.0)
    short.count_here()
    end = thread_time() + 0.1
    while thread_time() < end:  # this thread's CPU time, past the deadline's seconds
        pass
    before = len(reads)
    assert short.passed()
    assert len(reads) == before + 1  # (read: its seconds have passed on the wall clock too)


def _stated_flags(result: CheckResult, offset: int) -> dict[str, tuple[bool, bool]]:
    """Symmetry and definiteness ``_stated`` gives the declared letters at ``offset``."""
    env = context.Env()
    in_force = context._declared_vars(result, env, {}, offset)
    context._stated(result, offset, env, in_force)
    return {k: (bool(v.symmetric), bool(v.positive_definite)) for k, v in env.vars.items()}


def test_what_is_stated_is_found_once_per_statement_and_as_a_fresh_lookup_finds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18: every claim's context looked up, for each statement before it, the
    declaration in force where the statement is (a thousand claims of a thesis, thirty
    statements each).  Found once per checked document; the same flags at every offset as
    contexts made afresh (a new CheckResult: nothing kept) give."""
    result = _checked()
    looked: list[tuple[object, ...]] = []
    real = result.table.lookup

    def counted(*args: object) -> object:
        looked.append(args)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(result.table, "lookup", counted)
    offsets = range(0, len(DOC), 7)
    kept = {offset: _stated_flags(result, offset) for offset in offsets}
    assert any(any(s for s, _ in flags.values()) for flags in kept.values())
    assert any(any(p for _, p in flags.values()) for flags in kept.values())
    said = context._said_of(result).properties
    starts = {(s.key, s.start) for s in said}
    of_statements = [a for a in looked if len(a) == 4 and (a[0], a[3]) in starts]
    assert of_statements and len(of_statements) == len(set(of_statements))
    monkeypatch.undo()
    for offset in offsets:
        assert _stated_flags(_checked(), offset) == kept[offset], offset
