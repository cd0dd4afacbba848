r"""Which layout of derivatives a document says it writes in, and where: the one reader of
layout statements, asked by the shape check (``Ask.LAYOUT``: ∂L/∂W by a matrix has W's
shape or Wᵀ's) and by the derivative check (calculus/written_layouts.py: the forms a written
derivative may take).

A document states its layout in a sentence of its prose ("We use denominator layout
throughout", "All derivatives below are in numerator layout", "Convention: denominator
layout", "Gradients are column vectors (denominator layout)", "the derivative of a scalar by
a matrix has the shape of the matrix", "a gradient has the shape of the quantity it is taken
with respect to", "We derive … by hand, in the denominator layout", "This sheet uses the
Jacobian formulation"), in a directive (``% texgrad: denominator layout``),
or in a comment of a preamble.  Such a statement holds from the sentence that makes it to
the end of the document — never for chapters before it — or, where it says so ("in this
appendix", "this section uses", "in this example"), to the end of that chapter, section or
example; a later statement takes over from where it is made.  What states nothing:

- a sentence naming both layouts ("numerator layout for Jacobians, denominator layout for
  gradients");
- a sentence calling the named layout's answer wrong ("writing $X^{-1}$, the numerator-layout
  answer, would be wrong") — except "we use … layout", which stands beside a word of blame;
- a supposition or a denial before the statement ("If we use the numerator layout, …",
  "Assuming numerator layout, …", "Numerator layout is not used throughout");
- a line of a LaTeX comment (but a preamble's: a file before ``\begin{document}`` or a
  macros file of comments and commands only, whose comments are its prose).

In a project, what the files read before a file state for the rest of the document holds in
it (the root's "We use denominator layout throughout." before ``\input{chapters/grad}``, a
notation chapter, a preamble's comment): scoped like the project's declarations, a statement
"in this chapter" ends with its file, an including file counts only up to the include that
leads to this file, and a file read after it states nothing for it.

A convention said of Jacobians alone, by their shape ("for $\mathbf f: \mathbb{R}^n \to
\mathbb{R}^m$ we write the Jacobian as $m \times n$") or their entries ("$J_{ij} = \partial
f_i/\partial x_j$"), is no layout of the gradients: :func:`jacobian_statements` reads it, for
the Jacobians a document writes (calculus/written_layouts.py).

:func:`stated_in` gives a file's statements (those carried into it first);
:func:`layout_in_force` the layout they state at one offset; :func:`sentence_layouts` the
layouts a formula's own sentence names ("In numerator layout the same gradient is …").
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import PurePosixPath

from texgrad.casefold import folded, folded_pattern
from texgrad.reading.edits import TextEdit
from texgrad.reading.memo import by_text
from texgrad.reading.project import format_of, scan_text
from texgrad.shapes import language_cues

# (a line may break between the words, "the denominator\nlayout", but no blank line)
_LAYOUT = r"(numerator|denominator)\b(?:[^.$\n]|\n(?![ \t]*\n)){0,12}?\b(?:layout|convention)"
# ("**Hessian convention.**", "\paragraph{Jacobian convention}": a heading names no layout)
_NAMED = folded_pattern(
    r"\b" + _LAYOUT + r"|\b(Jacobian|Hessian) (?:convention(?![ \t]*[.:]?[ \t]*(?:\*\*|__|\}))"
    r"|formulation)"
)
# "we use / adopt / follow … denominator layout": a statement even beside a word of blame
# ("We use denominator layout; $X^{-1}$ would be wrong")
_WE_USE = folded_pattern(
    r"(?:\b(?:we|I)(?:'re|'ll| are| will| shall| always)?\s+|\blet(?:'s| us)\s+"
    r"|\b(?:this|these|the|our)\s+(?:document|notes?|paper|chapter|book|thesis|text|sheet"
    r"|lectures?|section|appendix|course|slides?|deck|article|example|exercise|problem"
    r"|solution|proof)s?\s+)"
    r"(?:use|uses|using|adopt|adopts|adopting|follow|follows|following|work in|works in"
    r"|working in|write|writing|employ|employs|stick to|sticks to|choose|chose|prefer)\b"
    r"[^.$]{0,40}?\b(?:" + _LAYOUT + r"|(jacobian|hessian)\s+formulation\b)"
)
# "We derive the backward pass by hand, in the denominator layout": the document's own
# work done in a layout (but not "we also derive it in numerator layout, for comparison")
_WE_DERIVE = folded_pattern(
    r"\b(?:we|I)\s+(?:derive|compute|calculate|work\s+out|differentiate)\b[^.$]{0,80}?"
    r"\bin\s+(?:the\s+)?" + _LAYOUT
)
_ASIDE = folded_pattern(
    r"\b(?:also|too|as\s+well|for\s+comparison|compare|alternatively|instead|other|another"
    r"|both|again|either)\b"
)
# statements in other words: blamed, they state nothing
_STATED = folded_pattern(
    "|".join(
        (
            r"\b" + _LAYOUT + r"(?:[^.$]{0,30}\bthroughout|\s*(?:is|will be)\s+used"
            r"|\s+is\s+assumed)",
            r"\bthroughout\b[^.$]{0,40}\b" + _LAYOUT,
            # ("Gradients are in denominator layout", no quantifier: a statement all the same)
            # ("Gradients w.r.t. a matrix here are reported in numerator layout")
            r"\b(?:(?:all|every|our)\s+)?(?:the\s+)?(?:derivatives?|gradients?|jacobians?|results?"
            r"|formulas?|identities|matrix derivatives?)\b(?:w\.r\.t\.|[^.$]){0,60}?\b(?:are|is)\s+"
            r"(?:written\s+|given\s+|expressed\s+|stated\s+|reported\s+|listed\s+|shown\s+)?in\s+"
            r"(?:the\s+)?" + _LAYOUT,
            r"\b(?:layout|convention)\s*[:=]\}?\s*(?:the\s+)?(numerator|denominator)\b",
            # "Denominator layout: all gradients below are columns.", "**Numerator layout.**"
            # opening a line or a sentence (not "Numerator layout: $A^\top$", the other
            # layout's formula, nor an aside in a parenthesis)
            r"(?:(?<![^\n])|(?<=[^.][.!?]\s))[ \t>*_]*(?:\\(?:textbf|emph|textit|paragraph)\{)?"
            r"(?:the\s+)?" + _LAYOUT + r"\s*\}?[*_]*\s*(?::|\.(?!\.))(?!\s*\$)",
            # ("\textbf{Conventions.} Numerator layout: …")
            r"\bconventions?\b[^.$]{0,15}(?:\.?\}|:|\.)\s*(?:the\s+)?" + _LAYOUT,
            r"\b(?:in|using)\s+(?:the\s+)?" + _LAYOUT + r"\s+(?:throughout|everywhere|below"
            r"|from now on|in\s+(?:these|this|the\s+following|what\s+follows))",
            # "… then $\nabla_X f = G$ (denominator layout: the gradient has the shape of $X$)":
            # an aside that opens with the layout (read within its parenthesis, _in_words);
            # not one that gives the other layout's formula, "(numerator layout: $-(Y - XB)^\top
            # X$, a $q \times p$ matrix)" beside a claim in the layout the document uses
            r"\(\s*(?:the\s+)?" + _LAYOUT + r"\s*[:;](?!\s*\$)",
            # "Gradients are column vectors (denominator layout)."
            r"\b(?:gradients?|derivatives?|jacobians?)\b[^.$]{0,40}\b(?:are|is|have|has)\b[^.$]{0,40}"
            r"\(\s*(?:i\.\s?e\.,?\s*|that is,?\s*)?(?:the\s+)?" + _LAYOUT + r"\s*\)",
            # "I use the convention that the gradient has the shape of $W$ (denominator layout)"
            r"\b(?:use|uses|using|adopt|adopts|follow|follows|following)\s+(?:the|a|this)\s+"
            r"convention\b[^.]{0,100}?\(\s*(?:i\.\s?e\.,?\s*|that is,?\s*)?(?:the\s+)?"
            + _LAYOUT
            + r"\s*\)",
        )
    )
)
# "Gradients are column vectors and Jacobians are in numerator layout, $J_{ij} = \partial
# p_i/\partial z_j$": the layout named is the Jacobians' alone, the gradients' is said by
# their shape (a column, as in denominator layout)
_JACOBIANS_BESIDE_COLUMNS = folded_pattern(
    r"\bgradients?\s+(?:are|is)\s+(?:always\s+)?(?:written\s+as\s+)?column\s+vectors?\b"
    r"[^.$]{0,30}?\bjacobians?\s+(?:are|is)\s+(?:written\s+)?in\s+(?:the\s+)?numerator\s+"
    r"(?:layout|convention)"
)
# a sentence that calls an answer wrong: the layout it names is the wrong answer's
_BLAME = folded_pattern(
    r"\b(?:wrong|incorrect|mistakes?|mistaken(?:ly)?|erroneous(?:ly)?|invalid|(?:an?|common"
    r"|typical|in)\s+error|not\s+(?:correct|right|valid)|isn't\s+(?:correct|right)|pitfall"
    r"|(?:common|typical)\s+slip|beware|careful|do\s+not\s+write|don't\s+write|never\s+write"
    r"|avoid)\b"
)
# what makes the words before a statement (in its sentence) or the statement itself a
# supposition or a denial: "If we use the numerator layout, …", "Assuming numerator layout,
# …", "Numerator layout is not used throughout" — a layout of a case, or none
_SUPPOSED = folded_pattern(
    r"\b(?:if|when|whenever|suppose|supposing|assuming|were|would|could|unless|instead"
    r"|whereas|rather\s+than)\b"
)
_DENIED = folded_pattern(r"\b(?:not|never|no\s+longer|neither|nor)\b|n't\b")
# a layout said by the shape of a derivative by a matrix: "the derivative of a scalar by a
# matrix has the same shape as the matrix" (denominator), "… has the shape of $X^\top$" (numerator)
_SHAPED = folded_pattern(
    r"(?:\bderivatives?\b|\bgradients?\b|\\partial\s*f\s*/\s*\\partial|\\frac\{\\partial\s*f\}"
    r"\{\\partial|\\frac\s*\{\s*\\partial\s*\\?[a-z]{1,8}\s*\}\s*\{\s*\\partial)[^.]{0,80}?"
    # ("we write $\frac{\partial \phi}{\partial X}$ for the matrix of the same shape as $X$")
    # ("we write $\frac{\partial f}{\partial X}$ with the shape of $X$")
    r"\b(?:has|have|having|is|are|with|for\s+the\s+matrix\s+(?:of|with))\s+(?:of\s+)?(?:always\s+)?(?:the\s+)?"
    r"(?:same\s+)?(?:shape|size|dimensions?)\s+(?:as|of)\s+(?:the\s+|that\s+|this\s+)?"
    r"(\$[^$]{1,30}\$|(?:transpose|matrix|variable|argument|parameter|weight)\b"
    # "… the shape of the quantity (the thing) it is taken with respect to"
    r"|(?:(?:quantity|thing|object|one)\s+(?:that\s+)?|what\s+)(?:it|they)\s+(?:is|are)\s+taken\s+"
    r"(?:with\s+respect\s+to|by)\b)"
    # "… the gradient by a matrix has that matrix's shape"
    r"|(?:\bderivatives?\b|\bgradients?\b)[^.]{0,80}?\b(?:has|have|having|is|are)\s+(?:of\s+)?"
    r"(?:always\s+)?(?:the\s+|that\s+|this\s+|its\s+)((?:matrix|variable|argument|parameter)"
    r"(?:'s|\u2019s|s')\s+(?:shape|size|dimensions?))"
)
# a layout named in a parenthesis of its own, "(denominator layout)", "(i.e. the numerator
# layout)": beside a shape said in the same sentence, it confirms that shape
_CONFIRMED = folded_pattern(
    r"\(\s*(?:i\.\s?e\.,?\s*|that\s+is,?\s*)?(?:the\s+)?(?:numerator|denominator)\s+"
    r"(?:layout|convention)\s*\)"
)
# "The tool works in denominator layout: …", "Results are in numerator layout; …": a layout
# something is in, not a case ("In the numerator layout, this reads …")
_WORKS_IN = folded_pattern(
    r"\b(?:works?|working|is|are|stays?|written|given)\s+in\s+(?:the\s+)?" + _LAYOUT
)
# a directive, in a comment too: "% texgrad: denominator layout", "<!-- texgrad: layout numerator -->"
_DIRECTIVE = folded_pattern(
    r"(?m)texgrad:[^\n]{0,40}?\b(numerator|denominator)\b(?:[- ]layout)?(?=[^\n]{0,20}(?:-->|$))"
)
_HEADING = re.compile(r"\\(part|chapter|section|subsection|appendix)\b\*?|^(#{1,6})\s", re.M)
_LEVELS = {"part": 0, "chapter": 1, "appendix": 1, "section": 2, "subsection": 3}
# what a statement says it holds in: a chapter-like unit, a section, or an example-like unit
# (its environment, or else its section)
_SCOPED = folded_pattern(
    r"\bthis\s+(part|chapter|appendix|lecture|section|subsection|example|exercise|problem"
    r"|solution|proof)\b"
)
_UNITS = ("example", "exercise", "problem", "solution", "proof")
_COMMENTED = re.compile(r"(?<!\\)%")  # the line is a LaTeX comment from here
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n|[" + language_cues.CJK_SENTENCE_END + "]")


@dataclass(frozen=True)
class Statement:
    """A layout the document states: from ``start`` (its sentence) to ``end``; ``said``:
    where the words that state it stand (-1: carried from another file)."""

    layout: str
    start: int
    end: int
    said: int = -1


def _which(name: str) -> str:
    name = name.lower()
    return "numerator" if name in ("numerator", "jacobian") else "denominator"


def sentence_at(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]`` (a blank line before a display does not
    end it; math between dollars is passed over whole)."""
    lo = max(0, start - 400)
    cut = lo
    for m in _SENTENCE_END.finditer(text, lo, start):
        if not _display_follows(text, m.end()):
            cut = m.end()
    for m in _HEADING.finditer(text, cut, start):  # nor back across a heading's line
        line_end = text.find("\n", m.end(), start)
        cut = max(cut, line_end + 1 if line_end >= 0 else m.end())
    hi = end
    for m in _SENTENCE_END.finditer(text, end, min(len(text), end + 300)):
        if not _display_follows(text, m.end()):
            hi = m.start()
            break
    else:
        hi = min(len(text), end + 300)
    return cut, hi


