r"""The typed syntax tree of one row of math: a frozen dataclass per construct.

Every node knows the source range it was parsed from (``start``/``end``,
offsets in the original file, through macro expansion and Markdown escapes)
and whether that range is the literal text of the node (``from_macro`` is
False) or the call of a macro that produced it.  ``span`` is the node's
range in the parsed row text; analysis layers should use ``start``/``end``.

Syntax only: ``A^T`` is a :class:`Transpose` because that is how it is
written, and ``f(x)`` an :class:`Apply` when ``f`` is conventionally a
function; the shapes layer decides what they mean in a given document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    start: int = 0
    end: int = 0
    from_macro: bool = False
    span: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)

    @property
    def kind(self) -> str:
        return type(self).__name__

    def children(self) -> Iterator[Node]:
        """Child nodes in source order."""
        return iter(self._children())

    def _children(self) -> list[Node]:
        kids = _KIDS.get(self.__class__)
        if kids is None:
            kids = _kids_of(self.__class__)
        return kids(self)

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first, in source order."""
        stack: list[Node] = [self]
        pop, extend, plans = stack.pop, stack.extend, _KIDS
        while stack:
            node = pop()
            yield node
            kids_of = plans.get(node.__class__)
            if kids_of is None:
                kids_of = _kids_of(node.__class__)
            if kids_of is _no_kids:  # (a leaf: most nodes)
                continue
            kids = kids_of(node)
            if kids:
                kids.reverse()
                extend(kids)


# The fields of each node class that may hold children, and how, read once per class from
# their annotations (``dataclasses.fields`` per node made walking a document's trees three
# times slower; testing every field's value with isinstance, twice slower than this):
# a node or None, a tuple of nodes (or None), a tuple of such tuples (a matrix's rows), or
# a field of another type, whose value is looked at as it is.
_NOT_CHILDREN = frozenset(("start", "end", "from_macro", "span"))
_ONE, _MANY, _ROWS, _ANY = "one", "many", "rows", "any"
_HOW = {
    "Node": _ONE,
    "Node | None": _ONE,
    "tuple[Node, ...]": _MANY,
    "tuple[Node | None, ...]": _MANY,
    "tuple[tuple[Node, ...], ...]": _ROWS,
    "tuple[tuple[Node | None, ...], ...]": _ROWS,
}
_LEAF_TYPES = frozenset(("str", "str | None", "bool", "int", "tuple[str, ...]"))
_CHILD_PLANS: dict[type, tuple[tuple[str, str], ...]] = {}


def _child_plan(cls: type) -> tuple[tuple[str, str], ...]:
    plan = _CHILD_PLANS.get(cls)
    if plan is None:
        plan = tuple(
            (f.name, _HOW.get(f.type, _ANY) if isinstance(f.type, str) else _ANY)
            for f in fields(cls)
            if f.name not in _NOT_CHILDREN and f.type not in _LEAF_TYPES
        )
        _CHILD_PLANS[cls] = plan
    return plan


def _no_kids(node: Node) -> list[Node]:
    return []


def _kids_by_plan(plan: tuple[tuple[str, str], ...]) -> Callable[[Node], list[Node]]:
    """The children of a node of a class with this plan (any plan), in source order."""

    def kids(node: Node) -> list[Node]:
        out: list[Node] = []
        for name, how in plan:
            v = getattr(node, name)
            if v is None:
                continue
            if how is _ONE:
                out.append(v)
            elif how is _MANY:
                for x in v:
                    if x is not None:
                        out.append(x)
            elif how is _ROWS:
                for item in v:
                    out.extend(x for x in item if x is not None)
            elif isinstance(v, Node):  # a field typed otherwise: looked at, as it is
                out.append(v)
            elif isinstance(v, tuple):
                for item in v:
                    if isinstance(item, Node):
                        out.append(item)
                    elif isinstance(item, tuple):
                        out.extend(x for x in item if isinstance(x, Node))
        return out

    return kids


def _kids_of(cls: type) -> Callable[[Node], list[Node]]:
    """How to list the children of a node of ``cls``, made once per class: a leaf's none;
    fields each holding a node (or None) read by one ``attrgetter``; one tuple of nodes;
    else :func:`_kids_by_plan` (walking a document's trees lists ~a million children)."""
    plan = _child_plan(cls)
    kids: Callable[[Node], list[Node]]
    if not plan:
        kids = _no_kids
    elif all(how is _ONE for _, how in plan):
        get: Callable[[Node], Any] = attrgetter(*(name for name, _ in plan))
        if len(plan) == 1:

            def kids(node: Node) -> list[Node]:
                v = get(node)
                return [] if v is None else [v]

        else:

            def kids(node: Node) -> list[Node]:
                return [v for v in get(node) if v is not None]

    elif len(plan) == 1 and plan[0][1] is _MANY:
        field_of: Callable[[Node], Any] = attrgetter(plan[0][0])

        def kids(node: Node) -> list[Node]:
            v = field_of(node)
            return [] if v is None else [x for x in v if x is not None]

    else:
        kids = _kids_by_plan(plan)
    _KIDS[cls] = kids
    return kids


