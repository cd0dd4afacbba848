"""Scale figures (issues 17 and 18): cold check time and memory as documents and projects grow,
and what an edit in one file of a large project re-analyses.

- Curves: a whole ``texgrad check --no-derivatives -j 1`` process on the Matrix Cookbook 1×, 3×
  and 10× over (10×: 34,000 lines), on a LaTeX thesis made of the corpus's chapters
  (0.25, 0.5 and 1 MB) and on a thesis of distinct text (0.25, 0.5, 1 and 2 MB:
  ``tests/scale_inputs.distinct_thesis``, every chapter its own letters, dimensions,
  expressions and prose): wall and CPU seconds (user + sys), peak resident memory, CPU per
  unit of size (flat when growth is linear), and the share of the rows whose text is
  distinct (the corpus thesis repeats six chapters: ~13%, which flatters every cache keyed
  by text).  Then the 1 MB corpus thesis and every distinct one checked whole, the
  written derivatives too (``texgrad check -j 1``), with the growth exponent of CPU time
  between successive distinct sizes (1: linear; issue 18).
- Projects: the same on generated LaTeX projects of 100, 300 and 500 files (main.tex with an
  ``\\input`` per section, a macros file, a notation file whose letters every section uses,
  planted errors: ``tests/scale_inputs.py``), with the errors found against those planted.
- Edits: in-process, as the language server does — a ``Workspace`` opens the 300-file
  project and checks every file (publishing the project's files), then one edit at a time
  (an equation in one section; a sentence of prose; the notation's declaration of x) and
  every file checked again: which files inferred rows again, how many, and how long.

``--baseline DIR`` runs the process figures with another tree's ``server`` folder too (e.g.
``/work/main/server``), in the same run; ``--repeat N`` keeps the least CPU of N runs.
Generated inputs go to a temporary folder.

    .venv/bin/python benchmarks/scale.py [--baseline ../main/server] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.scale_inputs import (  # noqa: E402
    cookbook_times,
    distinct_thesis,
    planted,
    thesis,
    write_project,
)

_RUN = "import sys; from texgrad.cli import main; sys.exit(main(sys.argv[1:]))"


def run_check(server: Path, cwd: Path, *args: str) -> tuple[float, float, float, int]:
    """One whole ``texgrad check`` process: wall s, CPU s, peak MB, and records found."""
    # (the analysis is measured: check results are not kept between runs, cli_check_cache.py)
    # (nor parses: TEXGRAD_CACHE=off, every row is parsed in every run; nor the compiled
    # dataclass code, which has its own switch)
    env = dict(
        os.environ, PYTHONPATH=str(server), TEXGRAD_CACHE="off", TEXGRAD_CHECK_CACHE="off",
        TEXGRAD_CODE_CACHE="off",
    )  # fmt: skip
    out = cwd / ".scale-out.json"
    start = time.perf_counter()
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUN, "check", "--format", "json", "-j", "1", *args],
            cwd=cwd, env=env, stdout=sink, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    records = json.loads(out.read_text(encoding="utf-8") or "[]")
    errors = sum(1 for r in records if r.get("severity") == "error")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, errors


def best(server: Path, repeat: int, cwd: Path, *args: str) -> tuple[float, float, float, int]:
    runs = [run_check(server, cwd, *args) for _ in range(repeat)]
    return min(runs, key=lambda r: r[1])


def distinct_rows(path: Path) -> float:
    """The share of a document's rows (equations, as the checker reads them) whose text no
    other row has."""
    from texgrad.reading.document import read_document

    texts = [row.text.text for region in read_document(path).regions for row in region.rows]
    return len(set(texts)) / max(1, len(texts))


def curves(trees: dict[str, Path], tmp: Path, repeat: int, quick: bool) -> None:
    print("Cold check, whole process (texgrad check --no-derivatives -j 1)")
    print(
        f"{'input':<24} {'tree':<9} {'wall s':>7} {'CPU s':>7} {'CPU/unit':>9} {'peak MB':>8} {'errors':>6} {'distinct':>8}"
    )
    inputs: list[tuple[str, Path, float]] = []
    for times in (1, 3) if quick else (1, 3, 10):
        inputs.append((f"cookbook x{times}", cookbook_times(tmp, times), times))
    for mb in (0.25,) if quick else (0.25, 0.5, 1.0):
        folder = tmp / f"thesis-{mb}"
        folder.mkdir(exist_ok=True)
        path = thesis(folder, int(mb * 1_000_000))
        size = path.stat().st_size  # (whole chapters: a little over)
        inputs.append((f"thesis {size / 1e6:.2f} MB", path, size / 250_000))
    for mb in (0.5,) if quick else (0.25, 0.5, 1.0, 2.0):
        folder = tmp / f"distinct-{mb}"
        folder.mkdir(exist_ok=True)
        path = distinct_thesis(folder, int(mb * 1_000_000)).path
        size = path.stat().st_size
        inputs.append((f"distinct {size / 1e6:.2f} MB", path, size / 250_000))
    plain: dict[str, list[tuple[float, float]]] = {}  # tree: (size, CPU s) of the distinct
    for name, path, unit in inputs:
        share = distinct_rows(path)
        for tree, server in trees.items():
            wall, cpu, mem, errors = best(
                server, repeat, path.parent, path.name, "--no-derivatives"
            )
            print(
                f"{name:<24} {tree:<9} {wall:7.2f} {cpu:7.2f} {cpu / unit:9.2f} {mem:8.0f} {errors:6} {share:8.0%}"
            )
            if name.startswith("distinct"):
                plain.setdefault(tree, []).append((unit, cpu))
    for tree, points in plain.items():
        print(f"growth exponent, distinct theses ({tree}): {_exponents(points)}")
    if quick:
        return
    print("\nWith the written derivatives checked (texgrad check -j 1)")
    print(
        f"{'input':<24} {'tree':<9} {'wall s':>7} {'CPU s':>7} {'CPU/unit':>9} {'peak MB':>8} {'errors':>6}"
    )
    grown: dict[str, list[tuple[float, float]]] = {}  # tree: (size, CPU s) of the distinct
    for name, path, unit in inputs:
        if not (name.startswith("thesis 1.") or name.startswith("distinct")):
            continue
        for tree, server in trees.items():
            wall, cpu, mem, errors = best(server, repeat, path.parent, path.name)
            print(
                f"{name:<24} {tree:<9} {wall:7.2f} {cpu:7.2f} {cpu / unit:9.2f} {mem:8.0f} {errors:6}"
            )
            if name.startswith("distinct"):
                grown.setdefault(tree, []).append((unit, cpu))
    for tree, points in grown.items():
        print(f"growth exponent, distinct theses ({tree}): {_exponents(points)}")


def _exponents(points: list[tuple[float, float]]) -> str:
    """CPU ∝ size^k between successive sizes (1: linear), of (size, CPU s) points."""
    return ", ".join(
        f"{math.log(c2 / c1) / math.log(s2 / s1):.2f}"
        for (s1, c1), (s2, c2) in zip(points, points[1:], strict=False)
    )


def projects(trees: dict[str, Path], tmp: Path, repeat: int, quick: bool) -> None:
    print("\nProjects: texgrad check main.tex --no-derivatives -j 1 (whole process)")
    print(
        f"{'files':>5} {'tree':<9} {'wall s':>7} {'CPU s':>7} {'CPU/100 files':>13} {'peak MB':>8} {'errors':>6} {'planted':>7}"
    )
    for files in (100,) if quick else (100, 300, 500):
        folder = tmp / f"project-{files}"
        root = write_project(folder, files)
        for tree, server in trees.items():
            if tree != "this" and files > 100:
                continue  # (quadratic before: 44 s CPU for 100 files, ~7 min for 300)
            wall, cpu, mem, errors = best(server, repeat, folder, root.name, "--no-derivatives")
            print(f"{files:>5} {tree:<9} {wall:7.2f} {cpu:7.2f} {100 * cpu / files:13.2f} {mem:8.0f} "
                  f"{errors:6} {planted(files):7}")  # fmt: skip


def edits(tmp: Path, files: int, *, as_server: bool = False) -> None:
    """In-process, this tree: what an edit in one file of a large project re-analyses, in
    processor time (the machine is shared: its wall clock measures the neighbours).
    ``as_server``: the language server's collector too — fewer young collections, and what
    the analysis keeps frozen after each round of checks (``collect_when_idle``); without
    it, every full collection walks the whole project's analysis."""
    import gc

    from texgrad.reading.project import normalize
    from texgrad.workspace import Workspace

    if as_server:
        from texgrad.protocol.collection import fewer_young_collections

        fewer_young_collections()

    folder = tmp / f"edits-{files}{'-server' if as_server else ''}"
    root = write_project(folder, files)
    ws = Workspace([str(folder)])
    t0, c0 = time.perf_counter(), time.process_time()
    paths = list(ws.analyse(normalize(root), None, {}).project)
    for p in paths:
        ws.analyse(p, None, {})
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if as_server:
        gc.freeze()
    how = "the server's collector" if as_server else "the default collector"
    print(
        f"\nEdits in a {files}-file project (in-process Workspace, as the language server; {how})"
    )
    print(f"open main.tex and check all {len(paths)} files: {wall:.2f} s wall, {cpu:.2f} s CPU")
    name = f"s{files // 2:03d}"
    section = normalize(folder / "sections" / f"{name}.tex")
    notation = normalize(folder / "notation.tex")
    sec_text = Path(section).read_text(encoding="utf-8")
    not_text = Path(notation).read_text(encoding="utf-8")
    cases = [
        (f"an equation in sections/{name}.tex", section,
         sec_text.replace(r"\mA \vx - \vy +", r"\mA \vx - \vy - \vy +")),
        (f"prose in sections/{name}.tex", section,
         sec_text.replace("The residual is", "The residual, written out, is")),
        ("the declaration of x in notation.tex", notation,
         not_text.replace(r"$\vx \in \R^{n}$", r"$\vx \in \R^{m}$")),
        ("… and back", notation, not_text),
    ]  # fmt: skip
    print(
        f"{'edit':<38} {'edited CPU':>11} {'others CPU':>11} {'wall':>8} {'files re-inferred':>18} {'rows':>6} {'diagnostics':>11}"
    )
    buffers: dict[str, str] = {}
    for name, path, text in cases:
        buffers = {path: text}
        t0, c0 = time.perf_counter(), time.process_time()
        first = ws.analyse(path, text, buffers)
        c1 = time.process_time()
        touched, rows, found = 0, 0, len(first.result.diagnostics) if first.result else 0
        which: list[str] = []
        for p in paths:
            if p == path:
                continue
            a = ws.analyse(p, None, buffers)
            assert a.result is not None
            found += len(a.result.diagnostics)
            if a.result.stats["inferred"]:
                touched += 1
                rows += a.result.stats["inferred"]
                which.append(Path(p).stem)
        c2, t2 = time.process_time(), time.perf_counter()
        if as_server:
            gc.freeze()
        print(
            f"{name:<38} {1000 * (c1 - c0):8.0f} ms {1000 * (c2 - c1):8.0f} ms {t2 - t0:6.2f} s {touched:18} {rows:6} {found:11}"
        )
        if which:
            shown = ", ".join(which[:6]) + (f" … ({len(which)})" if len(which) > 6 else "")
            print(f"{'':<38} re-inferred: {shown}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="another tree's server folder, run beside")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="the small sizes only")
    args = parser.parse_args()
    trees = {"this": REPO / "server"}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory(prefix="texgrad-scale-") as name:
        tmp = Path(name)
        curves(trees, tmp, args.repeat, args.quick)
        projects(trees, tmp, args.repeat, args.quick)
        edits(tmp, 100 if args.quick else 300)
        edits(tmp, 100 if args.quick else 300, as_server=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
