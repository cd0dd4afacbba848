r"""What the shape checker inferred of a letter nobody declares, from its use (``A\mathbf
w - \mathbf b``: a vector of m entries), as words and as a space to declare: the suggestion
of a letter's hover, of ``--explain`` and of a refused row's reason alike."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

if TYPE_CHECKING:
    from texgrad.shapes.check import CheckResult


def _equals_a_scalar(result: CheckResult, key: tuple[str, str | None]) -> bool:
    r"""Does a row set the letter alone equal to a formula the checker reads as a scalar
    (``\boldsymbol\mu^\top \mathbf w = r``)? Its use elsewhere (an entry of a block
    vector) must not then suggest it a vector.  (The letters so set are found once per
    checked document: every refused claim of a 1 MB thesis looked at its every row.)"""
    return key in _set_to_scalars(result)


def _set_to_scalars(result: CheckResult) -> frozenset[tuple[str, str | None]]:
    """The keys of :func:`_equals_a_scalar`: those of the items of an equation row of the
    document's own file beside which another item (of another key) is a scalar."""
    key = id(result)
    hit = _SCALARS.get(key)
    if (
        hit is not None
        and hit[0]() is result
        and hit[1] == (id(result.rows), len(result.rows), id(result.shapes))
    ):
        return hit[2]
    from texgrad.shapes.dims import ONE

    found: set[tuple[str, str | None]] = set()
    for row in (r for r in result.rows if r.path == result.path):
        tree = row.tree
        if not isinstance(tree, t.Chain) or "=" not in tree.relations:
            continue
        items = [i for i in tree.items if i is not None]
        keys = [symbol_key(i) for i in items]
        scalars: dict[tuple[str, str | None] | None, int] = {}
        for i, k in zip(items, keys, strict=True):
            shape = result.shapes.get(i)
            if shape is not None and shape.rows == ONE and shape.cols == ONE:
                scalars[k] = scalars.get(k, 0) + 1
        total = sum(scalars.values())
        found.update(k for k in keys if k is not None and total > scalars.get(k, 0))
    out = frozenset(found)

    def forget(ref: weakref.ref[CheckResult], table: dict[int, Any] = _SCALARS) -> None:
        current = table.get(key)
        if current is not None and current[0] is ref:
            del table[key]

    try:
        ref = weakref.ref(result, forget)
    except TypeError:  # (not weakly referable: found again next time)
        return out
    _SCALARS[key] = (ref, (id(result.rows), len(result.rows), id(result.shapes)), out)
    return out


_SCALARS: dict[int, tuple[weakref.ref[CheckResult], tuple[int, int, int], frozenset[Any]]] = {}


def inferred_use(result: CheckResult, node: t.Node) -> tuple[str, str] | None:
    r"""What the checker inferred of a letter from its use: in words, and as a space to
    declare (``\mathbb{R}^{m \times p}`` where only the columns are known)."""
    from texgrad.shapes.dims import ONE, dim_text

    key = symbol_key(node)
    if key is not None and _equals_a_scalar(result, key):
        return "a scalar", "\\mathbb{R}"  # \boldsymbol\mu^\top\mathbf w = r
    found = result.inferred.get(key[0]) if key is not None else None
    if found is None or all(e is None for e in found):
        return None
    rows, cols = found
    r = dim_text(rows) if rows is not None else ""
    c = dim_text(cols) if cols is not None else ""
    if cols == ONE:
        size = r or "n"
        return f"a vector of {r} entries" if r else "a vector", f"\\mathbb{{R}}^{{{size}}}"
    if r and c:
        return f"{r} rows and {c} columns", f"\\mathbb{{R}}^{{{r} \\times {c}}}"
    other = _free_letter(result, {r, c})  # (not one of the document's own dimensions)
    if r and cols is None and key is not None and _vector_letter(key):
        return f"a vector of {r} entries", f"\\mathbb{{R}}^{{{r}}}"  # A\mathbf w - \mathbf b
    if r:
        return f"{r} rows", f"\\mathbb{{R}}^{{{r} \\times {other}}}"
    if key is not None and _coefficient_letter(key):
        return "a scalar coefficient", "\\mathbb{R}"  # s X, \lambda A: a number before a matrix
    return f"{c} columns", f"\\mathbb{{R}}^{{{other} \\times {c}}}"


def _coefficient_letter(key: tuple[str, str | None]) -> bool:
    r"""``s``, ``\lambda``: a plain small letter, one character or one Greek name, as
    numbers are written; before a matrix (``s X``, only its columns inferred) it is a
    scalar coefficient, not a row of n entries (which would be written ``\mathbf s^\top``)."""
    from texgrad.calculus.reasons import is_capital

    name = key[0]
    single = len(name) == 1 or (name.startswith("\\") and name[1:].isalpha())
    return key[1] is None and single and name[-1:].isalpha() and not is_capital(name)


def _vector_letter(key: tuple[str, str | None]) -> bool:
    r"""``\mathbf w``, ``\boldsymbol\theta``: a bold letter not a capital, as vectors are
    written (its columns, unknown to the checker, are then one)."""
    from texgrad.calculus.reasons import is_capital

    return key[1] in ("mathbf", "boldsymbol", "bm", "vec") and not is_capital(key[0])


def _free_letter(result: CheckResult, taken: set[str]) -> str:
    """A letter for an unknown size in a suggested declaration that names none of the
    document's dimensions (``m`` of an encoder's length would read as that length)."""
    from texgrad.shapes.dims import dim_text
    from texgrad.shapes.questions import dimension_names

    used = taken | {dim_text(d) for d in dimension_names(result.table)}
    return next((x for x in ("m", "k", "p", "q", "r", "s") if x not in used), "m")
