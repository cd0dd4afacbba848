r"""Check the derivatives a document writes: ``\nabla_{\mathbf x} f = (A + A^\top)\mathbf x``.

:func:`written_derivatives` finds the equations of a checked document whose one side is a
derivative and the other an expression — ``\nabla_{\mathbf x} f``, ``\nabla f(\mathbf x)``,
``\frac{\partial f}{\partial X}``, ``\frac{\partial}{\partial \mathbf x}(\mathbf x^\top A
\mathbf x)``, ``\frac{\mathrm d f}{\mathrm d t}``, ``\partial f/\partial x``,
``J_f(\mathbf x)``, a differential ``\mathrm d f = \operatorname{tr}(G^\top \mathrm dX)``
— with ``f`` written inline or defined earlier; every later item of a chain
(``\nabla f &= a \\ &= b``) is a claim about the same derivative.  :func:`check_written`
differentiates each with the engine (:mod:`~texgrad.calculus.derive`) and compares the
written side with the engine's verified result NUMERICALLY, at random points with a
different size for every dimension and inputs in the domain
(:mod:`~texgrad.calculus.sampling`).  The written side is read twice, by the engine's
reader (:mod:`~texgrad.calculus.lower`) and by the independent tree evaluator
(:mod:`~texgrad.calculus.evaluate_tree`); it is reported wrong only when

- the engine's result was verified (else: silence),
- the tree evaluator read the written side at three points or more, and it differed from
  the engine's result at every one of them, in every layout the document allows, and
- the engine's reader of the written side, where it reads it, disagrees too.

Layouts (never a false alarm): a gradient by a vector may be written as a column or a row
whatever the document says (``\nabla f`` is a column, ``\partial f/\partial \mathbf x``
a row in numerator layout: both are common in one document); a Jacobian either way
unless the document states a layout ("numerator layout" / "denominator layout", once,
not both), which then decides; the derivative of a scalar by a matrix is the matrix of
∂f/∂X_{ij} (the Cookbook's convention and the engine's), its transpose accepted only where
the document states numerator layout (then only the transpose).  A matrix the document
declares symmetric is sampled symmetric, and the Cookbook's structured derivative for
symmetric matrices (``G + G^\top - G \circ I``) is accepted beside the plain one; labels
declared in a set (``\{0,1\}^n``, ``\{-1,1\}^n``) are sampled in it.

The module works on plain offsets: a front turns :class:`Finding` into its diagnostic
(:func:`diagnostics_of` gives the shape checker's :class:`Diagnostic` with its quick fix).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.arrays import Array, EvaluationError
from texgrad.calculus.components import component, lower_case_entries
from texgrad.calculus.context import (
    Context,
    context_at,
    rows_not_flagged,
    stated_in_prose,
    stated_of_held,
)
from texgrad.calculus.deadline import Deadline, checkpoint
from texgrad.calculus.deadline import current as current_deadline
from texgrad.calculus.defined_sums import held_sums
from texgrad.calculus.derive import DiffOutcome, differentiate, differentiate_expr
from texgrad.calculus.differential import Budget, BudgetExceeded
from texgrad.calculus.discrepancy import (
    Cause,
    cause,
    cause_as_written,
    cause_in_names,
    changes_with_as_written,
)
from texgrad.calculus.evaluate_expr import evaluate
from texgrad.calculus.evaluate_tree import Defined
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.expr import CalculusError, Expr
from texgrad.calculus.insertion import differential_spelling, macro_differential, spelled_as
from texgrad.calculus.lower import Env, FunctionDef, Lowerer, VarInfo
from texgrad.calculus.names import replace_part
from texgrad.calculus.notation import copy_style, logistic_as_written
from texgrad.calculus.printing import latex
from texgrad.calculus.reasons import is_capital
from texgrad.calculus.samples import is_sample_sum
from texgrad.calculus.sampling import finite_difference_gradient, sample_inputs
from texgrad.calculus.simplify import simplify
from texgrad.calculus.sympy_dims import ONE, Shape
from texgrad.calculus.verify import _domain
from texgrad.calculus.written import as_application, power_name
from texgrad.calculus.written import statements as listed_statements
from texgrad.calculus.written_components import compare_entries, entry_of
from texgrad.calculus.written_denounced import denounced
from texgrad.calculus.written_entries import entries_arranged, entry_jacobian
from texgrad.calculus.written_fixes import fixed_as_written, transpose_macros
from texgrad.calculus.written_hedges import (
    UNSTATED,
    hedge_said,
    hedged_kinds,
    of_another_function,
)
from texgrad.calculus.written_jacobians import OutputEntry, judge, output_entry
from texgrad.calculus.written_layouts import (
    BY_TRANSPOSE,
    COLUMNS,
    JACOBIANS,
    ROWS,
    accepted_forms,
    columns_stated,
    rows_stated,
)
from texgrad.calculus.written_rebound import rebound, through_settings
from texgrad.calculus.written_samples import compare_sum
from texgrad.calculus.written_simplex import resample, stated_sums, unit_vectors_stated
from texgrad.calculus.written_tables import Table, markdown_tables
from texgrad.calculus.written_tabular import latex_tables
from texgrad.calculus.written_upstream import (
    SIMPLE,
    GradientStatements,
    Inline,
    Upstream,
    inline_not_read,
    inline_upstreams,
    linear_loss,
    named_elsewhere,
    only_through,
    paired_forms,
    printed_as_written,
    stand_ins_again,
    writes_inline_upstream,
)
from texgrad.casefold import folded
from texgrad.reading.macros import MacroTable, balanced_group, expand, merge
from texgrad.reading.project import format_of, scan_text
from texgrad.reading.source import MappedText
from texgrad.shapes import language_cues
from texgrad.shapes.check import CheckResult
from texgrad.shapes.diagnostics import Diagnostic, Fix
from texgrad.shapes.dims import ONE as DIMS_ONE
from texgrad.shapes.layout_statements import (
    Statement,
    jacobian_layout_in_force,
    layout_in_force,
    sentence_at,
    sentence_layouts,
    stated_in,
)
from texgrad.shapes.properties import HEDGING, Stated, symmetric_by_form
from texgrad.shapes.prose import plain_dollars
from texgrad.shapes.questions import dimension_names
from texgrad.shapes.rows import PlacedRow
from texgrad.stop_points import MemoryExceeded
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.notation import is_d, round_base
from texgrad.syntax.parse import parse_row
from texgrad.syntax.show import show
from texgrad.syntax.symbols import member_key, symbol_key

CODE = "wrong-derivative"
UNCHECKED = "derivatives-unchecked"  # an information note: the time ran out
POINTS = 3  # points at which a written derivative must differ to be reported
TRIES = 8  # points tried to find them
RTOL = 1e-6

_ERRORS = (
    EvaluationError, FloatingPointError, np.linalg.LinAlgError, ZeroDivisionError,
    OverflowError, ValueError, KeyError, TypeError, IndexError, CalculusError, RecursionError,
)  # fmt: skip


@dataclass(frozen=True)
class WrittenDerivative:
    """One claim ``derivative = expression`` of a document (offsets in its text)."""

    row: PlacedRow
    derivative: t.Node  # the derivative side as written
    function: t.Node | None  # what is differentiated (None for a differential: dF)
    wrt: t.Node | None  # the variable (None: read off the differential on the right)
    claimed: t.Node  # the expression said to equal it
    form: str  # "nabla", "partial", "jacobian", "differential"
    tabled: bool = False  # a line of a table: ``derivative`` is its column's header

    @property
    def start(self) -> int:
        return self.claimed.start

    @property
    def end(self) -> int:
        return self.claimed.end


@dataclass(frozen=True)
class Finding:
    """A written derivative that is not the derivative: where, why, and the correct one."""

    written: WrittenDerivative
    message: str
    correct: str  # the engine's result in the document's notation ("" if it has none)
    start: int
    end: int
    kind: str = ""  # the simple cause's kind (discrepancy.Cause.kind), "" where none is found
    denounced: str = ""  # the words by which the text itself calls it wrong ("slip"), if any


@dataclass
class Tally:
    """What :func:`check_written` did on a document (the corpus measure)."""

    read: int = 0  # derivative equations found
    verified: int = 0  # compared with the engine's verified result and found equal
    flagged: int = 0
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)  # why claims were left undecided
    unchecked: int = 0  # claims not checked: the time ran out (the one cut off included)
    stopped: str = ""  # why (the deadline's message, or the memory bound's)
    first_unchecked: tuple[int, int] | None = None  # where the first of them is
    # the claims left undecided, for `texgrad check --explain` and the hover: (start, end,
    # the reason noted — "" where an earlier check's verdict was reused —, what is
    # differentiated and by what as written, "" where not written)
    undecided: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    found_before_stop: list[Finding] = field(default_factory=list)  # (cut by memory: so far)


# -- finding the equations -------------------------------------------------------------------


_WRITTEN: dict[int, tuple[weakref.ref[CheckResult], int, list[WrittenDerivative]]] = {}


def written_derivatives(checked: CheckResult) -> list[WrittenDerivative]:
    """Every ``derivative = expression`` equation of the checked document, in order: read
    once per checked document (while its rows stay those read) — a hover asks for them at
    every row that writes a derivative (``unchecked.unclaimed_at``), 30 ms on the Cookbook."""
    hit = _WRITTEN.get(id(checked))
    if hit is not None and hit[0]() is checked and hit[1] == len(checked.rows):
        return list(hit[2])
    found = _written_derivatives(checked)
    _keep(_WRITTEN, checked, found)
    return list(found)


_UNITS: dict[int, tuple[weakref.ref[CheckResult], int, dict[str, str]]] = {}


def _unit_vectors(checked: CheckResult) -> dict[str, str]:
    """The vectors the document says are one-hot or distributions, read through its macros:
    once per checked document (each claim asks; expanding the Cookbook's whole text through
    its macros took ~10 ms a claim)."""
    hit = _UNITS.get(id(checked))
    if hit is not None and hit[0]() is checked and hit[1] == len(checked.rows):
        return dict(hit[2])
    found = unit_vectors_stated(checked.doc.text, lambda: _macros(checked))
    _keep(_UNITS, checked, found)
    return dict(found)


def _keep(table: dict[int, Any], checked: CheckResult, value: object) -> None:
    """Keep ``value`` in ``table`` for ``checked`` (with its number of rows, which a later
    look-up compares) as long as ``checked`` lives; not kept where it cannot be weakly
    referred to (found again next time)."""
    key = id(checked)

    def forget(ref: weakref.ref[CheckResult], table: dict[int, Any] = table) -> None:
        current = table.get(key)  # (the table bound here: gone from the module at exit)
        if current is not None and current[0] is ref:
            del table[key]

    try:
        table[key] = (weakref.ref(checked, forget), len(checked.rows), value)
    except TypeError:
        pass


def _written_derivatives(checked: CheckResult) -> list[WrittenDerivative]:
    found: list[WrittenDerivative] = []
    text = checked.doc.text
    last: WrittenDerivative | None = None  # the derivative the previous row wrote
    end = -1
    rows = [row for row in checked.rows if row.path == checked.path]
    for n, row in enumerate(rows):
        if last is None and not _may_write_derivative(row.tree_as_parsed):
            if row.tree_as_parsed is not None:
                end = row.end
            continue  # (read unmoved: a row an edit moved is moved only to be read)
        tree = row.tree
        if tree is None:
            last = None
            continue
        if (
            last is not None
            and _continues(text[end : row.start])
            and isinstance(tree, t.Chain)
            and (not tree.items or tree.items[0] is None)
        ):  # "&= b" continues the row before; "∂J/∂V &= c" is a claim of its own
            more = list(_continued(last, row, tree))
            if more:  # `&= b`: the same derivative; else a row of its own (`∂g/∂X &= …`)
                found.extend(more)
                end = row.end
                continue
        last = None
        tree = _boxes_opened(tree)  # \boxed{\nabla g(\mathbf x) = Q\mathbf x - \mathbf c}
        stated = [
            s for c in t.statements(tree) for x in listed_statements(c) for s in _between_arrows(x)
        ]
        for chain in stated or _array_rows(tree):
            claims = [c for c in _claims(row, chain) if _complete(text, c, rows[n + 1 :])]
            found.extend(claims)
            if claims and claims[-1].derivative is chain.items[0]:
                last = claims[-1]
            elif not claims:  # ∂φ/∂X &= ∂/∂X tr(v uᵀX) - X: no claim, but `&= …` rows are
                last = _rewritten_head(row, chain)
        end = row.end
    if checked.doc.format == "markdown":
        found.extend(_table_claims(text, rows, markdown_tables(text, rows)))
        found.sort(key=lambda c: c.start)
    elif checked.doc.format == "latex":
        tables = latex_tables(text, rows)
        if tables:
            found.extend(_table_claims(text, rows, tables))
            found.sort(key=lambda c: c.start)
    return found


# "dF = … \\implies \\nabla f = …": each side of an implication is a statement of its own
_ARROWS = frozenset(
    {"\\implies", "\\Rightarrow", "\\Longrightarrow", "\\iff", "\\Leftrightarrow",
     "\\Longleftrightarrow", "\\therefore", "\\impliedby", "\\Leftarrow", "\\Longleftarrow"}
)  # fmt: skip


def _between_arrows(chain: t.Chain) -> list[t.Chain]:
    r"""The statements of ``chain`` between its implication arrows (``\mathrm df = 2\mathbf
    x^\top A\,\mathrm d\mathbf x \implies \nabla f(\mathbf x) = 2A^\top \mathbf x``: the
    differential, then the gradient); the chain itself where it has none."""
    rels = chain.relations
    if not any(r in _ARROWS for r in rels):
        return [chain]
    out: list[t.Chain] = []
    items: list[t.Node | None] = [chain.items[0]]
    relations: list[str] = []
    for k, rel in enumerate(rels):
        nxt = chain.items[k + 1]
        if rel in _ARROWS:
            if len(items) > 1 and items[0] is not None and items[-1] is not None:
                out.append(
                    t.Chain(tuple(items), tuple(relations), start=items[0].start, end=items[-1].end)
                )
            items, relations = [nxt], []
        else:
            items.append(nxt)
            relations.append(rel)
    if len(items) > 1 and items[0] is not None and items[-1] is not None:
        out.append(t.Chain(tuple(items), tuple(relations), start=items[0].start, end=items[-1].end))
    return out


def _may_write_derivative(tree: t.Node | None) -> bool:
    """Whether a row may write a derivative (a claim needs one of these; a cheap look)."""
    return tree is not None and t.writes_derivative(tree)


def _table_claims(
    text: str, rows: list[PlacedRow], tables: list[Table]
) -> Iterator[WrittenDerivative]:
    r"""``| $f(\mathbf x)$ | $\nabla_{\mathbf x} f$ |`` heading a table (Markdown, or a LaTeX
    tabular): each line's derivative cell is a claim about the derivative of its function
    cell; ``| Expression | Derivative |`` whose first cells write the derivative itself
    (``$\frac{\partial\, \mathbf a^\top\mathbf x}{\partial \mathbf x}$``): the claim is that cell
    equals the other."""
    for table in tables:
        for i, j, head, wrt, form in _table_columns(table):
            for line in table.lines:
                f, g = line.get(i), line.get(j)
                if f is None or g is None or f.tree is None or g.tree is None:
                    continue
                if not _plain(g.tree) or _is_zero(g.tree):
                    continue
                own = _derivative_side(f.tree) if not _plain(f.tree) else None
                if own is not None and own[0] is not None and own[1] is not None:
                    # the cell is the derivative, written whole: the claim `f = g`
                    yield WrittenDerivative(g, f.tree, own[0], own[1], g.tree, own[2], tabled=True)
                    continue
                by = wrt if wrt is not None else _the_x(f.tree)
                if by is not None and _plain(f.tree):
                    yield WrittenDerivative(g, head, f.tree, by, g.tree, form, tabled=True)


def _table_columns(
    table: Table,
) -> Iterator[tuple[int, int, t.Node, t.Node | None, str]]:
    """(function column, derivative column, the derivative as headed, its variable, form)."""
    for j, head in table.header.items():
        read = _derivative_side(head.tree) if head.tree is not None else None
        if head.tree is None or read is None or read[0] is None:
            continue
        if read[2] not in ("nabla", "partial", "hessian"):
            continue
        named = read[0].func if isinstance(read[0], t.Apply) else read[0]
        key = symbol_key(named)
        for i, names in table.header.items():
            tree = names.tree
            call = tree if isinstance(tree, t.Apply) and len(tree.args) == 1 else None
            heading = call.func if call is not None else tree
            if i == j or key is None or heading is None or symbol_key(heading) != key:
                continue
            wrt = read[1] if read[1] is not None else call.args[0] if call else None
            yield i, j, head.tree, wrt, read[2]
    yield from _titled_columns(table)


# a header cell naming the derivative in words: "Gradient", "Hessian w.r.t. $\mathbf x$", "Its
# gradient", or in plain text "d/dx", "∂/∂x"
_TITLED = re.compile(
    r"(?:(?:the|its|their)\s+)?(gradient|derivative|jacobian|hessian)s?\b"
    r"|\s*(d\s*/\s*d|∂\s*/\s*∂)\s*[A-Za-z]\w*\s*$",  # (an operator alone: "d/dx")
    re.I,
)
_TITLED_FORMS = {
    "gradient": "nabla",
    "hessian": "hessian",
    "derivative": "partial",
    "jacobian": "partial",
}


def _titled_columns(
    table: Table,
) -> Iterator[tuple[int, int, t.Node, t.Node | None, str]]:
    r"""The columns of a table headed in words, ``| Function | Gradient |``: each column
    whose title names a derivative, paired with the one other column of math (its title not
    a derivative's) — the variable the title's math names (``Gradient w.r.t. $\mathbf x$``),
    else each line's ``x``."""
    derivative: dict[int, str] = {}
    others: list[int] = []
    for c, (_, _, title) in table.titles.items():
        m = _TITLED.match(title)
        math = table.header.get(c)
        if math is not None and math.tree is not None and _derivative_side(math.tree) is not None:
            continue  # (read above, by the function it names)
        if m is not None:
            derivative[c] = _TITLED_FORMS[m[1].lower()] if m[1] else "partial"  # (d/dx, ∂/∂x)
        elif not _TITLED.search(title):
            others.append(c)
    functions = [c for c in others if any(c in line for line in table.lines)]
    if not derivative or len(functions) != 1:
        return
    i = functions[0]
    for j, form in derivative.items():
        start, end, title = table.titles[j]
        math = table.header.get(j)
        tree = math.tree if math is not None else None
        wrt = tree if tree is not None and symbol_key(tree) is not None else None
        if math is not None and wrt is None:
            continue  # (math in the title that is no variable: not read)
        head = t.Symbol(name=title, start=start, end=end)
        yield i, j, head, wrt, form


def _the_x(tree: t.Node) -> t.Node | None:
    r"""The variable of a table headed ``| $f$ | $\nabla f$ |``: the cell's ``x`` (in any
    font), else None (silence)."""
    for node in tree.walk():
        key = symbol_key(node) if isinstance(node, t.Symbol) else None
        if key is not None and isinstance(node, t.Symbol) and node.name == "x":
            return node
    return None


def _array_rows(tree: t.Node) -> list[t.Chain]:
    r"""The equations of an ``array`` used as an align environment (the Cookbook's
    ``\begin{array}{rlr} \partial \mathbf A & =0 \\ … \end{array}``): each row's
    left cell with the relation chain of the next (a row ``& = c`` continues the one before)."""
    if not isinstance(tree, t.Matrix) or tree.env != "array":
        return []
    out: list[t.Chain] = []
    left: t.Node | None = None
    for cells in tree.rows:
        chain = cells[1] if len(cells) > 1 else None
        if not isinstance(chain, t.Chain) or not chain.items or chain.items[0] is not None:
            left = None
            continue
        left = cells[0] if cells[0] is not None else left
        if left is None:
            continue
        out.append(
            t.Chain((left, *chain.items[1:]), chain.relations, start=left.start, end=chain.end)
        )
    return out


def _complete(text: str, claim: WrittenDerivative, after: list[PlacedRow]) -> bool:
    """Whether the claimed expression ends where it seems to: not before a sign that goes on
    (``… = A x +`` at a row's end, or a next row ``& + B x`` of an align environment)."""
    rest = text[claim.start : max(claim.end, claim.row.end)].strip()
    if rest.endswith(("+", "-", "\\cdot", "\\times")):
        return False
    nxt = after[0] if after else None
    if nxt is None or not _continues(text[claim.row.end : nxt.start]):
        return True
    head = re.sub(r"^(?:\s|&|\\quad|\\qquad|\\;|\\,|\\!|\{\}|\\phantom\{[^}]*\})*", "",
                  text[nxt.start : nxt.end])  # fmt: skip
    return not head.startswith(("+", "-", "\\cdot", "\\times"))


# (and a comment: "\\ % the slip" ends its line, nothing of the math; and a line of prose
# between the rows, ``\intertext{which we also write as}``: the rows after it go on)
_BETWEEN_ROWS = re.compile(
    r"(?:\\\\|\\nonumber|\\notag|\\label\{[^}]*\}|%[^\n]*|\s"
    r"|\\(?:short)?intertext\s*\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\})*"
)


def _continues(between: str) -> bool:
    """Whether only a row break of an align environment separates two rows."""
    return "\\\\" in between and _BETWEEN_ROWS.fullmatch(between) is not None


def _continued(
    last: WrittenDerivative, row: PlacedRow, chain: t.Chain
) -> Iterator[WrittenDerivative]:
    """``&= b``: a row that continues the derivative of the row before."""
    if not chain.items or chain.items[0] is not None or any(r != "=" for r in chain.relations):
        return
    for item in chain.items[1:]:
        if item is None or _is_derivative_side(item):
            return
        yield replace(last, row=row, claimed=item)


def _in_differentials(chain: t.Chain) -> t.Chain:
    r"""``\mathrm{D}f(X)[\dot X] = \operatorname{tr}(\dot X^\top A X)``, the derivative in a
    direction, as the differential it is: ``\mathrm d f(X) = \operatorname{tr}(\mathrm dX^\top
    A X)`` (the direction, a letter, read as ``\mathrm dX`` on the other sides)."""
    first = chain.items[0] if chain.items else None
    read = t.directional(first) if first is not None else None
    if read is None:
        return chain
    call, direction = read
    key, x = symbol_key(direction), call.args[0]
    if key is None or symbol_key(x) is None or key == symbol_key(x):
        return chain
    assert first is not None
    head = first.factors[0]  # type: ignore[attr-defined]
    d = t.Symbol("d", "mathrm", start=head.start, end=head.end)
    items: list[t.Node | None] = [t.Product((d, call), start=first.start, end=first.end)]
    for item in chain.items[1:]:
        found: dict[int, t.Node] = {
            id(n): t.Differential(replace(x, start=n.start, end=n.end), start=n.start, end=n.end)
            for n in (item.walk() if item is not None else ())
            if isinstance(n, (t.Symbol, t.Font)) and symbol_key(n) == key
        }
        items.append(t.replaced(item, found) if item is not None and found else item)
    return replace(chain, items=tuple(items))


def _claims(row: PlacedRow, chain: t.Chain) -> Iterator[WrittenDerivative]:
    chain = _in_differentials(chain)  # Df(X)[Ẋ] = …: the differential, dX written Ẋ
    sized = (
        len(chain.relations) > 1
        and chain.relations[-1] == "\\in"
        and isinstance(chain.items[-1], t.Space)
    )
    if sized:  # ∂L/∂V = A^\top G \in \mathbb{R}^{S \times d}: the equation, its size said after
        chain = replace(chain, items=chain.items[:-1], relations=chain.relations[:-1])
    if not chain.relations or any(r != "=" for r in chain.relations):
        return
    items = chain.items
    if any(item is None for item in items) or len(items) < 2:
        return
    items = tuple(_unboxed(i) for i in items)  # `= \boxed{(A + A^T)x}`: the answer
    rest = [n for i in items[1:] if i is not None for n in i.walk()]
    if _bare_partial(items[0]) and any(_bare_partial(n) for n in rest):
        items = tuple(_partial_as_d(i) if i is not None else i for i in items)  # ∂X: dX
    elif any(is_d(n) for n in rest) and not any(_bare_partial(n) for n in rest):
        items = (_partial_as_plain_d(items[0]), *items[1:])  # ∂ tr(XᵀAX) = tr(… dX): d
    first = items[0]
    assert first is not None
    read = _derivative_side(first)
    if read is None and len(items) > 2 and symbol_key(first) is not None:
        later = _derivative_side(items[1]) if items[1] is not None else None
        if later is not None:  # J = ∂y/∂x = …: a name, the derivative it names, its value
            first, read, items = items[1], later, items[1:]
            assert first is not None
    if read is None and isinstance(first, t.Product) and is_d(first.factors[0]):
        read = None, None, "differential"  # \mathrm d\,\mathbf x^\top A\mathbf x = … (a head only)
    if read is not None:  # ∇f = a = b: each later item is said to be the derivative
        for item in items[1:]:
            assert item is not None
            if _is_derivative_side(item):
                continue  # ∇f = ∂f/∂x = a
            if not _plain(item) and not writes_inline_upstream(item, read[0], read[1]):
                return  # "a \\text{ and } ∂g/∂y = b": b is another derivative's
            if not _is_zero(item):  # ∇f = 0: a condition (the optimum), not an identity
                yield WrittenDerivative(row, first, read[0], read[1], item, read[2])
        return
    last = items[-1]  # a = ∇f, the derivative on the right (rare): only with two items
    assert last is not None  # (G = ∂L/∂O \in ℝ^{n×d}: a name and its size, no claim)
    read = _derivative_side(last) if len(items) == 2 and not sized else None
    if read is not None and _plain(first) and not _is_zero(first):
        yield WrittenDerivative(row, last, read[0], read[1], first, read[2])


def _rewritten_head(row: PlacedRow, chain: t.Chain) -> WrittenDerivative | None:
    r"""``\frac{\partial \phi}{\partial X} &= \frac{\partial}{\partial X}\operatorname{tr}(
    \mathbf v\mathbf u^\top X) - X``: a derivative rewritten as an expression that still
    takes derivatives by the same variable, no claim itself; the rows ``&= …`` after it say
    what the derivative is (a head they continue, not a finding).  None for anything else
    (a derivative of another variable on the right: another derivative's value may follow)."""
    items = chain.items
    if len(items) != 2 or chain.relations[0] != "=" or items[0] is None or items[1] is None:
        return None
    read = _derivative_side(items[0])
    wrt = read[1] if read is not None else None
    if read is not None and wrt is None and read[2] == "nabla" and isinstance(read[0], t.Apply):
        # ∇h(x) &= \frac{1}{\mathbf x^\top S\mathbf x}\nabla(\mathbf x^\top S\mathbf x): by its
        # one argument, as a bare ∇ on the right is
        wrt = read[0].args[0] if len(read[0].args) == 1 else None
    if read is None or wrt is None or (by := symbol_key(wrt)) is None:
        return None
    inner = [n for n in items[1].walk() if isinstance(n, (t.Derivative, t.Nabla))]
    for node in inner:
        wrts = node.wrt if isinstance(node, t.Derivative) else (node.wrt,)
        if isinstance(node, t.Nabla) and node.wrt is None and read[1] is None:
            continue  # (a bare ∇, as the head's)
        keys = {k[0] if (k := symbol_key(w)) is not None else None for w in wrts if w is not None}
        if keys != {by[0]}:
            return None
    if not inner:
        return None
    return WrittenDerivative(row, items[0], read[0], read[1], items[1], read[2])


def _unboxed(node: t.Node | None) -> t.Node | None:
    """The body of ``\\boxed{…}`` (a result set off in its box), else the node."""
    while isinstance(node, t.Accent) and node.accent.lstrip("\\") == "boxed":
        node = node.body
    return node


def _boxes_opened(tree: t.Node) -> t.Node:
    """A row whose equations an answer key boxes whole (``\\boxed{\\frac{\\partial \\phi}{\\partial
    U} = (UV^\\top - Y)V}, \\qquad \\boxed{…}``): the equations, out of their boxes."""
    if isinstance(tree, (t.List, t.Sequence)):
        items = tuple(_boxes_opened(i) if i is not None else None for i in tree.items)
        if any(a is not b for a, b in zip(items, tree.items, strict=True)):
            return replace(tree, items=items)
        return tree
    body = _unboxed(tree)
    return body if isinstance(body, t.Chain) else tree


def _bare_partial(node: t.Node | None) -> bool:
    """``\\partial \\mathbf X``, ``\\partial(\\mathbf X^{-1})``: ∂ with no variable or order."""
    return (
        isinstance(node, t.Partial)
        and node.wrt is None
        and node.order is None
        and node.body is not None
    )


def _partial_as_plain_d(node: t.Node | None) -> t.Node | None:
    """``\\partial \\operatorname{tr}(X^\\top A X)``, ``\\partial\\, \\mathbf a^\\top X \\mathbf b``
    beside a right side written with a plain ``dX`` (notes that write ∂ for the
    differential, as Minka does): ``d`` in its place, the differential of what follows."""
    lead = node.factors[0] if isinstance(node, t.Product) else node
    if not _bare_partial(lead):
        return node
    assert isinstance(lead, t.Partial) and lead.body is not None and node is not None
    d = t.Symbol(name="d", start=lead.start, end=lead.start + 1)
    rest = node.factors[1:] if isinstance(node, t.Product) else ()
    return t.Product((d, lead.body, *rest), start=lead.start, end=node.end)


def _partial_as_d(node: t.Node) -> t.Node:
    """The tree with every bare ∂ made the differential (the Cookbook writes
    ``\\partial(\\mathbf X^{-1}) = -\\mathbf X^{-1}(\\partial\\mathbf X)\\mathbf X^{-1}``)."""
    changes: dict[str, object] = {}
    for fld in fields(node):
        if fld.name in ("start", "end", "from_macro", "span"):
            continue
        v = getattr(node, fld.name)
        if isinstance(v, t.Node):
            changes[fld.name] = _partial_as_d(v)
        elif isinstance(v, tuple) and v and all(isinstance(x, t.Node) or x is None for x in v):
            changes[fld.name] = tuple(_partial_as_d(x) if isinstance(x, t.Node) else x for x in v)
    new = replace(node, **changes)  # type: ignore[arg-type]
    if _bare_partial(new):
        assert isinstance(new, t.Partial) and new.body is not None
        return t.Differential(new.body, start=new.start, end=new.end)
    return new


def _is_two(node: t.Node | None) -> bool:
    return isinstance(node, t.Number) and node.text.strip() == "2"


def _operator(node: t.Node) -> bool:
    """``\\nabla_x`` or ``\\frac{\\partial}{\\partial x}`` written before what it takes."""
    if isinstance(node, t.Nabla) and node.wrt is not None and node.body is not None:
        return True
    return (
        isinstance(node, t.Derivative)
        and node.body is not None
        and len(node.wrt) == 1
        and node.body.start >= node.wrt[0].end
    )


def _plain(node: t.Node) -> bool:
    """An expression: no derivative, text or list inside (``a \\text{ and } \\frac{∂g}{∂y}``;
    a sum's limits ``\\sum_{i=1}^N`` are no relation of the row)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (t.Nabla, t.Partial, t.Derivative, t.Text, t.List, t.Sequence, t.Chain)):
            return False
        if isinstance(n, t.BigOp):
            stack.extend(k for k in (n.body,) if k is not None)
        elif isinstance(n, t.Sub) and symbol_key(n) is not None:
            continue  # P_{t|t-1}: a label, no relation of the row
        else:
            stack.extend(n.children())
    return True


def _is_zero(node: t.Node) -> bool:
    """``0``, ``\\mathbf 0``, ``0_n``, ``\\mathbf{0}_{n}``."""
    if isinstance(node, t.Sub):
        node = node.base
    if isinstance(node, t.Font):
        node = node.body
    return (isinstance(node, t.Number) and node.text.strip("0.") == "") or (
        isinstance(node, t.Symbol) and node.name == "0"
    )


def _nabla_called(node: t.Node) -> t.Nabla | None:
    r"""``\nabla^2 r(\mathbf x)`` read as a product (``r`` no conventional function letter):
    the operator applied to the call ``r(\mathbf x)``."""
    if not (isinstance(node, t.Product) and len(node.factors) == 2):
        return None
    nabla, arg = node.factors
    if not (
        isinstance(nabla, t.Nabla)
        and nabla.wrt is None
        and isinstance(nabla.body, t.Symbol)
        and isinstance(arg, t.Paren)
        and arg.open == "("
        and arg.body is not None
    ):
        return None
    call = t.Apply(nabla.body, (arg.body,), parens=True, start=nabla.body.start, end=arg.end)
    return replace(nabla, body=call, end=arg.end)


def _nabla_of_power(node: t.Node) -> t.Nabla | None:
    r"""``\nabla^2_{\mathbf x} (\mathbf a^\top \mathbf x)^3``, parsed as the power of the
    operator applied to the parenthesis: the operator applied to the power."""
    if not (isinstance(node, t.Power) and isinstance(node.base, t.Nabla)):
        return None
    nabla, body = node.base, node.base.body
    if not (isinstance(body, t.Paren) and body.open in ("(", "\\left(") and body.body is not None):
        return None
    power = t.Power(base=body, exponent=node.exponent, start=body.start, end=node.end)
    return replace(nabla, body=power, end=node.end)


def _regrouped(node: t.Node) -> t.Node | None:
    r"""The operator a parse split from what it takes, applied to it again: ``\nabla^2 r(x)``,
    ``\nabla_x (a^\top x)^3``, ``\nabla_v (Av - b)^\top \Omega (Av - b)``; else None."""
    for regroup in (_nabla_called, _nabla_of_power, _operator_of_marked_bracket):
        found = regroup(node)
        if found is not None:
            return found
    return None


def _operator_of_marked_bracket(node: t.Node) -> t.Node | None:
    r"""``\nabla_{\mathbf v} (A\mathbf v - \mathbf b)^\top \Omega (A\mathbf v - \mathbf b)``,
    parsed as the operator applied to the first bracket, that transposed (or raised to a
    power), times the rest: the operator applied to the whole product, as it is when the
    first factor is unbracketed (``\nabla_x x^\top A x``); else None."""
    if not (isinstance(node, t.Product) and len(node.factors) > 1):
        return None
    first = node.factors[0]
    if not isinstance(first, (t.Transpose, t.Power)) or not _operator(first.base):
        return None
    op = first.base
    if not isinstance(op, (t.Nabla, t.Derivative)):
        return None
    body = op.body
    if not (isinstance(body, t.Paren) and body.open in ("(", "\\left(", "[", "\\left[")):
        return None
    marked = replace(first, base=body, start=body.start)
    rest = node.factors[1:]
    product = t.Product((marked, *rest), start=body.start, end=rest[-1].end)
    return replace(op, body=product, end=node.end)


def _bare_hessian(node: t.Node) -> t.Node | None:
    r"""``\nabla^2 \tfrac12 \mathbf x^\top A \mathbf x``, parsed as the operator applied to
    the number ``\tfrac12`` times the rest: the product it takes (its variable not written:
    :func:`_variable` reads the one vector it holds), else None."""
    if not (isinstance(node, t.Product) and len(node.factors) > 1):
        return None
    head, rest = node.factors[0], node.factors[1:]
    if not (
        isinstance(head, t.Nabla) and head.wrt is None and _is_two(head.order)
        and head.body is not None and _a_number(head.body)
    ):  # fmt: skip
        return None
    return t.Product((head.body, *rest), start=head.body.start, end=rest[-1].end)


def _a_number(node: t.Node) -> bool:
    """``2``, ``\tfrac12``, ``\frac{1}{2}``: a number written as such."""
    if isinstance(node, t.Number):
        return True
    return isinstance(node, t.Frac) and _a_number(node.num) and _a_number(node.den)


def _is_derivative_side(node: t.Node) -> bool:
    return _derivative_side(node) is not None


def _derivative_side(node: t.Node) -> tuple[t.Node | None, t.Node | None, str] | None:
    """(function, variable, form) of a derivative as written, None if ``node`` is none."""
    bare = _bare_hessian(node)
    if bare is not None:  # \nabla^2 \tfrac12 \|W\mathbf x\|^2: by the one vector it holds
        return bare, None, "hessian"
    return _derivative_read(node)


def _second_derivative(node: t.Node) -> tuple[t.Node | None, t.Node | None, str] | None:
    r"""``\frac{\partial^2 f}{\partial x \partial x^\top}`` (the Hessian), ``\partial x
    \partial z^\top`` (mixed), ``\partial x^2`` (by a number; ambiguous by a vector)."""
    if not isinstance(node, t.Derivative) or node.body is None:
        return None
    if (
        len(node.wrt) == 2
        and member_key(node.wrt[0]) is not None
        and isinstance(node.wrt[1], t.Transpose)
        and member_key(node.wrt[1].base) == member_key(node.wrt[0])
    ):  # \frac{\partial^2 f}{\partial x \partial x^\top}
        return node.body, node.wrt[0], "hessian"
    if (
        _is_two(node.order)
        and len(node.wrt) == 1
        and isinstance(node.wrt[0], t.Power)
        and _is_two(node.wrt[0].exponent)
        and member_key(node.wrt[0].base) is not None
    ):  # \frac{\partial^2 f}{\partial x^2}, \frac{d^2 g}{dt^2}: the second derivative by x
        return node.body, node.wrt[0].base, "squared"
    if (
        len(node.wrt) == 2
        and member_key(node.wrt[0]) is not None
        and member_key(_untransposed(node.wrt[1])) not in (None, member_key(node.wrt[0]))
    ):  # \frac{\partial^2 f}{\partial x \partial z^\top}: read, to say why it is not checked
        return node.body, node.wrt[0], "mixed"
    return None


def _jacobian_read(node: t.Node) -> tuple[t.Node | None, t.Node | None, str] | None:
    r"""``J_f(\mathbf x)``, ``Df(x)``, a matrix of entries ∂h_i/∂x_j: a Jacobian's side."""
    if (
        isinstance(node, t.Apply)
        and isinstance(node.func, t.Sub)
        and isinstance(node.func.base, t.Symbol)
        and node.func.base.name == "J"
        and len(node.args) >= 1
    ):  # J_f(\mathbf x); J_F(r, \theta) by several numbers (check_stacked), no one variable
        return (
            t.Apply(node.func.index, node.args, start=node.start, end=node.end),
            node.args[0] if len(node.args) == 1 else None,
            "jacobian",
        )
    call = t.frechet(node)
    if call is not None:  # Df(x): the Jacobian of f at x (D no declared letter: check_claim)
        return call, call.args[0], "frechet"
    return entry_jacobian(node)  # [∂h_i/∂x_j]: the Jacobian written by its entries


def _derivative_read(node: t.Node) -> tuple[t.Node | None, t.Node | None, str] | None:
    """:func:`_derivative_side` of all but the bare Hessian."""
    regrouped = _regrouped(node)
    if regrouped is not None:
        return _derivative_side(regrouped)
    if isinstance(node, t.Product) and len(node.factors) > 1 and _operator(node.factors[0]):
        # \nabla_x x^T x, \frac{\partial}{\partial x} x^T A x: the operator takes the product
        head = node.factors[0]
        read = _derivative_side(head)
        body = getattr(head, "body", None)
        if read is None or body is None:
            return None
        rest = node.factors[1:]
        product = t.Product((body, *rest), start=body.start, end=rest[-1].end)
        return product, read[1], read[2]
    if isinstance(node, t.Nabla) and node.order is None and node.body is not None:
        return node.body, node.wrt, "nabla"
    if isinstance(node, t.Nabla) and _is_two(node.order) and node.body is not None:
        return node.body, node.wrt, "hessian"  # \nabla^2_x f
    second = _second_derivative(node)
    if second is not None:
        return second
    if isinstance(node, t.Partial) and node.order is None and node.body is not None:
        return node.body, node.wrt, "partial"
    if isinstance(node, t.Derivative) and node.order is None and len(node.wrt) == 1:
        if node.body is None:
            return None
        return node.body, node.wrt[0], "partial"
    jacobian = _jacobian_read(node)
    if jacobian is not None:
        return jacobian
    by_d = _d_subscripted(node)
    if by_d is not None:  # D_{\mathbf x} f (D no declared letter: _retyped)
        return by_d[0], by_d[1], "d-subscript"
    if isinstance(node, t.Product) and len(node.factors) == 2 and is_d(node.factors[0]):
        return None, None, "differential"  # \mathrm d f
    if isinstance(node, t.Differential) and node.body is not None:
        return None, None, "differential"
    return None


def _d_subscripted(node: t.Node) -> tuple[t.Node, t.Node] | None:
    r"""``D_{\mathbf x} f``, ``D_{\mathbf x}(\mathbf x^\top A\mathbf x)``, ``D_x\, e^{-c^\top x}``:
    (what follows, the subscript) — the derivative by the subscript, read so only where ``D``
    is no letter of the document's own (:func:`_retyped`)."""
    if not isinstance(node, t.Product) or len(node.factors) < 2:
        return None
    head, rest = node.factors[0], node.factors[1:]
    if not (
        isinstance(head, t.Sub)
        and isinstance(head.base, t.Symbol)
        and head.base.name == "D"
        and head.base.font in (None, "mathrm", "operatorname")
        and not head.base.accents
        and symbol_key(head.index) is not None
    ):
        return None
    body = (
        rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start, end=rest[-1].end)
    )
    return body, head.index


