r"""LaTeX projects: the root document, the files it includes and their macros.

A chapter file rarely defines its own notation: ``\vx`` and ``\R`` come from a
``macros.tex`` that the root document ``\input``\ s.  To read a chapter the way
LaTeX does we find the root (a ``% !TEX root`` magic comment, the file itself
when it has ``\documentclass``, or a file in the project folder whose include
graph reaches it), follow the includes from there, and merge every file's
macro definitions in reading order.

Only files inside the project folder are ever read.  A reference that leaves
it (``\input{../../etc/passwd}``) is reported, not followed; so is an include
whose file does not exist.  Reading never raises: a file that cannot be read,
is not text or is too large becomes a :class:`ReadProblem`.

Markdown files (``.md``, ``.qmd``, ...) are single-file projects (with the pages a
Quarto ``{{< include >}}`` brings), unless a Quarto book's ``_quarto.yml`` or a Jupyter
Book's ``_toc.yml`` lists them: then the book is the project (``books.py``).
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from texgrad.reading import books, latex, markdown, notebook
from texgrad.reading.files import (
    MAX_DOCUMENT_BYTES,
    absolute,
    is_regular,
    printable,
    reason_of,
    resolved,
    unreadable,
)
from texgrad.reading.macros import Macro, MacroTable, merge
from texgrad.reading.problems import ReadProblem, Severity
from texgrad.reading.regions import Include, ScanResult
from texgrad.reading.rescan import ScanMemo

Format = Literal["latex", "markdown"]

MAX_FILE_BYTES = MAX_DOCUMENT_BYTES  # larger files are not read (2 MB)
MAX_SEARCH_FILES = 500  # .tex files looked at when searching for a root
MAX_SEARCH_DIRS = 2000  # directories walked when searching for a root
MAX_ROOT_BYTES = 2 * 1024 * 1024  # larger files are not considered as roots
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})
MAX_PROJECT_FILES = 500  # files followed from one root (a project of 500: ~6 s of CPU to check)
MAX_INCLUDE_DEPTH = 64  # nested includes followed (TeX itself allows 15 open files)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".qmd", ".rmd", ".mdx", ".ipynb"})
LATEX_SUFFIXES = frozenset({".tex", ".ltx", ".latex", ".sty", ".cls"})

# \input-like commands resolve against the root's directory (LaTeX's working
# directory), \subfile and the \sub… forms of the import package against the
# including file, \import and \…from against the directory they name.
_FILE_RELATIVE = frozenset({"subfile", "subimport", "subincludefrom", "subinputfrom"})
_DIR_IMPORT = frozenset({"import", "includefrom", "inputfrom"})
_INCLUDE_HINTS = (
    "\\input",
    "\\include",
    "\\subfile",
    "\\import",
    "\\subimport",
    "\\subinclude",
    "\\subinput",
    "\\InputIfFileExists",
)


@dataclass(slots=True)
class ProjectFile:
    """One file of a project: its text (editor buffer or disk) and what a scan found."""

    path: str  # absolute, symlinks resolved
    text: str
    scan: ScanResult
    format: Format = "latex"


@dataclass(slots=True)
class Project:
    """A root document, the files read from it in reading order, and their merged macros."""

    folder: str  # the project folder; nothing outside it is read
    root: str  # absolute path of the root document
    files: dict[str, ProjectFile] = field(default_factory=dict)  # reading order
    macros: MacroTable = field(default_factory=dict)
    # Problems found while assembling the project (missing or outside includes,
    # unreadable files), by the path of the file they are reported in.  Scan
    # problems stay in each file's ScanResult.
    problems: dict[str, list[ReadProblem]] = field(default_factory=dict)

    def file(self, path: str | Path) -> ProjectFile | None:
        """The project's file at ``path`` (any spelling of it), or None."""
        found = self.files.get(path) if isinstance(path, str) else None  # a key: no syscall
        return found if found is not None else self.files.get(normalize(path))

    def problems_for(self, path: str | Path) -> list[ReadProblem]:
        key = path if isinstance(path, str) and path in self.files else normalize(path)
        return list(self.problems.get(key, ()))

    def __contains__(self, path: object) -> bool:
        if isinstance(path, str) and path in self.files:
            return True
        return isinstance(path, (str, Path)) and normalize(path) in self.files

    @property
    def paths(self) -> list[str]:
        return list(self.files)


