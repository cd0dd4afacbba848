r"""A sum of Hadamard products with one operand in common prints it once: the attention
backward pass ``(P \odot (GV^\top - \operatorname{diag}(GV^\top P^\top)\mathbf{1}^\top))K``, and a
scalar leaves a diagonal (``\operatorname{diag}(-A) = -\operatorname{diag}(A)``). Checked against
central differences with numpy, sizes distinct per dimension."""

from __future__ import annotations

import numpy as np

from tests.calculus.helpers import central_gradient as _gradient
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = (
    r"G \in \mathbb{R}^{n \times m}; Q \in \mathbb{R}^{n \times d}; "
    r"K \in \mathbb{R}^{p \times d}; V \in \mathbb{R}^{p \times m}"
)


def _rows_softmax(s: np.ndarray) -> np.ndarray:
    z = np.exp(s - s.max(axis=1, keepdims=True))
    return np.asarray(z / z.sum(axis=1, keepdims=True))


def test_the_attention_gradient_by_q_shares_the_softmax_once() -> None:
    out = diff_latex(
        r"\operatorname{tr}(G^\top \operatorname{softmax}(QK^\top) V)", "Q", where=WHERE, budget=60
    )
    assert out.error is None and out.verified, (out.error, out.note)
    assert out.result.count("T_0") == 2 and r"\operatorname{diag}(-" not in out.result
    head = out.result.split(r"\text{where}")[0].strip()
    assert head.startswith(r"(T_0 \odot (G V^\top - ")
    rng = np.random.default_rng(9)
    g, q = rng.standard_normal((2, 5)), rng.standard_normal((2, 3))
    k, v = rng.standard_normal((4, 3)), rng.standard_normal((4, 5))
    row = parse_row(MappedText.identity(head))
    assert row.tree is not None
    p = _rows_softmax(q @ k.T)
    values = {"G": g, "K": k, "V": v, "T_{0}": p}
    got = np.asarray(evaluate(row.tree, values))
    want = _gradient(lambda x: float(np.trace(g.T @ _rows_softmax(x @ k.T) @ v)), q)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_a_common_hadamard_operand_is_factored_only_where_shared() -> None:
    where = r"P \in \mathbb{R}^{n \times m}; A \in \mathbb{R}^{n \times m}; B \in \mathbb{R}^{n \times m}"
    out = diff_latex(r"\|P \odot A - P \odot B\|_F^2", "A", where=where, budget=60)
    assert out.error is None and out.verified, (out.error, out.note)
    rng = np.random.default_rng(10)
    p, a, b = (rng.standard_normal((3, 4)) for _ in range(3))
    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    got = np.asarray(evaluate(row.tree, {"P": p, "A": a, "B": b}))
    want = _gradient(lambda x: float(np.sum((p * x - p * b) ** 2)), a)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_a_factored_difference_over_its_sum_of_exponentials_is_still_tanh() -> None:
    where = r"X \in \mathbb{R}^{n \times d}; \mathbf{w} \in \mathbb{R}^{d}; \mathbf{y} \in \mathbb{R}^{n}"
    f = r"\mathbf{1}^\top\log(\exp(X\mathbf{w} - \mathbf{y}) + \exp(\mathbf{y} - X\mathbf{w}))"
    out = diff_latex(f, r"\mathbf{w}", where=where, budget=60)
    assert out.error is None and out.verified, (out.error, out.note)
    assert r"\tanh" in out.result and r"\oslash" not in out.result, out.result
    rng = np.random.default_rng(12)
    x, w, y = rng.standard_normal((5, 3)), rng.standard_normal((3, 1)), rng.standard_normal((5, 1))
    row = parse_row(MappedText.identity(out.result))
    assert row.tree is not None
    got = np.asarray(evaluate(row.tree, {"X": x, "w": w, "y": y}))
    want = _gradient(lambda v: float(np.sum(np.log(np.exp(x @ v - y) + np.exp(y - x @ v)))), w)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)
