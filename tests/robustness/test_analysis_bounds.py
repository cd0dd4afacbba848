r"""Bounds of the analysis itself: numbers, dimension arithmetic, declaration lookups, the
simplifier's expansion, and the time budget of a differentiation.  Each case that once hung
runs in a child process with a hard limit (``bounded.run_bounded``); the others count work
instead of timing it, so that a loaded machine cannot make them flaky."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sympy

from tests.fixtures import run_cli
from tests.robustness.bounded import run_bounded
from texgrad.calculus import deadline, simplify
from texgrad.calculus import expr as e
from texgrad.calculus.deadline import BudgetExceeded, Deadline
from texgrad.calculus.differential import UNLIMITED, Budget
from texgrad.calculus.printing import Style
from texgrad.calculus.sampling import MAX_SAMPLED_ENTRIES, concrete_shape
from texgrad.shapes import dims
from texgrad.shapes.dims import Shape
from texgrad.workspace import Workspace

HEAD = "\\section{A}\nLet $x \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n\n"


_cli = run_cli  # texgrad ARGV in this process: (status, stdout, stderr)


# -- numbers ------------------------------------------------------------------------------


def test_a_5000_digit_exponent_is_said_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (the command's budget read on the process's CPU time: a loaded machine's wall clock
    # once ran past its 5 s before the number was read)
    monkeypatch.setattr(deadline, "clock", time.process_time)
    power = "x^{" + "9" * 5000 + "}"
    code, out, err = _cli("diff", power, "--wrt", "x", "--where", "x \\in \\mathbb{R}")
    assert code == 1 and out == "" and "Traceback" not in err
    assert "a number of 5000 digits" in err
    text = HEAD + "\\[ " + power + " \\]\n\nAfter it: $A x x$ is wrong.\n"
    path = tmp_path / "digits.tex"
    path.write_text(text, encoding="utf-8")
    result = Workspace([str(tmp_path)]).analyse(str(path), text, {}).result
    assert result is not None
    codes = {(d.code, d.severity) for d in result.diagnostics}
    assert ("too-large", "warning") in codes and ("matmul-mismatch", "error") in codes


# -- dimensions ---------------------------------------------------------------------------


def test_dimension_powers_are_computed_up_to_64_bits() -> None:
    two = sympy.Integer(2)
    assert dims._power_fits(two, sympy.Integer(64)) and not dims._power_fits(two, 65)
    assert not dims._power_fits(sympy.Integer(9), sympy.Integer(9**9))
    assert dims._power_fits(sympy.Integer(1), sympy.Integer(10**30))


def test_huge_dimension_powers_are_unknown_sizes_with_a_note(tmp_path: Path) -> None:
    """``x \\in \\mathbb{R}^{9^{9^{9}}}`` never returned and ``2^{2^{40}}`` took 850 MB in
    10 s: now one information note each, at once."""
    docs = {
        "nines.tex": "Let $x \\in \\mathbb{R}^{9^{9^{9}}}$ and $y = x$.\n",
        "twos.tex": "Let $x \\in \\mathbb{R}^{2^{2^{40}}}$ and $y = x$.\n",
        "fine.tex": "Let $x \\in \\mathbb{R}^{2^{10}}$, $A \\in \\mathbb{R}^{3 \\times 3}$: $A x$.\n",
    }
    for name, text in docs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    value, _ = run_bounded(
        f"""
        import json
        from texgrad.workspace import Workspace
        folder = {str(tmp_path)!r}
        ws = Workspace([folder])
        found = {{}}
        for name in {sorted(docs)!r}:
            text = open(folder + "/" + name, encoding="utf-8").read()
            result = ws.analyse(folder + "/" + name, text, {{}}).result
            found[name] = [(d.code, d.severity, d.message) for d in result.diagnostics]
        print(json.dumps(found))
        """,
        limit=60,
    )
    (nines,) = [d for d in value["nines.tex"] if d[0] == "too-large"]
    assert nines[1] == "information" and "`9^{9^{9}}`" in nines[2]
    (twos,) = [d for d in value["twos.tex"] if d[0] == "too-large"]
    assert twos[1] == "information" and "`2^{2^{40}}`" in twos[2]
    # 2^{10} is a size like any other: 1024 columns do not meet A's 3
    assert "matmul-mismatch" in [c for c, *_ in value["fine.tex"]]
    assert "too-large" not in [c for c, *_ in value["fine.tex"]]


def test_a_random_point_never_has_more_entries_than_the_bound() -> None:
    n = sympy.Integer(2**20)
    with pytest.raises(ValueError, match="more entries"):
        concrete_shape(Shape(n, n), {})
    assert concrete_shape(Shape(sympy.Integer(1000), sympy.Integer(1000)), {}) == (1000, 1000)
    assert MAX_SAMPLED_ENTRIES == 1_000_000


# -- declarations -------------------------------------------------------------------------


def test_a_symbol_declared_2000_times_is_not_compared_pairwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was 4 million shape comparisons (6 s): each declaration is compared with those that
    may share its sentence only."""
    lines = "".join(f"Let $x \\in \\mathbb{{R}}^n$ be sample {i}.\n" for i in range(2000))
    text = "\\section{A}\n" + lines + "Here $x \\in \\mathbb{R}^m$ and $x \\in \\mathbb{R}^n$.\n"
    text += "\n\\[ A x \\]\n"
    path = tmp_path / "many.tex"
    path.write_text(text, encoding="utf-8")
    compared = 0
    agrees = Shape.agrees

    def counting(self: Shape, other: Shape) -> bool:
        nonlocal compared
        compared += 1
        return agrees(self, other)

    monkeypatch.setattr(Shape, "agrees", counting)
    result = Workspace([str(tmp_path)]).analyse(str(path), text, {}).result
    assert result is not None
    assert compared < 100_000, compared  # (about 14 each: its neighbours)
    # the one sentence that declares x twice is still told
    assert [d.code for d in result.diagnostics].count("redeclared") == 1


