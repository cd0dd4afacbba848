r"""Issue-13 misses made general rules (session 22): a bare letter a function is defined on,
or an optimisation runs over, is the generic member of its declared family (never a letter
merely used beside the family, nor one of a family of numbers); a definition sized by an
apposition naming a space ("$a(t) = …$, a vector in $\mathbb{R}^D$"); a signal's value
transposed, ``\mathbf{g}(t)^\top``, is the transpose of ``\mathbf{g}(t)`` (not ``\mathbf{g}``
times ``(t)^\top``).  Each with a planted error and a trap."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line


def test_a_bare_parameter_of_a_definition_is_its_familys_member(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Inputs $\mathbf{z}_i \in \mathbb{R}^{m}$ and weights $B \in \mathbb{R}^{m \times m}$, $P \in \mathbb{R}^{r \times m}$.

    $$\kappa(\mathbf{z}, \mathbf{z}') = \exp(-(\mathbf{z} - \mathbf{z}')^\top B (\mathbf{z} - \mathbf{z}'))$$

    Right: $P\mathbf{z}$ and $\mathbf{z}^\top B \mathbf{z}$. Wrong: $B(\mathbf{z} - \mathbf{z}')^\top$.

    Wrong too: $\mathbf{z}^\top P$.
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch"), (7, "matmul-mismatch")]


def test_a_bare_letter_optimised_over_is_its_familys_member(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    States $\mathbf{s}_t \in \mathbb{R}^{p}$, actions $\mathbf{a}_t \in \mathbb{R}^{q}$, $D \in \mathbb{R}^{q \times q}$ and $G \in \mathbb{R}^{p \times q}$.

    $$\min_{\mathbf{a}} \mathbf{a}^\top D \mathbf{a}$$

    Right: $G\mathbf{a}$. Wrong: $\mathbf{a}^\top G$.
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_a_bare_letter_only_used_or_of_a_family_of_numbers_is_not_sized(
    tmp_path: Path,
) -> None:
    r"""Only a definition on the letter (or an optimisation over it) makes it a member:
    ``A\mathbf{x}`` beside ``\mathbf{x}_t`` says nothing of x; and ``y`` beside the numbers
    ``y_i`` is as often the vector of them (``L(y) = \|y - K\alpha\|^2`` is right)."""
    text = r"""
    %! main.md
    Let $\mathbf{x}_t \in \mathbb{R}^{n}$, $A \in \mathbb{R}^{m \times m}$, $y_i \in \mathbb{R}$, $K \in \mathbb{R}^{N \times N}$ and $\alpha \in \mathbb{R}^{N}$.

    Then $A\mathbf{x}$, and $L(y) = \|y - K\alpha\|^2$ where $y$ stacks the $y_i$.
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_definition_is_sized_by_an_apposition_naming_its_space(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $t \in \mathbb{R}$, $\mathbf{z}(t) \in \mathbb{R}^{n}$ and $C \in \mathbb{R}^{k \times m}$.
    The adjoint is $\mathbf{a}(t) = \partial L / \partial \mathbf{z}(t)$, a vector in $\mathbb{R}^{m}$.

    Right: $C\mathbf{a}(t)$. Wrong: $\mathbf{a}(t)\, C$.
    """
    assert codes_by_line(text, tmp_path) == [(4, "matmul-mismatch")]


def test_a_signals_value_transposed_is_its_transpose(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $t \in \mathbb{R}$, $\mathbf{g}(t) \in \mathbb{R}^{p}$ and $M \in \mathbb{R}^{p \times p}$.

    Right: $\mathbf{g}(t)^\top M \mathbf{g}(t)$ and $M + \mathbf{g}(t)\mathbf{g}(t)^\top$.

    Wrong: $\mathbf{g}(t)\, M$.
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_a_plain_parameter_is_no_member(tmp_path: Path) -> None:
    r"""A plain ``z`` beside the states ``z_k \in \mathbb{R}^{n}`` is the number of a
    transfer function: ``zI_n`` is no product of a vector with ``I_n``."""
    text = r"""
    %! main.md
    Let $z_k \in \mathbb{R}^{n}$, $A \in \mathbb{R}^{n \times n}$, $K \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{n \times m}$.

    The loop transfer is $\mathcal{L}(z) = K (z I_n - A)^{-1} B$.
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_further_member_keeps_the_generic_letter_unsized(
    tmp_path: Path,
) -> None:
    r"""Beside ``\mathbf{x}_{n+1}`` (another label than the family's ``i``) the generic
    ``\mathbf{x}`` is declared of kind ``MEMBER``, which does not make ``\mathbf{x}_{n+1}``
    its entry: the point stacked under X as a column is still reported (the generic x sized:
    tests/shapes/test_issue13_misses30.py)."""
    text = r"""
    %! main.md
    Inputs $\mathbf{x}_i \in \mathbb{R}^{d}$ are the rows of $X \in \mathbb{R}^{n \times d}$, with mean $m(\mathbf{x}) = 0$.

    Right: $\begin{bmatrix} X \\ \mathbf{x}_{n+1}^\top \end{bmatrix}$. Wrong: $\begin{bmatrix} X \\ \mathbf{x}_{n+1} \end{bmatrix}$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "block-mismatch")]
