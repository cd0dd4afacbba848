r"""Numbers for the problem set: parse, sample a point, differentiate by central differences,
evaluate a differential, compare.

Shared by ``test_problem_table.py`` (the textbook answers against finite differences),
``test_problems.py`` (the engine against the textbook answers) and
``benchmarks/calculus.py``.  Everything is evaluated with
:mod:`texgrad.calculus.evaluate_tree`; nothing here reads LaTeX any other way.

A differential (``A \,\mathrm{d}X\, B``) is evaluated in a direction E: every
``\mathrm{d}(body)`` becomes the directional derivative of ``body`` along E
(central differences, exact up to rounding when the body is linear, as
``\mathrm{d}X`` and ``\mathrm{d}X^\top`` are), then the tree is evaluated as usual.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
import sympy

from tests.calculus.problems import Problem
from texgrad.calculus.arrays import Array, EvaluationError, Unsupported, as_matrix
from texgrad.calculus.evaluate_tree import evaluate, evaluate_scalar
from texgrad.calculus.sampling import (
    finite_difference_gradient,
    finite_difference_jacobian,
    sample_inputs,
)
from texgrad.calculus.sympy_dims import sympy_shape
from texgrad.reading.source import MappedText
from texgrad.shapes.declarations import collect
from texgrad.shapes.dims import Shape
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

FD_RTOL = 1e-4  # a textbook answer against central differences
EXACT_RTOL = 1e-6  # two closed forms at the same point


@lru_cache(maxsize=4096)
def tree(latex: str) -> t.Node:
    row = parse_row(MappedText.identity(latex))
    if row.error is not None or row.tree is None:
        raise ValueError(f"cannot parse {latex!r}: {row.error}")
    return row.tree


def key_of(latex: str) -> str:
    r"""The value key of a symbol written in LaTeX (``\mathbf{x}`` → ``x``, ``W_2`` → ``W_{2}``)."""
    key = symbol_key(tree(latex))
    if key is None:
        raise ValueError(f"{latex!r} is not a symbol")
    return key[0]


@dataclass(frozen=True)
class Domain:
    shapes: dict[str, Shape]
    positive_definite: frozenset[str]
    symmetric: frozenset[str]
    positive: frozenset[str]


@lru_cache(maxsize=1024)
def domain(where: str) -> Domain:
    r"""Shapes and sampling domains of the declarations in ``where`` (``;``-separated)."""
    rows: list[PlacedRow] = []
    positive: set[str] = set()
    for part in where.split(";"):
        node = tree(part.strip())
        rows.append(PlacedRow("", 0, 0, node))
        if isinstance(node, t.Chain) and node.relations == ("\\in",):
            left, space = node.items
            if isinstance(space, t.Space) and space.field == "R" and space.sub is not None:
                if show(space.sub) in ("+", "++"):
                    symbols = left.items if isinstance(left, t.List) else (left,)
                    positive.update(key_of_node(s) for s in symbols if s is not None)
    table = collect(rows, {})
    shapes: dict[str, Shape] = {}
    pd: set[str] = set()
    sym: set[str] = set()
    for key, decls in table.declarations.items():
        d = decls[-1]
        shapes[key] = sympy_shape(d.shape)  # (sized by the engine's means: SymPy's)
        if d.positive_definite:
            pd.add(key)
        elif d.symmetric:
            sym.add(key)
    missing = positive - set(shapes)
    if missing:
        raise ValueError(f"positive symbols without a shape: {missing}")
    return Domain(shapes, frozenset(pd), frozenset(sym), frozenset(positive))


def key_of_node(node: t.Node) -> str:
    key = symbol_key(node)
    if key is None:
        raise ValueError(f"{show(node)} is not a symbol")
    return key[0]


def rng_for(problem: Problem, k: int) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(problem.id.encode()) * 100 + k)


def sample(problem: Problem, rng: np.random.Generator) -> dict[str, Array]:
    """A random point in the problem's domain, with its constants and abbreviations."""
    return sample_with_sizes(problem, rng)[0]


