r"""Equations a row joins by an implication (``\mathrm dg = … \Longrightarrow \nabla g = …``,
``\implies``, ``\iff``) are each a claim of their own; and a quick fix that transposes an
inverse of a matrix that is its own transpose (``(X^\top X)^{-1}``) writes it unchanged."""

from __future__ import annotations

import pytest

from tests.calculus.written_check import check_written
from texgrad.shapes.check import Checker

DECLS = (
    r"Let $X \in \mathbb{R}^{m \times n}$, $A \in \mathbb{R}^{n \times n}$, "
    r"$\mathbf x \in \mathbb{R}^n$ and $g(X) = \log\det(X^\top X)$." + "\n\n"
)


def flagged(body: str) -> list[str]:
    text = DECLS + body
    checked = Checker().check("doc.tex", text=text)
    return [text[f.start : f.end] for f in check_written(checked)]


RIGHT_DG = r"2\operatorname{tr}((X^\top X)^{-1} X^\top \mathrm{d}X)"
WRONG_DG = r"\operatorname{tr}((X^\top X)^{-1} X^\top \mathrm{d}X)"


@pytest.mark.parametrize("arrow", [r"\quad\Longrightarrow\quad", r"\implies", r"\;\Rightarrow\;"])
@pytest.mark.parametrize(
    ("dg", "grad", "wrong"),
    [
        (RIGHT_DG, r"2X(X^\top X)^{-1}", []),
        (WRONG_DG, r"2X(X^\top X)^{-1}", [WRONG_DG]),
        (RIGHT_DG, r"X(X^\top X)^{-1}", [r"X(X^\top X)^{-1}"]),
        (WRONG_DG, r"X(X^\top X)^{-1}", [WRONG_DG, r"X(X^\top X)^{-1}"]),
    ],
)
def test_each_side_of_an_implication_is_checked(
    arrow: str, dg: str, grad: str, wrong: list[str]
) -> None:
    body = f"\\[ \\mathrm{{d}}g = {dg} {arrow} \\nabla g(X) = {grad} \\]"
    assert flagged(body) == wrong


def test_a_gradient_and_its_hessian_joined_by_iff_are_each_checked() -> None:
    body = (
        r"\[ \nabla_{\mathbf x} (\mathbf x^\top A \mathbf x) = 2A\mathbf x \iff "
        r"\nabla_{\mathbf x} (\mathbf x^\top \mathbf x) = 2\mathbf x \]"
    )
    assert flagged(body) == [r"2A\mathbf x"]


def test_the_fix_of_a_transposed_gradient_keeps_a_gram_inverse_as_written() -> None:
    text = DECLS + r"\[ \nabla g(X) = 2 (X^\top X)^{-1} X^\top \]"
    checked = Checker().check("doc.tex", text=text)
    (finding,) = check_written(checked)
    assert "transpose" in finding.message
    assert finding.correct == r"2 X (X^\top X)^{-1}", finding.correct
