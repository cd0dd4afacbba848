"""What the analysis keeps with every corpus file open, by owner (issue 17), in process.

Checks every corpus file (the Cookbook first) as the language server does — one
``Workspace``, every file's text a buffer, its written derivatives checked — then prints
the resident memory (VmRSS) after the imports, after the engine's import, with the Cookbook
and with every file, and the memory each owner keeps: the objects reachable from it (by
``gc.get_referents``, sizes by ``sys.getsizeof``; modules, classes and functions not
followed), each counted once, for the first owner that reaches it, in the order printed
(the row trees first, then each field of the check results, the checker's and the
workspace's own fields, then texgrad's module-level values), with the kinds of object
that weigh most.  The buffers (the client's texts) are nobody's.

    .venv/bin/python benchmarks/memory_owners.py [--corpus ../shared/corpus] [--top 25]
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
import types
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = "matrix-cookbook-md/main.md"
_NOT_FOLLOWED = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.CodeType,
    types.MethodType,
    types.FrameType,
)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


class Owners:
    """Deep sizes, each object counted for the first owner that reaches it."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.kept: list[object] = []  # (the roots stay alive: their ids are not reused)
        self.rows: list[tuple[int, int, str, collections.Counter[str]]] = []

    def own(self, name: str, root: object) -> None:
        self.kept.append(root)
        kinds: collections.Counter[str] = collections.Counter()
        size = count = 0
        stack = [root]
        while stack:
            o = stack.pop()
            if id(o) in self.seen or isinstance(o, _NOT_FOLLOWED):
                continue
            self.seen.add(id(o))
            s = sys.getsizeof(o)
            size, count = size + s, count + 1
            kinds[type(o).__name__] += s
            stack.extend(gc.get_referents(o))
        self.rows.append((size, count, name, kinds))


def corpus_files(corpus: Path) -> list[Path]:
    cook = corpus / COOKBOOK
    rest = (p for p in corpus.rglob("*") if p.suffix in (".md", ".tex", ".markdown"))
    return [cook, *sorted(p for p in rest if p != cook)]


def open_all(corpus: Path) -> tuple[Any, dict[str, str], dict[str, Any]]:
    import texgrad.protocol.server  # noqa: F401 - (imports as the server does)
    from texgrad.reading.project import normalize
    from texgrad.workspace import Workspace

    print(f"{'resident memory, texgrad imported':<44} {rss_mb():7.1f} MB")
    from texgrad.calculus import api, written_derivatives  # noqa: F401

    print(f"{'  … and its differentiation engine':<44} {rss_mb():7.1f} MB")
    ws = Workspace([str(corpus)])
    texts: dict[str, str] = {}
    analyses: dict[str, Any] = {}
    for i, p in enumerate(corpus_files(corpus)):
        path = normalize(str(p))
        texts[path] = p.read_text(encoding="utf-8")
        a = ws.analyse(path, texts[path], texts)
        if a.result is not None:
            a.derivatives = ws.wrong_derivatives(a.result, seconds=30)
        analyses[path] = a
        if i == 0:
            gc.collect()
            print(f"{'  … with the cookbook checked':<44} {rss_mb():7.1f} MB")
    gc.collect()
    print(f"{f'  … with all {len(analyses)} corpus files checked':<44} {rss_mb():7.1f} MB")
    return ws, texts, analyses


def attribute(ws: Any, texts: dict[str, str], analyses: dict[str, Any]) -> Owners:
    from texgrad.shapes.rows import PlacedRow

    owners = Owners()
    owners.seen.update(id(t) for t in texts.values())
    results = [a.result for a in analyses.values() if a.result is not None]
    owners.own(
        "row trees",
        [r._tree for x in results for r in x.rows if isinstance(r, PlacedRow)],
    )
    for name in type(results[0]).__dataclass_fields__:
        owners.own(f"result.{name}", [getattr(x, name) for x in results])
    owners.own("analyses (the rest)", list(analyses.values()))
    for name, value in vars(ws.checker).items():
        owners.own(f"checker.{name}", value)
    for name, value in vars(ws).items():
        if name != "_checker":
            owners.own(f"workspace.{name}", value)
    for mod_name, module in sorted(sys.modules.items()):
        if mod_name.startswith("texgrad"):
            for name, value in list(vars(module).items()):
                if not name.startswith("__") and not isinstance(value, _NOT_FOLLOWED):
                    owners.own(f"{mod_name}.{name}", value)
    return owners


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    if not (args.corpus / COOKBOOK).is_file():
        print(f"benchmarks/memory_owners.py: the shared corpus is not at {args.corpus}; "
              "nothing measured.")  # fmt: skip
        return 0
    ws, texts, analyses = open_all(args.corpus.resolve())
    owners = attribute(ws, texts, analyses)
    rows = sorted(owners.rows, key=lambda r: -r[0])
    total = sum(r[0] for r in rows)
    print(f"kept by the analysis (getsizeof, reachable): {total / 1e6:.1f} MB")
    for size, count, name, kinds in rows[: args.top]:
        heavy = ", ".join(f"{k} {v / 1e6:.1f}" for k, v in kinds.most_common(4))
        print(f"  {size / 1e6:6.2f} MB {count:8d} objects  {name:<42} ({heavy})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