def normalize(path: str | Path) -> str:
    """Absolute path with symlinks and ``..`` resolved (the key of every file table); a
    path that cannot be resolved (a symlink loop, a name too long or holding a NUL byte) is
    only made absolute: reading it reports why, nothing raises."""
    return absolute(path)


def format_of(path: str | Path) -> Format:
    return "markdown" if Path(path).suffix.lower() in MARKDOWN_SUFFIXES else "latex"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


# -- reading files -------------------------------------------------------------


def read_file(path: str | Path) -> tuple[str, list[ReadProblem]]:
    """A file's text as UTF-8 (undecodable bytes replaced); problems instead of exceptions.

    A byte-order mark is dropped, as editors do, so offsets match their buffers.
    A file that is not text (it holds NUL bytes), is larger than 20 MB or cannot
    be read gives an empty text and one problem at offset 0.
    """
    p = Path(path)
    why = unreadable(p, MAX_FILE_BYTES)
    if why is not None:
        code = "file-too-large" if why.startswith("too large") else "read-failed"
        severity: Severity = "warning" if code == "file-too-large" else "error"
        return "", [ReadProblem(f"{_name(p)} is not read: {why}", 0, 0, severity, code)]
    try:
        data = p.read_bytes()
    except (OSError, ValueError) as e:
        return "", [
            ReadProblem(f"{_name(p)} is not read: {reason_of(e)}", 0, 0, "error", "read-failed")
        ]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark
        return data.decode("utf-16", errors="replace"), []
    if b"\x00" in data:
        return "", [
            ReadProblem(
                f"{_name(p)} is not read: it is not a text file", 0, 0, "warning", "not-text"
            )
        ]
    text = data.decode("utf-8-sig", errors="replace")
    if p.suffix.lower() == notebook.SUFFIX:  # a notebook: its Markdown cells
        return _notebook_text(p, text)
    return text, []


def _notebook_text(p: Path, raw: str) -> tuple[str, list[ReadProblem]]:
    try:
        return notebook.markdown_of(raw).text, []
    except notebook.NotANotebook as e:
        why = f"{_name(p)} is not read as a notebook: {e}"
        return "", [ReadProblem(why, 0, 0, "warning", "read-failed")]


def _name(p: Path) -> str:
    return printable(p.name)


def scan_text(
    text: str, format: Format, extra_environments: frozenset[str] = frozenset(), path: str = ""
) -> ScanResult:
    """Scan ``text`` with the scanner of its format.

    The last scan of each path is remembered: the same text is not scanned twice, and
    after an edit inside one math region only that region is read again (rescan.py).
    """
    key = (path, format, extra_environments)
    if path:
        found = SCANS.get(key, text)
        if found is not None:
            return found
    if format == "markdown":
        scan = markdown.scan(text, extra_environments, path=path)
    else:
        scan = latex.scan(text, extra_environments, path=path)
    if path:
        SCANS.put(key, text, scan)
    return scan


SCANS = ScanMemo()


class _Reader:
    """Reads and scans files once, overrides first, and never outside the folder."""

    def __init__(
        self,
        folder: Path,
        overrides: Mapping[str, str] | None,
        extra_environments: frozenset[str],
    ) -> None:
        self.folder = folder
        self.overrides = {normalize(k): v for k, v in (overrides or {}).items()}
        self.extra_environments = frozenset(extra_environments)
        self._texts: dict[str, tuple[str, list[ReadProblem]]] = {}
        self._scans: dict[str, ScanResult] = {}

    def exists(self, path: Path) -> bool:
        return str(path) in self.overrides or is_regular(path)

    def text(self, path: str) -> tuple[str, list[ReadProblem]]:
        if path not in self._texts:
            if path in self.overrides:
                self._texts[path] = (self.overrides[path], [])
            else:
                self._texts[path] = read_file(path)
        return self._texts[path]

    def scan(self, path: str, format: Format = "latex") -> ScanResult:
        if path not in self._scans:
            self._scans[path] = scan_text(self.text(path)[0], format, self.extra_environments, path)
        return self._scans[path]


# -- include resolution --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resolved:
    path: Path | None  # the file, when one was found inside the folder
    outside: Path | None  # a candidate that exists outside the folder
    base: Path | None  # directory that \input resolves against inside the included file
    loop: str | None = None  # a candidate inside the folder that is a symlink loop (its name)


