r"""Why something cannot be differentiated, said in the document's words.

:func:`unknown_shape` turns the engine's refusal of a symbol without a shape into a
message whose suggested declaration fits the symbol's use: a coefficient, a denominator,
an exponent or a step size (``\lambda\|x\|^2``, ``\frac{1}{N}``, ``x - \eta g``) is
suggested as a scalar (``\lambda > 0`` or ``\lambda \in \mathbb{R}``); a symbol multiplied
on both sides, transposed between factors, inverted or under ``\det`` / ``\operatorname{tr}``
as a matrix of the sizes it must have (``B \in \mathbb{R}^{n \times n}``); one added to or
multiplying a vector as a vector (``b \in \mathbb{R}^{m}``).  The use is read from the
syntax tree, the sizes by lowering the formula with each candidate shape in turn: only a
shape that makes the formula well formed is suggested.

:func:`refusal` says why a row that states a function offers nothing to differentiate
(the reason of a disabled code action, or of a hover).  Plain values; no protocol.
"""

from __future__ import annotations

import re
from dataclasses import replace

import sympy

from texgrad.calculus.context import Context
from texgrad.calculus.expr import CalculusError, ShapeError, UnknownShape
from texgrad.calculus.indices import lower_formula
from texgrad.calculus.lower import Env, Lowerer, VarInfo
from texgrad.calculus.sympy_dims import ONE, SCALAR, Dim, Shape
from texgrad.reading.source import MappedText
from texgrad.shapes.dims import dim_text
from texgrad.shapes.formulas import WEAK_BESIDE_BOLD, weak_scalars
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import member_key, symbol_key

_SCALAR_FUNCS = frozenset(("exp", "log", "ln", "sin", "cos", "tanh", "sqrt"))
_MATRIX_FUNCS = frozenset(("det", "tr", "Tr", "trace", "logdet"))
_MAX_DIMS = 6
_WRAPPERS = (
    t.Transpose,
    t.Paren,
    t.Font,
    t.Accent,
    t.Neg,
)  # dimensions tried for a vector's or a matrix's sizes


def unknown_shape(tree: t.Node, exc: UnknownShape, env: Env) -> str:
    """The refusal of a symbol without a shape, with a declaration that fits its use in
    ``tree`` (the formula being read, with the document's knowledge ``env``)."""
    w = exc.written
    node = exc.node if isinstance(exc.node, t.Node) else None
    if node is not None and symbol_key(node) is None and member_key(node) is None:
        # not a letter (nor one marked, \mathbf z_k^-): nothing to declare
        return why_not(f"cannot differentiate `{w}`")
    if node is not None and _called(tree, node):  # k(X, X_*): a function, not a quantity
        return (
            f"`{w}` is used as a function the document does not define — define it, e.g. "
            f"`{w}(\\mathbf x, \\mathbf z) = …`, to differentiate through it"
        )
    try:
        shape = _fitting(tree, node, env) if node is not None else None
    except RecursionError:
        shape = None
    if shape is None:
        return (
            f"the shape of `{w}` is unknown — declare it, e.g. `{w} \\in \\mathbb{{R}}` "
            f"or `{w} \\in \\mathbb{{R}}^n`"
        )
    if shape.is_scalar and _weak_reads(w):
        return f"the shape of `{w}` is unknown — declare it, e.g. `{w} > 0` or `{w} \\in \\mathbb{{R}}`"
    if shape.is_scalar:  # (x > 0 of a Latin letter may be a vector's, entrywise)
        return f"the shape of `{w}` is unknown — declare it, e.g. `{w} \\in \\mathbb{{R}}`"
    return f"the shape of `{w}` is unknown — declare it, e.g. `{w} \\in {space_of(shape)}`"


def _weak_reads(written: str) -> bool:
    """Whether ``written > 0`` would declare a scalar (``\\lambda > 0`` does; ``x > 0``
    does not, being a vector's entrywise as often)."""
    tree = parse_row(MappedText.identity(f"{written} > 0")).tree
    return tree is not None and any(d.how != WEAK_BESIDE_BOLD for d in weak_scalars(tree, ""))


def space_of(shape: Shape) -> str:
    r"""``\mathbb{R}^{n \times n}``, ``\mathbb{R}^{m}``, ``\mathbb{R}``."""
    if shape.is_scalar:
        return "\\mathbb{R}"
    if shape.cols == ONE:
        return f"\\mathbb{{R}}^{{{dim_text(shape.rows)}}}"
    return f"\\mathbb{{R}}^{{{dim_text(shape.rows)} \\times {dim_text(shape.cols)}}}"


