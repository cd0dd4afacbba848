r"""What a message quotes, in the document's own spelling.

The engine words its refusals from syntax trees (:func:`~texgrad.calculus.written.written_latex`):
after macro expansion, ``\hat{\mW}_t`` is printed ``\boldsymbol{\hat{W}}_{t}`` and ``\tilde x_i``
is printed ``\tilde{x}_{i}`` — neither is what the author wrote, and the first is not even
findable in the document.  :func:`in_document_words` puts the document's text back: every
backquoted part of a message that the document does not hold is looked up among the
printed forms of the nodes of the row the message is about, then of the document's other
rows and of its project's, and replaced by the source the node was parsed from (sliced by
its offsets, macro calls kept).  A quote no node prints (a suggestion such as
``\lambda \in \mathbb{R}``, a fixed example) is left as it is.

The fronts' messages pass through it where they are made for a checked document:
:func:`~texgrad.calculus.refusals.refusal_at` (a disabled code action's reason, the hover,
``--explain``) and the reasons of written derivatives left unchecked.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from texgrad.syntax import tree as t

if TYPE_CHECKING:  # (the checker and the engine's printer are imported by those who call)
    from texgrad.shapes.check import CheckResult
    from texgrad.shapes.rows import PlacedRow

_QUOTE = re.compile(r"(``?)(.+?)\1")
_SPACES = re.compile(r"\s+")
# where a quote goes on past what the document wrote: a suggested declaration or definition
_TAILS = (" \\in ", " > 0", "(x) = …", "(\\mathbf x, \\mathbf z) = …")
_MAX_QUOTE = 50  # a longer source is cut there, with "…" (as the row's own quote is)
_KEPT = 4  # the printed-form indexes of the last checked documents


def in_document_words(message: str, result: CheckResult, start: int, end: int) -> str:
    """``message`` (about the range ``start``–``end`` of ``result``'s document) with every
    quote printed from a tree replaced by the document's own source of it."""
    if "`" not in message:
        return message
    text = result.doc.text
    # (a quote the document holds but spaced otherwise, ``X_{1 : k}`` of ``X_{1:k}``, is
    # wanted too: the document's spacing is quoted)
    here = _spaced(text[max(0, start - 200) : end + 200])
    wanted = [q for q in _quoted(message) if _spaced(q) not in here]
    if not wanted:
        return message
    spelled: dict[str, str] = {}
    own = [r for r in result.rows if r.start < end and start < r.end]
    printed = _printed(own, text)
    left = _look_up(wanted, printed, _flattened(printed), spelled)
    if left:
        _look_up(left, *_index(result), spelled)
    if not spelled:
        return message
    parts = sorted(spelled, key=len, reverse=True)  # (the longest first: x_{i} before x)
    whole = re.compile(r"(?<![A-Za-z\\])(?:" + "|".join(map(re.escape, parts)) + r")(?![A-Za-z])")

    def respelled(m: re.Match[str]) -> str:
        return m[1] + whole.sub(lambda p: spelled[p[0]], m[2]) + m[1]

    return _QUOTE.sub(respelled, message)


def _quoted(message: str) -> list[str]:
    """The parts of the quotes of ``message`` that may be the document's text (a suggested
    declaration's tail cut off, an ellipsis dropped)."""
    out = []
    for m in _QUOTE.finditer(message):
        quote = m[2]
        for tail in _TAILS:
            quote = quote.split(tail, 1)[0]
        quote = quote.rstrip("…").strip()
        if quote:
            out.append(quote)
    return out


def _flat(source: str) -> str:
    return _SPACES.sub("", source)


def _spaced(source: str) -> str:
    return " ".join(source.split())


def _flattened(printed: dict[str, str]) -> dict[str, str]:
    """``printed`` keyed by its forms without spaces (``k - 1`` printed, ``k-1`` written)."""
    return {_flat(k): v for k, v in printed.items()}


def _look_up(
    wanted: list[str], printed: dict[str, str], flat: dict[str, str], spelled: dict[str, str]
) -> list[str]:
    """Each quote the nodes print, or its longest part before a bracket that they print
    (``\\mathbb{E}`` of ``\\mathbb{E}[\\cdot]``, the document's ``\\E``), added to
    ``spelled`` with its source; the quotes left (``flat``: :func:`_flattened` of
    ``printed``)."""
    left = []
    for quote in wanted:
        cuts = sorted((m.start() for m in _CUTS.finditer(quote)), reverse=True)
        tried = (quote, *(quote[:c] for c in cuts))
        part = next((q for q in tried if q in printed or _flat(q) in flat), None)
        if part is None:
            left.append(quote)
        else:
            spelled[part] = printed.get(part) or flat[_flat(part)]
    return left


_CUTS = re.compile(r"[\[(]")
_WORD = re.compile(r"\\(?:text|textrm|mathrm|operatorname)\s*\{\s*([A-Za-z]+)\s*\}")


def _printed(rows: Iterable[PlacedRow], text: str) -> dict[str, str]:
    """Each node's printed form, mapped to its source where the two differ (the first met)."""
    from texgrad.calculus.written import written_latex
    from texgrad.syntax.latex import latex_of

    out: dict[str, str] = {}
    for row in rows:
        tree = row.tree
        if tree is not None:
            for node in _outermost(tree, text):
                if not 0 <= node.start < node.end <= len(text):
                    continue
                source = " ".join(text[node.start : node.end].split())
                if not source or "`" in source:
                    continue
                if len(source) > _MAX_QUOTE:  # (cut as the row's own quote is)
                    source = source[: _MAX_QUOTE - 1] + "…"
                try:
                    form = written_latex(node)
                    # (the engine's lowering quotes in the syntax's printer: ``\hat{\mathbf{x}}``
                    # where written_latex prints ``\mathbf{\hat{x}}``)
                    syntax_form = latex_of(node)
                except RecursionError:
                    continue
                for printed_form in (form, syntax_form):
                    if printed_form != source:
                        out.setdefault(printed_form, source)
                if isinstance(node, t.Func):  # its name alone, as the engine says it
                    _name(node, text, out)
                elif isinstance(node, t.Text) and (word := _WORD.fullmatch(source)) is not None:
                    out.setdefault(f"\\operatorname{{{word[1]}}}", source)  # \text{Comp}(…)
    return out


def _name(node: t.Func, text: str, out: dict[str, str]) -> None:
    r"""``\operatorname{OT}`` (how the engine names a function) spelled as the document
    writes the name, its scripts left out: ``\mathrm{OT}`` of ``\mathrm{OT}_\varepsilon``,
    ``\text{Comp}``."""
    scripts = [s.start for s in (node.sub, node.sup) if s is not None and s.start > node.start]
    source = text[node.start : min(scripts, default=node.end)].rstrip("_^{ ")
    form = f"\\operatorname{{{node.name}}}"
    if source and "`" not in source and len(source) <= _MAX_QUOTE and _flat(source) != form:
        out.setdefault(form, " ".join(source.split()))


def _outermost(tree: t.Node, text: str) -> Iterator[t.Node]:
    """The nodes of ``tree``, leaving out a part of a macro's expansion (its range is its
    parent's, one macro call ``\\Wone``: the call is not the part's own source).  A node
    whose range is its parent's but holds more than a call (``\\mat{W}^Q_1``, the range of
    both the tagged name and its subscripted base) is kept."""
    stack: list[tuple[t.Node, tuple[int, int]]] = [(tree, (-1, -1))]
    while stack:
        node, parent = stack.pop()
        here = (node.start, node.end)
        if here != parent or not node.from_macro or not _one_call(text[node.start : node.end]):
            yield node
        stack.extend((child, here) for child in node.children())


_CALL = re.compile(r"\\[A-Za-z]+\*?")


def _one_call(source: str) -> bool:
    """Is ``source`` one command with its braced or bracketed arguments, nothing else?"""
    m = _CALL.match(source.strip())
    if m is None:
        return False
    rest, depth = source.strip()[m.end() :], 0
    for c in rest:
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        elif depth == 0 and not c.isspace():
            return False
    return depth == 0


# (newest last) the index and its _flattened form: each hover on a row with nothing to
# differentiate flattened the whole index again (~10 ms of the Cookbook's 2,000 forms)
_INDEXES: list[tuple[weakref.ref[CheckResult], dict[str, str], dict[str, str]]] = []


def _index(result: CheckResult) -> tuple[dict[str, str], dict[str, str]]:
    """The printed forms of every row of ``result``'s document, then of its project's other
    files (made once per checked document, for the quotes its own row does not hold), and
    those forms without spaces (:func:`_flattened`)."""
    for ref, index, flat in _INDEXES:
        if ref() is result:
            return index, flat
    index = _printed(result.rows, result.doc.text)
    by_path: dict[str, list[PlacedRow]] = {}
    for row in result.elsewhere:
        by_path.setdefault(row.path, []).append(row)
    for path, rows in by_path.items():
        text = result.project_texts.get(path)
        if text is not None:
            for form, source in _printed(rows, text).items():
                index.setdefault(form, source)
    flat = _flattened(index)
    _INDEXES.append((weakref.ref(result), index, flat))
    del _INDEXES[:-_KEPT]
    return index, flat
