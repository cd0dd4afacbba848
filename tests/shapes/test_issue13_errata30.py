r"""Issue 13, session 30: an errata list sizes nothing (its prose sizes the wrong formula it
quotes, its equations define the wrong letter), and the known misses turned into rules.
Each with a planted error and a trap."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line
from texgrad.shapes.check import Checker

# -- an errata list sizes nothing ---------------------------------------------------------------

ERRATA_MD = r"""
%! pca.md
# PCA notes

Let $X \in \mathbb{R}^{n \times p}$ be the centred data and $W \in \mathbb{R}^{p \times k}$ the loadings.

## Errata
- p. 3: $\Sigma = \frac{1}{n} X X^\top$ should read $\Sigma = \frac{1}{n} X^\top X$.
- p. 5: $\Sigma = \frac{1}{n} X X^\top$ is an $n \times n$ matrix, not the covariance.

## Projection
The projected variance is $\operatorname{tr}(W^\top \Sigma W)$ and the scores are $Z = X W$.
A slip: $W X$.
"""


def test_an_errata_list_sizes_nothing_in_markdown(tmp_path: Path) -> None:
    # main: Σ n×n from the errata's prose, and the right formula of p. 3 against the wrong one
    # (three false errors); the slip after them is still found
    assert codes_by_line(ERRATA_MD, tmp_path) == [(11, "matmul-mismatch")]


@pytest.mark.parametrize(
    "heading",
    [r"\section*{Errata}", r"\subsection{Common mistakes}", r"\paragraph{Common mistakes}"],
)
def test_an_errata_list_sizes_nothing_in_latex(tmp_path: Path, heading: str) -> None:
    text = rf"""
    %! main.tex
    \documentclass{{article}}
    \begin{{document}}
    \section{{Setup}}
    Let $X \in \mathbb{{R}}^{{n \times p}}$ and $W \in \mathbb{{R}}^{{p \times k}}$.
    {heading}
    On p.~3, $\Sigma = \frac{{1}}{{n}} X X^\top$ should read $\Sigma = \frac{{1}}{{n}} X^\top X$.
    On p.~5, $\Sigma = \frac{{1}}{{n}} X X^\top$ is an $n \times n$ matrix, not the covariance.
    \section{{Projection}}
    The variance kept is $\operatorname{{tr}}(W^\top \Sigma W)$. Wrong: $W X$.
    \end{{document}}
    """
    assert codes_by_line(text, tmp_path) == [(9, "matmul-mismatch")]


def test_outside_an_errata_list_the_same_prose_sizes(tmp_path: Path) -> None:
    # the same sentence under another heading declares Σ n×n: the use after it is a mismatch
    text = ERRATA_MD.replace("## Errata", "## Remarks").replace("should read", "and")
    assert codes_by_line(text, tmp_path) == [
        (6, "equation-mismatch"),
        (10, "matmul-mismatch"),
        (11, "matmul-mismatch"),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [("## Errata", "## Projection notes"), ("## Errata", "## Summary"), ("Errata", "Err")],
)
@pytest.mark.parametrize("direction", ["renamed", "back"])
def test_an_errata_heading_edited_gives_a_fresh_check(
    tmp_path: Path, before: str, after: str, direction: str
) -> None:
    text = "\n".join(ERRATA_MD.strip().splitlines()[1:]) + "\n"
    edited = text.replace(before, after, 1)
    first, then = (text, edited) if direction == "renamed" else (edited, text)
    path = tmp_path / "pca.md"
    path.write_text(first)
    checker = Checker()
    checker.check(str(path), None, tmp_path, first)
    again = checker.check(str(path), None, tmp_path, then)
    fresh = Checker().check(str(path), None, tmp_path, then)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]
    plain = Checker().check(str(path), None, tmp_path, text).diagnostics
    renamed = Checker().check(str(path), None, tmp_path, edited).diagnostics
    assert len(plain) == 1 and len(renamed) > 1  # (the edit decides something)


ERRATA_TEX = r"""\documentclass{article}
\begin{document}
\section{Setup}
Let $X \in \mathbb{R}^{n \times p}$ and $W \in \mathbb{R}^{p \times k}$.

