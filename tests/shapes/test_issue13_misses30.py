r"""The issue-13 misses made general rules (session 30, scope): a letter defined in an earlier
section, or in an earlier file, is used in a slip the text itself calls wrong, or in a
subsection of a list of bugs; each with a planted error and a trap (the Kalman gain K of one
section is not the LQR gain K of the next when nothing says the formula is wrong)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import parse_fixture
from tests.shapes.helpers import check_fixture, codes_by_line, found
from texgrad.shapes.check import Checker

SPECTRAL = r"""
%! notes.md
## Similarity graphs

Let $W \in \mathbb{R}^{n \times n}$ be the weights, $\mathbf d = W\mathbf 1_n$ and $D = \operatorname{diag}(\mathbf d)$.

## Spectral clustering

Take $H \in \mathbb{R}^{n \times k}$ with $H^\top D H = I_k$. SENTENCE
"""


@pytest.mark.parametrize(
    "sentence",
    [
        r"The version $H D H^\top = I_k$ on the board was wrong.",
        r"A common slip: $H D H^\top = I_k$.",
        r"Writing $H D H^\top = I_k$ instead is a mistake.",
    ],
)
def test_a_definition_of_an_earlier_section_is_a_side_in_a_slip_called_wrong(
    tmp_path: Path, sentence: str
) -> None:
    # lecture-spectral-include-28: D = diag(d) of the section before, H D H^T called wrong
    text = SPECTRAL.replace("SENTENCE", sentence)
    assert codes_by_line(text, tmp_path) == [(7, "matmul-mismatch")]


@pytest.mark.parametrize(
    "sentence",
    [
        r"The version $H D H^\top = I_k$ is used for the other cut.",  # no blame: its own D
        r"The version $H^\top D H = I_k$ on the board was wrong.",  # called wrong, but right
    ],
)
def test_a_definition_of_an_earlier_section_stays_borrowed_unless_called_wrong(
    tmp_path: Path, sentence: str
) -> None:
    text = SPECTRAL.replace("SENTENCE", sentence)
    assert codes_by_line(text, tmp_path) == []


def test_a_definition_of_an_earlier_file_is_a_side_in_a_slip_called_wrong(tmp_path: Path) -> None:
    # the same across \include'd files: D defined in graphs.tex, the slip in spectral.tex
    text = r"""
    %! main.tex
    \documentclass{article}
    \begin{document}
    \include{graphs}
    \include{spectral}
    \end{document}
    %! graphs.tex
    \section{Similarity graphs}
    Let $W \in \mathbb{R}^{n \times n}$, $\mathbf{d} = W\mathbf{1}_n$ and $D = \operatorname{diag}(\mathbf{d})$.
    %! spectral.tex
    \section{Spectral clustering}
    Take $H \in \mathbb{R}^{n \times k}$ with $H^\top D H = I_k$; the version $H D H^\top = I_k$ was wrong.
    The control $u = -D x$ of the next lecture uses another $D$.
    """
    _, result = check_fixture(tmp_path, text, name="spectral.tex")
    source = (tmp_path / "spectral.tex").read_text()
    codes = sorted((source.count("\n", 0, s) + 1, c) for s, _, c in found(result))
    assert codes == [(2, "matmul-mismatch")]
    start = next(s for s, _, _ in found(result))
    assert source[start : start + 3] == "H D"


BUGS = r"""
%! slides.qmd
## Forward pass

Input $X \in \mathbb{R}^{n \times d}$, $W_Q \in \mathbb{R}^{d \times d_k}$, $W_V \in \mathbb{R}^{d \times d_v}$,
$Q = X W_Q$, $V = X W_V$, $A = \operatorname{softmax}(Q Q^\top)$ and $O = A V$.

## Backward

Given $\bar O \in \mathbb{R}^{n \times d_v}$, $\bar V = A^\top \bar O$.

## HEADING

### Student A

$\bar V = \bar O A^\top$

### Student B

