r"""How the derivative check reads what the ninth batch of held-out-style documents
(tests/calculus/written/held15/, session 15) writes, each reading on a document of its own,
wrong and right: two matrices said symmetric together ("both are symmetric"), a name
defined in a declared letter the prose later ties to the function (``z = W\mathbf h +
\mathbf b``), a boxed equation, ∂ for the differential beside a plain ``dX``, a later
variant of an upstream gradient's quantity, an upstream gradient named elsewhere that a
claim leaves out, θ₁, θ₂ > 0 as numbers, and the quick fixes and messages in the claim's own
words (a term's sign in its order, two neighbours swapped, a term quoted as written, a sum's
fix in the name the document gives it)."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.written_derivatives import Finding, Tally, check_written, diagnostics_of
from texgrad.shapes.check import Checker, CheckResult


def _checked(tmp_path: Path, text: str, name: str = "doc.md") -> CheckResult:
    return Checker().check(str(tmp_path / name), text=text)


def _found(tmp_path: Path, text: str, name: str = "doc.md") -> dict[int, Finding]:
    checked = _checked(tmp_path, text, name)
    found = check_written(checked, seconds=120.0, only_findings=True)
    return {text.count("\n", 0, f.start) + 1: f for f in found}


def _verified(tmp_path: Path, text: str, name: str = "doc.md") -> int:
    tally = Tally()
    check_written(_checked(tmp_path, text, name), seconds=120.0, tally=tally, only_findings=True)
    return tally.verified


KALMAN = r"""Let $M \in \mathbb{R}^{n \times n}$ be the predicted covariance and $R \in \mathbb{R}^{m \times m}$
the covariance of the noise; both are symmetric positive definite. Let $K \in \mathbb{R}^{m \times n}$.

$$\frac{\partial \operatorname{tr}(KMK^\top)}{\partial K} = 2KM$$

$$\frac{\partial \operatorname{tr}(K^\top RK)}{\partial K} = 2RK$$

$$\frac{\partial \operatorname{tr}(KMK^\top)}{\partial K} = KM$$
"""


def test_two_matrices_said_symmetric_together(tmp_path: Path) -> None:
    found = _found(tmp_path, KALMAN)
    assert sorted(found) == [8]
    assert "a factor 2 is missing" in found[8].message
    # without the sentence, a covariance is still symmetric (the issue-14 reading): only 8
    said = KALMAN.replace("; both are symmetric positive definite", "")
    assert sorted(_found(tmp_path, said)) == [8]
    # and with nothing saying either is symmetric, 2KM is the derivative only for a
    # symmetric M: flagged
    alone = said.replace("predicted covariance", "predicted matrix").replace(
        "the covariance of the noise", "the matrix of the noise"
    )
    assert sorted(_found(tmp_path, alone)) == [4, 6, 8]


SOFTMAX = r"""Let $\mathbf z \in \mathbb{R}^K$ be the logits, $\mathbf p = \operatorname{softmax}(\mathbf z)$, and
let $\mathbf y \in \{0,1\}^K$ be a one-hot label.

With $\mathbf z = W\mathbf h + \mathbf b$, $W \in \mathbb{R}^{K \times d}$, $\mathbf h \in \mathbb{R}^d$ and
$\mathbf b \in \mathbb{R}^K$, and $L(W) = -\mathbf y^\top \log\operatorname{softmax}(W\mathbf h + \mathbf b)$,

$$\frac{\partial L}{\partial \mathbf b} = \mathbf p - \mathbf y$$

$$\frac{\partial L}{\partial \mathbf b} = \mathbf y - \mathbf p$$
"""


def test_a_name_defined_in_a_letter_the_prose_ties_to_the_function(tmp_path: Path) -> None:
    r"""p = softmax(z), z declared, and later ``z = W\mathbf h + \mathbf b``: the claim's p
    is softmax(Wh + b) there (read with a z of its own it was a false alarm)."""
    found = _found(tmp_path, SOFTMAX)
    assert sorted(found) == [9]
    assert "the sign is wrong" in found[9].message
    assert found[9].correct == r"\mathbf p - \mathbf y"  # (1ᵀy = 1 of the one-hot label used)
    assert _verified(tmp_path, SOFTMAX) == 1


ANSWERS = r"""\documentclass{article}
\begin{document}
Gradients with respect to a matrix have the shape of that matrix. Let $U \in \mathbb{R}^{m \times k}$,
$V \in \mathbb{R}^{n \times k}$, $Y \in \mathbb{R}^{m \times n}$ and $\phi(U, V) = \tfrac12\|Y - UV^\top\|_F^2$.