\paragraph{Common mistakes}
On p.~3, $\Sigma = \frac{1}{n} X X^\top$ should read $\Sigma = \frac{1}{n} X^\top X$.

On p.~5, $\Sigma = \frac{1}{n} X X^\top$ is an $n \times n$ matrix, not the covariance.
\paragraph{Projection}
The variance kept is $\operatorname{tr}(W^\top \Sigma W)$. Wrong: $W X$.
\end{document}
"""


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Common mistakes", "Results"),
        ("\n\nOn p.~5", "\n\\paragraph{Notes}\nOn p.~5"),
        ("\\paragraph{Common mistakes}", "Next."),
    ],
)
@pytest.mark.parametrize("direction", ["renamed", "back"])
def test_a_run_in_errata_heading_edited_gives_a_fresh_check(
    tmp_path: Path, before: str, after: str, direction: str
) -> None:
    from texgrad.reading.project import load_project

    edited = ERRATA_TEX.replace(before, after, 1)
    first, then = (ERRATA_TEX, edited) if direction == "renamed" else (edited, ERRATA_TEX)
    path = tmp_path / "main.tex"
    path.write_text(first)
    project = load_project(path, folder=tmp_path)
    checker = Checker()
    checker.check(str(path), project, tmp_path, first)
    again = checker.check(str(path), project, tmp_path, then)
    fresh = Checker().check(str(path), project, tmp_path, then)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]
    plain = Checker().check(str(path), project, tmp_path, ERRATA_TEX).diagnostics
    renamed = Checker().check(str(path), project, tmp_path, edited).diagnostics
    assert [d.code for d in plain] == ["matmul-mismatch"] and len(renamed) > 1


# -- "for every $\mathbf a$ in $\mathbb R^n$" sizes its letter ----------------------------------


@pytest.mark.parametrize(
    ("said", "use"),
    [
        (r"For every $\mathbf a$ in $\mathbb R^n$", r"\mathbf a"),
        (r"For all $x$ in $\mathbb R^{n}$", "x"),
        (r"for any vector $x$ in $\mathbb{R}^{n}$", "x"),
        (r"For each $\mathbf a$ in $\mathbb{R}^{n \times 1}$", r"\mathbf a"),
    ],
)
def test_a_letter_taken_for_every_member_of_a_space_is_sized(
    tmp_path: Path, said: str, use: str
) -> None:
    text = rf"""
    %! main.md
    Let $A \in \mathbb{{R}}^{{m \times n}}$.
    {said}, $A {use}$ is defined, $\lVert A {use} \rVert \le \lVert A \rVert \lVert {use} \rVert$, but ${use} A$ is not.
    """
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch")]


def test_a_matrix_taken_for_any_member_of_a_space_is_sized(tmp_path: Path) -> None:
    text = r"""
    %! main.md
    Let $A \in \mathbb{R}^{m \times n}$.
    For any matrix $B$ in $\mathbb R^{m\times n}$, $A^\top B$ is square and $A B$ is not defined.
    For any square $C$, $(AC)^{-1}$ needs more: $C$ is any matrix here, $C A$ says nothing.
    """
    assert codes_by_line(text, tmp_path) == [(2, "matmul-mismatch")]


# -- \mathbb{1}_N as the identity where the document uses it so ----------------------------------

ONE_IDENTITY = r"""
%! modes.md
Let $U \in \mathbb{R}^{N \times r}$ with orthonormal columns, $U^\top U = \mathbb{1}_r$, and
$\Omega \in \mathbb{R}^{r \times r}$ diagonal. The resolvent $(\Omega - \omega^2\mathbb{1}_r)^{-1}$
is $r \times r$ and $U(\Omega - \omega^2\mathbb{1}_r)^{-1}U^\top$ is $N \times N$;
the draft's $(\Omega - \omega^2\mathbb{1}_N)^{-1}$ has the wrong size.
"""


def test_a_blackboard_one_used_as_the_identity_is_the_identity(tmp_path: Path) -> None:
    assert codes_by_line(ONE_IDENTITY, tmp_path) == [(4, "add-mismatch")]


def test_a_blackboard_one_not_said_to_be_the_identity_is_left(tmp_path: Path) -> None:
    # the ones vector (X^T 1_n), an indicator: nothing says which, so nothing is said of it
    text = ONE_IDENTITY.replace(r"$U^\top U = \mathbb{1}_r$", "as the text says")
    assert codes_by_line(text, tmp_path) == []
    ones = r"""
    %! means.md
    Let $X \in \mathbb{R}^{n \times p}$; the column means are $\frac{1}{n} X^\top \mathbb{1}_n$
    and $X - \frac{1}{n}\mathbb{1}_n \mathbb{1}_n^\top X$ is centred.
    """
    assert codes_by_line(ones, tmp_path) == []


@pytest.mark.parametrize("direction", ["said", "unsaid"])
def test_a_blackboard_identity_said_or_unsaid_gives_a_fresh_check(
    tmp_path: Path, direction: str
) -> None:
    text = "\n".join(ONE_IDENTITY.strip().splitlines()[1:]) + "\n"
    edited = text.replace(r"U^\top U = \mathbb{1}_r", r"U^\top U \ne 0")
    first, then = (edited, text) if direction == "said" else (text, edited)
    path = tmp_path / "modes.md"
    path.write_text(first)
    checker = Checker()
    checker.check(str(path), None, tmp_path, first)
    again = checker.check(str(path), None, tmp_path, then)
    fresh = Checker().check(str(path), None, tmp_path, then)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]
    assert len(Checker().check(str(path), None, tmp_path, text).diagnostics) == 1
    assert Checker().check(str(path), None, tmp_path, edited).diagnostics == []


# -- a bar the document marks adjoints with has its letter's shape -------------------------------

BAR_ADJOINT = r"""
%! backprop.md
Let $X \in \mathbb R^{B \times d}$, $\boldsymbol\beta \in \mathbb R^d$ and $Y = X + \mathbf 1_B\boldsymbol\beta^\top$.
With the upstream gradient $\bar Y \in \mathbb R^{B\times d}$, $\bar X = \bar Y$ and $\bar{\boldsymbol\beta} = \bar Y^\top\mathbf 1_B$.

