"""An edit to a sentence every row may read (shapes/gates.py) gives what a fresh check gives:
rows ask them as questions (rules/base.py ``_gate``), and when such a sentence is written,
changed or removed, the rows that asked ask again."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.shapes.check import Checker, CheckResult

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
        (  # \odot named the Khatri–Rao product
            "Let $C \\in \\mathbb{R}^{K \\times R}$, $B \\in \\mathbb{R}^{J \\times R}$ and"
            " $A \\in \\mathbb{R}^{I \\times R}$. We write the product $C \\odot B$.\n\n"
            + _FILLER
            + "\n\nThen $A (C \\odot B)^\\top$.\n",
            "the product",
            "the Khatri-Rao product",
        ),
        (  # * said to be the Hadamard product
            "Let $C \\in \\mathbb{R}^{K \\times R}$ and $B \\in \\mathbb{R}^{J \\times R}$;"
            " here $*$ is a product.\n\n" + _FILLER + "\n\nThen $C * B$.\n",
            "is a product.",
            "is the Hadamard product.",
        ),
    ],
)
@pytest.mark.parametrize("direction", ["said", "unsaid"])
def test_an_edited_gate_sentence_gives_a_fresh_check(
    tmp_path: Path, text: str, before: str, after: str, direction: str
) -> None:
    again, fresh = _edited_and_fresh(tmp_path, text, before, after, direction)
    assert [(d.start, d.end, d.code) for d in again.diagnostics] == [
        (d.start, d.end, d.code) for d in fresh.diagnostics
    ]


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


# Gates asked as questions (rules/base.py _gate): an edit that changes a gate's answer makes
# the rows that asked it ask again, and only those whose answers changed are inferred again.
# Each case: a document, an edit far from the row the gate decides (its own sentence, or
# anywhere for \dagger), and that row's finding with the gate's answer one way and not the other.
_ROWS = "".join(f"Also $B_{i} = C_{i} D_{i}$ here.\n\n" for i in range(12))
_QUESTIONS = [
    (  # a letter named as an entrywise function: h = \tanh (rules/functions.py)
        "Let $x \\in \\mathbb{R}^{n}$, $W \\in \\mathbb{R}^{m \\times n}$ and $h = \\tanh$.\n\n"
        + _FILLER
        + "\n\n"
        + _ROWS
        + "Then $h(W x) + x$.\n",
        "$h = \\tanh$",
        "$h$ a map",
    ),
    (  # \dagger written anywhere: V^* conjugates the entries (rules/symbols.py)
        "Let $X \\in \\mathbb{R}^{n \\times m}$ and $V \\in \\mathbb{C}^{m \\times r}$.\n\n"
        + _ROWS
        + "Then $B = X V^*$.\n\n"
        + _FILLER
        + "\n\nEND\n",
        "END",
        "Physics writes $A^\\dagger$.",
    ),
    (  # a size summed over a family: K = k_1 + \dots + k_M (rules/relations.py)
        "Stack $M$ equations: $X_m \\in \\mathbb{R}^{T \\times k_m}$ and\n"
        "$X \\in \\mathbb{R}^{MT \\times K}$ with $K = k_1 + \\dots + k_M$.\n\n"
        + _FILLER
        + "\n\n"
        + _ROWS
        + "With $Z \\in \\mathbb{R}^{T \\times k}$, $X = I_M \\otimes Z$.\n",
        "with $K = k_1 + \\dots + k_M$",
        "with $K$ columns",
    ),
    (  # a primed vector as a block where primes transpose (rules/brackets.py)
        "Let $X \\in \\mathbb{R}^{n \\times p}$, $y \\in \\mathbb{R}^{n}$ and"
        " $a \\in \\mathbb{R}^{p}$, with $X' X$ and $X' y$, solved as $(X' X)^{-1} X' y$.\n\n"
        + _FILLER
        + "\n\n"
        + _ROWS
        + "As a column, $\\begin{bmatrix} X & a' \\end{bmatrix}$.\n\n"
        + _FILLER
        + "\n\nEND\n",
        "END",
        "A second point $a'$.",
    ),
]


@pytest.mark.parametrize(("text", "before", "after"), _QUESTIONS)
@pytest.mark.parametrize("direction", ["said", "unsaid"])
def test_a_gate_s_answer_changed_gives_a_fresh_check_and_infers_only_who_asked(
    tmp_path: Path, text: str, before: str, after: str, direction: str
) -> None:
    again, fresh = _edited_and_fresh(tmp_path, text, before, after, direction)
    assert [(d.start, d.end, d.code, d.message) for d in again.diagnostics] == [
        (d.start, d.end, d.code, d.message) for d in fresh.diagnostics
    ]
    # (not the whole document again: B_i = C_i D_i asked no gate)
    assert 0 < again.stats["inferred"] <= fresh.stats["inferred"] - len(_ROWS.splitlines()) // 2


def _edited_and_fresh(
    tmp_path: Path, text: str, before: str, after: str, direction: str
) -> tuple[CheckResult, CheckResult]:
    """``text`` with ``before`` edited to ``after`` (or back, ``direction`` "unsaid"): the
    check of the second version by a checker that checked the first, and a fresh one.  The
    edit decides something (one of the two versions has a finding), else the test says
    nothing."""
    edited = text.replace(before, after, 1)
    assert edited != text
    first, then = (text, edited) if direction == "said" else (edited, text)
    path = tmp_path / "doc.md"
    path.write_text(first)
    checker = Checker()
    checker.check(str(path), None, tmp_path, first)
    again = checker.check(str(path), None, tmp_path, then)
    fresh = Checker().check(str(path), None, tmp_path, then)
    plain = Checker().check(str(path), None, tmp_path, text).diagnostics
    said = Checker().check(str(path), None, tmp_path, edited).diagnostics
    assert [d.code for d in plain] != [d.code for d in said]
    return again, fresh


def test_a_dagger_told_near_the_edit_as_over_the_whole_texts() -> None:
    r"""``_dagger_changed`` looks for ``\dagger`` only around the edited span: it tells what a
    search of both whole texts tells for every edit of these texts (one made or unmade by
    the edit, split across its ends, written elsewhere too, or nowhere)."""
    from itertools import product

    from texgrad.reading.edits import TextEdit
    from texgrad.shapes.gates import _dagger_changed

    texts = ["We write $A^\\dagger$ once.", "No adjoint $A^T$ here.", "$x^\\dagger$ $y^\\dagger$"]
    pieces = ["", "\\dagger", "\\dag", "ger", "x", "\\dagger y"]
    told = 0
    for text, piece in product(texts, pieces):
        for a in range(len(text) + 1):
            for b in range(a, min(len(text), a + 9) + 1):
                new = text[:a] + piece + text[b:]
                if new == text:
                    continue
                e = TextEdit.between(text, new)
                whole = ("\\dagger" in text) != ("\\dagger" in new)
                assert _dagger_changed(text, new, e.start, e.old_end, e.new_end) is whole, (
                    text,
                    new,
                )
                told += whole
    assert told > 50  # (edits that make or unmake the only \dagger were among them)
