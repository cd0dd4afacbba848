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
from texgrad.syntax.symbols import symbol_key

BUDGET = 60.0  # generous: the machine running the tests is loaded


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return evaluate(parsed.tree, values)


def _key(latex: str) -> str:
    parsed = parse_row(MappedText.identity(latex)).tree
    key = symbol_key(parsed) if parsed is not None else None
    assert key is not None
    return key[0]


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


def test_a_member_also_in_a_shifted_term_adds_both_terms() -> None:
    """(tests/calculus/test_shifted_members.py checks each member numerically.)"""
    out = diff_latex(
        r"\sum_{t=1}^T \|W^{(t)} - W^{(t-1)}\|_F^2",
        "W^{(t)}",
        r"W^{(t)} \in \mathbb{R}^{m \times n}",
        budget=BUDGET,
    )
    assert out.error is None and out.verified, out.error
    assert out.result == "2 (2 W^{(t)} - W^{(t-1)} - W^{(t+1)})"
    assert "for $1 \\le t \\le T - 1$" in out.note
    assert "at $t = 0$: $2 (W^{(0)} - W^{(1)})$" in out.note
    assert "at $t = T$: $2 (W^{(T)} - W^{(T-1)})$" in out.note


def test_a_member_in_a_shifted_term_of_an_unbounded_sum_is_refused_in_words() -> None:
    out = diff_latex(
        r"\sum_{t} \|W^{(t)} - W^{(t-1)}\|_F^2",
        "W^{(t)}",
        r"W^{(t)} \in \mathbb{R}^{m \times n}",
        budget=BUDGET,
    )
    assert out.result == "" and not out.verified
    assert out.error == (
        r"`W^{(t)}` is in more than one term of `\sum_{t} \|W^{(t)} - W^{(t-1)}\|_F^2` "
        r"(the summand also holds `W^{(t-1)}`): the terms where it appears are added where "
        r"the sum's range is written from a number to a bound (`\sum_{t=2}^T`) and its index "
        "labels the members only"
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


def test_matrix_completion_by_one_user_and_one_item() -> None:
    where = r"\mathbf{u}_i, \mathbf{v}_j \in \mathbb{R}^k; X \in \mathbb{R}^{m \times n}"
    loss = r"\sum_{(i,j) \in \Omega} (x_{ij} - \mathbf{u}_i^\top\mathbf{v}_j)^2"
    by_u = diff_latex(loss, r"\mathbf{u}_i", where, budget=BUDGET)
    by_v = diff_latex(loss, r"\mathbf{v}_j", where, budget=BUDGET)
    assert by_u.verified and by_v.verified, (by_u.error, by_v.error)
    assert by_u.result.startswith(r"\sum_{j : (i,j) \in \Omega} ")
    assert by_v.result.startswith(r"\sum_{i : (i,j) \in \Omega} ")
    # a sampled Ω of a 5×6 matrix, rank k = 3: the whole loss by central differences
    rng = np.random.default_rng(6)
    m, n, k = 5, 6, 3
    x = rng.normal(size=(m, n))
    omega = [(i, j) for i in range(m) for j in range(n) if rng.random() < 0.5]
    us, vs = (
        [rng.normal(size=(k, 1)) for _ in range(m)],
        [rng.normal(size=(k, 1)) for _ in range(n)],
    )

    def loss_of(u_all: list[np.ndarray], v_all: list[np.ndarray]) -> float:
        return sum((x[i, j] - float(np.sum(u_all[i] * v_all[j]))) ** 2 for i, j in omega)

    def shown(result: str, index: str, fixed: np.ndarray, family: str, members: list[int],
              others: list[np.ndarray], entries: list[float]) -> np.ndarray:  # fmt: skip
        """The result's sum over the pairs with the fixed index, term by term: each term is
        the result over a family of that one member (x_{ij} its pair's entry)."""
        one = result.replace(rf"\sum_{{{index} : (i,j) \in \Omega}}", rf"\sum_{{{index}}}")
        total = np.zeros_like(fixed)
        for member, entry in zip(members, entries, strict=True):
            values = {family: others[member].T, _key("x_{ij}"): np.array([[entry]])}
            values["u_{i}" if family == "family:v" else "v_{j}"] = fixed
            total = total + _value(one, values)
        return total

    for i in range(m):
        js = [j for a, j in omega if a == i]
        want = _central(lambda u_all: loss_of(u_all, vs), us, i)
        got = shown(by_u.result, "j", us[i], "family:v", js, vs, [x[i, j] for j in js])
        assert np.allclose(got, want, atol=1e-5), (i, by_u.result)
    for j in range(n):
        is_ = [a for a, b in omega if b == j]
        want = _central(lambda v_all: loss_of(us, v_all), vs, j)
        got = shown(by_v.result, "i", vs[j], "family:u", is_, us, [x[i, j] for i in is_])
        assert np.allclose(got, want, atol=1e-5), (j, by_v.result)


def test_a_sum_that_enters_otherwise_than_linearly_is_not_read_as_one_term() -> None:
    # the value of the sum matters there: log Σ_j exp(w_jᵀx) by w_k is softmax_k x, and
    # (Σ_k ‖w_k‖²)² by w_k is 4(Σ_k ‖w_k‖²) w_k — reading the sum as one term would give
    # neither, so none of these is given as verified from that reading
    cases = [
        (r"\log \sum_{(i,j) \in \Omega} \exp(\mathbf{u}_i^\top\mathbf{v}_j)", r"\mathbf{u}_i",
         r"\mathbf{u}_i, \mathbf{v}_j \in \mathbb{R}^k"),
        (r"(\mathbf{a}^\top\mathbf{w}_k)\sum_j \|\mathbf{w}_j\|^2", r"\mathbf{w}_k",
         r"\mathbf{w}_k, \mathbf{w}_j, \mathbf{a} \in \mathbb{R}^d"),
        (r"\Big(\sum_{k=1}^K \|\mathbf{w}_k\|^2\Big)^2", r"\mathbf{w}_k",
         r"\mathbf{w}_k \in \mathbb{R}^d"),
        (r"\log\sum_{j=1}^K \exp(\mathbf w_j^\top\mathbf x)", r"\mathbf w_k",
         r"\mathbf x, \mathbf w_k \in \mathbb{R}^d"),
    ]  # fmt: skip
    for expr, wrt, where in cases:
        out = diff_latex(expr, wrt, where, budget=BUDGET)
        assert out.error is not None and not out.verified and out.result == "", (expr, out.result)
        assert "only the term" not in out.note and "of the pairs" not in out.note


def test_a_matrix_written_another_way_is_not_a_member() -> None:
    r"""``W_0`` beside ``W^{(l)}`` (L2-SP: each layer pulled towards a reference) is a matrix
    of its own, declared so, not the member l = 0 of the family (it was refused as "in more
    than one term"). Checked against central differences of the whole sum."""
    out = diff_latex(
        r"\frac{\lambda}{2}\sum_{l=1}^L \|W^{(l)} - W_0\|_F^2",
        "W^{(l)}",
        r"W^{(l)} \in \mathbb{R}^{m \times n}; W_0 \in \mathbb{R}^{m \times n}; \lambda \in \mathbb{R}",
        budget=BUDGET,
    )
    assert (out.result, out.verified) == (r"\lambda (W^{(l)} - W_0)", True), out.error
    rng = np.random.default_rng(2)
    lam, w0 = 0.7, rng.normal(size=(4, 3))
    members = [rng.normal(size=(4, 3)) for _ in range(5)]
    total = lambda ws: lam / 2 * sum(float(np.sum((w - w0) ** 2)) for w in ws)  # noqa: E731
    for layer in range(5):
        values = {"\\lambda": np.array([[lam]]), "W^{(l)}": members[layer], "W_{0}": w0}
        got = _value(out.result, values)
        np.testing.assert_allclose(got, _central(total, members, layer), rtol=1e-6, atol=1e-8)