def _display_follows(text: str, at: int) -> bool:
    return _DISPLAY.match(text[at : at + 40]) is not None


# a display, or another environment (not a theorem-like unit or a list, "\begin{claim}",
# "\begin{proof}", "\begin{itemize}": a sentence ends before them)
_DISPLAY = re.compile(
    r"\s*(?:\$\$|\\\[|\\begin\{(?!(?:claim|theorem|lemma|proposition|corollary|definition"
    r"|remark|example|exercise|problem|solution|proof|itemize|enumerate|description)\*?\}))"
)


def _named(sentence: str) -> set[str]:
    named = {_which(m[1] or m[2]) for m in _NAMED.finditer(sentence)}
    named |= language_cues.named_layouts(sentence, 0, len(sentence))  # "在分母布局下"
    return named


@functools.lru_cache(maxsize=4)
def _headings(text: str) -> list[tuple[int, int]]:
    """(offset, level) of every chapter-like or section heading."""
    out = []
    for m in _HEADING.finditer(text):
        level = _LEVELS[m[1]] if m[1] else len(m[2]) - 1  # "# " a chapter, "## " a section
        out.append((m.start(), level))
    return out


def _scope_end(text: str, at: int, sentence: str) -> int:
    """Where a statement made at ``at`` ends: the end of the document, or of the unit its
    sentence names ("in this appendix": the next heading of that unit's level or above; "in
    this example": the end of the example's environment, or else of its section)."""
    scoped = _SCOPED.search(sentence)
    if scoped is None:
        return len(text)
    unit = scoped[1].lower()
    if unit in _UNITS:
        env = _environment_end(text, at, unit)
        if env is not None:
            return env
        unit = "section"
    headings = _headings(text)
    before = [lv for off, lv in headings if off <= at]
    if unit in ("section", "subsection") and before:
        level = before[-1]
    else:
        chapterish = [lv for lv in before if lv <= 1]
        level = chapterish[-1] if chapterish else (min(before) if before else 1)
    for off, lv in headings:
        if off > at and lv <= level:
            return off
    return len(text)


