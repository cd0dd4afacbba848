r"""Every differentiation an editor lists says what taking it inserts: the kind in its title
(gradient, Jacobian, derivative, differential, Hessian) is the kind of the equation written.

A row that writes a derivative with its value (``\nabla_X f = …``) is read once for both: by
its own variable the action is that derivative (once titled "(differential)" from the value's
reading while it inserted the gradient), by another variable the value's.  Over several row
forms, each listed action is taken and the left side it writes compared with its title."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import Doc, edits_of

pytestmark = pytest.mark.asyncio

# \nabla written more often than \frac{\partial: results are written with \nabla
TEXT = r"""Let $A \in \mathbb{R}^{m \times m}$, $C \in \mathbb{R}^{m \times n}$, $B \in \mathbb{R}^{n \times n}$, $X \in \mathbb{R}^{m \times n}$, $\mathbf w \in \mathbb{R}^n$, $f(X) = \operatorname{tr}(X^\top A X B)$ and $g(\mathbf w) = \mathbf w^\top C^\top C \mathbf w$.

$$\nabla_X f = A X B + A^\top X B^\top$$

$$\frac{\partial f}{\partial X} = A X B + A^\top X B^\top$$

$$\nabla_{\mathbf w} g = 2 C^\top C \mathbf w$$

$$\nabla g(\mathbf w) = 2 C^\top C \mathbf w$$

$$\nabla_{\mathbf w} (\mathbf w^\top B \mathbf w) = (B + B^\top) \mathbf w$$

$$h(\mathbf w) = \mathbf w^\top B \mathbf w + \|C \mathbf w\|^2$$

$$F = A X B$$
"""

ROWS = [line for line in TEXT.splitlines() if line.startswith("$$")]

_KINDS = {  # the kind a title names → the left side the inserted equation starts with
    "gradient": r"\\nabla_",
    "Hessian": r"\\nabla\^2_",
    "Jacobian": r"\\frac\{\\partial ",
    "derivative": r"\\frac\{\\partial ",
    "differential": r"\\mathrm\{?d\}?",
}


def _kind(title: str) -> str | None:
    if title.startswith("Hessian of "):
        return "Hessian"
    m = re.fullmatch(r"Differentiate .* w\.r\.t\. .* \((\w+)\)", title)
    return m.group(1) if m else None


async def _inserted(doc: Doc, action: types.CodeAction) -> str:
    if action.edit is None:
        action = await doc.client.code_action_resolve_async(action)
    assert action.edit is not None, action.title
    new = "".join(e.new_text for e in edits_of(action.edit, doc.uri))
    return next(x.strip() for x in new.splitlines() if " = " in x)  # (its display's $$ aside)


async def test_each_title_says_what_its_action_inserts(
    client: LanguageClient, open_doc: Callable[..., Doc]
) -> None:
    doc = open_doc("forms.md", TEXT)
    await doc.diagnostics()
    taken: dict[tuple[str, str], str] = {}  # (row, title) → the left side inserted
    for row in ROWS:
        actions = await doc.actions(row, 2)
        listed = [(a, _kind(a.title)) for a in actions if a.disabled is None]
        listed = [(a, k) for a, k in listed if k is not None]
        assert listed, row
        for action, kind in listed:
            written = await _inserted(doc, action)
            assert re.match(_KINDS[kind], written), (row, action.title, written)
            taken[(row, action.title)] = written.partition(" = ")[0]
    # the rows writing a derivative: by its own variable, that derivative (not the value's
    # differential), named by its function
    by_x = r"Differentiate f w.r.t. X (gradient)"
    assert taken[(ROWS[0], by_x)] == r"\nabla_X f"
    assert taken[(ROWS[1], by_x)] == r"\nabla_X f"
    by_w = r"Differentiate g w.r.t. \mathbf w (gradient)"
    assert taken[(ROWS[2], by_w)] == r"\nabla_{\mathbf w} g"
    assert taken[(ROWS[3], by_w)] == r"\nabla_{\mathbf w} g"
    assert taken[(ROWS[2], r"Hessian of g w.r.t. \mathbf w")] == r"\nabla^2_{\mathbf w} g"
    # by another variable of the row, the value written (a matrix: its differential)
    assert any(k[0] == ROWS[0] and k[1].endswith("w.r.t. A (differential)") for k in taken), sorted(
        taken
    )
    kinds = {_kind(title) for _, title in taken}
    assert kinds >= {"gradient", "Hessian", "Jacobian", "differential"}, kinds