def commutations(sizes: dict[str, int]) -> dict[str, Array]:
    r"""``K_{mn}`` for every two dimensions m, n named by a letter each, by the key the tree
    evaluator looks it up: the commutation matrix, ``K_{mn}\operatorname{vec}(X) =
    \operatorname{vec}(X^\top)`` for X m×n (vec stacking columns)."""
    out: dict[str, Array] = {}
    for m, rows in sizes.items():
        for n, cols in sizes.items():
            node = tree(f"K_{{{m}{n}}}") if len(m) == 1 and len(n) == 1 else None
            key = symbol_key(node) if node is not None else None
            if key is None:
                continue
            k = np.zeros((rows * cols, rows * cols))
            for i in range(rows):
                for j in range(cols):
                    k[j + i * cols, i + j * rows] = 1.0
            out[key[0]] = k
    return out


def sample_with_sizes(
    problem: Problem, rng: np.random.Generator
) -> tuple[dict[str, Array], dict[str, int]]:
    """:func:`sample` and the size chosen for each dimension name."""
    dom = domain(problem.where)
    values, sizes = sample_inputs(
        dom.shapes,
        positive_definite=set(dom.positive_definite),
        positive=set(dom.positive),
        symmetric=set(dom.symmetric),
        rng=rng,
    )
    values.update(commutations(sizes))
    for name in problem.simplex:
        if name not in dom.positive:
            raise ValueError(f"{problem.id}: simplex {name} must be declared positive")
        values[name] = values[name] / values[name].sum()
    for name, dim in problem.constants.items():
        size = sizes[dim]
        if name == "I":
            values["I"] = np.eye(size)
        elif name == "1":
            values["1"] = np.ones((size, 1))
        else:
            raise ValueError(f"{problem.id}: unknown constant {name}")
    _sample_families(problem, dom, values, sizes, rng)
    for dim, size in sizes.items():  # a dimension used as a number (\frac{1}{N})
        values.setdefault(dim, np.array([[float(size)]]))
        if "_" in dim:  # d_k, keyed as its symbol is: d_{k}
            base, index = dim.split("_", 1)
            values.setdefault(f"{base}_{{{index}}}", np.array([[float(size)]]))
    for name, latex in problem.defs:
        if name in dom.shapes:
            raise ValueError(f"{problem.id}: the abbreviation {name} is a declared symbol")
        values[name] = evaluate(tree(latex), values)
    return values, sizes


def _sample_families(
    problem: Problem,
    dom: Domain,
    values: dict[str, Array],
    sizes: dict[str, int],
    rng: np.random.Generator,
) -> None:
    """Every member of each family summed over (``"family:x"``, labels 1, 2, …), as many as
    the dimension named (sized unlike every other dimension where no declaration sizes it);
    a member is shaped as the family's declared member or as the letter alone."""
    for letter, count in problem.families:
        if count not in sizes:
            sizes[count] = next(n for n in range(3, 99) if n not in sizes.values())
        values.setdefault(count, np.array([[float(sizes[count])]]))
        shape = next(
            (s for k, s in dom.shapes.items() if k == letter or k.startswith(letter + "_{")), None
        )
        if shape is None and letter in problem.scalar_families:
            shape = Shape(sympy.Integer(1), sympy.Integer(1))
        if shape is None:
            raise ValueError(f"{problem.id}: the family {letter} has no declared shape")
        subs = {d: sizes[d.name] for d in shape.rows.free_symbols | shape.cols.free_symbols}
        rows, cols = int(shape.rows.subs(subs)), int(shape.cols.subs(subs))
        values[f"family:{letter}"] = rng.standard_normal((sizes[count], rows, cols))


