r"""Families: ``W^{(l+1)}``, ``h_{t-1}``, ``x_{k+1}`` are members of the families declared as
``W^{(l)}``, ``h_t``, ``x_k``, with the dimensions shifted with the label (``n_l \times
n_{l-1}`` is ``n_{l+1} \times n_l`` for ``l+1``); a member declared itself keeps its own
shape; where two families could be meant, or the label is not a letter plus or minus a
number, a number or (for a subscript) the capital of the family's letter, nothing is said."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, expected, found, shape_of
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import ONE, Dim, Shape, dim_of, relabel
from texgrad.syntax.parse import parse_row

BACKPROP_DECLARATIONS = (
    r"Let $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ and "
    r"$b^{(l)}, z^{(l)}, a^{(l)}, \delta^{(l)} \in \mathbb{R}^{n_l}$, and let the loss be "
    r"$\mathcal{L} \in \mathbb{R}$."
)  # (in place of DECLARATIONS in a fixture)


def test_backprop_members_shift_their_dimensions(tmp_path: Path) -> None:
    r"""The forward and backward passes of backpropagation with ``W^{(l+1)}``, ``a^{(l-1)}``
    are quiet; a missing transpose and a gradient of the wrong shape are found."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        DECLARATIONS
        Forward: $z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$ and $a^{(l)} = \sigma(z^{(l)})$.
        Backward: $\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \odot \sigma'(z^{(l)})$, so
        \[ \frac{\partial \mathcal{L}}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^\top, \quad
           \nabla_{W^{(l+1)}} \mathcal{L} = \delta^{(l+1)} (a^{(l)})^\top. \]
        Wrong: $\delta^{(l)} = W^{(l+1)} \delta^{(l+1)} \odot \sigma'(z^{(l)})$ and
                               ^^^^^^^^^^^^^^^^^^^^^^^^
        \[ \frac{\partial \mathcal{L}}{\partial W^{(l)}} = \delta^{(l)} (a^{(l)})^\top. \]
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """.replace("DECLARATIONS", BACKPROP_DECLARATIONS),
    )
    assert found(result) == expected(fx, "matmul-mismatch", "equation-mismatch")
    matmul, equation = sorted(result.diagnostics, key=lambda d: d.start)
    assert matmul.message.startswith(
        r"`W^{(l+1)}` is n_{l+1}×n_l but `\delta^{(l+1)}` ∈ ℝ^{n_{l+1}}: "
        "inner dimensions n_l and n_{l+1} differ"
    ), matmul.message
    assert "is n_l×n_{l-1} but" in equation.message and "is n_l×n_l" in equation.message
    assert shape_of(result, "W^{(l+1)}").short() == "n_{l+1}×n_l"  # type: ignore[union-attr]
    assert shape_of(result, "a^{(l-1)}").short() == "n_{l-1}"  # type: ignore[union-attr]


def test_backprop_in_markdown(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! backprop.md
        # Backpropagation

        DECLARATIONS

        $$z^{(l+1)} = W^{(l+1)} a^{(l)} + b^{(l+1)}$$

        $$\delta^{(l)} = (W^{(l+1)})^\top \delta^{(l+1)} \odot \sigma'(z^{(l)})$$

        $$\frac{\partial \mathcal{L}}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^\top$$

        A slip: $z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l+1)}$.
                             ^^^^^^^^^^^^^^^
        """.replace("DECLARATIONS", BACKPROP_DECLARATIONS),
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_an_undeclared_loss_is_a_scalar_another_undeclared_letter_is_not(
    tmp_path: Path,
) -> None:
    r"""``\frac{\partial \mathcal{L}}{\partial W}`` has W's shape when what is differentiated
    is a loss the document never introduces (``\mathcal{L}``, ``L``, ``\ell``), as
    ``\nabla_W \mathcal{L}`` has, in the plain and the family form; the derivative of another
    undeclared letter (``y``, perhaps a vector) is not compared."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W^{(l)}, V \in \mathbb{R}^{n_l \times n_{l-1}}$, $a^{(l)}, \delta^{(l)}, u \in \mathbb{R}^{n_l}$.
        Then $\frac{\partial \mathcal{L}}{\partial W^{(l)}} = \delta^{(l)} (a^{(l)})^\top$ and
              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        $\frac{\partial y}{\partial V} = \delta^{(l)} u^\top$, but
        $\nabla_{W^{(l)}} \mathcal{L} = \delta^{(l)} (a^{(l)})^\top$ is not.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch", "equation-mismatch")


def test_rnn_subscript_members_share_the_shape_of_h_t(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! rnn.md
        # A recurrent network

        Let $h_t \in \mathbb{R}^n, x_t \in \mathbb{R}^d$, $W \in \mathbb{R}^{n\times n}, U \in \mathbb{R}^{n \times d}$.

        $$h_t = \tanh(W h_{t-1} + U x_t + b)$$

        From $h_0$ to $h_T$: $W h_0 + U x_{t-1}$ and $h_{t+1} - W h_T$ are fine; $W x_t$ and
                                                                                  ^^^^^
        $U h_{t-1}$ are not.
         ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "h_{t-1}").short() == "n"  # type: ignore[union-attr]
    assert shape_of(result, "h_T").short() == "n"  # type: ignore[union-attr]


def test_a_subscript_family_whose_shape_depends_on_the_label(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x_k \in \mathbb{R}^{n_k}$ and $A_k \in \mathbb{R}^{n_{k+1} \times n_k}$. Then
        $x_{k+1} = A_k x_k$ and $x_{k+2} = A_{k+1} A_k x_k$, but
        $x_{k+1} = A_{k+1} x_k$ is wrong.
                   ^^^^^^^^^^^
        With $u \in \mathbb{R}^{n_0}$ and $v \in \mathbb{R}^{n_1}$: $x_1 = A_0 x_0$, not $A_0 x_1$.
                                                                                          ^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "A_{k+1}").short() == "n_{k+2}×n_{k+1}"  # type: ignore[union-attr]
    assert shape_of(result, "x_1").short() == "n_1"  # type: ignore[union-attr]


def test_conditional_labels_of_a_filter_shift_as_a_whole(tmp_path: Path) -> None:
    r"""``\hat{x}_{k+1|k}`` and ``\hat{x}_{1|0}`` are members of ``\hat{x}_{k|k-1}``;
    ``y_1`` of ``y_k``."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $\hat{x}_{k|k-1}, \hat{x}_{k|k} \in \mathbb{R}^n$, $P_{k|k-1} \in \mathbb{R}^{n \times n}$,
        $y_k \in \mathbb{R}^p$, $H \in \mathbb{R}^{p \times n}$ and $A \in \mathbb{R}^{n \times n}$.
        Then $\hat{x}_{k+1|k} = A \hat{x}_{k|k}$, $P_{k+1|k} H^\top$ and $y_1 - H \hat{x}_{1|0}$ are
        fine, but $y_1 - \hat{x}_{1|0}$ and $H P_{k+1|k} H$ are not.
                   ^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "matmul-mismatch")
    assert shape_of(result, r"\hat{x}_{1|0}").short() == "n"  # type: ignore[union-attr]


