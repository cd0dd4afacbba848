r"""What formulas declare: ``x \in \mathbb{R}^n``, ``f : \mathbb{R}^n \to \mathbb{R}``,
the variables a set binds (``\{x \in \mathbb{R}^n : Ax = b\}``) and ``f(x) = …``."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import replace

from texgrad.shapes.dims import ONE, SCALAR, Dim, Shape, dim_of, shape_of_space
from texgrad.shapes.families import ITERATE_LABELS
from texgrad.shapes.named_sets import NamedSet, SetMember, set_call, sizes
from texgrad.shapes.table import Declaration, Signature, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.notation import call_of, dims_of, is_round
from texgrad.syntax.show import show
from texgrad.syntax.symbols import difference_key, label_of, member_key, ones_key, symbol_key

# A plain ``R`` is the reals (``x \in R^n``) while this is set: in a document that writes the
# reals no other way and whose every plain R is written where a set goes (declarations.collect)
PLAIN_REALS: ContextVar[bool] = ContextVar("plain_reals", default=False)


def from_formula(tree: t.Node, path: str, table: SymbolTable) -> None:
    """Add to ``table`` what one row's tree declares, defines or binds."""
    for chain, scope in _chains(tree):
        _from_chain(chain, path, table, scope)
        for j, item in enumerate(chain.items):
            if j and isinstance(item, t.Paren) and _names_set(chain, j):
                _add_named_set(chain, j, path, table)
        for key, at in _defined_functions(chain):
            table.add_function_definition(key, path, at)
    for chain in _optimized_over(tree):
        _from_chain(chain, path, table, how="under")
    for d in _sized_underneath(tree, path):
        table.add(d)
    for d in _named_diagonals(tree, path):
        table.add(d)


def _sized_underneath(tree: t.Node, path: str) -> Iterator[Declaration]:
    r"""``\underset{(n \times k)}{X}``, ``\underset{n\times 1}{\mathbf y}``: a letter with its
    size written under it, as econometrics textbooks write ``y = X\beta + u`` (Greene,
    Hayashi); and ``\mathbf{A}_{m \times n}``, a letter with its size as its subscript: a
    declaration of that shape where it is written (of the letter, and of it with its size).
    Not a constant's size (``\mathbf{0}_{m \times n}``, ``I_{n \times n}``), nor a space's."""
    for node in tree.walk():
        if isinstance(node, t.Overset) and node.command == "underset":
            size, letter, whole = node.annotation, node.base, None
        else:  # (not A_{i \times i}: a leading block as often as a size)
            continue
        shape = _size_written(size)
        key = symbol_key(letter)
        if shape is None or key is None or key[1] in _SET_FONTS or key[0] in _CONSTANT_NAMES:
            continue
        yield Declaration(key[0], key[1], shape, path, letter.start, letter.end, "in")
        whole_key = symbol_key(whole) if whole is not None else None
        if whole is not None and whole_key is not None:
            yield Declaration(*whole_key, shape, path, whole.start, whole.end, "in")


# letters a size under or after names a constant: I_{n \times n}, \mathbf{0}_{m \times n}
_CONSTANT_NAMES = frozenset({"I", "0", "1", "\\mathbb{1}", "\\one"})
# … and the fonts of spaces and sets (\mathbb{R}_{m \times n}, \mathcal{F}_{A \times B})
_SET_FONTS = frozenset({"mathbb", "mathcal", "mathscr", "mathfrak"})


def _size_written(size: t.Node | None) -> Shape | None:
    """``n \times k``, ``(n \times k)``: the shape a written size says."""
    while isinstance(size, t.Paren) and size.open in ("(", "\\left(", "[", "\\left["):
        size = size.body
    if not (isinstance(size, t.BinOp) and size.op == "\\times"):
        return None
    rows, cols = dim_of(size.left), dim_of(size.right)
    return Shape(rows, cols) if rows is not None and cols is not None else None


# \arg\min_{\beta \in \mathbb{R}^p}: the variable of an optimization problem, which the text
# around it goes on using (its gradient, its iterates); not \sum_{i \in S}, which binds an index
_OPTIMIZERS = frozenset({"min", "max", "argmin", "argmax", "inf", "sup"})


def _optimized_over(tree: t.Node) -> Iterator[t.Chain]:
    r"""The memberships under ``\min``, ``\arg\min`` and the like: ``\beta \in \mathbb{R}^p``,
    looked for along the statement's spine only (its relations, lists, sums, products and
    applications; not inside scripts, fractions or norms): a cheap search, once per row."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, t.Apply):
            stack.append(node.func)
            stack.extend(node.args)
        elif isinstance(node, t.Func):
            if node.name in _OPTIMIZERS and isinstance(node.sub, t.Chain):
                yield node.sub
        elif isinstance(node, (t.Chain, t.List, t.Sequence)):
            stack.extend(i for i in node.items if i is not None)
        elif isinstance(node, t.Add):
            stack.extend(node.terms)
        elif isinstance(node, t.Product):
            stack.extend(node.factors)
        elif isinstance(node, t.Neg):
            stack.append(node.operand)
        elif isinstance(node, t.Paren) and node.body is not None:
            stack.append(node.body)
        elif isinstance(node, t.Text):
            stack.extend(node.math)


def _chains(node: t.Node) -> Iterator[tuple[t.Chain, tuple[int, int] | None]]:
    """Relation chains at statement level: the row itself, items of lists and sequences,
    math nested in text, and braces (``\\{x_i \\in \\mathbb{R}^d\\}``); each with the range
    of the set-builder braces that bind its variables (``\\{x \\in \\mathbb{R}^n : Ax = b\\}``),
    or None for a statement about the document."""
    stack: list[tuple[t.Node, tuple[int, int] | None]] = [(node, None)]
    while stack:
        n, scope = stack.pop()
        if isinstance(n, t.Chain):
            yield n, scope
            for j, i in enumerate(n.items):
                if isinstance(i, t.Paren) and j and _names_set(n, j) and i.body is not None:
                    stack.append((i.body, NAMED_SET))  # U(a, b) = \{P \in … : …\}
                elif isinstance(i, (t.Paren, t.Text)):
                    stack.append((i, scope))
        elif isinstance(n, (t.Sequence, t.List)):
            stack.extend((i, scope) for i in n.items)
        elif isinstance(n, t.Text):
            stack.extend((m, scope) for m in n.math)
        elif isinstance(n, t.Paren) and n.body is not None:
            builder = _is_set_builder(n)
            stack.append((n.body, (n.start, n.end) if builder else scope))
        elif isinstance(n, t.Product):
            # "x \in R^n \text{ and } y \in R^m": statements joined by text
            stack.extend((f, scope) for f in n.factors if isinstance(f, (t.Text, t.Chain)))


_SET_OPEN = frozenset({"\\{", "\\left\\{", "\\lbrace", "\\left\\lbrace"})
_SUCH_THAT = frozenset({":", "\\colon", "\\mid", "|", "\\vert"})


# the scope of the members of a named set, U(a, b) = \{P \in … : …\}: the letter P holds,
# weakly, where nothing else declares or defines it (the text goes on speaking of plans P;
# the simplex \Delta_n = \{p \in \mathbb{R}^n : …\} leaves "a distribution $p \in \Delta_m$" its own)
NAMED_SET = (-1, -1)
_NAMING = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv"})


def _names_set(chain: t.Chain, j: int) -> bool:
    r"""Is item ``j`` of ``chain`` a set builder that the item before it is defined to be,
    ``U(a, b) = \{P \in \mathbb{R}_+^{n \times m} : P \mathbf{1}_m = a, …\}``?  Then its
    variable is the letter the text goes on using for the set's members (a plan P), declared
    for the document rather than bound in the braces."""
    paren, name = chain.items[j], chain.items[j - 1]
    if not isinstance(paren, t.Paren) or chain.relations[j - 1] not in _NAMING:
        return False
    if isinstance(name, t.Product) and len(name.factors) == 2:
        name = name.factors[0]  # U(a, b), read as a letter and its bracket
    elif isinstance(name, t.Apply):
        name = name.func  # (\mathrm{St}(n, p): a name in roman type too)
    return isinstance(name, (t.Symbol, t.Sub, t.Func)) and _is_set_builder(paren)


def _add_named_set(chain: t.Chain, j: int, path: str, table: SymbolTable) -> None:
    r"""Record the set ``chain`` names at item ``j``, ``\St(n,p) = \{X \in \mathbb{R}^{n
    \times p} : …\}``: its name, its sizes (plain names) and its members' shape."""
    called = set_call(chain.items[j - 1])
    body = chain.items[j].body  # type: ignore[union-attr]  # (a set builder: _names_set)
    if called is None or not isinstance(body, t.Chain) or body.relations[0] not in ("\\in", "∈"):
        return
    member, shape = body.items[0], space_shape(body.items[1])
    params = sizes(called[1], plain=True)
    if shape is None or params is None or not isinstance(member, (t.Symbol, t.Sub)):
        return
    head = chain.items[j - 1]
    assert head is not None  # (a set builder's name: _names_set)
    named = NamedSet(called[0], params, shape, path, head.start, head.end)
    table.named_sets.setdefault(named.name, []).append(named)