def _environment_end(text: str, at: int, unit: str) -> int | None:
    r"""The end of the ``\begin{example}`` (``exercise`` …) environment holding ``at``, if
    one does (the innermost of that kind opened before it and not closed)."""
    name = re.escape(unit)
    opened = [m.start() for m in re.finditer(r"\\begin\{" + name + r"\*?\}", text[:at])]
    for start in reversed(opened):
        close = re.compile(r"\\end\{" + name + r"\*?\}").search(text, start)
        if close is not None and close.start() >= at:
            return close.end()
    return None


def _uncommented_preamble(text: str) -> str:
    r"""``text`` with the comment signs of its preamble (before ``\begin{document}``)
    blanked, as long as it was: a preamble's comments are its prose."""
    begin = text.find("\\begin{document}")
    if begin <= 0:
        return text
    return _uncommented(text[:begin]) + text[begin:]


def _uncommented(text: str) -> str:
    """``text`` with the signs of its comment lines blanked (as long as it was)."""
    return re.sub(r"(?m)^([ \t]*)(%+)", lambda m: m[1] + " " * len(m[2]), text)


def statements(text: str) -> list[Statement]:
    """Every layout statement of ``text``, in order (a fresh list: callers add to it)."""
    return list(_statements(text))


@by_text()
def _statements(written: str) -> tuple[Statement, ...]:
    return _read(written)[0]