def _candidates(target: str) -> list[str]:
    """File names LaTeX tries for ``target``: ``.tex`` is added when needed."""
    if Path(target).suffix:
        return [target, target + ".tex"]
    return [target + ".tex", target]


def _resolve(
    include: Include, including: Path, root_dir: Path, base: Path | None, reader: _Reader
) -> _Resolved:
    target = include.target.strip().strip('"')
    if not target:
        return _Resolved(None, None, None)
    if target.startswith("~"):
        target = os.path.expanduser(target)
    cmd = include.command
    here = including.parent
    dirs: list[Path]
    if cmd in _FILE_RELATIVE:
        dirs = [here]
    elif cmd in _DIR_IMPORT or cmd == "usepackage":
        dirs = [root_dir, here]
    else:  # \input, \include
        dirs = [d for d in (base, root_dir, here) if d is not None]
    dirs = list(dict.fromkeys(dirs))
    names = [target] if cmd == "usepackage" else _candidates(target)
    outside: Path | None = None  # where LaTeX would look first, if that is outside
    outside_file: Path | None = None  # an existing file outside the folder
    loop: str | None = None  # a candidate that is a symlink loop (said so, not "not found")
    for i, d in enumerate(dirs):
        for name in names:
            candidate = os.path.normpath(d / name)
            found, _ = resolved(candidate)
            if found is None:  # a symlink loop, a name too long or holding a NUL byte
                loop = loop or (name if _a_loop(candidate) else None)
                continue
            if not _inside(found, reader.folder):
                if i == 0 and outside is None:
                    outside = found
                if outside_file is None and is_regular(found):
                    outside_file = found
                continue
            if reader.exists(found):
                if cmd in _DIR_IMPORT or cmd in ("subimport", "subincludefrom", "subinputfrom"):
                    # inside an imported file, \input is relative to that file
                    new_base: Path | None = found.parent
                elif cmd in _FILE_RELATIVE:
                    new_base = None
                else:
                    new_base = base
                return _Resolved(found, None, new_base)
            if loop is None and _inside(found, reader.folder) and _a_loop(candidate):
                loop = name
    return _Resolved(None, outside_file or outside, None, loop)


def _a_loop(path: str) -> bool:
    """Whether ``path`` is a symlink that never reaches a file (``a.tex`` → ``b.tex`` →
    ``a.tex``)."""
    try:
        os.stat(path)
    except OSError as e:
        return reason_of(e) == "a symlink loop"
    except ValueError:
        return False
    return False


# -- walking a project ---------------------------------------------------------


@dataclass(slots=True)
class _Walk:
    order: list[str] = field(default_factory=list)
    problems: dict[str, list[ReadProblem]] = field(default_factory=dict)
    # definitions in reading order: a file's own definitions interleaved with
    # those of the files it includes, at the place of the include
    definitions: list[Macro] = field(default_factory=list)
    reported: set[tuple[str, str]] = field(default_factory=set)  # (file, target) already reported
    too_many: list[tuple[str, Include]] = field(default_factory=list)  # past MAX_PROJECT_FILES
    said_too_many: bool = False
    include_only: frozenset[str] | None = None  # the root's \includeonly list

    def problem(self, path: str, problem: ReadProblem) -> None:
        bucket = self.problems.setdefault(path, [])
        if problem not in bucket:
            bucket.append(problem)