_KIDS: dict[type, Callable[[Node], list[Node]]] = {}


# -- leaves --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Symbol(Node):
    r"""A variable: ``x``, ``\alpha``, ``\mathbf{x}`` (font "mathbf"), ``\hat{x}`` (accents ("hat",))."""

    name: str
    font: str | None = None
    accents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Number(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Dots(Node):
    text: str


@dataclass(frozen=True, slots=True)
class Text(Node):
    r"""``\text{…}``; ``math`` holds the trees of nested ``$…$`` inside it."""

    text: str
    math: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Opaque(Node):
    """A construct texgrad does not read (its shape is unknown), kept with its range."""

    text: str


@dataclass(frozen=True, slots=True)
class Unread(Node):
    """A row beyond what texgrad reads (``syntax/limits.py``: nested too deep, a number too
    long): its whole range, a diagnostic's code and why; every pass after parsing sees this
    leaf instead of the row's tree."""

    code: str  # "too-deep", "too-large"
    why: str


@dataclass(frozen=True, slots=True)
class Empty(Node):
    """An empty group ``{}``."""


# -- structure -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sequence(Node):
    """Statements separated by ``;`` or a full stop."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Chain(Node):
    r"""A relation chain ``a = b \le c``; a missing side (an align row ``&= c``) is None."""

    items: tuple[Node | None, ...]
    relations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class List(Node):
    """A comma list: ``x, y`` in ``x, y \\in S``; arguments of a call."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Add(Node):
    """``a + b - c``: ``signs[i]`` is the sign before ``terms[i]`` ("" for none)."""

    terms: tuple[Node, ...]
    signs: tuple[str, ...]
    trailing: str = ""  # the sign a row ends with when the sum goes on in the next row


@dataclass(frozen=True, slots=True)
class Neg(Node):
    operand: Node
    sign: str = "-"


@dataclass(frozen=True, slots=True)
class Product(Node):
    """Implicit multiplication (juxtaposition): ``Ax``, ``2x``, ``x^\\top A x``."""

    factors: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class BinOp(Node):
    r"""An explicit operator: ``\cdot \times \odot \circ \otimes \oslash / *`` …"""

    op: str
    left: Node
    right: Node | None  # None when a row ends with the operator


@dataclass(frozen=True, slots=True)
class Frac(Node):
    num: Node
    den: Node
    command: str = "frac"


@dataclass(frozen=True, slots=True)
class Binom(Node):
    top: Node
    bottom: Node


@dataclass(frozen=True, slots=True)
class Sqrt(Node):
    body: Node
    index: Node | None = None


@dataclass(frozen=True, slots=True)
class Power(Node):
    base: Node
    exponent: Node


@dataclass(frozen=True, slots=True)
class Transpose(Node):
    r"""``A^T``, ``A^\top``, ``A^{\mathsf T}``, ``A^\intercal``; ``A^H``, ``A^*``, ``A^\dagger`` (conjugate)."""

    base: Node
    mark: str
    conjugate: bool = False


@dataclass(frozen=True, slots=True)
class InverseTranspose(Node):
    r"""``A^{-T}``, ``A^{-\top}``."""

    base: Node
    mark: str


@dataclass(frozen=True, slots=True)
class Prime(Node):
    """``A'`` or ``f''``: a transpose in some documents, a derivative in others."""

    base: Node
    count: int = 1


@dataclass(frozen=True, slots=True)
class Sub(Node):
    """A subscript: ``x_i``, ``W_1``, ``A_{ij}``."""

    base: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Tagged(Node):
    """A superscript label: a family member ``W^{(l)}``, ``a^{[l]}``, or a name ``W^Q``,
    ``W^{\\text{enc}}`` (no bracket)."""

    base: Node
    tag: Node
    bracket: str = "("

    def as_power(self) -> Power | None:
        """A name tag read as the power it would otherwise be (``A^N``), for where the
        document does not declare that name; None for a family member."""
        if self.bracket:
            return None
        return Power(self.base, self.tag, start=self.start, end=self.end)


@dataclass(frozen=True, slots=True)
class Factorial(Node):
    base: Node


@dataclass(frozen=True, slots=True)
class Paren(Node):
    """A bracketed group: ``(…)``, ``[…]``, ``\\{…\\}``, intervals ``[0, 1)``."""

    body: Node | None
    open: str
    close: str


@dataclass(frozen=True, slots=True)
class Abs(Node):
    """``|x|``: absolute value, determinant or cardinality."""

    body: Node | None


@dataclass(frozen=True, slots=True)
class Norm(Node):
    r"""``\|x\|``, ``\lVert x \rVert``, with its subscript: ``\|x\|_2`` has ``p`` 2, ``\|X\|_F`` F."""

    body: Node | None
    p: Node | None = None


@dataclass(frozen=True, slots=True)
class Angle(Node):
    r"""``\langle a, b \rangle``: ``items`` (two for an inner product)."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Delimited(Node):
    r"""Other delimiter pairs: ``\lfloor x \rfloor``, ``\lceil x \rceil``, ``\left. … \right|``."""

    body: Node | None
    open: str
    close: str


# -- functions and operators ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Func(Node):
    r"""A named operator: ``\log``, ``\max_x``, ``\operatorname{tr}``, ``\mathrm{diag}``, ``\arg\min``."""

    name: str
    sub: Node | None = None
    sup: Node | None = None


@dataclass(frozen=True, slots=True)
class Apply(Node):
    r"""Function application: ``f(x)``, ``\sigma(Wx + b)``, ``\log x``, ``\operatorname{tr}(A)``."""

    func: Node
    args: tuple[Node, ...]
    parens: bool = True


@dataclass(frozen=True, slots=True)
class BigOp(Node):
    r"""``\sum_{i=1}^n body``, ``\prod``, ``\int_a^b``."""

    op: str
    lower: Node | None
    upper: Node | None
    body: Node | None


@dataclass(frozen=True, slots=True)
class Nabla(Node):
    r"""``\nabla f``, ``\nabla_x f``, ``\nabla^2 f``."""

    body: Node | None
    wrt: Node | None = None
    order: Node | None = None


@dataclass(frozen=True, slots=True)
class Partial(Node):
    r"""``\partial f``, ``\partial_x f``, ``\partial^2 f`` outside a fraction."""

    body: Node | None
    wrt: Node | None = None
    order: Node | None = None


@dataclass(frozen=True, slots=True)
class Derivative(Node):
    r"""``\frac{\partial f}{\partial x}``, ``\frac{d}{dx} g``, ``\frac{\partial^2 f}{\partial x \partial y}``."""

    body: Node | None
    wrt: tuple[Node, ...]
    partial: bool = True
    order: Node | None = None


@dataclass(frozen=True, slots=True)
class Differential(Node):
    r"""``\mathrm{d}x``, ``\mathrm{d}X``."""

    body: Node | None


@dataclass(frozen=True, slots=True)
class Space(Node):
    r"""``\mathbb{R}^{m \times n}``, ``\mathbb R^n``, ``\mathbb{S}^n_{++}``: a field and dimensions."""

    field: str  # "R", "C", "S", "N", "Z", "Q"
    dims: tuple[Node, ...] = ()
    sub: Node | None = None


@dataclass(frozen=True, slots=True)
class Font(Node):
    r"""A font applied to something that is not a single symbol (``\mathbf{\Sigma}^{-1}`` is a Symbol)."""

    font: str
    body: Node


@dataclass(frozen=True, slots=True)
class Accent(Node):
    r"""An accent over an expression: ``\overline{x + y}``, ``\underbrace{…}``."""

    accent: str
    body: Node


@dataclass(frozen=True, slots=True)
class Overset(Node):
    r"""``\overset{top}{base}``, ``\underset{bottom}{base}``."""

    command: str
    annotation: Node
    base: Node


# -- environments ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Matrix(Node):
    r"""``bmatrix``, ``pmatrix``, ``array`` …: rows of cells (None for an empty cell)."""

    env: str
    rows: tuple[tuple[Node | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Cases(Node):
    """``cases``: rows of (value, condition)."""

    env: str
    rows: tuple[tuple[Node | None, ...], ...]


@dataclass(frozen=True, slots=True)
class Aligned(Node):
    """A row environment nested inside a delimiter: ``\\left\\{ \\begin{aligned} … \\end{aligned} \\right.``."""

    env: str
    rows: tuple[tuple[Node | None, ...], ...]


def shifted(node: Node, delta: int) -> Node:
    """The same tree ``delta`` characters later in the source (text was inserted before it).

    Lets an edited document reuse the trees of the rows the edit did not touch, and a row
    written twice share one parse.  ``span`` (the range in the row text) does not move.
    """
    if delta == 0:
        return node
    return _shifted(node, delta)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_put = object.__setattr__  # (as a frozen dataclass's own __init__ sets its fields)


def _shifted(node: Node, delta: int) -> Node:
    """:func:`shifted`, made field by field on the class's plan (``dataclasses.replace``
    read every class's fields and called ``__init__`` per node: a tenth of a 1 MB thesis's
    check, whose rows written twice share their trees)."""
    cls = type(node)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    new = object.__new__(cls)
    for name in names:
        _put(new, name, getattr(node, name))
    _put(new, "start", node.start + delta)
    _put(new, "end", node.end + delta)
    for name, how in _child_plan(cls):
        v = getattr(node, name)
        if v is None:
            continue
        if isinstance(v, Node):
            _put(new, name, _shifted(v, delta))
        elif isinstance(v, tuple) and v and how is not _ONE:
            _put(new, name, tuple(
                _shifted(x, delta) if isinstance(x, Node)
                else tuple(_shifted(y, delta) if isinstance(y, Node) else y for y in x) if isinstance(x, tuple)
                else x
                for x in v
            ))  # fmt: skip
    return new


def replaced(node: Node, by: dict[int, Node]) -> Node:
    """``node`` with each of its nodes whose ``id`` is in ``by`` replaced by its value (the
    nodes on the way rebuilt, the others shared)."""
    if id(node) in by:
        return by[id(node)]
    changes: dict[str, object] = {}
    for f in fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Node):
            new = replaced(value, by)
            if new is not value:
                changes[f.name] = new
        elif isinstance(value, tuple) and any(isinstance(v, (Node, tuple)) for v in value):
            items = tuple(
                replaced(v, by) if isinstance(v, Node)
                else tuple(replaced(w, by) if isinstance(w, Node) else w for w in v)
                if isinstance(v, tuple) else v
                for v in value
            )  # fmt: skip
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changes[f.name] = items
    if not changes:
        return node
    values = {f.name: getattr(node, f.name) for f in fields(node)}
    values.update(changes)
    return type(node)(**values)


INTEGRALS = frozenset(("\\int", "\\iint", "\\iiint", "\\oint"))


def integral_measures(tree: Node) -> list[Node]:
    r"""The measures of the integrals ``tree`` writes: ``dt`` of ``\int_0^1 f(t) \, dt`` (a
    differential that is no derivative: what is integrated over)."""
    found: list[Node] = []
    for node in tree.walk():
        if not isinstance(node, BigOp) or node.op not in INTEGRALS or node.body is None:
            continue
        body = node.body
        factors = body.factors if isinstance(body, Product) else (body,)
        for i, f in enumerate(factors):
            if isinstance(f, Differential):
                found.append(f)
            elif _is_d(f) and i + 1 < len(factors):  # d t, spaced: the d and its letter
                found += [f, factors[i + 1]]
    return found


def writes_derivative(node: Node) -> bool:
    """Whether ``node`` writes a derivative (``\\nabla``, ``\\partial``, ``\\mathrm{d}``,
    ``\\frac{d}{dt}``, a Jacobian ``J_f``, a differential read as the product
    ``\\mathrm d(\\mathbf x^\\top B\\mathbf x)``): a cheap look for whether a row may state one."""
    if not _writes(node, ()):
        return False
    measures = integral_measures(node)  # (dt of \int … dt: no derivative)
    return not measures or _writes(node, [id(n) for n in measures])


def _writes(node: Node, measures: Container[int]) -> bool:
    return any(
        isinstance(n, Nabla | Partial | Derivative)
        or isinstance(n, Differential)
        and id(n) not in measures
        or (isinstance(n, Sub) and isinstance(n.base, Symbol) and n.base.name in ("J", "D"))
        or (isinstance(n, Product) and any(_is_d(f) and id(f) not in measures for f in n.factors))
        or (isinstance(n, Product) and (frechet(n) is not None or directional(n) is not None))
        for n in node.walk()
    )


def frechet(node: Node) -> Apply | None:
    r"""``Df(x)``, ``\mathrm{D}f(\mathbf x)``: the derivative (Boyd's, Magnus's Jacobian) of the
    call it writes, read as such only where ``D`` is no declared letter (said by the caller)."""
    if not isinstance(node, Product) or len(node.factors) not in (2, 3):
        return None
    head, call = node.factors[0], node.factors[1]
    if not (
        isinstance(head, Symbol)
        and head.name == "D"
        and head.font in (None, "mathrm", "operatorname")
        and not head.accents
    ):
        return None
    if len(node.factors) == 2:
        if isinstance(call, Apply) and len(call.args) == 1 and isinstance(call.func, Symbol):
            return call
        return None
    arg = node.factors[2]  # Dr(x) of a letter not known as a function when parsed
    if isinstance(call, Symbol) and isinstance(arg, Paren) and arg.open == "(" and arg.body:
        return Apply(call, (arg.body,), start=call.start, end=arg.end)
    return None


def directional(node: Node) -> tuple[Apply, Node] | None:
    r"""``\mathrm{D}f(X)[\dot X]``, ``Df(x)[h]``: the derivative of the call in the direction
    in brackets (Absil's and Boumal's notation), as (the call, the direction)."""
    if not isinstance(node, Product) or len(node.factors) != 3:
        return None
    head, call, direction = node.factors
    if not (
        isinstance(head, Symbol)
        and head.name == "D"
        and head.font in (None, "mathrm", "operatorname")
        and not head.accents
        and isinstance(call, Apply)
        and len(call.args) == 1
        and isinstance(direction, Paren)
        and direction.open == "["
        and direction.body is not None
    ):
        return None
    return call, direction.body


def _is_d(node: Node) -> bool:
    """``d`` or ``\\mathrm d`` (as ``syntax.notation.is_d``, which imports this module)."""
    return (
        isinstance(node, Symbol)
        and node.name == "d"
        and node.font in (None, "mathrm")
        and not node.accents
    )


def statements(node: Node) -> Iterator[Chain]:
    """The relation chains a row states: itself, the items of its lists and sequences
    (``n = 2, m = 1``; ``\\lambda > 0, \\mu > 0``) and the math inside its text."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (List, Sequence)):
            stack.extend(i for i in item.items if i is not None)
        elif isinstance(item, Text):
            stack.extend(item.math)
        elif isinstance(item, Chain):
            yield item


def _fast_pickling(cls: type) -> None:
    """Each node class's state read and set by a list of its field names made once: the
    dataclass's own ``__setstate__`` asks ``dataclasses.fields`` per node, most of the time
    taken to load a document's trees from the parse cache.  (The same state: a list of the
    fields' values in order.)"""
    sub: type
    for sub in cls.__subclasses__():
        if "__setstate__" in sub.__dict__:  # (a class before slots were added: none)
            names = tuple(f.name for f in fields(sub))
            setattr(sub, "__getstate__", _getstate(names))  # noqa: B010 - methods replaced
            setattr(sub, "__setstate__", _setstate(sub, names))  # noqa: B010
        _fast_pickling(sub)


def _getstate(names: tuple[str, ...]) -> Callable[[Node], list[object]]:
    def __getstate__(self: Node) -> list[object]:
        return [getattr(self, name) for name in names]

    return __getstate__


# While trees are read back (``sharing_values``), equal source offsets share one int, as the
# builder makes them share it (one int per offset of a row, syntax/build.py): pickle writes
# an int once per field (a span, a tuple, and a name, interned when built, it writes once per
# file), so the trees of the corpus read from the parse cache held ~37,000 ints (1 MB) more
# than built (issue 17: the trees are kept for every row of every open document).
_memo: dict[int, int] | None = None
_sharing = threading.Lock()


@contextmanager
def sharing_values() -> Iterator[None]:
    """Within it, nodes unpickled share their equal offsets (one reading at a time: a
    reading on another thread waits)."""
    global _memo
    with _sharing:
        _memo = {}
        try:
            yield
        finally:
            _memo = None


def _setstate(cls: type, names: tuple[str, ...]) -> Callable[[Node, list[object]], None]:
    # each field set by its slot's own setter, as the frozen dataclass's __init__ sets it
    # past its __setattr__ (object.__setattr__ finds that setter again for every field of
    # every node: a sixth of loading the Cookbook's trees)
    setters = tuple(_slot(cls, name).__set__ for name in names)
    assert names[:2] == ("start", "end")  # (Node's own fields come first)

    def __setstate__(self: Node, state: list[Any]) -> None:
        memo = _memo
        if memo is not None:  # (a damaged file: IndexError, TypeError)
            a, b = state[0], state[1]
            state[0], state[1] = memo.setdefault(a, a), memo.setdefault(b, b)
        for set_field, value in zip(setters, state, strict=True):  # (a damaged file: ValueError)
            set_field(self, value)

    return __setstate__


def _slot(cls: type, name: str) -> Any:
    """The descriptor of a field's slot (the class's or a base's: ``start`` is Node's)."""
    return next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__)


_fast_pickling(Node)
