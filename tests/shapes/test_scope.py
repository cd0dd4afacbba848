r"""How far a declaration holds: a paper's "Parameters" or "Model" section serves the sections
after it, until a letter is declared again; what a problem, an example or a supposing
sentence declares is its own and neither leaks forward nor stops the paper's letters from
holding (see ``SymbolTable._carried``)."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, declaration, expected, found, same_shape, shape

PAPER = r"""
\documentclass{article}
\begin{document}
\section{Parameters}
Let $X \in \mathbb{R}^{n\times p}$ be the design, $\beta \in \mathbb{R}^p$ the coefficients and
$y \in \mathbb{R}^n$ the response. Queries are $W^Q \in \mathbb{R}^{d \times d_k}$, applied to
the states $H \in \mathbb{R}^{n \times d}$.

\section{Example}
Take $X \in \mathbb{R}^{m \times k}$ and $\beta \in \mathbb{R}^m$: then $X^\top \beta$ is a
vector of $k$ entries.

\section{Method}
The residual is $y - X \beta$ and the gradient $X^\top (X \beta - y)$; but $\beta X$ is wrong.
                                                                            ^^^^^^^
The queries $H W^Q$ are fine, $W^Q H$ is not.
                               ^^^^^

\section{Analysis}
Now let $\beta \in \mathbb{R}^{n}$ be a dual vector. Then $X^\top \beta$ is fine and
$\beta^\top X \beta$ is not.
 ^^^^^^^^^^^^^^^^^^
\end{document}
"""


def test_a_parameters_section_serves_the_sections_after_it(tmp_path: Path) -> None:
    """Planted errors in later sections are found with the Parameters section's shapes; the
    Example's own X and β (other sizes) stay in it; Analysis re-declares β and uses its own."""
    fx, result = check_fixture(tmp_path, PAPER)
    assert found(result) == expected(fx, "matmul-mismatch")
    x = declaration(result, "X", at="H W^Q")
    assert x is not None and same_shape(x.shape, shape("n", "p"))
    beta = declaration(result, "\\beta", at="\\beta^\\top X")
    assert beta is not None and same_shape(beta.shape, shape("n"))
    in_example = declaration(result, "\\beta", at="vector of $k$")
    assert in_example is not None and same_shape(in_example.shape, shape("m"))


def test_an_example_section_reusing_letters_stays_quiet(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Model}
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
        \section{Examples}
        \subsection{A square system}
        With $A \in \mathbb{R}^{k \times k}$ and $x \in \mathbb{R}^k$, $A^{-1} x$ and $\det(A)$.
        \subsection{A single equation}
        Now $A^\top A x$ for any $A$.
        \section{Results}
        Then $A x$ is fine and $x A$ is not.
                                ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_markdown_model_section_serves_the_gradient_section(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! regression.md
        # Ridge regression

        ## Model

        We observe $X \in \mathbb{R}^{n \times p}$ and $y \in \mathbb{R}^n$, and fit
        $\beta \in \mathbb{R}^p$.

        ## Example

        For instance $X \in \mathbb{R}^{m \times k}$ and $y \in \mathbb{R}^m$, so $X^\top y$.

        ## Gradient

        The gradient is $X^\top (X \beta - y) + \lambda \beta$, not $X (X \beta - y)$.
                                                                     ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="regression.md")


def test_quarto_and_r_markdown_sections(tmp_path: Path) -> None:
    """A .qmd with front matter, section labels, a code chunk whose comments are no
    headings and an example of its own; an .Rmd alike."""
    text = r"""
        ---
        title: "Attention"
        ---

        ## Parameters {#sec-parameters}

        Let $W^Q \in \mathbb{R}^{d \times d_k}$, $W^K \in \mathbb{R}^{d \times d_k}$ and
        $H \in \mathbb{R}^{n \times d}$.

        ```{r}
        # Example
        W <- matrix(0, 3, 2)
        ```

        ## Example {#sec-example}

        A single head reading $H \in \mathbb{R}^{m \times d}$: $H W^Q$.

        ## Scores {#sec-scores}

        The scores are $H W^Q (H W^K)^\top$, not $H W^Q H W^K$.
                                                  ^^^^^^^
        """
    for name in ("attention.qmd", "attention.Rmd"):
        fx, result = check_fixture(tmp_path, f"%! {name}\n" + _dedent(text))
        assert found(result) == expected(fx, "matmul-mismatch", name=name), name


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).lstrip("\n")