def _is_set_builder(paren: t.Paren) -> bool:
    """``\\{x \\in \\mathbb{R}^n : …\\}``, ``\\{f(x) \\mid x \\in C\\}``: braces with a "such that"."""
    body = paren.body
    return (
        paren.open in _SET_OPEN
        and isinstance(body, t.Chain)
        and any(rel in _SUCH_THAT for rel in body.relations)
    )


def space_shape(node: t.Node | None) -> Shape | None:
    """The shape of the members of a space or set written alone (``\\mathbb{R}^{n \\times k}``)."""
    found = _space(node)
    return found[0] if found is not None else None


def written_as_set(node: t.Node, plain_reals: bool = False) -> bool:
    r"""Is ``node`` a space or set as a declaration reads one where a set goes (after ``\in``,
    in a signature): ``\mathbf{R}^n``, ``\Re^n``, ``\{0, 1\}^n`` (and, with ``plain_reals``,
    ``R^n``), besides ``\mathbb{R}^n``?"""
    token = PLAIN_REALS.set(plain_reals)
    try:
        return _space(node) is not None
    finally:
        PLAIN_REALS.reset(token)


def _space(node: t.Node | None) -> tuple[Shape, t.Space] | None:
    algebra = _matrix_algebra(node)
    if algebra is not None:
        node = algebra
    elif isinstance(node, t.Product) and node.factors:  # \mathbb{R}^n \text{ for all } n
        node = node.factors[0]
    if node is not None and not isinstance(node, t.Space):
        node = _set_as_space(node)
    if isinstance(node, t.Space):
        shape = shape_of_space(node)
        return (shape, node) if shape is not None else None
    return None


# \{0, 1\}^n (labels), [0, 1]^{n \times K} (a box: probabilities, responsibilities), (0, 1)^N
# (an open box: fitted probabilities)
_SET_OPENERS = frozenset({"\\{", "\\left\\{", "[", "\\left[", "(", "\\left("})
# … and a scalar's: \{-1, 1\}, [0, 1] (not (0, 1): "for every $\alpha \in (0, 1)$" supposes,
# where "$0 < \alpha < 1$" already makes the weak scalar; (0, 1) makes a weak one: weak_scalars)
_SCALAR_SETS = frozenset({"\\{", "\\left\\{", "[", "\\left["})
_OPEN = frozenset({"(", "\\left("})


def _set_as_space(node: t.Node) -> t.Space | None:
    r"""Sets of vectors and matrices written other than as ``\mathbb{R}^…``, as the space that
    holds them: ``\{0,1\}^n``, ``\{-1, 1\}^n`` (labels), ``\{0,1\}^{n \times K}`` (one-hot
    rows), ``[0,1]^{n \times K}`` (a box), ``\Delta^{n-1}`` and ``\Delta_n`` (the probability simplex, of vectors in ℝⁿ;
    not ``\Delta^n``, of n or n + 1 entries as the author counts),
    ``\mathcal{S}^n_{++}`` (positive definite)."""
    at, to = node.start, node.end
    if (
        isinstance(node, t.Transpose) and node.mark == "T" and not node.conjugate
        and not (isinstance(node.base, t.Paren) and node.base.open in ("(", "\\left("))
    ):  # fmt: skip
        # \mathcal{S}_{++}^{T}, \{0,1\}^T: of T tasks or steps (no transpose of a set)
        size = t.Symbol("T", start=to - 1, end=to)
        return _set_as_space(t.Power(node.base, size, start=at, end=to))
    if isinstance(node, t.Tagged) and not node.bracket and _capital_sized_set(node):
        # \mathcal{S}_{++}^D, \mathbf{R}^N: a capital size, which the parser reads as a tag
        return _set_as_space(t.Power(node.base, node.tag, start=at, end=to))
    if isinstance(node, t.Paren) and node.open in ("\\{", "\\left\\{") and _numbers(node.body):
        return t.Space("R", (), start=at, end=to)  # t_i \in \{-1, 1\}: a label, a number
    if _reals(node):
        return t.Space("R", (), start=at, end=to)  # \lambda \in \mathbf{R}, \Re: a scalar
    if isinstance(node, t.Power):
        power = _power_as_space(node)
        if power is not None:
            return power
    if isinstance(node, t.Sub) and isinstance(node.base, t.Symbol):
        if node.base.name == "\\Delta" and not node.base.font:
            return t.Space("R", (node.index,), start=at, end=to)
    if isinstance(node, t.Paren) and node.open in _SCALAR_SETS and _numbers(node.body):
        return t.Space("R", (), start=at, end=to)  # y_i \in \{-1, 1\}, p \in [0, 1]: a scalar
    return None


