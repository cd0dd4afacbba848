r"""Cold, whole-process figures: what a user waits for from pressing Enter to the answer.

Every figure is a fresh process (Python's start-up and every import included), run several
times; the cases take turns (round-robin), so that a busy machine slows them alike.  Printed
per case: the median wall time and the median CPU time (user + system, of the process and
its children), the target and the ratio to it, measured in the same run:

- *floor*: a process that finds the Matrix Cookbook's math with a regular expression and
  parses every piece with a toy Lark LALR grammar (written below) — the least a tool
  reading that file in Python does;
- ``texgrad check`` of the Cookbook (target: ≤ 2× the floor) and of a small file, each
  with no cache (``TEXGRAD_CACHE=off``: every row parsed, everything checked), and warm (a
  second run: the results kept by ``cli_check_cache``); the Cookbook also with its parsed
  rows kept but not its results (``TEXGRAD_CHECK_CACHE=off``). The caches are in a folder
  of the run's own, filled by the first, uncounted run;
- *sympy*: a fresh Python process computing the derivative of x^T A x with SymPy's
  ``MatrixSymbol`` (import and derivative), against ``texgrad diff 'x^\top A x'``
  (verification included; target: ≤ 1× SymPy's);
- ``texgrad --version``, ``--help``, ``diff --help``, ``check --help`` (target ≤ 0.1 s);
- the language server: ``texgrad lsp`` spawned, ``initialize`` sent over stdio, the time
  to its response (target ≤ 0.5 s; CPU read from /proc at that moment, where there is one),
  then ``initialized`` and the Cookbook opened: the time from ``didOpen`` to its first
  ``publishDiagnostics`` (the issue's target: ≤ 0.4 s).

    .venv/bin/python benchmarks/cold.py [--repeat 7] [--texgrad CMD] [--baseline CMD]

Python's bytecode is written and read as after an install (pip compiles it): in a cache
folder of the run's own (``PYTHONPYCACHEPREFIX``), filled by a first run of every case that is
not counted, even where ``PYTHONDONTWRITEBYTECODE`` is set (as in this repository's sandbox,
where every start would otherwise compile texgrad's sources again); ``--source`` measures
that instead.

``--texgrad`` names the command to measure (default: the ``texgrad`` next to this Python);
``--baseline`` a second one measured in the same run, turn about (e.g. another checkout's
``.venv/bin/texgrad``), printed beside with the ratio after/before.  Without the shared
corpus (``../shared/corpus``, or ``TEXGRAD_CORPUS``) the script says so and stops.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = "matrix-cookbook-md/main.md"

FLOOR = Path(__file__).with_name("parsing_floor.py")  # (the one floor of parsing.py too)

SYMPY_DIFF = (
    "from sympy import MatrixSymbol, symbols\n"
    "n = symbols('n', integer=True, positive=True)\n"
    "A = MatrixSymbol('A', n, n); x = MatrixSymbol('x', n, 1)\n"
    "print((x.T * A * x).diff(x))\n"
)

SMALL = r"""Notes. Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$, $x \in \mathbb{R}^n$
and $\lambda \in \mathbb{R}$.

$$
f(x) = \frac{1}{2}\|A x - b\|_2^2 + \frac{\lambda}{2} x^\top x
$$

The residual $r = A x - b$ is in $\mathbb{R}^m$, and $A^\top r \in \mathbb{R}^n$.
"""


@dataclass
class Case:
    name: str
    run: Callable[[], tuple[float, float]]  # one run: (wall seconds, CPU seconds)
    target: str = ""  # how the target is said
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus) if self.cpus else float("nan")


def timed(
    argv: list[str], ok: tuple[int, ...] = (0, 1), env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall and CPU time (user + system, its children included) of one process (``env``:
    variables set besides ``ENV``)."""
    _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=300,
                          env={**ENV, **(env or {})})  # fmt: skip
    wall = time.perf_counter() - t0
    cpu = _children_cpu()
    if proc.returncode not in ok:
        said = proc.stderr.decode(errors="replace")[-500:]
        raise SystemExit(f"{shlex.join(argv)} failed ({proc.returncode}): {said}")
    return wall, cpu


_last_children_cpu = 0.0
ENV = dict(os.environ)  # the children's environment (see main: bytecode, the cache folder)
NO_CACHE = {"TEXGRAD_CACHE": "off"}  # neither parses nor check results read or kept
PARSES_ONLY = {"TEXGRAD_CHECK_CACHE": "off"}  # parsed rows kept, check results not


def _children_cpu() -> float:
    """CPU (user + system) of the child processes reaped since the last call (the
    children's children that they waited for included)."""
    global _last_children_cpu
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    now = r.ru_utime + r.ru_stime
    delta, _last_children_cpu = now - _last_children_cpu, now
    return delta


