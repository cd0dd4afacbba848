"""Language server figures: `texgrad lsp` driven by a real LSP client (pygls) over stdio.

Prints, each with its target (issue 17): start to initialized; first diagnostics of the
Matrix Cookbook after opening it in a cold server (a first session: nothing analysed before
pygls is loaded — ``TEXGRAD_KEEP_DIAGNOSTICS=off``; and in a second session, analysed before
pygls is loaded, as ``benchmarks/cold.py``'s server row measures it — ``analyse``; the two
figures differ by pygls's and lsprotocol's import, ~0.4 s of CPU; with a second document
opened beside it: the work done twice when an analysis moves to a fresh thread shows in the
CPU time; and reopened in a new session, when the diagnostics the last one kept are published
before the server has loaded);
didChange → publishDiagnostics on the Cookbook (3,398 lines; the server runs with no
debounce, so the figure is the analysis alone), for a one-line edit (a blank at the end of
a line), for a letter typed in math and for one typed in prose; hover; differentiate (codeAction listing +
codeAction/resolve, on a freshly edited document so nothing is cached); resident memory
(VmRSS of /proc) with every corpus file open.

The warm rows (edits, hover, memory) are timed only once the server is idle after the
Cookbook's first diagnostics: its warm-up (the engine's import and first differentiation on
every pool thread, the derivative check half a second after an analysis, the idle
collection two seconds after it) would otherwise overlap the first edits and inflate their
p95.  Idle means the engine loaded (numpy mapped), no publication, no thread started or
ended, and less than 2% of a core of server CPU time over the last 3 s (longer than the server's ``IDLE_COLLECT``, 2 s: a shorter wait ended just before the
idle collection, ~0.1 s of the event loop's time, which then landed on the first edit),
waited for at most 30 s (``settle``; how long it took is printed); hovers are timed
after the same wait following the edits, and memory read after it.

Beside each wall-clock figure is the server's CPU time (user + system of all its threads,
from /proc/PID/task/*/schedstat) over the same span: on a loaded machine the wall clock
measures the neighbours too.  ``--against DIR`` runs a second server from another
checkout (with its ``.venv``, else ``DIR/server`` first on the PYTHONPATH; e.g.
``/work/main``) in the same run,
alternating section by section, and prints both.

    .venv/bin/python benchmarks/lsp.py [--corpus ../shared/corpus] [--repeat 30]
        [--against /work/main] [--only cold,edit,hover,diff,memory]

Python's bytecode is written and read as after an install (pip compiles it), as in
``benchmarks/cold.py``: in a cache folder of the run's own (``PYTHONPYCACHEPREFIX``), filled
before measuring by one uncounted process per checkout that imports every texgrad module,
even where ``PYTHONDONTWRITEBYTECODE`` is set (as in this repository's sandbox, where every
server start would otherwise compile texgrad's ~180 modules again: ~10 MB more resident memory
and its CPU time in each cold row); ``--source`` measures that instead.

The corpus is read where it is (never copied); without it the script says so and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = "matrix-cookbook-md/main.md"
# issue 17's targets (ms, MB); differentiate has none there (the figure of issue 12)
TARGETS = {"edit": 10, "hover": 5, "diff": 300, "start": 500, "first": 400, "memory": 150}

SMALL = r"""Notes, café 😀. Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$, $x \in \mathbb{R}^n$
and $\lambda \in \mathbb{R}$.

