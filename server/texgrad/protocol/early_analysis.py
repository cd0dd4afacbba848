"""The first document an editor opens, analysed and published before pygls and lsprotocol
are loaded (issue 17: first diagnostics ≤ 0.4 s after opening the Matrix Cookbook;
importing pygls, lsprotocol and the features takes ~0.46 s of CPU, and the analysis
waited for it).  Option (a) of the plan in ``docs/internals/fronts.md`` ("First diagnostics
of a cold server").

Once ``initialize`` is answered and the :class:`~.early_diagnostics.Pump` reads the
client, :func:`analyse_first` waits at most :data:`WAIT_FOR_OPEN` seconds for the first
``didOpen`` (an editor started on a file sends it right after ``initialized``).  When
nothing kept from the last session was published for it, and the settings cannot differ
from what ``workspace/configuration`` will say, it builds the :class:`Workspace` the
server would (folders from ``workspaceFolders`` or ``rootUri``, the initialization
options' settings), reads the document's path and format as the server does
(:mod:`.paths`), analyses its text in a thread of its own under a
:class:`~.stopping.Job` (a stop request, the memory bound) for at most
:data:`EARLY_BUDGET` seconds of CPU time, and writes its diagnostics as the server would
publish them (:mod:`.plain_diagnostics`) through the pump's lock (:meth:`Pump.publish`:
never once the server is loaded, nor for a document changed or closed meanwhile).  The
workspace is then handed to the server (``EarlyStart.workspace``), whose own first
analysis of that text reuses what this one made (the checker's parsed and inferred rows)
and publishes the same list a moment later.

Settings: the analysis uses ``initialize``'s.  It runs only where the last session
started with the same parameters (``early_diagnostics.start_key``) found that
``workspace/configuration`` said the same (``DiagnosticsCache.configuration_agreed``,
noted by ``protocol/settings.py``) and no ``workspace/didChangeConfiguration`` has
given other settings (Neovim and eglot send one with their settings at once; one giving
none has the server ask ``workspace/configuration`` again, what the note is about): a client not announcing ``workspace.configuration`` is not enough (Neovim 0.7
answers it all the same, from its own ``settings``), and a setting given only there would
otherwise be guessed, a false alarm for a moment.

Stopped (past its budget or memory bound, a bug): nothing is published.  A stop at a
stop point leaves the workspace whole (the server goes on from what was parsed); one by
force, or a thread that does not end, leaves a ``fresh()`` workspace to the server.

Standard library, texgrad's analysis and :mod:`.paths`/:mod:`.plain_diagnostics` only:
``tests/test_cold_imports.py`` checks that it loads neither pygls nor lsprotocol.  Off
with the kept diagnostics (``TEXGRAD_KEEP_DIAGNOSTICS=off``, ``TEXGRAD_CACHE=off``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from .collection import collected_after, fewer_young_collections
from .framing import EarlyStart
from .stopping import Job, MemoryExceeded, Stopped

if TYPE_CHECKING:
    from texgrad.workspace import Analysis, Workspace

    from .early_diagnostics import Pump, Session

log = logging.getLogger("texgrad.lsp")

WAIT_FOR_OPEN = 0.05  # seconds the server's loading waits for the first didOpen
EARLY_BUDGET = 2.0  # seconds of CPU time (or the server's budget, if less)
WALL = 3.0  # times the budget on the wall clock, as a backstop (the server's ANALYSIS_WALL)
WATCH_EVERY = 0.02  # seconds between two looks at the analysis
# CPU seconds (of its thread) a stop request may take before the stop is forced, and wall
# seconds at most (on a loaded machine the wall clock runs on while it waits its turn)
GRACE = 0.5
GRACE_WALL = 5.0


def budget() -> float:
    """The early analysis's bound: the server's (``TEXGRAD_ANALYSIS_BUDGET``) if less
    than :data:`EARLY_BUDGET`."""
    try:
        given = float(os.environ.get("TEXGRAD_ANALYSIS_BUDGET", EARLY_BUDGET))
    except ValueError:
        return EARLY_BUDGET
    return min(given, EARLY_BUDGET) if given > 0 else EARLY_BUDGET


def analyse_first(early: EarlyStart, pump: Pump, session: Session) -> Workspace | None:
    """Analyse and publish the client's first opened document if it can be done safely
    (see the module's docstring); the workspace for the server, or None (nothing done)."""
    first = "the first document opened is analysed by the server"
    agreed = session.cache.configuration_agreed(session.start)
    if agreed:
        load_analysis()  # (while the client reads initialize's answer and opens a document)
    if not pump.first_seen.wait(WAIT_FOR_OPEN):
        early.said.append(f"{first}: none was opened within {WAIT_FOR_OPEN:g} s")
        return None
    doc = pump.first
    if doc is None or pump.first_kept or early.answered is None:
        return None  # (none: the stream ended; kept: published already)
    if pump.reconfigured:
        early.said.append(f"{first}: the client sent other settings")
        return None
    uri, text, version = doc.get("uri"), doc.get("text"), doc.get("version")
    language = doc.get("languageId")
    if not (isinstance(uri, str) and uri.startswith("file://") and isinstance(text, str)):
        return None
    if language is not None and not isinstance(language, str):
        return None
    if not agreed:
        early.said.append(
            f"{first}: the last session started alike did not find "
            "workspace/configuration's settings equal to initialize's"
        )
        return None
    import json

    from texgrad.workspace import Workspace

    from .paths import folder_path, format_of, path_of
    from .plain_diagnostics import diagnostics_json, file_uri

    params = json.loads(early.bodies[0])["params"]  # (read as LSP's: early_initialize)
    encoding = early.answered[1]["capabilities"]["positionEncoding"]
    ws = Workspace()  # (as protocol/settings.py's initialize sets up the server's)
    folders = [f["uri"] for f in params.get("workspaceFolders") or []]
    if not folders and params.get("rootUri"):
        folders = [params["rootUri"]]
    ws.folders = [p for p in map(folder_path, folders) if p]
    ws.configure(section(params.get("initializationOptions")))
    fmt = format_of(uri, language)
    path = path_of(uri, fmt)
    with collected_after():  # (no collection before the diagnostics are out)
        analysis, ws, why = bounded(ws, path, text, fmt, budget())
        if why is not None:
            early.said.append(f"the early analysis of {path} {why}")
        if analysis is None or analysis.note is not None or analysis.text != text:
            return ws  # (stopped, failed, or not analysed: the server says so itself)

        def uri_of(p: str) -> str:  # (as the server's: the open document's own URI)
            return uri if p == path else file_uri(p)

        found = diagnostics_json(analysis, encoding, uri_of)
        pump.publish(uri, found, version, kept=False)
    return ws


def load_analysis() -> None:
    """Import what the first analysis runs (the workspace, the shape checker, the parse
    cache, the diagnostics' JSON) before its ``didOpen`` has come: an editor sends it after
    reading ``initialize``'s answer and sending ``initialized``, and these imports, ~60 ms
    of CPU on an idle machine, are then done as it does, not after (the server loads them
    for its first analysis anyway).  Without the cyclic collector (as ``Workspace.checker``
    imports the checker: ``collector.py``)."""
    from texgrad.collector import uncollected

    with uncollected():
        from texgrad import workspace  # noqa: F401
        from texgrad.shapes import check  # noqa: F401
        from texgrad.syntax import parse_cache  # noqa: F401

        from . import paths, plain_diagnostics  # noqa: F401


def section(options: Any) -> dict[str, Any]:
    """Settings as clients send them: ``{"texgrad": {...}}`` or the section itself
    (``protocol/settings.py``'s ``_section``)."""
    if not isinstance(options, dict):
        return {}
    inner = options.get("texgrad")
    return inner if isinstance(inner, dict) else options


def bounded(
    ws: Workspace, path: str, text: str, fmt: Any, seconds: float
) -> tuple[Analysis | None, Workspace, str | None]:
    """``ws.analyse`` of the text in a thread of its own, stopped past ``seconds`` of its
    CPU time (or ``WALL`` times that on the wall clock): the analysis (None: stopped or
    failed), the workspace to go on with (``ws``, or a fresh one where the analysis may
    have left it half changed) and why there is no analysis."""
    # (collected as the server will: with Python's default, the young generation's ~120
    # collections while the Cookbook is analysed took ~35 ms of its ~0.43 s of CPU)
    fewer_young_collections()
    job: Job[Analysis] = Job(ws.analyse, path, text, {}, fmt, cooperative=True)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["analysis"] = job.run()
        except BaseException as exc:  # noqa: BLE001 - Stopped is one: the thread ends quietly
            box["error"] = exc

    thread = threading.Thread(target=work, name="texgrad-early-analysis", daemon=True)
    started = time.monotonic()
    thread.start()
    asked: tuple[float, float | None] | None = None  # (when, and its CPU time then)
    while True:
        thread.join(WATCH_EVERY)
        if not thread.is_alive():
            break
        now, cpu = time.monotonic(), job.cpu_seconds()
        if asked is None:
            over = cpu > seconds if cpu is not None else now - started > seconds
            if over or now - started > WALL * seconds:
                job.stop()  # (at its next stop point: what it parsed is whole)
                asked = (now, cpu)
        elif now - asked[0] > GRACE_WALL or (
            cpu is not None and asked[1] is not None and cpu - asked[1] > GRACE
        ):
            job.stop(force=True)
            thread.join(GRACE_WALL)
            break
    error = box.get("error")
    if thread.is_alive() or job.forced or isinstance(error, MemoryExceeded):
        return None, ws.fresh(), f"was stopped ({error or 'by force'}): the server starts afresh"
    if isinstance(error, Stopped):
        return None, ws, f"ran past {seconds:g} s: the server goes on from what it read"
    if error is not None:
        log.error("the early analysis of %s failed: %r", path, error)
        return None, ws.fresh(), f"failed ({error!r})"
    return box.get("analysis"), ws, None
