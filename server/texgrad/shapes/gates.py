r"""What a document says once and every row may read: the gates of rules that read the whole
text rather than a symbol's declarations — a function "applied elementwise" or that "keeps
the shape" (rules/functions.py), ``h = \tanh`` (a name of an entrywise function),
``\dagger`` for adjoints (rules/symbols.py), ``K = k_1 + \dots + k_M`` (rules/relations.py), primes used as transposes (shapes/primes.py),
and a slip called wrong in its sentence (rules/base.py: ``RuleBase._said_wrong``).

Rules read them as questions (``read``, asked as ``questions.GATE`` about ``GATES_KEY``), so
each row records the answers it got.  ``changed_near`` tells the incremental check
(shapes/incremental.py) when an edit may have changed an answer: then the rows that asked a
gate ask again, and only those whose answers changed are inferred again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from texgrad.casefold import folded
from texgrad.reading.memo import by_text
from texgrad.shapes import language_cues
from texgrad.shapes.primes import another_letter, transposes_with_primes
from texgrad.shapes.sections import errata_spans

# what a row reads when it asks a gate (never a symbol's key, which holds no NUL)
GATES_KEY = "\0gates"

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
    if _near(was, start, old_end, _BLACKBOARD_IDENTITY) != _near(
        new, start, new_end, _BLACKBOARD_IDENTITY
    ):
        return True  # \mathbb{1}_r said (or no longer said) to be the identity
    if _near(was, start, old_end, _BAR_ADJOINT) != _near(new, start, new_end, _BAR_ADJOINT):
        return True  # bars said (or no longer said) to mark adjoints
    if _errata_changed(was, new, start, old_end, new_end):
        return True  # (rules/relations.py defines nothing in a list of mistakes)
    if _dagger_changed(was, new, start, old_end, new_end):
        return True  # (symbols.py asks only whether the document writes it anywhere)
    if _near(was, start, old_end, _PRODUCT_NAMES) != _near(new, start, new_end, _PRODUCT_NAMES):
        return True  # the Khatri–Rao product named, or * said to be the Hadamard product
    if _near(was, start, old_end, _BLAME) != _near(new, start, new_end, _BLAME):
        return True  # a word of blame, or the sentence around it (see said_wrong)
    if _near(was, start, old_end, _ROW_WISE) != _near(new, start, new_end, _ROW_WISE):
        return True  # an operator said to apply row-wise (see said_row_wise)
    if _near(was, start, old_end, _HEADS, HEADS_REACH) != _near(
        new, start, new_end, _HEADS, HEADS_REACH
    ):
        return True  # heads named, or the text up to where they are read (see said_heads)
    reach = 2 * _CONTEXT
    primed = "'" in was[max(0, start - reach) : old_end + reach] or (
        "'" in new[max(0, start - reach) : new_end + reach]
    )
    return primed and (transposes_with_primes(was) or transposes_with_primes(new))


_DAGGER = "\\dagger"


def _errata_changed(was: str, new: str, start: int, old_end: int, new_end: int) -> bool:
    """Are the sections that list mistakes (``sections.errata_spans``) of ``new`` other than
    those of ``was`` moved by the edit (a heading written, renamed or removed)?"""
    old, now = errata_spans(was), errata_spans(new)
    if not old and not now:
        return False
    if len(old) != len(now):
        return True
    d = new_end - old_end

    def moved(x: int, y: int) -> bool:
        return y == x if x < start else y == x + d if x > old_end else y in (x, x + d)

    return not all(moved(a, c) and moved(b, e) for (a, b), (c, e) in zip(old, now, strict=True))


def _dagger_changed(was: str, new: str, start: int, old_end: int, new_end: int) -> bool:
    """Does one of the texts write ``\\dagger`` and the other not?  Only a ``\\dagger``
    that overlaps the edited span can differ (those before it are the same, those after it
    moved): with none there in either text, both write it alike, which is told without a
    search of both whole texts at every edit (0.1–0.3 ms each on the Cookbook)."""
    w = len(_DAGGER) - 1
    if _DAGGER not in was[max(0, start - w) : old_end + w] and (
        _DAGGER not in new[max(0, start - w) : new_end + w]
    ):
        return False
    return (_DAGGER in was) != (_DAGGER in new)


def _near(
    text: str, lo: int, hi: int, pattern: re.Pattern[str], context: int = _CONTEXT
) -> list[str]:
    """The gates' words near lo..hi, each with the sentence around it (``context`` either
    side: as far as a use reads them)."""
    a, b = max(0, lo - 2 * context), min(len(text), hi + 2 * context)
    return [
        text[max(0, m.start() - context) : m.end() + context] for m in pattern.finditer(text, a, b)
    ]


# a size defined as the sum of a family's sizes: "$K = k_1 + \dots + k_M$" (the widths of M
# stacked blocks): the total and the count
_SUMMED_SIZES = re.compile(
    r"(?<![\\A-Za-z])([A-Za-z])\s*=\s*([a-z])_\s*(?:\{\s*1\s*\}|1)\s*\+\s*"
    r"(?:\2_\s*(?:\{\s*2\s*\}|2)\s*\+\s*)?"
    r"\\[lc]?dots\s*\+\s*\2_\s*(?:\{\s*([A-Za-z])\s*\}|([A-Za-z])(?![A-Za-z]))"
)


@by_text()
def summed_sizes(text: str) -> tuple[tuple[str, str], ...]:
    r"""The sizes ``text`` defines as a sum of a family's sizes, with their counts:
    ``K = k_1 + \dots + k_M`` gives ``("K", "M")``."""
    if "dots" not in text:
        return ()
    return tuple((m[1], m[3] or m[4]) for m in _SUMMED_SIZES.finditer(text))


# words that call what a sentence writes wrong; how far from a use they are read (less than
# _CONTEXT: an edit between the two is near the word, and changed_near sees it)
_BLAME = language_cues.blame()
BLAME_REACH = 120


def said_wrong(text: str, at: int) -> bool:
    """Does the sentence holding ``at`` call what it writes wrong, with a word of blame
    (``language_cues.BLAME_WORDS``) up to ``BLAME_REACH`` either side of it?"""
    lo = language_cues.sentence_start(text, max(0, at - BLAME_REACH), at)
    hi = language_cues.sentence_end(text, at, at + BLAME_REACH)
    return _BLAME.search(text, lo, hi) is not None


# words that say an operator applies to each row of a matrix
_ROW_WISE = re.compile(
    r"\brow[- ]?wise\b|\brow\s+by\s+row\b|\bto\s+each\s+row\b|\b(?:token|position)[- ]?wise\b",
    re.IGNORECASE,
)


def said_row_wise(text: str, at: int) -> bool:
    """Does the sentence holding ``at`` say what it applies is applied row-wise ("Let $Y_e =
    \\operatorname{FFN}_e(X)$ denote expert $e$ applied row-wise"), up to ``BLAME_REACH``
    either side of it?"""
    lo = language_cues.sentence_start(text, max(0, at - BLAME_REACH), at)
    hi = language_cues.sentence_end(text, at, at + BLAME_REACH)
    return _ROW_WISE.search(text, lo, hi) is not None


# the word that makes numbered members of a head's output heads: "the heads are concatenated"
_HEADS = re.compile(r"\bheads?\b", re.IGNORECASE)


# how far before a use the word is read, in its paragraph (changed_near compares the text
# this far around each such word, so that an edit that may change an answer is seen)
HEADS_REACH = 400
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def said_heads(text: str, at: int) -> bool:
    """Does the paragraph holding ``at`` speak of heads up to ``HEADS_REACH`` before it,
    or its sentence after it ("the heads are concatenated, $[O_1 \\; O_2]$ … A transposed
    projection, $W_O [O_1 \\; O_2]$, does not fit")?"""
    lo = max(0, at - HEADS_REACH)
    for m in _PARAGRAPH_BREAK.finditer(text, lo, at):
        lo = m.end()
    hi = language_cues.sentence_end(text, at, at + BLAME_REACH)
    return _HEADS.search(text, lo, hi) is not None


# ``\mathbb{1}_r`` set equal to a product with a transpose or an inverse (``\mathsf U_r^\T
# \mathsf U_r = \mathbb{1}_r``, ``A^{-1}A = \mathbb 1_n``): the document's identity
_BLACKBOARD_IDENTITY = re.compile(
    r"\^\s*\{?\s*(?:\\top|\\T|\\intercal|\\mathsf\s*\{?\s*T\s*\}?|T|\\dagger|-1)\s*\}?"
    r"[^=$\n]{0,40}=\s*\\mathbb\s*\{?\s*1\s*\}?\s*_"
)


@by_text()
def says_blackboard_identity(text: str) -> bool:
    r"""Does ``text`` use ``\mathbb{1}_n`` as the identity (``U^\top U = \mathbb{1}_r``)?"""
    return "mathbb" in text and _BLACKBOARD_IDENTITY.search(text) is not None


# bars that mark adjoints (reverse-mode gradients), as backprop notes write them: "the
# upstream gradient $\bar Y$", "the adjoint $\bar{\mathbf x}$", "$\bar v = \partial L /
# \partial v$" (elsewhere a bar is a mean, a conjugate, a complement: of another shape)
_BAR_ADJOINT = re.compile(
    r"(?:(?:upstream|incoming)\s+gradients?|adjoints?|cotangents?)\s+(?:is\s+|are\s+)?\$\s*\\(?:bar|overline)\b"
    r"|\\(?:bar|overline)\s*\{?\s*\\?[A-Za-z]+\s*\}?\s*(?::=|=)\s*\\(?:d?frac|tfrac)\s*\{\s*\\partial"
)


@by_text()
def says_bar_adjoint(text: str) -> bool:
    r"""Does ``text`` mark adjoints with bars ("the upstream gradient $\bar Y$")?"""
    return ("bar" in text or "overline" in text) and _BAR_ADJOINT.search(text) is not None


def read(texts: Mapping[str, str], path: str, gate: tuple[str, ...], at: int = -1) -> object:
    r"""The answer to a gate's question (``gate``: its name and what it asks of), read from the
    project's ``texts`` (``path``: the file asking):

    - ``("elementwise", name)``: does a text say the function ``name`` applies entry by entry;
    - ``("kept", spelling)``: does a text say the function written so keeps its argument's shape;
    - ``("dagger",)``: does a text write ``\dagger``;
    - ``("khatri",)``: does a text name the Khatri–Rao product (see :func:`says_khatri_rao`);
    - ``("star-hadamard",)``: does a text say ``*`` is the Hadamard product (:func:`star_is_hadamard`);
    - ``("one-identity",)``: does a text use ``\mathbb{1}_n`` as the identity
      (:func:`says_blackboard_identity`);
    - ``("bar-adjoint",)``: does ``path`` mark adjoints with bars (:func:`says_bar_adjoint`);
    - ``("errata",)``: the sections of ``path`` that list mistakes (``errata_spans``);
    - ``("summed",)``: the sizes the texts define as sums of a family's, with their counts;
    - ``("primed", spelling)``: does ``path`` transpose with primes, ``spelling`` (``t_i'``)
      written nowhere as a letter of its own;
    - ``("blamed",)``: does the sentence at ``at`` in ``path`` call what it writes wrong
      (:func:`said_wrong`; asked at a place, as ``("heads",)`` is: does it speak of heads,
      :func:`said_heads`, and ``("row-wise",)``: does its sentence say an operator applies
      row-wise, :func:`said_row_wise`)."""
    kind = gate[0]
    if kind == "blamed":
        return said_wrong(texts.get(path, ""), at)
    if kind == "heads":
        return said_heads(texts.get(path, ""), at)
    if kind == "row-wise":
        return said_row_wise(texts.get(path, ""), at)
    if kind == "elementwise":
        return any(_says_elementwise(text, gate[1]) for text in texts.values())
    if kind == "kept":
        return any(_says_shape_kept(text, gate[1]) for text in texts.values())
    if kind == "dagger":
        return any("\\dagger" in text for text in texts.values())
    if kind == "khatri":
        return any(says_khatri_rao(text) for text in texts.values())
    if kind == "star-hadamard":
        return any(star_is_hadamard(text) for text in texts.values())
    if kind == "one-identity":
        return any(says_blackboard_identity(text) for text in texts.values())
    if kind == "bar-adjoint":
        return says_bar_adjoint(texts.get(path, ""))
    if kind == "errata":
        return errata_spans(texts.get(path, ""))
    if kind == "summed":
        return tuple(pair for text in texts.values() for pair in summed_sizes(text))
    if kind == "primed":
        text = texts.get(path, "")
        return transposes_with_primes(text) and not another_letter(text, gate[1])
    raise ValueError(gate)


_KHATRI = re.compile(r"khatri", re.IGNORECASE)


@by_text()
def says_khatri_rao(text: str) -> bool:
    r"""Does ``text`` name the Khatri–Rao product ("the Khatri--Rao product $C \odot B$")?
    Tensor papers write it ``\odot``, the sign others keep for the Hadamard product: there,
    ``C \odot B`` of a K×R and a J×R matrix is a KJ×R matrix, no mismatch."""
    return "hatri" in text and _KHATRI.search(text) is not None


# "where $*$ is the Hadamard product", "the Hadamard (entrywise) product $\ast$", a notation
# table's "$A \ast B$ & Hadamard product": the sign (between two letters) and the name with no
# other math between, in one sentence
_STAR = (
    r"\$\s*(?:(?-i:[A-Z])\s*)?(?:\*|\\ast)\s*(?:(?-i:[A-Z])\s*)?\$"  # (capitals: $f * g$ convolves)
)
_STAR_HADAMARD = re.compile(
    _STAR + r"[^.$;]{0,40}?\bHadamard\b|\bHadamard\b[^.$;]{0,40}?" + _STAR,
    re.IGNORECASE,
)


@by_text()
def star_is_hadamard(text: str) -> bool:
    r"""Does ``text`` say that ``*`` (or ``\ast``) is the Hadamard product ("where $*$ is the
    Hadamard product")?  Elsewhere ``*`` is a convolution as often (rules/products.py)."""
    if "adamard" not in text:
        return False
    low = folded(text)  # (the same offsets: searched near each "hadamard" only, ~4 ms of
    i = low.find("hadamard")  # the Cookbook for the whole text)
    while i >= 0:
        if _STAR_HADAMARD.search(text, max(0, i - 60), i + 68) is not None:
            return True
        i = low.find("hadamard", i + 1)
    return False


# what an edit near them may change the answers of ``says_khatri_rao`` and
# ``star_is_hadamard`` by (looked for near the edit only, not in the whole text)
_PRODUCT_NAMES = re.compile(rf"{_KHATRI.pattern}|{_STAR_HADAMARD.pattern}", re.IGNORECASE)


@by_text()
def _says_shape_kept(text: str, spelling: str) -> bool:
    r"""Does ``text`` say, in one sentence and with no other math between, that the function
    written ``spelling`` keeps its argument's shape ("$\FFN$ acts row-wise and keeps the
    width")?"""
    if spelling not in text:
        return False
    letter = r"\$\s*" + re.escape(spelling) + r"(?![A-Za-z])\s*(?:\(\s*\\cdot\s*\))?\s*\$"
    if "$" in spelling:  # (never a letter of math: read as written)
        return re.search(letter + r"[^.$;,]{0,60}?\b" + KEEPS, text, re.IGNORECASE) is not None
    return _said_before(text, re.compile(letter, re.IGNORECASE), _keeps_starts(text))


def _said_before(text: str, letter: re.Pattern[str], starts: tuple[int, ...]) -> bool:
    r"""Is ``letter`` (a ``$…$`` of one spelling, which holds no other ``$``) written just
    before one of ``starts`` (where words start), with at most 60 characters between, none of
    them ``.$;,``?  What a search for ``letter + r"[^.$;,]{0,60}?\b" + words`` finds, with
    ``\b + words`` matching at ``starts``: looked for at those places only (a search of the
    whole text for each spelling asked took ~0.5 ms of the Cookbook, 60 of them when an edit
    near a gate's words makes the rows that asked ask again).  The ``$`` closing the letter
    is the last one before the words (no ``$`` between), and the one opening it the last
    before that (the letter holds none between)."""
    for q in starts:
        closing = text.rfind("$", max(0, q - 61), q)
        if closing < 0:
            continue
        between = text[closing + 1 : q]
        if "." in between or ";" in between or "," in between:
            continue
        opening = text.rfind("$", 0, closing)
        if opening >= 0 and letter.fullmatch(text, opening, closing + 1):
            return True
    return False


_KEEPS_START = re.compile(rf"\b(?={KEEPS})", re.IGNORECASE)
# the words a match of KEEPS starts with, lowered; "preserving" after "size-" (5 before it),
# "shape-" (6) or "dimension-" (10)
_KEEP_WORDS = ("keeps", "preserves", "retains", "leaves")
_BEFORE_PRESERVING = (5, 6, 10)


@by_text(maxsize=16)
def _keeps_starts(text: str) -> tuple[int, ...]:
    """Where ``\b`` + KEEPS matches in ``text`` (ignoring case), found from its words in the
    folded text (:func:`texgrad.casefold.folded`: the same offsets)."""
    low = folded(text)
    found: set[int] = set()
    for word, before in (*((w, (0,)) for w in _KEEP_WORDS), ("preserving", _BEFORE_PRESERVING)):
        i = low.find(word)
        while i >= 0:
            found.update(s for d in before if (s := i - d) >= 0 and _KEEPS_START.match(text, s))
            i = low.find(word, i + 1)
    return tuple(sorted(found))


@by_text()
def _says_elementwise(text: str, name: str) -> bool:
    r"""Does ``text`` say, in one sentence and with no other math between, that the function
    ``name`` applies entry by entry ("$\phi$ is applied elementwise", "an element-wise
    nonlinearity $\phi(\cdot)$")?"""
    if name not in text:
        return False
    letter = r"\$\s*" + re.escape(name) + r"\s*(?:\(\s*\\cdot\s*\))?\s*\$"
    after = letter + r"[^.$;,]{0,60}?\b" + ENTRYWISE  # (no comma: "…, and $\psi$ is …")
    before = r"\b" + ENTRYWISE + r"(?:\s+(?!and\b|or\b)[A-Za-z-]+){0,3}\s*" + letter
    # (a match of ``after`` ends, and one of ``before`` starts, where the words do: matched
    # there, not searched for at every letter of the text, ~5 ms of the Cookbook a name)
    starts = _entrywise_starts(text)
    if "$" in name:  # (never a letter of math: read as written)
        if re.search(after, text, re.IGNORECASE) is not None:
            return True
    elif _said_before(text, re.compile(letter, re.IGNORECASE), starts):
        return True
    if starts and any(re.compile(before, re.IGNORECASE).match(text, s) for s in starts):
        return True
    return _named_as_said(text, name)


_ENTRYWISE_START = re.compile(rf"\b(?={ENTRYWISE})", re.IGNORECASE)
# how far before its "wise" an ENTRYWISE match starts: "entry" to "coordinate-"
_BEFORE_WISE = range(len("entry"), len("coordinate-") + 1)


@by_text(maxsize=16)
def _entrywise_starts(text: str) -> tuple[int, ...]:
    """Where the words that say a function applies entry by entry start in ``text`` (each
    place a word starts and ``ENTRYWISE`` matches: what ``\\b`` + ``ENTRYWISE`` matches at),
    looked for before each "wise" (a search for the alternatives of ENTRYWISE, ignoring
    case, at every place of the Cookbook took 5 ms; one for "wise", 1 ms)."""
    found: set[int] = set()
    low = folded(text)  # ("wise" ignoring case, found by str.find: a search ignoring case
    w = low.find("wise")  # took ~1 ms of the Cookbook)
    while w >= 0:
        found.update(
            s for d in _BEFORE_WISE if (s := w - d) >= 0 and _ENTRYWISE_START.match(text, s)
        )
        w = low.find("wise", w + 1)
    return tuple(sorted(found))


def _named_as(name: str) -> str:
    r"""``h = \tanh``, ``\phi = \mathrm{ReLU}``: the letter made another name of a function
    applied entry by entry, written alone (not ``h = \tanh(W x)``, a value)."""
    # (the name first, then what is before it: a search for a literal, not a look behind at
    # every place of the text)
    return (
        re.escape(name)
        + r"(?<![\\A-Za-z]"
        + re.escape(name)
        + r")(?![A-Za-z_^'])\s*"
        + _NAMED_RHS.pattern
    )


_FUNCS = "|".join(sorted(ELEMENTWISE | SHAPE_KEEPING))
# what follows the letter of ``_named_as``: ``= \tanh``, ``= \mathrm{ReLU}``, written alone
_NAMED_RHS = re.compile(
    r"=\s*(?:\\(?:" + _FUNCS + r")|\\(?:operatorname|mathrm|text)\s*\{\s*(?i:" + _FUNCS
    + r")\s*\})(?![A-Za-z])(?!\s*(?:\\left\s*)?[(\[{]|\s*\\(?:big|Big)\w*\s*[(\[])"
)  # fmt: skip
_LETTERS = frozenset("\\abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@by_text(maxsize=16)
def _named_places(text: str) -> tuple[tuple[int, int], ...]:
    r"""Where ``text`` writes ``= \tanh`` and the like (:data:`_NAMED_RHS`): the start of the
    blanks before the ``=`` and the ``=``'s place (few: found once per text)."""
    out = []
    for m in _NAMED_RHS.finditer(text):
        e = lo = m.start()
        while lo > 0 and text[lo - 1].isspace():
            lo -= 1
        out.append((lo, e))
    return tuple(out)


def _named_as_said(text: str, name: str) -> bool:
    r"""Does ``text`` match :func:`_named_as` of ``name``?  Looked for where ``= \tanh`` and the
    like are written (:func:`_named_places`), the name just before them, with blanks between:
    a search of the whole text for each name asked took ~0.1 ms of the Cookbook, 60 of them
    when an edit near a gate's words makes the rows that asked ask again."""
    n = len(name)
    for lo, e in _named_places(text):
        for p in range(e, lo - 1, -1):  # (the name ends at p, the blanks from p to e)
            a = p - n
            if a < 0 or text[a:p] != name or (a > 0 and text[a - 1] in _LETTERS):
                continue
            if p < len(text) and (text[p] in "_^'" or text[p] in _LETTERS and text[p] != "\\"):
                continue
            return True
    return False
