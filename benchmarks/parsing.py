"""Parsing and shape-inference figures of a cold check (prints figures; not a test).

In one process, over the rows of the Matrix Cookbook (../shared/corpus, or $TEXGRAD_CORPUS):

- rows per second of ``parse_row`` (texgrad's loop over the grammar's tables,
  syntax/lalr.py) beside Lark's own LALR parser driving the same builder, and beside
  lark-cython's when it is installed (``pip install lark-cython``; it is not a dependency);
- a check of the Cookbook split into reading, parsing, declarations and the two inference
  passes; the same check with the parse cache (syntax/parse_cache.py) empty and then warm;

then whole processes, ``texgrad check --no-derivatives`` of the Cookbook with the cache off,
empty and warm, beside the issue's floor (parsing_floor.py: a regex finds the math, a toy
Lark LALR grammar parses it). Each figure is the best of ``--repeat`` runs, CPU time (user + sys) beside
wall time: on a busy machine compare figures of one run only.

    .venv/bin/python benchmarks/parsing.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from texgrad.reading.document import clear_caches, read_document
from texgrad.syntax import lalr
from texgrad.syntax import parse as p
from texgrad.syntax.lexer import Lexer, LexError

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("TEXGRAD_CORPUS", REPO.parent / "shared" / "corpus"))
COOKBOOK = CORPUS / "matrix-cookbook-md" / "main.md"


def best(f: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the fastest of ``repeat`` calls."""
    cpu = wall = 1e9
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        f()
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall


def _lark_run(plugins: dict[str, Any] | None) -> Callable[..., Any]:
    """A stand-in for syntax/lalr.py's ``run``: Lark's own LALR loop (or lark-cython's)
    over the same tokens, reducing with the same builder, so that parse_row is measured
    whole with either loop inside."""
    from lark.exceptions import UnexpectedToken

    _, builder, _ = p._parser()
    lark = lalr.build_lark(lalr.grammar_text(), transformer=builder)
    parser = lark.parser.parser.parser  # Lark's LALR loop
    convert: Callable[[Any], Any] | None = None
    if plugins is not None:
        import lark_cython  # type: ignore[import-not-found]
        from lark import Lark

        cy = Lark(
            lalr.grammar_text(),
            parser="lalr",
            lexer=lark.options.lexer,
            transformer=builder,
            maybe_placeholders=False,
            _plugins=plugins,
        )
        parser = cy.parser.parser.parser
        import texgrad.syntax.build as build_module

        # its tokens are no str: the builder must know them as tokens
        build_module.Token = (build_module.Token, lark_cython.Token)  # type: ignore[assignment,misc]

        def convert(tok: Any) -> Any:
            return lark_cython.Token(tok.type, tok.value, tok.start_pos, 1, 1, 1, 1, tok.end_pos)

    class _Feed:
        def __init__(self, tokens: Any) -> None:
            self.tokens = iter(tokens)

        def lex(self, state: Any) -> Any:
            return self.tokens

        def next_token(self, state: Any) -> Any:  # lark-cython's lexer interface
            for tok in self.tokens:
                return tok
            raise EOFError

    def run(tables: Any, tokens: Any, methods: Any) -> Any:
        if convert is not None:
            tokens = [convert(tok) for tok in tokens]
        try:
            return parser.parse(_Feed(tokens), "start")
        except UnexpectedToken as e:
            token = None if e.token.type == "$END" else e.token
            raise lalr.ParseFailure(token, frozenset(e.expected)) from None

    return run


def parsing(repeat: int) -> None:
    doc = read_document(str(COOKBOOK), folder=COOKBOOK.parent)
    rows = [row.text for region in doc.regions for row in region.rows]
    print(f"{COOKBOOK.relative_to(CORPUS)}: {len(rows)} rows")
    loops: list[tuple[str, Callable[..., Any]]] = [
        ("texgrad's loop over the tables", lalr.run),
        ("Lark's LALR loop", _lark_run(None)),
    ]
    try:
        import lark_cython

        loops.append(("lark-cython's LALR loop", _lark_run(lark_cython.plugins)))
    except ImportError:
        print("  (lark-cython not installed: pip install lark-cython to compare it)")
    print("  parse_row over every row (same lexer and tree builder), with:")
    ours = p.run
    try:
        for name, loop in loops:
            p.run = loop  # type: ignore[assignment]
            cpu, wall = best(lambda: [p.parse_row(r) for r in rows], repeat)
            print(f"  {name:<40} {cpu:6.3f} s CPU {wall:6.3f} s wall {len(rows) / cpu:7.0f} rows/s")
    finally:
        p.run = ours
    lex_cpu, _ = best(lambda: [_lex(r.text) for r in rows], repeat)
    print(f"  {'of which the lexer':<40} {lex_cpu:6.3f} s CPU")


