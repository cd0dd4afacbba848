r""" "Differentiate L w.r.t. w (matrix form)": a loss summed over samples whose stacked matrix
the document declares is offered in matrix form too (``2X^\top(Xw - y)``) beside the sum
form, in VS Code (which also copies both as NumPy) and in Neovim."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import CONFIG, Doc, shut_down
from tests.lsp.test_numpy_copy import COPY, _read_code_actions_as_lsp_says

pytestmark = pytest.mark.asyncio

TEX = r"""\section{Model}
Let $X \in \mathbb{R}^{N \times d}$ stacks the $x_i^\top$ as rows, $y \in \mathbb{R}^N$
the targets and $w \in \mathbb{R}^d$ the weights. We minimise
\[ L(w) = \sum_{i=1}^N (w^\top x_i - y_i)^2 \]
"""


@pytest_lsp.fixture(config=CONFIG, params=[("visual-studio-code", True), ("neovim", False)])
async def client(lsp_client: LanguageClient, request: Any, tmp_path: Path):
    profile, copies = request.param
    _read_code_actions_as_lsp_says(lsp_client)
    caps = client_capabilities(profile)
    if copies:
        caps.experimental = {"commands": {"commands": [COPY]}}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")],
        )
    )
    lsp_client.copies = copies  # type: ignore[attr-defined]
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    lsp_client.profile = profile  # type: ignore[attr-defined]
    yield
    await shut_down(lsp_client)


async def _listed(doc: Doc) -> list[types.CodeAction]:
    for _ in range(15):
        actions = await doc.actions("\\sum", 1)
        if any(a.title == "Differentiate L w.r.t. w (gradient)" for a in actions):
            return actions
    return actions


async def test_the_matrix_form_is_offered_beside_the_sum_form(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("model.tex", TEX)
    await doc.diagnostics()
    actions = await _listed(doc)
    titles = [a.title for a in actions]
    at = titles.index("Differentiate L w.r.t. w (gradient)")
    assert titles[at + 1] == "Differentiate L w.r.t. w (matrix form)"
    matrix = actions[at + 1]
    new = await doc.apply_action(matrix)
    assert "\\nabla_w L = 2 X^\\top (X w - y)" in new
    assert "\\sum" not in new[len(TEX) :]  # the matrix form only
    copies = {a.title: a for a in actions if a.title.startswith("Copy")}
    if not client.copies:  # type: ignore[attr-defined]
        assert copies == {}
        return
    assert set(copies) >= {"Copy ∇_w L as NumPy", "Copy ∇_w L (matrix form) as NumPy"}
    rng = np.random.default_rng(4)
    x, y, w = rng.standard_normal((6, 3)), rng.standard_normal(6), rng.standard_normal(3)
    want = 2 * x.T @ (x @ w - y)
    for title, name, args in (
        ("Copy ∇_w L as NumPy", "grad_w", {"w": w, "x": x, "y": y}),
        ("Copy ∇_w L (matrix form) as NumPy", "grad_w_matrix_form", {"w": w, "X": x, "y": y}),
    ):
        command = copies[title].command
        assert command is not None and command.command == COPY
        code = (command.arguments or [""])[0]
        space: dict[str, Any] = {}
        exec(code, space)  # the code the server generated and checked
        np.testing.assert_allclose(space[name](**args), want, rtol=1e-12)