def engine_values(
    problem: Problem, values: dict[str, Array], sizes: dict[str, int]
) -> dict[str, Array]:
    r"""The values to evaluate an engine's result with: the problem's symbols and constants
    (not the answer's abbreviations), plus ``I_{n}`` and ``1_{n}`` for every dimension n,
    the dimension n itself as a number (the engine writes ``n`` for ``\mathbf{1}^\top
    \mathbf{1}``), and ``I`` and ``\mathbf{1}`` when the problem has one dimension only."""
    out = {k: v for k, v in values.items() if k not in {name for name, _ in problem.defs}}
    for name, body in where_definitions(problem.where):  # r = y - Xw: the engine keeps r
        try:
            value = evaluate(body, out)
        except EvaluationError:
            continue
        if name.endswith("^{2}"):  # \sigma^2 = …: the result may say σ² or σ
            if value.shape == (1, 1) and value[0, 0] >= 0:
                out[name[: -len("^{2}")]] = np.sqrt(value)
        else:
            out[name] = value
    for dim, size in sizes.items():
        out.setdefault(dim, np.array([[float(size)]]))
        out.setdefault(f"I_{{{dim}}}", np.eye(size))
        out.setdefault(f"1_{{{dim}}}", np.ones((size, 1)))
    if len(sizes) == 1:
        (size,) = sizes.values()
        out.setdefault("I", np.eye(size))
        out.setdefault("1", np.ones((size, 1)))
    return out


def with_where(values: dict[str, Array], where: list[str] | tuple[str, ...]) -> dict[str, Array]:
    r"""``values`` and the names a result gives its parts (``\mathbf{t}_0 = …``), in order."""
    out = dict(values)
    for text in where:
        node = tree(text)
        if not (isinstance(node, t.Chain) and node.relations == ("=",)):
            raise ValueError(f"not a definition: {text!r}")
        head, body = node.items
        key = symbol_key(head) if head is not None else None
        if key is None or body is None:
            raise ValueError(f"not a definition: {text!r}")
        out[key[0]] = evaluate(body, out)
    return out


def where_functions(where: str) -> dict[str, tuple[tuple[str, ...], t.Node]]:
    r"""The functions the declarations define with parameters (``k(\mathbf{x},
    \mathbf{x}') = \exp(…)``), for evaluating an answer written with their names."""
    out: dict[str, tuple[tuple[str, ...], t.Node]] = {}
    for part in where.split(";"):
        node = tree(part.strip())
        if not (isinstance(node, t.Chain) and node.relations == ("=",)):
            continue
        head, body = node.items
        call = _call_head(head)
        if call is not None and body is not None:
            out[call[0]] = (call[1], body)
    return out


def _call_head(head: t.Node | None) -> tuple[str, tuple[str, ...]] | None:
    """(name, parameter keys) of ``k(x, x')`` written as a call or as a letter and a bracket."""
    func, args = None, ()
    if isinstance(head, t.Apply):
        func, args = head.func, head.args
    elif isinstance(head, t.Product) and len(head.factors) == 2:
        func, bracket = head.factors
        if isinstance(bracket, t.Paren):
            body = bracket.body
            args = tuple(body.items) if isinstance(body, t.List) else (body,) if body else ()
    name = symbol_key(func) if func is not None else None
    keys = [symbol_key(a) for a in args if a is not None]
    if name is None or not keys or None in keys or len(keys) != len(args):
        return None
    return name[0], tuple(k[0] for k in keys if k is not None)


