r"""Sums over samples as NumPy code (:mod:`texgrad.calculus.sample_code`): a loop over the
samples, run against the problem tables' textbook answers with every member sampled and
a different size for every dimension; the matrix form's vectorised code beside it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.calculus.heldout_problems import HELDOUT
from tests.calculus.problem_numerics import answer_value, rng_for, sample_with_sizes
from tests.calculus.problems import PROBLEMS
from texgrad.calculus.api import DiffOutcome, diff_in_document, diff_latex
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.sample_code import SumCode, check_sum_code, run_sum_code
from texgrad.cli import main

SUMS = {p.id: p for p in (*PROBLEMS, *HELDOUT) if p.families}


# sums whose loop is also vectorised (each family a matrix of its members by row; not a shifted
# member, nor a family of matrices or of numbers); any other that is, is run too
VECTORISED = {
    "sums-least-squares", "sums-logistic", "sums-centre", "sums-defined-loss", "sums-ridge",
    "np-sums-weighted", "np-sums-poisson-like", "np-sums-mean-ridge", "np-sums-mahalanobis",
}  # fmt: skip


@cache
def outcome(problem_id: str) -> DiffOutcome:
    p = SUMS[problem_id]
    return diff_latex(p.expr, p.wrt, where=p.where)


def _run(source: str, name: str, **args: Any) -> Any:
    space: dict[str, Any] = {}
    exec(source, space)  # the code texgrad generated (and checked)
    return space[name](**args)


def _arguments(code: SumCode, values: dict[str, np.ndarray], sizes: dict[str, int]) -> dict:
    """The problem's point as a user passes it: vectors 1-D, each family stacked."""
    args: dict[str, Any] = {}
    for name, key, _ in code.arrays:
        a = values[key]
        args[name] = float(a[0, 0]) if a.shape == (1, 1) else a[:, 0] if a.shape[1] == 1 else a
    for fam in code.families:
        stacked = values[f"family:{fam.base}"]  # (count, rows, cols), labels from 1
        assert fam.first == 1
        if fam.shape.is_scalar:
            args[fam.name] = stacked[:, 0, 0]
        elif stacked.shape[2] == 1:
            args[fam.name] = stacked[:, :, 0]
        else:
            args[fam.name] = stacked
    for name, dim in code.sizes:
        args[name] = sizes[dim]
    return args


def _code(out: DiffOutcome, monkeypatch: pytest.MonkeyPatch) -> SumCode:
    """The SumCode behind ``out.numpy`` (its parameters), rebuilt by the same call."""
    import texgrad.calculus.samples as samples

    made: list[SumCode] = []
    real = samples.sum_code

    def keep(*a: Any, **k: Any) -> SumCode:
        made.append(real(*a, **k))
        return made[-1]

    monkeypatch.setattr(samples, "sum_code", keep)
    return made  # type: ignore[return-value]


@pytest.mark.parametrize("problem_id", sorted(SUMS))
def test_the_code_of_every_sum_returns_the_textbook_answer(
    problem_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = SUMS[problem_id]
    made = _code(DiffOutcome(), monkeypatch)
    out = diff_latex(problem.expr, problem.wrt, where=problem.where)
    assert out.error is None and out.verified, out.error
    assert out.numpy, out.numpy_note
    code: SumCode = made[-1]  # type: ignore[index]
    assert out.numpy.startswith(code.source.split("\n\n\n")[0])
    vectorised = f"def {code.function}_vectorised(" in out.numpy
    assert vectorised or problem_id not in VECTORISED
    matched = 0
    for k in range(8):
        rng = rng_for(problem, 700 + k)
        try:
            values, sizes = sample_with_sizes(problem, rng)
            want = answer_value(problem, values)
        except (ValueError, EvaluationError):
            continue
        args = _arguments(code, values, sizes)
        names = [code.function] + [f"{code.function}_vectorised"] * vectorised
        for name in names:
            got = np.asarray(_run(out.numpy, name, **args), dtype=float).reshape(want.shape)
            tol = 1e-8 * max(1, np.abs(want).max())
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=tol)
        matched += 1
        if matched == 2:
            break
    assert matched == 2, f"{problem_id}: no point in the domain"


