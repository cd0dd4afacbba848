r"""A sum over the entries of a vector the document defines — the Bernoulli decoder's
``\sum_{i=1}^d [x_i\log\hat{x}_i + (1 - x_i)\log(1 - \hat{x}_i)]`` with
``\hat{\mathbf x} = \operatorname{sigm}(D\mathbf z + \mathbf c)`` — read entrywise through the
definition, as ``(\operatorname{sigm}(D\mathbf z + \mathbf c))_i``; beside a family of samples
it is still refused.  Results checked against central differences computed here."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document

DOC = (
    "Let $\\mathbf{x} \\in \\mathbb{R}^{d}$ have entries in $(0, 1)$, $\\mathbf{z} \\in \\mathbb{R}^{k}$, "
    "$D \\in \\mathbb{R}^{d \\times k}$ and $\\mathbf{c} \\in \\mathbb{R}^{d}$. With "
    "$\\operatorname{sigm}(t) = \\frac{1}{1 + e^{-t}}$, applied entrywise, the means are "
    "$\\hat{\\mathbf{x}} = \\operatorname{sigm}(D\\mathbf{z} + \\mathbf{c})$.\n"
    "$$L = \\sum_{i=1}^{d}\\left[x_i\\log\\hat{x}_i + (1 - x_i)\\log(1 - \\hat{x}_i)\\right]$$\n"
)


def _loss(c: np.ndarray, x: np.ndarray, dz: np.ndarray) -> float:
    p = 1 / (1 + np.exp(-(dz + c)))
    return float(np.sum(x * np.log(p) + (1 - x) * np.log(1 - p)))


def test_a_sum_over_a_defined_vectors_entries_by_the_bias(tmp_path: Path) -> None:
    doc = tmp_path / "bernoulli.md"
    doc.write_text(DOC, encoding="utf-8")
    out = diff_in_document(doc, 2, r"\mathbf{c}", budget=60)
    assert out.error is None and out.verified, out.error
    assert out.result == r"\mathbf{x} - \hat{\mathbf{x}}"
    rng = np.random.default_rng(9)
    d, h = 4, 1e-6
    x, dz, c = rng.random(d), rng.standard_normal(d), rng.standard_normal(d)
    fd = [(_loss(c + h * u, x, dz) - _loss(c - h * u, x, dz)) / (2 * h) for u in np.eye(d)]
    assert np.allclose(fd, x - 1 / (1 + np.exp(-(dz + c))), atol=1e-6)  # x - x̂, as printed


def test_by_the_decoder_weights(tmp_path: Path) -> None:
    doc = tmp_path / "bernoulli.md"
    doc.write_text(DOC, encoding="utf-8")
    out = diff_in_document(doc, 2, "D", budget=60)
    assert out.error is None and out.verified, out.error
    assert out.result == r"(\mathbf{x} - \hat{\mathbf{x}}) \mathbf{z}^\top"


def test_beside_samples_still_refused(tmp_path: Path) -> None:
    doc = tmp_path / "mixed.md"
    doc.write_text(
        "Samples $\\mathbf{a}_i \\in \\mathbb{R}^{p}$, $\\mathbf{w} \\in \\mathbb{R}^{p}$, "
        "$X \\in \\mathbb{R}^{n \\times p}$ and the scores $\\hat{\\mathbf{y}} = X\\mathbf{w}$.\n"
        "$$L = \\sum_{i=1}^{n} \\hat{y}_i\\,\\mathbf{w}^\\top\\mathbf{a}_i$$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 2, r"\mathbf{w}", budget=60)
    assert not out.verified and "defines" in (out.error or ""), out.error
