r"""An analysis that outgrows its memory bound in the server (``TEXGRAD_MEMORY_MB``) is
stopped at its next stop point and its document gets one information diagnostic saying
so; the server goes on in a fresh workspace, and every other document is served."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from texgrad import stop_points
from texgrad.protocol.server import TexgradServer
from texgrad.stop_points import point, resident_bytes

MB = 1024 * 1024


def _open(ls: TexgradServer, path: Path, text: str) -> None:
    ls.open(types.TextDocumentItem(uri=path.as_uri(), language_id="latex", version=1, text=text))


@pytest.mark.skipif(resident_bytes() is None, reason="no /proc/self/statm here")
@pytest.mark.asyncio
async def test_a_runaway_analysis_is_cut_off_and_said_and_the_others_served(
    tmp_path: Path, server: TexgradServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from texgrad.workspace import Workspace

    analyse = Workspace.analyse

    def runaway_for_big(self: Workspace, path: str, *args: Any, **kwargs: Any) -> Any:
        if path.endswith("big.tex"):
            held = []
            for _ in range(60):
                held.append(b"x" * (10 * MB))
                point()
        return analyse(self, path, *args, **kwargs)

    monkeypatch.setattr(Workspace, "analyse", runaway_for_big)
    monkeypatch.setattr(stop_points, "SAMPLE_SECONDS", 0.0)
    monkeypatch.setenv("TEXGRAD_MEMORY_MB", "150")
    published: dict[str, list[types.Diagnostic]] = server.published  # type: ignore[attr-defined]
    big, small = tmp_path / "big.tex", tmp_path / "small.tex"
    ws = server.ws
    _open(server, big, "Let $A \\in \\mathbb{R}^{2 \\times 3}$: $A A$.\n")
    _open(server, small, "Let $B \\in \\mathbb{R}^{2 \\times 3}$: $B B$.\n")
    for _ in range(3000):
        await asyncio.sleep(0.02)
        if big.as_uri() in published and small.as_uri() in published:
            break
    [note] = published[big.as_uri()]
    assert note.severity == types.DiagnosticSeverity.Information
    assert "stopped checking this document: it needed more than 150 MB" in note.message
    assert [d.code for d in published[small.as_uri()]] == ["matmul-mismatch"]
    assert server.ws is not ws  # (the cut analysis's workspace may be half changed)
