r"""Diagnostics kept from the last session and published when a document is opened, before
the server has loaded (issue 17): the same as the analysis publishes, and never for a text,
a project file, texgrad's sources, the settings or the encoding that changed; a damaged or
unwritable cache folder is a miss, never a failure."""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from texgrad.protocol import early_diagnostics as ed
from texgrad.settings import resolve

TEXT = "Let $A \\in \\mathbb{R}^{2 \\times 3}$ and $x \\in \\mathbb{R}^2$. Then $A x$.\n"
FOUND = [{"range": {"start": {"line": 0, "character": 1}}, "message": "m", "code": "c"}]


def _cache(tmp_path: Path, version: str = "v1") -> ed.DiagnosticsCache:
    return ed.DiagnosticsCache(tmp_path / "kept", version)


def test_kept_diagnostics_are_found_for_the_same_inputs_only(tmp_path: Path) -> None:
    doc, other = tmp_path / "a.md", tmp_path / "b.tex"
    other.write_text("x", encoding="utf-8")
    cache = _cache(tmp_path)
    start = ed.start_key({}, [tmp_path.as_uri()], "utf-16")
    deps = [(str(other), ed.digest("x"), ed.digest(b"x"))]
    cache.store(doc.as_uri(), str(doc), TEXT, start, deps, FOUND)
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, start, {}) == FOUND
    # an edit, another encoding, other settings or folders, another path: a miss
    assert cache.lookup(doc.as_uri(), str(doc), TEXT + " ", start, {}) is None
    for other_start in (
        ed.start_key({}, [tmp_path.as_uri()], "utf-8"),
        ed.start_key({"layout": "denominator"}, [tmp_path.as_uri()], "utf-16"),
        ed.start_key({}, [], "utf-16"),
    ):
        assert other_start != start
        assert cache.lookup(doc.as_uri(), str(doc), TEXT, other_start, {}) is None
    assert cache.lookup(doc.as_uri(), str(tmp_path / "c.md"), TEXT, start, {}) is None
    # settings that resolve alike are alike (an unknown key, a wrong type: the default)
    assert ed.start_key({"nonsense": 1}, [tmp_path.as_uri()], "utf-16") == start
    # another file of its project: as an open buffer, or changed on disk
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, start, {str(other): "x"}) == FOUND
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, start, {str(other): "y"}) is None
    other.write_text("y", encoding="utf-8")
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, start, {}) is None
    other.unlink()
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, start, {}) is None


def test_another_version_of_texgrad_reads_none(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    _cache(tmp_path, "v1").store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
    assert _cache(tmp_path, "v2").lookup(doc.as_uri(), str(doc), TEXT, "s", {}) is None
    assert _cache(tmp_path, "v1").lookup(doc.as_uri(), str(doc), TEXT, "s", {}) == FOUND
    # the version is every source of the package: a change to any module changes it
    assert ed.sources_version() == ed.sources_version() and len(ed.sources_version()) == 64


def test_a_latex_root_appearing_beside_a_document_is_a_miss(tmp_path: Path) -> None:
    doc = tmp_path / "chapter.tex"
    cache = _cache(tmp_path)
    cache.store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, "s", {}) == FOUND
    (tmp_path / "main.tex").write_text("\\input{chapter}", encoding="utf-8")
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, "s", {}) is None