$$
f(x) = \frac{1}{2}\|A x - b\|_2^2 + \frac{\lambda}{2} x^\top x
$$
"""


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("texgrad-benchmark", "1")
        self.published: dict[str, types.PublishDiagnosticsParams] = {}
        self.events: dict[str, asyncio.Event] = {}
        self.publications = 0  # (how many were received: see settle)

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
            self.publications += 1
            self.events.setdefault(params.uri, asyncio.Event()).set()

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def log_message(params: types.LogMessageParams) -> None:
            pass

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [None for _ in params.items]

    async def diagnostics(self, uri: str, version: int | None, timeout: float = 120) -> None:
        async def wait() -> None:
            while True:
                got = self.published.get(uri)
                if got is not None and (version is None or (got.version or 0) >= version):
                    return
                ev = self.events.setdefault(uri, asyncio.Event())
                ev.clear()
                await ev.wait()

        await asyncio.wait_for(wait(), timeout)


async def settle(client: Client, pid: int, quiet: float = 3.0, bound: float = 30.0) -> float:
    """Wait until the server is idle: the engine loaded, no publication, no thread started or
    ended and under 2% of a core of CPU time over the last ``quiet`` seconds (at most
    ``bound`` seconds).
    Returns the wait in s.  (On a loaded machine the thread importing the engine after the
    first analysis took 13 s of wall clock at little CPU, the warm-up waiting behind its
    import lock, and both then landed on the first edits.)"""
    t0 = time.perf_counter()
    step = 0.25
    # (wall, cpu ms, publications seen, the threads: the one loading the engine ends)
    samples: list[tuple[float, float, int, frozenset[str]]] = []
    while time.perf_counter() - t0 < bound:
        tasks = frozenset(t.name for t in Path(f"/proc/{pid}/task").iterdir())
        samples.append((time.perf_counter(), cpu_ms(pid), client.publications, tasks))
        old = [s for s in samples if samples[-1][0] - s[0] >= quiet]
        if old:
            w0, c0, n0, k0 = old[-1]
            w1, c1, n1, k1 = samples[-1]
            if n1 == n0 and k1 == k0 and (c1 - c0) < 0.02 * (w1 - w0) * 1000 and _engine(pid):
                break
        await asyncio.sleep(step)
    return time.perf_counter() - t0


def _engine(pid: int) -> bool:
    """Has the server loaded the differentiation engine (numpy's core is mapped)?"""
    try:
        return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return True


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER TARGET"


def line(name: str, xs: list[float], target: float, cpu: list[float] | None = None) -> None:
    p50, p95 = pct(xs, 50), pct(xs, 95)
    busy = f"   cpu p50 {pct(cpu, 50):6.1f} p95 {pct(cpu, 95):6.1f}" if cpu else ""
    print(
        f"{name:<46} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms{busy}   "
        f"(target p95 ≤ {target} ms: {verdict(p95, target)})"
    )


def one(
    name: str, ms: float, target: float | None, cpu: float | None = None, unit: str = "ms"
) -> None:
    busy = f"   cpu {cpu:7.1f} ms" if cpu is not None else ""
    goal = f"   (target ≤ {target} {unit}: {verdict(ms, target)})" if target is not None else ""
    print(f"{name:<46} {ms:7.1f} {unit}{busy}{goal}")


def rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return float("nan")


def cpu_ms(pid: int) -> float:
    """CPU time of the process's live threads (ns precision; /proc/PID/stat counts ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # (a thread that ended meanwhile)
    return total / 1e6


def thread_cpu_ns(pid: int) -> dict[int, int]:
    """CPU time (ns) of each live thread of the process, by thread id."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out[int(task.name)] = int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # (a thread that ended meanwhile)
    return out


class Window:
    """The server's CPU time in one measured window (ms): the whole process's (its live
    threads'), and each thread's, to be split afterwards into the analysis thread's, the
    event loop's (the main thread: reading the notification, converting and writing the
    publication) and the rest's (:func:`split`)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = thread_cpu_ns(pid)
        self.threads: dict[int, float] = {}

    def end(self) -> float:
        after = thread_cpu_ns(self.pid)
        self.threads = {tid: (ns - self.before.get(tid, 0)) / 1e6 for tid, ns in after.items()}
        return sum(self.threads.values())


def split(pid: int, windows: list[Window]) -> dict[str, list[float]]:
    """Each window's CPU time split by thread: ``analysis`` (the thread, other than the
    main one, that used the most CPU over all the windows: the analysis pool's one worker,
    as no other thread works on an edit), ``main`` (the event loop) and ``other``."""
    total: dict[int, float] = {}
    for w in windows:
        for tid, ms in w.threads.items():
            total[tid] = total.get(tid, 0.0) + ms
    rest = {tid: ms for tid, ms in total.items() if tid != pid}
    worker = max(rest, key=rest.__getitem__) if rest else -1
    out: dict[str, list[float]] = {"analysis": [], "main": [], "other": []}
    for w in windows:
        a, m = w.threads.get(worker, 0.0), w.threads.get(pid, 0.0)
        out["analysis"].append(a)
        out["main"].append(m)
        out["other"].append(sum(w.threads.values()) - a - m)
    return out


def process_cpu_ms(pid: int) -> float:
    """CPU time of the whole process, threads that ended included (10 ms ticks): for the
    cold figures, where an analysis moved to a fresh thread leaves one behind."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class Server:
    """How to start one server: this checkout's, or another's (``--against``)."""

    def __init__(self, label: str, repo: Path | None) -> None:
        self.label = label
        self.repo = repo

    @property
    def python(self) -> str:
        """The checkout's own venv (its editable install: its grammar, its build), else
        this interpreter with the checkout's sources first on the path."""
        own = self.repo / ".venv" / "bin" / "python" if self.repo is not None else None
        return str(own) if own is not None and own.is_file() else sys.executable

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "TEXGRAD_LSP_DEBOUNCE": "0", **extra}
        if self.repo is not None and self.python == sys.executable:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(self.repo / "server"), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
        return env


