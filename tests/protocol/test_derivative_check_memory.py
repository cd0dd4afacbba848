r"""The check of the derivatives a document writes, cut off by the memory bound
(``TEXGRAD_MEMORY_MB``) in the server: the document gets one information note saying which
derivatives were not checked and why (not only a line in the log), and what was found before
the cut is kept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad import stop_points
from texgrad.calculus import written_derivatives as wd
from texgrad.protocol.server import TexgradServer
from texgrad.stop_points import memory_bound, point, resident_bytes

MB = 1024 * 1024

# three written derivatives: the first wrong, the second and third right
DOC = (
    "Let $A \\in \\mathbb{R}^{n \\times n}$ and $\\mathbf x \\in \\mathbb{R}^n$.\n\n"
    "$$ \\nabla_{\\mathbf x} (\\mathbf x^\\top \\mathbf x) = \\mathbf x $$\n\n"
    "$$ \\nabla_{\\mathbf x} (\\mathbf x^\\top A \\mathbf x) = (A + A^\\top) \\mathbf x $$\n\n"
    "$$ \\nabla_{\\mathbf x} (\\mathbf 1^\\top \\mathbf x) = \\mathbf 1 $$\n"
)


def _greedy_from_the_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check of the second claim (and after) grows the process until it is stopped."""
    check_claim = wd.check_claim
    calls = [0]

    def greedy(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] >= 2:
            held = []
            for _ in range(60):
                held.append(b"x" * (10 * MB))
                point()
        return check_claim(*args, **kwargs)

    monkeypatch.setattr(wd, "check_claim", greedy)
    monkeypatch.setattr(stop_points, "SAMPLE_SECONDS", 0.0)


pytestmark = pytest.mark.skipif(resident_bytes() is None, reason="no /proc/self/statm here")


def test_the_workspace_says_which_derivatives_the_memory_bound_left_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from texgrad.workspace import Workspace

    doc = tmp_path / "doc.md"
    doc.write_text(DOC)
    ws = Workspace([str(tmp_path)])
    result = ws.analyse(str(doc), DOC, {}).result
    assert result is not None
    _greedy_from_the_second(monkeypatch)
    with memory_bound(150):
        got = ws.wrong_derivatives(result, 60)
    assert [d.code for d in got] == ["wrong-derivative", "derivatives-unchecked"]
    note = got[1]
    assert note.severity == "information"
    assert DOC[note.start : note.end] == "(A + A^\\top) \\mathbf x"  # (the second claim's)
    assert note.message.startswith(
        "2 of the 3 derivatives this document writes were not checked (this one and those "
        "after it): the check of written derivatives was stopped: it needed more than 150 MB"
    )


@pytest.mark.asyncio
async def test_the_server_publishes_the_note(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _greedy_from_the_second(monkeypatch)
    monkeypatch.setenv("TEXGRAD_MEMORY_MB", "150")
    doc = tmp_path / "doc.md"
    server.open(
        types.TextDocumentItem(uri=doc.as_uri(), language_id="markdown", version=1, text=DOC)
    )
    published: dict[str, list[types.Diagnostic]] = server.published  # type: ignore[attr-defined]
    for _ in range(3000):
        await asyncio.sleep(0.02)
        if any(d.code == "derivatives-unchecked" for d in published.get(doc.as_uri(), [])):
            break
    got = published[doc.as_uri()]
    assert [d.code for d in got] == ["wrong-derivative", "derivatives-unchecked"]
    assert got[1].severity == types.DiagnosticSeverity.Information
    assert "was stopped: it needed more than 150 MB of memory" in got[1].message


def test_a_cut_in_the_steps_of_a_derivation_is_said_at_the_first_step_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from texgrad.calculus import unequal_steps as us
    from texgrad.workspace import Workspace

    text = (
        "Let $A \\in \\mathbb{R}^{n \\times n}$ and $x \\in \\mathbb{R}^n$.\n\n"
        "$$ x^\\top (A + A) x = 2 x^\\top A x = x^\\top A x + x^\\top A x $$\n"
    )
    doc = tmp_path / "steps.md"
    doc.write_text(text)
    ws = Workspace([str(tmp_path)])
    result = ws.analyse(str(doc), text, {}).result
    assert result is not None and len(us.derivation_steps(result)) == 2

    def greedy(*args: Any) -> Any:
        held = []
        for _ in range(60):
            held.append(b"x" * (10 * MB))
            point()

    monkeypatch.setattr(us, "_check", greedy)
    monkeypatch.setattr(stop_points, "SAMPLE_SECONDS", 0.0)
    with memory_bound(150):
        got = ws.wrong_derivatives(result, 60)
    [note] = got
    assert note.code == "derivatives-unchecked" and note.severity == "information"
    assert note.message.startswith(
        "2 of the 2 steps of this document's derivations were not compared (this one and "
        "those after it): the check of written derivatives was stopped: it needed more than"
    )
