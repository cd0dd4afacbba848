r"""The language server's analysis state: buffers, projects, plans and differentiation."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.test_navigation import DOC
from texgrad.workspace import Workspace


def test_workspace_plans_and_differentiation(tmp_path: Path) -> None:
    path = tmp_path / "doc.tex"
    path.write_text(DOC, encoding="utf-8")
    ws = Workspace([str(tmp_path)])
    analysis = ws.analyse(str(path), DOC, {})
    assert analysis.result is not None
    plans = ws.plans(analysis.result, DOC.index("f(x)"))
    assert [(p.wrt, p.kind, p.function, p.hessian_available) for p in plans] == [
        ("x", "gradient", "f", True),
        ("A", "gradient", "f", False),
    ]
    out = ws.differentiate(analysis.result, DOC.index("f(x)"), "x")
    assert out.error is None and out.verified and out.result == r"2 A^\top A x"
    from texgrad.workspace import MAX_ANALYSED_CHARS

    big = ws.analyse(str(path), "x" * (MAX_ANALYSED_CHARS + 1), {})
    assert big.result is None and big.note
