r"""Prose forms met in real documents, weak scalars ("$\lambda > 0$") and dimension facts
stated in text ("$n = n_1 n_2$"): each form with a planted error found at its exact range,
and correct documents that must stay quiet."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import (
    SCALAR,
    check_fixture,
    declaration,
    expected,
    found,
    same_shape,
    shape,
    shape_of,
)

# -- prose forms ------------------------------------------------------------------------------


def test_an_apposition_after_a_definition_declares_it(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$ and $v \in \mathbb{R}^{n}$.
        $K_* = k(X, X_*)$, an $n \times n_*$ matrix, gives $K_*^\top v$, but not $K_* v$.
                                                                                  ^^^^^
        """,
    )
    k = declaration(result, "K_{*}")
    assert k is not None and k.shape.short() == "n×n_*" and k.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "said",
    [r"$\mathbf{V}$ known ($n \times n$, positive definite)", r"$\mathbf{V}$ ($n \times n$)",
     r"$\mathbf{V}$ (an $n \times n$ matrix)"],
)  # fmt: skip
def test_a_size_in_brackets_after_the_letter_declares_it(tmp_path: Path, said: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $X \in \mathbb{{R}}^{{n \times p}}$, and {said} its noise covariance.
        Then $X^\top \mathbf{{V}}^{{-1}} X$ is $p \times p$, but not $X \mathbf{{V}}$ here.
                                                                  ^^^^^^^^^^^^
        """,
    )
    v = declaration(result, "V", "mathbf")
    assert v is not None and v.shape.short() == "n×n" and v.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_apposition_sizes_a_wrong_value_not_the_letter_declared_just_before(
    tmp_path: Path,
) -> None:
    # a Kalman gain declared n×p, then a slip written out and sized in words: the words size
    # the wrong value, the equation is reported, and the gain stays n×p after it
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $C \in \mathbb{R}^{p \times n}$, $S \in \mathbb{R}^{p \times p}$,
        $P \in \mathbb{R}^{n \times n}$ and $K \in \mathbb{R}^{n \times p}$ the gain.
        The gain written from the left, $K = S^{-1} C P$, which is a $p \times n$ matrix, is wrong.
                                         ^^^^^^^^^^^^^^
        The update is $(I_n - K C) P$.
        """,
    )
    k = declaration(result, "K")
    assert k is not None and k.shape.short() == "n×p"
    assert found(result) == expected(fx, "equation-mismatch")


@pytest.mark.parametrize(
    "sentence",
    [
        r"Now let $K = S^{-1} C P$, a $p \times n$ matrix.",  # named anew in its sentence
        "\n" + r"The row gain is $K = S^{-1} C P$, a $p \times n$ matrix.",  # another paragraph
    ],
)
def test_an_apposition_that_names_a_letter_anew_declares_it(tmp_path: Path, sentence: str) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $C \in \mathbb{R}^{p \times n}$, $S \in \mathbb{R}^{p \times p}$,
        $P \in \mathbb{R}^{n \times n}$ and $K \in \mathbb{R}^{n \times p}$ the gain.
        """
        + sentence
        + "\n"
        + r"""Then $K P$ is a product.""",
    )
    assert found(result) == set()


def test_letters_and_sizes_paired_respectively(tmp_path: Path) -> None:
    # "…, respectively": the letters before the verb, the sizes (or spaces) after it, in order;
    # in a sentence that supposes ("If …"), for that sentence only
    fx, result = check_fixture(
        tmp_path,
        r"""
        The matrices $A$ and $B$ are $m \times n$ and $n \times p$, respectively, and $x, y$ are in $\mathbb{R}^n$ and $\mathbb{R}^m$, respectively.
        The weights $W_q, W_k$ have sizes $d \times k$ and $d \times v$, respectively.
        Right: $A B$, $A x$, $y^\top A x$, $W_q^\top W_k$. Wrong: $B A$ and $A y$.
                                                                   ^^^       ^^^
        If $C$ and $D$ are $a \times b$ and $c \times d$ respectively, then $C D$ needs $b = c$.
        """,
    )
    declared = [declaration(result, k) for k in ("A", "B", "x", "y", "W_{q}", "W_{k}")]
    assert [d.shape if d is not None else None for d in declared] == [
        shape("m", "n"), shape("n", "p"), shape("n", 1), shape("m", 1), shape("d", "k"),
        shape("d", "v"),
    ]  # fmt: skip
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_apposition_after_a_relation_that_defines_nothing_declares_nothing(
    tmp_path: Path,
) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        We have $y \le z$, a $d$-dimensional vector inequality, and $y^\top y$.
        """,
    )
    assert declaration(result, "y") is None
    assert found(result) == set()


def test_one_in_a_list_names_the_kind_said_before(tmp_path: Path) -> None:
    # "… and $B$ a $k \times k$ positive definite one": B is k×k there (an exercise re-using
    # the letters), and "one-hot" is no kind
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A$ be a $k \times k$ symmetric matrix and $B$ a $k \times k$ positive definite one.
        Then $B^{-1} A$ is fine; with $y \in \mathbb{R}^n$, $B y$ is not.
                                                             ^^^
        Let $C$ be an $m \times m$ matrix and $v$ an $n$ one-hot vector.
        """,
    )
    b = declaration(result, "B")
    assert b is not None and b.shape.short() == "k×k" and b.how == "prose"
    assert declaration(result, "v") is None
    assert found(result) == expected(fx, "matmul-mismatch")


def test_the_letters_a_display_defines_are_put_in_the_space_said_after_it(tmp_path: Path) -> None:
    r""" "… $$ all in $\mathbb{R}^{n_h}$" (after a blank line, or in the display's own
    paragraph) declares the letters the display's rows define — tagged ones too
    (``\delta^h_t``), whose definitions alone give no shape (``g`` is not declared)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Let $U \in \mathbb{R}^{n_h \times n_h}$ and $r_t \in \mathbb{R}^{n_h}$.

        $$
        \begin{aligned}
        \delta^h_t &= g \odot r_t, \\
        \delta^z_t &= g \odot (1 - r_t),
        \end{aligned}
        $$

        all in $\mathbb{R}^{n_h}$. So $U^\top \delta^h_t$ is fine, but not $(\delta^z_t)^\top U \odot r_t$.
                                                                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "elementwise-mismatch")
    d = declaration(result, r"\delta_{t}^{h}")
    assert d is not None and d.shape.short() == "n_h" and d.how == "prose"
    assert declaration(result, "g") is None


def test_a_display_read_as_all_in_a_space_must_define_a_letter_on_every_row(
    tmp_path: Path,
) -> None:
    r"""A LaTeX display followed in its paragraph by "each in $\mathbb{R}^n$" declares its
    letters; one with a row that defines no letter (an update ``x \leftarrow …``) declares
    nothing: its "all" may count something else."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$ and $b \in \mathbb{R}^{n}$.
        \begin{align}
        u &= q \odot b \\
        v &= q \odot b
        \end{align}
        each in $\mathbb{R}^{n}$, and $u^\top A v$ is a number while $A u^\top$ is not.
                                                                      ^^^^^^^^
        \begin{align}
        p &= q \odot b \\
        s &\leftarrow q \odot b
        \end{align}
        all in $\mathbb{R}^{n}$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "v") is not None and declaration(result, "p") is None


def test_a_list_of_scalars_before_the_word(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Take $\gamma, \beta, \varepsilon$ scalars and $x \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$.
        Then $\gamma x + \beta x$ and $\varepsilon A x$ are fine, but $x + A \beta x$ is not.
                                                                       ^^^^^^^^^^^^^
        """,
    )
    for key in ("\\gamma", "\\beta", "\\varepsilon"):
        d = declaration(result, key)
        assert d is not None and d.shape == SCALAR
    assert found(result) == expected(fx, "add-mismatch")


def test_scalars_named_after_the_word(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        For scalars $\gamma$ and $\beta$ and $A \in \mathbb{R}^{m \times n}$, $\gamma A + \beta A$
        is fine.  With scalars $a, b$ and $c$ and $x \in \mathbb{R}^m$, $a x + b$ is fine.
        """,
    )
    for key in ("\\gamma", "\\beta", "a", "b", "c"):
        d = declaration(result, key)
        assert d is not None and d.shape == SCALAR, key
    a = declaration(result, "A")
    assert a is not None and same_shape(a.shape, shape("m", "n"))  # not made a scalar
    assert found(result) == set()


def test_scalar_product_is_no_scalar_declaration(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        The $u$ and $v$ are scalars products aside, $x$ scalar product with $y$.
        """,
    )
    assert declaration(result, "x") is None


