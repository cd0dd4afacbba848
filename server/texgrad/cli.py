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
from typing import TYPE_CHECKING, TextIO

from texgrad import __version__
from texgrad.reading.document import DocumentRead, detect_format, read_document
from texgrad.reading.files import (
    SKIPPED_CODES,
    documents_in,
    is_regular,
    printable,
    resolved,
    unreadable,
)
from texgrad.reading.problems import ReadProblem
from texgrad.reading.project import Project, RootSearch, load_project, normalize
from texgrad.reading.source import MappedText, line_col, line_starts
from texgrad.shapes.check import Checker, CheckResult
from texgrad.shapes.diagnostics import Diagnostic
from texgrad.syntax import tree as t
from texgrad.syntax.parse import ParsedRow, ParseError, parse_region, parse_row
from texgrad.syntax.show import show

if TYPE_CHECKING:  # the engine is imported when a derivative is asked for
    from texgrad.calculus.api import DiffOutcome

# the documents a folder is searched for: LaTeX, Markdown, Quarto, R Markdown, MDX
DOCUMENT_SUFFIXES = (".tex", ".ltx", ".latex", ".md", ".markdown", ".qmd", ".rmd", ".mdx")
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_expression_as_typed(sys.argv[1:] if argv is None else list(argv)))
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args, sys.stdout))
    except BrokenPipeError:  # `texgrad inspect … | head`
        return 0


# the options of `texgrad diff` that take a value (the next argument, or after `=`)
_DIFF_VALUED = ("--wrt", "--where", "--file", "--line", "--format", "--layout", "--budget")


def _expression_as_typed(argv: list[str]) -> list[str]:
    r"""``texgrad diff '-x^\top x' …`` and ``texgrad diff '-\|x\|^2' …``: an expression
    that starts with ``-`` is the expression, not an unknown option (argparse would stop at
    it); it is passed on as ``--expression=…``.  ``-h`` stays the help."""
    if "diff" not in argv:
        return argv
    start = argv.index("diff") + 1
    out = argv[:start]
    takes_value = False
    for arg in argv[start:]:
        if takes_value:
            out.append(arg)
            takes_value = False
        elif arg == "--":
            return out + argv[len(out) :]
        elif arg.startswith("--"):
            out.append(arg)
            takes_value = "=" not in arg and any(v.startswith(arg) for v in _DIFF_VALUED)
        elif arg.startswith("-") and arg not in ("-h", "-") and not _is_number(arg):
            out.append(f"--expression={arg}")
        else:
            out.append(arg)
    return out


def _is_number(arg: str) -> bool:
    try:
        float(arg)
    except ValueError:
        return False
    return True


