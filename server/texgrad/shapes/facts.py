r"""Dimension facts stated in text: ``d = hk``, ``n = n_1 n_2``, "with $N = 2$", "an example
with $n = 2, m = 1$".

A fact is an equality between dimensions, one side a single dimension's name, used only
where dimensions are compared: ``n`` and ``n_1 n_2`` agree where ``n = n_1 n_2`` is in force,
and ``N`` and ``3`` (an instance of a name) do not where ``N = 2`` is.  Only names of
dimensions take part (names that appear in some declared shape): ``y = Xw`` between vectors
is no fact, nor is a range ``k = 1, \dots, K``.

A size made of others (``d = hk``, ``n = n_1 n_2``, even in a case: "When the inputs lie on a
grid, $n = n_1 n_2$") and a number stated as a fact ("with $N = 2$", an Example's "Take
$n = 2$") are scoped like a declaration (the table's ``in_force``: an Example's facts are its
own).  Two names made equal ("with $p = n$ and $X$ invertible", "if $m = n$", "only when
$n_1 = n_2$") are a special case, and so is a number stated in a case ("If $n = 1$, …"): they
hold in their own sentence only, before and after them (a display that continues it too,
even after a colon or a comma and a blank line), whatever words lead them (``Fact.sentence``) — except
a name supposed or derived as such ("Let $m = n$", "Throughout, …", "so that $q = m$", no
case stated), held as a declaration, and a restriction ("unless $p = n$", "which only works
when $n_1 = n_2$": the sentence says what fails but in that case), held nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from texgrad.shapes import language_cues
from texgrad.shapes.dims import ONE, Dim, Shape, dim_of
from texgrad.shapes.sections import SENTENCE_LOOKBACK, next_break, sentence_start
from texgrad.syntax import tree as t

_EQUAL = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv"})
# a sentence that states a case: "If $n = 1$", "for $d = 1$", "when …", "even for a modest
# layer with $d_l = 4096$"
_CASE = re.compile(
    r"\b(?:[Ii]f|[Ww]hen(?:ever)?|[Uu]nless|[Cc]ases?|[Ee]\.g\.|[Ss]pecial|[Ll]imit)\b|\b[Ff]or\s*$"
    r"|\b[Ff]or\s+(?:an?|one)\s+(?:[\w-]+\s+){1,3}with\s*$"
)
# what may lead a fact in its sentence, the last one counting: a restriction (the sentence
# says what fails but in that case: "which only works when $n_1 = n_2$" (or "for"), "unless $p = n$",
# "a mistake that R's recycling hides when $n_1 = n_2$", "which only ran because we tested
# with $D = N$" (or "because the toy data had $n = d$"), "which silently needs $D = N$", "$X (A B)$ would need $d = r$"), held
# nowhere; a consequence of the setting ("so that $q = m$"), a choice made for the whole text ("for simplicity the values have the
# same width, $d_v = d_k$") or a supposition stated as such ("Let $m = n$", "Assume that
# $m = n$"), held as a declaration if no case is stated
_LEAD = re.compile(
    # (a word in scare quotes too: 'which only "works" when $n = d$', ``works'')
    r"\b(?P<restriction>[Uu]nless|[Ee]xcept|only(?:\s+[\"'“‘`]{0,2}\w+[\"'”’]{0,2}){0,3}?\s+(?:when|if|for)"
    # (… in the languages lecture notes are written in: "salvo que", "sauf si", "außer wenn")
    r"|[Ss]alvo(?:\s+que|\s+si)?|a\s+menos\s+que|[Ss]auf(?:\s+si)?|à\s+moins\s+que"
    r"|es\s+sei\s+denn|[Aa]u(?:ß|ss)er(?:\s+wenn|\s+für)?"
    r"|only\s+\w+\s+because(?:\s+\w+){0,3}?\s+(?:with|when|if|had|has|have)|(?:which|would)(?:\s+\w+)?\s+(?:needs?|requires?)\b"
    r"|(?:mistakes?|errors?|wrong|incorrect|slips?|bugs?|typos?|misprints?|hides?|hidden|masks?)"
    r"(?:[\s,]+[\w'’]+){0,5}?[\s,]+(?:when|if))\b"
    r"|\b(?P<consequence>(?:[Ss]o that|[Tt]hat is|[Hh]ence|[Tt]hus|[Tt]herefore"
    r"|[Ff]or (?:simplicity|brevity|convenience))\b|i\.e\.)"
    r"|\b(?P<supposition>[Ll]et|[Aa]ssum(?:e|ing)|[Ss]uppos(?:e|ing)|[Tt]hroughout)\b"
    # a formula's own condition: "…, $X + A_1$, needs $n = d$", "$XA$ requires $n = d$" (what
    # the formula written just before needs to be defined, not a fact of the text)
    r"|(?P<formula_needs>(?:\$|\\\))[\s,]*(?:needs?|requires?|would\s+need)\b)"
)

# a shape declared before a fact in its sentence: the sentence sets the notation up, and
# the names it makes equal stay so ("$W_i^V \in \mathbb{R}^{d \times d_v}$, with $d_v = d_k$")
_DECLARES = re.compile(
    r"\\in\s*(?:\\math(?:bb|bf)\s*\{?\s*R\s*\}?|\\(?:R|RR|Real|Reals|reals|bbR|Rbb)(?![A-Za-z]))\s*\^"
)  # (``\R^{…}``: a document's own macro for the reals, as papers write it)

# a display after a blank line (which goes on with a sentence ending in a colon)
_DISPLAY = re.compile(r"\s*(?:\$\$|\\\[|\\begin\{|```+\s*\{math\}|:::+\s*\{math\})")


@dataclass(frozen=True, slots=True)
class Fact:
    """``name = value`` between dimensions, written at ``path``/``start``..``end``."""

    name: Dim  # a dimension's name (a sympy Symbol)
    value: Dim
    path: str
    start: int
    end: int
    # the sentence (start, end) a fact holds in, if it holds there only (a special case:
    # "with $p = n$"); None: scoped like a declaration
    sentence: tuple[int, int] | None = None
    # ``name`` differs from the number ``value``: "which is cheaper when $n < 6$", "for
    # $n > 6$ the arm is redundant" (see :func:`apart_key`)
    apart: bool = False
    # two names made equal in a chain that ends in a size made of others ("$d_k = d_v = d / h$"):
    # a definition of both, not a case
    defined: bool = False

    @property
    def shape(self) -> Shape:
        """(For the table's scoping, which asks whether a letter has one meaning.)"""
        return Shape(self.value, ONE)


def fact_key(name: object) -> str:
    """What a row reads when it asks for the facts about a dimension's ``name`` (never a
    symbol's key, which holds no NUL)."""
    text = getattr(name, "name", None)  # a sympy Symbol's name: fast (str() is ~10 µs)
    return "\0fact " + (text if isinstance(text, str) else str(name))


def apart_key(name: object, number: object) -> str:
    """What a row reads when it asks whether the text says a dimension's ``name`` is not the
    ``number`` (never a symbol's key, which holds no NUL)."""
    text = getattr(name, "name", None)
    return f"\0apart {text if isinstance(text, str) else name} {number}"


def facts_of(tree: t.Node, path: str) -> Iterator[Fact]:
    """The dimension facts one row states (its statements ``n = n_1 n_2``, ``n = 2, m = 1``),
    whatever its names are (they are kept only if they name dimensions)."""
    for chain in t.statements(tree):
        yield from _chain_facts(chain, path)


_NAMES = (t.Symbol, t.Sub)


def _chain_facts(chain: t.Chain, path: str) -> Iterator[Fact]:
    # n = 2, m = 1 reads as n = (2, m) = 1: a list between two relations ends one statement
    # and starts the next
    sides: list[tuple[t.Node | None, t.Node | None]] = []  # (left, right) of each equality
    items = chain.items
    for i, rel in enumerate(chain.relations):
        left, right = items[i], items[i + 1]
        if isinstance(left, t.List) and left.items:
            left = left.items[-1]
        if isinstance(right, t.List) and right.items:
            if any(isinstance(x, t.Dots) for x in right.items):
                continue  # k = 1, \dots, K: a range, not a value
            right = right.items[0]
        if rel in _EQUAL:
            sides.append((left, right))
        elif rel in _APART and left is not None and right is not None:
            yield from _apart(left, right, path)
    defined = False
    if len(sides) > 1 and len(sides) == len(chain.relations):  # K = L = 1: K = 1 as well
        last = sides[-1][1]
        if not (isinstance(last, t.Number) and any(_made_of_others(r) for _, r in sides[:-1])):
            sides += [(left, last) for left, _ in sides[:-1]]
        # (not D = 3 + 6L = 63: the number is the size's value under other facts, L = 10,
        # and D = 63 beside D = 3 + 6L would set D apart from 6L + 3 where L is not known)
        defined = _made_of_others(last)
    for left, right in sides:
        if left is None or right is None:
            continue
        if not (isinstance(left, _NAMES) or isinstance(right, _NAMES)):
            continue  # one side is a dimension's name (n = n_1 n_2): most equations are not
        a, b = dim_of(left), dim_of(right)
        if a is None or b is None or a == b:
            continue
        if a.is_Symbol and not (b.is_Symbol and right.start < left.start):
            yield Fact(a, b, path, left.start, right.end, defined=defined)
        elif b.is_Symbol:
            yield Fact(b, a, path, left.start, right.end, defined=defined)


def _made_of_others(node: t.Node | None) -> bool:
    """Is ``node`` a size made of others (``d / h``, ``hk``, ``n_1 n_2``, ``\\frac{d}{h}``),
    not a name or a number?"""
    return node is not None and not isinstance(node, (*_NAMES, t.Number, t.List))


# a strict comparison or an inequality with a number: "$n < 6$", "$n > 6$", "$n \\neq 6$"
_APART = frozenset({"<", ">", "\\lt", "\\gt", "\\neq", "\\ne"})


def _apart(left: t.Node, right: t.Node, path: str) -> Iterator[Fact]:
    r"""``n < 6``, ``6 < n``, ``n \neq 6``: a dimension's name compared with a number, which
    the text thereby says the name may differ from — wherever it is said, even as a case
    ("which is cheaper when $n < 6$", "for $n > 6$ the arm is redundant"): a text that sizes
    one matrix by n and another by 6 and says n may be less or more than 6 does not mean
    them equal (an n×n matrix plus I_6 is an error), unless a fact in force says n = 6 (an
    Example's "$n = 6$")."""
    for name, number in ((left, right), (right, left)):
        if isinstance(name, _NAMES) and isinstance(number, t.Number):
            a, b = dim_of(name), dim_of(number)
            if a is not None and b is not None and a.is_Symbol and b.is_Number and b > 1:
                yield Fact(a, b, path, left.start, right.end, apart=True)


def scoped(fact: Fact, text: str, names: frozenset[object]) -> Fact | None:
    """``fact`` as it holds, if it is a fact about dimensions (every name in it a dimension's):
    with its sentence (``Fact.sentence``) if it holds there only — two names made equal
    ("with $p = n$"), a number in a case ("If $n = 1$") — else as it is.  A name no shape
    has, said to be a dimension (``n^{[0]} = n_x`` of a layer family), holds as it is."""
    if fact.apart:
        return fact if fact.name in names else None  # (said anywhere: held everywhere)
    if not all(s in names or _member_of_named(s, names) for s in fact.value.free_symbols):
        return None
    if fact.name not in names and not fact.value.is_Symbol:
        return None  # (but "$n^{[0]} = n_x$" names a size by a dimension of the document)
    lo = sentence_start(text, max(0, fact.start - SENTENCE_LOOKBACK), fact.start)
    before = text[lo : fact.start].rstrip(" \t\n$\\([")
    leads = list(_LEAD.finditer(before))
    lead = leads[-1] if leads else None
    if lead is not None and (
        lead.group("restriction")
        or (lead.group("formula_needs") and (_SLIP.search(before) or not _IF.search(before)))
    ):
        # "…, which only works when $n_1 = n_2$": what fails but in that case; "a slip …,
        # $X + A_1$, needs $n = d$": the formula's condition (but "If $C$ and $D$ are …, then
        # $CD$ needs $b = c$", a supposition not called wrong, says what CD needs: held there)
        return None
    if fact.value.free_symbols and not fact.value.is_Symbol:
        return fact  # d = hk, n = n_1 n_2: a size made of others, even in a case
    case = _CASE.search(before)
    if fact.name not in names and not case:
        return fact  # "…, with $n^{[0]} = n_x$": what a size no shape names stands for
    if fact.value.is_Symbol:
        if fact.defined and not case:
            return fact  # "where $d_k = d_v = d / h$": both defined by one size
        if lead is not None and not case and _leads(lead, before):
            return fact  # "…, so that $n = mk$ and $q = m$", "Let $m = n$": not a case
        if not case and lead is None and _DECLARES.search(before):
            return fact  # "$W_i^V \in \mathbb{R}^{d \times d_v}$, with $d = hk$ and $d_v = d_k$"
    elif not case:
        return fact  # "with $N = 2$", "Take $n = 2, m = 1$"
    return replace(fact, sentence=(lo, _sentence_end(text, fact.end)))


# a size of a family of sizes at a label: n_L, d_{L} (of the widths n_l)
_SIZE_MEMBER = re.compile(r"([A-Za-z]+)_\{?([A-Za-z0-9]+)\}?")
_WIDTH_LABELS = ("l", "\\ell", "k", "t", "i", "j")


def _member_of_named(size: object, names: frozenset[object]) -> bool:
    """Is ``size`` a member of a family of sizes the document names (``n_L`` where the widths
    ``n_l`` size its shapes: "With $K = n_L$ classes")?"""
    m = _SIZE_MEMBER.fullmatch(getattr(size, "name", ""))
    if m is None:
        return False
    return any(
        getattr(n, "name", None) == f"{m[1]}_{v}" for v in _WIDTH_LABELS if v != m[2] for n in names
    )


# words that call the formula before "needs" a mistake (what it needs then holds nowhere)
# (a slip's words, and "instead", "errors", "confuses": "…, $X + A_1$, needs $n = d$")
_SLIP = language_cues.blame(r"errors?|instead|confus(?:es|ed|ing)")


_IF = re.compile(r"\b(?:[Ii]f|[Ww]hen(?:ever)?|[Ss]uppos(?:e|ing)|[Aa]ssum(?:e|ing)|[Gg]iven)\b")


def _leads(lead: re.Match[str], before: str) -> bool:
    """Does a consequence lead the fact ``before`` ends at ("so that $n = mk$ and"), or a
    supposition lead it directly ("Let", "Assume that", not "Let $A \\in …$, with")?"""
    if lead.group("consequence"):
        return True
    rest = before[lead.end() :]
    if not any(c in rest.lstrip(" ,") for c in ",;:"):
        return True
    # "From here on we assume a square plant, $m = p$": a few words and no math between
    # (not "Let $A \in …$, with $m = n$", which sets a letter up and then states a case)
    return "$" not in rest and "\\(" not in rest and len(rest.split()) <= 5


def _sentence_end(text: str, at: int) -> int:
    """Where the sentence holding ``at`` ends, a display it goes on into after a colon or a
    comma and a blank line ("For $n = 2$:", "…, with $m = q$,", then ``$$ … $$``) included;
    no further than a lookback."""
    limit = at + SENTENCE_LOOKBACK
    while True:
        end = next_break(text, at, limit)
        if end is None:
            return limit
        if not (
            end.group().isspace()
            and text[max(at, end.start() - 8) : end.start()].rstrip().endswith((":", ","))
            and _DISPLAY.match(text, end.end())
        ):
            return end.start()
        at = end.end()
