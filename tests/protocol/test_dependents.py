r"""What opening or editing a LaTeX file makes the server analyse again
(``TexgradServer.schedule_dependents``): a file opened as it is on disk changes no other
document's analysis (they read that very text), so none is redone; one opened with other
text, or edited, is a change for the documents that may read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.protocol.server import Document, TexgradServer


def _doc(path: Path, text: str, **kw: object) -> Document:
    return Document(path.as_uri(), str(path.resolve()), "latex", 1, text, **kw)  # type: ignore[arg-type]


@pytest.fixture
def redone(server: TexgradServer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    done: list[str] = []
    monkeypatch.setattr(server, "invalidate", lambda doc, delay=None: done.append(doc.path))
    return done


def _folder(tmp_path: Path) -> tuple[Path, Path, Path]:
    main, chapter, notes = tmp_path / "main.tex", tmp_path / "chapter.tex", tmp_path / "notes.tex"
    main.write_text("\\documentclass{article}\n\\input{chapter}\n", "utf-8")
    chapter.write_text("Let $A \\in \\mathbb{R}^{n \\times n}$.\n", "utf-8")
    notes.write_text("$x$\n", "utf-8")
    return main, chapter, notes


def test_a_file_opened_as_on_disk_redoes_no_analysis(
    tmp_path: Path, server: TexgradServer, redone: list[str]
) -> None:
    main, chapter, notes = _folder(tmp_path)
    first = _doc(notes, notes.read_text(), inflight=("$x$\n", None))  # never analysed yet
    analysed = _doc(main, main.read_text(), project=(str(main.resolve()), str(chapter.resolve())))
    server.docs = {first.uri: first, analysed.uri: analysed}
    server.schedule_dependents(_doc(chapter, chapter.read_text()), opened=True)
    assert redone == []


def test_a_file_opened_with_other_text_or_edited_redoes_those_that_may_read_it(
    tmp_path: Path, server: TexgradServer, redone: list[str]
) -> None:
    (tmp_path / "book").mkdir()
    main, chapter, notes = _folder(tmp_path / "book")
    first = _doc(notes, notes.read_text(), inflight=("$x$\n", None))
    analysed = _doc(main, main.read_text(), project=(str(main.resolve()), str(chapter.resolve())))
    (tmp_path / "other").mkdir()  # (another folder tree: it cannot read the chapter)
    elsewhere = _doc(tmp_path / "other" / "other.tex", "$y$", inflight=("$y$", None))
    server.docs = {d.uri: d for d in (first, analysed, elsewhere)}
    server.schedule_dependents(_doc(chapter, "unsaved text"), opened=True)
    assert sorted(redone) == sorted([first.path, analysed.path])
    redone.clear()
    server.schedule_dependents(_doc(chapter, chapter.read_text()))  # (an edit: always)
    assert sorted(redone) == sorted([first.path, analysed.path])
