r"""A loss summed over states that a recurrence the document writes defines.

``L = \sum_{t=1}^T \frac12\|\mathbf{h}_t - \mathbf{y}_t\|^2`` where the document also says
``\mathbf{h}_t \in \mathbb{R}^n`` and ``\mathbf{h}_t = \tanh(W\mathbf{h}_{t-1} + U\mathbf{x}_t)``:
a declared member is no definition (``context.py``), so the states are read as given, and by
W the loss would be "0" — true only with the states held fixed (teacher forcing), which is
what a document differentiating ``\sum_t \|\mathbf{h}_t - W\mathbf{h}_{t-1}\|^2`` by W means.

The derivative through the recurrence is what textbooks write as backpropagation through
time: a backward recursion ``\boldsymbol\delta_t = \partial\ell_t/\partial\mathbf{h}_t +
W^\top(\boldsymbol\delta_{t+1} \odot (1 - \mathbf{h}_{t+1}^{\circ 2}))`` and
``\nabla_W L = \sum_t (\boldsymbol\delta_t \odot (1 - \mathbf{h}_t^{\circ 2}))\mathbf{h}_{t-1}^\top``
— no single expression for a general T, which texgrad's answers are.  So: where the loss
involves the variable only through the recurrence, the derivative is refused in those words
(never "0"); where it involves it directly too, the result holds the states as given and its
note says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from texgrad.calculus.written import statements
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.symbols import symbol_key


def _letter(node: t.Node) -> str | None:
    """The family letter of a member ``\\mathbf{h}_t`` (``h``), else None."""
    if not isinstance(node, t.Sub):
        return None
    k = symbol_key(node.base)
    return k[0] if k is not None else None


def _keys(node: t.Node) -> set[str]:
    return {k[0] for n in node.walk() if (k := symbol_key(n)) is not None}


def recurrence_of(loss: t.Node, wrt: str, trees: Iterable[t.Node]) -> str | None:
    r"""The member (as written, ``\mathbf{h}_t``) of a family the loss names whose equation
    in ``trees`` (the document's rows) is a recurrence involving ``wrt``: the member's letter
    on both sides (``h_t = f(h_{t-1}, …)``) and ``wrt`` in its right side; None where none."""
    letters = {x for n in loss.walk() if (x := _letter(n)) is not None}
    if not letters:
        return None
    for tree in trees:
        for node in tree.walk():
            if not isinstance(node, t.Chain) or len(node.items) < 2:
                continue
            for part in statements(node) or [node]:
                if not isinstance(part, t.Chain) or part.relations[:1] != ("=",):
                    continue
                head, body = part.items[0], part.items[1]
                letter = _letter(head) if head is not None else None
                if letter not in letters or body is None or wrt not in _keys(body):
                    continue
                if any(_letter(n) == letter for n in body.walk()):
                    return latex_of(head)
    return None


def through_time(member: str, w: str) -> str:
    """The refusal of a loss that involves the variable only through a recurrence."""
    return (
        f"`{member}` is defined by a recurrence that involves `{w}`, and the loss involves "
        f"`{w}` only through it: its derivative is the backward recursion of backpropagation "
        "through time (δ_t from δ_{t+1}), which texgrad does not write yet; one step's "
        "loss with the recurrence written in, the previous state given, is differentiated"
    )


def held_note(member: str, w: str) -> str:
    """The note of a result that holds the states as given."""
    return (
        f"`{member}` held as given (teacher forcing): its recurrence involves `{w}` and is "
        "not differentiated through"
    )


_HELD = re.compile(
    r"\b(?:held|kept|treated\s+as|taken\s+as)\s+(?:fixed|given|constants?|known)\b"
    r"|\bteacher[- ]forc",
    re.IGNORECASE,
)
HELD_WINDOW = 300  # characters of text before the row read for it


def says_held(text: str, start: int) -> bool:
    """Does the text just before ``start`` say the states are held fixed ("If the hidden
    states are held fixed (teacher forcing …), the transition matrix gets")?"""
    return _HELD.search(text[max(0, start - HELD_WINDOW) : start]) is not None


def held_as_said(written: str, w: str) -> str:
    """The note of a result that holds the states as given because the text says so."""
    return (
        f"`{written}` held as given, as the text says (teacher forcing): its recurrence "
        f"involves `{w}` and is not differentiated through"
    )