def test_a_member_declared_itself_wins_over_its_family(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^{d}$, $W^{(1)} \in \mathbb{R}^{n_1 \times d}$ and
        $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ for $l \ge 2$, $b \in \mathbb{R}^{n_2}$, $c \in \mathbb{R}^{n_3}$.
        Then $W^{(2)} W^{(1)} x$ and $W^{(3)} W^{(2)} W^{(1)} x$ are fine, $W^{(2)} x$ is not.
                                                                            ^^^^^^^^^
        The head is $W^{(L+1)} \in \mathbb{R}^{p \times k}$, $u \in \mathbb{R}^p$: $u^\top W^{(L+1)}$, not $W^{(L+1)} u$.
                                                                                                            ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "W^{(3)}").short() == "n_3×n_2"  # type: ignore[union-attr]


def test_a_member_at_the_ends_says_nothing_of_dimensions_the_document_never_names(
    tmp_path: Path,
) -> None:
    r"""``W^{(1)}`` of ``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}`` is n_1×n_0, but a
    document that never names ``n_0`` may mean the ``d`` of its input, and ``n_L`` the
    ``K`` of its output: such a member is unknown."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^d$, $\hat{y} \in \mathbb{R}^K$, $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$
        and $a^{(l)} \in \mathbb{R}^{n_l}$. Then $a^{(1)} = \sigma(W^{(1)} x)$ and
        $\hat{y} = W^{(L)} a^{(L-1)}$, with $a^{(l)} = \sigma(W^{(l)} a^{(l-1)})$ between.
        """,
    )
    assert found(result) == set()
    for unknown in ("W^{(1)}", "W^{(L)}"):
        assert shape_of(result, unknown) is None, unknown
    # a^{(1)} is n_1 (a width numbered from 1) and a^{(L-1)} n_{L-1} (below the last), which
    # are never told apart from d or K
    assert shape_of(result, "a^{(1)}").short() == "n_1"  # type: ignore[union-attr]
    assert shape_of(result, "a^{(L-1)}").short() == "n_{L-1}"  # type: ignore[union-attr]


