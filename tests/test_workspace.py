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


def test_a_closed_document_forgotten_is_checked_afresh_alike() -> None:
    text = (
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^m$.\n\n"
        "$$ y = A x $$\n\n"
        "Then $\\frac{\\partial a^\\top x}{\\partial x} = 2 x$ for $a \\in \\mathbb{R}^m$.\n"
    )
    ws = Workspace()
    first = ws.analyse("/tmp/doc.md", text, {})
    assert first.result is not None
    wrong = ws.wrong_derivatives(first.result)
    assert [d.code for d in wrong] == ["wrong-derivative"]  # (it is a)
    said = [(d.code, d.start, d.end, d.message) for d in first.result.diagnostics]
    assert any(d[0] == "matmul-mismatch" for d in said)  # (A x: n columns, m rows)
    assert ws.checker._parsed and ws._verdicts
    ws.forget_documents(["/tmp/doc.md"])
    assert not (ws.checker._parsed or ws.checker._trees or ws.checker._history)
    assert "/tmp/doc.md" not in ws._verdicts
    again = ws.analyse("/tmp/doc.md", text, {})
    assert again.result is not None and again.result.stats == first.result.stats  # (afresh)
    assert [(d.code, d.start, d.end, d.message) for d in again.result.diagnostics] == said
    assert ws.wrong_derivatives(again.result) == wrong