# -- weak scalars: a comparison with a number -------------------------------------------------


def test_a_comparison_with_a_number_makes_a_weak_scalar(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\lambda > 0$, $0 < \eta < 1$ and $w \in \mathbb{R}^p$, $A \in \mathbb{R}^{p \times q}$.
        The loss $\|w\|^2 + \lambda \|w\|^2 + \eta$ is a scalar, and $w \lambda$ a vector, so
        $A^\top (w \lambda)$ is fine but $A (w \eta)$ is not.
                                          ^^^^^^^^^^
        """,
    )
    assert shape_of(result, r"\|w\|^2 + \lambda \|w\|^2 + \eta") == SCALAR
    assert same_shape(shape_of(result, r"w \lambda"), shape("p"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_weak_scalar_gives_way_to_a_declaration(tmp_path: Path) -> None:
    """``x \\ge 0`` of a declared vector is elementwise; ``\\lambda \\ge 0`` of a declared
    vector too: neither makes a scalar nor a conflict."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\lambda \in \mathbb{R}^m$ with $\lambda \ge 0$ and $x \in \mathbb{R}^n$, $x \ge 0$,
        $A \in \mathbb{R}^{m \times n}$.  Then $A^\top \lambda + x$ is fine, not $A \lambda$.
                                                                                  ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_matrix_order_and_bold_letters_make_no_weak_scalar(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        With $\Sigma \succ 0$, $\boldsymbol{\mu} \ge 0$ and $\mu_k \geq 0$, $A \succeq 0$.
        """,
    )
    assert not {k for k in result.table.weak if k in ("\\Sigma", "A")}
    assert "\\mu" not in result.table.weak
    assert set(result.table.weak) == {"\\mu_{k}"}
    assert found(result) == set()


def test_a_letter_compared_with_an_inner_product_is_a_weak_scalar(tmp_path: Path) -> None:
    r"""``\mathbf{a}_i^\top\mathbf{x} < c_i``: the right side is a number, so ``c_i`` is one;
    a letter compared with a vector (``x < c``) or a plain product (``Ab < c``) is not."""
    _, result = check_fixture(
        tmp_path,
        r"""
        For constraints $\mathbf{a}_i^\top\mathbf{x} < c_i$ and $A\mathbf{b} < d$, with
        $\mathbf{x} < e$.
        """,
    )
    assert set(result.table.weak) == {"c_{i}"}
    assert found(result) == set()


def test_a_greek_letter_compared_with_a_count_is_a_weak_scalar(tmp_path: Path) -> None:
    r"""``\nu > p - 1`` (a Wishart's degrees of freedom): a Greek letter compared with one
    plain letter and a number is a number, as with ``\nu > 0``; a Latin letter so compared
    (``x > n - 1``, perhaps an entrywise bound) and a comparison with two letters
    (``\tau > p - q``) are not."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        With $\nu > p - 1$, $x > n - 1$, $\tau > p - q$ and $V \in \mathbb{R}^{p \times q}$,
        the scale $\nu V$ is fine but $V \nu V$ is not.
                                       ^^^^^^^
        """,
    )
    assert set(result.table.weak) == {"\\nu"}
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_comparison_in_a_value_defines_no_function(tmp_path: Path) -> None:
    r"""``\sigma_{\min}(\Phi) = \sigma > 0`` states a value at Φ: applying ``\sigma_{\min}`` to
    another matrix later is no argument mismatch."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $\Phi \in \mathbb{R}^{n \times p}$ and $\sigma_{\min}(\Phi) = \sigma > 0$.
        Then $\sigma^2 = \sigma_{\min}(\Phi \Phi^\top)$.
        """,
    )
    assert found(result) == set()


# -- dimension facts ----------------------------------------------------------------------------


def test_a_kronecker_product_agrees_under_a_stated_fact(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K^{(1)} \in \mathbb{R}^{n_1 \times n_1}$, $K^{(2)} \in \mathbb{R}^{n_2 \times n_2}$,
        $K \in \mathbb{R}^{n \times n}$ and $v \in \mathbb{R}^n$, $u \in \mathbb{R}^{n_1}$, with $n = n_1 n_2$.
        Then $(K^{(1)} \otimes K^{(2)}) v$ and $K + K^{(1)} \otimes K^{(2)}$ are fine, $K^{(1)} v$ is not.
                                                                                        ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_without_the_fact_the_kronecker_product_disagrees(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K^{(1)} \in \mathbb{R}^{n_1 \times n_1}$, $K^{(2)} \in \mathbb{R}^{n_2 \times n_2}$ and $v \in \mathbb{R}^n$.
        Then $(K^{(1)} \otimes K^{(2)}) v$.
              ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_multi_head_attention_under_d_model_equals_h_d_v(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Each head is $\mathrm{head}_i \in \mathbb{R}^{n \times d_v}$, and
        $W^O \in \mathbb{R}^{h d_v \times d_{\text{model}}}$, $X \in \mathbb{R}^{n \times d_{\text{model}}}$,
        where $d_{\text{model}} = h d_v$.  Then $X W^O$ is $n \times d_{\text{model}}$.
        """,
    )
    assert found(result) == set()


def test_a_stated_number_makes_an_instance_a_mismatch(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^N$, with $N = 2$.  Then $x^\top \begin{bmatrix} 1 \\ 2 \end{bmatrix}$ is fine,
        $x^\top \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}$ is not.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_example_s_facts_are_its_own(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Model

        Let $x \in \mathbb{R}^n$ and $A \in \mathbb{R}^{m \times n}$.

        ## Example 1

        Take $n = 2, m = 1$: then $A \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}$ is wrong.
                                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

        ## Example 2

        Here $A \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}$ is an instance with $n = 3$.
        """,
        name=None,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_example_goes_through_cases_each_with_its_sizes(tmp_path: Path) -> None:
    # in an example, "For the Nile data $m = 1$" is one case; the local linear trend after
    # it writes T out as 2×2 (m = 2): an instance of m×m.  Outside an example, the number
    # stated for m still holds and the written-out matrix contradicts it.
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Model

        The state is $\alpha_t \in \mathbb{R}^m$ and $T \in \mathbb{R}^{m \times m}$.

        ## Example: two models

        For the Nile data $m = 1$ and $T = 1$. For the local linear trend,
        $T = \begin{bmatrix} 1 & 1 \\ 0 & 1 \end{bmatrix}$.

        # Fitting

        Here $m = 1$, and $T = \begin{bmatrix} 1 & 1 \\ 0 & 1 \end{bmatrix}$ is wrong.
                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_an_equation_between_vectors_and_a_range_are_no_facts(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $y \in \mathbb{R}^n$, $X \in \mathbb{R}^{n \times d}$, $w \in \mathbb{R}^d$ and $y = Xw$; $k < d$.
        Let $W_k \in \mathbb{R}^{k \times d}$ for $k = 1, \dots, K$; then $y^\top \begin{bmatrix} 1 \\ 2 \end{bmatrix}$.
        """,
    )
    assert result.table.facts == {}
    assert found(result) == set()


def test_a_number_stated_in_a_case_holds_in_its_sentence(tmp_path: Path) -> None:
    # "If $n = 2$" is the hypothesis of its sentence: an instance there, a name after it
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $y \in \mathbb{R}^n$.  If $n = 2$, then $y^\top \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}$ is wrong.
                                                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        Otherwise $y^\top \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}$ is an instance of $y^\top y$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_two_names_made_equal_hold_in_their_sentence_only(tmp_path: Path) -> None:
    # a saturated model's "with $p = n$" is a remark, not a fact of the document
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$, $\beta \in \mathbb{R}^p$ and $y \in \mathbb{R}^n$.
        With $p = n$ and $X$ invertible, $\beta = X^{-1} y$ fits every observation.

        The information is $X^\top X$, and $X^\top \beta$ is wrong.
                                            ^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    (fact,) = result.table.facts["\0fact p"]
    assert fact.sentence is not None
    sentence = fx.files[fx.main][slice(*fact.sentence)]
    assert sentence == r"With $p = n$ and $X$ invertible, $\beta = X^{-1} y$ fits every observation"