def where_definitions(where: str) -> list[tuple[str, t.Node]]:
    r"""The definitions among the declarations (``\mathbf{r} = \mathbf{y} - X\mathbf{w}``,
    ``\sigma^2 = …``), in order: each name's value key (``\sigma^{2}`` for a square) and
    its body."""
    out: list[tuple[str, t.Node]] = []
    for part in where.split(";"):
        node = tree(part.strip())
        if not (isinstance(node, t.Chain) and node.relations == ("=",)):
            continue
        head, body = node.items
        if head is None or body is None:
            continue
        key = symbol_key(head)
        if key is not None:
            out.append((key[0], body))
        elif isinstance(head, t.Power) and isinstance(head.exponent, t.Number):
            base = symbol_key(head.base)
            if base is not None and head.exponent.text == "2":
                out.append((f"{base[0]}^{{2}}", body))
        elif isinstance(head, t.Func) and head.sub is None and head.sup is None:
            out.append((head.name, body))  # \mathrm{KL} = …, \operatorname{MSE} = …
        elif isinstance(head, t.Text) and head.text.endswith("}"):  # \text{loss} = …
            out.append((head.text[head.text.find("{") + 1 : -1].strip(), body))
    return out


_MISSING_CONSTANT = re.compile(r"no value for `(1|I)`")


def evaluate_engine(
    node: t.Node,
    problem: Problem,
    values: dict[str, Array],
    sizes: dict[str, int],
    direction: Array | None = None,
    where: list[str] | tuple[str, ...] = (),
) -> Array:
    r"""An engine's result (or, with ``direction``, its differential) at a point.

    The engine may write ``\mathbf{1}`` and ``I`` whose size only the context tells
    (``\mathbf{1} - \sigma(Wx)``): evaluate_tree.py sizes them from their context.  Where the
    context does not tell (a result that is ``\mathbf{1}`` alone), the problem's constants
    (or, with one dimension, its ``I`` and ``\mathbf{1}``) are used, and failing those each
    size the problem's dimensions allow is tried, and the value is taken if every size
    that evaluates gives the same one."""
    wrt = key_of(problem.wrt)
    functions = where_functions(problem.where)  # k(x, z): a kernel the answer names

    def run(vals: dict[str, Array]) -> Array:
        vals = with_where(vals, where)
        if direction is None:
            return evaluate(node, vals, functions)
        return evaluate_differential(node, vals, wrt, direction, functions)

    preset = engine_values(problem, values, sizes)
    constants = {"1", "I"} - set(domain(problem.where).shapes)  # not declared variables
    try:  # no value for `1` or `I`: evaluate_tree.py sizes them by their context
        return run({k: v for k, v in preset.items() if k not in constants})
    except EvaluationError as e:
        if _MISSING_CONSTANT.search(e.message) is None:
            raise

    errors: list[EvaluationError] = []

    def attempt(vals: dict[str, Array], depth: int) -> list[Array]:
        try:
            return [run(vals)]
        except EvaluationError as e:
            missing = _MISSING_CONSTANT.search(e.message)
            if missing is None or depth > 2:
                if depth == 0:
                    raise
                errors.append(e)
                return []
        name = missing.group(1)
        dims = sorted(set(sizes.values()))
        if name == "I":
            shapes = [(k, k) for k in dims]
        else:
            shapes = [(r, c) for r in dims for c in [1, *dims]]
        found: list[Array] = []
        for shape in shapes:
            value = np.eye(shape[0]) if name == "I" else np.ones(shape)
            found.extend(attempt({**vals, name: value}, depth + 1))
        return found

    results = attempt(preset, 0)
    if not results:
        other = [e for e in errors if isinstance(e, Unsupported) or "no value" in e.message]
        if other:  # not a size that does not fit: something evaluate_tree.py cannot evaluate
            raise other[0]
        raise EvaluationError(None, "no size of `\\mathbf{1}` or `I` fits the result")
    first = results[0]
    if any(r.shape != first.shape or not np.allclose(r, first) for r in results[1:]):
        raise EvaluationError(None, "the size of `\\mathbf{1}` or `I` in the result is ambiguous")
    return first


def answer_value(problem: Problem, values: dict[str, Array]) -> Array:
    """The textbook answer at a point (kinds other than "matrix")."""
    return evaluate(answer_tree(problem), values)


