"""Case-insensitive regular expressions searched fast: on a text folded to lower case once,
without ``re.IGNORECASE``.

Under IGNORECASE, sre cannot skip the alternatives of a pattern by their first letter and
tries every one of them at every character: a prose pattern of forty alternatives took a
second over a 1 MB thesis.  :func:`folded` maps every character IGNORECASE matches with an
ASCII letter onto that letter in lower case (A-Z, and İ ı ſ K — one character for one, so
offsets hold), and :func:`folded_pattern` lowers an ASCII pattern: searched on the folded
text, it finds what the pattern finds under IGNORECASE on the text itself, at the same
offsets (the groups' offsets, not their text, are the text's).  Imports nothing of texgrad:
every layer may use it.
"""

from __future__ import annotations

import functools
import re

FOLD = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)} | {
    0x130: ord("i"), 0x131: ord("i"), 0x17F: ord("s"), 0x212A: ord("k")
}  # fmt: skip

# an escape whose meaning lowering would change (\S, \W, \B, \D, \A, \Z, \N{…}, \P …)
_UPPER_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\[A-Z]")
_UPPER_NAME = re.compile(r"\(\?P[<=][^>)]*[A-Z]")  # a group named in capitals (kept as named)
_UPPER_FLAG = re.compile(r"\(\?[a-zA-Z-]*[LA-OQ-Z]")  # an inline flag in capitals ((?P< is a group)


def folded(text: str) -> str:
    """``text`` with every character IGNORECASE matches with an ASCII letter lowered to it."""
    global _LONG
    last = _LONG  # (a document's text, asked of by every claim between the sentences
    if last is not None and last[0] is text:  # folded for each: kept past the 8 of those)
        return last[1]
    out = _folded(text)
    if len(text) >= 1 << 16:
        _LONG = (text, out)
    return out


@functools.lru_cache(maxsize=8)
def _folded(text: str) -> str:
    return text.translate(FOLD)


_LONG: tuple[str, str] | None = None  # the last long text folded, and its folding


def folded_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` for :func:`folded` texts: what ``re.compile(pattern, re.IGNORECASE)``
    finds in a text, found in its folded text.  Only for ASCII patterns without escapes of
    capital letters or groups named in capitals (ValueError otherwise: lowering would
    change them)."""
    if (
        not pattern.isascii()
        or _UPPER_ESCAPE.search(pattern)
        or _UPPER_FLAG.search(pattern)
        or _UPPER_NAME.search(pattern)
    ):
        raise ValueError(f"not a pattern to fold: {pattern[:60]!r}")
    lowered = pattern.lower().replace("(?p<", "(?P<").replace("(?p=", "(?P=")  # (named groups)
    return re.compile(lowered)