def test_a_damaged_or_foreign_file_is_a_miss(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    cache = _cache(tmp_path)
    cache.store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
    file = cache._file(doc.as_uri())
    for damaged in (b"{not json", b"[]", b'{"magic": 1}', b"\xff\xfe", b"[" * 100_000):
        file.write_bytes(damaged)
        assert cache.lookup(doc.as_uri(), str(doc), TEXT, "s", {}) is None
    entry = {"magic": "texgrad-diagnostics-1", "version": "v1", "uri": doc.as_uri()}
    file.write_text(json.dumps({**entry, "path": str(doc)}), encoding="utf-8")
    assert cache.lookup(doc.as_uri(), str(doc), TEXT, "s", {}) is None


def test_an_unwritable_folder_is_said_once_and_nothing_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ed, "_said", False)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = ed.DiagnosticsCache(blocker / "kept", "v1")  # (a folder inside a file)
    doc = tmp_path / "a.md"
    with caplog.at_level(logging.WARNING, logger="texgrad.lsp"):
        cache.store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
        cache.store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
        assert cache.lookup(doc.as_uri(), str(doc), TEXT, "s", {}) is None
    said = [r for r in caplog.records if "cache of diagnostics" in r.getMessage()]
    assert len(said) == 1 and "cannot write" in said[0].getMessage()


def test_the_folder_keeps_the_most_recently_used(tmp_path: Path) -> None:
    cache = ed.DiagnosticsCache(tmp_path / "kept", "v1", max_files=3)
    for i in range(6):
        cache.store(f"file:///d{i}.md", f"/d{i}.md", TEXT, "s", [], FOUND)
        file = cache._file(f"file:///d{i}.md")
        if file.exists():
            os.utime(file, (1000 + i, 1000 + i))
    assert len(list((tmp_path / "kept").glob("*.json"))) == 3
    assert cache.lookup("file:///d5.md", "/d5.md", TEXT, "s", {}) == FOUND
    assert cache.lookup("file:///d0.md", "/d0.md", TEXT, "s", {}) is None


def test_off_with_every_cache_or_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ed, "_session", [])  # (this process's session: set up here only)
    monkeypatch.setenv("TEXGRAD_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TEXGRAD_KEEP_DIAGNOSTICS", "on")
    monkeypatch.delenv("TEXGRAD_CACHE", raising=False)
    got = ed.begin({"capabilities": {}}, "utf-16")
    assert got is not None and got.cache.folder == tmp_path / "diagnostics"
    assert ed.session() is got
    monkeypatch.setenv("TEXGRAD_KEEP_DIAGNOSTICS", "off")
    assert ed.begin({"capabilities": {}}, "utf-16") is None
    monkeypatch.setenv("TEXGRAD_KEEP_DIAGNOSTICS", "on")
    monkeypatch.setenv("TEXGRAD_CACHE", "off")
    assert ed.begin({"capabilities": {}}, "utf-16") is None


def _framed(*messages: dict[str, Any]) -> bytes:
    out = b""
    for m in messages:
        body = json.dumps({"jsonrpc": "2.0", **m}).encode()
        out += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return out


def _did_open(path: Path, text: str, version: int = 1) -> dict[str, Any]:
    return {
        "method": "textDocument/didOpen",
        "params": {
            "textDocument": {
                "uri": path.as_uri(),
                "languageId": "markdown",
                "version": version,
                "text": text,
            }
        },
    }


