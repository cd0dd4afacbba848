r"""Mutated corpus documents through reading and checking: exceptions, slow cases and
incremental-vs-fresh mismatches counted (issue 18's fuzz run).

Each input is made from its seed alone (``random.Random(seed)``): a piece of a corpus
document (a few kB cut at line starts, so that each check stays quick), mutated one to six
times — a span deleted, duplicated or two spans swapped, a ``$``, ``{``, ``}``,
``\begin{…}``/``\end{…}``, a random macro definition or call, an odd ``\input``, non-ASCII
text (CJK, emoji, combining marks, NUL, lone surrogates) inserted, the end cut off.  Each is
then

* read and checked as a file of its own folder (``load_project`` + ``Checker.check``),
* checked incrementally: a checker that checked the unmutated piece checks the mutated text
  (the editor path, see tests/test_incremental.py), and compared with a fresh checker on
  emptied caches — the diagnostics (range, code, message) must be the same.

A case taking more than :data:`SLOW_SECONDS` of processor time is slow (the wall clock is
recorded too: on a shared machine it measures the neighbours); one running past ``limit``
seconds of wall clock is stopped by an alarm and counted as a hang.  Run it alone::

    .venv/bin/python -m tests.fuzz_documents 20000 [--first 0] [--json out.json]

The default test run takes a smoke subset (tests/test_fuzz.py); ``TEXGRAD_FUZZ=20000``
makes that test run the full count.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
SLOW_SECONDS = 2.0

ENVIRONMENTS = ["equation", "align", "align*", "bmatrix", "pmatrix", "cases", "aligned", "array",
                "verbatim", "itemize", "proof", "gather", "multline", "split", "lstlisting"]  # fmt: skip
INSERTS = [
    "$", "$$", "\\(", "\\)", "\\[", "\\]", "{", "}", "\\{", "\\}", "(", ")", "[", "]", "|", "\\|",
    "&", "\\\\", "%", "^", "_", "'", "\n", "\n\n", "\\left(", "\\right)", "\\frac", "\\sqrt[",
    "\\mathbb{R}^{n \\times m}", "\\top", "^{-1}", "\\sum_{i=1}^n", "\\text{", "\\verb|", "`",
    "```", "```math\n", "~~~\n", "\\label{", "\\operatorname{", "\\partial", "\\nabla_x",
    "\\in", " = ", "A x", "x^\\top A", "\\operatorname{tr}(A)", "% texgrad: A n×m\n",
]  # fmt: skip
NON_ASCII = ["ü", "数学", "😀", "e\u0301", "\u200b", "\ufeff", "\x00", "\ud800", "\udcff",
             "\r\n", "\u2028", "ℝ", "∈", "×", "\x0c"]  # fmt: skip
MACROS = [
    "\\newcommand{\\vx}{\\mathbf{x}}", "\\newcommand{\\a}{\\a\\a}", "\\def\\b#1{#1#1}",
    "\\b{\\b{\\b{x}}}", "\\newcommand{\\n}[1]{\\|#1\\|}", "\\n{", "\\renewcommand{\\top}{T}",
    "\\DeclareMathOperator{\\tr}{tr}", "\\let\\x\\y", "\\vx", "\\a", "\\newcommand{\\c}[2][x]{#1#2}",
    "\\c{y}", "\\c[z]{w}", "\\input{", "\\input{macros}", "\\input{../../etc/passwd}",
    "\\input{" + "a" * 300 + "}", "\\input{a\x00b}", "\\include{sections/x}", "% !TEX root = ../x.tex\n",
]  # fmt: skip


def corpus_texts() -> list[tuple[str, str]]:
    """(suffix, text) of every corpus document (a document of ours without the corpus)."""
    if not CORPUS.is_dir():
        path = REPO / "examples" / "least-squares.tex"
        return [(".tex", path.read_text(encoding="utf-8"))]
    return [
        (p.suffix, p.read_text(encoding="utf-8"))
        for p in sorted(CORPUS.rglob("*"))
        if p.suffix in (".tex", ".md")
    ]


def _piece(rng: random.Random, text: str) -> str:
    """A few kB of ``text`` from a line start (the whole text, one time in ten, when short)."""
    if len(text) < 6000 and rng.random() < 0.1:
        return text
    length = rng.randint(300, 4000)
    start = rng.randrange(max(1, len(text) - length))
    start = text.rfind("\n", 0, start) + 1
    return text[start : start + length]


def _span(rng: random.Random, text: str) -> tuple[int, int]:
    a = rng.randint(0, len(text))
    return a, min(len(text), a + rng.randint(0, 200))


def mutate(rng: random.Random, text: str) -> str:
    """One random mutation of ``text``."""
    op = rng.randrange(9)
    a, b = _span(rng, text)
    at = rng.randint(0, len(text))
    if op == 0:  # delete a span
        return text[:a] + text[b:]
    if op == 1:  # duplicate a span
        return text[:b] + text[a:b] + text[b:]
    if op == 2:  # swap two spans
        c, d = _span(rng, text)
        (a, b), (c, d) = sorted([(a, b), (c, d)])
        if c < b:
            return text
        return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]
    if op == 3:
        insert = rng.choice(INSERTS)
    elif op == 4:
        env = rng.choice(ENVIRONMENTS)
        insert = rng.choice([f"\\begin{{{env}}}", f"\\end{{{env}}}", f"\\begin{{{env}}}x\\\\"])
    elif op == 5:
        insert = rng.choice(MACROS)
    elif op == 6:
        insert = "".join(rng.choice(NON_ASCII) for _ in range(rng.randint(1, 3)))
    elif op == 7:  # truncate
        return text[:at]
    else:  # a few of the inserts at once
        insert = "".join(rng.choice(INSERTS) for _ in range(rng.randint(2, 6)))
    return text[:at] + insert + text[at:]


def make_case(seed: int, texts: list[tuple[str, str]]) -> tuple[str, str, str]:
    """(suffix, unmutated piece, mutated piece) of the input numbered ``seed``."""
    rng = random.Random(seed)
    suffix, text = texts[rng.randrange(len(texts))]
    base = _piece(rng, text)
    mutated = base
    for _ in range(rng.randint(1, 6)):
        mutated = mutate(rng, mutated)
    return suffix, base, mutated


@dataclass
class Outcome:
    tried: int = 0
    exceptions: list[dict[str, object]] = field(default_factory=list)
    slow: list[dict[str, object]] = field(default_factory=list)
    hangs: list[dict[str, object]] = field(default_factory=list)
    mismatches: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    slowest: tuple[float, int] = (0.0, -1)

    def counts(self) -> dict[str, object]:
        return {
            "inputs": self.tried,
            "exceptions": len(self.exceptions),
            "slow (> 2 s)": len(self.slow),
            "hangs": len(self.hangs),
            "incremental mismatches": len(self.mismatches),
            "seconds": round(self.seconds, 1),
            "slowest": {"seconds": round(self.slowest[0], 2), "seed": self.slowest[1]},
        }


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Hang


def _facts(result: object) -> list[tuple[object, ...]]:
    return [(d.start, d.end, d.code, d.message) for d in result.diagnostics]  # type: ignore[attr-defined]


def check_case(folder: Path, suffix: str, base: str, mutated: str) -> str | None:
    """Read and check ``mutated`` fresh and after ``base`` (incrementally); a description of
    the first difference, or None.  Raises what texgrad raises."""
    from texgrad.reading.document import clear_caches
    from texgrad.reading.project import load_project
    from texgrad.shapes.check import Checker

    path = folder / f"doc{suffix}"
    path.write_text(base.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "utf-8")
    key = str(path.resolve())
    # as the editor does it: the project of the unmutated text, then the project found again
    # for the mutated one (its includes may have changed) with the same checker
    incremental = Checker()
    incremental.check(key, load_project(key, folder=folder, overrides={key: base}), folder, base)
    project = load_project(key, folder=folder, overrides={key: mutated})
    after = _facts(incremental.check(key, project, folder, text=mutated))
    clear_caches()
    project = load_project(key, folder=folder, overrides={key: mutated})
    fresh = _facts(Checker().check(key, project, folder, text=mutated))
    if after != fresh:
        only_a = [f for f in after if f not in fresh][:3]
        only_f = [f for f in fresh if f not in after][:3]
        return f"incremental only: {only_a}; fresh only: {only_f}"
    return None


def run(
    seeds: range, limit: float = 30.0, progress: Callable[[Outcome], None] | None = None
) -> Outcome:
    """Every input of ``seeds`` through :func:`check_case`, each bounded by ``limit`` s."""
    texts = corpus_texts()
    out = Outcome()
    use_alarm = hasattr(signal, "SIGALRM")
    old = signal.signal(signal.SIGALRM, _alarm) if use_alarm else None
    try:
        with tempfile.TemporaryDirectory(prefix="texgrad-fuzz-") as tmp:
            check_case(Path(tmp), ".tex", "$x$", "$x + 1$")  # imports: not counted
            start = time.perf_counter()
            for seed in seeds:
                suffix, base, mutated = make_case(seed, texts)
                folder = Path(tmp) / str(seed % 16)
                folder.mkdir(exist_ok=True)
                _one(out, seed, folder, suffix, base, mutated, limit, use_alarm)
                if progress is not None and out.tried % 500 == 0:
                    progress(out)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    out.seconds = time.perf_counter() - start
    return out


def _one(
    out: Outcome, seed: int, folder: Path, suffix: str, base: str, mutated: str,
    limit: float, use_alarm: bool,
) -> None:  # fmt: skip
    out.tried += 1
    t0, c0 = time.perf_counter(), time.process_time()
    if use_alarm:
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        differs = check_case(folder, suffix, base, mutated)
    except _Hang:
        out.hangs.append({"seed": seed, "chars": len(mutated)})
        return
    except Exception as exc:  # noqa: BLE001 (what the fuzz run is for)
        tb = traceback.extract_tb(exc.__traceback__)
        where = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in tb[-3:]]
        out.exceptions.append(
            {"seed": seed, "error": f"{type(exc).__name__}: {exc}"[:300], "where": where}
        )
        return
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
    # the processor time: on a shared machine the wall clock measures the neighbours
    seconds, wall = time.process_time() - c0, time.perf_counter() - t0
    out.slowest = max(out.slowest, (seconds, seed))
    if seconds > SLOW_SECONDS:
        out.slow.append(
            {
                "seed": seed,
                "seconds": round(seconds, 2),
                "wall": round(wall, 2),
                "chars": len(mutated),
            }
        )
    if differs is not None:
        out.mismatches.append({"seed": seed, "difference": differs[:600]})


def _cases(seeds: range) -> Iterator[tuple[int, str, str, str]]:
    texts = corpus_texts()
    for seed in seeds:
        yield (seed, *make_case(seed, texts))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("count", type=int, nargs="?", default=200)
    p.add_argument("--first", type=int, default=0, help="the first seed")
    p.add_argument("--limit", type=float, default=30.0, help="seconds before a case is a hang")
    p.add_argument("--json", help="write every finding to this file")
    p.add_argument("--show", type=int, help="print the input of this seed and stop")
    args = p.parse_args(argv)
    if args.show is not None:
        suffix, base, mutated = make_case(args.show, corpus_texts())
        sys.stdout.write(f"% {suffix}\n{mutated}")
        return 0

    def save(o: Outcome) -> None:  # (also as it goes: a run stopped early keeps its findings)
        if args.json:
            found = {"exceptions": o.exceptions, "slow": o.slow, "hangs": o.hangs,
                     "mismatches": o.mismatches}  # fmt: skip
            Path(args.json).write_text(json.dumps({"counts": o.counts(), **found}, indent=1))

    def progress(o: Outcome) -> None:
        print(json.dumps(o.counts(), ensure_ascii=False), file=sys.stderr, flush=True)
        save(o)

    out = run(range(args.first, args.first + args.count), args.limit, progress)
    print(json.dumps(out.counts(), ensure_ascii=False, indent=1))
    save(out)
    return 1 if out.exceptions or out.hangs or out.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