def test_a_project_s_setup_file_serves_its_method_file(tmp_path: Path) -> None:
    """main.tex inputs sections/setup.tex, sections/example.tex and sections/method.tex: the
    method file takes the setup file's X and β, not the example's."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! sections/method.tex
        \section{Method}
        The gradient is $X^\top (X \beta - y)$, but $X \beta^\top$ is wrong.
                                                     ^^^^^^^^^^^^
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{sections/example}
        \input{sections/setup}
        \input{sections/method}
        \end{document}
        %! sections/setup.tex
        \section{Background}
        We observe $X \in \mathbb{R}^{n \times p}$ and $y \in \mathbb{R}^n$; $\beta \in \mathbb{R}^p$.
        %! sections/example.tex
        \section{A first example}
        Take $X \in \mathbb{R}^{m \times k}$ and $\beta \in \mathbb{R}^k$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="sections/method.tex")
    x = declaration(result, "X")
    assert x is not None and x.path.endswith("setup.tex")


def test_a_letter_reused_otherwise_in_running_text_does_not_carry(tmp_path: Path) -> None:
    """Lecture notes and references re-use letters from section to section (QuantEcon's A is
    n×n for square systems, then n×k without saying so again): a letter declared with two
    shapes in running text carries only from a section that sets up the others."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        # Linear algebra

        ## Square systems

        Let $A$ be an $n \times n$ matrix and $y \in \mathbb{R}^n$; then $x = A^{-1} y$.

        ## More rows than columns

        Given $y \in \mathbb{R}^n$ we seek $x \in \mathbb{R}^k$ with $y = A x$, so $A x - y$.

        ## Rectangular matrices

        Let $A$ be an $m \times n$ matrix; then $A^\top A$ is $n \times n$.
        """,
    )
    assert found(result) == set()


def test_a_supposing_sentence_elsewhere_does_not_stop_the_model_s_letters(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Data}
        Let $X \in \mathbb{R}^{n \times p}$ and $w \in \mathbb{R}^p$.
        \section{A lemma}
        Assume $X \in \mathbb{R}^{n \times n}$ is invertible; then $X^{-1} X = I$.
        \section{Training}
        The scores $X w$ are fine; $w X$ is not.
                                    ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_notation_holds_before_it_despite_an_example(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section{Introduction}
        We minimise $\|X w - y\|^2$ and never $\|w X - y\|^2$.
                                                 ^^^
        \section{Notation}
        Throughout, $X \in \mathbb{R}^{n \times p}$, $w \in \mathbb{R}^p$, $y \in \mathbb{R}^n$.
        \section{Example}
        With $X \in \mathbb{R}^{k \times k}$ and $w \in \mathbb{R}^k$, $w^\top X w$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_definition_stays_in_its_section_unless_it_sets_up_the_others(tmp_path: Path) -> None:
    # Control notes: the Kalman gain K of one section is not the LQR gain K of the next; a
    # residual defined in the Model section is the one the later sections use
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \begin{document}
        \section{Model}
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $b \in \mathbb{R}^m$ and $r = Ax - b$.
        \section{Kalman filter}
        Let $x_k \in \mathbb{R}^n$, $C \in \mathbb{R}^{p \times n}$, $P \in \mathbb{R}^{n \times n}$ and
        $R \in \mathbb{R}^{p \times p}$. The gain is
        \[ K = P C^\top (C P C^\top + R)^{-1}, \qquad \hat x_k = K C x_k . \]
        \section{LQR}
        The optimal control is $u_k = -K x_k$; the residual $A^\top r$ is fine, $r A$ is not.
                                                                                 ^^^
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_coined_name_keeps_its_definition_in_later_sections(tmp_path: Path) -> None:
    # Bayesian regression: the posterior covariance \Sigma_N is defined in one section and
    # used in the next; a bare letter defined there (the gain K) is not carried
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        ## Posterior

        Let $X \in \mathbb{R}^{n \times d}$, $\Sigma_0 \in \mathbb{R}^{d \times d}$ and
        $\beta > 0$. Then $\Sigma_N = (\Sigma_0^{-1} + \beta X^\top X)^{-1}$ and $K = X \Sigma_0$.

        ## Prediction

        For $x_* \in \mathbb{R}^d$, the variance is $x_*^\top \Sigma_N x_*$, not $\Sigma_N X$;
                                                                                  ^^^^^^^^^^
        and $u_k = -K x_*$ uses another gain.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="notes.md")


def test_the_definition_of_a_specific_name_holds_on(tmp_path: Path) -> None:
    # the innovation v_t and the within-groups scatter S_W are used as defined
    # in the sections after theirs; a plain letter (K) stays in its section (the test above)
    fx, result = check_fixture(
        tmp_path,
        r"""
        # The filter

        Let $y_t \in \mathbb{R}^p$, $a_t \in \mathbb{R}^m$, $Z \in \mathbb{R}^{p \times m}$ and
        $P \in \mathbb{R}^{m \times m}$. The innovation is $v_t = y_t - Z a_t$ and $S_W = Z^\top Z$.

        # The likelihood

        Fine: $Z^\top v_t$, $S_W P$. Wrong: $P v_t$.
                                             ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_myst_lemma_s_letters_are_its_own(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Kernel PCA

        Stacking eigenvectors gives $A \in \mathbb{R}^{n \times r}$, and $H \in \mathbb{R}^{n \times n}$.

        ```{prf:lemma}
        :label: lem-trace
        Let $A \in \mathbb{R}^{p \times q}$ and $B \in \mathbb{R}^{q \times p}$. Then $\operatorname{tr}(AB) = \operatorname{tr}(BA)$.
        ```

        The projection is $A^\top H$; but $H A^\top$ is wrong.
                                           ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


LEMMAS = r"""
\documentclass{article}
\newtheorem{lemma}{Lemma}
\newtheorem{hyp}{Claim}
\newtheorem{defn}{Definition}
\begin{document}
\section{Proofs}
Let $A \in \mathbb{R}^{N \times N}$ be the adjacency matrix and $x \in \mathbb{R}^N$.
\begin{lemma}\label{lem:vec}
Let $A \in \mathbb{R}^{m \times n}$, $X \in \mathbb{R}^{n \times p}$ and $W \in \mathbb{R}^{p \times q}$.
Then $\operatorname{vec}(A X W) = (W^\top \otimes A) \operatorname{vec}(X)$, but not $X A$.
                                                                                      ^^^
\end{lemma}
\begin{proof}
Column $j$ of $A X W$ is $A X w_j$ with $w_j \in \mathbb{R}^{p}$.
\end{proof}
\begin{lemma*}
For the adjacency, $A x$ and $x^\top A x$ are fine.
\end{lemma*}
\begin{hyp}
Let $x \in \mathbb{R}^{k}$. Then $x^\top x \ge 0$.
\end{hyp}
\begin{defn}
Let $H \in \mathbb{R}^{N \times d}$ be the hidden features.
\end{defn}
Applying Lemma~\ref{lem:vec} with $A = \hat A$, $X = H$ and $W = W^{(l)}$, we get the layer;
the adjacency acts on $A x$ and $A H$, not on $H A$.
                                               ^^^
Setting $X = H$ in Lemma~\ref{lem:vec} and substituting $x = H$ are fine too, but $x = A$ is not.
                                                                                   ^^^^^
\end{document}
"""


def test_a_lemma_s_letters_are_its_own_and_its_proof_s(tmp_path: Path) -> None:
    # Lemma 1's "Let $A \in \mathbb{R}^{m \times n}$" holds in it and its proof only: the
    # next lemma's A is the paper's adjacency (starred or custom-named environments too);
    # a definition's notation holds after it; "Applying Lemma 1 with $A = \hat A$" sets a
    # lemma's letters to the paper's: no equation
    fx, result = check_fixture(tmp_path, LEMMAS)
    assert found(result) == expected(fx, "matmul-mismatch", "matmul-mismatch", "equation-mismatch")


def test_letters_a_supposition_makes_generic_have_no_shape_in_its_sentence(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $B \in \mathbb{R}^{n \times p}$ and $x \in \mathbb{R}^p$.
        \begin{itemize}
        \item For invertible square $A, B$: $(AB)^{-1} = B^{-1} A^{-1}$.
        \item For any $x \in \mathbb{R}^n$, $x^\top B$ is a row.
        \item Otherwise $B^{-1}$ is wrong.
                         ^^^^^^
        \end{itemize}
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_property_supposed_of_a_declared_square_matrix_keeps_its_shape(tmp_path: Path) -> None:
    # "For symmetric $B$, …" of a B declared n×n states a property: B keeps its shape in the
    # sentence (its rows are checked); "for any symmetric $B$" still makes it any matrix
    fx, result = check_fixture(
        tmp_path,
        r"""
        Throughout, $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$ and $B \in \mathbb{R}^{n \times n}$.

        For symmetric $B$, the gradient is $2Bx$; in general it is $(B + B^\top)x$, not $By$.
                                                                                         ^^
        For any symmetric $B$, $B y$ is symmetric-looking.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_letter_set_anew_in_an_example_or_a_later_section_is_not_the_old_one(
    tmp_path: Path,
) -> None:
    # "Let $A = [2, 0; 0, 3]$" in an Example; K = P H^T S^{-1} (a gain) in a later section
    # than the kernel K ∈ ℝ^{n×n}: silence there, not the old shape; elsewhere A is still m×n
    fx, result = check_fixture(
        tmp_path,
        r"""
        ## Kernels

        Let $A \in \mathbb{R}^{m \times n}$ and $K \in \mathbb{R}^{n \times n}$, $v \in \mathbb{R}^n$.

        ## Example

        Let $A = \begin{bmatrix} 2 & 0 \\ 0 & 3 \end{bmatrix}$. Then $A^{-1}$ is diagonal.

        ## Filtering

        Let $P \in \mathbb{R}^{s \times s}$, $H \in \mathbb{R}^{o \times s}$, $S \in \mathbb{R}^{o \times o}$.
        The gain is $K = P H^\top S^{-1}$ and the update $(I - K H) P$; but $A^{-1}$ is wrong.
                                                                             ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_letter_factorised_in_a_later_section_keeps_its_shape(tmp_path: Path) -> None:
    # K_1 = U_1 \Lambda_1 U_1^\top (its eigendecomposition, U_1 never declared) does not give
    # K_1 a new meaning as a formula of unknown size would: K_1 is still n_1×n_1 after it
    fx, result = check_fixture(
        tmp_path,
        r"""
        ## Model

        Let $K_1 \in \mathbb{R}^{n_1 \times n_1}$ and $L \in \mathbb{R}^{n \times n}$.

        ## Fast solves

        With $K_1 = U_1 \Lambda_1 U_1^\top$ and $L = C C^\top$ the solves are cheap.

        ## Nuggets

        Adding $\tau^2 I_n$ to $K_1$ gives $K_1 + \tau^2 I_n$ and $L + I_{n_1}$.
                                            ^^^^^^^^^^^^^^^^       ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_block_named_in_an_earlier_section_is_no_entry_of_the_whole(tmp_path: Path) -> None:
    # A partitioned covariance: \Sigma_{yx} is a block defined in the first section, not the
    # (y, x) entry of \Sigma, in the sections after it
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.md
        ## Two blocks

        Let $x \in \mathbb{R}^p$, $y \in \mathbb{R}^q$ and $\Sigma \in \mathbb{R}^{(p+q) \times (p+q)}$
        with blocks $\Sigma_{xx} \in \mathbb{R}^{p \times p}$, $\Sigma_{yy} \in \mathbb{R}^{q \times q}$,
        $\Sigma_{xy} \in \mathbb{R}^{p \times q}$ and $\Sigma_{yx} = \Sigma_{xy}^\top$.

        ## Canonical correlations

        With $a \in \mathbb{R}^p$: $\Sigma_{xx}^{-1} \Sigma_{xy} \Sigma_{yy}^{-1} \Sigma_{yx} a = \rho^2 a$,
        but $\Sigma_{xy} a$ is wrong.
             ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="main.md")


def test_a_where_after_a_markdown_display_and_a_blank_line_declares_for_it(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        The output is

        $$
        \hat y = W_{hy} h + b_y, \qquad e = W_{hy} \hat y
                                            ^^^^^^^^^^^^^
        $$

        where $W_{hy} \in \mathbb{R}^{K \times H}$, $h \in \mathbb{R}^H$ and $b_y \in \mathbb{R}^K$.

        A new paragraph: $W_{hy} \in \mathbb{R}^{H \times H}$ declares for its own.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="notes.md")


def test_a_definition_after_a_display_reaches_past_its_matrix_rows(tmp_path: Path) -> None:
    # myst-lsq-2: the `\\` between the blocks of a matrix ends no sentence, nor does a period
    # in a comment; a `\\` between the rows of an align does, and a blank line before a
    # new sentence too
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $Q_1 \in \mathbb{R}^{m \times n}$, $Q_2 \in \mathbb{R}^{m \times (m - n)}$ and
        $R \in \mathbb{R}^{n \times n}$. Then

        $$
        A = \begin{bmatrix} Q_1 & Q_2 \end{bmatrix} \begin{bmatrix} R_1 \\ 0_{n \times n} \end{bmatrix} % see eq. (2). Full QR
            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        $$

        with $R_1 = R$.

        $$
        \begin{aligned} B &= Q_2 S_1 \\ C &= Q_1 \end{aligned}
        $$

        with $S_1 = R$; and the sentence ends. $T_1 \ne Q_2 T_1$

        New paragraph: $T_1 = R$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="notes.md")


def test_a_matrix_set_equal_to_a_scalar_in_a_later_section_is_reported(tmp_path: Path) -> None:
    # The M-step of EM: the covariance is a sum of outer products; written with inner ones
    # it is a scalar, and no new meaning of \Sigma_k (a letter redefined as another matrix is)
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! em.md
        ## Model

        Means $\mu_k \in \mathbb{R}^d$, covariances $\Sigma_k \in \mathbb{R}^{d \times d}$ and data
        $x_i \in \mathbb{R}^d$; $\beta \in \mathbb{R}^d$.

        ## M-step

        $$
        \Sigma_k = \frac{1}{N_k} \sum_{i=1}^{n} \gamma_{ik} (x_i - \mu_k)^\top (x_i - \mu_k)
        $$

        and $\Sigma_k = \frac{1}{N_k} \sum_{i=1}^{n} \gamma_{ik} (x_i - \mu_k)(x_i - \mu_k)^\top$ is right.

        ## Kernels

        Now $\beta = \sum_i \alpha_i x_i x_i^\top$ is a matrix of its own.
        """,
    )
    got = found(result)
    assert len(got) == 1 and next(iter(got))[2] == "equation-mismatch"
    assert result.doc.text[next(iter(got))[0] :].startswith(r"\Sigma_k = \frac{1}{N_k} \sum")


def test_a_summary_section_recalls_the_definitions_of_the_sections_before(
    tmp_path: Path,
) -> None:
    # the Summary restates the forward pass: its H and A are those defined above, while the
    # LQR section still does not take the Kalman gain K
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        # Notes

        ## Forward

        Let $X \in \mathbb{R}^{B \times d}$, $W \in \mathbb{R}^{d \times h}$ and $V \in \mathbb{R}^{h \times c}$.

        $$
        H = X W, \qquad A = \max(H, 0)
        $$

        ## Kalman filter

        Let $C \in \mathbb{R}^{p \times n}$ and $P \in \mathbb{R}^{n \times n}$, so $K = P C^\top$.

        ## LQR

        The control is $u = -K x$ with a gain $K$ of its own.

        ## Summary

        | step | forward |
        |---|---|
        | hidden | $A V$ |
        | output | $V A$ |
                    ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_matrix_written_out_in_an_example_environment_sets_the_letter_anew(
    tmp_path: Path,
) -> None:
    # the lecture's C is p×n; the Example writes out C = [1 0 0] for its augmented model (no
    # "Let"): its own C there, so A - L C is 3×3; a C declared in the Example itself is checked
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{example}{Example}
        \begin{document}
        \section{Observers}
        Let $A \in \mathbb{R}^{n \times n}$, $C \in \mathbb{R}^{p \times n}$ and $L \in \mathbb{R}^{n \times p}$.
        \begin{example}
        Here $n = 2$ and $p = 1$, but we design on the augmented model: $A$ is $3 \times 3$,
        $C = \begin{bmatrix} 1 & 0 & 0 \end{bmatrix}$ and $L \in \mathbb{R}^3$, so $A - L C$ is square.
        With $H \in \mathbb{R}^{1 \times 2}$, though, $H = \begin{bmatrix} 1 & 0 & 0 \end{bmatrix}$ is wrong.
                                                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        \end{example}
        After it, $C$ is $p \times n$ again and $C L C$ is fine, but $C A^\top C$ is not.
                                                                      ^^^^^^^^^^
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "matmul-mismatch")


def test_a_myst_example_directive_keeps_its_letters(tmp_path: Path) -> None:
    # :::{prf:example} and ```{prf:example} are examples like \begin{example}: what they
    # declare or write out is theirs; after them the page's letters hold again
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.md
        # Observers

        Let $A \in \mathbb{R}^{n \times n}$, $C \in \mathbb{R}^{p \times n}$ and $L \in \mathbb{R}^{n \times p}$.

        :::{prf:example} Augmented
        :label: ex-aug
        Here $n = 2$ and $p = 1$, but on the augmented model
        $C = \begin{bmatrix} 1 & 0 & 0 \end{bmatrix}$ and $L \in \mathbb{R}^3$, so $L C$ is $3 \times 3$.
        :::

        ```{prf:example}
        Here $C = \begin{bmatrix} 1 & 0 \end{bmatrix}$ and $x \in \mathbb{R}^3$, so $x C$ is $3 \times 2$.
        ```

        After them $C L C$ is fine, but $C L C^\top$ is not.
                                         ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.md")


def test_a_myst_lemma_with_options_sets_its_letters(tmp_path: Path) -> None:
    # "Let … and $A = u v^\top$" right after ":label:" in a {prf:lemma}: the lemma's own A
    # (and its proof's); after them the page's A is m×n again
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.md
        Let $A \in \mathbb{R}^{m \times n}$ and $b \in \mathbb{R}^m$.

        :::{prf:lemma} Rank one
        :label: lem-rank-one
        Let $u \in \mathbb{R}^p$ and $v \in \mathbb{R}^q$ and $A = u v^\top$. Then $A^{+} = v u^\top / (\|u\|^2 \|v\|^2)$.
        :::

        :::{prf:proof}
        With $\sigma = \|u\| \|v\|$, $A = (u / \|u\|) \sigma (v / \|v\|)^\top$.
        :::

        Back in general, $A^{+} b$ is fine and $A b$ is not.
                                                ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.md")


def test_a_later_file_s_letters_do_not_hold_in_an_earlier_one(tmp_path: Path) -> None:
    """A paper's sections in files of their own re-use letters as its sections do: the Q of
    the method file (AdaLoRA's r×k factor) does not hold in the background file read before
    it, where Q = XW is the queries; what is wrong there is still found."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! sec/background.tex
        \section{Attention}
        Tokens $X \in \mathbb{R}^{n \times m}$ and $W \in \mathbb{R}^{m \times m}$ give $Q = X W$
        and $K = X W$, and the scores $Q K^\top$; but $W X$ is wrong.
                                                       ^^^
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{sec/background}
        \input{sec/method}
        \end{document}
        %! sec/method.tex
        \section{Adaptive rank}
        The update is $P Q$ with $P \in \mathbb{R}^{d \times r}$ and $Q \in \mathbb{R}^{r \times k}$.
        """,
        name="sec/background.tex",
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="sec/background.tex")


def test_an_equation_defines_a_letter_declared_only_in_a_later_file(tmp_path: Path) -> None:
    """``Z = M + S \\odot E`` sizes Z where the only declaration of Z is an experiments
    file's, read later."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! sec/method.tex
        \section{Method}
        With $M, S, E \in \mathbb{R}^{N \times D}$ let $Z = M + S \odot E$; the decoder gives
        $\hat A \in \mathbb{R}^{N \times N}$ as $\hat A = Z^\top Z$.
                                                 ^^^^^^^^^^^^^^^^^
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{sec/method}
        \input{sec/experiments}
        \end{document}
        %! sec/experiments.tex
        \section{Experiments}
        On Cora, $Z \in \mathbb{R}^{2708 \times 16}$.
        """,
        name="sec/method.tex",
    )
    assert found(result) == expected(fx, "equation-mismatch", name="sec/method.tex")