def test_the_pump_publishes_kept_diagnostics_and_passes_every_byte_on(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    session = ed.Session(_cache(tmp_path), "s", {})
    session.cache.store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
    stream = _framed({"method": "initialized", "params": {}}, _did_open(doc, TEXT, 7))
    stream += _framed(_did_open(tmp_path / "b.md", TEXT))  # (nothing kept for it)
    r, w = os.pipe()
    written: list[bytes] = []
    with os.fdopen(r, "rb") as stdin:
        pump = ed.Pump(stdin, written.append, lambda: session)
        os.write(w, stream[:50])  # (a message arriving in pieces)
        os.write(w, stream[50:])
        os.close(w)
        read = b""
        while chunk := pump.read1():
            read += chunk
    assert read == stream  # the server reads the stream whole, in order
    assert pump.published == [doc.as_uri()] and len(written) == 1
    header, body = written[0].split(b"\r\n\r\n", 1)
    assert header == b"Content-Length: %d\r\nContent-Type: " % len(body) + (
        b"application/vscode-jsonrpc; charset=utf-8"
    )
    message = json.loads(body)
    assert message["method"] == "textDocument/publishDiagnostics"
    assert message["params"] == {"uri": doc.as_uri(), "diagnostics": FOUND, "version": 7}


def test_once_the_server_is_loaded_the_pump_writes_nothing(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    session = ed.Session(_cache(tmp_path), "s", {})
    session.cache.store(doc.as_uri(), str(doc), TEXT, "s", [], FOUND)
    r, w = os.pipe()
    written: list[bytes] = []
    with os.fdopen(r, "rb") as stdin:
        pump = ed.Pump(stdin, written.append, lambda: session)
        pump.loaded()
        os.write(w, _framed(_did_open(doc, TEXT)))
        os.close(w)
        while pump.read1():
            pass
    assert written == [] and pump.published == []


def _soon(test: Any) -> bool:
    end = time.monotonic() + 60
    while not test() and time.monotonic() < end:
        time.sleep(0.01)
    return bool(test())


def test_the_pump_notes_the_first_document_and_what_changes_before_loading(
    tmp_path: Path,
) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    session = ed.Session(_cache(tmp_path), "s", resolve(None))  # (initialize gave none)
    r, w = os.pipe()
    written: list[bytes] = []
    change = {
        "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": a.as_uri(), "version": 4}, "contentChanges": []},
    }
    with os.fdopen(r, "rb") as stdin:
        pump = ed.Pump(stdin, written.append, lambda: session)
        os.write(w, _framed(_did_open(a, TEXT, 3)))
        assert pump.first_seen.wait(60)
        assert pump.first is not None and pump.first["uri"] == a.as_uri()
        assert not pump.first_kept  # (nothing kept for it)
        os.write(w, _framed(_did_open(b, TEXT), change))
        assert _soon(lambda: a.as_uri() in pump.touched)
        assert pump.first["uri"] == a.as_uri()  # (the first stays the first)
        # an analysis of a's text as opened is stale now: not written; b's is
        assert not pump.publish(a.as_uri(), FOUND, 3, kept=False)
        assert pump.publish(b.as_uri(), FOUND, 1, kept=False)
        # settings that resolve as initialize's, or none (the server asks for them, which
        # the last session's note is about): still written
        for same in ({"settings": None}, {"settings": {"texgrad": {"gradientNotation": "auto"}}}):
            os.write(w, _framed({"method": "workspace/didChangeConfiguration", "params": same}))
        os.write(w, _framed(_did_open(tmp_path / "c.md", TEXT)))  # (what came before: read)
        assert _soon(lambda: str(tmp_path / "c.md") in pump._opened)
        assert not pump.reconfigured
        # other settings sent: an early analysis (made with initialize's) is not written
        other = {"settings": {"texgrad": {"layout": "denominator"}}}
        os.write(w, _framed({"method": "workspace/didChangeConfiguration", "params": other}))
        assert _soon(lambda: pump.reconfigured)
        assert not pump.publish(b.as_uri(), FOUND, 1, kept=False)
        pump.loaded()
        assert not pump.publish(b.as_uri(), FOUND, 1)  # (the server alone writes now)
        os.close(w)
        while pump.read1():
            pass
    assert pump.analysed == [b.as_uri()] and pump.published == []
    assert len(written) == 1 and json.loads(written[0].split(b"\r\n\r\n", 1)[1])["params"] == {
        "uri": b.as_uri(),
        "diagnostics": FOUND,
        "version": 1,
    }