def test_bracket_and_ell_labels(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W^{[l]} \in \mathbb{R}^{n_l \times n_{l-1}}$, $a^{[l]} \in \mathbb{R}^{n_l}$,
        $V^{(\ell)} \in \mathbb{R}^{m_\ell \times m_{\ell-1}}$ and $u^{(\ell)} \in \mathbb{R}^{m_\ell}$,
        $U^{[l]} \in \mathbb{R}^{p^{[l]} \times p^{[l-1]}}$ and $c^{[l]} \in \mathbb{R}^{p^{[l]}}$.
        So $U^{[l+1]} c^{[l]} + c^{[l+1]}$ too, but not $U^{[l]} c^{[l]}$.
                                                         ^^^^^^^^^^^^^^^
        Then $W^{[l]} a^{[l-1]}$ and $V^{(\ell+1)} u^{(\ell)}$ are fine, $V^{(\ell)} u^{(\ell)}$ is not.
                                                                          ^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "U^{[l+1]}").short() == "p^{[l+1]}×p^{[l]}"  # type: ignore[union-attr]


def test_elements_stay_elements_and_ambiguous_members_are_unknown(tmp_path: Path) -> None:
    r"""``x_i`` of a declared ``x \in \mathbb{R}^n`` is an entry; ``x_0`` is the entry or the
    first of the family ``x_t`` (unknown); with both ``h_t`` and ``h_k`` declared ``h_0`` is
    unknown; ``W_Q`` is not a member of ``W_k``, nor ``h_s`` of ``h_t``, nor ``g_I`` (the entries
    in a set ``I``) of ``g_i``; a label that is not
    a letter plus or minus a number (``2l``) or a number label below zero leave the member
    unknown."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^n$, $x_t \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$,
        $h_t \in \mathbb{R}^p$, $h_k \in \mathbb{R}^q$, $W_k \in \mathbb{R}^{d \times d}$, $g_i \in \mathbb{R}^q$,
        $V^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$, $y \in \mathbb{R}^r$.
        Then $x_i A$, $x_0 A$, $A h_0$, $W_Q y$, $A h_s$, $V^{(2l)} y$, $V^{(0)} y$, $A g_I$ say nothing,
        but $x_{t-1} A$ does.
             ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "x_i").short() == "1×1"  # type: ignore[union-attr]
    for unknown in ("x_0", "h_0", "W_Q", "h_s", "V^{(2l)}", "V^{(0)}", "g_I"):
        assert shape_of(result, unknown) is None, unknown


def test_dimension_names_of_labels_are_canonical_and_shift() -> None:
    r"""``n_{l - 1}`` and ``n_{l-1}`` are one dimension, printed as written; shifting
    ``n_{l-1}`` by one is ``n_l`` itself; a number label below zero or a label used other
    than as a subscript or a count (``\mathbb{R}^{2l}``) cannot be shifted."""

    def d(text: str) -> Dim:
        written = dim_of(parse_row(MappedText.identity(text)).tree)
        assert written is not None, text
        return written

    assert d("n_{l - 1}") == d("n_{l-1}") and str(d("n_{l-1}")) == "n_{l-1}"
    w = Shape(d("n_l"), d("n_{l-1}"))
    assert relabel(w, "l", ("l", 1)) == Shape(d("n_{l+1}"), d("n_l"))
    assert relabel(w, "l", (None, 1)) == Shape(d("n_1"), d("n_0"))
    assert relabel(w, "l", ("L", 0)) == Shape(d("n_L"), d("n_{L-1}"))
    assert relabel(w, "l", (None, 0)) is None
    # a count of members (Q_k \in \mathbb{R}^{n \times k}, Krylov bases) shifts with its label
    assert relabel(Shape(d("n"), d("l")), "l", ("l", 1)) == Shape(d("n"), d("l + 1"))
    assert relabel(Shape(d("l + 1"), d("l")), "l", (None, 1)) == Shape(d("2"), d("1"))
    assert relabel(Shape(d("2 l"), ONE), "l", ("l", 1)) is None
    assert relabel(Shape(d("l - 1"), ONE), "l", (None, 1)) is None
    ell = Shape(d(r"m_\ell"), d(r"m_{\ell-1}"))
    assert relabel(ell, r"\ell", (r"\ell", 1)) == Shape(d(r"m_{\ell+1}"), d(r"m_\ell"))
    ng = Shape(d("n^{[l]}"), d("n^{[l-1]}"))
    assert relabel(ng, "l", ("l", 1)) == Shape(d("n^{[l+1]}"), d("n^{[l]}"))


def test_a_member_under_another_letter_is_not_certain_when_the_base_has_its_own_shape(
    tmp_path: Path,
) -> None:
    r"""``W_q^{(i)}`` is head i's m×d_h block of ``W_q \in \mathbb{R}^{m \times m}``; in a
    later sentence ``W_q^{(l)}`` is the query projection of layer l, as big as ``W_q``:
    another letter for the label, and a base of another shape, say nothing.  The head's
    own letter is still the family's."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W_q \in \mathbb{R}^{m \times m}$; head $i$ uses $W_q^{(i)} \in \mathbb{R}^{m \times d}$.
        With $B^{(l)} \in \mathbb{R}^{m \times r}$ and $A^{(l)} \in \mathbb{R}^{r \times m}$ each
        layer $l$ updates $W_q^{(l)} + B^{(l)} A^{(l)}$, but $W_q^{(i)} + B^{(l)} A^{(l)}$ is wrong.
                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_member_under_another_letter_keeps_the_family_s_shape_without_a_rival(
    tmp_path: Path,
) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Head $i$ uses $W_q^{(i)} \in \mathbb{R}^{m \times d}$ and $B \in \mathbb{R}^{m \times m}$;
        then $W_q^{(j)} + B$ is wrong.
              ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "add-mismatch")