def _power_as_space(node: t.Power) -> t.Space | None:
    r"""``\mathbf{R}^n``, ``\mathbf{R}^n_+``, ``\mathbf{S}^n``, ``\{0,1\}^{n \times K}``, ``\Delta^{n-1}``,
    ``\mathcal{S}^n_{++}``: a set raised to its size."""
    at, to = node.start, node.end
    base, exp = node.base, node.exponent
    if _reals(base):
        return t.Space("R", dims_of(exp), start=at, end=to)  # x \in \mathbf{R}^n, \Re^n
    if isinstance(base, t.Sub) and _reals(base.base):  # \mathbf{R}^n_+, \mathbf{R}^n_{++}
        return t.Space("R", dims_of(exp), base.index, start=at, end=to)
    if _bold_field(base, "S"):
        return t.Space("S", (exp,), start=at, end=to)  # P \in \mathbf{S}^n (symmetric)
    if isinstance(base, t.Paren) and base.open in _SET_OPENERS and _numbers(base.body):
        return t.Space("R", dims_of(exp), start=at, end=to)  # \{0,1\}^{n \times K} too
    if isinstance(base, t.Symbol) and base.name == "\\Delta" and not base.font:
        if not (
            isinstance(exp, t.Add) and exp.signs[-1] == "-" and isinstance(exp.terms[-1], t.Number)
        ):
            return None  # a \in \Delta^m: m bins to OT papers, m + 1 to geometers; only \Delta^{n-1} is sure
        one = t.Number("1", start=to, end=to)  # \Delta^{n-1} holds vectors of n entries
        return t.Space("R", (t.Add((exp, one), ("", "+"), start=at, end=to),), start=at, end=to)
    if isinstance(base, t.Sub) and isinstance(base.base, t.Symbol):
        if base.base.name == "S" and base.base.font in ("mathcal", "mathbb", "mathbf"):
            return t.Space("S", (exp,), base.index, start=at, end=to)
    return None


# The letters of the matrix spaces of French, German and Italian courses: \mathcal{M}_{n,p}(\mathbb{R}),
# M_{n \times p}(\mathbb{R}), \mathrm{M}_n(\mathbb{K}), \mathscr{M}_n(\mathbb{C}); GL_n(\mathbb{R}) and
# O_n(\mathbb{R}) (invertible, orthogonal) hold square ones; S_n(\mathbb{R}) symmetric ones.
_ALGEBRA_LETTERS = frozenset({"M", "GL", "O", "SO", "S"})


def _matrix_algebra(node: t.Node | None) -> t.Space | None:
    r"""``\mathcal{M}_{n,p}(\mathbb{R})``, ``M_{n \times p}(\mathbb{R})``, ``\mathcal{M}_n(\mathbb{K})``,
    ``\mathrm{GL}_n(\mathbb{R})``, ``\mathcal{S}_n(\mathbb{R})``: the n×p (or n×n) matrices over a
    field, as the space that holds them — a letter with its sizes applied to a field."""
    if isinstance(node, t.Apply) and isinstance(node.func, t.Func) and len(node.args) == 1:
        name, index, arg = node.func.name, node.func.sub, node.args[0]  # \mathrm{GL}_n(\mathbb{R})
        field = _field(arg)
    elif isinstance(node, t.Product) and len(node.factors) == 2:
        head, paren = node.factors
        if not (isinstance(head, t.Sub) and isinstance(head.base, t.Symbol)):
            return None
        if head.base.accents or not (isinstance(paren, t.Paren) and paren.open in _OPEN):
            return None
        name, index, field = head.base.name, head.index, _field(paren.body)
    else:
        return None
    if field is None or index is None or name not in _ALGEBRA_LETTERS:
        return None
    items = index.items if isinstance(index, t.List) else dims_of(index)
    dims = tuple(items) * 2 if len(items) == 1 else tuple(items)
    if len(dims) != 2 or (name != "M" and dims[0] != dims[1]):
        return None  # GL_{n,p}: not a space of matrices we know
    assert node is not None
    if name == "S":
        return t.Space("S", dims[:1], start=node.start, end=node.end)
    return t.Space(field, dims, start=node.start, end=node.end)


def _field(node: t.Node | None) -> str | None:
    r"""``\mathbb{R}``, ``\mathbb{C}``, ``\mathbb{K}`` (any field: the shapes are the same) → "R" or "C"."""
    if (
        isinstance(node, t.Space)
        and not node.dims
        and node.sub is None
        and node.field in ("R", "C")
    ):
        return node.field
    if isinstance(node, t.Symbol) and node.font == "mathbb" and node.name == "K":
        return "R"
    return None


def _capital_sized_set(node: t.Tagged) -> bool:
    r"""``\mathcal{S}_{++}^D``, ``\mathbb{S}^N``, ``\mathbf{R}^N``: a set of matrices or
    vectors whose size the parser read as a tag (not ``\Delta^K``, whose convention varies)."""
    base = node.base.base if isinstance(node.base, t.Sub) else node.base
    return _reals(base) or (
        isinstance(base, t.Symbol)
        and base.name in ("R", "S")
        and base.font in ("mathcal", "mathbb", "mathbf")
        and not base.accents
    )


def _reals(node: t.Node) -> bool:
    r"""The reals written other than ``\mathbb{R}``: ``\mathbf{R}`` (Boyd and Vandenberghe),
    ``\Re`` (some authors' ℝ: where a set goes it is no real part), and a plain ``R`` where
    the document lets it be (:data:`PLAIN_REALS`)."""
    if _bold_field(node, "R"):
        return True
    if not isinstance(node, t.Symbol) or node.font is not None or node.accents:
        return False
    return node.name == "\\Re" or (node.name == "R" and PLAIN_REALS.get())


def _bold_field(node: t.Node, name: str) -> bool:
    r"""``\mathbf{R}``, ``\mathbf{S}``: the reals and the symmetric matrices in the bold
    upright letters of Boyd and Vandenberghe (a set only where a set is written: after
    ``\in``, in a signature)."""
    return isinstance(node, t.Symbol) and node.name == name and node.font == "mathbf"


def label_values(node: t.Node | None) -> tuple[float, ...]:
    r"""The entries' values of a set of labels, ``\{0, 1\}^n`` → (0, 1), ``\{-1, 1\}^n`` and
    ``\{-1, 1\}`` → (-1, 1); () for any other space (``[0, 1]^n`` is an interval, not a set of labels)."""
    if isinstance(node, t.Product) and node.factors:
        node = node.factors[0]
    if isinstance(node, t.Power):
        node = node.base
    if not isinstance(node, t.Paren):
        return ()
    paren = node
    if paren.open not in ("\\{", "\\left\\{") or not _numbers(paren.body):
        return ()
    assert isinstance(paren.body, t.List)
    out: list[float] = []
    for x in paren.body.items:
        sign = -1.0 if isinstance(x, t.Neg) and x.sign == "-" else 1.0
        number = x.operand if isinstance(x, t.Neg) else x
        if not isinstance(number, t.Number):
            return ()
        try:
            out.append(sign * float(number.text))
        except ValueError:
            return ()
    return tuple(sorted(set(out)))


def _numbers(body: t.Node | None) -> bool:
    r"""``0, 1`` or ``-1, 1``: a set of labels; ``0, -\infty`` (a mask), ``1, \dots, K``
    (classes) too."""
    items = body.items if isinstance(body, t.List) else ()
    dots = any(isinstance(x, t.Dots) for x in items)
    return len(items) >= 2 and all(_value(x, last=dots and x is items[-1]) for x in items)


def _value(x: t.Node, last: bool) -> bool:
    r"""A number, ``\infty`` (either sign), ``\dots``, or the letter that ends ``1, \dots, K``."""
    if isinstance(x, t.Neg):
        x = x.operand
    if isinstance(x, t.Symbol) and not x.accents and x.font is None:
        return x.name == "\\infty" or (last and x.name.isalpha())
    return isinstance(x, (t.Number, t.Dots))


