"""The server's open documents by URI, with an index of which of them may read a file
(issue 18): the documents whose project, as last analysed, holds it, and the LaTeX ones
not analysed yet, by their folder (one of them may ``\\input`` any file of its folder
tree); and of their paths (:meth:`OpenDocuments.uri_of`: every place published named
its file's URI after a look at each open document).  Opening a thousand documents
looked at every open one for each of them, as the square of their number; the index
answers with those that may read the file, and a document is listed under at most its
project's files and, before its first analysis, its folder's ancestors (memory bounded
by what the documents read).

The index is a superset: the caller still asks of each document found whether it reads
the file (:func:`texgrad.protocol.server._may_include` and its project), so a stale
entry costs a look, never a wrong answer.  Documents found come in the order they were
opened, as a walk over the documents did.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar


class _Open(Protocol):
    """What the index reads of a document (:class:`texgrad.protocol.server.Document`)."""

    project: tuple[str, ...]

    @property
    def uri(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def fmt(self) -> str: ...


Document = TypeVar("Document", bound=_Open)


class OpenDocuments(dict[str, Document], Generic[Document]):
    """``{uri: Document}``, indexed by the files each may read.  A document's project
    changes through :meth:`set_project` (or by setting the document again)."""

    def __init__(self, docs: Iterable[tuple[str, Document]] | dict[str, Document] = ()) -> None:
        super().__init__()
        self._order: dict[str, int] = {}  # uri -> when first opened
        self._count = 0
        self._readers: dict[str, dict[str, Document]] = {}  # file -> {uri: its reader}
        self._paths: dict[str, dict[str, Document]] = {}  # a document's path -> {uri: it}
        self._unread: dict[str, dict[str, Document]] = {}  # folder -> LaTeX docs not analysed
        self._below: dict[str, dict[str, Document]] = {}  # folder -> those in it or under it
        self._held: dict[str, tuple[Document, tuple[str, ...], str | None]] = {}
        self.update(docs)

    # -- the dict's changes, each kept in the index ------------------------------------

    def __setitem__(self, uri: str, doc: Document) -> None:
        if uri in self:
            self._unindex(uri)
        else:
            self._order[uri] = self._count
            self._count += 1
        super().__setitem__(uri, doc)
        self._index(uri, doc)

    def __delitem__(self, uri: str) -> None:
        super().__delitem__(uri)
        self._unindex(uri)
        del self._order[uri]

    def pop(self, uri: str, *default: Any) -> Any:
        if uri not in self:
            return super().pop(uri, *default)
        doc = self[uri]
        del self[uri]
        return doc

    def popitem(self) -> tuple[str, Document]:
        uri = next(reversed(self))
        return uri, self.pop(uri)

    def clear(self) -> None:
        for uri in list(self):
            del self[uri]

    def update(self, *others: Any, **more: Document) -> None:
        for other in others:
            items = other.items() if hasattr(other, "items") else other
            for uri, doc in items:
                self[uri] = doc
        for uri, doc in more.items():
            self[uri] = doc

    def setdefault(self, uri: str, doc: Document) -> Document:
        if uri not in self:
            self[uri] = doc
        return self[uri]

    def set_project(self, doc: Document, project: tuple[str, ...]) -> None:
        """``doc.project = project``, in the index too."""
        doc.project = project
        if self.get(doc.uri) is doc:
            self._unindex(doc.uri)
            self._index(doc.uri, doc)

    # -- what may read a file -----------------------------------------------------------

    def readers_of(self, path: str) -> list[Document]:
        """The open documents whose project, as indexed, holds ``path``; in opening order."""
        return self._in_order(self._readers.get(path, {}))

    def may_read(self, path: str) -> list[Document]:
        """The open documents that may read ``path``: its readers, and the LaTeX documents
        not analysed yet in its folder, under it, or in a folder above it; in opening
        order (a superset: the caller decides of each)."""
        found = dict(self._readers.get(path, {}))
        folder = os.path.dirname(path)
        found.update(self._below.get(folder, {}))
        for above in _ancestors(folder):
            found.update(self._unread.get(above, {}))
        return self._in_order(found)

    def any_may_read(self, path: str, but: str) -> bool:
        """Whether :meth:`may_read` finds a document other than the one at URI ``but``
        (without listing them: a file opened as it is on disk changes none of them)."""
        folder = os.path.dirname(path)
        for held in (self._readers.get(path), self._below.get(folder)):
            if held and (len(held) > 1 or but not in held):
                return True
        return any(
            len(held) > 1 or but not in held
            for held in (self._unread.get(a) for a in _ancestors(folder))
            if held
        )

    def uri_of(self, path: str) -> str | None:
        """The URI of the open document first opened at ``path`` (the analysis key), or
        None: a look in the index, not at every open document (diagnostics, hovers and
        references name each place's file by it)."""
        held = self._paths.get(path)
        if not held:
            return None
        if len(held) == 1:
            return next(iter(held))
        return min(held, key=self._order.__getitem__)

    def is_read(self, path: str) -> bool:
        """Whether an open document is ``path`` or holds it in its project."""
        return bool(self._paths.get(path) or self._readers.get(path))

    def _in_order(self, found: dict[str, Document]) -> list[Document]:
        order = self._order
        return [found[u] for u in sorted(found, key=order.__getitem__)]

    # -- the index ----------------------------------------------------------------------

    def _index(self, uri: str, doc: Document) -> None:
        project = tuple(dict.fromkeys(doc.project))
        folder = os.path.dirname(doc.path) if not project and doc.fmt == "latex" else None
        self._held[uri] = (doc, project, folder)
        self._paths.setdefault(doc.path, {})[uri] = doc
        for p in project:
            self._readers.setdefault(p, {})[uri] = doc
        if folder is not None:
            self._unread.setdefault(folder, {})[uri] = doc
            for above in (folder, *_ancestors(folder)):
                self._below.setdefault(above, {})[uri] = doc

    def _unindex(self, uri: str) -> None:
        held = self._held.pop(uri, None)
        if held is None:
            return
        doc, project, folder = held
        _drop(self._paths, doc.path, uri)
        for p in project:
            _drop(self._readers, p, uri)
        if folder is not None:
            _drop(self._unread, folder, uri)
            for above in (folder, *_ancestors(folder)):
                _drop(self._below, above, uri)


def _ancestors(folder: str) -> Iterator[str]:
    """The folders above ``folder``, nearest first."""
    while True:
        up = os.path.dirname(folder)
        if up == folder:
            return
        yield up
        folder = up


def _drop(index: dict[str, dict[str, Any]], key: str, uri: str) -> None:
    held = index.get(key)
    if held is not None:
        held.pop(uri, None)
        if not held:
            del index[key]