def _read(written: str) -> tuple[tuple[Statement, ...], tuple[tuple[int, int], ...]]:
    """The statements of ``written``, and the stretches around their words its patterns
    were searched in (:func:`_windows`, both kinds)."""
    # (the patterns are searched on the text folded to lower case, casefold.py: offsets hold;
    # and only around the words they need, as sre tries a pattern of alternatives at every
    # character: ~50 ms over the Cookbook's 150 kB, where these find their words in ~1 ms)
    text = folded(_uncommented_preamble(written))
    found, windows = _read_between(written, text, 0, len(text))
    if "texgrad:" in text:
        for m in _DIRECTIVE.finditer(text):
            found.append(Statement(_which(m[1]), m.start(), len(text), m.start()))
    return tuple(sorted(found, key=lambda s: s.start)), windows


def _read_between(
    written: str, text: str, lo: int, hi: int
) -> tuple[list[Statement], tuple[tuple[int, int], ...]]:
    """:func:`_read` (but its directives) of the stretches around the words that start
    from ``lo`` to ``hi`` of ``text`` (``written`` folded), each searched whole."""
    seen: set[int] = set()  # the sentences read (one statement a sentence)
    found = []
    layouts = _windows(text, _LAYOUT_WORDS, _BEFORE_LAYOUT, _AFTER_LAYOUT, lo, hi)
    if layouts:
        found += _in_words(text, layouts, seen)
        found += _in_other_languages(text, layouts, seen)
    shapes = _windows(text, _SHAPE_WORDS, _BEFORE_SHAPE, _AFTER_SHAPE, lo, hi)
    if shapes:
        found += _by_shape(written, text, shapes, seen)
    entries = _windows(text, _ENTRY_WORDS, _BEFORE_ENTRY, _AFTER_ENTRY, lo, hi)
    if entries:
        found += _by_entries(text, entries, seen)
        shapes += entries
    return found, tuple(sorted(layouts + shapes))


# the word every statement in words holds, and how far before and after it the pattern
# that reads it may reach; the same for the words of a layout said by a shape
_LAYOUT_WORDS = ("numerator", "denominator", "formulation", *language_cues.LAYOUT_WORDS)
_BEFORE_LAYOUT, _AFTER_LAYOUT = 250, 150
_SHAPE_WORDS = ("shape", "size", "dimension")
_BEFORE_SHAPE, _AFTER_SHAPE = 200, 80
_ENTRY_WORDS = ("matrix of", "matrix whose entries", "matrix with entries")
_BEFORE_ENTRY, _AFTER_ENTRY = 200, 120

# a layout said by the entries of a derivative by a matrix: "$\partial_X f$ the matrix of the
# $\partial f/\partial X_{ij}$" (entry i, j at row i, column j: the denominator layout), "…
# whose entries are $\partial f / \partial X_{ji}$" (the numerator layout)
_BY_ENTRIES = folded_pattern(
    r"\bmatrix\s+(?:of|whose\s+entries\s+are|with\s+entries)\s+(?:the\s+|its\s+|all\s+)?\$\s*"
    r"(?:\\frac\s*\{\s*\\partial\s*\\?[a-z]{1,8}\s*\}\s*\{\s*\\partial\s*\\?[a-z]{1,8}\s*_"
    r"|\\partial\s*\\?[a-z]{1,8}\s*/\s*\\partial\s*\\?[a-z]{1,8}\s*_)"
    r"\s*\{?\s*([a-z])\s*,?\s*([a-z])\s*\}?\s*\}?\s*\$"
)


def _windows(
    text: str, words: tuple[str, ...], before: int, after: int, lo: int = 0, hi: int = -1
) -> list[tuple[int, int]]:
    """The stretches of ``text`` around each of ``words`` (those starting from ``lo`` to
    ``hi``; -1: the end), overlapping ones joined (found by ``str.find``: a regular
    expression of alternatives is slower), each ending after a whole word (a pattern's
    ``\\b`` takes a stretch's end for the text's)."""
    places = []
    end = len(text) if hi < 0 else hi
    for word in words:
        at = text.find(word, lo, end + len(word))
        while at >= 0:
            places.append(at)
            at = text.find(word, at + len(word), end + len(word))
    out: list[tuple[int, int]] = []
    for at in sorted(places):
        lo, hi = max(0, at - before), min(len(text), at + after)
        while hi < len(text) and (text[hi].isalnum() or text[hi] == "_"):
            hi += 1
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _stated(text: str, start: int, m: re.Match[str]) -> bool:
    """Is the match ``m`` in a sentence from ``start`` a statement: not in a comment, not
    supposed or denied ("If we use numerator layout, …", "… is not used throughout")?"""
    if _COMMENTED.search(text, text.rfind("\n", 0, m.start()) + 1, m.start()):
        return False  # % We use numerator layout
    if _SUPPOSED.search(text, start, m.start()):
        return False
    # (not a denial in a parenthesis of its own before it: "invertible $B$ (not symmetric), in
    # the layout where the derivative has the shape of $B$" denies a property of B)
    before = _ASIDE_PARENS.sub(" ", text[start : m.start()])
    return not (_DENIED.search(before) or _DENIED.search(text, m.start(), m.end()))


_ASIDE_PARENS = re.compile(r"\([^()$]*\)")


