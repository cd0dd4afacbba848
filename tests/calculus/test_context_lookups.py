"""The per-claim lookups of a context (issue 18: a claim of a 1 MB thesis reads a few of the
document's thousands of definitions, not all of them): the same answers as reading them all."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from texgrad.calculus.context import _last_defined
from texgrad.calculus.written_layouts import rows_stated


def _every(before: list[Any], offset: int) -> dict[str, int]:
    """Where each letter was last defined before ``offset``, read off every definition."""
    return {key: start for start, _, key, _ in before if start <= offset}


def test_the_last_definition_before_an_offset_is_found_by_its_letter() -> None:
    rng = random.Random(18)
    for _ in range(200):
        n = rng.randrange(0, 30)
        starts = [rng.randrange(0, 100) for _ in range(n)]
        if rng.random() < 0.5:
            starts.sort()  # (in document order, or not: a project's other files)
        before = [(s, rng.random() < 0.5, rng.choice("abcde"), None) for s in starts]
        defined = SimpleNamespace(before=before, starts_by_key=None)
        for offset in (-1, 0, 17, 50, 99, 100):
            at = _last_defined(defined, offset)  # type: ignore[arg-type]
            every = _every(before, offset)
            for key in "abcdef":
                assert at(key) == every.get(key), (before, offset, key)


def test_a_row_vector_is_said_only_in_a_text_that_says_row() -> None:
    said = "Numerator layout: $\\partial f/\\partial \\mathbf x$ is a row vector.\n$$y = x$$"
    assert rows_stated(said, len(said))
    assert not rows_stated(said, 0)
    assert not rows_stated(said.replace("row", "column"), len(said))
