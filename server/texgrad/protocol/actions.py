"""Code actions: "Differentiate f w.r.t. x", "Hessian of f w.r.t. x", "Show derivation
of ∇ₓf" (a command: displayed, not written; :mod:`texgrad.protocol.derivation`), "Insert
derivation of ∇ₓf", "Copy ∇ₓf as NumPy" (to a client that runs the copy command; to another, in a
Markdown document, "Insert ∇ₓf as NumPy code", a fenced block after the math), and the
quick fixes of diagnostics (insert a transpose).

Differentiation runs when the actions are listed (in the differentiation pool, bounded
by a deadline) so that a title never claims a result is verified when it is not: an
unverified result says "(not verified)", an error is listed disabled with its reason to a
client that shows disabled actions (a row stating a function that offers nothing too), else
not offered (the titles and what
an action writes are :mod:`texgrad.calculus.actions`').  Edits are built in
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

from texgrad.calculus.actions import (
    Disabled,
    Offer,
    choice_title,
    derivation_title,
    disabled_offers,
    evaluate_title,
    evaluation,
    likely,
    numpy_copies,
    numpy_insertions,
    offers,
    others_title,
    writing,
)
from texgrad.calculus.requests import asked_at
from texgrad.calculus.steps import as_markdown, as_text
from texgrad.protocol.derivation import SHOW_COMMAND, display, show_action
from texgrad.protocol.diagnostics import to_lsp
from texgrad.protocol.server import RequestFailed, Snapshot, TexgradServer
from texgrad.protocol.stopping import Job, MemoryExceeded, Stopped
from texgrad.workspace import Inserted

if TYPE_CHECKING:
    from texgrad.calculus.api import DiffOutcome, DiffPlan

log = logging.getLogger("texgrad.lsp")

# The client's command that copies text (its arguments: the text and what it is, for the
# message once copied): offered only to clients that announce it (VS Code's texgrad client),
# never as a dead action to the others.
COPY_COMMAND = "texgrad.copyToClipboard"
LIST_DEADLINE = 2.0  # seconds a listing waits for results before titling them "not verified"

_cache: OrderedDict[tuple[Any, ...], asyncio.Future[DiffOutcome]] = OrderedDict()
# Who needs each differentiation: its job (to stop it), the requests waiting for it now,
# and whether a listing left it to finish in the background (for a resolve to come).
_jobs: dict[asyncio.Future[DiffOutcome], Job[DiffOutcome]] = {}
_waiters: dict[asyncio.Future[DiffOutcome], int] = {}
STOPPED = "texgrad stopped this differentiation: nothing waits for it any more"


def _outcome(
    ls: TexgradServer, snap: Snapshot, row: int, wrt: str, hessian: bool
) -> asyncio.Future[DiffOutcome]:
    """The differentiation at ``row``, started in the pool unless listing or resolving
    an action on the same text and settings already started it (a stoppable job:
    :func:`_stop`)."""
    s = ls.ws.settings
    key = (
        snap.path, hash(snap.text), ls.ws.generation, row, wrt, hessian,
        s["layout"], s["differentiation.timeBudget"],
    )  # fmt: skip
    assert snap.result is not None
    fut = _cache.get(key)
    if fut is None or fut.cancelled() or _stopped(fut):
        job: Job[DiffOutcome] = Job(ls.ws.differentiate, snap.result, row, wrt, hessian)
        fut = asyncio.get_running_loop().run_in_executor(ls.diff_pool, _run, job)
        _jobs[fut] = job
        fut.add_done_callback(_forget_job)
        _cache[key] = fut
        while len(_cache) > 128:
            evicted = _cache.popitem(last=False)[1]
            if not _waiters.get(evicted):
                _stop(evicted)
    _cache.move_to_end(key)
    return fut


def _run(job: Job[DiffOutcome]) -> DiffOutcome:
    """A differentiation job, in the pool's thread: stopped, an error outcome."""
    from texgrad.calculus.api import DiffOutcome  # (downward; imported by now)

    try:
        return job.run()
    except MemoryExceeded as exc:
        return DiffOutcome(error=f"texgrad stopped this differentiation: {exc}")
    except Stopped:
        return DiffOutcome(error=STOPPED)


def _forget_job(fut: asyncio.Future[DiffOutcome]) -> None:
    _jobs.pop(fut, None)
    _waiters.pop(fut, None)


def _stopped(fut: asyncio.Future[DiffOutcome]) -> bool:
    job = _jobs.get(fut)
    return job is not None and job.state in ("stopping", "done") and not fut.done()


