r"""A document's path and format read without pygls (the server's early start reads them
before pygls is loaded): ``paths.fs_path`` reads a URI as ``pygls.uris.to_fs_path`` does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pygls.uris import to_fs_path

from texgrad.protocol import paths

URIS = [
    "file:///a/b%20c.md",
    "file:///C:/x/y.tex",
    "file:///c%3A/x/y.tex",
    "file://host/share/x.md",
    "file:///%F0%9F%98%80.md",
    "file:///a/b?q=1#f",
    "FILE:///x.md",
    "file:/x/y.md",
    "file:",
    "file://",
    "file:///",
    "file:///a/%00b.md",
    "file:///a/%ff.md",
    "untitled:Untitled-1",
    "vscode-notebook-cell:/a.ipynb#W0sZmlsZQ==",
    "https://example.com/a.md",
    "",
]


@pytest.mark.parametrize("uri", URIS)
def test_a_uri_reads_as_pygls_reads_it(uri: str) -> None:
    assert paths.fs_path(uri) == to_fs_path(uri)


def test_a_uri_urllib_cannot_parse_raises_as_in_pygls() -> None:
    for read in (paths.fs_path, to_fs_path):
        with pytest.raises(ValueError):
            read("file://[bad/x.md")
    assert paths.file_path("file://[bad/x.md") is None  # (logged, read as a buffer)


def test_format_and_path_of_an_opened_document(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("x", encoding="utf-8")
    uri = doc.as_uri()
    assert paths.format_of(uri, "markdown") == "markdown"
    assert paths.format_of(uri, "latex") == "markdown"  # (the name wins: eglot < 1.10)
    assert paths.path_of(uri, "markdown") == str(doc)
    tex = (tmp_path / "a.tex").as_uri()
    assert paths.format_of(tex, "markdown") == "latex"
    # a language id the name does not decide: the path is made to end as its format
    odd = tmp_path / "odd.txt"
    assert paths.path_of(odd.as_uri(), "markdown") == str(odd) + ".md"
    untitled = paths.path_of("untitled:Untitled-1", "markdown")
    assert paths.UNTITLED_FOLDER in untitled and untitled.endswith(".md")


def test_reading_paths_loads_neither_pygls_nor_lsprotocol() -> None:
    script = (
        "import sys\n"
        "from texgrad.protocol import paths\n"
        "paths.path_of(paths.fs_path('file:///a.md') and 'file:///a.md', 'markdown')\n"
        "print([m for m in ('pygls', 'lsprotocol') if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
