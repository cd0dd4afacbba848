r"""Vectors the prose says are one-hot or a probability distribution, sampled so.

``\nabla_{\mathbf z}(-\mathbf y^\top \log\operatorname{softmax}(\mathbf z)) =
\operatorname{softmax}(\mathbf z) - \mathbf y`` holds only where the entries of y sum to 1:
for a label "one-hot" ("let $\mathbf y \in \mathbb{R}^K$ be the one-hot encoding of the
label"), a target "distribution" or "probability vector", one in the simplex
(``\mathbf t \in \Delta^{K-1}``), or one said to sum to one (``\mathbf 1^\top \mathbf y = 1``).
Such a vector is sampled in its set when a written derivative is checked: a one-hot
vector as a random basis vector, the others as random points of the simplex.

:func:`stated_sums` reads the prose (on plain text, offsets no matter); :func:`resample`
replaces the sampled values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import numpy as np

from texgrad.reading.macros import MacroTable, expand
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

# math delimiters, read left to right so that each closes the one it opened (a display's
# ``$$`` is not an empty inline span next to prose read as math); escaped ``\$`` and ``\\``
# are skipped
_DELIMITER = re.compile(r"\\\\|\\\$|\$\$|\$|\\\(|\\\)|\\\[|\\\]")
_CLOSES = {"$$": "$$", "$": "$", "\\(": "\\)", "\\[": "\\]"}
_SPAN_LENGTH = 2000  # characters of a span read; a longer one is not a statement about a vector


def _math_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, body) of the text's math spans, delimiters paired in order."""
    spans: list[tuple[int, int, str]] = []
    opened: tuple[str, int, int] | None = None
    for m in _DELIMITER.finditer(text):
        token = m.group(0)
        if opened is None:
            if token in _CLOSES:
                opened = (_CLOSES[token], m.start(), m.end())
        elif token == opened[0]:
            if m.start() - opened[2] <= _SPAN_LENGTH:
                spans.append((opened[1], m.end(), text[opened[2] : m.start()]))
            opened = None
    return spans


_ONE_HOT = re.compile(
    r"\bone[- ]?hot\b|\b(?:one|1)[- ]of[- ](?:K|C|k|n)\b|\bindicator vectors?\b"
    r"|\b(?:standard\s+)?basis vectors?\b|\bone[- ]hot[- ]encod",
    re.I,
)
_SIMPLEX = re.compile(
    r"\bprobability (?:vector|distribution)s?\b|\b(?:a|target|label|predicted|output)\s+"
    r"distributions?\b|\bdistribution over\b|\bin the (?:probability )?simplex\b"
    r"|\bsums? to (?:one|1)\b|\bentries (?:sum|add up) to (?:one|1)\b",
    re.I,
)
_IN_DELTA = re.compile(r"\\in\s*\\Delta\b")
_SUMS_ONE = re.compile(
    r"(?:\\mathbf\s*\{?1\}?|\\bm\{1\}|\\boldsymbol\{1\})\s*\^\s*\{?\s*(?:\\top|T|\\intercal)\s*\}?"
)
# \sum_k y_k = 1, \sum_{k=1}^K y_k = 1: the entries of y sum to one
_ENTRIES_SUM_ONE = re.compile(
    r"\\sum_\s*\{?\s*([a-z])\s*(?:=\s*1\s*)?\}?\s*(?:\^\s*\{?[^{}$]{1,8}?\}?\s*)?"
    r"((?:\\[a-zA-Z]+\s*\{?\s*)?[a-zA-Z]\}?)\s*_\s*\{?\s*\1\s*\}?\s*=\s*1\s*[,.;]?\s*$"
)
# \mathbf y = \mathbf e_c, \mathbf y \in \{\mathbf e_1, \dots, \mathbf e_K\}: a basis vector
_BASIS = re.compile(
    r"^(.{1,30}?)(?:=|\\in\s*\\\{)\s*(?:\\mathbf\s*\{?e\}?|\\bm\{e\}|\\boldsymbol\{e\}|e)\s*_"
)
# "y_c = 1 for the true class and y_k = 0 otherwise": the entries of a one-hot y
_ENTRY_IS_ONE = re.compile(
    r"^\s*((?:\\[a-zA-Z]+\s*\{?\s*)?[a-zA-Z]\}?)\s*_\s*\{?\s*[a-z]\s*\}?\s*=\s*1\s*$"
)
_OTHERWISE = re.compile(r"\b(?:otherwise|else|all other|the others?|for k\s*\\neq)\b|=\s*0", re.I)
_REACH = 80  # characters between a math span and the word that says what it is
# the nouns between "one-hot" or "probability" and the letter it describes: "one-hot target $t$"
_NOUNS = re.compile(
    r"[ \t\n]*(?:(?:target|label|vector|encoding|encoded|representation|indicator|ground[- ]truth"
    r"|class|output|prediction|distribution|response|variable)s?[ \t\n]+){0,2}",
    re.I,
)


