r"""The action list: the function's own argument first (``\ell(\mathbf{w})``: w before the data),
every entry's kind in its title, and short — the variables not offered at once are one entry,
"Differentiate ℓ w.r.t. another symbol… (y, X)", which asks which (``window/showMessageRequest``)
and inserts that result (``workspace/applyEdit``), checked here against numpy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc, apply

pytestmark = pytest.mark.asyncio

TEX = r"""Café é 😀. Let $X \in \mathbb{R}^{n \times d}$, $\mathbf{w} \in \mathbb{R}^d$, $\mathbf{y} \in \mathbb{R}^n$, $\lambda > 0$.
\[ \ell(\mathbf{w}) = \|\mathbf{y} - X\mathbf{w}\|^2 + \lambda \|\mathbf{w}\|^2 \]
"""
OTHERS = r"Differentiate \ell w.r.t. another symbol… (\mathbf{y}, X, \lambda)"


def _differentiations(actions: list[types.CodeAction]) -> list[str]:
    return [a.title for a in actions if a.title.startswith(("Differentiate", "Hessian"))]


async def test_own_argument_first_kinds_marked_the_rest_grouped(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("ridge.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions(r"\ell(", 2)
    assert _differentiations(actions) == [
        r"Differentiate \ell w.r.t. \mathbf{w} (gradient)",
        r"Hessian of \ell w.r.t. \mathbf{w}",
        OTHERS,
    ]
    others = next(a for a in actions if a.title == OTHERS)
    assert others.command is not None and others.command.command == "texgrad.differentiateOther"
    # taken: the client is asked which, with each one's kind, and the result is inserted
    client.choose = r"X (gradient)"  # type: ignore[attr-defined]
    applied = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=others.command.command, arguments=others.command.arguments
        )
    )
    assert applied is True
    [asked] = client.message_requests  # type: ignore[attr-defined]
    assert [a.title for a in asked.actions or []] == [
        r"\mathbf{y} (gradient)",
        "X (gradient)",
        r"\lambda (derivative)",
    ]
    [edit] = client.applied_edits  # type: ignore[attr-defined]
    from tests.lsp.conftest import edits_of

    new = apply(doc.text, edits_of(edit, doc.uri), doc.enc)
    line = next(x for x in new.splitlines() if x.startswith(r"  \nabla_X \ell"))
    assert line == r"  \nabla_X \ell = 2 (X \mathbf{w} - \mathbf{y}) \mathbf{w}^\top"
    # the result, by numpy: ∂/∂X ‖y − Xw‖² = 2 (Xw − y) wᵀ
    rng = np.random.default_rng(3)
    x, w, y = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=4)
    h, e = 1e-6, np.zeros((4, 3))
    e[2, 1] = 1
    numeric = (np.sum((y - (x + h * e) @ w) ** 2) - np.sum((y - (x - h * e) @ w) ** 2)) / (2 * h)
    assert np.isclose(numeric, (2 * np.outer(x @ w - y, w))[2, 1])


async def test_the_variable_under_the_cursor_is_offered_at_once(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("ridge.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions(r"\lambda \|", 3)  # the cursor in \lambda
    assert _differentiations(actions) == [
        r"Differentiate \ell w.r.t. \lambda (derivative)",
        r"Differentiate \ell w.r.t. \mathbf{w} (gradient)",
        r"Hessian of \ell w.r.t. \mathbf{w}",
        r"Differentiate \ell w.r.t. another symbol… (\mathbf{y}, X)",
    ]


async def test_dismissed_choice_inserts_nothing(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("ridge.tex", TEX)
    await doc.diagnostics()
    actions = await doc.actions(r"\ell(", 2)
    others = next(a for a in actions if a.title == OTHERS)
    assert others.command is not None
    applied = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command=others.command.command, arguments=others.command.arguments
        )
    )
    assert applied is False and client.applied_edits == []  # type: ignore[attr-defined]
