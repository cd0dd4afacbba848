"""The issue-13 document set: realistic documents with planted errors, judged by their markers.

Each folder of ``tests/documents/`` is one document or project. A line that should carry a
diagnostic says so in a comment at its end — ``% …`` in LaTeX and inside math (MathJax and
KaTeX read ``%`` as TeX does), ``<!-- … -->`` in Markdown prose (``{/* … */}`` in MDX):

- ``expect: <code>``: a planted error; ``texgrad check`` must report ``<code>`` starting on
  this line.
- ``expect-missed: <code> (<feature>)``: a planted error today's texgrad does not find; the
  test is a strict xfail, so whoever lands ``<feature>`` must flip the marker to ``expect``.
- ``false-alarm-known: <code> (<why the line is right>)``: a correct trap texgrad reports
  today; a strict xfail too, failing once the false alarm is gone.

Any other diagnostic is a false alarm. A trap set (``traps-…``) holds correct documents only:
no planted error, only ``false-alarm-known`` markers. Documents are checked as ``texgrad check`` checks the
paths it is given: each LaTeX root (a file with ``\\documentclass``, which brings its
``\\input`` files) and each Markdown file (``.md``, ``.qmd``, ``.Rmd``, ``.mdx``).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from contextlib import redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from texgrad import cli

DOCUMENTS = Path(__file__).resolve().parent
MARKDOWN = (".md", ".markdown", ".qmd", ".rmd", ".mdx")
NOTEBOOK = ".ipynb"  # its Markdown cells: markers in them, positions as ``x.ipynb:cell N``
KINDS = ("expect", "expect-missed", "false-alarm-known")
MARKER = re.compile(
    r"(?:%|<!--|\{/\*)[ \t]*(expect-missed|expect|false-alarm-known):[ \t]*([a-z]+(?:-[a-z]+)*)"
    r"[ \t]*(.*?)[ \t]*(?:-->|\*/\}|$)",
    re.M,
)  # a marker runs to the end of its comment: ``-->``, MDX's ``*/}``, or the line's end after ``%``

Key = tuple[str, int, str]  # (file relative to the document's folder, 1-based line, code)


@dataclass(frozen=True)
class Marker:
    kind: str  # one of KINDS
    path: str  # relative to the document's folder, with "/"
    line: int  # 1-based
    code: str
    note: str  # the feature a known miss needs, or why a known false alarm is right

    @property
    def key(self) -> Key:
        return (self.path, self.line, self.code)

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}:{self.code}"


@dataclass(frozen=True)
class Found:
    path: str
    line: int
    column: int
    code: str
    message: str

    @property
    def key(self) -> Key:
        return (self.path, self.line, self.code)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Judgement:
    """One document's diagnostics set against its markers."""

    markers: tuple[Marker, ...]
    found: tuple[Found, ...]

    def _reported(self) -> set[Key]:
        return {f.key for f in self.found}

    def of_kind(self, kind: str) -> list[Marker]:
        return [m for m in self.markers if m.kind == kind]

    @property
    def planted(self) -> list[Marker]:
        return [m for m in self.markers if m.kind in ("expect", "expect-missed")]

    @property
    def caught(self) -> list[Marker]:
        reported = self._reported()
        return [m for m in self.planted if m.key in reported]

    @property
    def missed(self) -> list[Marker]:
        reported = self._reported()
        return [m for m in self.planted if m.key not in reported]

    @property
    def false_alarms(self) -> list[Found]:
        """Every diagnostic no marker asks for (a known false alarm included)."""
        asked = {m.key for m in self.planted}
        return [f for f in self.found if f.key not in asked]

    @property
    def unknown_false_alarms(self) -> list[Found]:
        marked = {m.key for m in self.markers}
        return [f for f in self.found if f.key not in marked]


def names() -> list[str]:
    return sorted(p.name for p in DOCUMENTS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in (".tex", *MARKDOWN, NOTEBOOK)
    )


def _cells(path: Path) -> list[tuple[str, str]]:
    """A notebook's Markdown cells: (``cell N``, its source), N counting every cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        (f"cell {n}", "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
        for n, c in enumerate(cells, 1)
        if c["cell_type"] == "markdown"
    ]


def _texts(folder: Path, path: Path) -> list[tuple[str, str]]:
    """(file, text) of a document file; a notebook's cells are each a file ``x.ipynb:cell N``
    (as texgrad reports their positions)."""
    rel = path.relative_to(folder).as_posix()
    if path.suffix.lower() == NOTEBOOK:
        return [(f"{rel}:{cell}", text) for cell, text in _cells(path)]
    return [(rel, path.read_text(encoding="utf-8"))]


def targets(folder: Path) -> list[Path]:
    """What to name to ``texgrad check``: LaTeX roots and Markdown files."""
    return [
        p
        for p in _files(folder)
        if p.suffix.lower() in (*MARKDOWN, NOTEBOOK)
        or "\\documentclass" in p.read_text(encoding="utf-8")
    ]


def read_markers(folder: Path) -> list[Marker]:
    out = []
    for path in _files(folder):
        for rel, text in _texts(folder, path):
            for n, line in enumerate(text.splitlines(), 1):
                for m in MARKER.finditer(line):
                    note = m[3].removeprefix("(").removesuffix(")").strip()
                    out.append(Marker(m[1], rel, n, m[2], note))
    return out


def run_check(folder: Path) -> list[Found]:
    """``texgrad check --format json`` on the document's targets, run in its folder."""
    out = io.StringIO()
    paths = [p.relative_to(folder).as_posix() for p in targets(folder)]
    here = Path.cwd()
    os.chdir(folder)  # (contextlib.chdir is Python 3.11; texgrad supports 3.10)
    try:
        with redirect_stdout(out):
            cli.main(["check", "--format", "json", *paths])
    finally:
        os.chdir(here)
    return [
        Found(_where(r), r["line"], r["column"], r["code"], r["message"])
        for r in json.loads(out.getvalue())
    ]


def _where(record: dict[str, object]) -> str:
    path = Path(str(record["path"])).as_posix()
    return f"{path}:cell {record['cell']}" if "cell" in record else path


@cache
def judge(name: str) -> Judgement:
    folder = DOCUMENTS / name
    return Judgement(tuple(read_markers(folder)), tuple(run_check(folder)))


def strip_markers(text: str) -> str:
    """The text without its marker comments (a line keeps its number and the columns before)."""
    return MARKER.sub("", text)


def check_without_markers(name: str) -> list[Found]:
    """The document checked again with every marker comment removed, in a copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / name
        shutil.copytree(DOCUMENTS / name, copy)
        for path in _files(copy):
            if path.suffix.lower() == NOTEBOOK:
                _strip_cells(path)
            else:
                path.write_text(strip_markers(path.read_text(encoding="utf-8")), encoding="utf-8")
        return run_check(copy)


def _strip_cells(path: Path) -> None:
    """A notebook without the marker comments of its Markdown cells."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        if cell["cell_type"] == "markdown":
            source = cell["source"]
            lines = source if isinstance(source, list) else [source]
            cell["source"] = [strip_markers(line) for line in lines]
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
