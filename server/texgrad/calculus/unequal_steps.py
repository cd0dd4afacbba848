r"""``unequal-step``: a derivation whose consecutive rows are not equal.

A derivation written as an align chain,

    \begin{aligned} r(\mathbf x) &= (A\mathbf x - \mathbf b)^\top(A\mathbf x - \mathbf b) \\
    &= \mathbf x^\top A^\top A\mathbf x - 2\mathbf b^\top A\mathbf x + \mathbf b^\top\mathbf b
    \end{aligned}

claims that every row equals the row before.  :func:`derivation_steps` finds those pairs:
the last item of a row and the first of the ``&= …`` row that continues it (only a row break
between them), and the later items of one chain (``a = b = c``: b and c); the head of a
chain is compared too when it is an expression rather than the name being defined or a
derivative (``\|A\mathbf x\|^2 &= …``).  :func:`check_steps` evaluates both sides with the
tree evaluator (:mod:`~texgrad.calculus.evaluate_tree`) at random points with a different
size for every dimension (:mod:`~texgrad.calculus.sampling`), and reports the later row
only when the two differ at :data:`POINTS` points and agree at none — the rule of
``wrong-derivative``.  Never a false alarm, so silence wherever a step may rest on more than
algebra:

- both sides must use the same symbols (a substitution — ``\mathbf y`` by ``X\beta +
  \varepsilon``, ``Q^\top Q`` by ``I`` — rests on a fact the evaluator does not know), every
  one declared by the document or defined by it (evaluated from its definition);
- neither side writes a derivative, a relation or text, nor is 0 (``&= 0``: a condition);
- a paragraph that says a matrix is symmetric samples it symmetric (hedged or not), and
  one that speaks of orthogonal, idempotent, diagonal, commuting, whitened or centred
  matrices, of an optimum or a fixed point, of an approximation, or of terms dropped on
  purpose ("up to a constant", "dropping the terms that do not depend on w") is left alone;
  scalars are sampled positive (``\sqrt{\lambda^2} = \lambda``
  for ``\lambda > 0``);
- anything the evaluator cannot read, or that is out of its domain at every point, is
  silence, and so are sides of different shapes (the shape checker's matter).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from texgrad.calculus.arrays import Array
from texgrad.calculus.context import Context, context_at
from texgrad.calculus.deadline import Deadline, checkpoint
from texgrad.calculus.deadline import current as current_deadline
from texgrad.calculus.differential import Budget, BudgetExceeded
from texgrad.calculus.discrepancy import cause
from texgrad.calculus.evaluate_tree import Defined
from texgrad.calculus.evaluate_tree import evaluate as evaluate_tree
from texgrad.calculus.lower import Env, Lowerer
from texgrad.calculus.sampling import sample_inputs
from texgrad.calculus.written import number_letters
from texgrad.calculus.written_derivatives import (
    _ERRORS,
    UNCHECKED,
    _close,
    _continues,
    _is_zero,
    _said_anywhere,
    _said_in,
    _with_differentials,
)
from texgrad.casefold import folded, folded_pattern
from texgrad.reading.memo import by_text
from texgrad.shapes.check import CheckResult
from texgrad.shapes.diagnostics import Diagnostic
from texgrad.shapes.dims import Shape
from texgrad.shapes.rows import PlacedRow
from texgrad.stop_points import MemoryExceeded
from texgrad.syntax import tree as t
from texgrad.syntax.notation import is_d
from texgrad.syntax.symbols import member_key, symbol_key

CODE = "unequal-step"
POINTS = 3  # points at which two rows must differ to be reported
TRIES = 8  # points tried to find them
MAX_DEFINED = 8  # names defined by the document a side may use (evaluated in order)

_CONSTANTS = frozenset(("1", "I", "e", "\\pi", "0"))
_SIZED = re.compile(r"(?:I|1|0)_(?:\{\w+\}|\w)$")  # I_n, \mathbf 1_m: sized by their subscript

# a paragraph where a step may rest on a property the evaluator does not know
_PROPERTIES = re.compile(
    r"orthogonal|orthonormal|unitary|idempoten|commut|diagonal|triangular|projection|"
    r"whiten|isotropic|normali[sz]ed|standardi[sz]ed|unit[- ]norm|centred|centered|"
    r"optimum|optimal|stationary|converge|fixed[- ]point|equilibrium|steady[- ]state|"
    r"approximat|\\approx|neglect|first[- ]order|taylor|lineari[sz]|\bexpectation\b|"
    r"\\mathbb\{?E|"
    # terms dropped on purpose ("dropping the terms that do not depend on w", "up to a
    # constant", "where we dropped the constant"): the rows are then not meant equal (not a
    # factor, a sign or a transpose, which a slip drops: "…, which drops the factor 2")
    r"\bdrop(?!\w*\s+(?:(?:the|a|an|its|one|that|this)\s+)?(?:factors?|coefficients?|signs?|"
    r"minus|transpos\w*|2|two|half)\b)|\\text\{\s*const|\bconstant terms?\b|\bup to (?:an? )?(?:additive )?constant|"
    r"\bignor|independent of|irrelevant|"
    r"(?:do|does|did) not (?:depend|involve|matter)|proportional|\\propto",
    re.I,
)


@dataclass(frozen=True)
class Step:
    """Two consecutive items of a derivation said equal: ``after`` is the later one."""

    row: PlacedRow  # the row ``after`` stands in
    before: t.Node
    after: t.Node


@dataclass(frozen=True)
class UnequalStep:
    step: Step
    message: str
    start: int
    end: int


@dataclass
class StepTally:
    """What :func:`check_steps` did on a document."""

    steps: int = 0  # pairs found
    compared: int = 0  # evaluated at a point at least, and found equal
    flagged: int = 0
    unchecked: int = 0  # not checked: the time ran out (or the memory bound was reached)
    first_unchecked: tuple[int, int] | None = None  # the row of the first of them (memory)
    stopped: str = ""  # why (the memory bound's message)


# -- finding the steps -----------------------------------------------------------------------


def derivation_steps(checked: CheckResult) -> list[Step]:
    """Every pair of consecutive items a derivation of the document says are equal."""
    text = checked.doc.text
    rows = [row for row in checked.rows if row.path == checked.path]
    out: list[Step] = []
    last: t.Node | None = None  # the last item of the row before, if it may go on
    head: Step | None = None  # `a = b` with an expression a: a step if a row continues it
    end = -1
    for row in rows:
        tree = row.tree
        chain = tree if isinstance(tree, t.Chain) else _annotated(tree)
        if chain is None or not chain.relations or any(r != "=" for r in chain.relations):
            last = head = None
            end = row.end
            continue
        items = list(chain.items)
        if items[0] is None:  # `&= c`
            if last is None or not _continues(text[end : row.start]):
                last = head = None
                end = row.end
                continue
            items[0] = last
            out.extend([head] if head is not None else [])
        elif not _compared_head(items[0]):
            items[0] = None
        head = None
        pairs = [
            Step(row, a, b)
            for a, b in zip(items, items[1:], strict=False)
            if a is not None and b is not None and _plain(a) and _plain(b)
        ]
        if chain.items[0] is not None and items[0] is not None and len(items) == 2:
            head = pairs.pop(0) if pairs else None  # `A x = b` alone: an equation to solve
        out.extend(pairs)
        tail = items[-1]
        last = tail if tail is not None and _plain(tail) and _ends(text, row) else None
        end = row.end
    following = {id(a): b for a, b in zip(rows, rows[1:], strict=False)}
    return [s for s in out if not _goes_on(text, s, following.get(id(s.row)))]


# the words of a note beside a step that only names the algebra done ("by cyclicity",
# "(expanding)"); a note with any other word ("since $A$ is symmetric") may state a condition
_RULE_WORDS = frozenset(
    "a and by chain collect collecting cyclic cyclicity distribute distributing eq equation "
    "expand expanding expansion factor factoring is its linearity of own product properties "
    "property rearrange rearranging rule scalar simplify simplifying step term terms the trace "
    "transpose transposed transposing".split()
)


def _annotated(tree: t.Node | None) -> t.Chain | None:
    r"""The chain of a row annotated with the rule it uses (``&= … \quad \text{(by
    cyclicity)}``); None for any other row, or a note that may state a condition."""
    if not isinstance(tree, t.Sequence) or not tree.items or not isinstance(tree.items[0], t.Chain):
        return None
    words: list[str] = []
    for note in tree.items[1:]:
        body = note.body if isinstance(note, t.Paren) else note
        if not isinstance(body, t.Text) or body.math:
            return None
        words += re.findall(r"[a-z]+", re.sub(r"\\[A-Za-z]+", " ", body.text).lower())
    if not words or any(w not in _RULE_WORDS for w in words):
        return None
    return tree.items[0]


def _compared_head(node: t.Node | None) -> bool:
    """Whether the head of a chain is an expression (``\\|A x\\|^2 &= …``), not the name
    being defined (``r(\\mathbf x) &= …``, ``L &= …``) nor a derivative."""
    if node is None or isinstance(node, (t.Symbol, t.Sub, t.Tagged, t.Differential)):
        return False
    if isinstance(node, t.Apply) and not isinstance(node.func, t.Func):
        return False  # `r(\mathbf x) &= …`: the name being defined
    if isinstance(node, t.Product) and (is_d(node.factors[0]) or len(node.factors) == 2 and (
        isinstance(node.factors[0], t.Symbol) and isinstance(node.factors[1], t.Paren)
    )):  # fmt: skip
        return False  # `\mathrm d f`, `r(\mathbf x)` read as a product
    return _plain(node)


def _plain(node: t.Node) -> bool:
    """An expression of values: no derivative, relation, text, list, rounded number
    (``0.33``: a row may round the one before), nor 0."""
    if _is_zero(node):
        return False
    for n in node.walk():
        if isinstance(n, t.Number) and "." in n.text:
            return False
        if isinstance(n, (t.Nabla, t.Partial, t.Derivative, t.Chain, t.Text, t.List, t.Sequence)):
            return False
        if isinstance(n, t.Sub) and isinstance(n.base, t.Symbol) and n.base.name == "J":
            return False
    return True


def _ends(text: str, row: PlacedRow) -> bool:
    """Whether the row ends with a whole expression (not ``… = A x +``)."""
    return not text[row.start : row.end].rstrip().endswith(("+", "-", "\\cdot", "\\times"))


def _goes_on(text: str, step: Step, nxt: PlacedRow | None) -> bool:
    r"""Whether the later item is cut by a row break and continued (``&= a + \\\\ &\quad b``,
    ``&= a \\\\ &\quad + b``): then it is not the whole of what the row says."""
    if "=" in text[step.after.end : step.row.end]:
        return False  # an item before a relation: whole
    if not _ends(text, step.row):
        return True
    if nxt is None or not _continues(text[step.row.end : nxt.start]):
        return False
    head = re.sub(r"^(?:\s|&|\\quad|\\qquad|\\;|\\,|\\!|\{\})*", "",
                  text[nxt.start : nxt.end])  # fmt: skip
    return head.startswith(("+", "-", "\\cdot", "\\times"))


# -- checking them ---------------------------------------------------------------------------


WALL = 10.0  # (as written_derivatives.WALL: a thread starved that long is stopped)


def check_steps(
    checked: CheckResult, seconds: float = 10.0, tally: StepTally | None = None
) -> list[UnequalStep]:
    """The steps of the document's derivations whose two rows differ (the module's rules),
    all checked within ``seconds`` of the thread's CPU time (a backstop of ``WALL`` times
    that on the wall clock; inside any deadline the thread already has); past it the rest
    is counted in ``tally.unchecked`` and left alone."""
    tally = tally if tally is not None else StepTally()
    steps = derivation_steps(checked)
    tally.steps += len(steps)
    out: list[UnequalStep] = []
    deadline = Deadline(seconds, within=current_deadline(), cpu=True, wall=WALL)
    n = 0
    try:
        with deadline.active():
            for n, step in enumerate(steps):  # noqa: B007 (n: where the time ran out)
                if deadline.passed():
                    raise BudgetExceeded(deadline.message())
                verdict = _check(checked, step)
                if verdict is True:
                    tally.compared += 1
                elif isinstance(verdict, UnequalStep):
                    tally.flagged += 1
                    out.append(verdict)
            n = len(steps)
    except BudgetExceeded:
        tally.unchecked += len(steps) - n
    except MemoryExceeded as exc:  # (the caller's memory bound: counted, and on up)
        if n < len(steps):
            tally.unchecked += len(steps) - n
            tally.first_unchecked = (steps[n].row.start, steps[n].row.end)
            tally.stopped = f"was stopped: {exc}"
        raise
    return out


def unchecked_note(checked: CheckResult, tally: StepTally) -> Diagnostic | None:
    """One information note where the comparison of derivation steps was stopped by the
    memory bound: how many were not compared, and why (at the first of them)."""
    if not tally.unchecked or tally.first_unchecked is None:
        return None
    start, end = tally.first_unchecked
    said = (
        "1 step of this document's derivations was not compared (this one)"
        if tally.unchecked == 1
        else f"{tally.unchecked} of the {tally.steps} steps of this document's derivations "
        "were not compared (this one and those after it)"
    )
    message = f"{said}: the check of written derivatives {tally.stopped}"
    return Diagnostic(UNCHECKED, "information", message, checked.path, start, end)


def _check(checked: CheckResult, step: Step) -> UnequalStep | bool | None:
    try:
        ctx = context_at(checked, step.row)
        return _compare(checked, step, ctx)
    except _ERRORS:
        return None


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the paragraph of [start, end) and the one before it begin and end."""
    first = text.rfind("\n\n", 0, start)
    first = text.rfind("\n\n", 0, first) if first > 0 else first
    stop = text.find("\n\n", end)
    return max(0, first), stop if stop >= 0 else len(text)