def test_a_case_after_a_formula_holds_for_it(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Q \in \mathbb{R}^{m \times n}$ and $R \in \mathbb{R}^{n \times n}$.
        The rule $(QR)^{-1} = R^{-1} Q^{-1}$ does hold: if $m = n$, then $Q$ is orthogonal.
        For $m > n$ the matrix $Q^{-1}$ does not exist.
                                ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_case_holds_in_the_display_that_continues_its_sentence(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $J \in \mathbb{R}^{m \times n}$ and $r \in \mathbb{R}^m$.
        Square case, with $m = n$ and $J$ invertible:
        \[ p = -J^{-1} r , \]
        Newton's method.  In general $J^{-1} r$ is not defined.
                                      ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_case_holds_in_a_display_after_its_colon_and_a_blank_line(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.md
        Let $x \in \mathbb{R}^n$.  For $n = 2$:

        $$
        x^\top \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix} = 6
        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        $$

        In general $x^\top \begin{bmatrix} 1 \\ 2 \\ 3 \end{bmatrix}$ is an instance of $x^\top x$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_two_names_made_equal_hold_in_the_display_after_their_comma(tmp_path: Path) -> None:
    # an answer's "for $f(X) = \operatorname{tr}(AXB)$ with $m = q$," goes on into the display
    # after its blank line: the trace of the m×q product is square there (held15/mathse-kron)
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.md
        Here $A \in \mathbb{R}^{m \times n}$, $X \in \mathbb{R}^{n \times p}$, $B \in \mathbb{R}^{p \times q}$.
        The same idea gives, for $f(X) = \operatorname{tr}(AXB)$ with $m = q$,

        $$\nabla_X\,\operatorname{tr}(AXB) = A^\top B^\top$$

        but in general $\operatorname{tr}(AXB)$ needs no such thing.
                        ^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_name_that_follows_from_the_setting_holds_beyond_its_sentence(tmp_path: Path) -> None:
    # "so that $q = m$" derives a size from the setting (no case before it): it holds on
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $Z \in \mathbb{R}^{n \times q}$, $y \in \mathbb{R}^n$ and $u \in \mathbb{R}^m$.
        With $m$ groups of $k$ observations each, so that $n = mk$ and $q = m$, sort the data.

        The centred response is $y - Z u$.
        """,
    )
    assert found(result) == set()


def test_names_made_equal_where_shapes_are_declared_hold_beyond_their_sentence(
    tmp_path: Path,
) -> None:
    # the sentence that declares W_i^V with d_v sets the notation up: its "with $d_v = d_k$"
    # is no special case, so the square W^O of a later sentence is square (a slip still found)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Per head, $W_i^V \in \mathbb{R}^{d \times d_v}$, with $d = h d_k$ and $d_v = d_k$.

        For $X \in \mathbb{R}^{n \times d}$ and $W^O \in \mathbb{R}^{h d_v \times d}$, $X W^O$ is fine, $X^\top W^O$ is not.
                                                                                                         ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "statement",
    [
        r"Let $m = n$.",
        r"Throughout, $m = n$.",
        r"We assume that $m = n$.",
        r"The data are paired, so that $m = n$.",
    ],
)
def test_a_name_supposed_as_such_holds_beyond_its_sentence(tmp_path: Path, statement: str) -> None:
    _, result = check_fixture(
        tmp_path,
        rf"""
        Let $A \in \mathbb{{R}}^{{m \times n}}$ and $b \in \mathbb{{R}}^m$.  {statement}

        Then $x = A^{{-1}} b$.
        """,
    )
    assert found(result) == set()


@pytest.mark.parametrize(
    "statement",
    [
        r"Let $B \in \mathbb{R}^{n \times n}$, with $m = n$ for a moment.",
        r"If $A$ is square, so that $m = n$, it is invertible.",
        r"Assume that $m \ge n$; if $m = n$, it is invertible.",
    ],
)
def test_a_name_stated_in_a_case_holds_in_its_sentence_only(tmp_path: Path, statement: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $A \in \mathbb{{R}}^{{m \times n}}$ and $b \in \mathbb{{R}}^m$.  {statement}

        Then $x = A^{{-1}} b$.
                  ^^^^^^
        """,
    )
    assert found(result) == expected(fx, "not-square")


def test_a_restriction_holds_nowhere(tmp_path: Path) -> None:
    # "… unless $p = n$" says what fails but in that case: the formulas before it are wrong
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $H \in \mathbb{R}^{p \times n}$ and $P \in \mathbb{R}^{n \times n}$.
        Students write $P H$, and the sizes do not match unless $p = n$.
                        ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


@pytest.mark.parametrize(
    "words",
    [
        "is a mistake that R's recycling rules hide when",
        "is an error that goes unnoticed if",
        "is wrong, although it runs when",
    ],
)
def test_a_fact_in_a_sentence_calling_a_formula_wrong_holds_nowhere(
    tmp_path: Path, words: str
) -> None:
    # "… is a mistake that … hides when $n_1 = n_2$": the case where the mistake is hidden
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $a \in \mathbb{{R}}^{{n_1}}$ and $b \in \mathbb{{R}}^{{n_2}}$. Writing
        $$
        a b^\top + b a^\top
        $$
        {words} $n_1 = n_2$.
        """,
    )
    assert [d.code for d in result.diagnostics] == ["add-mismatch"]


def test_a_case_that_is_no_mistake_still_holds_in_its_sentence(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $a \in \mathbb{R}^{n_1}$ and $b \in \mathbb{R}^{n_2}$. The sum
        $a b^\top + b a^\top$ is symmetric when $n_1 = n_2$.
        """,
    )
    assert found(result) == set()


def test_an_example_that_states_sizes_in_its_sentence_sets_its_letters_to_them(
    tmp_path: Path,
) -> None:
    # "With $N = 2$, $P = [3×3]$": the sentence states the case, so a 3×3 P is a slip; a case
    # stated in an earlier sentence of the example does not bind the next case
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{example}{Example}
        \begin{document}
        Let $P \in \mathbb{R}^{N \times N}$ and $C \in \mathbb{R}^{p \times n}$.
        \begin{example}
        With $N = 2$, $P = \begin{bmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 1 \end{bmatrix}$.
                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        With $N = 2$, $P = \begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}$.
        For a scalar output $p = n = 1$. For a planar position, $C = \begin{bmatrix} 0 & 1 \end{bmatrix}$.
        \end{example}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


# -- families sized by a matrix's rows or columns -----------------------------------------------


