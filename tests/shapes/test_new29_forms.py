r"""Forms met writing the set-29 documents (LaTeX papers, books and notes in new styles):
sizes written under a letter or as its subscript, ``\hdots``, ``^{\mathrm H}``, a sum of
inner products where the outer products fit, a family declared through an
optional-argument macro, and a definition stated in a proposition."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

# -- \underset{(n \times k)}{X} and \mathbf{A}_{m \times n} ---------------------------------

UNDERSET = r"""
%! ols.tex
\documentclass{book}
\begin{document}
The model is $\underset{(n\times 1)}{y} = \underset{(n\times k)}{X}\,\underset{(k\times 1)}{\beta} + \underset{(n\times 1)}{u}$.
Then $X^\top u + \beta$ and $X\beta - y$ hold.
But $X u$ does not, nor $\beta^\top X^\top - y$.
\end{document}
"""


def test_a_size_under_a_letter_declares_it(tmp_path: Path) -> None:
    # y, u: n-vectors, X: n×k, β: k-vector; X u (k against n) and a row minus a column
    assert codes_by_line(UNDERSET, tmp_path) == [(5, "add-mismatch"), (5, "matmul-mismatch")]


def test_a_size_under_a_letter_read_without_parentheses(tmp_path: Path) -> None:
    text = UNDERSET.replace("(n\\times k)", "n\\times k")
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch"), (5, "matmul-mismatch")]


SUBSCRIPT_SIZE = r"""
%! sizes.tex
\documentclass{article}
\begin{document}
Let $\mathbf{C}_{m\times n}$ be given, $w \in \mathbb{R}^m$ and $v \in \mathbb{R}^n$.
Then $\mathbf{C} v$ and $\mathbf{C}^\top w$ are fine, but $\mathbf{C} w$ is not.
With $\mathbf{0}_{m\times n}$ and $I_{n\times n}$ beside them, $I v$ and $\mathbf{C} I$ stay fine.
\end{document}
"""


def test_a_size_as_a_subscript_declares_nothing(tmp_path: Path) -> None:
    # A_{m \times n} is a leading block as often as a size (calculus/test_reasons.py)
    assert codes_by_line(SUBSCRIPT_SIZE, tmp_path) == []


def test_a_set_with_a_size_subscript_declares_nothing(tmp_path: Path) -> None:
    text = SUBSCRIPT_SIZE.replace(r"\mathbf{C}_{m\times n}", r"\mathcal{C}_{m\times n}")
    assert codes_by_line(text, tmp_path) == []


# -- \hdots in a matrix, ^{\mathrm H} ----------------------------------------------------------

HDOTS = r"""
%! cols.tex
\documentclass{article}
\begin{document}
Let $x_1, \dots, x_N \in \mathbb{R}^{p}$, $E \in \mathbb{R}^{n\times n}$, $F \in \mathbb{R}^{p\times p}$.
Let $Z = \begin{bmatrix} x_1 & \hdots & x_N \end{bmatrix}$. Then $F Z$ holds and $E Z$ does not.
\end{document}
"""


def test_hdots_between_columns_is_dots(tmp_path: Path) -> None:
    assert codes_by_line(HDOTS, tmp_path) == [(4, "matmul-mismatch")]


@pytest.mark.parametrize("mark", [r"^{\mathrm H}", r"^{\mathrm{H}}", r"^{\mathsf{H}}"])
def test_an_upright_h_is_the_conjugate_transpose(mark: str, tmp_path: Path) -> None:
    text = rf"""