def _from_chain(
    chain: t.Chain,
    path: str,
    table: SymbolTable,
    scope: tuple[int, int] | None = None,
    how: str = "in",
) -> None:
    """What one relation chain declares: memberships (``x \\in …``) and signatures."""
    items, rels = chain.items, chain.relations
    for i, rel in enumerate(rels):
        if rel in ("\\in", "∈"):
            _from_membership(chain, i, path, table, scope, how)
        elif (
            rel in (":", "\\colon")
            and i + 2 < len(items)
            and rels[i + 1] in ("\\to", "\\rightarrow")
        ):
            _from_signature(chain, i, path, table)


def _from_membership(
    chain: t.Chain,
    i: int,
    path: str,
    table: SymbolTable,
    scope: tuple[int, int] | None,
    how: str = "in",
) -> None:
    """``A \\in \\mathbb{R}^{m \\times n}`` (relation ``i`` of the chain): its symbols' shape,
    for the document, or for the set-builder braces at ``scope`` that bind them."""
    left, right = chain.items[i], chain.items[i + 1]
    if left is None:
        return
    if isinstance(right, t.List):  # A \in R^{m×n}, B \in …: the space ends at the comma
        right = right.items[0]
    if isinstance(left, t.List):  # … R^{m×n}, B \in …: the symbols after the last space
        spaces = [j for j, item in enumerate(left.items) if _space(item) is not None]
        left = t.List(left.items[spaces[-1] + 1 :]) if spaces else left
    found = _space(right)
    if found is None:
        _in_named_set(left, right, path, table, scope, how)
        return
    shape, space = found
    symmetric = space.field == "S"
    pd = symmetric and space.sub is not None and show(space.sub) == "++"
    listed = isinstance(left, t.List)
    if not isinstance(left, t.List):  # K = K_1 \otimes K_2, K_1 \in …: only K_1 is a member
        symbols = [left, *_equal_before(chain, i)]
        # D = \operatorname{diag}(\mu) \in \mathbb{R}^{n \times n}: a diagonal matrix is symmetric
        square = shape.rows == shape.cols and ONE not in (shape.rows, shape.cols)
        symmetric = symmetric or (square and any(_diagonal(x) for x in symbols))
        # R = \mathbb{E}[x x^\top] \in \mathbb{R}^{M \times M}: a second moment is symmetric
        symmetric = symmetric or (square and any(_second_moment(x) for x in symbols))
    else:
        symbols = [*left.items, *_listed_members(left)]
    at_point = _named_at_point(chain, symbols)
    for sym in symbols:
        made = how if scope is None else "bound"
        # \Sigma_{xy} = \Sigma_{yx}^\top \in \mathbb{R}^{p \times q}: \Sigma_{yx} is q×p (not
        # x_i^\top \in \mathbb{R}^d, loosely written for a row: what is meant is unsure)
        own = shape
        if isinstance(sym, t.Transpose):
            if ONE in (shape.rows, shape.cols):
                continue
            own, sym = shape.transposed(), sym.base
        # k_u(x) \in \mathbb{R}^m, J(x) = … \in …: what the function gives, when the call
        # is what the statement introduces (not k of K = k(X, Z) \in …: a kernel's value
        # depends on its arguments)
        signal, written = signal_letter(sym), sym  # x(t) \in \mathbb{R}^n: a signal of time
        if signal is not None:
            sym = signal
        valued = (
            None
            if signal is not None
            else _function_valued(sym)
            if sym is chain.items[0] or listed or _opens_statement(chain, sym)
            else None
        )
        if valued is None and at_point is not None and symbol_key(sym) == symbol_key(at_point):
            valued = sym  # J = J(x) \in …: J named for its value at x (both J and J(x))
        call = ""
        if valued is not None:
            call = show(_as_call(sym)) if scope is None else ""  # \tau(y): the call as written
            sym, made = valued, "value" if scope is None else made
        key = member_key(sym) or iterate_key(sym) or tag_key(sym) or ones_key(sym)
        key = key or numeric_tag_key(sym, own) or difference_key(sym)
        if key is None:
            continue
        d = Declaration(
            key[0],
            key[1],
            own,
            path,
            sym.start,
            sym.end,
            made,
            symmetric,
            pd,
            label_values(right),
            call,
            complex=space.field == "C",
        )
        if scope == NAMED_SET:
            table.weak.setdefault(d.key, []).append(replace(d, how="set"))
        elif scope is None:
            _add_declared(d, sym, signal, written, table)
        else:
            table.add_bound(d, *scope)


def _in_named_set(
    left: t.Node,
    right: t.Node | None,
    path: str,
    table: SymbolTable,
    scope: tuple[int, int] | None,
    how: str,
) -> None:
    r"""``X \in \St(n,p)``, ``Q, R \in \mathcal{O}(d)``: members of a set the document may
    name (``named_sets``), declared once every named set is known."""
    called = set_call(right)
    if called is None or scope == NAMED_SET:
        return
    args = sizes(called[1], plain=False)
    if args is None:
        return
    for sym in left.items if isinstance(left, t.List) else (left,):
        key = None if sym is None else member_key(sym) or iterate_key(sym) or tag_key(sym)
        if key is None or sym is None:
            continue
        made = how if scope is None else "bound"
        d = Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, made)
        table.set_members.append(SetMember(d, called[0], args, scope, path, sym.start, sym.end))


def _add_declared(
    d: Declaration, sym: t.Node, signal: t.Node | None, written: t.Node, table: SymbolTable
) -> None:
    """Add a declaration for the document, with its signal's samples (``h(t)``: ``h_t``) and
    the any-member key of ``x_i \\in …``."""
    table.add(d)
    _add_samples(d, signal, written, table)
    if d.how == "value" and d.call:
        table.add(replace(d, key=call_key(d.call)))  # p(u) \in \mathbb{R}^n beside p(i) \in …
    if isinstance(sym, t.Sub) and show(sym.index) in ANY_INDEX:
        table.add(replace(d, key=any_member_key(d.key[: d.key.rindex("_")])))


def tag_key(node: t.Node) -> tuple[str, str | None] | None:
    r"""``\Delta^z_t``, ``\delta^h`` declared (``\in \mathbb{R}^{n_h \times m}``): a letter
    tagged by a superscript letter (a gate of a GRU), which the parser leaves a power — a
    name, as the document declares it (not ``A^T``, a transpose)."""
    if not isinstance(node, t.Power) or not isinstance(node.exponent, t.Symbol):
        return None
    tag = node.exponent
    if tag.font is not None or tag.accents or not tag.name.isalpha() or tag.name in _NO_TAGS:
        return None
    base = node.base.base if isinstance(node.base, t.Sub) else node.base
    if not isinstance(base, t.Symbol):
        return None
    return symbol_key(t.Tagged(node.base, node.exponent, "", start=node.start, end=node.end))


def numeric_tag_key(node: t.Node, shape: Shape) -> tuple[str, str | None] | None:
    r"""``K^2_k \in \mathbb{R}^{m_2 \times n}``: a letter tagged by a number (a player, a
    agent: ``K^1_k``, ``K^2_k``), declared a matrix that is not square — no power of a matrix
    could be one, so a name, as the document declares it.  (``A^2_k \in \mathbb{R}^{n \times
    n}`` stays a square; a column ``\sigma^2 \in \mathbb{R}^d`` is left to what reads it.)"""
    if not isinstance(node, t.Power) or not isinstance(node.exponent, t.Number):
        return None
    if not node.exponent.text.isdigit() or ONE in (shape.rows, shape.cols):
        return None
    if shape.rows == shape.cols:
        return None
    base = node.base.base if isinstance(node.base, t.Sub) else node.base
    if not isinstance(base, t.Symbol):
        return None
    return symbol_key(t.Tagged(node.base, node.exponent, "", start=node.start, end=node.end))


