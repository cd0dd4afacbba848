"""``unequal-step`` in the editor: published with the derivative check, on the row where a
derivation's slip happens, once (a row ``wrong-derivative`` flags is not flagged again)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc

pytestmark = pytest.mark.asyncio

ANSWER = r"""Let $X, B \in \mathbb{R}^{n \times n}$.

$$
\begin{aligned}
\operatorname{tr}(X^\top B X) &= \operatorname{tr}(B X X^\top) \\
&= \operatorname{tr}(X^\top X B)
\end{aligned}
$$
"""


async def _codes(doc: Doc, code: str, timeout: float = 60) -> list[types.Diagnostic]:
    async def wait() -> list[types.Diagnostic]:
        while True:
            found = [d for d in await doc.diagnostics() if d.code == code]
            if found:
                return found
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), timeout)


async def test_an_unequal_step_reaches_the_client_on_its_row(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("answer.md", ANSWER)
    (d,) = await _codes(doc, "unequal-step")
    assert doc.span(d.range) == r"\operatorname{tr}(X^\top X B)"
    assert d.range.start.line == 5 and d.severity == types.DiagnosticSeverity.Warning
    assert "does not equal the step before it" in d.message
    assert "the factors are in the other order" in d.message
