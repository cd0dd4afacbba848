r"""The entry points (:mod:`texgrad.calculus.api`): a document's row, an editor buffer
already checked, and the ``texgrad diff`` command that calls them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus import api
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.cli import main
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key


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


def test_cli_json_has_exactly_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["diff", r"\|Ax - b\|_2^2", "--wrt", "x", "--where",
               r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m",
               "--format", "json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert set(data) == {
        "kind", "result", "differential", "shape", "layout", "verified", "steps", "numpy",
        "where",
    }  # fmt: skip
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


def test_a_dimension_written_with_a_subscript_is_a_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # d_{\text{head}} names the size of w: a positive number in the expression (as N is)
    rc = main(["diff", r"\|H w\|^2 + d_{\text{head}}\, w^\top w", "--wrt", "w", "--where",
               r"H \in \mathbb{R}^{n \times d_{\text{head}}}; w \in \mathbb{R}^{d_{\text{head}}}"])  # fmt: skip
    assert rc == 0
    assert capsys.readouterr().out == "2 H^\\top H w + 2 d_{\\text{head}} w\n"


@pytest.mark.parametrize(
    ("expr", "quoted"),
    [
        (r"\|W^{(2)} w\|^2", r"`W^{(2)}`"),
        (r"\|H_{\text{out}} w\|^2", r"`H_{\text{out}}`"),
    ],
)
def test_an_undeclared_name_is_quoted_as_written(
    capsys: pytest.CaptureFixture[str], expr: str, quoted: str
) -> None:
    rc = main(["diff", expr, "--wrt", "w", "--where", r"w \in \mathbb{R}^{n}"])
    assert rc == 1
    err = capsys.readouterr().err
    assert f"the shape of {quoted} is unknown" in err and "(Text" not in err


def test_a_block_matrix_in_a_document_is_refused_never_misread(tmp_path: Path) -> None:
    """``z = [x; u]`` defines z through x: differentiating ``z^\\top z`` must not treat z as a
    constant (0) — it is refused, with the reason; planning and a row without the block
    still work."""
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$, $B \\in \\mathbb{R}^{n \\times m}$, "
        "$x \\in \\mathbb{R}^n$ and $u \\in \\mathbb{R}^m$.\n"
        "Stack $z = \\begin{bmatrix} x \\\\ u \\end{bmatrix}$.\n\n"
        "$$ f = z^\\top z + x^\\top x $$\n\n"
        "$$ g = \\left\\| \\begin{bmatrix} A & B \\end{bmatrix} z \\right\\|^2 $$\n\n"
        "$$ h = x^\\top A x $$\n"
    )
    for row in ("f =", "g ="):
        out = api.diff_at("doc.md", text, text.index(row), "x")
        assert not out.verified and not out.result
        assert out.error is not None and "block matrices" in out.error, out.error
        api.plans_at("doc.md", text, text.index(row))  # offers what it can, raises nothing
    out = api.diff_at("doc.md", text, text.index("h ="), "x")
    assert out.verified and out.result == r"(A + A^\top) x"


def test_a_row_listing_definitions_defines_each_and_differentiates_the_one_asked() -> None:
    text = (
        "Let $\\mathbf{x} \\in \\mathbb{R}^d$, $W \\in \\mathbb{R}^{h \\times d}$, "
        "$\\mathbf{b} \\in \\mathbb{R}^h$, $V \\in \\mathbb{R}^{k \\times h}$, "
        "$\\mathbf{y} \\in \\mathbb{R}^k$.\n\n"
        "$$ \\mathbf{z} = W\\mathbf{x} + \\mathbf{b}, \\qquad \\mathbf{a} = \\tanh(\\mathbf{z}), "
        "\\qquad \\hat{\\mathbf{y}} = V\\mathbf{a} . $$\n\n"
        "$$ L = \\frac{1}{2}\\|\\hat{\\mathbf{y}} - \\mathbf{y}\\|^2 $$\n"
    )
    by_w = api.diff_at("doc.md", text, text.index("L ="), "W")  # through ŷ, a and z
    assert by_w.verified and by_w.kind == "gradient"
    at = text.index("\\mathbf{z} = W")  # the first statement of the row, asked at its place
    by_b = api.diff_at("doc.md", text, at, "\\mathbf{b}")
    assert by_b.verified and by_b.result == "I"


def test_check_and_diff_give_one_answer_on_a_scalar_plus_an_array(tmp_path: Path) -> None:
    # shapes' one rule (dims.scalar_spreads): a scalar plus a row is added to each entry —
    # no diagnostic, and a verified derivative; a scalar plus a matrix is left unchecked —
    # no diagnostic, and no derivative either (a refusal that says why, not a "cannot add")
    doc = tmp_path / "affine.md"
    doc.write_text(
        "Let $a_0 \\in \\mathbb{R}$, $\\mathbf{a} \\in \\mathbb{R}^n$ and "
        "$\\mathbf{B} \\in \\mathbb{R}^{n \\times m}$.\n\n"
        "$$ f = a_0 + \\mathbf{a}^\\top \\mathbf{B} $$\n\n"
        "$$ g = \\mathbf{a}^\\top \\mathbf{a} + a_0 + \\mathbf{B} $$\n",
        encoding="utf-8",
    )
    assert Checker().check(str(doc)).diagnostics == []
    out = diff_in_document(doc, 3, r"\mathbf{a}")
    assert (out.differential, out.verified) == (r"\mathrm{d}\mathbf{a}^\top \mathbf{B}", True)
    out = diff_in_document(doc, 5, r"\mathbf{a}")
    assert out.error is not None and "texgrad does not guess" in out.error
    assert "cannot add" not in out.error


def test_check_and_diff_give_one_answer_on_a_row_or_column_along_a_matrix(tmp_path: Path) -> None:
    # dims.broadcasts, the one rule: a row added to every row of a matrix (XW + b^T), a
    # column to every column of one whose sizes differ (Y - u) is NumPy-style broadcasting —
    # check is silent, and diff says so, calling it no error (it said "cannot add a n×k and a
    # 1×k"); a column against a matrix whose rows differ, a column plus a sized identity, and
    # a column plus a square matrix (D - u: the diagonal matrix of u meant) stay mismatches
    # for both
    doc = tmp_path / "layer.md"
    doc.write_text(
        "Let $X \\in \\mathbb{R}^{n \\times d}$, $W \\in \\mathbb{R}^{d \\times k}$, "
        "$b \\in \\mathbb{R}^k$, $D \\in \\mathbb{R}^{n \\times n}$, $Y \\in \\mathbb{R}^{n \\times d}$ "
        "and $u \\in \\mathbb{R}^n$.\n\n"
        "$$ L = \\|X W + b^\\top\\|_F^2 $$\n\n"
        "$$ M = \\|Y - u\\|_F^2 $$\n\n"
        "$$ N = \\|D u + I_n\\|_F^2 $$\n\n"
        "$$ P = \\|D - u\\|_F^2 $$\n",
        encoding="utf-8",
    )
    found = Checker().check(str(doc)).diagnostics
    text = doc.read_text(encoding="utf-8")
    assert [(text.count("\n", 0, d.start), d.code) for d in found] == [
        (6, "add-mismatch"),
        (8, "add-mismatch"),
    ]
    for line, wrt, what in (
        (3, "W", "row (1×k) to every row of a n×k"),
        (5, "Y", "column (n) to every column of a n×d"),
    ):
        out = diff_in_document(doc, line, wrt)
        assert out.error is not None and "relies on broadcasting (NumPy-style)" in out.error
        assert what in out.error and "cannot add" not in out.error and "error" not in out.error
    for line in (7, 9):
        out = diff_in_document(doc, line, "D")
        assert out.error is not None and out.error.startswith("cannot add"), out.error


def test_with_respect_to_a_defined_name_the_name_is_held_as_a_variable() -> None:
    text = (
        "Let $X \\in \\mathbb{R}^{n \\times d}$, $W \\in \\mathbb{R}^{d \\times k}$ and "
        "$G \\in \\mathbb{R}^{n \\times k}$.\n\n$$ V = XW $$\n\n"
        "$$ \\phi = \\operatorname{tr}(G^\\top \\tanh(V)) $$\n"
    )
    at = text.index("\\phi =")
    by_v = api.diff_at("doc.md", text, at, "V")  # ∂φ/∂V, not through V = XW
    assert by_v.verified and by_v.kind == "gradient", by_v.error
    assert by_v.result == "G \\odot (\\mathbf{1}\\mathbf{1}^\\top - \\tanh(V)^{\\circ 2})" or (
        "\\tanh(V)" in by_v.result and "X" not in by_v.result
    )
    by_w = api.diff_at("doc.md", text, at, "W")  # through the definition
    assert by_w.verified and "X^\\top" in by_w.result, by_w.result


def test_a_coefficient_whose_sign_sympy_cannot_decide_is_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # -1/(n-1): comparing it with 0 raised a TypeError in the printer (n - 1 may be 0)
    where = r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n\times n}"
    out = api.diff_latex(r"-\frac{1}{n-1} x^\top A x", "x", where)
    assert out.verified and out.result == r"-\frac{(A + A^\top) x}{n - 1}", out.result
    main(["diff", r"-\frac{x^\top A x}{n-1}", "--wrt", "x", "--where", where])
    assert "TypeError" not in capsys.readouterr().err


def test_an_expression_that_parses_is_not_parsed_again_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``diff_latex`` parses the expression alone (to say where it is unbalanced) only when
    it did not parse in the text checked: a quarter of a small differentiation otherwise."""

    asked: list[str] = []
    real = api.parse_problem
    monkeypatch.setattr(api, "parse_problem", lambda x: asked.append(x) or real(x))
    where = r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n"
    out = api.diff_latex(r"x^\top A x", "x", where)
    assert out.verified and out.result == r"(A + A^\top) x" and asked == []
    out = api.diff_latex(r"x^\top A x + (", "x", where)
    assert asked == [r"x^\top A x + ("]
    assert out.error == (
        "the expression does not parse: unclosed ( at character 14: `x^\\top A x + (`"
    )
    asked.clear()  # not one row of the text (`$` ends the math there): asked alone too
    out = api.diff_latex(r"x^\top A x $ y", "x", where)
    assert asked == [r"x^\top A x $ y"] and out.result == r"(A + A^\top) x"