def test_a_krylov_basis_grows_with_its_label(tmp_path: Path) -> None:
    # Lanczos: Q_k ∈ ℝ^{n×k} makes Q_{k+1} n×(k+1), so A Q_k = Q_{k+1} \underline{T}_k agrees
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times n}$, $Q_k \in \mathbb{R}^{n \times k}$ and $\underline{T}_k \in \mathbb{R}^{(k+1) \times k}$.
        Then $A Q_k = Q_{k+1} \underline{T}_k$ and $Q_1^\top Q_1 = 1$, but not $A Q_{k+1} = Q_{k+1} \underline{T}_k$.
                                                                                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")


def test_a_head_of_a_tagged_family_is_its_member(tmp_path: Path) -> None:
    r"""``W_1^{Q}`` and ``W_h^{Q\top}`` are heads of ``W_i^Q``, not powers of ``W_1``; ``V_1``
    of ``V_i = Y W_i^V``, defined for every head; ``K_1`` too, though an Example declares
    its own ``K_1``."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Heads

        Let $X \in \mathbb{R}^{n \times d}$, $Y \in \mathbb{R}^{m \times e}$, $x \in \mathbb{R}^d$,
        $W_i^Q \in \mathbb{R}^{d \times k}$ and $W_i^V, W_i^K \in \mathbb{R}^{e \times k}$.
        Then $V_i = Y W_i^V$ and $K_i = Y W_i^K$, so $q = W_1^{Q\top} x$ and $K_1 q$ are fine, but
        $V_1 \operatorname{softmax}(K_1 q)$ and $X W_2^Q + V_2$ are not.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^

        ## Example

        Take $m = 3$, $k = 1$, so that $K_1 \in \mathbb{R}^{3 \times 1}$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch")
    assert shape_of(result, "W_1^{Q\\top}").short() == "k×d"  # type: ignore[union-attr]
    assert shape_of(result, "V_1").short() == "m×k"  # type: ignore[union-attr]


def test_a_layer_numbered_from_one_is_sized_though_its_widths_are_not_named(
    tmp_path: Path,
) -> None:
    r"""``W^{(2)}`` of ``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}`` is n_2×n_1 though the
    document writes neither n_2 nor n_1: widths of one letter are told apart, so a step with
    the input (of the named width n_0) in place of a^{(1)} is found; an unwritten width is
    never told apart from another letter (the last layer's n_2 may be the output's K)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $x \in \mathbb{R}^{n_0}$, $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$ and
        $a^{(l)}, \delta^{(l)} \in \mathbb{R}^{n_l}$. Then $W^{(3)} a^{(2)}$, $W^{(1)} x$ and
        $W^{(2)} - \eta \delta^{(2)} a^{(1)\top}$ are fine, but
        $W^{(2)} - \eta \delta^{(2)} x^\top$ and $W^{(3)} a^{(1)}$ are wrong.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^^^^^
        With two layers and $\hat{y} \in \mathbb{R}^K$, $\hat{y} = W^{(2)} a^{(1)}$ says nothing.
        """,
    )
    assert found(result) == expected(fx, "add-mismatch", "matmul-mismatch")
    assert shape_of(result, "W^{(2)}").short() == "n_2×n_1"  # type: ignore[union-attr]


def test_iterates_in_a_bare_superscript_where_the_document_declares_one(tmp_path: Path) -> None:
    r"""``\mathbf{x}^t \in \Delta^{n-1}`` declares the iterates: ``x^{t+1}`` and ``\ell^t`` are
    names, not powers; an undeclared ``P^t`` stays a power (square whatever t)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! md.md
        Let $L \in \mathbb{R}^{n \times m}$, $\mathbf{x}^t \in \Delta^{n-1}$, $\boldsymbol\ell^t \in \Delta^{m-1}$
        and $P \in \mathbb{R}^{n \times n}$. Then $\mathbf{x}^{t+1} = P^t \mathbf{x}^t$ and
        $L \boldsymbol\ell^{t}$ are fine, but $L^\top \boldsymbol\ell^t$ is not.
                                               ^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "\\mathbf{x}^{t+1}").short() == "n"  # type: ignore[union-attr]