_NO_TAGS = frozenset({"T", "H", "t", "n", "k", "p", "d", "m", "N", "K", "D"})


def iterate_key(node: t.Node) -> tuple[str, str | None] | None:
    r"""``\mathbf{x}^t``, ``\boldsymbol\ell^{k+1}`` declared (``\in \Delta^{n-1}``): an iterate,
    labelled by its round in a bare superscript (see ``families.ITERATE_LABELS``) — a name,
    not a power, as the document declares it."""
    if not isinstance(node, t.Power):
        return None
    label = label_of(node.exponent)
    if label is None or label[0] not in ITERATE_LABELS:
        return None
    return symbol_key(t.Tagged(node.base, node.exponent, "", start=node.start, end=node.end))


# the letters that name time in a signal x(t), x(k), e(\tau)
_TIME = frozenset({"t", "k", "s", "\\tau"})


def signal_letter(node: t.Node) -> t.Node | None:
    """``x(t) \\in \\mathbb{R}^n``, ``u_i(k) \\in …``: a signal of time declares its letter
    (``x(t)`` then reads as ``x`` times a scalar)."""
    if isinstance(node, t.Product) and len(node.factors) == 2:
        letter, paren = node.factors
        if not (isinstance(paren, t.Paren) and paren.open in ("(", "\\left(")):
            return None
        arg = paren.body
    elif isinstance(node, t.Apply) and len(node.args) == 1:
        letter, arg = node.func, node.args[0]
    else:
        return None
    if not (isinstance(arg, t.Symbol) and arg.name in _TIME and not arg.font and not arg.accents):
        return None
    return letter if isinstance(letter, (t.Symbol, t.Sub)) else None


def _add_samples(d: Declaration, letter: t.Node | None, signal: t.Node, table: SymbolTable) -> None:
    """``h(t) \\in \\mathbb{R}^N`` declares its samples ``h_t``, ``h_{t-1}`` too."""
    sample = sampled(letter, signal) if letter is not None else None
    if sample is not None:
        table.add(replace(d, key=sample[0], font=sample[1]))
    if sample is not None and sample[1] in _BOLD_FONTS and sample[0].endswith("_{t}"):
        # \mathbfit{x}(t) \in \mathbb{R}^N, then \mathbfit{x}_k = \bar A \mathbfit{x}_{k-1}: the
        # samples of a bold signal at steps k (a bold letter's entries are written plain)
        table.add(replace(d, key=sample[0][: -len("{t}")] + "{k}", font=sample[1]))


_BOLD_FONTS = frozenset({"mathbf", "boldsymbol", "bm", "pmb", "mathbfit", "symbf", "symbfit"})


def sampled(letter: t.Node, signal: t.Node | None) -> tuple[str, str | None] | None:
    r"""The key of the sample ``h_t`` of a signal ``h(t)`` (of its plain ``letter``), which a
    discrete-time text goes on writing (``h_t = \bar A h_{t-1} + \bar B u_t``)."""
    if not isinstance(letter, t.Symbol) or signal is None:
        return None
    arg: t.Node | None = None
    if isinstance(signal, t.Product) and isinstance(signal.factors[-1], t.Paren):
        arg = signal.factors[-1].body
    elif isinstance(signal, t.Apply):
        arg = signal.args[0]
    if not isinstance(arg, t.Symbol) or arg.name not in ("t", "k"):
        return None
    return symbol_key(t.Sub(letter, arg, start=signal.start, end=signal.end))


# the letters that name any member of a list x_1, \dots, x_N of samples
_SAMPLE_INDICES = ("i", "j", "n")


def _listed_members(items: t.List, own_index: bool = False) -> list[t.Node]:
    r"""``x_1, \dots, x_N \in \mathbb{R}^d``: any member ``x_i`` (``x_j``, ``x_n``) too; with
    ``own_index``, the member of the last index in lower case (``\beta_t`` of ``\beta_1,
    \dots, \beta_T \in (0, 1)``; not of states ``\mathbf h_0, \dots, \mathbf h_T``, whose
    ``\mathbf h_t = …`` is then a definition the calculus reads, not a declared symbol's)."""
    if not any(isinstance(x, t.Dots) for x in items.items):
        return []
    subs = [x for x in items.items if isinstance(x, t.Sub) and isinstance(x.base, t.Symbol)]
    bases = {symbol_key(x.base) for x in subs}
    if len(subs) < 2 or len(bases) != 1:
        return []
    base, at, to = subs[0].base, items.start, items.end
    written = {symbol_key(x) for x in subs}
    last = subs[-1].index  # \beta_1, \dots, \beta_T: \beta_t too
    own = (
        (last.name.lower(),) if own_index and isinstance(last, t.Symbol) and _capital(last) else ()
    )
    members = [
        t.Sub(base, t.Symbol(v, start=at, end=to), start=at, end=to)
        for v in dict.fromkeys(_SAMPLE_INDICES + own)
    ]
    return [m for m in members if symbol_key(m) not in written]


def _capital(node: t.Symbol) -> bool:
    """A plain capital Latin letter: the last index ``T``, ``N``, ``K`` of a list."""
    return len(node.name) == 1 and node.name.isupper() and not node.font and not node.accents


def _diagonal(node: t.Node | None) -> bool:
    r"""``\operatorname{diag}(\mu)``, ``\mathrm{Diag}(d_1, \dots, d_n)``: a diagonal matrix."""
    return (
        isinstance(node, t.Apply)
        and isinstance(node.func, t.Func)
        and node.func.name in ("diag", "Diag")
        and node.func.sub is None
        and node.func.sup is None
    )


def _second_moment(node: t.Node | None) -> bool:
    r"""``\mathbb{E}[x x^\top]``, ``\mathbb{E}[(x - \mu)(x - \mu)^\top]``: the expectation
    of a vector times its own transpose (an autocorrelation, a covariance), symmetric."""
    if not (isinstance(node, t.Product) and len(node.factors) == 2):
        return False
    head, inner = node.factors
    if isinstance(head, t.Sub):
        head = head.base
    if not (isinstance(head, t.Symbol) and head.name == "E" and head.font == "mathbb"):
        return False
    if not (isinstance(inner, t.Paren) and isinstance(inner.body, t.Product)):
        return False
    factors = inner.body.factors
    return (
        len(factors) == 2
        and isinstance(factors[1], t.Transpose)
        and show(factors[0]) == show(factors[1].base)
    )


def _opens_statement(chain: t.Chain, sym: t.Node) -> bool:
    r"""Is ``sym`` the first item of a statement after a comma in ``chain`` (``v = J(q)\,\dot q,
    \qquad J(q) = [ … ] \in …``: the call J(q) opens the second statement)?"""
    return any(
        isinstance(item, t.List) and item.items and item.items[-1] is sym for item in chain.items
    )