def refusal(tree: t.Node, ctx: Context) -> str | None:
    """Why nothing in ``tree`` (a row that states a function) can be differentiated: the
    engine's refusal in the document's words; None when the row reads."""
    try:
        lower_formula(tree, ctx.env, ctx.einstein)
    except UnknownShape as exc:
        return unknown_shape(tree, exc, ctx.env)
    except CalculusError as exc:
        return why_not(_in_its_names(tree, ctx, str(exc)))
    except RecursionError:
        return "the expression is nested too deeply"
    return None


def _in_its_names(tree: t.Node, ctx: Context, said: str) -> str:
    """The refusal as met with the document's names kept: ``w^\top C w`` of a defined
    ``C = \frac{1}{n-1} X X^\top`` cannot multiply a 1×d by C's n×n, not by the n×d ``X``
    its definition begins with (what ``diff`` says too)."""
    try:
        Lowerer(ctx.env, keep_names=True).lower(tree)
    except UnknownShape:
        return said
    except CalculusError as named:
        # (only a mismatch of shapes is said anew: other refusals quote the document's own
        # spelling, which the inlined reading keeps)
        return (
            str(named)
            if said.startswith(_MISMATCHES) and str(named).startswith(_MISMATCHES)
            else said
        )
    except RecursionError:
        return said
    return said


_MISMATCHES = ("cannot multiply", "cannot add")


_KNOWN = frozenset(("diag", "Diag", "vec", "softmax", "logsumexp", "relu", "sigmoid", "tanh"))
_FUNCTION = re.compile(r"cannot differentiate the function `([^`]+)`")
_BARE = re.compile(r"cannot differentiate `([^`]+)`")


def why_not(said: str) -> str:
    r"""The engine's bare "cannot differentiate `X`" with why, read off X's kind: a list or a
    point, text, a function texgrad does not know (``\operatorname{poly}``), ``\pm``."""
    function = _FUNCTION.fullmatch(said)
    if function is not None:  # f(x) of a function the document never defines
        name = function[1]
        if name.split("{")[-1].strip("\\}") in _KNOWN | _SCALAR_FUNCS | _MATRIX_FUNCS:
            return said
        return (
            f"{said}: the document does not define it — define it (`{name}(x) = …`) to "
            "differentiate through it"
        )
    if said == "cannot differentiate ``":
        return "cannot differentiate an empty group `{ }`: it is not a formula"
    bare = _BARE.fullmatch(said)
    if bare is None:
        return said
    tree = parse_row(MappedText.identity(bare[1])).tree
    if isinstance(tree, t.Paren) and tree.body is not None:
        tree = tree.body
    if isinstance(tree, t.List | t.Sequence):
        return f"{said}: a list or a point, not one formula"
    if isinstance(tree, t.Text):
        return f"{said}: it is text, not a formula"
    if isinstance(tree, t.Func) and tree.name.strip("\\") in _KNOWN | _SCALAR_FUNCS | _MATRIX_FUNCS:
        return f"{said}: the function's name alone, without what it is applied to"
    if isinstance(tree, t.Func):
        return (
            f"{said}: a function texgrad does not know — define it in the document "
            f"(`{bare[1]}(x) = …`) to differentiate through it"
        )
    if isinstance(tree, t.Symbol) and tree.name in ("\\pm", "\\mp"):
        return f"{said}: `{bare[1]}` stands for two formulas, not one"
    command = _undefined_command(tree)
    if command is not None:  # \vx, \norm{…} of a package texgrad does not know
        return (
            f"`{command}` is a command the document does not define (from a package texgrad does "
            f"not know?) — define it, e.g. `\\newcommand{{{command}}}{{…}}`, for texgrad to read it"
        )
    return f"{said}: texgrad does not read it"


_COMMAND = re.compile(r"\\[A-Za-z]+")


def _undefined_command(tree: t.Node | None) -> str | None:
    r"""The first command of ``tree`` that its parser did not know (``\vx``, ``\norm`` of
    ``\norm{\mA\vx}_2``), read after the document's macros: one it does not define."""
    for node in tree.walk() if tree is not None else ():
        if isinstance(node, t.Opaque):
            found = _COMMAND.match(node.text)
            return found[0] if found is not None else None
    return None


def parse_problem(expr: str) -> str | None:
    """Where an expression given alone (on the command line) does not parse, and why:
    ``unclosed ( at character 14: `x^\\top A x + (` ``; None when it parses."""
    parsed = parse_row(MappedText.identity(expr))
    err = parsed.error
    if parsed.tree is not None or err is None:
        return None
    upto = expr[: max(err.end, err.start + 1)]
    return f"the expression does not parse: {err.message} at character {err.start + 1}: `{upto}`"