async def start(folder: Path, server: Server, **env: str) -> tuple[Client, float]:
    client = Client()
    t0 = time.perf_counter()
    await client.start_io(server.python, "-m", "texgrad", "lsp", env=server.env(**env))
    client.stderr_lines = []  # type: ignore[attr-defined]

    async def drain() -> None:  # (a full stderr pipe would block the server)
        proc = client._server  # type: ignore[attr-defined]
        while proc is not None and proc.stderr is not None:
            row = await proc.stderr.readline()
            if not row:
                return
            client.stderr_lines.append(row.decode("utf-8", "replace"))  # type: ignore[attr-defined]

    client.drain = asyncio.ensure_future(drain())  # type: ignore[attr-defined]
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(
                    position_encodings=[types.PositionEncodingKind.Utf16]
                ),
                text_document=types.TextDocumentClientCapabilities(
                    code_action=types.CodeActionClientCapabilities(
                        resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
                        data_support=True,
                    ),
                ),
            ),
            workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name="corpus")],
        )
    )
    client.initialized(types.InitializedParams())
    return client, (time.perf_counter() - t0) * 1000


def pid_of(client: Client) -> int:
    return client._server.pid if client._server else 0  # type: ignore[attr-defined]


async def stop(client: Client) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def open_doc(client: Client, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="markdown" if path.suffix == ".md" else "latex",
                version=1,
                text=text
                if text is not None
                else path.read_text(encoding="utf-8", errors="replace"),
            )
        )
    )
    return uri


def change(client: Client, uri: str, version: int, line_no: int, col: int, new: str) -> None:
    pos = types.Position(line=line_no, character=col)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=pos, end=pos), text=new
                )
            ],
        )
    )


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix in (".md", ".tex", ".markdown") and p != corpus / COOKBOOK
    )


