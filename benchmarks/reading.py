"""Reading, parsing and checking figures over the shared corpus (prints figures; not a test).

For every document of ``../shared/corpus`` (or $TEXGRAD_CORPUS): its math regions, the
share that parse to a tree, rows, and the time to read (find regions, expand macros, split
rows) and to parse; then the commonest parse errors; the time to read and parse the
largest document, best of several runs; and the time to check the whole corpus, the
largest document, and the largest document again after an edit to one region.

    .venv/bin/python benchmarks/reading.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import tracemalloc
from pathlib import Path

from texgrad.reading.document import read_document
from texgrad.reading.project import load_project
from texgrad.syntax.parse import parse_region

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
LARGE = "matrix-cookbook-md/main.md"


def documents(corpus: Path) -> list[Path]:
    return sorted(
        p for p in corpus.rglob("*") if p.suffix in (".tex", ".md") and p.name != "SOURCES.md"
    )


def read_and_parse(path: Path, folder: Path) -> tuple[float, float, int, int, int, list[str]]:
    from texgrad.reading.document import clear_caches

    clear_caches()  # reading remembers the last scan of each path: measure reading afresh
    t0 = time.perf_counter()
    project = load_project(path, folder=folder) if path.suffix == ".tex" else None
    doc = read_document(path, project=project, folder=folder)
    t1 = time.perf_counter()
    rows = failed_regions = 0
    errors = []
    for region in doc.regions:
        parsed = parse_region(region)
        rows += len(parsed)
        bad = [p.error for p in parsed if p.error is not None]
        if bad:
            failed_regions += 1
            errors.extend(
                f"{e.message}  «{doc.text[max(0, e.start - 25) : e.end + 25]!r}»" for e in bad
            )
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(doc.regions), rows, failed_regions, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--repeat", type=int, default=5, help="runs of the large document (best is shown)"
    )
    ap.add_argument("--errors", type=int, default=12, help="how many error kinds to list")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS} (set TEXGRAD_CORPUS)", file=sys.stderr)
        return 1

    print(f"corpus: {CORPUS}")
    print(
        f"{'document':<48} {'regions':>7} {'parsed':>7} {'share':>7} {'rows':>6} {'read':>8} {'parse':>8}"
    )
    totals = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}
    for path in documents(CORPUS):
        folder = path.parent if path.parent.parent == CORPUS else path.parent.parent
        read_s, parse_s, regions, rows, failed, errors = read_and_parse(path, folder)
        name = str(path.relative_to(CORPUS))
        ok = regions - failed
        share = 100.0 * ok / regions if regions else 100.0
        print(
            f"{name:<48} {regions:>7} {ok:>7} {share:>6.1f}% {rows:>6} {read_s * 1000:>6.1f}ms {parse_s * 1000:>6.1f}ms"
        )
        totals.update(regions=regions, ok=ok, rows=rows)
        totals["read_us"] += int(read_s * 1e6)
        totals["parse_us"] += int(parse_s * 1e6)
        for e in errors:
            kind = e.split("  «")[0]
            kinds[kind] += 1
            examples.setdefault(kind, f"{name}: {e.split('  «', 1)[1][:-1]}")
    share = 100.0 * totals["ok"] / totals["regions"] if totals["regions"] else 100.0
    print(
        f"{'total':<48} {totals['regions']:>7} {totals['ok']:>7} {share:>6.2f}% {totals['rows']:>6}"
        f" {totals['read_us'] / 1000:>6.1f}ms {totals['parse_us'] / 1000:>6.1f}ms"
    )
    if kinds:
        print("\ncommonest parse errors:")
        for kind, n in kinds.most_common(args.errors):
            print(f"  {n:>3}  {kind}\n       e.g. {examples[kind]}")

    large = CORPUS / LARGE
    if large.is_file():
        lines = large.read_text(encoding="utf-8").count("\n")
        best = min(sum(read_and_parse(large, large.parent)[:2]) for _ in range(args.repeat))
        tracemalloc.start()
        doc = read_document(large, folder=large.parent)
        trees = [parse_region(region) for region in doc.regions]  # held, as a server holds them
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del trees
        print(
            f"\n{LARGE} ({lines} lines): read + parse best of {args.repeat}: {best:.3f} s; "
            f"document and trees held: {held / 2**20:.1f} MiB (peak {peak / 2**20:.1f} MiB)"
        )
    check_figures(args.repeat)
    return 0


def check_figures(repeat: int) -> None:
    from texgrad.reading.document import clear_caches
    from texgrad.shapes.check import Checker

    start = time.perf_counter()
    checker = Checker()
    count = 0
    for path in documents(CORPUS):
        folder = CORPUS / path.relative_to(CORPUS).parts[0]
        project = load_project(path, folder=folder) if path.suffix == ".tex" else None
        count += len(checker.check(str(path), project, folder).diagnostics)
    print(f"\ncheck the whole corpus: {time.perf_counter() - start:.2f} s, {count} diagnostics")

    large = CORPUS / LARGE
    if not large.is_file():
        return
    text = large.read_text(encoding="utf-8")
    cold = 1e9
    for _ in range(repeat):
        clear_caches()  # what reading remembers per path: a cold check reads from scratch
        t0 = time.perf_counter()
        Checker().check(str(large), None, large.parent, text)
        cold = min(cold, time.perf_counter() - t0)
    print(f"check {LARGE}: {cold:.3f} s (best of {repeat})")
    at = text.index("$$", len(text) // 2)
    edits = []
    for i in range(repeat):  # a new display in the middle, different each time
        warm = Checker()
        warm.check(str(large), None, large.parent, text)
        edited = text[:at] + f"$$\nx_{i} + y\n$$\n\n" + text[at:]
        t0 = time.perf_counter()
        warm.check(str(large), None, large.parent, edited)
        edits.append(time.perf_counter() - t0)
    print(
        f"re-check {LARGE} after adding one region in the middle: {min(edits):.3f} s (best of {repeat}; "
        "the document is scanned again, its unchanged regions and rows reused)"
    )
    typing(large, text)


def typing(large: Path, text: str, count: int = 40) -> None:
    """Re-checking while someone types: one character at a time, inside math and in prose,
    at random places (the language server's case; it keeps what analysis made out of
    Python's automatic garbage collection the same way)."""
    import gc
    import random

    from texgrad.reading.document import read_document
    from texgrad.shapes.check import Checker

    checker = Checker()
    result = checker.check(str(large), None, large.parent, text)
    rng = random.Random(1)
    for where in ("math", "prose"):
        times, inferred = [], []
        for _ in range(count):
            regions = read_document(str(large), text=text).regions
            if where == "math":
                region = rng.choice([r for r in regions if r.body_end - r.body_start > 6])
                at = rng.randint(region.body_start + 2, region.body_end - 2)
            else:
                at = rng.randint(1, len(text) - 1)
                while not (text[at - 1].isalpha() and text[at].isalpha()) or any(
                    r.start <= at <= r.end for r in regions
                ):
                    at = rng.randint(1, len(text) - 1)
            text = text[:at] + ("x" if where == "math" else "e") + text[at:]
            gc.freeze()
            t0 = time.perf_counter()
            result = checker.check(str(large), None, large.parent, text)
            times.append(time.perf_counter() - t0)
            inferred.append(result.stats["inferred"])
        times.sort()
        p50, p95 = times[len(times) // 2] * 1000, times[int(len(times) * 0.95)] * 1000
        print(
            f"re-check {LARGE} after typing one character in {where}: p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms ({count} edits; rows inferred again per edit: median "
            f"{sorted(inferred)[len(inferred) // 2]} of {2 * len(result.rows)})"
        )
    gc.unfreeze()


if __name__ == "__main__":
    raise SystemExit(main())