@pytest.mark.parametrize(
    "prose",
    [
        r"$X \in \mathbb{R}^{N \times d}$ stacks the $\mathbf{x}_i^\top$ as rows",
        r"Let $X \in \mathbb{R}^{N \times d}$, whose rows are $\mathbf{x}_i^\top$",
        r"Let $X \in \mathbb{R}^{N \times d}$ with rows $\mathbf{x}_1^\top, \dots, \mathbf{x}_N^\top$",
        r"Let $X \in \mathbb{R}^{N \times d}$; $\mathbf{x}_i^\top$ is the $i$-th row of $X$",
        r"Let $X$ be an $N \times d$ matrix whose $i$-th row is the observation $\mathbf{x}_i^\top$",
        r"Let $X \in \mathbb{R}^{N \times d}$, whose $i$-th row is $\mathbf{x}_i^\top$",
        r"Let $X \in \mathbb{R}^{N \times d}$ be the design matrix, whose $i$-th row is $\mathbf{x}_i^\top$",
        r"Let $X \in \mathbb{R}^{N \times d}$; the $i$-th row of $X$ is $\mathbf{x}_i^\top$",
        r"Let $X \in \mathbb{R}^{N \times d}$. The $i$th row of $X$ we denote by $\mathbf{x}_i^\top$",
    ],
)
def test_rows_of_a_matrix_size_a_family(tmp_path: Path, prose: str) -> None:
    fx, result = check_fixture(
        tmp_path,
        rf"""
        {prose}, and $y \in \mathbb{{R}}^N$.
        Then $X \mathbf{{x}}_i$ and $x_i^\top X^\top y$ are fine, but $X^\top x_i$ is not.
                                                                     ^^^^^^^^^^
        """,
    )
    x = declaration(result, "x_{i}", "mathbf")
    assert x is not None and same_shape(x.shape, shape("d"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_columns_of_a_matrix_size_a_family(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Z \in \mathbb{R}^{d \times N}$, whose columns are $z_i$, and $W \in \mathbb{R}^{k \times d}$.
        Then $W z_i$ is fine, but $z_i W$ is not.
                                   ^^^^^
        """,
    )
    z = declaration(result, "z_{i}")
    assert z is not None and same_shape(z.shape, shape("d"))
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_family_row_declaration_follows_the_matrix_edited(tmp_path: Path) -> None:
    """The family's size is the matrix's: declared elsewhere, in force where the sentence is."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{N \times p}$.  Its rows are data: $\mathbf{x}_i^\top$ is the $i$-th row of $X$.
        """,
    )
    x = declaration(result, "x_{i}", "mathbf")
    assert x is not None and same_shape(x.shape, shape("p"))
    assert found(result) == set()


# -- after an edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("with $N = 2$.", "with $N = 3$."),  # a fact changed
        ("with $N = 2$.", "with $N = M$."),  # … to a name that is no dimension
        ("with $N = 2$.", "If $N = 2$."),  # … to a case (for its sentence)
        ("with $N = 2$.", "with $N = d$."),  # … to two names made equal (for its sentence)
        ("with $N = 2$.", "with $N = d$, and"),  # … whose sentence goes on
        ("$\\lambda > 0$", "$\\lambda \\in \\mathbb{R}^N$"),  # a weak scalar declared otherwise
        ("$\\mathbf{x}_i^\\top$ is the $i$-th row", "$\\mathbf{x}_i$ is the $i$-th column"),
    ],
)
def test_an_edited_fact_or_prose_declaration_is_checked_again(
    tmp_path: Path, before: str, after: str
) -> None:
    from texgrad.shapes.check import Checker

    text = (
        "Let $x \\in \\mathbb{R}^N$, $X \\in \\mathbb{R}^{N \\times d}$, with $N = 2$.\n"
        "Take $\\lambda > 0$; $\\mathbf{x}_i^\\top$ is the $i$-th row of $X$.\n\n"
        "Then $x^\\top \\begin{bmatrix} 1 \\\\ 2 \\\\ 3 \\end{bmatrix}$ and $x^\\top \\lambda X$,"
        " $X \\mathbf{x}_i$ and $\\mathbf{x}_i^\\top X^\\top$.\n"
    )
    path = tmp_path / "doc.md"
    path.write_text(text)
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, text)
    edited = text.replace(before, after, 1)
    assert edited != text
    again = checker.check(str(path), None, tmp_path, edited)
    fresh = Checker().check(str(path), None, tmp_path, edited)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]
    assert first.diagnostics  # (the document says something to start with)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("too. Then", "too, and then"),  # the case's sentence goes on to the use
        ("exists, so", "exists. So"),  # … or ends before it
        ("If $m = n$", "If $m = k$"),  # the case changed
        ("Let $A", "Here $m = n$. Let $A"),  # a sentence before it
    ],
)
def test_an_edit_to_a_case_s_sentence_is_checked_again(
    tmp_path: Path, before: str, after: str
) -> None:
    from texgrad.shapes.check import Checker

    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $C \\in \\mathbb{R}^{n \\times k}$.\n"
        "If $m = n$, $A^{-1}$ exists, so $C^\\top A$ does too. Then $A^{-1}$ and $C^\\top A$.\n"
    )
    path = tmp_path / "doc.md"
    path.write_text(text)
    checker = Checker()
    first = checker.check(str(path), None, tmp_path, text)
    assert [d.code for d in first.diagnostics] == ["not-square", "matmul-mismatch"]
    edited = text.replace(before, after, 1)
    assert edited != text
    again = checker.check(str(path), None, tmp_path, edited)
    fresh = Checker().check(str(path), None, tmp_path, edited)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]


def test_a_number_stated_for_one_name_does_not_make_another_agree(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{N \times d}$ and $v \in \mathbb{R}^N$, with $N = 2$.  Then $X v$ is wrong.
                                                                                           ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_size_stated_in_a_case_holds_for_its_section(tmp_path: Path) -> None:
    # "When …, so that $n = n_1 n_2$" makes a size of others: it holds for the section; a
    # restriction ("only works when $n_1 = n_2$") says the formula before it is wrong
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Setup

        Let $K \in \mathbb{R}^{n \times n}$ and $Y \in \mathbb{R}^{n_2 \times n_1}$.

        ## Kronecker structure

        When the inputs lie on a grid, so that $n = n_1 n_2$, the kernel factorises:

        $$
        K = K^{(1)} \otimes K^{(2)}, \qquad K^{(1)} \in \mathbb{R}^{n_1 \times n_1}, \quad K^{(2)} \in \mathbb{R}^{n_2 \times n_2} .
        $$

        Writing $K^{(1)} Y$ only works when $n_1 = n_2$.
                 ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "K").shape.short() == "n×n"  # type: ignore[union-attr]


def test_a_definition_with_its_size_after_is_declared(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$ and $y \in \mathbb{R}^{n}$; $K = k(X, X)$ is $n \times n$.
        Then $K y$ is fine and $y K$ is not.
                                ^^^
        """,
    )
    k = declaration(result, "K")
    assert k is not None and k.shape.short() == "n×n" and k.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_list_of_definitions_with_their_size_after_is_declared(tmp_path: Path) -> None:
    """ "$Q_i = X W_q^{(i)}$, $K_i = X W_k^{(i)}$ are $n \\times d$" sizes both, though
    W_k^{(i)} is declared nowhere ("likewise for keys")."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times m}$, $W_q^{(i)} \in \mathbb{R}^{m \times d}$ (likewise for keys),
        and $Q_i = X W_q^{(i)}$, $K_i = X W_k^{(i)}$ and $V_i = X W_v^{(i)}$ are $n \times d$.
        The scores $Q_i K_i^\top$ are fine; $Q_i K_i$ and $Q_i V_i$ are not.
                                             ^^^^^^^       ^^^^^^^
        """,
    )
    k = declaration(result, "K_{i}")
    assert k is not None and k.shape.short() == "n×d" and k.how == "prose"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_list_of_definitions_supposed_or_of_other_words_declares_nothing(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Take $A = B C$ and $D = E F$; the sizes are $n \times n$ and $m \times m$, and $A D$.
        Here $P = U V$, $R = S T$ are $n \times m$ matrices only if $U$ is; so $P R$.
        """,
    )
    assert declaration(result, "A") is None and declaration(result, "R") is None
    assert found(result) == set()


def test_a_weak_scalar_overrides_a_bold_vector_and_an_earlier_section(tmp_path: Path) -> None:
    # \boldsymbol{\lambda} ∈ ℝᵖ (eigenvalues) and the penalty "\lambda > 0"; a multiplier
    # \lambda ∈ ℝᵐ of Section 1 and an Exercise's "Let $\lambda > 0$"; but "$\lambda \ge 0$"
    # right after the multiplier's declaration is entrywise, of the vector
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Multipliers

        Let $A \in \mathbb{R}^{m \times n}$, $\boldsymbol{\lambda} \in \mathbb{R}^p$, $\mu \in \mathbb{R}^m$, $\mu \ge 0$.
        Then $A^\top \mu$ is fine and $\mu I_n$ is not.
                                       ^^^^^^^
        ## Ridge

        Let $\lambda > 0$ and $X \in \mathbb{R}^{n \times p}$: $(X^\top X + \lambda I_p)^{-1}$.

        ## Exercise 1

        Let $\mu > 0$. Show that $(A^\top A + \mu I_n)^{-1} A^\top = A^\top (A A^\top + \mu I_m)^{-1}$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_chain_of_equal_sizes_and_a_rank_without_brackets(tmp_path: Path) -> None:
    # "Take one instrument, K = L = 1": K = 1 too; \operatorname{rank} \mathbb{E}[…] is a number
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times K}$, $Z \in \mathbb{R}^{n \times L}$, $z_i \in \mathbb{R}^L$ and
        $x_i \in \mathbb{R}^K$, with $\operatorname{rank} \mathbb{E}[z_i x_i^\top] = K$.

        ## Example

        Take one instrument, $K = L = 1$. Then $(Z^\top X)^2$ is a number, $Z X$ is wrong.
                                                                            ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_vector_written_as_a_row_is_a_row(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $P \in \mathbb{R}^{s \times s}$ be a transition matrix and $\pi \in \Delta^{s-1}$ its
        stationary distribution, written as a row vector: $\pi P = \pi$ and $\pi \mathbf{1} = 1$.
        A column would not do: $P \pi^\top = \pi$ is wrong.
                                ^^^^^^^^^^^^^^^^
        """,
    )
    pi = declaration(result, "\\pi")
    assert pi is not None and pi.shape.short() == "1×s"
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_row_vector_elsewhere_in_the_sentence_leaves_the_column(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^{n}$ and $A \in \mathbb{R}^{n \times n}$; then $x^\top A$ is a row vector.
        """,
    )
    x = declaration(result, "x")
    assert x is not None and x.shape.short() == "n"
    assert found(result) == set()


def test_a_then_sentence_states_sizes(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $Q \in \mathbb{R}^{n \times k}$ and $K \in \mathbb{R}^{m \times k}$. Then $S = Q K^\top$, $P$ is
        $n \times m$, and $P K$ is fine but $P Q$ is not.
                                             ^^^
        If $A$ is $m \times n$, $B$ is $n \times n$ and $A B$ is $m \times n$.
        """,
    )
    p = declaration(result, "P")
    assert p is not None and p.shape.short() == "n×m"
    assert declaration(result, "B") is None
    assert found(result) == expected(fx, "matmul-mismatch")


def test_prose_in_kramdown_inline_math_declares_too(tmp_path: Path) -> None:
    # kramdown (Jekyll) writes inline math as $$…$$ too
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! post.md
        Let $$X \in \mathbb{R}^{n \times d}$$ and $$v \in \mathbb{R}^{n}$$, and let
        $$K_* = k(X, X_*)$$, an $$n \times n_*$$ matrix. Then $$K_*^\top v$$, but not $$K_* v$$.
                                                                                        ^^^^^
        Here $$W$$ is an $$m \times n$$ matrix and $$W v$$ is fine.
        """,
    )
    k = declaration(result, "K_{*}")
    assert k is not None and k.shape.short() == "n×n_*" and k.how == "prose"
    w = declaration(result, "W")
    assert w is not None and w.shape.short() == "m×n"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_markdown_table_with_a_shape_column_declares_its_symbols(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        # Notes

        | Symbol | Meaning | Shape (rows × cols) |
        |:--|:--|--:|
        | $X$ | inputs | $B \times d$ |
        | $W_1$, $b_1$ | first layer | $d \times h$, $h$ |
        | $\gamma$ | gain | $\mathbb{R}^{h}$ |
        | $\lambda$ | weight decay | scalar |

        ## Forward

        $$
        H = X W_1 + \mathbf{1}_B b_1^\top, \qquad G = \operatorname{diag}(\gamma) W_1^\top, \qquad \lambda W_1
        $$

        but not $W_1 X$.
                 ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    w = declaration(result, "W_{1}")
    assert w is not None and w.shape.short() == "d×h" and w.how == "table"
    b = declaration(result, "b_{1}")
    assert b is not None and b.shape.short() == "h"
    g = declaration(result, "\\gamma")
    assert g is not None and g.shape.short() == "h"
    lam = declaration(result, "\\lambda")
    assert lam is not None and lam.shape == SCALAR


def test_a_latex_tabular_of_dimensions_declares(tmp_path: Path) -> None:
    # lecture notes' "symbol & meaning & dimension" table, with booktabs rules
    fx, result = check_fixture(
        tmp_path,
        r"""
        \begin{table}[h]
          \begin{tabular}{@{}lll@{}}
            \toprule
            \textbf{Symbol} & meaning & \textbf{Dimension} \\
            \midrule
            $x_k$ & state & $\mathbb{R}^{n}$ \\
            $H$ & measurement matrix \& model & $m \times n$ \\ \hline
            $R$ & noise covariance & $\mathbb{R}^{m \times m}$ \\
            \bottomrule
          \end{tabular}
        \end{table}

        Then $H^\top R^{-1} H$ is fine, $H R^{-1}$ is not.
                                         ^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    h = declaration(result, "H")
    assert h is not None and h.shape.short() == "m×n" and h.how == "table"
    x = declaration(result, "x_{k}")
    assert x is not None and x.shape.short() == "n"


def test_a_table_in_backtick_math_declares(tmp_path: Path) -> None:
    # GitLab and GitHub write inline math $`x`$; a table of notation in it declares as $x$ does
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! README.md
        | symbol | shape |
        |---|---|
        | $`\mathbf x`$ | $`\mathbb R^{d}`$ |
        | $`W_r`$ | $`\mathbb R^{E\times d}`$ |

        Then $`W_r\mathbf x`$ is fine, $`W_r^\top\mathbf x`$ is not.
                                         ^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    w = declaration(result, "W_{r}")
    assert w is not None and w.shape.short() == "E×d" and w.how == "table"


def test_a_latex_tabular_without_a_shape_column_declares_nothing(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        \begin{tabular}{ll}
          symbol & value \\ \hline
          $A$ & $n \times n$ \\
        \end{tabular}
        """,
    )
    assert all(d.how != "table" for decls in result.table.declarations.values() for d in decls)


def test_each_member_is_sized_in_prose(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        Each $\delta^{[l]}$ is $n^{[l]} \times m$, like $Z^{[l]}$. If $B$ is $p \times p$, fine.
        Then $\delta^{[l]} \delta^{[l]\top}$ is square and $\delta^{[l]} \delta^{[l]}$ is wrong.
                                                            ^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "B") is None


def test_tables_without_a_shape_column_declare_nothing(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        | step | forward | backward |
        |---|---|---|
        | linear | $H = X W$ | $G_X = G_H W^\top$ |
        | norm | $\hat H$ | see above |

        | symbol | shape |
        |---|---|
        | $A = B C$ | $n \times n$ |
        | $x$, $y$ | $n \times 1$, $m$, $k$ |

        | name | meaning | size |
        |---|---|---|
        | $d$ | input size | $784$ |

        | layer | output shape |
        | --- | --- |
        | $W$ | $n$ |

        | symbol | type |
        |---|---|
        | $W$ | matrix |
        """,
    )
    assert found(result) == set()
    assert all(d.how != "table" for decls in result.table.declarations.values() for d in decls)


def test_blog_forms_of_a_size(tmp_path: Path) -> None:
    # "has shape $d \times h$", NumPy's "has shape $(B, d)$", "has $n$ rows and $m$ columns",
    # "is $d$-dimensional", "The weight $V$ is $h \times k$."
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! blog.md
        The weight $W$ has shape $d \times h$ and the batch $X$ has shape $(B, d)$.
        The matrix $M$ has $n$ rows and $m$ columns. The input $x$ is $d$-dimensional.
        The output weight $V$ is $h \times k$. The space $\mathcal{X}$ is $d$-dimensional.
        Fine: $X W V$, $W^\top x$, $M^\top M$. Not: $W x$, $M M$, $V W$.
                                                     ^^^    ^^^    ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert declaration(result, "X").shape.short() == "B×d"  # type: ignore[union-attr]
    assert declaration(result, "\\mathcal{X}") is None


def test_the_rows_of_two_letters_each_sized_and_a_which_clause(tmp_path: Path) -> None:
    # "the rows of $Z_a$ and $Z_b$, each an $N \times d$ matrix": each is sized, though both
    # follow "of"; "the rows of $H$, which has shape $(N, k)$": the clause is of H
    _, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        The embeddings are the rows of $Z_a$ and $Z_b$, each an $N \times d$ matrix.
        The features are the rows of $H$, which has shape $(N, k)$.
        """,
    )
    for name, want in (("Z_{a}", "N×d"), ("Z_{b}", "N×d"), ("H", "N×k")):
        got = declaration(result, name)
        assert got is not None and got.shape.short() == want, name


def test_suppositions_and_spaces_are_not_blog_sizes(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        %! blog.md
        If the weight $W$ is $d \times h$, then fine. The state $z$ is $n$-dimensional space.
        The matrix $A$ has size $n$.
        """,
    )
    for name in ("W", "z", "A"):
        assert declaration(result, name) is None, name