$\bar V = A^\top \bar O$
"""


def test_a_subsection_of_a_list_of_bugs_recalls_the_definitions_before_it(
    tmp_path: Path,
) -> None:
    # quarto-revealjs-attn-backprop-29: "### Student A" under "## Exercise: find the bugs"
    text = BUGS.replace("HEADING", "Exercise: find the bugs")
    assert codes_by_line(text, tmp_path) == [(14, "matmul-mismatch")]


@pytest.mark.parametrize("heading", ["Exercise: the students' answers", "Further reading"])
def test_a_subsection_of_another_heading_keeps_a_definition_borrowed(
    tmp_path: Path, heading: str
) -> None:
    text = BUGS.replace("HEADING", heading)
    assert codes_by_line(text, tmp_path) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("on the board was wrong", "on the board was used"),
        ("## Exercise: find the bugs", "## Exercise: the answers"),
    ],
)
def test_an_edit_to_the_blame_or_the_heading_gives_what_a_fresh_check_gives(
    tmp_path: Path, one: str, other: str
) -> None:
    """The blame is read from the sentence, the list of bugs from a heading above: an edit
    of either re-checks the slip as a fresh check does, both ways."""
    text = SPECTRAL.replace("%! notes.md", "%! notes.md").replace(
        "SENTENCE", r"The version $H D H^\top = I_k$ on the board was wrong."
    ).rstrip() + BUGS.replace("%! slides.qmd", "").replace("HEADING", "Exercise: find the bugs")
    fx = parse_fixture(text)
    path = fx.write(tmp_path)[fx.main]
    source = path.read_text()
    assert one in source
    checker = Checker()
    seen = []
    for now in (source, source.replace(one, other), source):
        incremental = checker.check(str(path), None, tmp_path, text=now)
        fresh = Checker().check(str(path), None, tmp_path, text=now)
        facts = [(d.start, d.end, d.code) for d in incremental.diagnostics]
        assert facts == [(d.start, d.end, d.code) for d in fresh.diagnostics]
        seen.append(len(facts))
    assert seen[0] == seen[2] == seen[1] + 1


@pytest.mark.parametrize(
    "declared",
    [
        r"Let $C^{u}_i \in \mathbb{R}^{m \times m}$ for each user $i$.",
        "| Symbol | Shape |\n|---|---|\n| $C^{u}_i$ | $m \\times m$ |",
    ],
)
def test_a_tag_written_before_the_subscript_names_a_member_of_the_tagged_family(
    tmp_path: Path, declared: str
) -> None:
    # rmd-als-bookdown-where-28: C^{u}_j of the family C^{u}_i (a notation table's m×m),
    # beside a declared C and a family C^{v}_j of another size: not an entry of C, no power
    text = r"""
    %! als.md
    Let $C \in \mathbb{R}^{n \times m}$, $U \in \mathbb{R}^{n \times k}$ and $V \in \mathbb{R}^{m \times k}$.

    DECLARED

    With $C^{v}_j \in \mathbb{R}^{n \times n}$: right $U^\top C^{v}_j U$ and $V^\top C^{u}_j V$.

    Wrong: $U^\top C^{u}_j U$.
    """.replace("DECLARED", declared.replace("\n", "\n    "))
    lines = codes_by_line(text, tmp_path)
    assert lines == [(len(text.strip().splitlines()) - 1, "matmul-mismatch")]  # (the last)


def test_a_tag_before_the_subscript_of_an_undeclared_family_is_left(tmp_path: Path) -> None:
    # x_i^k of scalars: a power; C^{w}_j when only C^{u}_i is declared: nothing said
    text = r"""
    %! als.md
    Let $C^{u}_i \in \mathbb{R}^{m \times m}$, $U \in \mathbb{R}^{n \times k}$ and $x_i > 0$.

    Then $U^\top C^{w}_j U$ and $x_i^k U$ say nothing.
    """
    assert codes_by_line(text, tmp_path) == []


@pytest.mark.parametrize("label", ["y_i", r"\bar y_i", r"\hat y"])
def test_a_basis_vector_indexed_by_a_class_is_a_member_of_its_family(
    tmp_path: Path, label: str
) -> None:
    # standalone-structured-svm-29: \e_{\bar y_i} - \e_{y_i} of \e_k \in R^K, the classes of
    # the examples: x_i (e_{\bar y_i} - e_{y_i})^T is d×K, not W's K×d
    text = r"""
    %! svm.md
    Let $W \in \mathbb{R}^{K \times d}$, $\mathbf x_i \in \mathbb{R}^d$ and $\mathbf e_k \in \mathbb{R}^K$ the $k$-th basis vector.

    Right: $W - (\mathbf e_{LABEL} - \mathbf e_{y_i})\mathbf x_i^\top$. Wrong: $W - \mathbf x_i(\mathbf e_{LABEL} - \mathbf e_{y_i})^\top$.
    """.replace("LABEL", label)
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch")]


def test_a_vector_indexed_by_a_class_beside_its_own_letter_is_an_entry(tmp_path: Path) -> None:
    # x_{y_i} of a declared x \in R^n is an entry (a number), and a family whose shape
    # depends on its label (W_k \in R^{n_k \times d}) has no member at a class
    text = r"""
    %! svm.md
    Let $\mathbf x \in \mathbb{R}^n$, $\mathbf x_k \in \mathbb{R}^d$, $W_k \in \mathbb{R}^{n_k \times d}$ and $A \in \mathbb{R}^{d \times d}$.

    Then $\mathbf x_{y_i} A$ and $W_{y_i} A^\top W_{\bar y}^\top$ say nothing.
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_derivative_written_with_a_slash_after_a_factor_is_that_factor_times_it(
    tmp_path: Path,
) -> None:
    # arxiv-kfac-gnn-27: (Q^{(l)})^{-1} \partial L / \partial W^{(l+1)} with Q^{(l)} d_l×d_l
    # and W^{(l+1)} d_{l+1}×d_{l+2}: the factor meets the derivative, not a quotient
    text = r"""
    %! kfac.md
    Let $Q \in \mathbb{R}^{m \times m}$, $S \in \mathbb{R}^{n \times n}$ and $W \in \mathbb{R}^{m \times n}$, with a loss $\mathcal{L}$.

    Right: $Q^{-1}\partial\mathcal{L}/\partial W S^{-1}$ and $Q^{-1}\,\partial\mathcal{L}/\partial W$.

    Wrong: $S^{-1}\partial\mathcal{L}/\partial W$.
    """
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch")]


