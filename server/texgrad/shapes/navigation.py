r"""Where symbols are: occurrences, the declaration behind a use, a document's outline.

Plain values for the fronts (go to definition, find references, document symbols in
the language server).  A symbol is its key (:func:`symbol_key`): ``\mathbf{x}`` and
``x`` are one symbol, ``W_{1}`` is not ``W``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from texgrad.shapes.check import CheckResult
from texgrad.shapes.dims import Shape
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

_DEFINING = ("=", ":=", "\\coloneqq", "\\triangleq", "\\equiv", "\\doteq")


@dataclass(frozen=True, slots=True)
class Place:
    path: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SymbolAt:
    key: str
    font: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OutlineItem:
    """One entry of a document's outline."""

    name: str
    detail: str
    kind: str  # "symbol", "function", "equation"
    start: int  # the whole thing (a declaration, a row, an equation)
    end: int
    name_start: int  # the part to select (the symbol, the label)
    name_end: int


def symbols(node: t.Node) -> Iterator[tuple[t.Node, tuple[str, str | None]]]:
    """Every symbol of a tree with its key; a subscripted symbol (``W_1``) is one symbol,
    not also ``W``, but the symbols of its index are symbols too."""
    stack = [node]
    while stack:
        n = stack.pop()
        key = symbol_key(n)
        if key is not None:
            yield n, key
            if isinstance(n, t.Sub):
                stack.append(n.index)
            continue
        stack.extend(reversed(list(n.children())))


def symbol_at(result: CheckResult, offset: int) -> SymbolAt | None:
    """The symbol under ``offset`` (or just before it, at the end of a word)."""
    best: SymbolAt | None = None
    touching: SymbolAt | None = None  # a symbol that ends at the offset
    for row in _rows_near(result.rows, offset):
        for node, (key, font) in symbols(row.tree):  # type: ignore[arg-type]
            if node.start <= offset < node.end and (
                best is None or node.end - node.start < best.end - best.start
            ):
                best = SymbolAt(key, font, node.start, node.end)
            elif node.end == offset and touching is None:
                touching = SymbolAt(key, font, node.start, node.end)
    return best or touching


def _rows_near(rows: list[PlacedRow], offset: int) -> Iterator[PlacedRow]:
    for row in rows:
        if row.tree is not None and row.start <= offset <= row.end:
            yield row


def occurrences(results: Iterable[CheckResult], key: str) -> list[Place]:
    """Every use of the symbol ``key`` in the rows of the checked documents."""
    out = []
    for result in results:
        for row in result.rows:
            if row.tree is None:
                continue
            for node, (k, _font) in symbols(row.tree):
                if k == key and node.end > node.start:
                    out.append(Place(row.path, node.start, node.end))
    return sorted(set(out), key=lambda p: (p.path, p.start))


def references(
    result: CheckResult, others: Iterable[CheckResult], key: str, include_declaration: bool
) -> list[Place]:
    """Every use of the symbol ``key`` in a document (``result``) and the other files of
    its project (``others``, checked on their own), in order; with
    ``include_declaration``, also where the document's table declares it in those files
    (a definition ``y = Ax`` is a use already)."""
    results = [result, *others]
    paths = {r.path for r in results}
    places = occurrences(results, key)
    if include_declaration:
        for d in result.table.declarations.get(key, ()):
            if d.path in paths and d.how != "definition":
                places.append(Place(d.path, d.start, d.end))
    return sorted(set(places), key=lambda p: (p.path, p.start))


def definition(result: CheckResult, offset: int) -> list[Place]:
    """Where the symbol under ``offset`` is declared (the declaration in force there), or
    defined (``f(x) = …``, ``y = Ax``) for a symbol nobody declared."""
    at = symbol_at(result, offset)
    if at is None:
        return []
    decl = result.table.lookup(at.key, at.font, result.path, at.start)
    if decl is not None and decl.how != "definition":
        return [Place(decl.path, decl.start, decl.end)]
    places = []
    for row in result.rows:
        if row.tree is None:
            continue
        head = _defined_head(row.tree, at.key)
        if head is not None:
            places.append(Place(row.path, head.start, head.end))
    if places:
        before = [p for p in places if p.start <= at.start]
        return [before[-1] if before else places[0]]
    decls = result.table.declarations.get(at.key)
    if decls:  # declared elsewhere only (another section, another file)
        d = decls[0]
        return [Place(d.path, d.start, d.end)]
    return []


def _defined_head(tree: t.Node, key: str) -> t.Node | None:
    """The head of ``key(x) = …`` or ``key = …`` in a row, if the row defines ``key``."""
    for chain in _chains(tree):
        if not chain.relations or chain.relations[0] not in _DEFINING:
            continue
        head = chain.items[0]
        if isinstance(head, t.Apply):
            head = head.func
        if head is not None and (k := symbol_key(head)) is not None and k[0] == key:
            return head
    return None


def _chains(tree: t.Node) -> Iterator[t.Chain]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, t.Chain):
            yield node
        elif isinstance(node, (t.Sequence, t.List)):
            stack.extend(node.items)


_LABEL = re.compile(r"\\label\{([^}\n]{1,200})\}")
_PANDOC_LABEL = re.compile(r"[ \t]*\{#(eq:[^}\s]{1,200})\}")


def outline(result: CheckResult) -> list[OutlineItem]:
    """Declared symbols, defined functions and labelled equations of a document."""
    text = result.doc.text
    table = result.table
    items: list[OutlineItem] = []
    for key, decls in table.declarations.items():
        if "\0" in key:
            continue  # (W_\ast kept again for the members it declares: listed once)
        for d in decls:
            if d.path != result.path or d.how == "definition":
                continue
            sentence = _line_around(text, d.start, d.end)
            items.append(
                OutlineItem(
                    table.written(d), d.shape.unicode(), "symbol", sentence[0], sentence[1],
                    d.start, d.end,
                )
            )  # fmt: skip
    for row in result.rows:
        if row.tree is None:
            continue
        for chain in _chains(row.tree):
            head = chain.items[0]
            if (
                chain.relations
                and chain.relations[0] in _DEFINING
                and isinstance(head, t.Apply)
                and symbol_key(head.func) is not None
            ):
                body = chain.items[1] if len(chain.items) > 1 else None
                shape = result.shapes.get(body) if body is not None else None
                items.append(
                    OutlineItem(
                        text[head.start : head.end],
                        f"→ {shape.unicode()}" if isinstance(shape, Shape) else "",
                        "function",
                        row.start,
                        row.end,
                        head.func.start,
                        head.func.end,
                    )
                )
    for region in result.doc.regions:
        labels = list(_LABEL.finditer(text, region.start, region.end))
        m = _PANDOC_LABEL.match(text, region.end)
        for lab in labels:
            items.append(
                OutlineItem(lab.group(1), "equation", "equation", region.start, region.end,
                            lab.start(1), lab.end(1))
            )  # fmt: skip
        if m and not labels:
            items.append(
                OutlineItem(m.group(1), "equation", "equation", region.start, m.end(),
                            m.start(1), m.end(1))
            )  # fmt: skip
    items.sort(key=lambda i: (i.start, i.name_start))
    return items


def _line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The declaration's range widened to its math region's line (for an outline)."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return a, (b if b >= 0 else len(text))