_PROPERTIES_FOLDED = folded_pattern(_PROPERTIES.pattern)


@by_text()
def rests_on_property(text: str, first: int, stop: int) -> bool:
    """``_PROPERTIES.search(text[first:stop])`` (``first`` 0 or at a blank line), on the text
    folded to lower case once and without IGNORECASE, under which sre tries every one of
    its alternatives at every character (a thesis's paragraphs took a second); steps of
    one derivation share their paragraph, read once."""
    return _PROPERTIES_FOLDED.search(folded(text), first, stop) is not None


def _compare(checked: CheckResult, step: Step, ctx: Context) -> UnequalStep | bool | None:
    text = checked.doc.text
    first, stop = _paragraph_bounds(text, step.before.start, step.row.end)
    if rests_on_property(text, first, stop):
        return None
    paragraph = text[first:stop]
    before, after = _with_differentials(step.before), _with_differentials(step.after)
    env = ctx.env
    guessed = set(checked.inferred) - set(checked.table.declarations)  # typed by their use
    used = _symbols(before, env, guessed), _symbols(after, env, guessed)
    if used[0] is None or used[1] is None or used[0] != used[1]:
        return None  # a symbol unknown, or a substitution
    sampled, defined, directions = used[0]
    if not sampled:
        return None  # numbers only
    symmetric = set(_said_anywhere(text)) | _said_in(paragraph, local=True)
    symmetric |= {k for k in re.findall(r"symmetric\W+\$([^$]{1,30})\$", paragraph, re.I)}
    points = _Points(env, sampled, defined, directions, symmetric, paragraph)
    differ = 0
    for attempt in range(TRIES):
        checkpoint()
        got = points.at(attempt, before, after)
        if got is None:
            continue
        a, b = got
        if a.shape != b.shape:
            return None  # a shape matter: the shape checker's
        if _close(a, b, 1e-6):
            return True
        differ += 1
        if differ == POINTS:
            return _finding(checked, step, ctx, (before, after))
    return None


