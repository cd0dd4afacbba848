r"""Shapes at a glance: each declaration form, each diagnostic code, what stays quiet,
planted errors where real documents hide them, and the shape under the cursor.

Each fixture marks with ``^^^`` exactly where a diagnostic must be; a fixture with no
marks must produce no diagnostic at all (precision matters more than recall).
The topics are tested in depth by the other files of this folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture, declaration, expected, found, shape, spans
from tests.shapes.helpers import dim as parse_dim
from texgrad.shapes.check import Checker, CheckResult
from texgrad.shapes.dim_terms import symbol
from texgrad.shapes.dims import Shape, dim_text
from texgrad.shapes.facts import fact_key
from texgrad.shapes.query import shape_info
from texgrad.shapes.questions import dimension_key


def declared(result: CheckResult, key: str) -> Shape:
    """The shape ``key`` is declared with at the end of the document."""
    decl = declaration(result, key)
    assert decl is not None, key
    return decl.shape


# -- declarations --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "size"),
    [
        (r"$A \in \mathbb{R}^{m \times n}$", "A", ("m", "n")),
        (r"$x \in \mathbb{R}^n$", "x", ("n", 1)),
        (r"$x \in \mathbb R^n$", "x", ("n", 1)),
        (r"$x \in \mathbb R ^n$", "x", ("n", 1)),
        (r"$c \in \mathbb{R}$", "c", (1, 1)),
        (r"$y_i \in \{-1, 1\}$", "y_{i}", (1, 1)),
        (r"$p \in [0, 1]$", "p", (1, 1)),
        (r"$Z \in \mathbb{C}^{n\times n}$", "Z", ("n", "n")),
        (r"$u \in \mathbb{R}^{n}_{+}$", "u", ("n", 1)),
        (r"$S \in \mathbb{S}^n$", "S", ("n", "n")),
        (r"$h \in \mathbb{R}^{d_k}$", "h", ("d_k", 1)),
        (r"Let $W$ be an $m \times n$ matrix.", "W", ("m", "n")),
        (r"Take an $n \times n$ matrix $A$.", "A", ("n", "n")),
        (r"Take a vector $x$ of length $n$.", "x", ("n", 1)),
        (r"Here $v$ is an $n$-dimensional vector.", "v", ("n", 1)),
        (r"The data $X$ of size $N \times D$.", "X", ("N", "D")),
        (r"Fix a scalar $\lambda$.", "\\lambda", (1, 1)),
        (r"Let $y$ be an $m$-vector.", "y", ("m", 1)),
        (r"Here $A$ and $B$ are $n \times k$ matrices.", "B", ("n", "k")),
        (r"Here $x$, $y$ and $z$ are $d$-dimensional vectors.", "y", ("d", 1)),
        (r"Let $X$ denote the $n \times d$ design matrix.", "X", ("n", "d")),
        ("% texgrad: A n×m, x m, lambda scalar\n", "A", ("n", "m")),
        ("% texgrad: A n×m, x m, lambda scalar\n", "x", ("m", 1)),
        ("% texgrad: A n×m, x m, lambda scalar\n", "\\lambda", (1, 1)),
    ],
)
def test_declaration_forms(
    tmp_path: Path, text: str, key: str, size: tuple[str | int, str | int]
) -> None:
    _, result = check_fixture(tmp_path, f"%! doc.tex\n{text}\n")
    want = shape(*size)
    got = declared(result, key)
    assert (got.rows, got.cols) == (want.rows, want.cols)


def test_symmetric_and_positive_definite_sets(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path, "%! doc.tex\n$S \\in \\mathbb{S}^n_{++}$ and $T \\in \\mathbb{S}^n$\n"
    )
    s = declaration(result, "S", at=99)
    t = declaration(result, "T", at=99)
    assert s is not None and s.symmetric and s.positive_definite
    assert t is not None and t.symmetric and not t.positive_definite


def test_lists_macros_and_markdown_comment(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        "%! doc.md\n<!-- texgrad: A nxm, b n -->\n$$\\newcommand{\\R}{\\mathbb{R}}$$\n\nLet $x, y \\in \\R^{d}$.\n",
    )
    d, nm = shape("d"), shape("n", "m")
    assert (declared(result, "x").rows, declared(result, "y").rows) == (d.rows, d.rows)
    assert (declared(result, "A").rows, declared(result, "A").cols) == (nm.rows, nm.cols)
    assert declared(result, "b").rows == shape("n").rows


# -- diagnostics, each code with its exact range ---------------------------------------


def test_matmul_mismatch_with_message_related_and_fix(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.tex
        Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$. Then $A y$.
                                                                            ^^^
        """,
    )
    assert spans(result) == fx.ranges["doc.tex"]
    (d,) = result.diagnostics
    assert d.code == "matmul-mismatch" and d.severity == "error"
    assert (
        d.message
        == "`A` is m×n but `y` ∈ ℝᵐ: inner dimensions n and m differ; transposing `A` would make it agree"
    )
    text = fx.files["doc.tex"]
    assert [text[r.start : r.end] for r in d.related] == ["A", "y"]
    assert [(f.text, text[f.start : f.end]) for f in d.fixes] == [("A^\\top", "A")]


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        (
            r"""
            %! doc.tex
            Let $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$; then $x + y$.
                                                                  ^^^^^
            """,
            "add-mismatch",
        ),
        (
            r"""
            %! doc.tex
            Let $A \in \mathbb{R}^{m \times n}$; then $A^{-1}$ and $\operatorname{tr}(A)$ and $\det(A)$.
                                                       ^^^^^^       ^^^^^^^^^^^^^^^^^^^^       ^^^^^^^
            """,
            "not-square",
        ),
        (
            r"""
            %! doc.tex
            Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^n$, and $y = Ax$.
                                                                                                     ^^^^^^
            """,
            "equation-mismatch",
        ),
        (
            r"""
            %! doc.tex
            Let $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$; $x \odot y$.
                                                                ^^^^^^^^^
            """,
            "elementwise-mismatch",
        ),
        (
            r"""
            %! doc.tex
            Let $f : \mathbb{R}^n \to \mathbb{R}$ and $x \in \mathbb{R}^m$; then $f(x)$.
                                                                                    ^
            """,
            "argument-mismatch",
        ),
        (
            r"""
            %! doc.tex
            Let $A \in \mathbb{R}^{m \times n}$ and $A \in \mathbb{R}^{n \times n}$ here.
                                                     ^
            """,
            "redeclared",
        ),
    ],
)
def test_each_code(tmp_path: Path, doc: str, code: str) -> None:
    fx, result = check_fixture(tmp_path, doc)
    assert spans(result) == fx.ranges["doc.tex"]
    assert found(result) == expected(fx, code)