def _equal_before(chain: t.Chain, i: int) -> list[t.Node]:
    """``\\Phi = [ … ] \\in \\R^{n×p}``: what is equal to the member is a member too."""
    items, rels = chain.items, chain.relations
    found: list[t.Node] = []
    j = i
    while (
        j > 0
        and rels[j - 1] in ("=", ":=", "\\coloneqq", "\\triangleq", "\\equiv")
        and items[j - 1] is not None
    ):
        item = items[j - 1]
        if isinstance(item, t.List):  # Y = V, \Ob = [ … ] \in …: the comma ends a statement
            if item.items and item.items[-1] is not None:
                found.append(item.items[-1])
            break
        found.append(item)  # type: ignore[arg-type]
        j -= 1
    return found


# subscripts that stand for any member: W_\ast of W_i, W_f, W_o (not *: K_* is the test points')
ANY_INDEX = frozenset({"\\ast", "\\bullet", "\\star", "\\cdot"})


def call_key(call: str) -> str:
    r"""Where a function's value declared at a call is kept for that call as written: the
    implicit-ALS papers declare ``\mathbf p(u) \in \mathbb{R}^n`` (a user's row) and
    ``\mathbf p(i) \in \mathbb{R}^m`` (an item's column), one letter, two vectors."""
    return "\0call " + call


def any_member_key(base: str) -> str:
    """Where ``W_\\ast \\in …`` is kept for the members it declares (``W_i``), one key per
    letter, whichever mark the document used."""
    return base + "_{\0any}"


def _named_at_point(chain: t.Chain, symbols: list[t.Node]) -> t.Node | None:
    """The ``J`` of ``J = J(x) \\in …``: a letter set equal to its own call."""
    head = chain.items[0]
    key = symbol_key(head) if head is not None else None
    if key is None:
        return None
    for sym in symbols:
        if sym is not head and (f := _function_valued(sym)) is not None and symbol_key(f) == key:
            return f
    return None


def _as_call(node: t.Node) -> t.Node:
    """``\\tau(y)`` read as a name and a bracket, as the application it is."""
    if isinstance(node, t.Product) and len(node.factors) == 2:
        name, bracket = node.factors
        call = call_of(name, bracket) if is_round(bracket, name) else None
        if isinstance(call, t.Apply):
            return call
    return node


def _function_valued(node: t.Node) -> t.Node | None:
    r"""The function of ``k_u(x)``, ``J(x, \theta)``, ``f_\theta(x)`` written before ``\in``
    (a call of named arguments, parsed as an application or as a name and a bracket): the
    space then holds its values."""
    if isinstance(node, t.Product) and len(node.factors) == 2:
        name, bracket = node.factors
        call = call_of(name, bracket) if is_round(bracket, name) else None
        if not isinstance(call, t.Apply):
            return None
        node = call
    if not isinstance(node, t.Apply) or not node.args:
        return None
    func = node.func
    plain = func.base if isinstance(func, t.Sub) else func
    if not (isinstance(plain, t.Symbol) and symbol_key(func) is not None):
        return None
    return func if all(symbol_key(a) is not None for a in node.args) else None


def _from_signature(chain: t.Chain, i: int, path: str, table: SymbolTable) -> None:
    """``f : \\mathbb{R}^n \\to \\mathbb{R}^m`` (relations ``i`` and ``i + 1`` of the chain)."""
    domains = _product_spaces(chain.items[i + 1])
    dom = _space(chain.items[i + 1]) if domains is None else (domains[0], None)
    cod = _space(chain.items[i + 2])
    if dom is None or cod is None:
        return
    for left in _signed(chain, i):
        key = symbol_key(left)
        if key is not None:
            table.add_signature(
                Signature(key[0], dom[0], cod[0], path, left.start, left.end, domains or (), key[1])
            )


def _signed(chain: t.Chain, i: int) -> list[t.Node]:
    r"""The maps a signature (relation ``i``) is stated for: ``f`` of ``f : \mathbb{R}^n \to
    \mathbb{R}^m``, and each of a list that opens the statement (``s, t \colon
    \mathbb{R}^d \to \mathbb{R}^m``: the scale and shift networks of a coupling layer); of a
    list that ends an earlier statement (``x \in \mathbb{R}^n, f : …``), its last item only."""
    left = chain.items[i]
    if left is None:
        return []
    if isinstance(left, t.List):
        listed = [x for x in left.items if x is not None]
        if i == 0 and listed and all(symbol_key(x) is not None for x in listed):
            return listed
        return listed[-1:] if i > 0 else []
    return [left]


def _product_spaces(node: t.Node | None) -> tuple[Shape, ...] | None:
    """The spaces of a product domain, ``\\mathbb{R}^n \\times \\mathbb{R}^m``; None if
    ``node`` is no product of spaces."""
    if not (isinstance(node, t.BinOp) and node.op == "\\times"):
        return None
    shapes: list[Shape] = []
    for side in (node.left, node.right):
        inner = _product_spaces(side)
        if inner is not None:
            shapes.extend(inner)
            continue
        space = _space(side)
        if space is None:
            return None
        shapes.append(space[0])
    return tuple(shapes)


_DEFINING = ("=", ":=", "\\coloneqq")


def _defined_functions(chain: t.Chain) -> Iterator[tuple[str, int]]:
    """``f(x) = …`` defines f (its key, where it is written); ``f(x + p) = f(x) + …``
    (Taylor) states something of it.  A row may list several statements: in ``T = …,
    \\qquad V(\\mathbf q) = …`` a list's last item begins the next one (V is defined)."""
    items, rels = chain.items, chain.relations
    heads = [items[0]] if rels and rels[0] in _DEFINING else []
    heads += [
        item.items[-1]
        for k, item in enumerate(items[1:-1], start=1)
        if isinstance(item, t.List) and len(item.items) > 1 and rels[k] in _DEFINING
    ]
    for head in heads:
        if (
            isinstance(head, t.Apply)
            and (key := symbol_key(head.func)) is not None
            and all(symbol_key(a) is not None for a in head.args)
        ):
            yield key[0], head.start


# comparisons whose sides are numbers: \lambda > 0, 0 < \eta < 1 (not \succ, \succeq: matrices)
ORDER_RELATIONS = frozenset(
    {"<", ">", "\\lt", "\\gt", "\\le", "\\ge", "\\leq", "\\geq", "\\leqslant", "\\geqslant"}
)
# Greek letters that a comparison with a number makes scalars (\lambda > 0, the step size
# \Delta > 0 of state-space layers); not those papers use for vectors of parameters or for
# maps (\theta, \phi, \psi), nor capitals used for matrices ("\Sigma > 0": definite)
_WEAK_GREEK = frozenset(
    "\\" + g
    for g in "alpha beta gamma delta epsilon varepsilon zeta eta iota kappa lambda mu nu xi "
    "rho varrho sigma tau upsilon chi omega ell Delta phi varphi".split()  # \ell > 0: a length-scale
)  # (\phi > 0: a dispersion; \phi(x) a map is declared by its signature, not compared)
# plain Latin letters a comparison with a number makes scalars too ("an amplitude $s > 0$",
# "a step $h > 0$"): not those papers use for vectors (x \ge 0 is elementwise)
WEAK_LATIN = frozenset("achpqrst")  # (not d, k, m, n: sizes; e, f, i, j)


