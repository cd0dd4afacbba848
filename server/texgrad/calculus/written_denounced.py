r"""Derivatives the prose itself calls wrong: "A common slip is to write $\nabla f = 2A\mathbf
x$", "it is tempting but wrong to write …", "**Incorrect:** …", "… which has the wrong sign",
"这是错误的", a ✗ beside the formula.

The author knows: a ``wrong-derivative`` warning on such a claim is no help ("a common mistake
is $\nabla = Ax$" does not want a warning there), so where :func:`denounced` finds the words the
finding is information, saying that the text calls it wrong (and how it differs).  The words
are read, in the claim's sentence (a display continues the
sentence that leads into it),

- before the claim, with no other claim written between them (a cheat sheet's "Wrong:" over
  a column of formulas denounces the first of them only — the same display's row excepted:
  "Two slips seen in submissions: $$a, \qquad b$$"),
- after it, with no other claim written between them ("… has the wrong sign"), in its own
  sentence or at the start of the next one ("$$…$$ This is wrong."),
- in the claim's own row: a mark ``✗``, ``\xmark``, ``\text{(wrong)}``.

A judgement word negated ("not a mistake", "no error") denounces nothing, and neither does
"error" as a quantity ("the squared error", "der quadratische Fehler", "误差").  Words that
only quote someone ("Some students wrote", "Your version") without judging are not enough.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from texgrad.shapes import language_cues
from texgrad.shapes.layout_statements import sentence_at
from texgrad.shapes.properties import UNSTATED_WORDS

# words that call a formula wrong (English, German, French, Spanish, Italian, Chinese)
_JUDGED = language_cues.blame(
    r"pitfalls?|tempting|spurious|bogus|blunders?"
    r"|not\s+(?:correct|right|valid|true)|isn't\s+(?:correct|right|valid)"
    r"|forg[eo]t(?:s|ting|ten)?|is\s+off\s+by"
    r"|(?:loses|lost|losing|drops|dropped|dropping)\s+(?:the|a|an|its|one|this)"
    r"|do\s+not\s+write|don't\s+write|never\s+write"
    r"|nicht\s+richtig|stimmt\s+nicht|vergisst|vergessen|oubli\w*|est[áa]\s+mal|olvida\w*",
    # a mark beside it in the prose; "…, which silently assumes $Q = Q^\top$": right only so
    marks=r"[✗✘❌]|\\xmark\b|\\ding\{5[56]\}|" + UNSTATED_WORDS,
)
# a judgement word negated: "not a mistake", "no error", "kein Fehler", "pas faux", "没有错"
_NEGATED = re.compile(
    r"(?:\bnot\s+(?:an?\s+|the\s+)?|\bno\s+|\bnever\s+(?:an?\s+)?|n't\s+(?:an?\s+)?"
    r"|\bkein(?:e|en)?\s+|\bnicht\s+|\bpas\s+|\bno\s+es\s+|没有|沒有|并不|並不|不是)$",
    re.IGNORECASE,
)
# marks beside a formula in its row
_MARKS = re.compile(
    r"[✗✘❌]|\\(?:xmark|ding\{5[56]\}|crossmark)\b"
    r"|\\text(?:bf|it|sc)?\{\s*\(?\s*(?:wrong|incorrect|falsch|faux|incorrecto|错误|錯誤|错|錯)"
)
# the start of the next sentence speaking of what was just written: "This is wrong."
_REFERS = re.compile(
    r"^\s*\(?\s*(?:this|that|which|the\s+(?:last|latter|second)\s+(?:one|version|formula)"
    r"|das|dies|ce|cela|esto|eso|questo|这|這|此)\b",
    re.IGNORECASE,
)
_NEXT = 200  # how far the next sentence is read


def _judged(words: str) -> str | None:
    """The first judgement word of ``words`` not negated, as written."""
    for m in _JUDGED.finditer(words):
        if not _NEGATED.search(words[max(0, m.start() - 12) : m.start()]):
            return words[m.start() : m.end()]
    return None


def denounced(
    text: str,
    row: tuple[int, int],
    claim: tuple[int, int],
    others: Sequence[tuple[int, int, int, int]] = (),
    chain: int = -1,
) -> str | None:
    """The words by which the prose calls a claim wrong, as written, or None.  ``row``: the
    (start, end) of the claim's row, ``claim``: of its written side, ``chain``: where the
    derivative it continues is written (``\\nabla f &= a \\\\ &= b``: the rows of one chain
    are judged together by the words after it); ``others``: (start, end, row start, chain)
    of the document's other claims."""
    start, end = claim
    lo, hi = sentence_at(text, row[0], end)
    mark = _MARKS.search(text, start, max(end, min(row[1], end + 60)))  # (in its math too)
    if mark is not None:
        return mark[0].strip()
    prose = _prose(text, lo, min(len(text), hi + _NEXT))  # (offsets from lo)
    between = [b for a, b, r, _ in others if lo <= b <= row[0] and r != row[0]]
    said = _judged(prose[max([lo, *between]) - lo : row[0] - lo])
    if said is not None:
        return said
    after_to = min(
        [hi] + [a for a, _, r, c in others if end <= a < hi and r != row[0] and c != chain]
    )
    said = _judged(prose[end - lo : after_to - lo])
    if said is not None or after_to < hi:
        return said
    follows = re.match(r"[.!?\u3002\uff01\uff1f]?\s*", prose[hi - lo :])
    at = hi + (follows.end() if follows else 0)
    nxt = prose[at - lo :]
    if not _REFERS.search(nxt):
        return None
    stop = re.search(r"[.!?](?=\s)|[\u3002\uff01\uff1f]|\n\s*\n", nxt)
    upto = at + (stop.start() if stop else len(nxt))
    if any(at <= a < upto for a, _, _, _ in others):  # (it judges a claim of its own)
        return None
    return _judged(nxt[: upto - at])


# math in prose: $…$, $$…$$, \(…\), \[…\], a display environment (read as blanks)
_MATH = re.compile(
    r"\$\$.*?\$\$|(?<!\\)\$(?:\\.|[^$\\])*\$|\\\[.*?\\\]|\\\(.*?\\\)"
    r"|\\begin\{(equation|align|gather|multline|math|displaymath)(\*?)\}.*?\\end\{\1\2\}"
    r"|(?<!\\)%[^\n]*|<!--.*?-->",  # (and comments: "% expect: wrong-derivative" is no prose)
    re.DOTALL,
)


def _prose(text: str, lo: int, hi: int) -> str:
    """``text[lo:hi]`` with its math blanked (offsets kept): a "$\\mathrm{err}$" is no word.
    Math open at ``hi`` is blanked to the end; the claim's own display is blanked whole."""
    part = text[lo:hi]
    return _MATH.sub(lambda m: " " * len(m[0]), part)
