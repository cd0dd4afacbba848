r"""Differentiating by one member of a family summed over: weight decay
``\frac{\lambda}{2}\sum_l \|W^{(l)}\|_F^2`` by ``W^{(l)}`` (``\lambda W^{(l)}``), ``\sum_k
\|\mathbf w_k\|^2`` by ``\mathbf w_k`` (``2\mathbf w_k``), ``\sum_j \|\mathbf w_j\|^2`` by
``\mathbf w_k``.

Of the terms of ``\sum_l f(W^{(l)}, \mathbf b^{(l)})`` only the one for the member's own label
involves it, so the derivative of the sum is the derivative of that term: the sum is read as
its summand (the index renamed to the member's label where the sum writes another letter),
and the ordinary pipeline differentiates and verifies it.  That holds only where every member
of the family in the summand carries the sum's index itself: with ``W^{(l+1)}`` or
``\mathbf h_{t-1}`` beside it a member is in two terms (the recursion of backpropagation
through time), which is refused in those words, as is a label that also names something else
in the summand.
"""

from __future__ import annotations

from texgrad.calculus.expr import CalculusError
from texgrad.calculus.written import sum_index
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.symbols import Label, label_of, member_key, symbol_key

__all__ = ["one_member"]


def _family(node: t.Node) -> tuple[str, Label, t.Node] | None:
    """(the family's key, the label, the label's node) of a member ``x_i``, ``W^{(l)}``,
    ``W^{(l+1)}``; None for anything else."""
    if isinstance(node, t.Sub):
        base, label = symbol_key(node.base), label_of(node.index)
        return (base[0], label, node.index) if base is not None and label is not None else None
    if isinstance(node, t.Tagged) and node.bracket in ("(", "["):
        base, label = symbol_key(node.base), label_of(node.tag)
        return (base[0], label, node.tag) if base is not None and label is not None else None
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Paren):
        body = node.exponent.body
        base = symbol_key(node.base)
        if node.exponent.open in ("(", "[") and body is not None and base is not None:
            label = label_of(body)
            return (base[0], label, body) if label is not None else None
    return None


def _member_of(wrt_tree: t.Node | None, wrt: str) -> tuple[str, str] | None:
    """(the family's key, the label letter) of the variable, a member labelled by a letter
    (``w_k``, ``W^{(l)}``); None otherwise."""
    if wrt_tree is None:
        return None
    fam = _family(wrt_tree)
    key = member_key(wrt_tree)
    if fam is None or key is None or key[0] != wrt or fam[1][0] is None or fam[1][1] != 0:
        return None
    return fam[0], str(fam[1][0])


def _renamed(node: t.Node, old: str, new: str) -> t.Node:
    """``node`` with every plain letter ``old`` written ``new``."""
    by: dict[int, t.Node] = {
        id(n): t.Symbol(new, start=n.start, end=n.end)
        for n in node.walk()
        if isinstance(n, t.Symbol) and n.name == old and n.font is None and not n.accents
    }
    return t.replaced(node, by) if by else node


def _names_letter(node: t.Node, letter: str) -> bool:
    return any(isinstance(n, t.Symbol) and n.name == letter for n in node.walk())


def _as_written(node: t.Node, text: str) -> str:
    """``node`` as the document writes it (its source), else as printed back."""
    source = text[node.start : node.end].strip() if 0 <= node.start < node.end <= len(text) else ""
    head = latex_of(node)[:2]
    return source if source[:2] == head else latex_of(node)


def one_member(
    tree: t.Node, wrt: str, wrt_tree: t.Node | None, written: str, text: str
) -> tuple[t.Node, str]:
    r"""``tree`` with each ``\sum`` over a family the variable ``wrt`` (a member labelled by a
    letter, written ``written``) belongs to read as its one term that involves it, and a note
    saying so ("" and ``tree`` itself where no sum is over its family). Raises CalculusError
    (in the document's words, ``text``) where a member is in more than one term of a sum."""
    member = _member_of(wrt_tree, wrt)
    if member is None:
        return tree, ""
    family, label = member
    by: dict[int, t.Node] = {}
    said: list[str] = []
    for node in tree.walk():
        if not (isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None):
            continue
        index = sum_index(node.lower)
        if index is None or len(index) != 1:
            continue
        members = [f for n in node.body.walk() if (f := _family(n)) is not None and f[0] == family]
        if not members:
            continue
        if any(n is not node and isinstance(n, t.BigOp) for n in node.body.walk()):
            continue  # nested sums: left to what reads them
        if not all(f[1][0] == index[0] for f in members):
            if any(f[1][0] == index[0] for f in members):
                shifted = next(_as_written(n, text) for n in node.body.walk()
                               if (f := _family(n)) is not None and f[0] == family
                               and f[1] != (index[0], 0))  # fmt: skip
                raise CalculusError(
                    f"`{written}` is in more than one term of `{_as_written(node, text)}` (as "
                    f"`{shifted}` too): the derivative would add the terms where it appears "
                    "shifted, which is not done yet"
                )
            continue  # members with fixed labels (W^{(1)}): not this sum's family use
        if any(f[1] != (index[0], 0) for f in members):
            shifted = next(_as_written(n, text) for n in node.body.walk()
                           if (f := _family(n)) is not None and f[0] == family
                           and f[1] != (index[0], 0))  # fmt: skip
            raise CalculusError(
                f"`{written}` is in more than one term of `{_as_written(node, text)}` (the summand also "
                f"holds `{shifted}`): the derivative would add the terms where it appears "
                "shifted (through time, for a recurrence), which is not done yet"
            )
        body = node.body
        if index[0] != label:
            if _names_letter(body, label):
                continue  # k already means something in the summand: left as it is
            body = _renamed(body, index[0], label)
        if isinstance(body, t.Add | t.Neg):
            body = t.Paren(body, "(", ")", start=body.start, end=body.end)
        by[id(node)] = body
        said.append(f"the term `{label}` of `{_as_written(node, text)}`")
    if not by:
        return tree, ""
    note = f"only {' and '.join(dict.fromkeys(said))} involves `{written}`"
    return t.replaced(tree, by), note