def test_a_matrix_named_by_its_entries_in_prose(tmp_path: Path) -> None:
    # "the $n \times n$ Gram matrix $K_{ij} = k(x_i, x_j)$" sizes K (not its entry K_{ij})
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $f \in \mathbb{R}^n$, with the $n \times n$ Gram matrix $K_{ij} = k(x_i, x_j)$ and $m \in \mathbb{R}^d$.
        Then $f^\top K f$ and $K_{ij} f_j$ are fine, $K m$ is not.
                                                      ^^^
        """,
    )
    k = declaration(result, "K")
    assert k is not None and k.shape.short() == "n×n"
    assert found(result) == expected(fx, "matmul-mismatch")


def test_two_definitions_both_in_one_space(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$. Collect $P_k = [p_0, \dots, p_{k-1}]$ and $R_k = [r_0, \dots, r_{k-1}]$,
        both in $\mathbb{R}^{n \times k}$. Then $P_k^\top A R_k$ is fine, $A R_k^\top$ is not.
                                                                           ^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


# -- set 16 of the issue-13 documents (tests/documents/*-16) ----------------------------------


@pytest.mark.parametrize(
    "words",
    [
        "which only ran because we tested with",
        "which silently needs",
        "which only has a meaning when",
        "and it would need",
    ],
)
def test_a_fact_saying_what_a_wrong_formula_needs_holds_nowhere(tmp_path: Path, words: str) -> None:
    # "In our first implementation the resolvent was built as (I_D - A)^{-1}, which only ran
    # because we tested with $D = N$": the case that hid the slip, not a fact of the text
    fx, result = check_fixture(
        tmp_path,
        rf"""
        Let $A \in \mathbb{{R}}^{{N \times N}}$ and $B \in \mathbb{{R}}^{{N \times D}}$.
        The resolvent was built as $(I_D - A)^{{-1}}$, {words} $D = N$.
                                     ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_width_made_equal_for_simplicity_holds_for_the_text(tmp_path: Path) -> None:
    # "for simplicity the values have the same width, $d_v = d_k$": a choice for the whole
    # text, not a case of its sentence; then X^T G_V (d x d_v) is the gradient by an d x d_k W^V
    fx, result = check_fixture(
        tmp_path,
        r"""
        Heads have width $d_k$, and for simplicity the values have the same width, $d_v = d_k$.
        Let $X \in \mathbb{R}^{n \times d}$, $W^V \in \mathbb{R}^{d \times d_k}$, $G_V \in \mathbb{R}^{n \times d_v}$
        and $G \in \mathbb{R}^{d \times d_v}$.

        Then $\frac{\partial L}{\partial W^V} = X^\top G_V$ and $W^V + G$, but not $W^V G$.
                                                                                    ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_gradient_in_the_other_layout_agrees_under_the_facts(tmp_path: Path) -> None:
    # "In the numerator layout one writes $\partial L / \partial V = G_O^\top A$ instead, a
    # $d_v \times n$ matrix", for V n x d_k where the text says d_v = d_k
    _, result = check_fixture(
        tmp_path,
        r"""
        Heads have width $d_k$, and for simplicity the values have the same width, $d_v = d_k$.
        Let $V \in \mathbb{R}^{n \times d_k}$, $A \in \mathbb{R}^{n \times n}$, $G_O \in \mathbb{R}^{n \times d_v}$.

        In the numerator layout one writes $\partial L / \partial V = G_O^\top A$ instead.
        """,
    )
    assert found(result) == set()


def test_a_plain_letter_naming_a_size_is_the_size_not_the_bold_matrix(tmp_path: Path) -> None:
    # \mathbf{D} \in \mathbb{R}^{D \times D}: "we tested with $D = N$" compares sizes
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\mathbf{D} \in \mathbb{R}^{D \times D}$ and $\mathbf{C} \in \mathbb{R}^{D \times N}$.
        Take $D = N$ for the first run. Then $\mathbf{D} \mathbf{C}$ is fine, but $\mathbf{C} \mathbf{D}$ is not.
                                                                                   ^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_capital_delta_compared_with_a_number_is_a_step_size(tmp_path: Path) -> None:
    # "and $\Delta > 0$ is the step size": (I_N - \frac{\Delta}{2} A) is checked
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{N \times N}$, $B \in \mathbb{R}^{N \times D}$, and $\Delta > 0$ is the step size.
        Then $(I_N - \frac{\Delta}{2} A)^{-1}$ is fine, but $(I_D - \frac{\Delta}{2} A)^{-1}$ is not.
                                                              ^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_transposed_member_of_a_declaration_is_declared_transposed(tmp_path: Path) -> None:
    # "$\Sigma_{xy} = \Sigma_{yx}^\top \in \mathbb{R}^{p \times q}$": \Sigma_{yx} is q x p
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\Sigma \in \mathbb{R}^{q \times q}$, $\Sigma_{xx} \in \mathbb{R}^{p \times p}$, $\Sigma_{xy} = \Sigma_{yx}^\top \in \mathbb{R}^{p \times q}$, $\Sigma_{yy} \in \mathbb{R}^{q \times q}$.
        Then $\Sigma = \Sigma_{yy} - \Sigma_{yx} \Sigma_{xx}^{-1} \Sigma_{xy}$, but $\Sigma_{xy} \Sigma_{yy}^{-1} \Sigma_{xy}$ is wrong.
                                                                                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_transposed_vector_member_declares_nothing(tmp_path: Path) -> None:
    # "$x_i^\top \in \mathbb{R}^d$", loosely written for a row: x_i is left undeclared
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $W \in \mathbb{R}^{m \times d}$ and the rows $x_i^\top \in \mathbb{R}^{d}$.
        Then $W x_i$ is fine.
        """,
    )
    assert declaration(result, "x_{i}") is None
    assert found(result) == set()