def test_redeclared_points_at_both_places(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        "%! doc.tex\n$A \\in \\mathbb{R}^{m \\times n}$, $A \\in \\mathbb{R}^{n \\times n}$\n",
    )
    (d,) = result.diagnostics
    assert d.severity == "warning"
    assert (d.related[0].start, d.related[0].end) == (1, 2)


# -- symbols and inference rules that must stay quiet ------------------------------------


QUIET = [
    # fonts: \mathbf{x}, \boldsymbol{x}, \bm{x} are x
    r"Let $\mathbf{A} \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$: $A \boldsymbol{x}$, $\mathbf{A} \bm{x}$.",
    # accents make new (undeclared) symbols; elements of a vector are scalars
    r"Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$: $A \hat{x}$, $x_i A$, $A_{ij} x$.",
    # a 1x1 product scales; sums of a matrix and a scaled identity
    r"Let $A \in \mathbb{R}^{n \times n}$, $x, y \in \mathbb{R}^n$: $x^\top y A$, $A + \lambda I$, $(x^\top A x) y$.",
    # norms, fractions, diag, elementwise functions, sums with an index
    r"Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$: $\frac{A x}{\|x\|_2}$, $\operatorname{diag}(x) x$, $\exp(Ax)$, $\sum_{i=1}^n x_i$.",
    # Kronecker and block matrices, gradients in either layout
    r"Let $A \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{p \times q}$, $x \in \mathbb{R}^n$: $(A \otimes B)^\top$, $\begin{bmatrix} A & A \end{bmatrix}$, $\nabla_x \|Ax\|^2 = 2 A^\top A x$, $\frac{\partial x^\top x}{\partial x} = 2 x^\top$.",
    # \sum_{t=1}^T is no transpose, x = 0 is a zero vector, A = A^T a property
    r"Let $x_t \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$: $\sum_{t=1}^T x_t = 0$, $A = A^\top$.",
    # primes as derivatives, sets, probabilities, escaped dollars
    r"For $f(x) = x^2$, $f'(x) = 2x$; costs \$5 and \$6; the set $\{x \in \mathbb{R}^n : Ax = b\}$; $p(x \mid y)$.",
    # undeclared symbols are unknown, never errors
    r"Then $U V W$ and $u + v$ and $Q^{-1}$.",
    # a re-declaration in a later section is a new scope
    "Let $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$: $Ax$.\n\\section{Next}\nLet $A \\in \\mathbb{R}^{n \\times n}$: $A^{-1} x$.",
    # a declaration just after the use, in the same sentence
    r"We minimise $\|Ax - b\|^2$, where $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $b \in \mathbb{R}^m$.",
    # hypotheses are not declarations
    r"If $A$ is $n \times k$ and $B$ is $j \times m$, then $A B$ needs $k = j$.",
    # a matrix written by its entries, each entry a scalar
    r"Let $A = (a_{ij}) \in \mathbb{R}^{n\times m}$, where each $a_{ij}\in\mathbb{R}$, and $B = [b_{k,l}]$.",
]