# -- the use of a symbol ------------------------------------------------------------------


def _called(tree: t.Node, node: t.Node) -> bool:
    r"""Is the letter written as a function of several arguments, ``k(X, X_*)`` (its
    parentheses right after it, holding a list)?"""
    parents = _parents(tree, node)
    if not parents or not isinstance(parents[0], t.Product):
        return False
    factors = parents[0].factors
    i = next((k for k, f in enumerate(factors) if f is node), -1)
    after = factors[i + 1] if 0 <= i < len(factors) - 1 else None
    return isinstance(after, t.Paren) and after.start == node.end and isinstance(after.body, t.List)


def _parents(tree: t.Node, node: t.Node) -> list[t.Node] | None:
    """The ancestors of ``node`` in ``tree``, nearest first (None: not in it)."""
    path: list[t.Node] = []

    def find(n: t.Node) -> bool:
        if n is node or (type(n) is type(node) and n == node):
            return True
        path.append(n)
        if any(find(k) for k in n.children()):
            return True
        path.pop()
        return False

    return list(reversed(path)) if find(tree) else None


def _cue(node: t.Node, parents: list[t.Node]) -> str:
    """What the use suggests first: "scalar", "vector" or "matrix"."""
    child = node
    transposed = False
    for p in parents:
        transposed = transposed or isinstance(p, t.Transpose)
        if isinstance(p, t.Power):
            if child is p.exponent:
                return "scalar"
            if _is_inverse(p):
                return "matrix"
        if isinstance(p, t.Frac) and child is p.den:
            return "scalar"
        if isinstance(p, t.Sub | t.BigOp | t.Tagged) and child is not getattr(p, "base", None):
            if not isinstance(p, t.BigOp) or child is not p.body:
                return "scalar"
        if isinstance(p, t.Apply) and child in p.args:
            name = _func_name(p.func)
            if name in _MATRIX_FUNCS:
                return "matrix"
            if name in _SCALAR_FUNCS:
                return "scalar"
        if isinstance(p, t.Product):
            if _coefficient_first(child, p, transposed):
                return "scalar"  # \det(sX): a plain small letter before a matrix, its scale
            if _in_matrix_function(p, parents):
                return "matrix"  # \operatorname{tr}(X A)
            return _product_cue(child, p, transposed)
        if not isinstance(p, _WRAPPERS):
            return "vector" if transposed else "scalar"
        child = p
    return "scalar"


def _coefficient_first(child: t.Node, p: t.Product, transposed: bool) -> bool:
    r"""``s`` of ``\det(sX)``, ``\lambda`` of ``\operatorname{tr}(\lambda A)``: a plain small
    letter heading a product (a scalar tried first; where it does not fit, the rest are)."""
    return (
        not transposed
        and len(p.factors) > 1
        and p.factors[0] is child
        and isinstance(child, t.Symbol)
        and child.font is None
        and not child.accents
        and not is_capital(child.name)
    )


def _product_cue(child: t.Node, p: t.Product, transposed: bool) -> str:
    i = next((k for k, f in enumerate(p.factors) if f is child), -1)
    last = len(p.factors) - 1
    if 0 < i < last and not transposed:
        return "matrix"  # x^\top B x (a transposed letter there, y_i w^\top x_i: a vector's)
    if i == 0 and not transposed:
        return "scalar"  # \lambda \|x\|^2, \eta g
    return "vector"  # a^\top x, A b


def _in_matrix_function(p: t.Node, parents: list[t.Node]) -> bool:
    """Is ``p`` (through brackets) the argument of a determinant or a trace?"""
    child = p
    for q in parents[parents.index(p) + 1 :]:
        if isinstance(q, t.Apply):
            return child in q.args and _func_name(q.func) in _MATRIX_FUNCS
        if not isinstance(q, t.Paren | t.Font):
            return False
        child = q
    return False


def _is_inverse(p: t.Power) -> bool:
    e = p.exponent
    return isinstance(e, t.Neg) and isinstance(e.operand, t.Number) and e.operand.text == "1"


def _func_name(func: t.Node) -> str:
    if isinstance(func, t.Func):
        return func.name
    key = symbol_key(func)
    return key[0] if key is not None else ""


def _dims(env: Env) -> list[Dim]:
    seen: list[Dim] = []
    for info in env.vars.values():
        for d in (info.shape.rows, info.shape.cols):
            for s in sorted(d.free_symbols, key=str):
                if s not in seen:
                    seen.append(s)
    return seen[:_MAX_DIMS]


