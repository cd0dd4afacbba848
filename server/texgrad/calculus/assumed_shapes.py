r"""Shapes for an expression given alone, read from its letters and how they combine.

``texgrad diff '\frac{\partial \operatorname{tr}(AB)}{\partial A}'`` with nothing declared: a
capital letter is a matrix, a small Latin or bold letter a column vector, a small Greek letter
a number (as matrixcalculus.org and the textbooks type them); products, sums, traces and
inverses then say which sizes are one and the same (``AB`` inside a trace: A is n×m and B m×n).
Every size left free gets its own name, so that the verification, which draws a different
number for every name, still catches a missing transpose. The caller says which shapes it
assumed: a guess is never silent.

Pure: a parsed tree in, declarations (LaTeX) out, or None where the letters do not say enough
(a member ``x_i``, a function the expression does not define, a contradiction).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

_ONE = 0  # the union-find class of the size 1
# names for the sizes, in the order they are handed out (avoiding the expression's letters)
_NAMES = ("n", "m", "p", "q", "k", "r", "s", "l", "d")
_ELEMENTWISE = frozenset(
    {"log", "ln", "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sigma", "softmax", "relu",
     "sqrt", "abs", "sgn", "sign", "erf", "softplus"}
)  # fmt: skip
_SQUARE_TO_NUMBER = frozenset({"tr", "Tr", "trace", "det"})
_NOT_LETTERS = frozenset({"e", "\\pi", "\\infty", "d", "\\mathrm", "I", "\\partial"})
_VECTOR_FONTS = frozenset({"mathbf", "bm", "boldsymbol", "mathbfit", "bf", "vec", "symbf"})


class Unsized(Exception):
    """The letters do not say the shapes (a construct not read here, or a contradiction)."""


@dataclass
class _Sizes:
    """Union-find over sizes; class 0 is the size 1."""

    parent: list[int] = field(default_factory=lambda: [0])

    def new(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def same(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)  # the size 1 (class 0) stays its own root
            self.parent[hi] = lo


Shape = tuple[int, int]


@dataclass
class _Reader:
    sizes: _Sizes = field(default_factory=_Sizes)
    letters: dict[tuple[str, str | None], tuple[t.Node, Shape]] = field(default_factory=dict)

    def scalar(self, s: Shape) -> bool:
        return self.sizes.find(s[0]) == _ONE and self.sizes.find(s[1]) == _ONE

    def force_scalar(self, s: Shape) -> None:
        self.sizes.same(s[0], _ONE)
        self.sizes.same(s[1], _ONE)

    def letter(self, node: t.Node) -> Shape:
        key = symbol_key(node)
        leaf = node.body if isinstance(node, t.Font) else node
        if key is None or not isinstance(leaf, t.Symbol) or leaf.name in _NOT_LETTERS:
            raise Unsized(node)
        if key in self.letters:
            return self.letters[key][1]
        font = key[1] or ""
        name = leaf.name.lstrip("\\")
        if not name or not name[0].isalpha() or font in ("mathbb", "mathcal", "mathrm"):
            raise Unsized(node)
        if name[0].isupper():
            shape = (self.sizes.new(), self.sizes.new())
        elif font in _VECTOR_FONTS or not leaf.name.startswith("\\"):
            shape = (self.sizes.new(), _ONE)  # x, \mathbf{x}, \boldsymbol\mu: a column
        else:
            shape = (_ONE, _ONE)  # \lambda, \alpha: a number
        self.letters[key] = (node, shape)
        return shape

    def read(self, node: t.Node | None) -> Shape:
        if node is None:
            raise Unsized(node)
        if isinstance(node, (t.Symbol, t.Font)):
            return self.letter(node)
        if isinstance(node, t.Number):
            return (_ONE, _ONE)
        if isinstance(node, t.Paren) and node.open in ("(", "\\left(", "[", "\\left["):
            return self.read(node.body)
        if isinstance(node, (t.Neg, t.Transpose, t.Norm, t.Abs)):
            return self._wrapped(node)
        if isinstance(node, (t.Derivative, t.Nabla, t.Partial)):
            return self.read(node.body)  # the function of a request, its variable read after
        return self._operation(node)

    def _wrapped(self, node: t.Neg | t.Transpose | t.Norm | t.Abs) -> Shape:
        r"""``-x``, ``x^\top``, ``\|x\|``, ``|x|``: the operand's shape, swapped, or a number."""
        if isinstance(node, t.Neg):
            return self.read(node.operand)
        if isinstance(node, t.Transpose):
            r, c = self.read(node.base)
            return (c, r)
        self.read(node.body)
        return (_ONE, _ONE)

    def _operation(self, node: t.Node) -> Shape:
        if isinstance(node, t.Add):
            return self._same([self.read(x) for x in node.terms])
        if isinstance(node, t.Product):
            return self._product(node.factors)
        if isinstance(node, t.BinOp) and node.op in ("\\cdot", "\\odot") and node.right is not None:
            left, right = self.read(node.left), self.read(node.right)
            return self._same([left, right]) if node.op == "\\odot" else self._times(left, right)
        if isinstance(node, t.Frac):
            self.force_scalar(self.read(node.den))
            return self.read(node.num)
        if isinstance(node, t.Power):
            return self._power(node)
        if isinstance(node, t.Apply):
            return self._apply(node)
        raise Unsized(node)

    def _same(self, shapes: list[Shape]) -> Shape:
        """The terms of a sum (or of a Hadamard product): one shape."""
        first = shapes[0]
        for s in shapes[1:]:
            if self.scalar(first) != self.scalar(s):
                raise Unsized(s)  # a number plus a matrix: broadcasting, not guessed
            self.sizes.same(first[0], s[0])
            self.sizes.same(first[1], s[1])
        return first

    def _times(self, left: Shape, right: Shape) -> Shape:
        if self.scalar(left):
            return right
        if self.scalar(right):
            return left
        self.sizes.same(left[1], right[0])
        return (left[0], right[1])

    def _product(self, factors: tuple[t.Node, ...]) -> Shape:
        shape = self.read(factors[0])
        for f in factors[1:]:
            shape = self._times(shape, self.read(f))
        return shape

    def _power(self, node: t.Power) -> Shape:
        base = self.read(node.base)
        exp = node.exponent
        if isinstance(exp, t.Neg) and isinstance(exp.operand, t.Number):
            exp = exp.operand
        if not isinstance(exp, (t.Number, t.Frac)):
            raise Unsized(node)
        if not self.scalar(base):
            self.sizes.same(base[0], base[1])  # A^{-1}, A^2, S^{1/2}: square
        return base

    def _apply(self, node: t.Apply) -> Shape:
        func = node.func
        if len(node.args) != 1:
            raise Unsized(node)
        arg = self.read(node.args[0])
        name = func.name if isinstance(func, t.Func) else None
        if isinstance(func, t.Symbol) and func.name in ("\\sigma", "\\phi"):
            name = "sigma"  # an activation the expression does not define: entrywise
        if name in _SQUARE_TO_NUMBER:
            self.sizes.same(arg[0], arg[1])
            return (_ONE, _ONE)
        if name in _ELEMENTWISE:
            return arg
        if name == "diag" and self.sizes.find(arg[1]) == _ONE:
            return (arg[0], arg[0])
        raise Unsized(node)