# -- checking them --------------------------------------------------------------------------

_WHY: ContextVar[list[str] | None] = ContextVar("why", default=None)
# check_written(only_findings=True): what can only be verified, never reported, is not done
_ONLY_FINDINGS: ContextVar[bool] = ContextVar("only_findings", default=False)
_NEVER_REPORTED = "never reported: typed by its letters (only_findings)"


def _undecided(why: str, first: bool = False) -> bool | None:
    """Silence, with the reason noted for the corpus measure (:attr:`Tally.reasons`);
    ``first``: the reason that explains the others noted before it (said first)."""
    said = _WHY.get()
    if said is not None:
        said.insert(0, why) if first else said.append(why)
    return None


def layouts_at(text: str, claim: WrittenDerivative, said: list[Statement] | None) -> frozenset[str]:
    """The layouts a claim may be written in: the one stated where it stands (``said``: the
    document's statements, :func:`~texgrad.shapes.layout_statements.stated_in`), and any
    its own sentence names ("In numerator layout the same gradient is …"); empty: none."""
    local = sentence_layouts(text, claim.row.start, claim.end)
    stated = layout_in_force(text, claim.row.start, said)
    layouts = local | ({stated} if stated else set())
    jacobians = jacobian_layout_in_force(text, claim.row.start)
    if jacobians is not None:  # ("we write the Jacobian as m × n": its Jacobians only)
        layouts.add(JACOBIANS + jacobians)
    if not local and columns_stated(text, claim.row.start):
        layouts.add(COLUMNS)  # "Gradients are column vectors": a gradient by a column is one
    if not local and rows_stated(text, claim.row.start):
        layouts.add(ROWS)  # "∂f/∂x is a row vector": a derivative by a column is a row
    if isinstance(claim.wrt, t.Transpose) and not claim.wrt.conjugate:
        layouts.add(BY_TRANSPOSE)  # ∂f/∂X^T, ∂y/∂x^T: conventions differ (accepted_forms)
    if _SIZED.match(text, max(claim.claimed.end, claim.derivative.end), claim.row.end):
        layouts |= {"numerator", "denominator"}  # ∂ℓ/∂V = A^\top G \in ℝ^{S×d}: its own size
    return frozenset(layouts)


_SIZED = re.compile(r"\s*\\in(?![A-Za-z])")  # (the size said after a claim: either layout)


@dataclass(frozen=True, slots=True)
class Retry:
    """An undecided verdict reached because the claim's own time ran out (on a loaded
    machine a claim's few seconds can pass before its engine is done): the claim is
    checked again by a later check of the document, up to :data:`RETRIES` times, before
    it is left undecided for good."""

    tries: int


RETRIES = 3

# what a claim was found to be, by what decides it (see :func:`_key`): True (right), None
# (undecided), (message, correct) of a finding, or a :class:`Retry` of one undecided for
# want of time; a front keeps one per document
Verdicts = dict[tuple[object, ...], "bool | None | tuple[str, str] | Retry"]


def retries_pending(cache: Verdicts) -> bool:
    """Whether some claim of these verdicts ran out of its time and is to be tried again."""
    return any(isinstance(v, Retry) and v.tries < RETRIES for v in cache.values())


# the wall-clock backstop of a check's bounds, in times their seconds of CPU time (a
# thread starved or blocked that long is stopped all the same)
WALL = 10.0


def check_written(
    checked: CheckResult, seconds: float = 20.0, per_equation: float = 3.0,
    tally: Tally | None = None, cache: Verdicts | None = None, hard: bool = False,
    only_findings: bool = False,
) -> list[Finding]:  # fmt: skip
    """The written derivatives of ``checked`` that are wrong (see the module's rules), all
    of them within ``seconds`` of the thread's CPU time (one
    :class:`~texgrad.calculus.deadline.Deadline` for the document, inside any the thread
    already has, with a backstop of :data:`WALL` times that on the wall clock; ``hard``: on
    the main thread, interrupted by a timer signal too), each claim's steps within
    ``per_equation`` seconds of CPU time (their budgets count CPU time under a CPU
    deadline): on a loaded machine, where the wall clock runs on while the thread waits its
    turn, the check finds what it finds on an idle one.  What is left unchecked when time
    runs out, the claim cut off included, is counted in ``tally`` (:attr:`Tally.unchecked`, :func:`unchecked_note`).

    ``cache``: verdicts of an earlier check of the document (an editor's, after an edit):
    a claim whose text and context did not change is not differentiated again.
    ``only_findings`` (the fronts): a claim that could only be verified, never reported —
    one checked with its symbols typed by their letters where the document declares them
    otherwise (:func:`_guessed`), a differential so typed — is left undecided before it is
    differentiated (the same findings; fewer verified in :class:`Tally`)."""
    began = time.monotonic()
    # (the root's, a preamble's, then its own: as the shape check reads them)
    layout = stated_in(checked.path, checked.doc.text, checked.project_texts)
    out: list[Finding] = []
    tally = tally if tally is not None else Tally()
    claims = written_derivatives(checked)
    deadline = Deadline(seconds, within=current_deadline(), cpu=True, wall=WALL)
    n = 0  # the claims done
    parts: dict[object, object] = {}  # (see _shared)
    only = _ONLY_FINDINGS.set(only_findings)
    try:
        with deadline.active(hard=hard):
            while n < len(claims):
                if deadline.passed():
                    raise BudgetExceeded(deadline.message())
                verdict = _verdict(checked, claims[n], layout, per_equation, tally, cache)
                if deadline.passed():  # cut off in the middle: not decided, not kept
                    raise BudgetExceeded(deadline.message())
                _count(
                    _noting_denounced(checked, claims, n, verdict, tally), tally, cache, out, parts
                )
                n += 1
    except BudgetExceeded:  # (raised by a check, or by the timer signal: anywhere above)
        if n < len(claims):
            tally.unchecked += len(claims) - n
            tally.stopped = deadline.message()
            tally.first_unchecked = (claims[n].start, claims[n].end)
    except MemoryExceeded as exc:  # (the caller's memory bound: counted, and on up)
        if n < len(claims):
            tally.unchecked += len(claims) - n
            tally.stopped = f"was stopped: {exc}"
            tally.first_unchecked = (claims[n].start, claims[n].end)
        tally.found_before_stop = list(out)
        raise
    finally:
        _ONLY_FINDINGS.reset(only)
    tally.seconds += time.monotonic() - began
    return out


def _noting_denounced(
    checked: CheckResult, claims: list[WrittenDerivative], n: int, verdict: _Verdict, tally: Tally
) -> _Verdict:
    """``verdict``, its finding marked where the prose itself calls the claim wrong ("A
    common slip is to write …": :mod:`~texgrad.calculus.written_denounced`): still reported
    — the author is told it is indeed not the derivative, and how it differs — but as
    information, not a warning, saying that the text calls it wrong.  (The cache keeps the
    claim's own verdict: the prose around it is read again at every check.)"""
    if not isinstance(verdict.found, Finding):
        return verdict
    claim = claims[n]
    others = [
        (c.start, c.end, c.row.start, c.derivative.start) for i, c in enumerate(claims) if i != n
    ]
    said = denounced(
        checked.doc.text, (claim.row.start, claim.row.end), (claim.start, claim.end), others,
        claim.derivative.start,
    )  # fmt: skip
    if said is None:
        return verdict
    tally.reasons["denounced"] += 1
    found = verdict.found
    message = f"as the text says (“{said}”), {found.message}"
    return replace(verdict, found=replace(found, denounced=said, message=message))


def _count(
    verdict: _Verdict,
    tally: Tally,
    cache: Verdicts | None,
    out: list[Finding],
    parts: dict[object, object],
) -> None:
    tally.read += 1
    if cache is not None and verdict.key is not None:
        key = verdict.key  # (a key already kept stays the one kept: equal, it is not stored)
        cache[key if key in cache else _shared(key, parts)] = verdict.kept
    if verdict.found is True:
        tally.verified += 1
    elif isinstance(verdict.found, Finding):
        tally.flagged += 1
        out.append(verdict.found)


def _shared(part: Any, parts: dict[object, object]) -> Any:
    """``part`` (a verdict's key) with its tuples and strings, at any depth, replaced by the
    equal ones in ``parts`` (one check's: what is kept does not outlive the verdicts).  Every
    claim's key holds what the document says of each of its symbols there, its paragraph
    and its notation, mostly as its neighbours' do: kept whole, a document's verdicts were
    its largest memory after its trees.  Shared by value, a key equals what it was."""
    if type(part) is tuple:
        part = tuple([_shared(p, parts) for p in part])
    elif type(part) is not str:
        return part
    try:
        return parts.setdefault(part, part)
    except TypeError:  # (not hashable after all: kept as it is)
        return part


@dataclass
class _Verdict:
    found: Finding | bool | None
    key: tuple[object, ...] | None  # its key in the cache, if one is kept
    kept: bool | None | tuple[str, str] | Retry  # what the cache keeps of it


def _verdict(
    checked: CheckResult, claim: WrittenDerivative, layout: list[Statement] | None, per_equation: float,
    tally: Tally, cache: Verdicts | None,
) -> _Verdict:  # fmt: skip
    """One claim's verdict, from the cache or checked (the reason it stays undecided
    counted in ``tally``)."""
    key = (
        _key(checked, claim, layouts_at(checked.doc.text, claim, layout))
        if cache is not None
        else None
    )
    tries = 0
    if cache is not None and key in cache:
        known = cache[key]
        if isinstance(known, Retry) and known.tries < RETRIES:
            tries = known.tries  # (undecided for want of time: checked again)
        else:
            found: Finding | bool | None = (
                Finding(claim, known[0], known[1], claim.start, claim.end)
                if isinstance(known, tuple) else None if isinstance(known, Retry) else known
            )  # fmt: skip
            if found is None:  # (its reason was noted by the check that decided it)
                tally.undecided.append(
                    (claim.start, claim.end, "", *_written_parts(checked, claim))
                )
            return _Verdict(found, None, known)
    why = _WHY.set([])
    began = time.thread_time()
    try:
        found = check_claim(checked, claim, layout, per_equation)
        said = _WHY.get()
    finally:
        _WHY.reset(why)
    kept: bool | None | tuple[str, str] | Retry
    kept = (found.message, found.correct) if isinstance(found, Finding) else found
    if found is None:
        reason = (said or ["unknown"])[0]
        tally.reasons[_short(reason)] += 1
        tally.undecided.append((claim.start, claim.end, reason, *_written_parts(checked, claim)))
        if any("time budget" in w for w in said or ()) or (
            time.thread_time() - began >= per_equation
        ):
            kept = Retry(tries + 1)
    return _Verdict(found, key, kept)


def _written_parts(checked: CheckResult, claim: WrittenDerivative) -> tuple[str, str]:
    """What a claim differentiates and by what, as the document writes them."""
    text = checked.doc.text
    return tuple(  # type: ignore[return-value]
        " ".join(text[n.start : n.end].split()) if n is not None and n.end <= len(text) else ""
        for n in (claim.function, claim.wrt)
    )


def unchecked_note(checked: CheckResult, tally: Tally) -> Diagnostic | None:
    """One information note where the check ran out of time: how many of the derivatives
    the document writes were not checked, and why (at the first of them)."""
    if not tally.unchecked or tally.first_unchecked is None:
        return None
    total = tally.read + tally.unchecked
    start, end = tally.first_unchecked
    if not tally.read:
        said = f"none of the {total} derivatives" if total > 1 else "the derivative"
        said += " this document writes " + ("was checked" if total > 1 else "was not checked")
    elif tally.unchecked == 1:
        said = f"1 of the {total} derivatives this document writes was not checked (this one)"
    else:
        said = (
            f"{tally.unchecked} of the {total} derivatives this document writes were not "
            "checked (this one and those after it)"
        )
    message = f"{said}: the check of written derivatives {tally.stopped}"
    return Diagnostic(UNCHECKED, "information", message, checked.path, start, end)


_SAID: dict[int, tuple[object, str]] = {}  # id → (the object, how it prints), see _said


def _said(obj: Any, say: Callable[[Any], str]) -> str:
    """``say(obj)`` of an immutable object, remembered by identity: every claim's key
    prints the same shapes and definitions (the context's copies share them)."""
    hit = _SAID.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    if len(_SAID) > 20_000:
        _SAID.clear()
    said = say(obj)
    _SAID[id(obj)] = (obj, said)
    return said


def _key(
    checked: CheckResult, claim: WrittenDerivative, layout: frozenset[str]
) -> tuple[object, ...]:
    """What decides a claim's verdict: its text, and what the document says of its symbols
    and functions there (their shapes, properties, definitions) and the notation."""
    text = checked.doc.text
    try:
        ctx = context_at(checked, claim.row)
    except _ERRORS:
        return (text[claim.row.start : claim.row.end], claim.start - claim.row.start, None)
    env = ctx.env
    said = tuple(
        sorted(
            (k, _said(v.shape, str), v.symmetric, v.positive_definite, v.positive, v.values)
            for k, v in env.vars.items()
        )
    )
    defined = tuple(sorted((k, f.params, _said(f.body, show)) for k, f in env.functions.items()))
    symmetric = (  # what the text around it says of symmetry (check_claim reads it there)
        _paragraph(text, claim),
        frozenset(k for k in _said_anywhere(text) if not _said_of_another(text, k, claim.row.start)),
        _under_symmetric_heading(text, claim.row.start),
    )  # fmt: skip
    return (
        text[claim.row.start : claim.row.end], claim.start - claim.row.start,
        text[claim.derivative.start : claim.derivative.end], said, defined, layout, repr(ctx.style),
        ctx.einstein, tuple(sorted(env.numbers)), symmetric,
        columns_stated(text, claim.row.start),  # ("Gradients are column vectors")
        rows_stated(text, claim.row.start),  # ("∂f/∂x is a row vector")
        tuple(kv for kv in stated_sums(text) if kv[0] in env.vars),
        _upstream_key(checked, claim, env),
    )  # fmt: skip


_STATEMENTS: dict[int, tuple[weakref.ref[CheckResult], int, int, GradientStatements]] = {}


def _statements(checked: CheckResult) -> GradientStatements:
    """The upstream gradients and definitions of ``checked``'s rows (in any file of its
    project), read once for all its claims (while its rows stay those read)."""
    key = id(checked)
    sizes = (len(checked.rows), len(checked.elsewhere))
    hit = _STATEMENTS.get(key)
    if hit is not None and hit[0]() is checked and hit[1:3] == sizes:
        return hit[3]
    stated = GradientStatements([*rows_not_flagged(checked), *checked.elsewhere])

    def forget(ref: weakref.ref[CheckResult], table: dict[int, Any] = _STATEMENTS) -> None:
        current = table.get(key)  # (the table bound here: gone from the module at exit)
        if current is not None and current[0] is ref:
            del table[key]

    try:
        _STATEMENTS[key] = (weakref.ref(checked, forget), *sizes, stated)
    except TypeError:  # (not weakly referable: read again next time)
        pass
    return stated


def _upstream_key(checked: CheckResult, claim: WrittenDerivative, env: Env) -> tuple[str, ...]:
    """What decides a claim on a loss the document never defines besides its context: the
    upstream gradients it names, and the definitions they are gradients by (in any file)."""
    loss = _undefined_loss(claim, env)
    if loss is None:
        return ()
    stated = _statements(checked)
    out = []
    for up in stated.upstreams(loss):
        body = stated.definition_of(up.of_key)
        out.append(f"{up.gradient_key}={up.of_key}:{show(body) if body is not None else ''}")
    return tuple(out)


_SQUARED_VECTOR = (
    "by the square of a vector, `\\partial x^2` may mean the Hessian or the second derivatives "
    "entry by entry: texgrad checks `\\partial x \\partial x^\\top` and `\\nabla^2`"
)