def test_a_definition_named_for_the_size_it_holds_is_declared(tmp_path: Path) -> None:
    # a GP blog post: "$K_* = K(X, X_*)$ for the $n \times n_*$ cross-covariances and
    # $K_{**} = K(X_*, X_*)$, which is $n_* \times n_*$"; "$V = L^{-1} K_*$, which is $n \times n_*$"
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$, $X_* \in \mathbb{R}^{n_* \times d}$ and $v \in \mathbb{R}^n$.
        Write $K_* = K(X, X_*)$ for the $n \times n_*$ cross-covariances and $K_{**} = K(X_*, X_*)$, which is $n_* \times n_*$.
        Then $K_*^\top v$ is fine, but $K_* v$ is not, nor $K_{**} v$.
                                        ^^^^^               ^^^^^^^^
        """,
    )
    assert declaration(result, "K_{*}") is not None
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_layer_member_is_sized_where_the_text_names_its_input_width(tmp_path: Path) -> None:
    # Ng's notation: W^{[l]} \in \mathbb{R}^{n^{[l]} \times n^{[l-1]}}, "with $n^{[0]} = n_x$"
    fx, result = check_fixture(
        tmp_path,
        r"""
        - $X \in \mathbb{R}^{n_x \times m}$ holds the examples as columns.
        - Layer $l$ has $n^{[l]}$ units, with $n^{[0]} = n_x$, and $W^{[l]} \in \mathbb{R}^{n^{[l]} \times n^{[l-1]}}$.

        Then $W^{[2]} W^{[1]} X$ is fine, but $X W^{[1]}$ is not.
                                               ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_which_is_after_a_wrong_value_of_a_letter_just_defined_sizes_nothing(
    tmp_path: Path,
) -> None:
    # "$Q_{nn} = K_{nm} K_{mm}^{-1} K_{mn}$. I first wrote $Q_{nn} = K_{mn} K_{mm}^{-1} K_{nm}$,
    # which is $m \times m$ at best": the words size the wrong value, not Q_{nn}
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $K_{nm} \in \mathbb{R}^{n \times m}$, $K_{mn} \in \mathbb{R}^{m \times n}$, $K_{mm} \in \mathbb{R}^{m \times m}$ and $K_{nn} \in \mathbb{R}^{n \times n}$.
        The approximation is $Q_{nn} = K_{nm} K_{mm}^{-1} K_{mn}$.
        I first wrote $Q_{nn} = K_{mn} K_{mm}^{-1} K_{nm}$, which is $m \times m$ at best.
        The error is $K_{nn} - Q_{nn}$.
        """,
    )
    assert [d.code for d in result.diagnostics] == ["matmul-mismatch"]


def test_a_name_given_to_a_sized_expression_is_declared(tmp_path: Path) -> None:
    r""" "For the $d \times d$ matrix $\Phi^\top D \Phi$ we also write $M$": M is d×d, so a
    projection written with it is checked (and a name given to an equation sizes nothing)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\Phi \in \mathbb{R}^{n \times d}$ and $D \in \mathbb{R}^{n \times n}$.
        For the $d \times d$ matrix $\Phi^\top D \Phi$ we also write $M$, and the $n \times n$
        matrix $\Phi \Phi^\top$, which we denote by $G$, is a Gram matrix. The $n \times n$ matrix $D^2$ we write $H = D D$.
        Right: $\Phi M^{-1} \Phi^\top D$, $G D$, $H \Phi$. Wrong: $\Phi M^{-1} \Phi D$ and $M G$.
                                                                   ^^^^^^^^^^^^^^^^         ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_apposition_sizes_a_wrong_value_of_a_letter_defined_earlier_in_its_paragraph(
    tmp_path: Path,
) -> None:
    # K-FAC: G = Z^T Z / B in a display, then the slip "$G = \frac{1}{B} Z Z^\top$, a
    # $B \times B$ Gram matrix" a few sentences on: the words size the wrong value, G stays
    # d×d (no false alarm on the display), and the slip is reported
    fx, result = check_fixture(
        tmp_path,
        r"""
        Stack the gradients as the rows of $Z \in \mathbb{R}^{B \times d}$. The factor is
        $$G = \tfrac{1}{B} Z^\top Z,$$
        whose inverse we need, as it is small; we refresh it every twenty steps, since forming it
        costs a pass over the batch and inverting it a cubic number of operations in its side, which
        is cheap next to the backward pass in every model we tried for this paper, large or small.
        Our first code accumulated $G = \tfrac{1}{B} Z Z^\top$, a $B \times B$ Gram matrix.
                                    ^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_case_named_for_an_instance_holds_in_its_sentence_only(tmp_path: Path) -> None:
    # "even for a modest layer with $d_l = d_{l-1} = 4096$": an instance, not the text's sizes
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W_l \in \mathbb{R}^{d_l \times d_{l-1}}$ and $V_l \in \mathbb{R}^{d_l \times d_{l-1}}$.
        The block has side $d_l d_{l-1}$: even for a modest layer with $d_l = d_{l-1} = 4096$ it is huge.

        Later, $W_l^\top V_l$ is fine but $W_l V_l$ is not.
                                           ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_what_a_wrong_formula_only_ran_because_of_holds_nowhere(tmp_path: Path) -> None:
    # a notebook's note: "the cell below only ran because the toy data had $n = d$"
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times d}$ and $S \in \mathbb{R}^{n \times n}$.
        An earlier version had $X S X^\top$ here, and the cell only ran because the toy data had $n = d$.
                                ^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_only_for_square_a_is_said_of_the_declared_letter_not_supposed(tmp_path: Path) -> None:
    # "which only runs for square $A$": what the slip needs, not "for square A" supposing
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$ and $p \in \mathbb{R}^n$.
        The code computes $A (A p - b)$, which only runs for square $A$.
                           ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_example_defines_a_letter_as_its_sizes_make_the_declared_one(tmp_path: Path) -> None:
    # the lecture's x ∈ ℝ^{n_0}; an Example with n_0 = 3 writes out x = (1, 0, -1)^T: the same
    # x there (the facts make both 3), so W^{(2)} x with W^{(2)} 2×4 is reported
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{example}{Example}
        \begin{document}
        \section{Forward}
        Let $x \in \mathbb{R}^{n_0}$.
        \section{Backward}
        Text.
        \begin{example}
        Take $n_0 = 3$, $W^{(2)} \in \mathbb{R}^{2 \times 4}$ and one input $x = (1, 0, -1)^\top$.
        Skipping the hidden layer, $W^{(2)} x$ cannot be formed.
                                    ^^^^^^^^^
        \end{example}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_dimension_made_a_product_makes_its_factors_counts(tmp_path: Path) -> None:
    # "h heads of width k, so $d = hk$": h is named in no shape, yet it counts the heads —
    # the concatenation of h heads side by side is S×hk = S×d; stacked, it is hS×k
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $H_i \in \mathbb{R}^{S \times k}$ and $W^O \in \mathbb{R}^{d \times d}$, with $h$ heads: $d = hk$.
        Right: $\begin{bmatrix} H_1 & \cdots & H_h \end{bmatrix} W^O$.
        Wrong: $\begin{bmatrix} H_1 \\ \vdots \\ H_h \end{bmatrix} W^O$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_restriction_on_a_size_made_of_others_holds_nowhere(tmp_path: Path) -> None:
    # "which only ran because the toy model had $N = 4d$": not the text's sizes, though 4d is
    # a size made of others (as d = hk is)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $H \in \mathbb{R}^{N \times 4d}$ and $b \in \mathbb{R}^{4d}$, $u \in \mathbb{R}^N$.
        The code computed $H + b u^\top$, which only ran because the toy model had $N = 4d$.
                           ^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_primed_letter_defined_has_its_definition_s_shape(tmp_path: Path) -> None:
    # a residual block's output L' = L + MHA(L) and L'' after it: letters of their own, sized
    # by their definitions (a lone x' is otherwise no transpose nor any shape)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $L \in \mathbb{R}^{N \times d}$, $W \in \mathbb{R}^{d \times m}$ and $\mathbf{1}_N \in \mathbb{R}^N$.
        The block gives $L' = L + \operatorname{MHA}(L)$ and $L'' = L' + \operatorname{ReLU}(L' W) W^\top$.
        Right: $(L'')^\top \mathbf{1}_N$. Wrong: $L'' \mathbf{1}_N$.
                                                  ^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_likewise_declares_the_siblings_of_the_letter_just_declared(tmp_path: Path) -> None:
    r""" "$W^Q = [\dots] \in \mathbb{R}^{d \times d}$, and likewise $W^K$ and $W^V$": the
    siblings (the same letter, another tag) take its shape; "similarly $b$" (another letter)
    says nothing."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Fused projections

        Let $X \in \mathbb{R}^{n \times d}$. All query projections are one matrix
        $W^Q = [W_1^Q\; W_2^Q] \in \mathbb{R}^{d \times d}$, and likewise $W^K$ and $W^V$.
        A bias $c \in \mathbb{R}^{d}$, and similarly $b$.
        Then $X [W^Q\; W^K\; W^V]$ is fine, $X^\top b$ says nothing, but
        $X \begin{bmatrix} W^Q \\ W^K \\ W^V \end{bmatrix}$ and $W^V X$ are not.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "W^K").short() == "d×d"  # type: ignore[union-attr]
    assert shape_of(result, "b") is None


