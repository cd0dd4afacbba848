r"""A declared letter a later row ties to the function's letters, read so in a claim.

"Let $\mathbf z \in \mathbb{R}^K$ be the logits, $\mathbf p = \operatorname{softmax}(\mathbf
z)$", and a section on, "With $\mathbf z = W\mathbf h + \mathbf b$ … and $L(W) = -\mathbf
y^\top \log\operatorname{softmax}(W\mathbf h + \mathbf b)$, $\frac{\partial L}{\partial
\mathbf b} = \mathbf p - \mathbf y$": the claim's p is softmax(Wh + b) there.  z is declared,
so ``z = Wh + b`` is no definition of the document (a declared letter is a variable), and p
read with a z of its own is no value of L's letters: a false alarm.  :func:`rebound` gives
the environment of such a claim — each declared letter that a name the claim uses is
defined in, that the function has not, and that the nearest row before the claim setting
it writes in the function's letters alone, defined as that row says.
"""

from __future__ import annotations

from dataclasses import replace

from texgrad.calculus.lower import Env, FunctionDef
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

_DEPTH = 8  # definitions followed from the claim


def rebound(
    rows: list[PlacedRow], path: str, at: int, claimed: t.Node, letters: set[str], env: Env
) -> Env:
    """``env`` with each letter of :func:`_free_in_definitions` defined by the nearest row
    before ``at`` that sets it in ``letters`` alone (the function's); ``env`` itself where
    there is none."""
    free = _free_in_definitions(claimed, letters, env)
    if not free:
        return env
    found: dict[str, FunctionDef] = {}
    for row in reversed(rows):
        if row.path != path or row.end > at:
            continue
        setting = _setting(row.tree_as_parsed, free - found.keys(), letters, env)
        if setting is not None:
            found[setting.key] = setting
            if len(found) == len(free):
                break
    if not found:
        return env
    return replace(env, functions={**env.functions, **found})


def _keys(node: t.Node) -> set[str]:
    return {k[0] for n in node.walk() if (k := symbol_key(n)) is not None}


def _free_in_definitions(claimed: t.Node, letters: set[str], env: Env) -> set[str]:
    """The declared letters the function has not that the definitions of the names the
    claim uses are written in (``z`` of ``p = softmax(z)``), not the claim itself."""
    free: set[str] = set()
    seen: set[str] = set()
    pending = [k for k in _keys(claimed) if k not in letters]
    while pending and len(seen) < _DEPTH:
        key = pending.pop()
        fdef = env.functions.get(key)
        if key in seen or fdef is None or fdef.params:
            continue
        seen.add(key)
        for k in _keys(fdef.body):
            if k in letters or k in seen:
                continue
            if k in env.functions:
                pending.append(k)
            elif k in env.vars:
                free.add(k)
    return free


def _setting(
    tree: t.Node | None, wanted: set[str], letters: set[str], env: Env
) -> FunctionDef | None:
    """``z = W\\mathbf h + \\mathbf b`` for a wanted z, in the function's letters alone (at
    least one of them; constants besides)."""
    if not isinstance(tree, t.Chain) or len(tree.items) != 2 or tree.relations != ("=",):
        return None
    head, body = tree.items
    key = symbol_key(head) if head is not None else None
    if key is None or key[0] not in wanted or body is None:
        return None
    used = {k for k in _keys(body) if k in env.vars or k in env.functions}
    if key[0] in used or not used or not used <= letters:
        return None
    return FunctionDef(key[0], (), body)
