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

import re
from dataclasses import dataclass, replace

import sympy

from texgrad.calculus.expr import CalculusError
from texgrad.calculus.sympy_dims import dim_of
from texgrad.calculus.written import sum_index
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.symbols import Label, label_of, member_key, symbol_key

__all__ = [
    "SetSum", "Shifted", "at_label", "one_member", "over_a_set", "over_an_index_set",
    "shifted_member",
]  # fmt: skip


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


def _notation(node: t.Node | None) -> str:
    r"""How a member is labelled: "sub" (``W_l``, ``W_0``) or "tag" (``W^{(l)}``, ``W^{[l]}``)."""
    return "sub" if isinstance(node, t.Sub) else "tag"


def _other_families(body: t.Node) -> set[int]:
    r"""The ids of the members ``x_k`` in ``body`` that a mark makes the members of another
    family (``\mathbf z_k^{+}``, the positives beside the embeddings ``\mathbf z_k``;
    ``x_k^{(t)}``, ``x_k'``): keyed apart, as declarations key them."""
    out: set[int] = set()
    for n in body.walk():
        if isinstance(n, t.Power | t.Tagged | t.Prime) and isinstance(n.base, t.Sub):
            if member_key(n) is not None:
                out.add(id(n.base))
    return out


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


def _path(tree: t.Node, target: t.Node) -> list[t.Node] | None:
    """The nodes from ``tree`` down to ``target`` (both included); None if it is not in it."""
    if tree is target:
        return [tree]
    for child in tree.children():
        below = _path(child, target)
        if below is not None:
            return [tree, *below]
    return None


def _names_any(node: t.Node, family: str, defined: set[str]) -> bool:
    """Whether ``node`` names a member of ``family``, the family's letter, or a name the
    document defines (which may involve them)."""
    for n in node.walk():
        f = _family(n)
        if f is not None and f[0] == family:
            return True
        k = symbol_key(n)
        if k is not None and (k[0] == family or k[0] in defined):
            return True
    return False


def _enters_linearly(tree: t.Node, node: t.Node, family: str, defined: set[str]) -> bool:
    r"""Whether the sum ``node`` enters ``tree`` linearly, times factors that do not involve
    the family (``\frac{\lambda}{2}\sum_l …``, a term of a sum, the right side of ``J = …``):
    only then is the derivative of the whole the derivative with the sum read as one of its
    terms (under a log, ``\log\sum_j \exp(\mathbf w_j^\top\mathbf x)``, it is not)."""
    path = _path(tree, node)
    if path is None:
        return False
    for outer, inner in zip(path, path[1:], strict=False):
        if isinstance(outer, t.Add | t.Neg):
            continue
        if isinstance(outer, t.Paren) and outer.open.endswith(("(", "[")):
            continue
        if isinstance(outer, t.Chain) and outer.relations and outer.items[-1] is inner:
            continue  # J = …: its right side
        if isinstance(outer, t.Product) and not any(
            _names_any(f, family, defined) for f in outer.factors if f is not inner
        ):
            continue
        if isinstance(outer, t.Frac) and outer.num is inner:
            if not _names_any(outer.den, family, defined):
                continue
        return False
    return True


