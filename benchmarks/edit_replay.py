r"""What the language server's analysis thread does for each edit of the Matrix Cookbook,
replayed in one process: the figure two trees can be compared by on a loaded machine.

``benchmarks/lsp.py --only edit`` times the real server over stdio; on a shared machine its
wall clock is the neighbours' as much as texgrad's, and even its CPU figures move by ±30%
between rounds (the caches and the cores are shared).  This script runs the same three
kinds of edits as ``lsp.py`` (a blank at the end of a line of math, a letter typed after a
``\mathbf{A}``, a letter typed in prose; the same rows, in the same order) through what the
server's analysis thread runs for one (``stopping.Job`` of ``Workspace.analyse`` under
``collected_after``, as ``TexgradServer._analyse``), and prints each kind's median CPU time
of the thread (``time.thread_time``).  The server's event loop (reading the change,
converting and writing the publication) is not in it: ``lsp.py`` splits its CPU by thread.

``--tree DIR`` replays another checkout's ``DIR/server`` (e.g. ``/work/main``, or a ``git
worktree`` of an older commit) with this script; it runs in a process of its own either way,
with ``PYTHONHASHSEED=0`` and no parse cache (the first analysis parses every row).  Run two
trees in turn, several times: at a load of 9-14 on 2 cores a tree's medians moved by ±20%
between runs.  (Counting instructions under ``valgrind --tool=callgrind`` would be
load-proof, but at that load valgrind got 15% of a core: the Cookbook's first analysis alone
did not end in 7 minutes.)

    .venv/bin/python benchmarks/edit_replay.py [--repeat 30] [--tree DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = "matrix-cookbook-md/main.md"
KINDS = ("one-line edit", "letter in math", "letter in prose")


def edits(text: str, repeat: int) -> list[tuple[str, int, int, str]]:
    """The edits ``lsp.py`` makes, in its order, as (kind, line, column, text typed)."""
    lines = text.split("\n")
    out: list[tuple[str, int, int, str]] = []
    targets = [i for i, ln in enumerate(lines) if "$" in ln][:: max(1, len(lines) // (repeat * 8))]
    for k in range(repeat):
        i = targets[(k * 7) % len(targets)]
        out.append((KINDS[0], i, len(lines[i]), " "))
        lines[i] += " "
    rng = random.Random(1)
    spots = [(i, m.end()) for i, ln in enumerate(lines) for m in re.finditer(r"\\mathbf\{\w\}", ln)]
    for _ in range(repeat):
        i, col = rng.choice(spots)
        out.append((KINDS[1], i, col, "x"))
        lines[i] = lines[i][:col] + "x" + lines[i][col:]
        spots = [(j, c + 1 if j == i and c >= col else c) for j, c in spots]
    prose = _prose_lines(lines)
    for k in range(repeat):
        i = prose[(k * 7) % len(prose)]
        col = lines[i].find(" ", len(lines[i]) // 2)
        col = len(lines[i]) if col < 0 else col
        out.append((KINDS[2], i, col, "e"))
        lines[i] = lines[i][:col] + "e" + lines[i][col:]
    return out


def _prose_lines(lines: list[str]) -> list[int]:
    """As ``lsp.py``'s ``prose_lines``."""
    out, display = [], False
    for i, ln in enumerate(lines):
        if ln.count("$$") % 2 or ln.strip() in ("\\[", "\\]"):
            display = not display
            continue
        if not display and "$" not in ln and "\\" not in ln and len(ln.split()) >= 3:
            out.append(i)
    return out


# The child: the tree's own modules on its path, nothing of this checkout.
CHILD = r"""
import json, sys, time
path, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
plan = json.loads(sys.stdin.read())
from texgrad.workspace import Workspace
from texgrad.protocol.stopping import Job
from texgrad.protocol.collection import collected_after

ws = Workspace()
ws.folders = [folder]

def analyse(text):
    def run():
        with collected_after():
            return ws.analyse(path, text, {}, "markdown")
    return Job(run, cooperative=True).run()

text = open(path, encoding="utf-8").read()
first = analyse(text)
assert first.result is not None
times = []
for kind, i, col, new in plan[:count]:
    lines = text.split("\n")
    at = sum(len(ln) + 1 for ln in lines[:i]) + col
    text = text[:at] + new + text[at:]
    t = time.thread_time()
    got = analyse(text)
    times.append((kind, (time.thread_time() - t) * 1000, len(got.result.diagnostics)))
print(json.dumps(times))
"""


def child(tree: Path, plan: list[tuple[str, int, int, str]], count: int) -> list[Any]:
    cookbook = CORPUS / COOKBOOK
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "server"),
        "PYTHONHASHSEED": "0",
        "TEXGRAD_CACHE": "off",  # (no parse cache: the first analysis parses, the same each run)
        "TEXGRAD_CODE_CACHE": "off",
    }
    cmd = [sys.executable, "-c", CHILD, str(cookbook), str(CORPUS), str(count)]
    got = subprocess.run(
        cmd, input=json.dumps(plan), env=env, capture_output=True, text=True, check=True
    )
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30, help="edits of each kind")
    ap.add_argument("--tree", type=Path, default=REPO, help="the checkout to replay")
    args = ap.parse_args()
    if not (CORPUS / COOKBOOK).is_file():
        print(f"benchmarks/edit_replay.py: the shared corpus is not at {CORPUS}; nothing measured.")
        return 0
    plan = edits((CORPUS / COOKBOOK).read_text(encoding="utf-8"), args.repeat)
    tree = args.tree.resolve()
    got = child(tree, plan, len(plan))
    print(f"{tree}: the analysis thread's CPU per edit (ms), {args.repeat} edits of each kind")
    for kind in KINDS:
        ms = sorted(t for k, t, _ in got if k == kind)
        print(
            f"  {kind:<16} median {statistics.median(ms):6.2f}   p95 "
            f"{ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]:6.2f}   total {sum(ms):7.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
