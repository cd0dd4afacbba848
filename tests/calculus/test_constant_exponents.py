r"""A power whose exponent is a constant the document declares (``(1 - p_i)^\gamma`` of the
focal loss, with "$\gamma > 0$"): read as a positive number, differentiated by the power
rule; never differentiated by that constant (it is no variable of the power).

Results are evaluated at a non-integer exponent (γ = 2.5) and compared with central
differences of the loss written in NumPy (m = 3, p = 4).
"""

from __future__ import annotations

import numpy as np

from tests.calculus.problem_numerics import central_gradient
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

WHERE = r"A \in \mathbb{R}^{m \times p}; \mathbf{w} \in \mathbb{R}^p; \gamma \in \mathbb{R}"
RNG = np.random.default_rng(23)
A = RNG.standard_normal((3, 4))
W = RNG.standard_normal(4)
GAMMA = 2.5


def _loss(w: np.ndarray) -> float:
    return float((1 + np.sum((A @ w) ** 2)) ** GAMMA)


def test_a_constant_exponent_takes_the_power_rule() -> None:
    out = diff_latex(r"(1 + \|A\mathbf{w}\|^2)^{\gamma}", r"\mathbf{w}", WHERE)
    assert out.verified, out.error or out.note
    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    at = {"A": A, "w": W[:, None], "\\gamma": np.array([[GAMMA]])}
    got = np.asarray(evaluate(tree, at), dtype=float).ravel()
    assert np.allclose(got, central_gradient(_loss, W), atol=1e-5)
    assert "\\gamma" in out.result


def test_the_numpy_code_takes_any_positive_exponent() -> None:
    out = diff_latex(r"(1 + \|A\mathbf{w}\|^2)^{\gamma}", r"\mathbf{w}", WHERE)
    assert "gamma = float(gamma)" in out.numpy
    space: dict[str, object] = {}
    exec(out.numpy, space)  # the generated code (texgrad's own output, not document text)
    grad = space["grad_w"]
    got = np.asarray(grad(A=A, w=W, gamma=GAMMA), dtype=float).ravel()  # type: ignore[operator]
    assert np.allclose(got, central_gradient(_loss, W), atol=1e-5)


def _derivative_in_gamma(f) -> float:  # type: ignore[no-untyped-def]
    h = 1e-6
    return float((f(GAMMA + h) - f(GAMMA - h)) / (2 * h))


def test_the_exponent_differentiated_as_a_variable() -> None:
    # b^γ = e^{γ log b}: d/dγ = b^γ log b, printed with the power as written
    out = diff_latex(r"(1 + \|A\mathbf{w}\|^2)^{\gamma}", r"\gamma", WHERE)
    assert out.verified, out.error or out.note
    assert "(1 + \\|A \\mathbf{w}\\|^2)^{\\gamma}" in out.result
    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    at = {"A": A, "w": W[:, None], "\\gamma": np.array([[GAMMA]])}
    got = float(np.asarray(evaluate(tree, at), dtype=float).ravel()[0])
    base = 1 + np.sum((A @ W) ** 2)
    assert np.isclose(got, _derivative_in_gamma(lambda g: base**g), rtol=1e-6)


def test_a_variable_exponent_of_an_elementwise_power() -> None:
    n = 5
    c = np.exp(RNG.standard_normal(n))
    out = diff_latex(
        r"\mathbf{1}^\top \mathbf{c}^{\circ \gamma}",
        r"\gamma",
        r"\mathbf{c} \in \mathbb{R}^n_{++}; \gamma \in \mathbb{R}",
    )
    assert out.verified, out.error or out.note
    tree = parse_row(MappedText.identity(out.result)).tree
    assert tree is not None
    got = float(
        np.asarray(evaluate(tree, {"c": c[:, None], "\\gamma": np.array([[GAMMA]])})).ravel()[0]
    )
    assert np.isclose(got, _derivative_in_gamma(lambda g: np.sum(c**g)), rtol=1e-6)


def test_the_focal_loss_summed_over_samples(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "focal.md"
    doc.write_text(
        "Let $\\mathbf{w} \\in \\mathbb{R}^p$, samples $\\mathbf{x}_i \\in \\mathbb{R}^p$ and "
        "$\\gamma > 0$.\n\n$$\nF = -\\sum_{i=1}^{n} (1 - \\sigma(\\mathbf{w}^\\top\\mathbf{x}_i))"
        "^{\\gamma} \\log \\sigma(\\mathbf{w}^\\top\\mathbf{x}_i)\n$$\n",
        encoding="utf-8",
    )
    out = diff_in_document(str(doc), 4, r"\mathbf{w}", budget=60)
    assert out.verified, out.error or out.note
    xs = RNG.standard_normal((5, 4))

    def focal(w: np.ndarray) -> float:
        p = 1 / (1 + np.exp(-xs @ w))
        return float(-np.sum((1 - p) ** GAMMA * np.log(p)))

    s = 1 / (1 + np.exp(-xs @ W))  # the result's summand, as printed, at each sample
    said = ((GAMMA * (1 - s) ** GAMMA * np.log(s) * s - (1 - s) ** (GAMMA + 1))[:, None] * xs).sum(
        0
    )
    assert out.result.startswith(
        "\\sum_{i=1}^{n} (\\gamma (1 - \\sigma(\\mathbf{w}^\\top \\mathbf{x}_i))^{\\gamma}"
    )
    assert np.allclose(said, central_gradient(focal, W), atol=1e-5)
    by_gamma = diff_in_document(str(doc), 4, r"\gamma", budget=60)
    assert by_gamma.verified, by_gamma.error or by_gamma.note

    def focal_in_gamma(g: float) -> float:
        return float(-np.sum((1 - s) ** g * np.log(s)))

    # -Σ (1 - σ_i)^γ log(1 - σ_i) log σ_i, as printed, against the loss's central difference
    said_gamma = -np.sum((1 - s) ** GAMMA * np.log(1 - s) * np.log(s))
    assert by_gamma.result.startswith("-\\sum_{i=1}^{n} (1 - \\sigma(")
    assert np.isclose(said_gamma, _derivative_in_gamma(focal_in_gamma), rtol=1e-6)