A student wrote $\bar{\boldsymbol\beta} = \bar Y\mathbf 1_d$.
"""


def test_a_bar_marking_an_adjoint_has_its_letters_shape(tmp_path: Path) -> None:
    assert codes_by_line(BAR_ADJOINT, tmp_path) == [(4, "equation-mismatch")]


def test_a_bar_not_said_to_mark_adjoints_is_left(tmp_path: Path) -> None:
    # a mean: \bar x of the sample x \in R^n is a number
    assert codes_by_line(BAR_ADJOINT.replace("upstream gradient", "matrix"), tmp_path) == []
    mean = r"""
    %! mean.md
    Let $x \in \mathbb R^n$ be the sample and $\bar x = \frac{1}{n}\mathbf 1_n^\top x$ its mean;
    the upstream gradients are not used here, and $x - \bar x\mathbf 1_n$ is centred.
    """
    assert codes_by_line(mean, tmp_path) == []


@pytest.mark.parametrize("direction", ["said", "unsaid"])
def test_bars_said_or_unsaid_to_mark_adjoints_give_a_fresh_check(
    tmp_path: Path, direction: str
) -> None:
    text = "\n".join(BAR_ADJOINT.strip().splitlines()[1:]) + "\n"
    edited = text.replace("upstream gradient", "matrix")
    first, then = (edited, text) if direction == "said" else (text, edited)
    path = tmp_path / "backprop.md"
    path.write_text(first)
    checker = Checker()
    checker.check(str(path), None, tmp_path, first)
    again = checker.check(str(path), None, tmp_path, then)
    fresh = Checker().check(str(path), None, tmp_path, then)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]
    assert len(Checker().check(str(path), None, tmp_path, text).diagnostics) == 1
    assert Checker().check(str(path), None, tmp_path, edited).diagnostics == []


# -- Adam: \sqrt of a vector and \epsilon\mathbf 1 keep the vector's shape ----------------------

ADAM = r"""
%! adam.md
Parameters $\boldsymbol\theta \in \mathbb{R}^p$; $\oslash$ is the entrywise division.

