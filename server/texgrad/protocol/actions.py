"""Code actions: "Differentiate f w.r.t. x", "Hessian of f w.r.t. x", "Show derivation
of ∇ₓf", and the quick fixes of diagnostics (insert a transpose).

Differentiation runs when the actions are listed (in the differentiation pool, bounded
by a deadline) so that a title never claims a result is verified when it is not: an
unverified result says "(not verified)", an error is not offered.  Edits are built in
``codeAction/resolve`` when the client resolves edits, else at once.  Every action is a
``CodeAction`` (never a bare ``Command``), and resolve hands back unchanged any action
that is not texgrad's to resolve.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from texgrad.calculus.insertion import (
    derivation_insertion,
    function_label,
    left_side,
    notation_of,
    result_insertion,
)
from texgrad.protocol.diagnostics import to_lsp
from texgrad.protocol.server import Document, RequestFailed, TexgradServer
from texgrad.reading.regions import MathRegion
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key
from texgrad.workspace import Analysis, Inserted

if TYPE_CHECKING:
    from texgrad.calculus.api import DiffOutcome, DiffPlan

log = logging.getLogger("texgrad.lsp")

LIST_DEADLINE = 2.0  # seconds a listing waits for results before titling them "not verified"
KIND_NAMES = {
    "gradient": "gradient",
    "jacobian": "Jacobian",
    "derivative": "derivative",
    "matrix": "differential",
    "hessian": "Hessian",
}
_SUBSCRIPTS = dict(zip("aehijklmnoprstuvx0123456789", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉", strict=True))

_cache: OrderedDict[tuple[Any, ...], asyncio.Future[DiffOutcome]] = OrderedDict()


def _outcome(
    ls: TexgradServer, doc: Document, analysis: Analysis, row: int, wrt: str, hessian: bool
) -> asyncio.Future[DiffOutcome]:
    s = ls.ws.settings
    key = (
        doc.path, hash(analysis.text), ls.ws.generation, row, wrt, hessian,
        s["layout"], s["differentiation.timeBudget"],
    )  # fmt: skip
    assert analysis.result is not None
    fut = _cache.get(key)
    if fut is None or fut.cancelled():
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(
            ls.diff_pool, ls.ws.differentiate, analysis.result, row, wrt, hessian
        )
        _cache[key] = fut
        while len(_cache) > 128:
            _cache.popitem(last=False)
    _cache.move_to_end(key)
    return fut


def warm_up(ls: TexgradServer) -> None:
    """Import the engine and differentiate once on every thread of the differentiation
    pool, in the background (each thread has its own parser; first uses are slow)."""
    workers = int(getattr(ls.diff_pool, "_max_workers", 1))
    together = threading.Barrier(workers)

    def run() -> None:
        try:
            together.wait(timeout=30)  # one task per thread: each holds its thread
        except threading.BrokenBarrierError:
            pass
        try:
            from texgrad.calculus.api import warm_up

            warm_up()
        except Exception:  # noqa: BLE001 - only a warm-up
            log.exception("warming up the differentiation engine failed")
        # numpy's, scipy's and the engine's modules live as long as the server: out of
        # automatic garbage collection, which would otherwise walk them all at a keystroke
        gc.freeze()

    for _ in range(workers):
        ls.diff_pool.submit(run)


def _head(analysis: Analysis, row_start: int) -> str:
    """``L`` for a row ``L = …`` (not a function definition)."""
    result = analysis.result
    if result is None:
        return ""
    row = next((r for r in result.rows if r.start == row_start), None)
    tree = row.tree if row is not None else None
    if isinstance(tree, t.Chain) and tree.relations and tree.relations[0] in ("=", ":="):
        head = tree.items[0]
        if head is not None and not isinstance(head, t.Apply) and symbol_key(head) is not None:
            return analysis.text[head.start : head.end].strip()
    return ""


def _region_of(analysis: Analysis, offset: int) -> MathRegion | None:
    assert analysis.result is not None
    for region in analysis.result.doc.regions:
        if region.start <= offset <= region.end:
            return region
    return None


def _short(latex: str, limit: int = 24) -> str:
    one = " ".join(latex.split())
    return one if len(one) <= limit else "the expression"


def _symbol(kind: str, f: str, wrt: str) -> str:
    if kind == "gradient":
        sub = _SUBSCRIPTS.get(wrt) if len(wrt) == 1 else None
        return f"∇{sub}{f}" if sub else f"∇_{wrt} {f}"
    if kind in ("jacobian", "derivative"):
        return f"∂{f}/∂{wrt}"
    return f"d{f}"


def _workspace_edit(
    ls: TexgradServer, doc: Document, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    caps = ls.client_capabilities
    we = getattr(getattr(caps, "workspace", None), "workspace_edit", None)
    if we is not None and we.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=doc.uri, version=doc.version
                    ),
                    edits=list(edits),
                )
            ]
        )
    return types.WorkspaceEdit(changes={doc.uri: list(edits)})


def _lazy(ls: TexgradServer) -> bool:
    ca = getattr(getattr(ls.client_capabilities, "text_document", None), "code_action", None)
    rs = getattr(ca, "resolve_support", None)
    return rs is not None and "edit" in (rs.properties or [])


def _quick_fixes(
    ls: TexgradServer, doc: Document, analysis: Analysis, start: int, end: int
) -> list[types.CodeAction]:
    result = analysis.result
    assert result is not None
    texts = {**result.table.texts, result.path: analysis.text}
    out = []
    for d in result.diagnostics:
        if not d.fixes or d.start > end or d.end < start:
            continue
        lsp_d = to_lsp(ls, d, texts)
        for fix in d.fixes:
            if fix.path != result.path:
                continue
            pos = ls.positions_of(doc.path, analysis.text)
            edit = types.TextEdit(range=pos.range(fix.start, fix.end), new_text=fix.text)
            out.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_d],
                    is_preferred=True,
                    edit=_workspace_edit(ls, doc, [edit]),
                )
            )
    return out


def _wants(only: Any, kind: str) -> bool:
    if not only:
        return True
    return any(
        kind == str(getattr(k, "value", k)) or kind.startswith(f"{getattr(k, 'value', k)}.")
        for k in only
    )


async def code_actions(
    ls: TexgradServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    got = await ls.analysed(params.text_document.uri)
    if got is None or got[1].result is None:
        return None
    doc, analysis = got
    result = analysis.result
    assert result is not None
    pos = ls.positions_of(doc.path, analysis.text)
    start, end = pos.offset(params.range.start), pos.offset(params.range.end)
    only = params.context.only if params.context else None
    actions: list[types.CodeAction] = []
    if _wants(only, "quickfix"):
        actions.extend(_quick_fixes(ls, doc, analysis, start, end))
    if not _wants(only, "refactor.rewrite"):
        return actions
    plans: list[DiffPlan] = await ls.run_in(ls.diff_pool, ls.ws.plans, result, start)
    if not plans and end != start:
        plans = await ls.run_in(ls.diff_pool, ls.ws.plans, result, end)
    if not plans:
        return actions
    jobs: list[tuple[DiffPlan, str, asyncio.Future[DiffOutcome]]] = []
    for plan in plans:
        jobs.append((plan, "result", _outcome(ls, doc, analysis, plan.row_start, plan.wrt, False)))
        if plan.hessian_available:
            jobs.append(
                (plan, "hessian", _outcome(ls, doc, analysis, plan.row_start, plan.wrt, True))
            )
    lazy = _lazy(ls)
    futures = [j[2] for j in jobs]
    if lazy:
        await asyncio.wait([asyncio.shield(f) for f in futures], timeout=LIST_DEADLINE)
    else:
        await asyncio.wait([asyncio.shield(f) for f in futures])
    derivations: list[types.CodeAction] = []
    for plan, mode, fut in jobs:
        outcome = fut.result() if fut.done() and not fut.cancelled() else None
        if outcome is not None and outcome.error is not None:
            continue
        verified = outcome is not None and outcome.verified
        head = plan.function or _head(analysis, plan.row_start)
        row_text = analysis.text[plan.row_start : plan.row_end]
        label = head or _short(row_text)
        kind = "hessian" if mode == "hessian" else plan.kind
        suffix = "" if verified else ", not verified"
        if mode == "hessian":
            title = f"Hessian of {label} w.r.t. {plan.wrt}" + (
                "" if verified else " (not verified)"
            )
        else:
            title = f"Differentiate {label} w.r.t. {plan.wrt} ({KIND_NAMES[kind]}{suffix})"
        data = {
            "texgrad": "differentiate", "uri": doc.uri, "version": doc.version,
            "row": plan.row_start, "rowText": row_text, "wrt": plan.wrt, "mode": mode,
            "head": head,
        }  # fmt: skip
        actions.append(
            types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite, data=data)
        )
        if mode == "result":
            sym = _symbol(plan.kind, head or "f", plan.wrt)
            derivations.append(
                types.CodeAction(
                    title=f"Show derivation of {sym}" + ("" if verified else " (not verified)"),
                    kind=types.CodeActionKind.RefactorRewrite,
                    data={**data, "mode": "derivation"},
                )
            )
    actions.extend(derivations)
    if not lazy:
        for action in actions:
            if action.edit is None:
                try:
                    await resolve(ls, action)
                except RequestFailed:
                    pass  # not offered
        actions = [a for a in actions if a.edit is not None]
    return actions


async def resolve(ls: TexgradServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data
    if (
        action.edit is not None
        or not isinstance(data, dict)
        or data.get("texgrad") != "differentiate"
    ):
        return action
    doc = ls.docs.get(str(data.get("uri")))
    if doc is None:
        raise RequestFailed("texgrad: the document is not open any more")
    analysis = await ls.current(doc)
    result = analysis.result
    row, row_text = data.get("row"), data.get("rowText")
    if (
        result is None
        or not isinstance(row, int)
        or not isinstance(row_text, str)
        or analysis.text[row : row + len(row_text)] != row_text
    ):
        raise RequestFailed("texgrad: the document changed since this action was offered")
    mode, wrt = data.get("mode"), str(data.get("wrt"))
    outcome = await asyncio.shield(_outcome(ls, doc, analysis, row, wrt, mode == "hessian"))
    if outcome.error is not None:
        raise RequestFailed(f"texgrad: {outcome.error}")
    region = _region_of(analysis, row)
    if region is None:
        raise RequestFailed("texgrad: no math there any more")
    text = analysis.text
    if mode == "derivation":
        ins = derivation_insertion(text, doc.fmt, region, outcome.steps)
    else:
        kind = "hessian" if mode == "hessian" else outcome.kind
        label = function_label("", str(data.get("head") or ""), outcome.function)
        notation = notation_of(text, ls.ws.settings["gradientNotation"])
        line = f"{left_side(kind, label, outcome.wrt or wrt, notation, outcome.result)} = {outcome.result}"
        ins = result_insertion(text, doc.fmt, region, row, row + len(row_text), line)
        ls.ws.remember(Inserted(doc.path, line, outcome.verified, outcome.note))
    pos = ls.positions_of(doc.path, text)
    edit = types.TextEdit(range=pos.range(ins.offset, ins.offset), new_text=ins.text)
    action.edit = _workspace_edit(ls, doc, [edit])
    return action


def register(server: TexgradServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
            resolve_provider=True,
        ),
    )
    async def code_action(
        ls: TexgradServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        return await code_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: TexgradServer, params: types.CodeAction) -> types.CodeAction:
        return await resolve(ls, params)
