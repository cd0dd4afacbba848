r"""A loss the document never defines, differentiated through an upstream gradient it names.

Backpropagation notes write ``\frac{\partial L}{\partial V} = P^\top G`` for a loss ``L`` they
never define, having said ``G = \partial L / \partial O`` for an output ``O = PV`` they do
define.  Whatever ``L`` is, its first derivative through ``O`` is that of the linear function
``\operatorname{tr}(G^\top O)``, ``G`` held fixed (the chain rule: ``\mathrm dL =
\operatorname{tr}(G^\top \mathrm dO)``), so the claim is checked as the derivative of that
function, ``G`` a random matrix of ``O``'s shape.

This holds only where ``L`` depends on the variable through ``O`` alone, which the document
does not say: a weight decay ``L = \ell(O) + \frac{\lambda}{2}\|V\|^2`` told in words adds a
term.  So a claim is *verified* when it equals the derivative through one of the upstream
gradients the document names (either reading of ``G``: ``O``'s shape, or its transpose's in
numerator layout, where the shapes do not decide), and *reported* only where no reading of
any upstream gradient leading to the variable makes it right, and against one of them the
difference is one that no forgotten term explains (the transpose, the factors' order, a
factor, the sign …: :data:`SIMPLE`; a claim written in another upstream's terms is no such
change of it).

Pure reading here: :func:`upstreams` finds the statements, :func:`linear_loss` writes the
function; :mod:`~texgrad.calculus.written_derivatives` differentiates and judges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from texgrad.reading.source import MappedText
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

# differences no forgotten term of the loss explains (discrepancy.Cause.kind)
SIMPLE = frozenset(
    {"transpose", "order", "transposes", "factor", "sign", "inverse-transpose", "symmetric"}
)


@dataclass(frozen=True)
class Upstream:
    """``G = \\partial L / \\partial O``: the gradient ``G`` of the loss by ``O``."""

    gradient: t.Node  # G as written
    of: t.Node  # O as written
    gradient_key: str
    of_key: str


def upstreams(rows: Iterable[PlacedRow], loss: str) -> list[Upstream]:
    r"""The upstream gradients of the loss ``loss`` (a symbol key) the rows name: ``G =
    \partial L/\partial O`` (``\frac{\partial L}{\partial O}``, ``\nabla_O L``; a ``\in``
    after it), or ``\frac{\partial L}{\partial O} = G``; each pair once."""
    return GradientStatements(rows).upstreams(loss)


class GradientStatements:
    r"""The upstream gradients and the definitions some rows state, read in one pass over
    them (:func:`upstreams`, :func:`definitions`): a document checks each claim on a loss it
    never defines against every upstream gradient of that loss, and each of those by the
    definitions of what it is the gradient of — read again for every claim, a long
    derivation's rows were read once per claim and per upstream gradient."""

    def __init__(self, rows: Iterable[PlacedRow]) -> None:
        self._upstreams: dict[str, dict[tuple[str, str], Upstream]] = {}
        self._definitions: dict[str, list[t.Node]] = {}
        # the values given upstream gradients, verified (written_derivatives), kept for the
        # claims of the same document that ask with the same definitions in force
        self.verified_values: dict[tuple[object, ...], dict[str, t.Node]] = {}
        for row in rows:
            tree = row.tree
            if not isinstance(tree, t.Chain) or len(tree.items) < 2 or tree.relations[0] != "=":
                continue
            head, value = tree.items[0], tree.items[1]
            if head is None or value is None:
                continue
            self._definition(tree, head, value)
            by_value = _by_any(value)
            if by_value is not None:  # G = \partial L/\partial O
                self._upstream(by_value[0], head, by_value[1])
            by_head = _by_any(head) if len(tree.items) == 2 else None
            if by_head is not None and (by_value is None or by_head[0] != by_value[0]):
                self._upstream(by_head[0], value, by_head[1])  # \frac{\partial L}{\partial O} = G

    def _upstream(self, loss: str, named: t.Node, by: t.Node) -> None:
        key, of = symbol_key(named), symbol_key(by)
        if key is None or of is None or key[0] in (loss, of[0]):
            return
        found = self._upstreams.setdefault(loss, {})
        found.setdefault((key[0], of[0]), Upstream(named, by, key[0], of[0]))

    def _definition(self, tree: t.Chain, head: t.Node, body: t.Node) -> None:
        if len(tree.items) == 3 and tree.relations[1] != "\\in" or len(tree.items) > 3:
            return
        named = symbol_key(head)
        if named is not None:
            self._definitions.setdefault(named[0], []).append(body)

    def upstreams(self, loss: str) -> list[Upstream]:
        """:func:`upstreams` of the rows read."""
        return list(self._upstreams.get(loss, {}).values())

    def definitions(self, key: str) -> list[t.Node]:
        """:func:`definitions` of the rows read."""
        return list(self._definitions.get(key, ()))

    def definition_of(self, key: str) -> t.Node | None:
        """:func:`definition_of` of the rows read."""
        found = self._definitions.get(key, [])
        return found[0] if len(found) == 1 else None


def _by_any(node: t.Node) -> tuple[str, t.Node] | None:
    """The loss ``node`` differentiates and the variable it does it by, where it is ∂L/∂O
    or ∇_O L (of a symbol L, by a symbol O)."""
    if isinstance(node, t.Derivative) and node.order is None and len(node.wrt) == 1:
        body, wrt = node.body, node.wrt[0]
    elif isinstance(node, t.Nabla) and node.order is None and node.wrt is not None:
        body, wrt = node.body, node.wrt
    else:
        return None
    key = symbol_key(body) if body is not None else None
    return (key[0], wrt) if key is not None and symbol_key(wrt) is not None else None


def linear_loss(upstream: Upstream, transposed: bool, scalar: bool) -> t.Node | None:
    r"""The loss as linear in the upstream's ``O``: ``\operatorname{tr}(G^\top O)`` (with
    ``transposed``: ``\operatorname{tr}(G O)``, the numerator layout's G), ``G O`` for a
    scalar ``O``."""
    g, o = latex_of(upstream.gradient), latex_of(upstream.of)
    if scalar:
        text = f"{{{g}}} {{{o}}}"
    else:
        mark = "" if transposed else "^\\top"
        text = f"\\operatorname{{tr}}\\left({{{g}}}{mark} {{{o}}}\\right)"
    return parse_row(MappedText.identity(text)).tree


def definition_of(rows: Iterable[PlacedRow], key: str) -> t.Node | None:
    r"""The value of ``key`` where the rows define it once, as ``O = PV`` or ``Y = WU +
    b\mathbf 1^\top \in \mathbb{R}^{m \times n}`` (a definition its declaration follows, which
    leaves ``Y`` a variable of the document); None where they define it nowhere or twice."""
    return GradientStatements(rows).definition_of(key)


def definitions(rows: Iterable[PlacedRow], key: str) -> list[t.Node]:
    """The values the rows give ``key`` (``key = value``, a ``\\in`` after it or not)."""
    return GradientStatements(rows).definitions(key)
