r"""What a document says once and every row may read: the gates of rules that read the whole
text rather than a symbol's declarations — a function "applied elementwise" or that "keeps
the shape" (rules/functions.py), ``h = \tanh`` (a name of an entrywise function),
``\dagger`` for adjoints (rules/symbols.py), ``K = k_1 + \dots + k_M`` (rules/relations.py), primes used as transposes (shapes/primes.py).

Rows record the symbols they read, not these sentences, so an edit near one of them cannot be
told from its rows: ``changed_near`` tells the incremental check (shapes/incremental.py) to
check the document afresh instead.
"""

from __future__ import annotations

import functools
import re

from texgrad.shapes.primes import transposes_with_primes

# functions applied entry by entry
ELEMENTWISE = frozenset(
    "log ln exp sin cos tan tanh sinh cosh sigmoid relu softplus sqrt abs sign sgn erf".split()
)
# layers that keep the shape of what they are applied to (a normalisation, a dropout, an
# activation), as network papers name them: \mathrm{LayerNorm}(X + \mathrm{MHA}(X))
SHAPE_KEEPING = frozenset(
    "layernorm batchnorm rmsnorm groupnorm instancenorm dropout gelu silu swish elu selu "
    "leakyrelu mish softsign hardtanh relu6 logistic".split()
)

# words that say a function applies entry by entry
ENTRYWISE = r"(?:element|entry|point|component|coordinate)[- ]?wise"
# what says a function keeps its argument's shape: "keeps the width", "preserves the shape",
# "shape-preserving" (not "row-wise" alone: a map of each row may change its length)
KEEPS = (
    r"(?:(?:keeps|preserves|retains|leaves)\s+(?:the\s+|its\s+|their\s+)?(?:input'?s?\s+)?"
    r"(?:shapes?|width|size|dimensions?)(?:\s+unchanged)?\b|(?:shape|size|dimension)[- ]preserving)"
)
_NAMED = (
    r"=\s*\\(?:operatorname\s*\{|mathrm\s*\{|text\s*\{)?\s*(?:"
    + "|".join(sorted(ELEMENTWISE | SHAPE_KEEPING))
    # (written alone, as rules/functions.py's _named_as reads it: not \cos(X), \sqrt{…})
    + r")(?![A-Za-z])\s*\}?(?!\s*(?:\\left\s*)?[(\[{]|\s*\\(?:big|Big)\w*\s*[(\[])"
)
_GATES = re.compile(rf"{ENTRYWISE}|{KEEPS}|{_NAMED}", re.IGNORECASE)
# how far a gate's sentence reaches from its words (the letter named before or after them)
_CONTEXT = 130


def changed_near(was: str, new: str, start: int, old_end: int, new_end: int) -> bool:
    """Did the edit of ``was`` into ``new`` (``was[start:old_end]`` became
    ``new[start:new_end]``) change what a gate reads: a gate's words, or the sentence around
    them, written, changed or removed — or, in a document that transposes with primes (or
    did), a prime?"""
    if _near(was, start, old_end, _GATES) != _near(new, start, new_end, _GATES):
        return True
    if _near(was, start, old_end, _SUMMED_SIZES) != _near(new, start, new_end, _SUMMED_SIZES):
        return True
    if ("\\dagger" in was) != ("\\dagger" in new):
        return True  # (symbols.py asks only whether the document writes it anywhere)
    reach = 2 * _CONTEXT
    primed = "'" in was[max(0, start - reach) : old_end + reach] or (
        "'" in new[max(0, start - reach) : new_end + reach]
    )
    return primed and (transposes_with_primes(was) or transposes_with_primes(new))


def _near(text: str, lo: int, hi: int, pattern: re.Pattern[str]) -> list[str]:
    """The gates' words near lo..hi, each with the sentence around it."""
    a, b = max(0, lo - 2 * _CONTEXT), min(len(text), hi + 2 * _CONTEXT)
    return [
        text[max(0, m.start() - _CONTEXT) : m.end() + _CONTEXT]
        for m in pattern.finditer(text, a, b)
    ]


# a size defined as the sum of a family's sizes: "$K = k_1 + \dots + k_M$" (the widths of M
# stacked blocks): the total and the count
_SUMMED_SIZES = re.compile(
    r"(?<![\\A-Za-z])([A-Za-z])\s*=\s*([a-z])_\s*(?:\{\s*1\s*\}|1)\s*\+\s*"
    r"(?:\2_\s*(?:\{\s*2\s*\}|2)\s*\+\s*)?"
    r"\\[lc]?dots\s*\+\s*\2_\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))"
)


@functools.lru_cache(maxsize=64)
def summed_sizes(text: str) -> tuple[tuple[str, str], ...]:
    r"""The sizes ``text`` defines as a sum of a family's sizes, with their counts:
    ``K = k_1 + \dots + k_M`` gives ``("K", "M")``."""
    if "dots" not in text:
        return ()
    return tuple((m[1], m[3] or m[4]) for m in _SUMMED_SIZES.finditer(text))
