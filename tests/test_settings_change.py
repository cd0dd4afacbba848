r"""Settings that change how documents read (``macros``, ``math.environments``), sent after
the first analysis (as a client's ``workspace/configuration`` answer differing from its
initialization options): the rows they do not change keep what the first analysis made of
them, and every analysis is what a fresh workspace with the new settings makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.workspace import Analysis, Workspace

DOC = (
    "Let $A \\in \\mathbb{R}^{n \\times m}$ and $\\vz \\in \\R^{m}$.\n"
    + "".join(f"\\[ y_{{{i}}} = A \\mathbf x + A \\mathbf x \\]\n" for i in range(60))
    + "\\[ \\vz^\\top A \\]\n"  # wrong once \vz reads as an m-vector
    + "\\begin{myeq} A A \\end{myeq}\n"  # wrong, once myeq is math
    + "Let $\\mathbf x \\in \\mathbb{R}^m$.\n"
)

SETTINGS = [
    {"macros": ["\\newcommand{\\vz}{\\mathbf z}", "\\newcommand{\\R}{\\mathbb{R}}"]},
    {
        "macros": ["\\newcommand{\\vz}{\\mathbf z}", "\\newcommand{\\R}{\\mathbb{R}}"],
        "math.environments": ["myeq"],
    },  # fmt: skip
    {"math.environments": ["myeq"]},
    {},
]


def _facts(analysis: Analysis) -> list[tuple[int, int, str, str]]:
    assert analysis.result is not None
    return [(d.start, d.end, d.code, d.message) for d in analysis.result.diagnostics]


@pytest.fixture
def doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEXGRAD_CACHE", "off")  # (parses not read from the user's cache)
    path = tmp_path / "doc.tex"
    path.write_text(DOC, "utf-8")
    return path


def test_new_settings_redo_only_the_rows_they_change_and_read_as_fresh(doc: Path) -> None:
    key = str(doc.resolve())
    ws = Workspace([str(doc.parent)])
    first = ws.analyse(key, DOC, {key: DOC}, "latex")
    assert first.result is not None and first.result.stats["inferred"] > 60
    seen = []
    for raw in SETTINGS:
        assert ws.configure(raw)
        again = ws.analyse(key, DOC, {key: DOC}, "latex")
        fresh = Workspace([str(doc.parent)])
        fresh.configure(raw)
        assert _facts(again) == _facts(fresh.analyse(key, DOC, {key: DOC}, "latex")), raw
        assert again.result is not None
        assert again.result.stats["inferred"] < 10, raw  # (the 60 rows untouched: reused)
        seen.append(sorted({f[2] for f in _facts(again)}))
    assert seen[1] != seen[3]  # (the settings do change what is found)
