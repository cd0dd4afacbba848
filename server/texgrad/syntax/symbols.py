"""What symbol a syntax node names: the key declarations, definitions and values share.

A symbol is its name after macro expansion, with its accents (``\\hat{x}``), subscript
(``W_{1}``) or family tag (``W^{(l)}``); its font is kept apart, as a font alone does not
make a new symbol unless the document declares both (see ``SymbolTable.lookup``).
"""

from __future__ import annotations

from texgrad.syntax import tree as t
from texgrad.syntax.show import show


def tagged_key(base: str, bracket: str, label: str) -> str:
    """The key of a labelled member of a family, ``h^{(t)}``, ``a^{[l]}``, or of a name
    tag (no bracket): ``W^{Q}``."""
    close = {"(": ")", "[": "]"}.get(bracket, "")
    return f"{base}^{{{bracket}{label}{close}}}"


def symbol_key(node: t.Node) -> tuple[str, str | None] | None:
    """The identity of a symbol node (key, font), or None if the node is not a symbol."""
    if isinstance(node, t.Symbol):
        if not (node.name[:1].isalpha() or node.name.startswith("\\")) or node.name.isdigit():
            return None
        key = node.name
        for accent in node.accents:
            key = f"\\{accent}{{{key}}}"
        return key, node.font
    if isinstance(node, t.Sub):
        base = symbol_key(node.base)
        if base is None:
            return None
        return f"{base[0]}_{{{show(node.index)}}}", base[1]
    if isinstance(node, t.Tagged):
        base = symbol_key(node.base)
        if base is None:
            return None
        return tagged_key(base[0], node.bracket, show(node.tag)), base[1]
    return None