@pytest.mark.parametrize("body", QUIET)
def test_correct_math_is_not_flagged(tmp_path: Path, body: str) -> None:
    _, result = check_fixture(tmp_path, "%! doc.tex\n" + body + "\n")
    assert [d for d in result.diagnostics if d.code != "no-declarations"] == []


def test_definitions_give_shapes(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.tex
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$; set $z = Ax$; then $z + x$.
                                                                                       ^^^^^
        """,
    )
    assert spans(result) == fx.ranges["doc.tex"]
    assert [r.message for r in result.diagnostics[0].related][
        0
    ] == "`z` is ℝ^{m} by its definition here"


def test_a_definition_is_noted_as_written(tmp_path: Path) -> None:
    # the note names a subscripted upright name as the text writes it, not by its key
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.tex
        Let $A \in \mathbb{R}^{n \times n}$ and $A_{\mathrm{cl}} = \begin{bmatrix} A & A \\ 0 & A \end{bmatrix}$; then $A_{\mathrm{cl}} + A$.
                                                                                                                        ^^^^^^^^^^^^^^^^^^^
        """,
    )
    assert spans(result) == fx.ranges["doc.tex"]
    notes = [r.message for r in result.diagnostics[0].related]
    assert "`A_{\\mathrm{cl}}` is ℝ^{2n×2n} by its definition here" in notes, notes


# -- planted errors where real documents hide them --------------------------------------------


def test_error_inside_a_macro_lands_on_the_call(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.tex
        \newcommand{\mA}{\mathbf{A}}
        \newcommand{\vy}{\mathbf{y}}
        Let $\mA \in \mathbb{R}^{m \times n}$ and $\vy \in \mathbb{R}^m$, so $\mA\vy$.
                                                                              ^^^^^^
        """,
    )
    assert spans(result) == fx.ranges["doc.tex"]


def test_error_across_project_files(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \input{notation}
        \input{chapter}
        %! notation.tex
        Throughout, $W \in \mathbb{R}^{d \times k}$ and $v \in \mathbb{R}^d$.
        %! chapter.tex
        \begin{align}
          g &= W^\top v \\
          e &= W v
               ^^^
        \end{align}
        """,
        name="chapter.tex",
    )
    assert spans(result) == fx.ranges["chapter.tex"]
    assert result.diagnostics[0].related[0].path.endswith("notation.tex")