def _in_words(text: str, windows: list[tuple[int, int]], seen: set[int]) -> list[Statement]:
    """The statements that name a layout ("we use denominator layout", "Convention: …")."""
    found = []
    for pattern in (_WE_USE, _WE_DERIVE, _STATED):
        for m in (m for lo, hi in windows for m in pattern.finditer(text, lo, hi)):
            start, end = sentence_at(text, m.start(), m.end())
            aside = m[0].startswith("(")  # (its own words only: "if …, then ∇f = G (…)")
            if start in seen or not _stated(text, m.start() if aside else start, m):
                continue
            sentence = text[start:end]
            if pattern is _WE_DERIVE and (
                _SUPPOSED.search(text, m.start(), m.end()) or _ASIDE.search(sentence)
            ):
                continue  # "we derive it, if needed, in …", "we also derive … in …"
            said = {_which(g) for g in m.groups() if g}
            if pattern is _STATED and _JACOBIANS_BESIDE_COLUMNS.search(sentence):
                said = {"denominator"}  # (the gradients' layout; the Jacobians' by its entries)
            elif len(_named(sentence) | said) != 1:
                continue  # both layouts named: none stated
            if pattern is not _WE_USE and _BLAME.search(sentence):
                continue
            seen.add(start)
            end = _scope_end(text, m.start(), sentence)
            found.append(Statement(said.pop(), start, end, m.start()))
    return found


def _in_other_languages(
    text: str, windows: list[tuple[int, int]], seen: set[int]
) -> list[Statement]:
    """The statements that name a layout in another language ("全文采用分母布局", "Wir
    verwenden durchgehend das Nennerlayout", "nous adoptons la disposition dénominateur")."""
    found = []
    for lo, hi in windows:
        for layout, start, at in language_cues.layout_statements(text, lo, hi):
            if start in seen or _COMMENTED.search(text, text.rfind("\n", 0, at) + 1, at):
                continue
            seen.add(start)
            unit = language_cues.scope_unit(text[start:at])  # "本节采用分子布局": this section
            end = _scope_end(text, at, f"this {unit}" if unit else "")
            found.append(Statement(layout, start, end, at))
    return found


_DISPLAY_OPENS = re.compile(r"\\\[|\$\$|\\begin\{(?:equation|align|gather|multline|eqnarray)")


def _own_words(sentence: str, after: int) -> str:
    r"""The sentence up to the first display after offset ``after`` (what follows a display,
    "\[ … \] and the symmetric-case formula is wrong here: \[ … \]", blames that display's
    formula, not the statement before it)."""
    found = _DISPLAY_OPENS.search(sentence, after)
    return sentence[: found.start()] if found is not None else sentence


def _stating(
    pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]], seen: set[int]
) -> Iterator[tuple[re.Match[str], int, str]]:
    """The matches of ``pattern`` in ``windows`` that state something, with their sentence
    (and where it starts): not in a sentence read already, stated (not asked or supposed),
    and not blamed by the sentence's own words."""
    for m in (m for lo, hi in windows for m in pattern.finditer(text, lo, hi)):
        start, end = sentence_at(text, m.start(), m.end())
        sentence = text[start:end]
        if (
            start in seen
            or not _stated(text, start, m)
            or _BLAME.search(_own_words(sentence, m.end() - start))
        ):
            continue
        yield m, start, sentence


def _by_entries(text: str, windows: list[tuple[int, int]], seen: set[int]) -> list[Statement]:
    """The statements that say a layout by the entries of a derivative by a matrix."""
    found = []
    for m, start, sentence in _stating(_BY_ENTRIES, text, windows, seen):
        if m[1] == m[2] or _named(sentence):
            continue  # (a sentence naming a layout is read as such)
        layout = "denominator" if m[1] < m[2] else "numerator"  # (i, j): row i, column j
        seen.add(start)
        found.append(Statement(layout, start, _scope_end(text, m.start(), sentence), m.start()))
    return found


def _by_shape(
    written: str, text: str, windows: list[tuple[int, int]], seen: set[int]
) -> list[Statement]:
    """The statements that say a layout by the shape of a derivative by a matrix."""
    found = []
    for m, start, sentence in _stating(_SHAPED, text, windows, seen):
        if "\\nabla" in sentence and not re.search(r"\\partial|derivative", sentence):
            continue  # "\nabla_W L has the shape of W": so is every gradient, in any layout
        group = 1 if m[1] is not None else 2
        if "=" in text[m.start() : m.start(group)]:
            continue  # "$$\frac{\partial L}{\partial W} = \mathbf a\mathbf r^\top$$ which has the
            # shape of $W^\top$": the shape of one result, not the document's convention
        shape_of = written[m.start(group) : m.end(group)]  # (as written: T is not t)
        transposed = shape_of.lower().startswith("transpose") or re.search(
            r"\^\s*\{?\s*(?:\\top|T\b|\\intercal)", shape_of
        )
        layout = "numerator" if transposed else "denominator"
        named = _named(_JACOBIAN_ASIDE.sub("", sentence))
        if named and (
            named != {layout}
            or (_named(_CONFIRMED.sub("", sentence)) and not _WORKS_IN.search(sentence))
        ):
            # (a sentence naming a layout is read above; not one for Jacobians alone) —
            # but "… with the shape of $X$ (denominator layout)": the name confirms the shape,
            # and so does "The tool works in denominator layout: the derivative … has the
            # shape of the matrix", whose subject no statement of use reads
            continue
        seen.add(start)
        end = _scope_end(text, m.start(), sentence)
        found.append(Statement(layout, start, end, m.start()))
    return found


def layout_in_force(text: str, at: int, said: list[Statement] | None = None) -> str | None:
    """The layout stated for offset ``at`` (the latest statement made before it whose scope
    reaches it), or None."""
    return in_force(statements(text) if said is None else said, at)


def in_force(said: list[Statement] | tuple[Statement, ...], at: int) -> str | None:
    """The layout ``said`` (statements in order) states for offset ``at``, or None."""
    starts = [s.start for s in said]
    for s in reversed(said[: bisect.bisect_right(starts, at)]):
        if at < s.end:
            return s.layout
    return None


def stated_layout(text: str) -> str | None:
    """The one layout the whole of ``text`` states (None if it states none, or both)."""
    named = {s.layout for s in _statements(text)}
    return named.pop() if len(named) == 1 else None


def sentence_layouts(text: str, start: int, end: int) -> set[str]:
    """The layouts the sentence holding ``text[start:end]`` names for it ("in numerator
    layout this is …"), but not where it calls the answer so named wrong."""
    text = folded(text)
    lo, hi = sentence_at(text, start, end)
    sentence = text[lo:hi]
    if _BLAME.search(sentence):
        return set()
    return _named(sentence)