def test_a_later_file_s_notation_holds_in_an_earlier_one(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! sec/intro.tex
        \section{Introduction}
        We fit $X \beta$, not $\beta X$.
                               ^^^^^^^
        %! main.tex
        \documentclass{article}
        \begin{document}
        \input{sec/intro}
        \input{sec/notation}
        \end{document}
        %! sec/notation.tex
        \section{Notation}
        Throughout, $X \in \mathbb{R}^{n \times p}$ and $\beta \in \mathbb{R}^p$.
        """,
        name="sec/intro.tex",
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="sec/intro.tex")


def test_what_a_result_says_there_are_holds_after_it(tmp_path: Path) -> None:
    # "there are scalings $u \in …$ and $v \in …$ such that": the proposition brings in u and v
    # that the text goes on to use; what its "Let" declares stays its own
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.md
        # Sinkhorn

        Let $K \in \mathbb{R}^{n \times m}$, $a \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.

        ```{prf:proposition} Scaling
        Let $B \in \mathbb{R}^{q \times q}$ be invertible. There are scalings $u \in \mathbb{R}^n$
        and $v \in \mathbb{R}^m$ such that the plan is $\operatorname{diag}(u) K \operatorname{diag}(v)$.
        ```

        Sinkhorn alternates $u = a \oslash (K v)$ and $v = b \oslash (K^\top u)$; here $B = K^\top K$
        is fine, but $K u$ is not.
                      ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.md")


def test_a_quarto_callout_keeps_letters_declared_otherwise_outside(tmp_path: Path) -> None:
    # a callout's generic A, X, B (vec(AXB) = …) hold in it; after it the page's B is the
    # K×m coefficient matrix again, in the same section (the callout's "## Title" is its
    # title, not a section); a letter only the callout declares (K_*) carries on after it
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.qmd
        ## Estimation

        Let $B \in \mathbb{R}^{K \times m}$, $Z \in \mathbb{R}^{m \times T}$ and $y \in \mathbb{R}^{KT}$.

        ::: {.callout-tip}
        ## vec rules
        For $A \in \mathbb{R}^{r \times s}$, $X \in \mathbb{R}^{s \times q}$ and $B \in \mathbb{R}^{q \times n}$,
        $\operatorname{vec}(A X B) = (B^\top \otimes A) \operatorname{vec}(X)$. Let $K_* \in \mathbb{R}^{T \times K}$.
        :::

        So $y = (Z^\top \otimes I_K) \operatorname{vec}(B)$ conforms, $Z^\top B^\top$ too, and $B K_*$ does not.
                                                                                                ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.qmd")


def test_a_quarto_theorem_div_keeps_its_letters(tmp_path: Path) -> None:
    # ::: {#lem-…} is a lemma like \begin{lemma}: its C is its own, even when declared once
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.qmd
        Let $A \in \mathbb{R}^{n \times n}$.

        ::: {#lem-rank}
        ## Rank
        For $C \in \mathbb{R}^{p \times q}$, $\operatorname{rank}(C^\top C) = \operatorname{rank}(C)$.
        :::

        After it $A C$ is unknown and says nothing, but $A^\top A x$ with $x \in \mathbb{R}^{m}$ is wrong.
                                                         ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.qmd")


def test_a_defined_letter_set_to_its_transposed_shape_is_a_misprint(tmp_path: Path) -> None:
    # \hat B = Y Z^T (Z Z^T)^{-1} defines \hat B (K×m); written again as (Z Z^T)^{-1} Z Y^T
    # (m×K), or M = X^T D X set to a sum of inner products, it is a misprint, not a new
    # definition: reported, and the first definition still holds after it; in another
    # section (notes switching to rows) it is a new definition
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.md
        Let $Y \in \mathbb{R}^{K \times T}$, $Z \in \mathbb{R}^{m \times T}$, $X \in \mathbb{R}^{n \times p}$, $w \in \mathbb{R}^n$
        and $x_i \in \mathbb{R}^p$.

        The estimate is $\hat{B} = Y Z^\top (Z Z^\top)^{-1}$; misprinted, $\hat{B} = (Z Z^\top)^{-1} Z Y^\top$.
                                                                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        Its residuals $Y - \hat{B} Z$ are $K \times T$.

        $$
        M = X^\top \operatorname{diag}(w) X
        $$
        is not $M = \sum_{i=1}^n w_i\, x_i^\top x_i$, nor does $M = \mu$ (a letter) say more than a name.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        ## In code

        With rows, $\hat{B} = (Z Z^\top)^{-1} Z Y^\top$ anew: another section, another convention.
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", name="page.md")


def test_a_defined_vector_set_again_to_another_length_in_its_paragraph_is_a_slip(
    tmp_path: Path,
) -> None:
    # the recurrent gradient g, defined from W_h (an H-vector), then "the wrong half" from W_x
    # (a D-vector) in the same paragraph: a slip, reported, and g still an H-vector after it.
    # Not a slip: an update in place (h set to a D-vector computed from h), a sentence that
    # sets the letter anew ("Now …"), another paragraph
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $W_h \in \mathbb{R}^{4H \times H}$, $W_x \in \mathbb{R}^{4H \times D}$, $d \in \mathbb{R}^{4H}$
        and $u \in \mathbb{R}^{H}$.

        The state receives $g = W_h^\top d$. Using the wrong half, $g = W_x^\top d$, is a slip.
                                                                    ^^^^^^^^^^^^^^
        After it $g + u$ is fine.

        Let $W_1 \in \mathbb{R}^{m \times D}$ and $x \in \mathbb{R}^D$.
        The layer gives $h = W_1 x$, then $h = W_x^\top d \, (h^\top h)$ in place. Now $h = W_x^\top d$ anew.

        The next paragraph says $f = W_h^\top d$.

        In this one $f = W_x^\top d$.
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", name="notes.md")


def test_a_display_a_colon_leads_into_is_in_the_paragraph_of_the_sentence(tmp_path: Path) -> None:
    # S defined p×p, then set to an n×n product in a display that a sentence of the same
    # paragraph leads into with a colon (after a blank line): a slip, as in the paragraph
    # itself.  Not one: a display led by a sentence that names anew ("Instead, define:"), a
    # display a paragraph further, a sentence not ending in a colon
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $X \in \mathbb{R}^{n \times p}$. The covariance is $S = X^\top X$. A common confusion writes:

        $$
        S = X X^\top
        ^^^^^^^^^^^^
        $$

        Let $Y \in \mathbb{R}^{n \times p}$. We have $R = Y^\top Y$. Instead, define:

        $$
        R = Y Y^\top
        $$

        We have $Q = Y^\top Y$.

        $$
        Q = Y Y^\top
        $$
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", name="notes.md")


def test_an_undeclared_basis_vector_added_to_a_column_takes_its_length(tmp_path: Path) -> None:
    # p - e_y with e_y the one-hot vector of a label: a V-vector, so h (p - e_y) multiplies two
    # columns; another letter (U_y) undeclared is unknown, and says nothing (a bold lowercase
    # u_y is a column or a number, so h (p - u_y) multiplies two columns too: test_issue13_misses30)
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $\mathbf{h} \in \mathbb{R}^H$, $\mathbf{p} \in \mathbb{R}^V$ and $W \in \mathbb{R}^{V \times H}$.

        Right: $(\mathbf{p} - \mathbf{e}_{y}) \mathbf{h}^\top$ and $W^\top (\mathbf{p} - e_y)$.
        Wrong: $\mathbf{h} (\mathbf{p} - \mathbf{e}_{y})$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        Unknown: $\mathbf{h} (\mathbf{p} - U_{y})$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="notes.md")


def test_a_quarto_theorem_and_its_proof_share_their_letters(tmp_path: Path) -> None:
    # the square A of {#thm-…} holds in the {.proof} right after it, not the page's m×n A;
    # after both, the page's A again
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.qmd
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.

        ::: {#thm-square}
        For $A \in \mathbb{R}^{k \times k}$ symmetric, $A^2$ is positive semidefinite.
        :::

        ::: {.proof}
        $x^\top A^2 x = \|A x\|^2 \ge 0$ for any $x \in \mathbb{R}^k$.
        :::

        After them $A x$ is fine and $A^2$ is not.
                                      ^^^
        """,
    )
    assert found(result) == expected(fx, "not-square", name="page.qmd")