_STRICT = frozenset({"<", ">", "\\lt", "\\gt"})
# how a plain lowercase Latin letter outside WEAK_LATIN compared strictly with a number is
# weak ("a weight $w > 0$"): a number of its own only where the document declares the same
# letter in bold alone (\mathbf{w} \in \mathbb{R}^p), the two then two letters; dropped
# elsewhere (x > 0 of a vector x is entrywise): declarations._beside_bold_only
WEAK_BESIDE_BOLD = "weak>bold"
# how a weak scalar is made by a strict comparison with a number ("a scale $s > 0$", "$0 < t <
# 1$"): a plain Latin letter of WEAK_LATIN so compared is a number, as a Greek one is (``s \ge
# 0`` may be a slack vector's entrywise sign)
WEAK_STRICT = "weak>"


def weak_scalars(tree: t.Node, path: str) -> Iterator[Declaration]:
    r"""``\lambda > 0``, ``\lambda \ge 0``, ``0 < \eta < 1``, ``\sigma^2 > 0``: a lowercase Greek
    letter (or ``\ell``, ``\Delta``) compared with a number is a scalar — a weak declaration, for where nothing else
    declares or defines the letter (``x \ge 0`` for a vector is elementwise)."""
    yield from _diagonal_entries(tree, path)
    for node in t.statements(tree):
        items = node.items
        for i, rel in enumerate(node.relations):
            if rel in ("\\in", "∈"):
                yield from _in_interval(items[i], items[i + 1], path)
            if rel not in ORDER_RELATIONS:
                continue
            # \lambda > 0, \mu > 0 reads as \lambda > (0, \mu) > 0; \alpha, \beta > 0 (a list
            # that starts the statement) says it of each
            left, right = items[i], items[i + 1]
            lefts = [left]
            if isinstance(left, t.List) and left.items:
                listed = (
                    i == 0
                    and all(
                        (isinstance(x, t.Symbol) or _weak_subscripted(x) or _numbered_greek(x))
                        and _weak_letter(x) is not None
                        for x in left.items
                    )
                )  # (\alpha, \beta > 0, r_x, r_y > 0, \pi_1, \pi_2 > 0; not \sigma_1, \sigma_2 > 0 of an example's blocks)
                lefts = list(left.items) if listed else [left.items[-1]]
            right = right.items[0] if isinstance(right, t.List) and right.items else right
            sides = [(this, right) for this in lefts] + [(right, lefts[-1])]
            for this, other in sides:
                sym = _weak_letter(this)
                if sym is None and _inner_product(other):  # a_i^T x < c_i: c_i a number
                    sym = _latin_letter(this)
                strict = rel in _STRICT and _number(other)  # (s > 0: see WEAK_STRICT)
                if sym is None and strict:  # \theta > 0: a number (see _STRICT_GREEK)
                    sym = _strict_greek(this)
                beside = sym is None and strict and this is _plain_latin(this)
                if beside:  # w > 0: a number only beside a bold \mathbf{w} (declarations.py)
                    sym = this
                counted = not beside and _count_bound(other)  # \nu > p - 1 (a Greek letter)
                if sym is not None and (_number(other) or _inner_product(other) or counted):
                    key = symbol_key(sym)
                    if key is not None:
                        how = WEAK_BESIDE_BOLD if beside else WEAK_STRICT if strict else "weak"
                        yield Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, how)


def _diagonal_entries(tree: t.Node, path: str) -> Iterator[Declaration]:
    r"""``\operatorname{diag}(\hat u_1^2, \dots, \hat u_N^2)``: the entries a diagonal matrix
    is written with, listed to a last one, are numbers — each member of the family too (a
    plain lowercase letter only: ``\operatorname{diag}(A_1, \dots, A_K)`` is block diagonal)."""
    for node in tree.walk():
        if not (
            isinstance(node, t.Apply)
            and isinstance(node.func, t.Func)
            and node.func.name in ("diag", "Diag")
            and len(node.args) > 2
            and any(isinstance(a, t.Dots) for a in node.args)
        ):
            continue
        entries = [_squared_base(a) for a in node.args if not isinstance(a, t.Dots)]
        if not all(_entry_letter(e) for e in entries):
            continue
        listed = t.List(tuple(_squared_base(a) for a in node.args), start=node.start, end=node.end)
        for sym in [*entries, *_listed_members(listed, own_index=True)]:
            key = symbol_key(sym)
            if key is not None:
                yield Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, "weak")


def _named_diagonals(tree: t.Node, path: str) -> Iterator[Declaration]:
    r"""``\Lambda = \operatorname{diag}(\lambda_1, \dots, \lambda_d)``: a matrix named for the
    diagonal it lists from the first entry to the d-th, d×d by its own writing — as declared
    (``\Lambda \in \mathbb{R}^{d \times d}``), so it holds in the sections after, as a
    declaration does, where a definition made of other letters is only borrowed."""
    for chain, scope in _chains(tree):
        if scope is not None:
            continue
        for i, rel in enumerate(chain.relations):
            name, value = chain.items[i], chain.items[i + 1]
            name = name.items[-1] if isinstance(name, t.List) and name.items else name
            value = value.items[0] if isinstance(value, t.List) and value.items else value
            size = _listed_diagonal(value) if rel in _NAMING else None
            if size is None or not isinstance(name, (t.Symbol, t.Sub)):
                continue
            key = symbol_key(name)
            if key is not None:
                shape = Shape(size, size)
                yield Declaration(key[0], key[1], shape, path, name.start, name.end, "in")


def _listed_diagonal(node: t.Node | None) -> Dim | None:
    r"""d for ``\operatorname{diag}(\lambda_1, \dots, \lambda_d)`` (numbered from 1, of plain
    lowercase letters), else None."""
    if not (
        isinstance(node, t.Apply)
        and isinstance(node.func, t.Func)
        and node.func.name in ("diag", "Diag")
        and len(node.args) == 3
        and isinstance(node.args[1], t.Dots)
    ):
        return None
    first, last = node.args[0], node.args[2]
    if not (_entry_letter(first) and _entry_letter(last)):
        return None
    assert isinstance(first, t.Sub) and isinstance(last, t.Sub)  # (_entry_letter)
    if show(first.base) != show(last.base) or show(first.index) != "1":
        return None
    return dim_of(last.index)


def _squared_base(node: t.Node) -> t.Node:
    """``u_1`` of ``u_1^2`` (a power by a number), else the node."""
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
        return node.base
    return node


def _entry_letter(node: t.Node) -> bool:
    r"""``d_1``, ``\hat u_N``, ``\sigma_k``: a plain lowercase letter, numbered or indexed."""
    if not (isinstance(node, t.Sub) and isinstance(node.base, t.Symbol)):
        return False
    base = node.base
    name = base.name.lstrip("\\")
    return base.font is None and (name[:1].islower() or base.name in _WEAK_GREEK)


