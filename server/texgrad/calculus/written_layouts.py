r"""Which layout a written derivative is in: what the document states, where it states it.

A document states its layout in a sentence of its prose ("We use denominator layout
throughout", "All derivatives below are in numerator layout", "Convention: denominator
layout").  Such a statement holds from the sentence that makes it to the end of the
document — never for chapters before it — or, where it says so ("in this appendix", "in
this section"), to the end of that chapter or section; a later statement takes over from
where it is made.  A sentence that names a layout while calling an answer wrong ("writing
$X^{-1}$, the numerator-layout answer, would be wrong") states nothing, and a sentence
naming both layouts ("numerator layout for Jacobians, denominator layout for gradients")
states neither.

:func:`layout_in_force` answers for one offset; :func:`sentence_layouts` gives the layouts
the claim's own sentence names ("In numerator layout the same gradient is …");
:func:`accepted_forms` turns them into the forms of the engine's result a written
derivative may take:

- a gradient by a vector: a column or a row, whatever is stated;
- ``\nabla_X f`` by a matrix: the gradient, X's shape (and, under a stated numerator
  layout, its transpose too — many authors who state it still write ∇ for it);
- ``\frac{\partial f}{\partial X}`` by a matrix: with no layout stated either arrangement
  (the matrix of ∂f/∂X_{ij}, as the Cookbook writes it, or its transpose); a stated
  denominator layout wants the first, a stated numerator layout the second;
- by a transpose (``\frac{\partial f}{\partial X^\top}``, whose meaning authors do not
  agree on): either arrangement; ``\frac{\partial \mathbf y}{\partial \mathbf x^\top}`` is the
  m×n Jacobian under a stated layout (either way round with none);
- a Jacobian: either convention, unless a layout is stated; ``J_f(x)`` is the matrix of
  ∂f_i/∂x_j in any layout (and its transpose unless numerator layout is stated);
- for a symmetric X, the Cookbook's structured form beside the plain one.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from texgrad.shapes.dims import ONE, Shape

# (a line may break between the words, "the denominator\nlayout", but no blank line)
_LAYOUT = r"(numerator|denominator)\b(?:[^.$\n]|\n(?![ \t]*\n)){0,12}?\b(?:layout|convention)"
_NAMED = re.compile(
    r"\b" + _LAYOUT + r"|\b(Jacobian|Hessian) (?:convention|formulation)",
    re.I,
)
# "we use / adopt / follow … denominator layout": a statement even beside a word of blame
# ("We use denominator layout; $X^{-1}$ would be wrong")
_WE_USE = re.compile(
    r"(?:\b(?:we|I)(?:'re|'ll| are| will| shall| always)?\s+|\blet(?:'s| us)\s+"
    r"|\b(?:this|these|the|our)\s+(?:document|notes?|paper|chapter|book|thesis|text|sheet"
    r"|lectures?|section|appendix|course|slides?|deck|article)s?\s+)"
    r"(?:use|uses|using|adopt|adopts|adopting|follow|follows|following|work in|works in"
    r"|working in|write|writing|employ|employs|stick to|sticks to|choose|chose|prefer)\b"
    r"[^.$]{0,40}?\b" + _LAYOUT,
    re.I,
)
# statements in other words: blamed, they state nothing
_STATED = re.compile(
    "|".join(
        (
            r"\b" + _LAYOUT + r"(?:[^.$]{0,30}\bthroughout|\s*(?:is|will be)\s+used"
            r"|\s+is\s+assumed)",
            r"\bthroughout\b[^.$]{0,40}\b" + _LAYOUT,
            r"\b(?:all|every|our)\s+(?:the\s+)?(?:derivatives?|gradients?|jacobians?|results?"
            r"|formulas?|identities|matrix derivatives?)\b[^.$]{0,60}?\b(?:are|is)\s+"
            r"(?:written\s+|given\s+|expressed\s+|stated\s+)?in\s+(?:the\s+)?" + _LAYOUT,
            r"\b(?:layout|convention)\s*[:=]\}?\s*(?:the\s+)?(numerator|denominator)\b",
            r"\bconvention\b[^.$]{0,15}(?:\}|:|\.)\s*(?:the\s+)?" + _LAYOUT,
            r"\b(?:in|using)\s+(?:the\s+)?" + _LAYOUT + r"\s+(?:throughout|everywhere|below"
            r"|from now on|in\s+(?:these|this|the\s+following|what\s+follows))",
            # "Gradients are column vectors (denominator layout)."
            r"\b(?:gradients?|derivatives?|jacobians?)\b[^.$]{0,40}\b(?:are|is)\b[^.$]{0,40}"
            r"\(\s*(?:i\.\s?e\.,?\s*|that is,?\s*)?(?:the\s+)?" + _LAYOUT + r"\s*\)",
            # "I use the convention that the gradient has the shape of $W$ (denominator layout)"
            r"\b(?:use|uses|using|adopt|adopts|follow|follows|following)\s+(?:the|a|this)\s+"
            r"convention\b[^.]{0,100}?\(\s*(?:i\.\s?e\.,?\s*|that is,?\s*)?(?:the\s+)?"
            + _LAYOUT
            + r"\s*\)",
        )
    ),
    re.I,
)
# a sentence that calls an answer wrong: the layout it names is the wrong answer's
_BLAME = re.compile(
    r"\b(?:wrong|incorrect|mistakes?|mistaken(?:ly)?|erroneous(?:ly)?|invalid|(?:an?|common"
    r"|typical|in)\s+error|not\s+(?:correct|right|valid)|isn't\s+(?:correct|right)|pitfall"
    r"|(?:common|typical)\s+slip|beware|careful|do\s+not\s+write|don't\s+write|never\s+write"
    r"|avoid)\b",
    re.I,
)
# a layout said by the shape of a derivative by a matrix: "the derivative of a scalar by a
# matrix has the same shape as the matrix" (denominator), "… has the shape of $X^\top$" (numerator)
_SHAPED = re.compile(
    r"(?:\bderivatives?\b|\bgradients?\b|\\partial\s*f\s*/\s*\\partial|\\frac\{\\partial\s*f\}"
    r"\{\\partial)[^.]{0,80}?\b(?:has|have|is|are)\s+(?:of\s+)?(?:always\s+)?(?:the\s+)?"
    r"(?:same\s+)?(?:shape|size|dimensions?)\s+(?:as|of)\s+(?:the\s+)?"
    r"(\$[^$]{1,30}\$|(?:transpose|matrix|variable|argument)\b)",
    re.I,
)
# a directive, in a comment too: "% texgrad: denominator layout", "<!-- texgrad: layout numerator -->"
_DIRECTIVE = re.compile(
    r"texgrad:[^\n]{0,40}?\b(numerator|denominator)\b(?:[- ]layout)?(?=[^\n]{0,20}(?:-->|$))",
    re.I | re.M,
)
_HEADING = re.compile(r"\\(part|chapter|section|subsection|appendix)\b\*?|^(#{1,6})\s", re.M)
_LEVELS = {"part": 0, "chapter": 1, "appendix": 1, "section": 2, "subsection": 3}
_SCOPED = re.compile(r"\bthis\s+(part|chapter|appendix|lecture|section|subsection)\b", re.I)
_COMMENTED = re.compile(r"(?<!\\)%")  # the line is a LaTeX comment from here
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n")


BY_TRANSPOSE = "by a transpose"  # among a claim's layouts: written ∂f/∂X^T or ∂y/∂x^T


@dataclass(frozen=True)
class Statement:
    """A layout the document states: from ``start`` (its sentence) to ``end``."""

    layout: str
    start: int
    end: int


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
    return re.match(r"\s*(?:\$\$|\\\[|\\begin\{)", text[at : at + 40]) is not None


def _named(sentence: str) -> set[str]:
    return {_which(m[1] or m[2]) for m in _NAMED.finditer(sentence)}


def _headings(text: str) -> list[tuple[int, int]]:
    """(offset, level) of every chapter-like or section heading."""
    out = []
    for m in _HEADING.finditer(text):
        level = _LEVELS[m[1]] if m[1] else len(m[2]) - 1  # "# " a chapter, "## " a section
        out.append((m.start(), level))
    return out


def _scope_end(text: str, at: int, sentence: str, headings: list[tuple[int, int]]) -> int:
    """Where a statement made at ``at`` ends: the end of the document, or of the unit its
    sentence names ("in this appendix": the next heading of that unit's level or above)."""
    scoped = _SCOPED.search(sentence)
    if scoped is None:
        return len(text)
    unit = scoped[1].lower()
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


def statements(text: str) -> list[Statement]:
    """Every layout statement of ``text``, in order."""
    found: list[Statement] = []
    headings: list[tuple[int, int]] | None = None
    seen: set[int] = set()
    for pattern in (_WE_USE, _STATED):
        for m in pattern.finditer(text):
            if _COMMENTED.search(text, text.rfind("\n", 0, m.start()) + 1, m.start()):
                continue  # % We use numerator layout
            start, end = sentence_at(text, m.start(), m.end())
            if start in seen:
                continue
            sentence = text[start:end]
            named = _named(sentence)
            said = {_which(g) for g in m.groups() if g}
            if len(named | said) != 1:
                continue  # both layouts named: none stated
            if pattern is _STATED and _BLAME.search(sentence):
                continue
            seen.add(start)
            if headings is None:
                headings = _headings(text)
            end = _scope_end(text, m.start(), sentence, headings)
            found.append(Statement(said.pop(), start, end))
    for m in _SHAPED.finditer(text):
        if _COMMENTED.search(text, text.rfind("\n", 0, m.start()) + 1, m.start()):
            continue
        start, end = sentence_at(text, m.start(), m.end())
        if start in seen or _BLAME.search(text, start, end) or _named(text[start:end]):
            continue  # (a sentence naming a layout is read above)
        if "\\nabla" in text[start:end] and not re.search(r"\\partial|derivative", text[start:end]):
            continue  # "\nabla_W L has the shape of W": so is every gradient, in any layout
        shape_of = str(m[1])
        transposed = shape_of.startswith("transpose") or re.search(
            r"\^\s*\{?\s*(?:\\top|T\b|\\intercal)", shape_of
        )
        seen.add(start)
        if headings is None:
            headings = _headings(text)
        layout = "numerator" if transposed else "denominator"
        found.append(
            Statement(layout, start, _scope_end(text, m.start(), text[start:end], headings))
        )
    for m in _DIRECTIVE.finditer(text):
        found.append(Statement(_which(m[1]), m.start(), len(text)))
    return sorted(found, key=lambda s: s.start)


def layout_in_force(text: str, at: int, said: list[Statement] | None = None) -> str | None:
    """The layout stated for offset ``at`` (the latest statement made before it whose scope
    reaches it), or None."""
    said = statements(text) if said is None else said
    starts = [s.start for s in said]
    for s in reversed(said[: bisect.bisect_right(starts, at)]):
        if at < s.end:
            return s.layout
    return None


def stated_layout(text: str) -> str | None:
    """The one layout the whole of ``text`` states (None if it states none, or both)."""
    named = {s.layout for s in statements(text)}
    return named.pop() if len(named) == 1 else None


def sentence_layouts(text: str, start: int, end: int) -> set[str]:
    """The layouts the sentence holding ``text[start:end]`` names for it ("in numerator
    layout this is …"), but not where it calls the answer so named wrong."""
    lo, hi = sentence_at(text, start, end)
    sentence = text[lo:hi]
    if _BLAME.search(sentence):
        return set()
    return _named(sentence)


def accepted_forms(
    kind: str, shape: Shape, symmetric: bool, layouts: frozenset[str], nabla: bool,
    named_jacobian: bool = False,
) -> tuple[str, ...]:  # fmt: skip
    """The forms of the engine's result ``G`` (``plain``: the gradient, of the variable's
    shape; ``transpose``; ``structured``: the Cookbook's form for a symmetric variable) a
    written derivative of ``kind`` by a variable of ``shape`` may take, in ``layouts`` (the
    layouts stated for it; empty: none).  ``nabla``: written ``\\nabla_X f``;
    ``named_jacobian``: written ``J_f(x)``, the Jacobian matrix of ∂f_i/∂x_j whatever layout
    the document uses for ∂f/∂x (its transpose too, unless numerator layout is stated)."""
    if BY_TRANSPOSE in layouts:  # ∂f/∂X^T: either arrangement; ∂y/∂x^T: the m×n Jacobian
        stated = layouts - {BY_TRANSPOSE}
        if kind == "jacobian" and stated:
            return ("plain",)
        layouts = frozenset()
    if kind == "gradient":
        if ONE in (shape.rows, shape.cols):  # a vector: a column or a row
            return ("plain", "transpose")
        if nabla:  # the gradient has the variable's shape
            base: tuple[str, ...] = ("plain", "transpose") if "numerator" in layouts else ("plain",)
        elif not layouts:
            base = ("plain", "transpose")
        else:
            base = tuple(f for f, lay in (("plain", "denominator"), ("transpose", "numerator"))
                         if lay in layouts)  # fmt: skip
        return (*base, "structured") if symmetric else base
    if kind == "jacobian" and named_jacobian:
        return ("plain",) if layouts == {"numerator"} else ("plain", "transpose")
    if kind == "jacobian":
        if not layouts:
            return ("plain", "transpose")
        return tuple(f for f, lay in (("plain", "numerator"), ("transpose", "denominator"))
                     if lay in layouts)  # fmt: skip
    return ("plain", "transpose")  # by a scalar: a vector written as a row or a column