def check_claim(
    checked: CheckResult,
    claim: WrittenDerivative,
    layout: list[Statement] | None,
    seconds: float = 3.0,
) -> Finding | bool | None:
    """A :class:`Finding` if the claim is wrong, True if it agrees with the engine's verified
    result, None if it cannot be decided (silence)."""
    if isinstance(claim.claimed, (t.List, t.Sequence)):
        return _undecided("not one expression")  # "= a, \\qquad b = …"
    if _evaluated(checked.doc.text, claim):
        return _undecided("evaluated at a point")  # \frac{\partial f}{\partial x}\Big|_{x=0}
    try:
        ctx = context_at(checked, claim.row)
        if claim.form == "jacobian" and _a_parameter(claim.function, ctx.env):
            return False  # J_\gamma(\mathbf w) = …: a cost named by a declared γ, no Jacobian
        if not ctx.unit_sums:  # a one-hot y: softmax(z) - y, not (softmax(z)1ᵀ - I)y
            ctx = replace(ctx, unit_sums=_unit_vectors(checked))
        spelled = logistic_as_written(ctx.style, checked.doc.text)  # (1/(1 + e^{-t}), not σ)
        ctx = replace(ctx, style=spelled) if spelled is not ctx.style else ctx
        if claim.form == "mixed":
            return _check_mixed(checked, claim, ctx, seconds)
        stacked = check_stacked(checked, claim, ctx, seconds)
        if stacked is not NOT_STACKED:  # ∇f = [2x_1x_2; x_1^2 + 3] of f(x_1, x_2): by entry
            return stacked  # type: ignore[return-value]
        retyped = _retyped(claim, ctx.env)
        if retyped is None:
            return None
        claim = retyped
        said = _symmetric_as_said(ctx.env, checked.doc.text, claim)
        said -= _supposed_beside(checked, ctx.env, claim)  # "Fehler (nur für symmetrisches C)"
        if _under_symmetric_heading(checked.doc.text, claim.row.start) and claim.wrt is not None:
            key = member_key(claim.wrt)  # "Symmetric": ∂f/∂X for a symmetric X (the Cookbook)
            said |= {key[0]} if key is not None else set()
            _symmetric_as_said(ctx.env, "", claim, said)
        if claim.form == "differential":
            found = _check_differential(checked, claim, ctx, seconds, said)
            if isinstance(found, Finding):
                return _in_its_direction(checked.doc.text, claim, found)
            return found
        found = _check_derivative(checked, claim, ctx, layout, seconds, said)
    except _ERRORS as error:
        return _undecided(_error_said(error))
    if isinstance(found, Finding) and found.kind:  # "Up to sign, ∇_U F = (M - UVᵀ)V"
        hedged = hedged_kinds(checked.doc.text, claim.row.start, claim.end)
        if found.kind in hedged:
            return _undecided(f"hedged: {hedge_said(hedged)}")
    if isinstance(found, Finding) and of_another_function(
        checked.doc.text, claim.row.start, claim.end
    ):
        return _undecided("said of another function")  # "…, which is a different loss"
    return found


def _error_said(error: Exception) -> str:
    """Why a claim was left undecided, in words (never a type name): the engine's own
    refusal, or what the numbers could not do."""
    if isinstance(error, CalculusError) and str(error):
        return f"engine: {error}"
    if isinstance(error, RecursionError):
        return "error: the formula nests too deeply to evaluate"
    numeric = (EvaluationError, FloatingPointError, np.linalg.LinAlgError, ArithmeticError)
    if not isinstance(error, numeric) and isinstance(error, (LookupError, TypeError, ValueError)):
        return "error: a part of the formula could not be read"
    return "error: the formula could not be evaluated at the random points"


def _in_its_direction(text: str, claim: WrittenDerivative, found: Finding) -> Finding:
    r"""A finding on ``\mathrm{D}f(X)[\dot X] = …`` (read as the differential) said in the
    claim's terms: the derivative in the direction ``\dot X``, the fix written with ``\dot X``
    where the differential has ``\mathrm{d}X``."""
    head = claim.derivative
    if not (isinstance(head, t.Product) and len(head.factors) == 2):
        return found
    written = text[head.start : head.end]
    match = re.match(
        r"\s*(?:\\mathrm\s*\{?\s*D\s*\}?|\\operatorname\s*\{\s*D\s*\}|D)(?![A-Za-z])", written
    )
    bracket = written.rfind("[")
    if match is None or bracket < 0 or not written.rstrip().endswith("]"):
        return found
    direction = written[bracket + 1 : written.rstrip().rfind("]")].strip()
    call = head.factors[1]
    x = text[call.args[0].start : call.args[0].end].strip() if isinstance(call, t.Apply) else ""
    if not x or not direction:
        return found
    d_x = re.compile(
        r"(?:\\mathrm\s*\{\s*d\s*\}|\\mathrm\s+d|\\operatorname\s*\{\s*d\s*\}|\bd)\s*"
        + re.escape(x)
        + r"(?![A-Za-z])"
    )
    correct = d_x.sub(lambda _: direction, found.correct)
    of = text[call.start : call.end].strip()
    message = d_x.sub(lambda _: direction, found.message).replace(
        f"is not the differential of `{of}`",
        f"is not the derivative of `{of}` in the direction `{direction}`",
    )
    return replace(found, correct=correct, message=message)


def _retyped(claim: WrittenDerivative, env: Env) -> WrittenDerivative | None:
    """The claim as the engine takes it: ``Df(x)`` a Jacobian where D is no letter of the
    document's own, ``∂²f/∂x²`` a Hessian by a number; None (the reason noted) where it
    cannot be so taken."""
    if claim.form == "frechet":  # Df(x), where D is no letter of the document's own
        if "D" in env.vars or "D" in env.functions:
            _undecided("Df(x): D is a letter the document declares")
            return None
        return replace(claim, form="jacobian")
    if claim.form == "d-subscript":  # D_x f, where D (or D_x) is no letter of the document's own
        head = claim.derivative.factors[0] if isinstance(claim.derivative, t.Product) else None
        key = symbol_key(head) if head is not None else None
        if "D" in env.vars or "D" in env.functions or (key is not None and key[0] in env.vars):
            _undecided("D_x f: D is a letter the document declares")
            return None
        return replace(claim, form="partial")
    if claim.form == "squared":  # ∂²f/∂x²: by a number; of a vector, ambiguous
        key = member_key(claim.wrt) if claim.wrt is not None else None
        info = env.vars.get(key[0]) if key is not None else None
        if info is None or not info.shape.is_scalar:
            _undecided(_SQUARED_VECTOR)
            return None
        return replace(claim, form="hessian")
    return claim


def _a_parameter(function: t.Node | None, env: Env) -> bool:
    r"""Is ``f`` of ``J_f(\mathbf x)`` a letter the document declares with a shape (γ of a
    regularised cost ``J_\gamma(\mathbf w) = J(\mathbf w) + \gamma\|\mathbf w\|^2``, after
    "$\gamma > 0$"), not a function whose Jacobian it would be?"""
    if not isinstance(function, t.Apply):
        return False
    key = symbol_key(function.func)
    return key is not None and key[0] in env.vars and key[0] not in env.functions


_EVALUATED = re.compile(
    r"(?:\||\\vert|\\rvert)\s*_"
)  # an evaluation bar: the derivative at a point


def _evaluated(text: str, claim: WrittenDerivative) -> bool:
    """Whether the derivative is written with an evaluation bar after it (at a point); a
    table's header is not (the lines between it and the cell are other cells)."""
    if claim.tabled:
        return False
    end = text.find("=", claim.derivative.end, max(claim.derivative.end, claim.claimed.start))
    end = end if end >= 0 else claim.claimed.start
    return _EVALUATED.search(text, claim.derivative.end, end) is not None


_SAID_SYMMETRIC = re.compile(
    r"(?:symmetric|positive\s+(?:semi-?)?definite)(?:\s+(?:and\s+)?positive\s+(?:semi-?)?definite)?"
    # ("a constant symmetric positive definite inertia matrix $M$": a word or two naming its
    # role before "matrix", not "the symmetric part of matrix $A$")
    r"\s+(?:(?:(?!(?:part|parts|of|for|to|in|on|and|or|with|the|a|an)\b)[A-Za-z-]+\s+){0,2}"
    r"(?:matrix|matrices)\s+|matrix\s+|matrices\s+)?\$([^$]{1,60})\$"
    r"|((?:\$[^$]{1,60}\$(?:\s*,\s*|\s+and\s+)?)+)"
    r"\s*(?:is\s+|are\s+|to\s+be\s+|being\s+|be\s+)?(?:also\s+|both\s+)?"
    # "is the (symmetric) …", "$\Gamma \in …$ a fixed positive definite metric": after an
    # article, a word or two of its role (not one that denies or generalises what follows)
    r"(?:(?:a|an|the)\s+(?:(?!(?:not|non|never|necessarily|skew|anti|general|generally|arbitrary"
    r"|possibly|nearly|almost|any|no|of|for|to|in|on|with|and|or|by|from|than|times)\b)"
    r"[A-Za-z]+\s+){0,2}?)?"
    r"\(?(?:symmetric|positive\s+(?:semi-?)?definite|\$\\succ)",
    re.I,
)
# "$K \in \mathbb{R}^{n \times n}$ is the kernel matrix; it is symmetric and positive
# definite": the sentence's one symbol before "it is" / "which is" (no other math between)
_IT_IS_SYMMETRIC = re.compile(
    r"\$([^$]{1,60})\$\s+(?:is|denotes)\s+(?:a|an|the|our)\s+[^.;:$]{1,80}?[;,]?\s+"
    r"(?:it|which)\s+is\s+(?:also\s+|always\s+)?(?:symmetric|positive\s+(?:semi-?)?definite)\b",
    re.I,
)


_EQUALS_ITS_TRANSPOSE = re.compile(
    r"(?<![\w\\])((?:\\[A-Za-z]+|[A-Za-z])(?:_\{[^{}$]{1,12}\}|_\w)?)\s*=\s*\1\s*\^\s*"
    r"(?:\{\s*)?(?:\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\}|T|')"
    # … or its transpose first, alone in its math or brackets: "$A^\top = A$", "(A^\top = A)"
    # (not the end of a chain "= A^\top = A")
    r"|(?<=[$(])\s*((?:\\[A-Za-z]+|[A-Za-z])(?:_\{[^{}$]{1,12}\}|_\w)?)\s*\^\s*(?:\{\s*)?"
    r"(?:\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\}|T|')\s*\}?\s*=\s*\2\s*(?=[$),.])"
)


def _symbol_in(part: str, declared: bool) -> str | None:
    """The symbol ``part`` names (``S``), or declares (``S \\in \\mathbb{R}^{n \\times n}``,
    with ``declared``: a declaration holds document-wide, a bare mention in its paragraph)."""
    tree = parse_row(MappedText.identity(part.strip())).tree
    if (
        isinstance(tree, t.Chain)
        and tree.relations
        and tree.relations[0] in ("\\in", "\\succ", "\\succeq")
    ):
        tree = tree.items[0]
    elif declared:
        return None
    found = symbol_key(tree) if tree is not None else None
    if found is None and tree is not None and _A_MACRO.fullmatch(part.strip()):
        return part.strip()  # the document's own macro, ``\bM``: matched with its spelling
    return found[0] if found is not None else None


_A_MACRO = re.compile(r"\\[A-Za-z]+")
_HEADING = re.compile(r"\\(?:sub)*section\*?\{([^{}]*)\}|^#+[ \t]*(.*)$", re.M)


def _under_symmetric_heading(text: str, at: int) -> bool:
    """Whether the section ``at`` stands in is headed "Symmetric" (the Cookbook's section of
    derivatives by a symmetric matrix), the heading at most a few paragraphs before."""
    headings = list(_HEADING.finditer(text, max(0, at - 1500), at))
    if not headings:
        return False
    heading = headings[-1]
    title = (heading[1] or heading[2] or "").strip().lower()
    return title in ("symmetric", "symmetric matrices", "symmetric matrix")


def _symmetric_as_said(
    env: Env, text: str, claim: WrittenDerivative, also: set[str] | None = None
) -> set[str]:
    r"""Square matrices the claim's paragraph says are symmetric ("for symmetric $P$",
    "$A$ symmetric"), and a covariance written ``\Sigma`` (the convention: a Σ that is not
    symmetric is not a covariance), made symmetric for this claim.  (``\(P\)`` and GitHub's
    ``$`P`$`` are read as ``$P$``, at the same offsets.)"""
    text = plain_dollars(text)
    paragraph, at = _own_item(
        _paragraph(text, claim), claim.row.start - _paragraph_start(text, claim)
    )
    anywhere = {k for k in _said_anywhere(text) if not _said_of_another(text, k, claim.row.start)}
    where: dict[str, list[int]] = {}
    local = _said_in(paragraph, local=True, at=at, positions=where)
    base = claim.row.start - at  # (the paragraph's offset in the text, where it is one piece)
    if base >= 0 and text.startswith(paragraph, base):
        local = {  # not of a letter declared again between what is said and the claim
            k for k in local
            if not all(_declared_again(text, k, base + p, claim.row.start) for p in where.get(k, [0]))
        }  # fmt: skip
    said = anywhere | local | (also or set()) | _on_symmetric(paragraph)
    lo, beside = _next_to(text, claim)  # a condition there holds in its own sentence only
    said |= _said_in(beside, local=True, at=claim.row.start - lo, hedged=True)
    said |= _equal_to_transpose(beside, conditions=True)
    near = (lo - base, lo - base + len(beside))  # (the claim's sentence and the next)
    own = {  # said only there: "A common slip (only right for symmetric $C$): …"
        k for k in said - anywhere - (also or set())
        if all(near[0] <= p < near[1] for p in where.get(k, [near[0]]))
    }  # fmt: skip
    if own and _called_wrong(text, claim):
        said -= own  # the condition says why the claim is wrong here, and hedges nothing
    general = _said_general(text, claim)  # "Several students wrote for general $X$: …"
    said -= general
    for name in general & set(env.vars):
        env.vars[name] = replace(env.vars[name], symmetric=False, positive_definite=False)
    for name, info in list(env.vars.items()):
        if name not in said and "\\Sigma" not in name and info.latex not in said:
            continue  # (its shape not read: a context's symbols are looked up when read)
        # (the prose is read as written: "for symmetric $\bM$" names the macro's spelling)
        square = info.shape.rows == info.shape.cols and not info.shape.is_scalar
        if square and not info.symmetric:
            env.vars[name] = replace(info, symmetric=True)
    return said


def _supposed_beside(checked: CheckResult, env: Env, claim: WrittenDerivative) -> set[str]:
    r"""The matrices symmetric at the claim only by a supposition in its own sentence or the
    next ("Häufiger Fehler (nur für symmetrisches $C$ richtig): …", read by the shape layer
    as holding in its sentence) where the prose calls the claim wrong: made general again
    for it, and returned (the condition says why it is wrong, not where it is right)."""
    at = claim.row.start
    said = [s for s in stated_in_prose(checked) if s.symmetric and s.path is None]
    if not any(s.start <= at <= s.until for s in said):  # (most claims: no supposition)
        return set()
    lo, beside = _next_to(checked.doc.text, claim)
    near = {s.key for s in said if lo <= s.start < lo + len(beside) and s.start <= at <= s.until}
    if not near:
        return set()
    held = {  # stated otherwise in force at the claim: kept
        s.key for s in said
        if s.start < at and (s.until < 0 or s.until >= at) and not lo <= s.start < lo + len(beside)
    }  # fmt: skip
    keys = {k for k in near - held if k in env.vars and env.vars[k].symmetric}
    if not keys or not _called_wrong(checked.doc.text, claim):
        return set()
    for k in keys:
        env.vars[k] = replace(env.vars[k], symmetric=False)
    return keys


def _called_wrong(text: str, claim: WrittenDerivative) -> bool:
    """Whether the prose calls the claim wrong ("A common slip (only right for symmetric
    $C$): …"): a condition it names beside the claim then says why it is wrong, not where
    it is right, and hedges nothing."""
    row, written = (claim.row.start, claim.row.end), (claim.start, claim.end)
    return denounced(text, row, written, (), claim.derivative.start) is not None


# "for general $X$", "for an arbitrary square $X$": the claim's sentence speaks of any X,
# whatever a case said before it ("For symmetric positive definite $X$ this is …")
_GENERAL = re.compile(
    r"\bfor\s+(?:a\s+|an\s+)?(?:general|arbitrary)\s+(?:(?:square|invertible|real|nonsingular"
    r"|non-singular)\s+)*(?:matri(?:x|ces)\s+)?\$([^$]{1,40})\$"
)


def _said_general(text: str, claim: WrittenDerivative) -> set[str]:
    """The letters the claim's own sentence (up to the claim) says are general."""
    lo, _ = sentence_at(text, claim.row.start, claim.end)
    out = set()
    for m in _GENERAL.finditer(text, lo, claim.row.start):
        key = _symbol_in(m[1], declared=False)
        if key is not None:
            out.add(key)
    return out


# "$\psi(X) = \log\det X$ on $\mathbf{S}^n_{++}$", "$f(X) = …$, defined on $\mathbb S^n$": a
# function of X whose domain is a set of symmetric matrices (Boyd's S^n, S^n_+, S^n_{++})
_ON_SYMMETRIC = re.compile(
    r"\$[^$]{0,40}?\(\s*([^()$,]{1,24}?)\s*\)\s*(?:=|:=)[^$]{1,120}\$\s*,?\s*"
    r"(?:(?:is\s+)?defined\s+)?(?:on|over)\s+\$\s*(?:\\mathop\{)?\\math(?:bf|bb)\{S\}\}?"
    r"\s*(?:[\^_]\s*(?:\{[^{}$]{1,6}\}|\w)\s*){0,2}\$"
)


def _on_symmetric(paragraph: str) -> set[str]:
    """The variables of the functions ``paragraph`` defines on a set of symmetric matrices."""
    out: set[str] = set()
    for m in _ON_SYMMETRIC.finditer(paragraph):
        key = _symbol_in(m[1], declared=False)
        if key is not None:
            out.add(key)
    return out


def _paragraph(text: str, claim: WrittenDerivative) -> str:
    """The claim's paragraph and the one before it ("Assume W symmetric, then"), where what
    it says of symmetry is read."""
    start = _paragraph_start(text, claim)
    stop = text.find("\n\n", claim.end)
    return text[start : stop if stop >= 0 else len(text)]


# an item of a list: "- **p. 71, Eq. (4.3)** …", "1. …", "\item …" at the start of a line
_ITEM = re.compile(r"(?m)^[ \t>]*(?:[-*+]|\d{1,3}[.)]|\\item\b(?:\[[^\]\n]*\])?)[ \t]")


def _items(
    text: str, lo: int, hi: int | None = None, since: int | None = None
) -> list[re.Match[str]]:
    r"""The list items that begin between ``lo`` and ``hi``: not a line of a display that
    begins with a sign (a row ``- b`` of ``$$ … $$`` or of an ``align``), read from ``since``."""
    hi = len(text) if hi is None else hi
    since = lo if since is None else since
    out = []
    for m in _ITEM.finditer(text, lo, hi):
        if text.count("$$", since, m.start()) % 2:
            continue  # (inside $$ … $$)
        if "item" not in m[0] and text.rfind("\\begin{", since, m.start()) > text.rfind(
            "\\end{", since, m.start()
        ):
            continue  # (inside an environment: a row of math)
        out.append(m)
    return out


def _own_item(paragraph: str, at: int) -> tuple[str, int]:
    """The part of ``paragraph`` that speaks for the claim at offset ``at``: in a list, the
    words before its first item and the claim's own item ("- Eq. (4.3) should read …; the
    printed $X^{-1}$ holds for symmetric $X$ only" says nothing of the next erratum's
    $X$); the whole paragraph elsewhere.  Returns the text and the claim's offset in it."""
    items = [(m.start(), len(m[0]) - len(m[0].lstrip(" \t>"))) for m in _items(paragraph, 0)]
    if len(items) < 2 or at < items[0][0]:
        return paragraph, at
    own = max(k for k, (i, _) in enumerate(items) if i <= at)
    begin = items[own][0]
    end = items[own + 1][0] if own + 1 < len(items) else len(paragraph)
    kept = paragraph[: items[0][0]]  # the words before the list
    depth = items[own][1]
    for k in range(own - 1, -1, -1):  # the items it is nested in ("- For symmetric $A$:")
        if items[k][1] < depth:
            depth = items[k][1]
            kept += paragraph[items[k][0] : items[k + 1][0]]
    return kept + paragraph[begin:end], len(kept) + at - begin


def _paragraph_start(text: str, claim: WrittenDerivative) -> int:
    start = text.rfind("\n\n", 0, claim.row.start)
    start = text.rfind("\n\n", 0, start) if start > 0 else start
    return max(0, start)


@functools.lru_cache(maxsize=8)
def _said_anywhere(text: str) -> frozenset[str]:
    """What the whole document says is symmetric: ``W = W^\\top`` anywhere, a declaration
    said symmetric anywhere (read once per text, not once per claim)."""
    return frozenset(_equal_to_transpose(text, conditions=False) | _said_in(text, local=False))


@functools.lru_cache(maxsize=8)
def _declared_symmetric_at(text: str) -> dict[str, list[int]]:
    """Where the text declares each letter symmetric (:func:`_said_in` of the whole text)."""
    positions: dict[str, list[int]] = {}
    _said_in(text, local=False, positions=positions)
    return positions


def _declarations(text: str, key: str) -> list[int]:
    r"""Where ``key \in …`` stands in the text (a declaration of the letter, as written).

    The letter leads the pattern, so the engine scans for it as a literal (a pattern led by
    the look-behind tried every offset of the document: ~2 ms a call on the Cookbook, 117
    calls a check); the look-behind after it, over the letter itself, asks what the leading
    one asked (no backslash or letter just before the key).  Kept by text and letter: every
    claim asks of the letters it reads (2,255 scans of the whole text, ~1 s of a 1 MB
    thesis's check, for a few dozen letters)."""
    found = _declarations_in(text)
    positions = found.get(key)
    if positions is None:
        literal = re.escape(key)
        pattern = literal + r"(?<![\\A-Za-z]" + literal + r")\s*\\in(?![A-Za-z])"
        positions = found[key] = tuple(m.start() for m in re.finditer(pattern, text))
    return list(positions)


@functools.lru_cache(maxsize=4)
def _declarations_in(text: str) -> dict[str, tuple[int, ...]]:
    """The positions :func:`_declarations` found in ``text``, by letter (a few texts only: a
    server's buffers change with every edit)."""
    return {}


def _declared_again(text: str, key: str, said: int, at: int) -> bool:
    """Whether ``key`` is declared between what is said of it at ``said`` and offset ``at``
    (other than by the declaration nearest ``said``, the one it is said of)."""
    declared = _declarations(text, key)
    if not declared:
        return False
    own = min(declared, key=lambda d: abs(d - said))
    return any(said < d < at and d != own for d in declared)


def _said_of_another(text: str, key: str, at: int) -> bool:
    r"""Whether every declaration of ``key`` said symmetric is of another ``key`` than the one
    in force at offset ``at``: the letter declared again ("For a second example, let $A \in
    \mathbb{R}^{n 	imes n}$ be symmetric" after Example 1's arbitrary $A \in …$), each
    statement belonging to the declaration nearest it."""
    declared = _declarations(text, key)
    said = _declared_symmetric_at(text).get(key, [])
    if len(declared) < 2 or not said:
        return False
    before = [d for d in declared if d <= at]
    in_force = before[-1] if before else declared[0]
    return all(min(declared, key=lambda d: abs(d - p)) != in_force for p in said)


def _equal_to_transpose(text: str, conditions: bool) -> set[str]:
    """``W = W^\\top`` (or ``W^\\top = W``) in ``text``: stated (anywhere in a document), or,
    with ``conditions``, also as a condition or hedge ("only if $A = A^\\top$", read next to a
    claim only)."""
    said: set[str] = set()
    for m in _EQUALS_ITS_TRANSPOSE.finditer(text):
        window = text[max(0, m.start() - 40) : m.start()].rstrip("$( ")
        if UNSTATED.search(window):
            continue  # "…, which silently assumes $Q = Q^\top$": not made, nor a hedge
        if not conditions and (
            HEDGING.search(window + " ")
            or _CONDITION.search(window + " ")
            or language_cues.supposes(window)  # "若 $A = A^\top$"
        ):
            continue  # "… holds only if $A = A^\\top$": for that claim, not the document
        tree = parse_row(MappedText.identity(m[1] or m[2])).tree
        found = symbol_key(tree) if tree is not None else None
        if found is not None:
            said.add(found[0])
    return said


# ("The printed $2A\mathbf x$ assumed a symmetric $A$": a supposition; "we assumed", "is
# assumed": a statement)
_CONDITION = re.compile(
    r"\b(?:when|whenever|if|provided|assuming|(?<!we )(?<!I )(?<!is )(?<!are )(?<!was )"
    r"(?<!were )(?<!been )(?<!be )(?<!have )(?<!has )(?<!had )assumed)\b[^.;$]{0,40}$",
    re.I,
)
# what a claim needs, said in a condition of its own ("Full marks only if you noted this
# needs $A$ symmetric"): the hedge, not a condition on the matrix
_NEEDS = re.compile(r"\b(?:needs?|requires?|assumes?)\s+(?:an?\s+|the\s+)?$", re.I)
_SENTENCE = re.compile(r"[.!?]\)?(?:\s|$)")  # (a sentence in brackets ends at ".)")
# what denies a symmetry just said: "… only right for symmetric $X$, which we did not assume",
# "…, which is not the case here", "…, but $X$ is not symmetric"
_DENIED_AFTER = re.compile(
    r"\s*[,;]?\s*(?:which|but|and)\s+(?:(?:we|I|the\s+\w+)\s+(?:did|do|does|have|has)\s+not"
    r"\s+(?:assume|suppose|state|require)|(?:it|this|that|\$[^$]{1,30}\$)\s+is\s+not\b"
    r"|(?:is|was)\s+not\s+(?:the\s+case|assumed|given|stated|said)|(?:we|I)\s+(?:never|don't"
    r"|didn't)\s+assume)",
    re.I,
)
# a formula quoted as the subject of a hedge of its own: "the answer $2M\vx$ is only right
# for symmetric $M$" (its hedge is that formula's, not the claim's)
_HEDGED_QUOTE = re.compile(
    r"\$([^$]{1,80})\$\s*,?\s*(?:which\s+)?(?:is|was|would\s+be|are|holds?)\b[^.$;]{0,30}?\bonly\b"
)
_DISPLAY_END = re.compile(r"(?:\\end\{[A-Za-z*]+\}|\\\]|\$\$)[ \t]*\n\s*(?=[A-Z])")
_NEGATED = re.compile(
    r"(?:\b(?:non|skew|anti|un)[- ]?|(?<![A-Za-z])a|(?:\bnot|\bnever|n't)\s+(?:[a-z]+\s+){0,2})$",
    re.I,
)  # "non-symmetric", "skew-symmetric $K$", "we do not assume $A$ symmetric"


def _next_to(text: str, claim: WrittenDerivative) -> tuple[int, str]:
    r"""The claim's own sentence and the one right after it, in its paragraph: where a hedge
    ("$2A\mathbf x$, which would hold only for a symmetric $A$"; "This needs $A$
    symmetric.") makes the claim one about a symmetric matrix."""
    lo, _ = sentence_at(text, claim.row.start, claim.end)
    stop = text.find("\n\n", claim.end)
    stop = min(stop if stop >= 0 else len(text), claim.end + 400)
    ends = [m.end() for m in _SENTENCE.finditer(text, claim.end, stop)]
    hi = ends[1] if len(ends) > 1 and ends[0] - claim.end < 8 else ends[0] if ends else stop
    items = [m.start() for m in _items(text, lo, claim.row.start)]
    lo = items[-1] if items else lo  # (in a list: from the claim's item on, to the next)
    following = next(iter(_items(text, claim.end, hi, lo)), None)
    hi = following.start() if following is not None else hi
    closing = _MATH_END.search(text, claim.end, hi)  # (past the claim's own math)
    for m in _MATH_SPAN.finditer(text, closing.end() if closing else hi, hi):  # another claim
        if "=" in m[0] and _WRITES_DERIVATIVE.search(m[0]):
            hi = m.start()  # ("… = W^{-⊤}$$ Many write $∇_W … = W^{-1}$, only right for …")
            break
    own = _squeezed(text[claim.claimed.start : claim.claimed.end])
    for m in _HEDGED_QUOTE.finditer(text, closing.end() if closing else hi, hi):
        if _squeezed(m[1]) not in own and own not in _squeezed(m[1]):
            hi = m.start()  # ("… = M\vu$. … the answer $2M\vx$ is only right for symmetric $M$")
            break
    return lo, text[lo:hi]


def _squeezed(source: str) -> str:
    """``source`` without spaces, thin spaces and trailing punctuation (a quoted formula
    compared with the claim's side)."""
    return re.sub(r"\s+|\\[,;:! ]", "", source).rstrip(".,;")


_MATH_END = re.compile(r"\$\$|\$|\\\]|\\end\{(?:equation|align|gather|multline|eqnarray)\*?\}")
_MATH_SPAN = re.compile(r"\$\$[^$]+\$\$|\$[^$]+\$")
_WRITES_DERIVATIVE = re.compile(r"\\nabla|\\partial|\\mathrm\s*\{?d|\\frac\s*\{\s*d")


# what _said_in found, by its question (each claim asks of its paragraph and of the sentences
# beside it: the claims of one paragraph, and a paragraph written again, ask alike)
_SAID_SYMMETRIC_FOUND: dict[
    tuple[str, bool, int | None, bool], tuple[frozenset[str], tuple[tuple[str, int], ...]]
] = {}
_SAID_SYMMETRIC_KEPT = 1024


