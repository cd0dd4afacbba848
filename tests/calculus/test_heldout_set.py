r"""What the seventh session's held-out documents (``tests/derivations/``: a policy-gradient
lecture, a glmnet Rmd, NMF divergences, a VAE ELBO, metric-learning slides) showed, each
checked by its own small case."""

from __future__ import annotations

import numpy as np

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # seconds: the claim is the result, not its speed on a loaded machine


def test_the_logistic_function_is_spelt_apart_from_a_sigma_of_the_document() -> None:
    r"""A noise scale ``\sigma > 0`` beside a logistic loss: the result's logistic function is
    ``\operatorname{sigmoid}``, not ``\sigma(\sigma + w^\top x)`` (σ times a sum, read
    back); without a σ of its own the document's result keeps ``\sigma``."""
    f = r"\log(1 + e^{\sigma + \mathbf{w}^\top\mathbf{x}})"
    where = r"\mathbf{w}, \mathbf{x} \in \mathbb{R}^n; \sigma > 0"
    out = diff_latex(f, r"\mathbf{w}", where, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"\operatorname{sigmoid}(\sigma + \mathbf{w}^\top \mathbf{x}) \mathbf{x}"
    plain = diff_latex(
        r"\log(1 + e^{\mathbf{w}^\top\mathbf{x}})", r"\mathbf{w}",
        r"\mathbf{w}, \mathbf{x} \in \mathbb{R}^n", budget=BUDGET,
    )  # fmt: skip
    assert plain.verified and plain.result == r"\sigma(\mathbf{w}^\top \mathbf{x}) \mathbf{x}"


GLMNET = (
    r"Responses $y_i \in \{0, 1\}$, predictors $x_i \in \mathbb{R}^p$, coefficients "
    r"$\beta \in \mathbb{R}^p$ and an intercept $\beta_0 \in \mathbb{R}$."
    "\n\n"
    "$$\n"
    r"-\frac{1}{n}\sum_{i=1}^{n}\left[y_i(\beta_0 + x_i^\top\beta) - "
    r"\log\left(1 + e^{\beta_0 + x_i^\top\beta}\right)\right]"
    "\n$$\n\n"
    r"Later, a noise scale $\sigma > 0$ of a Gaussian model."
    "\n"
)


def test_a_logistic_sum_over_samples_beside_a_noise_scale_is_verified() -> None:
    r"""The binomial deviance of a glmnet note whose later section has a noise scale σ: the
    summand's derivative, printed with ``\sigma(…)``, read back as σ times a sum and was
    never verified ("no random point inside the function's domain")."""
    out = diff_in_document("glmnet.md", 4, r"\beta", text=GLMNET, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == (
        r"\frac{1}{n} \sum_{i=1}^{n} (\operatorname{sigmoid}(\beta_0 + \beta^\top x_i) - y_i) x_i"
    )


def test_a_logarithm_of_a_quotient_of_matrices_is_sampled_where_it_is_defined() -> None:
    r"""The generalised KL divergence of NMF, ``\sum_{i,j} X_{ij}\log\frac{X_{ij}}{(WH)_{ij}}
    - X_{ij} + (WH)_{ij}``: X, W and H sampled positive (the logarithm's argument is built of
    them by products and quotients), where it was "not verified: no random point inside the
    function's domain"; the Itakura–Saito divergence alike."""
    where = r"X \in \mathbb{R}^{m \times n}; W \in \mathbb{R}^{m \times r}; H \in \mathbb{R}^{r \times n}"
    kl = r"\sum_{i,j}\left(X_{ij}\log\frac{X_{ij}}{(WH)_{ij}} - X_{ij} + (WH)_{ij}\right)"
    out = diff_latex(kl, "W", where, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"(\mathbf{1} \mathbf{1}^\top - X \oslash (W H)) H^\top"
    itakura_saito = (
        r"\sum_{i,j}\left(\frac{X_{ij}}{(WH)_{ij}} - \log\frac{X_{ij}}{(WH)_{ij}} - 1\right)"
    )
    out = diff_latex(itakura_saito, "H", where, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"W^\top ((W H)^{\circ -1} - X \oslash (W H)^{\circ 2})"


def test_only_a_logarithm_of_products_and_quotients_makes_its_variables_positive() -> None:
    r"""``\log(x - y)`` says nothing of the signs of x and y; ``\log(x \oslash (Ay))`` makes
    x, A and y positive where they are sampled."""
    import sympy

    from texgrad.calculus import expr as e
    from texgrad.calculus.verify import _monomial_vars

    x, y = e.Var("x"), e.Var("y")
    a = e.Var("A")
    assert _monomial_vars(e.Add((x, e.Mul((e.Num(sympy.Integer(-1)), y))))) == set()
    assert _monomial_vars(e.Had((x, e.HPow(e.Mul((a, y)), -1)))) == {"x", "A", "y"}


TRIPLET = (
    r"A metric factor $L \in \mathbb{R}^{k \times d}$. An anchor $\mathbf{a}$, a positive "
    r"$\mathbf{p}$ and a negative $\mathbf{n}$, all in $\mathbb{R}^d$, and a margin "
    r"$\alpha > 0$:"
    "\n\n"
    "$$\n"
    r"\ell = \|L\mathbf{a} - L\mathbf{p}\|^2 - \|L\mathbf{a} - L\mathbf{n}\|^2 + \alpha"
    "\n$$\n\n"
    "$$\n"
    r"q = \|L(\mathbf{a} - \mathbf{p})\|^2"
    "\n$$\n\n"
    r"The map $f$ sends $\mathbf{u}$ to $\mathbf{v}$, all in $\mathbb{R}^d$."
    "\n\n"
    "$$\n"
    r"r = \mathbf{u}^\top\mathbf{v}"
    "\n$$\n"
)


def test_letters_a_list_puts_all_in_one_space_are_declared() -> None:
    r""" "An anchor $\mathbf a$, a positive $\mathbf p$ and a negative $\mathbf n$, all in
    $\mathbb{R}^d$" declares the three (the triplet loss was refused: "the shape of
    `\mathbf{a}` is unknown"); "$f$ sends $\mathbf u$ to $\mathbf v$, all in …" is no list."""
    out = diff_in_document("triplet.md", 4, r"\mathbf{a}", text=TRIPLET, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"2 L^\top L (\mathbf{n} - \mathbf{p})"
    out = diff_in_document("triplet.md", 14, r"\mathbf{u}", text=TRIPLET, budget=BUDGET)
    assert out.error is not None and "shape of `\\mathbf{u}` is unknown" in out.error


def test_a_declared_matrix_before_a_bracket_multiplies_it() -> None:
    r"""``L(\mathbf a - \mathbf p)`` of a declared matrix L (a letter also written for
    functions, as in ``L(\theta)``) is a product: it was "cannot differentiate the function
    `L`"; the formula as written is evaluated so too."""
    out = diff_in_document("triplet.md", 8, "L", text=TRIPLET, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"2 L (\mathbf{a} - \mathbf{p}) (\mathbf{a} - \mathbf{p})^\top"
    assert "not evaluated independently" not in out.note


LOG_VARIANCES = (
    r"Means $\boldsymbol\mu \in \mathbb{R}^J$, spreads $\boldsymbol\sigma \in \mathbb{R}^J$ "
    r"and the log-variances $\mathbf{v} \in \mathbb{R}^J$, $v_j = \log\sigma_j^2$:"
    "\n\n"
    "$$\n"
    r"K = \frac{1}{2}\sum_{j=1}^{J}\left(\mu_j^2 + e^{v_j} - v_j - 1\right)"
    "\n$$\n"
)


def test_the_variables_own_entries_stay_free_of_their_definition() -> None:
    r"""By the log-variances v of a VAE whose text also says ``v_j = \log\sigma_j^2``: the
    entries v_j are the variable's, not σ's (it was "the expression does not involve the
    variable: its derivative is 0")."""
    out = diff_in_document("vae.md", 4, r"\mathbf{v}", text=LOG_VARIANCES, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"\frac{1}{2} (\exp(\mathbf{v}) - \mathbf{1})"


FROBENIUS_BESIDE_F = (
    r"Columns $\mathbf{x}_j \in \mathbb{R}^m$ and $\mathbf{h}_j \in \mathbb{R}^r$, "
    r"$j = 1, \dots, n$, a dictionary $W \in \mathbb{R}^{m \times r}$ and $\alpha > 0$."
    "\n\n"
    "$$\n"
    r"F = \frac{1}{2}\sum_{j=1}^{n}\|\mathbf{x}_j - W\mathbf{h}_j\|^2"
    "\n$$\n\n"
    "$$\n"
    r"P = \frac{\alpha}{4}\|W^\top W - I_r\|_F^2"
    "\n$$\n"
)


def test_the_frobenius_mark_is_no_name_the_document_defines() -> None:
    r"""``\|W^\top W - I_r\|_F`` in a note that also defines F (by a sum over samples that
    involves W): the subscript names the norm, so the row does not use F (it was "`F` is
    defined by a sum over samples that involves the variable")."""
    out = diff_in_document("nmf.md", 8, "W", text=FROBENIUS_BESIDE_F, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"\alpha W (W^\top W - I_r)"  # I_r as the document writes it


POLICY = (
    r"In the current state there are $A$ actions; action $b$ has the feature vector "
    r"$\mathbf{f}_b \in \mathbb{R}^d$, and the parameters are $\boldsymbol\theta \in "
    r"\mathbb{R}^d$."
    "\n\n"
    "$$\n"
    r"s = \boldsymbol\theta^\top\mathbf{f}_a - "
    r"\log\sum_{b=1}^{A}\exp(\boldsymbol\theta^\top\mathbf{f}_b)"
    "\n$$\n"
)


def test_a_member_under_another_letter_of_a_family_declared_under_an_unusual_one() -> None:
    r"""The chosen action's features ``\mathbf{f}_a`` of a family declared as ``\mathbf{f}_b``
    (neither a usual label such as i or t): a member, a d-vector — it was read as an entry
    of ``\mathbf{f}`` ("cannot differentiate the entry")."""
    out = diff_in_document("policy.md", 4, r"\boldsymbol\theta", text=POLICY, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == (
        r"\mathbf{f}_a - \frac{\sum_{b=1}^{A} \exp(\boldsymbol\theta^\top \mathbf{f}_b) "
        r"\mathbf{f}_b}{\sum_{b=1}^{A}\exp(\boldsymbol\theta^\top\mathbf{f}_b)}"
    )


CRITIC = (
    r"Features $\boldsymbol{\phi}, \boldsymbol{\phi}' \in \mathbb{R}^d$ of this state and the "
    r"next, weights $\mathbf{w} \in \mathbb{R}^d$; with reward $r$ and discount "
    r"$\gamma \in (0, 1)$ the error is "
    r"$\delta = r + \gamma\mathbf{w}^\top\boldsymbol{\phi}' - \mathbf{w}^\top\boldsymbol{\phi}$:"
    "\n\n$$\n"
    r"J = \frac{1}{2}\delta^2"
    "\n$$\n"
)


def test_a_declared_primed_vector_and_a_reward_are_read_as_the_text_says() -> None:
    r"""A critic's TD error: ``\boldsymbol\phi'`` declared beside ``\boldsymbol\phi`` is the
    next state's features, not a transpose ("cannot multiply a 1×d by a 1×d"); "with reward
    $r$" makes r a number ("the shape of `r` is unknown")."""
    out = diff_in_document("critic.md", 4, r"\mathbf{w}", text=CRITIC, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.result == r"\delta (\gamma \boldsymbol{\phi}' - \boldsymbol{\phi})"
    plain = CRITIC.replace("with reward $r$", "with $r$")
    out = diff_in_document("critic.md", 4, r"\mathbf{w}", text=plain, budget=BUDGET)
    assert out.error is not None and "shape of `r` is unknown" in out.error


GRAM = (
    r"Squared distances $D \in \mathbb{R}^{n \times n}$, a target $\mathbf{y} \in \mathbb{R}^n$ "
    r"and a lengthscale $\ell > 0$; the Gram matrix is, entrywise,"
    "\n\n"
    "$$\n"
    r"K = \exp\left(-\frac{D}{2\ell^2}\right)"
    "\n$$\n\n"
    "$$\n"
    r"E = \mathbf{y}^\top K\mathbf{y}"
    "\n$$\n"
)


def test_a_matrix_function_the_text_says_is_entrywise_is_read_so_not_guessed() -> None:
    r"""``\exp(-D/2\ell^2)`` of a square D right after "the Gram matrix is, entrywise,": by ℓ
    the matrix exponential would give ``D T_0`` where the note means ``K \odot D`` — read
    entrywise, as said there (checked against central differences); by y (K a constant)
    either reading gives ``(K + K^\top)\mathbf{y}``."""
    out = diff_in_document("gram.md", 8, r"\ell", text=GRAM, budget=BUDGET)
    assert out.verified and "entrywise" in out.note, out.error
    rng = np.random.default_rng(12)
    b, y, ell = rng.normal(size=(4, 4)), rng.normal(size=(4, 1)), 1.4
    d = (b + b.T) / 2
    f = lambda v: float((y.T @ np.exp(-d / (2 * v**2)) @ y)[0, 0])  # noqa: E731
    parsed = parse_row(MappedText.identity(out.result))
    assert parsed.tree is not None
    values = {"D": d, "y": y, r"\ell": np.array([[ell]]), "K": np.exp(-d / (2 * ell**2))}
    got = float(np.asarray(evaluate(parsed.tree, values)).reshape(-1)[0])
    assert np.isclose(got, (f(ell + 1e-6) - f(ell - 1e-6)) / 2e-6, rtol=1e-5), out.result
    out = diff_in_document("gram.md", 8, r"\mathbf{y}", text=GRAM, budget=BUDGET)
    assert out.verified, out.error or out.note
    plain = GRAM.replace(", entrywise,", "")
    out = diff_in_document("gram.md", 8, r"\ell", text=plain, budget=BUDGET)
    assert out.verified, out.error or out.note  # the matrix exponential, as written


STUDENT_T = (
    r"For $\mathbf{y} \in \mathbb{R}^p$ with location $\mathbf{m} \in \mathbb{R}^p$, scale "
    r"$S \in \mathbb{S}^p_{++}$ and $\nu > 0$, and later the teacher's probabilities "
    r"$\mathbf{p} \in \mathbb{R}^K$:"
    "\n\n"
    "$$\n"
    r"\ell = \frac{\nu + p}{2}\log\left(1 + \frac{1}{\nu}(\mathbf{y} - \mathbf{m})^\top "
    r"S^{-1}(\mathbf{y} - \mathbf{m})\right)"
    "\n$$\n"
)


def test_a_plain_letter_naming_a_size_is_not_the_bold_array_of_the_same_letter() -> None:
    r"""``\frac{\nu + p}{2}`` of a Student-t with ``\mathbf{y} \in \mathbb{R}^p``, in a note
    that also declares the vector ``\mathbf{p} \in \mathbb{R}^K``: p is the number (the result
    was a K×p "Jacobian" of ν1 + **p**, verified for that wrong reading)."""
    out = diff_in_document("t.md", 4, r"\mathbf{m}", text=STUDENT_T, budget=BUDGET)
    assert out.verified, out.error or out.note
    assert out.kind == "gradient"
    assert r"\mathbf{p}" not in out.result


def test_one_hot_and_probability_vectors_said_in_apposition_or_a_relative_clause() -> None:
    """ "$t$ that is one-hot", "$p$, a probability vector" are read; "$W$, a matrix of
    one-hot rows" is not."""
    from texgrad.calculus.written_simplex import stated_unit_vectors

    said = stated_unit_vectors(
        r"a label $\mathbf{t} \in \mathbb{R}^K$ that is one-hot, and probabilities "
        r"$\mathbf{p} \in \mathbb{R}^K$, a probability vector, and weights $W$, a matrix of "
        r"one-hot rows."
    )
    assert said == {"t": "onehot", "p": "simplex"}
