r"""Where the language server's CPU goes between opening the Matrix Cookbook and its first
diagnostics (issue 17: ≤ 0.4 s), stage by stage, each in fresh processes.

Every row is a fresh Python process timing one stage with ``time.process_time`` (the
stages before it done first and not counted), run several times, turn about; printed:
the median CPU time of the stage and of the path up to it.  Two paths:

- *pygls first*: what ``texgrad lsp`` ran before the early analysis — pygls and
  lsprotocol with the features (``texgrad.protocol.app``), the checker (the parser
  and the shape rules; its dimensions are texgrad's own, ``shapes/dim_terms.py``), the Cookbook's analysis (its rows' trees read from a parse
  cache filled by a first, uncounted run, as in ``benchmarks/cold.py``), its diagnostics
  converted to LSP's types and unstructured by pygls's converter;
- *analysed first*: what ``texgrad lsp`` runs now (``protocol/early_analysis.py``) — the
  same analysis before pygls and lsprotocol are loaded, its diagnostics made into JSON
  without them by ``protocol/plain_diagnostics.py`` (option (a) of the plan in
  ``docs/architecture.md``, "First diagnostics of a cold server"); then the server loaded
  and its own first analysis of the same text in the same workspace (when it is ready for
  everything else); then, for comparison, ``import sympy`` alone (what the checker
  imported for its dimensions before ``shapes/dim_terms.py``; the path no longer loads it).

    .venv/bin/python benchmarks/first_diagnostics.py [--repeat 5]

Python's bytecode is read from a cache folder of the run's own, filled by the first run.
Without the shared corpus (``../shared/corpus``, or ``TEXGRAD_CORPUS``) the script says so
and stops.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = "matrix-cookbook-md/main.md"

# One child's program: the stages in order, each timed; prints {stage: cpu seconds}.
CHILD = r"""
import json, sys, time
path, upto = sys.argv[1], sys.argv[2].split(",")
out = {}
def stage(name, run):
    t = time.process_time()
    value = run()
    out[name] = time.process_time() - t
    return value

def early():
    import texgrad.protocol.early_initialize  # noqa: F401  (texgrad lsp's first import)
    import texgrad.protocol.early_diagnostics  # noqa: F401

def server():
    import texgrad.protocol.app  # noqa: F401  (pygls, lsprotocol, the features)

def checker():
    from texgrad.workspace import Workspace
    ws = Workspace()
    ws.checker
    return ws

def sympy_alone():
    import sympy  # noqa: F401

def plain(analysis):
    from texgrad.protocol.plain_diagnostics import diagnostics_json
    found = diagnostics_json(analysis, "utf-16")
    return json.dumps({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                       "params": {"uri": "file://" + path, "diagnostics": found}})

def lsp(analysis):
    from unittest import mock
    from lsprotocol import types
    from pygls.workspace.position_codec import PositionCodec
    from texgrad.protocol import diagnostics
    from texgrad.protocol.convert import Positions
    from texgrad.protocol.server import TexgradServer
    server = TexgradServer()
    codec = PositionCodec(types.PositionEncodingKind.Utf16)
    with mock.patch.object(TexgradServer, "positions_of", lambda s, p, t: Positions(t, codec)):
        found = diagnostics.diagnostics_of(server, analysis)
    return json.dumps(server.protocol._converter.unstructure(found, list[types.Diagnostic]))

text = open(path, encoding="utf-8").read()
if "sympy" in upto:
    stage("import sympy", sympy_alone)
stage("early start (stdlib)", early)
if "server" in upto:
    stage("import pygls + lsprotocol + features", server)
ws = stage("import the checker (parser, shape rules)", checker)
analysis = stage("analyse the Cookbook (parses kept)", lambda: ws.analyse(path, text, {}))
if "lsp" in upto:
    stage("diagnostics → LSP types → JSON", lambda: lsp(analysis))
if "plain" in upto:
    stage("diagnostics → JSON (stdlib)", lambda: plain(analysis))
if "after" in upto:  # (the server loaded after publishing, its analysis reusing the work)
    stage("then: import pygls + lsprotocol + features", server)
    stage("then: the server's analysis of the same text", lambda: ws.analyse(path, text, {}))
print(json.dumps(out))
"""

PATHS = {
    "pygls first (before the early analysis)": "server,lsp",
    "analysed first (no pygls before publishing), then the server": "plain,after",
    "for comparison: import sympy alone, then analysed first": "sympy,plain",
}


def run(cookbook: Path, upto: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(cookbook), upto],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cookbook = CORPUS / COOKBOOK
    if not cookbook.is_file():
        print(f"no corpus at {CORPUS} (TEXGRAD_CORPUS): nothing to measure")
        return 1
    with tempfile.TemporaryDirectory(prefix="texgrad-first-") as tmp:
        env = {
            **os.environ,
            "PYTHONPYCACHEPREFIX": os.path.join(tmp, "pyc"),
            "TEXGRAD_CACHE_DIR": os.path.join(tmp, "cache"),
        }
        for name in ("PYTHONDONTWRITEBYTECODE", "TEXGRAD_CACHE", "TEXGRAD_CHECK_CACHE"):
            env.pop(name, None)
        for upto in PATHS.values():  # bytecode compiled, the Cookbook's rows parsed: uncounted
            run(cookbook, upto, env)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in PATHS}
        for _ in range(args.repeat):
            for name, upto in PATHS.items():
                runs[name].append(run(cookbook, upto, env))
    print(f"{args.repeat} runs each (median CPU, s); 2 CPUs shared: load {os.getloadavg()[0]:.1f}")
    for name, samples in runs.items():
        print(f"\n{name}")
        total = 0.0
        for stage in samples[0]:
            value = statistics.median(s[stage] for s in samples)
            total += value
            print(f"  {stage:<44} {value:6.3f}   {total:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
