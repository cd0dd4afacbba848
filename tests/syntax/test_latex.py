r"""A syntax tree printed as LaTeX reads back as the same tree (messages quote the document)."""

from __future__ import annotations

import pytest

from texgrad.reading.source import MappedText
from texgrad.syntax.latex import latex_of
from texgrad.syntax.parse import parse_row
from texgrad.syntax.show import show

ROWS = [
    r"x^\top A x",
    r"\frac{1}{1+e^{-t}}",
    r"\sum_{i=1}^N (\mathbf{w}^\top\mathbf{x}_i - y_i)^2",
    r"(\mathbf x_i - \boldsymbol\mu)^\top \Sigma^{-1} (\mathbf x_i - \boldsymbol\mu)",
    r"\operatorname{vec}(AXB)",
    r"\log\det X + \|X\|_F^2 - \operatorname{tr}(X^{-1})",
    r"x' A x",
    r"X^{-\top} + X^{-1}",
    r"W^{(l+1)} \in \mathbb{R}^{n_l \times n_{l+1}}",
    r"\begin{bmatrix} A & B \\ C & D\end{bmatrix}",
    r"\hat{\mathbf x}^T y",
    r"\sqrt[3]{x} + \sqrt{y} + |X|",
    r"\langle a, b\rangle",
    r"\mathrm{d}X",
    r"\frac{\partial f}{\partial x} = 2Ax",
    r"\max(0, z) \odot \sigma(Wx + b)",
    r"\Sigma \in \mathbb{S}^n_{++}",
    r"\nabla_{\mathbf x} f(\mathbf x) = A^\top \mathbf y",
    r"L = -\frac12 \mathbf{y}^\top K^{-1}\mathbf{y} - \frac{n}{2}\log 2\pi",
    r"\mathbf{y} = \gamma\hat{\mathbf{x}} + \beta\mathbf{1}, \qquad \mu = \frac1m \mathbf 1^\top x",
    r"W^Q_i \otimes I_n + \operatorname{diag}(x) A",
]


@pytest.mark.parametrize("row", ROWS)
def test_the_printed_tree_reads_back_as_the_same_tree(row: str) -> None:
    tree = parse_row(MappedText.identity(row)).tree
    assert tree is not None
    printed = latex_of(tree)
    again = parse_row(MappedText.identity(printed)).tree
    assert show(again) == show(tree), printed


def test_it_prints_latex_not_a_tree() -> None:
    tree = parse_row(MappedText.identity(r"(\mathbf x_i - \boldsymbol\mu)^\top")).tree
    assert latex_of(tree) == r"(\mathbf{x}_i - \boldsymbol{\mu})^\top"
    tree = parse_row(MappedText.identity(r"\frac{1}{1+e^{-t}}")).tree
    assert latex_of(tree) == r"\frac{1}{1 + e^{-t}}"
