r"""The documents an editor has open, their projects, and analysis cached across edits.

The language server's state that is not protocol: editor buffers by path, the
settings, one :class:`~texgrad.shapes.check.Checker` (it keeps the parsed rows of
every file, so re-checking after an edit parses only the rows whose text
changed), and the LaTeX projects of the open files.  Everything here takes and
returns plain values (paths, texts, offsets); nothing knows a URI or a position.

Not thread-safe: the server calls :meth:`Workspace.analyse` from one analysis
thread, with snapshots of the buffers it holds on its event loop.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from texgrad.reading.document import Format, detect_format
from texgrad.reading.files import MAX_DOCUMENT_BYTES, SKIPPED_CODES, printable
from texgrad.reading.macros import Macro, merge
from texgrad.reading.notebook import SUFFIX as NOTEBOOK_SUFFIX
from texgrad.reading.problems import ReadProblem
from texgrad.reading.project import Project, ProjectFile, load_project, normalize, scan_text
from texgrad.settings import resolve
from texgrad.shapes.diagnostics import Diagnostic
from texgrad.stop_points import MemoryExceeded

if TYPE_CHECKING:  # the engine (numpy, scipy) is imported on first use: a faster start
    from texgrad.calculus.api import DiffOutcome, DiffPlan
    from texgrad.calculus.deadline import Deadline
    from texgrad.calculus.refusals import Refusal
    from texgrad.shapes.check import Checker, CheckResult  # (made late: see Workspace.checker)

log = logging.getLogger(__name__)

# Larger buffers are not analysed (a 1 MB document takes about 3 s of CPU to check, cold,
# and well under a second after an edit; a 10 MB one would hold the analysis thread for a
# minute): they get one message instead.  The limit of files the command line checks, so
# that what `texgrad check` checks the editor checks too (a 1 MB thesis was refused).
MAX_ANALYSED_CHARS = MAX_DOCUMENT_BYTES

# Lines that decide a LaTeX project's shape: when one of them changes, the project
# (its root and included files) is found again.
_STRUCTURE = re.compile(
    r"\\(?:input|include|subfile|import|subimport|includefrom|inputfrom|subincludefrom|"
    r"subinputfrom|documentclass|usepackage|RequirePackage|LoadClass)\b[^\n]*"
    r"|%\s*!\s*[Tt][Ee][Xx]\s+root[^\n]*"
)


def notebook_note(path: str) -> str:
    """Why a notebook opened as a file is not analysed: its text is the notebook's JSON,
    where no position of a cell's Markdown is the editor's (``reading/notebook.py``)."""
    name = printable(os.path.basename(path))
    return (
        f"texgrad does not read {name} as a text file: it is a notebook's JSON. Open it in a "
        f"notebook editor (each Markdown cell is read), or run `texgrad check {name}` "
        "(cell, line and column of each finding)."
    )


def structure(text: str) -> tuple[str, ...]:
    return tuple(_STRUCTURE.findall(text))


@dataclass
class Analysis:
    """What checking one document gave, and what it depended on."""

    path: str
    text: str
    result: CheckResult | None
    project: tuple[str, ...] = ()  # the paths of its project's files (itself included)
    problems: tuple[ReadProblem, ...] = ()  # reading problems to report
    note: str | None = None  # why it was not analysed
    # the derivatives the document writes that are wrong (wrong-derivative), once checked
    # after the shape diagnostics (protocol/derivative_checks.py); None: not checked yet
    derivatives: list[Diagnostic] | None = None
    # until then, the findings of the text before it where its edit left them
    # (shapes.diagnostics.moved_by_edit): shown so that they do not blink at each keystroke
    carried: list[Diagnostic] | None = None

    @property
    def findings(self) -> list[Diagnostic]:
        """The ``wrong-derivative`` findings to show: its own once checked, else carried."""
        if self.derivatives is not None:
            return self.derivatives
        return self.carried or []


@dataclass
class Inserted:
    """A differentiation result texgrad inserted in a document (for hovers)."""

    path: str
    rhs: str  # the equation inserted, "lhs = rhs"
    verified: bool
    note: str


@dataclass
class _CachedProject:
    project: Project
    structures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    generation: int = 0
    # the project with the buffers last patched in (those differing from its files), so
    # that checking each of its files after an edit scans the edited buffer once
    patched: tuple[dict[str, str], Project] | None = None


class Workspace:
    def __init__(self, folders: Iterable[str] = ()) -> None:
        self.folders = [normalize(f) for f in folders]
        self.settings: dict[str, Any] = resolve(None)
        self._checker: Checker | None = None
        self._projects: dict[str, _CachedProject] = {}
        self._settings_macros: list[Macro] = []
        self.generation = 0  # bumped when settings change: every cached project is stale
        self.inserted: list[Inserted] = []
        self._verdicts: dict[str, dict[tuple[object, ...], Any]] = {}  # per path
        # per path: why each claim left undecided is so, by (row text, start, end in it)
        self._undecided: dict[str, dict[tuple[str, int, int], str]] = {}

    def fresh(self) -> Workspace:
        """A workspace with these settings, folders and remembered results, and nothing
        cached: to go on with when this one is left to an analysis that may never end (or
        was stopped half way)."""
        new = Workspace()
        new.folders = list(self.folders)
        new.settings = self.settings
        new._settings_macros = self._settings_macros
        new.generation = self.generation + 1
        new.inserted = self.inserted
        new._verdicts = self._verdicts
        new._undecided = self._undecided
        return new

    @property
    def checker(self) -> Checker:
        """The checker, made at its first use: the language server answers ``initialize``
        before the checker (the parser and the shape rules) is loaded."""
        if self._checker is None:
            from texgrad.collector import uncollected

            with uncollected():  # (the analysis: see collector.py)
                from texgrad.shapes.check import Checker
            from texgrad.syntax.parse_cache import ParseCache

            self._checker = Checker(ParseCache.for_user())  # trees kept between sessions
        return self._checker

    # -- settings ---------------------------------------------------------------------

    def configure(self, raw: Mapping[str, Any] | None) -> bool:
        """Apply settings from the client; True when analysis results may change."""
        new = resolve(raw)
        changed = any(new[k] != self.settings.get(k) for k in ("math.environments", "macros"))
        self.settings = new
        if changed:
            source = "\n".join(new["macros"])
            defs = scan_text(source, "latex", frozenset(), "<settings>").definitions
            self._settings_macros = list(defs)
            self._projects.clear()
            # (the checker is kept: its trees are keyed by the rows as read, so only rows
            # that read otherwise under the new macros and environments are parsed and
            # inferred again — what the first analysis made of the others stays valid)
            self.generation += 1
        return changed

    @property
    def extra_environments(self) -> frozenset[str]:
        return frozenset(self.settings.get("math.environments", ()))

    def folder_of(self, path: str) -> str:
        """The workspace folder holding ``path`` (the innermost), else its directory."""
        best = ""
        for f in self.folders:
            if (path == f or path.startswith(f.rstrip(os.sep) + os.sep)) and len(f) > len(best):
                best = f
        return best or str(Path(path).parent)

    # -- projects ---------------------------------------------------------------------

    def forget(self, path: str) -> None:
        """``path`` changed on disk or was closed: projects holding it are read again."""
        key = normalize(path)
        for k in [k for k, c in self._projects.items() if key in c.project.files]:
            del self._projects[k]

    def forget_documents(self, paths: Iterable[str]) -> None:
        """Closed documents no open document's project holds: what the checker and the
        derivative checks kept of them goes (their projects are read again too)."""
        for path in paths:
            self.forget(path)
            if self._checker is not None:
                self._checker.forget(path)
            self._verdicts.pop(path, None)
            self._undecided.pop(path, None)

    def macro_definitions(
        self, path: str, fmt: Format, buffers: Mapping[str, str], text: str
    ) -> str:
        """Definitions of the project's macros that ``text`` (a derivation written in the
        document's notation) uses, for a renderer that has not read the document."""
        from texgrad.reading.macros import katex_definitions

        return katex_definitions(text, self.project(path, fmt, buffers).macros)

    def project(self, path: str, fmt: Format, buffers: Mapping[str, str]) -> Project:
        extra = self.extra_environments
        folder = self.folder_of(path)
        if fmt == "markdown":  # (a book's other open chapters are read as edited)
            project = load_project(
                path,
                folder=folder,
                overrides={**buffers, path: buffers.get(path, "")},
                extra_environments=extra,
                format="markdown",
            )
            return self._with_settings_macros(project)
        cached = self._projects.get(path)
        if cached is not None and cached.generation == self.generation:
            stale = any(
                structure(buffers[p]) != cached.structures.get(p)
                for p in cached.project.files
                if p in buffers and buffers[p] != cached.project.files[p].text
            )
            if not stale:
                return self._patched(cached, buffers)
        project = load_project(
            path, folder=folder, overrides=dict(buffers), extra_environments=extra, format="latex"
        )
        project = self._with_settings_macros(project)
        structures = {p: structure(f.text) for p, f in project.files.items()}
        entry = _CachedProject(project, structures, self.generation)
        self._projects[path] = entry
        for p in project.files:  # its files are checked in it too: one read of the project,
            known = self._projects.get(p)  # not one per file (publishing a large project's)
            if known is None or known.generation != self.generation:
                self._projects[p] = entry
        return project

    def _with_settings_macros(self, project: Project) -> Project:
        if not self._settings_macros:
            return project
        return Project(
            project.folder,
            project.root,
            project.files,
            merge([self._settings_macros, project.macros.values()]),
            project.problems,
        )

    def _patched(self, cached: _CachedProject, buffers: Mapping[str, str]) -> Project:
        """The project with the current text of its open files (rescanned)."""
        project = cached.project
        differ = {
            p: text
            for p, text in buffers.items()
            if p in project.files and text != project.files[p].text
        }
        if not differ:
            return project
        if cached.patched is not None and cached.patched[0] == differ:
            return cached.patched[1]  # (the same buffers as for the file checked before)
        changed: dict[str, ProjectFile] = {}
        for p, f in project.files.items():  # (in the project's order: its macros are merged so)
            if p in differ:
                scan = scan_text(differ[p], f.format, self.extra_environments, p)
                changed[p] = ProjectFile(p, differ[p], scan, f.format)
        files = {p: changed.get(p, f) for p, f in project.files.items()}
        kept = [m for m in project.macros.values() if m.path not in changed]
        macros = merge([kept, *(f.scan.definitions for f in changed.values())])
        patched = Project(project.folder, project.root, files, macros, project.problems)
        cached.patched = (differ, patched)
        return patched

    # -- analysis ---------------------------------------------------------------------

    def analyse(
        self, path: str, text: str | None, buffers: Mapping[str, str], fmt: Format | None = None
    ) -> Analysis:
        """Check the document at ``path`` (its buffer ``text``; None: the file on disk)."""
        fmt = fmt or detect_format(path)
        if text is not None and len(text) > MAX_ANALYSED_CHARS:
            return Analysis(
                path,
                text,
                None,
                (path,),
                note=f"texgrad does not analyse documents longer than "
                f"{MAX_ANALYSED_CHARS:,} characters (this one has {len(text):,}).",
            )
        if path.lower().endswith(NOTEBOOK_SUFFIX):
            return Analysis(path, text or "", None, (path,), note=notebook_note(path))
        own = dict(buffers)
        if text is not None:
            own[path] = text
        project = self.project(path, fmt, own)
        result = self.checker.check(path, project, self.folder_of(path), text)
        problems = tuple(
            p for p in result.doc.problems if p.severity != "information" or p.code in SKIPPED_CODES
        )
        return Analysis(path, result.doc.text, result, tuple(project.paths), problems)

    # -- differentiation ----------------------------------------------------------------

    def plans(self, result: CheckResult, offset: int) -> list[DiffPlan]:
        """:func:`texgrad.calculus.api.plans_at` on an already checked document."""
        from texgrad.calculus import api  # (downward, on first use: a faster start)

        return api.plans_at(result.path, result.doc.text, offset, result=result)

    def refusal(self, result: CheckResult, offset: int) -> Refusal | None:
        """:func:`texgrad.calculus.refusals.refusal_at`: why the row at ``offset`` offers
        nothing to differentiate (None where it offers something or states no function)."""
        from texgrad.calculus import refusals  # (downward, on first use: a faster start)

        try:
            return refusals.refusal_at(result, offset)
        except Exception:  # only an explanation: never a failure of the request
            log.exception("explaining a refusal failed")
            return None

    def why_at(self, result: CheckResult, offset: int) -> list[tuple[int, int, str]]:
        """Why texgrad says nothing at ``offset`` (the hover's lines, with their ranges): the
        row does not parse, the letter there has no shape, the written derivative there was
        left undecided by its last check, or is no claim texgrad checks
        (:mod:`texgrad.calculus.unchecked`)."""
        from texgrad.calculus import unchecked  # (downward, on first use)
        from texgrad.shapes.query import node_at

        said: list[tuple[int, int, str]] = []
        try:
            unread = unchecked.unread_at(result, offset)
            if unread is not None:
                said.append((unread.start, unread.end, unread.message))
            node = node_at(result, offset)
            letter = unchecked.letter_reason(result, node) if node is not None else None
            if node is not None and letter is not None:
                said.append((node.start, node.end, letter))
        except Exception:  # only an explanation: never a failure of the request
            log.exception("explaining a silence failed")
        claim = self.undecided_at(result, offset)
        if claim is not None:
            said.append(claim)
        else:  # a derivative written otherwise than `derivative = expression`
            try:
                other = unchecked.unclaimed_at(result, offset)
                if other is not None:
                    said.append((other.start, other.end, other.message))
            except Exception:  # only an explanation: never a failure of the request
                log.exception("explaining a silence failed")
        return said

    def differentiate(
        self,
        result: CheckResult,
        offset: int,
        wrt: str,
        hessian: bool = False,
        deadline: Deadline | None = None,
    ) -> DiffOutcome:
        """:func:`texgrad.calculus.api.diff_at` on an already checked document, all of it
        (the code included) within the time budget: one :class:`~texgrad.calculus.deadline.
        Deadline` for the request, which ``deadline`` (if given) is, so that the caller may
        cancel it from another thread."""
        from texgrad.calculus import api  # (downward, on first use: a faster start)
        from texgrad.calculus.deadline import Deadline

        seconds = float(self.settings["differentiation.timeBudget"])
        try:
            with (deadline or Deadline(seconds)).active():
                outcome = api.diff_at(
                    result.path,
                    result.doc.text,
                    offset,
                    wrt,
                    self.settings["layout"],
                    seconds,
                    hessian,
                    result=result,
                )
                outcome.write_code()  # here, off the event loop: "Copy as NumPy" needs it
            return outcome
        except Exception as exc:  # a bug in the engine must not take the server down
            log.exception("differentiation failed")
            return api.DiffOutcome(error=f"texgrad could not differentiate this: {exc}")

    def wrong_derivatives(
        self, result: CheckResult, seconds: float = 10.0, deadline: Deadline | None = None
    ) -> list[Diagnostic]:
        """The derivatives the checked document writes that are not the derivative
        (:mod:`texgrad.calculus.written_derivatives`), as diagnostics with their quick fix,
        all checked within ``seconds`` (and by ``deadline``, which the caller may cancel):
        past them, one information note says how many were not checked.  A claim whose
        row and context did not change since the last check is not differentiated again.
        The steps of the document's derivations that differ from the step before follow
        (``unequal-step``, :mod:`texgrad.calculus.unequal_steps`)."""
        from texgrad.calculus import unequal_steps as us
        from texgrad.calculus import written_derivatives as wd  # (downward, on first use)
        from texgrad.calculus.context import forget_contexts
        from texgrad.calculus.deadline import Deadline

        old = self._verdicts.get(result.path, {})
        cache: dict[tuple[object, ...], Any] = dict(old)
        tally, step_tally = wd.Tally(), us.StepTally()
        found: list[wd.Finding] = []
        steps: list[us.UnequalStep] = []
        try:
            with (deadline or Deadline(seconds)).active():
                found = wd.check_written(
                    result, seconds=seconds, cache=cache, tally=tally, only_findings=True
                )
                # unequal-step: a slip mid-derivation
                steps = us.check_steps(result, seconds, step_tally)
        except MemoryExceeded as exc:  # the rest is not checked: said on the document
            log.warning("stopped checking the written derivatives of %s: %s", result.path, exc)
            cut = wd.unchecked_note(result, tally) or us.unchecked_note(result, step_tally)
            found = found or tally.found_before_stop
            return wd.diagnostics_of(result, found) + ([cut] if cut is not None else [])
        except Exception:  # a bug in the engine must not take the server down
            log.exception("checking the written derivatives failed")
            return []
        finally:  # (stopped by the server too: the verdicts reached are whole, kept)
            if len(cache) > 2000:
                cache = {k: v for k, v in list(cache.items())[-1000:]}
            self._verdicts[result.path] = cache
            forget_contexts(result)  # (learnt for each claim: kept, they outweighed its trees)
        self._keep_undecided(result, tally.undecided)
        note = wd.unchecked_note(result, tally)
        wrong = wd.diagnostics_of(result, found)
        wrong += us.diagnostics_of(result, steps, besides=wrong)
        return wrong + ([note] if note is not None else [])

    def _keep_undecided(
        self, result: CheckResult, undecided: list[tuple[int, int, str, str, str]]
    ) -> None:
        """Why each claim of the document left undecided is so, by its row's text and place
        in it (a claim whose verdict was reused keeps the reason its check gave)."""
        from texgrad.calculus.unchecked import claim_reason, with_cause

        text = result.doc.text
        old = self._undecided.get(result.path, {})
        new: dict[tuple[str, int, int], str] = {}
        for start, end, why, function, wrt in undecided:
            row = next((r for r in result.rows if r.path == result.path
                        and r.start <= start and end <= r.end), None)  # fmt: skip
            if row is None:
                continue
            key = (text[row.start : row.end], start - row.start, end - row.start)
            said = (
                claim_reason(with_cause(result, start, end, why), function, wrt)
                if why
                else old.get(key)
            )
            if said:
                new[key] = said
        self._undecided[result.path] = new

    def undecided_at(self, result: CheckResult, offset: int) -> tuple[int, int, str] | None:
        """The written derivative at ``offset`` that its last check left undecided, and why
        (said in the hover); None where there is none."""
        kept = self._undecided.get(result.path)
        if not kept:
            return None
        text = result.doc.text
        for row in result.rows:
            if row.path != result.path or not row.start <= offset <= row.end:
                continue
            for (row_text, a, b), said in kept.items():
                if row_text == text[row.start : row.end] and a <= offset - row.start <= b:
                    return row.start + a, row.start + b, said
        return None

    def retries_pending(self, path: str) -> bool:
        """Whether a claim of ``path``'s last derivative check was left undecided because its
        own time ran out, and is to be checked again (a bounded number of times)."""
        from texgrad.calculus import written_derivatives as wd  # (downward, on first use)

        return wd.retries_pending(self._verdicts.get(path, {}))

    # -- inserted results -----------------------------------------------------------------

    def remember(self, inserted: Inserted) -> None:
        self.inserted = [i for i in self.inserted[-199:] if i.rhs != inserted.rhs] + [inserted]

    def inserted_in(self, path: str, text: str) -> Inserted | None:
        """A result texgrad inserted that ``text`` (a row of the document at ``path``) holds."""
        flat = "".join(text.split()).replace("&", "")
        for ins in reversed(self.inserted):
            if ins.path == path and "".join(ins.rhs.split()).replace("&", "") in flat:
                return ins
        return None
