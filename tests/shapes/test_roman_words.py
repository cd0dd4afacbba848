r"""Words in roman type named as matrices: ``\operatorname{head}_i``, ``\mathrm{head}_i``,
``\text{head}_i`` defined or declared by the document are matrices of a family over their
subscript, multiplied by what follows them; ``\operatorname{Concat}(A_1, \dots, A_h)`` puts
the blocks side by side (rows alike, columns added); words that are functions stay so."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture, expected, found, same_shape, shape, shape_of
from texgrad.reading.source import MappedText
from texgrad.shapes.words import is_word, word_symbol, words_as_symbols
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.show import show

SETUP = (
    r"Let $X \in \mathbb{R}^{n \times d}$, $W_i^Q, W_i^K \in \mathbb{R}^{d \times k}$ and "
    r"$W_i^V \in \mathbb{R}^{d \times v}$ for $h$ heads, "
    r"$W_i^O \in \mathbb{R}^{v \times d}$ and $W^O \in \mathbb{R}^{h v \times d}$. "
)


def _read(latex: str) -> str:
    return show(words_as_symbols(parse_row(MappedText.identity(latex)).tree))


def test_a_word_with_a_subscript_is_a_letter_and_multiplies_what_follows() -> None:
    assert _read(r"\operatorname{head}_i W") == "(Product (Sub head[mathrm] i) W)"
    assert _read(r"\operatorname{head}_i (W_i^O)^\top") == (
        "(Product (Sub head[mathrm] i) (Transpose:\\top (Paren:() (Tagged (Sub W i) O))))"
    )
    assert _read(r"\mathrm{head}_1") == "(Sub head[mathrm] 1)"
    assert _read(r"\text{head}_i W") == "(Product (Sub head[mathrm] i) W)"
    # functions stay functions: no subscript, or a word every list knows
    assert _read(r"\operatorname{softmax}(X) W") == "(Product (Apply (Func:softmax) X) W)"
    assert _read(r"\operatorname{Attention}(Q, K, V)").startswith("(Apply (Func:Attention)")
    assert _read(r"\max_x f(x)").startswith("(Apply (Func:max")
    assert _read(r"\operatorname{prox}_{f}(v)").startswith("(Apply (Func:prox")
    assert not is_word("softmax") and not is_word("Concat") and is_word("head")
    tree = parse_row(MappedText.identity(r"\operatorname{argmin}_x")).tree
    assert isinstance(tree, t.Func) and word_symbol(tree) is None


def test_a_head_defined_by_its_equation_is_checked_as_a_matrix(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        SETUP
        Head $i$ computes $A_i \in \mathbb{R}^{n \times n}$ and
        \[ \operatorname{head}_i = A_i X W_i^V \in \mathbb{R}^{n \times v}. \]
        The output is $Y = \sum_{i=1}^{h} \operatorname{head}_i W_i^O$, and
        $Z = \operatorname{head}_i (W_i^O)^\top$ is wrong.
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """.replace("SETUP", SETUP),
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    (d,) = [g for g in result.diagnostics if g.code == "matmul-mismatch"]
    assert r"`\operatorname{head}_i` is n×v" in d.message, d.message
    assert "inner dimensions v and d differ" in d.message, d.message


def test_a_word_nothing_sizes_says_nothing(tmp_path: Path) -> None:
    _fx, result = check_fixture(
        tmp_path,
        r"""
        SETUP
        $Z = \operatorname{head}_i (W_i^O)^\top$ and $\operatorname{Attention}_i(X) W^O$.
        """.replace("SETUP", SETUP),
    )
    assert found(result) == set()


def test_concat_puts_the_heads_side_by_side(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        SETUP
        Each head is $\mathrm{head}_i = A_i X W_i^V \in \mathbb{R}^{n \times v}$ with
        $A_i \in \mathbb{R}^{n \times n}$. Then
        $M = \operatorname{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h) W^O$ is fine,
        but $N = \operatorname{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h) W_i^V$ is not.
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """.replace("SETUP", SETUP),
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    concat = r"\operatorname{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_h)"
    assert same_shape(shape_of(result, concat), shape("n", "h*v"))
    (d,) = result.diagnostics
    assert "is n×hv but `W_i^V` is d×v: inner dimensions hv and d differ" in d.message, d.message


def test_concat_of_two_blocks_adds_their_columns(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        Let $A \in \mathbb{R}^{n \times p}$, $B \in \mathbb{R}^{n \times q}$,
        $C \in \mathbb{R}^{(p + q) \times m}$ and $D \in \mathbb{R}^{p \times m}$.
        Then $\operatorname{concat}(A, B) C$ is fine and $\operatorname{concat}(A, B) D$ is not.
                                                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")
    assert same_shape(shape_of(result, r"\operatorname{concat}(A, B)"), shape("n", "p+q"))


def test_concat_with_the_stated_width_agrees(tmp_path: Path) -> None:
    """With d = h v stated, h heads of width v side by side are d wide; where h sizes
    nothing else (the fact is not read), the width is not known and nothing is said."""
    text = r"""
        Let $X \in \mathbb{R}^{n \times d}$, $W_i^V \in \mathbb{R}^{d \times v}$,
        $A_i \in \mathbb{R}^{n \times n}$ and $W \in \mathbb{R}^{d \times d}$, with $d = h v$.
        Each head is $\operatorname{head}_i = A_i X W_i^V \in \mathbb{R}^{n \times v}$, and
        $Y = \operatorname{Concat}(\operatorname{head}_1, \dots, \operatorname{head}_h) W$.
        GATES
        """
    gates = r"The gates are $G \in \mathbb{R}^{h \times h}$."
    for extra in ("", gates):
        _fx, result = check_fixture(tmp_path / str(len(extra)), text.replace("GATES", extra))
        assert found(result) == set()
    wrong = text.replace(r"W \in \mathbb{R}^{d \times d}", r"W \in \mathbb{R}^{v \times d}")
    _fx, result = check_fixture(tmp_path / "wrong", wrong.replace("GATES", gates))
    assert [d.code for d in result.diagnostics] == ["matmul-mismatch"]


def test_a_word_declared_with_in_and_one_from_a_macro(tmp_path: Path) -> None:
    r"""``\text{head}_i \in \mathbb{R}^{n \times v}`` declares the family; a word written
    through ``\DeclareMathOperator`` is read after expansion."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        \DeclareMathOperator{\hd}{hd}
        SETUP
        Let $\text{head}_i \in \mathbb{R}^{n \times v}$ and $\hd_i \in \mathbb{R}^{n \times v}$.
        Right: $\text{head}_i W_i^O$ and $\hd_i W_i^O$. Wrong: $\text{head}_i W_i^V$ and $\hd_i W_i^V$.
                                                                ^^^^^^^^^^^^^^^^^^^       ^^^^^^^^^^^
        """.replace("SETUP", SETUP),
    )
    assert found(result) == expected(fx, "matmul-mismatch")


def test_concat_written_in_text(tmp_path: Path) -> None:
    r"""``\text{Concat}(\text{head}_1, \dots, \text{head}_h)`` is the concatenation too."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        SETUP
        Each head is $\text{head}_i = A_i X W_i^V \in \mathbb{R}^{n \times v}$ with
        $A_i \in \mathbb{R}^{n \times n}$. Right: $\text{Concat}(\text{head}_1, \dots, \text{head}_h) W^O$.
        Wrong: $\text{Concat}(\text{head}_1, \dots, \text{head}_h) W_i^V$.
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """.replace("SETUP", SETUP),
    )
    assert found(result) == expected(fx, "matmul-mismatch")
