r"""A bare letter that a document uses as the generic member of a family it declares.

With ``\mathbf{s}_t \in \mathbb{R}^p`` declared and no ``\mathbf{s}`` itself, a function
defined on a bare ``\mathbf{s}`` (``W_t(\mathbf{s}) = \mathbf{s}^\top M_t \mathbf{s}``,
``k(\mathbf{x}, \mathbf{x}') = …``) or an optimisation over one (``\min_{\mathbf{a}}``, with
``\mathbf{a}_t \in \mathbb{R}^q``) names the generic state, input or action: a member of the
family, of its shape.  The letter is declared so where the definition (the optimisation) is
written.  Only what the document writes decides: a bare letter merely used beside the family
(``A\mathbf{x}`` beside ``\mathbf{x}_t``) is not read as a member — its shape is not
guessed — nor is one of a family of numbers (``y`` beside ``y_i \in \mathbb{R}`` is as
often the vector of the y_i), nor one whose family's shape depends on its label (``x_k \in
\mathbb{R}^{n_k}``), nor one of two families (``x_i`` and ``x_t`` of other shapes), nor a
plain letter (a bold one is an array; a plain ``z`` beside ``z_k \in \mathbb{R}^{n}`` may be
the number of a transfer function, ``L(z) = K(zI - A)^{-1}B``).
"""

from __future__ import annotations

from collections.abc import Iterator

from texgrad.shapes.dims import Shape, mentions
from texgrad.shapes.families import SUBSCRIPT_LABELS
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.table import Declaration, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

# the kind of a generic member's declaration beside members of other labels (x beside x_i
# and x_{n+1}): the bare letter has the family's shape, and x_{n+1} is no entry of it
MEMBER = "member"

_DEFINES = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv"})
_BOLD = frozenset({"mathbf", "boldsymbol", "bm", "pmb", "vb", "symbf"})
_OPTIMISATIONS = frozenset({"min", "max", "argmin", "argmax", "arg\\min", "arg\\max"})


Key = tuple[str, str | None]
# what one row holds, by its key (text and map: shapes/check.py), its offsets relative to
# its tree's start: the bare letters it defines a function on or optimises over (each with
# its letter without a prime), and by letter the letters its subscripts hold.  An edit
# reads again only the rows it changed (the Cookbook has 2,700).
_Arguments = tuple[tuple[Key, Key, int, int], ...]
_Labels = tuple[tuple[Key, frozenset[str]], ...]
_BY_ROW: dict[object, tuple[_Arguments, _Labels]] = {}  # (emptied past _KEPT rows)
_KEPT = 50_000
_NOTHING: tuple[_Arguments, _Labels] = ((), ())  # (what most rows hold: one object)


def generic_members(by_path: dict[str, list[PlacedRow]], table: SymbolTable) -> list[Declaration]:
    """The bare letters the rows use as a family's generic member, each declared at its
    first such use in each file."""
    out: list[Declaration] = []
    if not _bold_families(table):
        return out  # (no bold family declared: no row need be read)
    held = {path: _holding(rows) for path, rows in by_path.items()}
    others: dict[Key, set[str]] | None = None  # (made when a candidate first needs it)
    for path, rows in held.items():
        seen: set[Key] = set()
        for row, (arguments, _) in sorted(rows, key=lambda r: r[0].start):
            for key, letter, start, end in arguments:
                if key in seen or key[0] in table.declarations:
                    continue
                if letter[0] in table.declarations or letter[1] not in _BOLD:
                    # (x' beside a declared x: another point of x's own shape, not said; a plain
                    # z may be a number of its own: the frequency of a transfer function L(z))
                    continue
                found = _family_shape(letter[0], letter[1], table)
                if found is None:
                    continue
                shape, label = found
                if others is None:
                    others = _other_labels(held)
                # (x_{n+1} beside x_i: beside a declared x it would read as an entry of x, so
                # the generic x is declared of kind MEMBER, which members do not read as a
                # bare letter declared: rules/symbols.py, SymbolRules._member)
                apart = not others.get(letter, set()) <= {label, label.upper()}
                seen.add(key)
                where = row.start + start, row.start + end
                how = MEMBER if apart else "prose"
                out.append(Declaration(key[0], key[1], shape, path, *where, how))
    return out


def _bold_families(table: SymbolTable) -> bool:
    """Does the table declare a member of a family in bold (``\\mathbf{s}_{t}``)?"""
    suffixes = tuple(f"_{{{label}}}" for label in SUBSCRIPT_LABELS)
    return any(
        key.endswith(suffixes) and any(d.font in _BOLD for d in decls)
        for key, decls in table.declarations.items()
    )