%! herm.tex
\documentclass{{article}}
\begin{{document}}
Let $A \in \mathbb{{C}}^{{m\times n}}$ and $v \in \mathbb{{C}}^{{m}}$.
Then $A{mark} v$ and $A{mark} A$ hold; $A{mark} A + A A{mark}$ does not.
\end{{document}}
"""
    assert codes_by_line(text, tmp_path) == [(4, "add-mismatch")]


# -- λI + Σ_s x_s^T x_s ------------------------------------------------------------------------

DESIGN = r"""
%! design.tex
\documentclass{article}
\begin{document}
Let $\lambda > 0$ and contexts $\mathbf{x}_t \in \mathbb{R}^d$.
Then $V = \lambda\mathbf{I}_d + \sum_{s=1}^{t-1} \mathbf{x}_s\mathbf{x}_s^\top$ holds,
$V = \lambda\mathbf{I}_d + \sum_{s=1}^{t-1} \mathbf{x}_s^\top\mathbf{x}_s$ does not,
and $c = \lambda + \sum_{s=1}^{t-1} \mathbf{x}_s^\top\mathbf{x}_s$ is a number.
\end{document}
"""


def test_a_sum_of_inner_products_added_to_a_square_matrix(tmp_path: Path) -> None:
    assert codes_by_line(DESIGN, tmp_path) == [(5, "add-mismatch")]


# -- a family declared through an optional-argument macro ---------------------------------------

MACRO_FAMILY = r"""
%! bandit.tex
\documentclass{article}
\newcommand{\vect}[2][t]{\mathbf{#2}_{#1}}
\begin{document}
With $\lambda > 0$ and the played contexts $\vect{x} \in \mathbb{R}^d$,
$V = \lambda\mathbf{I}_d + \sum_{s<t}\vect[s]{x}\vect[s]{x}^\top$ holds, and
$V = \lambda\mathbf{I}_d + \sum_{s<t}\vect[s]{x}^\top\vect[s]{x}$ does not.
\end{document}
"""


def test_a_family_declared_through_a_macro_has_members_at_other_letters(tmp_path: Path) -> None:
    assert codes_by_line(MACRO_FAMILY, tmp_path) == [(6, "add-mismatch")]


def test_a_list_of_members_through_a_macro_makes_no_family(tmp_path: Path) -> None:
    # \vect[1]{x}, \dots: numbered members written, no label: x_s is not one of them
    text = MACRO_FAMILY.replace(r"$\vect{x} \in", r"$\vect[1]{x}, \dots, \vect[T]{x} \in")
    assert codes_by_line(text, tmp_path) == []


# -- a definition stated in a proposition -----------------------------------------------------

PROPOSITION = r"""
%! hmm.tex
\documentclass{article}
\newtheorem{prop}{Proposition}
\begin{document}
With $\mathbf{a}_t, \mathbf{b}_t \in \mathbb{R}^K$ and $\mathbf{e}_t \in \mathbb{R}^M$,
\begin{prop}
The posteriors are $\mathbf{g}_t = \frac{\mathbf{a}_t\odot\mathbf{b}_t}{\mathbf{a}_t^\top\mathbf{b}_t}$.
\end{prop}
Then $\operatorname{diag}(\mathbf{g}_t)\mathbf{a}_t$ holds and $\operatorname{diag}(\mathbf{g}_t)\mathbf{e}_t$ does not.
\end{document}
"""


def test_a_definition_stated_in_a_proposition_holds_after_it(tmp_path: Path) -> None:
    assert codes_by_line(PROPOSITION, tmp_path) == [(8, "matmul-mismatch")]


def test_a_definition_made_in_a_proof_stays_the_proofs(tmp_path: Path) -> None:
    text = PROPOSITION.replace(
        "\\end{prop}\n",
        "\\end{prop}\n\\begin{proof}\nLet $\\mathbf{h}_t = \\mathbf{a}_t$.\n\\end{proof}\n",
    ).replace(r"diag}(\mathbf{g}_t)\mathbf{e}_t", r"diag}(\mathbf{h}_t)\mathbf{e}_t")
    assert codes_by_line(text, tmp_path) == []


def test_a_letter_defined_twice_keeps_each_definition_to_its_place(tmp_path: Path) -> None:
    text = PROPOSITION.replace(
        "\\end{document}",
        "Later $\\mathbf{g}_t = \\mathbf{e}_t$ anew.\n\\end{document}",
    )
    assert codes_by_line(text, tmp_path) == []
