r"""What a check keeps of each row for the next one shares equal values (issue 17: it is kept
for every row of every open document): a symbol's name in the questions rows asked and the
symbols they read is one string, the spans of their shapes one tuple, the shapes of pass 1
(none) one dict; what rows teach of notation one object when equal.  Shared, never changed:
the next check after an edit equals a fresh one (tests/test_incremental.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from texgrad.calculus import notation
from texgrad.reading.project import load_project
from texgrad.shapes.check import Checker
from texgrad.shapes.incremental import RowRun
from texgrad.shapes.infer import Inference

# names made at run time (f-strings in symbols.py: A_{i}), in rows that differ elsewhere
DOC = r"""Let $A \in \mathbb{R}^{m \times n}$, $A_i \in \mathbb{R}^{m}$ and $x \in \mathbb{R}^n$.

$$ y = A x $$

$$ z = A x + A_i $$

$$ w = A^\top y + x $$

$$ v = x^\top A^\top A x + A_i^\top y $$
"""


def _runs(tmp: Path) -> tuple[list[RowRun], list[RowRun]]:
    path = tmp / "notes.md"
    path.write_text(DOC, encoding="utf-8")
    checker = Checker()
    result = checker.check(str(path), None, tmp, DOC)
    assert not result.diagnostics
    history = checker._history[result.doc.path]
    return [r for runs in history.first.values() for r in runs], history.second


def test_names_asked_and_read_are_one_string_each(tmp_path: Path) -> None:
    first, second = _runs(tmp_path)
    by_value: dict[str, set[int]] = {}
    for run in first + second:
        for x in (*run.asked, *run.reads):
            if isinstance(x, str):
                by_value.setdefault(x, set()).add(id(x))
    assert {"A", "x", "A_{i}"} <= by_value.keys()
    assert all(len(ids) == 1 for ids in by_value.values()), {
        k: len(v) for k, v in by_value.items() if len(v) > 1
    }


def test_shapes_kept_share_their_spans(tmp_path: Path) -> None:
    _, second = _runs(tmp_path)
    spans: dict[tuple[int, int, type], set[int]] = {}
    for run in second:
        for key in run.shapes:
            spans.setdefault(key, set()).add(id(key))
    assert len(spans) > 5 and all(len(ids) == 1 for ids in spans.values())
    assert any(len([r for r in second if k in r.shapes]) > 1 for k in spans)  # (shared)


def test_pass_one_keeps_no_shapes_of_the_other_files(tmp_path: Path) -> None:
    """Pass 1 of a project's other file reports nothing: its runs share one empty dict."""
    (tmp_path / "sec.tex").write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^n$.\n"
        "\\[ y = A x \\]\n\\[ z = A x + y \\]\n",
        encoding="utf-8",
    )
    main = tmp_path / "main.tex"
    text = (
        "\\documentclass{article}\n\\begin{document}\n\\input{sec}\n"
        "Then \\[ w = A^\\top y \\]\n\\end{document}\n"
    )
    main.write_text(text, encoding="utf-8")
    checker = Checker()
    project = load_project(str(main), folder=tmp_path)
    result = checker.check(str(main), project, tmp_path)
    assert not result.diagnostics
    history = checker._history[result.doc.path]
    (other,) = (runs for path, runs in history.first.items() if path.endswith("sec.tex"))
    assert len(other) >= 3 and all(r.shapes == {} for r in other)
    assert len({id(r.shapes) for r in other}) == 1
    assert any(r.shapes for r in history.second)


def test_equal_rows_teach_one_object(tmp_path: Path) -> None:
    """The same rows in two documents (a row's key is relative to where it starts): what
    each teaches is one object, kept for both; the spellings of rows alike one tuple."""
    results = []
    for name in ("a.md", "b.md"):
        path = tmp_path / name
        path.write_text(DOC, encoding="utf-8")
        results.append(Checker().check(str(path), None, tmp_path, DOC))
    styles = [notation.document_style(r) for r in results]
    assert styles[0] == styles[1] and styles[0].transpose == "^\\top"
    a, b = (notation._taught[r.path] for r in results)
    assert len(a) > 5 and a.keys() == b.keys()
    assert all(a[k] is b[k] for k in a)
    pairs: dict[tuple[str, str], set[int]] = {}
    for taught in a.values():
        for pair in taught.symbols:
            pairs.setdefault(pair, set()).add(id(pair))
    assert (
        len(pairs[("A", "A")]) == 1 and len([t for t in a.values() if ("A", "A") in t.symbols]) > 2
    )


def test_the_symbols_a_row_read_are_kept_as_a_sorted_tuple(tmp_path: Path) -> None:
    """A tuple of a few names takes 40 + 8 bytes a name where a frozenset took 216 (the
    corpus's runs: 2.2 → 0.2 MB); sorted, equal sets of names are one shared tuple."""
    first, second = _runs(tmp_path)
    reads = [r.reads for r in first + second]
    assert all(type(x) is tuple and list(x) == sorted(set(x)) for x in reads)
    ids: dict[tuple[str, ...], set[int]] = {}
    for x in reads:
        ids.setdefault(x, set()).add(id(x))
    assert ("A",) in ids and len(ids) < len(reads)  # (rows that read the same names)
    assert all(len(v) == 1 for v in ids.values())


def test_an_inference_is_freed_with_its_check_not_by_a_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An inference held its rules as bound methods of its own (a cycle): each one — its
    symbol table, its declarations — outlived the check until a full collection, which
    the language server makes only every ~40 keystrokes (protocol/server.py)."""
    import gc
    import weakref

    from texgrad.shapes import check as check_module

    made: list[weakref.ref[Inference]] = []

    class Recorded(Inference):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self))

    monkeypatch.setattr(check_module, "Inference", Recorded)
    path = tmp_path / "notes.md"
    path.write_text(DOC, encoding="utf-8")
    gc.collect()
    gc.disable()
    try:
        result = Checker().check(str(path), None, tmp_path, DOC)
        assert not result.diagnostics and len(made) == 2  # (its two passes)
        assert [r() for r in made] == [None, None]
    finally:
        gc.enable()
