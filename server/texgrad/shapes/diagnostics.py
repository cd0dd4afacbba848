"""Diagnostics: stable codes, messages that name both shapes, ranges, related places, fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