def test_errors_in_markdown_blocks_and_inline_math(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! notes.md
        # Notes

        Let $X \in \mathbb{R}^{N \times D}$, $w \in \mathbb{R}^D$ and $y \in \mathbb{R}^N$.

        ```python
        # $X^\top w$ in code is not math
        ```

        $$
        \nabla_w \|Xw - y\|^2 = 2 X^\top (Xw - y)
        $$

        Planted: $$X^\top w$$ and $y + w$.
                   ^^^^^^^^        ^^^^^
        """,
    )
    assert spans(result) == fx.ranges["notes.md"]


def test_prose_declared_symbols_and_prime_transposes(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! qe.md
        Let $A$ be an $n \times n$ matrix, $C$ an $n \times m$ matrix and $w$ an $m \times 1$ vector.
        Then $x_{t+1} = A x_t + C w_{t+1}$ and $x' A x$ are fine, but $A C' x$ is not.
                                                                       ^^^^
        """,
    )
    assert spans(result) == fx.ranges["qe.md"]


def test_members_of_a_chain_of_equalities_are_declared(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.tex
        \newcommand{\R}{\mathbb{R}}
        \[ \Phi = \begin{bmatrix} a & b \end{bmatrix} \in \R^{n \times p} \]
        where $\vec{y} = [y_1, \dots, y_n]^\top \in \R^n$: $\Phi^\top \vec{y}$ but $\Phi \vec{y}$.
                                                                                    ^^^^^^^^^^^^
        Also $\sigma = 1$ and $\sigma_{\min} (\Phi)$ stay quiet.
        """,
    )
    assert spans(result) == fx.ranges["doc.tex"]


def test_shape_under_the_cursor(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.md
        Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$; set $z = A |x$ and use $A u$.
        """,
        cursor=True,
    )
    text = fx.files["doc.md"]
    assert fx.cursor is not None
    at = fx.cursor[1]
    info = shape_info(result, at)
    assert info is not None and info.text == "x" and info.source == "declared"
    assert info.describe() == "ℝ^{n} (declared)"
    product = shape_info(
        result, text.index("A x") + 1
    )  # the space inside `A x` belongs to the product
    assert product is not None and product.describe() == "ℝ^{m} (computed)"
    z = shape_info(result, text.index("z ="))
    assert z is not None and z.describe() == "ℝ^{m} (defined)"
    u = shape_info(result, text.index("u$"))
    assert u is not None and u.describe() == "n rows (inferred from use)"


