r"""What a document says around a written derivative: a condition ("…, which is $2Ax$ when
$A$ is symmetric") holds in its sentence only; a letter declared and then set
(``\mathbf y = A\mathbf x + \mathbf b``) is differentiated as set; a result that is its own
transpose is reported plainly in a stated layout."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.shapes.check import Checker


def _check(tmp_path: Path, text: str, name: str = "doc.md") -> tuple[list[int], list[str], Tally]:
    checked = Checker().check(str(tmp_path / name), text=text)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    return [text.count("\n", 0, f.start) + 1 for f in found], [f.message for f in found], tally


def test_a_condition_holds_in_its_sentence_only(tmp_path: Path) -> None:
    text = (
        "Let $\\mathbf x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
        "Then $\\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = (A + A^\\top)\\mathbf x$, "
        "which is $\\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = 2A\\mathbf x$ when $A$ is "
        "symmetric. Some write\n$\\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = 2A\\mathbf x$ "
        "without saying so.\n"
    )
    lines, messages, tally = _check(tmp_path, text)
    assert lines == [4] and tally.verified == 2
    assert "unless `A` is symmetric" in messages[0]


def test_a_declared_letter_set_before_the_claim(tmp_path: Path) -> None:
    text = (
        "We use the denominator layout. Let $\\mathbf x \\in \\mathbb{R}^n$, "
        "$\\mathbf y \\in \\mathbb{R}^m$, $A \\in \\mathbb{R}^{m \\times n}$, "
        "$\\mathbf b \\in \\mathbb{R}^m$.\n\n"
        "For $\\mathbf y = A\\mathbf x + \\mathbf b$,\n\n"
        "$$\\frac{\\partial \\mathbf y}{\\partial \\mathbf x} = A^\\top$$\n\n"
        "$$\\frac{\\partial \\mathbf y}{\\partial \\mathbf x} = A$$\n"
    )
    lines, messages, tally = _check(tmp_path, text)
    assert lines == [7] and tally.verified == 1
    assert "in the layout the document states: it is `A^\\top`" in messages[0]


def test_a_symmetric_result_in_a_stated_layout_says_how(tmp_path: Path) -> None:
    text = (
        "We use the denominator layout. Let $\\mathbf x \\in \\mathbb{R}^n$ and "
        "$\\mathbf g(\\mathbf x) = \\sin(\\mathbf x)$.\n\n"
        "$$J_{\\mathbf g}(\\mathbf x) = \\operatorname{diag}(\\cos(\\mathbf x))$$\n\n"
        "$$J_{\\mathbf g}(\\mathbf x) = \\operatorname{diag}(-\\cos(\\mathbf x))$$\n"
    )
    lines, messages, tally = _check(tmp_path, text)
    assert lines == [5] and tally.verified == 1
    assert messages[0].endswith(
        "texgrad finds `\\operatorname{diag}(\\cos(\\mathbf x))`, verified numerically "
        "(the sign is wrong)"
    )


def test_a_matrix_declared_as_a_diagonal_is_symmetric(tmp_path: Path) -> None:
    # D = diag(μ) ∈ ℝ^{n×n}: Dᵀ = D, so 2ΦᵀD(Φθ − v) is right (it was a false alarm) and
    # ΦᵀD(Φθ − v) lacks the factor 2
    text = (
        "Let $\\Phi \\in \\mathbb{R}^{n\\times d}$, $\\theta \\in \\mathbb{R}^d$, "
        "$v \\in \\mathbb{R}^n$, $\\mu \\in \\mathbb{R}^n$ and "
        "$D = \\operatorname{diag}(\\mu) \\in \\mathbb{R}^{n\\times n}$.\n"
        "Let $E(\\theta) = (\\Phi\\theta - v)^\\top D (\\Phi\\theta - v)$.\n\n"
        "$$\\nabla_\\theta E = 2\\Phi^\\top D(\\Phi\\theta - v)$$\n\n"
        "$$\\nabla_\\theta E = \\Phi^\\top D(\\Phi\\theta - v)$$\n"
    )
    lines, messages, tally = _check(tmp_path, text)
    assert lines == [6] and tally.verified == 1
    assert "factor 2" in messages[0]


def test_a_subscripted_function_built_on_another_defined_one(tmp_path: Path) -> None:
    # E_\lambda(θ) = E(θ) + λ‖θ‖²: E_\lambda is a function the document defines (read as a
    # product of E_\lambda and (θ) before), through the E it defined first
    text = (
        "Let $\\Phi \\in \\mathbb{R}^{n\\times d}$, $\\theta \\in \\mathbb{R}^d$, "
        "$v \\in \\mathbb{R}^n$, and $\\lambda > 0$.\n"
        "Let $E(\\theta) = \\|\\Phi\\theta - v\\|^2$.\n\n"
        "For $E_\\lambda(\\theta) = E(\\theta) + \\lambda\\|\\theta\\|^2$,\n\n"
        "$$\\nabla_{\\theta} E_\\lambda = 2\\Phi^\\top(\\Phi\\theta - v) + 2\\lambda\\theta$$\n\n"
        "$$\\nabla_{\\theta} E_\\lambda = 2\\Phi^\\top(\\Phi\\theta - v) + \\lambda\\theta$$\n"
    )
    lines, messages, tally = _check(tmp_path, text)
    assert lines == [8] and tally.verified == 1
    assert "the term `\\lambda\\theta` lacks a factor 2" in messages[0]


def test_a_claim_written_with_conditional_labels_is_read(tmp_path: Path) -> None:
    # Kalman notes: P_{t|t-1}, whose label holds a bar (a relation to the parser), is a name:
    # the claim's right side is an expression, checked (it was never read)
    text = (
        "Let $P_{t|t-1} \\in \\mathbb{R}^{n \\times n}$ be symmetric, $H \\in \\mathbb{R}^{m \\times n}$, "
        "$R \\in \\mathbb{R}^{m\\times m}$ symmetric, $K \\in \\mathbb{R}^{n \\times m}$, and "
        "$S = H P_{t|t-1} H^\\top + R$.\n"
        "Let $P_{t|t} = (I - KH) P_{t|t-1} (I - KH)^\\top + K R K^\\top$.\n\n"
        "$$\\frac{\\partial \\operatorname{tr}(P_{t|t})}{\\partial K} = -2 P_{t|t-1} H^\\top + 2 K S$$\n\n"
        "$$\\frac{\\partial \\operatorname{tr}(P_{t|t})}{\\partial K} = -2 P_{t|t-1} H^\\top + K S$$\n"
    )
    lines, messages, tally = _check(tmp_path, text)
    assert lines == [6] and tally.verified == 1
    assert "lacks a factor 2" in messages[0]
