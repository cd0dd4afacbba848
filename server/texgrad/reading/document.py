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
    regions, splice = _ASSEMBLED.regions(path, text, scan, macros)
    problems: list[ReadProblem] = list(scan.problems)
    for region in regions:
        problems.extend(region.problems)  # (without any, a moved region's rows stay put)
    problems.extend(extra_problems)
    return DocumentRead(path, text, format, regions, tuple(problems), splice)


class _Assembled:
    """The regions last built for each path, so that after an edit only the regions whose
    text changed are built again (macros expanded, rows split) and the others are reused
    or moved.  Bounded and thread-safe."""

    def __init__(self, size: int = 64) -> None:
        self._last: Recent[str, tuple[str, list[RawRegion], tuple[object, ...], Regions]]
        self._last = Recent(size)

    def clear(self) -> None:
        self._last.clear()

    def regions(
        self, path: str, text: str, scan: ScanResult, macros: MacroTable
    ) -> tuple[Regions, Splice | None]:
        """The regions of ``scan``, and how they were made from the last ones (if so)."""
        raws = scan.regions
        defined = tuple(
            sorted((m.name, m.nargs, m.default, m.body, m.kind) for m in macros.values())
        )
        last = self._last.get(path) if path else None
        splice = None
        if last is None or last[2] != defined:
            out = tuple(build_region(text, raw, macros) for raw in raws)
        elif last[1] is raws and last[0] == text:
            return last[3], None
        elif scan.origin is not None and scan.origin.previous is last[1]:
            # the scan moved the last one's regions (rescan.py): so do we
            origin, old = scan.origin, last[3]
            kept, moved, d = origin.kept, origin.moved, origin.delta
            out = (
                *old[:kept],
                *(build_region(text, raw, macros) for raw in raws[kept : len(raws) - moved]),
                *(r.moved(d) for r in old[len(old) - moved :]),
            )
            splice = Splice(old, kept, moved, d)
        elif len(last[1]) == len(raws):
            old_text, old_raws, _, old_regions = last
            built = []
            for raw, was, region in zip(raws, old_raws, old_regions, strict=True):
                d = raw.start - was.start
                if (raw is was or _moved_by(raw, was, d)) and (
                    text[raw.start : raw.end] == old_text[was.start : was.end]
                ):
                    built.append(region.moved(d))
                else:
                    built.append(build_region(text, raw, macros))
            out = tuple(built)
        else:
            out = tuple(build_region(text, raw, macros) for raw in raws)
        if path:
            self._last.put(path, (text, raws, defined, out))
        return out, splice


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
