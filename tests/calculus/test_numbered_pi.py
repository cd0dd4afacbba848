r"""Mixing weights written ``\pi_1, \pi_2`` and said positive (``\pi_1, \pi_2 > 0`` or ``\in (0,
1)``) are numbers (shapes' weak scalars: numbered, ``\pi_1`` is no longer the constant π, which
``\log(2\pi s)`` beside them still is). The mixture log-likelihood's derivative by the first
mean is the responsibility times (x - μ₁)/s, checked by central differences."""

from __future__ import annotations

import numpy as np
import pytest

from texgrad.calculus.api import diff_in_document

SAID = [r"$\pi_1, \pi_2 > 0$", r"$\pi_1, \pi_2 \in (0, 1)$", r"$\pi_1 > 0$ and $\pi_2 > 0$"]


@pytest.mark.parametrize("said", SAID)
def test_numbered_mixing_weights_are_numbers(said: str) -> None:
    text = (
        f"Mixing weights {said}, means $\\mu_1, \\mu_2 \\in \\mathbb{{R}}$, a variance $s > 0$ "
        "and a point $x \\in \\mathbb{R}$.\n\n$$\n"
        r"\ell(\mu_1) = \log\left(\pi_1 e^{-(x - \mu_1)^2/(2s)} + \pi_2 e^{-(x - \mu_2)^2/(2s)}"
        r"\right) - \frac{1}{2}\log(2\pi s)"
        "\n$$\n"
    )
    out = diff_in_document("doc.md", 4, r"\mu_1", text=text)
    assert out.verified, out.error or out.note
    assert r"\pi_1" in out.result and r"\pi_2" in out.result

    p1, p2, m1, m2, s, x = 0.3, 0.7, -0.4, 1.1, 0.8, 0.25

    def ll(m: float) -> float:
        a = p1 * np.exp(-((x - m) ** 2) / (2 * s))
        b = p2 * np.exp(-((x - m2) ** 2) / (2 * s))
        return float(np.log(a + b) - 0.5 * np.log(2 * np.pi * s))

    h = 1e-6
    fd = (ll(m1 + h) - ll(m1 - h)) / (2 * h)
    a = p1 * np.exp(-((x - m1) ** 2) / (2 * s))
    b = p2 * np.exp(-((x - m2) ** 2) / (2 * s))
    assert np.isclose(fd, a / (a + b) * (x - m1) / s, atol=1e-7)
