"""Hover: the shape of the smallest subexpression under the cursor, where it comes from,
the declaration of a symbol (with a link to it), and whether a result texgrad inserted
was verified; of a letter of unknown shape, how to declare one; and to a client that does
not list disabled code actions, why the row offers nothing to differentiate.  Markdown for clients that render it, plain text (no backticks, stars or
link syntax) for those that announce plain text only (eglot without markdown-mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from texgrad.protocol.server import TexgradServer
from texgrad.syntax.symbols import symbol_key
from texgrad.workspace import Analysis

if TYPE_CHECKING:  # (the analysis loads after initialize: see workspace.checker)
    from texgrad.calculus.refusals import Refusal
    from texgrad.shapes.check import CheckResult
    from texgrad.shapes.query import ShapeInfo
    from texgrad.shapes.table import Declaration


def _snippet(text: str, limit: int = 60) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _code(text: str) -> str:
    tick = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def _plain(text: str) -> str:
    return text


def hover_text(
    server: TexgradServer,
    analysis: Analysis,
    offset: int,
    markdown: bool = True,
    refusal: Refusal | None = None,
    why: list[tuple[int, int, str]] | None = None,
) -> tuple[int, int, str] | None:
    """``refusal``: why the row offers nothing to differentiate, said here to a client that
    does not list disabled code actions; ``why``: why texgrad says nothing here
    (``Workspace.why_at``: the row does not parse, the letter has no shape, the written
    derivative is not checked), each with its range."""
    result = analysis.result
    if result is None:
        return None
    from texgrad.shapes.query import shape_info
    from texgrad.shapes.undeclared import HELP, HOVER

    info = shape_info(result, offset)
    said = _refused(refusal, markdown) if refusal is not None else None
    why = why or []
    because = [w if markdown else w.replace("`", "") for _, _, w in why]
    if info is None:
        if why:
            return why[0][0], why[0][1], "\n\n".join(because + ([said] if said else []))
        if refusal is None or said is None:
            return None
        return refusal.row_start, refusal.row_end, said
    code = _code if markdown else _plain
    lines = [
        f"{code(_snippet(info.text))} : "
        + (f"**{info.describe()}**" if markdown else info.describe())
    ]
    letter = any((a, b) == (info.start, info.end) and "has no shape" in w for a, b, w in why)
    if letter:  # why this letter has no shape, and a declaration fitted to its use
        declare = "declare" in because[0]  # (not of a function's name, a set, a tensor)
        lines.append(f"{because[0]} (see {next(iter(HELP.values()))})" if declare else because[0])
        because = because[1:]
    elif info.shape is None and info.inferred is None and _is_symbol(result, offset, info):
        from texgrad.calculus.context import function_named_at

        function = function_named_at(result, offset)
        if function is not None:  # (h of h(x) = …: "declare it" would be wrong advice)
            lines.append(
                f"{code(_snippet(info.text))} is a function the document defines "
                f"({code(_snippet(function))}): its value's shape is that of what it is "
                "applied to, worked out where it is used"
            )
        else:
            lines.append(HOVER if markdown else HOVER.replace("`", ""))
    lines += because
    if info.declaration is not None:
        lines.append(_declared(server, result, info.declaration, markdown))
    row = next((r for r in result.rows if r.start <= offset <= r.end), None)
    if row is not None:
        ins = server.ws.inserted_in(result.path, result.doc.text[row.start : row.end])
        if ins is not None:
            state = (
                "verified numerically"
                if ins.verified
                else ("**not verified**" if markdown else "not verified")
            )
            lines.append(f"inserted by texgrad: {state} ({ins.note})")
    if said is not None:
        lines.append(said)
    return info.start, info.end, "\n\n".join(lines)


def _refused(refusal: Refusal, markdown: bool) -> str:
    if refusal.action:  # "Evaluate ∂/∂x κ‖Ax‖²": a derivative written to be computed
        said = refusal.action.replace("Evaluate", "cannot evaluate", 1)
        return f"{said}: {refusal.reason if markdown else refusal.reason.replace('`', '')}"
    what = f"{refusal.head}" if refusal.head else "this"
    if markdown:
        return f"cannot differentiate {_code(what) if refusal.head else what}: {refusal.reason}"
    return f"cannot differentiate {what}: {refusal.reason.replace('`', '')}"


def _is_symbol(result: CheckResult, offset: int, info: ShapeInfo) -> bool:
    """Is what the hover shows a letter (not a sum or a product of unknown shape)?"""
    from texgrad.shapes.query import node_at

    node = node_at(result, offset)
    return (
        node is not None
        and (node.start, node.end) == (info.start, info.end)
        and (symbol_key(node) is not None)
    )


def _declared(server: TexgradServer, result: CheckResult, decl: Declaration, markdown: bool) -> str:
    """The line of the declaration, with a link to it (where it is, in plain text)."""
    code = _code if markdown else _plain
    text = result.table.texts.get(decl.path, "")
    pos = server.positions_of(decl.path, text).position(decl.start)
    a = text.rfind("\n", 0, decl.start) + 1
    b = text.find("\n", decl.end)
    line = _snippet(text[a : b if b >= 0 else len(text)], 90)
    uri = server.uri_of(decl.path)
    where = decl.path.rsplit("/", 1)[-1]
    link = (
        f"[{where}:{pos.line + 1}]({uri}#L{pos.line + 1})"
        if markdown
        else f"{where}:{pos.line + 1}"
    )
    how = decl.how if decl.how not in ("in", "under", "at") else "declared"
    return f"{how}: {code(line)} ({link})"


def register(server: TexgradServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: TexgradServer, params: types.HoverParams) -> types.Hover | None:
        snap = await ls.snapshot(params.text_document.uri)
        if snap is None:
            return None
        markdown = ls.client.markdown_hover
        offset = snap.offset(params.position)
        refusal = None
        if not ls.client.disabled_actions and snap.result is not None:  # say why here
            refusal = await ls.run_in(ls.query_pool, ls.ws.refusal, snap.result, offset)
        why = []
        if snap.result is not None:  # why texgrad says nothing here, where it does not
            why = await ls.run_in(ls.query_pool, ls.ws.why_at, snap.result, offset)
        found = hover_text(ls, snap.analysis, offset, markdown, refusal, why)
        if found is None:
            return None
        start, end, text = found
        kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
        return types.Hover(
            contents=types.MarkupContent(kind=kind, value=text), range=snap.range(start, end)
        )
