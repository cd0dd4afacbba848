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
    # the claim's own names too: "$P = \diag(u)K\diag(v)$" and, before it, "i.e. $P =
    # \diag(e^{f/\varepsilon})K\diag(e^{g/\varepsilon})$" — the claim on D(f, g) means the latter
    wanted = free | {k for k in _keys(claimed) if k not in letters and k in env.functions}
    found: dict[str, FunctionDef] = {}
    for row in reversed(rows):
        if row.path != path or row.end > at:
            continue
        setting = _setting(row.tree_as_parsed, wanted - found.keys(), letters, env)
        if setting is not None:
            found[setting.key] = setting
            if len(found) == len(wanted):
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


def through_settings(
    rows: list[PlacedRow], path: str, at: int, function: t.Node, wrt: str, env: Env
) -> Env:
    r"""``env`` where the declared letters ``function`` is written in (through the names it
    uses) that a row before ``at`` sets in terms of ``wrt`` are defined so: "logits $\mathbf z
    \in \mathbb{R}^K$ … $\mathbf z = W\mathbf x$", then ``\frac{\partial L}{\partial W}`` of
    ``L = -\mathbf y^\top\log\operatorname{softmax}(\mathbf z)``: z is W x there (by z itself,
    ``\frac{\partial L}{\partial \mathbf z}``, it stays the variable).  ``env`` itself where
    the function involves ``wrt`` already or nothing is set so."""
    letters = _letters_in(function, env)
    if wrt in letters:
        return env
    wanted = {k for k in letters if k in env.vars and k not in env.functions and k != wrt}
    found: dict[str, FunctionDef] = {}
    known = set(env.vars) | set(env.functions)  # (a setting may be written in any of them)
    for row in reversed(rows):
        if not wanted - found.keys():
            break
        if row.path != path or row.end > at:
            continue
        for chain in t.statements(row.tree_as_parsed) if row.tree_as_parsed is not None else ():
            setting = _set_in(chain, wanted - found.keys(), known, env)
            if setting is not None:
                found[setting.key] = setting
    if not any(wrt in _keys(d.body) for d in found.values()):
        return env
    return replace(env, functions={**env.functions, **found})


def _letters_in(node: t.Node, env: Env) -> set[str]:
    """The letters ``node`` is written in, through the bodies of the names it uses."""
    out: set[str] = set()
    pending = list(_keys(node))
    while pending and len(out) < 200:
        key = pending.pop()
        if key in out:
            continue
        out.add(key)
        fdef = env.functions.get(key)
        if fdef is not None and not fdef.params:
            pending.extend(_keys(fdef.body))
    return out


def _set_in(chain: t.Chain, wanted: set[str], known: set[str], env: Env) -> FunctionDef | None:
    """``z = W\\mathbf x + \\mathbf b`` for a wanted letter z (written alone), in any letters the
    document knows (``known``): :func:`_setting` with every letter allowed."""
    if not chain.items or not isinstance(chain.items[0], (t.Symbol, t.Font)):
        return None
    return _setting(chain, wanted, known, env)
