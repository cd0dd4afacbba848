r"""The reading layer's entry point: a document in, its math regions out.

:func:`read_document` reads a file of a project (LaTeX or Markdown), expands
the project's macros in each math region, splits the regions into rows and
collects every problem met on the way.  :func:`read_text` does the same for a
plain string, with no file and no project.

Reading never raises on what a user may write or store: unreadable, binary or
huge files, unclosed math and runaway macros all become :class:`ReadProblem`\ s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from texgrad.reading.edits import Splice
from texgrad.reading.macros import MacroTable, merge
from texgrad.reading.memo import Recent
from texgrad.reading.problems import ReadProblem
from texgrad.reading.project import (
    LATEX_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SCANS,
    Format,
    Project,
    load_project,
    normalize,
    read_file,
    scan_text,
)
from texgrad.reading.regions import (
    MathRegion,
    RawRegion,
    ScanResult,
    build_region,
    moved_regions,
)

Regions = tuple[MathRegion, ...]

_LATEX_IDS = frozenset({"latex", "tex", "plaintex", "context", "latex-expl3", "bibtex-style"})
_MARKDOWN_IDS = frozenset({"markdown", "pandoc", "quarto", "rmd", "mdx", "rmarkdown", "myst"})


def detect_format(path: str, language_id: str | None = None) -> Format:
    """The format of a document: from the editor's language id, else from the file name."""
    if language_id:
        lid = language_id.strip().lower()
        if lid in _LATEX_IDS:
            return "latex"
        if lid in _MARKDOWN_IDS:
            return "markdown"
    suffix = Path(path).suffix.lower() if path else ""
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in LATEX_SUFFIXES:
        return "latex"
    return "latex"


@dataclass(frozen=True)
class DocumentRead:
    """What reading one document gave: its math and the problems met."""

    path: str
    text: str
    format: str
    regions: tuple[MathRegion, ...]
    # scan problems, macro expansion problems of the regions and the project's
    # problems reported in this file, in that order
    problems: tuple[ReadProblem, ...]
    # regions made from the last read of this path after an edit: how (see Splice)
    splice: Splice | None = field(default=None, compare=False, repr=False)


def read_text(
    text: str,
    format: Format = "latex",
    macros: MacroTable | None = None,
    *,
    extra_environments: Iterable[str] = frozenset(),
    path: str = "",
) -> DocumentRead:
    """Read a plain string: ``macros`` first, then the string's own definitions."""
    scan = scan_text(text, format, frozenset(extra_environments), path)
    table = merge([(macros or {}).values(), scan.definitions])
    return _assemble(path, text, format, scan, table, ())


def read_document(
    path: str | Path,
    *,
    project: Project | None = None,
    text: str | None = None,
    language_id: str | None = None,
    folder: str | Path | None = None,
    extra_environments: Iterable[str] = frozenset(),
    overrides: Mapping[str, str] | None = None,
) -> DocumentRead:
    """Read the document at ``path`` with the macros of its project.

    ``text`` is the document's current text (an editor buffer); without it the
    file is read from ``project`` or the disk.  Without ``project`` one is
    loaded (bounded by ``folder``, with ``overrides`` for other open buffers).
    """
    # a path the project holds is its key already (resolving it again costs system calls
    # for each file of a project, for each file checked)
    key = (
        path
        if project is not None and isinstance(path, str) and path in project.files
        else normalize(path)
    )
    fmt = detect_format(str(path), language_id)
    extra = frozenset(extra_environments)
    if project is None:
        buffers = dict(overrides or {})
        if text is not None:
            buffers[key] = text
        project = load_project(
            key, folder=folder, overrides=buffers, extra_environments=extra, format=fmt
        )

    read_problems: list[ReadProblem] = []
    entry = project.file(key)
    if text is None:
        if entry is not None:
            text = entry.text
        else:
            text, read_problems = read_file(key)
    if entry is not None and entry.text == text and entry.format == fmt:
        scan = entry.scan
        macros = project.macros
    else:
        # a newer buffer than the project's, or a file the project does not hold:
        # its own definitions replace the ones the project read from it
        scan = scan_text(text, fmt, extra, key)
        kept = [m for m in project.macros.values() if m.path != key]
        macros = merge([kept, scan.definitions])
    own = [p for p in project.problems_for(key) if p not in read_problems]
    return _assemble(key, text, fmt, scan, macros, (*read_problems, *own))


def _assemble(
    path: str,
    text: str,
    format: str,
    scan: ScanResult,
    macros: MacroTable,
    extra_problems: Iterable[ReadProblem],
) -> DocumentRead:
    regions, splice, flagged = _ASSEMBLED.regions(path, text, scan, macros)
    problems: list[ReadProblem] = list(scan.problems)
    for i in flagged:  # (the regions that have some: a moved region's rows stay put)
        problems.extend(regions[i].problems)
    problems.extend(extra_problems)
    return DocumentRead(path, text, format, regions, tuple(problems), splice)


