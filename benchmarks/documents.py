"""The issue-13 document set: per document, planted errors found and missed, false alarms.

Checks every document of ``tests/documents/`` as ``texgrad check`` does and sets its
diagnostics against the document's markers (see ``tests/documents/harness.py``). Prints
one line per document, the totals with recall, then every miss (with the feature its marker
names) and every false alarm (known ones marked so).

    .venv/bin/python benchmarks/documents.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.documents.harness import judge, names  # noqa: E402


def main() -> int:
    rows = []
    misses: list[str] = []
    alarms: list[str] = []
    t0 = time.perf_counter()
    for name in names():
        j = judge(name)
        rows.append((name, len(j.planted), len(j.caught), len(j.missed), len(j.false_alarms)))
        for m in j.missed:
            misses.append(f"{name}/{m.id}  needs: {m.note or '(not marked as known)'}")
        known = {m.key: m.note for m in j.of_kind("false-alarm-known")}
        for f in j.false_alarms:
            tag = f"known: {known[f.key]}" if f.key in known else "NOT MARKED"
            alarms.append(f"{name}/{f}  ({tag})")
    seconds = time.perf_counter() - t0
    width = max(len(r[0]) for r in rows)
    print(f"{'document':<{width}}  planted  found  missed  false alarms")
    for name, planted, found, missed, false in rows:
        print(f"{name:<{width}}  {planted:>7}  {found:>5}  {missed:>6}  {false:>12}")
    planted, found, missed, false = (sum(r[i] for r in rows) for i in range(1, 5))
    recall = found / planted if planted else 1.0
    print(f"{'total':<{width}}  {planted:>7}  {found:>5}  {missed:>6}  {false:>12}")
    print(f"recall {100 * recall:.1f}% ({found}/{planted}); false alarms {false}; {seconds:.2f} s")
    for title, lines in (("missed", misses), ("false alarms", alarms)):
        if lines:
            print(f"\n{title}:")
            for line in lines:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
