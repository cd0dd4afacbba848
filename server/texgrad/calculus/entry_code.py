r"""The NumPy code of a derivative by an entry (``\partial f / \partial a_{ij} = b_{ji}``, the
component-wise method): the function returns the whole array of those derivatives, every
entry at once — the gradient (or, for ``\partial f_i / \partial x_j``, the Jacobian in
numerator layout) — its docstring saying which position holds which entry (the document
counts from 1, NumPy from 0).  One entry is then ``grad[i - 1, j - 1]``; a function of
``i`` and ``j`` would compute the whole array for each entry asked, so it is not what a
user pastes.  The code is printed and checked as every result's is
(:func:`~texgrad.calculus.numpy_code.checked_code`); here is what its docstring says."""

from __future__ import annotations

from texgrad.calculus import expr as e
from texgrad.calculus.expr import ONE


def entry_heading(
    f: str,
    entry: str,
    indices: tuple[str, ...],
    value: str,
    v: e.Var,
    w: str,
    free: str | None = None,
) -> str:
    """The docstring's heading: what is differentiated, by which entry, and where each
    derivative is in the array returned; ``free``: the index of ``f_i`` (∂f_i/∂x_j)."""
    at = ", ".join(f"{i} - 1" for i in indices)
    what = f"f = {f}"
    if free is not None:  # ∂f_i/∂x_j: the Jacobian
        what = f"each entry f_{free} of f = {f}"
        where = (
            f"entry [{free} - 1, {at}] of the Jacobian returned (numerator layout) is "
            f"∂f_{free}/∂{entry}"
        )
    elif v.cols == ONE:
        where = f"position [{at}] of the vector returned is ∂f/∂{entry}"
    else:
        where = f"entry [{at}] of the array returned is ∂f/∂{entry}"
    return (
        f"The derivative of {what} by each entry {entry} of {w}:\n    {value}\n"
        f"    All of them at once: {where} (the document counts from 1, NumPy from 0)."
    )