def test_a_size_the_text_compares_with_a_number_is_not_that_number(tmp_path: Path) -> None:
    # "which is cheaper when $n < 6$", "for $n > 6$": n may differ from 6, so an n×n matrix
    # plus I_6, or J^T (n×6) times an n×n one, is a mistake; an Example's "$n = 6$" makes them
    # agree in it (the determinant of the square J there is right)
    fx, result = check_fixture(
        tmp_path,
        r"""
        \documentclass{article}
        \newtheorem{example}{Example}
        \begin{document}
        Let $J \in \mathbb{R}^{6 \times n}$, cheaper to solve with when $n < 6$.
        Wrong: $J^\top J + \lambda I_6$ and $J^\top (J^\top J)^{-1}$ and $\det J$.
                ^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^
        Right: $J^\top J + \lambda I_n$ and $J J^\top + \lambda I_6$.
        \begin{example}
        For a six-joint arm ($n = 6$), $\det J$ and $J^\top J + I_6$ are defined.
        \end{example}
        \end{document}
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "matmul-mismatch", "not-square")


@pytest.mark.parametrize(
    "said",
    [
        "",  # nothing says n is not 6: a 6×6 example of the n×n matrix
        r"for every $n \ge 6$",  # (6 itself allowed)
        r"with $n > 3$",  # (another number)
        r"with $n = 6$ throughout, though $n < 6$ would be cheaper",  # (a fact in force)
    ],
)
def test_a_size_not_said_to_differ_from_a_number_may_be_it(tmp_path: Path, said: str) -> None:
    _, result = check_fixture(
        tmp_path,
        rf"""
        Let $J \in \mathbb{{R}}^{{6 \times n}}$, {said}.
        Then $J^\top J + \lambda I_6$ and $\det J$.
        """,
    )
    assert found(result) == set()


def test_a_size_compared_with_a_number_no_declaration_sizes_by_may_be_it(tmp_path: Path) -> None:
    # "for $d > 2$": 2 sizes no declaration, so R + I_2 "in the plane" is of a 2×2 instance of
    # the d×d R, not a mismatch
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $R \in \mathbb{R}^{d \times d}$ be a rotation, for $d > 2$ a composition of planar ones.
        In the plane, $R + I_2$ is invertible.
        """,
    )
    assert found(result) == set()


