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

An upstream gradient may also be written inline, as a derivative of the same loss on the
claim's right side: ``\frac{\partial L}{\partial K} = \frac{1}{\sqrt{d_k}}
\left(\frac{\partial L}{\partial S}\right)^\top Q`` for ``S = QK^\top/\sqrt{d_k}``, or
``\frac{\partial L}{\partial W^Q} = X^\top \frac{\partial L}{\partial Q}`` for ``Q =
XW^Q`` (:func:`inline_upstreams`).  Each such derivative stands for an upstream gradient of
its own (a stand-in letter), checked by the same rules, but with one difference: written in
the same notation as the claim's left side, it is in the same layout — read as ``S``'s
shape, the claim is the gradient in ``K``'s shape; read transposed (numerator layout), the
claim is too (:func:`paired_forms`).  A named ``G`` may have been given its own orientation;
an inline ``\frac{\partial L}{\partial S}`` beside ``\frac{\partial L}{\partial K}`` has not.

Pure reading here: :func:`upstreams` finds the statements, :func:`inline_upstreams` the
inline ones, :func:`linear_loss` writes the function;
:mod:`~texgrad.calculus.written_derivatives` differentiates and judges.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace

from texgrad.reading.source import MappedText
from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

# differences no forgotten term of the loss explains (discrepancy.Cause.kind)
SIMPLE = frozenset(
    {
        "transpose",
        "order",
        "kronecker-order",
        "transposes",
        "factor",
        "sign",
        "inverse-transpose",
        "symmetric",
    }
)


@dataclass(frozen=True)
class Upstream:
    """``G = \\partial L / \\partial O``: the gradient ``G`` of the loss by ``O``."""

    gradient: t.Node  # G as written
    of: t.Node  # O as written
    gradient_key: str
    of_key: str
    written: str = ""  # written inline: the derivative as the claim writes it (else "")
    nabla: bool = False  # written inline as ∇_O L (of O's shape, whatever the layout)

    @property
    def shown(self) -> str:
        """The gradient as the document writes it (a message's words)."""
        return self.written or latex_of(self.gradient)


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
        self._places: dict[str, list[tuple[str, int]]] = {}  # (path, start) of each definition
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
            self._definition(tree, head, value, (row.path, row.start))
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

    def _definition(
        self, tree: t.Chain, head: t.Node, body: t.Node, place: tuple[str, int]
    ) -> None:
        if len(tree.items) == 3 and tree.relations[1] != "\\in" or len(tree.items) > 3:
            return
        named = symbol_key(head)
        if named is not None:
            self._definitions.setdefault(named[0], []).append(body)
            self._places.setdefault(named[0], []).append(place)

    def upstreams(self, loss: str) -> list[Upstream]:
        """:func:`upstreams` of the rows read."""
        return list(self._upstreams.get(loss, {}).values())

    def definitions(self, key: str) -> list[t.Node]:
        """:func:`definitions` of the rows read."""
        return list(self._definitions.get(key, ()))

    def definitions_before(self, key: str, path: str, at: int) -> list[t.Node]:
        """The definitions of ``key`` a claim at ``at`` of ``path`` may mean: those made
        before it (or in another file), where there are any — not the variant a later
        paragraph gives ("With the usual scaling $W = W_0 + \\frac{\\alpha}{r} BA$");
        else all of them ("…, where $W = W_0 + BA$" after the claim)."""
        found = self._definitions.get(key, [])
        places = self._places.get(key, [])
        before = [b for b, (p, s) in zip(found, places, strict=True) if p != path or s < at]
        return before or list(found)

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


# -- upstream gradients written inline -------------------------------------------------------

# the stand-in letters of inline upstream gradients: \mathring{\Upsilon}_{k}, no document's
_STAND_IN = "\\Upsilon"
_STAND_IN_ACCENT = "mathring"
_NOT_PLAIN = (t.Nabla, t.Partial, t.Derivative, t.Differential, t.Text, t.List, t.Sequence, t.Chain)


@dataclass(frozen=True)
class Inline:
    """A claim's right side with each upstream gradient it writes inline replaced by a
    stand-in letter, and those upstream gradients (their stand-ins' keys, how printed)."""

    claimed: t.Node
    upstreams: tuple[Upstream, ...]
    spelled: dict[str, str]  # a stand-in's key -> the derivative, printable in a product


