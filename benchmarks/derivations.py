"""The issue-14 derivation set: per document, rows differentiated right, refused, wrong.

Differentiates every marked row of ``tests/derivations/`` as ``texgrad diff --file --line``
does (see ``tests/derivations/harness.py``) and sorts each outcome: *right* (verified, and
equal to the marker's textbook answer where it gives one), *refused* (an error, or a result
not verified — never shown as verified), *wrong* (verified but different from the textbook
answer: the one outcome that must never happen), *unread* (verified, but the answer or the
result could not be read back to compare). Prints one line per document, the totals, the
median time per row, then every refusal with its message, and the result's length against
the answer's.

    .venv/bin/python benchmarks/derivations.py [DOCUMENT …]   # (only those documents)
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as texgrad runs: cli.one_blas_thread
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.derivations.harness import (  # noqa: E402
    DERIVATIONS,
    agrees_with_answer,
    answer_form,
    differentiate,
    names,
    read_markers,
)


def _length(s: str) -> int:
    for junk in (" ", "\\,", "\\;", "\\!", "\\left", "\\right", "\\bigl", "\\bigr"):
        s = s.replace(junk, "")
    return len(s)


def main() -> int:
    totals = {"right": 0, "refused": 0, "wrong": 0, "unread": 0}
    refusals: list[str] = []
    lengths: list[str] = []
    times: list[float] = []
    cpu: list[float] = []  # (CPU time of this process: the machine may be shared)
    print(f"{'document':<22} rows  right  refused  wrong  unread")
    wanted = sys.argv[1:]
    for name in names():
        if wanted and name not in wanted:
            continue
        folder = DERIVATIONS / name
        counts = dict.fromkeys(totals, 0)
        for m in read_markers(folder):
            t0, c0 = time.perf_counter(), time.process_time()
            out = differentiate(folder, m)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if out.error is not None or not out.verified:
                verdict = "refused"
                refusals.append(f"{name}/{m.id}: {out.error or out.note}")
            elif m.answer:
                why = agrees_with_answer(folder, m, answer_form(out, m), out.where)
                verdict = "right" if why is None else ("wrong" if "differs" in why else "unread")
                if why is not None:
                    refusals.append(f"{name}/{m.id}: {verdict}: {why}")
                ratio = _length(answer_form(out, m)) / max(1, _length(m.answer))
                lengths.append(f"{ratio:4.2f}  {name}/{m.id}")
            else:
                verdict = "right"
            counts[verdict] += 1
        for k in totals:
            totals[k] += counts[k]
        rows = sum(counts.values())
        print(f"{name:<22} {rows:>4}  {counts['right']:>5}  {counts['refused']:>7}  "
              f"{counts['wrong']:>5}  {counts['unread']:>6}")  # fmt: skip
    rows = sum(totals.values())
    print(f"{'total':<22} {rows:>4}  {totals['right']:>5}  {totals['refused']:>7}  "
          f"{totals['wrong']:>5}  {totals['unread']:>6}")  # fmt: skip
    if times:
        print(
            f"median time per row: {statistics.median(times) * 1000:.0f} ms "
            f"({statistics.median(cpu) * 1000:.0f} ms CPU)"
        )
    ratios = [float(x.split()[0]) for x in lengths]
    if ratios:
        over = sum(r > 1.5 for r in ratios)
        print(f"length / textbook: median {statistics.median(ratios):.2f}, "
              f"max {max(ratios):.2f}, over 1.5: {over} of {len(ratios)}")  # fmt: skip
    print("\nnot right:")
    for line in refusals:
        print("  " + line)
    print("\nlength of the result / length of the textbook answer:")
    for line in sorted(lengths, reverse=True):
        print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
