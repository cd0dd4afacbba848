r"""A plain Latin letter the document only says is positive — a margin "$m > 0$" — is a
number where it is added to numbers (``m - \mathbf{w}^\top\mathbf{x}``): a sum of numbers
leaves it no other reading.  A letter the text says nothing of stays unknown (no guess)."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document

DOC = (
    r"Features $\mathbf{x} \in \mathbb{R}^{d}$, a weight $\mathbf{w} \in \mathbb{R}^{d}$. "
    r"Ties get a margin: with $m > 0$ the hinge is smoothed,"
    "\n\n$$\n"
    r"\ell(\mathbf{w}) = \log\left(1 + \exp\left(m - \mathbf{w}^\top\mathbf{x}\right)\right)"
    "\n$$\n\n$$\n"
    r"r(\mathbf{w}) = \log\left(1 + \exp\left(c - \mathbf{w}^\top\mathbf{x}\right)\right)"
    "\n$$\n"
)


def test_a_margin_said_positive_is_a_number_beside_numbers() -> None:
    out = diff_in_document("doc.md", 4, r"\mathbf{w}", text=DOC)
    assert out.verified, out.error or out.note
    assert out.result == r"-\sigma(m - \mathbf{w}^\top \mathbf{x}) \mathbf{x}"
    # the textbook's value, against central differences (d = 3)
    rng = np.random.default_rng(3)
    w, x, m = rng.standard_normal(3), rng.standard_normal(3), 0.4

    def loss(v: np.ndarray) -> float:
        return float(np.log1p(np.exp(m - v @ x)))

    h = 1e-6
    fd = np.array([(loss(w + h * u) - loss(w - h * u)) / (2 * h) for u in np.eye(3)])
    assert np.allclose(fd, -x / (1 + np.exp(-(m - w @ x))), atol=1e-7)


def test_a_letter_the_text_says_nothing_of_is_not_guessed() -> None:
    out = diff_in_document("doc.md", 8, r"\mathbf{w}", text=DOC)
    assert not out.verified
    assert out.error is not None and "the shape of `c` is unknown" in out.error