RESIDUAL = r"""\documentclass{article}
\newcommand{\vx}{\bm{x}}
\begin{document}
For $\vx \in \mathbb{R}^p$, $W_1, W_2 \in \mathbb{R}^{p \times p}$ we set
$\bm{u} = W_1\vx$, $\bm{r} = \vx + W_2\bm{u}$ and
\begin{equation}
E = \frac{1}{2}\|\bm{r}\|^2
\end{equation}
\end{document}
"""


def test_a_variable_given_by_the_documents_macro_that_the_row_does_not_write(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "block.tex"
    doc.write_text(RESIDUAL, encoding="utf-8")
    out = diff_in_document(doc, 7, r"\vx")  # E names r, r names x: \vx is \bm{x}
    assert out.error is None and out.verified, out.error
    assert out.kind == "gradient" and out.shape == "ℝ^{p}"
    # E = ½‖(I + W₂W₁)x‖²: the gradient is (I + W₂W₁)ᵀ(I + W₂W₁)x, p = 3
    rng = np.random.default_rng(1)
    w1, w2, x = (
        rng.standard_normal((3, 3)),
        rng.standard_normal((3, 3)),
        rng.standard_normal((3, 1)),
    )
    m = np.eye(3) + w2 @ w1
    values = {"W_{1}": w1, "W_{2}": w2, "x": x, "u": w1 @ x, "r": m @ x}
    got = evaluate(parse_row(MappedText.identity(out.result)).tree, values)
    assert np.allclose(np.asarray(got, dtype=float).reshape(3, 1), m.T @ m @ x)


LAYER_NORM = r"""# Layer norm

For $\mathbf{v}, \mathbf{c} \in \mathbb{R}^m$ with a scalar gain $\gamma$ and $\epsilon > 0$,
and a mean vector $\mathbf{m} \in \mathbb{R}^d$ used later,

$$q = \gamma\,\mathbf{c}^\top\frac{\mathbf{v} - \frac{1}{m}\mathbf{1}\mathbf{1}^\top\mathbf{v}}{\sqrt{\frac{1}{m}\|\mathbf{v} - \frac{1}{m}\mathbf{1}\mathbf{1}^\top\mathbf{v}\|^2 + \epsilon}}$$
"""


def test_a_plain_letter_divided_by_is_the_dimension_beside_a_bold_vector(tmp_path: Path) -> None:
    doc = tmp_path / "ln.md"
    doc.write_text(LAYER_NORM, encoding="utf-8")
    out = diff_in_document(doc, 6, r"\gamma")  # 1/m: the dimension m, not the vector m
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(3)
    v, c, eps = rng.standard_normal((5, 1)), rng.standard_normal((5, 1)), 0.1
    centred = v - v.mean()
    want = (c.T @ centred).item() / np.sqrt((centred.T @ centred).item() / 5 + eps)
    values = {"v": v, "c": c, "\\epsilon": eps, "\\gamma": 2.0, "m": 5}
    got = evaluate(parse_row(MappedText.identity(out.result)).tree, values)
    assert np.allclose(np.asarray(got, dtype=float), want)


LISTED_STATES = r"""# tiny rnn

Hidden states $\mathbf{h}_0, \dots, \mathbf{h}_T \in \mathbb{R}^{H}$, inputs
$\mathbf{x}_1, \dots, \mathbf{x}_T \in \mathbb{R}^{D}$, $W \in \mathbb{R}^{H \times H}$ and
$U \in \mathbb{R}^{H \times D}$.

$$\mathbf{h}_t = \tanh(W\mathbf{h}_{t-1} + U\mathbf{x}_t)$$
"""


def test_a_member_of_a_family_declared_as_a_list_is_a_variable(tmp_path: Path) -> None:
    doc = tmp_path / "rnn.md"
    doc.write_text(LISTED_STATES, encoding="utf-8")
    out = diff_in_document(doc, 7, r"\mathbf{h}_{t-1}")
    assert out.error is None and out.verified, out.error
    assert out.kind == "jacobian" and out.shape == "ℝ^{H×H}"
    rng = np.random.default_rng(6)
    w, u = rng.standard_normal((3, 3)), rng.standard_normal((3, 2))
    h, x = rng.standard_normal((3, 1)), rng.standard_normal((2, 1))
    member = symbol_key(parse_row(MappedText.identity(r"\mathbf{h}_{t-1}")).tree)
    assert member is not None
    values = {"W": w, "U": u, member[0]: h, "x_{t}": x}
    got = evaluate(parse_row(MappedText.identity(out.result)).tree, values)
    want = np.diag(1 - np.tanh(w @ h + u @ x).ravel() ** 2) @ w
    assert np.allclose(np.asarray(got, dtype=float), want)
