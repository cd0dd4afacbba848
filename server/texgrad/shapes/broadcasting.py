r"""Broadcasting or a mistake: the one rule ``check`` and ``diff`` follow for a row or a
column added along a matrix.

A row added to every row of a matrix (``XW + b^\top``) or a column to every column of one
(``X - \mu``) is NumPy-style broadcasting, as ML papers write it: not a matrix expression,
and not an error either (:func:`texgrad.shapes.dims.broadcasts`).  A column beside a
*square* matrix is mostly a textbook's slip — the degree vector for the degree matrix
(``L = \mathbf{d} - A``), a vector for the diagonal matrix it makes (``tQ + X^{-2}\mathbf{1}``)
— but it is read so only where every letter of the sum is sized by the document itself
(declared, or defined with a shape): a letter read as an entry (``u_0`` of a vector ``u``), a
guessed one or ``\operatorname{diag}`` of a matrix (a vector, or Marquardt's diagonal matrix)
leaves the sum to broadcasting, as before.
"""

from __future__ import annotations

from collections.abc import Callable

from texgrad.shapes.dims import Shape, broadcasts
from texgrad.syntax import tree as t
from texgrad.syntax.notation import sized_constant
from texgrad.syntax.symbols import ones_key, symbol_key

Key = tuple[str, str | None]

# functions whose value is a vector or a matrix as the reader takes it
_AMBIGUOUS = frozenset({"diag", "Diag", "diagm", "dg"})


def column_beside_square(small: Shape, big: Shape) -> bool:
    """Is ``small`` a column (n×1) beside a square n×n ``big``, its sizes as written?"""
    return (
        small.cols == 1 and not small.is_scalar
        and big.rows == big.cols and small.rows == big.rows
    )  # fmt: skip


def broadcast_verdict(small: Shape, big: Shape, plain: bool) -> bool:
    """Does ``small`` broadcast along ``big`` (no error), where ``plain`` says whether the
    sum is written in letters the document sizes itself (:func:`written_plainly`)?"""
    if plain and column_beside_square(small, big):
        return False
    return broadcasts(small, big)


def written_plainly(
    node: t.Node, sized: Callable[[Key], bool], member: Callable[[t.Sub], bool] | None = None
) -> bool:
    r"""Is every letter of ``node`` one the document sizes itself (``sized``: declared, or
    defined with a shape; ``member``: a member of a family it sizes so, as a filter's
    ``\Lambda_{t|t-1}`` of ``\Lambda_{t|t} = P_{t|t}^{-1}``), with no ``\operatorname{diag}``
    in it?"""
    if isinstance(node, t.Func):
        return node.name not in _AMBIGUOUS
    if isinstance(node, t.Symbol):
        if node.name.isdigit() and ones_key(node) is None:
            return True  # (a number)
        key = ones_key(node) or symbol_key(node)
        return key is not None and sized(key)
    if isinstance(node, t.Sub):
        if sized_constant(node) is not None:
            return True  # I_n, \mathbf{1}_n: sized as written
        key = symbol_key(node)
        return key is not None and (sized(key) or (member is not None and member(node)))
    if isinstance(node, t.Number):
        return True
    kids = list(node.children())
    return bool(kids) and all(written_plainly(k, sized, member) for k in kids)
