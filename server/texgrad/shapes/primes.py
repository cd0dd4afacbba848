r"""Does a document transpose with primes (``X_i' V_i^{-1} X_i``, ``A \Sigma A'``), and is
a primed letter in it another letter (``k(x, x')``, "a second point $x'$")?  Read from the
document's text, once per text: the gate for reading a primed vector written alone, as a
block of a matrix (``\begin{bmatrix} \mathbf{1}_n & t_i' \end{bmatrix}``), as a transpose."""

from __future__ import annotations

import re
from itertools import islice

from texgrad.reading.memo import by_text

# a primed capital (a matrix), with its index, written against another matrix: Z_i' D, X'X,
# X_i' V_i^{-1}, A' \Sigma (not A' \in …, A' = …: a capital after the backslash, a Greek matrix)
_PRODUCT = re.compile(
    r"(?<![\\A-Za-z])(?:[A-Z]|\\[A-Z][a-z]+\b)(?:_(?:[A-Za-z0-9]|\{[^{}]{1,12}\}))?'[ \t]*(?:[A-Z]|\\[A-Z][a-z]+\b)"
)
# uses enough to call the prime the document's transpose
_ENOUGH = 2


@by_text()
def transposes_with_primes(text: str) -> bool:
    # (stops at the _ENOUGH-th use: findall's matches are finditer's, and a long text that
    # transposes with primes need not be read to its end)
    return next(islice(_PRODUCT.finditer(text), _ENOUGH - 1, None), None) is not None


@by_text()
def another_letter(text: str, spelling: str) -> bool:
    r"""Is ``spelling`` (``x'``, ``t_i'``) written somewhere as a letter of its own: an
    argument or a list's member (``k(x, x')``, ``(x, x')``), alone in its formula
    (``$x'$``), or given a value or a set (``x' = …``, ``x' \in …``)?"""
    s = r"(?<![A-Za-z\\])" + re.escape(spelling)
    around = (
        rf"[(,][ \t]*{s}(?!')|{s}[ \t]*[,)=]|{s}[ \t]*\\in\b"
        rf"|\$[ \t]*{s}[ \t]*\$|\\\([ \t]*{s}[ \t]*\\\)"
    )
    return re.search(around, text) is not None