def test_a_loop_over_the_samples_reads_a_list_or_a_2d_array() -> None:
    out = diff_latex(
        r"\frac{1}{N}\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i - y_i)^2 + \frac{\lambda}{2}\|\mathbf{w}\|^2",
        r"\mathbf{w}",
        r"y \in \mathbb{R}^N; \mathbf{x}_i \in \mathbb{R}^d; \mathbf{w} \in \mathbb{R}^d; "
        r"\lambda \in \mathbb{R}",
    )
    assert out.verified and "for i in range(1, N + 1):" in out.numpy
    assert "x: the samples \\mathbf{x}_i, as a 2-D array, one member per row" in out.numpy
    rng = np.random.default_rng(5)
    x, y, w = rng.standard_normal((7, 3)), rng.standard_normal(7), rng.standard_normal(3)
    want = 2 / 7 * x.T @ (x @ w - y) + 0.4 * w
    got = _run(out.numpy, "grad_w", w=w, x=x, y=y, lambda_=0.4)
    assert got.shape == (3,)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    as_list = _run(out.numpy, "grad_w", w=w, x=list(x), y=list(y), lambda_=0.4)
    np.testing.assert_allclose(as_list, want, rtol=1e-12)


def test_a_shifted_member_reads_the_rows_from_the_first_label() -> None:
    out = diff_latex(
        r"\sum_{t=2}^T \|h_t - W h_{t-1}\|^2", "W",
        r"W \in \mathbb{R}^{n \times n}; h_t \in \mathbb{R}^n",
    )  # fmt: skip
    assert out.verified and "position k holds h_t for t = k + 1" in out.numpy
    rng = np.random.default_rng(6)
    h, w = rng.standard_normal((5, 4)), rng.standard_normal((4, 4))  # h_1 … h_5
    want = sum(2 * np.outer(w @ h[t - 1] - h[t], h[t - 1]) for t in range(1, 5))
    np.testing.assert_allclose(_run(out.numpy, "grad_W", W=w, h=h), want, rtol=1e-12)
    # and vectorised: h_t and h_{t-1} as slices of the same rows
    assert "def grad_W_vectorised(W, h):" in out.numpy and "for t in" in out.numpy
    np.testing.assert_allclose(_run(out.numpy, "grad_W_vectorised", W=w, h=h), want, rtol=1e-12)


@pytest.mark.parametrize(
    ("expr", "first"),
    [
        (r"\sum_{t=1}^T \|\mathbf{z}_t - A\mathbf{z}_{t-1}\|^2 + \lambda\|A\|_F^2", 0),
        (r"\sum_{t=1}^{T} \|\mathbf{z}_{t+1} - A\mathbf{z}_t\|^2", 1),
    ],
)
def test_a_shifted_family_vectorised_agrees_with_the_loop(expr: str, first: int) -> None:
    out = diff_latex(
        expr,
        "A",
        r"A \in \mathbb{R}^{q \times q}; \mathbf{z}_t \in \mathbb{R}^q; \lambda \in \mathbb{R}",
    )
    assert out.verified, out.error
    assert "def grad_A_vectorised(" in out.numpy, out.numpy
    rng = np.random.default_rng(8)
    z, a = rng.standard_normal((6, 3)), rng.standard_normal((3, 3))  # members from label `first`
    args = {"A": a, "z": z} | ({"lambda_": 0.3} if "lambda" in expr else {})
    loop = _run(out.numpy, "grad_A", **args)
    # the loss's own gradient, by hand: Σ 2(A z_prev - z_next) z_prevᵀ (+ 2λA)
    want = sum(2 * np.outer(a @ z[k] - z[k + 1], z[k]) for k in range(5))
    want = want + (2 * 0.3 * a if "lambda" in expr else 0)
    np.testing.assert_allclose(loop, want, rtol=1e-12)
    np.testing.assert_allclose(_run(out.numpy, "grad_A_vectorised", **args), want, rtol=1e-12)