def test_a_function_definition_is_a_signature(tmp_path: Path) -> None:
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.md
        Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
        Define $f(x) = Ax$. Then $f(x) + y$ is fine but $f(y)$ is not.
                                                           ^
        """,
    )
    assert spans(result) == fx.ranges["doc.md"]
    (d,) = result.diagnostics
    assert d.code == "argument-mismatch" and d.related[0].message == "`f` : ℝⁿ → ℝᵐ"


@pytest.mark.parametrize(
    "definition",
    [r"\phi(z) = \max(0, z)", r"\phi(t) = \max\{0, t\}", r"\phi(z) = 1/(1 + e^{-z})",
     r"\phi(u) = \log(1 + \exp(u))", r"\phi(z) = \tanh(z)"],
)  # fmt: skip
def test_a_function_of_a_number_the_document_defines_applies_entry_by_entry(
    tmp_path: Path, definition: str
) -> None:
    # an activation the paper defines keeps its argument's shape, whatever the letter of its
    # parameter is elsewhere (a bold z declared a vector is not the z of the definition)
    fx, result = check_fixture(
        tmp_path,
        rf"""
        %! doc.md
        Let $\mathbf{{z}} \in \mathbb{{R}}^h$, $\mathbf{{u}} \in \mathbb{{R}}^c$, $V \in \mathbb{{R}}^{{c \times h}}$ and ${definition}$.
        $$\mathbf{{a}} = \phi(\mathbf{{z}}), \qquad \mathbf{{b}} = \phi(\mathbf{{u}}) + V\mathbf{{a}} + V \phi'(\mathbf{{z}})$$
        But $V \mathbf{{b}}$ is not.
             ^^^^^^^^^^^^
        """,
    )
    assert found(result) == expected(fx, "matmul-mismatch")  # (and no argument-mismatch)


@pytest.mark.parametrize(
    ("dim", "text"),
    [
        ("d_k*h", "d_k h"),  # not d_kh, one name to the eye
        ("n_1*n_2", "n_1 n_2"),
        ("2*n", "2n"),
        ("h*k", "hk"),
        ("2*d_k*h", "2d_k h"),
        ("k*n**2", "kn^2"),
        ("n*(n + 1)", "n(n + 1)"),
        ("n + 1", "n + 1"),
    ],
)
def test_dimension_products_read_as_the_document_writes_them(dim: str, text: str) -> None:
    assert dim_text(parse_dim(dim)) == text


def test_shape_on_the_letter_of_an_indexed_name(tmp_path: Path) -> None:
    """On the letter of `W^{(l)}`, `W^{(l+1)}`, `I_p`, `x_i` (a letter with no shape of its
    own there) the hover shows the whole name's shape, not "`W` : unknown"."""
    fx, result = check_fixture(
        tmp_path,
        r"""
        %! doc.md
        Let $W^{(l)} \in \mathbb{R}^{p \times p}$, $x_i \in \mathbb{R}^p$ and $A \in \mathbb{R}^{p \times p}$.
        Then $W^{(l+1)} = W^{(l)} + I_p$ and $v = W^{(l)} x_i + A^2 x_i$.
        """,
    )
    text = fx.files["doc.md"]
    row = text.index("Then")

    def at(needle: str) -> tuple[str, str] | None:
        info = shape_info(result, text.index(needle, row))
        return None if info is None else (info.text, info.describe())

    assert at("W^{(l+1)}") == ("W^{(l+1)}", "ℝ^{p×p} (computed)")
    assert at("W^{(l)} +") == ("W^{(l)}", "ℝ^{p×p} (declared)")
    assert at("I_p") == ("I_p", "ℝ^{p×p} (defined)")
    assert at("x_i +") == ("x_i", "ℝ^{p} (declared)")
    # a letter with a shape of its own stays itself: A of A^2
    assert at("A^2") == ("A", "ℝ^{p×p} (declared)")
    # the index keeps its own hover
    assert at("p$ and $v") == ("p", "unknown")


@pytest.mark.parametrize(
    ("dim", "name"), [("d_k", "d_k"), ("n", "n"), ("n + 1", "n + 1"), ("2*n", "2*n")]
)
def test_a_dimension_is_asked_for_by_its_name(dim: str, name: str) -> None:
    """A name's questions are keyed by the name (a sum or product by sympy's text of it)."""
    assert dimension_key(parse_dim(dim)) == "\0dimension " + name
    assert fact_key(parse_dim(dim)) == "\0fact " + name


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("d_k", "d_k"),
        ("d_{\\text{model}}", "d_{\\text{model}}"),
        ("n_\u2217", "n_*"),
        ("|S|", "|S|"),
    ],
)
def test_a_named_dimension_reads_as_its_name(name: str, text: str) -> None:
    """A name is printed as written (a starred name's star is the document's ``*``)."""
    assert dim_text(symbol(name)) == text


def test_a_tuple_of_declared_scalars_transposed_is_a_column() -> None:
    r"""``\mathbf b = (r, 1)^\top`` with r a declared number is a column of two (as ``(1, 0)^\top``
    is): ``A\mathbf v`` with v of three entries and A n×2 is a mismatch; a tuple with an entry
    of no shape says nothing."""
    text = (
        "Let $r \\in \\mathbb{R}$, $A \\in \\mathbb{R}^{n \\times 2}$, $\\mathbf{b} = (r, 1)^\\top$, "
        "$\\mathbf{v} = (r, 1, 2)^\\top$ and $\\mathbf{u} = (s, 1, 2)^\\top$.\n\n"
        "Then $A\\mathbf{b}$, $A\\mathbf{v}$ and $A\\mathbf{u}$.\n"
    )
    found = Checker().check("t.md", text=text).diagnostics
    assert [(d.code, text[d.start : d.end]) for d in found] == [("matmul-mismatch", "A\\mathbf{v}")]