def _candidates(cue: str, dims: list[Dim]) -> list[Shape]:
    scalars = [SCALAR]
    vectors = [Shape(d, ONE) for d in dims]
    square = [Shape(d, d) for d in dims]
    other = [Shape(a, b) for a in dims for b in dims if a != b]
    if cue == "matrix":
        return square + other + vectors + scalars
    if cue == "vector":
        return vectors + square + other + scalars
    return scalars + vectors + square + other


def _fitting(tree: t.Node, node: t.Node, env: Env) -> Shape | None:
    """The first shape, in the order the use suggests, that makes ``tree`` well formed."""
    key = symbol_key(node)
    parents = _parents(tree, node)
    if key is None or parents is None:
        return None
    cue = _cue(node, parents)
    if cue == "vector" and is_capital(key[0]):  # B^\top x: a capital is a matrix's letter
        cue = "matrix"
    # X of Xw with w unknown too: a capital heading a product is a matrix's letter (not the
    # scalar the first position suggests, as of \lambda x), when no other shape decides
    # (and a vector's letter, w of Xw, a vector of n entries when no size is declared)
    dims = _dims(env)
    undecided = (
        _MATRIX if cue == "scalar" and is_capital(key[0]) and _heads(node, parents)
        else _VECTOR if cue == "vector" and not dims
        else None
    )  # fmt: skip
    candidates = _candidates(cue, dims)
    beside = _term_shape(node, parents, env)
    if beside is not None:  # A x + b: b has the shape of the sum
        candidates.insert(0, beside)
    summand = next((p.body for p in parents if isinstance(p, t.BigOp) and p.op == "\\sum"), None)
    for scope in (tree, summand):  # the formula, else the summand its sum holds it in
        if scope is None:
            continue
        how, shape = _fits(scope, key[0], candidates, env)
        if how == "other":
            return undecided or shape  # another letter is unknown too: not what fails
        if how != "unread":
            return shape
    return None


def _fits(scope: t.Node, key: str, candidates: list[Shape], env: Env) -> tuple[str, Shape | None]:
    """The first of ``candidates`` for ``key`` that makes ``scope`` read: ("fits", it),
    ("other", it) where another letter is unknown too, ("none", None) where none reads,
    ("unread", None) where ``scope`` cannot be read whatever the shape (``\\sum_i
    w^\\top x_i`` of a declared vector ``x_i``: its summand still says w's shape)."""
    for shape in candidates:
        trial = replace(env, vars={**env.vars, key: VarInfo(key, shape, key)})
        try:
            lower_formula(scope, trial)  # (a sum over samples too: \\sum_i (w^\\top x_i)^2)
        except UnknownShape as other:
            found = symbol_key(other.node) if isinstance(other.node, t.Node) else None
            if other.written == "" or (found is not None and found[0] == key):
                continue
            return "other", shape
        except ShapeError:
            continue
        except (CalculusError, RecursionError):
            return "unread", None
        return "fits", shape
    return "none", None


_SIZES = sympy.symbols("m n", integer=True, positive=True)
_MATRIX = Shape(*_SIZES)
_VECTOR = Shape(_SIZES[1], ONE)


def _heads(node: t.Node, parents: list[t.Node]) -> bool:
    """Is ``node`` (through brackets and fonts) the first factor of a product?"""
    child = node
    for p in parents:
        if isinstance(p, t.Product):
            return len(p.factors) > 1 and p.factors[0] is child
        if not isinstance(p, t.Font | t.Accent):
            return False
        child = p
    return False


def is_capital(key: str) -> bool:
    r"""``B``, ``\mathbf{W}``, ``\Sigma``: a letter written as matrices are."""
    name = key.split("_")[0].split("^")[0]
    for font in ("\\mathbf{", "\\boldsymbol{", "\\bm{", "\\mathrm{"):
        if name.startswith(font):
            name = name[len(font) :]
    if name.startswith("\\"):
        return name[1:2].isupper()
    return name[:1].isupper()


def _term_shape(node: t.Node, parents: list[t.Node], env: Env) -> Shape | None:
    """Of a symbol standing as a term of a sum (``A x + b``), the shape of the first other
    term that reads; None elsewhere."""
    child = node
    for p in parents:
        if isinstance(p, t.Add):
            for term in p.terms:
                if term is child:
                    continue
                try:
                    return Lowerer(env).lower(term).shape
                except (CalculusError, RecursionError):
                    continue
            return None
        if not isinstance(p, t.Paren | t.Font | t.Accent | t.Neg):
            return None
        child = p
    return None
