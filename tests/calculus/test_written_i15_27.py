r"""Session i15's 27th round (tests/documents/*-27) and the rules it changed, each on a short
text of its own:

- a name the document defines as scalars times a sum over a sample family that does not
  involve the variable (``S = \frac1N\sum_{i=1}^N (\mathbf x_i - \boldsymbol\mu)(\mathbf x_i -
  \boldsymbol\mu)^\top`` by Σ) is a constant matrix of its summand's shape in a written
  derivative too (``defined_sums.held_sums``, as ``texgrad diff`` reads it): the written
  claim was refused ("`\mathbf{x}_i` changes with the sum's index …"), so a sign slip in
  ``\frac{\partial}{\partial\Sigma}\tr(\Sigma^{-1}S)`` went unflagged;
- a symmetry the prose says a formula assumes without saying so ("$2Q\mathbf x$, which
  silently assumes $Q = Q^\top$") is neither a statement that Q is symmetric (for the
  document) nor a hedge (for the claim): the claim is judged for the Q declared, and a
  finding is the text's own judgement, information (as a denounced slip); "we implicitly
  assume $Q = Q^\top$" is the author's statement and still one;
- "this needs $B$ symmetric, which was not given" denies its hedge, as "which was not
  assumed" did (``_DENIED_AFTER``);
- "Jacobians are in numerator layout" decides the Jacobians even where a later sentence
  says gradients have the variable's shape (shapes/layout_statements ``_JACOBIANS_IN``, read
  by ``jacobian_statements``): the log-softmax Jacobian ``I - \mathbf 1\mathbf s^\top`` was
  flagged as if in the gradients' layout, and its transpose accepted;
- ``\mathrm d\operatorname{vec}X`` unbraced (``\mathrm d`` a letter beside ``vec X``) is
  read as ``\mathrm{d}\operatorname{vec}X`` is (``_vec_differential``): it was "cannot
  evaluate the differential";
- a condition beside a claim the prose calls wrong ("A common mistake (only right for
  symmetric $C$): …", "Häufiger Fehler (nur für symmetrisches $C$ richtig): …") says why it
  is wrong and hedges nothing (``_symmetric_as_said``, ``_supposed_beside``); without the
  blame it still hedges;
"""

from __future__ import annotations

import numpy as np

from tests.calculus.helpers import central_gradient
from tests.calculus.written_check import check_written, found_lines
from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker

_found, _gradient = found_lines, central_gradient


def test_the_scatter_rules_are_what_central_differences_give() -> None:
    """The reference: with S a sample covariance (constant in Σ, Λ), ∂ tr(Σ⁻¹S)/∂Σ =
    -Σ⁻ᵀSᵀΣ⁻ᵀ = -Σ⁻¹SΣ⁻¹ for symmetric Σ, not +Σ⁻¹SΣ⁻¹; ∂(½N log det Λ - ½N tr(SΛ))/∂Λ =
    ½N(Λ⁻ᵀ - S), not ½N(Λ - S) (N = 7 samples, p = 3)."""
    rng = np.random.default_rng(11)
    n, p = 7, 3
    xs, mu = rng.normal(size=(n, p)), rng.normal(size=p)
    s = (xs - mu).T @ (xs - mu) / n
    a = rng.normal(size=(p, p))
    sigma = a @ a.T + p * np.eye(p)
    g = _gradient(lambda m: np.trace(np.linalg.solve(m, s)), sigma)
    si = np.linalg.inv(sigma)
    assert np.allclose(g, -si @ s @ si, atol=1e-6)
    assert not np.allclose(g, si @ s @ si, atol=1e-3)
    lam = rng.normal(size=(p, p)) + 3 * np.eye(p)  # not symmetric: Λ⁻ᵀ, not Λ⁻¹
    loss = lambda m: n / 2 * np.linalg.slogdet(m)[1] - n / 2 * np.trace(s @ m)  # noqa: E731
    g = _gradient(loss, lam)
    assert np.allclose(g, n / 2 * (np.linalg.inv(lam).T - s), atol=1e-5)
    assert not np.allclose(g, n / 2 * (lam - s), atol=1e-3)