def _lex(text: str) -> None:
    try:
        Lexer(text).tokenize()
    except LexError:
        pass


def checking(repeat: int) -> None:
    import texgrad.shapes.check as check

    text = COOKBOOK.read_text(encoding="utf-8")
    check.Checker().check(str(COOKBOOK), None, COOKBOOK.parent, text)  # imports, first rows
    phases: dict[str, float] = {}
    wrapped = {}
    for name in ("read_document", "parse_row", "collect", "_learn", "_report"):
        f = getattr(check, name)
        wrapped[name] = f

        def timed(*a: Any, _f: Any = f, _name: str = name, **k: Any) -> Any:
            c0 = time.process_time()
            try:
                return _f(*a, **k)
            finally:
                phases[_name] = phases.get(_name, 0.0) + time.process_time() - c0

        setattr(check, name, timed)
    try:
        runs = []
        for _ in range(repeat):
            clear_caches()
            phases.clear()
            c0 = time.process_time()
            check.Checker().check(str(COOKBOOK), None, COOKBOOK.parent, text)
            runs.append((time.process_time() - c0, dict(phases)))
        total, split = min(runs, key=lambda r: r[0])
    finally:
        for name, f in wrapped.items():
            setattr(check, name, f)
    parts = ", ".join(f"{k.strip('_')} {v:.3f}" for k, v in split.items())
    print(f"\ncheck of the Cookbook in-process, no parse cache: {total:.3f} s CPU ({parts})")

    from texgrad.syntax.parse_cache import ParseCache

    with tempfile.TemporaryDirectory() as folder:

        def cached() -> None:
            clear_caches()
            check.Checker(ParseCache(Path(folder))).check(
                str(COOKBOOK), None, COOKBOOK.parent, text
            )

        empty_cpu = 1e9
        for _ in range(repeat):
            for f in Path(folder).iterdir():
                f.unlink()
            c0 = time.process_time()
            cached()
            empty_cpu = min(empty_cpu, time.process_time() - c0)
        warm_cpu, warm_wall = best(cached, repeat)
    print(f"  with the parse cache empty (parse and write): {empty_cpu:.3f} s CPU")
    print(
        f"  with the parse cache warm (read the trees):   {warm_cpu:.3f} s CPU {warm_wall:.3f} s wall"
    )


def processes(repeat: int) -> None:
    print("\nwhole process: texgrad check --no-derivatives of the Cookbook")
    command = [
        sys.executable,
        "-m",
        "texgrad",
        "check",
        "--no-derivatives",
        "-j",
        "1",
        str(COOKBOOK),
    ]
    floor = [sys.executable, str(Path(__file__).with_name("parsing_floor.py")), str(COOKBOOK)]
    with tempfile.TemporaryDirectory() as folder:
        # (the parse cache is measured: check results are not kept, cli_check_cache.py)
        env = {**os.environ, "TEXGRAD_CACHE_DIR": folder, "TEXGRAD_CHECK_CACHE": "off"}
        cases = [
            ("floor", env, False, floor),
            ("cache off", {**env, "TEXGRAD_CACHE": "off"}, False, command),
            ("cache empty", env, True, command),
            ("cache warm", env, False, command),
        ]
        floor_cpu = 0.0
        for name, case_env, empty, argv in cases:
            cpu = wall = 1e9
            for _ in range(repeat):
                if empty:
                    for f in Path(folder).iterdir():
                        f.unlink()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                w0 = time.perf_counter()
                subprocess.run(argv, env=case_env, capture_output=True, check=False)
                wall = min(wall, time.perf_counter() - w0)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                cpu = min(cpu, used)
            floor_cpu = floor_cpu or cpu
            ratio = f"  {cpu / floor_cpu:4.1f}x the floor's CPU" if name != "floor" else ""
            print(f"  {name:<12} {cpu:6.3f} s CPU {wall:6.3f} s wall{ratio}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure (the best is shown)")
    ap.add_argument("--no-processes", action="store_true", help="in-process figures only")
    args = ap.parse_args()
    if not COOKBOOK.is_file():
        print(f"no Cookbook at {COOKBOOK} (set TEXGRAD_CORPUS)", file=sys.stderr)
        return 1
    parsing(args.repeat)
    checking(args.repeat)
    if not args.no_processes:
        processes(args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
