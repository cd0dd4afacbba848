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


# -- the index of who may read a file (issue 18: a thousand opens looked at every open
# document each, as the square of their number) -------------------------------------------


def _opened(server: TexgradServer, paths: list[Path]) -> int:
    """Open ``paths`` (as on disk) and close them; how many open documents were looked at
    to decide which may read each (its project's files or its folder tree)."""
    from texgrad.protocol import server as srv

    looks = [0]
    may_include = srv._may_include

    def counted(doc: Document, changed: Document) -> bool:
        looks[0] += 1
        return may_include(doc, changed)

    async def main() -> None:
        from lsprotocol import types

        for p in paths:
            uri = p.as_uri()
            server.open(types.TextDocumentItem(uri=uri, language_id="latex", version=1, text=""))
        for doc in server.docs.values():
            if doc.task is not None:
                doc.task.cancel()
        for p in paths:
            server.close(p.as_uri())

    import asyncio

    srv._may_include = counted  # type: ignore[assignment]
    try:
        server.text_document_publish_diagnostics = lambda params: None  # type: ignore[method-assign]
        asyncio.run(main())
    finally:
        srv._may_include = may_include
    return looks[0]


def test_opening_documents_in_distinct_folders_looks_at_none_of_the_others(
    tmp_path: Path, server: TexgradServer
) -> None:
    # (opened with other text than on disk, "": each may change the documents that read it)
    paths = []
    for i in range(300):
        (tmp_path / f"d{i}").mkdir()
        paths.append((tmp_path / f"d{i}" / "main.tex").resolve())
    assert _opened(server, paths) == 0
    assert not server.docs and not server.docs.may_read(str(paths[0]))


def test_opening_documents_of_one_folder_looks_at_those_that_may_read_them(
    tmp_path: Path, server: TexgradServer, redone: list[str]
) -> None:
    paths = [(tmp_path / f"f{i}.tex").resolve() for i in range(40)]
    # each opened one may be read by each opened before it (not analysed yet, one folder)
    assert _opened(server, paths) == 40 * 39 // 2
    assert not server.docs


def test_the_index_follows_the_projects_the_analyses_find(
    tmp_path: Path, server: TexgradServer
) -> None:
    (tmp_path / "book").mkdir()
    main, chapter, notes = _folder(tmp_path / "book")
    a = _doc(main, main.read_text())
    b = _doc(notes, notes.read_text(), inflight=("$x$\n", None))
    server.docs = {a.uri: a}
    server.docs[b.uri] = b
    ch = str(chapter.resolve())
    # not analysed yet: both may read the chapter (their folder's)
    assert server.docs.may_read(ch) == [a, b]
    assert server.docs.readers_of(ch) == []
    server.docs.set_project(a, (a.path, ch))
    assert server.docs.readers_of(ch) == [a] and server.docs.is_read(ch)
    assert server.docs.may_read(ch) == [a, b]  # (b still not analysed: by its folder)
    server.docs.set_project(b, (b.path,))
    assert server.docs.may_read(ch) == [a]
    assert server.docs.may_read(str((tmp_path / "x.tex").resolve())) == []
    # not analysed: a file of its folder tree, above or under it, not of a folder beside it
    server.docs.set_project(b, ())
    assert server.docs.may_read(str((tmp_path / "x.tex").resolve())) == [b]
    assert server.docs.may_read(str((tmp_path / "book" / "sub" / "y.tex").resolve())) == [b]
    assert server.docs.may_read(str((tmp_path / "other" / "y.tex").resolve())) == []
    del server.docs[a.uri]
    assert server.docs.readers_of(ch) == [] and not server.docs.is_read(ch)
    assert server.docs.pop(b.uri) is b and not server.docs
    assert server.docs.may_read(ch) == []


def test_a_paths_uri_is_found_in_the_index_first_opened_first(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every place published (diagnostics, related information, hovers, references) names
    its file by ``uri_of``, which looked at every open document: with 1,000 open, a
    document's diagnostics cost 1,000 looks each.  Now the index of paths answers."""
    from texgrad.protocol.open_documents import OpenDocuments

    docs = [_doc(tmp_path / f"f{i}.tex", "$x$") for i in range(1000)]
    server.docs = {d.uri: d for d in docs}
    twin = Document("untitled:twin", docs[500].path, "latex", 1, "$x$")  # the same key
    server.docs[twin.uri] = twin
    looked = [0]
    values = OpenDocuments.values

    def counted(self: OpenDocuments[Document]) -> object:
        looked[0] += 1
        return values(self)

    monkeypatch.setattr(OpenDocuments, "values", counted)
    assert server.uri_of(docs[999].path) == docs[999].uri
    assert server.uri_of(docs[500].path) == docs[500].uri  # (first opened)
    unknown = tmp_path / "closed.tex"
    assert server.uri_of(str(unknown)) == unknown.as_uri()
    assert looked == [0]
    del server.docs[docs[500].uri]
    assert server.uri_of(docs[500].path) == "untitled:twin"
    server.docs[docs[500].uri] = docs[500]  # opened again: after the twin now
    assert server.uri_of(docs[500].path) == "untitled:twin"
