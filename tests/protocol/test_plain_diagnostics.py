"""Diagnostics as JSON without pygls (``protocol/plain_diagnostics.py``) are what pygls sends
for the same analysis: ``diagnostics_of``'s list unstructured by the server's converter,
compared field by field, in the three position encodings, for real documents and for texts
with the characters where encodings differ (é, 😀, CRLF)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec

from texgrad.protocol.convert import PositionCache
from texgrad.protocol.diagnostics import diagnostics_of
from texgrad.protocol.plain_diagnostics import diagnostics_json, file_uri
from texgrad.protocol.server import TexgradServer
from texgrad.reading.problems import ReadProblem
from texgrad.workspace import Analysis, Workspace

ENCODINGS = ("utf-8", "utf-16", "utf-32")

# two mismatches with related declarations and a transpose fix each, after a 😀 on the
# same line (two UTF-16 units, four UTF-8 bytes) and an é (two UTF-8 bytes), CRLF lines
NOTE = (
    "Notes, café 😀.\r\nLet $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^m$ and "
    "$b \\in \\mathbb{R}^n$.\r\n\r\n😀 é $y = A x$ and $z = x^\\top A + b$.\r\n"
)


def sent_by_pygls(server: TexgradServer, analysis: Analysis, encoding: str) -> list[object]:
    """What the server publishes for ``analysis``, as JSON (pygls's converter)."""
    server._positions = PositionCache(PositionCodec(types.PositionEncodingKind(encoding)))
    found = diagnostics_of(server, analysis)
    data = server.protocol._converter.unstructure(found, list[types.Diagnostic])
    return json.loads(json.dumps(data))


def plain(analysis: Analysis, encoding: str) -> list[object]:
    return json.loads(json.dumps(diagnostics_json(analysis, encoding)))


@pytest.fixture
def server() -> TexgradServer:
    return TexgradServer()


def test_a_note_with_fixes_related_and_wide_characters(server: TexgradServer, tmp_path: Path):
    path = str(tmp_path / "note.md")
    analysis = Workspace().analyse(path, NOTE, {})
    assert analysis.result is not None
    codes = [d.code for d in analysis.result.diagnostics]
    assert codes == ["matmul-mismatch", "add-mismatch"]
    by_encoding = {}
    for encoding in ENCODINGS:
        expected = sent_by_pygls(server, analysis, encoding)
        assert plain(analysis, encoding) == expected
        by_encoding[encoding] = expected
    # the encodings do differ here: the first mismatch's column after "😀 é "
    columns = {e: found[0]["range"]["start"]["character"] for e, found in by_encoding.items()}
    assert columns["utf-32"] == NOTE.split("\r\n")[3].index("A x")
    assert columns == {
        "utf-8": columns["utf-32"] + 3 + 1,
        "utf-16": columns["utf-32"] + 1,
        "utf-32": columns["utf-32"],
    }
    first = by_encoding["utf-16"][0]
    assert first["data"]["fixes"][0]["newText"] == "A^\\top"
    assert len(first["relatedInformation"]) == 2


def test_reading_problems_a_note_and_wrong_derivatives(server: TexgradServer, tmp_path: Path):
    path = str(tmp_path / "note.md")
    analysis = Workspace().analyse(path, NOTE, {})
    assert analysis.result is not None
    problems = (
        ReadProblem("unclosed `$`", 3, 9),
        ReadProblem("skipped", 40, 200, severity="warning", code="too-long"),
        ReadProblem("a hint", len(NOTE) + 5, len(NOTE) + 9, severity="hint", code="x"),
    )
    wrong = [replace(analysis.result.diagnostics[0], code="wrong-derivative", fixes=())]
    with_all = replace(analysis, problems=problems, derivatives=wrong)
    not_analysed = Analysis(path, NOTE, None, (path,), note="texgrad does not analyse this")
    for encoding in ENCODINGS:
        for a in (with_all, not_analysed):
            assert plain(a, encoding) == sent_by_pygls(server, a, encoding)
    assert [d["code"] for d in plain(with_all, "utf-16")][:3] == ["read-error", "too-long", "x"]
    assert plain(not_analysed, "utf-8")[0]["code"] == "not-analysed"


# the corpus' documents with diagnostics (a LaTeX one analysed with its project's root)
@pytest.mark.parametrize(
    "name", ["matrix-cookbook-md/main.md", "tensor-cookbook/chapters/functions.tex"]
)
def test_real_documents(server: TexgradServer, corpus: Path, name: str):
    path = corpus / name
    analysis = Workspace().analyse(str(path), path.read_text(encoding="utf-8"), {})
    for encoding in ENCODINGS:
        found = plain(analysis, encoding)
        assert found  # (a list compared, not two empty ones)
        assert found == sent_by_pygls(server, analysis, encoding)


def test_made_without_pygls_or_lsprotocol(tmp_path: Path):
    """What the module is for: the server's early start has not loaded them."""
    (tmp_path / "note.md").write_text(NOTE, encoding="utf-8", newline="")
    program = (
        "import sys; from texgrad.workspace import Workspace; "
        "from texgrad.protocol.plain_diagnostics import diagnostics_json; "
        f"p = {str(tmp_path / 'note.md')!r}; "
        "t = open(p, encoding='utf-8', newline='').read(); "
        "found = diagnostics_json(Workspace().analyse(p, t, {}), 'utf-16'); "
        "print(len(found), sorted(m for m in ('pygls', 'lsprotocol') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "[]"]


@pytest.mark.parametrize(
    "path", ["/tmp/a b/é.md", "/tmp/x#1/%20.tex", "relative/x.md", "//server/share/x.md", "/"]
)
def test_file_uris_as_pygls_writes_them(path: str):
    assert file_uri(path) == from_fs_path(path)
