"""The ``texgrad`` command line: argument parsing and printing only.

Every subcommand is a thin front over the reading and analysis layers, like
the language server is; nothing here knows LaTeX.

Importing this module imports no layer of texgrad (``--version`` and ``--help`` answer
before any is loaded): each command imports what it uses, in the functions that use it,
so ``diff`` never loads the checker, and ``check`` loads the engine only for a document
that writes a derivative (``tests/test_cold_imports.py`` holds it).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from texgrad import __version__
from texgrad.cli_errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STATUSES,
    EXIT_USAGE,
    UNREAD_CODES,
    internal_error,
    not_found,
    one_line,
    say,
    with_path,
)

if TYPE_CHECKING:  # imported where used: see the module's docstring
    from texgrad.calculus.api import DiffOutcome
    from texgrad.reading.document import DocumentRead
    from texgrad.reading.notebook import Notebook
    from texgrad.reading.problems import ReadProblem
    from texgrad.reading.project import Project, RootSearch
    from texgrad.shapes.check import Checker, CheckResult
    from texgrad.shapes.diagnostics import Diagnostic
    from texgrad.syntax.parse import ParsedRow, ParseError

from texgrad.reading.files import (  # (the file system and offsets: no analysis)
    SKIPPED_CODES,
    Skipped,
    absolute,
    documents_in,
    is_regular,
    printable,
    resolved,
    unreadable,
)
from texgrad.reading.source import MappedText, line_col, line_starts

# check's formats besides text and json: report_formats.FORMATS (the same, a test says)
REPORT_FORMATS = ("sarif", "github")
# the time the check of the derivatives one document writes may take (wrong-derivative)
DERIVATIVE_SECONDS = 60.0
# the documents a folder is searched for: LaTeX, Markdown, Quarto, R Markdown, MDX
DOCUMENT_SUFFIXES = (
    ".tex", ".ltx", ".latex", ".md", ".markdown", ".qmd", ".rmd", ".mdx", ".ipynb"
)  # fmt: skip
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})
# read as Markdown, the others as LaTeX: reading.project.MARKDOWN_SUFFIXES (a test says), named
# here so that a check of Markdown files its cache answers does not load the reading layer
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".qmd", ".rmd", ".mdx", ".ipynb"})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv`` names (None: the program's own arguments, ``sys.argv``:
    the process then ends with the command, see :func:`_before_exit`)."""
    if argv is not None:
        return _command(argv)
    from texgrad.collector import frozen_imports

    with frozen_imports():  # (the program: one command, then the process ends)
        status = _command(argv)
    _before_exit()
    return status


def _before_exit() -> None:
    """What is alive as the program ends is frozen out of the collector's view
    (``gc.freeze``): the interpreter's exit otherwise runs one last full collection over
    every object — SymPy's, the checked trees — only to free memory the process is about
    to give back (measured: 8% of the CPU time of ``texgrad check`` of the Cookbook).  What
    a finalizer must do still runs: objects freed by their count are freed as before, and
    the standard streams are flushed; only garbage in reference cycles is left to the
    exit.  Not when called with arguments (tests run many commands in one process)."""
    gc.freeze()


def _command(argv: Sequence[str] | None) -> int:
    one_blas_thread()
    parser = _parser()
    args = parser.parse_args(_expression_as_typed(sys.argv[1:] if argv is None else list(argv)))
    if not getattr(args, "command", None):
        parser.print_usage(sys.stderr)
        say("give a command (inspect, check, diff, lsp, settings); texgrad --help says more")
        return EXIT_USAGE
    try:
        return int(args.run(args, sys.stdout))
    except BrokenPipeError:  # `texgrad inspect … | head`
        return EXIT_OK
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a bug said in one line, with its own status
        for line in internal_error(f"running texgrad {args.command}", exc, args.debug):
            print(line, file=sys.stderr)
        return EXIT_INTERNAL


# The arrays texgrad computes with are small (a random point's matrices have a few rows):
# BLAS threads only cost there, and on a busy machine a thread that waits for a core makes
# a 5×5 product a hundred times slower (measured: the Cookbook's written-derivative check
# took 25% more CPU time with OpenBLAS's default of one thread per core).
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def one_blas_thread() -> None:
    """One BLAS thread, unless the user says otherwise (before numpy is first imported: the
    command line and the server import it only when a derivative is computed)."""
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")


# the options of `texgrad diff` that take a value (the next argument, or after `=`)
_DIFF_VALUED = (
    "--wrt", "--where", "--file", "--line", "--cell", "--format", "--layout", "--budget"
)  # fmt: skip


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
        help="show the math texgrad reads: regions, rows and their parse",
        description="Print each math region of the documents (position, kind, parse tree or error). "
        "Folders are searched for .tex, .md, .markdown, .qmd (Quarto), .Rmd (R Markdown) and "
        ".ipynb files; LaTeX files are read with the macros of their whole project. A "
        "notebook's positions are in its cells (cell 3:2:5: cell 3, line 2, column 5), as "
        "check reports them.",
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
    _add_debug(ins)
    ins.set_defaults(run=_inspect)


def _add_check(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chk = sub.add_parser(
        "check",
        help="check shapes and report dimension mismatches, as a compiler",
        description="Check documents like a compiler: every symbol's shape is learnt from the "
        "documents (\\in declarations, signatures, prose, `% texgrad:` comments, definitions) and "
        "every product, sum, equation and function call is checked. LaTeX files are checked "
        "with the declarations of their whole project. Files are checked on every core, "
        "and printed in the order of a serial run.",
        epilog=EXIT_STATUSES,
    )
    chk.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (.tex, .md, .qmd, .Rmd …)"
    )
    chk.add_argument(
        "--format",
        choices=("text", "json", *REPORT_FORMATS),
        default="text",
        help="output format (default: text); sarif: SARIF 2.1.0 for code scanning; github: "
        "GitHub Actions annotations",
    )
    chk.add_argument(
        "--no-derivatives",
        action="store_true",
        help="do not check the derivatives the documents write (wrong-derivative)",
    )
    chk.add_argument(
        "--derivatives-budget",
        type=_seconds,
        default=DERIVATIVE_SECONDS,
        metavar="S",
        help="seconds of CPU time to check the derivatives of one document in (default: "
        f"{DERIVATIVE_SECONDS:g}; ten times that on the wall clock at most); past them the "
        "rest is not checked, and stderr says so",
    )
    chk.add_argument(
        "--explain",
        action="store_true",
        help="also list, as information, what is not checked and why: math that does not "
        "parse, letters of unknown shape (with a declaration that fits), functions that cannot "
        "be differentiated, written derivatives that cannot be verified",
    )
    chk.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=0,
        metavar="N",
        help="processes checking files at once (default: one per core; 1: in this process)",
    )
    _add_debug(chk)
    chk.set_defaults(run=_check)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return seconds


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {n}")
    return n


