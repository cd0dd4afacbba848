r"""Per-item formulas: indices the left-hand side fixes, and the entries at them as numbers.

A loss written for one rating, one sample, one pair, names its indices on the left:
``\ell_{ui} = (r_{ui} - \mathbf{q}_i^\top\mathbf{p}_u)^2 + \lambda\|\mathbf{p}_u\|^2`` is the
loss of the rating of user u for item i, u and i fixed.  Its entry ``r_{ui}`` of the ratings
matrix R is then a number (the rating), as are the subscripted plain letters nothing declares
(``b_u``, ``b_i``: the user's and the item's biases, entries of vectors the text never names),
and the formula a number whose gradient by ``\mathbf{p}_u`` is the textbook's
``-2(r_{ui} - \mathbf{q}_i^\top\mathbf{p}_u)\mathbf{q}_i + 2\lambda\mathbf{p}_u``.

Read only where the row is such a definition (its head carries the indices, none of them
summed in the row) and never for an entry of the variable differentiated by (``r_{ui}`` by R
is one entry of R, not a number independent of it: that stays refused).
"""

from __future__ import annotations

from texgrad.calculus.expr import ONE
from texgrad.calculus.lower import Env, VarInfo
from texgrad.calculus.written import index_names, sum_index
from texgrad.shapes.dims import Shape
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

__all__ = ["fixed_indices", "with_fixed_entries"]


def fixed_indices(tree: t.Node, env: Env) -> frozenset[str]:
    r"""The indices the row's head fixes (``u, i`` of ``\ell_{ui} = …``, ``i`` of
    ``\ell_i(\mathbf{w}) = …``), none summed in the row; empty where it is no such row."""
    if not isinstance(tree, t.Chain) or tree.relations[:1] not in (("=",), (":=",)):
        return frozenset()
    head = tree.items[0]
    if isinstance(head, t.Apply):
        head = head.func
    if not isinstance(head, t.Sub):
        return frozenset()
    names = index_names(head.index)
    if not names or any(len(n) != 1 or not n.isalpha() or n in env.vars for n in names):
        return frozenset()
    summed = {i for n in tree.walk() if isinstance(n, t.BigOp) for i in sum_index(n.lower) or ()}
    fixed = frozenset(names) - summed
    return fixed if len(fixed) == len(set(names)) else frozenset()


def _letter(node: t.Node) -> str | None:
    """The plain letter of an entry's base (``r`` of ``r_{ui}``, ``\\hat r_{ui}``), None for a
    bold or calligraphic one (a vector or matrix, declared as such) or anything else."""
    if not isinstance(node, t.Symbol) or node.font not in (None, "mathit"):
        return None
    name = node.name
    return name if len(name) == 1 and name.isalpha() and name.islower() else None


def with_fixed_entries(tree: t.Node, env: Env, wrt_key: str) -> list[str]:
    r"""Declare in ``env`` the entries at the row's fixed indices that nothing declares or
    defines (``r_{ui}``, ``b_u``) as numbers; returns how each is written, [] where none is.

    Not for an entry of the variable ``wrt_key`` (``r_{ui}`` by R or by ``\mathbf r``)."""
    fixed = fixed_indices(tree, env)
    if not fixed:
        return []
    wrt_letter, member, _ = wrt_key.partition("_{")
    parts = list(tree.items[1:]) if isinstance(tree, t.Chain) else []
    seen: set[str] = set()
    for part in parts:  # (parts grow: the definitions of per-item names the row uses)
        for n in part.walk() if part is not None else ():
            key = symbol_key(n) if isinstance(n, t.Sub) else None
            fdef = env.functions.get(key[0]) if key is not None else None
            if key is not None and fdef is not None and not fdef.params and key[0] not in seen:
                seen.add(key[0])  # \hat r_{ui} = \mu + b_u + b_i + q_i^T p_u
                parts.append(fdef.body)
    added: list[str] = []
    for part in parts:
        for n in part.walk() if part is not None else ():
            if isinstance(n, t.Sub) and _fixed_entry(n, fixed, env, wrt_letter, bool(member)):
                key = symbol_key(n)
                assert key is not None
                env.vars[key[0]] = VarInfo(key[0], Shape(ONE, ONE), key[0])
                added.append(key[0])
    for part in parts:  # μ + b_u + b_i: a plain letter added to those numbers is one
        for n in part.walk() if part is not None else ():
            if isinstance(n, t.Add) and any(_is_added(x, added) for x in n.terms):
                for x in n.terms:
                    if not isinstance(x, t.Symbol) or not _plain_greek(x):
                        continue
                    key = symbol_key(x)
                    if key is not None and key[0] not in env.vars and key[0] not in env.functions:
                        env.vars[key[0]] = VarInfo(key[0], Shape(ONE, ONE), key[0])
                        added.append(key[0])
    return added


def _fixed_entry(n: t.Sub, fixed: frozenset[str], env: Env, wrt_letter: str, member: bool) -> bool:
    names = index_names(n.index)
    letter = _letter(n.base)
    key = symbol_key(n)
    if not names or not set(names) <= fixed or letter is None or key is None:
        return False
    if key[0] in env.vars or key[0] in env.functions:
        return False
    if not member and letter in (wrt_letter, wrt_letter.lower()):
        return False  # an entry of the variable itself
    upper = env.vars.get(letter.upper())
    return upper is None or not upper.shape.is_scalar  # (an upper-case number: no entries)


def _is_added(x: t.Node, added: list[str]) -> bool:
    key = symbol_key(x) if isinstance(x, t.Sub) else None
    return key is not None and key[0] in added


def _plain_greek(x: t.Symbol) -> bool:
    r"""``\mu``, ``\beta``: a plain lower-case Greek letter."""
    return x.font is None and x.name.startswith("\\") and x.name[1:].islower()