def _stop(fut: asyncio.Future[DiffOutcome]) -> None:
    """Free the worker a differentiation holds (nothing waits for it any more)."""
    job = _jobs.get(fut)
    if job is None or fut.done():
        return
    if job.stop():
        log.info("stopped a differentiation nobody waits for")
    for key in [k for k, f in _cache.items() if f is fut]:
        del _cache[key]


def _stop_background(keep: list[asyncio.Future[DiffOutcome]]) -> None:
    """A new listing: the differentiations an earlier one left running that no request
    waits for are stopped (the cursor moved on), except those this listing reuses."""
    for fut in list(_jobs):
        if fut not in keep and not fut.done() and not _waiters.get(fut):
            _stop(fut)


async def _wait(futs: list[asyncio.Future[DiffOutcome]], timeout: float | None) -> None:
    """Wait for differentiations (at most ``timeout``); cancelled, the ones no other
    request waits for are stopped, their workers freed."""
    for fut in futs:
        _waiters[fut] = _waiters.get(fut, 0) + 1
    try:
        await asyncio.wait([asyncio.shield(f) for f in futs], timeout=timeout)
    except asyncio.CancelledError:
        for fut in futs:
            if _waiters.get(fut, 0) <= 1:
                _stop(fut)
        raise
    finally:
        for fut in futs:
            if fut in _waiters:
                _waiters[fut] -= 1


async def _result(fut: asyncio.Future[DiffOutcome]) -> DiffOutcome:
    """One differentiation's outcome, awaited by a request (stopped if it is cancelled
    and nothing else waits for it)."""
    await _wait([fut], None)
    return fut.result()


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
            # (imported here, downward: the engine's import is what is warmed up)
            from texgrad.calculus.api import warm_up

            warm_up()
        except Exception:  # only a warm-up: logged, never fatal
            log.exception("warming up the differentiation engine failed")
        # numpy's, scipy's and the engine's modules live as long as the server: out of
        # automatic garbage collection, which would otherwise walk them all at a keystroke
        gc.freeze()

    if getattr(ls, "engine_warmed", None) is not None:
        return  # (started already: by the first listing, or after the first analyses)
    futs = [ls.diff_pool.submit(run) for _ in range(workers)]
    query = getattr(ls, "query_pool", None)  # (its one thread: no barrier needed)
    if query is not None:
        futs.append(query.submit(_warm_one))
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # (no event loop: called from a thread, as in a test)
        return
    ls.engine_warmed = asyncio.gather(
        *(asyncio.wrap_future(f, loop=loop) for f in futs), return_exceptions=True
    )


async def _warmed(ls: TexgradServer) -> None:
    """The engine warmed up (the server starts that once the first analyses are done, a
    listing before if it comes first): a listing's deadline counts from then, not from the
    engine's import and first uses, which its differentiations wait behind in the pool."""
    if ls.engine_warmed is not None and not ls.engine_warmed.done():
        await asyncio.wait([asyncio.shield(ls.engine_warmed)], timeout=30)


def _warm_one() -> None:
    try:
        from texgrad.calculus.api import warm_up

        warm_up()
    except Exception:  # only a warm-up
        log.exception("warming up the engine's query thread failed")


def _workspace_edit(ls: TexgradServer, snap: Snapshot, edit: types.TextEdit) -> types.WorkspaceEdit:
    if ls.client.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=snap.uri, version=snap.version
                    ),
                    edits=[edit],
                )
            ]
        )
    return types.WorkspaceEdit(changes={snap.uri: [edit]})


def _quick_fixes(ls: TexgradServer, snap: Snapshot, start: int, end: int) -> list[types.CodeAction]:
    result = snap.result
    assert result is not None
    texts = {**result.table.texts, result.path: snap.text}
    out = []
    for d in [*result.diagnostics, *snap.analysis.findings]:
        if not d.fixes or d.start > end or d.end < start:
            continue
        lsp_d = to_lsp(ls, d, texts)
        for fix in d.fixes:
            if fix.path != result.path:
                continue
            edit = types.TextEdit(range=snap.range(fix.start, fix.end), new_text=fix.text)
            out.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_d],
                    is_preferred=True,
                    edit=_workspace_edit(ls, snap, edit),
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
    snap = await ls.snapshot(params.text_document.uri)
    if snap is None or snap.result is None:
        return None
    start, end = snap.offset(params.range.start), snap.offset(params.range.end)
    only = params.context.only if params.context else None
    actions: list[types.CodeAction] = []
    if _wants(only, "quickfix"):
        actions.extend(_quick_fixes(ls, snap, start, end))
    if _wants(only, "refactor.rewrite"):
        actions.extend(await _evaluations(ls, snap, start, end))
        actions.extend(await _differentiations(ls, snap, start, end))
    return _once(actions)


