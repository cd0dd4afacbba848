r"""Where texgrad cannot evaluate the right side of a written derivative, ``--explain`` (and
the hover) names the cause in the document's words: a letter that names a derivative of a
function the document never defines (``\boldsymbol\delta = \partial \mathcal L / \partial
\mathbf z``), or one defined by a formula holding a letter of no shape (``\mu_i = t_i
\exp(…)``) — never a bare "cannot evaluate its right side"."""

from __future__ import annotations

from texgrad.calculus import written_derivatives as wd
from texgrad.calculus.unchecked import CLAIM, REFUSED, explain
from texgrad.shapes.check import Checker


def _said(text: str) -> list[str]:
    checked = Checker().check("doc.md", text=text)
    tally = wd.Tally()
    wd.check_written(checked, 60.0, tally=tally, only_findings=True)
    return [u.message for u in explain(checked, tally.undecided) if u.code == CLAIM]


GLM = (
    r"Counts $y_i \in \{0, 1, 2, \dots\}$ for $i = 1, \dots, n$, rows $\mathbf{x}_i \in "
    r"\mathbb{R}^p$ of $X \in \mathbb{R}^{n \times p}$, $\boldsymbol\beta \in \mathbb{R}^p$ and "
    r"$\mu_i = \exp(\mathbf{x}_i^\top \boldsymbol\beta)$."
    "\n\n$$\n\\ell(\\boldsymbol\\beta) = \\sum_{i=1}^n \\left( y_i\\, \\mathbf{x}_i^\\top"
    "\\boldsymbol\\beta - \\exp(\\mathbf{x}_i^\\top\\boldsymbol\\beta) \\right).\n$$\n\n"
)


def test_a_redefinition_holding_a_letter_of_no_shape_is_named() -> None:
    text = GLM + (
        r"With an offset, $\mu_i = t_i \exp(\mathbf{x}_i^\top\boldsymbol\beta)$ and "
        r"$\nabla\ell(\boldsymbol\beta) = X^\top(\mathbf{y} - \boldsymbol\mu)$."
        "\n"
    )
    assert _said(text) == [
        "this derivative is not checked: texgrad cannot evaluate its right side: "
        "`\\boldsymbol\\mu` is defined by `\\mu_i = t_i \\exp(\\mathbf{x}_i^\\top"
        "\\boldsymbol\\bet…` (line 7), in which `t_i` has no shape"
    ]


MLP = r"""\newcommand{\R}{\mathbb{R}}
\newcommand{\mX}{\mathbf{X}}
\newcommand{\vx}{\bm{x}}
\newcommand{\vh}{\bm{h}}
\newcommand{\vdelta}{\bm{\delta}}
\newcommand{\T}{^{\mathsf{T}}}
\newcommand{\softmax}{\operatorname{softmax}}
\newcommand{\norm}[1]{\left\lVert #1 \right\rVert}
\begin{document}
\section{Backpropagation through the MLP}
Layer $l = 1, \dots, L$ has $W^{(l)} \in \R^{n_l \times n_{l-1}}$ and $\bm{b}^{(l)} \in \R^{n_l}$;
with $\vh^{(0)} = \vx \in \R^{n_0}$,
\begin{equation}
  \bm{z}^{(l)} = W^{(l)} \vh^{(l-1)} + \bm{b}^{(l)}, \qquad \vh^{(l)} = \phi(\bm{z}^{(l)}),
\end{equation}
where $\phi(t) = \max(0, t)$ acts entrywise. Writing $\vdelta^{(l)} = \partial \mathcal{L} / \partial \bm{z}^{(l)}$,
\begin{align}
  \vdelta^{(l)} &= \big(W^{(l+1)}\T \vdelta^{(l+1)}\big) \odot \phi'(\bm{z}^{(l)}), \\
  \frac{\partial \mathcal{L}}{\partial W^{(l)}} &= \vdelta^{(l)} \vh^{(l-1)\mathsf{T}}, \qquad
  \frac{\partial \mathcal{L}}{\partial \bm{b}^{(l)}} = \vdelta^{(l)} .
\end{align}
A frequent mistake is $\vdelta^{(l)} = (W^{(l)}\T \vdelta^{(l+1)}) \odot \phi'(\bm{z}^{(l)})$.
The weight gradient is sometimes written $\vh^{(l-1)} \vdelta^{(l)\mathsf{T}}$, which has the shape of $W^{(l)\mathsf{T}}$.
\end{document}
"""