SCATTER = r"""We observe $\mathbf{x}_1, \dots, \mathbf{x}_N \in \mathbb{R}^p$, with
$\boldsymbol\mu \in \mathbb{R}^p$ and $\Sigma \in \mathbb{R}^{p \times p}$ symmetric positive definite,
$\Lambda \in \mathbb{R}^{p \times p}$ invertible.
Write $S = \frac1N\sum_{i=1}^N (\mathbf{x}_i - \boldsymbol\mu)(\mathbf{x}_i - \boldsymbol\mu)^\top$.

$$
\frac{\partial}{\partial\Sigma}\operatorname{tr}(\Sigma^{-1}S) = -\Sigma^{-1}S\Sigma^{-1}
$$

$$
\frac{\partial}{\partial\Sigma}\operatorname{tr}(\Sigma^{-1}S) = \Sigma^{-1}S\Sigma^{-1}
$$

$$
\frac{\partial}{\partial\Lambda}\Big(\frac N2\log\det\Lambda - \frac N2\operatorname{tr}(S\Lambda)\Big) = \frac N2\big(\Lambda^{-\top} - S\big)
$$

$$
\frac{\partial}{\partial\Lambda}\Big(\frac N2\log\det\Lambda - \frac N2\operatorname{tr}(S\Lambda)\Big) = \frac N2\big(\Lambda - S\big)
$$
"""


def test_a_name_defined_by_a_sum_not_involving_the_variable_is_a_constant() -> None:
    lines, tally = _found(SCATTER)
    assert lines == [11, 19]
    assert tally.verified == 2  # the right ones are verified, not left undecided


UNSTATED = r"""Let $Q \in \mathbb{R}^{n \times n}$ and $\mathbf{x} \in \mathbb{R}^n$.

Often written: $\nabla_{\mathbf x}(\mathbf x^\top Q\mathbf x) = 2Q\mathbf x$, which silently assumes $Q = Q^\top$.

Another: $\nabla_{\mathbf x}(\mathbf x^\top Q\mathbf x) = 2Q\mathbf x$; the book tacitly assumed a symmetric $Q$.

Hedged: $\nabla_{\mathbf x}(\mathbf x^\top Q\mathbf x) = 2Q\mathbf x$ (this needs $Q = Q^\top$).

Right: $\nabla_{\mathbf x}(\mathbf x^\top Q\mathbf x) = (Q + Q^\top)\mathbf x$.

Plain: $\nabla_{\mathbf x}(\mathbf x^\top Q\mathbf x) = 2Q\mathbf x$.
"""


def test_the_symmetric_form_differs_for_a_general_q() -> None:
    """The reference: ∇(xᵀQx) = (Q + Qᵀ)x by central differences, 2Qx only for Q = Qᵀ."""
    rng = np.random.default_rng(5)
    q, x = rng.normal(size=(4, 4)), rng.normal(size=4)
    g = _gradient(lambda v: v @ q @ v, x)
    assert np.allclose(g, (q + q.T) @ x, atol=1e-6)
    assert not np.allclose(g, 2 * q @ x, atol=1e-3)
    s = q + q.T
    assert np.allclose(_gradient(lambda v: v @ s @ v, x), 2 * s @ x, atol=1e-6)


def test_an_assumption_said_unstated_is_neither_statement_nor_hedge() -> None:
    checked = Checker().check("doc.md", text=UNSTATED)
    tally = wd.Tally()
    found = check_written(checked, tally=tally)
    lines = [UNSTATED.count("\n", 0, f.start) + 1 for f in found]
    assert lines == [3, 5, 11]  # the hedged one is right as far as its hedge goes
    assert [f.denounced for f in found] == ["silently assumes", "tacitly assumed", ""]
    assert "(Q + Q^\\top)\\mathbf x" in found[0].message
    assert tally.verified == 2  # the hedged one and (Q + Qᵀ)x


def test_we_implicitly_assume_is_the_authors_statement() -> None:
    text = UNSTATED.replace("Let $Q", "We implicitly assume $Q = Q^\\top$. Let $Q", 1)
    lines, tally = _found(text)
    assert lines == []
    assert tally.verified == 5


NOT_GIVEN = r"""Let $X \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{m \times m}$.

Answer: $\frac{\partial}{\partial X}\operatorname{tr}(X^\top BX) = 2BX$. This needs $B$ symmetric, which was not given.

Answer: $\frac{\partial}{\partial X}\operatorname{tr}(X^\top BX) = 2BX$. This needs $B$ symmetric.
"""


def test_a_hedge_denied_as_not_given_hedges_nothing() -> None:
    lines, tally = _found(NOT_GIVEN)
    assert lines == [3]
    assert tally.verified == 1  # the hedged one, right as far as its hedge goes