def one_member(
    tree: t.Node, wrt: str, wrt_tree: t.Node | None, written: str, text: str,
    defined: frozenset[str] | set[str] = frozenset(),
) -> tuple[t.Node, str]:  # fmt: skip
    r"""``tree`` with each ``\sum`` over a family the variable ``wrt`` (a member labelled by a
    letter, written ``written``) belongs to read as its one term that involves it, and a note
    saying so ("" and ``tree`` itself where no sum is over its family). Raises CalculusError
    (in the document's words, ``text``) where a member is in more than one term of a sum."""
    member = _member_of(wrt_tree, wrt)
    if member is None:
        return tree, ""
    family, label = member
    notation = _notation(wrt_tree)
    by: dict[int, t.Node] = {}
    said: list[str] = []
    for node in tree.walk():
        if not (isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None):
            continue
        index = sum_index(node.lower)
        if index is None or len(index) != 1:
            continue
        named = _other_families(node.body)  # z_k^{+}: a member of the family z^+, not of z
        members = [  # (W_0 beside W^{(l)}: a matrix of its own, written another way)
            f
            for n in node.body.walk()
            if id(n) not in named
            and (f := _family(n)) is not None
            and f[0] == family
            and _notation(n) == notation
        ]
        if not members:
            continue
        if any(n is not node and isinstance(n, t.BigOp) for n in node.body.walk()):
            continue  # nested sums: left to what reads them
        if not all(f[1][0] == index[0] for f in members):
            if any(f[1][0] == index[0] for f in members):
                shifted = _shifted(node, family, index[0], text)
                raise CalculusError(
                    f"`{written}` is in more than one term of `{_as_written(node, text)}` (as "
                    f"`{shifted}` too): the derivative would add the terms where it appears "
                    "shifted, which is not done yet"
                )
            continue  # members with fixed labels (W^{(1)}): not this sum's family use
        if any(f[1] != (index[0], 0) for f in members):
            shifted = _shifted(node, family, index[0], text)
            raise CalculusError(
                f"`{written}` is in more than one term of `{_as_written(node, text)}` (the summand also "
                f"holds `{shifted}`): the terms where it appears are added where the sum's "
                f"range is written from a number to a bound (`\\sum_{{{index[0]}=2}}^T`) and "
                "its index labels the members only"
            )
        if not _enters_linearly(tree, node, family, set(defined)):
            return tree, ""  # (log Σ_j exp(w_jᵀx) by w_k: the sum's own words)
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


@dataclass(frozen=True)
class SetSum:
    r"""A sum over the members of a set (``\sum_{(i,j) \in \Omega}``) read, for a variable
    labelled by one of its indices (``\mathbf u_i``), as a sum over the other index alone:
    ``tree`` and ``text`` with the sum's head written ``head`` (``\sum_{j}``, padded so every
    offset holds), to be written back as ``written`` (``\sum_{j : (i,j) \in \Omega}``) in
    the result; ``entries``: the keys and LaTeX of the undeclared entries labelled by both
    indices (``r_{ij}``, the observed values), numbers for a fixed pair."""

    tree: t.Node
    text: str
    head: str
    written: str
    entries: tuple[tuple[str, str], ...]
    source: tuple[tuple[str, str], ...] = ()  # each head padded, and as the document writes it
    note: str = ""  # what the outcome's note says of the reading ("" : the pairs' words)

    def back(self, latex: str) -> str:
        """``latex`` (of the sum over the other index) with the sum written as over the set;
        the function itself (its padded head) as the document writes it."""
        for padded, original in self.source:
            latex = latex.replace(padded, original)
        return latex.replace(self.head, self.written)


def _pair(lower: t.Node | None) -> tuple[str, str] | None:
    r"""``(i, j)`` of ``(i,j) \in \Omega``; None for any other index."""
    if not (isinstance(lower, t.Chain) and lower.relations == ("\\in",) and len(lower.items) == 2):
        return None
    first = lower.items[0]
    inner = first.body if isinstance(first, t.Paren) else None
    if not isinstance(inner, t.List) or len(inner.items) != 2:
        return None
    names = [n.name for n in inner.items if isinstance(n, t.Symbol) and n.font is None]
    return (names[0], names[1]) if len(names) == 2 and names[0] != names[1] else None


def _pair_entry(node: t.Node, pair: tuple[str, str]) -> bool:
    """``r_{ij}``: a letter subscripted by the pair's two indices, in order."""
    if not isinstance(node, t.Sub) or symbol_key(node.base) is None:
        return False
    index = node.index
    if isinstance(index, t.Product) and len(index.factors) == 2:
        names = tuple(f.name if isinstance(f, t.Symbol) else "" for f in index.factors)
        return names == pair
    if isinstance(index, t.List) and len(index.items) == 2:
        names = tuple(f.name if isinstance(f, t.Symbol) else "" for f in index.items)
        return names == pair
    return False