async def cold(corpus: Path, server: Server, label: str) -> None:
    """A fresh server: start, then the Cookbook opened alone; then (another fresh server)
    with a second document opened right after it."""
    cookbook = corpus / COOKBOOK
    client, started = await start(corpus, server, TEXGRAD_KEEP_DIAGNOSTICS="off")
    one(f"start to initialized{label}", started, TARGETS["start"])
    pid = pid_of(client)
    c0, t0 = process_cpu_ms(pid), time.perf_counter()
    uri = open_doc(client, cookbook)
    await client.diagnostics(uri, 1)
    one(
        f"first diagnostics, cookbook opened{label}",
        (time.perf_counter() - t0) * 1000,
        TARGETS["first"],
        process_cpu_ms(pid) - c0,
    )
    await stop(client)
    await analysed_early(corpus, server, label)

    # two documents opened together: the second must not wait behind the first, and the
    # first's work must not be thrown away (a fresh lane) and done again
    second = corpus / "d2l-en" / "linear-algebra.md"
    if not second.is_file():
        second = corpus_files(corpus)[0]
    client, _ = await start(corpus, server, TEXGRAD_LOG="INFO", TEXGRAD_KEEP_DIAGNOSTICS="off")
    pid = pid_of(client)
    c0, t0 = process_cpu_ms(pid), time.perf_counter()
    uri = open_doc(client, cookbook)
    uri2 = open_doc(client, second)
    await client.diagnostics(uri2, 1)
    t_second = (time.perf_counter() - t0) * 1000
    await client.diagnostics(uri, 1)
    t_first = (time.perf_counter() - t0) * 1000
    busy = process_cpu_ms(pid) - c0
    await stop(client)
    await asyncio.sleep(0.1)
    moved = sum("fresh thread" in row for row in client.stderr_lines)  # type: ignore[attr-defined]
    one(f"  … with {second.name} opened beside it{label}", t_first, TARGETS["first"], busy)
    one(f"  … {second.name}'s first diagnostics{label}", t_second, None)
    print(f"{'  … analyses moved to a fresh thread' + label:<46} {moved}")

    # reopened in a new session: what the last one kept is published before the server has
    # loaded (protocol/early_diagnostics.py), then the analysis's own
    client, _ = await start(corpus, server)
    uri = open_doc(client, cookbook)
    await client.diagnostics(uri, 1)
    await asyncio.sleep(3.0)  # (kept once it stays as analysed for 2 s)
    await stop(client)
    wall, busy = await first_in_new_session(corpus, server, cookbook)
    one(f"  … reopened in a new session{label}", wall, TARGETS["first"], busy)


async def first_in_new_session(
    corpus: Path, server: Server, path: Path, **env: str
) -> tuple[float, float]:
    """A new server session opening ``path``: wall and server CPU (ms) to its first
    diagnostics."""
    client, _ = await start(corpus, server, **env)
    pid = pid_of(client)
    c0, t0 = process_cpu_ms(pid), time.perf_counter()
    await client.diagnostics(open_doc(client, path), 1)
    wall, busy = (time.perf_counter() - t0) * 1000, process_cpu_ms(pid) - c0
    await stop(client)
    return wall, busy


async def analysed_early(corpus: Path, server: Server, label: str) -> None:
    """The Cookbook's first diagnostics in a session after one that noted its settings
    agreed with ``initialize``'s: analysed before pygls is loaded
    (``protocol/early_analysis.py``), as ``benchmarks/cold.py``'s server row measures it.
    ``TEXGRAD_KEEP_DIAGNOSTICS=analyse``: nothing kept is published, so the figure is the
    analysis, not a copy.  The row above (``off``) is what a first session ever waits: the
    server loads pygls and lsprotocol (~0.35 s of CPU) before it analyses."""
    cookbook = corpus / COOKBOOK
    with tempfile.TemporaryDirectory(prefix="texgrad-lsp-early-") as folder:
        env = {"TEXGRAD_KEEP_DIAGNOSTICS": "analyse", "TEXGRAD_CACHE_DIR": folder}
        client, _ = await start(corpus, server, **env)  # (notes that the settings agree)
        await client.diagnostics(open_doc(client, cookbook), 1)
        await stop(client)
        wall, busy = await first_in_new_session(corpus, server, cookbook, **env)
    one(f"  … analysed early (a second session){label}", wall, TARGETS["first"], busy)


