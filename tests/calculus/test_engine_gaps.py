r"""The engine gaps left on documents' own equations (issue 14, round 14): a loss named by a
definition asked for by its gradient, targets the prose calls numbers, functions of a sum
over samples, and the other constructs below — each checked numerically with a different
size for every dimension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus.api import diff_at, diff_in_document, diff_latex, plans_at
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row


def tree(latex: str):  # type: ignore[no-untyped-def]
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None
    return row.tree


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


PER_OBSERVATION = r"""# Ridge, per observation

With weights $\mathbf w \in \mathbb{R}^p$, rows $\mathbf x_i \in \mathbb{R}^p$ and $y_i \in \mathbb{R}$, the loss is
$E(\mathbf w) = \sum_{i=1}^n (y_i - \mathbf w^\top \mathbf x_i)^2$ and

$$\nabla_{\mathbf w} E = 2\sum_{i=1}^n (y_i - \mathbf w^\top\mathbf x_i)\,\mathbf x_i$$
"""


def test_the_gradient_of_a_loss_named_by_its_definition_is_of_the_sum(tmp_path: Path) -> None:
    doc = tmp_path / "ridge.md"
    doc.write_text(PER_OBSERVATION, encoding="utf-8")
    out = diff_in_document(doc, 6, "")  # ∇_w E: the E that line 4 defines as a sum
    assert out.error is None and out.verified, out.error
    assert out.result == r"\sum_{i=1}^n 2 (\mathbf w^\top \mathbf x_i - y_i) \mathbf x_i"
    rng = np.random.default_rng(1)
    x, y, w = rng.standard_normal((6, 4)), rng.standard_normal((6, 1)), rng.standard_normal((4, 1))
    values = {"family:x": x, "family:y": y, "w": w, "n": 6}
    got = evaluate(tree(out.result), values)
    assert np.allclose(got, 2 * x.T @ (x @ w - y))


TARGETS = r"""# Regression

We have inputs $\mathbf x_1, \dots, \mathbf x_N \in \mathbb{R}^d$ and targets $t_1, \dots, t_N$,
and weights $\mathbf w \in \mathbb{R}^d$. The loss is

