"""An edit to a sentence every row may read (shapes/gates.py) gives what a fresh check gives:
rows record the symbols they read, not "$\\phi$ is applied elementwise", so the incremental
check must not reuse them when such a sentence is written, changed or removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.shapes.check import Checker

_FILLER = "Some prose that keeps the rows apart. " * 30


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        (  # a function said to keep its argument's shape
            "Let $X \\in \\mathbb{R}^{n \\times d}$ and $W \\in \\mathbb{R}^{d \\times k}$."
            " The map $\\mathcal{F}$ normalises.\n\n" + _FILLER + "\n\nThen $\\mathcal{F}(X) W$"
            " and $W \\mathcal{F}(X)$.\n",
            "normalises.",
            "keeps the shape.",
        ),
        (  # a function said to apply entry by entry
            "Let $x \\in \\mathbb{R}^{n}$ and $W \\in \\mathbb{R}^{m \\times n}$;"
            " $\\phi$ is a nonlinearity.\n\n" + _FILLER + "\n\nThen $\\phi(W x) + x$.\n",
            "a nonlinearity.",
            "a nonlinearity applied elementwise.",
        ),
    ],
)
@pytest.mark.parametrize("direction", ["said", "unsaid"])
def test_an_edited_gate_sentence_gives_a_fresh_check(
    tmp_path: Path, text: str, before: str, after: str, direction: str
) -> None:
    edited = text.replace(before, after, 1)
    assert edited != text
    first, then = (text, edited) if direction == "said" else (edited, text)
    path = tmp_path / "doc.md"
    path.write_text(first)
    checker = Checker()
    checker.check(str(path), None, tmp_path, first)
    again = checker.check(str(path), None, tmp_path, then)
    fresh = Checker().check(str(path), None, tmp_path, then)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]
    # (the sentence decides something here: one of the two versions has a finding)
    plain = Checker().check(str(path), None, tmp_path, text).diagnostics
    said = Checker().check(str(path), None, tmp_path, edited).diagnostics
    assert [d.code for d in plain] != [d.code for d in said]


@pytest.mark.parametrize(
    ("text", "at", "typed", "fresh"),
    [
        ("Let $h = \\tanh$ be applied.", 9, "x", True),  # inside a function's other name
        ("Then $Y = \\cos(X)$ holds.", 7, "x", False),  # a value, not another name: reused
        ("Then $Y = \\sqrt{X}$ holds.", 7, "x", False),
        ("We write $A^\\dagger$ once.", 0, "Now ", False),  # \dagger still written: reused
        ("We write $A^\\dagger$ once.", 12, "", True),  # the only \dagger removed
    ],
)
def test_only_a_gate_s_own_sentence_sends_an_edit_to_a_fresh_check(
    text: str, at: int, typed: str, fresh: bool
) -> None:
    """An edit elsewhere than a gate's sentence keeps the incremental check (typing beside
    ``\\cos(X)`` must not re-infer the whole document)."""
    from texgrad.shapes.gates import changed_near

    if typed:
        new, old_end, new_end = text[:at] + typed + text[at:], at, at + len(typed)
    else:  # remove "\dagger"
        i = text.index("\\dagger")
        new, at, old_end, new_end = text[:i] + text[i + 7 :], i, i + 7, i
    assert changed_near(text, new, at, old_end, new_end) is fresh