def expr_tree(problem: Problem) -> t.Node:
    return tree(problem.check_expr or problem.expr)


def answer_tree(problem: Problem) -> t.Node:
    return tree(problem.check_answer or problem.answer)


def function(problem: Problem) -> Callable[[dict[str, Array]], Array]:
    node = expr_tree(problem)
    return lambda v: evaluate(node, v)


def finite_difference(problem: Problem, values: dict[str, Array]) -> Array:
    """The derivative of the problem's expression by central differences, in the form of its
    answer (gradient: the variable's shape; Jacobian: numerator layout; derivative w.r.t. a
    scalar: the function's shape).  Not for kind "matrix" (see :func:`directional_difference`)."""
    wrt = key_of(problem.wrt)
    node = expr_tree(problem)
    if problem.kind == "gradient":
        return finite_difference_gradient(lambda v: evaluate_scalar(node, v), values, wrt)
    if problem.kind == "jacobian":
        return finite_difference_jacobian(lambda v: evaluate(node, v), values, wrt)
    if problem.kind == "derivative":
        return directional_difference(lambda v: evaluate(node, v), values, wrt, np.ones((1, 1)))
    if problem.kind == "hessian":  # the Jacobian of the gradient, both by central differences
        return finite_difference_jacobian(
            lambda v: finite_difference_gradient(
                lambda u: evaluate_scalar(node, u), v, wrt, eps=1e-5
            ).reshape(-1, 1),
            values,
            wrt,
            eps=1e-4,
        )
    raise ValueError(f"{problem.id}: no finite difference of kind {problem.kind}")


def directional_difference(
    f: Callable[[dict[str, Array]], Array],
    values: dict[str, Array],
    wrt: str,
    direction: Array,
    h: float = 1e-6,
) -> Array:
    """(f(x + hE) − f(x − hE)) / 2h with x = values[wrt]."""
    x = as_matrix(values[wrt])
    up = dict(values)
    up[wrt] = x + h * direction
    down = dict(values)
    down[wrt] = x - h * direction
    return (as_matrix(f(up)) - as_matrix(f(down))) / (2 * h)


def random_direction(values: dict[str, Array], wrt: str, rng: np.random.Generator) -> Array:
    return rng.standard_normal(as_matrix(values[wrt]).shape)


_DIFFERENTIAL_KEY = "\\texgradDifferential{}"


def has_differential(node: t.Node) -> bool:
    return any(isinstance(n, t.Differential) for n in node.walk())


def evaluate_differential(
    node: t.Node,
    values: dict[str, Array],
    wrt: str,
    direction: Array,
    functions: dict[str, tuple[tuple[str, ...], t.Node]] | None = None,
) -> Array:
    r"""The value of a differential ``dF`` (a tree with ``\mathrm{d}…`` in it) when the
    variable ``wrt`` moves in ``direction``."""
    extra: dict[str, Array] = {}

    def swap(n: t.Node) -> t.Node | None:
        if not isinstance(n, t.Differential):
            return None
        if n.body is None:
            raise ValueError("a differential without a body")
        body = n.body
        name = _DIFFERENTIAL_KEY.format(len(extra))
        extra[name] = directional_difference(
            lambda v: evaluate(body, v, functions), values, wrt, direction, h=1e-5
        )
        return t.Symbol(name=name, font=None, accents=())

    substituted = _substitute(node, swap)
    return evaluate(substituted, {**values, **extra}, functions)


def _substitute(node: t.Node, fn: Callable[[t.Node], t.Node | None]) -> t.Node:
    new = fn(node)
    if new is not None:
        return new
    changes: dict[str, object] = {}
    for f in fields(node):
        if f.name in ("start", "end", "from_macro", "span"):
            continue
        v = getattr(node, f.name)
        if isinstance(v, t.Node):
            nv: object = _substitute(v, fn)
        elif isinstance(v, tuple):
            nv = tuple(_substitute_item(x, fn) for x in v)
        else:
            continue
        if nv != v:
            changes[f.name] = nv
    return replace(node, **changes) if changes else node  # type: ignore[arg-type]