def _said_in(
    where: str, local: bool, at: int | None = None, hedged: bool = False,
    positions: dict[str, list[int]] | None = None,
) -> set[str]:  # fmt: skip
    """:func:`_said_in_text`, each question read once (``positions`` gets the places found,
    in the order found, for each symbol)."""
    asked = (where, local, at, hedged)
    hit = _SAID_SYMMETRIC_FOUND.get(asked)
    if hit is None:
        found: dict[str, list[int]] = {}
        said = _said_in_text(where, local, at, hedged, found)
        hit = (frozenset(said), tuple((k, p) for k, ps in found.items() for p in ps))
        if len(_SAID_SYMMETRIC_FOUND) >= _SAID_SYMMETRIC_KEPT:
            _SAID_SYMMETRIC_FOUND.clear()
        _SAID_SYMMETRIC_FOUND[asked] = hit
    if positions is not None:
        for key, p in hit[1]:
            positions.setdefault(key, []).append(p)
    return set(hit[0])


def _said_in_text(
    where: str, local: bool, at: int | None = None, hedged: bool = False,
    positions: dict[str, list[int]] | None = None,
) -> set[str]:  # fmt: skip
    """The symbols ``where`` says are symmetric (a paragraph: named there; the whole text:
    declared so).  A condition ("…, which is $2Ax$ when $A$ is symmetric") holds in its
    sentence only: for the claim at offset ``at`` of ``where`` where it stands there; a
    hedge ("only right for a symmetric $A$") only with ``hedged`` (the claim's sentence and
    the next, :func:`_next_to`); "non-symmetric", "skew-symmetric" nowhere."""
    said: set[str] = set()
    for m in itertools.chain(_SAID_SYMMETRIC.finditer(where), _IT_IS_SYMMETRIC.finditer(where)):
        if _NEGATED.search(where, max(0, m.start() - 30), m.start()):
            continue  # "a non-symmetric $A$", "skew-symmetric $K$"
        if not hedged and HEDGING.search(where, max(0, m.start() - 40), m.start()):
            continue  # "only right for a symmetric $A$", "unless $X$ is symmetric"
        if UNSTATED.search(where, max(0, m.start() - 60), m.start()):
            continue  # "the printed answer tacitly assumed a symmetric $A$": not made
        if _DENIED_AFTER.match(where, m.end()):
            continue  # "… only right for symmetric $X$, which we did not assume"
        if (
            at is not None
            and _CONDITION.search(where, max(0, m.start() - 40), m.start())
            and not (hedged and _NEEDS.search(where, max(0, m.start() - 40), m.start()))
        ):  # (not "Full marks only if you noted this needs $A$ symmetric": a hedge)
            begin = max((d.end() for d in _SENTENCE.finditer(where, 0, m.start())), default=0)
            begin = max(  # a display's end before a capital begins a sentence too
                (d.end() for d in _DISPLAY_END.finditer(where, begin, m.start())), default=begin
            )
            end = _SENTENCE.search(where, m.end())
            if not begin <= at < (end.start() if end is not None else len(where)):
                continue
        parts = [m[1]] if m[1] or m.re is _IT_IS_SYMMETRIC else re.findall(r"\$([^$]+)\$", m[2])
        for part in (p for q in parts for p in re.split(r",|\\text\{\s*and\s*\}|\band\b", q)):
            key = _symbol_in(part, declared=not local)
            if key is not None:
                said.add(key)
                if positions is not None:
                    positions.setdefault(key, []).append(m.start())
    return said | _said_in_other_languages(where, local, at, hedged, positions)


def _said_in_other_languages(
    where: str, local: bool, at: int | None, hedged: bool,
    positions: dict[str, list[int]] | None = None,
) -> set[str]:  # fmt: skip
    """As :func:`_said_in`, in the words of another language ("$A$ 为对称矩阵", "Sei $A$
    symmetrisch", "Soit $A$ une matrice symétrique"): a supposition or condition ("若 $A$
    对称", "这只在 $A$ 对称时成立") for the claim in its sentence, or beside it (``hedged``)."""
    said: set[str] = set()
    low = folded(where)
    for source, start, _, supposed in language_cues.symmetric_statements(low):
        if supposed and not hedged:
            if at is None:
                continue  # (the whole text: a supposition states nothing there)
            lo = language_cues.sentence_start(low, 0, start)
            if not lo <= at < language_cues.sentence_end(low, start):
                continue
        key = _symbol_in(where[start : start + len(source)], declared=not local)
        if key is not None:
            said.add(key)
            if positions is not None:
                positions.setdefault(key, []).append(start)
    return said


def _function_tree(node: t.Node, env: Env, named: bool = False) -> t.Node:
    """``f`` or ``f(\\mathbf x)`` the document defines: the definition's body (with
    ``named``, a name defined without parameters, ``\\mathbf s = \\operatorname{softmax}(\\mathbf
    z)``, stays the name: the engine then writes the result in it, ``\\operatorname{diag}(\\mathbf
    s) - \\mathbf s \\mathbf s^\\top``, as the document does)."""
    target = node
    if isinstance(target, t.Paren) and target.body is not None and target.open.endswith("("):
        target = target.body
    if isinstance(target, t.Product):  # \mathcal{J}(\mathbf w), R(\mathbf w): read as products
        applied = as_application(target)
        key = symbol_key(applied.func) if isinstance(applied, t.Apply) else None
        if key is not None and key[0] in env.functions and env.functions[key[0]].params:
            target = applied
    if isinstance(target, t.Apply) and not isinstance(target.func, t.Func):
        key = symbol_key(target.func)
        fdef = env.functions.get(key[0]) if key is not None else None
        args = [symbol_key(a) for a in target.args]
        if fdef is not None and [a[0] if a else None for a in args] == list(fdef.params):
            return fdef.body
        if fdef is not None and not fdef.params and len(args) == 1:  # \mathbf y(\mathbf x) of
            arg = args[0]  # \mathbf y = \sigma(W\mathbf x): its value, as a function of x
            if arg is not None and arg[0] in env.vars and key is not None:
                return fdef.body if key[0] not in env.vars else node
        return node
    if isinstance(target, t.Func) and target.sub is None and target.sup is None:
        fdef = env.functions.get(target.name.lstrip("\\"))  # \operatorname{lse} = …
        return fdef.body if fdef is not None and len(fdef.params) == 1 else node
    key = symbol_key(target)
    fdef = env.functions.get(key[0]) if key is not None else None
    if named and fdef is not None and not fdef.params and isinstance(target, (t.Symbol, t.Font)):
        if key is not None and key[0] not in env.vars:  # (a letter declared too: its value)
            return node
    return fdef.body if fdef is not None else node


def _variable(
    claim: WrittenDerivative, function: t.Node, env: Env, declared: bool = True
) -> str | None:
    """The key of the variable differentiated by (``\\nabla f(\\mathbf x)``: the argument);
    with ``declared``, only one the document gives a shape."""
    wrt = claim.wrt
    if wrt is None and claim.form == "hessian" and _bare_hessian(claim.derivative) is not None:
        return _the_vector(function, env)  # ∇² ½‖Wx‖² of a declared x: by x
    if wrt is None and claim.function is not None and not isinstance(claim.function, t.Apply):
        applied = _applied_to(claim.function, env)  # ∇²(ℓ(β) + λ/2‖β‖²): by β
        if len(applied) == 1 and (declared is False or next(iter(applied)) in env.vars):
            return applied.pop()
    if wrt is None and claim.function is not None:
        target = claim.function
        if isinstance(target, t.Apply) and len(target.args) == 1:
            wrt = target.args[0]
        else:
            key = symbol_key(target)
            fdef = env.functions.get(key[0]) if key is not None else None
            if fdef is not None and len(fdef.params) == 1:
                ok = fdef.params[0] in env.vars or not declared
                return fdef.params[0] if ok else None
    if (
        wrt is None and claim.form in ("hessian", "nabla") and claim.function is not None
        and not isinstance(claim.function, (t.Apply, t.Symbol))
        and not any(isinstance(n, t.Apply) and not isinstance(n.func, t.Func)
                    for n in claim.function.walk())
    ):  # fmt: skip
        return _the_vector(claim.function, env)  # ∇²(xᵀAx), ∇(aᵀx)²: by x
    if wrt is None:
        return None
    if isinstance(wrt, t.Transpose) and not wrt.conjugate:  # ∂f/∂X^T: by X, layouts swapped
        wrt = wrt.base  # (∂vec F/∂vec(X)^T too)
    wrt = _unvec(wrt, claim.function)
    if isinstance(wrt, t.Transpose) and not wrt.conjugate:
        wrt = wrt.base
    if claim.function is not None and _vec_of(claim.function) is None:
        wrt = _vec_of(wrt) or wrt  # ∇_{vec(X)} h: by X, judged as vec (:func:`_by_vec`)
    key = member_key(wrt)
    return key[0] if key is not None and (key[0] in env.vars or not declared) else None


def _the_vector(function: t.Node, env: Env) -> str | None:
    r"""The variable of a ∇ or ∇² written without one, of an expression (``\nabla^2
    \tfrac12\|W\mathbf x\|^2``, ``\nabla^2 (\mathbf a^\top \mathbf x)^2``): the one declared
    column vector it holds, else the one of those named ``x`` (in any font), else None."""
    vectors: dict[str, set[str]] = {}
    for n in function.walk():
        k = symbol_key(n) if isinstance(n, t.Symbol) else None
        if k is None or k[0] not in env.vars or not isinstance(n, t.Symbol):
            continue
        shape = env.vars[k[0]].shape
        if shape.cols == ONE and shape.rows != ONE:
            vectors.setdefault(k[0], set()).add(n.name)
    if len(vectors) == 1:
        return next(iter(vectors))
    named_x = [k for k, names in vectors.items() if "x" in names]
    return named_x[0] if len(named_x) == 1 else None


def _defined_sums_written_in(function: t.Node, env: Env) -> t.Node:
    r"""``\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2`` of an ``\ell`` the
    document defines as a sum over samples: each term that applies a function the document
    defines (of its parameters as written) replaced by its definition — the sum then read
    as one, beside the other terms; ``function`` itself where no such sum results."""
    node = function
    if isinstance(node, t.Paren) and node.open.endswith("(") and node.body is not None:
        node = node.body
    if not isinstance(node, t.Add) or is_sample_sum(node, env):
        return function
    by: dict[int, t.Node] = {}
    for term in node.terms:
        if not isinstance(term, t.Apply) or isinstance(term.func, t.Func):
            continue
        key = symbol_key(term.func)
        fdef = env.functions.get(key[0]) if key is not None else None
        args = [symbol_key(a) for a in term.args]
        if fdef is not None and [a[0] if a else None for a in args] == list(fdef.params):
            by[id(term)] = fdef.body
    if not by:
        return function
    written = t.replaced(node, by)
    return written if is_sample_sum(written, env) else function


def _applied_to(function: t.Node, env: Env) -> set[str]:
    r"""The arguments of the document's functions applied in ``function`` (``\ell`` in
    ``\ell(\boldsymbol\beta) + \frac{\lambda}{2}\|\boldsymbol\beta\|^2``), by their keys:
    a ∇ without subscript of it is by that one argument; empty where a function applied
    is not one the document defines of one parameter."""
    out: set[str] = set()
    for n in function.walk():
        if not isinstance(n, t.Apply) or isinstance(n.func, t.Func):
            continue
        key = symbol_key(n.func)
        fdef = env.functions.get(key[0]) if key is not None else None
        arg = member_key(n.args[0]) if len(n.args) == 1 else None
        if fdef is None or len(fdef.params) != 1 or arg is None:
            return set()
        out.add(arg[0])
    return out


def _unvec(wrt: t.Node, function: t.Node | None) -> t.Node:
    r"""``X`` of ``\partial \operatorname{vec}(F) / \partial \operatorname{vec}(X)`` (the
    engine's ∂vec F/∂vec X, for a function written under vec too)."""
    if _vec_of(wrt) is not None and function is not None and _vec_of(function) is not None:
        return _vec_of(wrt) or wrt
    return wrt


def _vec_of(node: t.Node) -> t.Node | None:
    if isinstance(node, t.Paren) and node.body is not None:
        node = node.body
    if (
        isinstance(node, t.Apply) and len(node.args) == 1 and isinstance(node.func, t.Func)
        and node.func.name.lstrip("\\") == "vec" and node.func.sub is None and node.func.sup is None
    ):  # fmt: skip
        return node.args[0]
    return None


def _settled(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, function: t.Node, wrt: str
) -> Context:
    """``ctx`` where the declared letters the function is written in that a row before the
    claim sets in terms of ``wrt`` are defined so (:func:`through_settings`)."""
    settled = through_settings(checked.rows, checked.path, claim.row.start, function, wrt, ctx.env)
    return ctx if settled is ctx.env else replace(ctx, env=settled)


def _check_derivative(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, said: set[str],
) -> Finding | bool | None:  # fmt: skip
    assert claim.function is not None
    env = ctx.env
    by_entry = _by_entry(claim, env)
    if by_entry is not None:  # ∂f/∂x_i: an entry of a declared x
        return by_entry(checked, claim, ctx, seconds)
    wrt = _variable(claim, claim.function, env, declared=False)
    if wrt is None:
        return _undecided("no variable")
    function = _function_tree(claim.function, env)
    named = _function_tree(claim.function, env, named=True)  # s = softmax(z): kept as s
    function = _set_before(checked, claim, function, env)
    function = _functions_of_wrt(function, wrt, env)  # M^\top M of M(t) = A + tB, by t
    named = _functions_of_wrt(named, wrt, env)
    claimed = _functions_of_wrt(claim.claimed, wrt, env)  # = \operatorname{tr}(Q^\top \dot Q)
    claim = replace(claim, claimed=claimed) if claimed is not claim.claimed else claim
    hessian = claim.form == "hessian"
    by_vec = _by_vec(claim, env, wrt)  # ∇_{vec(X)} h of a scalar h of a matrix X
    at = claim.row.start  # ∇_a L of a name a = tanh(u) the document defines:
    in_force = (  # what the prose states of it, in force at the claim
        s for s in stated_in_prose(checked)
        if s.path is None and s.start < at and (s.until < 0 or at <= s.until)
    )  # fmt: skip
    ctx = _intermediate(ctx, wrt, in_force)
    ctx = _settled(checked, claim, ctx, function, wrt)  # L in a declared z set to Wx: by W
    held = held_sums(function, wrt, ctx)  # S = \frac1N\sum_i …, by Σ: a constant matrix
    ctx = stated_of_held(checked, claim.start, held, ctx.env) if held is not ctx else ctx
    env = ctx.env
    if not hessian and wrt in env.vars and not by_vec:  # ∂L/∂V = P^T G, G = ∂L/∂O
        through = _through_upstream(checked, claim, ctx, layout, seconds, wrt)
        if through is not _NOT_THROUGH:
            return through  # type: ignore[return-value]
    if not _plain(claim.claimed):  # ∂L/∂K = (∂L/∂S)ᵀQ not read through ∂L/∂S: why
        return _through_formula(checked, claim, ctx, layout, seconds, wrt, hessian)
    function = _defined_sums_written_in(function, env)  # ∇²(ℓ(β) + λ/2‖β‖²), ℓ a sum
    if wrt in env.vars and is_sample_sum(function, env) and not by_vec:  # ∇_w Σ_i …, ∇²_w Σ_i …
        return _check_sum(checked, claim, ctx, function, wrt, seconds, hessian)
    outcome = (
        _engine(named if named is not function else None, function, wrt, ctx, seconds, hessian)
        if wrt in env.vars
        else DiffOutcome(error=f"the shape of `{wrt}` is unknown")
    )
    if _retype(outcome):
        local = _typed_locally(ctx, (function, claim.claimed), wrt, said)
        if _ONLY_FINDINGS.get() and (local is None or not local[1]):
            return _undecided(_never_reported(checked, (function, claim.claimed), env))
        if local is not None:  # an identity the document states for any shapes (the Cookbook)
            ctx, env = local[0], local[0].env
            outcome = differentiate(function, wrt, ctx, "numerator", Budget(seconds), hessian)
            if outcome.verified and outcome.values is not None:
                return _guessed(checked, claim, ctx, layout, outcome, wrt, report=local[1])
        if _ONLY_FINDINGS.get():
            return _undecided(_never_reported(checked, (function, claim.claimed), env))
        local = _typed_locally(ctx, (function, claim.claimed), wrt, said, scalars=True)
        if local is not None and _retype(outcome):  # d/dx (a x^2): small letters numbers
            outcome = differentiate(function, wrt, local[0], "numerator", Budget(seconds), hessian)
            if outcome.verified and outcome.values is not None:
                return _guessed(checked, claim, local[0], layout, outcome, wrt, report=False)
    judged = _judged_by_vec if by_vec else _judged  # by vec(X): vec of the gradient by X
    verdict = judged(checked, claim, ctx, layout, outcome, wrt)
    if verdict is None and hessian and wrt in env.vars and _stacked_hessian(function, env):
        return _undecided(  # ∇²ℓ = Xᵀ diag(…) X of ℓ a sum over the rows x_i of X
            "sum: the Hessian of a sum over samples written with the stacked matrix is not "
            "checked (its gradient is)",
            first=True,
        )
    return verdict


def _by_vec(claim: WrittenDerivative, env: Env, wrt: str) -> bool:
    r"""Is the claim a gradient of a scalar by ``\operatorname{vec}(X)`` of a declared matrix
    X (``\nabla_{\operatorname{vec}(X)} h``, ``\partial h/\partial\operatorname{vec}(X)``),
    the function not written under vec (that is ∂vec F/∂vec X, :func:`_unvec`)?"""
    by = claim.wrt
    if isinstance(by, t.Transpose) and not by.conjugate:
        by = by.base
    if by is None or _vec_of(by) is None or claim.function is None:
        return False
    if _vec_of(claim.function) is not None or wrt not in env.vars:
        return False
    shape = env.vars[wrt].shape
    return ONE not in (shape.rows, shape.cols)


def _judged_by_vec(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    outcome: DiffOutcome, wrt: str,
) -> Finding | bool | None:  # fmt: skip
    r"""A gradient by ``\operatorname{vec}(X)``: the engine's gradient G by X (verified) set
    against the claim as vec G, a column of mn entries (a column or a row, as any gradient by
    a vector, unless a layout is stated); the fix writes ``\operatorname{vec}(G)``. A Hessian
    by vec(X) is not read (undecided)."""
    if not outcome.verified or outcome.values is None or outcome.kind != "gradient":
        return _undecided(_engine_reason(outcome) if not outcome.verified else "by vec(X)")
    f, right, differential = outcome.values
    if e.is_zero(right):
        return _undecided("zero")
    info = ctx.env.vars[wrt]
    column = replace(info, shape=Shape(info.shape.rows * info.shape.cols, ONE), symmetric=False)
    vectorised = replace(
        outcome,
        values=(f, e.vec(right), differential),
        result=f"\\operatorname{{vec}}\\big({outcome.result}\\big)",
        shape=f"{column.shape.rows}×1",
        where=[],
    )
    accepted = _accepted(checked, claim, "gradient", column, layout)
    verdict = _compare(checked, claim.claimed, f, vectorised.values[1], ctx.env, accepted, {})  # type: ignore[index]
    if verdict is not False:
        return verdict
    return _finding(
        checked, claim, vectorised, wrt, fix="plain" in accepted, ctx=ctx, forms=accepted
    )


def _stacked_hessian(function: t.Node, env: Env) -> bool:
    """Is ``function`` a sum over samples whose claimed Hessian the check found written in
    a symbol the function has not (the stacked matrix)?"""
    noted = _WHY.get() or []
    return is_sample_sum(function, env) and any(
        w.startswith("written side uses a symbol") for w in noted
    )


def _judged(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    outcome: DiffOutcome, wrt: str, only: tuple[str, ...] | None = None,
) -> Finding | bool | None:  # fmt: skip
    """The claim set against the engine's verified derivative ``outcome`` by ``wrt`` (in the
    forms ``only`` allows of those its layouts do, the Cookbook's structured one too)."""
    env = ctx.env
    if not outcome.verified or outcome.values is None:
        return _undecided(_engine_reason(outcome))
    if outcome.kind not in ("gradient", "jacobian", "derivative", "hessian"):
        return _undecided(f"kind {outcome.kind}")
    f, right, _ = outcome.values
    if e.is_zero(right):  # f does not involve the variable as read: it may, as the author means
        return _undecided("zero")
    letters = {x.name for x in f.walk() if isinstance(x, e.Var)}
    tied = rebound(checked.rows, checked.path, claim.claimed.start, claim.claimed, letters, env)
    if tied is not env:  # (p = softmax(z), z = Wh + b later: the message reads p so too)
        env, ctx = tied, replace(ctx, env=tied)
    accepted = _accepted(checked, claim, outcome.kind, env.vars[wrt], layout)
    if only is not None:
        accepted = tuple(a for a in accepted if a in only or a == "structured")
    general = _general(f, wrt, env) if outcome.kind == "gradient" else None
    verdict = _compare(checked, claim.claimed, f, right, env, accepted, {}, general=general)
    if verdict is not False:
        return verdict
    return _finding(checked, claim, outcome, wrt, fix="plain" in accepted, ctx=ctx, forms=accepted)


def _check_mixed(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, seconds: float
) -> Finding | bool | None:
    r"""``\frac{\partial^2 r}{\partial \mathbf x\, \partial \mathbf z^\top} = C``: the
    matrix of the ∂²r/∂x_i∂z_j (x down its rows, z across its columns, as the transposed z
    writes it), the gradient by x differentiated by z (numerator layout: ∂g_i/∂z_j),
    each verified by the engine; written without the transpose (∂²r/∂x∂z), the orientation
    is not said and the claim stays undecided."""
    node = claim.derivative
    if not isinstance(node, t.Derivative) or len(node.wrt) != 2 or claim.function is None:
        return _undecided("mixed second derivative")
    first, second = node.wrt
    if not isinstance(second, t.Transpose) or isinstance(first, t.Transpose):
        return _undecided("mixed second derivative without its orientation")
    x, z = member_key(first), member_key(second.base)
    env = ctx.env
    if x is None or z is None or x[0] not in env.vars or z[0] not in env.vars:
        return _undecided("mixed second derivative")
    function = _function_tree(claim.function, env)
    gradient = differentiate(function, x[0], ctx, "denominator", Budget(seconds / 2))
    if not gradient.verified or gradient.value is None or gradient.kind != "gradient":
        return _undecided(_engine_reason(gradient))
    outcome = differentiate_expr(gradient.value, z[0], ctx, "numerator", Budget(seconds / 2))
    if not outcome.verified or outcome.values is None or outcome.value is None:
        return _undecided(_engine_reason(outcome))
    f, right, _ = outcome.values
    if e.is_zero(right):
        return _undecided("zero")
    verdict = _compare(checked, claim.claimed, f, right, env, ("plain",), {})
    if verdict is not False:
        return verdict
    found = _finding(checked, claim, outcome, z[0], ctx=ctx, forms=("plain",))
    said = _source(checked, node)
    head = found.message.find(": texgrad finds")
    if head < 0 or not said:
        return found
    claimed = _source(checked, claim.claimed) or "this"
    message = f"`{claimed}` is not `{said}`" + found.message[head:]
    return replace(
        found,
        message=message.replace(
            "the transpose of the derivative", "the transpose of the mixed derivative"
        ),
    )


def _by_entry(
    claim: WrittenDerivative, env: Env
) -> Callable[[CheckResult, WrittenDerivative, Context, float], Finding | bool | None] | None:
    """The check of ``∂f/∂x_i`` (an entry of a declared x) or ``∂f_i/∂x_j`` (of a vector f),
    or None when the claim is by a whole variable."""
    assert claim.function is not None
    entry = entry_of(claim.wrt, env) if claim.wrt is not None else None
    if entry is None or claim.form != "partial":
        return None
    output = output_entry(claim.function, entry[0].name, env)
    if output is None:
        return functools.partial(_check_entry, entry=entry)
    return functools.partial(_check_jacobian_entry, entry=entry, output=output)


_SET_REACH = 2000  # characters before a claim where ``y = …`` sets a declared letter


def _functions_of_wrt(function: t.Node, wrt: str, env: Env) -> t.Node:
    r"""``\frac{\mathrm d}{\mathrm dt}(M^\top M)`` of an ``M(t) = A + tB`` the document
    defines of the one variable differentiated by, written without its argument: each such
    letter replaced by its definition (in brackets); ``function`` as it is where none is."""
    applied = {id(n.func) for n in function.walk() if isinstance(n, t.Apply)}
    for n in function.walk():  # R(\mathbf v), read as a product of R and a bracket: applied
        if isinstance(n, t.Product):  # (not Q(S + tS^2): a product; K(\theta)^{-1} too)
            applied |= {
                id(a) for a, b in itertools.pairwise(n.factors)
                if isinstance(p := _bracket(b), t.Paren) and p.open in ("(", "\\left(")
                and p.body is not None and (k := symbol_key(p.body)) is not None and k[0] == wrt
            }  # fmt: skip
    # a norm's subscript names the norm, not a function: the F of ‖AV - B‖_F in F(V) = ‖AV - B‖_F²
    applied |= {id(x) for n in function.walk() if isinstance(n, t.Norm) and n.p for x in n.p.walk()}
    by: dict[int, t.Node] = {}
    for n in function.walk():  # (and \mathbf x^\star of \mathbf x^\star(\lambda) = …, marked)
        if not isinstance(n, (t.Symbol, t.Font, t.Tagged)) or id(n) in applied:
            continue
        key = symbol_key(n)
        fdef = env.functions.get(key[0]) if key is not None else None
        if key is None or fdef is None or fdef.params != (wrt,):
            continue
        by[id(n)] = t.Paren(fdef.body, "(", ")", start=n.start, end=n.end)
    return t.replaced(function, by) if by else function


def _bracket(node: t.Node) -> t.Node:
    r"""The bracket of ``(\theta)^{-1}`` or ``(t)^\top`` (the parser's power of the argument
    of ``K(\theta)^{-1}``); any other node as it is."""
    wrapped = round_base(node)
    return wrapped[1] if wrapped is not None else node


def _set_before(
    checked: CheckResult, claim: WrittenDerivative, function: t.Node, env: Env
) -> t.Node:
    r"""``\partial \mathbf y / \partial \mathbf x`` of a letter the document declares
    (``\mathbf y \in \mathbb{R}^m``) and sets shortly before the claim (``\mathbf y = A\mathbf x
    + \mathbf b``): the value it is set to; else ``function`` as it is."""
    key = symbol_key(function) if isinstance(function, (t.Symbol, t.Font)) else None
    if key is None or key[0] not in env.vars or key[0] in env.functions:
        return function
    found: t.Node | None = None
    for row in _rows_before(checked, claim.row.start, _SET_REACH):
        if row.path != checked.path or row.start >= claim.row.start:
            break
        tree = row.tree
        if row.start < claim.row.start - _SET_REACH or not isinstance(tree, t.Chain):
            continue
        for chain in (c for c in t.statements(tree) if isinstance(c, t.Chain)):
            if len(chain.items) != 2 or chain.relations != ("=",) or chain.items[0] is None:
                continue
            head, body = chain.items
            if head is not None and body is not None and symbol_key(head) == key and _plain(body):
                found = body
    return found if found is not None else function


_STARTS: dict[int, tuple[weakref.ref[CheckResult], int, list[int] | None]] = {}


def _rows_before(checked: CheckResult, at: int, reach: int) -> Iterator[PlacedRow]:
    """``checked.rows`` from the first that starts ``reach`` characters before ``at`` or
    later, where the rows of the checked file come first and in order (else all of them):
    what :func:`_set_before` reads (each claim read every row before it)."""
    rows = checked.rows
    hit = _STARTS.get(id(checked))
    if hit is None or hit[0]() is not checked or hit[1] != len(rows):
        own = 0
        while own < len(rows) and rows[own].path == checked.path:
            own += 1
        starts: list[int] | None = [r.start for r in rows[:own]]
        if any(a > b for a, b in itertools.pairwise(starts or ())):
            starts = None  # (not in order: every row is read)
        _keep(_STARTS, checked, starts)
    else:
        starts = hit[2]
    first = bisect.bisect_left(starts, at - reach) if starts is not None else 0
    return (rows[i] for i in range(first, len(rows)))  # (read up to where the caller stops)


_NOT_THROUGH = object()  # (the claim is not of an undefined loss with upstream gradients)


def _undefined_loss(claim: WrittenDerivative, env: Env) -> str | None:
    r"""The key of the claim's function where it is a scalar the document never defines
    (``L``, ``\mathcal L``, ``\ell``): a loss known only by its upstream gradients."""
    function = claim.function
    key = symbol_key(function) if isinstance(function, (t.Symbol, t.Font, t.Sub)) else None
    if key is None or key[0] in env.functions:
        return None
    info = env.vars.get(key[0])
    return key[0] if info is None or info.shape.is_scalar else None


def _through_formula(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, wrt: str, hessian: bool,
) -> Finding | bool | None:  # fmt: skip
    r"""A claim written in an upstream gradient inline of a loss the document defines, checked
    through it where the loss reaches ``wrt`` only through it (:func:`_formula_bypassed`:
    ``L = CE(\operatorname{softmax}(Z_2))``, ``Z_2 = A_1 W_2 + …``, by W_2); else why not."""
    generic = _formula_bypassed(checked, claim, ctx, wrt) if not hessian else None
    if generic is not None:
        through = _through_upstream(checked, claim, generic, layout, seconds, wrt)
        if through is not _NOT_THROUGH:
            return through  # type: ignore[return-value]
    return _undecided(_inline_not_read(checked, claim, ctx, wrt))


