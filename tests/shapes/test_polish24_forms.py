r"""Forms users meet that texgrad read wrongly or not at all (set 24, polish): ``\Re^n`` and
a plain ``R^n`` for the reals (the latter only where no R is anything else), and the other
readings this file's tests name."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, codes_by_line


def test_re_raised_to_a_size_is_the_reals(tmp_path: Path) -> None:
    text = r"""
    %! notes.md
    Let $A \in \Re^{m \times n}$, $x \in \Re^n$ and $\alpha \in \Re$.

    $$ y = \alpha A x $$

    $$ z = x A $$
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_a_plain_r_is_the_reals_where_the_document_writes_them_no_other_way(
    tmp_path: Path,
) -> None:
    text = r"""
    %! notes.md
    Let $X \in R^{n \times p}$, $y \in R^n$ and $w \in R^p$.

    $$ r = y - X w $$

    $$ s = w X $$
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_a_plain_r_is_not_the_reals_where_r_is_a_matrix(tmp_path: Path) -> None:
    # the same slip, but R is a rotation here: no R is read as the reals, nothing is declared
    for extra in (r"the rotation $R$ and", r"$R = A^\top A$ and", r"$R x$ and"):
        text = rf"""
        %! notes.md
        Let {extra} $X \in R^{{n \times p}}$, $y \in R^n$ and $w \in R^p$.

        $$ s = w X $$
        """
        assert codes_by_line(text, tmp_path) == [], extra


def test_a_plain_r_is_not_the_reals_beside_the_blackboard_reals(tmp_path: Path) -> None:
    text = r"""
    %! notes.md
    Let $X \in R^{n \times p}$, $y \in \mathbb{R}^n$ and $w \in R^p$.

    $$ s = w X $$
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_matrix_whose_rows_are_the_listed_samples_is_sized_by_them(tmp_path: Path) -> None:
    text = r"""
    %! notes.md
    Let $x_1, \dots, x_n \in \mathbb{R}^d$ and $w \in \mathbb{R}^d$; the rows of $X$ are the $x_i^\top$.

    $$ r = X w $$

    $$ s = w X $$
    """
    fx, result = check_fixture(tmp_path, text)
    assert str(result.table.declarations["X"][0].shape) == "Shape(rows=n, cols=d)"
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_columns_stack_the_other_way_and_a_declared_matrix_is_kept(tmp_path: Path) -> None:
    text = r"""
    %! notes.md
    Let $v_1, \dots, v_k \in \mathbb{R}^m$; the columns of $V$ are the $v_j$.

    $$ u = V^\top v_1 $$
    """
    _, result = check_fixture(tmp_path, text)
    assert str(result.table.declarations["V"][0].shape) == "Shape(rows=m, cols=k)"
    declared = r"""
    %! notes.md
    Let $X \in \mathbb{R}^{p \times q}$ and $x_1, \dots, x_n \in \mathbb{R}^d$; the rows of $X$ are the $x_i^\top$.
    """
    _, result = check_fixture(tmp_path, declared)
    assert [str(d.shape) for d in result.table.declarations["X"]] == ["Shape(rows=p, cols=q)"]


def test_no_count_no_size(tmp_path: Path) -> None:
    text = r"""
    %! notes.md
    Let $x_i \in \mathbb{R}^d$ be the samples; the rows of $X$ are the $x_i^\top$.
    """
    _, result = check_fixture(tmp_path, text)
    assert "X" not in result.table.declarations
