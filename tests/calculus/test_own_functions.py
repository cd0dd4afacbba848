r"""A result written with the document's own functions by name
(:mod:`texgrad.calculus.own_functions`): ``k(\mathbf{x}, \mathbf{z})``, not its body pasted."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

KERNEL = r"k(\mathbf{x}, \mathbf{x}') = s^2\exp(-\|\mathbf{x}-\mathbf{x}'\|^2/2\ell^2)"
WHERE = (
    r"\mathbf{x} \in \mathbb{R}^d; \mathbf{z} \in \mathbb{R}^d; \ell \in \mathbb{R}; s \in \mathbb{R}; "
    + KERNEL
)


def test_a_kernel_the_document_defines_is_written_by_its_name() -> None:
    out = diff_latex(r"k(\mathbf{x}, \mathbf{z})", r"\mathbf{x}", WHERE)
    assert out.error is None and out.verified, out.error
    assert out.result == r"\frac{k(\mathbf{x}, \mathbf{z}) (\mathbf{z} - \mathbf{x})}{\ell^{2}}"
    assert out.steps[-1].endswith(out.result) or out.result in out.steps[-1]


def test_the_named_result_means_the_derivative(tmp_path: Path) -> None:
    doc = tmp_path / "kernel.md"
    doc.write_text(
        "Points $\\mathbf{x}_i \\in \\mathbb{R}^d$, weights $\\boldsymbol\\alpha \\in \\mathbb{R}^N$, "
        "a test point $\\mathbf{x} \\in \\mathbb{R}^d$ and $\\ell > 0$, with\n"
        "$$k(\\mathbf{x}, \\mathbf{x}') = \\exp(-\\|\\mathbf{x} - \\mathbf{x}'\\|^2 / 2\\ell^2)$$\n"
        "$$m(\\mathbf{x}) = \\sum_{i=1}^N \\alpha_i k(\\mathbf{x}, \\mathbf{x}_i)$$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, r"\mathbf{x}")
    assert out.error is None and out.verified, out.error
    assert r"k(\mathbf{x}, \mathbf{x}_i)" in out.result and r"\exp" not in out.result
    rng = np.random.default_rng(3)
    xs, a, x = rng.standard_normal((4, 3)), rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    node = parse_row(MappedText.identity(out.result)).tree
    assert node is not None
    kernel = parse_row(MappedText.identity(r"\exp(-\|\mathbf{x} - \mathbf{x}'\|^2 / 2\ell^2)")).tree
    assert kernel is not None
    got = evaluate(
        node,
        {"family:x": xs, "\\alpha": a, "x": x, "N": 4, "\\ell": 0.9},
        {"k": (("x", "x'"), kernel)},
    )
    k = np.exp(-np.sum((x.T - xs) ** 2, axis=1, keepdims=True) / (2 * 0.81))
    assert np.allclose(got, ((xs - x.T) * (a * k)).sum(axis=0).reshape(3, 1) / 0.81)


def test_a_body_not_found_in_the_result_leaves_it_as_it_is() -> None:
    out = diff_latex(r"k(\mathbf{x}, \mathbf{z})^2", r"\mathbf{z}", WHERE)
    assert out.verified
    assert "k(" in out.result or r"\exp" in out.result
