"""Wrong-derivative findings stay shown across an edit elsewhere while the new text's own
check runs (they blinked off and on at every keystroke, and their quick fix vanished)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types

from texgrad.protocol.server import TexgradServer
from texgrad.shapes.diagnostics import Diagnostic, Fix, Related, moved_by_edit

OLD = "ab $x$ cd $y = 2$ ef"


def _d(start: int, end: int, fix: tuple[int, int] | None = None) -> Diagnostic:
    fixes = (Fix("Replace", "p", fix[0], fix[1], "3"),) if fix else ()
    related = (Related("q", 0, 1, "elsewhere"),)
    return Diagnostic("wrong-derivative", "warning", "m", "p", start, end, related, fixes)


def test_a_finding_before_the_edit_stays_one_after_it_moves_one_inside_it_goes() -> None:
    y = OLD.index("$y")
    before, inside = _d(3, 6), _d(y, y + 8, (y + 5, y + 6))
    new = OLD.replace("ab", "abc")  # an edit before both
    moved = moved_by_edit(OLD, new, "p", [before, inside])
    assert [new[d.start : d.end] for d in moved] == ["$x$", "$y = 2$ "]
    assert moved[1].fixes[0].start == new.index("2") and moved[1].related[0].start == 0
    new = OLD.replace("cd", "c")  # between the two: the first stays, the second moves
    moved = moved_by_edit(OLD, new, "p", [before, inside])
    assert [(d.start, d.end) for d in moved] == [(3, 6), (y - 1, y + 7)]
    new = OLD.replace("= 2", "= 3")  # inside the second: it goes
    assert moved_by_edit(OLD, new, "p", [before, inside]) == [before]
    assert moved_by_edit(OLD, OLD, "p", [before, inside]) == [before, inside]
    new = OLD.replace("$x$", "$x$!")  # right after the first: touched (x made x^T, say)
    assert moved_by_edit(OLD, new, "p", [before]) == []
    other = Diagnostic("wrong-derivative", "warning", "m", "other.tex", 0, 99)
    assert moved_by_edit(OLD, "", "p", [other]) == [other]  # (another file's: as it was)


DOC = r"""Let $A \in \mathbb{R}^{n \times n}$ and $x \in \mathbb{R}^n$.

$$ \nabla_x (x^\top A x) = 2 A x $$

Some prose.
"""


@pytest.mark.asyncio
async def test_an_edit_in_prose_keeps_the_warning_shown(
    tmp_path: Path, server: TexgradServer
) -> None:
    published: list[tuple[int | None, list[str]]] = []
    real = server.text_document_publish_diagnostics

    def record(params: types.PublishDiagnosticsParams) -> None:
        published.append((params.version, [str(d.code) for d in params.diagnostics]))
        real(params)

    server.text_document_publish_diagnostics = record  # type: ignore[method-assign]
    doc = tmp_path / "doc.md"
    uri = doc.as_uri()
    server.open(types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=DOC))
    end = time.monotonic() + 120  # (a hang's margin: the check takes well under a second idle)
    while not any("wrong-derivative" in codes for _, codes in published):
        assert time.monotonic() < end, published
        await asyncio.sleep(0.05)
    for version in (2, 3):
        text = DOC.replace("Some prose.", "Some prose" + "!" * version)
        server.change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        while not any(v == version for v, _ in published):
            assert time.monotonic() < end, published
            await asyncio.sleep(0.05)
    # every publication after the first finding still holds it
    first = next(i for i, (_, codes) in enumerate(published) if "wrong-derivative" in codes)
    assert all("wrong-derivative" in codes for _, codes in published[first:]), published
