r"""Derivatives written of a loss summed over samples, in the most canonical document there
is: Newton's method for logistic regression (issue 14).  The Hessian written as a sum over
samples, ``\nabla^2 \ell(\boldsymbol\beta) = \sum_{i=1}^N \mu_i(1 - \mu_i)\,\mathbf{x}_i
\mathbf{x}_i^\top``, is checked against the sum of the summands' Hessians (verified against
differences of the verified gradient, every member sampled): right ones silent, with μ_i
defined or written out, and planted slips flagged beside them."""

from __future__ import annotations

import pytest

from texgrad.calculus.written_derivatives import check_written
from texgrad.shapes.check import Checker

SETUP = (
    r"We have $N$ samples $\mathbf{x}_i \in \mathbb{R}^p$ with labels $y_i \in \{0, 1\}$ and "
    r"weights $\boldsymbol\beta \in \mathbb{R}^p$. Write $\sigma(t) = 1/(1 + e^{-t})$ and "
    r"$\mu_i = \sigma(\mathbf{x}_i^\top\boldsymbol\beta)$."
    "\n\n"
)
LOSS_NAMED = (
    r"The loss is $\ell(\boldsymbol\beta) = -\sum_{i=1}^N [ y_i \log \mu_i + (1 - y_i)\log(1 - \mu_i)]$."
    "\n\n"
)
LOSS_WRITTEN_OUT = (
    r"The loss is $\ell(\boldsymbol\beta) = -\sum_{i=1}^N [ y_i \log \sigma(\mathbf{x}_i^\top"
    r"\boldsymbol\beta) + (1 - y_i)\log(1 - \sigma(\mathbf{x}_i^\top\boldsymbol\beta))]$."
    "\n\n"
)

RIGHT = [
    r"\sum_{i=1}^N \mu_i(1 - \mu_i)\,\mathbf{x}_i\mathbf{x}_i^\top",
    r"\sum_{i=1}^N \sigma(\mathbf{x}_i^\top\boldsymbol\beta)(1 - \sigma(\mathbf{x}_i^\top"
    r"\boldsymbol\beta))\,\mathbf{x}_i\mathbf{x}_i^\top",
]
WRONG = [
    r"\sum_{i=1}^N \mu_i\,\mathbf{x}_i\mathbf{x}_i^\top",  # (1 - μ_i) dropped
    r"\sum_{i=1}^N \mu_i(1 - \mu_i)\,\mathbf{x}_i^\top\mathbf{x}_i",  # the inner product
    r"-\sum_{i=1}^N \mu_i(1 - \mu_i)\,\mathbf{x}_i\mathbf{x}_i^\top",  # the sign
    r"\sum_{i=1}^N 2\mu_i(1 - \mu_i)\,\mathbf{x}_i\mathbf{x}_i^\top",  # a factor 2
]


def flagged(text: str) -> list[str]:
    checked = Checker().check("doc.md", text=text)
    return [text[f.start : f.end] for f in check_written(checked)]


@pytest.mark.parametrize("loss", [LOSS_NAMED, LOSS_WRITTEN_OUT], ids=["mu-named", "mu-written"])
def test_the_hessian_over_samples_right_silent_wrong_flagged(loss: str) -> None:
    claims = RIGHT + WRONG
    body = "".join(f"$$\\nabla^2 \\ell(\\boldsymbol\\beta) = {c}$$\n\n" for c in claims)
    assert flagged(SETUP + loss + body) == WRONG


def test_the_message_says_hessian_and_gives_the_sum() -> None:
    text = SETUP + LOSS_NAMED + f"$$\\nabla^2 \\ell(\\boldsymbol\\beta) = {WRONG[0]}$$\n"
    checked = Checker().check("doc.md", text=text)
    (finding,) = check_written(checked)
    assert finding.message.startswith(f"`{WRONG[0]}` is not the Hessian of")
    assert finding.correct == r"\sum_{i=1}^N \mu_i (1 - \mu_i) \mathbf{x}_i \mathbf{x}_i^\top"


PENALISED = r"\left(\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2\right)"


def test_a_nabla_without_subscript_of_a_penalised_loss_is_by_its_argument() -> None:
    r"""``\nabla^2(\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2)``: by β, the
    one argument written; ℓ's sum over samples read beside the penalty's term."""
    setup = SETUP.replace("and weights", r"$\lambda > 0$ and weights")
    claims = [
        ("\\nabla^2", RIGHT[0] + r" + \lambda I_p", False),
        ("\\nabla^2", RIGHT[0] + r" + 2\lambda I_p", True),
        ("\\nabla^2", RIGHT[0], True),  # the penalty's λI dropped
        ("\\nabla", r"\sum_{i=1}^N (\mu_i - y_i)\,\mathbf{x}_i + \lambda\boldsymbol\beta", False),
        ("\\nabla", r"\sum_{i=1}^N (\mu_i - y_i)\,\mathbf{x}_i - \lambda\boldsymbol\beta", True),
    ]
    body = "".join(f"$${op} {PENALISED} = {c}$$\n\n" for op, c, _ in claims)
    assert flagged(setup + LOSS_NAMED + body) == [c for _, c, wrong in claims if wrong]


