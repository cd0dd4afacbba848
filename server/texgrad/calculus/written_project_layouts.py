r"""The layout a project states for one of its files in its other files.

A thesis states its layout once — in the root (``main.tex``: "We use denominator layout
throughout." before ``\input{chapters/gradients}``), in a notation chapter read first, or in a
preamble or macros file (``% texgrad: denominator layout``, or a comment of that file's
that states it: such a file has no prose but its comments) — and its chapters rely on it.
Scoped like the project's declarations: what a file read *before* this one states for the
rest of the document holds here (a statement "in this chapter" ends with its chapter, so
with its file), and an including file only up to the include that leads to this file; a
file read after it states nothing for it.  This file's own statements take over from where
they stand (:func:`inherited` is a statement from before its first character).
"""

from __future__ import annotations

import functools
import re
from pathlib import PurePosixPath

from texgrad.calculus.written_layouts import Statement, statements
from texgrad.reading.project import format_of, scan_text

_SCOPED = re.compile(r"\bthis\s+(?:part|chapter|appendix|lecture|section|subsection)\b", re.I)
_PREAMBLE_LINE = re.compile(r"\s*(?:%.*|\\.*|[{}\[\]].*)?")  # a command, a brace, a comment


def inherited(path: str, texts: dict[str, str]) -> Statement | None:
    """The layout the files of ``path``'s project read before it (``texts``: every file's
    text in reading order) state for it, as a statement holding from before ``path``'s
    first character to its end; None where they state none."""
    order = list(texts)
    if path not in texts or order.index(path) == 0:
        return None
    here = order.index(path)
    children = [_children(order, texts, i) for i in range(len(order))]
    found: Statement | None = None
    for i, other in enumerate(order[:here]):
        cut = len(texts[other])
        for start, child in children[i]:
            if child <= here <= _subtree_end(children, child):
                cut = start  # an including file: read up to the include leading here
                break
        for s in _carried(texts[other][:cut], _is_preamble(texts[other])):
            found = s
    if found is None:
        return None
    return Statement(found.layout, -1, len(texts[path]))


def _children(order: list[str], texts: dict[str, str], at: int) -> list[tuple[int, int]]:
    """(offset of the include, index in ``order``) of the files ``order[at]`` includes."""
    out = []
    for start, target in _includes(order[at], texts[order[at]]):
        n = _matching(target, order, at + 1)
        if n is not None:
            out.append((start, n))
    return out


def _subtree_end(children: list[list[tuple[int, int]]], at: int, depth: int = 0) -> int:
    """The index of the last file read inside ``order[at]`` (files are read depth first)."""
    ends = [n for _, n in children[at] if n > at]
    if not ends or depth > 20:
        return at
    return _subtree_end(children, max(ends), depth + 1)


@functools.lru_cache(maxsize=64)
def _includes(path: str, text: str) -> tuple[tuple[int, str], ...]:
    """(offset, target as written) of every include of a file, in order."""
    scan = scan_text(text, format_of(path), frozenset(), path)
    return tuple((inc.start, inc.target) for inc in scan.includes)


def _matching(target: str, order: list[str], first: int) -> int | None:
    """The index in ``order`` (from ``first``) of the file an include names."""
    name = PurePosixPath(target.replace("\\", "/").lstrip("./"))
    wanted = {str(name)} if name.suffix else {str(name), f"{name}.tex"}
    for n in range(first, len(order)):
        file = order[n].replace("\\", "/")
        if any(file == w or file.endswith("/" + w) for w in wanted):
            return n
    return None


def _is_preamble(text: str) -> bool:
    """A preamble or macros file: commands, braces and comments only, no prose."""
    return "\\begin{document}" not in text and all(
        _PREAMBLE_LINE.fullmatch(line) for line in text.splitlines()
    )


@functools.lru_cache(maxsize=64)
def _carried(text: str, preamble: bool) -> tuple[Statement, ...]:
    """The statements of ``text`` that hold to its end and say no narrower scope (in a
    preamble, its comments read as its prose; so are those of a root's own preamble)."""
    if preamble:
        text = re.sub(r"(?m)^(\s*)%+", r"\1 ", text)
    else:  # the root's own preamble, before \begin{document}: its comments too
        begin = text.find("\\begin{document}")
        if begin > 0:
            text = re.sub(r"(?m)^(\s*)%+", r"\1 ", text[:begin]) + text[begin:]
    out = []
    for s in statements(text):
        if s.end >= len(text) and not _SCOPED.search(text, s.start, min(len(text), s.start + 400)):
            out.append(s)
    return tuple(out)