async def warm(corpus: Path, server: Server, label: str, repeat: int, sections: set[str]) -> None:
    # (the diagnostics a last session kept would answer the waits for a first analysis)
    client, _ = await start(corpus, server, TEXGRAD_KEEP_DIAGNOSTICS="off")
    pid = pid_of(client)
    base_mb = rss_mb(pid)
    cookbook = corpus / COOKBOOK
    text = cookbook.read_text(encoding="utf-8")
    lines = text.split("\n")
    uri = open_doc(client, cookbook, text)
    await client.diagnostics(uri, 1)
    # (the engine's warm-up, the derivative check and the idle collection run now)
    waited = await settle(client, pid)
    print(f"{'  (server idle after the first diagnostics' + label + ')':<46} {waited:7.1f} s")
    if "edit" in sections:
        await edits(client, uri, lines, repeat, label)
    if "hover" in sections:
        if "edit" in sections:  # (the last edit's derivative check, the idle collection)
            await settle(client, pid)
        hovers, busy = [], []
        spots = [i for i, ln in enumerate(lines) if "\\mathbf{A}" in ln][: repeat * 2]
        for i in spots:
            col = lines[i].index("\\mathbf{A}") + 8
            c, t = cpu_ms(pid), time.perf_counter()
            await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=i, character=col),
                )
            )
            hovers.append((time.perf_counter() - t) * 1000)
            busy.append(cpu_ms(pid) - c)
        line(f"hover (cookbook){label}", hovers, TARGETS["hover"], busy)
    if "diff" in sections:
        await differentiate(client, "\n".join(lines), repeat, label)
    if "memory" in sections:
        one_mb = rss_mb(pid)
        files = corpus_files(corpus)
        uris = [open_doc(client, p) for p in files]
        for u in uris:
            await client.diagnostics(u, 1, timeout=300)
        await asyncio.sleep(3.0)  # (derivative checks, the idle collection)
        await settle(client, pid)
        mem = rss_mb(pid)
        one(f"resident memory, started{label}", base_mb, None, unit="MB")
        one(f"  … with the cookbook open{label}", one_mb, None, unit="MB")
        n = len(files) + 1
        one(f"  … with all {n} corpus files open{label}", mem, TARGETS["memory"], unit="MB")
    await stop(client)


# Each round's figures of the edit rows, by row and server label: for the summary of
# ``--rounds`` (the median over rounds of each round's percentile, and their spread).
ROUNDS: dict[tuple[str, str], list[dict[str, float]]] = {}


def edit_line(
    name: str,
    label: str,
    walls: list[float],
    windows: list[Window],
    split_cpu: dict[str, list[float]],
) -> None:
    """One edit row: wall and whole-process CPU as :func:`line`, then the CPU split by
    thread (p50/p95 of each, ms), kept for the rounds' summary."""
    busy = [sum(w.threads.values()) for w in windows]
    line(f"{name}{label}", walls, TARGETS["edit"], busy)
    a, m, o = split_cpu["analysis"], split_cpu["main"], split_cpu["other"]
    print(
        f"{'    cpu by thread' + label:<46} analysis p50 {pct(a, 50):6.1f} p95 {pct(a, 95):6.1f}"
        f"   event loop p50 {pct(m, 50):5.1f} p95 {pct(m, 95):5.1f}"
        f"   other p50 {pct(o, 50):5.1f} p95 {pct(o, 95):5.1f}"
    )
    ROUNDS.setdefault((name, label), []).append(
        {
            "wall p50": pct(walls, 50),
            "wall p95": pct(walls, 95),
            "cpu p50": pct(busy, 50),
            "cpu p95": pct(busy, 95),
            "analysis p50": pct(a, 50),
            "analysis p95": pct(a, 95),
            "event loop p50": pct(m, 50),
            "other p50": pct(o, 50),
        }
    )