def over_a_set(
    tree: t.Node, wrt: str, wrt_tree: t.Node | None, text: str, declared: set[str],
    defined: frozenset[str] | set[str] = frozenset(),
) -> SetSum | None:  # fmt: skip
    r"""``\sum_{(i,j) \in \Omega} f(\mathbf u_i, \mathbf v_j, r_{ij})`` by ``\mathbf u_i``:
    only the terms of pairs whose first index is i involve it, the sum over the
    ``j : (i,j) \in \Omega``; read as a sum over j (see :class:`SetSum`).  None where no sum
    over a set is over the variable's label, or the sum is not written plainly in ``text``
    (through a macro)."""
    member = _member_of(wrt_tree, wrt)
    if member is None:
        return None
    family, label = member
    notation = _notation(wrt_tree)
    by: dict[int, t.Node] = {}
    edits: list[tuple[int, int, str]] = []
    written = head = ""
    entries: dict[str, str] = {}
    source: list[tuple[str, str]] = []
    for node in tree.walk():
        if not (isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None):
            continue
        pair = _pair(node.lower)
        if pair is None or label not in pair or node.lower is None:
            continue
        other = pair[1] if pair[0] == label else pair[0]
        named = _other_families(node.body)  # z_k^{+}: a member of the family z^+, not of z
        members = [  # (W_0 beside W^{(l)}: a matrix of its own, written another way)
            f
            for n in node.body.walk()
            if id(n) not in named
            and (f := _family(n)) is not None
            and f[0] == family
            and _notation(n) == notation
        ]
        if not members or any(f[1] != (label, 0) for f in members):
            return None
        if not _enters_linearly(tree, node, family, set(defined)):
            return None  # (a log of the sum over Ω: its value is the whole set's)
        start, stop = node.start, node.body.start
        if not (0 <= start < stop <= len(text)) or not text.startswith("\\sum", start):
            return None
        lower = text[node.lower.start : node.lower.end].strip()
        this = f"\\sum_{{{other}}}"
        if this in text[tree.start : tree.end] or len(this) > stop - start:
            return None  # (the row writes that sum itself: written back, it would be taken)
        if head and this != head:
            return None
        head = this
        written = f"\\sum_{{{other} : {lower}}}"
        edits.append((start, stop, this.ljust(stop - start)))
        source.append((this.ljust(stop - start), text[start:stop]))
        index = t.Symbol(other, start=node.lower.start, end=node.lower.start + 1)
        by[id(node)] = replace(node, lower=index)
        for n in node.body.walk():
            key = symbol_key(n)
            if key is not None and key[0] not in declared and _pair_entry(n, pair):
                entries.setdefault(key[0], latex_of(n))
    if not by:
        return None
    for start, stop, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[stop:]
    return SetSum(t.replaced(tree, by), text, head, written, tuple(entries.items()), tuple(source))


_COMPARED = ("<", ">", "\\neq", "\\ne", "\\leq", "\\le", "\\geq", "\\ge")


def _index_set(lower: t.Node | None) -> tuple[str, t.Node] | None:
    r"""(``i``, the set) of ``i \in \mathcal{B}`` — one plain index letter in a set named by
    a symbol (a minibatch, a neighbourhood ``\mathcal N(v)``) — or of ``i < j``, ``i \neq j``
    (the pairs: j another index, free in the summand); None for anything else."""
    if not (isinstance(lower, t.Chain) and len(lower.relations) == 1 and len(lower.items) == 2):
        return None
    index, where = lower.items
    pair = _pair(lower)
    if pair is not None and where is not None:  # (i,j) \in \mathcal S: over i, j free
        return pair[0], where
    if not (isinstance(index, t.Symbol) and index.font is None and not index.accents):
        return None
    if lower.relations[0] in _COMPARED:
        if not (isinstance(where, t.Symbol) and where.font is None and not where.accents):
            return None
        return (index.name, where) if where.name != index.name else None
    if lower.relations[0] != "\\in":
        return None
    if where is None or not any(symbol_key(n) is not None for n in where.walk()):
        return None
    return index.name, where


def _head_edit(node: t.BigOp, text: str) -> tuple[int, int] | None:
    """Where the sum's head (``\\sum_{…}^{…}``) is in ``text``: written plainly, else None."""
    if node.body is None:
        return None
    start, stop = node.start, node.body.start
    if not (0 <= start < stop <= len(text)) or not text.startswith("\\sum", start):
        return None
    return start, stop


def _plain_sum(node: t.Node) -> bool:
    r"""``\sum_{i=1}^N …`` or ``\sum_i …`` (no set, no comparison in its index)."""
    if not (isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None):
        return False
    lower = node.lower
    if isinstance(lower, t.Symbol):
        return lower.font is None
    return (
        isinstance(lower, t.Chain)
        and lower.relations == ("=",)
        and isinstance(lower.items[0], t.Symbol)
    )


