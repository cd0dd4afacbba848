"""Language server figures: `texgrad lsp` driven by a real LSP client (pygls) over stdio.

Prints: start to initialized; didChange → publishDiagnostics on the Matrix Cookbook
(3,398 lines; the server runs with no debounce, so the figure is the analysis alone), for
a one-line edit (a blank at the end of a line) and for a letter typed in math;
hover; differentiate (codeAction listing + codeAction/resolve, on a freshly edited
document so nothing is cached); resident memory with every corpus file open.

    .venv/bin/python benchmarks/lsp.py [--corpus ../shared/corpus] [--repeat 30]

The corpus is read where it is (never copied); without it the script says so and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = "matrix-cookbook-md/main.md"
TARGETS = {"edit": 30, "hover": 10, "diff": 300, "start": 1500, "memory": 250}

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

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
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


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def line(name: str, xs: list[float], target: float, unit: str = "ms") -> None:
    p50, p95 = pct(xs, 50), pct(xs, 95)
    ok = "ok" if p95 <= target else "OVER TARGET"
    print(
        f"{name:<44} p50 {p50:7.1f} {unit}   p95 {p95:7.1f} {unit}   (target p95 ≤ {target} {unit}: {ok})"
    )


def rss_mb(pid: int) -> float:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1]) / 1024
    return float("nan")


async def start(folder: Path) -> tuple[Client, float]:
    client = Client()
    env = {**os.environ, "TEXGRAD_LSP_DEBOUNCE": "0"}
    t0 = time.perf_counter()
    await client.start_io(sys.executable, "-m", "texgrad", "lsp", env=env)
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


async def bench(corpus: Path, repeat: int) -> None:
    client, started = await start(corpus)
    print(f"{'start to initialized':<44} {started:7.1f} ms   (target ≤ {TARGETS['start']} ms)")
    cookbook = corpus / COOKBOOK
    text = cookbook.read_text(encoding="utf-8")
    lines = text.split("\n")
    uri = open_doc(client, cookbook, text)
    t0 = time.perf_counter()
    await client.diagnostics(uri, 1)
    print(f"{'first analysis of the cookbook':<44} {(time.perf_counter() - t0) * 1000:7.1f} ms")

    # one-line edits spread over the document: a space at the end of a line
    edits = []
    version = 1
    targets = [i for i, ln in enumerate(lines) if "$" in ln][:: max(1, len(lines) // (repeat * 8))]
    for k in range(repeat):
        i = targets[(k * 7) % len(targets)]
        version += 1
        t = time.perf_counter()
        change(client, uri, version, i, len(lines[i]), " ")
        lines[i] += " "
        await client.diagnostics(uri, version)
        edits.append((time.perf_counter() - t) * 1000)
    line("didChange → publishDiagnostics (cookbook)", edits, TARGETS["edit"])

    # typing inside math: a letter after a bold symbol (\mathbf{A}x) at random rows, which
    # changes what the row says (a declaration's row, sometimes)
    rng = random.Random(1)
    spots = [(i, m.end()) for i, ln in enumerate(lines) for m in re.finditer(r"\\mathbf\{\w\}", ln)]
    typed = []
    for _ in range(repeat):
        i, col = rng.choice(spots)
        version += 1
        t = time.perf_counter()
        change(client, uri, version, i, col, "x")
        lines[i] = lines[i][:col] + "x" + lines[i][col:]
        spots = [(j, c + 1 if j == i and c >= col else c) for j, c in spots]
        await client.diagnostics(uri, version)
        typed.append((time.perf_counter() - t) * 1000)
    line("  … typing a letter in math (cookbook)", typed, TARGETS["edit"])

    # hovers on symbols in math
    text = "\n".join(lines)
    hovers = []
    spots = [i for i, ln in enumerate(lines) if "\\mathbf{A}" in ln][: repeat * 2]
    for i in spots:
        col = lines[i].index("\\mathbf{A}") + 8
        t = time.perf_counter()
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=i, character=col),
            )
        )
        hovers.append((time.perf_counter() - t) * 1000)
    line("hover (cookbook)", hovers, TARGETS["hover"])

    # differentiate: list the actions and resolve the first, on a freshly edited document
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
        dlines, version0 = doc_text.split("\n"), 1
        row_i = max(i for i, ln in enumerate(dlines) if needle in ln)
        at = types.Position(line=row_i, character=dlines[row_i].index(needle) + 2)
        times = []
        version_d = version0
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
            line(f"differentiate: list + resolve ({name})", times, TARGETS["diff"])
        else:
            print(f"differentiate ({name}): no differentiation offered there")

    # memory with every corpus file open
    files = sorted(
        p for p in corpus.rglob("*") if p.suffix in (".md", ".tex", ".markdown") and p != cookbook
    )
    uris = [open_doc(client, p) for p in files]
    for u in uris:
        await client.diagnostics(u, 1, timeout=300)
    pid = client._server.pid if client._server else 0  # type: ignore[attr-defined]
    mem = rss_mb(pid)
    ok = "ok" if mem <= TARGETS["memory"] else "OVER TARGET"
    print(
        f"{'resident memory, all ' + str(len(files) + 1) + ' corpus files open':<44} {mem:7.1f} MB   "
        f"(target ≤ {TARGETS['memory']} MB: {ok})"
    )
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    if not (args.corpus / COOKBOOK).is_file():
        print(f"benchmarks/lsp.py: the shared corpus is not at {args.corpus} "
              f"(set TEXGRAD_CORPUS or --corpus); nothing measured.")  # fmt: skip
        return 0
    asyncio.run(bench(args.corpus.resolve(), args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
