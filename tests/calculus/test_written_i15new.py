r"""Session i15new's documents for ``wrong-derivative`` (tests/documents/*-23): the quick
fixes of the slips texgrad flags there, applied together, leave nothing to flag; and the
rules those documents led to, each on a short text of its own:

- a loss ``\frac{1}{N}\sum_{i=1}^N …`` over the rows of a declared ``X ∈ ℝ^{N×d}``: its
  gradient written in matrix form, ``\frac1N X^\top(\sigma(X\mathbf w) - \mathbf y)``, is
  checked with X stacked from the samples (X was sampled on its own, for the size N it gives
  the coefficient: a false alarm on every right matrix form);
- ``\frac{\mathrm d}{\mathrm dt}(M^\top M)`` of an ``M(t) = A + tB`` defined before, written
  without its argument: M is read as its definition, by t (it was a constant: silence);
- ``\psi(X) = \log\det X`` "on $\mathbf{S}^n_{++}$": X is symmetric for the claims of that
  paragraph (``X^{-1}`` was a false alarm);
- ``2X^\top(\mathbf z - \mathbf y)`` "where $z_i = \mathbf w^\top\mathbf x_i$" (in the display or
  after it): z is evaluated entry by entry, one entry per sample (it was silence);
- a function named by a letter the parser reads as a factor, ``\mathcal{J}(\mathbf w)`` or
  ``R(\mathbf w)``, defined as such a sum: its gradient is checked (it was silence).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.written_derivatives import check_written, diagnostics_of
from texgrad.calculus.written_layouts import columns_stated
from texgrad.shapes.check import Checker

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
OURS = ["cookbook-labels-23/identities.tex", "blog-mlp-delta-23/post.md",
        "notebook-logreg-sum-23/logistic_regression.md", "robotics-rotation-23/kinematics.tex",
        "interview-prep-23/README.md", "myst-differentials-23/differentials.md",
        "zhihu-hessian-sheet-23/sheet.md", "solutions-env-23/hw5-sol.tex"]  # fmt: skip


def _found(text: str, name: str = "doc.md") -> list[int]:
    checked = Checker().check(name, text=text)
    found = check_written(checked, seconds=60.0, only_findings=True)
    return [text.count("\n", 0, f.start) + 1 for f in found]


@pytest.mark.parametrize("name", OURS)
def test_the_fixes_applied_leave_nothing_to_flag(name: str) -> None:
    path = DOCUMENTS / name
    text = path.read_text("utf-8")
    checked = Checker().check(str(path), text=text)
    found = check_written(checked, seconds=120.0, only_findings=True)
    assert found
    fixes = [fix for d in diagnostics_of(checked, found) for fix in d.fixes]
    assert len(fixes) == len(found)
    fixed = text
    for fix in sorted(fixes, key=lambda f: f.start, reverse=True):
        fixed = fixed[: fix.start] + fix.text + fixed[fix.end :]
    again = Checker().check(str(path), text=fixed)
    assert check_written(again, seconds=120.0, only_findings=True) == []


_SAMPLES = (
    "We have $N$ samples $\\mathbf{x}_i \\in \\mathbb{R}^{d}$ stacked as rows of"
    " $X \\in \\mathbb{R}^{N \\times d}$ with $\\mathbf{y} \\in \\mathbb{R}^{N}$, and"
    " $\\mathbf{w} \\in \\mathbb{R}^{d}$.\n\n"
)


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("-\\frac{1}{N} X^\\top\\mathbf{y}", False),
        ("-\\frac{1}{N} \\mathbf{y}^\\top X", False),  # (a row: either layout)
        ("-X^\\top\\mathbf{y}", True),  # the 1/N dropped
        ("-\\frac{2}{N} X^\\top\\mathbf{y}", True),
    ],
)
def test_a_mean_over_the_rows_of_x_is_checked_in_matrix_form(claim: str, wrong: bool) -> None:
    text = (
        _SAMPLES + "$$\n\\mathcal{L}(\\mathbf{w}) = -\\frac{1}{N}\\sum_{i=1}^{N} y_i"
        " \\mathbf{w}^\\top\\mathbf{x}_i\n$$\n\n$$\n\\nabla_{\\mathbf{w}} \\mathcal{L}(\\mathbf{w})"
        f" = {claim}\n$$\n"
    )
    assert _found(text) == ([8] if wrong else [])


@pytest.mark.parametrize("name", ["\\mathcal{J}", "R", "\\mathcal{L}"])
def test_a_function_read_as_a_product_is_checked_by_its_definition(name: str) -> None:
    text = (
        _SAMPLES + f"$$\n{name}(\\mathbf{{w}}) = -\\sum_{{i=1}}^{{N}} y_i"
        " \\mathbf{w}^\\top\\mathbf{x}_i\n$$\n\n$$\n"
        f"\\nabla_{{\\mathbf{{w}}}} {name}(\\mathbf{{w}}) = -2X^\\top\\mathbf{{y}}\n$$\n\n$$\n"
        f"\\nabla_{{\\mathbf{{w}}}} {name}(\\mathbf{{w}}) = -X^\\top\\mathbf{{y}}\n$$\n"
    )
    assert _found(text) == [8]


_OF_T = "Let $A, B \\in \\mathbb{R}^{3\\times 3}$, $t \\in \\mathbb{R}$ and $M(t) = A + tB$.\n\n"


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("\\frac{\\mathrm d}{\\mathrm dt}(M^\\top M) = B^\\top M + M^\\top B", False),
        ("\\frac{\\mathrm d}{\\mathrm dt}(M^\\top M) = 2M^\\top B", True),
        ("\\frac{\\mathrm d}{\\mathrm dt}M^{-1} = -M^{-1}BM^{-1}", False),
        ("\\frac{\\mathrm d}{\\mathrm dt}M^{-1} = -M^{-2}B", True),
        ("\\frac{\\mathrm d}{\\mathrm dt}\\log\\det M = \\operatorname{tr}(BM^{-1})", False),
    ],
)
def test_a_function_of_t_written_without_its_argument_is_read_by_t(claim: str, wrong: bool) -> None:
    assert _found(_OF_T + f"$$\n{claim}\n$$\n") == ([4] if wrong else [])


@pytest.mark.parametrize(
    ("said", "stated"),
    [
        ("Gradients are column vectors.", True),
        ("The derivative of a scalar with respect to a column vector is a column vector.", True),
        ("本文采用分母布局：标量对列向量求导得到列向量。", True),
        ("梯度是列向量。", True),
        ("If gradients are column vectors, all is well.", False),
        ("梯度的写法因书而异。", False),
    ],
)
def test_gradients_said_to_be_columns(said: str, stated: bool) -> None:
    text = said + " X"
    assert columns_stated(text, len(text) - 1) is stated


_ROW_UNDER_COLUMNS = (
    "Let $C \\in \\mathbb{R}^{m \\times n}$, $\\mathbf{x} \\in \\mathbb{R}^n$, $\\mathbf{d} \\in"
    " \\mathbb{R}^m$. {said}\n\n$\\frac{{\\partial \\|C\\mathbf{{x}} - \\mathbf{{d}}\\|^2}}"
    "{{\\partial \\mathbf{{x}}}} = 2(C\\mathbf{{x}} - \\mathbf{{d}})^\\top C$\n"
)


@pytest.mark.parametrize(
    ("said", "lines"), [("本文中，标量对列向量求导得到列向量。", [3]), ("本文讨论矩阵求导。", [])]
)
def test_a_row_gradient_is_wrong_where_the_text_says_columns(said: str, lines: list[int]) -> None:
    text = _ROW_UNDER_COLUMNS.replace("{said}", said).replace("{{", "{").replace("}}", "}")
    assert _found(text) == lines


@pytest.mark.parametrize(
    ("domain", "lines"),
    [
        ("on $\\mathbf{S}^n_{++}$", []),
        ("defined on $\\mathbb{S}^n$", []),
        ("on $\\mathbb{R}^{n \\times n}$", [4]),  # (a general X: X^{-\\top})
    ],
)
def test_a_function_on_symmetric_matrices_has_a_symmetric_variable(
    domain: str, lines: list[int]
) -> None:
    text = (
        "We use denominator layout. Let $X \\in \\mathbb{R}^{n \\times n}$ be invertible.\n\n"
        f"For $\\psi(X) = \\log\\det X$ {domain},\n$\\nabla\\psi(X) = X^{{-1}}$.\n"
    )
    assert _found(text) == lines


_WHERE = (
    "Let $X \\in \\mathbb{R}^{N \\times d}$ with rows $\\mathbf{x}_i^\\top$, $\\mathbf{w} \\in"
    " \\mathbb{R}^d$, $\\mathbf{y} \\in \\mathbb{R}^N$.\nFor $L(\\mathbf{w}) = \\sum_{i=1}^N"
    " (\\mathbf{w}^\\top\\mathbf{x}_i - y_i)^2$,\n\n$$\n\\nabla_{\\mathbf{w}} L = {claim}{where}\n$$\n"
)


@pytest.mark.parametrize("inside", [True, False])
@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        ("2X^\\top(\\mathbf{z} - \\mathbf{y})", False),
        ("X^\\top(\\mathbf{z} - \\mathbf{y})", True),
        ("2X^\\top(\\mathbf{y} - \\mathbf{z})", True),
    ],
)
def test_a_vector_defined_by_its_entries_after_where(claim: str, wrong: bool, inside: bool) -> None:
    where = "z_i = \\mathbf{w}^\\top\\mathbf{x}_i"
    text = _WHERE.replace("{claim}", claim)
    if inside:
        text = text.replace("{where}", f", \\quad\\text{{where }} {where} .")
    else:
        text = text.replace("{where}", ",") + f"\nwhere ${where}$.\n"
    assert _found(text) == ([5] if wrong else [])


@pytest.mark.parametrize(
    ("factor", "lines"), [("\\mathbf{v}^\\top\\mathbf{v}", []), ("\\|\\mathbf{v}\\|", [3])]
)
def test_a_function_applied_in_its_own_derivative_stays_applied(
    factor: str, lines: list[int]
) -> None:
    text = (
        "For a symmetric $A \\in \\mathbb{R}^{d\\times d}$ and $\\mathbf{v} \\in \\mathbb{R}^d$, let"
        " $R(\\mathbf{v}) = \\frac{\\mathbf{v}^\\top A \\mathbf{v}}{\\mathbf{v}^\\top \\mathbf{v}}$.\n\n"
        f"$$\\nabla R(\\mathbf{{v}}) = \\frac{{2}}{{{factor}}}\\left(A\\mathbf{{v}} - R(\\mathbf{{v}})\\,"
        "\\mathbf{v}\\right)$$\n"
    )
    assert _found(text) == lines
