r"""The issue-14 derivation set: realistic documents whose equations should be differentiated.

Each folder of ``tests/derivations/`` is one document or project, written the way papers,
slides and notes are (declarations in prose, a macros file, ``\input`` sections, sums over
samples, functions the paper defines, named intermediates). A line holding math to
differentiate says so in a comment at its end — ``% …`` (LaTeX, and inside Markdown math,
which MathJax and KaTeX read as TeX does) or ``<!-- … -->``:

- ``diff: <wrt> => <answer>``: differentiating the row on this line with respect to
  ``<wrt>`` (as the document writes it) must give a verified result equal, at random points,
  to ``<answer>`` (LaTeX in the document's symbols, of the variable's shape for a gradient;
  ``\nabla`` layouts as the engine's kinds say). Without ``=> <answer>``: verified is enough.
- ``diff-refused: <wrt> [=> <answer>] -- needs: <what texgrad would need>``: today's texgrad
  gives no verified result there (or one that is not the answer); a strict xfail, so whoever
  lands the feature flips the marker to ``diff``.
  Even then its message must be in the document's words, never an internal tree dump.

The documents are also correct documents: ``texgrad check`` must report nothing on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from texgrad.calculus import expr as e
from texgrad.calculus.api import diff_in_document
from texgrad.calculus.arrays import EvaluationError
from texgrad.calculus.context import context_at, row_at
from texgrad.calculus.derive import DiffOutcome
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.lower import Lowerer
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.verify import _domain
from texgrad.reading.document import detect_format
from texgrad.reading.macros import MacroTable, expand, merge, parse_definition
from texgrad.reading.project import Project, load_project, normalize
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row

DERIVATIONS = Path(__file__).resolve().parent
MARKDOWN = (".md", ".markdown", ".qmd", ".rmd")
KINDS = ("diff", "diff-refused")
MARKER = re.compile(
    r"(?:%|<!--)[ \t]*(diff-refused|diff):[ \t]*(.*?)[ \t]*(?:-->|$)", re.M
)  # runs to the end of its comment: ``-->``, or the line's end after ``%``
TREE_DUMP = re.compile(r"\((?:[A-Z][a-z]+)(?::| )")  # `(Paren:(…`, `(Add 1 + …)`: a syntax tree


@dataclass(frozen=True)
class Marker:
    kind: str  # one of KINDS
    path: str  # relative to the document's folder, with "/"
    line: int  # 1-based
    wrt: str
    answer: str  # the textbook answer ("" when none is given)
    needs: str  # for diff-refused: what texgrad would need

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}:{self.wrt}"


def names() -> list[str]:
    return sorted(
        p.name for p in DERIVATIONS.iterdir() if p.is_dir() and not p.name.startswith("_")
    )


def files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".tex", *MARKDOWN)
    )


def _split(body: str) -> tuple[str, str, str]:
    """``<wrt> [=> <answer>] [-- needs: <feature>]`` as its three parts."""
    body, _, needs = body.partition("-- needs:")
    wrt, _, answer = body.partition("=>")
    return wrt.strip(), answer.strip(), needs.strip()


def read_markers(folder: Path) -> list[Marker]:
    out = []
    for path in files(folder):
        rel = path.relative_to(folder).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in MARKER.finditer(line):
                wrt, answer, needs = _split(m[2])
                out.append(Marker(m[1], rel, n, wrt, answer, needs))
    return out


def _project(path: Path, folder: Path) -> tuple[str, Project | None]:
    """The document's key and its LaTeX project, as ``texgrad diff --file`` finds them."""
    key = normalize(str(path))
    if detect_format(key) != "latex":
        return key, None
    return key, load_project(key, folder=folder)


def differentiate(folder: Path, marker: Marker) -> DiffOutcome:
    key, project = _project(folder / marker.path, folder)
    return diff_in_document(key, marker.line, marker.wrt, project=project, folder=folder)


def answer_form(out: DiffOutcome) -> str:
    """What is compared with a textbook answer: a sum over samples' matrix form where it has
    one (verified equal to the sum of its summands: ``2X^\\top(Xw - y)``), else the result."""
    return out.matrix_form or out.result


def macros_of(folder: Path) -> MacroTable:
    """The macros every file of the folder defines (``\\newcommand{\\vx}{…}``)."""
    found = []
    for path in files(folder):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\\(?:newcommand|renewcommand|DeclareMathOperator|def)\b", text):
            macro, _ = parse_definition(text, m.start())
            if macro is not None:
                found.append(macro)
    return merge([found])


def _lowered(text: str, lowerer: Lowerer, macros: MacroTable) -> Expr | None:
    expanded, _ = expand(MappedText.identity(text), macros)
    row = parse_row(expanded)
    if row.tree is None:
        return None
    try:
        return lowerer.lower(row.tree)
    except CalculusError:
        return None


def agrees_with_answer(folder: Path, marker: Marker, result: str) -> str | None:
    """None when ``result`` equals the marker's answer at random points, else why not."""
    path = folder / marker.path
    text = path.read_text(encoding="utf-8")
    key, project = _project(path, folder)
    checked = Checker().check(key, project, folder, text=text)
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: marker.line - 1])
    row = row_at(checked, start, start + len(lines[marker.line - 1]))
    if row is None or row.tree is None:
        return "no row on that line"
    env = context_at(checked, row).env
    macros = macros_of(folder)
    got = _lowered(result, Lowerer(env), macros)
    want = _lowered(marker.answer, Lowerer(env), macros)
    if want is None:
        return f"the answer `{marker.answer}` is not readable here"
    if got is None:
        return f"the result `{result}` is not readable back here"
    try:
        f = Lowerer(env).lower(row.tree)
    except CalculusError:  # a sum over samples (its members are no variables here)
        f = want
    shapes = {x.name: x.shape for g in (f, got, want) for x in g.walk() if isinstance(x, e.Var)}
    pd, pos, sym = _domain(f, env)
    compared = 0
    for seed in range(6):
        values, sizes = sample_inputs(
            shapes, positive_definite=pd & set(shapes), positive=pos & set(shapes),
            symmetric=sym & set(shapes), rng=np.random.default_rng(7 + seed),
        )  # fmt: skip
        try:
            with np.errstate(all="raise"):
                a = np.asarray(evaluate(got, values, sizes), dtype=float)
                b = np.asarray(evaluate(want, values, sizes), dtype=float)
        except (EvaluationError, np.linalg.LinAlgError, FloatingPointError, ValueError,
                ZeroDivisionError, OverflowError):  # fmt: skip
            continue  # outside the domain at this point (a singular Gram matrix)
        if a.shape != b.shape and a.T.shape == b.shape and 1 in a.shape:
            a = a.T  # a gradient written as a row where the answer is a column
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-6, atol=1e-8):
            return f"`{result}` differs from `{marker.answer}` at a random point"
        compared += 1
        if compared == 3:
            break
    if compared == 0:
        return "no random point where both the result and the answer evaluate"
    return None
