r"""A definition followed on its row by a declaration of several letters,
``f(\mathbf z) = \mathbf z + \mathbf u h(\mathbf w^\top \mathbf z + b), \qquad \mathbf u,
\mathbf w \in \mathbb{R}^D`` (how papers write a planar flow): the value is the formula, the
letters are declared — not a list ``(formula, \mathbf u)`` to differentiate; and a letter
made another name of a function, "with $h = \tanh$", is applied as that function."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.calculus.written import statements
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

DOC = (
    "\\documentclass{article}\n\\begin{document}\n"
    "\\begin{equation}\n"
    "  f(\\mathbf z) = \\mathbf z + \\mathbf u\\, h(\\mathbf w^\\top \\mathbf z + b), \\qquad"
    " \\mathbf u, \\mathbf w \\in \\mathbb{R}^D,\\ b \\in \\mathbb{R},\n"
    "\\end{equation}\n"
    "with $h = \\tanh$ and $\\mathbf z \\in \\mathbb{R}^D$.\n\\end{document}\n"
)


def _tree(latex: str) -> t.Node | None:
    return parse_row(MappedText.identity(latex)).tree


def test_the_value_ends_where_the_declared_letters_begin() -> None:
    chain = _tree(r"f(z) = z + u h(w^\top z + b), \qquad u, w \in \mathbb{R}^D")
    assert isinstance(chain, t.Chain)
    first, second = statements(chain)
    assert not isinstance(first.items[1], t.List)  # the formula alone
    assert isinstance(second.items[0], t.List) and len(second.items[0].items) == 2  # u, w
    # (a list of statements still ends each value before the next head)
    chain = _tree(r"z = W x + b, \qquad a = \sigma(z)")
    assert isinstance(chain, t.Chain)
    assert [len(s.items) for s in statements(chain)] == [2, 2]


def test_the_planar_flow_s_jacobian() -> None:
    out = diff_in_document("flow.tex", 4, "\\mathbf z", text=DOC, budget=60.0)
    assert out.error is None and out.verified, out.error or out.note
    assert "\\tanh" in out.result
    # the textbook Jacobian I + h'(w^T z + b) u w^T, h = tanh, against central differences
    rng = np.random.default_rng(3)
    d = 5
    z, u, w = (rng.standard_normal((d, 1)) for _ in range(3))
    b = 0.3

    def f(z: np.ndarray) -> np.ndarray:
        return z + u * np.tanh((w.T @ z).item() + b)

    eps = 1e-6
    fd = np.column_stack(
        [((f(z + eps * e) - f(z - eps * e)) / (2 * eps)).ravel() for e in np.eye(d)[:, :, None]]
    )
    got = evaluate(_tree(out.result), {"z": z, "u": u, "w": w, "b": np.array([[b]])})
    assert np.allclose(np.asarray(got, dtype=float).reshape(d, d), fd, atol=1e-6)