def test_an_undeclared_bias_added_to_a_column_keeps_its_length(tmp_path: Path) -> None:
    # marp-ppo-gae-29: h = tanh(W_1 s + b_1), p = softmax(W_pi h + b_pi), the biases never
    # sized: p is an m-vector, and diag(p) - p^T p adds a number to an m×m matrix
    text = r"""
    %! ppo.md
    Let $\mathbf s \in \mathbb R^{d}$, $W_1 \in \mathbb R^{h \times d}$ and $W_\pi \in \mathbb R^{m \times h}$.

    $$\mathbf h = \tanh(W_1\mathbf s + \mathbf b_1), \qquad \mathbf p = \operatorname{softmax}(W_\pi\mathbf h + \mathbf b_\pi)$$

    Right: $\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top$. Wrong: $\operatorname{diag}(\mathbf p) - \mathbf p^\top\mathbf p$.
    """
    assert codes_by_line(text, tmp_path) == [(5, "add-mismatch")]


def test_an_undeclared_term_beside_a_column_is_left_unless_a_bold_letter(tmp_path: Path) -> None:
    # B (a capital: a matrix broadcast?) and \hat b (an accent) leave the sum unknown
    text = r"""
    %! ppo.md
    Let $\mathbf s \in \mathbb R^{d}$ and $W \in \mathbb R^{h \times d}$.

    $$\mathbf h = W\mathbf s + \mathbf B, \qquad \mathbf g = W\mathbf s + \hat{\mathbf b}$$

    Then $W\mathbf h$ and $W\mathbf g$ say nothing (with $\mathbf b$ in place of $\hat{\mathbf b}$, $W\mathbf g$ would not multiply).
    """
    assert codes_by_line(text, tmp_path) == []


def test_a_generic_member_beside_members_of_other_labels_has_the_family_shape(
    tmp_path: Path,
) -> None:
    # thesis-bayesopt-subfiles-25: k(x, x') on a bare x with only x_i \in R^d declared, and
    # x_{n+1} written too: x is the generic input, and x_{n+1} still a point (no entry of x)
    text = r"""
    %! gp.md
    Inputs $\mathbf x_i \in \mathbb R^d$ are the rows of $X \in \mathbb R^{n \times d}$, and $\Lambda \in \mathbb R^{d \times d}$.

    $$k(\mathbf x, \mathbf x') = \exp\big(-\tfrac12 (\mathbf x - \mathbf x')^\top \Lambda^{-1} (\mathbf x - \mathbf x')\big)$$

    Wrong: $\Lambda^{-1}(\mathbf x - \mathbf x')^\top$. Appending $\mathbf x_{n+1}$: right $\begin{bmatrix} X \\ \mathbf x_{n+1}^\top \end{bmatrix}$, wrong $\begin{bmatrix} X \\ \mathbf x_{n+1} \end{bmatrix}$.
    """
    assert codes_by_line(text, tmp_path) == [(5, "block-mismatch"), (5, "matmul-mismatch")]