# -- across a project's files -----------------------------------------------------------------


def stated_in(path: str, text: str, texts: dict[str, str]) -> list[Statement]:
    """The statements in force in the file ``path`` of ``text``: the layout the project's
    files read before it state for it (``texts``: every file's text in reading order; empty
    or without ``path``: a file alone), then its own and those of the files it includes
    (``\\input{macros}``: from the include on), in order."""
    own = _own_statements(path, text)
    if len(texts) < 2 or texts.get(path) != text:
        return own
    project = _project(tuple(texts.items()))
    here = project.order.index(path)
    before = project.inherited(here)
    said = [before] if before is not None else []
    included = project.included(here)
    if not included:
        return said + own
    return said + sorted(own + included, key=lambda s: s.start)


# The statements of each file's own text as stated_in last read them (per path: its last
# text only, with the stretches its patterns were searched in).  Every check reads them;
# kept by text in _statements' cache, a document being typed in left a stale copy of itself
# there at each keystroke (64 copies of the Cookbook, 10 MB).
_Said = tuple[str, tuple[Statement, ...], tuple[tuple[int, int], ...]]
_OWN: OrderedDict[str, _Said] = OrderedDict()
_OWN_PATHS = 256
_OWN_LOCK = threading.Lock()


def _own_statements(path: str, text: str) -> list[Statement]:
    with _OWN_LOCK:
        last = _OWN.get(path)
    if last is not None and (last[0] is text or last[0] == text):
        return list(last[1])
    read = _after_edit(last, text) if last is not None else None
    said, windows = read if read is not None else _read(text)
    with _OWN_LOCK:
        _OWN[path] = (text, said, windows)
        _OWN.move_to_end(path)
        while len(_OWN) > _OWN_PATHS:
            _OWN.popitem(last=False)
    return list(said)


# How far from an edit a stretch searched for statements must lie for the edit to leave it
# as it was: what a match there reads reaches 400 characters before it and 340 after it
# (sentence_at, _display_follows), a stretch 250 before its word and 150 after it
_UNREAD = 1000
_BEGIN_DOCUMENT = "\\begin{document}"


def _after_edit(
    last: _Said, text: str
) -> tuple[tuple[Statement, ...], tuple[tuple[int, int], ...]] | None:
    """The statements of ``text`` and the stretches to search for them, when the last text
    of its path (``last``: text, statements, stretches) stated none and one edit made
    ``text`` of it: none, where the edit is far from every stretch and every word that
    makes one (an edit of the Cookbook read it whole again, 1.7 ms of a keystroke's 12);
    else what the stretches near it state (:func:`_read_near`).  None otherwise.

    What a statement depends on beyond its stretch's neighbourhood is kept as it was: the
    line a match is on (no line break typed or deleted) and whether it is a comment from
    some ``%`` on (no ``%`` nor backslash either), a preamble's comments (no edit before
    ``\\begin{document}``, none made) and ``texgrad:`` directives (none near)."""
    was, said, windows = last
    if said:
        return None
    edit = TextEdit.between(was, text)
    a, old_end, new_end = edit.start, edit.old_end, edit.new_end
    changed = was[a:old_end] + text[a:new_end]
    if any(c in changed for c in "\n\r%\\") or was[a - 1 : a] in ("%", "\\"):
        return None  # (nor next to one: "\\x%" made "\\%", no comment from there on)
    begin = was.find(_BEGIN_DOCUMENT)  # (a preamble's comments are its prose: up to there)
    if begin >= 0 and a < begin + len(_BEGIN_DOCUMENT):
        return None  # (an edit of the preamble, or of the line that ends it)
    if begin < 0 and _BEGIN_DOCUMENT in text[max(0, a - 16) : new_end + 16]:
        return None  # (one made)
    d = edit.delta
    close = [lo - _UNREAD < old_end and a < hi + _UNREAD for lo, hi in windows]
    if "texgrad:" in folded(text[max(0, a - _UNREAD) : new_end + _UNREAD]):
        return None
    if "texgrad:" in folded(was[max(0, a - _UNREAD) : old_end + _UNREAD]):
        return None
    near = folded(text[max(0, a - _UNREAD) : new_end + _UNREAD])
    if not any(close) and not any(w in near for w in _WORDS):
        return (), tuple((lo, hi) if hi <= a else (lo + d, hi + d) for lo, hi in windows)
    # stretches near the edit, or a word the edit made or moved near one: those read again
    far = [
        (lo, hi) if hi <= a else (lo + d, hi + d)
        for (lo, hi), c in zip(windows, close, strict=True)
        if not c
    ]
    return _read_near(text, [w for w, c in zip(windows, close, strict=True) if c], far, edit)


_WORDS = (*_LAYOUT_WORDS, *_SHAPE_WORDS, *_ENTRY_WORDS)  # (all that make a stretch)


def _read_near(
    text: str, close: list[tuple[int, int]], far: list[tuple[int, int]], edit: TextEdit
) -> tuple[tuple[Statement, ...], tuple[tuple[int, int], ...]] | None:
    """What :func:`_after_edit` reads when stretches lie near the edit (``close``, where the
    last text had them; ``far``, the others, where they are now), the last text stating
    nothing: the stretches of the words near the edit and the close ones, searched as
    :func:`_read` searches them; the far ones stay as they were, stating nothing (what a
    match there reads lies _UNREAD from the edit).  An edit of the Cookbook's first lines,
    near a stretch, read the whole text again: 1.9 ms of its 12.  None when a stretch read
    again meets a far one without being it (:func:`_read` would have joined them)."""
    d, a = edit.delta, edit.start
    lo = min([a - _UNREAD, *(w[0] for w in close)])
    hi = max([edit.new_end + _UNREAD, *(w[1] + d for w in close)])
    reach = max(_BEFORE_LAYOUT, _BEFORE_SHAPE, _BEFORE_ENTRY)  # (a word whose stretch meets)
    folded_text = folded(_uncommented_preamble(text))
    found, near = _read_between(text, folded_text, max(0, lo - reach), hi + reach)
    kept = set(far)
    for w in near:
        if w not in kept and any(w[0] <= f[1] and f[0] <= w[1] for f in far):
            return None
    return tuple(sorted(found, key=lambda s: s.start)), tuple(sorted(kept.union(near)))


