r"""The clean-expression table of issue 14 (``tests/calculus/problems_clean.py``): figures.

Every problem through ``diff_latex`` as ``texgrad diff`` runs it, judged by
``tests/calculus/problem_judge.py``: right / wrong / not verified / refused / unchecked,
the result's length against the textbook answer's, and the time of the whole call
(verification included; wall and this process' CPU).  Prints one line per problem that is
not right or is over 1.5× the textbook, then the totals and median times.

    .venv/bin/python benchmarks/clean_problems.py [--all] [--only ID ...] [--table authors]

``--table authors``: the table of authors' equations (``tests/calculus/problems_authors.py``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as texgrad runs: cli.one_blas_thread
import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.calculus.problem_judge import judge  # noqa: E402
from tests.calculus.problems_authors import AUTHOR_PROBLEMS  # noqa: E402
from tests.calculus.problems_clean import CLEAN_PROBLEMS  # noqa: E402

MAX_RATIO = 1.5


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--all", action="store_true", help="a line for every problem")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--table", choices=("clean", "authors"), default="clean",
                    help="problems_clean.py (default) or problems_authors.py")  # fmt: skip
    args = ap.parse_args()
    table = AUTHOR_PROBLEMS if args.table == "authors" else CLEAN_PROBLEMS
    problems = [p for p in table if not args.only or p.id in args.only]
    counts: dict[str, int] = {}
    walls: list[float] = []
    cpus: list[float] = []
    over = 0
    for p in problems:
        cpu0 = time.process_time()
        j = judge(p)
        cpus.append(time.process_time() - cpu0)
        walls.append(j.seconds)
        counts[j.verdict] = counts.get(j.verdict, 0) + 1
        long = j.ratio > MAX_RATIO and j.verdict == "right"
        over += long
        if args.all or j.verdict != "right" or long:
            print(f"{j.verdict:<12} {j.ratio:5.2f}  {j.seconds * 1000:6.0f} ms  {p.id}")
            if j.verdict != "right":
                print(f"{'':21}{j.why[:200]}")
            if j.result and (j.verdict != "right" or long):
                print(f"{'':21}{j.result[:300]}")
    print()
    print(f"{len(problems)} problems: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"over {MAX_RATIO}x the textbook (of the right ones): {over}")
    if walls:
        print(f"median time: {statistics.median(walls) * 1000:.0f} ms wall, "
              f"{statistics.median(cpus) * 1000:.0f} ms CPU")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
