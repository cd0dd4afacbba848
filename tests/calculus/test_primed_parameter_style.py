r"""A primed letter a function is written of (``\mathcal{L}(\boldsymbol\theta')``, the adapted
point of first-order MAML) is a name, not a transpose mark: the result keeps the document's
``^\top`` (``C^\top(C\boldsymbol\theta' - \mathbf d)``); it printed ``C'(…)``, the notation of
a document that transposes with primes, which this one never does.  Checked against central
differences (q = 4, p = 3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.calculus.test_samples import tree
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate

FOMAML = r"""With $C \in \mathbb{R}^{q \times p}$, $\mathbf{d} \in \mathbb{R}^{q}$ and the adapted
point $\boldsymbol{\theta}' \in \mathbb{R}^{p}$,

$$
\mathcal{L}(\boldsymbol{\theta}') = \frac{1}{2}\|C\boldsymbol{\theta}' - \mathbf{d}\|^2
$$
"""

RNG = np.random.default_rng(12)
C, D, TH = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 1)), RNG.standard_normal((3, 1))


def _loss(th: np.ndarray) -> float:
    return 0.5 * float(np.sum((C @ th - D) ** 2))


def test_a_primed_parameter_is_no_transpose_mark(tmp_path: Path) -> None:
    doc = tmp_path / "fomaml.md"
    doc.write_text(FOMAML, encoding="utf-8")
    out = diff_in_document(doc, 5, "\\boldsymbol{\\theta}'", budget=30.0)
    assert out.error is None and out.verified, out.error
    assert "C^\\top" in out.result and "C'" not in out.result
    h, want = 1e-6, np.zeros((3, 1))
    for i in range(3):
        step = np.zeros((3, 1))
        step[i] = h
        want[i] = (_loss(TH + step) - _loss(TH - step)) / (2 * h)
    written = out.result.replace("\\boldsymbol{\\theta}'", "t")
    got = evaluate(tree(written), {"C": C, "d": D, "t": TH})
    assert np.allclose(np.asarray(got, dtype=float), want, rtol=1e-6), out.result