\textbf{Solution.}
\[
\boxed{\frac{\partial \phi}{\partial U} = (UV^\top - Y)V},
\qquad
\boxed{\frac{\partial \phi}{\partial V} = U^\top(UV^\top - Y)} .
\]
\end{document}
"""


def test_a_boxed_equation_is_a_claim(tmp_path: Path) -> None:
    found = _found(tmp_path, ANSWERS, "answers.tex")
    assert sorted(found) == [10]
    assert "transpose of the derivative" in found[10].message
    assert _verified(tmp_path, ANSWERS, "answers.tex") == 1


PLAIN_D = r"""I write $d$ for the differential, and $\partial$ for it too. $X \in \mathbb{R}^{n \times n}$ is
invertible, $A \in \mathbb{R}^{n \times n}$, $\mathbf a, \mathbf b \in \mathbb{R}^n$.

$$\partial \operatorname{tr}(X^\top A X) = \operatorname{tr}\big(X^\top(A + A^\top)\,dX\big)$$

$$\partial \operatorname{tr}(X^\top A X) = \operatorname{tr}\big(2X^\top A\,dX\big)$$

$$\partial\, \mathbf a^\top X \mathbf b = \operatorname{tr}(\mathbf b\mathbf a^\top dX)$$

$$\partial\, \mathbf a^\top X \mathbf b = \operatorname{tr}(\mathbf a\mathbf b^\top dX)$$

$$d(X^{-1}) = -X^{-1}X^{-1}\,dX$$
"""


def test_partial_for_the_differential_beside_a_plain_d(tmp_path: Path) -> None:
    found = _found(tmp_path, PLAIN_D)
    assert sorted(found) == [6, 10, 12]
    assert _verified(tmp_path, PLAIN_D) == 2
    # the fixes spell the differential as the notes do: a plain d, never \mathrm{d}
    assert found[12].correct == r"-X^{-1} dX X^{-1}"
    assert all("\\mathrm" not in f.correct for f in found.values())


LORA = r"""The layer uses $W = W_0 + BA$ with $W_0 \in \mathbb{R}^{d \times k}$, $B \in \mathbb{R}^{d \times r}$,
$A \in \mathbb{R}^{r \times k}$. Autograd hands us $G = \nabla_W L \in \mathbb{R}^{d \times k}$. All gradients
here have the shape of the parameter (denominator layout).

$$\nabla_A L = B^\top G$$

$$\nabla_A L = G^\top B$$

With the usual scaling $W = W_0 + \frac{\alpha}{r} BA$, where $\alpha > 0$, the same argument gives
$\nabla_A L = \frac{\alpha}{r} B^\top G$.
"""


def test_a_later_variant_of_the_quantity_is_no_reading_of_an_earlier_claim(
    tmp_path: Path,
) -> None:
    """The claims before "With the usual scaling $W = …$" are read with W = W₀ + BA (the
    variant made them undecided)."""
    found = _found(tmp_path, LORA)
    assert sorted(found) == [7]
    assert "transpose of the derivative" in found[7].message


SHORTCUT = r"""For a scalar loss $\ell$, $\mathbf x \in \mathbb{R}^d$, $W_1 \in \mathbb{R}^{h \times d}$,
$U \in \mathbb{R}^{k \times d}$, $\mathbf u = W_1 \mathbf x$ and $\mathbf s = U \mathbf x$. Autograd gives us
$\frac{\partial \ell}{\partial \mathbf u}$ and $\frac{\partial \ell}{\partial \mathbf s}$; then

$$\frac{\partial \ell}{\partial \mathbf x} = W_1^\top \frac{\partial \ell}{\partial \mathbf u} + U^\top \frac{\partial \ell}{\partial \mathbf s}$$

$$\frac{\partial \ell}{\partial \mathbf x} = W_1^\top \frac{\partial \ell}{\partial \mathbf u}$$