def _symbols(
    node: t.Node, env: Env, guessed: set[str] | frozenset[str] = frozenset()
) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]] | None:
    """The declared symbols a side uses, the defined names it uses (in the order to evaluate
    them) and the variables of its differentials; None where it uses a symbol the document
    neither declares nor defines (``guessed``: symbols whose shape is only inferred)."""
    sampled: set[str] = set()
    defined: list[str] = []
    directions: set[str] = set()
    numbers: set[str] = set()  # letters that are no symbol the document declares: sizes?
    pending = [node]
    while pending:
        for key in _keys(pending.pop(), directions):
            if key in _CONSTANTS or key in sampled or key in defined or _SIZED.match(key):
                continue
            fdef = env.functions.get(key)
            if key in guessed:
                return None
            if key in env.vars and (key not in env.weak or env.vars[key].shape.is_scalar):
                sampled.add(key)
            elif fdef is not None and not fdef.params and len(defined) < MAX_DEFINED:
                defined.insert(0, key)
                pending.append(fdef.body)
            elif key in env.functions or key == "?" or key in directions:
                return None
            else:
                numbers.add(key)
    sizes = {
        str(x) for k in sampled for d in (env.vars[k].shape.rows, env.vars[k].shape.cols)
        for x in getattr(d, "free_symbols", ())
    }  # fmt: skip
    if not numbers <= sizes | _number_letters(node) or not directions <= sampled | set(defined):
        return None  # `\frac{1}{n}`: n a size of what it samples, or where only a number can be
    counts = frozenset(f"#{k}" for k in numbers - sizes)  # sampled as positive numbers
    return frozenset(sampled) | counts, tuple(defined), frozenset(directions)