def _walk(
    root: Path, reader: _Reader, walk: _Walk | None = None, root_dir: Path | None = None
) -> _Walk:
    """Follow includes depth first from ``root``, in the order LaTeX reads them."""
    walk = walk if walk is not None else _Walk()
    root_dir = root_dir if root_dir is not None else root.parent
    visited = set(walk.order)

    def visit(path: Path, base: Path | None, depth: int) -> None:
        key = str(path)
        if key in visited or len(visited) >= MAX_PROJECT_FILES or depth > MAX_INCLUDE_DEPTH:
            return
        visited.add(key)
        walk.order.append(key)
        text, read_problems = reader.text(key)
        for p in read_problems:
            walk.problem(key, p)
        result = reader.scan(key, format_of(key))  # (a Quarto page includes Markdown)
        if walk.include_only is None and result.include_only is not None:
            walk.include_only = frozenset(result.include_only)
        events: list[tuple[int, int, Macro | Include]] = [
            (d.start, 0, d) for d in result.definitions
        ] + [(inc.start, 1, inc) for inc in result.includes]
        events.sort(key=lambda e: (e[0], e[1]))
        for _, _, item in events:
            if isinstance(item, Macro):
                walk.definitions.append(item)
                continue
            inc = item
            if (
                inc.command == "include"
                and walk.include_only is not None
                and latex.only_name(inc.target) not in walk.include_only
            ):
                message = f"{printable(inc.written)} is not read: \\includeonly leaves it out"
                walk.problem(
                    key, ReadProblem(message, inc.start, inc.end, "information", "include-only")
                )
                continue
            res = _resolve(inc, path, root_dir, base, reader)
            if res.path is not None:
                if len(visited) >= MAX_PROJECT_FILES and str(res.path) not in visited:
                    walk.too_many.append((key, inc))
                    continue
                if depth == MAX_INCLUDE_DEPTH and str(res.path) not in visited:
                    message = f"{printable(inc.written)} is not read: includes are nested more than {MAX_INCLUDE_DEPTH} deep"
                    walk.problem(
                        key,
                        ReadProblem(message, inc.start, inc.end, "information", "include-depth"),
                    )
                visit(res.path, res.base, depth + 1)
                continue
            _report_unfollowed(walk, key, inc, res, reader.folder)

    visit(root, None, 0)
    if walk.too_many and not walk.said_too_many:  # one note, at the first not read
        walk.said_too_many = True
        key, inc = walk.too_many[0]
        more = len(walk.too_many) - 1
        message = (
            f"{printable(inc.written)}{f' and {more:,} more includes' if more else ''} "
            f"skipped: too many files (a project reads at most {MAX_PROJECT_FILES:,})"
        )
        walk.problem(key, ReadProblem(message, inc.start, inc.end, "information", "too-many-files"))
    return walk


def _report_unfollowed(walk: _Walk, key: str, inc: Include, res: _Resolved, folder: Path) -> None:
    """Say, once per file and target, why an include is not followed; a ``\\usepackage``
    not followed names a system package and is not reported."""
    if (key, inc.target) in walk.reported or inc.command == "usepackage":
        return
    walk.reported.add((key, inc.target))
    if res.outside is not None:
        walk.problem(
            key,
            ReadProblem(
                f"{printable(inc.written)} is not read: it is outside the project folder {folder}",
                inc.start, inc.end, "information", "outside-project",
            ),
        )  # fmt: skip
    elif "\\" in inc.target or "#" in inc.target:
        walk.problem(
            key,
            ReadProblem(
                f"{printable(inc.written)} is not followed: its path is computed by macros",
                inc.start, inc.end, "information", "unresolved-include",
            ),
        )  # fmt: skip
    elif inc.target.strip():
        message = (
            f"{printable(inc.written)} is not read: {printable(inc.target)} is a folder, not a file"
            if _a_folder(folder, inc.target)
            else f"{printable(inc.written)} is not read: {printable(res.loop)} is a symlink loop"
            " (a link that never reaches a file); its macros are not known"
            if res.loop is not None
            else f"file {printable(inc.target)} not found ({printable(inc.written)}); its macros are not known"
        )  # fmt: skip
        walk.problem(key, ReadProblem(message, inc.start, inc.end, "information", "missing-file"))


def _a_folder(folder: Path, target: str) -> bool:
    r"""Whether ``\input{sub}`` names a folder of the project (said so, not "not found")."""
    try:
        return (folder / target).is_dir() and not (folder / target).is_symlink()
    except (OSError, ValueError):  # (a name too long, a NUL: not a folder either)
        return False


# -- finding the root ----------------------------------------------------------


def _search_files(folder: Path, limit: int = MAX_SEARCH_FILES) -> Iterator[Path]:
    """LaTeX files below ``folder``, shallow ones first; hidden dirs and node_modules skipped."""
    count = 0
    dirs = 0
    queue: deque[Path] = deque([folder])
    while queue:
        d = queue.popleft()
        dirs += 1
        if dirs > MAX_SEARCH_DIRS:
            return
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                if e.is_dir(follow_symlinks=False):
                    if e.name not in _SKIPPED_DIRS:
                        queue.append(Path(e.path))
                elif e.is_file() and e.name.lower().endswith((".tex", ".ltx")):
                    count += 1
                    if count > limit:
                        return
                    yield Path(e.path)
            except OSError:
                continue