$$\frac{\partial \ell}{\partial \mathbf x} = W_1^\top \frac{\partial \ell}{\partial \mathbf u} - U^\top \frac{\partial \ell}{\partial \mathbf s}$$
"""


def test_an_upstream_gradient_named_elsewhere_is_a_path_left_out(tmp_path: Path) -> None:
    found = _found(tmp_path, SHORTCUT)
    assert sorted(found) == [7, 9]
    assert "is missing" in found[7].message
    add = r"U^\top \frac{\partial \ell}{\partial \mathbf s}"
    assert found[7].correct == r"W_1^\top \frac{\partial \ell}{\partial \mathbf u} + " + add
    # the sign undone where it stands: the claim's order kept
    assert found[9].correct == found[7].correct
    assert "wrong sign" in found[9].message


def test_compared_members_of_a_list_are_numbers(tmp_path: Path) -> None:
    text = r"""Let $\Phi \in \mathbb{R}^{n \times m}$, $\mathbf y \in \mathbb{R}^n$ and $K = \theta_1 \Phi\Phi^\top + \theta_2 I$,
where $\theta_1, \theta_2 > 0$. With $\mathcal{L} = -\frac12 \mathbf y^\top K^{-1}\mathbf y - \frac12 \log\det K$,

$$\frac{\partial \mathcal{L}}{\partial \theta_2} = \frac12 \mathbf y^\top K^{-2}\mathbf y - \frac12 \operatorname{tr}(K^{-1})$$

$$\frac{\partial \mathcal{L}}{\partial \theta_2} = \mathbf y^\top K^{-2}\mathbf y - \operatorname{tr}(K^{-1})$$

$$\frac{\partial \mathcal{L}}{\partial \theta_1} = -\frac12 \mathbf y^\top K^{-1}\Phi\Phi^\top K^{-1}\mathbf y - \frac12 \operatorname{tr}(K^{-1}\Phi\Phi^\top)$$
"""
    found = _found(tmp_path, text)
    assert sorted(found) == [6, 8]
    assert "a factor 2 too many" in found[6].message
    # the term is quoted as the claim writes it (K, not θ₁ΦΦᵀ + θ₂I)
    term = r"-\frac12 \mathbf y^\top K^{-1}\Phi\Phi^\top K^{-1}\mathbf y"
    assert f"the term `{term}` has the wrong sign" in found[8].message


def test_a_neighbour_swap_fixes_a_product_in_a_trace(tmp_path: Path) -> None:
    text = r"""Let $X \in \mathbb{R}^{n \times n}$ be invertible and $A \in \mathbb{R}^{n \times n}$.

$$\mathrm d\operatorname{tr}(X^{-1}A) = -\operatorname{tr}(AX^{-1}X^{-1}\,\mathrm dX)$$
"""
    found = _found(tmp_path, text)
    assert [f.correct for f in found.values()] == [r"-\operatorname{tr}(X^{-1}AX^{-1}\,\mathrm dX)"]


SCATTER = r"""Let $\mathbf x_i \in \mathbb{R}^d$ for $i = 1, \dots, n$, $\mathbf w \in \mathbb{R}^d$, and
$S = \sum_{i=1}^n \mathbf x_i \mathbf x_i^\top$ the scatter matrix. The loss
$f(\mathbf w) = \sum_{i=1}^n (\mathbf w^\top \mathbf x_i)^2$ has

$$\nabla_{\mathbf w} f = 2S\mathbf w$$

$$\nabla_{\mathbf w} f = S\mathbf w$$

$$\nabla_{\mathbf w} f = -2S\mathbf w$$
"""


def test_a_sums_fix_is_written_in_the_name_the_document_gives_it(tmp_path: Path) -> None:
    checked = _checked(tmp_path, SCATTER)
    found = check_written(checked, seconds=120.0, only_findings=True)
    lines = {SCATTER.count("\n", 0, f.start) + 1: f for f in found}
    assert sorted(lines) == [7, 9]
    assert lines[7].correct == lines[9].correct == r"2S\mathbf w"
    assert "a factor 2 is missing" in lines[7].message
    assert "the sign is wrong" in lines[9].message
    assert r"\sum" not in lines[7].message
    fixes = [fix for d in diagnostics_of(checked, found) for fix in d.fixes]
    assert [fix.text for fix in fixes] == [r"2S\mathbf w", r"2S\mathbf w"]


def test_a_transposed_inline_gradient_is_fixed_without_its_parentheses(tmp_path: Path) -> None:
    text = SHORTCUT + (
        "\n$$\\frac{\\partial \\ell}{\\partial U} = \\mathbf x "
        "\\left(\\frac{\\partial \\ell}{\\partial \\mathbf s}\\right)^\\top$$\n"
    )
    found = _found(tmp_path, text)
    assert found[11].correct == r"\frac{\partial \ell}{\partial \mathbf s} \mathbf x^\top"
    assert "transpose of the derivative" in found[11].message