class _Session:
    """``texgrad lsp`` with the kept diagnostics on, in a cache folder of the test."""

    def __init__(
        self,
        tmp_path: Path,
        configuration: Any = None,
        argv: tuple[str, ...] = ("-m", "texgrad", "lsp"),
        **env_: str,
    ) -> None:
        env = {
            **os.environ,
            "TEXGRAD_LSP_DEBOUNCE": "0.01",
            "TEXGRAD_LOG": "INFO",
            "TEXGRAD_KEEP_DIAGNOSTICS": "on",
            "TEXGRAD_CACHE_DIR": str(tmp_path / "cache"),
            **env_,
        }
        self.configuration = configuration  # (what workspace/configuration answers)
        self.proc = subprocess.Popen(
            [sys.executable, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
        )
        self.got: queue.Queue[dict[str, Any]] = queue.Queue()
        self.messages: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "capabilities": {},
                    "workspaceFolders": [{"uri": tmp_path.as_uri(), "name": "t"}],
                },
            },
        )
        self.until(lambda m: m.get("id") == 1)
        self.send({"method": "initialized", "params": {}})

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while header := out.readline():
            if header.startswith(b"Content-Length:"):
                n = int(header.split(b":")[1])
                while out.readline() not in (b"\r\n", b""):
                    pass
                self.got.put(json.loads(out.read(n)))

    def send(self, *messages: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(_framed(*messages))
        self.proc.stdin.flush()

    def until(self, wanted: Any, timeout: float = 120) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while True:
            m = self.got.get(timeout=max(0.1, end - time.monotonic()))
            if m.get("method") == "workspace/configuration":
                self.send({"id": m["id"], "result": [self.configuration]})
            self.messages.append(m)
            if wanted(m):
                return m

    def publications(self) -> list[dict[str, Any]]:
        return [
            m["params"]
            for m in self.messages
            if m.get("method") == "textDocument/publishDiagnostics"
        ]

    def stop(self) -> str:
        self.send({"id": 99, "method": "shutdown"})
        self.until(lambda m: m.get("id") == 99)
        self.send({"method": "exit"})
        self.proc.wait(timeout=60)
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode()


def _entries(folder: Path) -> list[Path]:
    """The documents' kept diagnostics (not what a session noted of its configuration)."""
    return [f for f in folder.glob("*.json") if not f.name.startswith("start-")]


def _published(m: dict[str, Any]) -> bool:
    return m.get("method") == "textDocument/publishDiagnostics"


def test_a_document_reopened_gets_the_diagnostics_its_analysis_publishes(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "a.md"
    text = "Let $A \\in \\mathbb{R}^{2 \\times 3}$ and $x \\in \\mathbb{R}^3$. Then $x A$.\n"
    doc.write_text(text, encoding="utf-8")
    first = _Session(tmp_path)
    first.send(_did_open(doc, text))
    first.until(_published)
    kept = tmp_path / "cache" / "diagnostics"
    end = time.monotonic() + 60  # (kept once it stays as analysed for STORE_AFTER seconds)
    while not _entries(kept) and time.monotonic() < end:
        time.sleep(0.2)
    log = first.stop()
    assert "Traceback" not in log
    assert len(_entries(kept)) == 1

    second = _Session(tmp_path)
    second.send(_did_open(doc, text))
    second.until(_published)
    second.until(_published)  # (the analysis's own)
    log = second.stop()
    early, analysed = second.publications()[:2]
    assert early == analysed and early["diagnostics"]  # a mismatch, published twice alike
    assert "published the kept diagnostics of " + doc.as_uri() in log

    # edited meanwhile: its analysis's diagnostics only
    third = _Session(tmp_path)
    third.send(_did_open(doc, text.replace("x A", "A x")))
    third.until(_published)
    log = third.stop()
    assert "published the kept diagnostics" not in log
    assert third.publications()[0]["diagnostics"] == []


# --- the first document opened, analysed before the server loads (protocol/early_analysis.py)

# ``texgrad lsp`` whose early writes say what was loaded when they were made.
WATCHED_START = r"""
import sys
from texgrad.protocol import early_diagnostics as ed
publish = ed.Pump.publish
def watched(self, uri, diagnostics, version, kept=True):
    loaded = sorted(m for m in ("pygls", "lsprotocol", "texgrad.protocol.app") if m in sys.modules)
    done = publish(self, uri, diagnostics, version, kept)
    sys.stderr.write(f"early write of {uri}: kept={kept} written={done} loaded={loaded}\n")
    return done
ed.Pump.publish = watched
from texgrad.protocol.early_initialize import main
raise SystemExit(main())
"""
WATCHED = ("-c", WATCHED_START)
ROWS = "Let $A \\in \\mathbb{R}^{2 \\times 3}$ and $x \\in \\mathbb{R}^3$. Then $x A$ and $A x$.\n"


def _noted(tmp_path: Path, agreed: bool, session: _Session) -> list[bool]:
    """What the sessions noted of their configuration, once it says ``agreed`` (it is
    written once the client has answered workspace/configuration: ``session``'s messages
    are read meanwhile; at most 60 s)."""
    folder = tmp_path / "cache" / "diagnostics"
    end = time.monotonic() + 60
    while True:
        noted = [
            json.loads(f.read_text(encoding="utf-8"))["agreed"] for f in folder.glob("start-*.json")
        ]
        if noted == [agreed] or time.monotonic() > end:
            return noted
        try:
            session.until(lambda m: False, timeout=0.1)
        except queue.Empty:
            pass


def _opened_once(tmp_path: Path, doc: Path, text: str, agreed: bool = True, **kw: Any) -> str:
    """A session opening ``doc``: its log once its diagnostics are published and its
    configuration noted as ``agreed`` with initialize's settings or not."""
    session = _Session(tmp_path, argv=WATCHED, **kw)
    session.send(_did_open(doc, text))
    session.until(_published)
    assert _noted(tmp_path, agreed, session) == [agreed]
    return session.stop()


def test_the_configuration_noted_is_the_last_sessions(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    assert not cache.configuration_agreed("s")  # (no session yet)
    cache.note_configuration("s", True)
    assert cache.configuration_agreed("s") and not cache.configuration_agreed("t")
    assert not _cache(tmp_path, "v2").configuration_agreed("s")  # another texgrad
    cache.note_configuration("s", False)
    assert not cache.configuration_agreed("s")
    cache.note_configuration("s", True)
    (stamp,) = (tmp_path / "kept").glob("start-*.json")
    for damaged in (b"{not json", b"[]", b'{"magic": 1}', b"\xff\xfe"):
        stamp.write_bytes(damaged)
        assert not cache.configuration_agreed("s")


def test_the_first_document_opened_is_published_before_pygls_is_loaded(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(ROWS, encoding="utf-8")
    # a first session: nothing noted of the client's configuration yet, the server alone
    log = _opened_once(tmp_path, doc, ROWS)  # (noted as agreeing: it answered no settings)
    assert "early write" not in log and "did not find workspace/configuration" in log

    second = _Session(tmp_path, argv=WATCHED)
    second.send(_did_open(doc, ROWS, version=4))
    second.until(_published)
    second.until(_published)  # (the server's own analysis)
    log = second.stop()
    assert "Traceback" not in log
    assert f"early write of {doc.as_uri()}: kept=False written=True loaded=[]" in log
    assert "published the diagnostics of " + doc.as_uri() + " analysed before loading" in log
    early, analysed = second.publications()[:2]
    assert early == analysed  # the same list, version included
    assert early["version"] == 4 and early["uri"] == doc.as_uri()
    assert [d["code"] for d in early["diagnostics"]] == ["matmul-mismatch"]
    assert early["diagnostics"][0]["range"]["start"] == {"line": 0, "character": 68}


def test_settings_configuration_changes_leave_the_first_document_to_the_server(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(ROWS, encoding="utf-8")
    _opened_once(tmp_path, doc, ROWS)  # (the client's configuration agrees)
    # now it says otherwise: noted (this session has published the text early, as analysed
    # with initialize's settings: the last session's agreed, and it sent nothing else)
    differing = {"math": {"environments": ["foo"]}, "layout": "denominator"}
    _opened_once(tmp_path, doc, ROWS, agreed=False, configuration=differing)
    log = _opened_once(tmp_path, doc, ROWS, agreed=False, configuration=differing)
    assert "early write" not in log and "did not find workspace/configuration" in log


def test_other_settings_sent_before_the_first_document_leave_it_to_the_server(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(ROWS, encoding="utf-8")
    _opened_once(tmp_path, doc, ROWS)  # (the client's configuration agrees)
    # as Neovim and eglot do, settings sent at once: the same as initialize's, then others
    for section, early in (
        ({"gradientNotation": "auto"}, True),
        ({"layout": "denominator"}, False),
    ):
        session = _Session(tmp_path, argv=WATCHED)
        settings = {"settings": {"texgrad": section}}
        session.send({"method": "workspace/didChangeConfiguration", "params": settings})
        session.send(_did_open(doc, ROWS))
        session.until(_published)
        log = session.stop()
        assert "Traceback" not in log
        assert ("early write" in log) == early, section
        assert ("the client sent other settings" in log) != early


def test_a_document_past_the_early_budget_is_left_to_the_server(tmp_path: Path) -> None:
    small, large = tmp_path / "a.md", tmp_path / "large.md"
    small.write_text(ROWS, encoding="utf-8")
    _opened_once(tmp_path, small, ROWS)  # (the configuration noted as agreeing)
    rows = (
        f"Let $A_{{{i}}} \\in \\mathbb{{R}}^{{{i % 7 + 2} \\times 3}}$; then "
        f"$A_{{{i}}} x + B^\\top C_{{{i}}} (D + E_{{{i}}})^{{-1}} F$.\n\n"
        for i in range(4000)
    )
    text = "".join(rows)
    large.write_text(text, encoding="utf-8")
    session = _Session(tmp_path, argv=WATCHED, TEXGRAD_ANALYSIS_BUDGET="1")
    session.send(_did_open(large, text))
    session.until(lambda m: _published(m) and m["params"]["uri"] == large.as_uri())
    # the server is unharmed: another document is analysed as ever
    session.send(_did_open(small, ROWS))
    got = session.until(lambda m: _published(m) and m["params"]["uri"] == small.as_uri())
    assert [d["code"] for d in got["params"]["diagnostics"]] == ["matmul-mismatch"]
    log = session.stop()
    assert "early write" not in log and "Traceback" not in log
    # (stopped at a stop point, or by force where none came soon enough: a loaded machine)
    assert f"the early analysis of {large} ran past 1 s" in log or (
        f"the early analysis of {large} was stopped" in log
    )


def test_the_early_analysis_collects_garbage_as_the_server_does() -> None:
    # (with Python's default, the young generation's collections were ~8% of the CPU time
    # of the Cookbook's first analysis)
    import gc

    from texgrad.protocol import early_analysis
    from texgrad.protocol.collection import YOUNG_COLLECT_EVERY

    class Recording:
        def __init__(self) -> None:
            self.thresholds: list[tuple[int, int, int]] = []

        def analyse(self, path: str, text: str, buffers: Any, fmt: Any) -> str:
            self.thresholds.append(gc.get_threshold())
            return f"analysed {path}"

    before = gc.get_threshold()
    gc.set_threshold(700, before[1], before[2])  # (Python's default: the process as started)
    try:
        ws = Recording()
        analysis, same, why = early_analysis.bounded(ws, "a.md", "$x$", None, 2.0)  # type: ignore[arg-type]
        assert (analysis, same, why) == ("analysed a.md", ws, None)
        assert ws.thresholds == [(YOUNG_COLLECT_EVERY, before[1], before[2])]
        assert YOUNG_COLLECT_EVERY > 700
    finally:
        gc.set_threshold(*before)
