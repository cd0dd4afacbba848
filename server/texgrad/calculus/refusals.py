r"""Why a row that states a function offers nothing to differentiate: the reason a
disabled code action (or the hover, for clients without them) gives, found by planning the
row's differentiations and, where there are none, asking :mod:`~texgrad.calculus.reasons`
why the row does not read (kept apart from ``reasons``, which the engine itself imports:
planning imports the engine)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from texgrad.calculus.context import context_at, row_at
from texgrad.calculus.evidence import inferred_use
from texgrad.calculus.planning import (
    jacobian_head,
    plans_of,
    stated_jacobian,
    stated_jacobian_reason,
)
from texgrad.calculus.quotes import in_document_words
from texgrad.calculus.reasons import refusal
from texgrad.calculus.requests import Request, request_in, title_of
from texgrad.calculus.samples import is_sample_sum, undefined_in_sum
from texgrad.calculus.written import as_application
from texgrad.shapes.check import CheckResult
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.notation import is_d
from texgrad.syntax.symbols import symbol_key


@dataclass(frozen=True, slots=True)
class Refusal:
    """A row that states a function but offers nothing to differentiate, and why."""

    row_start: int
    row_end: int
    head: str  # "f" of ``f(x) = …``, "L" of ``L = …``, else ""
    reason: str
    action: str = ""  # the action's title where it is not "Differentiate …": "Evaluate ∂/∂x …"


def refusal_at(result: CheckResult, offset: int) -> Refusal | None:
    """Why the row at ``offset`` of a checked document offers nothing to differentiate,
    where it states a function (``f(x) = …``, ``L = …`` or a formula with an operation —
    not a lone letter, a declaration or a relation); None where it offers something or
    states none."""
    row = row_at(result, offset, offset + 1)
    if row is None or row.tree is None:
        return None
    request = request_in(row.tree)
    if request is not None:
        return _unanswered(result, row, request)
    ctx = context_at(result, row) if jacobian_head(row.tree) is not None else None
    stated = stated_jacobian(row.tree, ctx) if ctx is not None else None
    if stated is not None:  # J_g(x) = A: a claim, not a function J_g
        said = stated_jacobian_reason(stated, result.doc.text)
        return Refusal(row.start, row.end, _head(row.tree, result.doc.text), said)
    if not _states_function(row.tree) or _not_a_function(result, row):
        return None
    ctx = ctx or context_at(result, row)
    if plans_of(row, ctx):
        return None
    reason = refusal(row.tree, ctx)
    if is_sample_sum(row.tree, ctx.env):  # what diff says of a sum through an undefined function
        reason = undefined_in_sum(row.tree, ctx.env) or reason
    if reason is None:
        return None
    reason = _recursion(row.tree, result.doc.text) or reason
    reason = in_document_words(reason, result, row.start, row.end)
    reason = _as_inferred(result, row, reason)
    reason = _tensor(result, row) or reason
    reason = _in_recursion(result, row, reason)
    reason = _through_definition(result, row, reason)
    return Refusal(row.start, row.end, _head(row.tree, result.doc.text), reason)


_STEP = re.compile(r"\s*([+-])\s*1\s*")


def _recursion(tree: t.Node, text: str) -> str | None:
    r"""Why a row defining a member by its neighbour (``\boldsymbol\delta_t = … W^\top
    (\boldsymbol\delta_{t+1} \odot …)``, backpropagation through time's backward
    recursion; ``\mathbf h_t = \tanh(W\mathbf h_{t-1} + …)``) offers nothing to
    differentiate, in its words (what it was refused for said nothing of the recursion:
    "the shape of `\boldsymbol\delta_{t+1}` is unknown"); None for any other row."""
    if not (isinstance(tree, t.Chain) and len(tree.items) == 2 and tree.relations == ("=",)):
        return None
    left, right = tree.items
    if not isinstance(left, t.Sub) or right is None:
        return None
    base, index = symbol_key(left.base), text[left.index.start : left.index.end].strip("{} ")
    if base is None or not index.isalpha():
        return None
    for node in right.walk():
        if not isinstance(node, t.Sub) or symbol_key(node.base) != base:
            continue
        step = text[node.index.start : node.index.end].strip("{} ")
        m = _STEP.fullmatch(step, len(index)) if step.startswith(index) else None
        if m is not None:
            member, other = text[left.start : left.end], text[node.start : node.end]
            way = "backward" if m.group(1) == "+" else "forward"
            return (
                f"`{member}` is defined by a {way} recursion through `{other}`: a derivative "
                "through the recursion (as backpropagation through time takes it) is not taken yet"
            )
    return None


_UNKNOWN = re.compile(r"the shape of `([^`]+)` is unknown — ")
_PLAIN = "the shape of `{0}` is unknown — declare it, e.g. `{0} \\in \\mathbb{{R}}` or `{0} \\in \\mathbb{{R}}^n`"


def tensor_entry(node: t.Node) -> bool:
    r"""``\mathcal T_{ijk}``, ``A_{i,j,k,l}``: an entry written with three indices or more (of
    a tensor, which texgrad does not read)."""
    from texgrad.calculus.written import index_names

    return isinstance(node, t.Sub) and len(index_names(node.index) or ()) >= 3


def _tensor(result: CheckResult, row: PlacedRow) -> str | None:
    """Why a row writing an entry of an undeclared tensor offers nothing: the tensor, not
    its sum's index or its letter's shape."""
    assert row.tree is not None
    text = result.doc.text
    for node in row.tree.walk():
        if tensor_entry(node):
            assert isinstance(node, t.Sub)
            key = symbol_key(node.base)
            if key is not None and key[0] in result.table.declarations:
                continue
            written = text[node.start : node.end].strip()
            return f"`{written}` (an entry of a tensor, three indices or more) is not supported"
    return None


def _as_inferred(result: CheckResult, row: PlacedRow, reason: str) -> str:
    r"""The refusal of a letter of unknown shape with no declaration fitted to its use (the
    engine could not read the row for another cause: ``\log p(\boldsymbol\mu + \Sigma^{1/2}
    \mathbf z)``), fitted to what the shape checker inferred of it (a vector of d entries),
    as the hover of the letter says."""
    found = _UNKNOWN.match(reason)
    if found is None or reason != _PLAIN.format(found[1]) or row.tree is None:
        return reason
    text = result.doc.text
    for node in row.tree.walk():
        if symbol_key(node) is not None and text[node.start : node.end].strip() == found[1]:
            evidence = inferred_use(result, node)
            if evidence is None:
                return reason
            w = found[1]
            return (
                f"the shape of `{w}` is unknown (its use suggests {evidence[0]}) — declare it, "
                f"e.g. `{w} \\in {evidence[1]}`"
            )
    return reason


def _in_recursion(result: CheckResult, row: PlacedRow, reason: str) -> str:
    r"""The refusal for the unknown shape of a family's member (``\delta^{(l+1)}``) that a
    recursion (``\delta^{(l)} = (W^{(l+1)\top}\delta^{(l+1)}) \odot \phi'(\mathbf z^{(l)})``)
    brings in, said as such — of the recursion's row, or of a row using the member it
    defines — with the family's declaration (the shape the checker gives that member)."""
    found = _UNKNOWN.match(reason)
    if found is None:
        return reason
    other = found[1]
    family = other.split("^", 1)[0]
    if "^" not in other:
        return reason
    text = result.doc.text
    for placed in result.rows:
        tree = placed.tree
        if placed.path != result.path or placed.start > row.end:
            break
        if not isinstance(tree, t.Chain) or tree.items[0] is None or len(tree.items) != 2:
            continue
        head = tree.items[0]
        defined = text[head.start : head.end].strip()
        if (
            defined == other or "^" not in defined or defined.split("^", 1)[0] != family
            or other not in text[placed.start : placed.end]
        ):  # fmt: skip
            continue
        if placed is not row and defined.rstrip("}") not in text[row.start : row.end]:
            continue
        declare = _family_declaration(result, head, defined)
        said = (
            "it is defined" if placed is row
            else f"`{defined}` is defined ({_line_of(text, placed.start)})"
        )  # fmt: skip
        return (
            f"{said} by a recursion in `{other}`, a member of the same family, whose shape "
            f"the document does not declare — {declare}"
        )
    return reason


_QUOTED = re.compile(r"`([^`]+)`")


def _through_definition(result: CheckResult, row: PlacedRow, reason: str) -> str:
    r"""A refusal that quotes what the row does not write (``r, 1`` of ``A\mathbf b``) said
    through the definition it comes from (``\mathbf b = (r, 1)^\top``): which name, where."""
    found = _QUOTED.search(reason)
    text = result.doc.text
    own = text[row.start : row.end]
    if found is None or found[1] in own:
        return reason
    for placed in reversed(result.rows):
        tree = placed.tree
        if placed.path != result.path or placed.start >= row.start:
            continue
        if not isinstance(tree, t.Chain) or len(tree.items) != 2:
            continue
        head, body = tree.items
        if head is None or body is None:
            continue
        name = text[head.start : head.end].strip()
        if not name or name not in own:
            continue
        written = text[body.start : body.end].strip()
        if found[1] not in written:
            continue
        where = _line_of(text, placed.start)
        entries = body.base if isinstance(body, t.Transpose) else body
        if isinstance(entries, t.Paren) and isinstance(entries.body, t.List):
            return (
                f"`{name}` is written by its entries (`{written}`, {where}), which texgrad "
                "does not read as a vector yet"
            )
        return f"{reason} (in the definition of `{name}`, {where})"
    return reason


def _family_declaration(result: CheckResult, head: t.Node, defined: str) -> str:
    from texgrad.shapes.dims import ONE, dim_text

    shape = result.shapes.get(head)
    if shape is None:
        return "declare the family's shape"
    if shape.cols == ONE:
        space = f"\\mathbb{{R}}^{{{dim_text(shape.rows)}}}"
    else:
        space = f"\\mathbb{{R}}^{{{dim_text(shape.rows)} \\times {dim_text(shape.cols)}}}"
    return f"declare the family, e.g. `{defined} \\in {space}`"


def _line_of(text: str, offset: int) -> str:
    return f"line {text.count(chr(10), 0, offset) + 1}"


def _unanswered(result: CheckResult, row: PlacedRow, request: Request) -> Refusal | None:
    r"""Why a derivative written to be computed (``\frac{\partial}{\partial \mathbf x}
    \kappa\|A\mathbf x\|^2``) cannot be evaluated, where that is known before
    differentiating: a problem of the request itself, or what the engine cannot read in what
    it differentiates; None where it reads."""
    reason = request.problem
    if reason is None and request.body is not None:
        reason = refusal(request.body, context_at(result, row))
    if reason is None:
        return None
    title = f"Evaluate {title_of(request, result.doc.text)}"
    reason = in_document_words(reason, result, row.start, row.end)
    return Refusal(row.start, row.end, "", reason, action=title)


def _not_a_function(result: CheckResult, row: PlacedRow) -> bool:
    r"""A row that has the form of a function stated but is something else: a list or a
    range (``x_1, \dots, x_N``, ``i = 1, \dots, h``), a dimension's value (``n = n_1 n_2``,
    ``d_k = d/h``: its letter sizes a declared symbol), R Markdown's inline code
    (``n = `r n` ``)."""
    tree = row.tree
    assert tree is not None
    if "`" in result.doc.text[row.start : row.end]:
        return True
    body = tree.items[-1] if isinstance(tree, t.Chain) else tree
    if isinstance(body, t.Transpose):  # \mathbf b = (r, 1)^\top: a vector by its entries
        body = body.base
    if isinstance(body, t.Paren) and isinstance(body.body, t.List):
        return True  # (x, y) = (1, 1), [0, 1/\alpha]: a point or an interval
    if body is not None and (
        isinstance(body, t.List | t.Sequence) or any(isinstance(n, t.Dots) for n in body.walk())
    ):
        return True
    if body is tree and _a_distribution(body):
        return True  # "drawn from $\mathcal{N}(\boldsymbol\mu, \Sigma)$": no function stated
    from texgrad.shapes.questions import dimension_names

    dims = dimension_names(result.table)  # (n of x ∈ ℝ^n, h and d_k of ℝ^{h d_k × d})
    letters = list(_letter_nodes(tree))
    # n = n_1 n_2, n \times n, d_{\text{model}} = h d_k
    if bool(letters) and all(_sizes(node, dims) for node in letters):
        return True
    return body is not None and _a_statistic(body, dims)


_DISTRIBUTIONS = frozenset(
    ("N", "GP", "MN", "U", "W", "IW", "Bernoulli", "Cat", "Categorical", "Dir", "Dirichlet",
     "Beta", "Gamma", "Poisson", "Bin", "Binomial", "Multinomial", "Mult", "Exp", "Laplace")
)  # fmt: skip


def _a_distribution(node: t.Node) -> bool:
    r"""A distribution named with its parameters (``\mathcal{N}(\mu, \Sigma)``,
    ``\mathcal{GP}(0, k)``, ``\operatorname{Bernoulli}(p)``, ``\text{Cat}(\pi)``)."""
    if isinstance(node, t.Apply) and isinstance(node.func, t.Func):
        return node.func.name in _DISTRIBUTIONS
    if not isinstance(node, t.Product) or len(node.factors) != 2:
        return False
    head, args = node.factors
    if not isinstance(args, t.Paren) or args.open != "(":
        return False
    if isinstance(head, t.Text):
        return head.text.split("{", 1)[-1].rstrip("}") in _DISTRIBUTIONS
    letters = head.factors if isinstance(head, t.Product) else (head,)
    if not all(isinstance(x, t.Symbol) and x.font == "mathcal" for x in letters):
        return False
    return "".join(x.name for x in letters if isinstance(x, t.Symbol)) in _DISTRIBUTIONS


def _a_statistic(body: t.Node, dims: frozenset[Any]) -> bool:
    r"""A value computed from the samples alone (``\frac1n\sum_{i=1}^n \mathbf{x}_i``, a
    scatter ``\sum_i (\mathbf{x}_i - \bar{\mathbf{x}})(\mathbf{x}_i - \bar{\mathbf{x}})^\top``):
    every letter a member of the family summed over, a size, or a value so defined — no
    variable to differentiate by, so no function stated."""
    from texgrad.calculus.written import index_names

    summed: set[str] = set()
    for node in body.walk():
        if isinstance(node, t.BigOp) and node.op == "\\sum" and node.lower is not None:
            lower = node.lower
            if isinstance(lower, t.Chain) and lower.items and lower.items[0] is not None:
                lower = lower.items[0]
            summed.update(index_names(lower) or ())
    if not summed:
        return False
    members = 0
    for node in _letter_nodes(body):
        if isinstance(node, t.Sub) and set(index_names(node.index) or ()) & summed:
            members += 1
        elif isinstance(node, t.Symbol) and node.name in summed or _sizes(node, dims):
            continue
        elif isinstance(node, t.Symbol) and set(node.accents) & {"hat", "bar"}:
            continue  # \hat{\boldsymbol\mu}, \bar{\mathbf x}: an estimate, from the samples
        else:
            return False
    return members > 0


def _letter_nodes(node: t.Node) -> Iterator[t.Node]:
    """The letters of a formula (``n_1`` whole, not its index)."""
    key = symbol_key(node)
    if key is not None and isinstance(node, t.Symbol | t.Sub):
        yield node
        return
    for child in node.children():
        yield from _letter_nodes(child)


def _sizes(letter: t.Node, dims: frozenset[Any]) -> bool:
    """The letter names a dimension of a declared symbol (read as dimensions are read:
    ``d_{\text{model}}`` as the dimension of ``\\mathbb{R}^{n \times d_{\text{model}}}``)."""
    from texgrad.shapes.dims import dim_of

    dim = dim_of(letter)
    symbols = getattr(dim, "free_symbols", None)
    return symbols is not None and bool(symbols) and symbols <= dims


_LEAVES = (t.Symbol, t.Number, t.Sub, t.Tagged, t.Text, t.Opaque, t.Empty, t.Dots, t.Space)


def _states_function(tree: t.Node) -> bool:
    if isinstance(tree, t.Chain):
        if tree.relations not in (("=",), (":=",)) or len(tree.items) != 2:
            return False
        if tree.items[0] is not None and not _a_head(tree.items[0]):
            return False  # M\mathbf v = \mathbf r (a KKT system): an equation, no function
        body = tree.items[1]
    else:
        body = tree
    if body is None or isinstance(body, _LEAVES) and not _block(tree, body):
        return False
    if _order_of_growth(body):
        return False  # O(kn), \mathcal O(n^2): a cost, no function of the math
    if isinstance(tree, t.Chain) and tree.items[0] is not None and _differential(tree.items[0]):
        return False  # \mathrm dF = …: a differential written, not a function stated
    measures = [id(n) for n in t.integral_measures(body)]  # (dt of \int … dt: no derivative)
    return not any(
        isinstance(n, t.Space | t.Derivative | t.Nabla | t.Partial)
        or _differential(n)
        and id(n) not in measures
        for n in body.walk()
    )


_ORDER_LETTERS = frozenset({"O", "o", "\\Theta", "\\Omega", "\\mathcal{O}"})


def _order_of_growth(body: t.Node) -> bool:
    r"""``O(kn)``, ``\mathcal O(n \log n)``, ``\Theta(n^3)``: Landau's notation for a cost."""
    if not (isinstance(body, t.Product) and len(body.factors) == 2):
        return False
    head, arg = body.factors
    return (
        isinstance(head, t.Symbol) and head.name in _ORDER_LETTERS
        and head.font in (None, "mathcal") and not head.accents
        and isinstance(arg, t.Paren) and arg.open == "("
    )  # fmt: skip


def _a_head(node: t.Node) -> bool:
    r"""What a function is stated under: a name (``L``, ``\mathbf w^*``, ``\sigma^2``) or a
    name applied (``f(\mathbf x)``, ``\sigma^2(r)``) — not a product of matrices."""
    while isinstance(node, t.Power | t.Transpose | t.Font | t.Accent | t.Sub | t.Tagged):
        inner = node.body if isinstance(node, t.Font | t.Accent) else node.base
        if inner is None:
            return False
        node = inner
    if symbol_key(node) is not None or isinstance(node, t.Opaque | t.Symbol):
        return True
    if isinstance(node, t.Apply):
        return True
    if isinstance(node, t.Product) and len(node.factors) == 2:
        name, args = node.factors
        return isinstance(args, t.Paren) and _a_head(name)
    return isinstance(as_application(node), t.Apply)


def _block(tree: t.Node, body: t.Node) -> bool:
    """``T(X) = X_{1:k, 1:k}``: a function stated whose value is an entry or a block."""
    return (
        isinstance(body, t.Sub)
        and isinstance(tree, t.Chain)
        and tree.items[0] is not None
        and isinstance(as_application(tree.items[0]), t.Apply)
    )


def _differential(node: t.Node) -> bool:
    r"""``\mathrm dX``, ``\mathrm d(X^{-1})``: a differential (its ``\mathrm d`` no letter
    of a product to declare)."""
    if isinstance(node, t.Differential):
        return True
    return isinstance(node, t.Product) and any(is_d(f) for f in node.factors[:-1])


def _head(tree: t.Node, text: str) -> str:
    if not isinstance(tree, t.Chain) or tree.items[0] is None:
        return ""
    head = tree.items[0]
    if (
        isinstance(head, t.Product) and len(head.factors) == 2
        and isinstance(head.factors[1], t.Paren) and head.factors[1].start == head.factors[0].end
    ):  # fmt: skip
        head = head.factors[0]  # R(W) = …, read as a product: the name R
    name = head.func if isinstance(head, t.Apply) else head
    if symbol_key(name) is None or not 0 <= name.start < name.end <= len(text):
        return ""
    return text[name.start : name.end].strip()