def _request_variables(node: t.Node) -> list[t.Node]:
    """The variables a derivative request names (``\\partial A`` of ``\\frac{∂ …}{∂A}``)."""
    if isinstance(node, t.Derivative):
        return [
            w.body if isinstance(w, t.Differential) and w.body is not None else w for w in node.wrt
        ]
    if isinstance(node, (t.Nabla, t.Partial)) and node.wrt is not None:
        return [node.wrt]
    return []


_DEFINING = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\eqqcolon", "\\stackrel"})


def _defined(tree: t.Node) -> t.Node:
    r"""The right side of a definition typed as the expression (``\mathcal{L}(w) = \|Aw -
    b\|^2``, ``f(x) := x^\top A x``): its letters say the shapes; the name defined, a
    function of its arguments, says none. ``tree`` itself otherwise."""
    if not (isinstance(tree, t.Chain) and len(tree.items) == 2 and tree.relations[0] in _DEFINING):
        return tree
    name, body = tree.items
    if (
        isinstance(name, t.Apply)
        and isinstance(name.func, (t.Symbol, t.Font))
        and all(isinstance(a, (t.Symbol, t.Font)) for a in name.args)
        and body is not None
    ):
        return body
    return tree


def assumed_declarations(tree: t.Node, source: str) -> list[str] | None:
    """Declarations (``A \\in \\mathbb{R}^{n \\times m}``) for every letter of ``tree`` (parsed
    from ``source``), read from the letters and how they combine; None where they do not say
    (see the module docstring)."""
    reader = _Reader()
    tree = _defined(tree)
    try:
        reader.read(tree)
        for v in _request_variables(tree):
            reader.letter(v)
    except (Unsized, RecursionError):
        return None
    used = {n.name for n in tree.walk() if isinstance(n, t.Symbol)}
    free = (x for x in (*_NAMES, *(f"n_{i}" for i in range(1, 40))) if x not in used)
    names: dict[int, str] = {}

    def size(a: int) -> str:
        root = reader.sizes.find(a)
        if root == _ONE:
            return "1"
        if root not in names:
            names[root] = next(free)
        return names[root]

    for _, (r, c) in reader.letters.values():  # a vector's size first: x ∈ ℝⁿ, A ∈ ℝ^{m×n}
        if reader.sizes.find(c) == _ONE:
            size(r)
    out: list[str] = []
    for node, (r, c) in reader.letters.values():
        written = source[node.start : node.end]
        rows, cols = size(r), size(c)
        if rows == "1" and cols == "1":
            out.append(f"{written} \\in \\mathbb{{R}}")
        elif cols == "1":
            out.append(f"{written} \\in \\mathbb{{R}}^{{{rows}}}")
        else:
            out.append(f"{written} \\in \\mathbb{{R}}^{{{rows} \\times {cols}}}")
    return out