def _formula_bypassed(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, wrt: str
) -> Context | None:
    r"""``ctx`` without the formula of the claim's loss, where the claim writes one upstream
    gradient of it inline (``\frac{\partial L}{\partial W_2} = A_1^\top \frac{\partial
    L}{\partial Z_2}``) and the definitions prove that the loss depends on ``wrt`` only
    through what that gradient is by (:func:`~texgrad.calculus.written_upstream.only_through`):
    the chain rule is then checked as for a loss of no formula, a generic function of Z_2.
    None otherwise (a weight decay ``\lambda \|W_2\|^2`` in the loss: the claim's ``+ 2\lambda
    W_2`` is right, and a generic loss of Z_2 would call it wrong)."""
    env = ctx.env
    function = claim.function
    key = symbol_key(function) if isinstance(function, (t.Symbol, t.Font, t.Sub)) else None
    if key is None or key[0] not in env.functions or key[0] == wrt:
        return None
    info = env.vars.get(key[0])
    if info is not None and not info.shape.is_scalar:
        return None
    inline = _inline(checked, claim, ctx, key[0])
    if inline is None or len(inline.upstreams) != 1:
        return None
    through = inline.upstreams[0].of_key
    names = {str(d) for d in checked.table.constant_sizes | checked.table.counted}
    names |= {str(s) for s in dimension_names(checked.table)}

    def bodies(name: str) -> tuple[t.Node, tuple[str, ...]] | None:
        fdef = env.functions.get(name)
        return (fdef.body, fdef.params) if fdef is not None else None

    def leaf(name: str) -> bool:  # (declared and defined by no equation, or a size or count)
        if name in env.vars:
            return name not in checked.defined
        return name in names or name in env.numbers or name in env.weak

    if not only_through(key[0], through, wrt, bodies, checked.table.stacks, leaf):
        return None
    functions = {k: f for k, f in env.functions.items() if k != key[0]}
    return replace(ctx, env=replace(env, functions=functions))


def _through_upstream(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, wrt: str, nested: bool = False,
) -> Finding | bool | None | object:  # fmt: skip
    """A claim on a loss the document never defines, judged through the upstream gradients
    it names (:mod:`~texgrad.calculus.written_upstream`); :data:`_NOT_THROUGH` where it
    names none that leads to ``wrt``.  The values the document gives those gradients
    (``G_H = G W_2^\\top``), each verified through the others, are theirs in every reading
    but their own (not ``nested``: in the check of such a value)."""
    stated = _statements(checked)
    loss, rest = _loss_and_rest(claim, ctx.env, stated)  # ∂(L + Ω)/∂W₁: Ω besides the loss
    if loss is None or loss == wrt:
        return _NOT_THROUGH
    found = stated.upstreams(loss)
    through = _through_inline(checked, claim, ctx, loss, found)
    if through is None:  # several written inline: read together, else said by _inline_not_read
        return _inline_joint(checked, claim, ctx, layout, seconds, wrt, loss, nested)
    claim, ctx, found, inline = through  # ∂L/∂S written in the claim: its own upstream
    wider = _with_named_elsewhere(checked, claim, ctx, layout, seconds, wrt, loss, inline, nested)
    if wider is not None:  # ∂ℓ/∂s named elsewhere leads to the variable too
        return wider
    said = symbol_key(claim.claimed)
    if any(u.of_key == wrt and said is not None and said[0] == u.gradient_key for u in found):
        return _undecided("upstream: the statement naming the upstream gradient")
    leading: list[list[tuple[DiffOutcome, Finding | bool | None, Context]]] = []
    leading_up: list[Upstream] = []
    layouts = layouts_at(checked.doc.text, claim, layout)
    values: dict[str, t.Node] = {}
    if not nested:  # (once per document, loss, layouts and definitions in force)
        asked = (loss, layouts, tuple(sorted(ctx.env.functions)))
        known = stated.verified_values.get(asked)
        if known is None:
            known = _verified_values(checked, claim, ctx, layout, seconds, found)
            stated.verified_values[asked] = known
        values = known
    uses = {k[0] for n in claim.claimed.walk() if (k := symbol_key(n)) is not None}
    substituted = bool(uses & set(values))
    for up in found:
        place = (claim.row.path, claim.row.start)
        readings, single = _readings(up, ctx, wrt, stated, layouts, values, place)
        readings = _fitting(up, readings, claim.claimed)
        judged: list[tuple[DiffOutcome, Finding | bool | None, Context]] = []
        complete = single  # every reading judged, of one definition: may be reported
        if _bypassed(up, found, ctx.env, stated, wrt):
            continue  # (the loss depends on the variable besides: this reading decides nothing)
        for local, transposed, scalar in readings:
            tree = _plus(linear_loss(up, transposed, scalar), rest, local.env)
            each = seconds / max(1, len(found) * len(readings))
            outcome = differentiate(tree, wrt, local, "numerator", Budget(each)) if tree else None
            if outcome is None or not outcome.verified or outcome.values is None:
                complete = False  # (not read: this reading decides nothing)
                continue
            if e.is_zero(outcome.values[1]):
                complete = False  # (this definition does not lead to the variable)
                continue
            only = _paired(checked, claim, up, transposed, local, outcome.kind, wrt, layout)
            if only == ():
                continue  # (a reading the claim's layout excludes: an inline ∂L/∂S's)
            verdict = _judged(checked, claim, local, layout, outcome, wrt, only)
            if verdict is True:
                return True
            judged.append((outcome, verdict, local))
        if judged:
            leading.append(judged if complete else [])
            leading_up.append(up)
    found_wrong = _written_back(  # (None where no reading leads to the variable)
        _reported(checked, claim, loss, leading_up, leading, substituted, bool(rest)), inline
    )
    joint = _through_joint(  # in several: all of them at once
        checked, claim, ctx, layout, seconds, wrt, found, inline,
        skip=found_wrong is not None or nested or bool(rest),
    )  # fmt: skip
    return _upstream_verdict(
        found_wrong, found, uses - set(values), bool(rest), joint, leading=bool(leading)
    )


def _upstream_verdict(
    found_wrong: Finding | None, found: list[Upstream], uses: set[str], besides: bool,
    joint: Finding | bool | None | object = _NOT_THROUGH, leading: bool = True,
) -> Finding | bool | None | object:  # fmt: skip
    """The finding through the upstream gradients, else why the claim is undecided: written
    in several of them, a term besides the loss, or no simple cause.  ``joint``: the verdict
    through several at once (:func:`_through_joint`), where there is one; ``leading``: some
    upstream gradient's reading led to the variable."""
    if joint is not _NOT_THROUGH:
        return joint
    if not leading:
        return _several(found, uses)
    several = _several(found, uses) if found_wrong is None else _NOT_THROUGH
    if several is not _NOT_THROUGH:
        return several
    if found_wrong is None and besides:
        return _undecided("upstream: no simple cause, with a term besides the loss")
    return found_wrong if found_wrong is not None else _undecided("upstream: no simple cause")


def _written_back(found: Finding | None, inline: Inline | None) -> Finding | None:
    """A finding through inline upstream gradients, its results printed to read back as
    the claim writes them (``\\left(\\frac{\\partial L}{\\partial S}\\right)^\\top``)."""
    if found is None or inline is None:
        return found
    message = printed_as_written(found.message, inline)
    return replace(found, message=message, correct=printed_as_written(found.correct, inline))


def _paired(
    checked: CheckResult, claim: WrittenDerivative, up: Upstream, transposed: bool,
    local: Context, kind: str, wrt: str, layout: list[Statement] | None,
) -> tuple[str, ...] | None:  # fmt: skip
    """The forms the claim may take in this reading of ``up``
    (:func:`~texgrad.calculus.written_upstream.paired_forms`, of those its layouts allow):
    () where none (the reading is not one of the claim's); None: any its layouts allow."""
    shape = local.env.vars[wrt].shape
    only = paired_forms(up, transposed, ONE not in (shape.rows, shape.cols), claim.form == "nabla")
    if only is None:
        return None
    accepted = _accepted(checked, claim, kind, local.env.vars[wrt], layout)
    return only if set(only) & set(accepted) else ()


def _inline(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, loss: str
) -> Inline | None:
    """The upstream gradients the claim writes inline (``\\frac{\\partial L}{\\partial S}``
    on its right side), each by a stand-in no letter of the document is."""
    if _plain(claim.claimed):
        return None
    taken = {*ctx.env.vars, *ctx.env.functions, *ctx.style.symbols}
    return inline_upstreams(claim.claimed, loss, taken, lambda n: _source(checked, n))


def _inline_one(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, loss: str
) -> Inline | None:
    """:func:`_inline`, where the claim writes one upstream gradient inline (through two,
    ``\\frac{\\partial L}{\\partial Y} + \\frac{\\partial L}{\\partial A} W^\\top``, the
    loss may depend on the variable otherwise besides: not checked)."""
    inline = _inline(checked, claim, ctx, loss)
    return inline if inline is not None and len(inline.upstreams) == 1 else None


def _through_inline(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, loss: str,
    found: list[Upstream],
) -> tuple[WrittenDerivative, Context, list[Upstream], Inline | None] | None:  # fmt: skip
    """The claim with the stand-in of the upstream gradient it writes inline, a context
    that prints it as the claim writes it, and that upstream gradient (the document's named
    ones are not what it is written in); as they are where it writes none; None where it
    writes several (:func:`_inline_one`)."""
    if _plain(claim.claimed):
        return claim, ctx, found, None
    inline = _inline_one(checked, claim, ctx, loss)
    if inline is None:
        return None
    style = copy_style(ctx.style)
    style.symbols.update(inline.spelled)
    written = replace(claim, claimed=inline.claimed)
    return written, replace(ctx, style=style), list(inline.upstreams), inline


def _inline_not_read(checked: CheckResult, claim: WrittenDerivative, ctx: Context, wrt: str) -> str:
    """Why a claim written through an upstream gradient inline is not checked, in words."""
    env = ctx.env
    loss = _undefined_loss(claim, env)
    inline = _inline(checked, claim, ctx, loss) if loss is not None else None
    written = _source(checked, claim.function) if claim.function is not None else "the loss"
    if loss is None or inline is None:
        return (
            f"its right side writes a derivative of `{written}`, read as an upstream gradient "
            f"only where the document gives `{written}` no formula"
        )
    if wrt not in env.vars:
        return f"the shape of `{_source(checked, claim.wrt) if claim.wrt else wrt}` is unknown"
    return inline_not_read(inline, env.functions, env.vars)


def _several(found: list[Upstream], uses: set[str]) -> object:
    """Where the claim is written in two upstream gradients or more whose values the
    document does not give (``G_Q W_q^\\top + G_K W_k^\\top``), the reason it stays
    undecided: a derivative is taken through one of them at a time; else
    :data:`_NOT_THROUGH`."""
    keys = _several_keys(found, uses)
    named = [u for u in found if u.gradient_key in keys]
    if len(keys) < 2:
        return _NOT_THROUGH
    said = ", ".join(dict.fromkeys(f"`{latex_of(u.gradient)}`" for u in named))
    return _undecided(f"upstream: several: {said}", first=True)


def _inline_joint(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, wrt: str, loss: str, nested: bool,
) -> Finding | bool | None | object:  # fmt: skip
    """:func:`_through_joint` of a claim writing several upstream gradients inline, each by
    its stand-in (printed back as written); not ``nested`` (in the check of a value given)."""
    inline = _inline(checked, claim, ctx, loss)
    if inline is None or nested:
        return _NOT_THROUGH
    style = copy_style(ctx.style)
    style.symbols.update(inline.spelled)
    return _through_joint(
        checked, replace(claim, claimed=inline.claimed), replace(ctx, style=style), layout,
        seconds, wrt, list(inline.upstreams), inline,
    )  # fmt: skip


def _with_named_elsewhere(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, wrt: str, loss: str, inline: Inline | None, nested: bool,
) -> Finding | bool | None:  # fmt: skip
    r"""A claim written in one upstream gradient inline (``W_1^\top \frac{\partial
    \ell}{\partial \mathbf u}``, the claim's stand-in already in place), judged through it
    and the others of the loss the document writes inline elsewhere (``\frac{\partial
    \ell}{\partial \mathbf s}`` of a shortcut ``\mathbf s = U\mathbf x``) where they are a
    frontier to the variable (:func:`_through_joint`): a path left out is a term missing.
    The finding, or True where verified; None where not judged so (not ``nested``)."""
    if inline is None or nested:
        return None
    taken = {*ctx.env.vars, *ctx.env.functions, *ctx.style.symbols}
    rows = [r for r in checked.rows if r.path == checked.path]
    wider = named_elsewhere(rows, loss, inline, taken, lambda n: _source(checked, n), {wrt})
    if len(wider.upstreams) == len(inline.upstreams):
        return None
    style = copy_style(ctx.style)
    style.symbols.update(wider.spelled)
    joint = _through_joint(
        checked, claim, replace(ctx, style=style), layout, seconds, wrt, list(wider.upstreams),
        wider, least=1,
    )  # fmt: skip
    return joint if joint is True or isinstance(joint, Finding) else None


def _through_joint(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, wrt: str, found: list[Upstream], inline: Inline | None, skip: bool = False,
    least: int = 2,
) -> Finding | bool | None | object:  # fmt: skip
    r"""A claim written in several upstream gradients (``G_Q W_q^\top + G_K W_k^\top``,
    ``W_1^\top \frac{\partial \ell}{\partial \mathbf u} + U^\top \frac{\partial \ell}
    {\partial \mathbf s}``), judged through all of them at once where what they are the
    gradients of is a frontier (:func:`_frontier`): quantities defined through the variable,
    none through another, every other upstream gradient's leading to the variable through
    them only.  The loss is then ``\sum_i \operatorname{tr}(G_i^\top O_i)`` to first order,
    whatever else it holds: a claim that differs from its derivative by a simple slip, or by
    a term holding one of the ``G_i`` (a path left out), is wrong — no term the loss may hold
    besides is written in them.  :data:`_NOT_THROUGH` where the frontier is not found, or
    ``skip`` (a finding through one of them already, a value's check, ``L + \\Omega``);
    ``least``: how many of the frontier's the claim writes, at least."""
    if skip:
        return _NOT_THROUGH
    stated = _statements(checked)
    env = ctx.env
    frontier = _frontier(found, env, stated, wrt)
    uses = {k[0] for n in claim.claimed.walk() if (k := symbol_key(n)) is not None}
    uses = {k for k in uses if not any(o.startswith(k + "_") for o in uses)}  # (G of G_Q)
    keys = {u.gradient_key for u in frontier}
    if (
        len(frontier) < 2
        or len(uses & keys) < least
        or uses & {u.gradient_key for u in found} - keys
    ):
        return _NOT_THROUGH  # (written in a gradient beyond the frontier, or in none of it)
    if any(
        _derivative_side(b) is None for u in frontier for b in stated.definitions(u.gradient_key)
    ):
        return _NOT_THROUGH  # (a value given one of them: it is not a free gradient)
    judged = _joint_judged(checked, claim, ctx, layout, seconds, wrt, frontier)
    if judged is True or judged is _NOT_THROUGH or judged is None:
        return judged
    assert isinstance(judged, list)
    return _joint_finding(checked, claim, judged, frontier, inline)


def _joint_judged(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, wrt: str, frontier: list[Upstream],
) -> list[tuple[DiffOutcome, Finding, Context]] | bool | None | object:  # fmt: skip
    """The claim judged in every joint reading of the ``frontier``'s gradients (each one's
    readings, :func:`_readings`, combined; those the claim's shapes fit): True where one
    verifies it, the findings where all find it wrong, else None (undecided)."""
    stated = _statements(checked)
    env = ctx.env
    keys = {u.gradient_key for u in frontier}
    layouts = layouts_at(checked.doc.text, claim, layout)
    each_readings = []
    for up in frontier:
        readings, single = _readings(up, ctx, wrt, stated, layouts)
        if not single or not readings:
            return _NOT_THROUGH
        each_readings.append(readings)
    combos = list(itertools.product(*each_readings))
    if len(combos) > _JOINT_READINGS:
        return _NOT_THROUGH
    read = [_joint_reading(claim, env, frontier, keys, combo) for combo in combos]
    if any(r is _MISSING for r in read):
        return _NOT_THROUGH
    fitting = [r for r in read if isinstance(r, tuple)]
    if len(fitting) > 8:  # (only the readings the claim's shapes fit are differentiated)
        return _NOT_THROUGH
    judged: list[tuple[DiffOutcome, Finding | bool | None, Context]] = []
    for combo, joint_env, terms in fitting:
        local_ctx = Context(joint_env, ctx.style, ctx.einstein)
        tree = t.Add(terms=tuple(terms), signs=("",) + ("+",) * (len(terms) - 1))
        budget = Budget(seconds / max(2, 2 * len(fitting)))
        outcome = differentiate(tree, wrt, local_ctx, "numerator", budget)
        if not outcome.verified or outcome.values is None or e.is_zero(outcome.values[1]):
            return _undecided("upstream: several, read together, not differentiated")
        only = _joint_forms(checked, claim, frontier, combo, local_ctx, outcome.kind, wrt, layout)
        if only == ():
            continue
        verdict = _judged(checked, claim, local_ctx, layout, outcome, wrt, only)
        if verdict is True:
            return True
        judged.append((outcome, verdict, local_ctx))
    if not judged or not all(isinstance(v, Finding) for _, v, _ in judged):
        return _undecided("upstream: several, read together, undecided")
    return [(o, v, c) for o, v, c in judged if isinstance(v, Finding)]


_JOINT_READINGS = 64  # the joint readings of several upstream gradients looked at, at most


_MISSING = object()  # a joint reading with no linear loss (:func:`_joint_reading`)
_Reading = tuple[tuple[Context, bool, bool], ...]


def _joint_reading(
    claim: WrittenDerivative, env: Env, frontier: list[Upstream], keys: set[str],
    combo: _Reading,
) -> tuple[_Reading, Env, list[t.Node]] | object | None:  # fmt: skip
    """One joint reading of the ``frontier``'s gradients: its environment and the linear
    loss's terms, where the claim's shapes fit it (None where they do not: not the author's
    reading; :data:`_MISSING` where a term cannot be written)."""
    vars_ = {k: v for k, v in env.vars.items() if k not in {u.of_key for u in frontier}}
    defined = {k: f for k, f in env.functions.items() if k not in keys}
    terms: list[t.Node] = []
    for (local, transposed, scalar), up in zip(combo, frontier, strict=True):
        vars_[up.gradient_key] = local.env.vars[up.gradient_key]
        if up.of_key in local.env.functions:
            defined[up.of_key] = local.env.functions[up.of_key]
        term = linear_loss(up, transposed, scalar)
        if term is None:
            return _MISSING
        terms.append(term)
    joint_env = Env(vars_, defined, env.softmax_columns, set(env.numbers), set(env.weak))
    try:
        Lowerer(joint_env).lower(claim.claimed)
    except _ERRORS:
        return None  # (a reading the claim's shapes do not fit is not the author's)
    return combo, joint_env, terms


def _simple_cause(outcome: DiffOutcome, claim: WrittenDerivative, ctx: Context) -> Cause | None:
    """How the claim differs from the outcome, read as written (within 2 s), else None."""
    if outcome.value is None:
        return None
    try:
        found = cause_as_written(
            outcome.value,
            claim.claimed,
            ctx.env,
            ctx.style,
            where=outcome.where,
            budget=Budget(2.0),
        )
        if found is None and outcome.result:  # (the slip on a name: A G for A^\top G)
            found = cause_in_names(
                outcome.result, claim.claimed, ctx.env, ctx.style, where=outcome.where,
                budget=Budget(2.0),
            )  # fmt: skip
        return found
    except (CalculusError, BudgetExceeded):
        return None


def _joint_finding(
    checked: CheckResult, claim: WrittenDerivative,
    judged: list[tuple[DiffOutcome, Finding, Context]], frontier: list[Upstream],
    inline: Inline | None,
) -> Finding | bool | None:  # fmt: skip
    """The finding of a claim wrong in every joint reading, where the slip is simple or in a
    term holding one of the gradients (:func:`_in_gradients`); else None (undecided)."""
    outcome, first, local_ctx = judged[0]
    why = _simple_cause(outcome, claim, local_ctx)
    if why is None or why.kind not in SIMPLE and not _in_gradients(why, frontier):
        return _undecided("upstream: several, read together, no simple cause")
    if why.kind == "missing-term":  # (the fix in the claim's own terms: the term added)
        term = why.text.split("`")[1] if why.text.count("`") >= 2 else ""
        source = _source(checked, claim.claimed)
        if inline is not None:
            term = printed_as_written(term, inline)
        if not term or not source:
            return _undecided("upstream: several, read together, no fix")
        added = f"{source} - {term[1:].lstrip()}" if term.startswith("-") else f"{source} + {term}"
        first = replace(first, correct=added)
    written = _source(checked, claim.function) if claim.function is not None else "the loss"
    shown = ", ".join(f"`{u.shown}`" for u in frontier)
    ofs = ", ".join(f"`{latex_of(u.of)}`" for u in frontier)
    message = f"{first.message}; `{written}` is taken through {shown}, its gradients by {ofs}"
    found_wrong = replace(first, message=message)
    if inline is None:
        return found_wrong
    return replace(found_wrong, message=printed_as_written(found_wrong.message, inline))


def _in_gradients(why: Cause, frontier: list[Upstream]) -> bool:
    """Whether ``why`` is a slip in one term (its sign, a factor, one too few) that holds one
    of the upstream gradients ``frontier`` (by its letter, or written inline as a derivative):
    a term no other of the loss's may stand for."""
    if why.kind not in ("term-sign", "term-factor", "missing-term") or why.text.count("`") < 2:
        return False
    term = parse_row(MappedText.identity(why.text.split("`")[1])).tree
    if term is None:
        return False
    keys = {u.gradient_key for u in frontier}
    return any(
        isinstance(n, (t.Derivative, t.Nabla)) or (k := symbol_key(n)) is not None and k[0] in keys
        for n in term.walk()
    )


def _joint_forms(
    checked: CheckResult, claim: WrittenDerivative, frontier: list[Upstream],
    combo: tuple[tuple[Context, bool, bool], ...], local: Context, kind: str, wrt: str,
    layout: list[Statement] | None,
) -> tuple[str, ...] | None:  # fmt: skip
    """The forms the claim may take in one joint reading: those every upstream gradient's
    reading allows (:func:`_paired`), () where they exclude each other."""
    forms: set[str] | None = None
    for up, (_, transposed, _) in zip(frontier, combo, strict=True):
        only = _paired(checked, claim, up, transposed, local, kind, wrt, layout)
        if only == ():
            return ()
        if only is not None:
            forms = set(only) if forms is None else forms & set(only)
    if forms is None:
        return None
    return tuple(sorted(forms)) if forms else ()


def _frontier(
    found: list[Upstream], env: Env, stated: GradientStatements, wrt: str
) -> list[Upstream]:
    r"""Of the upstream gradients ``found``, those of quantities defined through ``wrt`` not
    through another's (``Q = XW_q``, ``K = XW_k``, ``V = XW_v`` for X; not ``S = QK^\top``
    nor ``O = PV``), where every other that leads to ``wrt`` does so through them only;
    [] where that is not so (or a quantity has no single definition)."""
    bodies: dict[str, list[t.Node]] = {}
    for up in found:
        if up.of_key == wrt:
            return []
        fdef = env.functions.get(up.of_key)
        own = [fdef.body] if fdef is not None and not fdef.params else []
        more = [b for b in stated.definitions(up.of_key) if all(show(b) != show(o) for o in own)]
        bodies[up.gradient_key] = own + more
    leading = [
        u for u in found if bodies[u.gradient_key]
        and _reaches(bodies[u.gradient_key], wrt, env, u.gradient_key)
    ]  # fmt: skip
    front = [
        u for u in leading
        if not any(o is not u and _reaches(bodies[u.gradient_key], o.of_key, env, u.gradient_key)
                   for o in leading)
    ]  # fmt: skip
    if any(len(bodies[u.gradient_key]) != 1 for u in front):
        return []
    blocked = {u.of_key for u in front}
    for u in leading:
        if u not in front and _reaches(bodies[u.gradient_key], wrt, env, u.gradient_key, blocked):
            return []  # (it leads to the variable besides the frontier: a bypass)
    return front


def _several_keys(found: list[Upstream], uses: set[str]) -> set[str]:
    """The keys of the upstream gradients ``found`` the claim writes (``uses``: its keys)."""
    keys = {u.gradient_key for u in found if u.gradient_key in uses}
    return {k for k in keys if not any(o.startswith(k + "_") for o in keys)}  # (G of G_Q)


def _loss_and_rest(
    claim: WrittenDerivative, env: Env, stated: GradientStatements
) -> tuple[str | None, list[tuple[str, t.Node]]]:
    """The loss the document never defines that the claim differentiates, and the terms it
    adds to it (none but for ``L + \\Omega``)."""
    loss = _undefined_loss(claim, env)
    if loss is not None:
        return loss, []
    split = _loss_plus(claim, env, stated)
    return split if split is not None else (None, [])


def _plus(tree: t.Node | None, rest: list[tuple[str, t.Node]], env: Env) -> t.Node | None:
    """The loss through its upstream gradient (``tree``) plus the terms ``rest`` as defined."""
    if tree is None or not rest:
        return tree
    terms = (tree, *(_function_tree(n, env) for _, n in rest))
    return t.Add(terms=terms, signs=("", *(sign or "+" for sign, _ in rest)))


def _loss_plus(
    claim: WrittenDerivative, env: Env, stated: GradientStatements
) -> tuple[str, list[tuple[str, t.Node]]] | None:
    r"""``(\mathcal L + \Omega)``: the loss the document never defines (known by its
    upstream gradients) plus terms it defines (``\Omega(W_1) = \frac{\lambda}{2}\|W_1\|_F^2``),
    as the loss's key and the other terms with their signs; None for any other function."""
    function = claim.function
    while isinstance(function, t.Paren) and function.body is not None:
        function = function.body
    if not isinstance(function, t.Add) or len(function.terms) < 2:
        return None
    loss: str | None = None
    rest: list[tuple[str, t.Node]] = []
    for sign, term in zip(function.signs, function.terms, strict=True):
        key = symbol_key(term) if isinstance(term, (t.Symbol, t.Font, t.Sub)) else None
        info = env.vars.get(key[0]) if key is not None else None
        undefined = (
            key is not None
            and key[0] not in env.functions
            and (info is None or info.shape.is_scalar)
            and bool(stated.upstreams(key[0]))
        )
        if undefined and sign in ("", "+") and loss is None and key is not None:
            loss = key[0]
        elif undefined:
            return None  # (two losses known only by their gradients)
        else:
            rest.append((sign, term))
    return (loss, rest) if loss is not None and rest else None


def _reported(
    checked: CheckResult, claim: WrittenDerivative, loss: str, leading_up: list[Upstream],
    leading: list[list[tuple[DiffOutcome, Finding | bool | None, Context]]], substituted: bool,
    besides: bool = False,
) -> Finding | None:  # fmt: skip
    """A claim wrong in every reading (none verified it), reported through an upstream
    gradient against which the slip is a simple one: where several lead to the variable
    (G₂ and G₁ of two layers), the claim in G₁'s terms is judged by G₁'s reading — a
    claim in G₂'s terms is no simple change of it, and stays undecided.  ``substituted``:
    the claim is written in values given other upstream gradients, verified, through which
    a term left out is a slip too."""
    for up, judged in zip(leading_up, leading, strict=True):
        if not judged or not all(isinstance(v, Finding) for _, v, _ in judged):
            continue  # (a reading undecided, or the output defined more than once)
        outcome, first, local = judged[0]
        why = _simple_cause(outcome, claim, local)
        simple = why is not None and (
            why.kind in SIMPLE
            or substituted
            and why.kind == "missing-term"
            or besides
            and _of_the_rest(why, leading_up)
        )  # not a term the loss may have besides (λV); but one less, through a value given;
        # or a slip in a term of the rest (2λW₁ of ∂(L + Ω)/∂W₁, Ω defined)
        moved = not simple and _moves_with(claim, up, judged, leading_up)
        if not simple and not moved:
            continue
        assert isinstance(first, Finding)
        written = _source(checked, claim.function) if claim.function is not None else loss
        through = (
            f"; `{written}` is taken through `{up.shown}`, its gradient by `{latex_of(up.of)}`"
        )
        if moved:
            through += (
                f" (the difference changes with `{up.shown}`: no term of `{written}` left"
                " unwritten explains it)"
            )
        if (
            why is not None and not moved and why.kind == "missing-term"
        ):  # (the fix: the term added)
            term = why.text.split("`")[1] if why.text.count("`") >= 2 else ""
            source = _source(checked, claim.claimed)
            if not term or not source:
                continue
            added = (
                f"{source} - {term[1:].lstrip()}" if term.startswith("-") else f"{source} + {term}"
            )
            first = replace(first, correct=added)
        return replace(first, message=first.message + through)
    return None