def _once(actions: list[types.CodeAction]) -> list[types.CodeAction]:
    """The actions with each disabled one once (a request refused before differentiating
    and again after it)."""
    seen: set[str] = set()
    out = []
    for action in actions:
        if action.disabled is not None:
            if action.title in seen:
                continue
            seen.add(action.title)
        out.append(action)
    return out


async def _differentiations(
    ls: TexgradServer, snap: Snapshot, start: int, end: int
) -> list[types.CodeAction]:
    """The differentiations of the row at ``start`` (else ``end``), differentiated now:
    for a client resolving edits within the deadline, else fully and with their edits."""
    plans: list[DiffPlan] = await ls.run_in(ls.query_pool, ls.ws.plans, snap.result, start)
    if not plans and end != start:
        plans = await ls.run_in(ls.query_pool, ls.ws.plans, snap.result, end)
    if not plans:
        return await _refused(ls, snap, start)
    warm_up(ls)  # (if the server has not yet: before these differentiations, in the pool)
    plans, rest = likely(plans, snap.text, start, end)  # the rest: one grouped entry
    jobs = [
        (plan, mode, _outcome(ls, snap, plan.row_start, plan.wrt, mode == "hessian"))
        for plan in plans
        for mode in (("result", "hessian") if plan.hessian_available else ("result",))
    ]
    if not jobs:
        return []
    lazy = ls.client.resolves_edits
    futs = [fut for _, _, fut in jobs]
    _stop_background(futs)
    # a client resolving edits gets the list after LIST_DEADLINE at most (what is not
    # ready is titled "not verified", and computed on in the background for its
    # resolve); one wanting the edits in the list waits for them (each bounded by the
    # time budget), and stops them if it is cancelled
    if lazy:
        await _warmed(ls)
    await _wait(futs, LIST_DEADLINE if lazy else None)
    done = [(plan, mode, _done(fut)) for plan, mode, fut in jobs]
    assert snap.result is not None
    offered = offers(snap.result, done)
    # "Show derivation" is a command (nothing to resolve); the others are edits
    actions = [show_action(ls, snap, o) if o.mode == "show" else _action(snap, o) for o in offered]
    if rest:  # after the results offered at once
        results = sum(1 for o in offered if o.mode in ("result", "hessian"))
        actions.insert(results, _others(snap, rest))
    copies = _copies(ls, snap, done)
    if COPY_COMMAND not in ls.client.commands:  # Markdown: the code as a block instead
        actions += [_action(snap, offer) for offer in numpy_insertions(snap.result, done)]
    disabled = _disabled(ls, disabled_offers(snap.result, done))
    if lazy:
        return actions + copies + disabled
    for action in actions:
        if action.command is not None:
            continue
        try:
            await resolve(ls, action)
        except RequestFailed:
            pass  # not offered
    return [a for a in actions if a.edit is not None or a.command is not None] + copies + disabled


async def _refused(ls: TexgradServer, snap: Snapshot, offset: int) -> list[types.CodeAction]:
    """A row that states a function but offers nothing to differentiate: the action,
    disabled with its reason, to a client that lists disabled actions (the others are
    told in the hover of the function)."""
    if not ls.client.disabled_actions:
        return []
    assert snap.result is not None
    refusal = await ls.run_in(ls.query_pool, ls.ws.refusal, snap.result, offset)
    if refusal is None:
        return []
    return _disabled(ls, disabled_offers(snap.result, [], refusal))


def _disabled(ls: TexgradServer, found: list[Disabled]) -> list[types.CodeAction]:
    """Disabled actions with their reasons, to a client that lists them (else none)."""
    if not ls.client.disabled_actions:
        return []
    return [
        types.CodeAction(
            title=d.title,
            kind=types.CodeActionKind.RefactorRewrite,
            disabled=types.CodeActionDisabled(reason=d.reason),
        )
        for d in found
    ]


