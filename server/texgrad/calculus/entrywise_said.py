r"""Functions of a square matrix read entrywise, where the document says so.

``\exp`` (``\log``, ``\sin``, …) of a square matrix is the matrix function unless the document
says otherwise; a Gram matrix written ``K = \sigma_f^2\exp(-D/2\ell^2)`` right after "the
Gram matrix is, entrywise," means ``K_{ij} = \sigma_f^2 e^{-D_{ij}/2\ell^2}``.  While one
derivative of such a document is taken (``api``), the lowering (``lower._function_value``) and
the evaluation of the formula as written (``arrays.matrix_function``) read those functions
entry by entry, both ways alike, so the verifier checks the entrywise reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

_SAID: list[bool] = [False]


def functions_entrywise() -> bool:
    """Whether the document being differentiated applies functions to matrices entrywise."""
    return _SAID[-1]


@contextmanager
def read_entrywise() -> Iterator[None]:
    """Within it, a function of a square matrix is read entry by entry."""
    _SAID.append(True)
    try:
        yield
    finally:
        _SAID.pop()
