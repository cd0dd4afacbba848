r"""Case-insensitive patterns searched on folded text (texgrad/casefold.py) find what they
find under IGNORECASE on the text itself, at the same offsets."""

from __future__ import annotations

import re

import pytest

from tests.scale_inputs import CORPUS
from texgrad.casefold import folded, folded_pattern
from texgrad.shapes import properties


def test_every_character_ignorecase_matches_with_an_ascii_letter_is_folded_onto_it() -> None:
    import sys

    every = "".join(map(chr, range(sys.maxunicode + 1)))
    letters = {m.start() for m in re.finditer("[a-z]", every, re.I)}  # (one scan, in C)
    assert len(letters) == 52 + 4  # A-Z, a-z, and İ ı ſ K
    others = re.sub("[a-z]", "", every, flags=re.I)
    assert folded(others) == others  # (nothing else is folded)
    for i in letters:
        folds = folded(every[i])
        assert re.fullmatch(folds, every[i], re.I) and "a" <= folds <= "z", hex(i)


@pytest.mark.parametrize(
    "pattern", [r"\S+x", r"a\Wb", "caf\u00e9", r"(?L)x", r"\Bfoo", r"(?P<Sym>x)", r"(?P<x>y)(?P=X)"]
)
def test_a_pattern_lowering_would_change_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        folded_pattern(pattern)


def test_named_groups_and_escaped_backslashes_survive() -> None:
    p = folded_pattern(r"\\Mathbb\{(?P<sym>[A-Z])\}(?P=sym)?")
    m = p.search(folded(r"see \MATHBB{r} here"))
    assert m is not None and m.start("sym") == 12
    assert folded_pattern(r"\\S").search(folded(r"a\S")) is not None  # (\\ then S, no \S)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_the_role_of_a_scalar_is_found_where_ignorecase_finds_it_in_the_corpus() -> None:
    original = properties._ROLE_SCALAR
    fast = properties._ROLE_SCALAR_FOLDED
    seen = 0
    for path in sorted(p for p in CORPUS.rglob("*") if p.suffix in (".tex", ".md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        text += "\nThe NOISE Variance $\\sigma$ and the \u017ftep size $\\eta$.\n"
        want = [(m.start(), m.end(), m.start("sym")) for m in original.finditer(text)]
        got = [(m.start(), m.end(), m.start("sym")) for m in fast.finditer(folded(text))]
        assert got == want, path
        seen += len(want)
    assert seen > 20  # (the corpus names such roles: both answers are seen)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_softmax_by_columns_and_the_einstein_convention_are_read_as_under_ignorecase() -> None:
    from texgrad.calculus import indices, matrix_notation

    extra = (
        "\nThe SOFTMAX is applied Column-Wise. We use EINSTEIN'S summation convention; "
        "\u017fummation over repeated indices.\n"
    )
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".tex", ".md"))
    for k, path in enumerate(paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        said = re.search(r"softmax|einstein|repeated ind", text, re.I)
        if said or k % 10 == 0:  # (those that may say it, and others)
            for t in (text, text + extra):
                by_columns = matrix_notation._SOFTMAX_BY_COLUMNS.search(t) is not None
                assert matrix_notation.softmax_by_columns(t) == (
                    "softmax" in t.lower() and by_columns
                ), path
                want = [m.span() for m in indices._EINSTEIN.finditer(t)]
                got = [m.span() for m in indices._EINSTEIN_FOLDED.finditer(folded(t))]
                assert got == want, path
    assert matrix_notation.softmax_by_columns(extra) and indices.says_einstein(extra)
