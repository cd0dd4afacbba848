r""" "Copy ∇ₓf as NumPy": offered beside the Differentiate actions to a client that announces
the copy command (``experimental.commands.commands``, as texgrad's VS Code client does),
and never to one that does not (Neovim, Emacs: no dead action)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Union

import numpy as np
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.conftest import CONFIG, Doc, shut_down

pytestmark = pytest.mark.asyncio

COPY = "texgrad.copyToClipboard"
TEX = r"""Café é 😀 notes. Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$ and $x \in \mathbb{R}^n$.
\[ f(x) = \frac12 \|Ax - b\|_2^2 \]
"""


@pytest_lsp.fixture(
    config=CONFIG,
    params=[("visual-studio-code", True), ("visual-studio-code", False), ("neovim", False)],
)
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
    lsp_client.profile = profile  # type: ignore[attr-defined]
    lsp_client.copies = copies  # type: ignore[attr-defined]
    lsp_client.root = tmp_path  # type: ignore[attr-defined]
    yield
    await shut_down(lsp_client)


def _read_code_actions_as_lsp_says(client: LanguageClient) -> None:
    """lsprotocol reads any code action with a ``command`` as a bare Command, even when
    that command is an object (a CodeAction's): read it as LSP says, by the field's type."""
    converter = client.protocol._converter

    def hook(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], hook)  # noqa: UP007


async def _listed(doc: Doc, needle: str, delta: int) -> list[types.CodeAction]:
    """The actions at a place, asked again while the differentiation is still running
    (a listing waits 2 s, then titles what is not ready "not verified")."""
    for _ in range(15):
        actions = await doc.actions(needle, delta)
        if any(a.title == "Differentiate f w.r.t. x (gradient)" for a in actions):
            return actions
    return actions


async def test_copy_as_numpy_only_where_the_client_copies(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("paper.tex", TEX)
    await doc.diagnostics()
    actions = await _listed(doc, "\\frac12", 2)
    copies = [a for a in actions if a.title.startswith("Copy")]
    if not client.copies:  # type: ignore[attr-defined]
        assert copies == []
        return
    titles = [a.title for a in copies]
    assert "Copy ∇ₓf as NumPy" in titles and "Copy the Hessian of f w.r.t. x as NumPy" in titles
    assert "Copy ∇_A f as NumPy" in titles  # one per variable, as the Differentiate actions
    action = next(a for a in copies if a.title == "Copy ∇ₓf as NumPy")
    assert action.edit is None and action.command is not None
    assert action.command.command == COPY
    code, what = action.command.arguments or []
    assert what == "∇ₓf as NumPy"
    space: dict[str, Any] = {}
    exec(code, space)  # the code the server generated
    rng = np.random.default_rng(0)
    a, x, b = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    got = space["grad_x"](x=x, A=a, b=b)
    np.testing.assert_allclose(got, a.T @ (a @ x - b), rtol=1e-12)
    # resolve hands it back as it is: nothing to resolve
    resolved = await client.code_action_resolve_async(action)
    assert resolved.command == action.command and resolved.edit is None


MD = r"""# Notes é 😀

Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$ and $x \in \mathbb{R}^n$.

$$
f(x) = \frac12 \|Ax - b\|_2^2
$$

More text.
"""


async def test_in_markdown_an_editor_that_cannot_copy_inserts_the_code(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("notes.md", MD)
    await doc.diagnostics()
    actions = await _listed(doc, "\\frac12", 2)
    inserts = [a for a in actions if a.title.startswith("Insert") and "NumPy" in a.title]
    if client.copies:  # type: ignore[attr-defined]
        assert inserts == []  # VS Code copies instead
        return
    titles = [a.title for a in inserts]
    assert "Insert ∇ₓf as NumPy code" in titles
    assert "Insert the Hessian of f w.r.t. x as NumPy code" in titles
    new = await doc.apply_action(next(a for a in inserts if a.title == "Insert ∇ₓf as NumPy code"))
    assert "$$\n\n```python\nimport numpy as np\n\n\ndef grad_x(x, A, b):\n" in new
    assert new.endswith("    return (A.T @ (A @ x - b)).ravel()\n```\n\nMore text.\n")
    assert await doc.diagnostics() == []  # the code is not read as math