def _nested(tree: t.Node, text: str) -> SetSum | None:
    r"""``\sum_{i=1}^N\sum_{j=1}^N f(\mathbf x_i, \mathbf x_j, s_{ij})`` read as the sum over
    i with j free (a fixed label: ``\mathbf x_j`` a vector of its own, ``s_{ij}`` a number), its
    result written back under both sums: by a variable no member is, the derivative of the
    double sum is the double sum of the summands' derivatives, and the one over i, checked
    for a j held fixed with every member sampled, holds for each j."""
    by: dict[int, t.Node] = {}
    edits: list[tuple[int, int, str]] = []
    written = head = ""
    for node in tree.walk():
        if not (isinstance(node, t.BigOp) and _plain_sum(node) and node.body is not None):
            continue
        if not _plain_sum(node.body):
            continue
        inner = node.body
        assert isinstance(inner, t.BigOp) and inner.body is not None
        if isinstance(inner.body, t.BigOp):
            return None  # (three sums: not read)
        outer_at, inner_at = _head_edit(node, text), _head_edit(inner, text)
        if outer_at is None or inner_at is None or outer_at[1] != inner_at[0]:
            return None
        this = text[outer_at[0] : outer_at[1]].strip()
        both = f"{this}{text[inner_at[0] : inner_at[1]].strip()}"
        if (written and both != written) or (head and this != head):
            return None
        written, head = both, this
        edits.append((inner_at[0], inner_at[1], " " * (inner_at[1] - inner_at[0])))
        by[id(node)] = replace(node, body=inner.body)
    if not by:
        return None
    if text[tree.start : tree.end].count(head) != len(by):
        return None  # (the row writes that sum alone too: written back, it would be taken)
    for start, stop, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[stop:]
    note = f"; `{written}` checked as the sum over the first index, the second held fixed"
    return SetSum(t.replaced(tree, by), text, head, written, (), (), note)


def over_an_index_set(tree: t.Node, text: str, wrt_tree: t.Node | None) -> SetSum | None:
    r"""``\sum_{i \in \mathcal{B}} f(\mathbf x_i, y_i)`` (a minibatch) read as ``\sum_{i}``
    over some members of the family, which is what it is: its derivative by anything but a
    member is the sum of the summands' derivatives over the same set, written back over it;
    ``\sum_{i<j}`` likewise with j free, and two sums in a row (:func:`_nested`).
    Every such sum of the row must be over the same set, written plainly in ``text``; None
    otherwise (then the sum's own words), and by any member of a family."""
    if wrt_tree is not None and _family(wrt_tree) is not None:
        return None  # (by x_i or x_k: in more than one term, or in one if in the set)
    nested = _nested(tree, text)
    if nested is not None:
        return nested
    written = head = ""
    pairs = False
    edits: list[tuple[int, int, str]] = []
    by: dict[int, t.Node] = {}
    for node in tree.walk():
        if not (isinstance(node, t.BigOp) and node.op == "\\sum" and node.body is not None):
            continue
        found = _index_set(node.lower)
        if found is None or node.lower is None:
            continue
        at = _head_edit(node, text)
        if at is None:
            return None
        start, stop = at
        lower = text[node.lower.start : node.lower.end].strip()
        this = f"\\sum_{{{found[0]}}}"
        if (written and lower.split() != written.split()) or len(this) > stop - start:
            return None
        if this in text[tree.start : tree.end]:
            return None  # (the row writes that sum itself: written back, it would be taken)
        relation = node.lower.relations[0] if isinstance(node.lower, t.Chain) else ""
        written, head, pairs = lower, this, relation != "\\in"
        edits.append((start, stop, this.ljust(stop - start)))
        index = t.Symbol(found[0], start=node.lower.start, end=node.lower.start + 1)
        by[id(node)] = replace(node, lower=index)
    if not by:
        return None
    source = tuple((new, text[a:b]) for a, b, new in edits)
    for start, stop, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[stop:]
    shown = f"\\sum_{{{written}}}"
    note = f"; `{shown}` checked as a sum over as many members as the set has, every member sampled"
    if pairs or "," in written:
        note = f"; `{shown}` checked as the sum over `{head[6:-1]}` with the other index held fixed"
    return SetSum(t.replaced(tree, by), text, head, shown, (), source, note)


