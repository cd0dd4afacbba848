r"""The derivative identities of the shared corpus, checked (prints figures; not a test).

For each corpus document (the Matrix Cookbook and the tensor cookbook first), the
derivative equations texgrad reads (``\frac{\partial f}{\partial X} = …``, ``\nabla f = …``,
``\mathrm d F = …``: :mod:`texgrad.calculus.written_derivatives`), how many it verifies
(the written side equals the engine's verified result at random points), how many it
flags ``wrong-derivative`` (each listed with its line, to be read: an erratum of the
source, recorded in ``tests/corpus/test_corpus.py::REVIEWED_DERIVATIVES``, or a bug),
and the seconds the check adds to ``texgrad check`` of the document; then why the claims
neither verified nor flagged stay undecided (:attr:`Tally.reasons`, counted).

    .venv/bin/python benchmarks/identities.py [--corpus /work/shared/corpus] [--only NAME]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as texgrad runs: cli.one_blas_thread
import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "server"))

from texgrad.calculus import written_derivatives as wd  # noqa: E402
from texgrad.calculus.written_derivatives import Tally, check_written  # noqa: E402
from texgrad.reading.project import load_project  # noqa: E402
from texgrad.shapes.check import Checker  # noqa: E402

FIRST = ("matrix-cookbook-md", "tensor-cookbook")


def documents(corpus: Path) -> list[Path]:
    found = [p for p in corpus.rglob("*") if p.suffix in (".tex", ".md") and p.name != "SOURCES.md"]
    rank = {name: i for i, name in enumerate(FIRST)}
    return sorted(found, key=lambda p: (rank.get(p.relative_to(corpus).parts[0], 9), str(p)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="/work/shared/corpus")
    parser.add_argument("--only", default="")
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    checker = Checker()
    total = Tally()
    print(
        f"{'document':58} {'read':>5} {'verified':>8} {'flagged':>7} {'check s':>7} {'+deriv s':>8}"
    )
    for path in documents(corpus):
        rel = str(path.relative_to(corpus))
        if args.only and args.only not in rel:
            continue
        folder = corpus / path.relative_to(corpus).parts[0]
        project = load_project(path, folder=folder) if path.suffix == ".tex" else None
        began = time.monotonic()
        result = Checker().check(str(path), project, folder)
        shape_seconds = time.monotonic() - began
        tally = Tally()
        wd.GUESSED.clear()
        findings = check_written(result, seconds=args.seconds, tally=tally)
        total.read += tally.read
        total.verified += tally.verified
        total.flagged += tally.flagged
        total.seconds += tally.seconds
        total.reasons.update(tally.reasons)
        print(
            f"{rel:58} {tally.read:5} {tally.verified:8} {tally.flagged:7} "
            f"{shape_seconds:7.1f} {tally.seconds:8.1f}"
        )
        for f in findings:
            line = result.doc.text.count("\n", 0, f.start) + 1
            print(f"    line {line}: {f.message}")
        for claim, correct in wd.GUESSED:  # not reported: shapes guessed from the letters
            line = result.doc.text.count("\n", 0, claim.start) + 1
            said = " ".join(result.doc.text[claim.start : claim.end].split())
            print(f"    (guessed shapes, not reported) line {line}: `{said}`; texgrad: `{correct}`")
    del checker
    print(
        f"{'total':58} {total.read:5} {total.verified:8} {total.flagged:7} {'':7} "
        f"{total.seconds:8.1f}"
    )
    print("why the others stay undecided (Tally.reasons, all documents):")
    for why, count in total.reasons.most_common(12):
        print(f"    {count:4}  {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
