r"""Differentiating by one member of a family summed over (:mod:`texgrad.calculus.summed_member`):
weight decay ``\frac{\lambda}{2}\sum_l \|W^{(l)}\|_F^2`` by ``W^{(l)}``, ``\sum_k \|w_k\|^2`` by
``w_k``; a member that is also in a shifted term (``W^{(t-1)}``, the recursion through time) is
refused in words. Each result is checked against central differences of the whole sum over a
family of members, every member of a distinct size from every dimension."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # generous: the machine running the tests is loaded


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return evaluate(parsed.tree, values)


def _central(f, members: list[np.ndarray], which: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """d f / d members[which] by central differences."""
    h = 1e-6
    grad = np.zeros_like(members[which])
    for idx in np.ndindex(members[which].shape):
        up = [m.copy() for m in members]
        down = [m.copy() for m in members]
        up[which][idx] += h
        down[which][idx] -= h
        grad[idx] = (f(up) - f(down)) / (2 * h)
    return grad


def test_weight_decay_by_one_layers_weights() -> None:
    out = diff_latex(
        r"\frac{\lambda}{2}\sum_{l=1}^L \|W^{(l)}\|_F^2",
        "W^{(l)}",
        r"W^{(l)} \in \mathbb{R}^{m \times n}; \lambda \in \mathbb{R}",
        budget=BUDGET,
    )
    assert (out.result, out.verified) == (r"\lambda W^{(l)}", True), out.error
    assert "only the term `l` of `\\sum_{l=1}^L \\|W^{(l)}\\|_F^2` involves `W^{(l)}`" in out.note
    rng = np.random.default_rng(1)
    lam = 0.7
    members = [rng.normal(size=(4, 3)) for _ in range(5)]  # L = 5 layers of 4×3
    total = lambda ws: lam / 2 * sum(float(np.sum(w * w)) for w in ws)  # noqa: E731
    for layer in range(5):
        values = {"\\lambda": np.array([[lam]]), "W^{(l)}": members[layer]}
        shown = _value(out.result, values)
        assert np.allclose(shown, _central(total, members, layer), atol=1e-6)


def test_a_sum_of_squared_norms_by_one_member_of_another_index() -> None:
    for sum_index in ("k", "j"):
        out = diff_latex(
            rf"\sum_{{{sum_index}=1}}^K \|\mathbf{{w}}_{sum_index}\|^2 + \mathbf{{a}}^\top\mathbf{{w}}_k",
            r"\mathbf{w}_k",
            r"\mathbf{w}_k, \mathbf{w}_j, \mathbf{a} \in \mathbb{R}^d",
            budget=BUDGET,
        )
        assert out.verified, out.error
        rng = np.random.default_rng(2)
        a = rng.normal(size=(5, 1))
        members = [rng.normal(size=(5, 1)) for _ in range(3)]  # K = 3 vectors of 5
        for k in range(3):

            def total(ws: list[np.ndarray], k: int = k, a: np.ndarray = a) -> float:
                return sum(float(np.sum(w * w)) for w in ws) + float(np.sum(a * ws[k]))

            shown = _value(out.result, {"w_{k}": members[k], "a": a})
            assert np.allclose(shown, _central(total, members, k), atol=1e-6), out.result


def test_a_member_also_in_a_shifted_term_is_refused_in_words() -> None:
    out = diff_latex(
        r"\sum_{t=1}^T \|W^{(t)} - W^{(t-1)}\|_F^2",
        "W^{(t)}",
        r"W^{(t)} \in \mathbb{R}^{m \times n}",
        budget=BUDGET,
    )
    assert out.result == "" and not out.verified
    assert out.error == (
        r"`W^{(t)}` is in more than one term of `\sum_{t=1}^T \|W^{(t)} - W^{(t-1)}\|_F^2` "
        r"(the summand also holds `W^{(t-1)}`): the derivative would add the terms where it "
        "appears shifted (through time, for a recurrence), which is not done yet"
    )


def test_steps_say_which_term_is_kept() -> None:
    out = diff_latex(
        r"\frac{\lambda}{2}\sum_l \|W^{(l)}\|_F^2",
        "W^{(l)}",
        r"W^{(l)} \in \mathbb{R}^{m \times n}; \lambda \in \mathbb{R}",
        budget=BUDGET,
    )
    assert out.steps[0] == (
        r"f = \frac{\lambda}{2} \|W^{(l)}\|_F^2 + \dots \quad "
        r"\text{(only the term $l$ of $\sum_l \|W^{(l)}\|_F^2$ involves $W^{(l)}$)}"
    )
    assert out.steps[-1].startswith(r"\nabla_{W^{(l)}} f = \lambda W^{(l)}")