def test_the_last_layer_is_sized_when_its_width_is_named(tmp_path: Path) -> None:
    r"""``W^{(L)}`` of ``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}`` where the document names
    ``n_L`` (``y \in \mathbb{R}^{n_L}``) is n_L×n_{L-1}: ``n_{L-1}``, the width below the last,
    is told apart from ``n_L`` (widths of one letter) but never from another letter's name
    (the last hidden layer may be the ``H`` of ``h``).  And ``\sigma'(z)``, the derivative of
    the elementwise logistic, has the shape of ``z``."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $y \in \mathbb{R}^{n_L}$, $h \in \mathbb{R}^H$, $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$
        and $z^{(l)}, \delta^{(l)} \in \mathbb{R}^{n_l}$. Then
        $\delta^{(L-1)} = \big((W^{(L)})^\top \delta^{(L)}\big) \odot \sigma'(z^{(L-1)})$ and
        $W^{(L)} h + y$ are fine, but $\big((W^{(L)})^\top \delta^{(L)}\big) \odot \sigma'(z^{(L)})$
                                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        and $W^{(L)} y$ are not.
             ^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "elementwise-mismatch", "matmul-mismatch")
    assert shape_of(result, "W^{(L)}").short() == "n_L×n_{L-1}"  # type: ignore[union-attr]


def test_a_lowercase_tag_declared_is_a_name_not_a_power(tmp_path: Path) -> None:
    r"""``\Delta^z_t \in \mathbb{R}^{n_h \times m}`` (a GRU gate's errors) declares a name that
    the parser reads as a power of ``\Delta_t``: its uses take that shape, so a sum of them
    set equal to the gradient of the bias is found; an undeclared ``x^k`` stays a power, and
    ``A^T``, ``x^n`` are never read as declared names."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $b_z \in \mathbb{R}^{n_h}$, $\mathbf{1}_m \in \mathbb{R}^m$ and
        $\Delta^z_t, \Delta^r_t \in \mathbb{R}^{n_h \times m}$. Then
        $\frac{\partial L}{\partial b_z} = \sum_t \Delta^z_t \mathbf{1}_m$ is fine, but
        $\frac{\partial L}{\partial b_z} = \sum_t \Delta^r_t$ is not.
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "equation-mismatch")
    assert shape_of(result, "\\Delta^r_t").short() == "n_h×m"  # type: ignore[union-attr]
    from texgrad.reading.source import MappedText
    from texgrad.shapes.formulas import tag_key
    from texgrad.syntax.parse import parse_row

    def key(text: str) -> object:
        return tag_key(parse_row(MappedText.identity(text)).tree)  # type: ignore[arg-type]

    assert key("\\Delta^z_t") == ("\\Delta_{t}^{z}", None)
    assert [key(x) for x in ("A^T", "x^n", "x^2", "x^{(l)}")] == [None, None, None, None]