async def _evaluations(
    ls: TexgradServer, snap: Snapshot, start: int, end: int
) -> list[types.CodeAction]:
    """ "Evaluate ∂ tr(AB)/∂A" on a row holding a derivative written to be computed (alone,
    or before an empty ``=``): it appends the result, verified first."""
    assert snap.result is not None
    asked = asked_at(snap.result, start) or (asked_at(snap.result, end) if end != start else None)
    if asked is None:
        return []
    warm_up(ls)  # (if the server has not yet: before this differentiation, in the pool)
    fut = _outcome(ls, snap, asked.row_start, asked.wrt, False)
    lazy = ls.client.resolves_edits
    if lazy:
        await _warmed(ls)
    await _wait([fut], LIST_DEADLINE if lazy else None)
    outcome = _done(fut)
    title = evaluate_title(asked, outcome)
    if title is None:  # the engine could not: the action, disabled with why (never nothing)
        why = outcome.error if outcome is not None else None
        return _disabled(ls, [Disabled(f"Evaluate {asked.title}", why)] if why else [])
    row_text = snap.text[asked.row_start : asked.row_end]
    action = _action(snap, Offer(title, "evaluate", asked.wrt, asked.row_start, row_text, ""))
    if lazy:
        return [action]
    try:
        return [await resolve(ls, action)]
    except RequestFailed:
        return []  # not offered


OTHERS_COMMAND = "texgrad.differentiateOther"


def _others(snap: Snapshot, rest: list[DiffPlan]) -> types.CodeAction:
    """ "Differentiate f w.r.t. another symbol… (y, X)": the variables not offered at once,
    asked for when taken (:func:`texgrad.calculus.actions.likely` says why)."""
    assert snap.result is not None
    title = others_title(snap.result, rest)
    plan = rest[0]
    data = {
        "uri": snap.uri, "version": snap.version, "row": plan.row_start,
        "rowText": snap.text[plan.row_start : plan.row_end], "head": plan.function,
        "choices": [[p.wrt, choice_title(p)] for p in rest], "title": title,
    }  # fmt: skip
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.RefactorRewrite,
        command=types.Command(title=title, command=OTHERS_COMMAND, arguments=[data]),
    )


