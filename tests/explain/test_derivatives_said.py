r"""Every derivative a document writes is checked, or ``--explain`` says why it is not.

Two forms authors write everywhere are claims now: a derivative equation followed by its size
(``\frac{\partial \ell}{\partial V} = A^\top G \in \mathbb{R}^{S \times d}``) and a name given
to a derivative with its value (``J = \frac{\partial y}{\partial x} = …``). A row that writes a
derivative otherwise — using it inside a formula (an update, a Newton step), bounding it,
setting it to zero, stating its size — is said (``derivative-not-checked``) with why.
"""

from __future__ import annotations

import pytest

from tests.calculus.written_check import check_written
from texgrad.calculus import written_derivatives as wd
from texgrad.calculus.unchecked import CLAIM, explain
from texgrad.shapes.check import Checker

DECLS = (
    r"Let $A \in \mathbb{R}^{n \times n}$, $\mathbf x \in \mathbb{R}^n$, "
    r"$C \in \mathbb{R}^{m \times n}$ and $\mathbf y \in \mathbb{R}^m$."
    "\n\n"
)


def _flagged(body: str) -> list[str]:
    text = DECLS + body
    checked = Checker().check("doc.md", text=text)
    return [text[f.start : f.end] for f in check_written(checked)]


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        (  # the size said after the equation
            r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2A\mathbf x \in \mathbb{R}^n$$",
            ["2A\\mathbf x"],
        ),
        (
            r"$$\nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = (A + A^\top)\mathbf x \in \mathbb{R}^n$$",
            [],
        ),
        (  # a name, the derivative it names, its value
            r"$$J = \frac{\partial (C\mathbf x)}{\partial \mathbf x} = C^\top$$",
            [],  # (a Jacobian in the other convention: accepted where no layout is stated)
        ),
        (
            r"$$J = \frac{\partial (\mathbf x^\top \mathbf x)}{\partial \mathbf x} = 3\mathbf x$$",
            ["3\\mathbf x"],
        ),
        (
            r"$$J = \frac{\partial (\mathbf x^\top \mathbf x)}{\partial \mathbf x} = 2\mathbf x$$",
            [],
        ),
    ],
)
def test_a_derivative_with_its_size_or_its_name_is_checked(body: str, flagged: list[str]) -> None:
    assert _flagged(body) == flagged


def test_the_claims_with_a_size_or_a_name_are_read() -> None:
    text = DECLS + (
        "$$\\frac{\\partial (\\mathbf x^\\top \\mathbf x)}{\\partial \\mathbf x} = 2\\mathbf x "
        "\\in \\mathbb{R}^n$$\n\n$$K = \\nabla_{\\mathbf x} (\\mathbf y^\\top C \\mathbf x) "
        "= C^\\top \\mathbf y$$\n"
    )
    claims = wd.written_derivatives(Checker().check("doc.md", text=text))
    assert [text[c.claimed.start : c.claimed.end] for c in claims] == [
        "2\\mathbf x",
        "C^\\top \\mathbf y",
    ]


def _said(body: str) -> list[str]:
    text = DECLS + body
    checked = Checker().check("doc.md", text=text)
    tally = wd.Tally()
    wd.check_written(checked, 30.0, tally=tally, only_findings=True)
    return [u.message for u in explain(checked, tally.undecided) if u.code == CLAIM]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (
            r"$$G = \partial L / \partial Y \in \mathbb{R}^{m \times n}$$",
            "this derivative is not checked: the row names `\\partial L / \\partial Y` "
            "(a definition, not a result to check)",
        ),
        (
            r"$$\mathbf g = \operatorname{vec}(\partial L / \partial A) \in \mathbb{R}^{n^2}$$",
            "this derivative is not checked: `\\partial L / \\partial A` is used inside a "
            "formula; texgrad checks a derivative written alone on one side of an equation",
        ),
        (
            r"$$\mathbf x_{k+1} = \mathbf x_k - \big[\nabla^2 f(\mathbf x_k)\big]^{-1} \nabla f(\mathbf x_k)$$",
            "this derivative is not checked: `\\nabla^2 f(\\mathbf x_k)` is used inside a "
            "formula; texgrad checks a derivative written alone on one side of an equation",
        ),
        (
            r"$$A \leftarrow A - \eta \frac{\partial L}{\partial A}$$",
            "this derivative is not checked: the row assigns `\\frac{\\partial L}{\\partial A}` "
            "by `\\leftarrow`; texgrad checks equations (`=`) only",
        ),
        (
            r"$$\nabla_{\mathbf x} L = \mathbf{0}$$",
            "this derivative is not checked: the row sets `\\nabla_{\\mathbf x} L` to zero: a "
            "condition (an optimum), not an identity to check",
        ),
        (
            r"$$\nabla f(\mathbf x) \in \mathbb{R}^n$$",
            "this derivative is not checked: the row states the size of "
            "`\\nabla f(\\mathbf x)`, not its value",
        ),
    ],
)
def test_a_derivative_written_otherwise_is_said(body: str, why: str) -> None:
    assert _said(body) == [why]


def test_a_checked_claim_and_a_request_are_not_said_again() -> None:
    verified = r"$$\nabla_{\mathbf x} (\mathbf x^\top \mathbf x) = 2\mathbf x \in \mathbb{R}^n$$"
    assert _said(verified) == []
    request = r"$$\frac{\partial}{\partial \mathbf x} \|C\mathbf x - \mathbf y\|^2$$"
    assert _said(request) == []
    sizes = r"$$h = 4d, \qquad dk \times rk$$"  # (d read as a product's letter: no derivative)
    assert _said(sizes) == []


def test_the_hover_says_it_on_the_row() -> None:
    from texgrad.calculus.unchecked import unclaimed_at

    body = r"$$A \leftarrow A - \eta \frac{\partial L}{\partial A}$$" + "\n"
    text = DECLS + body
    checked = Checker().check("doc.md", text=text)
    at = text.index("\\eta")
    said = unclaimed_at(checked, at)
    assert said is not None and "assigns" in said.message
    assert unclaimed_at(checked, text.index("$A \\in")) is None  # (a declaration's row)


def test_a_step_of_the_chain_rule_is_said_as_such() -> None:
    body = r"$$\frac{\partial L}{\partial A} = \frac{\partial L}{\partial Y} \frac{\partial Y}{\partial A}$$"
    (said,) = _said(body)
    assert "a step of the chain rule" in said, said


def test_a_refused_row_says_cannot_differentiate_once() -> None:
    # an answer key's boxed solution: "cannot differentiate `…`: cannot differentiate `…`:
    # texgrad does not read it" said the same words twice
    from texgrad.calculus.unchecked import refused_rows

    text = (
        "Let $M \\in \\mathbb{R}^{m \\times n}$, $\\mathbf y \\in \\mathbb{R}^m$, $\\lambda > 0$.\n\n"
        "so $\\boxed{\\mathbf w^\\star = (M^\\top M + \\lambda I)^{-1} M^\\top \\mathbf y}$.\n"
    )
    said = [u.message for u in refused_rows(Checker().check("key.md", text=text))]
    assert said and all(m.count("cannot differentiate") == 1 for m in said), said
