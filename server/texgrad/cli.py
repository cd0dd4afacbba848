"""The ``texgrad`` command line: argument parsing and printing only.

Every subcommand is a thin front over the reading and analysis layers, like
the language server is; nothing here knows LaTeX.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from texgrad import __version__
from texgrad.reading.document import DocumentRead, detect_format, read_document
from texgrad.reading.project import Project, load_project, normalize
from texgrad.reading.source import line_col, line_starts
from texgrad.syntax.parse import ParsedRow, parse_region
from texgrad.syntax.show import show

DOCUMENT_SUFFIXES = (".tex", ".md", ".markdown")
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args, sys.stdout))
    except BrokenPipeError:  # `texgrad inspect … | head`
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="texgrad",
        description="Shapes and derivatives for matrix calculus written in LaTeX and Markdown.",
    )
    p.add_argument("--version", action="version", version=f"texgrad {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ins = sub.add_parser(
        "inspect",
        help="show what texgrad reads: every math region, its rows and their parse",
        description="Print each math region of the documents (position, kind, parse tree or error). "
        "Folders are searched for .tex, .md and .markdown files; LaTeX files are read with "
        "the macros of their whole project.",
    )
    ins.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    ins.add_argument(
        "--stats",
        action="store_true",
        help="print only totals per file (regions, rows, parse share, time)",
    )
    ins.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    ins.set_defaults(run=_inspect)
    return p


# -- inspect ----------------------------------------------------------------------------


@dataclass
class _FileReport:
    doc: DocumentRead
    rows: list[tuple[int, ParsedRow]]  # (region index, parsed row)
    seconds: float

    @property
    def regions_parsed(self) -> int:
        bad = {i for i, r in self.rows if r.error is not None}
        return len(self.doc.regions) - len(bad)


def _inspect(args: argparse.Namespace, out: TextIO) -> int:
    reports: list[_FileReport] = []
    missing = []
    for path, folder in _documents(args.paths):
        if path is None:
            missing.append(folder)
            continue
        reports.append(_inspect_file(path, folder))
    for m in missing:
        print(f"texgrad: {m}: no such file or folder", file=sys.stderr)
    if args.format == "json":
        json.dump([_json_report(r, args.stats) for r in reports], out, indent=1, ensure_ascii=False)
        out.write("\n")
    elif args.stats:
        _print_stats(reports, out)
    else:
        for r in reports:
            _print_report(r, out)
    return 1 if missing else 0


_projects: dict[str, Project] = {}


def _inspect_file(path: Path, folder: Path) -> _FileReport:
    key = normalize(path)
    t0 = time.perf_counter()
    project = next((p for p in _projects.values() if key in p), None)
    if project is None and detect_format(key) == "latex":
        project = load_project(key, folder=folder)
        _projects[project.root] = project
    doc = read_document(key, project=project, folder=folder)
    rows = [(i, pr) for i, region in enumerate(doc.regions) for pr in parse_region(region)]
    return _FileReport(doc, rows, time.perf_counter() - t0)


def _documents(paths: Sequence[str]) -> Iterator[tuple[Path | None, Path]]:
    """(file, project folder) for every document named or found in a named folder."""
    cwd = Path.cwd().resolve()
    for raw in paths:
        p = Path(raw).resolve()
        if p.is_dir():
            for f in sorted(_walk(p)):
                yield f, p
        elif p.is_file():
            yield p, cwd if p.is_relative_to(cwd) else p.parent
        else:
            yield None, Path(raw)


def _walk(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in SKIPPED_FOLDERS]
        for name in filenames:
            if name.lower().endswith(DOCUMENT_SUFFIXES):
                yield Path(dirpath) / name


def _display(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


class _Positions:
    """1-based line:column (in characters) of offsets in one text."""

    def __init__(self, text: str):
        self.starts = line_starts(text)

    def __call__(self, offset: int) -> str:
        line, col = line_col(self.starts, offset)
        return f"{line + 1}:{col + 1}"


def _snippet(text: str, limit: int = 70) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _print_report(r: _FileReport, out: TextIO) -> None:
    doc = r.doc
    pos = _Positions(doc.text)
    name = _display(doc.path)
    nrows = sum(len(reg.rows) for reg in doc.regions)
    out.write(f"{name} ({doc.format}): {len(doc.regions)} regions, {nrows} rows\n")
    for p in doc.problems:
        out.write(f"  {pos(p.start)}: {p.severity}: {p.message} [{p.code}]\n")
    rows_by_region: dict[int, list[ParsedRow]] = {}
    for i, pr in r.rows:
        rows_by_region.setdefault(i, []).append(pr)
    for i, region in enumerate(doc.regions):
        out.write(
            f"  {pos(region.start)}-{pos(region.end)} {region.kind} {_snippet(doc.text[region.start : region.end])}\n"
        )
        for row, pr in zip(region.rows, rows_by_region.get(i, []), strict=True):
            where = f"{pos(row.start)}-{pos(row.end)}"
            if pr.error is not None:
                out.write(
                    f"    row {row.index + 1} {where} error at {pos(pr.error.start)}: {pr.error.message}\n"
                )
            else:
                out.write(f"    row {row.index + 1} {where} {show(pr.tree)}\n")


def _stats(r: _FileReport) -> dict[str, object]:
    nrows = len(r.rows)
    bad_rows = sum(1 for _, pr in r.rows if pr.error is not None)
    n = len(r.doc.regions)
    return {
        "path": _display(r.doc.path),
        "regions": n,
        "rows": nrows,
        "regions_parsed": r.regions_parsed,
        "rows_failed": bad_rows,
        "parse_share": (r.regions_parsed / n) if n else 1.0,
        "problems": len(r.doc.problems),
        "seconds": round(r.seconds, 4),
    }


def _print_stats(reports: list[_FileReport], out: TextIO) -> None:
    width = max([len(_display(r.doc.path)) for r in reports] + [4])
    out.write(f"{'file':<{width}}  regions  parsed   share   rows  failed   time\n")
    tot = {"regions": 0, "regions_parsed": 0, "rows": 0, "rows_failed": 0, "seconds": 0.0}
    for r in reports:
        s = _stats(r)
        for k in tot:
            tot[k] += s[k]  # type: ignore[operator]
        out.write(
            f"{s['path']:<{width}}  {s['regions']:>7}  {s['regions_parsed']:>6}  {100 * s['parse_share']:>5.1f}%"  # type: ignore[operator]
            f"  {s['rows']:>5}  {s['rows_failed']:>6}  {s['seconds']:>5.3f}s\n"
        )
    share = tot["regions_parsed"] / tot["regions"] if tot["regions"] else 1.0
    out.write(
        f"{'total':<{width}}  {tot['regions']:>7}  {tot['regions_parsed']:>6}  {100 * share:>5.1f}%"
        f"  {tot['rows']:>5}  {tot['rows_failed']:>6}  {tot['seconds']:>5.3f}s\n"
    )


def _json_report(r: _FileReport, stats_only: bool) -> dict[str, object]:
    if stats_only:
        return _stats(r)
    doc = r.doc
    starts = line_starts(doc.text)

    def at(offset: int) -> dict[str, int]:
        line, col = line_col(starts, offset)
        return {"line": line + 1, "column": col + 1, "offset": offset}

    parsed = iter(pr for _, pr in r.rows)
    regions = []
    for region in doc.regions:
        rows = []
        for row in region.rows:
            pr = next(parsed)
            rows.append(
                {
                    "start": at(row.start),
                    "end": at(row.end),
                    "tree": show(pr.tree) if pr.error is None else None,
                    "error": None
                    if pr.error is None
                    else {
                        "message": pr.error.message,
                        "start": at(pr.error.start),
                        "end": at(pr.error.end),
                    },
                }
            )
        regions.append({"kind": region.kind, "delimiter": region.delimiter, "display": region.display,
                        "start": at(region.start), "end": at(region.end), "rows": rows})  # fmt: skip
    return {
        "path": _display(doc.path),
        "format": doc.format,
        "problems": [
            {
                "severity": p.severity,
                "code": p.code,
                "message": p.message,
                "start": at(p.start),
                "end": at(p.end),
            }
            for p in doc.problems
        ],
        "regions": regions,
    }
