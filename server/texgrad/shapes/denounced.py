r"""Math the text itself calls wrong: "A common mistake is to write $X w^\top$", "Do not
write $\nabla_w \|Xw\|^2 = 2XX^\top w$", "$\operatorname{tr}(A\mathbf x)$ makes no sense",
"$[A\; B]\,\mathbf x$, which does not even type-check".

The author shows a counterexample on purpose; a shape error on it tells them what they
said themselves, and a red mark on a deliberate example is noise that teaches users to
ignore texgrad.  The blame must be in the formula's own sentence: before it (a lead that
introduces what follows as wrong), or right after it with no other math between.
"""

from __future__ import annotations

import re

from texgrad.casefold import folded, folded_pattern
from texgrad.shapes.layout_statements import sentence_at

# before the math, in its sentence: what introduces it as wrong
_LEAD = folded_pattern(
    r"\b(?:(?:an?|the|one|common|typical|frequent|classic(?:al)?)\s+(?:mistake|error|slip|pitfall|"
    r"blunder)s?|mistakes?\s+(?:is|are)\s+to|wrong(?:ly)?|incorrect(?:ly)?|erroneous(?:ly)?"
    r"|mistaken(?:ly)?|do\s+not\s+write|don(?:'|\u2019)t\s+write|never\s+write|avoid\s+writing"
    r"|(?:is|are)\s+not\s+(?:correct|right|valid))\b"
)
# right after it: what says it fails
_VERDICT = folded_pattern(
    r"^[^$]{0,60}?\b(?:(?:does|do|would|will|can)\s*(?:not|n(?:'|\u2019)t)|cannot)\s+(?:even\s+)?"
    r"(?:type[-\s]?check|make\s+(?:any\s+)?sense|conform|be\s+(?:defined|computed|formed))"
    r"|^[^$]{0,60}?\b(?:is|are)\s+(?:not\s+defined|undefined|ill[-\s]defined|meaningless|"
    r"invalid|not\s+valid|nonsense|not\s+conformable)"
    r"|^[^$]{0,60}?\bmakes?\s+no\s+sense"
)
# between the lead and the math: words that make the math the author's own answer ("To
# avoid the common mistake of …, we write $…$", "… is wrong; the correct form is $…$")
_OWN = folded_pattern(r"\b(?:we|correct(?:ly)?|right|instead|rather|avoid\w*|so|hence|thus)\b")
_CLOSE = re.compile(r"\$\$?|\\\]|\\\)|\\end\{[A-Za-z*]+\}")


def denounced(text: str, start: int, end: int) -> bool:
    """Whether the sentence holding ``text[start:end]`` (inside math) calls that math wrong."""
    lo, hi = sentence_at(text, start, end)
    before = folded(text[lo:start])
    leads = list(_LEAD.finditer(before))
    if leads and _OWN.search(before, leads[-1].end()) is None:
        return True
    close = _CLOSE.search(text, end, hi)
    if close is None:
        return False
    return _VERDICT.search(folded(text[close.end() : hi])) is not None