def _add_debug(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of an internal error (a bug in texgrad) after its line",
    )


def _add_diff(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dif = sub.add_parser(
        "diff",
        help="differentiate: gradient, Jacobian, derivative, differential",
        description="Differentiate a LaTeX expression with respect to a variable by matrix "
        "differentials, simplify it to textbook form and check it numerically against finite "
        "differences. Give the expression and --where declarations, or --file and --line to "
        "use a document's declarations, definitions and notation.",
        epilog="exit status: 0 a verified result; 1 no result, or one not verified; 2 bad usage "
        "or input (a missing or unreadable --file); 3 internal error (a bug in texgrad; --debug "
        "prints the traceback)",
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
        help=r"declarations separated by ';', e.g. 'A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n' "
        r"(with --file: added to the document's, written in its macros: '\vw \in \R^d')",
    )
    dif.add_argument("--file", metavar="DOC", help="differentiate the math on --line of DOC")
    dif.add_argument(
        "--line", type=int, metavar="N",
        help="1-based line of --file (of a notebook: of the cell --cell, as `check` reports it)",
    )  # fmt: skip
    dif.add_argument(
        "--cell", type=int, metavar="C",
        help="a notebook's cell (1-based, every cell counted, as Jupyter and `check` do)",
    )  # fmt: skip
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
    _add_debug(dif)
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
    lsp.set_defaults(run=_lsp, debug=False)


def _add_settings(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    st = sub.add_parser(
        "settings",
        help="print the settings schema (names, types, defaults, descriptions)",
        description="Print the settings the language server reads, as VS Code "
        "contributes.configuration properties (--json) or as a table.",
    )
    st.add_argument("--json", action="store_true", help="JSON, as VS Code manifests write it")
    st.set_defaults(run=_settings, debug=False)


def _lsp(args: argparse.Namespace, out: TextIO) -> int:
    from texgrad.protocol.early_initialize import main as serve  # (pygls: after initialize)

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
    """``texgrad diff``: its ``--budget`` bounds the whole command (calculus/deadline.py); an
    exception is an internal error naming what was differentiated."""
    from texgrad.collector import uncollected

    with uncollected():  # (SymPy: see collector.py)
        from texgrad.calculus.deadline import BudgetExceeded, Deadline
    from texgrad.stop_points import MemoryExceeded, memory_bound

    try:
        with Deadline(args.budget).active(hard=True), memory_bound():
            return _diff_run(args, out)
    except (BudgetExceeded, MemoryExceeded) as exc:
        print(f"texgrad diff: gave up: {exc}" if isinstance(exc, MemoryExceeded) else f"texgrad diff: {exc}", file=sys.stderr)  # fmt: skip
        return 1
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - a bug said in one line, with its own status
        if args.file is not None:
            from texgrad.reading.project import normalize

            line = getattr(args, "said_line", f"line {args.line}")
            what = f"differentiating {line} of {_display(normalize(args.file))}"
        else:
            what = f"differentiating {_snippet(args.expr or args.expr_typed or '', 60)}"
        for line in internal_error(what, exc, args.debug):
            print(line, file=sys.stderr)
        return EXIT_INTERNAL


def _diff_run(args: argparse.Namespace, out: TextIO) -> int:
    from texgrad.collector import uncollected

    with uncollected():  # (the engine: see collector.py)
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
        unreadable = _unreadable(args.file) or _unparsed_where(args.where)
        if unreadable is not None:
            say(unreadable)
            return EXIT_USAGE
        unplaced = _in_cell(args)
        if unplaced is not None:
            print(f"texgrad diff: {unplaced}", file=sys.stderr)
            return EXIT_USAGE
        outcome = _diff_file(args)
    elif args.expr is None or args.cell is not None:
        what = "--cell is for a notebook's --file" if args.expr is not None else "give EXPR"
        print(f"texgrad diff: {what}, or --file DOC --line N", file=sys.stderr)
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
        _print_latex(outcome, args, out)
    return 0 if outcome.error is None and outcome.verified else 1


def _print_latex(outcome: DiffOutcome, args: argparse.Namespace, out: TextIO) -> None:
    """The result in LaTeX on ``out``; how it was verified and what was assumed on stderr."""
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
    if outcome.assumed:  # nothing declared: the shapes the letters say, never silently
        print(
            "% shapes assumed from the letters (declare them with --where to change them): "
            + "; ".join(outcome.assumed),
            file=sys.stderr,
        )
    if outcome.matrix_form:  # a sum over samples whose stacked matrix is declared
        print(f"% in matrix form (verified): {outcome.matrix_form}", file=sys.stderr)


def _unreadable(raw: str) -> str | None:
    """Why the file ``raw`` cannot be read (one line), or None when it can."""
    try:
        p = Path(raw)
        if not p.exists():
            return not_found(raw, DOCUMENT_SUFFIXES)
        if not p.is_file():
            return f"not a regular file: {raw}"
        with p.open("rb"):
            return None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else one_line(exc)
        return f"cannot read {raw}: {reason}"


def _diff_file(args: argparse.Namespace) -> DiffOutcome:
    """``texgrad diff --file DOC --line N``; where nothing on the line parses, the outcome
    says where, as a compiler does."""
    from dataclasses import replace

    from texgrad.calculus.api import diff_in_document
    from texgrad.reading.document import read_document
    from texgrad.reading.project import normalize
    from texgrad.syntax.parse import parse_region

    key = normalize(args.file)
    folder = _project_folder(Path(key))
    project = _RunProjects().of(key, folder)
    outcome = diff_in_document(
        key, args.doc_line, args.wrt, args.layout, args.budget, args.hessian,
        _with_where(key, args.where), project=project, folder=folder,
    )  # fmt: skip
    if outcome.error is None or not outcome.error.startswith("no math to differentiate"):
        return outcome
    doc = read_document(key, project=project, folder=folder)
    starts = line_starts(doc.text)
    for region in doc.regions:
        for parsed in parse_region(region):
            err = parsed.error
            if err is not None and line_col(starts, err.start)[0] + 1 == args.doc_line:
                col = line_col(starts, err.start)[1] + 1
                what, why = _unbalanced(err.message)
                said = f"{args.said_line} does not parse: {what} at column {col}{why}\n"
                return replace(outcome, error=said + _caret_lines(doc.text, err, "  ").rstrip("\n"))
    return outcome


def _in_cell(args: argparse.Namespace) -> str | None:
    """Where ``--line`` (and ``--cell``) of ``--file`` is: ``args.doc_line``, the line of
    the text texgrad reads (a notebook's Markdown cells joined), and ``args.said_line``, as
    ``check`` says it ("cell 3, line 2"); why not (one line: bad usage), or None."""
    args.doc_line, args.said_line = args.line, f"line {args.line}"
    name = _display(args.file)
    if not args.file.lower().endswith(".ipynb"):
        return None if args.cell is None else f"--cell is for a notebook (.ipynb), not {name}"
    if args.cell is None:
        return (
            f"{name} is a notebook, whose lines are counted in its cells: give --cell C "
            f"--line L, as `texgrad check` reports them ({name}:cell C:L:column)"
        )
    nb = _notebook_of(args.file)
    if nb is None:
        return f"{name} is not read as a notebook (it is not a notebook's JSON)"
    if args.cell not in nb.numbers:
        cells = ", ".join(map(str, nb.numbers)) or "none"
        return f"cell {args.cell} of {name} is not a Markdown cell (those texgrad reads: {cells})"
    i = nb.numbers.index(args.cell)
    start = nb.starts[i]
    end = nb.starts[i + 1] if i + 1 < len(nb.starts) else len(nb.text)
    count = len(nb.text[start:end].rstrip("\r\n").split("\n"))
    if not 1 <= args.line <= count:
        return f"line {args.line} is outside cell {args.cell} of {name} (1–{count})"
    args.doc_line = nb.text.count("\n", 0, start) + args.line
    args.said_line = f"cell {args.cell}, line {args.line}"
    return None


def _with_where(path: str, where: str) -> str | None:
    r"""The text of ``path`` with the ``--where`` declarations added as the document's own
    notation ("Throughout, $\vw \in \R^d$."), at its end: read with its macros (``\vw``,
    ``\R``) and holding on every line; None without ``--where``."""
    decls = [d.strip() for d in where.split(";") if d.strip()]
    if not decls:
        return None
    from texgrad.reading.project import read_file

    text = read_file(path)[0]  # (a notebook's: its Markdown cells, as texgrad reads them)
    said = "\n\nThroughout, " + ", ".join(f"${d}$" for d in decls) + ".\n"
    end = text.rfind("\\end{document}")
    return text + said if end < 0 else text[:end] + said + text[end:]


def _unparsed(latex: str, what: str) -> str | None:
    """Where ``latex`` (an expression typed on the command line) does not parse, said as a
    compiler says it: the message with its column, the expression, a caret line under the
    place; None when it parses."""
    from texgrad.syntax.parse import parse_row

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
    """Every document found, checked on every core (``--jobs``); printed in the order of a
    serial run. Exit status: see ``cli_errors``."""
    from texgrad.cli_parallel import Job, Progress, cores, run

    err = sys.stderr
    found: list[tuple[Path, Path]] = []
    status = _Status()
    said: list[str] = []  # about input not checked (on stderr; in SARIF and annotations too)
    for item in _documents(args.paths):
        if isinstance(item, Skipped):  # a folder's entry not read: said, not an error
            said.append(f"texgrad: {_display(item.path)}: skipped: {item.reason}")
            print(said[-1], file=sys.stderr)
        elif isinstance(item, str):
            say(item)
            said.append(f"texgrad: {item}")
            status.bad = True
        else:
            found.append(item)
    targets = _check_targets(found, args.debug, status)
    units = _units(targets, getattr(args, "no_derivatives", False), args.debug)
    seconds = getattr(args, "derivatives_budget", DERIVATIVE_SECONDS)
    explain = bool(getattr(args, "explain", False))
    units = [replace(u, derivative_seconds=seconds, explain=explain) for u in units]
    outcomes: list[_FileOutcome | None] = [None] * len(targets)
    shown = 0  # outcomes said so far: those before the first still missing
    kept = _Kept(units)  # what an earlier run found in units that did not change
    todo = [i for i, u in enumerate(units) if not kept.fill(i, outcomes)]
    progress = Progress(sum(len(units[i].keys) for i in todo), err)
    jobs = [Job(units[i], units[i].size, len(units[i].keys)) for i in todo]
    workers = args.jobs if args.jobs else cores()
    checked = run(_check_unit, jobs, workers, _lost_unit, progress)
    try:  # (-1: the outcomes kept are said before the first unit checked ends)
        for j, unit_outcomes in chain([(-1, [])], checked):
            if j >= 0:
                for index, outcome in zip(units[todo[j]].indices, unit_outcomes, strict=True):
                    outcomes[index] = outcome
                kept.save(todo[j], unit_outcomes)
            while shown < len(outcomes) and outcomes[shown] is not None:
                progress.say(outcomes[shown].messages)  # type: ignore[union-attr]
                said += outcomes[shown].messages  # type: ignore[union-attr]
                shown += 1
    finally:
        progress.clear()
    records: list[dict[str, object]] = []
    for o in outcomes:
        assert o is not None
        records += o.records
        status.add(o)
    records = _once(records)
    try:
        _print_records(records, args.format, out, said)
    except BrokenPipeError:  # `texgrad check … | head`: the status still says what was found
        _silence_stdout()
    return status.code()


def _once(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each diagnostic once: a section two roots include, checked with each, may get the
    same one from both (its notes pointing at either root's declarations: the first kept)."""
    said: set[tuple[object, ...]] = set()
    kept = []
    for r in records:
        where = (r["path"], r["line"], r["column"], r["end_line"], r["end_column"])
        key = (*where, r["code"], r["message"])
        if key not in said:
            said.add(key)
            kept.append(r)
    return kept


class _Kept:
    """The check cache (``cli_check_cache``) as one run uses it: each unit's file and key,
    read before the unit is checked; outcomes kept when the unit has not changed since."""

    def __init__(self, units: Sequence[_Unit]):
        from texgrad.cli_check_cache import CheckCache

        self.units = units
        self.cache = CheckCache.for_user() if units else None
        self.keys: dict[int, tuple[str, str]] = {}  # unit → (file name, key)

    def _key(self, unit: _Unit) -> tuple[str, str] | None:
        from texgrad.cli_check_cache import project_key

        assert self.cache is not None
        try:
            options = (unit.no_derivatives, unit.derivative_seconds, unit.explain)
            name = self.cache.name(unit.keys, options)  # (--explain adds records: another result)
            if unit.project is not None:  # (read here: the check reads these texts)
                keys = [project_key(unit.project)]
            else:  # (each file as the checker reads it; read again after the check)
                keys = [_own_key(k, unit.folder) for k in unit.keys]
            return name, self.cache.key(name, keys)
        except Exception as exc:  # noqa: BLE001 - no key: the unit is checked, not kept
            import logging

            logging.getLogger(__name__).debug("texgrad: no check cache key: %r", exc)
            return None

    def fill(self, i: int, outcomes: list[_FileOutcome | None]) -> bool:
        """Put the kept outcomes of unit ``i`` in place (False: none, it is checked)."""
        unit = self.units[i]
        if self.cache is None or unit.debug:  # (--debug: tracebacks, as the check made them)
            return False
        key = self._key(unit)
        if key is None:
            return False
        self.keys[i] = key
        found = self.cache.load(*key, count=len(unit.keys))
        if found is None:
            return False
        for index, o in zip(unit.indices, found, strict=True):
            outcomes[index] = _FileOutcome(o["messages"], o["records"], o["errors"])
        return True

    def save(self, i: int, found: Sequence[_FileOutcome]) -> None:
        """Keep what unit ``i``'s check found, if whole and its files did not change."""
        if self.cache is None or i not in self.keys:
            return
        if any(o.bad or o.internal or o.cut_short for o in found):
            return
        unit = self.units[i]
        if unit.project is None and self._key(unit) != self.keys[i]:
            return  # edited while it was checked: which text was checked is not known
        self.cache.save(*self.keys[i], [o.kept() for o in found])


def _own_key(key: str, folder: Path) -> str:
    """The key of what ``read_document`` reads of a file checked without a project (a
    Markdown file): its bytes, unless it may include another file (Quarto's ``{{< include
    … >}}``), then the project it makes."""
    from texgrad.cli_check_cache import alone_key, project_key

    if unreadable(key) is not None:  # (not read by the check either: not kept)
        raise OSError(f"{key} is not read")
    with open(key, "rb") as f:
        data = f.read()
    if b"{{<" not in data:  # (the project is this file: no scan needed to know it)
        return alone_key(key, str(folder), data)
    from texgrad.reading.document import detect_format
    from texgrad.reading.project import load_project

    return project_key(load_project(key, folder=folder, overrides={}, format=detect_format(key)))


def _silence_stdout() -> None:
    """After a broken pipe, what is left to flush at exit goes nowhere (no second error)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (tests)
        pass


@dataclass
class _Status:
    """What a check run found, by the exit status it sets (the worst wins: internal error,
    bad input, findings)."""

    bad: bool = False
    internal: bool = False
    errors: int = 0

    def add(self, o: _FileOutcome) -> None:
        self.bad |= o.bad
        self.internal |= o.internal
        self.errors += o.errors

    def code(self) -> int:
        if self.internal:
            return EXIT_INTERNAL
        if self.bad:
            return EXIT_USAGE
        return EXIT_FINDINGS if self.errors else EXIT_OK


@dataclass
class _FileOutcome:
    """One checked file: what it prints on stderr, its records, and what it sets the status to."""

    messages: list[str] = field(default_factory=list)
    records: list[dict[str, object]] = field(default_factory=list)
    errors: int = 0
    bad: bool = False
    internal: bool = False
    cut_short: bool = False  # a time limit cut some of its work short: not kept on disk

    def kept(self) -> dict[str, object]:
        """As the check cache keeps it."""
        return {"messages": self.messages, "records": self.records, "errors": self.errors,
                "bad": self.bad, "internal": self.internal}  # fmt: skip


@dataclass(frozen=True)
class _Unit:
    """Files checked together in one process: a project's (with its declarations), or one
    file. ``indices`` are their places in the serial order."""

    keys: tuple[str, ...]
    indices: tuple[int, ...]
    project: Project | None
    folder: Path
    size: int
    no_derivatives: bool
    debug: bool
    derivative_seconds: float = DERIVATIVE_SECONDS
    explain: bool = False  # --explain: also what is not checked, and why


def _check_targets(
    found: list[tuple[Path, Path]], debug: bool, status: _Status
) -> list[tuple[str, Project | None, Path]]:
    """The documents to check, in order (see ``_targets``); a file whose project cannot be
    made is said (an internal error) and left out."""
    targets: list[tuple[str, Project | None, Path]] = []
    seen = _Seen()
    projects = _RunProjects()  # (this run's: the files may change before the next)
    for one in found:
        try:
            targets += _targets([one], projects, seen)
        except Exception as exc:  # noqa: BLE001 - one file's bug must not stop the others
            for line in internal_error(f"reading {_display(str(one[0]))}", exc, debug):
                print(line, file=sys.stderr)
            status.internal = True
    return targets


def _units(
    targets: list[tuple[str, Project | None, Path]], no_derivatives: bool, debug: bool
) -> list[_Unit]:
    """The targets grouped by project (a file without one alone), in order of first file."""
    groups: dict[object, list[int]] = {}
    for i, (key, project, _) in enumerate(targets):
        groups.setdefault(id(project) if project is not None else key, []).append(i)
    units = []
    for indices in groups.values():
        key, project, folder = targets[indices[0]]
        keys = tuple(targets[i][0] for i in indices)
        units.append(_Unit(keys, tuple(indices), project, folder, _size(keys, project),
                           no_derivatives, debug))  # fmt: skip
    return units


def _size(keys: Sequence[str], project: Project | None) -> int:
    """The bytes of text a unit checks (its project's files, read by each of its files)."""
    paths = set(project.paths if project is not None else ()) | set(keys)
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            pass
    return total


def _check_unit(unit: _Unit) -> list[_FileOutcome]:
    """Check a unit's files (in a worker process, or here): one outcome per file; an
    exception while checking one is its internal error, and the others are still checked.
    Each unit has a Checker of its own: one shared with another project would reuse the
    parse of a file both include, made with the other project's macros."""
    from texgrad.collector import uncollected

    with uncollected():  # (the analysis: see collector.py)
        from texgrad.shapes.check import Checker
    from texgrad.stop_points import MemoryExceeded, memory_bound
    from texgrad.syntax.parse_cache import ParseCache

    checker = Checker(ParseCache.for_user())  # trees kept between runs
    outcomes = []
    for key in unit.keys:
        try:
            limits = _limits_hit()
            with memory_bound():  # (one file's check: TEXGRAD_MEMORY_MB more at most)
                outcomes.append(_check_file(checker, key, unit))
            outcomes[-1].cut_short = _limits_hit() != limits
        except MemoryExceeded as exc:  # (the checker may be half changed: a fresh one)
            outcomes.append(_FileOutcome(messages=[f"texgrad: {_display(key)}: not checked: {exc}"], bad=True))  # fmt: skip
            checker = Checker(ParseCache.for_user())
        except Exception as exc:  # noqa: BLE001 - said as an internal error, on to the next file
            lines = internal_error(f"checking {_display(key)}", exc, unit.debug)
            outcomes.append(_FileOutcome(messages=lines, internal=True))
    return outcomes


def _limits_hit() -> int:
    """How many time limits were reached in this process so far (none before the engine is
    loaded)."""
    deadline = sys.modules.get("texgrad.calculus.deadline")
    return deadline.BudgetExceeded.raised if deadline is not None else 0


def _lost_unit(unit: _Unit, exc: BaseException) -> list[_FileOutcome]:
    """The outcomes of a unit whose worker process died (killed for its memory, a signal)."""
    return [
        _FileOutcome(
            messages=[f"texgrad: internal error while checking {_display(k)}: the process "
                      f"checking it stopped ({one_line(exc)}); try --jobs 1"],
            internal=True,
        )
        for k in unit.keys
    ]  # fmt: skip


# While one file's shapes are checked, a full garbage collection comes only after this many
# collections of the middle generation (Python's default: 10).  The trees and runs a long
# document's check makes live until it ends, and every full collection walked them all
# again: five of them, 0.3-0.5 s of a 1 MB thesis's 4 s.  (Its garbage is freed by counting
# references: the peak memory is the same.)  At 100, a 2 MB thesis (the largest file read,
# MAX_DOCUMENT_BYTES) still had one, 0.45-0.65 s of CPU that freed 5 objects, and none at 1 MB:
# the step made CPU time grow as size^1.3 from 1 to 2 MB.  A 2 MB check makes ~170.
FULL_COLLECTION_EVERY = 1000


def _check_file(checker: Checker, key: str, unit: _Unit) -> _FileOutcome:
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], FULL_COLLECTION_EVERY))
    try:
        result = checker.check(key, unit.project, unit.folder)
    finally:
        gc.set_threshold(*before)
    # what the check made lives until the file's outcome is made: frozen out of the
    # collector's view (a full collection while the records of a 2 MB thesis were made
    # walked it all again, 0.6-0.8 s of CPU, to free 132 objects)
    gc.freeze()
    try:
        return _outcome(result, key, unit)
    finally:
        gc.unfreeze()


def _outcome(result: CheckResult, key: str, unit: _Unit) -> _FileOutcome:
    """A checked file's records and messages (its written derivatives checked too, unless
    the unit says not)."""
    unread = [p for p in result.doc.problems if p.code in UNREAD_CODES]
    if unread:
        said = with_path(unread[0].message, Path(key).name, _display(key))
        return _FileOutcome(messages=[f"texgrad: {said}"], bad=True)
    texts = {result.path: result.doc.text}
    lines: dict[str, list[int]] = {}  # per path: where its lines start (made once)
    reported = list(result.diagnostics)
    outcome = _FileOutcome(
        messages=_skipped_lines(result.path, result.doc.text, result.doc.problems)
    )
    undecided: list[tuple[int, int, str, str, str]] = []
    if not unit.no_derivatives:  # (the checked trees are frozen: see _wrong_derivatives)
        found, unchecked = _wrong_derivatives(result, unit.derivative_seconds, undecided)
        from texgrad.shapes.diagnostics import said_once

        reported = said_once(reported, found)  # (an equation-mismatch a wrong derivative makes)
        outcome.messages += unchecked
    if unit.explain:
        explained = _explained(result, undecided, not unit.no_derivatives)
        reported = sorted(reported + explained, key=lambda d: d.start)
    for d in reported:
        outcome.errors += d.severity == "error"
        outcome.records.append(_diagnostic_record(d, texts, lines))
    return outcome


def _print_records(
    records: list[dict[str, object]], fmt: str, out: TextIO, said: list[str]
) -> None:
    if fmt == "json":
        json.dump(records, out, indent=1, ensure_ascii=False)
        out.write("\n")
        return
    if fmt in REPORT_FORMATS:
        from texgrad.report_formats import render

        out.write(render(fmt, records, failures=said))
        return
    for r in records:
        out.write(
            f"{_where(r)}:{r['line']}:{r['column']}: {r['severity']}: {r['message']} [{r['code']}]\n"
        )
        for rel in r["related"]:  # type: ignore[attr-defined]
            out.write(f"{_where(rel)}:{rel['line']}:{rel['column']}: note: {rel['message']}\n")


def _where(record: dict[str, object]) -> str:
    """A record's file, and its cell in a notebook (``notes.ipynb:cell 3``, as ruff's)."""
    cell = record.get("cell")
    return f"{record['path']}:cell {cell}" if cell else str(record["path"])


def _skipped_lines(path: str, text: str, problems: Sequence[ReadProblem]) -> list[str]:
    """The parts of a document not read (too large, outside the project …): one line each,
    for stderr."""
    starts: list[int] | None = None
    lines = []
    for p in problems:
        if p.code in SKIPPED_CODES:
            starts = starts or line_starts(text)
            line, col = line_col(starts, p.start)
            lines.append(f"texgrad: {_display(path)}:{line + 1}:{col + 1}: {p.message}")
    return lines


# what a reading problem leaves unchecked, said after it by ``--explain``
_UNREAD_MATH = {"unclosed-math": ": its math is not checked"}


def _explained(
    result: CheckResult, undecided: list[tuple[int, int, str, str, str]], derivatives: bool
) -> list[Diagnostic]:
    """``--explain``: what the document leaves unchecked, and why, as information (of the
    derivatives only where they were checked)."""
    from texgrad.calculus.unchecked import explain
    from texgrad.shapes.diagnostics import Diagnostic

    unread = [  # what the reader could not take (an unclosed `$`, a missing \input): why
        Diagnostic(
            p.code,
            "information",
            p.message + _UNREAD_MATH.get(p.code, ""),
            result.path,
            p.start,
            p.end,
        )
        for p in result.doc.problems
        if p.code not in SKIPPED_CODES and p.code not in UNREAD_CODES  # (said on stderr)
    ]
    return unread + [
        Diagnostic(u.code, "information", u.message, u.path, u.start, u.end)
        for u in explain(result, undecided, derivatives)
    ]


# a table of identities headed in words (``Expression & Gradient w.r.t. $x$ \\``, ``| Function
# | Gradient |``): its derivatives are written in no row, only in a title
_TABLE = re.compile(r"\\begin\{(?:tab|long)|^\s*\|?\s*:?-{2,}:?\s*\|", re.M)
_TITLE = re.compile(r"gradient|derivative|jacobian|hessian|d\s*/\s*d|∂\s*/\s*∂", re.I)


def _titled_table(text: str) -> bool:
    """Whether ``text`` may hold a table whose title names a derivative (a cheap look)."""
    return _TABLE.search(text) is not None and _TITLE.search(text) is not None


def _wrong_derivatives(
    result: CheckResult,
    seconds: float,
    undecided: list[tuple[int, int, str, str, str]] | None = None,
) -> tuple[list[Diagnostic], list[str]]:
    """The derivatives the document writes that are not the derivative (``wrong-derivative``,
    after the shape diagnostics), all checked within ``seconds`` (a hard bound: past it,
    the rest is not checked, and one line on stderr says how many and why), and the steps
    of its derivations that do not equal the step before (``unequal-step``); ``undecided``
    gets the claims that could be neither verified nor shown wrong (for ``--explain``).

    The caller freezes the collector's view of what is alive (``gc.freeze``): the checked
    document's trees live on until the check ends, and every full collection the engine's
    allocations set off would walk them all again (about a tenth of a 1 MB thesis's check)."""
    from texgrad.syntax import tree as t

    trees = [r.tree for r in result.rows if r.tree is not None]
    derives = any(t.writes_derivative(tree) for tree in trees) or _titled_table(result.doc.text)
    if not derives and not any(_derivation_row(tree) for tree in trees):
        return [], []  # nothing to check: the engine need not even be imported
    from texgrad.collector import uncollected

    with uncollected():  # (SymPy, NumPy and the engine: see collector.py)
        from texgrad.calculus import unequal_steps as us
        from texgrad.calculus import written_derivatives as wd

    tally = wd.Tally()
    wrong = (
        wd.check_written(result, seconds, tally=tally, hard=True, only_findings=True)
        if derives
        else []
    )
    if undecided is not None:
        undecided += tally.undecided
    found = wd.diagnostics_of(result, wrong)
    found += us.diagnostics_of(result, us.check_steps(result, seconds), besides=found)
    found.sort(key=lambda d: d.start)  # both codes in the order of the document
    note = wd.unchecked_note(result, tally)
    if note is None:
        return found, []
    line, col = line_col(line_starts(result.doc.text), note.start)
    more = "; --derivatives-budget gives it more time" if "time budget" in note.message else ""
    return found, [f"texgrad: {_display(result.path)}:{line + 1}:{col + 1}: {note.message}{more}"]


def _derivation_row(tree: object) -> bool:
    """Whether a row may be a step of a derivation: ``&= c``, or ``a = b = c``."""
    from texgrad.syntax import tree as t

    if not isinstance(tree, t.Chain) or not tree.relations:
        return False
    if any(r != "=" for r in tree.relations):
        return False
    return tree.items[0] is None or len(tree.relations) > 1


class _Seen:
    """The files a run checks so far, and with which root: a section that a thesis and a
    paper both include is checked with each (their declarations may differ), once each."""

    def __init__(self) -> None:
        self.files: set[str] = set()
        self.in_root: set[tuple[str, str]] = set()

    def first(self, key: str, project: Project | None, named_root: bool) -> bool:
        """Whether ``key`` is still to check: a file a named root brings, unless it was
        checked with that root; a file named alone (or found in a folder), unless it was
        checked at all."""
        pair = (key, project.root if project is not None else key)
        if pair in self.in_root or (key in self.files and not named_root):
            return False
        self.files.add(key)
        self.in_root.add(pair)
        return True


def _targets(
    found: list[tuple[Path, Path]], projects: _RunProjects, seen: _Seen | None = None
) -> Iterator[tuple[str, Project | None, Path]]:
    """Each document to check once with each root that names it, with its project and
    folder: a named LaTeX root brings every file it includes (reported at its own file, as
    a compiler would), so that naming ``main.tex`` checks the whole project and several
    paths give the union of each alone."""
    seen = _Seen() if seen is None else seen
    for path, folder in found:
        key = absolute(path)  # (reading.project.normalize, without loading the reading layer)
        project = projects.of(key, folder)
        named_root = project is not None and project.root == key
        for k in project.paths if project is not None and named_root else [key]:
            if seen.first(k, project, named_root):
                yield k, project, folder


class _RunProjects:
    """The projects one run (one ``check`` or ``inspect``) loads, by the path of each of
    their files, and the roots of the folders it searched: each found once per run, so
    that a folder of thousands of files is not quadratic, and never kept for the next run
    — in a long-lived process (the server, tests calling ``main`` again) the files change
    in between."""

    def __init__(self) -> None:
        self.by_path: dict[str, Project] = {}
        self.roots: RootSearch | None = None
        self.included: dict[Path, dict[Path, Path]] = {}  # (see _including_page)

    def of(self, key: str, folder: Path) -> Project | None:
        """The project holding ``key``: one dictionary look-up (by every file of the
        projects loaded so far)."""
        project = self.by_path.get(key)
        if project is not None:
            return project
        if Path(key).suffix.lower() in MARKDOWN_SUFFIXES:  # a page: a project if in a book
            book = _book_near(Path(key), folder)
            if not book and not _includes_pages(Path(key)):
                page = _including_page(Path(key), folder, self.included)
                if page is not None:  # (a page another includes: checked with that one)
                    return self.of(str(page), folder)
                return None  # (no reading layer loaded for a page alone)
            from texgrad.reading.project import load_project

            project = load_project(key, folder=folder, format="markdown")
            book = Path(project.root).suffix.lower() in (".yml", ".yaml")
            if not book and len(project.files) < 2:
                return None  # (a page with {{< include >}}: the pages it brings are its own)
        else:
            from texgrad.reading.project import RootSearch, load_project

            self.roots = self.roots or RootSearch()
            project = load_project(key, folder=folder, search=self.roots)
        for path in project.paths:
            self.by_path.setdefault(path, project)
        return project


def _text_of(path: str, texts: dict[str, str]) -> str:
    from texgrad.reading.project import read_file

    if path not in texts:  # as texgrad read it: offsets count from after a byte-order mark
        texts[path] = read_file(path)[0]
    return texts[path]


def _lines_of(path: str, texts: dict[str, str], lines: dict[str, list[int]]) -> list[int]:
    """Where the lines of ``path`` start (once per file, not per diagnostic: a long
    document with many diagnostics is not quadratic)."""
    if path not in lines:
        lines[path] = line_starts(_text_of(path, texts))
    return lines[path]


def _notebook_of(path: str) -> Notebook | None:
    """The Markdown cells of the notebook at ``path`` as texgrad read them (None: not one)."""
    from texgrad.reading.notebook import NotANotebook, markdown_of

    try:
        return markdown_of(Path(path).read_bytes().decode("utf-8-sig", errors="replace"))
    except (OSError, NotANotebook):
        return None


def _in_cells(record: dict[str, object], d: Diagnostic, related: list[dict[str, object]]) -> None:
    """Give ``record`` (and its related notes in the same notebook) the cell each position
    is in, its line and column counted in that cell's own source (1-based)."""
    from texgrad.reading.notebook import cell_position

    nb = _notebook_of(d.path)
    if nb is None:
        return
    cell, line, col = cell_position(nb, d.start)
    _, end_line, end_col = cell_position(nb, max(d.start, d.end))
    record.update(cell=cell, line=line + 1, column=col + 1, end_line=end_line + 1)
    record["end_column"] = end_col + 1
    for r, rel in zip(d.related, related, strict=True):
        if r.path == d.path:
            rcell, rl, rc = cell_position(nb, r.start)
            _, rel_line, rel_col = cell_position(nb, max(r.start, r.end))
            rel.update(cell=rcell, line=rl + 1, column=rc + 1, end_line=rel_line + 1)
            rel["end_column"] = rel_col + 1


def _diagnostic_record(
    d: Diagnostic, texts: dict[str, str], lines: dict[str, list[int]] | None = None
) -> dict[str, object]:
    lines = {} if lines is None else lines
    starts = _lines_of(d.path, texts, lines)
    line, col = line_col(starts, d.start)
    end_line, end_col = line_col(starts, d.end)
    related = []
    for r in d.related:
        rstarts = _lines_of(r.path, texts, lines)
        (rl, rc), (rel, rec) = line_col(rstarts, r.start), line_col(rstarts, r.end)
        related.append(
            {"path": _display(r.path), "line": rl + 1, "column": rc + 1, "end_line": rel + 1,
             "end_column": rec + 1, "message": r.message}
        )  # fmt: skip
    record: dict[str, object] = {
        "path": _display(d.path), "line": line + 1, "column": col + 1, "end_line": end_line + 1,
        "end_column": end_col + 1, "severity": d.severity, "code": d.code, "message": d.message, "related": related,
    }  # fmt: skip
    if d.path.lower().endswith(".ipynb"):  # a notebook: positions in its cells (as ruff's)
        _in_cells(record, d, related)
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
    internal = False
    projects = _RunProjects()  # (this run's: the files may change before the next)
    for item in _documents(args.paths):
        if isinstance(item, Skipped):
            say(f"{_display(item.path)}: skipped: {item.reason}")
            continue
        if isinstance(item, str):
            missing.append(item)
            continue
        try:
            reports.append(_inspect_file(*item, projects))
        except Exception as exc:  # noqa: BLE001 - one file's bug said, the others inspected
            for line in internal_error(f"reading {_display(str(item[0]))}", exc, args.debug):
                print(line, file=sys.stderr)
            internal = True
    for m in missing:
        say(m)
    if args.format == "json":
        json.dump([_json_report(r, args.stats) for r in reports], out, indent=1, ensure_ascii=False)
        out.write("\n")
    elif args.stats:
        _print_stats(reports, out)
    else:
        for r in reports:
            _print_report(r, out)
    return EXIT_INTERNAL if internal else EXIT_USAGE if missing else EXIT_OK


def _inspect_file(path: Path, folder: Path, projects: _RunProjects) -> _FileReport:
    from texgrad.reading.document import read_document
    from texgrad.reading.project import normalize
    from texgrad.syntax.parse import parse_region

    key = normalize(path)
    t0 = time.perf_counter()
    project = projects.of(key, folder)
    doc = read_document(key, project=project, folder=folder)
    rows = [(i, pr) for i, region in enumerate(doc.regions) for pr in parse_region(region)]
    return _FileReport(doc, rows, time.perf_counter() - t0)


def _documents(paths: Sequence[str]) -> Iterator[tuple[Path, Path] | str | Skipped]:
    """(file, project folder) for every document named or found in a named folder; for a
    path that gives none, the one line that says why (``no such file: x.tex``); what a
    folder holds that is not read (links out of it, FIFOs, loops, files too large), a
    :class:`Skipped` note each."""
    verdicts: dict[Path, Path | bool] = {}  # a folder's roots read once per run, not per file
    for raw in paths:
        p, why = resolved(raw)
        if p is not None and p.is_dir():
            found = documents_in(p, DOCUMENT_SUFFIXES, SKIPPED_FOLDERS)
            yield from found.skipped
            if not found.files and not found.skipped:
                yield f"no documents in folder: {raw} (looked for {', '.join(DOCUMENT_SUFFIXES)})"
            for f in found.files:
                yield f, _folder_of_found(f, p, verdicts)
        elif p is not None and p.is_file():
            yield p, _project_folder(p, verdicts)
        elif p is None and why != "it does not exist":
            yield f"{printable(raw)}: skipped: {why}"
        elif p is not None and os.path.lexists(p):
            yield f"{printable(raw)}: skipped: {unreadable(p) or 'not a document'}"
        else:
            yield not_found(raw, DOCUMENT_SUFFIXES)


def _folder_of_found(
    file: Path, named: Path, verdicts: dict[Path, Path | bool] | None = None
) -> Path:
    """The project folder of ``file``, found in the folder ``named`` on the command line: the
    named folder, unless it is inside the project of ``file`` (``sections/`` of a
    ``main.tex`` one level up): then that project's, as for the file named alone."""
    own = _project_folder(file, verdicts)
    try:
        inside = own != named and named.resolve().is_relative_to(own.resolve())
    except OSError:
        return named
    return own if inside else named


def _project_folder(file: Path, verdicts: dict[Path, Path | bool] | None = None) -> Path:
    """The folder of the project a file named outside the working directory belongs to:
    ``sections/method.tex`` of a ``main.tex`` one level up is read with it.  The nearest
    of its folders (its own, then up to three above, not past a repository's top) that
    holds a LaTeX root (a ``.tex`` file with ``\\documentclass``); else its own folder.
    ``verdicts`` keeps each folder's answer for the run: a file that is no root is not
    among the roots it looks for, so the answer is the same for every file of the folder
    (a folder of 5,000 files read each of them once per file: quadratic)."""
    here = file.parent
    if file.suffix.lower() in MARKDOWN_SUFFIXES:  # a chapter of a book: the book's folder
        return next((b.parent for b in _books_above(file)), here)
    if file.suffix.lower() != ".tex":
        return here
    if _is_root(file):
        root = _subfile_root(file)  # \documentclass[../main.tex]{subfiles}: main's project
        return root.parent if root is not None else here
    if verdicts is None:
        verdicts = {}
    for folder in (here, *list(here.parents)[:3]):
        verdict = verdicts.get(folder)
        if verdict is None:
            verdict = verdicts[folder] = _roots_verdict(folder)
        if verdict is False:  # (a repository's top, or a folder that cannot be listed)
            break
        if verdict is not True:
            return verdict
    return here


def _roots_verdict(folder: Path) -> Path | bool:
    """What ``folder`` says of the project of a non-root ``.tex`` file in or below it: the
    project's folder, True to look further up, False to stop (a repository's top)."""
    try:
        roots = [f for f in folder.glob("*.tex") if _is_root(f)]
        # a subfile beside it (\documentclass[../main.tex]{subfiles}) is a part of the
        # document it names: that document's folder is the project's
        above = {r.parent for f in roots if (r := _subfile_root(f)) is not None}
        if len(above) == 1 and len(roots) == sum(_subfile_root(f) is not None for f in roots):
            return above.pop()
        if roots:
            return folder
        return not (folder / ".git").exists()
    except OSError:
        return False


def _books_above(file: Path) -> list[Path]:
    """Book files (``_quarto.yml``, ``_toc.yml``) in the folder of a page or up to three
    above it, not past a repository's top, farthest first (a book's top holds its list)."""
    from texgrad.reading.books import BOOK_FILES

    found = []
    for folder in (file.parent, *list(file.parent.parents)[:3]):
        found += [folder / name for name in BOOK_FILES if (folder / name).is_file()]
        if (folder / ".git").exists():
            break
    return found[::-1]


# Quarto's include shortcode on a line of its own (as reading/markdown.py reads it)
_QUARTO_INCLUDE = re.compile(rb"(?m)^[ \t]*\{\{<\s*include\s+(?P<target>[^\s>]+)\s*>\}\}[ \t]*$")


def _including_page(
    file: Path, folder: Path, known: dict[Path, dict[Path, Path]] | None = None
) -> Path | None:
    """A Markdown page of ``file``'s folder (or the one above, inside ``folder``) that
    includes it (``{{< include _backward.qmd >}}``), if any: the first by name.  ``known``
    keeps each folder's includes for a run (a folder of pages is read once, not per page)."""
    here = file.resolve()
    top = folder.resolve()
    known = {} if known is None else known
    for place in (here.parent, here.parent.parent):
        if place != top and top not in place.parents:
            continue
        if place not in known:
            known[place] = _includes_in(place)
        page = known[place].get(here)
        if page is not None:
            return page
    return None


def _includes_in(place: Path) -> dict[Path, Path]:
    """The pages the Markdown pages of ``place`` include, each with the first (by name) that
    includes it."""
    out: dict[Path, Path] = {}
    try:
        pages = sorted(p for p in place.iterdir() if p.suffix.lower() in MARKDOWN_SUFFIXES)
    except OSError:
        return out
    for page in pages:
        try:
            with page.open("rb") as f:
                head = f.read(1 << 20)
        except OSError:
            continue
        for m in _QUARTO_INCLUDE.finditer(head):
            target = (page.parent / m["target"].decode("utf-8", "replace")).resolve()
            if target != page.resolve():
                out.setdefault(target, page)
    return out


def _includes_pages(file: Path) -> bool:
    """Does a Markdown page include others (``{{< include _setup.qmd >}}``)?  Then it is
    checked with them, their declarations its own, and they with it."""
    try:
        with file.open("rb") as f:
            return _QUARTO_INCLUDE.search(f.read(1 << 20)) is not None
    except OSError:
        return False


def _book_near(file: Path, folder: Path) -> bool:
    return any(b.parent == folder or folder in b.parents for b in _books_above(file))


_SUBFILE = re.compile(rb"\\documentclass\s*\[([^\]\n]+)\]\s*\{subfiles\}")


def _subfile_root(file: Path) -> Path | None:
    """The root a subfile names (``\\documentclass[../main.tex]{subfiles}``), if it is a
    LaTeX root up to three folders above the subfile's."""
    try:
        with file.open("rb") as f:
            found = _SUBFILE.search(f.read(8192))
    except OSError:
        return None
    if found is None:
        return None
    name = found[1].decode("utf-8", "replace").strip()
    root = (file.parent / (name if name.endswith(".tex") else name + ".tex")).resolve()
    above = [file.parent.resolve(), *list(file.parent.resolve().parents)[:3]]
    if root.parent not in above or root == file.resolve() or not _is_root(root):
        return None
    try:  # a subfile of a subfile: not followed
        with root.open("rb") as f:
            return None if _SUBFILE.search(f.read(8192)) else root
    except OSError:
        return None


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
    """1-based line:column (in characters) of offsets in one text; in a notebook's, the
    cell's and the line and column in it, as ``check`` says them (``cell 3:2:5``)."""

    def __init__(self, text: str, path: str = ""):
        self.starts = line_starts(text)
        nb = _notebook_of(path) if path.lower().endswith(".ipynb") else None
        self.notebook = nb if nb is not None and nb.text == text else None

    def at(self, offset: int) -> dict[str, int]:
        """The position as JSON: its line and column (in its cell, for a notebook's)."""
        from texgrad.reading.notebook import cell_position

        if self.notebook is not None:
            cell, line, col = cell_position(self.notebook, offset)
            return {"cell": cell, "line": line + 1, "column": col + 1, "offset": offset}
        line, col = line_col(self.starts, offset)
        return {"line": line + 1, "column": col + 1, "offset": offset}

    def __call__(self, offset: int) -> str:
        at = self.at(offset)
        cell = f"cell {at['cell']}:" if "cell" in at else ""
        return f"{cell}{at['line']}:{at['column']}"

    def span(self, start: int, end: int) -> str:
        """``a-b`` (the cell said once where both are in one)."""
        a, b = self(start), self(end)
        head = a.rsplit(":", 2)[0] + ":" if a.startswith("cell ") else None
        return f"{a}-{b[len(head) :]}" if head and b.startswith(head) else f"{a}-{b}"


def _snippet(text: str, limit: int = 70) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _print_report(r: _FileReport, out: TextIO) -> None:
    from texgrad.syntax.show import show

    doc = r.doc
    pos = _Positions(doc.text, doc.path)
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
            f"  {pos.span(region.start, region.end)} {region.kind} {_snippet(doc.text[region.start : region.end])}\n"
        )
        for row, pr in zip(region.rows, rows_by_region.get(i, []), strict=True):
            where = pos.span(row.start, row.end)
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
    from texgrad.syntax.show import show

    doc = r.doc
    at = _Positions(doc.text, doc.path).at  # (a notebook's: in its cells, as check's)

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