def _shifted(node: t.BigOp, family: str, index: str, text: str) -> str:
    """The first member of ``family`` in the sum's body not labelled by its own ``index``
    (``U^{(l-1)}`` beside ``U^{(l)}``), as written."""
    assert node.body is not None
    return next(
        _as_written(n, text)
        for n in node.body.walk()
        if (f := _family(n)) is not None and f[0] == family and f[1] != (index, 0)
    )


@dataclass(frozen=True)
class Shifted:
    r"""A sum whose summand holds the variable's family shifted (``\sum_{l=2}^L
    \|U^{(l)} - U^{(l-1)}\|_F^2`` by ``U^{(l)}``, in the terms l and l + 1), read as the terms
    that involve the member: ``inner`` (every such term, the labels ``inside`` — ``2 \le l
    \le L - 1``), and at each end of the family's range the terms there are (``ends``: the
    label's value written, ``1`` or ``L``, and the loss with those terms alone).  ``label``:
    the variable's label letter; ``said``: the sum as written; ``terms``: the labels of the
    terms read, written (``l`` and ``l + 1``)."""

    inner: t.Node
    inside: str
    total: t.BigOp  # the sum as the row writes it
    first: int  # its index's first value
    shifts: tuple[int, ...]  # the members' labels less the index (-1 of U^{(l-1)})
    ends: tuple[tuple[str, sympy.Expr, t.Node], ...]
    label: str
    said: str
    terms: str
    names: tuple[tuple[str, str], ...]  # the shifted members' keys and how they are written


def shifted_member(
    tree: t.Node, wrt: str, wrt_tree: t.Node | None, text: str,
    defined: frozenset[str] | set[str] = frozenset(),
) -> Shifted | None:  # fmt: skip
    r"""``tree``'s one sum over the variable's family that holds it shifted, read as the terms
    that involve the variable (see :class:`Shifted`); None where there is no such sum, or it
    is not read so: a range from a number to a bound, the sum entering the loss linearly,
    its index used by the members' labels only."""
    member = _member_of(wrt_tree, wrt)
    if member is None or wrt_tree is None:
        return None
    family, label = member
    found = [
        n for n in tree.walk()
        if isinstance(n, t.BigOp) and n.op == "\\sum" and n.body is not None
        and _family_members(n.body, family)
    ]  # fmt: skip
    if len(found) != 1:
        return None
    node = found[0]
    assert node.body is not None
    index = sum_index(node.lower)
    low = node.lower
    if index is None or len(index) != 1 or node.upper is None or not isinstance(low, t.Chain):
        return None
    first = low.items[1] if len(low.items) == 2 else None
    if low.relations != ("=",) or not isinstance(first, t.Number) or not first.text.isdigit():
        return None
    upper = dim_of(node.upper)
    if upper is None or any(isinstance(n, t.BigOp) for n in node.body.walk()):
        return None
    members = _family_members(node.body, family)
    shifts = sorted({f[1][1] for _, f in members})
    if any(f[1][0] != index[0] for _, f in members) or len(shifts) < 2 or max(shifts) > 3:
        return None
    if min(shifts) < -3 or not _enters_linearly(tree, node, family, set(defined)):
        return None
    in_labels = {id(x) for n, _ in members for x in _label_nodes(n)}
    if any(
        isinstance(n, t.Symbol) and n.name in (index[0], label) and id(n) not in in_labels
        for n in node.body.walk()
    ):
        return None  # the index beside the members (\lambda_l): not read here
    a, b = int(first.text), upper
    offsets = sorted(-s for s in shifts)
    names: dict[str, str] = {}
    terms = {d: _relabelled(node.body, members, label, d, wrt_tree, names) for d in offsets}

    def loss(valid: list[int]) -> t.Node:
        parts = tuple(t.Paren(terms[d], "(", ")", start=node.start, end=node.end) for d in valid)
        body = parts[0] if len(parts) == 1 else t.Add(parts, ("",) + ("+",) * (len(parts) - 1))
        wrapped = t.Paren(body, "(", ")", start=node.start, end=node.end)
        return t.replaced(tree, {id(node): wrapped})

    lo, hi = a - min(offsets), b - max(offsets)
    ends: list[tuple[str, sympy.Expr, t.Node]] = []
    for k in range(a - max(offsets), a - min(offsets)):  # the first members: fewer terms
        value = sympy.Integer(k)
        ends.append((sympy.latex(value), value, loss([d for d in offsets if k + d >= a])))
    for k in range(max(offsets) - 1, min(offsets) - 1, -1):  # the last ones
        value = b - k
        ends.append((sympy.latex(value), value, loss([d for d in offsets if d <= k])))
    inside = f"{sympy.latex(sympy.Integer(lo))} \\le {label} \\le {sympy.latex(hi)}"
    shown = ", ".join(_label_text(label, d) for d in offsets)
    return Shifted(
        loss(offsets),
        inside,
        node,
        a,
        tuple(shifts),
        tuple(ends),
        label,
        _as_written(node, text),
        shown,
        tuple(names.items()),
    )