def _moves_with(
    claim: WrittenDerivative, up: Upstream,
    judged: list[tuple[DiffOutcome, Finding | bool | None, Context]], leading_up: list[Upstream],
) -> bool:  # fmt: skip
    r"""Whether the claim, written in ``up``'s gradient ``G`` alone of those leading to the
    variable, differs from the derivative through ``G`` in every reading by something that
    changes with ``G`` (:func:`~texgrad.calculus.discrepancy.changes_with`): no term the
    loss holds unwritten explains that (its derivative does not hold ``G``), whatever the
    cause (``DK`` for ``\frac{1}{\sqrt{k}}DK``: a factor of a dimension, no simple one)."""
    uses = {k[0] for n in claim.claimed.walk() if (k := symbol_key(n)) is not None}
    others = {u.gradient_key for u in leading_up if u is not up}
    if up.gradient_key not in uses or uses & others or up.written:
        return False  # (an inline ∂L/∂S: its stand-in letter is not the claim's)
    for outcome, _, local in judged:
        if outcome.value is None:
            return False
        if not changes_with_as_written(
            outcome.value, claim.claimed, up.gradient_key, local.env, outcome.where
        ):
            return False
    return True


def _of_the_rest(why: Cause, leading_up: list[Upstream]) -> bool:
    r"""Whether ``why`` is a slip in one term (its sign, a factor, one too many or too few)
    that holds no upstream gradient: a term of what the claim adds to the loss, ``\Omega``
    defined (``2\lambda W_1`` for ``\lambda W_1``), where no term the loss may hold
    unwritten explains it."""
    if why.kind not in ("term-sign", "term-factor", "missing-term", "extra-term"):
        return False
    if why.text.count("`") < 2:
        return False
    term = parse_row(MappedText.identity(why.text.split("`")[1])).tree
    if term is None:
        return False
    keys = {k[0] for n in term.walk() if (k := symbol_key(n)) is not None}
    return not keys & {up.gradient_key for up in leading_up}


def _verified_values(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    seconds: float, found: list[Upstream],
) -> dict[str, t.Node]:  # fmt: skip
    r"""The values the document gives the upstream gradients it names, by their keys, where
    one is given (``G_A = G_H \odot (1 - H \odot H)`` beside ``G_A = \partial L/\partial
    A``) and is verified as the claim ``\partial L/\partial A = G_H \odot (1 - H \odot H)``
    through the other upstream gradients: a claim written in them (``G + G_A W_1^\top``) is
    then read through the one its variable reaches the loss by, whole."""
    stated = _statements(checked)
    out: dict[str, t.Node] = {}
    for other in found:
        given = [b for b in stated.definitions(other.gradient_key) if _derivative_side(b) is None]
        if len(given) != 1:
            continue
        local = _intermediate(ctx, other.of_key)
        if other.of_key not in local.env.vars:
            continue
        value = replace(claim, wrt=other.of, claimed=given[0])
        each = seconds / max(2, 2 * len(found))
        verdict = _through_upstream(checked, value, local, layout, each, other.of_key, nested=True)
        if verdict is True:
            out[other.gradient_key] = given[0]
    return out


def _readings(
    up: Upstream, ctx: Context, wrt: str, stated: GradientStatements,
    layouts: frozenset[str] = frozenset(), values: dict[str, t.Node] | None = None,
    at: tuple[str, int] | None = None,
) -> tuple[list[tuple[Context, bool, bool]], bool]:  # fmt: skip
    """The contexts in which ``up``'s gradient is a fixed variable (the shape of what it is
    the gradient of, or the transpose's), each with whether it is transposed and whether
    it is a number: one reading where the shapes decide, both for a square matrix; one
    set per definition of what it is the gradient of (``W = W_0 + BA``, and "``W = W_0`` at
    initialisation"), and whether there is only one.  ``layouts``: those stated where the
    claim stands; under a stated denominator layout alone, ``G = \\partial L/\\partial S`` of a
    square ``S`` has ``S``'s shape as it is (``G_S^\\top Q`` by the keys of ``S = QK^\\top``,
    not ``G_S Q``); ``at``: where the claim is (path, offset), whose reading is by the
    definitions made before it, where there are any."""
    env = ctx.env
    fdef = env.functions.get(up.of_key)
    bodies: list[t.Node] = []
    if up.of_key == wrt:
        shape = env.vars[wrt].shape
        bodies = []
    elif fdef is not None and not fdef.params and up.of_key not in env.vars:
        bodies = [fdef.body]
    elif fdef is None and up.of_key in env.vars:
        bodies = []  # Y = WU + b1^T ∈ ℝ^{m×n}: declared, and defined
    else:
        return [], False  # a variable of its own: no way to the variable differentiated by
    seen = {show(b) for b in bodies}
    made = (
        stated.definitions(up.of_key) if at is None else stated.definitions_before(up.of_key, *at)
    )
    for body in made:
        if show(body) not in seen:
            seen.add(show(body))
            bodies.append(body)
    if up.of_key != wrt:
        if not bodies or not _reaches(bodies, wrt, env, up.gradient_key):
            return [], False  # (its derivative by the variable is 0: no reading decides)
        try:
            shape = (
                env.vars[up.of_key].shape if up.of_key in env.vars
                else Lowerer(env).lower(bodies[0]).shape
            )  # fmt: skip
        except _ERRORS:
            return [], False
    sides = _sides(shape, env.vars.get(up.gradient_key), layouts, bool(up.written) and not up.nabla)
    out = []
    known = {k: v for k, v in env.vars.items() if k != up.of_key or up.of_key == wrt}
    written = ctx.style.symbols.get(up.gradient_key, up.gradient_key)
    each: list[t.Node | None] = [*bodies] if bodies else [None]
    for value in each:
        defined = {k: f for k, f in env.functions.items() if k != up.gradient_key}
        for k, given_value in (values or {}).items():  # (the others' values, verified)
            if k != up.gradient_key:
                defined[k] = FunctionDef(k, (), given_value)
        if value is not None:
            defined[up.of_key] = FunctionDef(up.of_key, (), value)
        for transposed, g_shape in sides:
            vars_ = {**known, up.gradient_key: VarInfo(up.gradient_key, g_shape, written)}
            local = Env(vars_, defined, env.softmax_columns, set(env.numbers), set(env.weak))
            out.append((Context(local, ctx.style, ctx.einstein), transposed, shape.is_scalar))
    return out, len(bodies) <= 1


def _sides(
    shape: Shape, given: VarInfo | None, layouts: frozenset[str], inline: bool = False
) -> list[tuple[bool, Shape]]:
    """The readings of an upstream gradient of a quantity of ``shape`` (``given``: its own
    declaration): (transposed, its shape) — one where the shapes decide, both for a square
    matrix unless the denominator layout alone is stated; both for an ``inline``
    ``\\frac{\\partial L}{\\partial O}`` (numerator layout writes it in ``O^\\top``'s shape,
    the claim beside it too: :func:`_fitting` keeps the readings its shapes agree with)."""
    flipped = Shape(shape.cols, shape.rows)
    if shape.is_scalar:
        sides = [(False, shape)]
    elif given is None:
        both = shape.rows == shape.cols or inline
        sides = [(False, shape), (True, flipped)] if both else [(False, shape)]
    elif shape.rows == shape.cols and given.shape in (shape, flipped):
        sides = [(False, shape), (True, shape)]
    else:
        sides = [(t_, s) for t_, s in ((False, shape), (True, flipped)) if given.shape == s]
    if len(sides) == 2 and layouts - {COLUMNS, ROWS} == {"denominator"}:
        sides = sides[:1]  # (the layout stated decides what the shapes do not)
    return sides


def _fitting(
    up: Upstream, readings: list[tuple[Context, bool, bool]], claimed: t.Node
) -> list[tuple[Context, bool, bool]]:
    """Of the readings of an inline upstream gradient, those in which the claim's shapes
    agree, where some do (``X^\\top \\frac{\\partial L}{\\partial Q}`` reads ∂L/∂Q in Q's
    shape, ``\\frac{\\partial L}{\\partial Q} X`` in Qᵀ's): a reading the claim cannot be
    written in is not the author's.  A named upstream gradient's readings, all."""
    if not up.written or len(readings) < 2:
        return readings
    fitting = []
    for reading in readings:
        try:
            Lowerer(reading[0].env).lower(claimed)
        except _ERRORS:
            continue
        fitting.append(reading)
    return fitting or readings


def _bypassed(
    up: Upstream, found: list[Upstream], env: Env, stated: GradientStatements, wrt: str
) -> bool:
    r"""Whether the loss depends on ``wrt`` otherwise than through ``up``'s ``O``, as the
    document says: another upstream gradient's quantity is defined through ``O`` and through
    ``wrt`` besides (``Y = X + HW_2`` of a residual block, with ``H`` of ``A = XW_1``, and
    ``G = \partial L/\partial Y``: ∂L/∂X is not ``G_A W_1^\top`` alone).  Through ``O`` alone,
    a claim would be verified wrongly, and may not be reported either."""
    for other in found:
        if other.of_key in (up.of_key, wrt):
            continue
        fdef = env.functions.get(other.of_key)
        bodies = [fdef.body] if fdef is not None and not fdef.params else []
        bodies += stated.definitions(other.of_key)
        if not bodies:
            continue
        if _reaches(bodies, up.of_key, env, other.gradient_key) and _reaches(
            bodies, wrt, env, other.gradient_key, blocked=up.of_key
        ):
            return True
    return False


def _reaches(
    bodies: list[t.Node], wrt: str, env: Env, gradient: str,
    blocked: str | set[str] | None = None,
) -> bool:  # fmt: skip
    r"""Whether the values ``bodies`` write the variable ``wrt``, themselves or through the
    names the document defines (``Z = H W`` by W; ``H = \tanh(Z_0)`` by what Z₀ is of):
    where they do not, the derivative through them is 0 (a layer's upstream gradient for a
    weight of another layer).  A member or an entry of the same letter counts as written.
    ``blocked``: a name (or names) not gone through (its value's variables do not count)."""
    letter = wrt.partition("_{")[0]
    seen: set[str] = {gradient} | ({blocked} if isinstance(blocked, str) else blocked or set())
    pending = list(bodies)
    while pending:
        for node in pending.pop().walk():
            k = symbol_key(node)
            if k is None:
                continue
            if k[0] == wrt or k[0].partition("_{")[0] == letter:
                return True
            fdef = env.functions.get(k[0])
            if fdef is not None and k[0] not in seen:
                seen.add(k[0])
                pending.append(fdef.body)
    return False


def _engine(
    named: t.Node | None, function: t.Node, wrt: str, ctx: Context, seconds: float, hessian: bool
) -> DiffOutcome:
    """The engine's derivative of ``function``; first of the name it is defined under, where
    there is one (its result then written in the name: ``\\operatorname{diag}(\\mathbf s) -
    \\mathbf s \\mathbf s^\\top``), if that is verified."""
    if named is not None and not hessian:
        outcome = differentiate(named, wrt, ctx, "numerator", Budget(seconds / 2))
        if outcome.verified and outcome.values is not None:
            return outcome
    return differentiate(function, wrt, ctx, "numerator", Budget(seconds), hessian)


def _check_sum(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, function: t.Node, wrt: str,
    seconds: float, hessian: bool = False,
) -> Finding | bool | None:  # fmt: skip
    r"""``\nabla_{\mathbf w} \sum_i (\mathbf w^\top \mathbf x_i - y_i)^2 = …``: the written
    side against the verified derivative (``hessian``: Hessian) of the sum, every member
    sampled (:mod:`~texgrad.calculus.written_samples`)."""
    verdict, why, outcome = compare_sum(
        function,
        claim.claimed,
        wrt,
        ctx,
        _text_of(checked, function),
        seconds,
        checked.table.stacks,
        _macros(checked),
        hessian,
    )
    if verdict is None or outcome is None:
        return _undecided(why)
    if verdict:
        return True
    claimed = _source(checked, claim.claimed) or "this"
    of = _source(checked, claim.function) if claim.function is not None else ""
    by = _source(checked, claim.wrt) if claim.wrt is not None else outcome.wrt or wrt
    what = "Hessian" if hessian else "derivative"
    message = f"`{claimed}` is not the {what}" + (f" of `{of}`" if of else "")
    message += f" with respect to `{by}`: texgrad finds `{outcome.result}`, verified "
    message += "numerically (every member of the family sampled)"
    found = _cause(claim.claimed, outcome, ctx) if outcome.value is not None else None
    if found is not None:  # (the matrix form, against a claim written in it)
        message = message[: -len(")")] + f"; {found.text})"
    kind = _kind_of(found)
    fix = _as_written(checked, claim, outcome, ctx, wrt, "plain", kind, found)
    if not fix and found is None:  # S\mathbf w for \sum_i 2\mathbf x_i\mathbf x_i^\top\mathbf w
        fix, kind, said = _sum_as_written(checked, claim, ctx, function, wrt, seconds, hessian)
        if fix:
            message = _quoting(message, outcome.result, fix)[: -len(")")] + f"; {said})"
    return Finding(claim, message, fix or outcome.result, claim.start, claim.end, kind)


# the slips a claim on a sum is edited for, in the words a message says them
_SUM_SLIPS = (
    ("sign", "the sign is wrong"), ("factor", ""), ("transpose", ""),
    ("term-factor", ""), ("term-sign", "the sign of a term is wrong"),
)  # fmt: skip

# what a check cut short by its time says (:meth:`~texgrad.calculus.deadline.Deadline.message`)
_TIME_SPENT = "(the time budget)"


class _Undecided(Exception):
    """An edit of a claim on a sum whose check ran out of time even with the claim's whole
    time: the edits after it are not tried (a less usual one would be chosen by the load of
    the machine, not by the claim)."""


def _sum_as_written(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, function: t.Node, wrt: str,
    seconds: float, hessian: bool = False,
) -> tuple[str, str, str]:  # fmt: skip
    r"""The quick fix of a wrong claim on a sum over samples in the claim's own words, its
    kind and the words for it: ``2S\mathbf w`` for ``S\mathbf w`` where the document names
    ``S = \sum_i \mathbf x_i \mathbf x_i^\top`` ("a factor 2 is missing"), not the sum's
    form the engine prints; each edit checked as the claim is (``hessian``: as a Hessian),
    every member sampled.  ("", "", "") where no edit of a sign, a factor 2 or a transpose
    (of the whole or of a term) holds."""
    table = _macros(checked)
    text = _text_of(checked, function)

    def holds(candidate: str) -> bool:
        mapped, _ = expand(MappedText.identity(candidate), table)
        row = parse_row(mapped)
        if row.tree is None or row.error is not None:
            return False
        share = seconds / 8
        for budget in (share, seconds):  # (its share spent by a GC pass: once more, whole)
            verdict, why, _ = compare_sum(
                function, row.tree, wrt, ctx, text, budget, checked.table.stacks, table, hessian
            )
            if verdict is not None or _TIME_SPENT not in why:
                return verdict is True
        raise _Undecided(why)

    def is_scalar(node: t.Node) -> bool:
        try:
            return bool(Lowerer(ctx.env).lower(node).shape.is_scalar)
        except (*_ERRORS, BudgetExceeded):
            return False

    own = _source(checked, claim.claimed)
    for kind, said in _SUM_SLIPS:
        try:
            edited = fixed_as_written(
                checked.doc.text, claim.claimed, kind, holds, is_scalar, "", lambda n: False,
                (claim.row.start, claim.row.end),
            )  # fmt: skip
        except _Undecided:  # an edit undecided: none tried after it (-Σ(t - y)x for Σ(y - t)x
            return "", "", ""  # in one process, not in another), the engine's result the fix
        except Exception:  # noqa: BLE001 - the fix in the claim's words is a help, never a failure
            edited = ""
        if not edited:
            continue
        if kind == "factor":
            said = (
                "a factor 2 is missing" if len(edited) > len(own) else "it has a factor 2 too many"
            )
        elif kind == "term-factor":  # (X^\top S X + \lambda I_p of X^\top S X + 2\lambda I_p)
            more = len(edited) > len(own)
            said = "a term lacks a factor 2" if more else "a term has a factor 2 too many"
        elif kind == "transpose":
            said = "it is the transpose of the derivative"
        return edited, kind, said
    return "", "", ""


def _text_of(checked: CheckResult, node: t.Node) -> str:
    r"""The text of the file ``node`` was parsed from, whose offsets it holds: the document's,
    or a file of its project where the function is defined there (``\ell`` defined in the
    model's section, its gradient claimed in the next)."""
    for row in checked.elsewhere:
        if row.start <= node.start and node.end <= row.end and row.path in checked.project_texts:
            tree = row.tree
            if tree is not None and any(n is node for n in tree.walk()):
                return checked.project_texts[row.path]
    return checked.doc.text


def _macros(checked: CheckResult) -> MacroTable:
    r"""The macros the document and its project's files define (``\vw`` of the root, for a
    section): a derivative printed in the document's source is read back through them."""
    texts = checked.project_texts or {checked.path: checked.doc.text}
    return merge(
        scan_text(text, format_of(path), frozenset(), path).definitions
        for path, text in texts.items()
    )


def _intermediate(ctx: Context, wrt: str, said: Iterable[Stated] = ()) -> Context:
    r"""The context where ``wrt``, a name the document defines without parameters
    (``\mathbf a = \tanh(\mathbf u)``), is a variable of its own, of its value's shape,
    and no longer defined: ``\nabla_{\mathbf a} L`` of backpropagation, the other
    variables held fixed (names defined through ``\mathbf a`` still go through it).  The
    context unchanged where ``wrt`` is no such name or its value has no known shape.
    It is symmetric (definite) where its value is ("$P = \Sigma^{-1}$" of a covariance)
    or ``said`` (what the prose states in force at the claim) says so ("with $P$
    symmetric positive definite"): ∂ log det P/∂P = P⁻¹ is right for such a P."""
    fdef = ctx.env.functions.get(wrt)
    if fdef is None or fdef.params or wrt in ctx.env.vars:
        return ctx
    try:
        shape = Lowerer(ctx.env).lower(fdef.body).shape
    except _ERRORS:
        return ctx
    env = ctx.env
    functions = {k: f for k, f in env.functions.items() if k != wrt}
    written = ctx.style.symbols.get(wrt, wrt)
    info = VarInfo(wrt, shape, written)
    if info.shape.rows == info.shape.cols and not info.shape.is_scalar:
        stated = [s for s in said if s.key == wrt and s.symmetric]
        definite = {k for k, v in env.vars.items() if v.symmetric and v.positive_definite}
        symmetric = {k for k, v in env.vars.items() if v.symmetric}
        if stated or symmetric_by_form(fdef.body, symmetric):
            pd = any(s.positive_definite for s in stated) or _inverse_of(fdef.body, definite)
            info = replace(info, symmetric=True, positive_definite=pd)
    vars_ = {**env.vars, wrt: info}
    local = Env(vars_, functions, env.softmax_columns, set(env.numbers), set(env.weak))
    return Context(local, ctx.style, ctx.einstein)


def _inverse_of(body: t.Node, definite: set[str]) -> bool:
    r"""Whether ``body`` is the inverse of a letter of ``definite`` (``\Sigma^{-1}``):
    positive definite as that letter is."""
    if not isinstance(body, t.Power) or not isinstance(body.exponent, t.Neg):
        return False
    one = body.exponent.operand
    key = symbol_key(body.base)
    return isinstance(one, t.Number) and one.text == "1" and key is not None and key[0] in definite


def _check_entry(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, seconds: float,
    entry: tuple[e.Var, tuple[str, ...]],
) -> Finding | bool | None:  # fmt: skip
    r"""``\frac{\partial f}{\partial x_i} = 2(A\mathbf x)_i``: the written side at every
    index value against the entries of the engine's verified gradient by the whole ``x``."""
    assert claim.function is not None
    var, names = entry
    function = _function_tree(claim.function, ctx.env)
    outcome = differentiate(function, var.name, ctx, "numerator", Budget(seconds))
    if not outcome.verified or outcome.values is None:
        return _undecided(_engine_reason(outcome))
    if outcome.kind != "gradient":
        return _undecided(f"entry: kind {outcome.kind}")
    f, right, _ = outcome.values
    if e.is_zero(right):
        return _undecided("zero")
    verdict, why = compare_entries(claim.claimed, f, right, var, names, ctx.env, ctx.einstein)
    if verdict is None:
        return _undecided(f"entry: {why}")
    if verdict:
        return True
    return _entry_finding(checked, claim, ctx, outcome, var, names)


def _check_jacobian_entry(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, seconds: float,
    entry: tuple[e.Var, tuple[str, ...]], output: OutputEntry,
) -> Finding | bool | None:  # fmt: skip
    r"""``\frac{\partial f_i}{\partial x_j} = a_{ij}``: the written side at every (i, j)
    against the entries of the verified Jacobian of the vector ``\mathbf f`` the document
    defines (:mod:`~texgrad.calculus.written_jacobians`)."""
    var, names = entry
    judged = judge(claim.claimed, output, var, names, ctx, seconds)
    if judged.verdict is None:
        return _undecided(judged.why)
    if judged.verdict:
        return True
    claimed = _source(checked, claim.claimed) or "this"
    of = _source(checked, claim.function) if claim.function is not None else ""
    by = _source(checked, claim.wrt) if claim.wrt is not None else var.name
    message = f"`{claimed}` is not the derivative of `{of}` with respect to `{by}`"
    if judged.found:
        message += f": texgrad finds `{judged.found}`, verified numerically at every index"
    else:
        where = f" (where {', '.join(judged.where)})" if judged.where else ""
        message += f": its entries differ from the Jacobian `{judged.jacobian}`{where}, "
        message += "verified numerically at every index"
    if judged.how:
        message += f" ({judged.how})"
    return Finding(claim, message, judged.found, claim.start, claim.end)


def _entry_finding(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, outcome: DiffOutcome,
    var: e.Var, names: tuple[str, ...],
) -> Finding:  # fmt: skip
    """The report of a wrong entry derivative, with the entry texgrad verified as its fix
    (where it prints one that agrees with the gradient at every index)."""
    assert outcome.values is not None and claim.wrt is not None
    right = outcome.values[1]
    if right.shape != var.shape and e.T(right).shape == var.shape:
        right = e.T(right)
    base = claim.wrt.base if isinstance(claim.wrt, t.Sub) else claim.wrt
    lower = isinstance(base, t.Symbol) and base.name != var.name
    lower = lower or lower_case_entries(claim.claimed, ctx.env)  # a_{ij} as the side writes
    try:
        spelled = _entry_spelling(base, var)
        style = ctx.style
        bare = _bare_spelling(checked.doc.text, claim.claimed, var.name) if spelled else None
        if bare is not None:  # \|\mathbf u\|^2 u_i: the vector bold, its entries not
            style = replace(style, symbols={**style.symbols, var.name: bare})
        found = component(right, var, names, style, ctx.env, lower, spelled=spelled)
        correct = found.entry if found.agrees else ""
    except _ERRORS:
        correct = ""
    claimed = _source(checked, claim.claimed) or "this"
    of = _source(checked, claim.function) if claim.function is not None else ""
    by = _source(checked, claim.wrt)
    message = f"`{claimed}` is not the derivative" + (f" of `{of}`" if of else "")
    message += f" with respect to `{by}`"
    where = f" (where {', '.join(outcome.where)})" if outcome.where else ""
    if correct:
        message += f": texgrad finds `{correct}`{where}, verified numerically at every index"
    else:
        message += f": its entries differ from the gradient `{outcome.result}`{where}, "
        message += "verified numerically"
    text = correct if not outcome.where else ""
    return Finding(claim, message, text, claim.start, claim.end)


def _entry_spelling(base: t.Node, var: e.Var) -> dict[str, str] | None:
    r"""The variable's entries spelled as the derivative writes them: ``a_k`` for
    ``\partial f/\partial a_i`` where the row writes ``\mathbf a`` elsewhere."""
    if not isinstance(base, t.Symbol) or base.font is not None or base.name != var.name:
        return None
    return {var.name: base.name}


def _bare_spelling(text: str, side: t.Node, name: str) -> str | None:
    """How ``side`` writes the variable ``name`` itself (not an entry of it), if it does."""
    bases = {id(n.base) for n in side.walk() if isinstance(n, t.Sub)}
    for n in side.walk():
        if isinstance(n, (t.Symbol, t.Font)) and id(n) not in bases:
            key = symbol_key(n)
            if key is not None and key[0] == name and 0 <= n.start < n.end <= len(text):
                return text[n.start : n.end]
    return None


def _engine_reason(outcome: DiffOutcome) -> str:
    """The engine's refusal (the corpus measure counts its first words: :func:`_short`)."""
    return "engine: " + (outcome.error or "not verified")


def _short(why: str) -> str:
    """A reason as :attr:`Tally.reasons` counts it: an engine's refusal by its first words
    (a sum's by its first five, as said), a written side not evaluated without where."""
    if why.startswith("written side not evaluated"):
        return "written side not evaluated"
    if why.startswith(_NEVER_REPORTED):  # (without the letters never declared)
        return _NEVER_REPORTED
    if why.startswith("sum: "):
        return "sum: " + " ".join(why.removeprefix("sum: ").split()[:5])
    if not why.startswith("engine: "):
        return why
    said = re.sub(r"`[^`]*`", "`…`", why.removeprefix("engine: "))
    return "engine: " + " ".join(said.split()[:7])


_SHAPE_TROUBLE = (
    "shape of", "cannot multiply", "needs a square", "cannot add", "raises a", "needs a scalar",
)  # fmt: skip


def _unbraced(written: str) -> str:
    r"""A letter as quoted: ``{w}`` without its braces, ``\mathbf{w}`` whole."""
    written = written.strip()
    if written.startswith("{") and written.endswith("}"):
        written = written[1:-1].strip()
    return written


def _never_reported(checked: CheckResult, trees: tuple[t.Node, ...], env: Env) -> str:
    r""":data:`_NEVER_REPORTED`, with the letters the document never declares (as written:
    ``t`` of ``\frac{\mathrm d}{\mathrm dt}\log(1 + e^t)``), for the user to declare."""
    from texgrad.shapes.dims import dim_text
    from texgrad.shapes.questions import dimension_names

    text = checked.doc.text
    letters: list[str] = []
    keys: set[str] = set()
    # a size (B of ℝ^{B×D}, a number in \frac1B) and a summation index (i of \sum_{i=1}^B)
    # are not letters to declare: suggesting `B \in \mathbb{R}^{n \times n}` would mislead
    sizes = {dim_text(d) for d in dimension_names(checked.table)}
    for tree in trees:
        bound = _summation_indices(tree)
        for node in _letters_written(tree):
            key = symbol_key(node)
            leaf = _leaf(node)
            if key is None or not isinstance(leaf, t.Symbol) or leaf.name in _NOT_TYPED:
                continue
            if isinstance(node, t.Symbol) and (node.name in sizes or node.name in bound):
                continue
            if key[0] in env.vars or key[0] in env.functions or not leaf.name[-1:].isalpha():
                continue
            written = text[node.start : node.end] if 0 <= node.start < node.end <= len(text) else ""
            written = _unbraced(written)
            if written and key[0] not in keys and len(written) <= 24:
                keys.add(key[0])
                # the loss itself (L of ∂L/∂V, a bare letter differentiated): a number, unless
                # written as a vector is (the solution \mathbf x^\star of d\mathbf x^\star/d\lambda)
                alone = node is trees[0] and not (key[1] in _BOLD and not is_capital(key[0]))
                letters.append(
                    written + (_used_as(checked, node) or ("\t\\mathbb{R}" if alone else ""))
                )
    return f"{_NEVER_REPORTED}: " + ", ".join(letters[:3]) if letters else _NEVER_REPORTED


_BOLD = frozenset({"mathbf", "boldsymbol", "bm", "vec"})


def _summation_indices(tree: t.Node) -> set[str]:
    r"""The letters a big operator of ``tree`` binds: ``i`` of ``\sum_{i=1}^{B}``, ``\sum_i``."""
    out: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, t.BigOp) and node.lower is not None:
            lower: t.Node | None = node.lower
            if isinstance(lower, t.Chain) and lower.items and lower.relations[:1] == ("=",):
                lower = lower.items[0]  # i of i = 1
            if isinstance(lower, t.Symbol):
                out.add(lower.name)
        stack.extend(node.children())
    return out


def _letters_written(tree: t.Node) -> list[t.Node]:
    r"""The letters of ``tree`` in order: symbols, letters in a font, and subscripted names
    whole (``\mathbf v_j``, ``\mathbf x^\star``: not the index ``j`` or the mark ``\star``,
    which no one declares)."""
    out: list[t.Node] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (t.Sub, t.Tagged)) and not node.from_macro and symbol_key(node):
            if isinstance(_leaf(node), t.Symbol):
                out.append(node)
                continue
        if isinstance(node, (t.Symbol, t.Font)) and not node.from_macro:
            out.append(node)
            continue
        stack.extend(reversed(list(node.children())))
    return out