$$
\hat{\mathbf m}_t = \mathbf m_t / (1-\beta_1^t), \qquad \hat{\mathbf v}_t = \mathbf v_t/(1-\beta_2^t)
$$

The moments $\mathbf m_t, \mathbf v_t$ live in $\mathbb{R}^p$ like $\boldsymbol\theta$. Here $\epsilon > 0$.

A slip: $\boldsymbol\theta_t = \boldsymbol\theta_{t-1} - \alpha\,\hat{\mathbf m}_t^\top \oslash (\sqrt{\hat{\mathbf v}_t} + \epsilon\mathbf 1)$.
"""


def test_adams_step_with_a_square_root_and_a_scaled_ones(tmp_path: Path) -> None:
    # main: \sqrt{\hat v_t} has no shape, nor has \sqrt{…} + \epsilon 1
    assert codes_by_line(ADAM, tmp_path) == [(9, "elementwise-mismatch")]


@pytest.mark.parametrize(
    ("term", "found"),
    [
        (r"(\sqrt{\mathbf v} + \epsilon\mathbf 1)", True),
        (r"(\mathbf v - 2\mathbf 1)", True),
        (r"\sqrt{\mathbf v}", True),
        (r"(\mathbf v + \epsilon\mathbf 1^\top)", False),  # (the ones row: broadcast, unsaid)
        (r"(\mathbf v + \mathbf u\mathbf 1)", False),  # (u unknown: not a scaled ones)
    ],
)
def test_a_scaled_ones_and_a_square_root_keep_the_shape(
    tmp_path: Path, term: str, found: bool
) -> None:
    text = rf"""
    %! step.md
    Let $\mathbf m, \mathbf v \in \mathbb{{R}}^p$ and $\epsilon > 0$: $\mathbf m^\top \oslash {term}$.
    """
    assert codes_by_line(text, tmp_path) == ([(1, "elementwise-mismatch")] if found else [])


# -- \nabla_\mu \ell^\top of a loss; h' of h = \tanh ---------------------------------------------


def test_the_gradient_of_a_loss_written_with_a_transpose_is_a_row(tmp_path: Path) -> None:
    text = r"""
    %! ng.md
    Let $\bm\mu \in \mathbb R^p$ and $\bm\Sigma \in \mathbb R^{p \times p}$; the step on a loss $\ell(\bm\mu)$ is
    $\bm\mu - \eta\,\bm\Sigma\nabla_{\bm\mu}\ell$ (right) and $\bm\mu - \eta\,\nabla_{\bm\mu}\ell^\top\bm\Sigma$ (wrong),
    while $\nabla_{\bm\mu}\ell\,\nabla_{\bm\mu}\ell^\top + \bm\Sigma$ is an outer product.
    """
    assert codes_by_line(text, tmp_path) == [(2, "add-mismatch")]


def test_the_derivative_of_a_function_named_entrywise_is_entrywise(tmp_path: Path) -> None:
    text = r"""
    %! planar.md
    Let $\mathbf u, \mathbf w, \mathbf z \in \mathbb{R}^D$, $b \in \mathbb R$ and $h = \tanh$.
    Right: $\det(I_D + h'(\mathbf w^\top\mathbf z + b)\,\mathbf u\mathbf w^\top) = 1 + h'(\mathbf w^\top\mathbf z + b)\,\mathbf w^\top\mathbf u$.
    Wrong: $\det(I_D + h'(\mathbf w^\top\mathbf z + b)\,\mathbf w^\top\mathbf u)$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch")]


def test_a_root_of_a_formula_is_not_sized(tmp_path: Path) -> None:
    # cs229m's NTK notes: \sigma_{\min} (\Phi\Phi^\top) under the root reads as a product, and
    # sized as the matrix it made \sigma_{\min} a function of n×p matrices, then flagged its use
    text = r"""
    %! ntk.md
    Let $\Phi \in \mathbb{R}^{n \times p}$ with $p \ge n$. Then
    $\sigma = \sigma_{\min} (\Phi) = \sqrt{\sigma_{\min} \left( \Phi \Phi^\top \right)}$
    and $\sigma_{\min} \left( \Phi \Phi^\top \right) > 0$.
    """
    assert codes_by_line(text, tmp_path) == []