def test_a_letter_defined_once_travels_but_never_as_the_side_of_a_mismatch(
    tmp_path: Path,
) -> None:
    r"""PCA notes: the scores ``T = X V_k``, defined once, are n×k in the Reconstruction
    section, so a mean added as a column there is found; a gain ``K`` defined once in the
    Kalman section is not trusted as the operand of a mismatch in the LQR section (``-K x``:
    another K, maybe); an identity stated "for any conformable matrices" has letters of its
    own."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! pca.md
        ## Scores

        Let $X \in \mathbb{R}^{n \times p}$, $V_k \in \mathbb{R}^{p \times k}$ and $m \in \mathbb{R}^p$.
        The scores are $T = X V_k$.

        ## Kalman filter

        Let $C \in \mathbb{R}^{q \times p}$ and $P \in \mathbb{R}^{p \times p}$, so $K = P C^\top$.

        ## Reconstruction

        Right: $T V_k^\top + \mathbf{1}_n m^\top$. Wrong: $T V_k^\top + m \mathbf{1}_n^\top$.
                                                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        The control $u = -K m$ uses a gain of its own.
        For any conformable matrices, $\operatorname{vec}(T X K) = (K^\top \otimes T)\operatorname{vec}(X)$.
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", name="pca.md")


def test_a_letter_declared_again_later_keeps_its_first_shape_in_the_next_section(
    tmp_path: Path,
) -> None:
    # K is n×d_k in the forward pass and m×d_k for cross-attention: in the backward pass,
    # the section right after the first, it is still n×d_k; two sections on, it is unknown
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! post.md
        ## Forward

        Let $Q, K \in \mathbb{R}^{n \times d_k}$ and $S = Q K^\top$.

        ## Backward

        Then $dQ = dS\, K$, not $dS^\top K^\top$.
                                 ^^^^^^^^^^^^^^

        ## Tricks

        A late remark: $K^\top K^\top$ is not read.

        ## Cross-attention

        The keys now come from an encoder: $K \in \mathbb{R}^{m \times d_k}$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_letter_declared_again_is_not_carried_between_subsections(tmp_path: Path) -> None:
    # a reference's short subsections re-use letters (the Matrix Cookbook's A)
    _, result = check_fixture(
        tmp_path,
        r"""
        %! ref.md
        ### Square

        Let $A \in \mathbb{R}^{n \times n}$.

        ### Broad

        Then $A^\top A^\top$ means another $A$.

        ### Tall

        Let $A \in \mathbb{R}^{m \times n}$.
        """,
    )
    assert found(result) == set()


def test_an_example_s_sizes_in_another_file_stay_in_its_example(tmp_path: Path) -> None:
    """An Example of sections/model.tex takes "$N = D = 1$": the sizes of its own symbols,
    not of sections/training.tex, where H C (L x N by D x N) is still wrong."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! sections/training.tex
        \section{Training}
        The output was computed as $H C$, which does not conform.
                                    ^^^
        %! main.tex
        \documentclass{article}
        \newtheorem{example}{Example}
        \begin{document}
        Let $H \in \mathbb{R}^{L \times N}$ and $C \in \mathbb{R}^{D \times N}$.
        \input{sections/model}
        \input{sections/training}
        \end{document}
        %! sections/model.tex
        \section{The layer}
        \begin{example}
        Take $N = D = 1$: every matrix is a number.
        \end{example}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="sections/training.tex")


