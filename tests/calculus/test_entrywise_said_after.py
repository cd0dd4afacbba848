r"""A function of a square matrix the prose calls entrywise right after writing it inline ("the
kernel matrix is $\exp(-D/(2\ell^2))$ entrywise") is read entrywise in a display that applies
the same function to the same argument, however spelt (``\exp\left(-\frac{D}{2\ell^2}\right)``);
it was refused as a guess between the matrix exponential and the entrywise one.  Checked
against central differences (n = 4); a display applying it to another argument stays refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.entrywise_said import read_entrywise
from texgrad.calculus.evaluate_tree import evaluate

GP = r"""Let $D \in \mathbb{R}^{n \times n}$ (symmetric) hold squared distances,
$\mathbf y \in \mathbb{R}^n$ and $\ell > 0$; the kernel matrix is $\exp(-D/(2\ell^2))$
entrywise. The data-fit term alone is

$$
q(\ell) = \mathbf y^\top\exp\left(-\frac{D}{2\ell^2}\right)\mathbf y
$$

and another one

$$
r(\ell) = \mathbf y^\top\exp\left(-\frac{D}{\ell^2}\right)\mathbf y
$$
"""

RNG = np.random.default_rng(8)
P = RNG.standard_normal((4, 2))
DIST = np.sum((P[:, None, :] - P[None, :, :]) ** 2, axis=2)
Y, ELL = RNG.standard_normal((4, 1)), 0.9


def _fit(ell: float) -> float:
    return float((Y.T @ np.exp(-DIST / (2 * ell**2)) @ Y)[0, 0])


def test_a_function_said_entrywise_after_its_formula_is_read_so(tmp_path: Path) -> None:
    doc = tmp_path / "gp.md"
    doc.write_text(GP, encoding="utf-8")
    out = diff_in_document(doc, 6, "\\ell", budget=30.0)
    assert out.error is None and out.verified, out.error
    h = 1e-6
    want = (_fit(ELL + h) - _fit(ELL - h)) / (2 * h)
    with read_entrywise():  # (as the document says: the result's exp is entrywise too)
        got = evaluate(tree(out.result), {"D": DIST, "y": Y, "\\ell": ELL})
    assert np.isclose(float(np.asarray(got).reshape(-1)[0]), want, rtol=1e-6), out.result
    other = diff_in_document(doc, 12, "\\ell", budget=30.0)  # (another argument: not said)
    assert other.error is not None and "entrywise" in other.error
