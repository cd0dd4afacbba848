r"""A derivative by a member a sum holds shifted too (``\sum_{l=2}^L \|U^{(l)} -
U^{(l-1)}\|_F^2`` by ``U^{(l)}``, ``\sum_{t=2}^T \|\mathbf h_t - A\mathbf h_{t-1}\|^2`` by
``\mathbf h_t``): the terms where it appears added, the ends of the family stated; every
member's derivative checked here against central differences of the whole sum (L = 5
members of 3×3 or 4-vectors: distinct sizes)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy

from texgrad.calculus import api
from texgrad.calculus.api import diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.summed_member import at_label
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

L = 5


def _value(latex: str, values: dict[str, object]) -> np.ndarray:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return np.asarray(evaluate(row.tree, values), dtype=float)


def _fd(loss, members: np.ndarray, i: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    h = 1e-6
    g = np.zeros_like(members[i])
    for j in np.ndindex(g.shape):
        up, down = members.copy(), members.copy()
        up[(i,) + j] += h
        down[(i,) + j] -= h
        g[j] = (loss(up) - loss(down)) / (2 * h)
    return g


def _ends(note: str) -> dict[str, str]:
    return dict(re.findall(r"at \$[a-z] = ([^$]+)\$: \$([^$]+)\$", note))


def test_a_smoothness_penalty_adds_the_two_terms_and_states_the_ends() -> None:
    out = diff_latex(
        r"\sum_{l=2}^L \|U^{(l)} - U^{(l-1)}\|_F^2",
        "U^{(l)}",
        where=r"U^{(l)} \in \mathbb{R}^{n \times n}",
    )
    assert out.error is None and out.verified, out.error
    assert "every member of the family in turn" in out.note
    assert r"2 \le l \le L - 1" in out.note
    ends = _ends(out.note)
    assert set(ends) == {"1", "L"}
    rng = np.random.default_rng(11)
    members = rng.standard_normal((L, 3, 3))  # U^{(1)} … U^{(5)}

    def loss(u: np.ndarray) -> float:
        return float(sum(np.sum((u[k] - u[k - 1]) ** 2) for k in range(1, L)))

    for label in range(1, L + 1):
        values: dict[str, object] = {"L": np.array([[float(L)]])}
        if label == 1:
            formula = ends["1"]
        elif label == L:
            formula = ends["L"]
        else:
            formula = out.result
            formula = at_label(formula, "l", sympy.Integer(label))
        for k in range(1, L + 1):
            values[f"U^{{({k})}}"] = members[k - 1]
        values["U^{(L)}"], values["U^{((Add L - 1))}"] = members[L - 1], members[L - 2]
        got = _value(formula, values)
        assert np.allclose(got, _fd(loss, members, label - 1), atol=1e-5), (label, formula)


def test_a_recurrence_by_one_state_adds_the_step_it_feeds() -> None:
    out = diff_latex(
        r"\sum_{t=2}^T \|\mathbf{h}_t - A\mathbf{h}_{t-1}\|^2",
        r"\mathbf{h}_t",
        where=r"\mathbf{h}_t \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}",
    )
    assert out.error is None and out.verified, out.error
    rng = np.random.default_rng(12)
    members, a = rng.standard_normal((L, 4, 1)), rng.standard_normal((4, 4))

    def loss(h: np.ndarray) -> float:
        return float(sum(np.sum((h[k] - a @ h[k - 1]) ** 2) for k in range(1, L)))

    for label in range(2, L):  # the inside of the range: the result as shown
        values = {
            "A": a,
            "h_{t}": members[label - 1],
            "h_{(Add t - 1)}": members[label - 2],
            "h_{(Add t + 1)}": members[label],
        }
        got = _value(out.result, values)
        assert np.allclose(got, _fd(loss, members, label - 1), atol=1e-5)
    ends = _ends(out.note)
    assert set(ends) == {"1", "T"}


def test_a_wrong_end_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """An end stated wrong (its sign flipped) fails the check of every member: refused."""
    monkeypatch.setattr(api, "at_label", lambda printed, letter, value: f"-{printed}")
    out = diff_latex(
        r"\sum_{l=2}^L \|U^{(l)} - U^{(l-1)}\|_F^2",
        "U^{(l)}",
        where=r"U^{(l)} \in \mathbb{R}^{n \times n}",
    )
    assert out.error is not None and not out.verified


def test_the_index_beside_the_members_is_not_read_so() -> None:
    r"""\lambda_l beside the members: the terms are not relabelled, the sum's own words."""
    out = diff_latex(
        r"\sum_{l=2}^L \lambda_l \|U^{(l)} - U^{(l-1)}\|_F^2",
        "U^{(l)}",
        where=r"U^{(l)} \in \mathbb{R}^{n \times n}; \lambda_l > 0",
    )
    assert out.error is not None and "more than one term" in out.error
