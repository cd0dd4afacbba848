r"""The differentiation engine end to end: textbook results, notation kept, never a
wrong result claimed verified, clear errors, and the ``texgrad diff`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from texgrad.calculus import api, context, notation
from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.differential import UNLIMITED
from texgrad.calculus.lower import Env, VarInfo
from texgrad.calculus.printing import Style
from texgrad.calculus.verify import verify
from texgrad.cli import main
from texgrad.shapes.check import Checker
from texgrad.shapes.dims import Shape

N, M = Shape(*map(__import__("sympy").Symbol, ("n", "m"))), None
R_NN = r"\mathbb{R}^{n \times n}"

# (expression, variable, declarations, the textbook result exactly as printed)
TEXTBOOK = [
    (r"\ln(\|Ax\|_2^2)", "x", rf"A \in {R_NN}; x \in \mathbb{{R}}^n",
     r"\frac{2 A^\top A x}{\|A x\|_2^2}"),
    (r"\|Ax - b\|_2^2", "x", r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m",
     r"2 A^\top (A x - b)"),
    (r"x^\top B x", "x", rf"B \in {R_NN}; x \in \mathbb{{R}}^n", r"(B + B^\top) x"),
    (r"x^T B x", "x", r"B \in \mathbb{S}^n; x \in \mathbb{R}^n", r"2 B x"),
    (r"\log\det X", "X", rf"X \in {R_NN}", r"X^{-\top}"),
    (r"\log\det X", "X", r"X \in \mathbb{S}^n_{++}", r"X^{-1}"),
    (r"\det X", "X", rf"X \in {R_NN}", r"\det(X) X^{-\top}"),
    (r"a^T X^{-1} b", "X", r"X \in \mathbb{R}^{n \times n}; a, b \in \mathbb{R}^n",
     r"-X^{-T} a b^T X^{-T}"),
    (r"b^T X^T X c", "X", r"X \in \mathbb{R}^{m \times n}; b, c \in \mathbb{R}^n",
     r"X (c b^T + b c^T)"),
    (r"\operatorname{tr}(AXB)", "X",
     r"A \in \mathbb{R}^{p \times m}; X \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times p}",
     r"A^\top B^\top"),
    (r"\operatorname{tr}(X^\top X)", "X", r"X \in \mathbb{R}^{m \times n}", r"2 X"),
    (r"\|X\|_F^2", "X", r"X \in \mathbb{R}^{m \times n}", r"2 X"),
    (r"(Xb+c)^T D (Xb+c)", "X",
     r"X \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^n; c \in \mathbb{R}^m; D \in \mathbb{R}^{m \times m}",
     r"(D + D^T) (X b + c) b^T"),
    (r"\mathbf{1}^\top \operatorname{relu}(Ax)", "x",
     r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n", r"A^\top \mathbb{1}[A x > 0]"),
    (r"\log \sum_{i=1}^n e^{x_i}", "x", r"x \in \mathbb{R}^n", r"\operatorname{softmax}(x)"),
    (r"-y \log \sigma(w^\top x) - (1-y)\log(1 - \sigma(w^\top x))", "w",
     r"w, x \in \mathbb{R}^n; y \in \mathbb{R}", r"(\sigma(w^\top x) - y) x"),
    (r"\mathbf{x}^\top \mathbf{a}", r"\mathbf{x}", r"\mathbf{x}, \mathbf{a} \in \mathbb{R}^n",
     r"\mathbf{a}"),
    (r"a_0 + a^T B", "B", r"a, B \in \mathbb{R}^k; a_0 \in \mathbb{R}", "a"),
    (r"\operatorname{tr}(AB)", "A", r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}",
     r"B^\top"),
]  # fmt: skip


@pytest.mark.parametrize(("expr", "wrt", "where", "want"), TEXTBOOK, ids=[t[0] for t in TEXTBOOK])
def test_textbook_result(expr: str, wrt: str, where: str, want: str) -> None:
    out = diff_latex(expr, wrt, where)
    assert out.error is None, out.error
    assert out.kind == "gradient"
    assert out.verified, out.note
    assert out.result == want


def test_jacobian_layouts() -> None:
    where = r"W \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n"
    num = diff_latex(r"\sigma(Wx)", "x", where)
    den = diff_latex(r"\sigma(Wx)", "x", where, layout="denominator")
    assert num.kind == den.kind == "jacobian"
    assert num.verified and den.verified
    assert num.shape == "ℝ^{m×n}" and den.shape == "ℝ^{n×m}"
    assert (num.layout, den.layout) == ("numerator", "denominator")


def test_max_zero_is_a_diagonal_jacobian() -> None:
    out = diff_latex(r"\max(0, x)", "x", r"x \in \mathbb{R}^n")
    assert out.kind == "jacobian" and out.verified
    assert out.result == r"\operatorname{diag}(\mathbb{1}[x > 0])"


def test_derivative_with_respect_to_a_scalar() -> None:
    out = diff_latex(
        r"\operatorname{tr}(A + tB)^2", "t", r"A, B \in \mathbb{R}^{n \times n}; t \in \mathbb{R}"
    )
    assert out.kind == "derivative" and out.verified, out.note


def test_matrix_valued_gives_the_differential_and_vec_form() -> None:
    out = diff_latex(r"X^{-1}", "X", r"X \in \mathbb{R}^{n \times n}")
    assert out.kind == "matrix" and out.verified
    assert out.result == r"-X^{-1} \mathrm{d}X X^{-1}"
    assert any(r"\otimes" in s and r"\operatorname{vec}" in s for s in out.steps)


def test_hessian_of_a_quadratic() -> None:
    out = diff_latex(
        r"x^\top A x", "x", r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n", hessian=True
    )
    assert out.kind == "hessian" and out.verified
    assert out.result == r"A + A^\top"


def test_chain_rule_through_a_defined_function() -> None:
    where = r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; f(x) = Ax; g(u) = \|u\|_2^2"
    out = diff_latex(r"g(f(x))", "x", where)
    assert out.verified and out.result == r"2 A^\top A x"


def test_the_document_notation_is_kept() -> None:
    out = diff_latex(r"\mathbf{x}^T \mathbf{A} \mathbf{x}", r"\mathbf{x}",
                     r"\mathbf{A} \in \mathbb{R}^{n \times n}; \mathbf{x} \in \mathbb{R}^n")  # fmt: skip
    assert out.result == r"(\mathbf{A} + \mathbf{A}^T) \mathbf{x}"
    out = diff_latex(r"\mathrm{Tr}(X^\top A)", "X", r"A, X \in \mathbb{R}^{m \times n}")
    assert out.result == "A"
    assert out.differential == r"\mathrm{Tr}(A^\top \mathrm{d}X)"


def test_a_wrong_result_is_never_verified() -> None:
    n, m = (__import__("sympy").Symbol(s, positive=True, integer=True) for s in "nm")
    a = e.var("a", Shape(m, e.ONE))
    b = e.var("b", Shape(n, e.ONE))
    x = e.var("X", Shape(m, n))
    f = e.mul(e.transpose(a), x, b)
    df = e.mul(e.transpose(a), e.d(x), b)
    env = Env({k: VarInfo(k, v.shape, k) for k, v in (("a", a), ("b", b), ("X", x))})
    right = e.mul(a, e.transpose(b))
    assert verify(f, right, df, x, "gradient", "", env, Style(), UNLIMITED).ok
    wrong = e.mul(e.num(2), a, e.transpose(b))
    check = verify(f, wrong, df, x, "gradient", "", env, Style(), UNLIMITED)
    assert not check.ok and "NOT verified" in check.note


def test_the_remembering_printer_prints_as_latex() -> None:
    from texgrad.calculus.printing import latex, printer

    n = __import__("sympy").Symbol("n", positive=True, integer=True)
    a, x = e.var("A", Shape(n, n)), e.var("x", Shape(n, e.ONE))
    ax = e.mul(a, x)
    exprs = [ax, e.transpose(ax), e.mul(e.transpose(ax), ax), e.add(ax, x), e.mul(e.num(2), ax)]
    style = Style(transpose="^T", symbols={"x": r"\mathbf{x}"})
    text = printer(style)
    assert [text(y) for y in exprs * 2] == [latex(y, style) for y in exprs * 2]
    assert text(e.mul(e.transpose(ax), ax)) == r"\|A \mathbf{x}\|_2^2"


def test_a_function_of_one_variable_gives_the_numbers_of_evaluate() -> None:
    import numpy as np

    from texgrad.calculus.arrays import EvaluationError
    from texgrad.calculus.evaluate_expr import evaluate, function_of

    n, m = (__import__("sympy").Symbol(s, positive=True, integer=True) for s in "nm")
    a, b = e.var("A", Shape(m, n)), e.var("b", Shape(m, e.ONE))
    x, lam = e.var("x", Shape(n, e.ONE)), e.var("lambda", Shape(e.ONE, e.ONE))
    r = e.sub(e.mul(a, x), b)
    f = e.add(e.mul(e.num("1/2"), e.transpose(r), r), e.mul(lam, e.transpose(x), x))
    rng = np.random.default_rng(0)
    sizes = {"n": 3, "m": 4}
    values = {"A": rng.standard_normal((4, 3)), "b": rng.standard_normal((4, 1)),
              "x": rng.standard_normal((3, 1)), "lambda": np.array([[0.5]])}  # fmt: skip
    for wrt in ("x", "A", "b", "lambda"):
        fn = function_of(f, wrt, values, sizes)
        for _ in range(3):
            value = values[wrt] + rng.standard_normal(values[wrt].shape)
            assert np.array_equal(fn(value), evaluate(f, {**values, wrt: value}, sizes))
    # a part not involving the variable is evaluated once, where its domain is checked
    g = e.add(e.mul(e.transpose(e.ones(m)), e.elem("log", b)), e.mul(e.transpose(x), x))
    with pytest.raises(EvaluationError):
        function_of(g, "x", {**values, "b": -np.ones((4, 1))}, sizes)


def test_a_wrong_hessian_is_never_verified() -> None:
    n = __import__("sympy").Symbol("n", positive=True, integer=True)
    a = e.var("A", Shape(n, n))
    x = e.var("x", Shape(n, e.ONE))
    f = e.mul(e.transpose(x), a, x)
    df = e.add(e.mul(e.transpose(e.d(x)), a, x), e.mul(e.transpose(x), a, e.d(x)))
    env = Env({k: VarInfo(k, v.shape, k) for k, v in (("A", a), ("x", x))})
    right = e.add(a, e.transpose(a))
    assert verify(f, right, df, x, "hessian", "", env, Style(), UNLIMITED).ok
    for wrong in (a, e.mul(e.num(2), a), e.add(right, e.identity(n))):
        check = verify(f, wrong, df, x, "hessian", "", env, Style(), UNLIMITED)
        assert not check.ok and "NOT verified" in check.note


def test_the_finite_difference_hessian_evaluates_each_pair_once() -> None:
    import numpy as np

    from texgrad.calculus.verify import _hessian_fd

    a = np.arange(16.0).reshape(4, 4)
    calls: list[int] = []

    def f(x: np.ndarray) -> np.ndarray:
        calls.append(1)
        return x.T @ a @ x

    h = _hessian_fd(f, np.linspace(-1, 1, 4).reshape(4, 1))
    assert np.allclose(h, a + a.T, atol=1e-4)
    assert len(calls) == 4 * (4 * 5 // 2)  # four points per pair i <= j


@pytest.mark.parametrize(
    ("expr", "where", "message"),
    [
        (r"\foo(x)", r"x \in \mathbb{R}^n", "cannot differentiate"),
        (r"y^\top x", r"x \in \mathbb{R}^n", "the shape of `y` is unknown"),
        (r"\int_0^1 x", r"x \in \mathbb{R}^n", "cannot differentiate"),
        (r"x_i^2", r"x \in \mathbb{R}^n", "entry"),
        (r"\|X\|_2", r"X \in \mathbb{R}^{m \times n}", "spectral"),
        (r"\|x\|_\infty", r"x \in \mathbb{R}^n", "cannot differentiate the norm"),
        (r"\operatorname{tr}(A X^k)", r"A, X \in \mathbb{R}^{n \times n}", "symbolic order"),
    ],
)
def test_what_cannot_be_done_says_so(expr: str, where: str, message: str) -> None:
    wrt = "X" if "X" in where else "x"
    out = diff_latex(expr, wrt, where)
    assert out.error is not None and message in out.error, out.error
    assert not out.verified


def test_an_unsubscripted_norm_of_a_matrix_is_frobenius() -> None:
    out = diff_latex(r"\|Y - XW\|^2", "W", r"Y \in \mathbb{R}^{N \times k}; "
                     r"X \in \mathbb{R}^{N \times d}; W \in \mathbb{R}^{d \times k}")  # fmt: skip
    assert out.verified, out.error
    assert out.result == r"2 X^\top (X W - Y)"


def test_work_is_bounded_by_the_budget() -> None:
    out = diff_latex(
        r"\operatorname{tr}(X^{60})", "X", r"X \in \mathbb{R}^{n \times n}", budget=0.0
    )
    assert out.error is not None and "budget" in out.error


def test_cli_json_has_exactly_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["diff", r"\|Ax - b\|_2^2", "--wrt", "x", "--where",
               r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m",
               "--format", "json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert set(data) == {"kind", "result", "differential", "shape", "layout", "verified", "steps"}
    assert data["result"] == r"2 A^\top (A x - b)" and data["verified"] is True


def test_cli_latex_prints_the_result_alone(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["diff", r"x^\top x", "--wrt", "x", "--where", r"x \in \mathbb{R}^n"])
    assert rc == 0
    assert capsys.readouterr().out == "2 x\n"


def test_cli_failure_is_an_error_object(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["diff", r"\foo x", "--wrt", "x", "--where", r"x \in \mathbb{R}^n", "--format", "json"]
    )
    assert rc == 1
    assert set(json.loads(capsys.readouterr().out)) == {"error"}


def test_diff_in_a_document_uses_its_declarations(tmp_path: Path) -> None:
    doc = tmp_path / "notes.tex"
    doc.write_text(
        "Soit $W \\in \\mathbb{R}^{m \\times n}$ — données, et $\\mathbf{x} \\in \\mathbb{R}^n$.\n"
        "\\[ L = \\|W\\mathbf{x}\\|^2 \\]\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 2, r"\mathbf{x}")
    assert out.error is None and out.verified
    assert out.result == r"2 W^\top W \mathbf{x}"
    assert main(["diff", "--file", str(doc), "--line", "2", "--wrt", "W"]) == 0


def test_plans_and_diff_at_take_an_already_checked_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^n$.\n\n"
        "$$ f(x) = \\|A x\\|^2 $$\n"
    )
    at = text.index("f(x)")
    fresh = api.diff_at("doc.md", text, at, "x")
    result = Checker().check("doc.md", text=text)

    def no_second_check(*args: object, **kwargs: object) -> None:
        raise AssertionError("the document was checked again")

    monkeypatch.setattr(api.Checker, "check", no_second_check)
    plans = api.plans_at("doc.md", text, at, result=result)
    assert [(p.wrt, p.kind, p.function) for p in plans] == [
        ("x", "gradient", "f"),
        ("A", "gradient", "f"),
    ]
    out = api.diff_at("doc.md", text, at, "x", result=result)
    assert out == fresh and out.verified and out.result == r"2 A^\top A x"
    assert api.plans_at("doc.md", text, 0, result=result) == []  # prose: nothing to offer
    assert "no math" in str(api.diff_at("doc.md", text, 0, "x", result=result).error)


def test_what_a_checked_document_teaches_is_learnt_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{x} \\in \\mathbb{R}^n$, "
        "$\\mathbf{b} \\in \\mathbb{R}^m$; $\\operatorname{Tr}(A^T A)$.\n\n"
        "$$ f(\\mathbf{x}) = \\|A \\mathbf{x} - \\mathbf{b}\\|^2 $$\n"
    )
    at = text.index("f(")
    result = Checker().check("doc.md", text=text)
    fresh = {
        p.wrt: api.diff_at("doc.md", text, at, p.wrt) for p in api.plans_at("doc.md", text, at)
    }
    notation._taught.clear()  # (what rows taught is kept per path and row text across checks)
    walks: list[int] = []
    learn = notation.learn_style
    monkeypatch.setattr(
        notation, "learn_style", lambda *a, **k: walks.append(len(a[1])) or learn(*a, **k)
    )
    plans = api.plans_at("doc.md", text, at, result=result)
    outs = {p.wrt: api.diff_at("doc.md", text, at, p.wrt, result=result) for p in plans}
    again = {p.wrt: api.diff_at("doc.md", text, at, p.wrt, result=result) for p in plans}
    assert outs == fresh == again  # the engine's additions to its copy do not leak
    assert outs[r"\mathbf{x}"].result == r"2 A^T (A \mathbf{x} - \mathbf{b})"
    assert all(o.verified for o in outs.values())
    rows = sum(1 for r in result.rows if r.tree is not None)
    assert len(walks) == rows + 1  # each row of the document once, its row once more
    row = next(r for r in result.rows if r.start <= at <= r.end)
    assert row.tree is not None
    one, two = context.context_at(result, row), context.context_at(result, row)
    assert one is not two and one.style == two.style and one.env == two.env
    one.style.symbols["x"] = "changed"
    one.env.vars["x"].latex = "changed"
    three = context.context_at(result, row)
    assert three.style.symbols["x"] == three.env.vars["x"].latex == r"\mathbf{x}"
    assert len(walks) == rows + 1
    other = Checker().check("doc.md", text=text + " ")  # another check: learnt afresh,
    api.plans_at("doc.md", text, at, result=other)  # but rows whose text is unchanged
    assert len(walks) == rows + 2  # teach what they taught (by their key): its row only


def test_a_document_notation_after_edits_is_what_a_whole_walk_learns(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    rng = random.Random(5)
    walked: list[int] = []
    taught_by = notation.taught_by
    monkeypatch.setattr(notation, "taught_by", lambda *a: walked.append(1) or taught_by(*a))
    edits = [
        "",
        " ",
        "\n\n$x^T y$ and $\\operatorname{Tr}(B)$\n",
        "$z'$",
        "\\alpha",
        "$\\mathbf{A}",
    ]
    for name in ("matrix-cookbook-md/main.md", "dlbook-notation/notation.tex"):
        path = corpus / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        checker = Checker()
        kept: set[object] = set()
        for step in range(10):
            if step:
                at = rng.choice([0, len(text) // 3, len(text) // 2, len(text)])
                text = text[:at] + rng.choice(edits) + text[at:]
            walked.clear()
            result = checker.check(str(path), text=text)
            whole = Style()
            trees = [r.tree for r in result.rows if r.tree is not None]
            notation.learn_style(whole, trees, result.doc.text)
            assert context.document_style(result) == whole, (name, step)
            rows = [r for r in result.rows if r.parsed]
            new = [r for r in rows if r.key not in kept]
            assert len(walked) == (len(new) if step else len(trees)), (name, step)
            kept = {r.key for r in rows}  # a row whose text the next check keeps: not walked


def test_a_document_macros_are_printed_and_accepted_as_the_variable(tmp_path: Path) -> None:
    doc = tmp_path / "doc.tex"
    doc.write_text(
        "\\documentclass{article}\n"
        "\\newcommand{\\mA}{\\mathbf{A}}\n\\newcommand{\\vx}{\\mathbf{x}}\n"
        "\\newcommand{\\vb}{\\mathbf{b}}\n\\DeclareMathOperator{\\tr}{tr}\n"
        "\\begin{document}\n"
        "Let $\\mA \\in \\mathbb{R}^{m \\times n}$, $\\vx \\in \\mathbb{R}^n$, "
        "$\\vb \\in \\mathbb{R}^m$, $X \\in \\mathbb{R}^{n \\times n}$.\n"
        "\\begin{equation}\n"
        "  f(\\vx) = \\|\\mA\\vx - \\vb\\|_2^2 + \\tr(X^T \\mA^T \\mA X)\n"
        "\\end{equation}\n\\end{document}\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 9, r"\vx")
    assert out.verified, out.note
    assert out.result == r"2 \mA^T (\mA \vx - \vb)"
    assert out.differential == r"2 (\mA \vx - \vb)^T \mA \mathrm{d}\vx"
    out = diff_in_document(doc, 9, "X")
    assert out.verified and out.result == r"2 \mA^T \mA X"
    assert out.differential == r"2 \tr(X^T \mA^T \mA \mathrm{d}X)"


# One expression per differentiation rule; the engine's verification is numerical (central
# differences at random points with distinct dimension sizes), so `verified` is the test.
V = r"x, y \in \mathbb{R}^n; A, B \in \mathbb{R}^{n \times n}; X, Y \in \mathbb{R}^{n \times n}"
RULES = [
    ("sum and scalar multiple", r"3 x^\top y - 2 \mathbf{1}^\top x", "x"),
    ("matrix product", r"y^\top A B x", "x"),
    ("transpose", r"\operatorname{tr}(X^\top A)", "X"),
    ("inverse", r"y^\top X^{-1} x", "X"),
    ("inverse transpose", r"y^\top X^{-T} x", "X"),
    ("trace", r"\operatorname{tr}(A X B)", "X"),
    ("determinant", r"\det(X)", "X"),
    ("log det", r"\log\det(X^\top X)", "X"),
    ("ln |det|", r"\ln|\det X|", "X"),
    ("integer matrix power", r"\operatorname{tr}(X^3)", "X"),
    ("negative matrix power", r"\operatorname{tr}(X^{-2})", "X"),
    ("rational power under a trace", r"\operatorname{tr}((X^\top X)^{1/2})", "X"),
    ("scalar power", r"(x^\top y)^3", "x"),
    ("quotient", r"\frac{x^\top A x}{x^\top x}", "x"),
    ("inner product", r"\langle X, A \rangle", "X"),
    ("quadratic form", r"x^\top A x", "x"),
    ("2-norm", r"\|x - y\|_2", "x"),
    ("squared 2-norm", r"\|A x - y\|_2^2", "x"),
    ("Frobenius norm", r"\|X\|_F", "X"),
    ("1-norm", r"\|x\|_1", "x"),
    ("Hadamard product", r"\mathbf{1}^\top (x \odot y \odot x)", "x"),
    ("Hadamard division", r"\mathbf{1}^\top (y \oslash \exp(x))", "x"),
    ("Hadamard power", r"\mathbf{1}^\top x^{\circ 3}", "x"),
    ("Kronecker product", r"X \otimes A", "X"),
    ("diag of a vector", r"\operatorname{tr}(A \operatorname{diag}(x))", "x"),
    ("diag of a matrix", r"y^\top \operatorname{diag}(X)", "X"),
    ("exp", r"\mathbf{1}^\top \exp(A x)", "x"),
    ("log", r"\mathbf{1}^\top \log(\exp(x) + \mathbf{1})", "x"),
    ("sin, cos", r"\mathbf{1}^\top (\sin(x) \odot \cos(y))", "x"),
    ("tanh", r"\tanh(A x)", "x"),
    ("sigma", r"\sigma(A x)", "x"),
    ("relu", r"\operatorname{relu}(A x)", "x"),
    ("max(0, x)", r"\mathbf{1}^\top \max(0, A x)", "x"),
    ("abs", r"\mathbf{1}^\top |A x|", "x"),
    ("sqrt", r"\mathbf{1}^\top \sqrt{\exp(x)}", "x"),
    ("softplus", r"\mathbf{1}^\top \operatorname{softplus}(A x)", "x"),
    ("softmax", r"\operatorname{softmax}(A x)", "x"),
    ("log-sum-exp", r"\log \sum_{i=1}^n \exp(x_i)", "x"),
    ("tr exp", r"\operatorname{tr}(e^{X})", "X"),
    ("tr log", r"\operatorname{tr}(\log(X^\top X))", "X"),
    ("tr sin, tr cos", r"\operatorname{tr}(\sin X) + \operatorname{tr}(\cos X)", "X"),
    ("matrix exponential", r"e^{X}", "X"),
    ("sum over entries", r"\sum_{i=1}^n (x_i - 1)^2", "x"),
]


@pytest.mark.parametrize(("rule", "expr", "wrt"), RULES, ids=[r[0] for r in RULES])
def test_every_rule_is_verified_numerically(rule: str, expr: str, wrt: str) -> None:
    out = diff_latex(expr, wrt, V)
    assert out.error is None, f"{rule}: {out.error}"
    assert out.verified, f"{rule}: {out.note}"


def test_a_formula_read_otherwise_than_written_is_not_verified() -> None:
    """The engine's reading of the formula is checked against evaluate_tree.py's evaluation of
    the formula as written: a misreading (here: 3 x^T x read as x^T x) cannot be verified
    even though the derivative of what was read is right."""
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    n = Shape(__import__("sympy").Symbol("n", positive=True, integer=True), e.ONE)
    x = e.var("x", n)
    f = e.mul(e.transpose(x), x)
    g = e.mul(e.num(2), x)
    df = e.mul(e.num(2), e.transpose(x), e.d(x))
    env = Env({"x": VarInfo("x", n, "x")})
    written = parse_row(MappedText.identity(r"3 x^\top x")).tree
    check = verify(f, g, df, x, "gradient", "numerator", env, Style(), UNLIMITED, original=written)
    assert not check.ok and "as written" in check.note
    same = parse_row(MappedText.identity(r"x^\top x")).tree
    assert verify(f, g, df, x, "gradient", "numerator", env, Style(), UNLIMITED, original=same).ok


def test_a_gradient_that_cancels_is_a_verified_zero() -> None:
    """For square X, tr((XᵀCX)⁻¹ XᵀBX) = tr(C⁻¹B) does not change: its gradient is 0 (a
    zero matrix, printed 0), verified even where XᵀCX is ill-conditioned."""
    out = diff_latex(
        r"\operatorname{Tr}((X^T C X)^{-1} (X^T B X))", "X", r"B, X, C \in \mathbb{R}^{k \times k}"
    )
    assert (out.result, out.verified) == ("0", True), out.note