def _explained(text: str, path: str) -> list[tuple[str, str]]:
    checked = Checker().check(path, text=text)
    tally = wd.Tally()
    wd.check_written(checked, 60.0, tally=tally, only_findings=True)
    return [(u.code, u.message) for u in explain(checked, tally.undecided)]


def test_a_derivative_of_an_undefined_loss_is_named() -> None:
    said = [m for code, m in _explained(MLP, "mlp.tex") if code == CLAIM]
    cause = (
        "this derivative is not checked: texgrad cannot evaluate its right side: "
        "`\\vdelta^{(l)}` is a derivative of `\\mathcal{L}` (line 16), which the "
        "document does not define"
    )
    assert said[1:] == [cause, cause]  # (∂L/∂W and ∂L/∂b, both in δ)


def test_a_recursion_is_named_as_the_reason_with_the_family_to_declare() -> None:
    refused = [m for code, m in _explained(MLP, "mlp.tex") if code == REFUSED]
    tail = (
        "by a recursion in `\\vdelta^{(l+1)}`, a member of the same family, whose shape the "
        "document does not declare — declare the family, e.g. `\\vdelta^{(l)} \\in "
        "\\mathbb{R}^{n_l}`"
    )
    assert refused == [
        f"cannot differentiate `\\vdelta^{{(l)}}`: it is defined {tail}",
        "cannot differentiate `\\vh^{(l-1)} \\vdelta^{(l)\\mathsf{T}}`: `\\vdelta^{(l)}` is "
        f"defined (line 18) {tail}",
    ]


def test_declaring_the_family_as_suggested_lifts_the_refusal() -> None:
    declared = MLP.replace("where $\\phi", "with $\\vdelta^{(l)} \\in \\R^{n_l}$, where $\\phi")
    assert declared != MLP
    assert [m for code, m in _explained(declared, "mlp.tex") if code == REFUSED] == []


PORTFOLIO = r"""\documentclass{article}
\newcommand{\1}{\mathbf{1}}
\newcommand{\bw}{\mathbf{w}}
\newcommand{\bmu}{\boldsymbol{\mu}}
\begin{document}
Returns $\bmu \in \mathbb{R}^n$, covariance $\Sigma \in \mathcal{S}_{++}^n$, weights
$\bw \in \mathbb{R}^n$. Adding $\bmu^\top \bw = r$ with multipliers
$\gamma_1, \gamma_2 \in \mathbb{R}$, the KKT system is
\[
  \begin{bmatrix} \Sigma & \bmu & \1 \\ \bmu^\top & 0 & 0 \\ \1^\top & 0 & 0 \end{bmatrix}
  \begin{bmatrix} \bw \\ -\gamma_1 \\ -\gamma_2 \end{bmatrix}
  = \begin{bmatrix} \mathbf{0} \\ r \\ 1 \end{bmatrix}.
\]
Writing $A = [\bmu \;\; \1] \in \mathbb{R}^{n \times 2}$ and $\mathbf{b} = (r, 1)^\top$,
\[
  \bw^* = \Sigma^{-1} A (A^\top \Sigma^{-1} A)^{-1} \mathbf{b}.
\]
\end{document}
"""


def test_an_equation_of_matrices_and_a_vector_by_its_entries_state_no_function() -> None:
    refused = [m for code, m in _explained(PORTFOLIO, "p.tex") if code == REFUSED]
    assert refused == [
        "cannot differentiate `\\bw^*`: `\\mathbf{b}` is written by its entries "
        "(`(r, 1)^\\top`, line 14), which texgrad does not read as a vector yet"
    ]


