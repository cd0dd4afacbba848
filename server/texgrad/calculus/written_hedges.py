r"""Claims a document hedges in their own sentence: "Up to sign, $\nabla_U F = (M - UV^\top)V$
…", "$\nabla_X f = 2A^\top D(AX - B)$ holds only up to symmetrising $D$".

Such a claim is right as far as its hedge goes: a ``wrong-derivative`` finding whose simple
cause (:mod:`~texgrad.calculus.discrepancy`) is what the hedge allows — the sign for "up to
sign", a constant factor (its sign too) for "up to a constant factor", the transpose for "up
to transposition", the symmetric part for "up to symmetrising" — is no finding; any other
difference still is.  The hedge is read in the claim's sentence only (a heading or the next
sentence hedges nothing).  The same hedges in other languages ("相差一个符号", "bis auf das
Vorzeichen", "au signe près") are read from :mod:`~texgrad.shapes.language_cues`.

A condition the prose says a formula assumes without saying so ("$2Q\mathbf x$, which silently
assumes $Q = Q^\top$", "the printed answer tacitly assumed a symmetric $A$") is no hedge and no
statement: it points out that the claim is right only under an assumption the document does
not make (:data:`UNSTATED`), so the claim is judged for the matrix as declared, and a finding
on it is the text's own judgement (information, :mod:`~texgrad.calculus.written_denounced`).
"""

from __future__ import annotations

from texgrad.casefold import folded, folded_pattern
from texgrad.shapes import language_cues
from texgrad.shapes.layout_statements import sentence_at
from texgrad.shapes.properties import UNSTATED

__all__ = ["UNSTATED", "hedge_said", "hedged_kinds", "of_another_function"]

# "up to (a|an|the|its) (overall|global|constant|scalar)* WORD"
_UP_TO = folded_pattern(
    r"\bup\s+to\s+(?:(?:an?|the|its|their|one)\s+)?(?:(?:overall|global|constant|scalar|"
    r"positive|multiplicative|common)\s+)*(signs?|minus|factors?|constants?|scal(?:ar|ing)s?"
    r"|multiples?|transpos\w*|symmetri[sz]\w*)\b"
)

# the causes each hedge allows (discrepancy.Cause.kind)
_ALLOWED = {
    "sign": frozenset({"sign"}),
    "minus": frozenset({"sign"}),
    "factor": frozenset({"factor", "sign", "scaled"}),
    "constant": frozenset({"factor", "sign", "scaled"}),
    "scal": frozenset({"factor", "sign", "scaled"}),
    "multiple": frozenset({"factor", "sign", "scaled"}),
    "transpos": frozenset({"transpose"}),
    "symmetri": frozenset({"symmetric"}),
}


def hedged_kinds(text: str, start: int, end: int) -> frozenset[str]:
    """The causes of a wrong derivative the sentence holding ``text[start:end]`` (a claim)
    allows by a hedge ("up to sign": ``{"sign"}``); empty where it hedges nothing."""
    lo, hi = sentence_at(text, start, end)
    sentence = folded(text[lo:hi])
    kinds: set[str] = set()
    words = [m[1] for m in _UP_TO.finditer(sentence)] if "up" in sentence else []
    words += language_cues.hedges(sentence)  # "相差一个符号", "bis auf das Vorzeichen"
    for word in words:
        for stem, allowed in _ALLOWED.items():
            if word.startswith(stem):
                kinds |= allowed
    return frozenset(kinds)


def hedge_said(kinds: frozenset[str]) -> str:
    """The hedge, in words, for the note of a claim it leaves unreported."""
    if "symmetric" in kinds:
        return "up to symmetrising"
    if "transpose" in kinds:
        return "up to transposition"
    if "factor" in kinds:
        return "up to a constant factor"
    return "up to sign"


# "…, which is a different loss", "(another objective)", "for a different model": the claim's
# sentence says its function is not the one the document defines under that name
_ANOTHER = folded_pattern(
    r"\b(?:(?:an?|the)\s+)?(?:different|other)\s+(?:loss|objective|cost|model|likelihood"
    r"|problem)\b|\banother\s+(?:loss|objective|cost|model|likelihood|problem)\b"
)


def of_another_function(text: str, start: int, end: int) -> bool:
    r"""Does the sentence holding the claim ``text[start:end]`` say it is of another function
    than the one the document defines with that name ("When the labels are in $\{0, 1\}$
    instead, $\nabla L(\mathbf w) = X^\top(\sigma(X\mathbf w) - \mathbf y)$, which is a
    different loss")?  Then it is no claim on that function, right or wrong."""
    lo, hi = sentence_at(text, start, end)
    return _ANOTHER.search(folded(text[lo:hi])) is not None