def _candidate_walks(reader: _Reader) -> list[tuple[Path, frozenset[str]]]:
    r"""Every file of the folder that includes others, with the files its walk reads:
    ``\documentclass`` files and shallow files first."""
    candidates: list[tuple[bool, int, str, Path]] = []
    for f in _search_files(reader.folder):
        found, _ = resolved(f)
        if found is None or not _inside(found, reader.folder):
            continue
        if str(found) not in reader.overrides and unreadable(found, MAX_ROOT_BYTES) is not None:
            continue
        text = reader.text(str(found))[0]
        if not any(h in text for h in _INCLUDE_HINTS):
            continue
        scan = reader.scan(str(found))
        if not scan.includes:
            continue
        depth = len(found.relative_to(reader.folder).parts)
        candidates.append((not scan.has_documentclass, depth, str(found), found))
    candidates.sort()
    return [(cand, frozenset(_walk(cand, reader).order)) for _, _, _, cand in candidates]


class RootSearch:
    """The roots a folder holds, searched once: a command line checking thousands of files
    of one folder lists and walks it once, not once per file (which was quadratic).  For
    files that do not change while it lives (not for editor buffers)."""

    def __init__(self) -> None:
        self._walks: dict[tuple[str, frozenset[str]], list[tuple[Path, frozenset[str]]]] = {}

    def walks(self, reader: _Reader) -> list[tuple[Path, frozenset[str]]]:
        key = (str(reader.folder), reader.extra_environments)
        if key not in self._walks:
            self._walks[key] = _candidate_walks(reader)
        return self._walks[key]


def _search_root(path: Path, reader: _Reader, search: RootSearch | None = None) -> Path | None:
    """A file in the folder whose include graph reaches ``path``."""
    target = str(path)
    walks = search.walks(reader) if search is not None else _candidate_walks(reader)
    reachers = [(cand, files) for cand, files in walks if str(cand) != target and target in files]
    if not reachers:
        return None
    # prefer a reacher that no other reacher includes (the top of the graph);
    # the sort above already put \documentclass files and shallow files first
    for cand, _ in reachers:
        if not any(str(cand) in files for other, files in reachers if other != cand):
            return cand
    return reachers[0][0]


_SUBFILES_CLASS = re.compile(r"\\documentclass\s*\[([^\]{}]*)\]\s*\{subfiles\}")
_MAGIC_LINE = re.compile(r"%\s*!\s*tex\s+root\s*=.*$", re.I | re.M)


def find_root(
    path: Path, reader: _Reader, problems: _Walk, search: RootSearch | None = None
) -> Path:
    """The root document of ``path`` (see :func:`load_project`)."""
    key = str(path)
    scan = reader.scan(key)
    text = reader.text(key)[0]
    named: list[tuple[str, str, tuple[int, int]]] = []  # (path as written, by what, where)
    if scan.magic_root:
        m = _MAGIC_LINE.search(text, 0, 4000)
        named.append((scan.magic_root, "% !TEX root", (m.start(), m.end()) if m else (0, 0)))
    if scan.has_documentclass:
        # \documentclass[main.tex]{subfiles}: a part of the document main.tex
        m = _SUBFILES_CLASS.search(text)
        if m and m.group(1).strip():
            named.append((m.group(1), "\\documentclass{subfiles}", (m.start(), m.end())))
    for written, by, where in named:
        name = written.strip().strip('"')
        outside = False
        for candidate in _candidates(os.path.expanduser(name)):
            found, _ = resolved(os.path.normpath(path.parent / candidate))
            if found is None:
                continue
            if not _inside(found, reader.folder):
                outside = True
            elif reader.exists(found):
                return found
        if outside:
            message = f"the root {printable(name)} named by {by} is outside the project folder {reader.folder}; it is not read"
            problems.problem(key, ReadProblem(message, *where, "information", "outside-project"))
        else:
            message = f"the root {printable(name)} named by {by} is not found"
            problems.problem(key, ReadProblem(message, *where, "information", "missing-file"))
    if scan.has_documentclass:
        return path
    found = _search_root(path, reader, search)
    return found if found is not None else path