def test_a_size_in_a_sentence_that_calls_its_formula_a_slip_sizes_nothing(tmp_path: Path) -> None:
    # "Another slip: $S = …XX^\top$ is $n \times n$" made S n×n for the rest of the text: the
    # right tr(W^T S W) after it was flagged twice; the slip itself is the one error (a word
    # after the size — "…; then $Ht$ is wrong" — still leaves the size said)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X \in \mathbb{R}^{n \times p}$ and $W \in \mathbb{R}^{p \times k}$. The covariance is $S = \frac{1}{n-1} X^\top X$, a $p \times p$ matrix.
        Another slip: $S = \frac{1}{n-1} X X^\top$ is $n \times n$.
                       ^^^^^^^^^^^^^^^^^^^^^^^^^^
        The gradient of $\operatorname{tr}(W^\top S W)$ is $2SW$.
        Let $H$ be a real $m \times n$ matrix and $t \in \mathbb{R}^m$; then $H t$ is wrong.
                                                                              ^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "matmul-mismatch")


def test_a_size_in_a_sentence_that_calls_its_formula_wrong_in_german_sizes_nothing(
    tmp_path: Path,
) -> None:
    # the blame words are one list for every reader (shapes/language_cues.py BLAME_WORDS): a
    # German "Falsch ist …" before the size leaves S p×p, as "Another slip: …" does in English
    # (before, S was n×n, and the right definition and tr(W^T S W) three false mismatches)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Sei $X \in \mathbb{R}^{n \times p}$ und $W \in \mathbb{R}^{p \times k}$. Die Kovarianz ist $S = \frac{1}{n-1} X^\top X$.
        Falsch ist dagegen: $S = \frac{1}{n-1} X X^\top$ ist eine $n \times n$-Matrix.
                             ^^^^^^^^^^^^^^^^^^^^^^^^^^
        Der Gradient von $\operatorname{tr}(W^\top S W)$ ist $2SW$.
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


@pytest.mark.parametrize(
    "text",
    [
        r"""
        设 $X \in \mathbb{R}^{n \times p}$，$W \in \mathbb{R}^{p \times k}$。协方差为 $S = \frac{1}{n-1} X^\top X$。
        一个常见的错误写法：$S = \frac{1}{n-1} X X^\top$ 是 $n \times n$ 的矩阵。
                   ^^^^^^^^^^^^^^^^^^^^^^^^^^
        梯度 $\operatorname{tr}(W^\top S W)$ 为 $2SW$。
        """,
        r"""
        Soit $X \in \mathbb{R}^{n \times p}$ et $W \in \mathbb{R}^{p \times k}$. La covariance est $S = \frac{1}{n-1} X^\top X$.
        Une erreur fréquente : $S = \frac{1}{n-1} X X^\top$ est une matrice $n \times n$.
                                ^^^^^^^^^^^^^^^^^^^^^^^^^^
        Le gradient de $\operatorname{tr}(W^\top S W)$ est $2SW$.
        """,
        r"""
        Sia $X$ una matrice $n \times p$ e $W \in \mathbb{R}^{p \times k}$. La covarianza è $S = \frac{1}{n-1} X^\top X$.
        Un errore comune: $S = \frac{1}{n-1} X X^\top$ è una matrice $n \times n$.
                           ^^^^^^^^^^^^^^^^^^^^^^^^^^
        Il gradiente di $\operatorname{tr}(W^\top S W)$ è $2SW$.
        """,
        r"""
        Seja $X$ uma matriz $n \times p$ e $W \in \mathbb{R}^{p \times k}$. A covariância é $S = \frac{1}{n-1} X^\top X$.
        Errado: $S = \frac{1}{n-1} X X^\top$ é uma matriz $n \times n$.
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^
        O gradiente de $\operatorname{tr}(W^\top S W)$ é $2SW$.
        """,
    ],
    ids=["zh", "fr", "it", "pt"],
)
def test_a_size_called_wrong_in_another_language_sizes_nothing(tmp_path: Path, text: str) -> None:
    fx, result = check_fixture(tmp_path, text)
    assert found(result) == expected(fx, "equation-mismatch")


@pytest.mark.parametrize(
    "said",
    [
        r"For one sample $\mathbf x$, a vector of dimension $p$, we have",
        r"For one sample $\mathbf x$ (a vector of length $p$) we have",
        r"For one sample $\mathbf x$ (a vector of dimension $p$, centred) we have",
        r"For one sample $\mathbf x$ (of length $p$) we have",
        r"For one sample $\mathbf x$ (a $p$-vector) we have",
        r"For one sample $\mathbf x$ (a $p$-dimensional vector) we have",
        r"For one sample $\mathbf x$ (a $p \times 1$ vector) we have",
        r"For one sample $\mathbf x$ (a vector in $\mathbb{R}^p$) we have",
    ],
)
def test_a_vector_sized_in_an_apposition_or_in_brackets(tmp_path: Path, said: str) -> None:
    # the forms of "$A$, an $n \times k$ matrix," and "$A$ (an $n \times k$ matrix)" for a vector
    # (each was read as nothing: V x for V p×k passed unchecked)
    fx, result = check_fixture(
        tmp_path,
        "Let $V \\in \\mathbb{R}^{p \\times k}$. "
        + said
        + r" $V^\top\mathbf x$ and $V\mathbf x$."
        + "\n"
        + " "
        * (len("Let $V \\in \\mathbb{R}^{p \\times k}$. " + said + r" $V^\top\mathbf x$ and $"))
        + "^" * len(r"V\mathbf x")
        + "\n",
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_the_object_of_of_in_an_apposition_is_not_sized(tmp_path: Path) -> None:
    # "the gradient of $f$, a vector of length $k$" sizes the gradient, not f
    _, result = check_fixture(
        tmp_path,
        "Let $V \\in \\mathbb{R}^{p \\times k}$. The gradient of $f$, a vector of length $k$, is used.\n",
    )
    assert declaration(result, "f") is None


@pytest.mark.parametrize(
    "said",
    [
        r"Take $A$, which is $n \times k$, and form",
        r"Take $A$ with $A$ being $n \times k$ and form",
        r"Take $A$ (of size $n \times k$) and form",
        r"Take $A$ (size $n \times k$) and form",
        r"Take $A$ (shape $n \times k$) and form",
        r"Take $A$, an $n$-by-$k$ matrix, and form",
        r"Take $A$ in $\mathbb{R}^{n \times k}$ and form",
    ],
)
def test_a_matrix_sized_in_passing(tmp_path: Path, said: str) -> None:
    # each was read as nothing (V A for V p×k passed unchecked)
    head = "Let $V \\in \\mathbb{R}^{p \\times k}$. " + said + r" $A V^\top$ and $"
    fx, result = check_fixture(tmp_path, head + "VA$.\n" + " " * len(head) + "^^\n")
    assert found(result) == expected(fx, "matmul-mismatch")


def test_the_object_of_of_before_which_is_is_not_sized(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path, "The norm of $A$, which is $n \\times k$, is small. Take $A$ in $X$.\n"
    )
    assert declaration(result, "A") is None
