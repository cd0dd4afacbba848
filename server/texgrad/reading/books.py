r"""Books of Markdown pages: a Quarto book's ``_quarto.yml`` and a Jupyter Book's ``_toc.yml``.

A book's chapters are read in the order its table of contents lists them, as its PDF
is typeset and its reader reads it: a symbol declared in an early chapter ("Setup")
holds in the later ones, and a macro a chapter defines in a ``$$`` block serves them
too.  Only the lists of files are read from the YAML, line by line (no YAML library:
a file path in ``chapters:``/``appendices:`` under ``book:``, or a ``root:``/``file:``
entry of a table of contents); a page the book does not list is not one of its
chapters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from texgrad.reading.files import resolved

BOOK_FILES = ("_quarto.yml", "_quarto.yaml", "_toc.yml", "_toc.yaml")
BOOK_SUFFIXES = (".qmd", ".md", ".rmd", ".markdown", ".mdx")  # pages read as Markdown
MAX_LEVELS = 4  # folders looked in for a book file: the page's own and three above
MAX_CHAPTERS = 500

_QUARTO_ITEM = re.compile(
    r"""^\s*-?\s*(?:(?:file|href|part)\s*:\s*)?["']?([^"'#\s]+?\.(?:qmd|md|rmd|markdown|mdx|ipynb))["']?\s*(?:\#.*)?$""",
    re.I,
)
_TOC_ITEM = re.compile(r"""^\s*(?:-\s*)?(?:root|file)\s*:\s*["']?([^"'#\s]+)["']?\s*(?:\#.*)?$""")
_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def _quarto_entries(text: str) -> list[str]:
    """The files a ``_quarto.yml`` lists under ``book:`` (chapters, parts, appendices)."""
    found: list[str] = []
    in_book = False
    for line in text.splitlines():
        if _TOP_KEY.match(line):
            in_book = line.split(":", 1)[0].strip() == "book"
            continue
        if in_book:
            m = _QUARTO_ITEM.match(line)
            if m is not None:
                found.append(m.group(1))
    return found


def _toc_entries(text: str) -> list[str]:
    """The files a Jupyter Book ``_toc.yml`` names (``root:``, then each ``file:``)."""
    found = []
    for line in text.splitlines():
        m = _TOC_ITEM.match(line)
        if m is not None:
            found.append(m.group(1))
    return found


def _page(folder: Path, entry: str, exists: Callable[[Path], bool]) -> Path | None:
    """The Markdown page an entry names (a ``_toc.yml`` entry may omit its suffix)."""
    names = [entry] if Path(entry).suffix else [entry + s for s in (".md", ".qmd", ".Rmd")]
    for name in names:
        if Path(name).suffix.lower() not in BOOK_SUFFIXES:
            continue
        found, _ = resolved(os.path.normpath(folder / name))
        if found is not None and exists(found):
            return found
    return None


def chapters(
    spec: Path, text: str, inside: Callable[[Path], bool], exists: Callable[[Path], bool]
) -> list[Path]:
    """The pages a book file (``_quarto.yml`` or ``_toc.yml``) lists, in order, each once:
    those that exist inside the project folder and are Markdown."""
    quarto = spec.name.startswith("_quarto")
    entries = _quarto_entries(text) if quarto else _toc_entries(text)
    pages: list[Path] = []
    for entry in entries:
        page = _page(spec.parent, entry, exists)
        if page is not None and inside(page) and page not in pages:
            pages.append(page)
            if len(pages) >= MAX_CHAPTERS:
                break
    return pages


def book_files(page: Path, top: Path) -> list[Path]:
    """The book files that may list ``page``: in its folder and up to three above, not
    above ``top`` (the project folder), nearest first."""
    found = []
    for level, folder in enumerate((page.parent, *page.parent.parents)):
        if level >= MAX_LEVELS:
            break
        for name in BOOK_FILES:
            candidate = folder / name
            if candidate.is_file():
                found.append(candidate)
        if folder == top:
            break
    return found