def test_code_that_disagrees_with_the_verified_value_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = _code(DiffOutcome(), monkeypatch)
    out = diff_latex(
        r"\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i - y_i)^2", r"\mathbf{w}",
        r"\mathbf{w} \in \mathbb{R}^d; \mathbf{x}_i \in \mathbb{R}^d; \mathbf{y} \in \mathbb{R}^N",
    )  # fmt: skip
    assert made == []  # written when first asked for
    assert out.numpy
    code: SumCode = made[-1]  # type: ignore[index]
    rng = np.random.default_rng(1)
    x, y, w = (
        rng.standard_normal((6, 3, 1)),
        rng.standard_normal((6, 1)),
        rng.standard_normal((3, 1)),
    )
    values = {"w": w, "y": y}
    sequences = {"x": {k + 1: x[k] for k in range(6)}}
    right = 2 * x[:, :, 0].T @ (x[:, :, 0] @ w - y)
    got = run_sum_code(code, values, sequences, {})
    np.testing.assert_allclose(got, right[:, 0], rtol=1e-12)
    assert check_sum_code(code, [(values, sequences, {}, right)] * 2) is None
    wrong = check_sum_code(code, [(values, sequences, {}, right.T @ np.eye(3)[:, ::-1])])
    assert wrong == "the NumPy code disagreed with the verified derivative at a test point"
    assert out.numpy.startswith(code.source.split("\n\n\n")[0])


LEAST_SQUARES = r"""\section{Model}
Let $X \in \mathbb{R}^{N \times d}$ stacks the $x_i^\top$ as rows, $y \in \mathbb{R}^N$
the targets and $w \in \mathbb{R}^d$ the weights. We minimise
\[ L(w) = \sum_{i=1}^N (w^\top x_i - y_i)^2 \]
"""


def test_the_matrix_form_has_vectorised_code_in_json_and_numpy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "ls.tex"
    doc.write_text(LEAST_SQUARES, encoding="utf-8")
    out = diff_in_document(doc, 4, "w")
    assert out.verified and out.matrix_form == r"2 X^\top (X w - y)"
    assert "def grad_w_matrix_form(w, X, y):" in out.matrix_numpy
    assert out.to_json()["matrix_form_numpy"] == out.matrix_numpy
    rng = np.random.default_rng(2)
    x, y, w = rng.standard_normal((5, 3)), rng.standard_normal(5), rng.standard_normal(3)
    want = 2 * x.T @ (x @ w - y)
    np.testing.assert_allclose(_run(out.matrix_numpy, "grad_w_matrix_form", w=w, X=x, y=y), want)
    np.testing.assert_allclose(_run(out.numpy, "grad_w", w=w, x=x, y=y), want)
    # the command line prints both functions, one import
    capsys.readouterr()
    code = main(["diff", "--file", str(doc), "--line", "4", "--wrt", "w", "--format", "numpy"])
    assert code == 0
    text = capsys.readouterr().out
    assert text.count("import numpy as np") == 1
    space: dict[str, Any] = {}
    exec(text, space)
    np.testing.assert_allclose(space["grad_w_matrix_form"](w, x, y), space["grad_w"](w, y, x))


def test_the_command_line_prints_a_sums_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["diff", r"\sum_{i} \|x_i - \mu\|^2", "--wrt", r"\mu",
         "--where", r"x \in \mathbb{R}^d; \mu \in \mathbb{R}^d", "--format", "numpy"],
    )  # fmt: skip
    assert code == 0
    space: dict[str, Any] = {}
    exec(capsys.readouterr().out, space)
    x, mu = np.arange(12.0).reshape(4, 3), np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(space["grad_mu"](mu=mu, x=x), 2 * (4 * mu - x.sum(axis=0)))
