r"""``initialize`` answered before pygls is loaded (issue 17): the answer is pygls's own,
for any client; nothing of pygls or lsprotocol is imported to make it; the server, loaded
after, is set up by the same message and answers it once; parameters it cannot take are
left to the server."""

from __future__ import annotations

import asyncio
import io
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from texgrad.protocol import early_initialize as early
from texgrad.protocol import framing
from texgrad.protocol.app import create_server

CLIENTS: list[dict[str, Any]] = [
    {},
    {"general": {"positionEncodings": ["utf-8", "utf-16"]}},
    {"general": {"positionEncodings": ["utf-32"]}},
    {"general": {"positionEncodings": ["latin-1", "utf-8"]}},
    {"general": {"positionEncodings": []}},
    {"general": {}},
    {"textDocument": {"synchronization": {"willSave": True, "willSaveWaitUntil": False}}},
    {
        "textDocument": {
            "rename": {"prepareSupport": True},
            "hover": {"contentFormat": ["markdown"]},
        }
    },
    {"workspace": {"fileOperations": {"didCreate": True}, "configuration": True}},
    {"notebookDocument": {"synchronization": {}}},
]


class Collect:
    def __init__(self) -> None:
        self.out: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.out.append(data)

    def close(self) -> None:
        pass


def pygls_answer(params: dict[str, Any]) -> dict[str, Any]:
    """What the server loaded answers ``initialize`` (the early path not taken)."""
    server = create_server()
    writer = Collect()
    server.protocol.set_writer(writer)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})

    async def go() -> None:
        framing.dispatch(server.protocol, body.encode())
        await asyncio.sleep(0.01)

    asyncio.run(go())
    server.analysis_pool.shutdown(wait=True)
    (answer,) = [json.loads(b.split(b"\r\n\r\n", 1)[1]) for b in writer.out]
    return answer  # type: ignore[no-any-return]


@pytest.mark.parametrize("caps", CLIENTS, ids=[json.dumps(c)[:40] for c in CLIENTS])
def test_the_early_answer_is_pyglss(caps: dict[str, Any]) -> None:
    params = {"processId": None, "rootUri": None, "capabilities": caps}
    made = pygls_answer(params)
    ours = early.initialize_result(params)
    expected = {k: v for k, v in made["result"]["capabilities"].items() if k != "positionEncoding"}
    expected["textDocumentSync"] = {
        k: v
        for k, v in expected["textDocumentSync"].items()
        if k not in ("willSave", "willSaveWaitUntil")
    }
    assert early.CAPABILITIES == expected, (
        "a feature changed the server's capabilities: set early_initialize.CAPABILITIES to "
        + json.dumps(expected)
    )
    assert ours == made["result"]
    # and the bytes sent are a whole message of that value
    got = early.answer(json.dumps({"jsonrpc": "2.0", "id": 7, "method": "initialize",
                                   "params": params}).encode())  # fmt: skip
    assert got is not None
    header, body = got[2].split(b"\r\n\r\n", 1)
    assert int(header.split(b"\r\n")[0].split(b":")[1]) == len(body)
    assert json.loads(body) == {"id": 7, "jsonrpc": "2.0", "result": made["result"]}


@pytest.mark.parametrize(
    "params",
    [
        None,
        [],
        {"processId": None},
        {"processId": "12", "capabilities": {}},
        {"processId": True, "capabilities": {}},
        {"capabilities": 5},
        {"capabilities": {"textDocument": []}},
        {"capabilities": {"general": {"positionEncodings": "utf-8"}}},
        {"capabilities": {}, "workspaceFolders": [{"uri": 3, "name": "x"}]},
        {"capabilities": {}, "workspaceFolders": "here"},
        {"capabilities": {}, "rootUri": 5},
        {"capabilities": {}, "trace": "loud"},
        {"capabilities": {}, "clientInfo": {"version": "1"}},
    ],
)
def test_parameters_of_other_types_are_left_to_the_server(params: Any) -> None:
    assert early.initialize_result(params) is None


def test_only_initialize_is_answered_early() -> None:
    for message in (
        {"jsonrpc": "2.0", "id": 1, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "initialize", "params": {"capabilities": {}}},  # no id
        {"jsonrpc": "2.0", "id": True, "method": "initialize", "params": {"capabilities": {}}},
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},  # not JSON-RPC 2.0
    ):
        assert early.answer(json.dumps(message).encode()) is None
    assert early.answer(b"{ not json") is None


def _framed(*messages: dict[str, Any]) -> bytes:
    out = b""
    for m in messages:
        body = json.dumps({"jsonrpc": "2.0", **m}).encode()
        out += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return out


READ_START = r"""
import io, json, sys
from texgrad.protocol.early_initialize import read_start
out = io.BytesIO()
got = read_start(io.BytesIO(sys.stdin.buffer.read()), out)
print(json.dumps({"answered": got.answered is not None, "bodies": len(got.bodies),
                  "loaded": sorted(m for m in ("pygls", "lsprotocol", "sympy", "numpy", "lark",
                                               "texgrad.workspace") if m in sys.modules),
                  "out": out.getvalue().decode()}))
"""