def _number_letters(node: t.Node) -> set[str]:
    r"""Letters standing where only a number can, as the engine reads them: a fraction's
    denominator (``\frac{1}{N}``), and its numerator over a number (``\frac{N}{2}``)."""
    out: set[str] = set()
    for n in node.walk():
        if isinstance(n, t.Frac):
            parts = [n.den, n.num] if isinstance(n.den, t.Number) else [n.den]
            for letter in (x for part in parts for x in number_letters(part)):
                key = symbol_key(letter)
                if key is not None:
                    out.add(key[0])
    return out


def _keys(node: t.Node, directions: set[str]) -> Iterator[str]:
    """The symbols a side reads (not the names of the functions it applies); "?" for what
    cannot be sampled (a differential of an expression, a bare d)."""
    if isinstance(node, t.Differential):
        key = symbol_key(node.body) if node.body is not None else None
        if key is None:
            yield "?"  # d(X^{-1}): a differential of an expression
            return
        directions.add(key[0])
        yield key[0]
        return
    if isinstance(node, t.Symbol) and is_d(node):
        yield "?"
        return
    key = member_key(node)
    if key is not None:
        yield key[0]
        return
    if isinstance(node, (t.Opaque, t.Unread, t.Empty)):
        yield "?"
        return
    children: tuple[t.Node, ...] = tuple(node.children())
    if isinstance(node, t.Apply) and isinstance(node.func, (t.Symbol, t.Func)):
        children = node.args
    for child in children:
        if child is not None:
            yield from _keys(child, directions)