def _derivative_of(node: t.Node, loss: str) -> t.Node | None:
    """``O`` where ``node`` is ∂loss/∂O or ∇_O loss (a first derivative of the symbol ``loss``
    by a symbol ``O``); else None."""
    found = _by_any(node)
    return found[1] if found is not None and found[0] == loss else None


def inline_derivatives(claimed: t.Node, loss: str) -> list[tuple[t.Node, t.Node]] | None:
    r"""Each ``\frac{\partial L}{\partial O}`` (``\partial L/\partial O``, ``\nabla_O L``) of the
    loss ``loss`` in ``claimed``, with its ``O``: [] where it writes none; None where it
    writes any other derivative (``\frac{\partial \mathbf y}{\partial \mathbf x}`` of a chain
    rule written out), a text or a list — no expression to check."""
    out: list[tuple[t.Node, t.Node]] = []
    stack = [claimed]
    while stack:
        node = stack.pop()
        of = _derivative_of(node, loss)
        if of is not None:
            out.append((node, of))
            continue
        if isinstance(node, _NOT_PLAIN):
            return None
        if isinstance(node, t.BigOp):  # (a sum's limits are no relation of the row)
            stack.extend(k for k in (node.body,) if k is not None)
        else:
            stack.extend(node.children())
    out.sort(key=lambda pair: pair[0].start)
    return out


def writes_inline_upstream(claimed: t.Node, function: t.Node | None, wrt: t.Node | None) -> bool:
    r"""Whether a claim's right side is an expression but for derivatives of its own function
    (a symbol, the loss) by other symbols than its variable: ``\frac{\partial L}{\partial K}
    = \frac{1}{\sqrt{d_k}} \frac{\partial L}{\partial S}^\top Q`` (read as a claim, its
    ``\frac{\partial L}{\partial S}`` an upstream gradient)."""
    loss = symbol_key(function) if function is not None else None
    if loss is None:
        return False
    found = inline_derivatives(claimed, loss[0])
    if not found:
        return False
    by = symbol_key(wrt) if wrt is not None else None
    return all(symbol_key(of) not in (None, by) for _, of in found)


def inline_upstreams(
    claimed: t.Node, loss: str, taken: Collection[str], source: Callable[[t.Node], str]
) -> Inline | None:
    r"""The upstream gradients ``claimed`` writes inline (:func:`inline_derivatives`), each
    replaced by a stand-in letter none of ``taken`` (the keys the document uses) is; the
    same ``O`` twice, one stand-in.  ``source``: a node's text in the document (how the
    derivative is printed in a fix: ``\frac{\partial L}{\partial S}`` as written, any other
    spelling in parentheses).  None where it writes none, or another derivative."""
    found = inline_derivatives(claimed, loss)
    if not found:
        return None
    by_of: dict[str, Upstream] = {}
    stand_ins: dict[int, t.Node] = {}
    spelled: dict[str, str] = {}
    k = 0
    for node, of in found:
        of_key = symbol_key(of)
        if of_key is None:
            return None
        up = by_of.get(of_key[0])
        if up is None:
            k, stand_in, key = _next_stand_in(k, taken)
            written = " ".join(source(node).split()) or latex_of(node)
            up = Upstream(stand_in, of, key, of_key[0], written, isinstance(node, t.Nabla))
            by_of[of_key[0]] = up
            spelled[key] = _framed(written)
        stand_ins[id(node)] = replace(up.gradient, start=node.start, end=node.end)
    return Inline(t.replaced(claimed, stand_ins), tuple(by_of.values()), spelled)