def _family_members(body: t.Node, family: str) -> list[tuple[t.Node, tuple[str, Label, t.Node]]]:
    """The members of ``family`` in ``body``, each with what :func:`_family` reads of it."""
    named = _other_families(body)
    return [
        (n, f)
        for n in body.walk()
        if id(n) not in named and (f := _family(n)) is not None and f[0] == family
    ]


def _label_nodes(node: t.Node) -> list[t.Node]:
    found = _family(node)
    return list(found[2].walk()) if found is not None else []


def _label_text(letter: str, offset: int) -> str:
    return letter if offset == 0 else f"{letter} {'+' if offset > 0 else '-'} {abs(offset)}"


def _label_node(letter: str, offset: int) -> t.Node:
    symbol = t.Symbol(letter)
    if offset == 0:
        return symbol
    return t.Add((symbol, t.Number(str(abs(offset)))), ("", "+" if offset > 0 else "-"))


def _relabelled(
    body: t.Node, members: list[tuple[t.Node, tuple[str, Label, t.Node]]], letter: str,
    offset: int, wrt_tree: t.Node, names: dict[str, str],
) -> t.Node:  # fmt: skip
    """The term of the sum whose members are the variable's, ``offset`` on (the term
    ``l + 1`` of ``\\|U^{(j)} - U^{(j-1)}\\|`` is ``\\|U^{(l+1)} - U^{(l)}\\|``); ``names``
    gathers each new member's key and how it is written."""
    by: dict[int, t.Node] = {}
    for n, (_, lab, _) in members:
        shift = offset + lab[1]
        new = _member_node(n, _label_node(letter, shift))
        key = member_key(new)
        if key is not None:
            names.setdefault(key[0], _written_like(wrt_tree, letter, shift))
        by[id(n)] = new
    return t.replaced(body, by)


def _member_node(n: t.Node, label: t.Node) -> t.Node:
    """The member ``n`` of its family, labelled ``label``."""
    if isinstance(n, t.Sub):
        return t.Sub(n.base, label, start=n.start, end=n.end)
    if isinstance(n, t.Tagged):
        return t.Tagged(n.base, label, n.bracket, start=n.start, end=n.end)
    assert isinstance(n, t.Power) and isinstance(n.exponent, t.Paren)
    return t.Tagged(n.base, label, n.exponent.open, start=n.start, end=n.end)


def _written_like(wrt_tree: t.Node, letter: str, shift: int) -> str:
    """The member labelled ``letter`` + ``shift``, written as the variable is."""
    written = latex_of(wrt_tree)
    if shift == 0:
        return written
    text = _label_text(letter, shift).replace(" ", "")
    if isinstance(wrt_tree, t.Sub):
        return f"{latex_of(wrt_tree.base)}_{{{text}}}"
    if isinstance(wrt_tree, t.Tagged):
        close = ")" if wrt_tree.bracket == "(" else "]"
        return f"{latex_of(wrt_tree.base)}^{{{wrt_tree.bracket}{text}{close}}}"
    return written


def at_label(printed: str, letter: str, value: sympy.Expr) -> str:
    r"""``printed`` with the label letter given its value, in each member's label
    (``U^{(l+1)}`` at l = 1: ``U^{(2)}``; at l = L: ``U^{(L + 1)}``)."""

    def one(m: re.Match[str]) -> str:
        sign, amount = m.group(2), m.group(3)
        shift = 0 if not sign else (int(amount) if sign == "+" else -int(amount))
        return m.group(1) + sympy.latex(value + shift).replace(" ", "") + m.group(4)

    pattern = (
        rf"(\^\{{\(|_\{{|_)(?:{re.escape(letter)})(?:\s*([+-])\s*(\d+))?(\)\}}|\}}|(?![A-Za-z]))"
    )
    return re.sub(pattern, one, printed)
