r"""Written derivatives by an intermediate name of backpropagation (``\nabla_{\mathbf a} L``
of ``\mathbf a = \tanh(\mathbf u)``, ``\mathrm dL = … \mathrm d\mathbf a``), ``\nabla_W``
in a stated numerator layout, and a function defined under ``\operatorname{…}``
(tests/calculus/written/backprop-intermediates.md and documents written here)."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.reading.project import load_project, normalize
from texgrad.shapes.check import Checker

WRITTEN = Path(__file__).resolve().parent / "written"


def _check(path: Path, text: str | None = None) -> tuple[list[int], list[str], Tally]:
    text = text if text is not None else path.read_text(encoding="utf-8")
    checked = Checker().check(str(path), text=text)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    return [text.count("\n", 0, f.start) + 1 for f in found], [f.message for f in found], tally


def test_derivatives_by_intermediate_names() -> None:
    # right and silent: the chain dL = … d o = … d a (9, 10), ∇_o L and ∇_a L (15), ∂L/∂W_1 (18)
    lines, messages, tally = _check(WRITTEN / "backprop-intermediates.md")
    assert lines == [11, 16, 16, 20]
    assert tally.verified == 5
    assert messages[0].endswith("(it has a factor 2 too many)")
    assert "with respect to `\\mathbf o`" in messages[1] and messages[1].endswith("wrong)")
    # (the fix's spelling, the claim's `W_2^\top(\mathbf y - \mathbf o)` with its sign undone)
    assert "texgrad finds `W_2^\\top(\\mathbf o - \\mathbf y)`" in messages[2]


def test_the_gradient_in_a_stated_numerator_layout(tmp_path: Path) -> None:
    """∇_W ℓ has W's shape in either layout: accepted as written (and as its transpose,
    which many numerator-layout authors write); ∂ℓ/∂W follows the stated layout."""
    text = (
        "We use numerator layout throughout. Let $W \\in \\mathbb{R}^{m \\times n}$, "
        "$\\mathbf x \\in \\mathbb{R}^n$, $\\mathbf t \\in \\mathbb{R}^m$ and "
        "$\\ell(W) = \\frac{1}{2}\\|W\\mathbf x - \\mathbf t\\|^2$.\n\n"
        "$$\\nabla_W \\ell = (W\\mathbf x - \\mathbf t)\\mathbf x^\\top$$\n\n"
        "$$\\nabla_W \\ell = 2(W\\mathbf x - \\mathbf t)\\mathbf x^\\top$$\n\n"
        "$$\\frac{\\partial \\ell}{\\partial W} = \\mathbf x(W\\mathbf x - \\mathbf t)^\\top$$\n\n"
        "$$\\frac{\\partial \\ell}{\\partial W} = (W\\mathbf x - \\mathbf t)\\mathbf x^\\top$$\n"
    )
    lines, messages, tally = _check(tmp_path / "n.md", text)
    assert lines == [5, 9] and tally.verified == 2
    assert "factor 2" in messages[0]
    assert "in the layout the document states" in messages[1]


def test_a_function_defined_under_operatorname(tmp_path: Path) -> None:
    text = (
        "With $\\mathbf z \\in \\mathbb{R}^K$, $\\operatorname{lse}(\\mathbf z) = \\log \\sum_k e^{z_k}$ "
        "has $\\nabla_{\\mathbf z} \\operatorname{lse} = \\operatorname{softmax}(\\mathbf z)$, "
        "not $\\nabla_{\\mathbf z} \\operatorname{lse} = \\exp(\\mathbf z)$.\n"
    )
    lines, messages, tally = _check(tmp_path / "l.md", text)
    assert lines == [1] and tally.verified == 1
    assert "texgrad finds `\\operatorname{softmax}(\\mathbf z)`" in messages[0]


def test_derivatives_of_sums_over_samples(tmp_path: Path) -> None:
    """A loss summed over samples (a sum's limits are no relation of the row): the written
    side evaluated with every member of the family sampled."""
    text = (
        "Let $\\mathbf w \\in \\mathbb{R}^p$, $\\mathbf x_i \\in \\mathbb{R}^p$ and "
        "$\\boldsymbol\\mu \\in \\mathbb{R}^p$.\n\n"
        "$$\\nabla_{\\mathbf w} \\sum_{i=1}^N (\\mathbf w^\\top \\mathbf x_i - y_i)^2 = "
        "2\\sum_{i=1}^N (\\mathbf w^\\top \\mathbf x_i - y_i)\\mathbf x_i$$\n\n"
        "$$\\nabla_{\\mathbf w} \\sum_{i=1}^N (\\mathbf w^\\top \\mathbf x_i - y_i)^2 = "
        "\\sum_{i=1}^N (\\mathbf w^\\top \\mathbf x_i - y_i)\\mathbf x_i$$\n\n"
        "$$\\frac{\\partial}{\\partial \\boldsymbol\\mu} \\sum_{i=1}^N \\|\\mathbf x_i - "
        "\\boldsymbol\\mu\\|^2 = -2\\sum_{i=1}^N (\\mathbf x_i - \\boldsymbol\\mu)$$\n\n"
        "$$\\frac{\\partial}{\\partial \\boldsymbol\\mu} \\sum_{i=1}^N \\|\\mathbf x_i - "
        "\\boldsymbol\\mu\\|^2 = 2\\sum_{i=1}^N (\\mathbf x_i - \\boldsymbol\\mu)$$\n"
    )
    lines, messages, tally = _check(tmp_path / "s.md", text)
    assert lines == [5, 9] and tally.verified == 2
    # (each fixed in the claim's own words, a factor 2 or a sign undone, and said so)
    assert messages[0].endswith(
        "texgrad finds `2\\sum_{i=1}^N (\\mathbf w^\\top \\mathbf x_i - y_i)\\mathbf x_i`, verified"
        " numerically (every member of the family sampled; a factor 2 is missing)"
    )
    assert "texgrad finds `2\\sum_{i=1}^N (\\boldsymbol\\mu - \\mathbf x_i)`" in messages[1]
    assert messages[1].endswith("; the sign is wrong)")


def test_a_sum_claimed_in_matrix_form_is_fixed_in_matrix_form(tmp_path: Path) -> None:
    r"""The loss written as a sum over the rows of X, its gradient claimed with X: the
    correct one, and so the quick fix, is in the claim's own (matrix) form, with its cause;
    the fix applied is verified."""
    text = (
        "Let $X \\in \\mathbb{R}^{N \\times d}$ be the design matrix, whose $i$-th row is "
        "$\\mathbf x_i^\\top$, let $\\mathbf y \\in \\mathbb{R}^N$ and $\\mathbf w \\in \\mathbb{R}^d$.\n\n"
        "$$\\ell(\\mathbf w) = \\sum_{i=1}^N \\left(\\exp(\\mathbf x_i^\\top \\mathbf w) - "
        "y_i\\, \\mathbf x_i^\\top \\mathbf w\\right)$$\n\n"
        "$$\\nabla \\ell(\\mathbf w) = X^\\top\\left(\\mathbf y - \\exp(X\\mathbf w)\\right)$$\n"
    )
    checked = Checker().check(str(tmp_path / "m.md"), text=text)
    (finding,) = check_written(checked, seconds=120.0)
    assert finding.correct == "X^\\top\\left(\\exp(X\\mathbf w) - \\mathbf y\\right)"  # as written
    assert finding.message.endswith("(every member of the family sampled; the sign is wrong)")
    fixed = text[: finding.start] + finding.correct + text[finding.end :]
    lines, _, tally = _check(tmp_path / "m.md", fixed)
    assert lines == [] and tally.verified == 1


def test_a_sum_defined_in_another_file_of_the_project(tmp_path: Path) -> None:
    r"""f defined in one file (with the root's macros, ``\vw``), its gradient claimed in
    another: the sum is differentiated in its own file's text, its result read back through
    the project's macros, and a weight vector declared there printed in its font."""
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\newcommand{\\vw}{\\mathbf{w}}\n\\newcommand{\\vx}{\\mathbf{x}}\n"
        "\\begin{document}\n\\input{model}\n\\input{grad}\n\\end{document}\n",
        encoding="utf-8",
    )
    (tmp_path / "model.tex").write_text(
        "Let $X \\in \\mathbb{R}^{N \\times d}$ be the design matrix, whose $i$-th row is "
        "$\\vx_i^\\top$, $\\mathbf y \\in \\mathbb{R}^N$, $\\vw \\in \\mathbb{R}^d$ and let "
        "$\\mathbf c \\in \\mathbb{R}^N$ hold weights, $C = \\operatorname{diag}(\\mathbf c)$.\n"
        "\\begin{equation}\nL(\\vw) = \\sum_{i=1}^N c_i\\,(\\vx_i^\\top \\vw - y_i)^2\n\\end{equation}\n",
        encoding="utf-8",
    )
    grad = tmp_path / "grad.tex"
    grad.write_text(
        "\\begin{equation}\n\\nabla L(\\vw) = 2X^\\top C (X\\vw - \\mathbf y)\n"
        "\\end{equation}\n\\begin{equation}\n\\nabla L(\\vw) = X^\\top C "
        "(X\\vw - \\mathbf y)\n\\end{equation}\n",
        encoding="utf-8",
    )
    path = normalize(grad)
    project = load_project(path, folder=tmp_path)
    checked = Checker().check(path, project, tmp_path)
    tally = Tally()
    (finding,) = check_written(checked, seconds=120.0, tally=tally)
    text = checked.doc.text
    assert text.count("\n", 0, finding.start) + 1 == 5 and tally.verified == 1
    # (c as its declaration writes it, \mathbf c: calculus/context._declared_spellings)
    assert finding.correct == "2X^\\top C (X\\vw - \\mathbf y)"  # the claim's own form
    assert finding.message.endswith("a factor 2 is missing)")