async def edits(client: Client, uri: str, lines: list[str], repeat: int, label: str) -> None:
    """Three rows of edits (see the module's docstring).  Each row's figures are printed
    once the three are done: the analysis thread is the one that worked most over them."""
    pid = pid_of(client)
    rows: list[tuple[str, list[float], list[Window]]] = []
    version = 1

    async def timed(
        line_no: int, col: int, new: str, walls: list[float], wins: list[Window]
    ) -> None:
        nonlocal version
        version += 1
        w, t = Window(pid), time.perf_counter()
        change(client, uri, version, line_no, col, new)
        await client.diagnostics(uri, version)
        walls.append((time.perf_counter() - t) * 1000)
        w.end()
        wins.append(w)

    # one-line edits spread over the document: a space at the end of a line
    walls: list[float] = []
    wins: list[Window] = []
    targets = [i for i, ln in enumerate(lines) if "$" in ln][:: max(1, len(lines) // (repeat * 8))]
    for k in range(repeat):
        i = targets[(k * 7) % len(targets)]
        await timed(i, len(lines[i]), " ", walls, wins)
        lines[i] += " "
    rows.append(("didChange → publishDiagnostics (cookbook)", walls, wins))

    # typing inside math: a letter after a bold symbol (\mathbf{A}x) at random rows, which
    # changes what the row says (a declaration's row, sometimes)
    rng = random.Random(1)
    spots = [(i, m.end()) for i, ln in enumerate(lines) for m in re.finditer(r"\\mathbf\{\w\}", ln)]
    walls, wins = [], []
    for _ in range(repeat):
        i, col = rng.choice(spots)
        await timed(i, col, "x", walls, wins)
        lines[i] = lines[i][:col] + "x" + lines[i][col:]
        spots = [(j, c + 1 if j == i and c >= col else c) for j, c in spots]
    rows.append(("  … typing a letter in math (cookbook)", walls, wins))

    # typing in prose: a letter inserted in a line of words (no math on it, outside every
    # display), which may change what a sentence says of the math after it
    prose = prose_lines(lines)
    walls, wins = [], []
    for k in range(repeat):
        i = prose[(k * 7) % len(prose)]
        col = lines[i].find(" ", len(lines[i]) // 2)
        col = len(lines[i]) if col < 0 else col
        await timed(i, col, "e", walls, wins)
        lines[i] = lines[i][:col] + "e" + lines[i][col:]
    rows.append(("  … typing a letter in prose (cookbook)", walls, wins))

    by_thread = split(pid, [w for _, _, ws in rows for w in ws])
    at = 0
    for name, walls, wins in rows:
        part = {k: v[at : at + len(wins)] for k, v in by_thread.items()}
        at += len(wins)
        edit_line(name, label, walls, wins, part)
    await pauses(client, uri, lines, prose, version, label)


PAUSE = 2.6  # s: past the server's IDLE_COLLECT (2 s), which runs in the pause


async def pauses(
    client: Client, uri: str, lines: list[str], prose: list[int], version: int, label: str
) -> None:
    """A letter typed, then a pause: the event loop's CPU time over the pause (the idle
    collection, the derivative check's start), which a keystroke typed during it waits
    behind.  Five pauses; their median and largest."""
    pid = pid_of(client)
    busy = []
    for k in range(5):
        i = prose[(k * 11) % len(prose)]
        version += 1
        change(client, uri, version, i, 0, "e")
        lines[i] = "e" + lines[i]
        await client.diagnostics(uri, version)
        before = thread_cpu_ns(pid).get(pid, 0)
        await asyncio.sleep(PAUSE)
        busy.append((thread_cpu_ns(pid).get(pid, 0) - before) / 1e6)
    print(
        f"{'  … a pause after a letter (event loop cpu)' + label:<46} "
        f"median {statistics.median(busy):6.1f} ms   max {max(busy):6.1f} ms"
    )
    ROUNDS.setdefault(("  … a pause after a letter, event loop", label), []).append(
        {"cpu p50": statistics.median(busy), "cpu max": max(busy)}
    )


def rounds_summary() -> None:
    """The edit rows over ``--rounds``: for each figure, the median of the rounds' values
    and their range (how stable the figure is: two trees differ when their ranges do)."""
    if not ROUNDS or max(len(v) for v in ROUNDS.values()) < 2:
        return
    print(
        f"\nover {max(len(v) for v in ROUNDS.values())} rounds (median [min–max] of each round's figure, ms):"
    )
    for (name, label), got in ROUNDS.items():
        print(f"{name.strip()}{label}")
        for key in (
            "analysis p50",
            "analysis p95",
            "cpu p50",
            "cpu p95",
            "cpu max",
            "event loop p50",
            "other p50",
            "wall p50",
            "wall p95",
        ):
            if key not in got[0]:
                continue
            xs = sorted(r[key] for r in got)
            print(f"    {key:<16} {statistics.median(xs):7.2f} [{xs[0]:6.2f}–{xs[-1]:6.2f}]")


def prose_lines(lines: list[str]) -> list[int]:
    """Lines of words: outside every display (``$$`` … ``$$``, ``\\[`` … ``\\]``), with no
    ``$`` or backslash of their own and at least three words."""
    out, display = [], False
    for i, ln in enumerate(lines):
        if ln.count("$$") % 2 or ln.strip() in ("\\[", "\\]"):
            display = not display
            continue
        if not display and "$" not in ln and "\\" not in ln and len(ln.split()) >= 3:
            out.append(i)
    return out


async def differentiate(client: Client, text: str, repeat: int, label: str) -> None:
    """List the actions and resolve the first, on a freshly edited document."""
    for name, doc_text in (
        ("small document", SMALL),
        ("cookbook with that math at its end", text + "\n\n" + SMALL),
    ):
        needle = "\\frac{1}{2}"
        duri = f"untitled:{name.split()[0]}.md"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=duri, language_id="markdown", version=1, text=doc_text
                )
            )
        )
        await client.diagnostics(duri, 1)
        dlines = doc_text.split("\n")
        row_i = max(i for i, ln in enumerate(dlines) if needle in ln)
        at = types.Position(line=row_i, character=dlines[row_i].index(needle) + 2)
        times = []
        version_d = 1
        for _ in range(max(5, repeat // 3)):
            version_d += 1
            last = len(dlines) - 1
            change(client, duri, version_d, last, len(dlines[last]), " ")
            dlines[last] += " "
            await client.diagnostics(duri, version_d)
            t = time.perf_counter()
            actions = await client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=duri),
                    range=types.Range(start=at, end=at),
                    context=types.CodeActionContext(diagnostics=[]),
                )
            )
            diffs = [
                a
                for a in actions or []
                if isinstance(a, types.CodeAction) and a.title.startswith("Differentiate")
            ]
            if not diffs:
                break
            resolved = await client.code_action_resolve_async(diffs[0])
            assert resolved.edit is not None
            times.append((time.perf_counter() - t) * 1000)
        if times:
            line(f"differentiate: list + resolve ({name}){label}", times, TARGETS["diff"])
        else:
            print(f"differentiate ({name}){label}: no differentiation offered there")
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=duri))
        )