$$E(\mathbf w) = -\sum_{n=1}^N t_n \log \sigma(\mathbf w^\top \mathbf x_n)$$
"""


def test_targets_the_prose_lists_are_numbers_and_the_signature_names_the_variable(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "targets.md"
    doc.write_text(TARGETS, encoding="utf-8")
    out = diff_in_document(doc, 6, "")  # no --wrt: E(w)'s one parameter
    assert out.error is None and out.verified, out.error
    assert out.result == r"-\sum_{n=1}^N t_n (1 - \sigma(\mathbf w^\top \mathbf x_n)) \mathbf x_n"
    rng = np.random.default_rng(2)
    x, t, w = rng.standard_normal((5, 3)), rng.standard_normal((5, 1)), rng.standard_normal((3, 1))
    got = evaluate(tree(out.result), {"family:x": x, "family:t": t, "w": w, "N": 5})
    assert np.allclose(got, -x.T @ (t * (1 - sigmoid(x @ w))))


def test_target_vectors_in_bold_are_not_read_as_numbers(tmp_path: Path) -> None:
    doc = tmp_path / "bold.md"
    doc.write_text(TARGETS.replace("t_1, \\dots, t_N", "\\mathbf t_1, \\dots, \\mathbf t_N"))
    out = diff_in_document(doc, 6, "")
    assert out.error is not None and "the shape of `t_n` is unknown" in out.error


W_X = r"\mathbf w \in \mathbb{R}^d; \mathbf x_i \in \mathbb{R}^d"


def _family(result: str, x: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    return evaluate(tree(result), {"family:x": x, "family:y": y, "w": w, "N": len(x)})


@pytest.mark.parametrize(
    ("loss", "printed", "gradient"),
    [
        (
            r"\sqrt{\sum_i (\mathbf w^\top \mathbf x_i - y_i)^2}",
            r"\frac{\sum_i (\mathbf w^\top \mathbf x_i - y_i) \mathbf x_i}"
            r"{\sqrt{\sum_i (\mathbf w^\top \mathbf x_i - y_i)^2}}",
            lambda x, w, y: x.T @ (x @ w - y) / np.linalg.norm(x @ w - y),
        ),
        (
            r"\exp(\sum_i \mathbf w^\top \mathbf x_i)",
            r"\exp(\sum_i \mathbf w^\top \mathbf x_i) \sum_i \mathbf x_i",  # as written
            lambda x, w, y: np.exp(np.sum(x @ w)) * x.sum(0, keepdims=True).T,
        ),
        (
            r"\frac12 \left(\sum_{i=1}^N \mathbf w^\top \mathbf x_i\right)^2 + \|\mathbf w\|^2",
            r"\left(\sum_{i=1}^N \mathbf w^\top \mathbf x_i\right) \sum_{i=1}^N \mathbf x_i"
            r" + 2 \mathbf w",
            lambda x, w, y: np.sum(x @ w) * x.sum(0, keepdims=True).T + 2 * w,
        ),
        (
            r"\frac{1}{\sum_i \exp(\mathbf w^\top \mathbf x_i)}",
            r"-\frac{\sum_i \exp(\mathbf w^\top \mathbf x_i) \mathbf x_i}"
            r"{\left(\sum_i \exp(\mathbf w^\top \mathbf x_i)\right)^{2}}",
            lambda x, w, y: -x.T @ np.exp(x @ w) / np.sum(np.exp(x @ w)) ** 2,
        ),
    ],
)
def test_a_function_of_a_sum_over_samples_is_differentiated_by_the_chain_rule(
    loss: str, printed: str, gradient: Callable[..., np.ndarray]
) -> None:
    out = diff_latex(loss, r"\mathbf w", W_X)
    assert out.error is None and out.verified, out.error
    assert out.result == printed
    assert "every member of the family sampled" in out.note
    rng = np.random.default_rng(3)
    x, w, y = rng.standard_normal((6, 4)), rng.standard_normal((4, 1)), rng.standard_normal((6, 1))
    assert np.allclose(_family(out.result, x, w, y), gradient(x, w, y))


def test_a_function_of_a_sum_that_involves_the_variable_outside_it() -> None:
    """(Once refused: now ∂g/∂w + g_S Σ∇s_i, vector_sums.py; checked here numerically.)"""
    out = diff_latex(
        r"\frac{\sum_i \mathbf w^\top \mathbf x_i}{\mathbf w^\top \mathbf w}", r"\mathbf w", W_X
    )
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(4)
    x, w, y = rng.standard_normal((6, 4)), rng.standard_normal((4, 1)), rng.standard_normal((6, 1))
    s, q = float(np.sum(x @ w)), float((w.T @ w)[0, 0])
    want = x.sum(axis=0).reshape(4, 1) / q - 2 * s * w / q**2
    assert np.allclose(_family(out.result, x, w, y), want)


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        (r"\max(0, W\mathbf x)", r"2 \max(0, W \mathbf x) \mathbf x^\top"),
        (r"\max\{0, W\mathbf x\}", r"2 \max\{0, W \mathbf x\} \mathbf x^\top"),
        (r"\max(W\mathbf x, 0)", r"2 \max(W \mathbf x, 0) \mathbf x^\top"),
        (r"\operatorname{relu}(W\mathbf x)", r"2 \operatorname{relu}(W \mathbf x) \mathbf x^\top"),
    ],
)
def test_relu_is_printed_the_way_the_row_writes_it(written: str, printed: str) -> None:
    out = diff_latex(
        rf"\|{written}\|^2", "W", r"W \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n"
    )
    assert out.error is None and out.verified, out.error
    assert out.result == printed
    rng = np.random.default_rng(4)
    w, x = rng.standard_normal((5, 3)), rng.standard_normal((3, 1))
    got = evaluate(tree(out.result), {"W": w, "x": x})
    assert np.allclose(got, 2 * np.maximum(0, w @ x) @ x.T)


FORWARD = r"""# A layer

Let $W \in \mathbb{R}^{m \times n}$, $\mathbf x \in \mathbb{R}^n$, $\mathbf b \in \mathbb{R}^m$ and $\mathbf y \in \mathbb{R}^m$.

