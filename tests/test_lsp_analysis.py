r"""The pure modules behind the language server: insertion, navigation, hints, positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from texgrad.calculus.insertion import (
    derivation_insertion,
    left_side,
    notation_of,
    result_insertion,
)
from texgrad.protocol.convert import Positions
from texgrad.reading.document import read_text
from texgrad.shapes.check import Checker
from texgrad.shapes.hints import hints
from texgrad.shapes.navigation import definition, occurrences, outline, symbol_at
from texgrad.workspace import Workspace


def _insert(text: str, fmt: str, needle: str, line: str) -> str:
    doc = read_text(text, fmt)  # type: ignore[arg-type]
    at = text.index(needle)
    region = next(r for r in doc.regions if r.start <= at <= r.end)
    row = next(r for r in region.rows if r.start <= at <= r.end)
    ins = result_insertion(text, fmt, region, row.start, row.end, line)
    return text[: ins.offset] + ins.text + text[ins.offset :]


def test_result_insertion_follows_the_document_style() -> None:
    line = r"\nabla_x f = 2 x"
    assert _insert("See\n\\[ f(x) = x^2 \\].\nNext\n", "latex", "f(x)", line) == (
        "See\n\\[ f(x) = x^2 \\].\n\\[\n  \\nabla_x f = 2 x\n\\]\nNext\n"
    )
    assert _insert("\\begin{equation}\n  f = x\n\\end{equation}\n", "latex", "f =", line) == (
        "\\begin{equation}\n  f = x\n\\end{equation}\n"
        "\\begin{equation*}\n  \\nabla_x f = 2 x\n\\end{equation*}\n"
    )
    assert _insert(
        "\\begin{align}\n  f &= x \\\\\n  g &= y\n\\end{align}\n", "latex", "f &", line
    ) == ("\\begin{align}\n  f &= x \\\\\n  \\nabla_x f &= 2 x \\\\\n  g &= y\n\\end{align}\n")
    assert _insert("Then $f = x$, done.\n", "latex", "f =", line) == (
        "Then $f = x$ $\\nabla_x f = 2 x$, done.\n"
    )
    assert _insert("Text\n\n$$\nf = x\n$$\n\nMore\n", "markdown", "f =", line) == (
        "Text\n\n$$\nf = x\n$$\n\n$$\n\\nabla_x f = 2 x\n$$\n\nMore\n"
    )


def test_derivation_insertion() -> None:
    text = "Text\n\n$$\nf = x\n$$\n"
    doc = read_text(text, "markdown")
    ins = derivation_insertion(text, "markdown", doc.regions[0], ["f = x", r"\nabla_{x} f = 1"])
    assert text[: ins.offset] + ins.text == (
        "Text\n\n$$\nf = x\n$$\n\n$$\n\\begin{aligned}\n  f &= x \\\\\n  \\nabla_{x} f &= 1\n"
        "\\end{aligned}\n$$"
    )


def test_left_sides_and_notation() -> None:
    assert (
        notation_of(r"\frac{\partial f}{\partial x} and \frac{\partial g}{\partial y}") == "partial"
    )
    assert notation_of(r"\nabla f", "partial") == "partial"
    assert notation_of("nothing") == "nabla"
    assert left_side("gradient", "f", "W", "nabla") == r"\nabla_W f"
    assert left_side("gradient", "f", r"\mathbf{x}", "nabla") == r"\nabla_{\mathbf{x}} f"
    assert left_side("gradient", "f", "x", "partial") == r"\frac{\partial f}{\partial x}"
    assert left_side("jacobian", "y", "x", "nabla") == r"\frac{\partial y}{\partial x}"
    assert left_side("hessian", "f", "x", "nabla") == r"\nabla^2_x f"
    assert left_side("matrix", "F", "X", "nabla", r"\mathrm{d}X A") == r"\mathrm{d} F"


DOC = r"""Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.
\[ f(x) = \|A x\|^2 \label{eq:f} \]
Then $y = A x$ and $W_1 x$ and $u^\top A$.
"""


def _checked(tmp_path: Path):
    path = tmp_path / "doc.tex"
    path.write_text(DOC, encoding="utf-8")
    return Checker().check(str(path))


def test_navigation(tmp_path: Path) -> None:
    result = _checked(tmp_path)
    at = DOC.index("A x\\|")
    assert symbol_at(result, at).key == "A"  # type: ignore[union-attr]
    assert symbol_at(result, at + 1).key == "A"  # type: ignore[union-attr]  # end of the word
    (d,) = definition(result, at)
    assert (d.start, d.end) == (DOC.index("A \\in"), DOC.index("A \\in") + 1)
    (d,) = definition(result, DOC.index("y = A"))
    assert DOC[d.start : d.end] == "y"
    w1 = symbol_at(result, DOC.index("W_1"))
    assert w1 is not None and w1.key == "W_{1}"
    uses = occurrences([result], "A")
    assert [DOC[p.start : p.end] for p in uses] == ["A"] * 4
    assert occurrences([result], "W") == []
    names = [(i.name, i.kind) for i in outline(result)]
    assert names == [("A", "symbol"), ("x", "symbol"), ("eq:f", "equation"), ("f(x)", "function")]


def test_hints(tmp_path: Path) -> None:
    result = _checked(tmp_path)
    got = {(DOC[: h.offset].rsplit("$", 1)[-1][-6:], h.label) for h in hints(result, 0, len(DOC))}
    assert ("y", ": ℝ^{m}") in got
    assert any(label == " : ℝ" for _, label in got)  # f(x) = ‖Ax‖² is a scalar
    assert any(label == ": ℝ^{m×?}" for _, label in got)  # u from u^T A


def test_positions_in_every_encoding() -> None:
    text = "é😀x\r\nab\rc\n"
    for enc, col in (("utf-16", 4), ("utf-8", 7), ("utf-32", 3)):
        pos = Positions(text, PositionCodec(types.PositionEncodingKind(enc)))
        assert pos.position(3) == types.Position(0, col)
        assert pos.offset(types.Position(0, col)) == 3
        assert pos.position(4) == types.Position(0, col)  # inside \r\n: the end of the line
        assert pos.position(5) == types.Position(1, 0)
        assert pos.offset(types.Position(1, 1)) == 6
        assert pos.offset(types.Position(2, 0)) == 8
        assert pos.offset(types.Position(99, 0)) == len(text)
        assert pos.offset(types.Position(0, 999)) == 3  # the end of the line
        assert pos.position(10_000) == types.Position(3, 0)


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
    big = ws.analyse(str(path), "x" * 1_100_000, {})
    assert big.result is None and big.note


def test_every_differentiation_thread_is_warmed_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    from texgrad.calculus import api
    from texgrad.protocol.actions import warm_up

    threads: list[int] = []
    monkeypatch.setattr(api, "warm_up", lambda: threads.append(threading.get_ident()))
    pool = ThreadPoolExecutor(2)
    warm_up(SimpleNamespace(diff_pool=pool))  # type: ignore[arg-type]
    pool.shutdown(wait=True)
    assert len(threads) == len(set(threads)) == 2


def test_the_engine_warm_up_differentiates() -> None:
    from texgrad.calculus import api

    assert api.warm_up()