def test_a_letter_set_equal_to_a_scalar_is_suggested_as_a_scalar() -> None:
    said = [m for code, m in _explained(PORTFOLIO, "p.tex") if m.startswith("`r` has no shape")]
    assert said == [
        "`r` has no shape: it is never declared (its use suggests a scalar); declare it, e.g. "
        "`r \\in \\mathbb{R}` (the row using it is not checked)"
    ]


SAMPLES = (
    "Let $\\mathbf{x}_1, \\dots, \\mathbf{x}_n \\in \\mathbb{R}^d$ and $\\mathbf{w} \\in "
    "\\mathbb{R}^d$.\n\nThe score is $s = \\sum_{i=1}^n g(\\mathbf{w}^\\top \\mathbf{x}_i)$.\n"
)


def test_a_sum_through_an_undefined_function_offers_nothing_and_says_why() -> None:
    from texgrad.calculus.context import context_at
    from texgrad.calculus.planning import plans_of
    from texgrad.calculus.refusals import refusal_at

    checked = Checker().check("notes.md", text=SAMPLES)
    at = SAMPLES.index("s = ")
    row = next(r for r in checked.rows if r.start <= at < r.end)
    assert plans_of(row, context_at(checked, row)) == []  # (diff refuses it: no action)
    why = (
        "`g` is not defined in the document: define it (e.g. `g(a) = …`) to differentiate "
        "the sum through it"
    )
    refused = refusal_at(checked, at)
    assert refused is not None and refused.reason == why
    assert [m for code, m in _explained(SAMPLES, "notes.md") if code == REFUSED] == [
        f"cannot differentiate `s`: {why}"
    ]


def test_the_same_sum_through_a_defined_function_is_planned() -> None:
    from texgrad.calculus.context import context_at
    from texgrad.calculus.planning import plans_of

    text = SAMPLES.replace("The score", "With $g(u) = u^2$, the score")
    checked = Checker().check("notes.md", text=text)
    at = text.index("s = ")
    row = next(r for r in checked.rows if r.start <= at < r.end)
    assert [p.wrt for p in plans_of(row, context_at(checked, row))] == ["\\mathbf{w}"]


RIDGE = (
    "Let $X \\in \\mathbb{R}^{n \\times p}$, $\\mathbf{y} \\in \\mathbb{R}^n$ and "
    "$\\boldsymbol\\beta \\in \\mathbb{R}^p$. The residual is $\\mathbf{r} = \\mathbf{y} - "
    "X\\boldsymbol\\beta$ and the loss\n$$\nJ(\\boldsymbol\\beta) = \\|\\mathbf{r}\\|^2 + "
    "\\lambda \\|\\boldsymbol\\beta\\|^2 .\n$$\n"
    "Its gradient is $\\nabla J(\\boldsymbol\\beta) = -2X^\\top\\mathbf{r} + "
    "2\\lambda\\boldsymbol\\beta$.\n\n"
    "With $\\mathbf{g} = \\partial \\ell / \\partial \\boldsymbol\\beta$, "
    "$\\nabla \\ell(\\boldsymbol\\beta) = \\mathbf{g}$.\n"
)


def test_a_function_never_defined_is_said_so() -> None:
    said = [m for code, m in _explained(RIDGE, "notes.qmd") if code == CLAIM]
    assert said[-1] == (
        "this derivative is not checked: cannot differentiate the function `\\ell`: the "
        "document does not define it — define it (`\\ell(x) = …`) to differentiate through it"
    )


def test_a_bold_letter_with_only_its_rows_known_is_suggested_as_a_vector() -> None:
    text = (
        "For $\\mathbf{r} = A\\mathbf{w} - \\mathbf{b}$ with $A \\in \\mathbb{R}^{m \\times n}$, "
        "the residual.\n"
    )
    said = [m for code, m in _explained(text, "h.md") if m.startswith("`\\mathbf{w}`")]
    assert said == [
        "`\\mathbf{w}` has no shape: it is never declared (its use suggests a vector of n "
        "entries); declare it, e.g. `\\mathbf{w} \\in \\mathbb{R}^{n}` (the row using it is not "
        "checked)"
    ]
