r"""Forms met in backprop notes (session 30): the rows of a matrix defined by a formula
("$P = \operatorname{softmax}(Z_2)$ … Here $\mathbf p_i^\top$ is the $i$-th row of $P$"), and a
declaration in the paragraph that explains the display just before it ("$$ … $$ ⏎⏎ Here
$\mathbf y_i^\top$ and $\mathbf p_i^\top$ are the $i$-th rows of $Y$ and $P$")."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, codes_by_line

# -- the rows of a defined matrix ------------------------------------------------------------

DEFINED = r"""
%! t5.md
Let $Z \in \mathbb{R}^{B \times C}$ and $\mathbf w \in \mathbb R^{B}$, and $P = 2 Z$.
Here $\mathbf p_i^\top$ is the $i$-th row of $P$, and $\mathbf q_j$ is the $j$-th column of $Q$.

Then $\mathbf p_i^\top \mathbf w$ is wrong, $\mathbf q_j^\top \mathbf w$ unknown (no $Q$).
"""


def test_a_row_of_a_matrix_defined_by_a_formula(tmp_path: Path) -> None:
    # p_i takes P's columns (C) where P = 2Z is B×C; q_j of a Q nothing sizes stays unknown
    assert codes_by_line(DEFINED, tmp_path) == [(4, "matmul-mismatch")]
    _, result = check_fixture(tmp_path, DEFINED)
    assert result.table.stacked["p_{i}"][0].how == "row of"
    (error,) = [d for d in result.diagnostics if d.code == "matmul-mismatch"]
    assert "is 1×C" in error.message


COLUMNS = r"""
%! cols.md
Let $X \in \mathbb{R}^{n \times d}$ and $\mathbf v \in \mathbb{R}^{d}$, and $G = X^\top X$
with $W = X G$; here $\mathbf w_j$ is the $j$-th column of $W$.

Fine: $\mathbf w_j^\top X$. Wrong: $\mathbf w_j^\top \mathbf v$.
"""


def test_a_column_of_a_defined_matrix(tmp_path: Path) -> None:
    # W = XG is n×d: its columns have n entries (w_j^T X is fine, w_j^T v is not)
    assert codes_by_line(COLUMNS, tmp_path) == [(4, "matmul-mismatch")]


DECLARED_LATER = r"""
%! later.md
Let $Z \in \mathbb{R}^{B \times C}$, $\mathbf w \in \mathbb R^{B}$ and $P = 2 Z$.
Here $\mathbf p_i^\top$ is the $i$-th row of $P$.

## Another section

Here $\mathbf p_i^\top \mathbf w$ is not checked: the statement was another section's.
"""


def test_a_row_statement_holds_in_its_section(tmp_path: Path) -> None:
    assert codes_by_line(DECLARED_LATER, tmp_path) == []


# -- a declaration explaining the display before it ------------------------------------------

EXPLAINED = r"""
%! post.md
Let $Y \in \{0, 1\}^{B \times C}$, $Z \in \mathbb{R}^{B \times C}$ and $\mathbf u \in \mathbb{R}^{B}$.

$$
\begin{aligned}
P &= \operatorname{softmax}(Z), \\
L &= -\frac{1}{B} \sum_{i=1}^{B} \mathbf y_i^\top \mathbf u + \mathbf p_i^\top \mathbf u .
\end{aligned}
$$

Here $\mathbf y_i^\top$ and $\mathbf p_i^\top$ are the $i$-th rows of $Y$ and $P$.
"""


def test_rows_said_in_the_paragraph_after_the_display(tmp_path: Path) -> None:
    # both members are C-vectors, used against a B-vector in the display before the sentence
    assert codes_by_line(EXPLAINED, tmp_path) == [(6, "matmul-mismatch"), (6, "matmul-mismatch")]


WHERE = r"""
%! where.md
Let $A \in \mathbb{R}^{m \times n}$.

$$
\mathbf y = A \mathbf x + \mathbf b .
$$

where $\mathbf x \in \mathbb{R}^{m}$ and $\mathbf b \in \mathbb{R}^{m}$.

$$
\mathbf c = A \mathbf z .
$$

Then things happen. Here $\mathbf z \in \mathbb{R}^{m}$.
"""


def test_a_where_paragraph_after_a_display(tmp_path: Path) -> None:
    # x is sized by the "where" paragraph just after its display; z by nothing before its use
    # (the paragraph after its display does not open with the explanation)
    assert codes_by_line(WHERE, tmp_path) == [(4, "matmul-mismatch")]


PROSE_BEFORE = r"""
%! prose.md
Let $A \in \mathbb{R}^{m \times n}$. We use $A \mathbf x$ in prose, then a display:

$$
\mathbf c = 2 A .
$$

where $\mathbf x \in \mathbb{R}^{m}$.
"""


def test_a_use_in_the_prose_before_the_display_is_not_explained(tmp_path: Path) -> None:
    assert codes_by_line(PROSE_BEFORE, tmp_path) == []


# -- after an edit: what a fresh check gives -------------------------------------------------


def test_edits_to_the_explaining_paragraph_and_the_family_give_a_fresh_check(
    tmp_path: Path,
) -> None:
    # the word that opens the paragraph, a $ typed in the display, the blank line, the
    # matrix's definition and the family's statement: each edit, and its undoing
    from tests.test_incremental import _everything
    from texgrad.shapes.check import Checker

    text = EXPLAINED.split("\n", 2)[2]
    path = tmp_path / "post.md"
    edits = [
        text.replace("Here $\\mathbf y", "Then $\\mathbf y"),
        text.replace("\\mathbf u .", "\\mathbf u . $"),
        text.replace("$$\n\nHere", "$$\n\n\nHere"),
        text.replace("$$\n\nHere", "$$\nHere"),
        text.replace("P &= \\operatorname{softmax}(Z)", "P &= \\operatorname{softmax}(Z)^\\top"),
        text.replace("rows of $Y$ and $P$", "rows of $Y$ and $Q$"),
        text.replace("$\\mathbf y_i^\\top$ and $\\mathbf p_i^\\top$", "$\\mathbf y_i^\\top$"),
    ]
    for edited in edits:
        for first, second in ((text, edited), (edited, text)):
            checker = Checker()
            checker.check(str(path), None, tmp_path, first)
            got = checker.check(str(path), None, tmp_path, second)
            assert _everything(got) == _everything(
                Checker().check(str(path), None, tmp_path, second)
            )
    fresh = Checker().check(str(path), None, tmp_path, edits[0])
    assert [d.code for d in fresh.diagnostics] == []  # "Then …" explains no display: unsized