def test_a_letter_in_another_font_defined_in_an_example_leaves_the_plain_one(
    tmp_path: Path,
) -> None:
    r"""Lecture notes: "With $N = 2$, $\mathcal{B} = [B\ 0;\ AB\ B]$" in an Example defines the
    calligraphic letter, not B: the student's [B 0; A B] just after is still checked."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{example}{Example}
        \begin{document}
        Let $A \in \mathbb{R}^{n \times n}$ and $B \in \mathbb{R}^{n \times m}$.
        \begin{example}
        With $N = 2$,
        \begin{equation}
          \mathcal{B} = \begin{bmatrix} B & 0 \\ A B & B \end{bmatrix}.
        \end{equation}
        A student's solution had
        \begin{equation}
          \mathcal{B} = \begin{bmatrix} B & 0 \\ A & B \end{bmatrix},
                                                 ^
        \end{equation}
        \end{example}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "block-mismatch")


def test_a_declaration_after_a_math_block_and_a_blank_line_still_serves_it(
    tmp_path: Path,
) -> None:
    """MyST: a ```{math} block, a blank line, then "here for a single head with $W^K \\in …$"
    goes on with the block's sentence: K = X W^K is sized, and Q K^T + M is checked."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $X \in \mathbb{R}^{n \times d}$ and $Y \in \mathbb{R}^{m \times d}$.

        ```{math}
        :label: eq-cross
        Q = Y W^Q, \quad K = X W^K,
        ```

        here for a single head with $W^Q, W^K \in \mathbb{R}^{d \times d_k}$.

        A causal mask $M \in \mathbb{R}^{m \times m}$ has no place here: $Q K^\top + M$ is wrong.
                                                                          ^^^^^^^^^^^^
        """,
        name="notes.md",
    )
    assert found(result) == expected(fx, "add-mismatch", name="notes.md")


def test_a_section_titled_problem_poses_the_problem_for_the_sections_after_it(
    tmp_path: Path,
) -> None:
    # lecture notes open with \section*{Problem}: the system it declares is the one the next
    # sections solve (a numbered "Problem 2" is still an exercise of its own)
    fx, result = check_fixture(
        tmp_path,
        r"""
        \section*{Problem}
        Let $A \in \mathbb{R}^{n \times n}$ and $B \in \mathbb{R}^{n \times m}$.
        \section*{Dynamic programming}
        The closed loop is $A + B K$, for $K \in \mathbb{R}^{m \times n}$; not $A + K B$.
                                                                                ^^^^^^^
        \section{Problem 2}
        Let $A \in \mathbb{R}^{k \times k}$. Then $A^2$.
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


CHAPTER = r"""
\documentclass{book}
\newtheorem{thm}{Theorem}
\newtheorem{example}{Example}
\newtheorem{exercise}{Exercise}
\begin{document}
\chapter{The SVD}
\section{Existence}
\begin{thm}
Let $A \in \mathbb{R}^{m \times n}$ with $m \ge n$.
\end{thm}
\begin{proof}
Put $u \in \mathbb{R}^m$, a column of the left factor.
\end{proof}
After it $A^\top u$ is fine, but $A u$ is not.
                                  ^^^
\begin{example}
Let $A \in \mathbb{R}^{2 \times 3}$ and $x \in \mathbb{R}^3$: its own $A x$ is fine.
\end{example}
\section*{Exercises}
\begin{exercise}
Show that $A A^\top u$ and $u^\top A$ are fine, and that $u A$ is not.
                                                          ^^^
\end{exercise}
\end{document}
"""


def test_what_a_theorem_declares_of_a_letter_of_one_shape_holds_after_it(tmp_path: Path) -> None:
    # a book's "Theorem. Let $A \in \mathbb{R}^{m \times n}$" and its proof's u size the
    # chapter's A and u after them (a later section, the exercises), past an Example that
    # sizes an A of its own (which stays its own)
    fx, result = check_fixture(tmp_path, CHAPTER)
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_theorem_s_letter_re_used_with_another_shape_stays_its_own(tmp_path: Path) -> None:
    # a letter two lemmas declare with two shapes, or one a lemma supposes ("For $C \in …$",
    # "If $B \in …$"), or a proof's step defined by an equation, is each result's own: after
    # them nothing sizes it, and a running-text equation gives it a meaning anew
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{lemma}{Lemma}
        \begin{document}
        \section{Facts}
        Let $x \in \mathbb{R}^{k}$.
        \begin{lemma}
        Let $A \in \mathbb{R}^{m \times n}$. Then $A^\top A$ is square.
        \end{lemma}
        \begin{lemma}
        Let $A \in \mathbb{R}^{n \times n}$. For $C \in \mathbb{R}^{p \times q}$, $C^\top C$ is
        square. If $B \in \mathbb{R}^{q \times q}$ then $B^2$ is too.
        \end{lemma}
        \begin{proof}
        With $D = C C^\top$ this is clear.
        \end{proof}
        After them $A x$, $C x$, $B x$ and $D x$ say nothing, and $C = x x^\top$ is a definition.
        \end{document}
        """,
    )
    assert found(result) == set()


def test_a_markdown_theorem_s_letters_hold_after_it_an_example_s_do_not(tmp_path: Path) -> None:
    # MyST's {prf:theorem} and Quarto's {#thm-…} state as \begin{theorem} does; an example
    # (:::{prf:example}, {#exm-…}) keeps its letters
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.md
        # Notes

        ```{prf:theorem} Rank
        Let $A \in \mathbb{R}^{m \times n}$ with $m > n$.
        ```

        ```{prf:example}
        Let $B \in \mathbb{R}^{2 \times 3}$.
        ```

        Then $A^\top A$ is fine, $B B$ says nothing, and $A A$ is wrong.
                                                          ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.md")
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! page.qmd
        # Notes

        ::: {#thm-rank}
        Let $A \in \mathbb{R}^{m \times n}$ with $m > n$.
        :::

        ::: {#exm-small}
        Let $B \in \mathbb{R}^{2 \times 3}$.
        :::

        Then $A^\top A$ is fine, $B B$ says nothing, and $A A$ is wrong.
                                                          ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="page.qmd")


def test_a_definition_made_of_set_up_letters_is_no_borrowed_letter(tmp_path: Path) -> None:
    r"""GP notes: ``\alpha = (K + \sigma^2 I_n)^{-1} y`` in the Solving section is made only
    of the Setting's K, σ² and y, so it names the model's weights, and the Prediction
    section's ``K_*^\top \alpha`` is a mismatch with it as a side; a gain made of letters
    its own section declares (``G = P C^\top``) stays borrowed in the next."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! gp.md
        ## Setting

        Let $K = K_1 \otimes K_2$ with $K_1 \in \mathbb{R}^{n \times n}$ and $K_2 = I_1$,
        $y \in \mathbb{R}^n$, and a noise variance $\sigma^2 > 0$.

        ## Solving

        Let $C \in \mathbb{R}^{q \times n}$ and $P \in \mathbb{R}^{n \times n}$. The weights are
        $\alpha = (K + \sigma^2 I_n)^{-1} y$ and the gain is $G = P C^\top$.

        ## Prediction

        Let $K_* \in \mathbb{R}^{m \times n}$. The mean is $K_* \alpha$, not $K_*^\top \alpha$.
                                                                              ^^^^^^^^^^^^^^^
        The control $u = -G \alpha$ uses a gain of its own.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", name="gp.md")