def _substitute_item(x: object, fn: Callable[[t.Node], t.Node | None]) -> object:
    if isinstance(x, t.Node):
        return _substitute(x, fn)
    if isinstance(x, tuple):
        return tuple(_substitute_item(y, fn) for y in x)
    return x


def expected_differential(problem: Problem, values: dict[str, Array], wrt: str, e: Array) -> Array:
    """What the textbook answer says df is in the direction ``e`` at ``values``."""
    if problem.kind == "matrix":
        return evaluate_differential(answer_tree(problem), values, wrt, e)
    if problem.kind == "hessian":  # the answer is the second derivative: df by differences
        return directional_difference(function(problem), values, wrt, e)
    answer = answer_value(problem, values)
    if problem.kind == "gradient":
        return np.array([[float(np.sum(answer * e))]])
    if problem.kind == "jacobian":
        return answer @ e.reshape(-1, 1, order="F")  # ∂vec f / ∂vec X of a matrix X too
    return answer * float(e[0, 0])


def written_forms_agree(problem: Problem, values: dict[str, Array], rtol: float) -> None:
    """The expression and answer as written, evaluated by evaluate_tree.py, equal the forms the
    problem checks them against (raises EvaluationError where evaluate_tree.py cannot read them,
    AssertionError where they differ)."""
    f = evaluate(tree(problem.expr), values)
    answer = evaluate(tree(problem.answer), values)
    if problem.check_expr is not None:
        ok, why = close(f, evaluate(tree(problem.check_expr), values), rtol)
        assert ok, why
    if problem.check_answer is not None:
        ok, why = close(answer, evaluate(tree(problem.check_answer), values), rtol)
        assert ok, why


def close(got: Array, want: Array, rtol: float) -> tuple[bool, str]:
    """Agree entrywise within ``rtol`` of the larger magnitude; and a message if not."""
    got, want = as_matrix(got), as_matrix(want)
    if got.shape != want.shape:
        return False, f"shape {got.shape} where {want.shape} was expected"
    scale = max(float(np.abs(want).max(initial=0.0)), float(np.abs(got).max(initial=0.0)), 1e-12)
    ok = bool(np.allclose(got, want, rtol=rtol, atol=rtol * scale))
    if ok:
        return True, ""
    err = float(np.abs(got - want).max()) / scale
    return False, f"relative error {err:.2e} (scale {scale:.3g})\ngot\n{got}\nwant\n{want}"


_SPACING = re.compile(r"\s+|\\[,;:! ]|\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])")
_TRANSPOSE = re.compile(r"\^\{?\\(?:top|intercal)\}?|\^\{T\}")
_INVERSE_TRANSPOSE = re.compile(r"\^\{-\\(?:top|intercal)\}")


def length(latex: str) -> int:
    r"""Characters of LaTeX with whitespace, spacing commands (``\,`` ``\;`` ``\!``) and
    delimiter sizing (``\left`` ``\right`` ``\big``) removed and every transposition mark
    counted as ``^T`` (``^\top``, ``^{\top}``, ``^\intercal``; ``^{-\top}`` as ``^{-T}``):
    a measure of the form of a result, not of its notation."""
    text = _SPACING.sub("", latex)
    text = _INVERSE_TRANSPOSE.sub("^{-T}", text)
    return len(_TRANSPOSE.sub("^T", text))


def answer_length(problem: Problem) -> int:
    """The textbook answer's length, its abbreviations ("where y = Px") included."""
    return length(problem.answer) + sum(length(d) for _, d in problem.defs)


def central_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """The gradient of a scalar ``f`` at ``x`` by central differences, arranged as ``x``."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up) - f(down)) / (2 * h)
    return g