# -- the language server ---------------------------------------------------------------


class Lsp:
    """``texgrad lsp`` over stdio, framed by hand (Content-Length headers)."""

    def __init__(self, argv: list[str]):
        self.t0 = time.perf_counter()
        self.log = tempfile.TemporaryFile()  # its stderr, said if it exits
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=ENV
        )
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii").partition(":")
                if key.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            self.inbox.put(json.loads(out.read(length)))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def wait(self, test: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
        end = time.perf_counter() + timeout
        while True:
            msg = self.inbox.get(timeout=max(0.01, end - time.perf_counter()))
            if msg is None:
                self.proc.wait(timeout=30)
                self.log.seek(0)
                said = self.log.read().decode(errors="replace")[-2000:]
                raise SystemExit(f"the language server exited ({self.proc.returncode}): {said}")
            if "id" in msg and "method" in msg:  # a request of the server's: answer nothing
                self.send({"id": msg["id"], "result": None})
            if test(msg):
                return msg

    def cpu(self) -> float:
        """The server's CPU time so far (Linux: /proc; elsewhere NaN)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        try:
            self.send({"id": 99, "method": "shutdown"})
            self.wait(lambda m: m.get("id") == 99, timeout=30)
            self.send({"method": "exit"})
            self.proc.wait(timeout=30)
        except (OSError, queue.Empty, subprocess.TimeoutExpired, SystemExit):
            self.proc.kill()
            self.proc.wait()
        _children_cpu()  # not counted in the next process' CPU


def server_runs(argv: list[str], cookbook: Path) -> tuple[Case, Case, Case]:
    """Three cases fed by one server per run: start → initialize's answer, didOpen → first
    diagnostics of the Cookbook, and start → those diagnostics (what a user opening the
    Cookbook in a fresh editor waits)."""
    start = Case("server: start → initialize answered", lambda: (0.0, 0.0), "≤ 0.5 s")
    first = Case("server: didOpen → first diagnostics (Cookbook)", lambda: (0.0, 0.0), "≤ 0.4 s")
    whole = Case("server: start → first diagnostics (Cookbook)", lambda: (0.0, 0.0))
    text = cookbook.read_text(encoding="utf-8")

    def run() -> tuple[float, float]:
        lsp = Lsp(argv)
        try:
            lsp.send({"id": 1, "method": "initialize",
                      "params": {"processId": os.getpid(), "rootUri": None, "capabilities": {}}})  # fmt: skip
            lsp.wait(lambda m: m.get("id") == 1)
            wall, cpu = time.perf_counter() - lsp.t0, lsp.cpu()
            lsp.send({"method": "initialized", "params": {}})
            uri = cookbook.as_uri()
            t1 = time.perf_counter()
            lsp.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "markdown", "version": 1, "text": text}}})  # fmt: skip
            lsp.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                     and m["params"]["uri"] == uri)  # fmt: skip
            first.walls.append(time.perf_counter() - t1)
            first.cpus.append(lsp.cpu() - cpu)
            whole.walls.append(time.perf_counter() - lsp.t0)
            whole.cpus.append(lsp.cpu())
        finally:
            lsp.close()
        return wall, cpu

    start.run = run
    return start, first, whole


# -- the cases -------------------------------------------------------------------------


def texgrad_cases(label: str, texgrad: list[str], cookbook: Path, small: Path) -> list[Case]:
    diff = [*texgrad, "diff", r"x^\top A x", "--where",
            r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n", "--wrt", "x"]  # fmt: skip
    check, book = [*texgrad, "check"], str(cookbook)
    cases = [
        Case(
            f"{label}check Cookbook, no cache",
            lambda: timed([*check, book], env=NO_CACHE),
            "≤ 2× floor",
        ),
        Case(f"{label}check Cookbook, parses kept", lambda: timed([*check, book], env=PARSES_ONLY)),
        Case(f"{label}check Cookbook, warm", lambda: timed([*check, book]), "≤ 2× floor"),
        Case(
            f"{label}check small file, no cache", lambda: timed([*check, str(small)], env=NO_CACHE)
        ),
        Case(f"{label}check small file, warm", lambda: timed([*check, str(small)])),
        Case(f"{label}diff x^T A x", lambda: timed(diff), "≤ 1× sympy"),
        Case(f"{label}--version", lambda: timed([*texgrad, "--version"]), "≤ 0.1 s"),
        Case(f"{label}--help", lambda: timed([*texgrad, "--help"]), "≤ 0.1 s"),
        Case(f"{label}diff --help", lambda: timed([*texgrad, "diff", "--help"]), "≤ 0.1 s"),
        Case(f"{label}check --help", lambda: timed([*texgrad, "check", "--help"]), "≤ 0.1 s"),
    ]
    server = server_runs([*texgrad, "lsp"], cookbook)
    for case in server:
        case.name = label + case.name
    return [*cases, *server]


def default_texgrad() -> list[str]:
    script = Path(sys.executable).parent / "texgrad"
    return [str(script)] if script.exists() else [sys.executable, "-m", "texgrad"]


def ratio_to(case: Case, by_name: dict[str, Case]) -> str:
    """The case's target and how it stands, from figures of this run (wall; CPU)."""
    if case.target.startswith("≤ ") and case.target.endswith(" s"):
        limit = float(case.target[2:-2])
        return f"{case.target}: {case.wall / limit:.2f}× ({case.cpu / limit:.2f}× in CPU)"
    base = {"≤ 2× floor": "floor (regex + toy LALR)", "≤ 1× sympy": "sympy: fresh process, x^T A x"}
    if case.target in base:
        b = by_name[base[case.target]]
        return f"{case.target}: {case.wall / b.wall:.2f}× ({case.cpu / b.cpu:.2f}× in CPU)"
    return ""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--texgrad", help="the command measured (default: texgrad of this Python)")
    ap.add_argument("--baseline", help="a second texgrad command measured in the same run")
    ap.add_argument("--only", nargs="*", default=[], help="cases whose name holds one of these")
    ap.add_argument(
        "--source",
        action="store_true",
        help="keep the environment's PYTHONDONTWRITEBYTECODE (compile sources at every start)",
    )
    args = ap.parse_args()
    cookbook = CORPUS / COOKBOOK
    if not cookbook.is_file():
        print(f"skipped: the shared corpus is not at {CORPUS} (set TEXGRAD_CORPUS)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        if not args.source:
            ENV.pop("PYTHONDONTWRITEBYTECODE", None)
            ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        for name in ("TEXGRAD_CACHE", "TEXGRAD_CHECK_CACHE"):
            ENV.pop(name, None)
        ENV["TEXGRAD_CACHE_DIR"] = str(Path(tmp) / "cache")  # (warmed by the first runs)
        # the server rows measure the analysis, not a copy kept from an earlier session: the
        # first document is analysed before the server loads (protocol/early_analysis.py;
        # the first, uncounted run notes that the client's configuration agrees), nothing
        # kept is published (a texgrad before that reads "analyse" as on, but keeps nothing
        # from sessions as short as these: STORE_AFTER)
        ENV["TEXGRAD_KEEP_DIAGNOSTICS"] = "analyse"
        small = Path(tmp) / "small.md"
        small.write_text(SMALL, encoding="utf-8")
        texgrad = shlex.split(args.texgrad) if args.texgrad else default_texgrad()
        cases = [
            Case("floor (regex + toy LALR)", lambda: timed([sys.executable, str(FLOOR), str(cookbook)])),
            Case("sympy: fresh process, x^T A x", lambda: timed([sys.executable, "-c", SYMPY_DIFF])),
            *texgrad_cases("", texgrad, cookbook, small),
        ]  # fmt: skip
        if args.baseline:
            cases += texgrad_cases("before: ", shlex.split(args.baseline), cookbook, small)
        if args.only:
            keep = ("floor", "sympy", *args.only)
            cases = [c for c in cases if any(k in c.name for k in keep)]
        for c in cases:  # one run each first: nothing is cold on disk when measuring
            if "first diagnostics" not in c.name:  # (measured by its server's start run)
                c.run()
        for c in cases:
            c.walls.clear()
            c.cpus.clear()
        for _ in range(args.repeat):
            for c in cases:
                if "first diagnostics" in c.name:
                    continue  # measured by its server's start run
                wall, cpu = c.run()
                c.walls.append(wall)
                c.cpus.append(cpu)
        by_name = {c.name: c for c in cases}
        print(f"{len(cases)} cases, {args.repeat} runs each (median); {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.1f}; bytecode "
              f"{'compiled at every start' if args.source else 'cached'}")  # fmt: skip
        print(f"{'case':<52} {'wall':>8} {'CPU':>8}")
        for c in cases:
            ratio = ratio_to(c, by_name)
            before = by_name.get("before: " + c.name)
            vs = (
                f"; before {before.wall:.3f} s, {before.cpu:.3f} s CPU "
                f"(now {c.wall / before.wall:.2f}×, {c.cpu / before.cpu:.2f}× in CPU)"
                if before
                else ""
            )
            print(f"{c.name:<52} {c.wall:7.3f}s {c.cpu:7.3f}s  {ratio}{vs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