@functools.lru_cache(maxsize=8)
def stated_sums(text: str) -> tuple[tuple[str, str], ...]:
    """(symbol key, ``"onehot"`` or ``"simplex"``) of every vector the prose says is one-hot
    or a distribution (the math span nearest before the word, in its sentence, else the one
    right after it), or that a formula puts in ``\\Delta`` or sums to one."""
    spans = _math_spans(text)
    found: dict[str, str] = {}
    for kind, pattern in (("simplex", _SIMPLEX), ("onehot", _ONE_HOT)):
        for m in pattern.finditer(text):
            span = _nearest(text, spans, m.start(), m.end())
            if span is not None:
                for key in _subjects(span):
                    found[key] = kind
    for _, _, body in spans:
        if _IN_DELTA.search(body):
            for key in _subjects(body):
                found.setdefault(key, "simplex")
        sums = _SUMS_ONE.search(body)
        rest = re.match(r"(.+?)=\s*1\s*[,.]?\s*$", body[sums.end() :], re.S) if sums else None
        if rest is not None:  # \mathbf 1^\top \mathbf y = 1
            for key in _subjects(rest.group(1)):
                found.setdefault(key, "simplex")
        _declared_sets(text, spans, body, found)
    return tuple(sorted(found.items()))


def _declared_sets(
    text: str, spans: list[tuple[int, int, str]], body: str, found: dict[str, str]
) -> None:
    """What a formula says of a vector's set: its entries sum to one (``\\sum_k y_k = 1``);
    it is a basis vector (``\\mathbf y = \\mathbf e_c``); one entry is 1 and the others 0
    ("$y_c = 1$ for the true class and $y_k = 0$ otherwise")."""
    m = _ENTRIES_SUM_ONE.search(body)
    if m is not None:
        for key in _subjects(m.group(2)):
            found.setdefault(key, "simplex")
    m = _BASIS.match(body)
    if m is not None:
        for key in _subjects(m.group(1)):
            found[key] = "onehot"
    m = _ENTRY_IS_ONE.match(body)
    if m is not None:
        at = text.find(body)
        stop = text.find(".", at) if at >= 0 else -1
        rest = text[at + len(body) : stop if stop > 0 else at + 200] if at >= 0 else ""
        if _OTHERWISE.search(rest[:160]):
            for key in _subjects(m.group(1)):
                found[key] = "onehot"