def test_a_formula_said_to_hold_unless_a_letter_is_square_supposes_nothing_of_it(
    tmp_path: Path,
) -> None:
    # lecture-sections-examples-30: "(X^T X)^{-1} \ne X^{-1}X^{-T} unless X is square", X n×p
    text = r"""
    \documentclass{article}
    \begin{document}
    Let $X \in \mathbb{R}^{n \times p}$. Note $(X^\top X)^{-1} \ne X^{-1}X^{-\top}$ unless $X$ is square.
    But $X^{-1}X^{-\top}$ is not defined.
    \end{document}
    """
    fx, result = check_fixture(tmp_path, text)
    codes = sorted((s, c) for s, _, c in found(result))
    assert [c for _, c in codes] == ["not-square", "not-square"]
    source = (tmp_path / fx.main).read_text()
    assert all(source.count("\n", 0, s) == 3 for s, _ in codes)  # (line 4: the second only)


def test_an_example_sets_an_estimate_of_its_own(tmp_path: Path) -> None:
    # lecture-sections-examples-30: beta-hat defined as a p-vector in the section, set to a
    # number in an Example of one feature; the same outside an example is a misprint
    text = r"""
    \documentclass{article}
    \newtheorem{example}{Example}
    \begin{document}
    \section{Least squares}
    Let $X \in \mathbb{R}^{n \times p}$ and $y \in \mathbb{R}^n$, so $\hat\beta = (X^\top X)^{-1}X^\top y$.
    \begin{example}
    With one feature $x \in \mathbb{R}^n$, $\hat\beta = x^\top y / x^\top x$.
    \end{example}
    A misprint: $\hat\beta = y^\top X (X^\top X)^{-1}$.
    \end{document}
    """
    fx, result = check_fixture(tmp_path, text)
    source = (tmp_path / fx.main).read_text()
    lines = sorted((source.count("\n", 0, s) + 1, c) for s, _, c in found(result))
    assert lines == [(9, "equation-mismatch")]


def test_a_quarto_page_is_checked_with_the_pages_it_includes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # quarto-include-attention-30: the notation in _notation.qmd, a slip in _backward.qmd,
    # both brought by {{< include >}}: each reported at its own page, once
    import json

    from texgrad import cli

    (tmp_path / "_notation.qmd").write_text(
        "## Notation\n\nLet $X \\in \\mathbb R^{n\\times d}$ and $W \\in \\mathbb R^{d\\times k}$.\n"
    )
    (tmp_path / "_backward.qmd").write_text("## Backward\n\nWrong: $W X$.\n")
    (tmp_path / "page.qmd").write_text(
        "{{< include _notation.qmd >}}\n\nRight: $X W$. Wrong: $X^\\top W$.\n\n"
        "{{< include _backward.qmd >}}\n"
    )
    names = ["_backward.qmd", "_notation.qmd", "page.qmd"]
    here = Path.cwd()
    try:
        import os

        os.chdir(tmp_path)
        cli.main(["check", "--format", "json", *names])
    finally:
        os.chdir(here)
    found = sorted(
        (Path(r["path"]).name, r["line"], r["code"]) for r in json.loads(capsys.readouterr().out)
    )
    assert found == [("_backward.qmd", 3, "matmul-mismatch"), ("page.qmd", 3, "matmul-mismatch")]


def test_a_function_of_an_inner_product_beside_the_function_of_an_outer_one(
    tmp_path: Path,
) -> None:
    # hugo-word2vec-27: 1 - \sigma(c u^T) + \sigma(c^T u), the sigmoid of a d×d outer product
    # beside that of the inner one; a sigmoid of an inner product beside a plain matrix, or
    # beside another function of one, is a broadcast number (the house rule): nothing said
    text = r"""
    %! w2v.md
    Let $\mathbf c, \mathbf u \in \mathbb R^d$ and $M \in \mathbb R^{d \times d}$.

    Wrong: $1 - \sigma(\mathbf c\mathbf u^\top) + \sigma(\mathbf c^\top\mathbf u)$.

    Left: $M + \sigma(\mathbf c^\top\mathbf u)$ and $\tanh(M) + \sigma(\mathbf c^\top\mathbf u)$.
    """
    assert codes_by_line(text, tmp_path) == [(3, "add-mismatch")]