def _leaf(node: t.Node) -> t.Node | None:
    """The letter of a symbol, of a letter in a font, or of a subscripted or marked one."""
    if isinstance(node, (t.Sub, t.Tagged)):
        node = node.base
    return node.body if isinstance(node, t.Font) else node


def _used_as(checked: CheckResult, node: t.Node) -> str:
    r"""``\t\mathbb{R}^{p}``: the space the checker inferred of an undeclared letter from its
    use (``Xeta`` with X n×p), after a tab, for the suggested declaration; else ''."""
    from texgrad.calculus.evidence import inferred_use

    try:
        found = inferred_use(checked, node)
    except Exception:  # noqa: BLE001 - a suggestion is a help, never a failure
        return ""
    return "" if found is None else "\t" + found[1]


def _shape_trouble(error: str) -> bool:
    return any(m in error for m in _SHAPE_TROUBLE)


def _retype(outcome: DiffOutcome) -> bool:
    """Whether to read the claim again with its symbols typed by their letters: the shapes
    the document gives them do not fit it (another section's ``\\mathbf a`` a number makes
    ``\\partial \\mathbf x^T \\mathbf a / \\partial \\mathbf x`` a matrix), or the engine's
    result under them is not verified."""
    if not outcome.verified:
        return outcome.error is None or _shape_trouble(outcome.error)
    return outcome.kind not in ("gradient", "jacobian", "derivative", "hessian")


def _typed_locally(
    ctx: Context, trees: tuple[t.Node, ...], wrt: str, said: set[str], scalars: bool = False
) -> tuple[Context, bool] | None:
    """The context with the claim's symbols typed by their letters, all of one size n (the
    Cookbook's identities hold for any sizes that fit, so for square ones): a bold or
    capital letter a matrix n×n, a bold small letter a vector of n, other small letters
    numbers (with ``scalars``: small letters nothing declares are numbers too, and those
    declared keep their kind, a number, a vector or a matrix, of size n); what the
    document says of symmetry kept.  None if nothing was typed anew; else the context and
    whether the document declared none of the symbols typed."""
    n = sympy.Symbol("n", positive=True, integer=True)
    env = ctx.env
    vars_ = dict(env.vars)
    functions = dict(env.functions)
    typed = False
    undeclared = True
    for tree in trees:
        for node in tree.walk():
            if not isinstance(node, (t.Symbol, t.Font)):
                continue
            key = symbol_key(node)
            leaf = node.body if isinstance(node, t.Font) else node
            if key is None or not isinstance(leaf, t.Symbol):
                continue
            letter = leaf.name.lstrip("\\")
            bold = (key[1] or "") in ("mathbf", "bm", "boldsymbol", "mathbfit", "bf")
            if not letter or not letter[0].isalpha():
                continue
            if leaf.name in _NOT_TYPED and not (bold and leaf.name in ("d", "e")):
                continue  # \mathbf{d}, \mathbf{e}: vectors, not the differential or e
            if (key[0] in env.numbers and not bold) or (key[1] or "") in _NOT_SHAPED:
                continue
            fdef = functions.get(key[0])
            if fdef is not None and not bold and not (scalars and not fdef.params):
                continue
            if fdef is not None:  # another section's `c = …`: not this identity's bold c
                del functions[key[0]]
                undeclared = False
            if letter[0].isupper():
                shape = Shape(n, n)
            elif bold:
                shape = Shape(n, ONE)
            elif scalars and key[0] not in vars_ and not key[1]:
                shape = Shape(ONE, ONE)
            elif scalars and key[0] in vars_:  # declared: its kind kept, its sizes all n
                was = vars_[key[0]].shape
                shape = Shape(ONE if was.rows == ONE else n, ONE if was.cols == ONE else n)
            else:
                continue
            old = vars_.get(key[0])
            undeclared = undeclared and key[0] not in env.vars
            vars_[key[0]] = VarInfo(
                key[0], shape, old.latex if old else key[0],
                bool(
                    shape.rows == shape.cols
                    and ((old and old.symmetric) or key[0] in said or "\\Sigma" in key[0])
                ),
                bool(old and old.positive_definite and shape.rows == shape.cols),
            )  # fmt: skip
            typed = True
    if not typed or wrt not in vars_:
        return None
    numbers = {k for k in env.numbers if k not in vars_}
    vars_.pop("I", None)  # the identity, as in every identity (not another section's I)
    local = Env(vars_, functions, env.softmax_columns, numbers, set(env.weak))
    return Context(local, ctx.style, ctx.einstein), undeclared


_NOT_SHAPED = ("mathbb", "mathcal", "mathrm")
_NOT_TYPED = frozenset(("\\mathrm", "d", "e", "I", "O", "E", "\\pi", "\\infty", "\\partial"))


def _guessed(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, layout: list[Statement] | None,
    outcome: DiffOutcome, wrt: str, report: bool,
) -> Finding | bool | None:  # fmt: skip
    """A claim checked with its symbols typed by their letters.  Reported only with
    ``report``: where the document declares none of them (a cheat sheet, the Cookbook);
    where it declares them otherwise (another section's ``X``), what differs is kept in
    :data:`GUESSED` for the corpus measure to read, and the claim is undecided."""
    assert outcome.values is not None
    f, right, _ = outcome.values
    if outcome.kind not in ("gradient", "jacobian", "derivative", "hessian") or e.is_zero(right):
        return _undecided("guessed: kind or zero")
    accepted = _accepted(checked, claim, outcome.kind, ctx.env.vars[wrt], layout)
    general = _general(f, wrt, ctx.env) if outcome.kind == "gradient" else None
    verdict = _compare(checked, claim.claimed, f, right, ctx.env, accepted, {}, general=general)
    if verdict is False and report:
        return _finding(
            checked, claim, outcome, wrt, fix="plain" in accepted, ctx=ctx, forms=accepted
        )
    if verdict is False and len(GUESSED) < 1000:
        GUESSED.append((claim, outcome.result))
    return True if verdict is True else _undecided(f"guessed: {verdict}")


GUESSED: list[tuple[WrittenDerivative, str]] = []  # differing under guessed shapes (benchmarks)


def _check_differential(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, seconds: float,
    said: set[str] | None = None,
) -> Finding | bool | None:  # fmt: skip
    r"""``\mathrm d f = \operatorname{tr}(G^\top \mathrm dX)``: the variable is the one whose
    differential the right side holds, the function ``f`` as the document defines it."""
    env = ctx.env
    body = _differentiated(claim.derivative)
    claimed = _with_differentials(claim.claimed)
    if body is None:
        return _undecided("differential: no body")
    dvars = {
        k[0]
        for n in claimed.walk()
        if isinstance(n, t.Differential) and n.body is not None
        for k in [
            symbol_key(_untransposed(_vec_of(n.body) or n.body))
        ]  # \mathrm dX^\top: (dX)ᵀ, by X
        if k is not None
    }
    if _d_of_first_factor(claim.derivative, dvars):
        return _undecided("differential: d x^T A x may be (dx)^T A x")
    derived = _named_differentials(dvars, ctx, seconds) if len(dvars) > 1 else {}
    dvars -= {k[2:] for k in derived}  # df = tr(R^T dR) + λ tr(W^T dW), R = XW - Y: by W
    function = _function_tree(body, env)
    if len(dvars) in (2, 3):  # ∂(XY) = (∂X)Y + X(∂Y)
        wrts = tuple(sorted(dvars))
        return _differential_guessed(checked, claim, claimed, function, ctx, wrts, seconds, said)
    if len(dvars) != 1:
        return _undecided(f"differential: {len(dvars)} variables")
    wrt = dvars.pop()
    if function is body and symbol_key(body) is not None:
        return _undecided("differential: an undefined name")
    named = wrt not in env.vars
    if named:  # dL = (o - y)^T W_2 da of a name a the document defines
        ctx = _intermediate(ctx, wrt)
        env = ctx.env
        function = _function_tree(body, env)
    if wrt in env.vars:
        outcome = differentiate(function, wrt, ctx, "numerator", Budget(seconds))
    else:
        outcome = DiffOutcome(error=f"the shape of `{wrt}` is unknown")
    if named and (outcome.error or "").startswith("the expression does not involve"):
        name = next(  # df = tr(dR^T C R) with R = AX - B, f written in X: not in R
            (_source(checked, n) for n in claim.claimed.walk()
             if (k := symbol_key(n)) is not None and k[0] == wrt),
            "",
        )  # fmt: skip
        return _undecided(f"differential: by a name: `{name}`" if name else "zero")
    if not outcome.verified and _retype(outcome):
        return _differential_guessed(checked, claim, claimed, function, ctx, (wrt,), seconds, said)
    if not outcome.verified or outcome.values is None:
        return _undecided(_engine_reason(outcome))
    f, gradient, df = outcome.values
    info = env.vars[wrt]
    direction = {"d:" + wrt: info.shape}
    general = _general(f, wrt, env) if outcome.kind == "gradient" else None
    verdict = _compare(
        checked, claimed, f, df, env, ("plain",), direction, lower=False, general=general,
        gradient=gradient, derived=derived,
    )  # fmt: skip
    if verdict is not False:
        return verdict
    return _finding(checked, claim, outcome, wrt, differential=True, ctx=ctx)


def _named_differentials(dvars: set[str], ctx: Context, seconds: float) -> dict[str, Expr]:
    r"""``\mathrm dR`` of a name the document defines in the one variable whose differential
    the side also writes (``R = XW - Y`` beside ``\mathrm dW``): the engine's differential of
    R's definition (``X\,\mathrm dW``), by its value key (``d:R``); {} where any name of
    ``dvars`` is not such."""
    env = ctx.env
    variables = [k for k in dvars if k in env.vars]
    if len(variables) != 1:
        return {}
    out: dict[str, Expr] = {}
    for name in dvars - set(variables):
        fdef = env.functions.get(name)
        if fdef is None or fdef.params:
            return {}
        outcome = differentiate(fdef.body, variables[0], ctx, "numerator", Budget(seconds / 4))
        if not outcome.verified or outcome.values is None:
            return {}
        out["d:" + name] = outcome.values[2]
    return out


def _differential_guessed(
    checked: CheckResult, claim: WrittenDerivative, claimed: t.Node, function: t.Node,
    ctx: Context, wrts: tuple[str, ...], seconds: float, said: set[str] | None,
) -> bool | None:  # fmt: skip
    """A differential identity checked with its symbols typed by their letters (the
    Cookbook's ``\\partial(\\mathbf X^{-1}) = …``; with several variables the sum of the
    differentials by each, ``\\partial(\\mathbf{XY}) = (\\partial\\mathbf X)\\mathbf Y +
    \\mathbf X(\\partial\\mathbf Y)``): True where it holds, else silence (never reported:
    the shapes are guessed)."""
    if _ONLY_FINDINGS.get():
        return _undecided(_NEVER_REPORTED)
    parts: list[Expr] = []
    for loose in (False, True):  # then small letters numbers, declared ones of size n
        local = _typed_locally(ctx, (function, claimed), wrts[0], said or set(), scalars=loose)
        if local is None or any(w not in local[0].env.vars for w in wrts):
            continue
        env = local[0].env
        parts.clear()
        for wrt in wrts:
            budget = Budget(seconds / len(wrts) / 2)
            outcome = differentiate(function, wrt, local[0], "numerator", budget)
            if not outcome.verified or outcome.values is None:
                break
            f, _, df = outcome.values
            parts.append(df)
        if len(parts) == len(wrts):
            break
    if not parts or len(parts) != len(wrts):
        return _undecided("differential: nothing to type" if not parts else "guessed: refused")
    direction = {"d:" + w: env.vars[w].shape for w in wrts}
    verdict = _compare(checked, claimed, f, e.add(*parts), env, ("plain",), direction, lower=False)
    if verdict is False and len(GUESSED) < 1000:
        GUESSED.append((claim, outcome.differential))
    return True if verdict is True else _undecided(f"guessed: {verdict}")


def _differentiated(side: t.Node) -> t.Node | None:
    """F of ``\\mathrm d F``."""
    if isinstance(side, t.Differential):
        return side.body
    if isinstance(side, t.Product) and len(side.factors) == 2:
        return side.factors[1]
    if isinstance(side, t.Product) and len(side.factors) > 2:  # d x^T A x: of the product
        rest = side.factors[1:]
        return t.Product(rest, start=rest[0].start, end=rest[-1].end)
    return None


def _d_of_first_factor(side: t.Node, dvars: set[str]) -> bool:
    """``\\mathrm d\\mathbf x^\\top A\\mathbf x`` beside a right side holding ``\\mathrm d\\mathbf x``:
    it may be ``(\\mathrm d\\mathbf x)^\\top A\\mathbf x``, a term, not the differential of the
    product (read so only where the right side's differential is of another letter)."""
    if not (isinstance(side, t.Product) and len(side.factors) > 2):
        return False
    lead = side.factors[1]
    lead = lead.base if isinstance(lead, t.Transpose) else lead
    key = symbol_key(lead)
    return key is None or key[0] in dvars


def _forms(g: Array, accepted: tuple[str, ...]) -> Iterator[Array]:
    for form in accepted:
        if form == "plain":
            yield g
        elif form == "transpose":
            yield g.T
        elif form == "structured" and g.shape[0] == g.shape[1]:
            yield g + g.T - np.diag(np.diag(g))  # the Cookbook's ∂f/∂X for a symmetric X
            yield g.T


def _agrees(w: Array, g: Array, accepted: tuple[str, ...]) -> bool:
    """``w`` is ``g`` in an accepted form; for a symmetric variable (``structured``
    accepted), any ``w`` with the symmetric part of ``g``: tr(Wᵀ dX) = tr(Gᵀ dX) for every
    symmetric dX (``2C^\top C A`` and ``A C^\top C + C^\top C A`` for a symmetric A)."""
    if any(_close(w, x) for x in _forms(g, accepted)):
        return True
    return (
        "structured" in accepted
        and w.shape == g.shape
        and w.ndim == 2
        and w.shape[0] == w.shape[1]
        and _close(w + w.T, g + g.T)
    )


def _close(a: Array, b: Array, tol: float = 1e-5) -> bool:
    if a.shape != b.shape:
        return False
    scale = max(1.0, float(np.abs(b).max(initial=0.0)), float(np.abs(a).max(initial=0.0)))
    return bool(np.allclose(a, b, rtol=tol, atol=tol * scale))


def _compare(
    checked: CheckResult,
    claimed: t.Node,
    f: Expr,
    right: Expr,
    env: Env,
    accepted: tuple[str, ...],
    extra: dict[str, Shape],
    lower: bool = True,
    general: str | None = None,
    gradient: Expr | None = None,
    derived: dict[str, Expr] | None = None,
) -> bool | None:
    """True: the written side agrees with ``right`` (in an accepted form) at a point;
    False: it differs at :data:`POINTS` points or more and at none agrees; None: undecided.

    ``general``: a variable sampled positive definite for ``f``'s domain that the document
    does not say is symmetric: it is also given a skew part (``X^{-1}`` and ``X^{-\\top}``
    differ then), at points where the engine's gradient matches central differences."""
    written: Expr | None = None
    letters = {x.name for x in f.walk() if isinstance(x, e.Var)} | set(extra)
    env = rebound(checked.rows, checked.path, claimed.start, claimed, letters, env)
    if lower:
        try:
            written = Lowerer(env).lower(claimed)
        except _ERRORS:
            written = None
    read = _shapes(claimed, (f, right, written), env, extra)
    if read is None:
        return _undecided("written side uses a symbol f has not")
    shapes, defined = read
    for x in (n for d in (derived or {}).values() for n in d.walk()):
        if isinstance(x, e.Var) and not x.name.startswith("d:"):
            shapes.setdefault(x.name, x.shape)  # (what dR of R = XW - Y is written in)
    sums = {k: kind for k, kind in stated_sums(checked.doc.text) if k in shapes and k in env.vars}
    points = _Points(
        claimed,
        f,
        right,
        written,
        env,
        shapes,
        extra,
        general,
        defined,
        gradient,
        sums,
        derived=derived or {},
    )
    differ = 0
    for attempt in range(TRIES):
        checkpoint()  # (the document's deadline)
        got = points.at(attempt)
        if got is None:
            continue
        g, w, mine = got
        if _agrees(w, g, accepted):
            return True
        if mine is not None and _agrees(mine, g, accepted):
            return _undecided("readers disagree")  # of the written side: undecided
        differ += 1
        if differ == POINTS:
            return False
    if differ == 0:
        return _undecided("written side not evaluated" + _failure(checked, points.failures))
    return _undecided("differs at too few")


def _failure(checked: CheckResult, failures: list[tuple[t.Node | None, str]]) -> str:
    """``: at `…`, why`` where the written side failed at one place at every point it was
    tried (factors whose shapes do not agree, a letter with no value), in the document's
    words: the sizes drawn at random are not said."""
    places = {(n.start, n.end) if n is not None else None for n, _ in failures}
    node, message = failures[0] if failures else (None, "")
    if len(failures) < 2 or len(places) != 1 or node is None:
        return ""
    message = message.split(" in `")[0]
    if message.startswith("cannot multiply"):
        message = "the shapes of its factors do not agree"
    elif message.startswith("cannot add"):
        message = "the shapes of its terms do not agree"
    elif any(ch.isdigit() for ch in message) or len({m for _, m in failures}) != 1:
        return ""
    where = _source(checked, node)
    return f": at `{where}`, {message}" if where and len(where) <= 60 else f": {message}"


def _shapes(
    claimed: t.Node, exprs: tuple[Expr | None, ...], env: Env, extra: dict[str, Shape]
) -> tuple[dict[str, Shape], list[str]] | None:
    """The shape of every symbol to sample, and the names the written side uses that the
    document defines (evaluated from their definitions, in order); None where the written
    side uses a declared symbol the function does not have (a name the prose gives a part
    of it, ``\\mu`` for ``b'(X\\beta)``: no reading of it to compare)."""
    shapes: dict[str, Shape] = dict(extra)
    for x in (n for g in exprs[:2] if g is not None for n in g.walk()):
        if isinstance(x, e.Var):
            shapes[x.name] = x.shape
    known = set(shapes)
    defined: list[str] = []
    pending = [claimed]
    while pending:
        node = pending.pop()
        for k in _symbols_in(node, env, known):
            if k[0] in known:
                continue
            fdef = env.functions.get(k[0])
            if fdef is not None and not fdef.params and len(defined) < 8:
                known.add(k[0])
                defined.insert(0, k[0])
                pending.append(fdef.body)
            elif k[0] in env.vars:
                if node is claimed:
                    return None
                shapes[k[0]] = env.vars[k[0]].shape
                known.add(k[0])
    return shapes, defined


def _symbols_in(node: t.Node, env: Env, known: set[str]) -> Iterator[tuple[str, str | None]]:
    r"""The keys of the symbols ``node`` writes, in source order: ``G_Z`` whole where
    it is a symbol of its own (known, declared or defined), not also the ``G`` it is written
    with (a declared ``G`` is another symbol)."""
    stack = [node]
    while stack:
        sub = stack.pop()
        named = power_name(sub)
        if named is not None and named in env.functions:
            yield named, None  # \sigma^2 = …: a name of its own (not σ, squared)
            continue
        k = symbol_key(sub)
        if k is not None:
            yield k
            own = k[0] in known or k[0] in env.vars or k[0] in env.functions
            if isinstance(sub, t.Sub) and own:
                continue  # (its base and index are part of its name)
            base = symbol_key(sub.base) if isinstance(sub, t.Tagged) and own else None
            if base is not None and base[0] in env.vars:
                continue  # (W^{(2)} is no use of a declared W: another symbol)
        kids = list(sub.children())
        kids.reverse()
        stack.extend(kids)


_SIZE_KEY = re.compile(r"^(\\?[A-Za-z]+)_(\w+)$")  # a size's name d_k, keyed d_{k} in a tree


@dataclass
class _Points:
    """The engine's result, the written side as the tree evaluator reads it, and as the
    engine reads it, at random points."""

    claimed: t.Node
    f: Expr
    right: Expr
    written: Expr | None
    env: Env
    shapes: dict[str, Shape]
    extra: dict[str, Shape]
    general: str | None
    defined: list[str]  # names the written side uses, evaluated from their definitions
    gradient: Expr | None = None  # the gradient, where ``right`` is a differential
    sums: dict[str, str] = field(default_factory=dict)  # one-hot or simplex vectors
    # the differentials of names the written side writes (d:R of R = XW - Y), as the engine's
    derived: dict[str, Expr] = field(default_factory=dict)
    # why the written side could not be evaluated at each point it failed at: (node, message)
    failures: list[tuple[t.Node | None, str]] = field(default_factory=list)

    def at(self, attempt: int) -> tuple[Array, Array, Array | None] | None:
        env, shapes = self.env, self.shapes
        pd, pos, sym = _domain(self.f, env)
        labels = {k: env.vars[k].values for k in shapes if k in env.vars and env.vars[k].values}
        functions = Defined(env.functions)  # (read as asked: see Defined)
        rng = np.random.default_rng(4200 + attempt)
        try:
            values, sizes = sample_inputs(
                {k: s for k, s in shapes.items() if k not in self.extra},
                positive_definite=pd & set(shapes), positive=pos & set(shapes),
                symmetric=sym & set(shapes), labels=labels or None, rng=rng,
            )  # fmt: skip
            for k, s in self.extra.items():
                values[k] = rng.standard_normal((_size(s.rows, sizes), _size(s.cols, sizes)))
            if self.general is not None:
                gradient = self.gradient if self.gradient is not None else self.right
                _skewed(values, self.general, self.f, gradient, sizes, rng)
            resample(values, self.sums, rng)  # one-hot labels, distributions
            at: dict[str, Array] = dict(values)
            for name, size in sizes.items():
                at.setdefault(name, np.array([[float(size)]]))
                at.setdefault(_SIZE_KEY.sub(r"\1_{\2}", name), at[name])  # √d_k: d_{k}
            if len(set(sizes.values())) == 1 and "I" not in env.vars:  # one size: I is n×n
                at.setdefault("I", np.eye(next(iter(sizes.values()))))
            with np.errstate(all="raise"):
                for name in self.defined:
                    at[name] = evaluate_tree(env.functions[name].body, at, functions)
                for key, value in self.derived.items():
                    at[key] = np.asarray(evaluate(value, values, sizes), dtype=float)
                g = np.asarray(evaluate(self.right, values, sizes), dtype=float)
                if (
                    "I" not in at
                    and g.shape[0] == g.shape[1] > 1
                    and _scaled_identity(self.claimed)
                ):
                    at["I"] = np.eye(g.shape[0])  # ∂K/∂σ = 2σI: I has the derivative's size
                try:
                    w = np.asarray(evaluate_tree(self.claimed, at, functions), dtype=float)
                except EvaluationError as exc:
                    self.failures.append((exc.node, exc.message))
                    raise
                mine = (
                    np.asarray(evaluate(self.written, values, sizes), dtype=float)
                    if self.written is not None else None
                )  # fmt: skip
        except _ERRORS:
            return None
        if not np.all(np.isfinite(g)) or not np.all(np.isfinite(w)):
            return None
        return g, w, mine


def _scaled_identity(node: t.Node) -> bool:
    r"""``2\sigma I``, ``-I``: the identity alone, scaled (its size is then the whole
    claim's, which nothing else in it says)."""
    while isinstance(node, t.Neg):
        node = node.operand
    if isinstance(node, t.Product) and node.factors:
        *scale, node = node.factors
        if any(isinstance(n, t.Symbol) and n.name == "I" for f in scale for n in f.walk()):
            return False
    return isinstance(node, t.Symbol) and node.name == "I" and node.font is None


def _accepted(
    checked: CheckResult,
    claim: WrittenDerivative,
    kind: str,
    info: VarInfo,
    layout: list[Statement] | None,
) -> tuple[str, ...]:
    """The forms a claim's right side may take: its kind, the variable's shape and symmetry,
    and the layouts in force where it stands."""
    return accepted_forms(
        kind,
        info.shape,
        info.symmetric,
        layouts_at(checked.doc.text, claim, layout),
        nabla=claim.form == "nabla",
        named_jacobian=claim.form == "jacobian",
        frechet=t.frechet(claim.derivative) is not None,
        entries=entries_arranged(claim.derivative),
    )


_ENTIRE = frozenset({"exp", "sin", "cos"})  # matrix functions of any square matrix


def _general(f: Expr, wrt: str, env: Env) -> str | None:
    r"""The variable, if its sampling for ``f``'s domain makes it symmetric though the document
    does not declare it so and only a determinant, an inverse or a matrix function defined
    for every square matrix (``e^X``, ``\sin X``, ``\cos X``) needs that domain: a symmetric
    sample would hide a transpose (``e^X`` for ``\partial\operatorname{tr}(e^X)/\partial X
    = e^{X^\top}``)."""
    info = env.vars[wrt]
    if info.symmetric or info.positive_definite:
        return None
    pd, _, _ = _domain(f, env)
    if wrt not in pd:
        return None
    for x in f.walk():
        entire = isinstance(x, e.MatFn) and x.fn in _ENTIRE
        if isinstance(x, e.MatFn) and not entire or isinstance(x, e.Pow) and not x.exp.is_integer:
            return None
    return wrt


def _skewed(
    values: dict[str, Array], wrt: str, f: Expr, right: Expr, sizes: dict[str, int],
    rng: np.random.Generator,
) -> None:  # fmt: skip
    """Give ``wrt`` a skew part (its determinant stays positive: a positive definite matrix
    plus a skew one), where the engine's gradient still matches central differences."""
    x = values[wrt]
    k = rng.standard_normal(x.shape)
    values[wrt] = x + (k - k.T) * (0.5 * x.shape[0] ** 0.5)

    def value(point: dict[str, Any]) -> float:
        return float(np.asarray(evaluate(f, point, sizes)).reshape(()))

    fd = finite_difference_gradient(value, values, wrt)
    if not _close(np.asarray(evaluate(right, values, sizes), dtype=float), fd, 1e-4):
        values[wrt] = x  # (not expected: the engine's result is general)


def _size(d: object, sizes: dict[str, int]) -> int:
    if isinstance(d, int):
        return d
    free: set[Any] = getattr(d, "free_symbols", set())
    return int(d.subs({x: sizes[x.name] for x in free}))  # type: ignore[attr-defined]


def _untransposed(node: t.Node) -> t.Node:
    """``X`` of ``X^\top``; any other node itself."""
    return node.base if isinstance(node, t.Transpose) and node.base is not None else node


def _with_differentials(node: t.Node) -> t.Node:
    r"""The tree with ``\mathrm d X`` in a product made a :class:`~t.Differential` of X."""
    changes: dict[str, object] = {}
    for fld in fields(node):
        if fld.name in ("start", "end", "from_macro", "span"):
            continue
        v = getattr(node, fld.name)
        if isinstance(v, t.Node):
            changes[fld.name] = _with_differentials(v)
        elif isinstance(v, tuple) and v and all(isinstance(x, t.Node) or x is None for x in v):
            changes[fld.name] = tuple(
                _with_differentials(x) if isinstance(x, t.Node) else x for x in v
            )
    if isinstance(node, t.Product):
        factors = list(changes.get("factors", node.factors))  # type: ignore[call-overload]
        out: list[t.Node] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            if is_d(f) and i + 1 < len(factors):
                nxt = factors[i + 1]
                # (\mathrm d\operatorname{vec}X unbraced: d beside vec X, read as \mathrm{d})
                out.append(_vec_differential(t.Differential(nxt, start=f.start, end=nxt.end)))
                i += 2
                continue
            out.append(f)
            i += 1
        if len(out) == 1:
            return out[0]
        changes["factors"] = tuple(out)
    if isinstance(node, t.Differential):
        vec = _vec_differential(node)
        if vec is not node:
            return vec
    return replace(node, **changes)  # type: ignore[arg-type]


def _vec_differential(node: t.Differential) -> t.Node:
    r"""``\mathrm d\operatorname{vec}X`` as ``\operatorname{vec}(\mathrm dX)``; any other
    differential itself."""
    matrix = _vec_of(node.body) if node.body is not None else None
    if matrix is None:
        return node
    vec = t.Func(name="vec", start=node.start, end=node.start)
    inner = t.Differential(matrix, start=node.start, end=node.end)
    return t.Apply(vec, (inner,), start=node.start, end=node.end)


# -- the report -----------------------------------------------------------------------------


def _source(checked: CheckResult, node: t.Node) -> str:
    """The document's own source of ``node`` (outer parentheses dropped), "" if it has none."""
    text = checked.doc.text
    if isinstance(node, t.Paren) and node.body is not None and node.open in ("(", "\\left("):
        node = node.body
    if not 0 <= node.start < node.end <= len(text):
        return ""
    written = " ".join(text[node.start : node.end].split())
    if written.startswith("{") and balanced_group(written, 0) == len(written):
        written = written[1:-1].strip()  # \nabla_{w}: the w, not its TeX group
    return written