def named_elsewhere(
    rows: Iterable[PlacedRow],
    loss: str,
    inline: Inline,
    taken: Collection[str],
    source: Callable[[t.Node], str],
    besides: Collection[str] = (),
) -> Inline:
    r"""``inline`` with the upstream gradients of ``loss`` the rows write inline and the
    claim does not (``\frac{\partial \ell}{\partial \mathbf s}`` in "Autograd gives us
    $\frac{\partial \ell}{\partial \mathbf u}$ and $\frac{\partial \ell}{\partial \mathbf
    s}$" and in other claims), each by a stand-in of its own (none of ``taken``); not those
    by a key of ``besides`` (the variable differentiated by)."""
    have = {u.of_key for u in inline.upstreams} | set(besides)
    taken = {*taken, *inline.spelled}
    more: dict[str, Upstream] = {}
    spelled = dict(inline.spelled)
    k = 0
    for row in rows:
        if row.tree is None:
            continue
        for node in row.tree.walk():
            of = _derivative_of(node, loss)
            of_key = symbol_key(of) if of is not None else None
            if of is None or of_key is None or of_key[0] in have or of_key[0] in more:
                continue
            k, stand_in, key = _next_stand_in(k, taken)
            written = " ".join(source(node).split()) or latex_of(node)
            more[of_key[0]] = Upstream(
                stand_in, of, key, of_key[0], written, isinstance(node, t.Nabla)
            )
            spelled[key] = _framed(written)
            if len(more) >= 4:
                break
    if not more:
        return inline
    return Inline(inline.claimed, (*inline.upstreams, *more.values()), spelled)


def stand_ins_again(tree: t.Node, loss: str, spelled: dict[str, str]) -> t.Node:
    r"""``tree`` (an edit of a claim, read back) with each upstream gradient of ``loss``
    it writes inline made the stand-in the claim was read with (``spelled``: a stand-in's
    key → the derivative as printed, :attr:`Inline.spelled`), so that the edit is judged as
    the claim was: ``W_1^\top \frac{\partial \ell}{\partial \mathbf u} + U^\top
    \frac{\partial \ell}{\partial \mathbf s}`` for the sign of a term undone; ``tree``
    as it is where it writes none, or one the claim did not."""
    found = inline_derivatives(tree, loss)
    if not found:
        return tree
    by_of: dict[str, t.Node] = {}
    for k in range(1, len(spelled) + 8):
        stand_in = t.Sub(
            base=t.Symbol(name=_STAND_IN, font=None, accents=(_STAND_IN_ACCENT,)),
            index=t.Number(text=str(k)),
        )
        key = symbol_key(stand_in)
        written = spelled.get(key[0]) if key is not None else None
        if written is None:
            continue
        if written.startswith("\\left(") and written.endswith("\\right)"):
            written = written[len("\\left(") : -len("\\right)")]
        read = parse_row(MappedText.identity(written)).tree
        by = _by_any(read) if read is not None else None
        of = symbol_key(by[1]) if by is not None and by[0] == loss else None
        if of is not None:
            by_of[of[0]] = stand_in
    stand_ins: dict[int, t.Node] = {}
    for node, of_node in found:
        of_key = symbol_key(of_node)
        made = by_of.get(of_key[0]) if of_key is not None else None
        if made is None:
            return tree
        stand_ins[id(node)] = replace(made, start=node.start, end=node.end)
    return t.replaced(tree, stand_ins)


def printed_as_written(text: str, inline: Inline) -> str:
    r"""A result printed with the stand-ins' spellings made readable: ``\frac{\partial
    L}{\partial S}^\top`` written ``\left(\frac{\partial L}{\partial S}\right)^\top`` (a
    fix that reads back as the transpose of the derivative)."""
    for written in inline.spelled.values():
        if written.startswith("\\left("):
            continue
        for mark in ("^\\top", "^T", "^{\\top}", "^{T}", "^\\intercal", "^{\\mathsf{T}}", "^{-1}"):
            text = text.replace(written + mark, f"\\left({written}\\right){mark}")
    return text


def paired_forms(
    up: Upstream, transposed: bool, matrix: bool, nabla: bool
) -> tuple[str, ...] | None:
    """The forms a claim (``nabla``: written ``\\nabla_X L``; ``matrix``: by a matrix) may
    take in a reading of ``up`` (see the module's docstring): an inline ``\\frac{\\partial
    L}{\\partial O}`` read in ``O``'s shape pairs with a ``\\frac{\\partial L}{\\partial X}``
    in ``X``'s shape (``plain``), read transposed with its transpose; an inline ``\\nabla_O L``
    has ``O``'s shape (no form in the transposed reading: ``()``).  None: any the claim's
    layouts allow (a named upstream gradient; a vector or a number differentiated by)."""
    if not up.written:
        return None
    if up.nabla:
        return () if transposed else None
    if nabla or not matrix:
        return None
    return ("transpose",) if transposed else ("plain",)


