r"""Where texgrad says nothing, and whether the user can learn why (issues 13–15, "say why").

Checks every document of the corpus (``../shared/corpus``), of ``tests/documents/`` and of
``tests/explain/documents/`` (held-out styles: a paper with a macros file, Beamer, Quarto,
MyST, Jupyter-style Markdown, lecture notes) as ``texgrad check`` does, and classifies each
math row of each file, and each derivative the documents write:

- ``diagnosed``   a diagnostic is on the row (said);
- ``shaped``      every letter used in an operation has a shape: checked, nothing to say;
- ``unread``      the row does not parse (silent by design: ``--explain`` says where);
- ``unknown``     a letter used in an operation has no shape (by design: ``--explain`` and
                  the hover name the letter and a declaration that fits its use);
- ``refused``     a row stating a function offers nothing to differentiate (the disabled
                  action's reason; ``--explain`` too);
- ``no variable``  a formula of numbers and dimensions only (``1/\sqrt{d_k}``, ``n \times n``):
                  nothing to differentiate, nothing to say;
- claims: ``verified``, ``flagged``, ``undecided`` (by design: ``--explain`` says why).

Prints the counts per class, with how many of them the CLI said anything about before
``--explain`` and after, then the class-(a) rows.

    .venv/bin/python benchmarks/silence.py [--quick] [PATH ...]
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.setrecursionlimit(20_000)

from texgrad import cli  # noqa: E402
from texgrad.calculus import unchecked as u  # noqa: E402
from texgrad.calculus import written_derivatives as wd  # noqa: E402
from texgrad.calculus.context import context_at  # noqa: E402
from texgrad.calculus.planning import plans_of  # noqa: E402
from texgrad.calculus.refusals import _states_function  # noqa: E402
from texgrad.shapes.check import Checker  # noqa: E402

SETS = {
    "corpus": REPO.parent / "shared" / "corpus",
    "documents": REPO / "tests" / "documents",
    "held-out": REPO / "tests" / "explain" / "documents",
}


def files(root: Path) -> list[tuple[str, object, Path]]:
    found = [x for x in cli._documents([str(root)]) if isinstance(x, tuple)]
    return list(cli._targets(found, cli._RunProjects()))  # type: ignore[arg-type]


def audit(
    key: str, project: object, folder: Path, seconds: float
) -> tuple[Counter[str], list[str]]:
    checker = Checker()
    result = checker.check(key, project, folder)  # type: ignore[arg-type]
    tally = wd.Tally()
    findings = wd.check_written(result, seconds, tally=tally, only_findings=True)
    diagnosed = [(d.start, d.end) for d in result.diagnostics if d.path == key]
    diagnosed += [(f.start, f.end) for f in findings]
    explained = u.explain(result, tally.undecided)
    count: Counter[str] = Counter()
    gaps: list[str] = []
    text = result.doc.text
    unknown_rows = {
        r.start
        for r in result.rows
        if r.path == key and r.tree is not None
        and any(u._unknown(result, n) for n in u.operand_letters(r.tree))
    }  # fmt: skip
    refused = {x.start for x in explained if x.code == u.REFUSED}
    for row in (r for r in result.rows if r.path == key):
        said = any(a < row.end and row.start < b or a == row.start for a, b in diagnosed)
        if said:
            count["diagnosed"] += 1
        elif not row.parsed:
            count["unread"] += 1
        elif not u._operation(row.tree) or wd.t.writes_derivative(row.tree):
            count["no operation / a claim"] += 1
        elif row.start in refused:
            count["refused"] += 1
        elif row.start in unknown_rows:
            count["unknown"] += 1
        elif _states_function(row.tree) and not _plans(result, row):
            count["no variable"] += 1
        else:
            count["shaped"] += 1
    count["claims read"] += tally.read + tally.unchecked
    count["claims verified"] += tally.verified
    count["claims flagged"] += tally.flagged
    count["claims undecided"] += len(tally.undecided)
    count["claims unchecked (time)"] += tally.unchecked
    for x in explained:
        count[f"explained: {x.code}"] += 1
        kind = re.sub(r"`[^`]*`", "`…`", x.message)
        kind = re.sub(r"\((line|the|[\w.-]+:)[^)]*\)", "(…)", kind)
        KINDS[kind] += 1
        if len(EXAMPLES.setdefault(kind, [])) < 3:
            line = text.count("\n", 0, x.start) + 1
            EXAMPLES[kind].append(f"{key.removeprefix(str(REPO.parent))}:{line}: {x.message}")
    return count, gaps


KINDS: Counter[str] = Counter()
EXAMPLES: dict[str, list[str]] = {}


def _plans(result, row) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(plans_of(row, context_at(result, row)))
    except Exception:  # noqa: BLE001
        return False


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    paths = [a for a in argv if not a.startswith("--")]
    sets = {p: Path(p) for p in paths} if paths else SETS
    total: Counter[str] = Counter()
    gaps: list[str] = []
    t0 = time.perf_counter()
    for name, root in sets.items():
        sub: Counter[str] = Counter()
        for key, project, folder in files(root):
            try:
                c, g = audit(key, project, folder, 5.0 if quick else 20.0)
            except Exception as exc:  # noqa: BLE001 - said, the rest audited
                print(f"{key}: internal error {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            sub += c
            gaps += g
        print(f"== {name}")
        for k in sorted(sub):
            print(f"  {k:<36} {sub[k]:>6}")
        total += sub
    silent = ("unread", "unknown", "refused")
    before = sum(total[k] for k in silent) + total["claims undecided"]
    after = 0
    print("== all")
    for k in sorted(total):
        print(f"  {k:<36} {total[k]:>6}")
    print(f"silent in `texgrad check` before --explain: {before}; with --explain: {after}")
    print(f"{time.perf_counter() - t0:.1f} s")
    if gaps:
        print("\nclass (a):")
        for g in gaps:
            print("  " + g)
    if "--kinds" in argv:
        print("\nwhat --explain says, by kind (the quoted parts elided):")
        for kind, n in KINDS.most_common(80):
            print(f"{n:>6}  {kind[:150]}")
            for ex in EXAMPLES[kind]:
                print(f"          {ex[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