def _cause(
    written: t.Node, correct: DiffOutcome, ctx: Context | None, transposed: bool = False
) -> Cause | None:
    """HOW the written derivative differs from the right one, where a simple cause explains
    it ("it is the transpose of the derivative", "a factor 2 is missing", …: the causes of
    :mod:`~texgrad.calculus.discrepancy`, each checked numerically); None where none does.
    ``transposed``: against the right one's transpose (a gradient written as a row)."""
    if ctx is None or correct.value is None:
        return None
    try:
        value = e.transpose(correct.value) if transposed else correct.value
        found = cause_as_written(
            value, written, ctx.env, ctx.style, where=correct.where, budget=Budget(2.0)
        )
        if found is None and correct.result and not transposed:  # (a slip on a name)
            found = cause_in_names(
                correct.result, written, ctx.env, ctx.style, where=correct.where,
                budget=Budget(2.0),
            )  # fmt: skip
    except (CalculusError, BudgetExceeded):
        return None
    return found


def _differential_cause(written: t.Node, correct: DiffOutcome, ctx: Context | None) -> str | None:
    r"""HOW a written differential differs from the right one (a factor, the sign,
    transposes misplaced: :mod:`~texgrad.calculus.discrepancy`'s causes), ``\mathrm dX``
    read as a direction of its own; None where no simple cause explains it."""
    found = _differential_cause_of(written, correct, ctx)
    return found.text.replace("derivative", "differential") if found is not None else None


def _differential_cause_of(
    written: t.Node, correct: DiffOutcome, ctx: Context | None
) -> Cause | None:
    """:func:`_differential_cause` as the cause found (its kind too)."""
    if ctx is None or correct.values is None:
        return None
    df = correct.values[2]
    try:
        wrote = Lowerer(ctx.env).lower(_with_differentials(written))
        for part in {x for x in df.walk() if isinstance(x, e.D)}:
            direction = e.var(f"\\mathrm{{d}}{latex(part.var, ctx.style)}", part.shape)
            df, wrote = replace_part(df, part, direction), replace_part(wrote, part, direction)
        if any(isinstance(x, e.D) for x in wrote.walk()):
            return None  # the differential of another variable
        return cause(df, wrote, ctx.env, ctx.style, budget=Budget(2.0))
    except (*_ERRORS, BudgetExceeded):
        return None


def _as_named(cause: str, checked: CheckResult, function: t.Node, ctx: Context) -> str:
    r"""The cause's text with the value of the name differentiated written as that name
    (``\mathbf s`` for ``\operatorname{softmax}(\mathbf z)`` where the document defines
    ``\mathbf s = \operatorname{softmax}(\mathbf z)`` and differentiates ``\mathbf s``)."""
    key = symbol_key(function) if isinstance(function, (t.Symbol, t.Font)) else None
    fdef = ctx.env.functions.get(key[0]) if key is not None else None
    if fdef is None or fdef.params:
        return cause
    try:
        value = latex(Lowerer(ctx.env).lower(fdef.body), ctx.style)
    except _ERRORS:
        return cause
    name = _source(checked, function)
    return cause.replace(value, name) if value and name else cause


_TERM_SAID = re.compile(r"the term `(.+?)` (?=has |lacks |should not)")


def _plain_d(claimed: t.Node) -> str | None:
    """``"d"`` where the claim writes its differential with a plain d (notes that write
    ``dX``: the fix spelled so), else None."""
    plain = (is_d(n) and isinstance(n, t.Symbol) and n.font is None for n in claimed.walk())
    return "d" if any(plain) else None


def _term_as_written(
    cause: str | None, checked: CheckResult, claimed: t.Node, ctx: Context | None
) -> str | None:
    r"""The cause's text quoting the claim's own term where it names one (``the term
    `-\frac12 \vy^\top K_\theta^{-1}\Phi\Phi^\top K_\theta^{-1}\vy` has the wrong sign``,
    not the engine's print of it, ``K_\theta`` expanded): the term of the written sum that
    prints as the one quoted."""
    m = _TERM_SAID.match(cause) if cause and ctx is not None else None
    if m is None or ctx is None or not isinstance(claimed, t.Add):
        return cause
    assert cause is not None
    for term, sign in zip(claimed.terms, claimed.signs, strict=False):
        try:
            value = Lowerer(ctx.env).lower(term)
            value = e.neg(value) if sign == "-" else value
            printed = latex(value, ctx.style)
        except _ERRORS:
            continue
        source = _source(checked, term)
        if printed == m[1] and source:
            written = f"-{source}" if sign == "-" else source
            return cause[: m.start(1)] + written + cause[m.end(1) :]
    return cause


def _what(form: str, shape: str) -> str:
    if form != "hessian":
        return "the derivative"
    return "the second derivative" if shape == "scalar" else "the Hessian"  # d²g/dt²


def _finding(
    checked: CheckResult, claim: WrittenDerivative, outcome: DiffOutcome, wrt: str,
    differential: bool = False, fix: bool = True, ctx: Context | None = None,
    forms: tuple[str, ...] = (),
) -> Finding:  # fmt: skip
    """The report: what is written, of what, and what texgrad finds (the quick fix's text
    where the engine's result is in the layout the document uses; else, with ``forms`` the
    layouts accepted, its transpose or its names expanded, printed and verified anew)."""
    claimed = _source(checked, claim.claimed) or "this"
    correct = outcome.differential if differential else outcome.result
    if differential and checked.doc.text.startswith("\\partial", claim.derivative.start):
        correct = re.sub(r"\\mathrm\{d\}(?=[\\A-Za-z({])", r"\\partial ", correct)  # ∂ as written
    spelling = None  # \mathrm dX where the row (else the document) writes it so
    if differential and not checked.doc.text.startswith("\\partial", claim.derivative.start):
        row = checked.doc.text[claim.row.start : claim.row.end]
        spelling = (
            differential_spelling(row) or macro_differential(row, checked.doc.text)
            or differential_spelling(checked.doc.text)
        )  # fmt: skip
        spelling = spelling or _plain_d(claim.claimed)
        correct = spelled_as(correct, spelling)
    where = f" (where {', '.join(outcome.where)})" if outcome.where else ""
    if differential:
        body = _differentiated(claim.derivative)
        of = _source(checked, body) if body is not None else ""
        message = f"`{claimed}` is not the differential" + (f" of `{of}`" if of else "")
    else:
        of = _source(checked, claim.function) if claim.function is not None else ""
        by = _source(checked, claim.wrt) if claim.wrt is not None else outcome.wrt or wrt
        what = _what(claim.form, outcome.shape)
        called = claim.function
        if claim.form == "jacobian" and isinstance(called, t.Apply):  # J_f(x): of f(x)
            what = "the Jacobian"
            args = ", ".join(_source(checked, a) for a in called.args)
            of = f"{_source(checked, called.func)}({args})" if args else of
        message = f"`{claimed}` is not {what}" + (f" of `{of}`" if of else "")
        message += f" with respect to `{by}`"
    text = correct if fix and not outcome.where else ""
    as_row = (  # 2\mathbf x^\top A for ∇(xᵀAx): a gradient written as a row, fixed as one
        fix and not differential and ctx is not None and "transpose" in forms
        and not outcome.where and _written_as_row(claim.claimed, outcome, ctx)
    )  # fmt: skip
    if (
        as_row
        and ctx is not None
        and (row_text := _fix_as_needed(outcome, ctx, wrt, "transpose", forms, _macros(checked)))
    ):
        correct = text = row_text
    else:
        as_row = False
    if not text and not differential and ctx is not None and forms:
        form = "plain" if fix else "transpose"
        text = _fix_as_needed(outcome, ctx, wrt, form, forms, _macros(checked))
    if not fix and not differential and text != correct:  # the document's layout is not
        # the engine's (where both print alike, diag(cos x), the message is the plain one)
        found = None
        if text:
            found = _cause(claim.claimed, outcome, ctx, transposed=True)  # against `text`
            how = found.text if found is not None else None
            if how == "it is the transpose of the derivative":
                how = None  # (said by "the derivative in the other layout")
            how = f"{_said_once(how, {text, correct})}; " if how else ""
            stated = (  # [∂h_j/∂x_i]: the arrangement its entries are written in decides
                "as its entries are arranged" if entries_arranged(claim.derivative)
                else "in the layout the document states"
            )  # fmt: skip
            message += (
                f" {stated}: it is `{text}`, verified numerically "
                f"({how}`{correct}`{where} is the derivative in the other layout)"
            )
        else:
            message += (
                f": texgrad finds `{correct}`{where}, verified numerically, in the other "
                "layout (the layout the document states needs its transpose)"
            )
        kind = _kind_of(found)
        edited = _as_written(checked, claim, outcome, ctx, wrt, "transpose", kind, found)
        message = _quoting(message, text, edited) if edited and text else message
        return Finding(claim, message, edited or text, claim.start, claim.end, kind)
    message += f": texgrad finds `{correct}`{where}, verified numerically"
    kind, found = "", None
    if differential:
        cause = _differential_cause(claim.claimed, outcome, ctx)
        cause = spelled_as(cause, spelling) if cause else cause
    else:
        found = _cause(claim.claimed, outcome, ctx, transposed=as_row)
        cause, kind = (found.text, _kind_of(found)) if found is not None else (None, "")
    if cause and ctx is not None and claim.function is not None:
        cause = _as_named(cause, checked, claim.function, ctx)
    cause = _term_as_written(cause, checked, claim.claimed, ctx)
    if cause:
        message += f" ({_said_once(cause, {correct, text})})"
    if not text:
        return Finding(claim, message, text, claim.start, claim.end, kind)
    if differential:  # the fix in the claim's own words where an edit of it holds
        edited = _differential_as_written(checked, claim, outcome, ctx, wrt)
    else:
        form = "transpose" if as_row else "plain"
        edited = _as_written(checked, claim, outcome, ctx, wrt, form, kind, found)
    # the message quotes the fix as it is spelled: the document's notation
    message, text = (_quoting(message, text, edited), edited) if edited else (message, text)
    return Finding(claim, message, text, claim.start, claim.end, kind)


def _quoting(message: str, engine: str, edited: str) -> str:
    """The message with the result it quotes (``engine``, as the engine prints it) spelled as
    the quick fix writes it (``edited``: an edit of the claim, verified), where it quotes it
    as what texgrad finds; the first place only (a cause after it quotes its own parts)."""
    if engine == edited:
        return message
    for said in (f"texgrad finds `{engine}`", f"it is `{engine}`"):
        at = message.find(said)
        if at >= 0:
            quoted = said.replace(f"`{engine}`", f"`{edited}`")
            return message[:at] + quoted + message[at + len(said) :]
    return message


def _differential_as_written(
    checked: CheckResult, claim: WrittenDerivative, outcome: DiffOutcome, ctx: Context | None,
    wrt: str,
) -> str:  # fmt: skip
    r"""The quick fix of a wrong differential as the claim's own text with its slip undone
    (``\det X\,\operatorname{tr}(X^{-1}\,\mathrm dX)`` for ``-\det X\,…``, not the engine's
    ``\det(X) \operatorname{tr}(X^{-1} \mathrm dX)``), each edit read back through the
    document's macros and verified as the claim is; "" where none holds."""
    if ctx is None or outcome.values is None or outcome.where:
        return ""
    f, gradient, df = outcome.values
    env = ctx.env
    found = _differential_cause_of(claim.claimed, outcome, ctx)
    if found is None:
        return ""
    table = _macros(checked)
    direction = {"d:" + wrt: env.vars[wrt].shape}

    def holds(candidate: str) -> bool:
        mapped, _ = expand(MappedText.identity(candidate), table)
        row = parse_row(mapped)
        if row.tree is None or row.error is not None:
            return False
        try:
            tree = _with_differentials(row.tree)
            return _holds(tree, f, df, env, wrt, "plain", outcome.kind, direction, gradient)
        except (*_ERRORS, BudgetExceeded):
            return False

    def is_scalar(node: t.Node) -> bool:
        try:
            return bool(Lowerer(env).lower(_with_differentials(node)).shape.is_scalar)
        except (*_ERRORS, BudgetExceeded):
            return False

    try:
        marks = transpose_macros({m.name: m.body for m in table.values() if not m.nargs})
        return fixed_as_written(
            checked.doc.text, claim.claimed, found.kind, holds, is_scalar, "", lambda n: False,
            (claim.row.start, claim.row.end), marks,
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - the fix in the claim's words is a help, never a failure
        return ""


def _as_written(
    checked: CheckResult, claim: WrittenDerivative, outcome: DiffOutcome, ctx: Context | None,
    wrt: str, form: str, kind: str, found: Cause | None,
) -> str:  # fmt: skip
    r"""The quick fix as the claim's own text with its slip undone (``(UV\T - M)\T U`` for
    ``U\T (UV\T - M)``: :mod:`~texgrad.calculus.written_fixes`), each edit read back
    through the document's macros and verified in ``form`` as :func:`_fix_as_needed` verifies
    the engine's; "" where no edit of the kind holds."""
    if ctx is None or outcome.values is None or outcome.where:
        return ""
    f, right, _ = outcome.values
    table = _macros(checked)
    env = ctx.env

    loss = symbol_key(claim.function) if claim.function is not None else None

    def holds(candidate: str) -> bool:
        mapped, _ = expand(MappedText.identity(candidate), table)
        row = parse_row(mapped)
        if row.tree is None or row.error is not None:
            return False
        tree = row.tree
        if loss is not None and ctx.style.symbols:  # (upstream gradients written inline)
            tree = stand_ins_again(tree, loss[0], ctx.style.symbols)
        try:
            return _holds(tree, f, right, env, wrt, form, outcome.kind)
        except (*_ERRORS, BudgetExceeded):
            return False

    def is_scalar(node: t.Node) -> bool:
        try:
            return bool(Lowerer(env).lower(node).shape.is_scalar)
        except (*_ERRORS, BudgetExceeded):
            return False

    def is_symmetric(node: t.Node) -> bool:
        key = symbol_key(node) if isinstance(node, (t.Symbol, t.Font)) else None
        info = env.vars.get(key[0]) if key is not None else None
        if info is not None:
            return info.symmetric
        try:  # (X^\top X)^{-1}, A + A^\top: its own transpose
            x = Lowerer(env).lower(node)
        except (*_ERRORS, BudgetExceeded):
            return False
        return not x.is_scalar and x.rows == x.cols and e.transpose(x) == x

    term = ""
    if kind == "missing-term" and found is not None and found.text.count("`") >= 2:
        term = found.text.split("`")[1]
    try:
        marks = transpose_macros({m.name: m.body for m in table.values() if not m.nargs})
        return fixed_as_written(
            checked.doc.text, claim.claimed, kind, holds, is_scalar, term, is_symmetric,
            (claim.row.start, claim.row.end), marks,
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - the fix in the claim's words is a help, never a failure
        return ""  # (the engine's result stays the fix; a job's Stopped is no Exception)


def _kind_of(found: Cause | None) -> str:
    """A cause's kind, told apart where a hedge needs it: "scaled" for a factor and the sign
    (-½ the result: not "up to sign"), "symmetric-scaled" for a factor off even for a
    symmetric matrix (not "up to symmetrising")."""
    if found is None:
        return ""
    if found.kind == "sign" and found.text != "the sign is wrong":
        return "scaled"
    if found.kind == "symmetric" and found.text.startswith("even for"):
        return "symmetric-scaled"
    return found.kind


_UNLESS = re.compile(r"it is `(.+)` unless (`[^`]+` is symmetric)")
_IN_GENERAL = re.compile(r"; in general the (?:derivative|differential) is `(.+)`")


def _said_once(cause: str, said: set[str]) -> str:
    """The cause without the result the message already gives (``said``): "they differ unless
    `A` is symmetric", not "it is `(A + A^\top) x` unless `A` is symmetric" after "texgrad
    finds `(A + A^\top) x`"."""
    m = _UNLESS.fullmatch(cause)
    if m is not None and m[1] in said:
        return f"they differ unless {m[2]}"
    m = _IN_GENERAL.search(cause)
    if m is not None and m.end() == len(cause) and m[1] in said:
        return cause[: m.start()]
    return cause


def _written_as_row(written: t.Node, outcome: DiffOutcome, ctx: Context) -> bool:
    """Whether the written side is a row (1×n) where the engine's result is a column."""
    if outcome.value is None:
        return False
    right = outcome.value.shape
    if right.cols != ONE or right.rows == ONE:
        return False
    try:
        shape = Lowerer(ctx.env).lower(written).shape
    except _ERRORS:
        return False
    return shape.rows == ONE and shape.cols == right.rows


def _fix_as_needed(
    outcome: DiffOutcome, ctx: Context, wrt: str, form: str, forms: tuple[str, ...],
    table: MacroTable | None = None,
) -> str:  # fmt: skip
    """The quick fix's text where the engine's printed result is not it: the result with
    its names expanded (``form`` "plain"), or transposed for the layout the document states
    ("transpose"), in the document's notation; "" unless the text, read back by the tree
    evaluator, is that form of the engine's result at :data:`POINTS` random points and
    differs at none."""
    if form not in forms or outcome.value is None or outcome.values is None:
        return ""
    f, right, _ = outcome.values
    try:
        value = outcome.value
        if form == "transpose":
            value = simplify(e.transpose(value), ctx.style, Budget(1.0))
        text = latex(value, ctx.style)
    except (*_ERRORS, BudgetExceeded):
        return ""
    # (read through the document's macros: the print keeps them, `2\bx\T`)
    mapped = expand(MappedText.identity(text), table)[0] if table else MappedText.identity(text)
    row = parse_row(mapped)
    if row.tree is None or row.error is not None:
        return ""
    tree = row.tree
    return text if _holds(tree, f, right, ctx.env, wrt, form, outcome.kind) else ""


def _holds(
    tree: t.Node, f: Expr, right: Expr, env: Env, wrt: str, form: str, kind: str,
    extra: dict[str, Shape] | None = None, gradient: Expr | None = None,
) -> bool:  # fmt: skip
    r"""Whether ``tree`` evaluates to ``right`` in ``form`` (exactly that one) at
    :data:`POINTS` random points, and nowhere to anything else.  ``extra``: the direction
    ``\mathrm dX`` of a differential (``right`` then the differential, ``gradient`` the
    gradient it is of)."""
    read = _shapes(tree, (f, right, None), env, extra or {})
    if read is None:
        return False
    general = _general(f, wrt, env) if kind == "gradient" else None
    points = _Points(tree, f, right, None, env, read[0], extra or {}, general, read[1], gradient)
    agree = 0
    for attempt in range(TRIES):
        checkpoint()
        got = points.at(attempt)
        if got is None:
            continue
        if not any(_close(got[1], x) for x in _forms(got[0], (form,))):
            return False
        agree += 1
    return agree >= POINTS


def diagnostics_of(checked: CheckResult, findings: list[Finding]) -> list[Diagnostic]:
    """The findings as diagnostics (code ``wrong-derivative``) with the quick fix that writes
    the correct result in place of the written side."""
    out = []
    for finding in findings:
        fixes: tuple[Fix, ...] = ()
        if finding.correct:
            fixes = (
                Fix(
                    f"Replace by the derivative texgrad verified: {finding.correct}",
                    checked.path, finding.start, finding.end, finding.correct,
                ),
            )  # fmt: skip
        out.append(
            Diagnostic(
                CODE,
                "information" if finding.denounced else "warning",  # (the text says so too)
                finding.message,
                checked.path,
                finding.start,
                finding.end,
                fixes=fixes,
            )  # fmt: skip
        )
    return out


# -- written entry by entry -----------------------------------------------------------------
#
# A gradient or a Hessian of a function of several numbers, written entry by entry:
# ``\nabla f = \begin{bmatrix} 2x_1x_2 \\ x_1^2 + 3 \end{bmatrix}`` for ``f(x_1, x_2) = x_1^2 x_2
# + 3x_2``, ``\nabla^2 g(x, y) = \begin{pmatrix} … & … \\ … & … \end{pmatrix}``.
#
# The claim is read as one claim per entry: the k-th entry of the gradient is ∂f/∂p_k (of the
# k-th parameter of f's definition), the (i, j) entry of the Hessian ∂²f/∂p_i∂p_j.  A gradient
# written as a column or as a row is the same list of entries (no layout decides), and the
# Hessian of a smooth function is symmetric (no orientation decides).  Each entry is verified
# as a written derivative is (:func:`~texgrad.calculus.written_derivatives._compare`: wrong at
# several random points, right at none); the first wrong entry is reported, quoting it.
#
# Only where every piece is certain: the function is defined with k ≥ 2 parameters, each a
# number (declared so, or declared nothing — the entries written one per parameter say it),
# called with those very parameters or not called; the matrix is k×1, 1×k (gradient) or k×k
# (Hessian), every entry written (no dots).  Anything else is not this claim (:data:`NOT_STACKED`:
# the ordinary check goes on).

NOT_STACKED = object()  # the claim is no gradient or Hessian written entry by entry

_ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix")


def parameters(function: t.Node | None, env: Env) -> tuple[str, ...] | None:
    """The parameters of ``f`` (``f``, or ``f(x_1, x_2)`` called with its own parameters)
    the document defines with two or more, each a number or undeclared; else None."""
    if function is None:
        return None
    head = function.func if isinstance(function, t.Apply) else function
    if isinstance(head, t.Func):
        return None
    key = symbol_key(head)
    fdef = env.functions.get(key[0]) if key is not None else None
    if fdef is None or len(fdef.params) < 2 or len(set(fdef.params)) != len(fdef.params):
        return None
    if isinstance(function, t.Apply):
        args = [symbol_key(a) for a in function.args]
        if [a[0] if a is not None else None for a in args] != list(fdef.params):
            return None
    for p in fdef.params:
        info = env.vars.get(p)
        if info is not None and not info.shape.is_scalar:
            return None
        if info is None and not _A_NUMBER.fullmatch(p):
            return None  # an undeclared capital letter: maybe a matrix
    fonts = {k for n in fdef.body.walk() if (k := symbol_key(n)) is not None and k[1]}
    if any(k[0] in fdef.params and k[0] not in env.vars for k in fonts):
        return None  # an undeclared bold letter (\mathbf x): maybe a vector
    return fdef.params


# an undeclared letter that is a number by its look: x, x_{1}, \theta, \alpha_{k}
_A_NUMBER = re.compile(
    r"(?:[a-z]|\\(?:alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta"
    r"|vartheta|kappa|lambda|mu|nu|xi|rho|sigma|tau|phi|varphi|chi|psi|omega))"
    r"(?:_\{?[A-Za-z0-9]\}?)?"
)


def _as_numbers(env: Env, params: tuple[str, ...]) -> Env:
    """The environment with the undeclared parameters numbers."""
    vars_ = dict(env.vars)
    for p in params:
        if p not in vars_:
            vars_[p] = VarInfo(p, Shape(DIMS_ONE, DIMS_ONE), p)
    return Env(vars_, dict(env.functions), env.softmax_columns, set(env.numbers), set(env.weak))


def check_stacked(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, seconds: float
) -> Finding | bool | None | object:
    """The verdict on a gradient, Hessian or Jacobian written entry by entry (the module's
    rules): a Finding on its first wrong entry, True where every entry agrees, None where
    one is undecided; :data:`NOT_STACKED` for any other claim."""

    if claim.form not in ("nabla", "hessian", "jacobian"):
        return NOT_STACKED
    if claim.form != "jacobian" and claim.wrt is not None:
        return NOT_STACKED
    params = parameters(claim.function, ctx.env)
    if params is None:
        return NOT_STACKED
    env = _as_numbers(ctx.env, params)
    function = _function_tree(claim.function, env)  # type: ignore[arg-type]
    grids = _grids(claim, function, len(params))
    if not grids:
        return NOT_STACKED
    ctx = replace(ctx, env=env)
    wanted = {(c, p) for grid in grids for c, p, _, _ in grid}
    budget = Budget(seconds / (len(wanted) + 1))
    outcomes: dict[tuple[int, tuple[int, ...]], DiffOutcome] = {}
    for c, by in sorted(wanted):
        outcome = differentiate(_component(function, c), params[by[0]], ctx, "numerator", budget)
        if len(by) == 2 and outcome.verified and outcome.value is not None:
            outcome = differentiate_expr(outcome.value, params[by[1]], ctx, "numerator", budget)
        if not outcome.verified or outcome.values is None:
            return _undecided(_engine_reason(outcome))
        outcomes[(c, by)] = outcome
    first: tuple[t.Node, DiffOutcome, int, tuple[int, ...], tuple[int, int]] | None = None
    undecided = False
    for grid in grids:
        verdict: bool | None = True
        for c, by, cell, at in grid:
            outcome = outcomes[(c, by)]
            assert outcome.values is not None
            f, right, _ = outcome.values
            said = _compare(checked, cell, f, right, env, ("plain",), {})
            if said is False:
                first = first or (cell, outcome, c, by, at)
                verdict = False
                break
            if said is None:
                verdict = None
        if verdict is True:
            return True  # (in one arrangement of a Jacobian's entries: either layout)
        undecided = undecided or verdict is None
    if undecided or first is None:
        return None
    return _stacked_entry_finding(checked, claim, first, params, ctx)


# an entry's place in a grid: (the component, the parameters by place, the entry, (row, col))
_Entry = tuple[int, tuple[int, ...], t.Node, tuple[int, int]]


def _grids(claim: WrittenDerivative, function: t.Node, k: int) -> list[list[_Entry]]:
    """The entries of the claimed matrix with what each is said to be: one grid for a
    gradient or a Hessian, one for each arrangement of a Jacobian's entries that fits."""
    node = claim.claimed
    if not isinstance(node, t.Matrix) or node.env not in _ENVIRONMENTS:
        return []
    rows = node.rows
    cells = [c for r in rows for c in r]
    width = len(rows[0]) if rows else 0
    if any(c is None or isinstance(c, t.Dots) for c in cells) or any(len(r) != width for r in rows):
        return []
    at = [(i, j, c) for i, r in enumerate(rows) for j, c in enumerate(r) if c is not None]
    if claim.form == "hessian":
        return [[(0, (i, j), c, (i, j)) for i, j, c in at]] if (len(rows), width) == (k, k) else []
    if claim.form == "nabla":
        if (len(rows), width) == (k, 1):
            return [[(0, (i,), c, (i, j)) for i, j, c in at]]
        if (len(rows), width) == (1, k):
            return [[(0, (j,), c, (i, j)) for i, j, c in at]]
        return []
    m = len(_components(function))
    if m < 2:
        return []
    grids: list[list[_Entry]] = []
    if (len(rows), width) == (m, k):  # ∂F_i/∂p_j along the rows (numerator layout)
        grids.append([(i, (j,), c, (i, j)) for i, j, c in at])
    if (len(rows), width) == (k, m):  # or down the columns (denominator layout)
        grids.append([(j, (i,), c, (i, j)) for i, j, c in at])
    return grids


def _components(function: t.Node) -> tuple[t.Node, ...]:
    r"""The entries of a function defined as a tuple, ``(r\cos\theta, r\sin\theta)``."""
    if isinstance(function, t.Paren) and isinstance(function.body, t.List):
        return tuple(i for i in function.body.items if i is not None)
    return ()


def _component(function: t.Node, c: int) -> t.Node:
    parts = _components(function)
    return parts[c] if parts else function


def _stacked_entry_finding(
    checked: CheckResult,
    claim: WrittenDerivative,
    first: tuple[t.Node, DiffOutcome, int, tuple[int, ...], tuple[int, int]],
    params: tuple[str, ...],
    ctx: Context,
) -> Finding:
    """The finding on a wrong entry: "`x_1^2` is not the entry 2 of `\\nabla f`, the
    derivative by `x_2`: texgrad finds …"."""

    cell, outcome, c, by, (i, j) = first
    entry = replace(claim, claimed=cell, form="partial")
    found = _finding(checked, entry, outcome, params[by[-1]], ctx=ctx, forms=("plain",))
    head = found.message.find(": texgrad finds")
    said = _source(checked, claim.derivative)
    if head < 0 or not said:
        return found
    claimed = _source(checked, cell) or "this"
    spelled = [_spelled(checked, claim, ctx, params, n) for n in by]
    place = f"entry {i + 1}" if claim.form == "nabla" else f"({i + 1}, {j + 1}) entry"
    if claim.form == "hessian":
        what = f"the second derivative by {spelled[0]} and {spelled[1]}"
    elif claim.form == "jacobian":
        what = f"the derivative of its entry {c + 1} by {spelled[0]}"
    else:
        what = f"the derivative by {spelled[0]}"
    message = f"`{claimed}` is not the {place} of `{said}`, {what}"
    return replace(found, message=message + found.message[head:])


def _spelled(
    checked: CheckResult, claim: WrittenDerivative, ctx: Context, params: tuple[str, ...], n: int
) -> str:
    """The n-th parameter as the document writes it: the claim's own argument, else its
    declaration's spelling, else its name."""

    function = claim.function
    if isinstance(function, t.Apply) and len(function.args) == len(params):
        written = _source(checked, function.args[n])
        if written:
            return f"`{written}`"
    info = ctx.env.vars.get(params[n])
    if info is not None and info.latex and info.latex != params[n]:
        return f"`{info.latex}`"
    return "`" + re.sub(r"_\{(\w)\}", r"_\1", params[n]) + "`"  # x_{2} as written, x_2