def test_an_iterate_of_a_vector_declared_plain_has_its_shape(tmp_path: Path) -> None:
    r"""Sinkhorn's ``u^{(\ell+1)}`` of the scaling ``u \in \mathbb{R}^n``, an iterate ``x^{(k)}``:
    of the vector's shape, where no family of the letter is declared.  Not a layer's
    ``W^{(l)}`` of a matrix ``W``, nor a member labelled ``l`` or ``i`` (layers, views), nor
    a member of a family the document declares (``h^{(t)} \in \mathbb{R}^{d}``)."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $u, a \in \mathbb{R}^n$, $v \in \mathbb{R}^m$, $K \in \mathbb{R}^{n \times m}$,
        $W \in \mathbb{R}^{n \times m}$, $h \in \mathbb{R}^n$ and $h^{(t)} \in \mathbb{R}^{m}$.
        Right: $u^{(\ell+1)} = a \oslash (K v^{(\ell)})$, $K^\top u^{(k)}$, $W^{(l)} v$, $K u^{(l)}$, $K u^{(i)}$, $K h^{(t)}$.
        Wrong: $K u^{(\ell+1)}$ and $v^{(t)} + a$.
                ^^^^^^^^^^^^^^       ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "add-mismatch")


def test_an_equation_index_g_labels_a_family(tmp_path: Path) -> None:
    # seemingly unrelated regressions: "$X_g \in \mathbb{R}^{T \times K_g}$ and
    # $\beta_g \in \mathbb{R}^{K_g}$, for $g = 1, 2$", stacked into Z (T x (K_1 + K_2) per row block)
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $X_g \in \mathbb{R}^{T \times K_g}$ and $\beta_g \in \mathbb{R}^{K_g}$ for $g = 1, 2$, and $Z \in \mathbb{R}^{2T \times (K_1 + K_2)}$.
        Then $X_1 \beta_1 + X_2 \beta_2$ is fine, but $X_1 \beta_2$ is not.
                                                       ^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_a_product_over_its_own_index_of_a_scalar_family_is_a_scalar(tmp_path: Path) -> None:
    # diffusion models: "$\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \prod_{s \le t} \alpha_s$"
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{d \times d}$, $B \in \mathbb{R}^{k \times k}$ and $0 < \beta_t < 1$.
        With $\alpha_t = 1 - \beta_t$ and $\bar\alpha_t = \prod_{s \le t} \alpha_s$, $\bar\alpha_t A$ is fine, but $I_d + \bar\alpha_t B$ is not.
        """,
    )
    assert [d.code for d in result.diagnostics] == ["add-mismatch"]


def test_a_member_of_a_tagged_family_at_a_concrete_index(tmp_path: Path) -> None:
    r"""``W_1^{(1)}``, ``W_2^{(2)}`` of ``W_e^{(1)}``, ``W_e^{(2)}`` (expert e's two layers; a
    head's ``W_1^{(1)}`` of ``W_i^{(1)}`` too): stacked or applied, they are checked."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Each expert $e = 1, \dots, E$ has $W_e^{(1)} \in \mathbb{R}^{h \times d}$ and $W_e^{(2)} \in \mathbb{R}^{d \times h}$;
        each head $i$ has $V_i^{(1)} \in \mathbb{R}^{k \times d}$, and $x \in \mathbb{R}^d$.
        Right: $W_2^{(2)} W_1^{(1)} x$, $\begin{bmatrix} W_1^{(1)} \\ W_2^{(1)} \end{bmatrix} x$, $V_2^{(1)} x$.
        Wrong: $W_1^{(2)} x$, $\begin{bmatrix} W_1^{(1)} \\ W_2^{(2)} \end{bmatrix}$, $V_2^{(1)\top} x$.
                ^^^^^^^^^^^                                 ^^^^^^^^^                  ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch", "block-mismatch", "matmul-mismatch")


def test_a_plain_subscript_e_labels_no_family(tmp_path: Path) -> None:
    r"""An encoder's (or embedding's) ``W_e`` beside undeclared layers ``W_1``, ``W_2``: the
    layers are not members of it (``e`` labels a family only with a tag, ``W_e^{(1)}``)."""
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $W_e \in \mathbb{R}^{V \times d}$ embed the tokens and $x \in \mathbb{R}^{d}$.
        The feed-forward block is $W_2 \sigma(W_1 x)$.
        """,
    )
    assert found(result) == set()