def _holding(rows: list[PlacedRow]) -> list[tuple[PlacedRow, tuple[_Arguments, _Labels]]]:
    """The rows that hold something for this module, with what they hold (most hold nothing:
    ~1,300 of the Cookbook's 1,350, read at each edit from :data:`_BY_ROW` without a call)."""
    out = []
    known = _BY_ROW.get
    for row in rows:
        holds = known(row.key, None) if row.key is not None else None
        if holds is None:
            holds = _row_holds(row)
        if holds is not _NOTHING:
            out.append((row, holds))
    return out


def _row_holds(row: PlacedRow) -> tuple[_Arguments, _Labels]:
    """What ``row`` holds for this module (:data:`_BY_ROW`), read once per row key."""
    known = _BY_ROW.get(row.key) if row.key is not None else None
    if known is not None:
        return known
    tree = row.tree_as_parsed
    if tree is None:
        return _NOTHING
    arguments: list[tuple[Key, Key, int, int]] = []
    labels: dict[Key, set[str]] = {}
    sub, chain, func = t.Sub, t.Chain, t.Func
    for node in tree.walk():  # (one walk: a cold check reads every row of the document)
        if isinstance(node, sub):
            _add_labels(node, labels)
            continue
        if not isinstance(node, chain | func):  # (most nodes: no generator made for them)
            continue
        for arg in _generic_arguments(node):
            key = symbol_key(arg)
            letter = symbol_key(arg.base if isinstance(arg, t.Prime) else arg)
            if key is not None and letter is not None:
                arguments.append((key, letter, arg.start - tree.start, arg.end - tree.start))
    got = (tuple(arguments), tuple((k, frozenset(v)) for k, v in labels.items()))
    if not got[0] and not got[1]:
        got = _NOTHING
    if row.key is not None:
        if len(_BY_ROW) >= _KEPT:
            _BY_ROW.clear()
        _BY_ROW[row.key] = got
    return got


def _generic_arguments(node: t.Node) -> Iterator[t.Symbol | t.Prime]:
    r"""The bare letters ``node`` defines a function on (``f(x, x') = …``: x) or optimises
    over (``\min_{a}``)."""
    if isinstance(node, t.Chain) and node.relations and node.relations[0] in _DEFINES:
        yield from _parameters(node.items[0])
    elif isinstance(node, t.Func) and node.name.lstrip("\\") in _OPTIMISATIONS:
        if isinstance(node.sub, t.Symbol):
            yield node.sub


def _parameters(head: t.Node | None) -> Iterator[t.Symbol | t.Prime]:
    r"""The bare letters between the parentheses of a defined function's head
    (``W_t(\mathbf{s})``, ``k(\mathbf{x}, \mathbf{x}')``)."""
    if isinstance(head, t.Product) and len(head.factors) == 2:
        func, paren = head.factors
        if not isinstance(func, t.Symbol | t.Sub) or not isinstance(paren, t.Paren):
            return
        if paren.open != "(" or paren.body is None:
            return
        body = paren.body
        items = body.items if isinstance(body, t.List) else (body,)
    elif isinstance(head, t.Apply) and isinstance(head.func, t.Symbol | t.Sub):
        items = head.args
    else:
        return
    for item in items:  # (x' of k(x, x'): another member)
        if isinstance(item, t.Symbol) or (
            isinstance(item, t.Prime) and isinstance(item.base, t.Symbol)
        ):
            yield item


def _family_shape(base: str, font: str | None, table: SymbolTable) -> tuple[Shape, str] | None:
    """The shape and label of the one family ``base_{label}`` declared (in ``font``) with
    one non-scalar shape that does not depend on its label; None if none or several."""
    found: set[tuple[Shape, str]] = set()
    for label in SUBSCRIPT_LABELS:
        decls = [
            d
            for d in table.declarations.get(f"{base}_{{{label}}}", [])
            if d.font == font and d.how not in ("definition", "value")
        ]
        for d in decls:
            if d.shape.is_scalar or mentions(d.shape, label):
                return None
            found.add((d.shape, label))
    return found.pop() if len(found) == 1 else None


def _other_labels(
    held: dict[str, list[tuple[PlacedRow, tuple[_Arguments, _Labels]]]],
) -> dict[Key, set[str]]:
    r"""By letter, the letters its subscripts hold (``n`` of ``\mathbf{x}_{n+1}``): one other
    than the family's label makes a member that, beside a declared bare letter, reads as its
    entry, so the bare letter is then left unsized."""
    out: dict[Key, set[str]] = {}
    for rows in held.values():
        for _, (_, labels) in rows:
            for key, letters in labels:
                out.setdefault(key, set()).update(letters)
    return out


def _add_labels(node: t.Sub, into: dict[Key, set[str]]) -> None:
    """The letters the subscript of ``node`` holds, added to its letter's (if a letter)."""
    key = symbol_key(node.base) if isinstance(node.base, t.Symbol) else None
    if key is not None:
        letters = {
            n.name for n in node.index.walk() if isinstance(n, t.Symbol) and n.name.isalpha()
        }
        into.setdefault(key, set()).update(letters)