def inherited(path: str, texts: dict[str, str]) -> Statement | None:
    """The layout the files of ``path``'s project read before it (``texts``: every file's
    text in reading order) state for it, as a statement holding from before ``path``'s
    first character to its end; None where they state none."""
    if path not in texts or len(texts) < 2:
        return None
    project = _project(tuple(texts.items()))
    return project.inherited(project.order.index(path))


_CHAPTER_SCOPED = folded_pattern(
    r"\bthis\s+(?:part|chapter|appendix|lecture|section|subsection|example|exercise|problem"
    r"|solution|proof)\b"
)
_PREAMBLE_LINE = re.compile(r"\s*(?:%.*|\\.*|[{}\[\]].*)?")  # a command, a brace, a comment


@dataclass(frozen=True)
class _Project:
    """A project's files as layouts are carried between them: in reading order, the files
    each includes, and the statements each makes for the rest of the document."""

    order: list[str]
    sizes: list[int]
    # per file: (offset of the include, index in ``order``) of the files it includes
    children: list[list[tuple[int, int]]]
    # per file: its statements that hold to its end and say no narrower scope
    carried: list[tuple[Statement, ...]]

    def inherited(self, here: int) -> Statement | None:
        """What the files read before ``order[here]`` state for it (an including file: up
        to the include that leads to it), as a statement of its whole text."""
        found: Statement | None = None
        for i in range(here):
            cut = self.sizes[i]
            for start, child in self.children[i]:
                if child <= here <= self.subtree_end(child):
                    cut = start  # an including file: read up to the include leading here
                    break
            for s in self.carried[i]:
                if s.said < cut:
                    found = s
        if found is None:
            return None
        return Statement(found.layout, -1, self.sizes[here])

    def included(self, here: int) -> list[Statement]:
        """What the files ``order[here]`` includes (and those they include) state for the
        rest of the document, as its statements from each include on."""
        out = []
        for start, child in self.children[here]:
            found = None
            for n in range(child, self.subtree_end(child) + 1):
                if self.carried[n]:
                    found = self.carried[n][-1]
            if found is not None:
                out.append(Statement(found.layout, start, self.sizes[here]))
        return out

    def subtree_end(self, at: int) -> int:
        """The index of the last file read inside ``order[at]`` (files are read depth first)."""
        for _ in range(MAX_INCLUDE_DEPTH + 1):
            ends = [n for _, n in self.children[at] if n > at]
            if not ends:
                break
            at = max(ends)
        return at


MAX_INCLUDE_DEPTH = 20


@by_text()
def _project(files: tuple[tuple[str, str], ...]) -> _Project:
    """A project's files (path and text, in reading order) read once for their layouts."""
    order = [p for p, _ in files]
    by_name: dict[str, list[int]] = {}  # every tail of a path ("b/c.tex", "c.tex") -> files
    for n, p in enumerate(order):
        parts = p.replace("\\", "/").split("/")
        for k in range(len(parts)):
            by_name.setdefault("/".join(parts[k:]), []).append(n)
    children = []
    for n, (p, text) in enumerate(files):
        found = []
        for start, target in _includes(p, text):
            m = _matching(target, by_name, n + 1)
            if m is not None:
                found.append((start, m))
        children.append(found)
    return _Project(
        order,
        [len(t) for _, t in files],
        children,
        [_carried(t, _is_preamble(t)) for _, t in files],
    )


@by_text()
def _includes(path: str, text: str) -> tuple[tuple[int, str], ...]:
    """(offset, target as written) of every include of a file, in order."""
    if "\\" not in text:
        return ()
    scan = scan_text(text, format_of(path), frozenset(), path)
    return tuple((inc.start, inc.target) for inc in scan.includes)


def _matching(target: str, by_name: dict[str, list[int]], first: int) -> int | None:
    """The index (from ``first``) of the file an include names (``by_name``: the files by
    every tail of their paths)."""
    name = PurePosixPath(target.replace("\\", "/").lstrip("./"))
    wanted = [str(name)] if name.suffix else [str(name), f"{name}.tex"]
    found = [n for w in wanted for n in by_name.get(w, ()) if n >= first]
    return min(found) if found else None


def _is_preamble(text: str) -> bool:
    """A preamble or macros file: commands, braces and comments only, no prose."""
    return "\\begin{document}" not in text and all(
        _PREAMBLE_LINE.fullmatch(line) for line in text.splitlines()
    )


def _carried(text: str, preamble: bool) -> tuple[Statement, ...]:
    """The statements of ``text`` that hold to its end and say no narrower scope (in a
    preamble, its comments read as its prose; so are those of a root's own preamble)."""
    if preamble:
        text = _uncommented(text)
    said = _statements(text)
    if not said:
        return ()
    low = folded(text)
    return tuple(
        s
        for s in said
        if s.end >= len(text)
        and not _CHAPTER_SCOPED.search(low, max(0, s.start), min(len(text), s.start + 400))
    )


# -- the Jacobian's convention said by its shape or its entries --------------------------------