def test_a_family_declared_anew_in_the_section_of_its_member(tmp_path: Path) -> None:
    r"""``X_1`` of ``X_g`` declared in its own section, not of ``X_i`` declared in an earlier
    one (a panel's firms, then the equations of a system); in one section both are unsure."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Stacking

        Each firm has regressors $X_i \in \mathbb{R}^{T \times K}$.

        # Systems

        Now take $X_g \in \mathbb{R}^{T \times K_g}$ for $g = 1, 2$, $Z \in \mathbb{R}^{2T \times (K_1 + K_2)}$.
        Right: $\begin{bmatrix} X_1 & 0 \\ 0 & X_2 \end{bmatrix}$. Wrong: $\begin{bmatrix} X_1 & 0 \\ X_2 & 0 \end{bmatrix}$.
                                                                                                      ^^^

        # Both

        Let $Y_i \in \mathbb{R}^{T \times K}$ and $Y_g \in \mathbb{R}^{T \times K_g}$: $\begin{bmatrix} Y_1 & 0 \\ Y_2 & 0 \end{bmatrix}$.
        """,
    )
    assert found(result) == expected(fx, "block-mismatch")


def test_a_layer_family_known_by_its_input_is_sized_by_the_layer_widths(tmp_path: Path) -> None:
    r"""Lecture notes declare only ``a^{(0)} = x \in \mathbb{R}^{n_0}`` of the activations and
    ``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}``: ``a^{(l-1)}`` is then an n_{l-1}-vector
    (widths subscripted 0 are the layers'); a family whose member at 0 is sized otherwise
    (``h^{(0)} \in \mathbb{R}^d``) is not guessed."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}$, $b^{(l)} \in \mathbb{R}^{n_l}$ and
        $a^{(0)} = x \in \mathbb{R}^{n_0}$, $h^{(0)} \in \mathbb{R}^{d}$, $V \in \mathbb{R}^{d \times d}$.
        Right: $z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}$, $W^{(l+1)} a^{(l)}$, $W^{(l)} h^{(l)}$.
        Wrong: $W^{(l)} a^{(l)}$.
                ^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "a^{(l-1)}").short() == "n_{l-1}"  # type: ignore[union-attr]


def test_a_member_under_another_index_letter_is_of_the_family(tmp_path: Path) -> None:
    r"""``W_h^Q`` of ``W_i^Q`` (a head) and ``x_n`` of ``x_i`` (a sample): any index letter
    names a member, as a number does; but where the letter's subscripts name (``W_i``,
    ``W_f``, ``W_o``: an LSTM's gates), ``W_g`` is another matrix, not a member of ``W_i``."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Heads

        Let $W_i^Q \in \mathbb{R}^{d \times k}$ and $x_i \in \mathbb{R}^{d}$ for each head $i$.
        Then $(W_h^Q)^\top x_n$ is fine, but $W_h^Q x_n$ is not.
                                              ^^^^^^^^^

        # Gates

        Let $W_i, W_f, W_o \in \mathbb{R}^{p \times d}$, $z_t \in \mathbb{R}^p$ and $u \in \mathbb{R}^d$.
        The candidate is $\tanh(W_g z_t + W_i u)$.
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "x_n").short() == "d"  # type: ignore[union-attr]
    assert shape_of(result, "W_g") is None