@dataclass
class _Points:
    env: Env
    sampled: frozenset[str]
    defined: tuple[str, ...]
    directions: frozenset[str]
    symmetric: set[str]
    paragraph: str

    def at(self, attempt: int, before: t.Node, after: t.Node) -> tuple[Array, Array] | None:
        env = self.env
        counts = [k[1:] for k in self.sampled if k.startswith("#")]  # N of `\frac{N}{2}`
        shapes: dict[str, Shape] = {k: env.vars[k].shape for k in self.sampled if k[:1] != "#"}
        square = {k for k, s in shapes.items() if s.rows == s.cols and not s.is_scalar}
        symmetric = {k for k in square if env.vars[k].symmetric or k in self.symmetric}
        symmetric |= {k for k in square if "\\Sigma" in k}
        pd = {k for k in square if env.vars[k].positive_definite}
        positive = {k for k, s in shapes.items() if s.is_scalar and not env.vars[k].values}
        labels = {k: env.vars[k].values for k in shapes if env.vars[k].values}
        functions = Defined(env.functions)  # (read as asked: see Defined)
        rng = np.random.default_rng(9100 + attempt)
        try:
            values, sizes = sample_inputs(
                shapes, positive_definite=pd, positive=positive - pd,
                symmetric=symmetric - pd, labels=labels or None, rng=rng,
            )  # fmt: skip
            at: dict[str, Array] = dict(values)
            for name in sorted(counts):
                at[name] = np.array([[float(rng.integers(2, 9))]])
            for name, size in sizes.items():
                at.setdefault(name, np.array([[float(size)]]))
            with np.errstate(all="raise"):
                for name in self.defined:
                    at[name] = evaluate_tree(env.functions[name].body, at, functions)
                for k in sorted(self.directions):  # (of a defined name too: `\mathrm d\mathbf a`)
                    at["d:" + k] = rng.standard_normal(np.shape(at[k]))
                a = np.asarray(evaluate_tree(before, at, functions), dtype=float)
                b = np.asarray(evaluate_tree(after, at, functions), dtype=float)
        except _ERRORS:
            return None
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            return None
        return a, b