def _nearest(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    colon = re.match(r"[\w\s-]{0,30}:\s*$", text[end : end + 40].split("$", 1)[0] + " ")
    if colon is not None:  # "one-hot encoding: $\mathbf y$": what follows the colon
        after = [s for s in spans if s[0] >= end and s[0] - end <= 40]
        if after:
            return after[0][2]
    after = [s for s in spans if s[0] >= end and s[0] - end <= 40]
    if after and _NOUNS.fullmatch(text[end : after[0][0]]):  # "a one-hot target $\mathbf t$"
        return after[0][2]
    before = [s for s in spans if s[1] <= start and start - s[1] <= _REACH]
    if before and not re.search(r"[.;:]\s|\n\s*\n", text[before[-1][1] : start]):
        return before[-1][2]
    after = [s for s in spans if s[0] >= end and s[0] - end <= 40]
    if after and not re.search(r"[.;]\s|\n\s*\n", text[end : after[0][0]]):  # ("…: $y$")
        return after[0][2]
    return None


def _subjects(math: str) -> list[str]:
    r"""The keys of the symbols a span is about: those before its ``\in`` or ``=``, else all
    of its single symbols."""
    head = re.split(r"\\in\b|=|\\sim\b", math, maxsplit=1)[0]
    row = parse_row(MappedText.identity(head))
    if row.tree is None:
        return []
    keys = []
    for node in row.tree.walk():
        if isinstance(node, (t.Symbol, t.Font)):
            key = symbol_key(node)
            if key is not None and key[0] not in keys:
                keys.append(key[0])
    return keys


def resample(
    values: dict[str, np.ndarray], kinds: dict[str, str], rng: np.random.Generator
) -> None:
    """Each vector of ``kinds`` sampled in its set (a matrix or a number is left as it is)."""
    for key, kind in kinds.items():
        v = values.get(key)
        if v is None or v.ndim != 2 or 1 not in v.shape or v.size < 2:
            continue
        if kind == "onehot":
            w = np.zeros(v.shape)
            w.flat[int(rng.integers(v.size))] = 1.0
        else:
            w = rng.random(v.shape) + 0.05
            w = w / w.sum()
        values[key] = w


_UNIT_WORD = r"(?:one[- ]hot|probability\s+(?:vector|distribution)s?)"
_WORD_THEN_MATH = re.compile(
    _UNIT_WORD + r"(?:\s+(?:target|label|vector|encoding|class|response)s?){0,2}"
    r"\s*(?:\$([^$]{1,80})\$|\\\((.{1,80}?)\\\))",
    re.I,
)
_MATH_THEN_WORD = re.compile(
    r"(?:\$([^$]{1,80})\$|\\\((.{1,80}?)\\\))(?:\s+(?:(?:that|which)\s+)?(?:is|are|be)\s+"
    r"(?:an?\s+|the\s+)?|\s*,\s+an?\s+)" + _UNIT_WORD,
    re.I,
)  # "$y$ is one-hot", "$t$ that is one-hot", "$p \in \mathbb{R}^K$, a probability vector"
# "writing $\mathbf e_a \in \mathbb{R}^A$ for the one-hot vector of the chosen action",
# "$\mathbf y$ denotes the one-hot label": the letter named as the one-hot vector itself
_MATH_NAMES_WORD = re.compile(
    r"(?:\$([^$]{1,80})\$|\\\((.{1,80}?)\\\))\s+(?:for|denotes?|stands?\s+for)\s+the\s+"
    r"one[- ]hot\s+(?:vector|encoding|indicator|label|target)s?\b",
    re.I,
)
_NAMED = (t.Symbol, t.Font, t.Sub)


def stated_unit_vectors(text: str) -> dict[str, str]:
    """:func:`_stated_unit_vectors`, read once per text (a fresh dict: callers add to it)."""
    return dict(_stated_unit_vectors(text))


@functools.lru_cache(maxsize=8)
def _stated_unit_vectors(text: str) -> dict[str, str]:
    r"""The vectors whose entries the text says sum to 1, strictly (what the engine uses to
    simplify — ``(\operatorname{softmax}(\mathbf z)\mathbf 1^\top - I)\mathbf y =
    \operatorname{softmax}(\mathbf z) - \mathbf y`` — so a wrong reading would be a wrong
    result): "one-hot $\mathbf y_i \in \mathbb{R}^K$", "one-hot labels $\mathbf t_n$",
    "$\mathbf y$ is one-hot", "let $\mathbf y \in \{0,1\}^K$ be a one-hot label", "$\mathbf p$
    is a probability vector", ``\mathbf p \in
    \Delta^{K-1}``; the letters the math names before its ``\in``, each written alone
    (``\mathbf y_i`` whole, key ``y_{i}``), "onehot" or "simplex"."""
    found: dict[str, str] = {}
    for pattern in (_WORD_THEN_MATH, _MATH_THEN_WORD, _MATH_NAMES_WORD):
        for m in pattern.finditer(text):
            kind = "onehot" if re.search(r"one[- ]hot", m.group(0), re.I) else "simplex"
            for key in _letters_alone(m.group(1) or m.group(2) or ""):
                found.setdefault(key, kind)
    for _, _, body in _math_spans(text):
        if _IN_DELTA.search(body):
            for key in _letters_alone(body):
                found.setdefault(key, "simplex")
    return found


_UNIT_WORDS = ("one-hot", "one hot", "probabilit", "simplex", "distribution", "\\Delta", "= 1")


def unit_vectors_stated(text: str, macros: Callable[[], MacroTable]) -> dict[str, str]:
    r""":func:`stated_unit_vectors`, read through the document's macros where it names the
    vectors so ("one-hot labels $\vy_i \in \{0, 1\}^K$", ``\vy`` a macro of ``\mathbf y``)."""
    found = stated_unit_vectors(text)
    if "\\" in text and any(w in text for w in _UNIT_WORDS):
        table = macros()
        if table:
            expanded, _ = expand(MappedText.identity(text), table)
            found = {**stated_unit_vectors(expanded.text), **found}
    return found


def _letters_alone(math: str) -> list[str]:
    r"""The keys of the letters a span names before its ``\in`` (``\mathbf y_i, \mathbf y_j
    \in \mathbb{R}^K``), each a letter alone; none where the span is a formula."""
    head = re.split(r"\\in\b", math, maxsplit=1)[0]
    row = parse_row(MappedText.identity(head))
    tree = row.tree
    if tree is None:
        return []
    items = list(tree.items) if isinstance(tree, t.List) else [tree]
    keys = []
    for item in items:
        key = symbol_key(item) if isinstance(item, _NAMED) else None
        if key is None:
            return []
        keys.append(key[0])
    return keys
