"""Time from opening a .tex file to its first diagnostic shown, in Neovim (0.7 and 0.11,
where found) and in Emacs (eglot), each set up with the README's snippet and ``texgrad`` on PATH, the server's default
debounce: the median of several runs, each a fresh editor and server.

    .venv/bin/python tests/editors/time_to_first_diagnostic.py [--runs 5]

Neovim counts from ``:edit`` to the diagnostic in ``vim.diagnostic.get``; Emacs from
``find-file`` to the diagnostic in ``flymake-diagnostics`` (both start the server on the
way, so the server's start is included).  An editor that is not installed is left out.
Last, the server alone over stdio: the same time without an editor, and the CPU time the
server spent until then, which does not grow with the machine's load as the others do."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.editors.harness import TEX, neovims, run_editor, texgrad_on_path
from tests.editors.readme import snippet

HERE = Path(__file__).parent


def nvim_argv(nvim: str, tmp: Path, heading: str) -> list[str]:
    init = tmp / "init.lua"
    init.write_text(snippet(heading, "lua"), encoding="utf-8")
    return [nvim, "--headless", "-u", str(init), "-i", "NONE", "-n", "-c",
            f"luafile {HERE / 'nvim_driver.lua'}"]  # fmt: skip


def emacs_argv(emacs: str, tmp: Path) -> list[str]:
    init = tmp / "init.el"
    init.write_text(snippet("Emacs (eglot)", "elisp"), encoding="utf-8")
    return [emacs, "--batch", "-l", str(init), "-l", str(HERE / "eglot_driver.el")]


def once(editor: str, program: str) -> float:
    """One run of ``editor`` ("nvim 0.7", "nvim 0.11" or "emacs") at ``program``."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        doc = tmp / "doc.tex"
        doc.write_text(TEX, encoding="utf-8")
        env = texgrad_on_path(tmp) | {"HOME": str(tmp)}
        env |= {f"XDG_{d}_HOME": str(tmp / d.lower()) for d in ("CACHE", "STATE", "DATA")}
        if editor == "emacs":
            argv = emacs_argv(program, tmp)
        elif editor == "nvim 0.11":
            argv = nvim_argv(program, tmp, "Neovim 0.11 and later")
        else:
            argv = nvim_argv(program, tmp, "Neovim 0.7 to 0.10")
        run = run_editor(argv, tmp, doc, {"cmd": None, "env": None}, env)
        errors = run.report.get("errors")
        if errors or len(run.report.get("diagnostics") or []) != 1:
            raise SystemExit(f"{editor}: no diagnostic ({errors}); server log:\n{run.stderr}")
        return float(run.report["first_diagnostic_ms"])


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _messages(stream: BinaryIO) -> Iterator[dict[str, Any]]:
    while True:
        headers = {}
        while (line := stream.readline().strip()) != b"":
            key, _, value = line.partition(b":")
            headers[key.strip().lower()] = value.strip()
        yield json.loads(stream.read(int(headers[b"content-length"])))


def server_alone() -> tuple[float, float]:
    """``texgrad lsp`` over stdio with no editor: wall and CPU milliseconds from its start to
    the first diagnostic of the .tex file (the CPU time does not grow with the load)."""
    with tempfile.TemporaryDirectory() as name:
        doc = Path(name) / "doc.tex"
        doc.write_text(TEX, encoding="utf-8")
        texgrad = Path(sys.executable).with_name("texgrad")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        proc = subprocess.Popen(
            [str(texgrad), "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdin is not None and proc.stdout is not None
        opened = {"uri": doc.as_uri(), "languageId": "latex", "version": 1, "text": TEX}
        for message in (
            {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
            {"method": "initialized", "params": {}},
            {"method": "textDocument/didOpen", "params": {"textDocument": opened}},
        ):
            proc.stdin.write(_frame({"jsonrpc": "2.0", **message}))
        proc.stdin.flush()
        for message in _messages(proc.stdout):
            if message.get("method") == "workspace/configuration":
                reply = {"jsonrpc": "2.0", "id": message["id"], "result": [None]}
                proc.stdin.write(_frame(reply))
                proc.stdin.flush()
            elif message.get("method") == "textDocument/publishDiagnostics":
                if message["params"]["diagnostics"]:
                    break
        wall = time.monotonic() - start
        proc.kill()
        proc.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return 1000 * wall, 1000 * cpu


def _summary(times: list[float]) -> str:
    times = sorted(times)
    return (
        f"median {statistics.median(times):.0f} ms (min {times[0]:.0f}, max {times[-1]:.0f}): "
        + ", ".join(f"{t:.0f}" for t in times)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print(f"{cores} cores, load average {load:.1f} (wall times grow with the load)")
    found = neovims()
    old = [v for v in found if v < (0, 11)]
    new = [v for v in found if v >= (0, 11)]
    programs = {
        "nvim 0.7": found[max(old)] if old else None,
        "nvim 0.11": found[max(new)] if new else None,
        "emacs": shutil.which("emacs"),
    }
    for editor, program in programs.items():
        if program is None:
            print(f"{editor}: not installed, left out")
            continue
        times = [once(editor, program) for _ in range(args.runs)]
        print(f"{editor} ({args.runs} runs): {_summary(times)}")
    alone = [server_alone() for _ in range(args.runs)]
    print(f"server alone, wall: {_summary([wall for wall, _ in alone])}")
    print(f"server alone, CPU:  {_summary([cpu for _, cpu in alone])}")


if __name__ == "__main__":
    main()
