r"""The pure modules behind the language server: insertion, navigation, hints, positions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from texgrad.calculus.api import DiffOutcome
from texgrad.calculus.insertion import (
    derivation_insertion,
    left_side,
    notation_of,
    result_insertion,
)
from texgrad.protocol import actions
from texgrad.protocol.convert import Positions
from texgrad.protocol.server import Document, RequestFailed, TexgradServer
from texgrad.reading.document import read_text
from texgrad.shapes.check import Checker
from texgrad.shapes.hints import hints
from texgrad.shapes.navigation import definition, occurrences, outline, symbol_at
from texgrad.workspace import Workspace


def _insert(text: str, fmt: str, needle: str, line: str) -> str:
    doc = read_text(text, fmt)
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


@given(st.text(alphabet="ab\n\r é😀", max_size=40))
def test_line_starts_as_lsp_splits_lines(text: str) -> None:
    # the fast path (no \r) and the matching path agree with LSP's line breaks
    want = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]
    assert Positions(text, PositionCodec()).starts == want
    assert Positions(text.replace("\r", ""), PositionCodec()).starts == [
        0,
        *(m.end() for m in re.finditer("\n", text.replace("\r", ""))),
    ]


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
    warm_up(SimpleNamespace(diff_pool=pool))
    pool.shutdown(wait=True)
    assert len(threads) == len(set(threads)) == 2


def test_the_engine_warm_up_differentiates() -> None:
    from texgrad.calculus import api

    assert api.warm_up()


@pytest.fixture
def servers() -> Iterator[list[TexgradServer]]:
    """Servers made in a test (never started: its handlers are called directly)."""
    made: list[TexgradServer] = []
    yield made
    for ls in made:
        ls.diff_pool.shutdown(wait=True)
        ls.analysis_pool.shutdown(wait=True)


def _server_with(path: Path, text: str) -> tuple[TexgradServer, Document]:
    ls = TexgradServer()
    ls.protocol.client_capabilities = types.ClientCapabilities(  # a client resolving lazily
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
                data_support=True,
            )
        )
    )
    doc = Document(path.as_uri(), str(path), "markdown", 1, text)
    ls.docs[doc.uri] = doc
    return ls, doc


async def _list(ls: TexgradServer, doc: Document, at: int) -> list[types.CodeAction]:
    pos = ls.positions_of(doc.path, doc.text)
    p = pos.position(at)
    got = await actions.code_actions(
        ls,
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            range=types.Range(p, p),
            context=types.CodeActionContext(diagnostics=[]),
        ),
    )
    return list(got or [])


MD_DOC = (
    "Let $A \\in \\mathbb{R}^{m \\times n}$, $b \\in \\mathbb{R}^m$, $x \\in \\mathbb{R}^n$.\n\n"
    "$$ f(x) = \\|A x - b\\|^2 $$\n"
)


@pytest.mark.asyncio
async def test_resolve_reuses_what_the_listing_computed(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    ls, doc = _server_with(tmp_path / "reuse.md", MD_DOC)
    servers.append(ls)
    done: list[tuple[object, ...]] = []
    differentiate = ls.ws.differentiate

    def counted(*args: Any) -> DiffOutcome:
        done.append(args[1:])
        return differentiate(*args)

    ls.ws.differentiate = counted  # type: ignore[method-assign]
    listed = await _list(ls, doc, MD_DOC.index("f(x)"))
    titles = [a.title for a in listed]
    assert "Differentiate f w.r.t. x (gradient)" in titles  # verified: no "not verified"
    assert "Hessian of f w.r.t. x" in titles
    assert len(done) == len(set(done)) == 5  # x, A, b and the Hessians of x and b, once each
    for action in listed:
        assert action.edit is None  # edits are built when resolved
        resolved = await actions.resolve(ls, action)
        assert resolved.edit is not None
    assert len(done) == 5  # resolving differentiated nothing again
    gradient = next(a for a in listed if a.title.startswith("Differentiate f w.r.t. x"))
    assert gradient.edit is not None and gradient.edit.changes is not None
    (edit,) = gradient.edit.changes[doc.uri]
    assert "\\nabla_x f = 2 A^\\top (A x - b)" in edit.new_text
    inserted = ls.ws.inserted_in(doc.path, "\\nabla_x f = 2 A^\\top (A x - b)")
    assert inserted is not None and inserted.verified and "verified at" in inserted.note
    # another text: another outcome, and an action offered on the old text is refused
    doc.text = MD_DOC.replace("A x - b", "A x + b")
    doc.version = 2
    stale = listed[0]
    stale.edit = None
    with pytest.raises(RequestFailed):
        await actions.resolve(ls, stale)
    again = await _list(ls, doc, MD_DOC.index("f(x)"))
    assert [a.title for a in again] == titles and len(done) == 10


@pytest.mark.asyncio
async def test_an_unverified_result_is_titled_so(
    tmp_path: Path, servers: list[TexgradServer]
) -> None:
    from dataclasses import replace

    ls, doc = _server_with(tmp_path / "unverified.md", MD_DOC)
    servers.append(ls)
    differentiate = ls.ws.differentiate

    def unverified(*args: Any) -> DiffOutcome:
        return replace(differentiate(*args), verified=False, note="NOT verified: test")

    ls.ws.differentiate = unverified  # type: ignore[method-assign]
    titles = [a.title for a in await _list(ls, doc, MD_DOC.index("f(x)"))]
    assert "Differentiate f w.r.t. x (gradient, not verified)" in titles
    assert "Hessian of f w.r.t. x (not verified)" in titles
    assert all("verified" in t for t in titles if t.startswith(("Differentiate", "Hessian")))
