r"""Derivatives by a bold letter the document never declares (``\mathbf w`` of a logistic
regression whose author declares only X and y): the shape checker reads it a vector of the
size its every use gives it (``X\mathbf w``: d entries), and the written gradients are then
checked — a wrong one found, a right one not flagged. Where its uses disagree, nothing is
typed and nothing is said wrong."""

from __future__ import annotations

from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker

PAGE = r"""Let $X \in \mathbb{R}^{n\times d}$ and $\mathbf y \in \{0,1\}^n$.
With $\sigma(t) = 1/(1+e^{-t})$ and $\mathbf{p} = \sigma(X\mathbf w)$, the loss is
$\ell(\mathbf w) = -\mathbf y^\top \log \mathbf p - (\mathbf 1 - \mathbf y)^\top \log(\mathbf 1 - \mathbf p)$.

Then $\nabla \ell(\mathbf w) = X^\top(\mathbf p - \mathbf y)$.

And $\nabla \ell(\mathbf w) = X^\top(\mathbf y - \mathbf p)$.
"""


def _flagged_lines(text: str) -> list[int]:
    found = wd.check_written(Checker().check("doc.md", text=text), seconds=60.0)
    return sorted(text.count("\n", 0, f.start) + 1 for f in found)


def test_a_gradient_by_an_undeclared_bold_vector_is_checked() -> None:
    assert _flagged_lines(PAGE) == [7]  # the sign; line 5 is right


def test_uses_that_disagree_type_nothing() -> None:
    # \mathbf w also multiplies an n-vector's transpose as if it had n entries: no size holds
    text = PAGE.replace("the loss is", "the margin $\\mathbf y^\\top \\mathbf w$ and the loss is")
    assert _flagged_lines(text) == []


def test_a_letter_defined_elsewhere_is_not_typed_by_its_use() -> None:
    # \mathbf w defined in an earlier section (another w, of n entries): not typed by use
    text = (
        "# Before\n\nThere $\\mathbf u \\in \\mathbb{R}^n$ and $\\mathbf w = 2\\mathbf u$.\n\n# Logistic\n\n"
        + PAGE
    )
    assert _flagged_lines(text) == []


def test_entries_declared_as_numbers_still_type_the_vector() -> None:
    # w_j \in \mathbb R are \mathbf w's entries, not a family of other shapes: w still typed
    text = PAGE.replace("the loss is", "with weights $w_j \\in \\mathbb{R}$, the loss is")
    assert _flagged_lines(text) == [7]


def test_a_family_of_other_vectors_types_nothing() -> None:
    # \mathbf w_1, \mathbf w_2 of other sizes: \mathbf w may be either's, nothing is typed
    assert _flagged_lines(PAGE) == [7]
    text = PAGE.replace(
        "the loss is",
        "two heads $\\mathbf w_1 \\in \\mathbb{R}^{n}$, $\\mathbf w_2 \\in \\mathbb{R}^{k}$, the loss is",
    )
    assert _flagged_lines(text) == []


def test_a_plain_letter_of_a_one_dimensional_example_is_another_letter() -> None:
    # the plain w, y of a 1-d check say nothing of the bold \mathbf w: it is still typed
    text = PAGE + "\nFor $d = 1$: $g(w) = \\log(1 + e^{2w}) - 2yw$.\n"
    assert _flagged_lines(text) == [7]


def test_a_definition_sized_by_an_apposition_is_still_read() -> None:
    # "with $S = \diag(…)$, an n×n diagonal matrix": S is its definition, not a free matrix
    text = (
        PAGE + "\nWith $S = \\operatorname{diag}(\\mathbf p \\odot (\\mathbf 1 - \\mathbf p))$, an "
        "$n \\times n$ diagonal matrix, $\\nabla^2 \\ell(\\mathbf w) = X^\\top S X$.\n\n"
        "And $\\nabla^2 \\ell(\\mathbf w) = X^\\top X$.\n"
    )
    tally = wd.Tally()
    found = wd.check_written(Checker().check("doc.md", text=text), seconds=60.0, tally=tally)
    assert sorted(text.count("\n", 0, f.start) + 1 for f in found) == [7, 11]
    assert tally.verified == 2, tally.undecided  # lines 5 and 9: X^T S X read with S's value


FUNCTION_PAGE = r"""Let $X \in \mathbb{R}^{n\times d}$ and $\mathbf y \in \{0,1\}^n$. The loss is

$$ \ell(\mathbf w) = \mathbf 1^\top \log(\mathbf 1 + \exp(X\mathbf w)) - \mathbf y^\top X \mathbf w $$

Then $\nabla \ell(\mathbf w) = X^\top(\sigma(X\mathbf w) - \mathbf y)$.

And $\nabla \ell(\mathbf w) = X^\top(\mathbf y - \sigma(X\mathbf w))$.
"""


def test_a_parameter_sized_by_its_function_is_typed() -> None:
    # \mathbf w sized only as the parameter of the loss (X\mathbf w in its formula)
    assert _flagged_lines(FUNCTION_PAGE) == [7]


def test_a_parameter_defined_by_an_equation_too_is_not_typed() -> None:
    text = (
        "Here $\\mathbf u \\in \\mathbb{R}^n$ and $\\mathbf w = 2\\mathbf u$.\n\n" + FUNCTION_PAGE
    )
    assert _flagged_lines(FUNCTION_PAGE) == [7]
    assert _flagged_lines(text) == []


ITERATES = r"""Let $X \in \mathbb{R}^{n\times d}$ and $\mathbf y \in \{0,1\}^n$. With
$\mathbf p = \sigma(X\mathbf w)$ the loss is
$\ell(\mathbf w) = -\mathbf y^\top \log \mathbf p - (\mathbf 1 - \mathbf y)^\top \log(\mathbf 1 - \mathbf p)$.

Gradient descent takes $\mathbf w^{(k+1)} = \mathbf w^{(k)} - \eta X^\top(\sigma(X\mathbf w^{(k)}) - \mathbf y)$.

At the iterate, $\nabla \ell(\mathbf w^{(k)}) = X^\top(\sigma(X\mathbf w^{(k)}) - \mathbf y)$.

And $\nabla \ell(\mathbf w^{(k)}) = X^\top(\mathbf y - \sigma(X\mathbf w^{(k)}))$.
"""


def test_the_iterates_of_a_recursion_have_the_letters_shape() -> None:
    assert _flagged_lines(ITERATES) == [9]


def test_members_without_a_recursion_are_not_iterates() -> None:
    # \mathbf w^{(k)} with no w^{(k+1)} = … w^{(k)} … written: may be another vector
    text = ITERATES.replace(
        "\\mathbf w^{(k+1)} = \\mathbf w^{(k)} -", "\\mathbf v = \\mathbf v_0 -"
    )
    assert _flagged_lines(ITERATES) == [9]
    assert _flagged_lines(text) == []
