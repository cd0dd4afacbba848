"""Diagnostics: stable codes, messages that name both shapes, ranges, related places, fixes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from texgrad.reading.edits import longest_same

Severity = Literal["error", "warning", "information", "hint"]

# code -> what it means (the codes are stable: editors and users filter on them)
CODES = {
    "matmul-mismatch": "the inner dimensions of a matrix product differ",
    "add-mismatch": "terms of a sum have different shapes",
    "not-square": "an operation that needs a square matrix (inverse, power, trace, determinant)",
    "equation-mismatch": "the two sides of an equation have different shapes",
    "elementwise-mismatch": "operands of an elementwise operation have different shapes",
    "block-mismatch": "blocks of a matrix written out differ in rows along a block-row, or in "
    "columns along a block-column",
    "argument-mismatch": "a function's argument does not have the shape of its domain",
    "redeclared": "a symbol is declared again with another shape",
    "too-deep": "math nested deeper than texgrad reads (40 levels): that row is not checked",
    "too-large": "a number longer than texgrad reads (40 digits): that row is not checked",
    "no-declarations": "a document with math declares no shape (one information note: how to)",
    # found by the calculus layer (calculus/written_derivatives.py), not by shape inference
    "wrong-derivative": "a derivative the document writes differs, at random points, from the "
    "one texgrad computes and verifies",
    "unequal-step": "two consecutive rows of a derivation (`a &= b \\\\ &= c`) differ at random "
    "points",
    "derivatives-unchecked": "derivatives the document writes were left unchecked: the check's "
    "time or memory bound was reached",
    # information records of `texgrad check --explain` (calculus/unchecked.py): why it is silent
    "unread-math": "math texgrad cannot read: that row is not checked",
    "unknown-shape": "a letter used in a formula has no shape: the rows using it are not checked",
    "cannot-differentiate": "a row texgrad cannot differentiate, and why",
    "derivative-not-checked": "a derivative the document writes that texgrad could neither "
    "verify nor show wrong, and why",
}


@dataclass(frozen=True, slots=True)
class Related:
    path: str
    start: int
    end: int
    message: str


@dataclass(frozen=True, slots=True)
class Fix:
    """An edit that would make the expression agree: replace source[start:end] by ``text``."""

    title: str
    path: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    path: str
    start: int
    end: int
    related: tuple[Related, ...] = ()
    fixes: tuple[Fix, ...] = field(default=())


def said_once(shapes: list[Diagnostic], derivatives: list[Diagnostic]) -> list[Diagnostic]:
    """The shape diagnostics and the derivative findings of one document, one mistake said
    once: an equation whose sides differ in shape because the derivative it writes is wrong
    (``\\frac{\\partial}{\\partial x}(b^\\top x) = b b^\\top``) is reported as the
    ``wrong-derivative`` — the more specific diagnostic, which says what the derivative is and
    offers it as a fix — not also as an ``equation-mismatch``.  The finding takes the mismatch's
    severity (an error: the sides certainly differ), so that what fails a check still fails it.
    Both the command line and the language server ask this."""
    if not derivatives or not shapes:
        return [*shapes, *derivatives]
    kept: list[Diagnostic] = []
    severity: dict[int, Severity] = {}  # a finding that replaces a mismatch: its severity
    for d in shapes:
        over = [
            i for i, w in enumerate(derivatives)
            if d.code == "equation-mismatch" and w.code == "wrong-derivative"
            and w.path == d.path and d.start <= w.start and w.end <= d.end
        ]  # fmt: skip
        if not over:
            kept.append(d)
        for i in over:
            severity[i] = d.severity
    return kept + [
        replace(w, severity=severity[i]) if i in severity else w for i, w in enumerate(derivatives)
    ]


def moved_by_edit(old: str, new: str, path: str, found: list[Diagnostic]) -> list[Diagnostic]:
    """``found`` (diagnostics of ``path`` whose text was ``old``) where they stand in
    ``new``: those the edit did not touch nor abut (before it, or after it and moved by its
    length), with their notes and fixes; none that reaches into the edited span.  For a document's
    ``wrong-derivative`` findings while the new text's own check runs: an edit elsewhere
    does not make them blink off and on (or their quick fixes vanish) at every keystroke."""
    if not found or old == new:
        return list(found)  # (most documents: nothing to move, and no text compared)
    limit = min(len(old), len(new))
    before = longest_same(lambda k: old[:k] == new[:k], limit)
    after = longest_same(lambda k: old[len(old) - k :] == new[len(new) - k :], limit - before)
    changed_end, delta = len(old) - after, len(new) - len(old)

    def at(start: int, end: int) -> tuple[int, int] | None:
        # (an edit that only touches a span, ``A`` made ``A^\top``, changes what it holds)
        if end < before:
            return start, end
        if start > changed_end:
            return start + delta, end + delta
        return None

    out = []
    for d in found:
        if d.path != path:
            out.append(d)
            continue
        spans = [(d.start, d.end)]
        spans += [(r.start, r.end) for r in d.related if r.path == path]
        spans += [(f.start, f.end) for f in d.fixes if f.path == path]
        moved = [at(a, b) for a, b in spans]
        if any(m is None for m in moved):
            continue
        where = iter(m for m in moved if m is not None)
        start, end = next(where)
        related = tuple(
            replace(r, start=(m := next(where))[0], end=m[1]) if r.path == path else r
            for r in d.related
        )
        fixes = tuple(
            replace(f, start=(m := next(where))[0], end=m[1]) if f.path == path else f
            for f in d.fixes
        )
        out.append(replace(d, start=start, end=end, related=related, fixes=fixes))
    return out