def test_the_iterates_of_a_recursion_have_the_vector_s_shape(tmp_path: Path) -> None:
    r"""``p_k`` of ``p \in \Delta^{n-1}`` where the document writes the recursion
    ``p_{k+1} = \dots p_k \dots``: the iterates, n-vectors; without a recursion ``x_k`` of
    ``x \in \mathbb{R}^n`` may be an entry (a sum's) and has no shape."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        # Mirror descent

        Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$, $p \in \Delta^{n-1}$ and
        $x \in \mathbb{R}^n$, and take the steps

        $$p_{k+1} = \frac{p_k \odot \exp(-\eta g_k)}{\mathbf{1}_n^\top (p_k \odot \exp(-\eta g_k))}$$

        with $g_k = A^\top (A p_k - b)$, not $g_k = A (A p_k - b)$, and $\sum_k x_k A$.
                                                    ^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert shape_of(result, "p_k").short() == "n"  # type: ignore[union-attr]
    assert shape_of(result, "x_k") is None


def test_a_member_of_a_family_defined_as_a_gradient_is_shifted() -> None:
    r"""Backprop notes define the deltas once, ``\delta^{(l)} = \partial L/\partial z^{(l)}``,
    and use ``\delta^{(l+1)}``: a member of that defined family, of ``z^{(l+1)}``'s shape, so
    that ``W^{(l)\top}\delta^{(l+1)}`` (the classic slip) is found and ``W^{(l+1)\top}
    \delta^{(l+1)}`` is not."""
    from texgrad.shapes.check import Checker

    text = (
        "Let $W^{(l)} \\in \\mathbb{R}^{n_l \\times n_{l-1}}$, $h^{(l)} \\in \\mathbb{R}^{n_l}$.\n"
        "Let $z^{(l)} = W^{(l)} h^{(l-1)}$ and $\\delta^{(l)} = \\partial \\mathcal{L} / "
        "\\partial z^{(l)}$.\n\n"
        "Then $\\delta^{(l)} = W^{(l+1)\\top}\\delta^{(l+1)}$, "
        "not $\\delta^{(l)} = W^{(l)\\top}\\delta^{(l+1)}$.\n"
    )
    found = Checker().check("backprop.md", text=text).diagnostics
    assert [(d.code, text[d.start : d.end]) for d in found] == [
        ("matmul-mismatch", "W^{(l)\\top}\\delta^{(l+1)}")
    ]


def test_a_normal_a_declared_vector_is_drawn_from_sizes_its_mean_and_covariance() -> None:
    r"""``\mathbf x \sim \mathcal{N}(\boldsymbol\mu, \Sigma)`` of a declared x ∈ ℝ^d: μ is d,
    Σ is d×d where nothing else declares them, so ``\Sigma\mathbf a`` of an a ∈ ℝ^k is found;
    a letter the document declares keeps its own shape, and ``\mathcal{N}(0, I)`` sizes nothing."""
    from texgrad.shapes.check import Checker

    text = (
        "Let $\\mathbf{x} \\in \\mathbb{R}^d$, $\\mathbf{a} \\in \\mathbb{R}^k$ and "
        "$\\mathbf{x} \\sim \\mathcal{N}(\\boldsymbol\\mu, \\Sigma)$, $\\mathbf{z} \\sim "
        "\\mathcal{N}(0, I)$.\n\n"
        "Then $\\Sigma\\boldsymbol\\mu$ and $\\boldsymbol\\mu^\\top\\Sigma\\boldsymbol\\mu$, "
        "but not $\\Sigma\\mathbf{a}$.\n"
    )
    found = Checker().check("stats.md", text=text).diagnostics
    assert [(d.code, text[d.start : d.end]) for d in found] == [
        ("matmul-mismatch", "\\Sigma\\mathbf{a}")
    ]


def test_vectors_the_prose_says_are_drawn_from_a_normal_size_it() -> None:
    r""" "Let $\mathbf{x}_1, \dots, \mathbf{x}_n \in \mathbb{R}^d$ be i.i.d. draws from
    $\mathcal{N}(\boldsymbol\mu, \Sigma)$": μ is d and Σ d×d, as with ``\sim``; a normal the
    sentence does not say they are drawn from sizes nothing."""
    from texgrad.shapes.check import Checker

    drawn = (
        "Let $\\mathbf{x}_1, \\dots, \\mathbf{x}_n \\in \\mathbb{R}^d$ be i.i.d. draws from "
        "$\\mathcal{N}(\\boldsymbol\\mu, \\Sigma)$ and $\\mathbf{a} \\in \\mathbb{R}^k$.\n\n"
        "Then $\\Sigma\\boldsymbol\\mu$ is fine but $\\Sigma\\mathbf{a}$ is not.\n"
    )
    found = Checker().check("stats.md", text=drawn).diagnostics
    assert [(d.code, drawn[d.start : d.end]) for d in found] == [
        ("matmul-mismatch", "\\Sigma\\mathbf{a}")
    ]
    other = drawn.replace("be i.i.d. draws from", "and a prior")
    assert Checker().check("stats.md", text=other).diagnostics == []


def test_members_paired_with_matrices_in_turn_are_not_all_the_first_ones() -> None:
    # "with $u_j \in \R^n$ and $v_j \in \R^p$ the columns of $U$ and $V$": v_j is V's column
    # (a false 'redeclared' said v_j was U's); "with $a_i^T$ the rows of $A$, …" still sizes a_i
    from texgrad.shapes.check import Checker

    text = (
        r"Let $U \in \mathbb{R}^{n \times r}$ and $V \in \mathbb{R}^{p \times r}$, with "
        r"$u_j \in \mathbb{R}^n$ and $v_j \in \mathbb{R}^p$ the columns of $U$ and $V$."
        "\n\n"
        r"Let $A \in \mathbb{R}^{m \times n}$ with $a_i^\top$ the rows of $A$, and "
        r"$x \in \mathbb{R}^m$. Then $a_i^\top x$ is wrong."
    )
    found = [
        (d.code, text[d.start : d.end]) for d in Checker().check("d.md", text=text).diagnostics
    ]
    assert [c for c, _ in found] == ["matmul-mismatch"], found
