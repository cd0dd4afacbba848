r"""What makes the check of written derivatives fast on a thesis gives what the plain reading
gives: the paragraph test of derivation steps on a folded text equals the case-insensitive
search of the paragraph itself, and the whole check of a generated thesis (wrong
derivatives, unequal steps, what was verified) is the same with and without it."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from tests.scale_inputs import CORPUS, thesis
from texgrad.calculus import context
from texgrad.calculus import unequal_steps as us
from texgrad.calculus import written_derivatives as wd
from texgrad.shapes.check import Checker


def _plain(text: str, first: int, stop: int) -> bool:
    return us._PROPERTIES.search(text[first:stop]) is not None


def _blank_lines(text: str) -> list[int]:
    out, at = [0], text.find("\n\n")
    while at >= 0:
        out.append(at)
        at = text.find("\n\n", at + 1)
    return [*out, len(text)]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_the_paragraph_test_equals_the_search_of_the_paragraph_on_the_corpus() -> None:
    rng = random.Random(18)
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".tex", ".md"))
    assert len(files) > 20
    said = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        edges = _blank_lines(text)
        for _ in range(10):
            a, b = sorted(rng.sample(edges, 2)) if len(edges) > 1 else (0, len(text))
            assert us.rests_on_property(text, a, b) == _plain(text, a, b), (path, a, b)
            said += _plain(text, a, b)
    assert said > 30  # (the corpus does say such things: the test sees both answers)


@pytest.mark.parametrize(
    "words",
    [
        "The ORTHOGONAL matrix $Q$.",
        "We assume \\MATHBB{E} here.",
        "An \u0130dempotent map $P$.",  # İ: matched with i under IGNORECASE
        "Data \u017ftandardi\u017fed first.",  # ſ: matched with s
        "It is unit-norm.",
        "$x = y$ then $y = z$.",
        "A \\text{\n\nconstant} across a blank line.",
        "drop at the start",
        "nodrop inside a word; noncommutative inside one",
    ],
)
def test_the_folded_search_agrees_on_cases_and_edges(words: str) -> None:
    for text in (words, "Before.\n\n" + words, words + "\n\nAfter, orthogonal."):
        for a in _blank_lines(text):
            for b in _blank_lines(text):
                if a <= b:
                    assert us.rests_on_property(text, a, b) == _plain(text, a, b), (text, a, b)


def _check(result: object) -> tuple[object, ...]:
    tally, steps_tally = wd.Tally(), us.StepTally()
    # (60 s a claim, not 3 s of the wall clock: a claim cut off under load in one of the two
    # runs and not in the other would differ; the slowest took 0.71 s at load 9)
    found = wd.check_written(result, 600, 60.0, tally=tally, only_findings=True)  # type: ignore[arg-type]
    steps = us.check_steps(result, 600, steps_tally)  # type: ignore[arg-type]
    return (
        [(f.start, f.end, f.message) for f in found],
        [(s.row.start, s.row.end) for s in steps],
        (tally.read, tally.verified, tally.flagged, sorted(tally.reasons.items())),
        (steps_tally.steps, steps_tally.compared, steps_tally.flagged),
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_a_generated_thesis_is_checked_the_same_with_and_without_the_memos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = thesis(tmp_path, 120_000)  # (its first chapters, with their derivations)
    result = Checker().check(str(path), None, tmp_path)
    fast = _check(result)
    assert fast[2][0] > 20 and fast[3][0] > 20  # (claims and steps to compare)
    monkeypatch.setattr(us, "rests_on_property", _plain)
    monkeypatch.setattr(context, "_copied", replace)
    context._learnt.pop(id(result), None)  # (the contexts learnt again, one by one)
    assert _check(result) == fast


def test_kept_verdicts_share_their_equal_parts_and_answer_the_next_check() -> None:
    # two claims of one paragraph: what their keys say of the symbols there is equal, kept once
    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $x, a \\in \\mathbb{R}^n$.\n\n"
        "Then $\\frac{\\partial x^\\top A x}{\\partial x} = (A + A^\\top) x$ and "
        "$\\frac{\\partial a^\\top x}{\\partial x} = a$.\n"
    )
    checked = Checker().check("doc.md", text=text)
    cache: wd.Verdicts = {}
    wd.check_written(checked, cache=cache)
    keys = list(cache)
    assert len(keys) == 2
    said = [k[3] for k in keys]  # (key's part: each symbol's shape and properties there)
    assert said[0] == said[1] and said[0] and said[0] is said[1]
    assert keys[0][6] is keys[1][6]  # the document's notation, printed
    # a check of the same document (a fresh result: the keys made again) reuses both
    again = Checker().check("doc.md", text=text)
    tally = wd.Tally()
    wd.check_written(again, cache=cache, tally=tally)
    assert list(cache) == keys and tally.verified == 2
