r"""One note for a document with math but no declaration at all: how to declare shapes.

Without a declaration texgrad knows no shape, so it can check nothing and differentiate
nothing; rather than one message per symbol, the document gets one ``information``
diagnostic, on its first formula, saying how (``$A \in \mathbb{R}^{m \times n}$``) and where
the README says more (:data:`HELP`: a code's section of the README, which the language server
turns into a link).  A declaration anywhere in the project (another file's notation
included), a signature or a comparison with a number (``\lambda > 0``) is enough to have
none.  Cheap: a document with a declaration is answered at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from texgrad.shapes.diagnostics import Diagnostic
from texgrad.shapes.rows import PlacedRow
from texgrad.shapes.table import SymbolTable
from texgrad.syntax import tree as t

CODE = "no-declarations"
ANCHOR = "declaring-shapes"  # the README's section "Declaring shapes"
HELP = {CODE: f"README.md#{ANCHOR}"}
MESSAGE = (
    "no shape is declared in this document: declare each symbol where you introduce it, e.g. "
    r"`$A \in \mathbb{R}^{m \times n}$`, `$x \in \mathbb{R}^n$` or `$\lambda > 0$`, so that "
    "texgrad can check shapes and differentiate (see " + HELP[CODE] + ")"
)
HOVER = (
    r"unknown shape — declare it, e.g. `$A \in \mathbb{R}^{m \times n}$` (see " + HELP[CODE] + ")"
)

_LEAVES = (t.Symbol, t.Number, t.Sub, t.Tagged, t.Text, t.Opaque, t.Empty, t.Dots)


def declares_nothing(table: SymbolTable) -> bool:
    return not (table.declarations or table.signatures or table.weak or table.stacks or table.bound)


def note(table: SymbolTable, rows: Iterable[PlacedRow], path: str) -> Diagnostic | None:
    """The note on the first formula (an operation on letters, not a lone letter or
    number) of a document whose project declares nothing; None otherwise."""
    if not declares_nothing(table):
        return None
    for row in rows:
        tree = row.tree
        if tree is None or isinstance(tree, _LEAVES):
            continue
        if any(isinstance(n, t.Symbol) and n.name.isalpha() for n in tree.walk()):
            return Diagnostic(CODE, "information", MESSAGE, path, row.start, row.end)
    return None
