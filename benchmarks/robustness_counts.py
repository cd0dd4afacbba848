r"""Issue 18's counts beside the fuzz run (``python -m tests.fuzz_documents 20000``): malformed
LSP traffic, wrong edits, outside reads.  Each part drives a real ``texgrad lsp`` (or the
command line) and counts; none is timed.

- traffic: ``--messages N`` malformed messages (random bytes, random JSON, JSON-RPC with
  parameters of wrong types for every method the server has, bad headers), a probe hover
  after every 25 that must answer with the declared shape; tracebacks in the log counted.
- edits: every code action (and quick fix) offered at every inline formula of a few
  documents, taken through positions in UTF-16, UTF-8 and UTF-32 (the server told the
  encoding at initialize), on the documents as written and with emoji, CJK, combining marks
  before each formula on its line and CRLF line ends: the edited text must be the plain
  document's edited text with those additions (a wrong edit is one that is not).
- outside: a folder whose links point out of it, ``\input{../../x}``, ``texgrad diff``
  run in a folder whose ``main.tex`` renews ``\top``: the outside content's marker must
  never appear in what texgrad says.

    .venv/bin/python benchmarks/robustness_counts.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.lsp.test_abuse import SMALL, RawServer, open_, probe  # noqa: E402

METHODS = [
    "textDocument/hover", "textDocument/codeAction", "codeAction/resolve",
    "textDocument/definition", "textDocument/references", "textDocument/documentSymbol",
    "textDocument/inlayHint", "textDocument/didChange", "textDocument/didClose",
    "textDocument/didOpen", "textDocument/didSave", "workspace/executeCommand",
    "workspace/didChangeConfiguration", "workspace/didChangeWorkspaceFolders",
    "$/cancelRequest", "textDocument/completion", "textDocument/formatting",
]  # fmt: skip
ODD = [None, 0, -1, 2**70, 1.5, "", "x" * 5000, [], {}, [1, [2, [3]]], {"uri": 5},
       {"uri": "file:///\x00"}, {"line": -5, "character": 2**40}, True, "untitled:Untitled-1",
       "file:///etc/passwd", "\ud800"]  # fmt: skip


def _start(raw: RawServer, root: Path, encoding: str | None = None) -> str:
    caps: dict[str, Any] = {}
    if encoding is not None:
        caps["general"] = {"positionEncodings": [encoding]}
    got = raw.request(
        "initialize",
        {
            "processId": None,
            "rootUri": None,
            "capabilities": caps,
            "workspaceFolders": [{"uri": root.as_uri(), "name": "p"}],
        },  # fmt: skip
        timeout=120,
    )
    raw.notify("initialized", {})
    small = root / "small.tex"
    small.write_text(SMALL)
    open_(raw, small.as_uri(), SMALL)
    return str(got["result"]["capabilities"].get("positionEncoding", "utf-16"))


def _malformed(rng: random.Random, uri: str) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:  # random bytes as a body
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    elif kind == 1:  # random JSON values
        body = json.dumps(rng.choice(ODD)).encode("utf-8", "surrogatepass")
    elif kind in (2, 3):  # a method with parameters of odd types
        params: Any = rng.choice(ODD)
        if rng.random() < 0.6:
            params = {"textDocument": rng.choice([*ODD, {"uri": uri}]),
                      "position": rng.choice(ODD), "range": rng.choice(ODD),
                      "contentChanges": rng.choice(ODD), "context": rng.choice(ODD)}  # fmt: skip
        msg: dict[str, Any] = {"jsonrpc": "2.0", "method": rng.choice(METHODS), "params": params}
        if kind == 2:
            msg["id"] = rng.choice([1, "a", None, [], 2**70])
        body = json.dumps(msg).encode("utf-8", "surrogatepass")
    elif kind == 4:  # a header that lies
        body = b"{}"
        return rng.choice([b"Content-Length: -3\r\n\r\n", b"Content-Length: 99999999999\r\n\r\n",
                           b"Content-Type: x\r\n\r\n", b"\r\n\r\n", b"Content-Length: 1e3\r\n\r\n"]) + body  # fmt: skip
    else:  # truncated JSON
        full = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover",
                           "params": {"textDocument": {"uri": uri}}}).encode()  # fmt: skip
        body = full[: rng.randrange(1, len(full))]
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def traffic(count: int) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="texgrad-traffic-") as tmp:
        root = Path(tmp)
        raw = RawServer(root)
        _start(raw, root)
        probe(raw, root, timeout=120)
        rng = random.Random(18)
        probes = failed = 0
        uri = (root / "other.tex").as_uri()  # (the probe's document is not closed or changed)
        open_(raw, uri, SMALL)
        for n in range(count):
            raw.write(_malformed(rng, uri))
            if n % 25 == 24:
                probes += 1
                try:
                    probe(raw, root, timeout=60)
                except (AssertionError, TypeError, KeyError) as exc:
                    failed += 1
                    print("probe failed after message", n, exc, file=sys.stderr)
        raw.request("shutdown", None)
        raw.notify("exit", None)
        status = raw.close()
        log = raw.log()
    return {"malformed messages": count, "probe hovers": probes, "probes failed": failed,
            "tracebacks in the log": log.count("Traceback"), "exit status": status}  # fmt: skip


# -- wrong edits -----------------------------------------------------------------------------

DOCS = [
    "Let $A \\in \\mathbb{R}^{m \\times n}$, $x \\in \\mathbb{R}^n$, $b \\in \\mathbb{R}^m$.\n"
    "The loss is $f(x) = \\|A x - b\\|^2$ and we note $g = x^\\top A^\\top A x$.\n"
    "Its gradient is $\\nabla_x (x^\\top A^\\top b) = A b$ here.\n",
    "Let $W \\in \\mathbb{R}^{k \\times n}$ and $v \\in \\mathbb{R}^n$.\n"
    "Then $h = \\operatorname{tr}(W^\\top W)$ and $s = \\log(1 + v^\\top v)$ hold.\n"
    "Also $W v$ and $v^\\top W^\\top W v$ appear.\n",
]
PREFIXES = ["", "😀 ", "数学 ", "e\u0301\u0301 ", "😀数学e\u0301 𝔸 "]


def _units(s: str, enc: str) -> int:
    if enc == "utf-8":
        return len(s.encode("utf-8"))
    if enc == "utf-32":
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def _lines(text: str) -> list[tuple[int, int]]:
    out, start, i = [], 0, 0
    while i < len(text):
        if text[i] in "\r\n":
            end = i
            i += 2 if text.startswith("\r\n", i) else 1
            out.append((start, end))
            start = i
        else:
            i += 1
    out.append((start, len(text)))
    return out


def _position(text: str, offset: int, enc: str) -> dict[str, int]:
    for n, (a, b) in enumerate(_lines(text)):
        if offset <= b:
            return {"line": n, "character": _units(text[a:offset], enc)}
    return {"line": len(_lines(text)) - 1, "character": 0}


def _offset(text: str, pos: dict[str, int], enc: str) -> int:
    lines = _lines(text)
    a, b = lines[min(pos["line"], len(lines) - 1)]
    units = 0
    for i in range(a, b):
        if units >= pos["character"]:
            return i
        units += _units(text[i], enc)
    return b


def _apply(text: str, edits: list[dict[str, Any]], enc: str) -> str:
    spans = [(_offset(text, e["range"]["start"], enc), _offset(text, e["range"]["end"], enc),
              e["newText"]) for e in edits]  # fmt: skip
    for a, b, new in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:a] + new + text[b:]
    return text


def _actions(raw: RawServer, uri: str, text: str, enc: str) -> dict[str, list[dict[str, Any]]]:
    """Per (formula, title): the edits of every action offered at each inline formula."""
    out: dict[str, list[dict[str, Any]]] = {}
    k = 0
    i = text.find("$")
    while i >= 0:
        j = text.find("$", i + 1)
        if j < 0:
            break
        pos = _position(text, i + 1, enc)
        got = raw.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": pos, "end": pos},
                "context": {"diagnostics": []},
            },  # fmt: skip
            timeout=120,
        )
        for action in got.get("result") or []:
            if action.get("edit") is None and action.get("data") is not None:
                action = raw.request("codeAction/resolve", action, timeout=120).get("result") or {}
            edit = action.get("edit") or {}
            edits = list((edit.get("changes") or {}).get(uri, []))
            for change in edit.get("documentChanges") or []:
                if change.get("textDocument", {}).get("uri") == uri:
                    edits += change.get("edits", [])
            if edits:
                out[f"{k}: {action.get('title')}"] = edits
        k += 1
        i = text.find("$", j + 1)
    return out


def edits() -> dict[str, int]:
    applied = wrong = 0
    examples: list[str] = []
    for enc in ("utf-16", "utf-8", "utf-32"):
        with tempfile.TemporaryDirectory(prefix="texgrad-edits-") as tmp:
            root = Path(tmp)
            raw = RawServer(root)
            told = _start(raw, root, enc)
            assert told == enc, (told, enc)
            probe(raw, root, timeout=120) if enc == "utf-16" else None
            for d, doc in enumerate(DOCS):
                plain_uri = (root / f"plain{d}.tex").as_uri()
                open_(raw, plain_uri, doc)
                want = {
                    t: _apply(doc, e, enc) for t, e in _actions(raw, plain_uri, doc, enc).items()
                }
                for p, prefix in enumerate(PREFIXES):
                    for crlf in (False, True):
                        text = "".join(prefix + line for line in doc.splitlines(True))
                        text = text.replace("\n", "\r\n") if crlf else text
                        uri = (root / f"v{d}_{p}_{int(crlf)}.tex").as_uri()
                        open_(raw, uri, text)
                        for title, found in _actions(raw, uri, text, enc).items():
                            applied += 1
                            got = _apply(text, found, enc).replace("\r\n", "\n")
                            if prefix:
                                got = got.replace(prefix, "")
                            if want.get(title) != got:
                                wrong += 1
                                examples.append(f"{enc} doc{d} prefix{p} crlf={crlf} {title}")
            raw.request("shutdown", None)
            raw.notify("exit", None)
            raw.close()
    for e in examples[:10]:
        print("wrong edit:", e, file=sys.stderr)
    return {"edits applied": applied, "wrong edits": wrong}


# -- outside reads ---------------------------------------------------------------------------

MARK = "OUTSIDE-SECRET-7f3a"


def outside() -> dict[str, int]:
    runs = seen = 0
    with tempfile.TemporaryDirectory(prefix="texgrad-outside-") as tmp:
        top = Path(tmp)
        (top / "secret.tex").write_text(f"$\\mathbf{{{MARK}}} \\in \\mathbb{{R}}^{{2}}$ {MARK}\n")
        (top / "secret2.tex").write_text(f"\\newcommand{{\\x}}{{{MARK}}}\n")
        proj = top / "a" / "b" / "proj"
        proj.mkdir(parents=True)
        (proj / "main.tex").write_text(
            "\\documentclass{article}\n\\input{../../../secret}\n\\input{/etc/hostname}\n"
            "\\input{../../../secret2}\n$\\x + 1$\n"
        )
        (proj / "link.tex").symlink_to(top / "secret.tex")
        (proj / "etc.tex").symlink_to("/etc/hostname")
        (proj / "sub").symlink_to(top)
        cwd_main = top / "main.tex"  # `diff` in a folder whose main.tex renews \top
        cwd_main.write_text(f"\\renewcommand{{\\top}}{{{MARK}}}\n")
        hostname = (
            Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else MARK
        )
        commands = [
            ["check", str(proj)], ["check", str(proj / "main.tex")],
            ["check", "a/b/proj/main.tex"], ["check", str(proj / "link.tex")],
            ["check", "--format", "json", str(proj)],
            ["diff", "x^\\top x", "--wrt", "x", "--where", "x \\in \\mathbb{R}^3"],
        ]  # fmt: skip
        for argv in commands:
            runs += 1
            got = subprocess.run(
                [sys.executable, "-m", "texgrad", *argv], cwd=top, capture_output=True, text=True,
                timeout=300, env=dict(os.environ, TEXGRAD_CACHE="off"),
            )  # fmt: skip
            said = got.stdout + got.stderr
            seen += MARK in said or (len(hostname) > 3 and hostname in said)
            if "Traceback" in said:
                print("traceback:", argv, file=sys.stderr)
    return {"outside-read runs": runs, "outside content shown": seen}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--parts", default="outside,edits,traffic")
    args = parser.parse_args()
    out: dict[str, Any] = {}
    for part in args.parts.split(","):
        got = {"outside": outside, "edits": edits}.get(part)
        out |= got() if got is not None else traffic(args.messages)
        print(json.dumps(out), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