def test_answering_loads_nothing_of_pygls(tmp_path: Path) -> None:
    stream = _framed(
        {"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}},
        {"method": "initialized", "params": {}},
    )
    proc = subprocess.run(
        [sys.executable, "-c", READ_START], input=stream, capture_output=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["answered"] and got["loaded"] == []
    assert got["bodies"] == 2  # (initialized, read with it, is handed to the server)
    assert '"positionEncoding": "utf-16"' in got["out"]


def test_read_start_leaves_a_stream_not_starting_with_initialize() -> None:
    stream = _framed({"id": 1, "method": "textDocument/hover", "params": {}})
    out = io.BytesIO()
    got = early.read_start(io.BytesIO(stream), out)
    assert got.answered is None and len(got.bodies) == 1 and out.getvalue() == b""
    got = early.read_start(io.BytesIO(b""), out)
    assert got.ended and not got.bodies


def _serve(tmp_path: Path, caps: dict[str, Any]) -> tuple[list[dict[str, Any]], str, int]:
    """A session: initialize (with ``caps``), open a document, hover in it, shut down."""
    doc = tmp_path / "a.md"
    text = "Let $A \\in \\mathbb{R}^{2 \\times 3}$ and $x \\in \\mathbb{R}^2$. Then $A x$.\n"
    doc.write_text(text, encoding="utf-8")
    env = {**os.environ, "TEXGRAD_LSP_DEBOUNCE": "0.01", "TEXGRAD_LOG": "INFO"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "texgrad", "lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    got: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        out = proc.stdout
        assert out is not None
        while header := out.readline():
            if header.startswith(b"Content-Length:"):
                n = int(header.split(b":")[1])
                while out.readline() not in (b"\r\n", b""):
                    pass
                got.put(json.loads(out.read(n)))

    threading.Thread(target=read, daemon=True).start()
    messages: list[dict[str, Any]] = []

    def until(msg_id: int) -> None:
        while not any(m.get("id") == msg_id and "method" not in m for m in messages):
            messages.append(got.get(timeout=60))

    def send(stream: bytes) -> None:
        assert proc.stdin is not None
        proc.stdin.write(stream)
        proc.stdin.flush()

    try:
        send(_framed(
            {"id": 1, "method": "initialize", "params": {
                "processId": None, "rootUri": None, "capabilities": caps,
                "workspaceFolders": [{"uri": tmp_path.as_uri(), "name": "t"}],
                "initializationOptions": {"texgrad": {"layout": "denominator"}}}},
            {"method": "initialized", "params": {}},
            {"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": doc.as_uri(), "languageId": "markdown", "version": 1, "text": text}}},
            {"id": 2, "method": "textDocument/hover", "params": {
                "textDocument": {"uri": doc.as_uri()},
                "position": {"line": 0, "character": text.index("A x$")}}},
        ))  # fmt: skip
        until(2)
        send(_framed({"id": 3, "method": "shutdown"}))
        until(3)
        send(_framed({"method": "exit"}))
        status = proc.wait(timeout=60)
    finally:
        proc.kill()
    while not got.empty():
        messages.append(got.get())
    assert proc.stderr is not None
    return messages, proc.stderr.read().decode(), status


@pytest.mark.parametrize(
    "caps",
    [
        {"general": {"positionEncodings": ["utf-32"]}},
        # read early as LSP's, not in full by pygls: the server goes on with the encoding sent
        {"general": {"positionEncodings": ["utf-32"]}, "textDocument": {"hover": 5}},
    ],
)
def test_the_server_is_set_up_by_the_initialize_answered_early(
    tmp_path: Path, caps: dict[str, Any]
) -> None:
    messages, log, status = _serve(tmp_path, caps)
    answers = [m for m in messages if m.get("id") == 1]
    assert len(answers) == 1  # once, not again when pygls handled it
    assert answers[0]["result"]["capabilities"]["positionEncoding"] == "utf-32"
    assert "started (utf-32)" in log  # what pygls agreed on too
    assert "differs from pygls's" not in log and "Traceback" not in log
    assert ("read in part" in log) == ("hover" in caps.get("textDocument", {}))
    hover = next(m for m in messages if m.get("id") == 2)
    assert "2×3" in hover["result"]["contents"]["value"]
    published = [m for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    assert any(p["params"]["diagnostics"] for p in published)
    assert next(m for m in messages if m.get("id") == 3)["result"] is None
    assert status == 0


LOAD = r"""
import json, sys, threading, time
from texgrad.protocol import app
first = threading.Event()
loader = threading.Thread(target=app.load_analysis, args=(first,))
loader.start()
for _ in range(600):  # (the checker's import, on a busy machine: up to a minute)
    if "texgrad.syntax.parse_cache" in sys.modules and "texgrad.shapes.check" in sys.modules:
        break
    time.sleep(0.1)
time.sleep(0.2)
before = {m: m in sys.modules for m in ("texgrad.shapes.check", "texgrad.calculus.api", "numpy")}
first.set()
loader.join(120)
after = {m: m in sys.modules for m in ("texgrad.calculus.api", "numpy")}
print(json.dumps({"before": before, "after": after}))
"""


def test_the_engine_is_loaded_after_the_first_analysis() -> None:
    proc = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["before"] == {
        "texgrad.shapes.check": True,
        "texgrad.calculus.api": False,
        "numpy": False,
    }
    assert got["after"] == {"texgrad.calculus.api": True, "numpy": True}
