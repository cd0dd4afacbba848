r"""The cost of checking the derivatives documents write (``wrong-derivative``), beside the
shape check it follows (prints figures; not a test).

For each document: the CPU seconds (user + sys of this process) and wall seconds of the
shape check (``Checker.check``) and of the written-derivative check (``check_written``, as
``texgrad check`` runs it: ``only_findings``, so "verified" counts only the claims it had to
decide; ``--full`` decides every one, as ``identities.py``), and what the check found:
claims read, verified, flagged, and left unchecked when its time ran out.  Each document is checked in a fresh process
(``--repeat`` times; the best CPU time is printed) so that one's caches do not help the
next.  A 1 MB "thesis" can be made from the corpus (``--thesis``: the Markdown documents
concatenated, each under a chapter heading, until 1 MB).

    .venv/bin/python benchmarks/derivative_check.py [--repeat 3] [--thesis] [DOC ...]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as texgrad runs: cli.one_blas_thread
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT = ("matrix-cookbook-md/main.md", "tensor-cookbook/chapters/functions.tex")
THESIS_PARTS = (
    "matrix-cookbook-md/main.md", "parr-howard-matrix-calculus/matrix-calculus.md",
    "d2l-en/multivariable-calculus.md", "d2l-en/linear-algebra.md", "d2l-en/backprop.md",
    "quantecon/linear_algebra.md", "quantecon/linear_models.md",
)  # fmt: skip


def thesis(folder: Path, size: int = 1_000_000) -> Path:
    """The corpus' Markdown documents one after another, each a chapter, until ``size``."""
    parts, total, i = [], 0, 0
    while total < size:
        name = THESIS_PARTS[i % len(THESIS_PARTS)]
        text = (CORPUS / name).read_text(encoding="utf-8")
        parts.append(f"\n\n# Chapter {i + 1}: {name}\n\n{text}")
        total += len(text.encode("utf-8"))
        i += 1
    path = folder / "thesis.md"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def one(path: str, folder: str, seconds: float, full: bool) -> dict[str, object]:
    """Check one document here (in the child process)."""
    sys.path.insert(0, str(REPO / "server"))
    from texgrad.calculus.written_derivatives import Tally, check_written
    from texgrad.reading.project import load_project
    from texgrad.shapes.check import Checker

    project = load_project(path, folder=folder) if path.endswith(".tex") else None
    c0, w0 = time.process_time(), time.monotonic()
    result = Checker().check(path, project, Path(folder))
    c1, w1 = time.process_time(), time.monotonic()
    tally = Tally()
    try:  # as texgrad check runs it (--full: every claim decided, as identities.py counts)
        check_written(result, seconds, tally=tally, only_findings=not full)
    except TypeError:  # (a texgrad from before only_findings)
        check_written(result, seconds, tally=tally)
    c2, w2 = time.process_time(), time.monotonic()
    return {
        "shape_cpu": c1 - c0, "shape_wall": w1 - w0, "check_cpu": c2 - c1, "check_wall": w2 - w1,
        "read": tally.read, "verified": tally.verified, "flagged": tally.flagged,
        "unchecked": getattr(tally, "unchecked", 0),  # (before the deadline: none)
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", nargs="*", help=f"documents (default: {', '.join(DEFAULT)})")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--thesis", action="store_true", help="also a 1 MB thesis of the corpus")
    ap.add_argument("--seconds", type=float, default=600.0, help="the check's deadline")
    ap.add_argument("--full", action="store_true", help="decide every claim (identities.py)")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # (the child's run)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], args.seconds, args.full)))
        return 0
    docs = [Path(d) if Path(d).exists() else CORPUS / d for d in args.docs or DEFAULT]
    with tempfile.TemporaryDirectory() as tmp:
        if args.thesis:
            docs.append(thesis(Path(tmp)))
        print(f"{'document':48} {'shape cpu':>9} {'check cpu':>9} {'check wall':>10} "
              f"{'read':>5} {'verified':>8} {'flagged':>7} {'unchecked':>9}")  # fmt: skip
        for doc in docs:
            folder = doc.parent if doc.suffix != ".tex" else doc.parents[1]
            runs = []
            for _ in range(args.repeat):
                out = subprocess.run(
                    [sys.executable, __file__, "--seconds", str(args.seconds), "--one",
                     str(doc), str(folder), *(["--full"] if args.full else [])],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            best = min(runs, key=lambda r: r["check_cpu"])  # type: ignore[arg-type,return-value]
            name = str(doc.relative_to(CORPUS)) if doc.is_relative_to(CORPUS) else doc.name
            print(f"{name:48} {best['shape_cpu']:9.2f} {best['check_cpu']:9.2f} "
                  f"{best['check_wall']:10.2f} {best['read']:5} {best['verified']:8} "
                  f"{best['flagged']:7} {best['unchecked']:9}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