def _log_softmax_jacobian(z: np.ndarray) -> np.ndarray:
    h, cols = 1e-6, []
    for j in range(z.size):
        d = np.zeros(z.size)
        d[j] = h
        f = lambda v: v - np.log(np.exp(v).sum())  # noqa: E731
        cols.append((f(z + d) - f(z - d)) / (2 * h))
    return np.stack(cols, axis=1)  # column j: by z_j (entry (i, j) = ∂u_i/∂z_j)


def test_the_log_softmax_jacobian_by_central_differences() -> None:
    z = np.random.default_rng(2).normal(size=5)
    s = np.exp(z) / np.exp(z).sum()
    one = np.ones(5)
    j = _log_softmax_jacobian(z)
    assert np.allclose(j, np.eye(5) - np.outer(one, s), atol=1e-6)  # numerator: I - 1sᵀ
    assert not np.allclose(j, np.eye(5) - np.outer(s, one), atol=1e-3)


JACOBIANS = r"""Let $\mathbf{z} \in \mathbb{R}^K$ and $\mathbf{s} = \operatorname{softmax}(\mathbf{z})$.
Jacobians are in numerator layout. Gradients by a matrix have the matrix's shape.

$$
\frac{\partial \log\mathbf{s}}{\partial \mathbf{z}} = I - \mathbf{1}\mathbf{s}^\top
$$

$$
\frac{\partial \log\mathbf{s}}{\partial \mathbf{z}} = I - \mathbf{s}\mathbf{1}^\top
$$
"""


def test_jacobians_said_in_a_layout_keep_it_after_a_gradient_statement() -> None:
    lines, tally = _found(JACOBIANS)
    assert lines == [9]
    assert tally.verified == 1


VEC_UNBRACED = r"""Let $X, A, B \in \mathbb{R}^{n \times n}$.

$$
\mathrm d\operatorname{vec}(AXB) = (B^\top \otimes A)\,\mathrm d\operatorname{vec} X
$$

$$
\mathrm d\operatorname{vec}(AXB) = (B \otimes A)\,\mathrm d\operatorname{vec}X
$$
"""


def test_an_unbraced_d_before_vec_is_a_differential() -> None:
    lines, tally = _found(VEC_UNBRACED)
    assert lines == [8]
    assert tally.verified == 1


def test_the_kronecker_factor_needs_its_transpose() -> None:
    """The reference: vec(AXB) = (Bᵀ ⊗ A) vec X, not (B ⊗ A) vec X (column-major vec)."""
    rng = np.random.default_rng(4)
    a, x, b = (rng.normal(size=(3, 3)) for _ in range(3))
    vec = lambda m: m.reshape(-1, order="F")  # noqa: E731
    assert np.allclose(vec(a @ x @ b), np.kron(b.T, a) @ vec(x))
    assert not np.allclose(vec(a @ x @ b), np.kron(b, a) @ vec(x))


BLAMED = r"""Let $X \in \mathbb{R}^{n \times n}$ and $C \in \mathbb{R}^{n \times n}$ arbitrary.

So $\frac{\partial}{\partial X}\operatorname{tr}(X^\top CX) = (C + C^\top)X$. PHRASE
$$
\frac{\partial}{\partial X}\operatorname{tr}(X^\top CX) = 2CX .
$$
"""


def _blamed(phrase: str) -> tuple[list[int], list[str]]:
    text = BLAMED.replace("PHRASE", phrase)
    checked = Checker().check("doc.md", text=text)
    found = check_written(checked)
    return [text.count("\n", 0, f.start) + 1 for f in found], [f.denounced for f in found]


def test_a_condition_beside_a_claim_called_wrong_hedges_nothing() -> None:
    assert _blamed("A common mistake (only right for symmetric $C$):") == ([5], ["mistake"])
    assert _blamed("Häufiger Fehler (nur für symmetrisches $C$ richtig):") == (
        [5],
        ["Häufiger Fehler"],
    )
    assert _blamed("Note (only right for symmetric $C$):") == ([], [])
    assert _blamed("Hinweis (nur für symmetrisches $C$ richtig):") == ([], [])
    # stated before, not only beside: C is symmetric, the claim right whatever is said
    text = BLAMED.replace("arbitrary.", "symmetric.").replace(
        "PHRASE", "A common mistake (only right for symmetric $C$):"
    )
    assert _found(text)[0] == []
