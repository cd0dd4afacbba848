r"""``\partial_{ij} f`` with the variable said (``--wrt A``) is the derivative by the entry
``A_{ij}`` (``\partial_k f`` by ``x_k``); without it, the shorthand says indices, not which
matrix, and is refused in those words.  ``\partial_x``, ``\partial_t``: by the variable, as
before.  Each entry of the result is checked against central differences at every (i, j),
every dimension its own size."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # generous: the machine running the tests is loaded
WHERE = r"A \in \mathbb{R}^{n\times m}; B \in \mathbb{R}^{m\times n}"


def _at(latex: str, values: dict[str, np.ndarray], at: dict[str, int]) -> float:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return float(np.asarray(evaluate(parsed.tree, values, at=at)).reshape(-1)[0])


def test_partial_ij_by_the_matrix_said_is_by_its_entry() -> None:
    out = diff_latex(r"\partial_{ij} \operatorname{tr}(AB)", "A", WHERE, budget=BUDGET)
    assert out.verified, out.error
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
    for i, j in np.ndindex(a.shape):
        h = np.zeros_like(a)
        h[i, j] = 1e-6
        want = (np.trace((a + h) @ b) - np.trace((a - h) @ b)) / 2e-6
        got = _at(out.result, {"A": a, "B": b}, {"i": i, "j": j})
        assert np.isclose(got, want, atol=1e-6), (out.result, i, j)


def test_partial_k_by_the_vector_said_is_by_its_entry() -> None:
    where = r"A \in \mathbb{R}^{n\times n}; x \in \mathbb{R}^n"
    out = diff_latex(r"\partial_k x^\top A x", "x", where, budget=BUDGET)
    assert out.verified, out.error
    rng = np.random.default_rng(9)
    a, x = rng.normal(size=(4, 4)), rng.normal(size=(4, 1))
    for k in range(4):
        h = np.zeros_like(x)
        h[k] = 1e-6
        f = lambda v: float((v.T @ a @ v)[0, 0])  # noqa: E731
        got = _at(out.result, {"A": a, "x": x}, {"k": k})
        assert np.isclose(got, (f(x + h) - f(x - h)) / 2e-6, atol=1e-6), (out.result, k)


def test_partial_ij_without_the_matrix_is_refused_in_words() -> None:
    out = diff_latex(r"\partial_{ij} \operatorname{tr}(AB)", "", WHERE, budget=BUDGET)
    assert not out.verified and out.result == ""
    assert "indices" in (out.error or "") and "A_{ij}" in (out.error or ""), out.error


def test_partial_by_a_variable_is_by_that_variable() -> None:
    out = diff_latex(r"\partial_x \|x\|^2", "x", r"x \in \mathbb{R}^n", budget=BUDGET)
    assert out.verified and out.kind == "gradient", out.error
    t_out = diff_latex(
        r"\partial_t (t^2 \|x\|^2)", "x", r"x \in \mathbb{R}^n; t \in \mathbb{R}", budget=BUDGET
    )
    assert not t_out.verified  # by t, not by x: not an entry x_t