class _Assembled:
    """The regions last built for each path, so that after an edit only the regions whose
    text changed are built again (macros expanded, rows split) and the others are reused
    or moved.  Bounded and thread-safe."""

    def __init__(self, size: int = 64) -> None:
        # per path: text, raw regions, macros, regions, and which regions have problems
        self._last: Recent[
            str, tuple[str, list[RawRegion], tuple[object, ...], Regions, tuple[int, ...]]
        ]
        self._last = Recent(size)

    def clear(self) -> None:
        self._last.clear()

    def regions(
        self, path: str, text: str, scan: ScanResult, macros: MacroTable
    ) -> tuple[Regions, Splice | None, tuple[int, ...]]:
        """The regions of ``scan``, how they were made from the last ones (if so), and the
        indices of those that have problems (few: not looked for among the regions moved)."""
        raws = scan.regions
        defined = tuple(
            sorted((m.name, m.nargs, m.default, m.body, m.kind, m.forms) for m in macros.values())
        )
        last = self._last.get(path) if path else None
        splice = None
        if last is None or last[2] != defined:
            out = tuple(build_region(text, raw, macros) for raw in raws)
        elif last[1] is raws and last[0] == text:
            return last[3], None, last[4]
        elif scan.origin is not None and scan.origin.previous is last[1]:
            # the scan moved the last one's regions (rescan.py): so do we
            origin, old = scan.origin, last[3]
            kept, moved, d = origin.kept, origin.moved, origin.delta
            built = [build_region(text, raw, macros) for raw in raws[kept : len(raws) - moved]]
            out = (*old[:kept], *built, *moved_regions(old[len(old) - moved :], d))
            splice = Splice(old, kept, moved, d)
            shift = len(out) - len(old)
            flagged = (
                *(i for i in last[4] if i < kept),
                *(kept + i for i, r in enumerate(built) if r.has_problems),
                *(i + shift for i in last[4] if i >= len(old) - moved),
            )
            if path:
                self._last.put(path, (text, raws, defined, out, flagged))
            return out, splice, flagged
        else:
            # scanned whole (a `$` typed or deleted, an edit beside a Markdown event): the
            # regions alike at the head (where they were) and at the tail (moved by the
            # edit) are reused as a rescan's splice would have them, and said so
            out, splice = _spliced(text, raws, macros, *last[:2], last[3])
        flagged = tuple(i for i, r in enumerate(out) if r.has_problems)
        if path:
            self._last.put(path, (text, raws, defined, out, flagged))
        return out, splice, flagged


def _spliced(
    text: str,
    raws: list[RawRegion],
    macros: MacroTable,
    old_text: str,
    old_raws: list[RawRegion],
    old: Regions,
) -> tuple[Regions, Splice]:
    """The regions of a whole scan of ``text`` made from the last ones (``old``, of
    ``old_raws`` in ``old_text``): the first ones that are the same regions with the same
    text kept, the last ones moved by the change of length, those between built (or, one
    for one, moved where they are the same region with the same text)."""
    d = len(text) - len(old_text)
    n, n_old = len(raws), len(old_raws)
    kept = 0
    while kept < min(n, n_old) and _alike(text, raws[kept], old_text, old_raws[kept], 0):
        kept += 1
    moved = 0
    while moved < min(n, n_old) - kept and _alike(
        text, raws[n - 1 - moved], old_text, old_raws[n_old - 1 - moved], d
    ):
        moved += 1
    mid = raws[kept : n - moved]
    old_mid = old_raws[kept : n_old - moved]
    if len(mid) == len(old_mid):
        built = []
        for raw, was, region in zip(mid, old_mid, old[kept : n_old - moved], strict=True):
            shift = raw.start - was.start
            if _alike(text, raw, old_text, was, shift):
                built.append(region.moved(shift))
            else:
                built.append(build_region(text, raw, macros))
    else:
        built = [build_region(text, raw, macros) for raw in mid]
    out = (*old[:kept], *built, *(r.moved(d) for r in old[n_old - moved :]))
    return out, Splice(old, kept, moved, d)


def _alike(text: str, raw: RawRegion, old_text: str, was: RawRegion, d: int) -> bool:
    """Is ``raw`` the region ``was`` moved by ``d``, with the same text?"""
    return (raw is was or (raw.start - was.start == d and _moved_by(raw, was, d))) and (
        text[raw.start : raw.end] == old_text[was.start : was.end]
    )


def _moved_by(raw: RawRegion, was: RawRegion, d: int) -> bool:
    """Is ``raw`` the region ``was``, ``d`` characters later?"""
    return (
        raw.end - was.end == d
        and raw.body_start - was.body_start == d
        and raw.body_end - was.body_end == d
        and raw.kind == was.kind
        and raw.delimiter == was.delimiter
        and raw.display == was.display
        and raw.markdown_escapes == was.markdown_escapes
        and len(raw.excluded) == len(was.excluded)
        and all(
            a - c == d and b - e == d
            for (a, b), (c, e) in zip(raw.excluded, was.excluded, strict=True)
        )
    )


_ASSEMBLED = _Assembled()


def clear_caches() -> None:
    """Forget the scans and regions remembered per path (for measurements and tests)."""
    SCANS.clear()
    _ASSEMBLED.clear()