# -- the entry point -------------------------------------------------------------


def load_project(
    path: str | Path,
    *,
    folder: str | Path | None = None,
    overrides: Mapping[str, str] | None = None,
    extra_environments: Iterable[str] = frozenset(),
    format: Format | None = None,
    search: RootSearch | None = None,
) -> Project:
    r"""The project that ``path`` belongs to.

    ``folder`` bounds what is read (default: the file's directory; a file
    outside the given folder makes its own directory the folder).  ``overrides``
    maps absolute paths to editor buffers that take precedence over the disk.
    ``format`` overrides the format guessed from the file name.  ``search`` remembers
    the roots of a folder across calls (files on disk that do not change).

    The root is the file named by ``% !TEX root`` (or by
    ``\documentclass[main]{subfiles}``), else the file itself when it has a
    ``\documentclass``, else a LaTeX file of the folder whose includes reach it
    (``\documentclass`` files and the top of the include graph first), else the
    file itself.  Includes are followed depth first from the root; a file the
    root does not reach is read after it.  Macros are merged in reading order:
    a file's definitions before an include come before the included file's.
    """
    file = Path(normalize(path))
    base = Path(normalize(folder)) if folder is not None else file.parent
    if not _inside(file, base):
        base = file.parent
    reader = _Reader(base, overrides, frozenset(extra_environments))
    fmt: Format = format or format_of(file)
    key = str(file)

    if fmt == "markdown":
        book = _book_of(file, reader)
        if book is not None:  # a chapter of a Quarto book or a Jupyter Book
            return _book_project(book[0], book[1], reader)
        text, read_problems = reader.text(key)
        result = reader.scan(key, "markdown")
        project = Project(str(base), key)
        project.files[key] = ProjectFile(key, text, result, "markdown")
        project.macros = merge([result.definitions])
        if read_problems:
            project.problems[key] = list(read_problems)
        if result.includes:  # Quarto's {{< include _macros.qmd >}}: the page's macros too
            walk = _Walk()
            _walk(file, reader, walk)
            for p in walk.order[1:]:
                project.files[p] = ProjectFile(p, reader.text(p)[0], reader.scan(p), format_of(p))
            project.macros = merge([walk.definitions])
            for p, found in walk.problems.items():
                project.problems.setdefault(p, []).extend(found)
        return project

    walk = _Walk()
    root = find_root(file, reader, walk, search)
    _walk(root, reader, walk)
    if key not in walk.order:  # the root does not include the file: read it after
        _walk(file, reader, walk, root_dir=root.parent)
    project = Project(str(base), str(root))
    for p in walk.order:
        project.files[p] = ProjectFile(p, reader.text(p)[0], reader.scan(p), "latex")
    project.macros = merge([walk.definitions])
    project.problems = walk.problems
    return project


def _book_of(page: Path, reader: _Reader) -> tuple[Path, list[Path]] | None:
    """The book file listing ``page`` (nearest first) and its chapters, or None."""
    for spec in books.book_files(page, reader.folder):
        if not _inside(spec, reader.folder):
            continue
        text = reader.text(str(spec))[0]
        pages = books.chapters(spec, text, lambda p: _inside(p, reader.folder), reader.exists)
        if page in pages:
            return spec, pages
    return None


def _book_project(spec: Path, pages: list[Path], reader: _Reader) -> Project:
    """A book's chapters (each with the pages it includes) in the order the book lists
    them, their macros merged in that order; the book file is the root."""
    walk = _Walk()
    for page in pages:
        _walk(page, reader, walk)
    project = Project(str(reader.folder), str(spec))
    for p in walk.order:
        project.files[p] = ProjectFile(p, reader.text(p)[0], reader.scan(p), format_of(p))
    project.macros = merge([walk.definitions])
    project.problems = walk.problems
    return project


def text_project(path: str, text: str, format: Format = "latex") -> Project:
    """A project of one text and nothing else: no file is read, no folder searched (an
    expression typed on the command line is read with its own declarations only)."""
    key = normalize(path)
    scan = scan_text(text, format, frozenset(), "")
    project = Project(str(Path(key).parent), key)
    project.files[key] = ProjectFile(key, text, scan, format)
    project.macros = merge([scan.definitions])
    return project