# -- the simplifier -----------------------------------------------------------------------


def test_expansion_is_refused_before_the_products_are_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three sums of 20 terms multiply into 8,000 monomials, past MAX_TERMS (256): the
    simplifier built 8,420 products before telling (nested norms: > 3 GB); now 20."""
    n = sympy.Symbol("n")
    sums = [e.add(*(e.var(f"A{i}_{j}", Shape(n, n)) for j in range(20))) for i in range(3)]
    built = 0
    times = simplify._times

    def counting(a: simplify.Monomial, b: simplify.Monomial) -> simplify.Monomial:
        nonlocal built
        built += 1
        return times(a, b)

    monkeypatch.setattr(simplify, "_times", counting)
    assert simplify._Simplifier(Style(), UNLIMITED).monomials(e.mul(*sums)) is None
    assert built <= simplify.MAX_TERMS


# -- the time budget ----------------------------------------------------------------------


def test_every_budget_ends_by_the_request_deadline_and_cancel_reaches_it() -> None:
    request = Deadline(60.0)
    with request.active():
        later = Budget(60.0)  # a step's own budget, made inside the request
        later.check()
        deadline.checkpoint()
        stopper = threading.Thread(target=request.cancel)
        stopper.start()
        stopper.join()
        with pytest.raises(BudgetExceeded, match="cancelled"):
            later.check()
        with pytest.raises(BudgetExceeded):
            deadline.checkpoint()
        with pytest.raises(BudgetExceeded):
            UNLIMITED.check()  # made at import, outside any request: it still ends
    UNLIMITED.check()  # (outside the request again: no deadline)
    deadline.checkpoint()
    with Deadline(0.0).active(), pytest.raises(BudgetExceeded, match="time budget"):
        Budget(60.0).check()


EXPLOSIVE = {
    "nested norms": ("\\|x + " * 12 + "x" + "\\|x" * 12, "x", "x \\in \\mathbb{R}^n"),
    "nested softmax": (
        "\\operatorname{softmax}(" * 4 + "Wx" + ")" * 4,
        "W",
        "W \\in \\mathbb{R}^{n \\times n}; x \\in \\mathbb{R}^n",
    ),
    "huge dimension power": ("x^\\top x", "x", "x \\in \\mathbb{R}^{9^{9^{9}}}"),
    # (issue 18: answered after 8.2 s with --budget 5)
    "power of a power": (
        "\\operatorname{tr}((X^{64})^{64})",
        "X",
        "X \\in \\mathbb{R}^{n \\times n}",
    ),
    "huge dimension": (
        "x^\\top A x",
        "x",
        "x \\in \\mathbb{R}^{2^{20}}; A \\in \\mathbb{R}^{2^{20} \\times 2^{20}}",
    ),
}


def test_the_diff_budget_reads_the_wall_clock() -> None:
    """The user's promise: ``--budget`` is a bound on the wall clock (the tests below put
    the process's CPU time in its place, so that a loaded machine cannot make them fail)."""
    assert deadline.clock is time.monotonic


def test_diff_ends_within_its_budget() -> None:
    """``--budget`` bounds the whole command, measured in one child from after its imports
    (with --budget 5, nested softmax once answered after 12 s and nested norms never):
    read on the process's CPU time (``deadline.clock``), the budget and what the command
    took, so that the waiting of a loaded machine is neither spent nor measured."""
    value, _ = run_bounded(
        f"""
        import contextlib, io, json, time
        from texgrad import cli
        import texgrad.calculus.api
        from texgrad.calculus import deadline
        deadline.clock = time.process_time
        found = {{}}
        for name, (expr, wrt, where) in {EXPLOSIVE!r}.items():
            err = io.StringIO()
            start = time.process_time()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                code = cli.main(["diff", expr, "--wrt", wrt, "--where", where, "--budget", "1"])
            found[name] = [code, time.process_time() - start, err.getvalue()]
        print(json.dumps(found))
        """,
        limit=600,
    )
    assert sorted(value) == sorted(EXPLOSIVE)
    for name, (code, took, said) in value.items():
        assert "Traceback" not in said, name
        assert took < 1.0 + 2.5, (name, took, said)  # the budget, and the time to stop (CPU)
        if name == "huge dimension power":  # an unknown size, said at once
            assert code == 1 and "shape of `x` is unknown" in said, said
        elif code != 0:
            assert "time budget" in said or "not verified" in said.lower(), (name, said)
