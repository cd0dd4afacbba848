r"""Per-item losses (``\ell_{ui} = …``): the indices the head fixes, their entries as numbers.

Every result is compared with central differences of the loss written in NumPy here, at
sizes k = 3 for the factors; the entry of the variable's own matrix stays refused.
"""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

DOC = (
    "Ratings $R \\in \\mathbb{R}^{m \\times n}$, factors $\\mathbf{p}_u \\in \\mathbb{R}^k$ and "
    "$\\mathbf{q}_i \\in \\mathbb{R}^k$, and $\\lambda > 0$. With biases $b_u$, $b_i$ and the "
    "global mean $\\mu$, the prediction is $\\hat r_{ui} = \\mu + b_u + b_i + "
    "\\mathbf{q}_i^\\top\\mathbf{p}_u$.\n\n"
    "$$\n\\ell_{ui} = (r_{ui} - \\mathbf{q}_i^\\top\\mathbf{p}_u)^2 + \\lambda\\|\\mathbf{p}_u\\|^2\n$$\n\n"
    "$$\n\\ell_{ui} = (r_{ui} - \\hat r_{ui})^2 + \\lambda(b_u^2 + \\|\\mathbf{q}_i\\|^2)\n$$\n"
)
PLAIN, BIASED = 4, 8  # the rows' lines

RNG = np.random.default_rng(3)
P, Q = RNG.standard_normal(3), RNG.standard_normal(3)
R_UI, LAM, MU, B_U, B_I = 0.7, 0.3, 0.2, -0.4, 0.9
VALUES = {
    "p_{u}": P[:, None], "q_{i}": Q[:, None], "r_{(Product u i)}": np.array([[R_UI]]),
    "\\lambda": np.array([[LAM]]), "\\mu": np.array([[MU]]), "b_{u}": np.array([[B_U]]),
    "b_{i}": np.array([[B_I]]), "\\hat{r}_{(Product u i)}": np.array([[MU + B_U + B_I + Q @ P]]),
}  # fmt: skip


def _value(latex: str) -> np.ndarray:
    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None
    return np.asarray(evaluate(tree, VALUES), dtype=float).ravel()


def test_a_per_rating_loss_by_the_users_factor() -> None:
    out = diff_in_document("notes.md", PLAIN, "\\mathbf{p}_u", text=DOC)
    assert out.error is None and out.verified, out.error or out.note
    loss = lambda p: (R_UI - Q @ p) ** 2 + LAM * p @ p  # noqa: E731
    assert np.allclose(_value(out.result), central_gradient(loss, P), atol=1e-6)


def test_a_prediction_the_text_defines_and_its_biases_are_numbers() -> None:
    def loss(q: np.ndarray, b_u: float = B_U) -> float:
        r_hat = MU + b_u + B_I + q @ P
        return float((R_UI - r_hat) ** 2 + LAM * (b_u**2 + q @ q))

    by_q = diff_in_document("notes.md", BIASED, "\\mathbf{q}_i", text=DOC)
    assert by_q.error is None and by_q.verified, by_q.error or by_q.note
    assert np.allclose(_value(by_q.result), central_gradient(loss, Q), atol=1e-6)
    by_b = diff_in_document("notes.md", BIASED, "b_u", text=DOC)
    assert by_b.error is None and by_b.verified, by_b.error or by_b.note
    fd = central_gradient(lambda b: loss(Q, float(b[0])), np.array([B_U]))
    assert np.allclose(_value(by_b.result), fd, atol=1e-6)


def test_an_entry_of_the_variable_is_no_number_apart_from_it() -> None:
    # ℓ_{ui} by R depends on the one entry r_{ui}: never "0", still refused in words
    out = diff_in_document("notes.md", PLAIN, "R", text=DOC)
    assert out.error is not None and "free index" in out.error


OBSERVED = (
    "Users have factors $\\mathbf{u}_i \\in \\mathbb{R}^k$, the rows of "
    "$U \\in \\mathbb{R}^{m \\times k}$; items $\\mathbf{v}_j \\in \\mathbb{R}^k$, and "
    "$R \\in \\mathbb{R}^{m \\times n}$, $M \\in \\{0, 1\\}^{m \\times n}$.\n\n"
    "$$\nJ = \\sum_{(i,j)\\in\\Omega} (r_{ij} - \\mathbf{u}_i^\\top\\mathbf{v}_j)^2\n$$\n\n"
    "$$\nJ = \\sum_{i,j} m_{ij}(r_{ij} - \\mathbf{u}_i^\\top\\mathbf{v}_j)^2\n$$\n"
)


def test_a_sum_over_a_set_of_pairs_is_refused_naming_the_set() -> None:
    out = diff_in_document("notes.md", 4, "U", text=OBSERVED)
    assert out.error is not None and "members of a set (`\\Omega`)" in out.error
    assert "M \\odot" in out.error  # the form that is read


def test_no_zero_by_a_matrix_whose_members_the_row_names() -> None:
    # u_i read as a vector of its own (the text's "the rows of U" is not a stacking the
    # reading knows): by U the row would be constant, which it need not be
    out = diff_in_document("notes.md", 8, "U", text=OBSERVED)
    assert out.error is not None and not out.result
    # (refused where the entries are read: u_i changes with the index summed over)
    said = ("not given as 0", "changes with the index summed over")
    assert any(x in out.error for x in said) and "`\\mathbf{u}_i`" in out.error  # (as written)