def _in_interval(left: t.Node | None, right: t.Node | None, path: str) -> Iterator[Declaration]:
    r"""``\beta \in (0, 1)``, ``\rho \in (0, \infty)``, ``\beta_1, \dots, \beta_T \in (0,
    1)`` (and so every ``\beta_t``): weak scalars, as ``0 < \beta < 1`` makes them ("for
    every $\alpha \in (0, 1)$" supposes: it declares nothing for good)."""
    if isinstance(right, t.List) and right.items:
        right = right.items[0]
    if not (isinstance(right, t.Paren) and right.open in _OPEN and _from_zero(right.body)):
        return
    items = list(left.items) if isinstance(left, t.List) else [left]
    letters = [x for x in items if x is not None and not isinstance(x, t.Dots)]
    if not letters or not all(
        _weak_letter(x) is not None or _weak_letter(_unaccented(x)) is not None for x in letters
    ):  # (\tilde\mu \in (0, 2): the normalised step, a number as μ is)
        return
    if isinstance(left, t.List):
        letters += _listed_members(left, own_index=True)
    for sym in letters:
        key = symbol_key(sym)
        if key is not None:
            yield Declaration(key[0], key[1], SCALAR, path, sym.start, sym.end, "weak")


def _from_zero(body: t.Node | None) -> bool:
    r"""``0, 1``, ``0, 2`` or ``0, \infty``: an open interval a rate, a step, a weight or a
    scale is taken in (not ``-1, 1``, a correlation's, which an example sizes as it likes:
    its blocks numbers)."""
    items = body.items if isinstance(body, t.List) else ()
    if len(items) != 2 or not isinstance(items[0], t.Number) or items[0].text != "0":
        return False
    last = items[1]
    return (isinstance(last, t.Number) and _positive(last.text)) or (
        isinstance(last, t.Symbol) and last.name == "\\infty" and not last.font
    )


def _positive(number: str) -> bool:
    try:
        return float(number) > 0
    except ValueError:
        return False


def _unaccented(node: t.Node) -> t.Node:
    """``\\mu`` of ``\\tilde\\mu``, ``\\alpha_t`` of ``\\bar\\alpha_t`` (a letter's accents left
    out)."""
    if isinstance(node, t.Sub) and node.base is not None:
        return replace(node, base=_unaccented(node.base))
    return replace(node, accents=()) if isinstance(node, t.Symbol) and node.accents else node


def _weak_letter(node: t.Node | None) -> t.Node | None:
    """The letter of ``\\lambda``, ``\\eta_t``, ``\\sigma^2`` (a plain lowercase Greek letter),
    ``\\theta_1`` (a vector's letter numbered: one of several parameters)."""
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
        node = node.base
    base = node.base if isinstance(node, t.Sub) else node
    numbered = isinstance(node, t.Sub) and isinstance(node.index, t.Number)
    if (
        isinstance(base, t.Symbol) and base.font is None and not base.accents
        and (base.name in _WEAK_GREEK or (node is base and base.name in WEAK_LATIN)
             or (numbered and base.name in _NUMBERED_GREEK) or _weak_subscripted(node))
    ):  # fmt: skip
        return node
    return None


# plain Latin letters that, subscripted by a letter or a number and compared with a number,
# are scalars ("$r_x, r_y > 0$" two ridge weights, "$c_i > 0$", "$t_k > 0$"): not a (a_i, a
# constraint's row), nor h (h_t, a hidden state)
SUBSCRIPTED_LATIN = frozenset("cpqrst")


def _numbered_greek(node: t.Node) -> bool:
    r"""``\theta_1``, ``\pi_2``: a letter of ``_NUMBERED_GREEK`` under a number."""
    return (
        isinstance(node, t.Sub)
        and isinstance(node.index, t.Number)
        and isinstance(node.base, t.Symbol)
        and node.base.name in _NUMBERED_GREEK
    )


def _weak_subscripted(node: t.Node | None) -> bool:
    """``r_x``, ``c_i``, ``t_1``: a letter of ``SUBSCRIPTED_LATIN`` under a one-letter or
    numbered subscript."""
    if not (isinstance(node, t.Sub) and isinstance(node.base, t.Symbol)):
        return False
    index = node.index
    return node.base.name in SUBSCRIPTED_LATIN and (
        isinstance(index, t.Number)
        or (isinstance(index, t.Symbol) and index.font is None and len(index.name) == 1)
    )


# … and those, numbered, are scalars too (\theta_1 > 0, \theta_2 > 0: a model's parameters)
# (and \pi_1, \pi_2 > 0, mixing weights: numbered, no longer the constant π; \ell_1, \ell_2 >
# 0, the lengths of an arm's links, listed)
_NUMBERED_GREEK = frozenset({"\\theta", "\\vartheta", "\\psi", "\\pi", "\\ell"})
# … and those alone, compared strictly with a number: "$\theta > 0$" is a scale, an angle, a
# signal variance wherever papers write it so (a parameter vector is bounded entrywise with
# \ge, "\theta \ge 0", or declared)
_STRICT_GREEK = frozenset({"\\theta", "\\vartheta"})


def _strict_greek(node: t.Node | None) -> t.Node | None:
    r"""``\theta`` (plain, unaccented, alone): a letter of ``_STRICT_GREEK``."""
    if isinstance(node, t.Symbol) and node.font is None and not node.accents:
        return node if node.name in _STRICT_GREEK else None
    return None


def _plain_latin(node: t.Node | None) -> t.Node | None:
    """``w``: a plain lowercase Latin letter alone (no index, no accent)."""
    if (
        isinstance(node, t.Symbol) and node.font is None and not node.accents
        and len(node.name) == 1 and node.name.isascii() and node.name.islower()
    ):  # fmt: skip
        return node
    return None


def _latin_letter(node: t.Node | None) -> t.Node | None:
    """The letter of ``c``, ``c_i``, ``b_{k}`` (a plain lowercase Latin letter)."""
    base = node.base if isinstance(node, t.Sub) else node
    if (
        isinstance(base, t.Symbol) and base.font is None and not base.accents
        and len(base.name) == 1 and base.name.isalpha() and base.name.islower()
    ):  # fmt: skip
        return node
    return None


def _bold_lowercase(node: t.Node) -> bool:
    """``\\mathbf{a}``, ``\\boldsymbol{a}_i``: a letter written as a vector."""
    base = node.base if isinstance(node, t.Sub) else node
    return (
        isinstance(base, t.Symbol) and base.font in ("mathbf", "boldsymbol", "bm", "vec")
        and len(base.name) == 1 and base.name.islower()
    )  # fmt: skip


def _inner_product(node: t.Node | None) -> bool:
    """``\\mathbf{a}_i^\\top\\mathbf{x}``: two letters written as vectors, the first
    transposed — a number whatever their length."""
    if not isinstance(node, t.Product) or len(node.factors) != 2:
        return False
    first, second = node.factors
    return (
        isinstance(first, t.Transpose) and not first.conjugate and _bold_lowercase(first.base)
        and _bold_lowercase(second)
    )  # fmt: skip


def _number(node: t.Node | None) -> bool:
    if isinstance(node, t.Neg):
        node = node.operand
    return isinstance(node, t.Number)


def _count_bound(node: t.Node | None) -> bool:
    r"""``p - 1``, ``n + 1``: one plain letter (a dimension) and one number — what a count is
    compared with (``\nu > p - 1``, a Wishart's degrees of freedom), a number itself."""
    if not isinstance(node, t.Add) or len(node.terms) != 2:
        return False
    numbers = [x for x in node.terms if isinstance(x, t.Number)]
    letters = [
        x
        for x in node.terms
        if isinstance(x, t.Symbol)
        and not x.accents
        and x.font is None
        and len(x.name) == 1
        and x.name.isalpha()
    ]
    return len(numbers) == 1 and len(letters) == 1