async def bench(
    corpus: Path, repeat: int, servers: list[Server], sections: set[str], rounds: int = 1
) -> None:
    many = len(servers) > 1
    if "cold" in sections:
        for server in servers:
            await cold(corpus, server, f" [{server.label}]" if many else "")
    warm_sections = sections - {"cold"}
    for r in range(rounds if warm_sections else 0):
        if rounds > 1:
            print(f"round {r + 1} of {rounds}")
        for server in servers:  # (alternating: a change of the machine's load hits both)
            await warm(corpus, server, f" [{server.label}]" if many else "", repeat, warm_sections)
    rounds_summary()


SECTIONS = ("cold", "edit", "hover", "diff", "memory")

# every texgrad module imported once (its bytecode written), the program's own entry aside
COMPILE_ALL = (
    "import importlib, pkgutil, texgrad\n"
    "for m in pkgutil.walk_packages(texgrad.__path__, 'texgrad.'):\n"
    "    if m.name != 'texgrad.__main__':\n"
    "        importlib.import_module(m.name)\n"
)


def bytecode_as_installed(servers: list[Server], folder: str) -> None:
    """The servers' bytecode written and read in ``folder`` (see the module's docstring)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = folder
    for server in servers:
        subprocess.run([server.python, "-c", COMPILE_ALL], env=server.env(), check=True,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=600)  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run the warm sections this many times, servers alternating; the edit rows are "
        "then summarized as the median and range of the rounds' figures",
    )
    ap.add_argument("--against", type=Path, help="another checkout to measure in the same run")
    ap.add_argument("--only", default=",".join(SECTIONS), help="sections: " + ",".join(SECTIONS))
    ap.add_argument(
        "--source",
        action="store_true",
        help="keep the environment's PYTHONDONTWRITEBYTECODE (compile sources at every start)",
    )
    args = ap.parse_args()
    if not (args.corpus / COOKBOOK).is_file():
        print(f"benchmarks/lsp.py: the shared corpus is not at {args.corpus} "
              f"(set TEXGRAD_CORPUS or --corpus); nothing measured.")  # fmt: skip
        return 0
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    servers = [Server("this", None)]
    if args.against is not None:
        servers.append(Server(args.against.name or str(args.against), args.against.resolve()))
    with tempfile.TemporaryDirectory(prefix="texgrad-lsp-pyc-") as pyc:
        if not args.source:
            bytecode_as_installed(servers, pyc)
        print(f"bytecode {'compiled at every start' if args.source else 'cached'}")
        asyncio.run(
            bench(args.corpus.resolve(), args.repeat, servers, sections, max(1, args.rounds))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
