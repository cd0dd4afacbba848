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

import re
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


# "All variables are real", "the quantities are real-valued", "x is a real vector": the
# field said, the shapes not
_REAL = re.compile(
    r"\b(?:is|are)\s+(?:all\s+)?(?:real(?:-valued)?|in\s+\$?\\mathbb\{?R\}?\$?)(?=[\s.,;:)]|$)"
)
_OF_ALL = re.compile(
    r"\b(?:all|every|each|throughout|variables?|quantities|symbols?|scalars?|unknowns?|"
    r"parameters?|entries|letters?)\b",
    re.IGNORECASE,
)
_QUOTED = 60  # characters of the sentence quoted at most


def _real_said(text: str) -> str | None:
    """The words of a document that say its symbols are real without a shape (the
    sentence up to "are real"), else None."""
    found = _REAL.search(text)
    if found is None:
        return None
    start = max(text.rfind(".", 0, found.start()), text.rfind("\n\n", 0, found.start())) + 1
    said = " ".join(text[start : found.end()].split())
    if _OF_ALL.search(said) is None:  # "its eigenvalues are real": not of the symbols
        return None
    return said if len(said) <= _QUOTED else "…" + said[-_QUOTED:].lstrip()


def real_message(said: str) -> str:
    return (
        f"the document says its symbols are real (“{said}”) but gives no shape: real scalars, "
        "vectors and matrices differ — declare each symbol's shape where you introduce it, e.g. "
        r"`$\lambda \in \mathbb{R}$`, `$x \in \mathbb{R}^n$` or "
        r"`$A \in \mathbb{R}^{m \times n}$`, so that texgrad can check shapes and "
        "differentiate (see " + HELP[CODE] + ")"
    )


def note(
    table: SymbolTable, rows: Iterable[PlacedRow], path: str, text: str = ""
) -> Diagnostic | None:
    """The note on the first formula (an operation on letters, not a lone letter or
    number) of a document whose project declares nothing; None otherwise.  Where its
    ``text`` says its symbols are real, the note says what is missing: their shapes."""
    if not declares_nothing(table):
        return None
    rows = list(rows)
    unread = _unread_declarations(rows)
    if unread is not None:  # \mA \in \mathbb{R}^{n \times n} of a \mA from a package not read
        row, names = unread
        return Diagnostic(CODE, "information", _undefined(names), path, row.start, row.end)
    for row in rows:
        tree = row.tree
        if tree is None or isinstance(tree, _LEAVES):
            continue
        if any(isinstance(n, t.Symbol) and n.name.isalpha() for n in tree.walk()):
            said = _real_said(text)
            message = MESSAGE if said is None else real_message(said)
            return Diagnostic(CODE, "information", message, path, row.start, row.end)
    return None


_MAX_NAMED = 4  # commands a note names


def _undefined(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:_MAX_NAMED]) + (
        ", …" if len(names) > _MAX_NAMED else ""
    )
    return (
        f"the shapes this document declares are of commands it does not define ({shown}): "
        "texgrad cannot read them — define each where the document can (e.g. "
        f"`\\newcommand{{{names[0]}}}{{…}}`, or `\\input` the file that does), so that texgrad "
        "can check shapes and differentiate (see " + HELP[CODE] + ")"
    )


def _unread_declarations(rows: list[PlacedRow]) -> tuple[PlacedRow, list[str]] | None:
    """The first row declaring with ``\\in`` what is an undefined command (``\\mA \\in
    \\mathbb{R}^{n \\times n}``, ``\\vx \\in \\R^n``), and every such command of the
    document's declarations, in order; None where there is none."""
    first: PlacedRow | None = None
    names: list[str] = []
    for row in rows:
        for node in row.tree.walk() if row.tree is not None else ():
            if not isinstance(node, t.Chain) or "\\in" not in node.relations:
                continue
            i = node.relations.index("\\in")
            left, right = node.items[i], node.items[i + 1]
            base = right.base if isinstance(right, t.Power) else right
            if not isinstance(base, t.Space | t.Opaque) or left is None:
                continue
            said = [n.text for n in (*left.walk(), *base.walk()) if isinstance(n, t.Opaque)]
            if said:
                first = first or row
                names += [n for n in said if n not in names]
    return (first, names) if first is not None else None