def inline_not_read(inline: Inline, defined: Collection[str], declared: Collection[str]) -> str:
    """Why a claim written through upstream gradients inline is not checked, in words."""
    for up in inline.upstreams:
        if up.of_key not in defined and up.of_key not in declared:
            return (
                f"`{up.written}` is read as an upstream gradient, but `{latex_of(up.of)}` is "
                "neither defined nor declared, so its shape and what it depends on are unknown"
            )
    if len(inline.upstreams) > 1:
        return (
            "its right side writes several upstream gradients ("
            + ", ".join(f"`{u.written}`" for u in inline.upstreams)
            + "); texgrad checks a derivative through one at a time"
        )
    (up,) = inline.upstreams
    return (
        f"`{up.written}` is read as an upstream gradient, but the variable is not reached "
        f"through `{latex_of(up.of)}` as the document defines it"
    )


def _next_stand_in(k: int, taken: Collection[str]) -> tuple[int, t.Sub, str]:
    """The next stand-in after number ``k`` whose key is none of ``taken``: its number, the
    node and its key."""
    while True:
        k += 1
        stand_in = t.Sub(
            base=t.Symbol(name=_STAND_IN, font=None, accents=(_STAND_IN_ACCENT,)),
            index=t.Number(text=str(k)),
        )
        key = symbol_key(stand_in)
        assert key is not None
        if key[0] not in taken:
            return k, stand_in, key[0]


def _framed(written: str) -> str:
    """An upstream gradient as it stands in a product: a fraction as written, else in
    parentheses."""
    framed = written.startswith(("\\frac", "\\dfrac", "\\tfrac"))
    return written if framed else f"\\left({written}\\right)"


def only_through(
    loss: str,
    through: str,
    wrt: str,
    bodies: Callable[[str], tuple[t.Node, Collection[str]] | None],
    stacks: dict[str, tuple[str, str]],
    leaf: Callable[[str], bool],
) -> bool:
    r"""Does the loss ``loss``, which the document defines, depend on ``wrt`` only through
    ``through`` (``L = -\frac1B \sum_i \mathbf y_i^\top \log \mathbf p_i`` with ``P =
    \operatorname{softmax}(Z_2)``, ``Z_2 = A_1 W_2 + …``: on W_2 only through Z_2), proved
    from the definitions (``bodies``: a name's formula and its parameters, or None), the
    families the prose stacks in a matrix (``stacks``: ``\mathbf p_i`` of P) and the letters
    that depend on nothing (``leaf``: declared and defined nowhere, a dimension, a count)?
    Then ∂L/∂wrt is written in ∂L/∂through as for a loss of no formula.  False where a
    letter met is none of these, where ``wrt`` is reached another way (a weight decay
    ``\lambda \|W_2\|^2``), or where ``through`` is not reached at all."""
    seen, todo, reached = {loss}, [loss], False
    while todo:
        name = todo.pop()
        if name == through:
            reached = True
            continue
        if name == wrt:
            return False
        found = bodies(name)
        if found is not None:
            body, params = found
            bound = {k[0] for n in body.walk() if isinstance(n, t.BigOp) for k in _indices(n)}
            nexts = _names(body) - set(params) - bound
        elif name in stacks:
            nexts = {stacks[name][0]}
        elif leaf(name):
            continue
        else:
            return False
        for n in nexts - seen:
            seen.add(n)
            todo.append(n)
    return reached


def _names(node: t.Node) -> set[str]:
    """The keys of the symbols ``node`` names, outermost: ``\\mathbf p_i`` is p_{i}, not p
    and i (an index inside a member names no letter of its own)."""
    key = symbol_key(node) if isinstance(node, (t.Symbol, t.Font, t.Sub, t.Tagged)) else None
    if key is not None:
        return {key[0]}
    if isinstance(node, t.Norm):  # (\|X\|_F: the F names the norm)
        return _names(node.body) if node.body is not None else set()
    return {k for kid in node.children() for k in _names(kid)}


def _indices(op: t.BigOp) -> list[tuple[str, str | None]]:
    """The index a sum runs over (``i`` of ``\\sum_{i=1}^{B}``, of ``\\sum_i``)."""
    lower = op.lower
    if isinstance(lower, t.Chain) and lower.relations[:1] in (("=",), ("\\in",)):
        lower = lower.items[0]
    key = symbol_key(lower) if isinstance(lower, t.Symbol) else None
    return [key] if key is not None else []