def _source(text: str, node: t.Node) -> str:
    src = text[node.start : node.end].strip() if 0 <= node.start < node.end <= len(text) else ""
    return " ".join(src.split())


def _finding(
    checked: CheckResult, step: Step, ctx: Context, sides: tuple[t.Node, t.Node]
) -> UnequalStep:
    text = checked.doc.text
    after, before = _source(text, step.after), _source(text, step.before)
    message = (
        f"`{after}` does not equal the step before it, `{before}`: they differ at "
        f"{POINTS} random points (every dimension a size of its own), so the slip is in this step"
    )
    why = _cause(sides, ctx)
    if why:
        message += f" ({why})"
    return UnequalStep(step, message, step.after.start, step.after.end)


def _cause(sides: tuple[t.Node, t.Node], ctx: Context) -> str | None:
    """How the later row differs from the one before, when a simple cause explains it
    (:mod:`~texgrad.calculus.discrepancy`: the transpose, the order, a factor, a term's
    sign …), said of the step."""
    try:
        lowerer = Lowerer(ctx.env)
        before, after = lowerer.lower(sides[0]), lowerer.lower(sides[1])
        found = cause(before, after, ctx.env, ctx.style, budget=Budget(5.0))
    except (*_ERRORS, BudgetExceeded):
        return None
    if found is None:
        return None
    return found.text.replace("the derivative", "the step before")


def diagnostics_of(
    checked: CheckResult, found: list[UnequalStep], besides: Sequence[Diagnostic] = ()
) -> list[Diagnostic]:
    """The findings as warnings with code ``unequal-step`` on the later row's expression,
    but for a row that ``besides`` (the ``wrong-derivative`` diagnostics) already flags: a
    derivative chain's wrong row is said once, with its fix."""
    taken = [(d.start, d.end) for d in besides]
    return [
        Diagnostic(CODE, "warning", f.message, checked.path, f.start, f.end)
        for f in found
        if not any(s < f.end and f.start < e for s, e in taken)
    ]