STACKED = (
    r"We have $N$ samples $\mathbf{x}_i \in \mathbb{R}^p$ with labels $y_i \in \{0, 1\}$, "
    r"stacked as the rows of $X \in \mathbb{R}^{N \times p}$, and weights $\boldsymbol\beta "
    r"\in \mathbb{R}^p$. Write $\sigma(t) = 1/(1 + e^{-t})$ and $\mu_i = \sigma(\mathbf{x}_i^"
    r"\top\boldsymbol\beta)$, and $S = \operatorname{diag}(\mu_1(1-\mu_1), \dots, \mu_N(1-\mu_N))$."
    "\n\n"
)


def test_matrix_forms_with_the_bold_vectors_of_the_members_and_s() -> None:
    r"""``X^\top(\boldsymbol\mu - \mathbf y)``: bold μ and y, declared nowhere, are the vectors
    of the members μ_i (each its definition) and y_i; S = diag(μ_1(1-μ_1), …, μ_N(1-μ_N))
    is evaluated entry by entry."""
    grads = [
        (r"X^\top(\boldsymbol\mu - \mathbf{y})", False),
        (r"X^\top(\mathbf{y} - \boldsymbol\mu)", True),
        (r"2X^\top(\boldsymbol\mu - \mathbf{y})", True),
    ]
    hessians = [
        (r"X^\top S X", False),
        (r"2 X^\top S X", True),
        (r"X^\top X", True),
    ]
    body = "".join(f"$$\\nabla \\ell(\\boldsymbol\\beta) = {c}$$\n\n" for c, _ in grads)
    body += "".join(f"$$\\nabla^2 \\ell(\\boldsymbol\\beta) = {c}$$\n\n" for c, _ in hessians)
    got = flagged(STACKED + LOSS_WRITTEN_OUT + body)
    assert got == [c for c, wrong in grads + hessians if wrong]


def test_a_bold_letter_declared_otherwise_is_not_the_vector_of_the_members() -> None:
    """``\\mathbf y`` declared a p-vector is that vector, not the labels y_i: the claim in
    it is not read as the textbook's (no alarm either way)."""
    text = STACKED.replace("and weights", r"$\mathbf{y} \in \mathbb{R}^p$ and weights")
    body = r"$$\nabla \ell(\boldsymbol\beta) = X^\top(\boldsymbol\mu - \mathbf{y})$$" + "\n"
    assert flagged(text + LOSS_WRITTEN_OUT + body) == []


SIGNED = (
    r"We have $N$ samples $\mathbf{x}_i \in \mathbb{R}^p$ with labels $y_i \in LABELS$ and "
    r"weights $\mathbf{w} \in \mathbb{R}^p$. Write $\sigma(t) = 1/(1 + e^{-t})$." + "\n\n"
    r"The loss is $\ell(\mathbf{w}) = \sum_{i=1}^N \log(1 + \exp(-y_i \mathbf{x}_i^\top\mathbf{w}))$."
    "\n\n"
)
BY_LABELS = (  # right for labels in {-1, 1} alone: it uses y_i² = 1
    r"\sum_{i=1}^N \sigma(\mathbf{x}_i^\top\mathbf{w})\sigma(-\mathbf{x}_i^\top\mathbf{w})\,"
    r"\mathbf{x}_i\mathbf{x}_i^\top"
)


@pytest.mark.parametrize(("labels", "wrong"), [(r"\{-1, 1\}", False), (r"\mathbb{R}", True)])
def test_members_are_sampled_in_their_set_of_labels(labels: str, wrong: bool) -> None:
    """``y_i \\in \\{-1, 1\\}``: the Hessian written with y_i² = 1 is right, and the same
    claim for real y_i is wrong."""
    planted = r"\sum_{i=1}^N \sigma(\mathbf{x}_i^\top\mathbf{w})\,\mathbf{x}_i\mathbf{x}_i^\top"
    body = "".join(f"$$\\nabla^2 \\ell(\\mathbf{{w}}) = {c}$$\n\n" for c in (BY_LABELS, planted))
    got = flagged(SIGNED.replace("LABELS", labels) + body)
    assert got == ([BY_LABELS] if wrong else []) + [planted]