# "we write the Jacobian as $m \times n$", "the Jacobian … is the $m \times n$ matrix": the
# letters of its shape, against those of the map's "$\mathbf f: \mathbb{R}^n \to \mathbb{R}^m$"
# said in the same sentence or the one before
_JACOBIAN_SHAPE = re.compile(
    r"\bJacobians?\b[^.$]{0,60}?(?:\$[^$]{0,60}\$[^.$]{0,40}?)?\b(?:as|is|be|are)\s+(?:an?\s+|the\s+)?"
    r"\$\s*([A-Za-z])\s*(?:\\times|×|\\!\\times)\s*([A-Za-z])\s*\$",
    re.IGNORECASE,
)
_MAP = re.compile(
    r"(?:\\mathbb\s*\{?\s*R\s*\}?|\\R\b)\s*\^\s*\{?\s*([A-Za-z])\s*\}?\s*(?:\\to|\\rightarrow|\\longrightarrow)\s*"
    r"(?:\\mathbb\s*\{?\s*R\s*\}?|\\R\b)\s*\^\s*\{?\s*([A-Za-z])\s*\}?"
)
# "the Jacobian … $J_{ij} = \partial f_i / \partial x_j$" (numerator) or "… \partial f_j / \partial x_i"
# ("$(J)_{ij} = …$" too)
_JACOBIAN_ENTRY = re.compile(
    r"\bJacobians?\b[^.]{0,80}?(?:\(\s*)?J(?:\s*\))?_\{?\s*([a-z])\s*,?\s*([a-z])\s*\}?\s*=\s*"
    r"(?:\\frac\s*\{\s*\\partial\s*[A-Za-z\\{}]*?_\{?\s*([a-z])\s*\}?\s*\}\s*\{\s*\\partial\s*[A-Za-z\\{}]*?_\{?\s*([a-z])"
    r"|\\partial\s*[A-Za-z\\{}]*?_\{?\s*([a-z])\s*\}?\s*/\s*\\partial\s*[A-Za-z\\{}]*?_\{?\s*([a-z]))",
    re.IGNORECASE,
)


# "… and for a matrix function $F$ the Jacobian $\frac{\partial \vect F}{\partial (\vect
# X)^\top}$ (numerator layout)": the layout of its Jacobians alone, in an aside after them
_JACOBIAN_ASIDE = folded_pattern(
    r"\bjacobians?\s*\$[^$]{1,120}\$\s*\(\s*(?:in\s+)?(?:the\s+)?(numerator|denominator)"
    r"\s+(?:layout|convention)\s*\)"
)


# "Jacobians are in numerator layout: …", "the Jacobian is always written in the denominator
# layout": a layout said of Jacobians as the sentence's subject (it is also read as the
# document's layout, which a later statement of the gradients' takes over from; for the
# Jacobians it still holds)
_JACOBIANS_IN = folded_pattern(
    r"\bjacobians?\s+(?:matri(?:x|ces)\s+)?(?:are|is)\s+(?:always\s+)?(?:written\s+|given\s+"
    r"|taken\s+|arranged\s+|laid\s+out\s+)?in\s+(?:the\s+)?(numerator|denominator)\s+"
    r"(?:layout|convention)"
)


def jacobian_statements(text: str) -> tuple[Statement, ...]:
    """The conventions ``text`` states for its Jacobians alone, by their shape ("for
    $\\mathbf f: \\mathbb{R}^n \\to \\mathbb{R}^m$ we write the Jacobian as $m \\times n$":
    numerator; "… as $n \\times m$": denominator) or their entries ("$J_{ij} = \\partial f_i /
    \\partial x_j$"), each from its sentence to the end of the document (or of the unit it
    names); not where supposed, denied or called wrong.  A Jacobian's layout only: the
    gradients of the same text are not decided by it."""
    global _LAST_JACOBIANS
    last = _LAST_JACOBIANS  # (each claim of a document asks: a scan of all its text)
    if last is not None and last[0] is text:
        return last[1]
    found = _jacobian_statements(text) if "acobian" in text else ()
    _LAST_JACOBIANS = (text, found)
    return found


_LAST_JACOBIANS: tuple[str, tuple[Statement, ...]] | None = None  # the text asked last, its own


@by_text()
def _jacobian_statements(text: str) -> tuple[Statement, ...]:
    found: list[Statement] = []
    seen: set[int] = set()
    for m in _JACOBIAN_SHAPE.finditer(text):
        start, end = sentence_at(text, m.start(), m.end())
        if start in seen or not _jacobian_stated(text, start, end, m):
            continue
        rows, cols = m[1], m[2]
        maps = list(_MAP.finditer(text, max(0, start - 300), end))
        if not maps or rows == cols:
            continue
        source, target = maps[-1][1], maps[-1][2]
        if source == target or {rows, cols} != {source, target}:
            continue
        layout = "numerator" if (rows, cols) == (target, source) else "denominator"
        seen.add(start)
        found.append(
            Statement(layout, start, _scope_end(text, m.start(), text[start:end]), m.start())
        )
    asides = _JACOBIAN_ASIDE.finditer(folded(text)) if "(" in text else ()
    for m in chain(asides, _JACOBIANS_IN.finditer(folded(text))):
        start, end = sentence_at(text, m.start(), m.end())
        if start in seen or not _jacobian_stated(text, start, end, m):
            continue
        seen.add(start)
        found.append(
            Statement(_which(m[1]), start, _scope_end(text, m.start(), text[start:end]), m.start())
        )
    for m in _JACOBIAN_ENTRY.finditer(text):
        start, end = sentence_at(text, m.start(), m.end())
        if start in seen or not _jacobian_stated(text, start, end, m):
            continue
        i, j = m[1], m[2]
        of, by = (m[3], m[4]) if m[3] else (m[5], m[6])
        if i == j or {of, by} != {i, j}:
            continue
        seen.add(start)
        layout = "numerator" if (of, by) == (i, j) else "denominator"
        found.append(
            Statement(layout, start, _scope_end(text, m.start(), text[start:end]), m.start())
        )
    return tuple(sorted(found, key=lambda s: s.start))


def _jacobian_stated(text: str, start: int, end: int, m: re.Match[str]) -> bool:
    """A statement, not a supposition, a denial, a comment or a blamed answer."""
    low = folded(text)
    if _COMMENTED.search(text, text.rfind("\n", 0, m.start()) + 1, m.start()):
        return False
    if _SUPPOSED.search(low, start, m.start()) or _DENIED.search(low, start, m.end()):
        return False
    return _BLAME.search(low, start, end) is None


def jacobian_layout_in_force(text: str, at: int) -> str | None:
    """The convention ``text`` states for its Jacobians at offset ``at``, or None."""
    return in_force(jacobian_statements(text), at)