$$\mathbf z = W\mathbf x + \mathbf b, \quad \mathbf a = \tanh \mathbf z, \quad L = \frac12\|\mathbf a - \mathbf y\|^2$$
"""


def test_a_list_of_definitions_offers_what_the_statement_there_depends_on() -> None:
    line = FORWARD.split("\n")[4]
    start = FORWARD.index(line)
    offers = {}
    for head in (r"\mathbf z =", r"\mathbf a =", "L ="):
        offset = start + line.index(head)
        offers[head] = [(p.wrt, p.kind) for p in plans_at("forward.md", FORWARD, offset)]
    # z = Wx + b: not y (its derivative by y is 0), the parameters before the input
    assert offers[r"\mathbf z ="] == [
        ("W", "jacobian"), (r"\mathbf b", "jacobian"), (r"\mathbf x", "jacobian")
    ]  # fmt: skip
    # a = tanh z: the same, and the name it is written with (∂a/∂z, backprop's local step)
    assert offers[r"\mathbf a ="] == [
        ("W", "jacobian"), (r"\mathbf b", "jacobian"), (r"\mathbf z", "jacobian"),
        (r"\mathbf x", "jacobian"),
    ]  # fmt: skip
    assert offers["L ="] == [
        ("W", "gradient"), (r"\mathbf b", "gradient"), (r"\mathbf a", "gradient"),
        (r"\mathbf x", "gradient"), (r"\mathbf y", "gradient"),
    ]  # fmt: skip
    by_a = diff_at("forward.md", FORWARD, start + line.index("L ="), r"\mathbf a")
    assert by_a.verified and by_a.result == r"\mathbf a - \mathbf y", by_a
    # what the first offer gives, at the same place: ∇_W L through the intermediates
    out = diff_at("forward.md", FORWARD, start + line.index("L ="), "W")
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(5)
    w, x, b, y = (rng.standard_normal(s) for s in ((4, 3), (3, 1), (4, 1), (4, 1)))
    a = np.tanh(w @ x + b)
    want = ((a - y) * (1 - a**2)) @ x.T
    values = {"W": w, "x": x, "b": b, "y": y, "a": a, "z": w @ x + b}
    for name, value in out.where:
        values[name.strip("\\").replace("mathbf ", "")] = evaluate(tree(value), values)
    assert np.allclose(evaluate(tree(out.result), values), want), out.result


def test_vec_of_a_transpose_gives_the_commutation_matrix_named_and_defined() -> None:
    out = diff_latex(
        r"\operatorname{vec}(A X^\top B)",
        "X",
        r"X \in \mathbb{R}^{m \times n}; A \in \mathbb{R}^{p \times n}; B \in \mathbb{R}^{m \times q}",
    )
    assert out.error is None and out.verified, out.error
    assert out.result == r"(B^\top \otimes A) K_{mn}"
    assert "K_{mn} is the commutation matrix" in out.note
    assert "not read back" not in out.note  # K_{mn} printed is read back as K
    m, n, p, q = 2, 3, 4, 5
    rng = np.random.default_rng(6)
    a, b, x = rng.standard_normal((p, n)), rng.standard_normal((m, q)), rng.standard_normal((m, n))
    k = np.zeros((m * n, m * n))
    for i in range(m):
        for j in range(n):
            k[j + i * n, i + j * m] = 1.0
    assert np.allclose(k @ x.reshape(-1, order="F"), x.T.reshape(-1, order="F"))
    jac = np.kron(b.T, a) @ k
    h, cols = 1e-6, []
    for c in range(m * n):
        step = np.zeros(m * n)
        step[c] = h
        d = step.reshape((m, n), order="F")
        hi, lo = a @ (x + d).T @ b, a @ (x - d).T @ b
        cols.append((hi - lo).reshape(-1, order="F") / (2 * h))
    assert np.allclose(jac, np.array(cols).T, atol=1e-6)


def test_the_cayley_transform_is_put_over_its_inverse() -> None:
    out = diff_latex(r"(I - A)(I + A)^{-1}", "A", r"A \in \mathbb{R}^{n \times n}")
    assert out.error is None and out.verified, out.error
    assert out.result == r"-2 (I + A)^{-1} \mathrm{d}A (I + A)^{-1}"
    rng = np.random.default_rng(7)
    a, d = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    values = {"A": a, "d:A": d, "I": np.eye(4)}
    got = evaluate(tree(out.result), values)
    f = lambda x: (np.eye(4) - x) @ np.linalg.inv(np.eye(4) + x)  # noqa: E731
    want = (f(a + 1e-6 * d) - f(a - 1e-6 * d)) / 2e-6
    assert np.allclose(got, want, atol=1e-6)


def test_the_hessian_of_a_sigmoid_is_factored() -> None:
    out = diff_latex(
        r"\sigma(\mathbf a^\top\mathbf x)", r"\mathbf x", r"\mathbf a, \mathbf x \in \mathbb{R}^n",
        hessian=True,
    )  # fmt: skip
    assert out.error is None and out.verified, out.error
    assert out.result == r"t_0 (1 - t_0) (1 - 2 t_0) \mathbf a \mathbf a^\top"
    assert out.where == [r"t_0 = \sigma(\mathbf a^\top \mathbf x)"]
    rng = np.random.default_rng(8)
    a, x = rng.standard_normal((5, 1)), rng.standard_normal((5, 1))
    s = sigmoid(a.T @ x)
    got = evaluate(tree(out.result), {"a": a, "t_{0}": s})
    assert np.allclose(got, s * (1 - s) * (1 - 2 * s) * (a @ a.T))


def test_a_polynomial_in_one_quantity_factors_only_where_it_does() -> None:
    from texgrad.calculus import expr as e
    from texgrad.calculus.polynomials import factored

    t = e.elem("sigma", e.var("u", e.Shape(e.ONE, e.ONE)))
    one = e.num(1)
    cubic = e.add(t, e.mul(e.num(-3), e.power(t, 2)), e.mul(e.num(2), e.power(t, 3)))
    got = factored(cubic)
    assert got is not None
    for value in (0.2, 0.7):
        x = {"u": np.array([[np.log(value / (1 - value))]])}
        from texgrad.calculus.evaluate_expr import evaluate as ev

        assert np.allclose(ev(got, x, {}), value - 3 * value**2 + 2 * value**3)
    assert factored(e.add(one, t)) is None  # degree 1: nothing to factor
    assert factored(e.add(one, e.power(t, 2))) is None  # 1 + t² is irreducible


def test_the_steps_show_the_chain_rule_through_the_sum() -> None:
    out = diff_latex(r"\sqrt{\sum_i (\mathbf w^\top \mathbf x_i - y_i)^2}", r"\mathbf w", W_X)
    assert out.error is None and out.verified, out.error
    assert (
        r"\frac{\mathrm{d}}{\mathrm{d}S} \sqrt{S} = \frac{1}{2 \sqrt{S}} \quad \text{where } "
        r"S = \sum_i (\mathbf w^\top \mathbf x_i - y_i)^2"
    ) in out.steps


ROWS = r"""# Items

