r"""The scans of sizes and counts (``_sizes_written``, ``_range_ends``, ``_counting_letters``)
run piece by piece (``declarations._pieces``), each piece remembered by its text: what they
find is what one scan of the whole text finds, in order, wherever the text is cut; and after
edits a check's counted letters and sizes are those of a fresh check."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from texgrad.shapes import declarations as d
from texgrad.shapes.check import Checker
from texgrad.shapes.declarations import collect


def _whole(text: str) -> tuple[object, ...]:
    """The scans of the whole text at once (as they ran before the pieces)."""
    ends: set[str] = set()
    if "dots" in text or "sum" in text:
        ends |= d._range_ends_in(text)
        ends.update(next(g for g in m.groups() if g) for m in d._LISTED_LAST.finditer(text))
        ends.update(name for m in d._summed_sizes_in(text) for name in d._summed(m))
    compared = tuple((m[1], m[2]) for m in d._COMPARED_SIZES.finditer(text))
    return frozenset(ends), compared, d._sizes_written_in(text), d._range_ends_in(text)


def _by_pieces(text: str, step: int) -> tuple[object, ...]:
    pieces = d._pieces(text, step)
    assert "".join(pieces) == text
    assert all(p.startswith("$") for p in pieces[1:])
    scans = [d._piece_scan(p) for p in pieces]
    ends: set[str] = set()
    if "dots" in text or "sum" in text:
        for range_ends, listed, _, _ in scans:
            ends |= range_ends | listed
    compared = tuple(pair for s in scans for pair in s[3])
    written = frozenset().union(*(s[2] for s in scans))
    return frozenset(ends), compared, written, frozenset().union(*(s[0] for s in scans))


_TOKENS = ("$", "$$", "\n", "\n$", "\n\n$", "_", "I", "1", "0", "\\dots", "\\ldots", ",", "=",
           "{", "}", " ", "\t", "k", "n", "p", "K", "x", "i", "\\sum", "^", "+", "_1", "_2",
           "\\mathbf", ">", "\\le", "\\", "i = 1, \\dots, K", "$n > p$", "$k \\le\n", "I_m", "I",
           "\\mathbf{1}_q", "x_1, \\dots, x_T", "K = k_1 + \\dots + k_M", "_{i=1}^{N}")  # fmt: skip


def test_pieces_find_what_the_whole_text_finds() -> None:
    rng = random.Random(17)
    cut = found = 0
    for _ in range(6000):
        text = "".join(rng.choice(_TOKENS) for _ in range(rng.randint(0, 50)))
        for step in (1, 3, 10):
            whole = _whole(text)
            assert _by_pieces(text, step) == whole, (text, step)
            cut += len(d._pieces(text, step)) > 2
            found += any(whole)
    assert cut > 1000 and found > 3000  # (texts cut in several pieces, and scans finding)


def test_a_comparison_is_never_cut() -> None:
    # its closing $ starts a line, after a letter: no cut there
    text = "$n >\np\n$ and $k\n$ then $m < q$"
    assert _by_pieces(text, 1) == _whole(text)
    assert _whole(text)[1] == (("n", "p"), ("m", "q"))
    assert all(not p.startswith("$ and") for p in d._pieces(text, 1))


def test_the_corpus_scans_alike_in_pieces(corpus: Path) -> None:
    for path in sorted(corpus.glob("*/*.md")) + sorted(corpus.glob("*/*.tex")):
        text = path.read_text(encoding="utf-8")
        for step in (7, 512, d._PIECE):
            assert _by_pieces(text, step) == _whole(text), (path, step)
    cookbook = (corpus / "matrix-cookbook-md" / "main.md").read_text(encoding="utf-8")
    assert len(d._pieces(cookbook)) > 20  # (the Cookbook is cut: an edit scans a piece)


@pytest.mark.parametrize("seed", [1, 2])
def test_counted_and_constant_sizes_after_edits_are_fresh(corpus: Path, seed: int) -> None:
    path = corpus / "matrix-cookbook-md" / "main.md"
    text = path.read_text(encoding="utf-8")
    checker = Checker()
    checker.check(str(path), None, None, text)
    rng = random.Random(seed)
    snippets = ("x", " ", "$", "\n", "_m", "I_k", "i = 1, \\dots, K", "$n > p$", "\n$$\n",
                "\\sum_{i=1}^{N}", "x_1, \\dots, x_T", "K = k_1 + \\dots + k_M", "\\mathbf{1}_q")  # fmt: skip
    for _ in range(12):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.3:
            text = text[:at] + text[at + rng.randint(1, 30) :]
        else:
            text = text[:at] + rng.choice(snippets) + text[at:]
        got = checker.check(str(path), None, None, text)
        fresh = collect(iter(got.rows), {got.path: got.doc.text})
        assert got.table.counted == fresh.counted
        assert got.table.constant_sizes == fresh.constant_sizes
        assert d._counting_letters(text) == d._counting_letters.__wrapped__(text)
        assert _by_pieces(text, d._PIECE) == _whole(text)