def _parser() -> argparse.ArgumentParser:
    """The command line: one sub-command each, added by a function of its own."""
    p = argparse.ArgumentParser(
        prog="texgrad",
        description="Shapes and derivatives for matrix calculus written in LaTeX and Markdown.",
    )
    p.add_argument("--version", action="version", version=f"texgrad {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_inspect(sub)
    _add_check(sub)
    _add_diff(sub)
    _add_lsp(sub)
    _add_settings(sub)
    return p


def _add_inspect(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ins = sub.add_parser(
        "inspect",
        help="show what texgrad reads: every math region, its rows and their parse",
        description="Print each math region of the documents (position, kind, parse tree or error). "
        "Folders are searched for .tex, .md, .markdown, .qmd (Quarto) and .Rmd (R Markdown) "
        "files; LaTeX files are read with the macros of their whole project.",
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


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chk = sub.add_parser(
        "check",
        help="check the shapes of every expression and report dimension mismatches",
        description="Check documents like a compiler: every symbol's shape is learnt from the "
        "documents (\\in declarations, signatures, prose, `% texgrad:` comments, definitions) and "
        "every product, sum, equation and function call is checked. LaTeX files are checked "
        "with the declarations of their whole project. Exit status: 0 without errors, 1 with "
        "errors, 2 on bad usage or unreadable input.",
    )
    chk.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (.tex, .md, .qmd, .Rmd …)"
    )
    chk.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    chk.add_argument(
        "--no-derivatives",
        action="store_true",
        help="do not check the derivatives the documents write (wrong-derivative)",
    )
    chk.set_defaults(run=_check)


def _add_diff(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dif = sub.add_parser(
        "diff",
        help="differentiate an expression: gradient, Jacobian, derivative or differential",
        description="Differentiate a LaTeX expression with respect to a variable by matrix "
        "differentials, simplify it to textbook form and check it numerically against finite "
        "differences. Give the expression and --where declarations, or --file and --line to "
        "use a document's declarations, definitions and notation. Exit status: 0 for a verified "
        "result, 1 when the result could not be verified or there is none, 2 on bad usage.",
    )
    dif.add_argument("expr", nargs="?", metavar="EXPR", help=r"LaTeX, e.g. '\ln(\|Ax\|_2^2)'")
    dif.add_argument("--expression", dest="expr_typed", help=argparse.SUPPRESS)
    dif.add_argument(
        "--wrt",
        default="",
        metavar="VAR",
        help="the variable, e.g. x or X (read from EXPR when it is a derivative written to be "
        r"computed: '\frac{\partial \operatorname{tr}(AB)}{\partial A}', '\nabla_x f')",
    )
    dif.add_argument(
        "--where",
        default="",
        metavar="DECLS",
        help=r"declarations separated by ';', e.g. 'A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n'",
    )
    dif.add_argument("--file", metavar="DOC", help="differentiate the math on --line of DOC")
    dif.add_argument("--line", type=int, metavar="N", help="1-based line of --file")
    dif.add_argument(
        "--format",
        choices=("latex", "json", "numpy"),
        default="latex",
        help="output (default: latex); numpy: a Python function of the symbols returning the "
        "result (for a matrix-valued function, of the point and a direction dX, returning dF)",
    )
    dif.add_argument(
        "--layout",
        choices=("numerator", "denominator"),
        default="numerator",
        help="Jacobian layout (default: numerator, m×n for f ∈ ℝᵐ, x ∈ ℝⁿ)",
    )
    dif.add_argument("--steps", action="store_true", help="also print the derivation")
    dif.add_argument("--hessian", action="store_true", help="the Hessian of a scalar f of a vector")
    dif.add_argument(
        "--budget", type=float, default=5.0, metavar="SECONDS", help="time budget (default: 5)"
    )
    dif.add_argument(
        "--einstein",
        action="store_true",
        help="an index repeated in a product is summed (as a document saying so reads)",
    )
    dif.set_defaults(run=_diff)


def _add_lsp(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lsp = sub.add_parser(
        "lsp",
        help="run the language server (on stdin/stdout)",
        description="Run the texgrad language server for LaTeX and Markdown documents: "
        "diagnostics, hovers, inlay hints, navigation and differentiation code actions. "
        "It speaks LSP on stdin/stdout (or on a TCP port with --tcp, for debugging) and "
        "logs to stderr.",
    )
    lsp.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on a TCP port instead of stdio (debugging)"
    )
    lsp.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default)")
    lsp.set_defaults(run=_lsp)


def _add_settings(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    st = sub.add_parser(
        "settings",
        help="print the settings schema (names, types, defaults, descriptions)",
        description="Print the settings the language server reads, as VS Code "
        "contributes.configuration properties (--json) or as a table.",
    )
    st.add_argument("--json", action="store_true", help="JSON, as VS Code manifests write it")
    st.set_defaults(run=_settings)


def _lsp(args: argparse.Namespace, out: TextIO) -> int:
    from texgrad.protocol.app import main as serve

    return serve(tcp=args.tcp)


def _settings(args: argparse.Namespace, out: TextIO) -> int:
    from texgrad.settings import SETTINGS, configuration_properties

    if args.json:
        print(json.dumps(configuration_properties(), ensure_ascii=False, indent=2), file=out)
        return 0
    for s in SETTINGS:
        print(f"texgrad.{s.name} ({s.type}, default {json.dumps(s.default)}): {s.description}",
              file=out)  # fmt: skip
    return 0


# -- diff --------------------------------------------------------------------------------


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    from texgrad.calculus.api import diff_latex

    if args.expr_typed is not None:  # an EXPR that starts with '-' (see _expression_as_typed)
        if args.expr is not None:
            print("texgrad diff: give one EXPR", file=sys.stderr)
            return 2
        args.expr = args.expr_typed
    if args.file is not None:
        if args.line is None or args.expr is not None:
            print("texgrad diff: --file needs --line and no EXPR", file=sys.stderr)
            return 2
        if not Path(args.file).is_file():
            print(f"texgrad diff: cannot read {args.file}", file=sys.stderr)
            return 2
        outcome = _diff_file(args)
    elif args.expr is None:
        print("texgrad diff: give EXPR, or --file DOC --line N", file=sys.stderr)
        return 2
    else:
        unread = _unparsed(args.expr, "EXPR") or _unparsed_where(args.where)
        if unread is not None:
            print(f"texgrad diff: {unread}", file=sys.stderr)
            return 2
        outcome = diff_latex(
            args.expr, args.wrt, args.where, args.layout, args.budget, args.hessian, args.einstein
        )
    if args.format == "json":
        print(json.dumps(outcome.to_json(), ensure_ascii=False, indent=2), file=out)
    elif outcome.error is not None:
        print(f"texgrad diff: {outcome.error}", file=sys.stderr)
    elif args.format == "numpy":
        return _print_numpy(outcome, out)
    else:
        print(outcome.result, file=out)
        if outcome.where:  # the names the result gives its long parts
            print("\\text{where } " + ",\\; ".join(outcome.where), file=out)
        if args.steps:
            for line in outcome.steps:
                print(line, file=out)
        status = "verified" if outcome.verified else "NOT VERIFIED"
        layout = f", {outcome.layout} layout" if outcome.layout else ""
        print(
            f"% {outcome.kind} ({outcome.shape}{layout}); {status}: {_said_once(outcome)}",
            file=sys.stderr,
        )
        if outcome.matrix_form:  # a sum over samples whose stacked matrix is declared
            print(f"% in matrix form (verified): {outcome.matrix_form}", file=sys.stderr)
    return 0 if outcome.error is None and outcome.verified else 1


def _diff_file(args: argparse.Namespace) -> DiffOutcome:
    """``texgrad diff --file DOC --line N``; where nothing on the line parses, the outcome
    says where, as a compiler does."""
    from dataclasses import replace

    from texgrad.calculus.api import diff_in_document

    key = normalize(args.file)
    folder = _project_folder(Path(key))
    project = _project_of(key, folder)
    outcome = diff_in_document(
        key, args.line, args.wrt, args.layout, args.budget, args.hessian,
        project=project, folder=folder,
    )  # fmt: skip
    if outcome.error is None or not outcome.error.startswith("no math to differentiate"):
        return outcome
    doc = read_document(key, project=project, folder=folder)
    starts = line_starts(doc.text)
    for region in doc.regions:
        for parsed in parse_region(region):
            err = parsed.error
            if err is not None and line_col(starts, err.start)[0] + 1 == args.line:
                col = line_col(starts, err.start)[1] + 1
                what, why = _unbalanced(err.message)
                said = f"line {args.line} does not parse: {what} at column {col}{why}\n"
                return replace(outcome, error=said + _caret_lines(doc.text, err, "  ").rstrip("\n"))
    return outcome


def _unparsed(latex: str, what: str) -> str | None:
    """Where ``latex`` (an expression typed on the command line) does not parse, said as a
    compiler says it: the message with its column, the expression, a caret line under the
    place; None when it parses."""
    parsed = parse_row(MappedText.identity(latex))
    if parsed.error is None:
        return None
    return f"{what} does not parse: {_pointed(latex, parsed.error)}"


def _unparsed_where(where: str) -> str | None:
    for part in where.split(";"):
        if part.strip():
            found = _unparsed(part.strip(), "--where")
            if found is not None:
                return found
    return None


def _pointed(line: str, error: ParseError, indent: str = "  ") -> str:
    """``unclosed ( at column 1`` and, below, the line and a caret line under the error."""
    start = max(0, min(error.start, len(line)))
    width = max(1, min(error.end, len(line)) - start)
    caret = " " * len(line[:start].expandtabs()) + "^" + "~" * (width - 1)
    what, why = _unbalanced(error.message)
    return f"{what} at column {start + 1}{why}\n{indent}{line}\n{indent}{caret}"


def _unbalanced(message: str) -> tuple[str, str]:
    """The parser's ``unexpected ')'`` said as what it is (a closing bracket nothing opens),
    in two parts: what is wrong, and why (after the column)."""
    for close, opener in ((")", "("), ("]", "[")):
        if message == f"unexpected {close!r}":
            return f"unbalanced `{close}`", f": no `{opener}` opens it"
    if message.startswith("unclosed "):
        opener = message[len("unclosed ") :].removeprefix("brace ")
        return f"unbalanced `{opener}`", ": it is never closed"
    return message, ""


def _said_once(outcome: DiffOutcome) -> str:
    """The note after the status, without saying "not verified" a second time."""
    note = outcome.note
    if not outcome.verified and note.lower().startswith("not verified:"):
        return note.split(":", 1)[1].strip()
    return note


def _print_numpy(outcome: DiffOutcome, out: TextIO) -> int:
    """The result as NumPy code on stdout (its docstring says whether it was verified)."""
    if not outcome.numpy:
        print(f"texgrad diff: no NumPy code for this result: {outcome.numpy_note}", file=sys.stderr)
        return 1
    out.write(outcome.numpy)
    if outcome.matrix_numpy:  # a sum over samples: its matrix form too, vectorised
        imports = {x for x in outcome.numpy.splitlines() if x.startswith("import ")}
        lines = outcome.matrix_numpy.splitlines()
        while lines and (lines[0] in imports or not lines[0]):
            lines.pop(0)  # the imports the first function already made
        out.write("\n\n" + "\n".join(lines) + "\n")
    status = "verified" if outcome.verified else "NOT VERIFIED"
    print(f"# {outcome.kind} ({outcome.shape}); {status}: {_said_once(outcome)}", file=sys.stderr)
    return 0 if outcome.verified else 1


# -- check -------------------------------------------------------------------------------


def _check(args: argparse.Namespace, out: TextIO) -> int:
    checker = Checker()
    found: list[tuple[Path, Path]] = []
    bad = False
    for path, folder in _documents(args.paths):
        if path is None:
            print(f"texgrad: {_display(str(folder))}: {_missing(folder)}", file=sys.stderr)
            bad = True
        else:
            found.append((path, folder))
    records: list[dict[str, object]] = []
    errors = 0
    for key, project, folder in _targets(found):
        result = checker.check(key, project, folder)
        unreadable = [
            p
            for p in result.doc.problems
            if p.code in ("not-text", "read-failed", "file-too-large")
        ]
        if unreadable:
            print(f"texgrad: {_display(key)}: {unreadable[0].message}", file=sys.stderr)
            bad = True
            continue
        texts = {result.path: result.doc.text}
        _say_skipped(result.path, result.doc.text, result.doc.problems)
        reported = list(result.diagnostics)
        if not getattr(args, "no_derivatives", False):
            reported += _wrong_derivatives(result)
        for d in reported:
            errors += d.severity == "error"
            records.append(_diagnostic_record(d, texts))
    if args.format == "json":
        json.dump(records, out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        for r in records:
            out.write(
                f"{r['path']}:{r['line']}:{r['column']}: {r['severity']}: {r['message']} [{r['code']}]\n"
            )
            for rel in r["related"]:  # type: ignore[attr-defined]
                out.write(f"{rel['path']}:{rel['line']}:{rel['column']}: note: {rel['message']}\n")
    if bad:
        return 2
    return 1 if errors else 0


def _say_skipped(path: str, text: str, problems: Sequence[ReadProblem]) -> None:
    """The parts of a document not read (too large, outside the project …): one line each
    on stderr."""
    starts: list[int] | None = None
    for p in problems:
        if p.code in SKIPPED_CODES:
            starts = starts or line_starts(text)
            line, col = line_col(starts, p.start)
            print(f"texgrad: {_display(path)}:{line + 1}:{col + 1}: {p.message}", file=sys.stderr)


def _wrong_derivatives(result: CheckResult) -> list[Diagnostic]:
    """The derivatives the document writes that are not the derivative (``wrong-derivative``,
    after the shape diagnostics; a time budget of a minute per document)."""
    if not any(t.writes_derivative(r.tree) for r in result.rows if r.tree is not None):
        return []  # no derivative written: the engine need not even be imported
    from texgrad.calculus.written_derivatives import check_written, diagnostics_of

    return diagnostics_of(result, check_written(result, seconds=60.0))


def _targets(found: list[tuple[Path, Path]]) -> Iterator[tuple[str, Project | None, Path]]:
    """Each document to check once, with its project and folder: a named LaTeX root brings
    every file it includes (reported at its own file, as a compiler would), so that naming
    ``main.tex`` checks the whole project and several paths give the union of each alone."""
    done: set[str] = set()
    for path, folder in found:
        key = normalize(path)
        project = _project_of(key, folder)
        keys = project.paths if project is not None and project.root == key else [key]
        for k in keys:
            if k not in done:
                done.add(k)
                yield k, project, folder


def _project_of(key: str, folder: Path) -> Project | None:
    """The project holding ``key``: one dictionary look-up (by every file of the projects
    loaded so far), so that a folder of thousands of files is not quadratic."""
    project = _projects.get(key)
    if project is None and detect_format(key) == "latex":
        project = load_project(key, folder=folder, search=_ROOTS)
        for path in project.paths:
            _projects.setdefault(path, project)
    return project


def _text_of(path: str, texts: dict[str, str]) -> str:
    if path not in texts:
        try:
            texts[path] = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            texts[path] = ""
    return texts[path]


def _diagnostic_record(d: Diagnostic, texts: dict[str, str]) -> dict[str, object]:
    starts = line_starts(_text_of(d.path, texts))
    line, col = line_col(starts, d.start)
    end_line, end_col = line_col(starts, d.end)
    related = []
    for r in d.related:
        rl, rc = line_col(line_starts(_text_of(r.path, texts)), r.start)
        related.append(
            {"path": _display(r.path), "line": rl + 1, "column": rc + 1, "message": r.message}
        )
    record: dict[str, object] = {
        "path": _display(d.path), "line": line + 1, "column": col + 1, "end_line": end_line + 1,
        "end_column": end_col + 1, "severity": d.severity, "code": d.code, "message": d.message, "related": related,
    }  # fmt: skip
    if d.code == "wrong-derivative":  # the quick fix: the verified derivative in its place
        record["fixes"] = [
            {"title": f.title, "text": f.text, "line": line_col(starts, f.start)[0] + 1,
             "column": line_col(starts, f.start)[1] + 1, "end_line": line_col(starts, f.end)[0] + 1,
             "end_column": line_col(starts, f.end)[1] + 1}
            for f in d.fixes
        ]  # fmt: skip
    return record


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
        print(f"texgrad: {_display(str(m))}: {_missing(m)}", file=sys.stderr)
    if args.format == "json":
        json.dump([_json_report(r, args.stats) for r in reports], out, indent=1, ensure_ascii=False)
        out.write("\n")
    elif args.stats:
        _print_stats(reports, out)
    else:
        for r in reports:
            _print_report(r, out)
    return 1 if missing else 0


_projects: dict[str, Project] = {}  # by the path of each of its files
_ROOTS = RootSearch()  # the roots of the folders searched, found once per run


def _inspect_file(path: Path, folder: Path) -> _FileReport:
    key = normalize(path)
    t0 = time.perf_counter()
    project = _project_of(key, folder)
    doc = read_document(key, project=project, folder=folder)
    rows = [(i, pr) for i, region in enumerate(doc.regions) for pr in parse_region(region)]
    return _FileReport(doc, rows, time.perf_counter() - t0)


def _documents(paths: Sequence[str]) -> Iterator[tuple[Path | None, Path]]:
    """(file, project folder) for every document named or found in a named folder; what a
    folder holds that is not read (links out of it, FIFOs, loops, files too large) is said
    on stderr, one line each."""
    for raw in paths:
        p, _ = resolved(raw)
        if p is not None and p.is_dir():
            found = documents_in(p, DOCUMENT_SUFFIXES, SKIPPED_FOLDERS)
            for note in found.skipped:
                print(f"texgrad: {_display(note.path)}: skipped: {note.reason}", file=sys.stderr)
            for f in found.files:
                yield f, p
        elif p is not None and p.is_file():
            yield p, _project_folder(p)
        else:
            yield None, Path(raw)


def _missing(path: Path) -> str:
    """Why a path named on the command line is not read: missing, or a loop, a FIFO …"""
    found, why = resolved(path)
    if found is None and why != "it does not exist":
        return f"skipped: {why}"
    if found is not None and os.path.lexists(found):
        return f"skipped: {unreadable(found) or 'not a document'}"
    return "no such file or folder"


def _project_folder(file: Path) -> Path:
    """The folder of the project a file named outside the working directory belongs to:
    ``sections/method.tex`` of a ``main.tex`` one level up is read with it.  The nearest
    of its folders (its own, then up to three above, not past a repository's top) that
    holds a LaTeX root (a ``.tex`` file with ``\\documentclass``); else its own folder."""
    here = file.parent
    if file.suffix.lower() != ".tex" or _is_root(file):
        return here
    for folder in (here, *list(here.parents)[:3]):
        try:
            if any(_is_root(f) for f in folder.glob("*.tex") if f != file):
                return folder
            if (folder / ".git").exists():
                break
        except OSError:
            break
    return here


def _is_root(file: Path) -> bool:
    if not is_regular(file):  # a FIFO would block the open for ever
        return False
    try:
        with file.open("rb") as f:
            head = f.read(8192)
    except OSError:
        return False
    return b"\\documentclass" in head


def _display(path: str) -> str:
    try:
        return printable(os.path.relpath(path))
    except ValueError:
        return printable(path)


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
                out.write(_caret_lines(doc.text, pr.error, "      "))
            else:
                out.write(f"    row {row.index + 1} {where} {show(pr.tree)}\n")


def _caret_lines(text: str, error: ParseError, indent: str) -> str:
    """The source line of a parse error and a caret line under the place, as a compiler
    shows them ("" for a line too long to show)."""
    a = text.rfind("\n", 0, error.start) + 1
    b = text.find("\n", error.start)
    line = text[a : b if b >= 0 else len(text)].rstrip("\r").expandtabs()
    if len(line) > 160 or not line.strip():
        return ""
    col = len(text[a : error.start].expandtabs())
    width = max(1, min(error.end, a + len(line)) - error.start)
    return f"{indent}{line}\n{indent}{' ' * col}^{'~' * (width - 1)}\n"


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