Let $V \in \mathbb{R}^{n \times k}$ hold the item factors; the $\mathbf{v}_j^\top$ are the rows of $V$.
A user is $\mathbf{u} \in \mathbb{R}^k$ and picked item $t$:

$$s = -\mathbf{v}_t^\top \mathbf{u} + \log \mathbf{1}^\top \exp(V \mathbf{u})$$
"""


def test_a_member_is_read_as_a_row_of_the_matrix_that_stacks_it(tmp_path: Path) -> None:
    doc = tmp_path / "items.md"
    doc.write_text(ROWS, encoding="utf-8")
    out = diff_in_document(doc, 6, "V")
    assert out.error is None and out.verified, out.error
    assert out.result == r"(\operatorname{softmax}(V \mathbf{u}) - \mathbf{e}_{t}) \mathbf{u}^\top"
    assert r"\mathbf{e}_{t} is the unit vector of row t" in out.note
    # with e_t the unit vector of row 2: ∂s/∂V by central differences (n = 5, k = 3)
    rng = np.random.default_rng(9)
    v, u, t = rng.standard_normal((5, 3)), rng.standard_normal((3, 1)), 2
    unit = np.eye(5)[:, [t]]
    got = evaluate(tree(out.result), {"V": v, "u": u, "e_{t}": unit})

    def s(m: np.ndarray) -> float:
        return float((-(m.T @ unit).T @ u)[0, 0] + np.log(np.sum(np.exp(m @ u))))

    want = np.zeros_like(v)
    for i in range(5):
        for j in range(3):
            d = np.zeros_like(v)
            d[i, j] = 1e-6
            want[i, j] = (s(v + d) - s(v - d)) / 2e-6
    assert np.allclose(got, want, atol=1e-6)