async def differentiate_other(ls: TexgradServer, data: Any) -> bool:
    """``texgrad.differentiateOther``: asks which variable (``window/showMessageRequest``),
    differentiates and inserts the result (``workspace/applyEdit``); False if none was
    chosen or nothing was inserted (an error is said in a message)."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise RequestFailed("texgrad: which symbols to choose from was not given")
    choices = {str(title): str(wrt) for wrt, title in data["choices"]}
    label = str(data.get("title") or "").removeprefix("Differentiate ").split(" w.r.t. ")[0]
    item = await ls.window_show_message_request_async(
        types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message=f"texgrad: differentiate {label} with respect to",
            actions=[types.MessageActionItem(title=t) for t in choices],
        )
    )
    if item is None or item.title not in choices:
        return False
    wrt = choices[item.title]
    snap, offer = await _offered(ls, item.title, {**data, "wrt": wrt, "mode": "result"})
    outcome = await _result(_outcome(ls, snap, offer.row_start, wrt, False))
    if outcome.error is not None:
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Error, message=f"texgrad: {outcome.error}"
            )
        )
        return False
    edit = _insertion(ls, snap, offer, outcome)
    applied = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=_workspace_edit(ls, snap, edit), label=item.title)
    )
    if not outcome.verified:  # inserted as asked, and said plainly
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=f"texgrad: NOT verified: {outcome.note}",
            )
        )
    return bool(applied is not None and applied.applied)


def _copies(
    ls: TexgradServer, snap: Snapshot, done: list[tuple[DiffPlan, str, DiffOutcome | None]]
) -> list[types.CodeAction]:
    """ "Copy ∇ₓf as NumPy" for the verified results ready now, to a client that copies."""
    if COPY_COMMAND not in ls.client.commands:
        return []
    assert snap.result is not None
    return [
        types.CodeAction(
            title=copy.title,
            kind=types.CodeActionKind.RefactorRewrite,
            command=types.Command(
                title=copy.title,
                command=COPY_COMMAND,
                arguments=[copy.code, f"{copy.what} as NumPy"],
            ),
        )
        for copy in numpy_copies(snap.result, done)
    ]


def _done(fut: asyncio.Future[DiffOutcome]) -> DiffOutcome | None:
    if not fut.done() or fut.cancelled():
        return None
    outcome = fut.result()
    return None if outcome.error == STOPPED else outcome


def _action(snap: Snapshot, offer: Offer) -> types.CodeAction:
    """An offer as a code action, its edit left to resolve (``data`` says what to do)."""
    data = {
        "texgrad": "differentiate", "uri": snap.uri, "version": snap.version,
        "row": offer.row_start, "rowText": offer.row_text, "wrt": offer.wrt,
        "mode": offer.mode, "head": offer.head,
    }  # fmt: skip
    return types.CodeAction(title=offer.title, kind=types.CodeActionKind.RefactorRewrite, data=data)


async def resolve(ls: TexgradServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data
    if (
        action.edit is not None
        or not isinstance(data, dict)
        or data.get("texgrad") != "differentiate"
    ):
        return action
    snap, offer = await _offered(ls, action.title, data)
    hessian = offer.mode in ("hessian", "numpy-hessian")
    outcome = await _result(_outcome(ls, snap, offer.row_start, offer.wrt, hessian))
    if outcome.error is not None:
        raise RequestFailed(f"texgrad: {outcome.error}")
    code = outcome.matrix_numpy if offer.mode == "numpy-matrix-form" else outcome.numpy
    if offer.mode.startswith("numpy") and not (code and outcome.verified):
        raise RequestFailed(f"texgrad: no verified NumPy code for this: {outcome.numpy_note}")
    if offer.mode == "matrix-form" and not (outcome.matrix_form and outcome.verified):
        raise RequestFailed("texgrad: no verified matrix form for this")
    action.edit = _workspace_edit(ls, snap, _insertion(ls, snap, offer, outcome))
    return action


def _insertion(
    ls: TexgradServer, snap: Snapshot, offer: Offer, outcome: DiffOutcome
) -> types.TextEdit:
    """The edit that inserts a verified outcome after its row, in the document's notation
    (a derivative request: its value); the equation it writes is remembered as inserted."""
    assert snap.result is not None
    notation = ls.ws.settings["gradientNotation"]
    if offer.mode == "evaluate":  # a derivative request: its value after it
        written = evaluation(snap.result, offer.row_start, outcome)
    else:
        written = writing(offer, outcome, snap.result, snap.fmt, notation)
    if written is None:
        raise RequestFailed("texgrad: no math there any more")
    if written.equation is not None:
        ls.ws.remember(Inserted(snap.path, written.equation, outcome.verified, outcome.note))
    at = written.insertion.offset
    return types.TextEdit(range=snap.range(at, at), new_text=written.insertion.text)


async def show_derivation(ls: TexgradServer, data: Any, options: Any = None) -> dict[str, Any]:
    """``texgrad.showDerivation``: the derivation an action's ``data`` describes, as Markdown
    and as plain text, displayed (unless ``options`` says ``{"display": false}``: a client
    that displays it itself)."""
    if not isinstance(data, dict):
        raise RequestFailed("texgrad: which derivation to show was not given")
    snap, offer = await _offered(ls, str(data.get("title") or ""), data)
    outcome = await _result(_outcome(ls, snap, offer.row_start, offer.wrt, False))
    if outcome.error is not None:
        raise RequestFailed(f"texgrad: {outcome.error}")
    title = derivation_title(offer, outcome)
    status = (
        f"Verified by texgrad: {outcome.note}." if outcome.verified
        else f"NOT verified by texgrad: {outcome.note}."
    )  # fmt: skip
    preamble = await ls.run_in(
        ls.query_pool, ls.ws.macro_definitions, snap.path, snap.fmt, ls.buffers(),
        "\n".join(outcome.steps),
    )  # fmt: skip
    shown: dict[str, Any] = {
        "title": title,
        "markdown": as_markdown(title, outcome.steps, status, preamble),
        "text": as_text(title, outcome.steps, status),
        "verified": outcome.verified,
    }
    if not (isinstance(options, dict) and options.get("display") is False):
        await display(ls, shown, snap.uri)
    return shown


async def _offered(ls: TexgradServer, title: str, data: dict[str, Any]) -> tuple[Snapshot, Offer]:
    """The document an action was offered on, as it is now, and the offer its ``data``
    describes; an error when the document is closed or its row is not as it was."""
    uri = str(data.get("uri"))
    if uri not in ls.docs:
        raise RequestFailed("texgrad: the document is not open any more")
    snap = await ls.snapshot(uri)
    row, row_text = data.get("row"), data.get("rowText")
    if (
        snap is None
        or snap.result is None
        or not isinstance(row, int)
        or not isinstance(row_text, str)
        or snap.text[row : row + len(row_text)] != row_text
    ):
        raise RequestFailed("texgrad: the document changed since this action was offered")
    mode, wrt, head = str(data.get("mode")), str(data.get("wrt")), str(data.get("head") or "")
    return snap, Offer(title, mode, wrt, row, row_text, head)


def register(server: TexgradServer) -> None:
    server.on_initialized(lambda: warm_up(server))

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

    @server.command(OTHERS_COMMAND)
    async def other(ls: TexgradServer, *args: Any) -> bool:
        return await differentiate_other(ls, *args[:1])

    @server.command(SHOW_COMMAND)
    async def show(ls: TexgradServer, *args: Any) -> dict[str, Any]:
        return await show_derivation(ls, *args[:2])

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: TexgradServer, params: types.CodeAction) -> types.CodeAction:
        return await resolve(ls, params)
