r"""Families of symbols: the members of one declared with a label share its shape, shifted
with the label where the shape depends on it.

``h^{(t)} \in \mathbb{R}^n`` makes ``h^{(t-1)}``, ``h^{(0)}``, ``h^{(T)}`` n-vectors;
``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}`` makes ``W^{(l+1)}`` n_{l+1}×n_l and ``W^{(1)}``
n_1×n_0; ``h_t \in \mathbb{R}^n`` makes ``h_{t-1}``, ``h_0``, ``h_T`` n-vectors and
``x_k \in \mathbb{R}^{n_k}`` makes ``x_{k+1}`` an n_{k+1}-vector.  A subscript is read as a
label in a family's own letter plus or minus a number, a number, the capital of its letter
(``x_T`` of ``x_t``), or another index letter (``x_n`` of ``x_i``, ``W_h^Q`` of ``W_i^Q``) —
unless the letter itself is declared (``x_i`` of ``x \in \mathbb{R}^n`` is an entry) or its
subscripts name (``W_g`` beside ``W_i, W_f, W_o``: gates); ``W_Q`` is another symbol.  Where
two families could be meant, or the label is neither of these, nothing is said.  Shapes and the calculus engine
both read members here; a member declared itself is theirs to look up first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from texgrad.shapes.dim_terms import symbol
from texgrad.shapes.dims import Dim, Shape, mentions, relabel
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import Label, label_of, tagged_key

# letters that label the members of a family declared as h^{(t)}, x^{(i)}, a^{[l]}
SUPERSCRIPT_LABELS = ("t", "i", "j", "k", "l", "s", "n", "\\ell", "\\tau")
# … and as h_t, x_k, x_i (then x_1, x_{i+1} are samples too), X_g (equation g of a system)
SUBSCRIPT_LABELS = ("t", "k", "i", "j", "l", "s", "n", "m", "g", "c", "\\ell", "\\tau")
# … and, for a family that also has a tag, W_e^{(1)} (expert e's first layer) and its W_1^{(1)}
# (not a plain W_e: an encoder's or embedding's matrix beside the layers W_1, W_2)
TAGGED_SUBSCRIPT_LABELS = ("e",)
# … and, of a tagged family only, a head's (W_h^Q of W_i^Q)
HEAD_LABELS = ("h",)
# … and as x^t, x^k (a bare superscript: the round of an iterative method, where the document
# declares such a member — elsewhere x^t is a power)
ITERATE_LABELS = ("t", "k")
# capitals that name sets of indices rather than the last member (x_T of x_t, W_L of W_l)
_INDEX_SETS = frozenset("I J S".split())


def time_step(index: t.Node) -> bool:
    """``t``, ``t-1``, ``k+1``: the label of a time step (see ``ITERATE_LABELS``)."""
    if isinstance(index, t.Add) and len(index.terms) == 2 and isinstance(index.terms[1], t.Number):
        index = index.terms[0]
    return isinstance(index, t.Symbol) and index.name in ITERATE_LABELS and not index.font


def member_shape(
    base: str,
    form: str,
    tag: t.Node,
    declared: Callable[[str], Shape | None],
    named: Callable[[Dim], bool],
    tagged: bool = False,
    choose: Callable[[list[str]], str | None] | None = None,
    written: Callable[[str], bool] | None = None,
) -> Shape | None:
    """The shape of the member labelled ``tag`` of the one family of ``base`` written in
    ``form`` (``_``, ``(``, ``[``) that ``declared`` knows (a key → the shape declared for it
    where the member is, or None); None when there is none, or several, or the shape cannot
    be shifted to this label.  Shifted to another letter or a number (``W^{(1)}``,
    ``W^{(L)}``), a shape holds only if the document names each dimension it makes
    (``named``): ``n_0`` may well be the ``d`` of ``x \\in \\mathbb{R}^d``, ``n_L`` the
    number of classes — only ``n_{l+1}`` and ``n_l`` are certainly told apart.  ``tagged``:
    the subscript of a tagged member (``W_1^{(1)}``), which ``TAGGED_SUBSCRIPT_LABELS`` label too;
    ``choose``: which of several families' keys is meant, if one is (else None);
    ``written``: whether the document writes a family's declaration with its own label
    (``x_i \\in \\mathbb{R}^d``, not a list ``x_1, \\dots, x_N``) — only such a family has
    members under another index letter (``x_n``), and none without ``written``."""
    found = family_of(base, form, tag, declared, named, tagged, choose, written)
    return found[1] if found is not None else None


def family_of(
    base: str,
    form: str,
    tag: t.Node,
    declared: Callable[[str], Shape | None],
    named: Callable[[Dim], bool],
    tagged: bool = False,
    choose: Callable[[list[str]], str | None] | None = None,
    written: Callable[[str], bool] | None = None,
) -> tuple[str, Shape] | None:
    """:func:`member_shape`, with the key of the family's declared member (``h_{t}``)."""
    candidates = (
        _subscript_families(base, tag, tagged, written is not None)
        if form == "_"
        else [(tagged_key(base, form, v), v, label_of(tag)) for v in SUPERSCRIPT_LABELS]
    )
    valued = form == "_" and written is not None and not candidates and _valued_label(tag)
    if valued:  # \e_{y_i}, \e_{ar y_i} of \e_k: any member, of a shape the label leaves
        candidates = [(f"{base}_{{{v}}}", v, None) for v in SUBSCRIPT_LABELS]
    found: list[tuple[str, str, Label | None, Shape]] = [
        (k, v, m, s) for k, v, m in candidates if (s := declared(k)) is not None
    ]
    if not found and form in ("(", "["):
        found = _from_first(base, form, tag, declared, named)
    if not found and form == "_" and not tagged and declared(base) is None:
        found = _from_one_member(base, tag, declared) or _from_conditional_sibling(
            base, tag, declared
        )
    if len(found) > 1 and form == "_":  # x_{k+1} of x_k before x_t: its own letter first
        own = [f for f in found if f[2] is not None and f[2][0] in (f[1], f[1].upper())]
        found = own or found
    if len(found) > 1 and choose is not None:  # X_1 of X_i (Stacking) or of X_g (here)?
        meant = choose([k for k, _, _, _ in found])
        found = [f for f in found if f[0] == meant]
    if len(found) != 1:
        return None
    key, v, member, shape = found[0]
    if valued and (
        written is None or not written(key)
        or declared(base) is not None or _subscripts_name(base, declared)
    ):  # fmt: skip
        return None  # (x_{y_i} of x \in \mathbb{R}^n: an entry; W_{y} beside W_f: a name)
    if form == "_" and member is not None and member[0] not in (None, v, v.upper()):
        if (
            written is None or not written(key)
            or declared(base) is not None or _subscripts_name(base, declared)
        ):  # fmt: skip
            return None  # x_i of x \in \mathbb{R}^n is an entry; W_g beside W_i, W_f: a gate
    if member is None:  # h^{(i_1, i_2)}: only a shape that does not depend on the label
        shifted = None if mentions(shape, v) else shape
    else:
        shifted = relabel(shape, v, member)
    if shifted is None:
        return None
    if _rival(base, form, v, member, shape, declared):
        return None
    if member is not None and member[0] != v:  # W^{(1)} or W^{(L)} of W^{(l)}
        made = _free(shifted) - _free(shape)
        if not all(named(d) or _inner_width(d, form, member, v) for d in made):
            return None
    return key, shifted


def _from_first(
    base: str,
    form: str,
    tag: t.Node,
    declared: Callable[[str], Shape | None],
    named: Callable[[Dim], bool],
) -> list[tuple[str, str, Label | None, Shape]]:
    r"""A layer family known by its input only: ``a^{(0)} = x \in \mathbb{R}^{n_0}`` and the
    layers' widths ``n_l`` make ``a^{(l-1)}`` an n_{l-1}-vector (the member at 0 sized by
    widths subscripted 0, each a layer's: ``n_0``, not ``d``), for members labelled by a
    layer's letter only.  An iterate (``Z^{(k)}`` of ``Z^{(0)} = H``, N×C) has its start's
    shape in every round, for the letters of rounds only (``ITERATE_LABELS``) and where the
    document names no width in that letter (with ``d_k`` named, h^{(k)} are layers)."""
    member = label_of(tag)
    if member is None or member[0] not in SUPERSCRIPT_LABELS:
        return []
    key = tagged_key(base, form, "0")
    first = declared(key)
    if first is None:
        return []
    v = member[0]
    widths = {d: _WIDTH_AT_0.fullmatch(str(d)) for d in _free(first)}
    if not any(widths.values()):
        # an iterate (Z^{(k)} of Z^{(0)} = H, N×C): every round has the start's shape — for
        # the letters of rounds only (W^{(l)} of W^{(0)} may be a layer of another width)
        if (
            v in ITERATE_LABELS
            and not first.is_scalar
            and all(map(_shared, widths))
            and not any(named(symbol(f"{w}_{v}")) for w in _WIDTH_LETTERS)
        ):
            return [(key, v, member, first)]
        return []
    if not all(m or _shared(d) for d, m in widths.items()):
        return []  # (H^{(0)} \in \mathbb{R}^{n \times d_0}: the n nodes are every layer's)
    swaps = {d: symbol(f"{m[1]}_{v}") for d, m in widths.items() if m is not None}
    shape = Shape(first.rows.xreplace(swaps), first.cols.xreplace(swaps))
    return [(key, v, member, shape)]


# the letters of layers' widths (d_k, n_k): named in a round's letter, they make its family layers
_WIDTH_LETTERS = ("d", "n", "m", "h", "p", "D", "N")


# the members that may declare a family alone: its first (P_0, P_1) or its last (P_N, P_T)
_ONE_MEMBER = ("0", "1", "N", "T", "K")


def _from_one_member(
    base: str, tag: t.Node, declared: Callable[[str], Shape | None]
) -> list[tuple[str, str, Label | None, Shape]]:
    r"""A family declared by one member only, its first or last (``P_0 \in
    \mathbb{S}^n``, ``P_N = Q_f`` of a Riccati recursion): ``P_k``, ``P_{k+1}`` share its
    shape, where that shape is an array naming no label (n×n, not n_0×n_0) and the member asked for is
    labelled by an index letter (``P_{k+1}``, not ``P_2`` or ``P_x``)."""
    parts, _ = _parts(tag)
    if len(parts) != 1 or parts[0][0] not in SUBSCRIPT_LABELS:
        return []
    members = [(k, s) for n in _ONE_MEMBER if (s := declared(k := f"{base}_{{{n}}}")) is not None]
    if len(members) != 1 or members[0][1].is_scalar:
        return []  # (p_0 = 1 of a worked example beside the vectors p_k: not the family's)
    if any("_" in str(d) for d in _free(members[0][1])):
        return []
    key, shape = members[0]
    return [(key, parts[0][0], parts[0], shape)]


# the conditional labels filters write, as (offset of the step, offset of the data): t|t
# (filtered), t|t-1 (predicted), t+1|t (predicted ahead), t-1|t-1 (filtered before)
_CONDITIONAL_FORMS = ((0, 0), (0, -1), (1, 0), (-1, -1))


def _from_conditional_sibling(
    base: str, tag: t.Node, declared: Callable[[str], Shape | None]
) -> list[tuple[str, str, Label | None, Shape]]:
    r"""``\Lambda_{t|t-1}`` where only ``\Lambda_{t|t} = P_{t|t}^{-1}`` is declared or defined:
    a filter's predicted and filtered quantities at a step are one family (the same
    covariance, information matrix or estimate, conditioned on other data), of the shape of
    the member written in another conditional form, where that shape names no step (n×n,
    not n_t×n_t) and the forms written agree."""
    parts, relations = _parts(tag)
    if len(parts) != 2 or len({p[0] for p in parts}) != 1:
        return []
    var = parts[0][0]
    if var is None or var not in SUBSCRIPT_LABELS:
        return []
    asked = parts[1][1] - parts[0][1]
    found: list[tuple[str, str, Label | None, Shape]] = []
    for step, data in _CONDITIONAL_FORMS:
        if data - step == asked:
            continue  # (the same form shifted: the family's own rule, in _candidates)
        index = t.Chain((_label_node((var, step)), _label_node((var, data))), relations)
        key = f"{base}_{{{show(index)}}}"
        shape = declared(key)
        if shape is not None and not shape.is_scalar and not mentions(shape, var):
            found.append((key, var, None, shape))
    if len({f[3] for f in found}) != 1:
        return []
    return found[:1]


# a layer's width at the input: n_0, d_{0}
_WIDTH_AT_0 = re.compile(r"([A-Za-z]+)_\{?0\}?")


def _shared(d: Dim) -> bool:
    """A size beside a layer's width at the input that every layer shares: a plain name
    (the batch's B, the graph's n), no width of its own (``d_1``, ``n_{k}``)."""
    return "_" not in str(d) and "^" not in str(d)


def _rival(
    base: str,
    form: str,
    v: str,
    member: Label | None,
    shape: Shape,
    declared: Callable[[str], Shape | None],
) -> bool:
    r"""Is ``W_q^{(l)}``, of a family declared as ``W_q^{(i)}`` with a shape of its own
    that does not depend on the label, as likely ``W_q`` itself at another index (layer l,
    where i was a head)?  So when the label is another letter and ``W_q`` is declared
    with another shape: which is meant is not certain."""
    if form == "_" or member is None or member[0] is None or member[0] == v:
        return False
    if mentions(shape, v):
        return False  # W^{(k)} of W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}: n_k × n_{k-1}
    own = declared(base)
    return own is not None and not own.agrees(shape)


def _subscript_families(
    base: str, tag: t.Node, tagged: bool = False, across: bool = False
) -> tuple[tuple[str, str, Label], ...]:
    r"""The families a subscripted symbol may belong to: (the key of the declared member,
    its letter, what the letter stands for in this member).  ``h_{t-1}``: ``h_{t}`` with
    ``t-1``; ``x_1``: ``x_{t}``, ``x_{k}`` … with ``1``; ``x_T``: ``x_{t}`` with ``T``; a
    conditional label shifts as a whole — ``\hat{x}_{1|0}`` of ``\hat{x}_{k|k-1}`` with
    ``1``, ``\hat{x}_{k+1|k}`` of it with ``k+1``."""
    parts, relations = _parts(tag)
    return _candidates(base, tuple(parts), relations, tagged, across) if parts else ()


@lru_cache(maxsize=4096)
def _candidates(
    base: str,
    parts: tuple[Label, ...],
    relations: tuple[str, ...],
    tagged: bool = False,
    across: bool = False,
) -> tuple[tuple[str, str, Label], ...]:
    """(cached: the same letters and labels recur on every row)"""
    if len({p[0] for p in parts}) != 1:
        return ()
    var, first = parts[0]
    if var in _INDEX_SETS:
        return ()  # x_I, x_S: the entries of x in a set of indices
    labels = (
        SUBSCRIPT_LABELS + TAGGED_SUBSCRIPT_LABELS + HEAD_LABELS if tagged else SUBSCRIPT_LABELS
    )
    letters = (
        labels
        if var is None
        else ((var.lower(), "\\ell") if var == "L" else (var.lower(),))
        if len(var) == 1 and var.isupper()  # (h_L of h_\ell as of h_l: the last layer)
        else (var, *(v for v in labels if v != var))
        if across and var in labels and len(parts) == 1
        else (var,)
    )
    out = []
    for v in letters:
        for start in (0,) if len(parts) == 1 else (0, 1, -1):  # k|k-1, k+1|k, k-1|k
            shift = first - start
            if var == v and shift == 0:
                continue  # the member itself (h_t, or h_s of no other family)
            pattern = [_label_node((v, start + offset - first)) for _, offset in parts]
            index = pattern[0] if len(pattern) == 1 else t.Chain(tuple(pattern), relations)
            out.append((f"{base}_{{{show(index)}}}", v, (var, shift)))
    return tuple(out)


def _valued_label(tag: t.Node) -> bool:
    r"""Is a subscript a letter's value rather than an index letter: ``y_i``, ``\bar y_i``,
    ``\hat y`` (a data point's class, ``\e_{y_i}`` the basis vector of its class)?  Such a
    label names a member of a family whose shape does not depend on it."""
    node = tag
    if isinstance(tag, t.Sub):
        if label_of(tag.index) is None:
            return False
        node = tag.base
    if not (isinstance(node, t.Symbol) and node.font is None):
        return False
    if not (len(node.name) == 1 and node.name.isalpha() and node.name.islower()):
        return False
    return isinstance(tag, t.Sub) or bool(node.accents)


def _subscripts_name(base: str, declared: Callable[[str], Shape | None]) -> bool:
    r"""Does the document declare ``base`` with a subscript that is no index letter
    (``W_f``, ``W_o``, ``W_x``, ``W_q``)?  Then its subscripts name (gates, inputs,
    projections), and ``W_k`` beside ``W_i`` is another matrix, not a member of a family."""
    return any(declared(f"{base}_{{{c}}}") is not None for c in _NAME_LETTERS)


# lowercase letters that name rather than index: x_f, W_o, W_q, W_h (not i, t, k, …)
_NAME_LETTERS = tuple(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in SUBSCRIPT_LABELS)


def _parts(tag: t.Node) -> tuple[list[Label], tuple[str, ...]]:
    """A label's parts: ``t-1`` is one; ``k|k-1`` (a conditional, as filters write) two."""
    if isinstance(tag, t.Chain) and all(r in ("\\mid", "|") for r in tag.relations):
        parts = [label_of(item) for item in tag.items]
        found = [p for p in parts if p is not None]
        return (found, tag.relations) if len(found) == len(parts) else ([], ())
    label = label_of(tag)
    return ([label] if label is not None else []), ()


def _label_node(label: Label) -> t.Node:
    """A label as the parser reads it, so that its key is the one a document's makes."""
    var, offset = label
    if var is None:
        return t.Number(str(offset))
    if offset == 0:
        return t.Symbol(var)
    sign = "+" if offset > 0 else "-"
    return t.Add((t.Symbol(var), t.Number(str(abs(offset)))), ("", sign))


def _free(shape: Shape) -> set[Dim]:
    return set(shape.rows.free_symbols | shape.cols.free_symbols)


def _inner_width(d: Dim, form: str, member: Label, v: str) -> bool:
    r"""``n_2``, ``n_1`` of ``W^{(2)}`` (of ``W^{(l)} \in \mathbb{R}^{n_l \times n_{l-1}}``; ``n^{[1]}``
    of ``W^{[1]}`` for ``W^{[l]} \in \mathbb{R}^{n^{[l]} \times n^{[l-1]}}``): the
    width of a layer numbered from 1, which no other name of the document stands for — unlike
    ``n_0``, the input's ``d``; likewise ``n_{L-1}`` of ``W^{(L)}``, the last layer's (the
    capital of the family's letter), below ``n_L``.  Only for layer families (``W^{(l)}``,
    ``a^{[l]}``) at a number or at the capital of their letter."""
    if form == "_":
        return False
    name = str(d)
    tagged = _TAGGED_SIZE.fullmatch(name)  # n^{[1]} of W^{[1]}, in the layer's own brackets
    index = tagged[1] if tagged else name.partition("_")[2].strip("{}")
    index = index.replace(" ", "")
    if member[0] is None:
        return index.isdigit() and int(index) >= 1
    return (
        member[0] == v.upper() != v
        and _BELOW_LAST.fullmatch(index) is not None
        and (index.startswith(member[0] + "-"))
    )


# a size labelled as its layer is: n^{[1]}, n^{(2)}
_TAGGED_SIZE = re.compile(r"[^_^]+\^\{[\[(]([^\])]*)[\])]\}")
# an index below the last member's: L-1, L-2 (of n_{L-1}), never L itself
_BELOW_LAST = re.compile(r"[A-Z]-[1-9][0-9]*")
