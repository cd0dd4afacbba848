r"""Why a row offers nothing, in the document's words, for forms new documents showed
silent or answered with a wrong reason: a differential (``\mathrm dF = …``) states no
function (no "the shape of `\mathrm{d}` is unknown"), a probability, a block by ranges."""

from __future__ import annotations

import pytest

from texgrad.calculus.api import diff_latex
from texgrad.calculus.refusals import refusal_at
from texgrad.shapes.check import Checker

DECLS = r"Let $X \in \mathbb{R}^{n \times p}$, $\boldsymbol\beta \in \mathbb{R}^p$, $\mathbf y \in \mathbb{R}^n$."


def _why(row: str) -> str | None:
    text = f"{DECLS}\n\n$${row}$$\n"
    checked = Checker().check("doc.md", text=text)
    found = refusal_at(checked, text.index(row) + 1)
    return None if found is None else found.reason


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (r"P(\boldsymbol\beta) = \Pr(\mathbf y \mid X, \boldsymbol\beta)",
         r"`\Pr(\cdot \mid \cdot)` (a probability) is not supported"),
        (r"p(\boldsymbol\beta) = p(\mathbf y \mid X, \boldsymbol\beta)",
         r"`p(\cdot \mid \cdot)` (a probability) is not supported"),
        (r"T(X) = X_{1:k, 1:k}", r"`X_{1:k, 1:k}` (a block of rows or columns) is not supported"),
        (r"V(X) = X_{i \times i}", r"`X_{i \times i}` (a leading block) is not supported"),
    ],
)  # fmt: skip
def test_the_reason_in_words(row: str, reason: str) -> None:
    assert _why(row) == reason


@pytest.mark.parametrize(
    "row",
    [
        r"\mathrm d h = -\operatorname{tr}(X^\top X \,\mathrm dX)",
        r"\mathrm d(X^\top X) = \mathrm dX^\top X + X^\top \mathrm dX",
        r"g = \operatorname{tr}(X^\top \mathrm dX)",
    ],
)
def test_a_differential_is_no_function_stated(row: str) -> None:
    assert _why(row) is None


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        (r"\sum_{i=1}^{p}\sum_{j=i+1}^{p} \beta_i \beta_j",
         r"a sum whose bound depends on another index (`j=i+1`) is not read yet"),
        (r"\sum_{i<j} \beta_i \beta_j",
         r"a sum over the pairs with `i<j` is not read yet: write it over every pair, "
         r"`\sum_{i,j}`, less the terms with i = j (for a symmetric summand, the sum over i < j "
         r"is half of that)"),
        (r"\sum_{i \neq j} \beta_i \beta_j", r"a sum over the pairs with `i \neq j` is not read yet"),
    ],
)  # fmt: skip
def test_a_sum_over_pairs_is_refused_saying_what_is_not_read(expr: str, reason: str) -> None:
    """A factorization machine's or an Ising model's interactions (no longer "cannot read the
    index of this sum (write `\\sum_{i=1}^n`)" of a sum written so)."""
    out = diff_latex(expr, r"\boldsymbol\beta", r"\boldsymbol\beta \in \mathbb{R}^p")
    assert out.error is not None and out.error.startswith(reason)


@pytest.mark.parametrize(
    "row", [r"O(np)", r"\mathcal{O}(n p^2)", r"\Theta(p^3)", r"T(n) = O(n \log n)"]
)
def test_a_cost_in_landau_notation_is_no_function_stated(row: str) -> None:
    assert _why(row) is None


def test_a_mismatch_through_a_defined_name_is_said_with_the_names_shape() -> None:
    r"""``\mathbf w^\top C \mathbf w`` of ``C = \frac{1}{n-1} X X^\top`` (n×n, a slip for
    ``X^\top X``): the reason speaks of C's n×n, as ``diff`` does — not of the n×p ``X`` its
    definition begins with, which the row does not write."""
    text = (
        f"{DECLS} Let $\\mathbf w \\in \\mathbb{{R}}^p$.\n\n$$C = \\frac{{1}}{{n-1}} X X^\\top$$\n\n"
        "## Objective\n\n$$J(\\mathbf w) = \\mathbf w^\\top C \\mathbf w$$\n"
    )
    checked = Checker().check("doc.md", text=text)
    found = refusal_at(checked, text.index("J(") + 1)
    assert found is not None
    assert found.reason == "cannot multiply a 1×p by a n×n: inner dimensions p and n differ"


BPTT = r"""States $\mathbf{h}_0, \dots, \mathbf{h}_T \in \mathbb{R}^{H}$, inputs $\mathbf{x}_1, \dots, \mathbf{x}_T \in \mathbb{R}^{D}$, targets $\mathbf{y}_1, \dots, \mathbf{y}_T \in \mathbb{R}^{H}$; $W \in \mathbb{R}^{H \times H}$, $U \in \mathbb{R}^{H \times D}$.

$$\mathbf{h}_t = \tanh(W\mathbf{h}_{t-1} + U\mathbf{x}_t)$$

$$L = \frac{1}{2}\sum_{t=1}^{T} \|\mathbf{h}_t - \mathbf{y}_t\|^2$$

With $\boldsymbol\delta_t = \frac{\partial L}{\partial \mathbf{h}_t}$,
$$\boldsymbol\delta_t = \mathbf{h}_t - \mathbf{y}_t + W^\top\left(\boldsymbol\delta_{t+1} \odot (1 - \mathbf{h}_{t+1}^2)\right)$$
"""


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (r"\mathbf{h}_t = \tanh", r"`\mathbf{h}_t` is defined by a forward recursion through "
         r"`\mathbf{h}_{t-1}`"),
        (r"\boldsymbol\delta_t = \mathbf", r"`\boldsymbol\delta_t` is defined by a backward "
         r"recursion through `\boldsymbol\delta_{t+1}`"),
    ],
)  # fmt: skip
def test_a_recursion_is_refused_by_name(row: str, reason: str) -> None:
    r"""BPTT's rows: the states' forward recursion and δ_t's backward one are refused
    naming the recursion (they said "write it in matrix form" and "the shape of
    `\boldsymbol\delta_{t+1}` is unknown")."""
    checked = Checker().check("rnn.md", text=BPTT)
    found = refusal_at(checked, BPTT.index(row) + 1)
    assert found is not None
    assert found.reason == reason + (
        ": a derivative through the recursion (as backpropagation through time takes it) is "
        "not taken yet"
    )
