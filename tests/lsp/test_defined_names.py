r"""The editor offers to differentiate by a name the document defines, as ``texgrad diff
--wrt`` answers it: Rasmussen-style GP notes define ``K_y = K_f + \sigma_n^2 I`` and ask for
∂ log p/∂K_y (a held-out-style document of ``tests/derivations/``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc

pytestmark = pytest.mark.asyncio

TEX = r"""\documentclass{article}
\begin{document}
Let $K_f \in \mathbb{R}^{n\times n}$ be the covariance matrix of the latent values,
symmetric positive definite, let $\mathbf{y} \in \mathbb{R}^n$, and let $\sigma_n^2$ be the
noise variance. The covariance of the targets is
\[ K_y = K_f + \sigma_n^2 I . \]
The log marginal likelihood is
\[ \log p = -\frac{1}{2}\mathbf{y}^\top K_y^{-1}\mathbf{y} - \frac{1}{2}\log|K_y| \]
\end{document}
"""
TITLE = "Differentiate w.r.t. K_y (gradient)"


async def test_a_defined_name_is_offered_and_differentiated(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("gp.tex", TEX)
    await doc.diagnostics()
    titles: list[str] = []
    for _ in range(15):
        actions = await doc.actions("\\log p =", 2)
        titles = [a.title for a in actions]
        if any("K_y" in x for x in titles):
            break
    # y, K_f and σ_n declared, then K_y: the fourth and later go under one entry that asks
    others = [x for x in titles if "another symbol" in x]
    assert others and "K_y" in others[0], titles
    from texgrad.calculus import api  # what the entry runs once K_y is picked

    out = api.diff_at(str(doc.path), TEX, TEX.index("\\log p ="), "K_y")
    assert out.verified and out.kind == "gradient", out.error
    assert out.result.count("K_y^{-1}") >= 2, out.result
