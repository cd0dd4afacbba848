r"""Rules for relations: chains of ``=``, ``\le``, ``\in`` …; an equality whose sides differ
is reported unless papers write it so on purpose, and an equality may define: ``y = Ax`` gives
an undeclared ``y`` its shape, ``f(x) = Ax`` makes ``f`` a function from here on."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from texgrad.shapes import messages
from texgrad.shapes.diagnostics import Related
from texgrad.shapes.dims import (
    MAX_DIMENSION_BITS,
    ONE,
    SCALAR,
    Dim,
    Shape,
    dim_of,
    dim_text,
    same,
    too_large_power,
)
from texgrad.shapes.facts import fact_key
from texgrad.shapes.formulas import ORDER_RELATIONS, tag_key
from texgrad.shapes.gates import GATES_KEY
from texgrad.shapes.questions import (
    DIMENSION,
    FACT,
    GATE,
    LAYOUT,
    LAYOUT_KEY,
    LETTER,
    REDEFINES,
    constant_size,
    dimension_key,
)
from texgrad.shapes.rules.base import (
    BOLD_FONTS,
    TEMPLATE_ARGUMENT,
    TEMPLATE_COLS,
    TEMPLATE_ROWS,
    UNSIZED,
    ingredients,
    is_inverse,
    row_map_key,
    span_key,
    square_key,
    template_key,
    unwrapped,
)
from texgrad.shapes.rules.distributions import GIVEN, DistributionRules
from texgrad.shapes.rules.products import diag_argument
from texgrad.shapes.rules.symbols import ESTIMATE_ACCENTS, SAME_SHAPE_ACCENTS
from texgrad.shapes.sections import (
    SENTENCE_LOOKBACK,
    Boundaries,
    in_errata,
    next_break,
    sentence_start,
)
from texgrad.shapes.table import Declaration, Signature
from texgrad.syntax import tree as t
from texgrad.syntax.notation import call_of, index_parts
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

EQUALITIES = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv", "\\defeq", "\\eqdef"})
# an algorithm's step (``U \\leftarrow (X^\\top X)^{-1} X^\\top Y V``): its sides agree as an
# equation's do — unless the step updates the letter from itself (``X \\gets X W``,
# ``V \\gets [V \\; x]``, ``A \\gets A_{S,S}``), which may change its size
_EQUATING = EQUALITIES | {"\\leftarrow", "\\gets"}
# an approximation, whose sides are of one shape (``\approx``, ``≈``)
_APPROXIMATING = frozenset({"\\approx"})
# how a brace's label names what it braces: ``\\underbrace{…}_{=: M}``
_NAMING = EQUALITIES | {"=:", "\\eqqcolon"}
# the braces whose label may name what they brace
BRACES = frozenset({"underbrace", "overbrace"})


# the words before an instance of a result: "Applying Lemma 1 with $A = \hat A$, $X = H$ and
# $…$", "Setting $X = …$ in Lemma 2", "substituting $x = Az$" (then the inline math opens)
_SUBSTITUTING = re.compile(
    r"(?:\b(?:[Aa]pply(?:ing)?|[Uu]sing|[Ii]nvoking)\b[^$.;]{0,80}?\b(?:with|for)"
    r"|\b(?:[Ss]ubstitut(?:ing|e)|[Ss]etting|[Pp]lugging(?:\s+in)?|[Pp]utting)(?:\s+in)?)"
    r"\s+(?:\$[^$]{1,200}\$\s*(?:,\s*(?:and\s+)?|and\s+))*(?:\$|\\\()\s*$"
)


def substitutes(source: str, at: int) -> bool:
    """Is the math at ``at`` (inline) one of the equations that instantiate a result, whose
    sides set a letter of the result to what it stands for here (not an equation)?"""
    lo = sentence_start(source, max(0, at - SENTENCE_LOOKBACK), at)
    return _SUBSTITUTING.search(source, lo, at) is not None


# the word right before an inline equation that names a point of evaluation: "at $X_* = X$
# the mean interpolates", "when $B = A$" (the math opens right after it)
_SPECIALISING = re.compile(r"\b(?:[Aa]t|[Ww]hen(?:ever)?)\s+(?:\\\(|\$)\s*$")


def specialises(source: str, at: int, left: t.Node, right: t.Node) -> bool:
    r"""Is the inline math at ``at`` a letter set to another letter at a point of
    evaluation ("at $X_* = X$", "when $B = A$"): a case that makes the two the same (the
    test inputs the training inputs, so n_* = n), not an equation of two declared shapes?"""
    if symbol_key(left) is None or symbol_key(right) is None:
        return False
    return _SPECIALISING.search(source, max(0, at - 16), at) is not None


def other_layout(
    source: str, start: int, end: int, own: str = "denominator", named: bool = False
) -> bool:
    """Does the sentence of the math at ``start``..``end`` speak of another layout than the
    document's, ``own`` ("in the numerator layout this reads …", "transposed, as some texts
    write"; in a numerator-layout text, "in the denominator layout", "as a gradient")?  With
    ``named``, only a sentence that names the other layout counts (not "transposes it").
    (What the document states, and where, is read by layout_statements.py; this reads only
    the formula's own sentence.)"""
    lo = sentence_start(source, max(0, start - SENTENCE_LOOKBACK), start)
    stop = next_break(source, end, end + SENTENCE_LOOKBACK)
    other = (_NAMED_LAYOUT if named else _OTHER_LAYOUT)[own]
    return other.search(source, lo, stop.start() if stop else end) is not None


_OTHER_LAYOUT = {
    "denominator": re.compile(
        r"[Nn]umerator|[Jj]acobian|[Tt]ranspos|[Oo]ther layout|[Rr]ow[- ]vector"
    ),
    "numerator": re.compile(
        r"[Dd]enominator|[Gg]radient layout|[Tt]ranspos|[Oo]ther layout|shape of (?:the|its)"
    ),
}
_NAMED_LAYOUT = {
    "denominator": re.compile(r"[Nn]umerator|[Oo]ther layout"),
    "numerator": re.compile(r"[Dd]enominator|[Gg]radient layout|[Oo]ther layout"),
}


# "Let $A = \begin{bmatrix} 2 & 0 \\ 0 & 3 \end{bmatrix}$", "Let $w \in …$ and $M = w w^\top$"
_LETTING = re.compile(
    r"(?:\s*(?:\\(?:begin|end)\{[^}]*\}(?:\[[^\]]*\])?|(?::{3,}|`{3,})\{[^}]*\}[^\n]*"
    r"|:[a-z-]+:[^\n]*))*"  # (a MyST directive's option lines, ":label: lem-1", too)
    r"\s*(?:\\item\s*(?:\[[^\]]*\])?\s*)?(?:[Nn]ow\s+)?"
    r"(?:[Ll]et|[Tt]ake|[Ss]et|[Cc]onsider)\b"
)
# a MyST directive that opens an example or a result: ":::{prf:example}", "```{prf:lemma}"
_MYST_UNIT = re.compile(
    r"^[ \t]*(?::{3,}|`{3,})\{prf:(?:example|lemma|theorem|proposition|corollary|proof|exercise)\}",
    re.M,
)


def lets(source: str, at: int) -> bool:
    """Does the sentence of the math at ``at`` set its letters ("Let …", "Take …")?"""
    lo = sentence_start(source, max(0, at - SENTENCE_LOOKBACK), at)
    return _LETTING.match(source, lo, at) is not None


def _frobenius_side(rels: tuple[str, ...], i: int) -> bool:
    r"""Is a side of the equality ``rels[i]`` an operand of a Frobenius product (``\mathrm{d}f
    = 2R : X\,\mathrm{d}W = 2X^\top R : \mathrm{d}W``), which the chain's colons split?"""
    if any(r in ("\\to", "\\rightarrow", "\\mapsto") for r in rels):
        return False  # f : \mathbb{R}^n \to \mathbb{R}, a signature
    return (i > 0 and rels[i - 1] == ":") or (i + 1 < len(rels) and rels[i + 1] == ":")


class RelationRules(DistributionRules):
    """Chains of relations, equations, and the definitions they make."""

    def _chain(self, node: t.Chain) -> Shape | None:
        head = node.items[0]
        if isinstance(head, t.Product) and node.relations[0] in EQUALITIES:
            call = self._call_head(head)
            if call is not None:  # k(x) = … defines a function k (k a dimension elsewhere)
                node = t.Chain((call, *node.items[1:]), node.relations, start=node.start,
                               end=node.end, from_macro=node.from_macro, span=node.span)  # fmt: skip
        # each side is inferred once the equations before it in the row have made their
        # definitions: "\hat\mu = …, \qquad R_c = R - 1 \hat\mu^\top, \qquad S = R_c^\top R_c"
        shapes: list[Shape | None] = [self._side(node, k) for k in range(min(2, len(node.items)))]
        self._defined_by_head(node, shapes)
        last = len(node.items) - 1
        for i, rel in enumerate(node.relations):
            if rel == "\\sim" and (drawn := node.items[i]) is not None:
                self._distributed(drawn, node.items[i + 1])
            if len(shapes) == i + 1:
                shapes.append(self._side(node, i + 1))
            given = i > 0 and node.relations[i - 1] in GIVEN  # y \mid x \sim …: x is given
            if rel == "\\sim" and node.items[i] is not None and not given:
                self._drawn(node.items[i], node.items[i + 1])  # type: ignore[arg-type]
            self._approximation(rel, node.items[i], node.items[i + 1], shapes[i], shapes[i + 1])
            self._ordered_blocks(rel, node.items[i], node.items[i + 1])
            if (
                rel not in _EQUATING or _frobenius_side(node.relations, i)
                or self._updates(rel, node.items[i], node.items[i + 1], shapes[i], shapes[i + 1])
            ):  # fmt: skip
                continue
            left, right = node.items[i], node.items[i + 1]
            a, b = shapes[i], shapes[i + 1]
            # "Z = X V, \qquad Y = Z V^\top" reads as Z = (X V, Y) = Z V^\top: a list between
            # two relations ends one statement and starts the next
            if isinstance(left, t.List) and i > 0 and left.items:
                left = left.items[-1]
                a = self.shapes.get(span_key(left)) if left is not None else None
            if isinstance(right, t.List) and i + 1 < last and right.items:
                right = right.items[0]
                b = self.shapes.get(span_key(right)) if right is not None else None
            if i > 0 and self._defined_later_in_row(left, right, b):
                continue
            if left is not None and right is not None:
                if rel in EQUALITIES:
                    self._notations(left, right, a)
                if i == 0 and b is None and a is None and self._defines(left):
                    b = self._later_side(node, shapes)  # E = \hat{U}^\top \hat{U} = Y^\top M Y
                    if b is not None:
                        self._define(left, b)
                        continue
                self._equation(rel, left, right, a, b)
        return None

    def _notations(self, left: t.Node, right: t.Node, a: Shape | None) -> None:
        """What an equality says of a notation for later rows: a name of any argument
        (``_template``), an operator applied row-wise (``_row_map``)."""
        if isinstance(left, t.Sub):
            self._template(left, right)
        if isinstance(right, t.Apply) and a is not None:
            self._row_map(right, a)

    def _row_map(self, call: t.Apply, value: Shape) -> None:
        r"""``Y_e = \operatorname{FFN}_e(X) \in \mathbb{R}^{T \times d}``, "expert $e$
        applied row-wise": the operator maps rows of X's width to rows of the value's width,
        kept under ``row_map_key`` of its name (of any subscript: one function of a family),
        so that ``\operatorname{FFN}_e(D_e X)`` of a C×d argument is C×d.  Only where the
        sentence says so, of a matrix argument with the value's rows."""
        func = call.func
        if not isinstance(func, t.Func) or len(call.args) != 1 or value.cols == ONE:
            return
        arg = self.shapes.get(span_key(call.args[0]))
        if (
            arg is None
            or ONE in (arg.rows, arg.cols)
            or not self._same(arg.rows, value.rows, call.start)
        ):
            return
        if not self._ask(GATE, GATES_KEY, ("row-wise",), call.start):
            return
        self._define_key((row_map_key(func.name), None), call, Shape(arg.cols, value.cols))

    def _template(self, left: t.Sub, right: t.Node) -> None:
        r"""``P_A = A(A'A)^{-1}A'``, ``H_X = X(X^\top X)^{-1}X^\top``: a name subscripted by a
        letter its formula is made of, a notation for any such letter.  The formula is
        inferred again with the letter of any rows and columns (``TEMPLATE_ARGUMENT``,
        reporting nothing and leaving no shape), and where its shape depends on them it is
        defined as the template of the name's letter, which ``P_Z`` instantiates with Z.
        Where the formula's other letters fix the rows (``A(A^\top V^{-1} A)^{-1}A^\top
        V^{-1}`` of an n×n V: A has n rows), the letter has rows of their sizes, tried in turn
        (a letter written as a factor of its own only, not ``x_t`` of ``t``)."""
        param = symbol_key(left.index) if isinstance(left.index, t.Symbol) else None
        base = symbol_key(left.base) if isinstance(left.base, t.Symbol) else None
        if param is None or base is None or not _mentions(right, param):
            return
        sizes = [d for s in self._shapes_within(right) for d in (s.rows, s.cols) if d != ONE]
        shape = self._as_template(right, param, TEMPLATE_ARGUMENT)
        free = shape.rows.free_symbols | shape.cols.free_symbols if shape is not None else ()
        if shape is None and _mentions(right, param, alone=True):
            for rows in list(dict.fromkeys(sizes))[:4]:
                shape = self._as_template(right, param, Shape(rows, TEMPLATE_COLS))
                if shape is not None:
                    break
        elif shape is None or not {TEMPLATE_ROWS, TEMPLATE_COLS} & set(free):
            return  # (x_t = A x_{t-1}: no notation of t)
        if shape is not None:
            self._define_key((template_key(base[0]), base[1]), left, shape, (param,))

    def _shapes_within(self, node: t.Node) -> list[Shape]:
        """The shapes inferred of ``node``'s letters (as this row inferred them)."""
        out = []
        for n in node.walk():
            if isinstance(n, (t.Symbol, t.Sub)) and (s := self.shapes.get(span_key(n))):
                out.append(s)
        return out

    def _as_template(
        self, right: t.Node, param: tuple[str, str | None], argument: Shape
    ) -> Shape | None:
        """The shape of ``right`` with the letter ``param`` of the shape ``argument``, inferred
        reporting nothing and leaving nothing of its own (shapes, notes, diagnostics)."""
        saved = (dict(self.shapes), len(self.diagnostics), self.report, self._bound)
        kept = (dict(self.evidence), list(self.notes), set(self.conflicting))
        self.report, self._bound = False, {param: argument}
        try:
            return self.infer(right)
        finally:
            self.shapes, self.report, self._bound = saved[0], saved[2], saved[3]
            del self.diagnostics[saved[1] :]
            self.evidence, self.notes, self.conflicting = kept[0], kept[1], kept[2]

    def _defined_by_head(self, node: t.Chain, shapes: list[Shape | None]) -> None:
        r"""What the left side of ``f(x) = …`` or ``W_2^2(\mu, \nu) = …`` defines."""
        head = node.items[0]
        if head is None or len(shapes) < 2:
            return
        if (
            self._is_definition_head(node, head)
            and not any(r in ORDER_RELATIONS for r in node.relations)
            and not _zero(node.items[1])  # r(x) = 0: a root sought, no function defined
        ):  # fmt: skip
            # (\sigma_{\min}(\Phi) = \sigma > 0 states a value at \Phi, defines no function)
            if self._misstated_value(head, node.items[1], shapes[1]):  # type: ignore[arg-type]
                return
            self._define_function(head, shapes[1], node.items[1])  # type: ignore[arg-type]
        elif node.relations[0] in EQUALITIES:
            self._squared_distance(head, shapes[1])

    def _approximation(
        self, rel: str, left: t.Node | None, right: t.Node | None, a: Shape | None, b: Shape | None
    ) -> None:
        r"""``U C^\top \approx M``: an approximation's sides are arrays of one shape, as an
        equation's are.  Checked only between two known matrices (a number may stand for a
        multiple of the identity, ``\Sigma \approx \sigma^2``), and it defines nothing."""
        if rel not in _APPROXIMATING or left is None or right is None:
            return
        if a is None or b is None or ONE in (a.rows, a.cols, b.rows, b.cols):
            return  # (a model of data, y \approx x_1 e^{x_2 t}, says how entries relate)
        if isinstance(left, t.List) or isinstance(right, t.List):
            return  # (a list between relations ends one statement and starts the next)
        if self._agrees_checked(rel, left, right, a, b) or self._on_purpose(left, right, a, b):
            return
        if self._diagonal_matrix_side(left, right, a, b):
            return
        fixes = (self._transpose_fix(right),) if self._agrees(a, b.transposed(), left.start) else ()
        message = messages.equation_mismatch(
            rel, self._described(left, a), self._described(right, b), self._hint(fixes)
        )
        related = self._related(left, right)
        self._emit("equation-mismatch", message, left.start, right.end, related, fixes)

    def _updates(
        self, rel: str, left: t.Node | None, right: t.Node | None, a: Shape | None, b: Shape | None
    ) -> bool:
        r"""Is ``left \gets right`` a step that computes a letter from itself (``x \gets x -
        \eta g``, ``X \gets X W``, ``V \gets [V \; x]``)?  Its new value may have a new size:
        nothing to check, and a size that changes leaves the letter unsized."""
        if rel in EQUALITIES:
            return False
        letter = unwrapped(left) if left is not None else None
        while isinstance(letter, t.Sub):
            letter = letter.base
        if not isinstance(letter, t.Symbol) or right is None or left is None:
            return False
        if not any(
            isinstance(n, t.Symbol) and n.name == letter.name and n.font == letter.font
            for n in right.walk()
        ):
            return False
        if a is not None and b is not None and a != b:
            self._define(left, UNSIZED)  # (an update of unknown size may be a slip: kept)
        return True

    def _braced(self, node: t.Sub) -> Shape | None:
        r"""``\underbrace{…}_{A_{\mathrm{cl}}}`` (or ``_{=: M}``): the shape of what it braces,
        and a label that is a letter the text does not declare names it, as ``A_{\mathrm{cl}}
        = …`` would.  A label of sizes (``_{m \times n}``), words or a dimension names nothing."""
        body = node.base.body if isinstance(node.base, t.Accent) else node.base
        shape = self.infer(body)
        label: t.Node | None = node.index
        if isinstance(label, t.Chain) and len(label.items) == 2 and label.items[0] is None:
            label = label.items[1] if label.relations[0] in _NAMING else None
        if shape is None or shape.is_scalar or label is None or symbol_key(label) is None:
            return shape
        d = dim_of(label)  # (\underbrace{x}_{n}: a size written under it, not a name)
        if d is not None and d.is_Symbol and self._ask(DIMENSION, dimension_key(d), d, None):
            return shape
        if self._defines(label):
            self._define(label, shape)
        return shape

    def _side(self, node: t.Chain, k: int) -> Shape | None:
        item = node.items[k]
        if item is not None and _is_space(item):
            self._too_large(item)
            return None
        if item is None or (k == 0 and self._is_definition_head(node, item)):
            return None
        left = node.items[k - 1] if k > 0 and node.relations[k - 1] in EQUALITIES else None
        if k == 1 and left is not None and self._is_definition_head(node, left):
            return self._defining_side(left, item)
        if left is None or symbol_key(left) is None:
            return self.infer(item)
        saved, self._own_left = self._own_left, left.start
        try:
            return self.infer(item)
        finally:
            self._own_left = saved

    def _defining_side(self, head: t.Node, item: t.Node) -> Shape | None:
        r"""The right side of ``g(z) = …`` (``\sigma'(z) = \sigma(z)(1 - \sigma(z))``): its
        plain parameters are the function's argument there, which a ``\mathbf z`` declared
        in bold does not size (a plain ``z`` declared so still does)."""
        args = head.args if isinstance(head, t.Apply) else ()
        keys = (symbol_key(a) for a in args)
        saved = self._parameters
        self._parameters = frozenset(k for k in keys if k is not None and k[1] is None)
        try:
            return self.infer(item)
        finally:
            self._parameters = saved

    def _too_large(self, space: t.Node) -> None:
        r"""Say so where a space's size is a power too large to compute (``9^{9^{9}}``): what
        it declares is of unknown size."""
        power = too_large_power(space)
        if power is not None:
            message = (
                f"`{self._quote(power)}` is too large a size to compute (more than "
                f"{MAX_DIMENSION_BITS} bits): what this declares is of unknown size"
            )
            self._emit("too-large", message, power.start, power.end, severity="information")

    def _later_side(self, node: t.Chain, shapes: list[Shape | None]) -> Shape | None:
        """The first known shape after the second side of a chain of equalities (``E = ? =
        Y^\top Y``), up to where a list ends the statement (``…, \\qquad F = …``)."""
        if isinstance(node.items[1], t.List):
            return None  # (the statement ends at the second side)
        for k in range(2, len(node.items)):
            item = node.items[k]
            if node.relations[k - 1] not in EQUALITIES or item is None:
                return None
            if len(shapes) == k:
                shapes.append(self._side(node, k))
            if isinstance(item, t.List):
                first = item.items[0] if item.items else None
                return self.shapes.get(span_key(first)) if first is not None else None
            if shapes[k] is not None:
                return shapes[k]
        return None

    def _equation(
        self, rel: str, left: t.Node, right: t.Node, a: Shape | None, b: Shape | None
    ) -> None:
        """``left rel right`` for an equality: a definition (``y = Ax``), a mismatch, or one
        of the equations papers write with sides that differ on purpose."""
        if self._defines_by_rows(left, right, a, b) or self._collects_entries(left, right, a, b):
            # P_{i,:} = \operatorname{softmax}(Z_{i,:}): P has Z's rows; \mathbf{t} = (t_1,
            # \dots, t_N)^\top: an N-vector of the targets t_n
            return
        if b is not None and self._states_a_power(left, b):
            return  # \hat A^K = U \Lambda^K U^\top: a power of \hat A, not a name defined
        if a is not None and b is not None and self._states_sizes(a, b, left.start):
            return  # Z = I_m \otimes \mathbf{1}_r for Z n×q: q = m here, Z still n×q
        if b is not None and self._defines(left) and not self._misprints(left, right, a, b):
            # y = Ax gives an undeclared y its shape (again, if redefined)
            self._define(left, b, ingredients(right, self.source, left.start))
            return
        if self._drops_label(left, right, a, b) or (
            a is None and b is not None
            and (self._defines_tagged(left, b) or self._defines_within(left, b))
        ):  # fmt: skip
            # (\delta^c_t = \partial L / \partial c_t: a gate's name, not a power)
            return  # F_k = F; q^\top = x^\top W; \log \sigma^2 = W_\sigma h + b_\sigma
        if self._sizes_an_unknown(rel, left, right, a, b):
            return  # (K + \sigma^2 I)\alpha = y; P^\top \mathbf 1_m = b of a b \in \Delta^n
        if a != b and self._augments(left, right):
            self._define(left, UNSIZED if b is None else b)  # \hat A = [A 0; -C 0]: anew
            return
        if (
            a is not None and b is not None and a != b and self._sets_anew(left, right)
            and not self._against_stated_sizes(a, b, left.start)
        ):  # fmt: skip
            self._define(left, b)  # "Let $A = [2, 0; 0, 3]$" in an Example: its own A there
            return
        if (b is None or b == a) and rel == "=" and self._factors_sized(left, right, a):
            # K = U \Lambda U^\top for a known n×n K: U and \Lambda are n×n (also where U is
            # declared n×n, and the product's shape is read around the unknown \Lambda)
            return
        if b is None and a is not None and self._redefines(left) and isinstance(right, _FORMULAS):
            if not _factorises(right) and not _recurrence(left, right):
                # K = U \Lambda U^\top: K factorised, still K; h_t = \bar A_t h_{t-1} + …: a
                # recurrence of the h_t of before (in a new section, with an unread term)
                self._define(left, UNSIZED)  # K = P H^\top S^{-1} (P unknown): not the K of before
            return
        if (
            a is None or b is None or self._agrees_checked(rel, left, right, a, b)
            or self._in_another_font(left, a, b)
        ):  # fmt: skip
            return  # (\mu = \frac1d \mathbf 1^\top \mathbf h beside a bold \boldsymbol\mu: another letter)
        if (
            self._redefines(left) and not a.agrees(b.transposed()) and not _lost(a, b)
            and not self._against_stated_sizes(a, b, left.start)
            and not self._restated_slip(left, right)
        ):  # fmt: skip
            # (not V = \Sigma \otimes I_T in the paragraph that stated V = I_m \otimes \Sigma)
            # \beta = \sum_i \alpha_i \phi(x_i) in a later section: \beta anew (not "Take
            # $M = 2$ and $p = [0.5; 0.25; 0]$" of a p \in \mathbb{R}^M: the sizes it states)
            self._define(left, b)
            return
        if self._on_purpose(left, right, a, b) or self._diagonal_matrix_side(left, right, a, b):
            return
        at = left.start
        fixes = (self._transpose_fix(right),) if self._agrees(a, b.transposed(), at) else ()
        message = messages.equation_mismatch(
            rel, self._described(left, a), self._described(right, b), self._hint(fixes)
        )
        related = self._related(left, right)
        self._emit("equation-mismatch", message, left.start, right.end, related, fixes)

    def _diagonal_matrix_side(self, left: t.Node, right: t.Node, a: Shape, b: Shape) -> bool:
        r"""``D = \operatorname{diag}(\hat\Sigma) \in \mathbb{R}^{M \times M}``: set equal to a
        square matrix, the diagonal of a square matrix is the diagonal matrix (papers write
        ``\operatorname{diag}`` for both, as in a sum: see ``_diagonal_matrices``)."""
        for node, mine, other in ((left, a, b), (right, b, a)):
            inner = diag_argument(unwrapped(node))
            if inner is None:
                continue
            arg = self.shapes.get(span_key(inner))
            if arg is None or arg.is_vector or mine != Shape(arg.rows, ONE):
                continue
            if self._agrees(other, Shape(arg.rows, arg.rows), node.start):
                return True
        return False

    def _agrees_checked(self, rel: str, left: t.Node, right: t.Node, a: Shape, b: Shape) -> bool:
        """Do the sides agree in shape (their block-rows then checked, see below)?"""
        if not self._agrees(a, b, left.start):
            return False
        self._block_rows_agree(rel, left, right)
        return True

    def _block_rows_agree(self, rel: str, left: t.Node, right: t.Node) -> None:
        r"""Sides of one shape written in blocks (a KKT system ``[Q\; A^\top; A\; 0] [x; \nu] =
        [-c; b]``): block-row i of one side is block-row i of the other, so their rows must
        agree too — ``[b; -c]`` (m then n rows) against a product of n then m rows is an error
        of n + m rows on either side.  Reported as an equation-mismatch."""
        if rel not in ("=", r"\coloneqq", ":="):
            return
        self._blocks_compared(rel, left, right, "equation-mismatch")

    def _ordered_blocks(self, rel: str, left: t.Node | None, right: t.Node | None) -> None:
        r"""An inequality between stacked blocks (``[I_{Nm}; -I_{Nm}]\mathbf u \le
        [\mathbf 1_N \otimes \bar u; -\mathbf 1_N \otimes \underline u]``): entrywise, block-row
        i of one side bounds block-row i of the other, so their rows must agree.  Only sides
        both written in as many blocks (a number or an unblocked vector bounds as it is)."""
        if rel in ORDER_RELATIONS and left is not None and right is not None:
            self._blocks_compared(rel, left, right, "block-mismatch")

    def _blocks_compared(self, rel: str, left: t.Node, right: t.Node, code: str) -> None:
        """Reports sides written in as many block-rows whose block-rows differ in rows."""
        mine, theirs = self._block_rows(left), self._block_rows(right)
        if mine is None or theirs is None or len(mine) != len(theirs):
            return
        if all(self._same(x, y, left.start) for x, y in zip(mine, theirs, strict=True)):
            return
        message = messages.block_rows_mismatch(
            rel, self._quote(left), [dim_text(d) for d in mine],
            self._quote(right), [dim_text(d) for d in theirs],
        )  # fmt: skip
        related = self._related(left, right)
        self._emit(code, message, left.start, right.end, related, ())

    def _block_rows(self, side: t.Node) -> tuple[Any, ...] | None:
        """The rows of each block-row of a side written in blocks: a matrix of blocks, or a
        product whose first factor (after numbers) is one; None if any is unknown, or a block
        is a scalar or a bare zero (entries, not blocks)."""
        node = unwrapped(side, (t.Neg, t.Paren))
        if isinstance(node, t.Product):
            rest = [
                f for f in node.factors
                if not ((s := self.shapes.get(span_key(f))) is not None and s.is_scalar)
            ]  # fmt: skip
            if not rest:
                return None
            node = unwrapped(rest[0], (t.Neg, t.Paren))
        if not isinstance(node, t.Matrix) or len(node.rows) < 2:
            return None
        out = []
        for row in node.rows:
            sizes = [
                s.rows for c in row if c is not None
                and (s := self.shapes.get(span_key(c))) is not None and not s.is_scalar
            ]  # fmt: skip
            if not sizes or any(c is not None and _is_zero(c) for c in row) and len(row) == 1:
                return None
            if any(c is not None and self.shapes.get(span_key(c)) is not None
                   and self.shapes[span_key(c)].is_scalar for c in row):  # fmt: skip
                return None
            out.append(sizes[0])
        return tuple(out)

    def _states_sizes(self, a: Shape, b: Shape, at: int) -> bool:
        r"""Do the sides differ only in sizes that the document names by written constants
        alone (m of ``I_m``, r of ``\mathbf{1}_r``, in no declared shape)?  Then the
        equation tells how those sizes relate to the others ("For grouped data with $m$
        groups of size $r$, $n = m r$ and $Z = I_m \otimes \mathbf{1}_r$", Z n×q: q = m in
        that case): no mismatch, and the letter keeps its shape."""
        if a == b:
            return False
        differ = False
        for x, y in ((a.rows, b.rows), (a.cols, b.cols)):
            if self._same(x, y, at):
                continue
            if not any(self._constant_size(d) for d in x.free_symbols | y.free_symbols):
                return False
            differ = True
        return differ

    def _constant_size(self, d: Any) -> bool:
        name = getattr(d, "name", None)
        if not isinstance(name, str):
            return False
        mark = constant_size(name)
        return bool(self._ask(DIMENSION, dimension_key(mark), mark, None))

    def _states_a_power(self, left: t.Node, b: Shape) -> bool:
        r"""Is ``left`` a letter with a capital superscript nothing declares (``\hat A^K``, which
        reads as a name like ``W^Q``), that as a power of its square letter has the shape of the
        right side?  Then the equation states the power (``= U \Lambda^K U^\top``)."""
        if not isinstance(left, t.Tagged):
            return False
        power = left.as_power()
        if power is None or not isinstance(power.base, (t.Symbol, t.Sub)):
            return False
        base = self.infer(power.base)
        return (
            base is not None and not base.is_vector and self._same(base.rows, base.cols, left.start)
            and self._agrees(base, b, left.start)
        )  # fmt: skip

    def _eigendecomposes(self, left: t.Node, right: t.Node, a: Shape) -> bool:
        r"""Is ``left = right`` the eigendecomposition ``K = U \Lambda U^\top`` (or the factor
        ``K = L L^\top``) of a known square K, in letters nothing else introduces, bare or
        indexed as K is (``K_{mm} = L L^\top``, ``K_d = Q_d \Lambda_d Q_d^\top``; not a
        truncated ``U_k \Lambda_k U_k^\top``)?  Then each factor is square of K's size, and is
        defined so."""
        if a.is_vector or not self._same(a.rows, a.cols, left.start) or not _factorises(right):
            return False
        factors = right.factors  # type: ignore[attr-defined]  # (a Product: _factorises)
        if len(factors) not in (2, 3):
            return False
        letters = [factors[0], *factors[1:-1]]
        names = [_letter_of(n) for n in letters]
        if names != ["L"] and not (names[0] in _EIGENVECTORS and names[-1] in _EIGENVALUES):
            return False  # (K = \Phi \Phi^\top, K = \Phi \Sigma_p \Phi^\top: features of any width)
        index = _index_of(left)
        square = Shape(a.rows, a.rows)
        unknown = []
        for node in letters:
            key = symbol_key(node)
            at = _index_of(node)  # (bare, or indexed as K is: not a truncated U_k)
            if key is None or at not in (None, index):
                return False
            if isinstance(node, t.Sub) and not isinstance(node.base, t.Symbol):
                return False
            if self._unknown(key[0], node.start):
                unknown.append(node)
            elif not self._declared_as(key, node.start, square):
                return False  # (Q declared of another size: not K's eigenvectors)
        if not unknown or len({symbol_key(n) for n in letters}) != len(letters):
            return False
        for node in unknown:
            self._define(node, square)
        return True

    def _declared_as(self, key: tuple[str, str | None], at: int, shape: Shape) -> bool:
        r"""Is the letter ``key`` declared, where ``at`` is, with ``shape`` itself (``\mathbf{Q}
        \in \mathbb{R}^{M \times M}`` orthogonal, beside ``\mathbf{R} = \mathbf{Q}
        \boldsymbol\Lambda \mathbf{Q}^\top`` of an M×M R)?"""
        decl = self._lookup(key, at)
        return decl is not None and self._agrees(decl.shape, shape, at)

    def _factors_sized(self, left: t.Node, right: t.Node, a: Shape | None) -> bool:
        r"""An eigendecomposition (or Cholesky factor) of a known K, or of each member listed
        (``K_d = Q_d \Lambda_d Q_d^\top`` for $d = 1, 2$), that sizes its factors."""
        if a is not None:
            return self._eigendecomposes(left, right, a)
        return self._eigendecomposes_members(left, right)

    def _eigendecomposes_members(self, left: t.Node, right: t.Node) -> bool:
        r"""Is ``K_d = Q_d \Lambda_d Q_d^\top``, "for $d = 1, 2$" (the members its sentence
        lists, each declared square: ``K_1``, ``K_2``), the eigendecomposition of each member?
        Then ``Q_1``, ``\Lambda_1`` are defined of ``K_1``'s size, and so on."""
        if not (isinstance(left, t.Sub) and isinstance(left.index, t.Symbol)):
            return False
        if not _factorises(right) or not isinstance(right, t.Product):
            return False
        letters = list(right.factors[:-1])
        names = [_letter_of(n) for n in letters]
        if len(letters) not in (1, 2) or not (
            names == ["L"] or (names[0] in _EIGENVECTORS and names[-1] in _EIGENVALUES)
        ):
            return False
        index = left.index.name
        if any(not isinstance(n, t.Sub) or _index_of(n) != index for n in letters):
            return False
        values = _members_listed(self.source, index, left.start)
        if not values:
            return False
        sizes = []
        for v in values:
            key = symbol_key(replace(left, index=t.Number(str(v))))
            decl = self._lookup(key, left.start) if key is not None else None
            if decl is None or decl.shape.is_vector or decl.shape.rows != decl.shape.cols:
                return False
            sizes.append(decl.shape)
        subs = [n for n in letters if isinstance(n, t.Sub)]  # (all: checked above)
        members = [[replace(n, index=t.Number(str(v))) for n in subs] for v in values]
        for row in members:
            for node in row:
                key = symbol_key(node)
                if key is None or not self._unknown(key[0], node.start):
                    return False
        for row, shape in zip(members, sizes, strict=True):
            for node in row:
                self._define(node, shape)
        return True

    def _on_purpose(self, left: t.Node, right: t.Node, a: Shape, b: Shape) -> bool:
        """Do the sides of an equation differ in shape on purpose?"""
        if _transposes(left, right):
            return True  # A = A^\top states a property (symmetry), for a square A
        if self._in_the_other_layout(left, right, a, b):
            return True  # a gradient written in the other layout (a row, numerator layout)
        if a.is_scalar != b.is_scalar and (_is_literal(left) or _is_literal(right)):
            return True  # x = 0 for a vector: a zero vector
        at = left.start
        if substitutes(self.source, at) or specialises(self.source, at, left, right):
            # "Applying Lemma 1 with $A = \hat A$": the lemma's letter set to another; "at
            # $X_* = X$": the test inputs taken to be the training inputs
            return True
        if self._summed_sizes_agree(a, b):
            return True  # X (MT×K) = I_M \otimes Z (MT×Mk), K = k_1 + \dots + k_M: all k_m = k
        # C = [0; 0; 0] for C ∈ ℝ^{n×m}: an example with n = 3, m = 1
        if not (_is_explicit(left) or _is_explicit(right)):
            return False
        if self._in_letter_blocks(left, a, at) or self._in_letter_blocks(right, b, at):
            return False  # \tilde C = [C \; 0_{p \times p}] for \tilde C p×(n+m): no example
        return self._example_of(a, b, at)

    def _summed_sizes_agree(self, a: Shape, b: Shape) -> bool:
        r"""Where the sides differ, is one dimension a size the document defines as the sum of
        M sizes of a family (``K = k_1 + \dots + k_M``) and the other M times a size?  They
        are equal when every member has that size ("When every equation has the same
        regressors, $X_m = Z$"): not told apart."""
        sums = dict(self._gate("summed"))
        if not sums:
            return False
        pairs = [(x, y) for x, y in ((a.rows, b.rows), (a.cols, b.cols)) if not same(x, y)]
        return bool(pairs) and all(_m_times(x, y, sums) or _m_times(y, x, sums) for x, y in pairs)

    def _in_letter_blocks(self, side: t.Node, shape: Shape, at: int) -> bool:
        r"""Is ``side`` a matrix written out in blocks of letters (``[C \; 0_{p \times p}]``,
        a cell a matrix or a vector), outside an example, whose size has no number in it
        (but a vector's one column)?  Its sizes are its blocks', not an example's numbers."""
        node = unwrapped(side, (t.Neg, t.Paren))
        if not isinstance(node, t.Matrix) or not self._has_block(node):
            return False
        bounds = self.table.boundaries.get(self.path)
        if bounds is not None and (bounds.in_unit(at) or bounds.result_of(at)):
            return False
        if self._only_blocks(node):
            return True  # [K_j; V_j] of two n×d_k blocks: 2n rows by its letters, no example
        return all(d == ONE or _no_number(d) for d in (shape.rows, shape.cols))

    def _only_blocks(self, matrix: t.Matrix) -> bool:
        """Is every cell of a matrix written out a block of letters: a matrix or a vector, of
        a size with no number in it (no entry, no zero, no scalar an example could fill)?"""
        for row in matrix.rows:
            for cell in row:
                if cell is None or _has_number(cell):
                    return False
                shape = self.shapes.get(span_key(cell))
                if shape is None or shape.is_scalar:
                    return False
                if not all(d == ONE or _no_number(d) for d in (shape.rows, shape.cols)):
                    return False
        return True

    def _in_the_other_layout(self, left: t.Node, right: t.Node, a: Shape, b: Shape) -> bool:
        """Is one side a derivative whose shape is the other's transposed: a gradient written
        in the other layout (a row, numerator layout) — unless the document states a layout
        in force here (layout_statements.py: scoped, hedges and denials stating nothing), and
        this sentence speaks of no other: then a derivative by a matrix has the shape that
        layout gives it (the matrix's in the denominator layout, its transpose in the
        numerator layout), and the other is a mistake."""
        if not (
            (_is_derivative(left) or _is_derivative(right))
            and self._agrees(a, b.transposed(), left.start)
        ):  # (d_v by d_k where the text says d_v = d_k)
            return False
        at = left.start
        own = self._ask(LAYOUT, LAYOUT_KEY, None, at) if ONE not in (a.rows, a.cols) else None
        if own is None:
            return True
        if own == "numerator" and _is_fraction(left) == _is_fraction(right):
            return True  # (\nabla_W L: a gradient, which texts in either layout shape as W)
        return other_layout(self.source, left.start, right.end, own)

    def _misprints(self, left: t.Node, right: t.Node, a: Shape | None, b: Shape) -> bool:
        r"""Is ``left = …`` a letter defined before (``\hat B = Y Z^\top (Z Z^\top)^{-1}``) set
        to a value of its transposed shape, or a matrix set to a scalar (an outer product
        written as an inner one, ``\sum_i x_i^\top x_i``), computed (a letter, "let
        $\mu_1 = \mu$", names it anew): a misprint of the definition in force, not a new one."""
        if a is None or a == b or not _computed(right):
            return False
        key = symbol_key(left)
        defined = self._definition(key[0], left.start) if key is not None else None
        if defined is None or defined.shape != a or defined.path != self.path:
            return False
        if key is not None and key[1] is None and defined.font in BOLD_FONTS and _lost(a, b):
            return False  # \bar f_* = k_*^\top \alpha beside \bar{\mathbf f}_* = …: a number
        bounds = self.table.boundaries.get(self.path)  # (in its section: notes switch conventions)
        if bounds is not None and self._quoted_as_wrong(bounds, defined, left):
            return True  # a callout titled "Typos in circulation" quotes the letter of before
        if bounds is not None and bounds.section_between(defined.start, left.start):
            return False
        if bounds is not None and _in_own_example(bounds, defined.start, left.start):
            return (
                False  # (an Example's \hat\beta = x^\top y / x^\top x: of its own single feature)
            )
        if a.agrees(b.transposed()) or _lost(a, b):
            return True
        return bounds is not None and self._set_again(left, right, defined.start, bounds)

    def _restated_slip(self, left: t.Node, right: t.Node) -> bool:
        """Is ``left = right``, for a letter sized in an earlier section, a slip rather than a
        new meaning: its paragraph stated ``left = …`` just before with the shape the letter
        has (see ``_stated_in_paragraph``), and ``_set_again`` holds of that statement?"""
        bounds = self.table.boundaries.get(self.path)
        if bounds is None or not _computed(right):
            return False
        stated = self._stated_in_paragraph(bounds, left)
        if stated is None or bounds.section_between(stated, left.start):
            return False  # (a paragraph is not read across a heading)
        return self._set_again(left, right, stated, bounds)

    def _stated_in_paragraph(self, bounds: Boundaries, left: t.Node) -> int | None:
        r"""Where ``left = …`` is written earlier in ``left``'s paragraph, if it is: a
        letter of an earlier section stated here again with the shape it has (``V = I_m
        \otimes \Sigma`` for the n×n V where n = mT), so that a value of another shape
        set to it a few lines on (``V = \Sigma \otimes I_T``) is a slip, not a new meaning."""
        i = bisect.bisect_right(bounds.paragraphs, left.start)
        start = bounds.paragraphs[i - 1] if i else 0
        spelling = self.source[left.start : left.end]
        if not spelling or spelling[-1:].isspace():
            return None
        pattern = rf"(?<![A-Za-z\\]){re.escape(spelling)}(?![A-Za-z_^'])\s*="
        found = [m.start() for m in re.finditer(pattern, self.source[start : left.start])]
        return start + found[-1] if found else None

    def _quoted_as_wrong(self, bounds: Boundaries, defined: Declaration, left: t.Node) -> bool:
        """Is ``left = …`` written in a callout whose title calls what it holds wrong ("Typos
        in circulation", "Common mistakes") while the definition in force was made before
        it?  What such a box writes is a wrong value of the letter, not a new meaning."""
        box = bounds.box_of(left.start)
        if box is None or defined.start >= box[0]:
            return False
        title = self.source[box[0] : min(box[1], left.start, box[0] + _BOX_TITLE)]
        return _WRONG_BOX.search(title) is not None

    def _set_again(self, left: t.Node, right: t.Node, defined: int, bounds: Boundaries) -> bool:
        # (defined: where the definition in force, or the statement of the letter, starts)
        r"""Is ``left = right``, of another shape than the definition in force, a slip rather
        than a new meaning of the letter: written in the paragraph that defined it (a
        recurrent gradient ``\delta_{t-1} = W_h^\top \delta_t``, then "the wrong half",
        ``\delta_{t-1} = W_x^\top \delta_t``), by a sentence that does not set its letters
        ("Let …", "Now …"), outside any example, and not an update of the letter in place
        (``h = W_2 h``, as an algorithm writes)?"""
        if defined >= left.start or self._apart(bounds, defined, left.start):
            return False  # (a definition after it in its sentence holds for it: not before)
        if lets(self.source, left.start) or _names_anew(
            self.source,
            sentence_start(self.source, max(0, left.start - SENTENCE_LOOKBACK), left.start),
            left.start,
        ):
            return False
        at = left.start
        if bounds.in_unit(at) or bounds.result_of(at) or bounds.box_of(at):
            return False
        key = symbol_key(left)
        return not any(symbol_key(node) == key for node in right.walk())

    def _apart(self, bounds: Boundaries, a: int, b: int) -> bool:
        r"""Are ``a`` and ``b`` in two paragraphs — but for a display that a sentence of
        ``a``'s paragraph leads into with a colon ("A common confusion writes the covariance
        with the left singular vectors:", a blank line, then ``$$ … $$``), unless that sentence
        names anew ("Instead, define:")?"""
        i = bisect.bisect_right(bounds.paragraphs, a)
        if i == len(bounds.paragraphs) or bounds.paragraphs[i] >= b:
            return False
        p = bounds.paragraphs[i]
        if i + 1 < len(bounds.paragraphs) and bounds.paragraphs[i + 1] < b:
            return True  # (two breaks: a paragraph between them)
        lead = self.source[max(0, p - SENTENCE_LOOKBACK) : p].rstrip()
        if not lead.endswith(":") or not _DISPLAY.match(self.source, p):
            return True
        start = sentence_start(self.source, max(0, p - SENTENCE_LOOKBACK), p)
        return _NAMES_ANEW.search(self.source, start, p) is not None or lets(self.source, p)

    def _distributed(self, left: t.Node, right: t.Node | None) -> None:
        r"""``z_n \sim \mathcal{N}(0, I_q)``, ``f \sim \mathcal{N}(\mu, K)``: an undeclared
        symbol drawn from a normal distribution is a vector of its covariance's size."""
        if isinstance(left, t.List) and left.items:
            left = left.items[-1]  # "x_n = W z_n + \mu, z_n \sim …"
        if left is None or symbol_key(left) is None or not self._defines(left):
            return
        if isinstance(right, t.List) and right.items:
            right = right.items[0]  # "z_n \sim \mathcal{N}(0, I_q), \qquad x_n = …"
        args = _normal_arguments(right)
        if args is None or len(args) != 2 or args[1] is None:
            return
        cov = self.infer(args[1])
        if cov is not None and not cov.is_scalar and self._same(cov.rows, cov.cols, left.start):
            self._define(left, Shape(cov.rows, ONE))

    def _misstated_value(self, head: t.Apply, body: t.Node | None, value: Shape | None) -> bool:
        r"""``V(\mathbf s) = \mathbf h^\top W_\pi^\top`` in a list of mistakes (or a sentence
        calling it wrong), of a ``V``
        defined before as a number (``V(\mathbf s) = \mathbf w_v^\top \mathbf h + c``): the
        slip quoted is compared with the function's value, not read as a new definition.
        Reported when both are known and differ; True then (nothing defined)."""
        key = symbol_key(head.func)
        if key is None or value is None or body is None or len(head.args) != 1:
            return False
        sig = self._signature(key[0], head.start)
        if sig is None or not (
            (self._gate("errata") and in_errata(self.source, head.start))
            or self._said_wrong(head.start)
        ):
            return False  # (nor in a sentence calling it wrong: "a common slip is $V(s) = …$")
        if sig is None or sig.start >= head.start or sig.elementwise or sig.domains:
            return False
        if sig.path == self.path and in_errata(self.source, sig.start):
            return False  # (defined in the list itself: the slip's own function)
        arg = self.infer(head.args[0])
        if arg is None or not self._agrees(arg, sig.domain, head.start):
            return False
        if self._agrees(value, sig.codomain, head.start):
            return False
        fixes = (
            (self._transpose_fix(body),)
            if self._agrees(sig.codomain, value.transposed(), head.start)
            else ()
        )
        message = messages.equation_mismatch(
            "=", self._described(head, sig.codomain), self._described(body, value),
            self._hint(fixes),
        )  # fmt: skip
        related = (Related(sig.path, sig.start, sig.end, messages.signature_text(
            sig.key, sig.domain, sig.codomain)),)  # fmt: skip
        self._emit("equation-mismatch", message, head.start, body.end, related, fixes)
        return True

    def _define_function(
        self, head: t.Apply, value: Shape | None, body: t.Node | None = None
    ) -> None:
        r"""``f(x) = Ax`` with x ∈ ℝⁿ: from here on f maps ℝⁿ to what the right side is.
        ``\phi(z) = \max(0, z)``, a formula of its parameter and numbers alone: applied
        entry by entry (an activation, a sigmoid the paper defines), whatever ``z`` is."""
        key = symbol_key(head.func)
        if key is not None and len(head.args) == 2:
            self._define_kernel(head, key, value)
            return
        if isinstance(head.func, t.Func) and len(head.args) == 1 and body is not None:
            self._define_operator(head, head.func, body)  # \operatorname{sym}(M) = …
        if len(head.args) == 1 and body is not None and self.infer(head.args[0]) is None:
            self._parameter_by_use(head.args[0], body)  # (of \operatorname{FFN}_e too)
        if key is None or len(head.args) != 1:
            return
        param = symbol_key(head.args[0]) if isinstance(head.args[0], t.Symbol) else None
        elementwise = param is not None and body is not None and scalar_formula(body, param)
        if elementwise:
            arg, value = SCALAR, SCALAR
        else:
            arg = self.infer(head.args[0])  # type: ignore[assignment]
            if value is None or arg is None:
                return
        self.reads.add(key[0])
        sigs = self.table.signatures.get(key[0], [])
        if not any(s.path == self.path and s.start == head.start for s in sigs):
            sig = Signature(key[0], arg, value, self.path, head.start, head.end, font=key[1],
                            elementwise=elementwise)  # fmt: skip
            self.writes.append(sig)
            sigs = self.table.signatures[key[0]] = [*sigs, sig]  # (replaced: see apply)
            sigs.sort(key=lambda s: (s.path, s.start))

    def _squared_distance(self, head: t.Node, value: Shape | None) -> None:
        r"""``W_2^2(\mu, \nu) = \lVert m_1 - m_2 \rVert^2 + …``: the square of a function of
        several arguments (a distance, a divergence) defined as a number: the letter is a
        number, and so is the call written again (``ProductRules._scalar_call``)."""
        if value is None or not value.is_scalar or not isinstance(head, t.Product):
            return
        if len(head.factors) != 2 or not _several_letters(head.factors[1]):
            return
        power = head.factors[0]
        if not (isinstance(power, t.Power) and isinstance(power.exponent, t.Number)):
            return
        if power.exponent.text != "2" or not isinstance(power.base, (t.Symbol, t.Sub)):
            return
        if self._defines(power.base):
            self._define(power.base, SCALAR)

    def _define_operator(self, head: t.Apply, func: t.Func, body: t.Node) -> None:
        r"""``\operatorname{sym}(M) = \tfrac12(M + M^\top)``, ``\operatorname{skew}(M) = …``:
        an operator the document defines as numbers times its parameter and its transpose,
        which keeps its argument's shape (``operator_key``; rules/functions.py applies it)."""
        param = symbol_key(head.args[0]) if isinstance(head.args[0], t.Symbol) else None
        if param is None or func.sub is not None or func.sup is not None:
            return
        if not _combination_of(body, param):
            return
        key = operator_key(func.name)
        self.reads.add(key)
        sigs = self.table.signatures.get(key, [])
        if not any(s.path == self.path and s.start == head.start for s in sigs):
            sig = Signature(key, SCALAR, SCALAR, self.path, head.start, head.end,
                            elementwise=True)  # fmt: skip
            self.writes.append(sig)
            sigs = self.table.signatures[key] = [*sigs, sig]  # (replaced: see apply)
            sigs.sort(key=lambda s: (s.path, s.start))

    def _parameter_by_use(self, param: t.Node | None, body: t.Node) -> None:
        r"""``\operatorname{FFN}_e(\mathbf{x}) = W^{\text{out}}_e \phi(W^{\text{in}}_e \mathbf{x} +
        \dots)`` with ``\mathbf{x}`` introduced nowhere: the parameter, a bold lower-case letter
        (a vector), is multiplied by a known matrix in the formula, so it has as many entries
        as that matrix has columns — defined there, like ``y = Ax`` (the text goes on to speak
        of the same x).  Only where every such product agrees."""
        if not (
            isinstance(param, t.Symbol) and not param.accents and param.font in BOLD_FONTS
            and param.name.isascii() and param.name.islower()
        ):  # fmt: skip
            return
        key = symbol_key(param)
        if key is None or not self._unknown(key[0], param.start):
            return
        written = re.escape(self.source[param.start : param.end])
        if len(re.findall(r"\(\s*" + written + r"\s*\)\s*(?:=|:=|\\coloneqq)", self.source)) > 1:
            return  # f(x) = Ax, then g(x) = Bx: a letter several functions take, of no one size
        sizes = []
        for node in body.walk():
            if not isinstance(node, t.Product):
                continue
            for before, factor in zip(node.factors, node.factors[1:], strict=False):
                if symbol_key(factor) != key or not isinstance(factor, t.Symbol) or factor.accents:
                    continue
                s = self.shapes.get(span_key(before))
                if s is None or s.is_scalar or s.cols == ONE:
                    return  # (beside a vector or an unknown: x may be a matrix, a scale)
                sizes.append(s.cols)
        if sizes and all(self._same(d, sizes[0], param.start) for d in sizes):
            self._define(param, Shape(sizes[0], ONE))

    def _define_kernel(
        self, head: t.Apply, key: tuple[str, str | None], value: Shape | None
    ) -> None:
        r"""``k(\mathbf{x}, \mathbf{x}') = s^2 \exp(\dots)`` for ``\mathbf{x}, \mathbf{x}' \in
        \mathbb{R}^d``: a kernel, ℝᵈ × ℝᵈ → ℝ, when its value is a number and both its
        parameters are letters of one vector shape (applied to matrices of d columns, it
        gives their Gram matrix: ``FunctionRules._gram``)."""
        if value is None or not value.is_scalar:
            return
        if not all(symbol_key(a) is not None for a in head.args):
            return  # (x and x', written as letters)
        params = [self.infer(a) for a in head.args]
        first = params[0]
        if first is None or first.cols != ONE or first.is_scalar or params[1] != first:
            return
        self.reads.add(key[0])
        sigs = self.table.signatures.get(key[0], [])
        if not any(s.path == self.path and s.start == head.start for s in sigs):
            sig = Signature(key[0], first, SCALAR, self.path, head.start, head.end,
                            (first, first), key[1])  # fmt: skip
            self.writes.append(sig)
            sigs = self.table.signatures[key[0]] = [*sigs, sig]  # (replaced: see apply)
            sigs.sort(key=lambda s: (s.path, s.start))

    def _defined_later_in_row(
        self, left: t.Node | None, right: t.Node | None, b: Shape | None
    ) -> bool:
        """``T = …, \\qquad V(\\mathbf q) = …``: the row's second statement defines V."""
        if not isinstance(left, t.Product) or right is None or _zero(right):
            return False
        call = self._call_head(left)
        if call is None:
            return False
        self._define_function(call, b, right)
        return True

    def _call_head(self, head: t.Product) -> t.Apply | None:
        """``k(x)`` read as a product, for a letter with no shape here (declared nowhere,
        not defined): in ``k(x) = …`` it is a function being defined."""
        if len(head.factors) != 2:
            return None
        name, paren = head.factors
        key = symbol_key(name)
        if key is None or not isinstance(paren, t.Paren) or paren.open not in ("(", "\\left("):
            return None
        args = paren.body.items if isinstance(paren.body, t.List) else (paren.body,)
        if any(a is None or symbol_key(a) is None for a in args):
            return None
        if self._known(key[0], name.start):
            return None
        return t.Apply(name, tuple(args), True, start=head.start, end=head.end,  # type: ignore[arg-type]
                       from_macro=head.from_macro, span=head.span)  # fmt: skip

    def _against_stated_sizes(self, a: Shape, b: Shape, at: int) -> bool:
        """Do the sizes stated where ``at`` is ("With $N = 2$, …", in an example) give the
        letter's declared shape numbers that a matrix written out there does not have?  Then
        the example sets the letter wrong, not anew."""
        lo = _sentence_start_past_matrices(self.source, max(0, at - SENTENCE_LOOKBACK), at)
        names = a.rows.free_symbols | a.cols.free_symbols
        facts = {}
        for name in names:  # (an example goes through cases: only its sentence's sizes count)
            fact = self._ask(FACT, fact_key(name), None, at)
            if (
                fact is not None and fact.path == self.path and lo <= fact.start < at
                and not _CONTRAST.search(self.source, fact.end, at)
            ):  # fmt: skip
                facts[name] = fact.value
        if not facts:
            return False
        stated = Shape(a.rows.xreplace(facts), a.cols.xreplace(facts))
        return not _instance(stated, b)

    def _example_of(self, a: Shape, b: Shape, at: int) -> bool:
        """Could a matrix written out (one side) be the other side's shape with numbers for
        its dimensions — under the facts in force, or, in an example, whatever they say: an
        example goes through cases ("For the Nile data $m = 1$ … for the local linear trend,
        $T_t = [1, 1; 0, 1]$"), each with its own sizes."""
        if _instance(self._under_facts(a, at), self._under_facts(b, at)):
            return True
        if self._against_stated_sizes(a, b, at):
            return False  # the sizes stated in its sentence ("With $N = 2$, …") say the case
        bounds = self.table.boundaries.get(self.path)
        return bounds is not None and bounds.in_unit(at) and _instance(a, b)

    def _is_definition_head(self, chain: t.Chain, head: t.Node) -> bool:
        """``f(x) = …`` defines f: its left side is not a call to check."""
        return (
            isinstance(head, t.Apply) and chain.relations[0] in EQUALITIES
            and all(symbol_key(a) is not None for a in head.args)
        )  # fmt: skip

    def _redefines(self, node: t.Node) -> bool:
        """Is ``node`` a symbol declared in an earlier section, so that ``node = …`` here may
        give the letter a new meaning (papers reuse letters), rather than contradict it?"""
        key = symbol_key(node)
        return key is not None and self._ask(REDEFINES, key[0], key[1], node.start)

    def _in_another_font(self, node: t.Node, a: Shape, b: Shape) -> bool:
        r"""Is ``node = …`` a plain letter set to a number where only the letter in bold is
        declared, an array (``\mu = \frac{1}{d}\mathbf 1^\top \mathbf h`` beside ``\boldsymbol\mu
        \in \mathbb{R}^d``: layer norm's scalar mean beside batch norm's vector)?  Then the
        plain letter is another symbol, which the bold one's shape does not judge."""
        key = symbol_key(node)
        if key is None or key[1] is not None or not b.is_scalar or a.is_scalar:
            return False
        decl = self._lookup(key, node.start)
        return decl is not None and decl.font is not None and decl.how != "definition"

    def _sets_anew(self, node: t.Node, value: t.Node) -> bool:
        """Is ``node = …`` made in an example, an exercise or a lemma by a sentence that sets
        its letters ("Let $A = …$"), so that the letter means something else there?  So is
        a matrix written out in an example for a letter declared outside it (``C = [1, 0, 0]``
        where the lecture's C is p×n): an example re-uses the letters with sizes of its own."""
        key = symbol_key(node)
        if key is None:
            return False
        bounds = self.table.boundaries.get(self.path)
        if not lets(self.source, node.start):
            return bounds is not None and _is_explicit(value) and self._outside(key, node, bounds)
        if bounds is not None and (bounds.in_unit(node.start) or bounds.result_of(node.start)):
            return True
        here = self.source.rfind("\n", 0, node.start)  # the line before: a MyST directive?
        before = self.source.rfind("\n", 0, max(here, 0))
        return here >= 0 and _MYST_UNIT.match(self.source, before + 1, here) is not None

    def _outside(self, key: tuple[str, str | None], node: t.Node, bounds: Boundaries) -> bool:
        """Is ``node`` in an example (a theorem-like environment such as
        ``\\begin{example}``) while the declaration in force for it was made before it?"""
        span = bounds.result_of(node.start)
        if span is None:
            return False
        decl = self._lookup(key, node.start)
        return decl is not None and (decl.path != self.path or decl.start < span[0])

    def _collects_entries(
        self, left: t.Node, right: t.Node, a: Shape | None, b: Shape | None
    ) -> bool:
        r"""Is ``left`` a bold letter nothing sizes, set to the transposed tuple of its plain
        letter's entries, ``\mathbf{t} = (t_1, \dots, t_N)^\top``?  Then it is an N-vector
        (not where the entries have a shape of their own: ``(x_1, \dots, x_N)^\top`` of
        vectors ``x_i`` stacks them)."""
        if a is not None or b is not None:
            return False
        if not (isinstance(left, t.Symbol) and left.font in _BOLD and not left.accents):
            return False
        if not isinstance(right, t.Transpose) or not isinstance(right.base, t.Paren):
            return False
        body = right.base.body
        if not isinstance(body, t.List) or right.base.open not in ("(", "["):
            return False
        items = body.items
        if len(items) < 3 or sum(isinstance(i, t.Dots) for i in items) != 1:
            return False
        entries = [i for i in items if not isinstance(i, t.Dots)]
        for entry in entries:
            if not (
                isinstance(entry, t.Sub) and isinstance(entry.base, t.Symbol)
                and entry.base.name == left.name and entry.base.font is None
                and not entry.base.accents
            ):  # fmt: skip
                return False
            shape = self.infer(entry)
            if shape is not None and not shape.is_scalar:
                return False
        first, last = entries[0], entries[-1]
        size = dim_of(last.index) if isinstance(last, t.Sub) else None
        if not isinstance(first, t.Sub) or show(first.index) != "1" or size is None:
            return False
        if not self._defines(left):
            return False
        self._define(left, Shape(size, ONE))
        return True

    def _defines_within(self, left: t.Node, b: Shape) -> bool:
        """``q^\\top = x^\\top W`` defines an undeclared q (W^\\top x); ``S^{-1} = …`` with a
        square matrix on the right an undeclared S of its shape; ``\\log \\sigma^2 = …`` with a
        vector on the right an undeclared σ (entry by entry)."""
        if isinstance(left, t.Transpose):
            if symbol_key(left.base) is None or not self._defines(left.base):
                return False
            self._define(left.base, b.transposed())
            return True
        if isinstance(left, t.Power) and is_inverse(left) and b.rows == b.cols:
            # S_N^{-1} = S_0^{-1} + \beta \Phi^\top \Phi: a precision defines its covariance
            if symbol_key(left.base) is None or not self._defines(left.base):
                return False
            self._define(left.base, b)
            return True
        letter = _entrywise_of(left) if b.cols == ONE else None
        if letter is None or not self._defines(letter):
            return False
        self._define(letter, b)
        key = symbol_key(letter)
        if key is not None and _squares(left) and not b.is_scalar:
            # \log \sigma^2 = W_\sigma h + b_\sigma: the square of σ is taken entry by entry
            self._define_key((square_key(key[0]), key[1]), letter, b)
        return True

    def _defines_tagged(self, left: t.Node, b: Shape) -> bool:
        r"""Is ``left = …`` the definition of a letter tagged by a lower-case superscript
        (``\delta^c_t = \partial L / \partial c_t``, ``\delta^f_t = \delta^c_t \odot
        c_{t-1}``: backprop through a gate), set to a vector or a matrix, where neither the
        tagged name nor its letter is sized otherwise?  A power of a letter of no shape says
        nothing; as the name it is (as if declared, ``formulas.tag_key``), it is defined."""
        key = tag_key(left)
        if key is None or b.is_scalar or not isinstance(left, t.Power):
            return False
        tag = left.exponent
        if not (isinstance(tag, t.Symbol) and tag.name.islower() and len(tag.name) == 1):
            return False
        if self._declared(key[0]) or self._definition(key[0], left.start) is not None:
            return False
        base = symbol_key(left.base)
        if base is None or self._known(base[0], left.start):
            return False  # A^c of a declared A: which is meant is not certain
        self._define_key(key, left, b)
        return True

    def _drops_label(self, left: t.Node, right: t.Node, a: Shape | None, b: Shape | None) -> bool:
        """Is ``right`` the undeclared letter of ``left`` without its subscript (``F_k = F``,
        ``Q_k = Q`` of a time-invariant system)?  Then it is defined with ``left``'s shape."""
        if a is None or b is not None or not isinstance(left, t.Sub):
            return False
        if not isinstance(right, t.Symbol) or symbol_key(left.base) != symbol_key(right):
            return False
        if not self._defines(right):
            return False
        self._define(right, a)
        return True

    def _defines(self, node: t.Node) -> bool:
        r"""Is ``node`` an undeclared symbol, so that ``node = …`` defines its shape?  A
        letter in a font of its own (``\mathcal{F} = […]`` where only ``F`` is declared, or
        ``E = …`` where only ``\mathcal{E}`` is) is another symbol."""
        key = symbol_key(node)
        if key is None:
            return False
        if isinstance(node, t.Sub) and self._limit(node) is not None:
            return False  # x_\infty of x \in \mathbb{R}^n: sized as x is
        if not self._declared(key[0]):
            return not self._estimate(node)
        if not self._ask(LETTER, key[0], key[1], None):
            return True  # (declared only as another letter: E where \mathcal{E} is)
        decl = self._lookup(key, node.start)
        if decl is None:  # declared only where it does not hold here (a later section, file)
            return not self._estimate(node)
        return key[1] is not None and decl.font != key[1]

    def _sizes_an_unknown(
        self, rel: str, left: t.Node, right: t.Node, a: Shape | None, b: Shape | None
    ) -> bool:
        r"""Does the equation give an unknown letter on one side its shape: ``(K + \sigma^2
        I)\alpha = y`` (``_solves``), ``P^\top \mathbf 1_m = b`` (``_sized_by_value``)?"""
        if (a is None or self._bold_guessed(left)) and b is not None and self._solves(left, b):
            return True
        return b is None and a is not None and self._sized_by_value(rel, left, right, a)

    def _sized_by_value(self, rel: str, left: t.Node, right: t.Node, a: Shape) -> bool:
        r"""``P^\top \mathbf 1_m = b``, ``A x = b``: a computed column set equal to a bare
        letter nothing sizes (declared in a set whose size is a convention, ``b \in
        \Delta^n``, or not at all) gives the letter its shape, as ``b = P^\top \mathbf 1_m``
        would.  Only a plain letter on the right, a product or an application on the left."""
        if rel != "=" or not isinstance(right, t.Symbol) or right.accents:
            return False
        if a.cols != ONE or a.rows == ONE or not isinstance(left, (t.Product, t.Apply)):
            return False
        key = symbol_key(right)
        if key is None or not self._unknown(key[0], right.start) or self._weak(key, right.start):
            return False
        self._define(right, a, ingredients(left, self.source, right.start))
        return True

    def _solves(self, left: t.Node, b: Shape) -> bool:
        r"""Is ``left`` a product of known factors ending in an undeclared letter, ``(K +
        \sigma^2 I)\alpha`` set equal to a ``b`` its rows agree with?  The letter is what
        solves the system: it gets the columns of the factors before it as rows, and b's
        columns (defined there, like ``y = Ax``)."""
        if not isinstance(left, t.Product) or len(left.factors) < 2:
            return False
        last = left.factors[-1]
        key = symbol_key(last)
        if key is None or not self._defines(last) or self._definition(key[0], last.start):
            return False
        acc: Shape | None = None
        for factor in left.factors[:-1]:
            s = self.shapes.get(span_key(factor))
            if s is None:
                return False
            if acc is None or acc.is_scalar:
                acc = s
            elif not s.is_scalar:
                if not self._same(acc.cols, s.rows, left.start):
                    return False
                acc = Shape(acc.rows, s.cols)
        if acc is None or acc.is_scalar or not self._same(acc.rows, b.rows, left.start):
            return False
        self._define(last, Shape(acc.cols, b.cols))
        return True

    def _defines_by_rows(
        self, left: t.Node, right: t.Node, a: Shape | None, b: Shape | None
    ) -> bool:
        r"""Is ``left`` the row ``P_{i,:}`` of a letter nothing introduces, set to a row computed
        from the same row of a known matrix (``P_{i,:} = \operatorname{softmax}(Z_{i,:})``)?
        Then P has that matrix's rows and the computed row's columns."""
        row = _row_of(left)
        if row is None or a is not None or b is None or b.rows != ONE:
            return False
        base, index = row
        key = symbol_key(base)
        if key is None or not self._unknown(key[0], left.start):
            return False
        for node in right.walk():
            other = _row_of(node)
            if other is None or show(other[1]) != show(index) or symbol_key(other[0]) == key:
                continue
            whole = self.infer(other[0])
            if whole is not None and ONE not in (whole.rows, whole.cols):
                self._define(base, Shape(whole.rows, b.cols))
                return True
        return False

    def _estimate(self, node: t.Node) -> bool:
        r"""Is ``node`` the rate of a letter with a shape (``\dot x`` of ``x \in \mathbb{R}^n``),
        so that ``\dot x = …`` states it rather than defines it?"""
        if not isinstance(node, t.Symbol) or not node.accents:
            return False
        estimate = node.accents[-1] in ESTIMATE_ACCENTS
        if (
            node.accents[-1] not in SAME_SHAPE_ACCENTS
            and not estimate
            and not self._bar_adjoint(node)
        ):
            return False
        shape = self.infer(replace(node, accents=node.accents[:-1]))
        return shape is not None and not (estimate and ONE in (shape.rows, shape.cols))

    def _augments(self, left: t.Node, right: t.Node) -> bool:
        r"""Is ``\hat A = …``, for an undeclared ``\hat A`` that would otherwise take A's shape
        as its estimate, rather a new matrix built from others: an augmented or stacked one
        written out in blocks (``\hat A = [A, 0; -C, 0]``), or one computed from hatted
        letters the text declares with shapes of their own (``\hat U \in
        \mathbb{R}^{2N \times k}`` stacking two N×k views, ``\hat S = \hat U \hat U^\top``)?
        Either says the hat marks something other than an estimate here."""
        if not self._estimate(left):
            return False
        key = symbol_key(left)
        if key is None or self._lookup(key, left.start) is not None:
            return False
        for node in right.walk():
            if isinstance(node, t.Matrix) and self._has_block(node):
                return True
            if node is not left and self._hat_of_its_own(node):
                return True
        return False

    def _has_block(self, matrix: t.Matrix) -> bool:
        """Does a matrix written out hold a cell that is itself a matrix or a vector?"""
        for row in matrix.rows:
            for cell in row:  # (inferred with the right side: read, not inferred again)
                shape = self.shapes.get(span_key(cell)) if cell is not None else None
                if shape is not None and not shape.is_scalar:
                    return True
        return False

    def _hat_of_its_own(self, node: t.Node) -> bool:
        r"""Is ``node`` an accented letter (``\hat U``) declared with another shape than its
        letter's (``U``)?"""
        if not isinstance(node, t.Symbol) or not node.accents:
            return False
        if node.accents[-1] not in ESTIMATE_ACCENTS:
            return False
        key = symbol_key(node)
        decl = self._lookup(key, node.start) if key is not None else None
        if decl is None:
            return False
        base = self.infer(replace(node, accents=node.accents[:-1]))
        return base is not None and base != decl.shape

    def _define(
        self, node: t.Node, shape: Shape, made_of: tuple[tuple[str, str | None], ...] = ()
    ) -> None:
        key = symbol_key(node)
        if key is None:
            return
        self._define_key(key, node, shape, made_of)

    def _define_key(
        self,
        key: tuple[str, str | None],
        node: t.Node,
        shape: Shape,
        made_of: tuple[tuple[str, str | None], ...] = (),
    ) -> None:
        if (
            self._gate("errata")
            and in_errata(self.source, node.start)
            and _corrected(self.source, node.end)
        ):
            return  # "$\Sigma = \frac{1}{n} X X^\top$ should read …": the wrong Σ, no definition
        self.reads.add(key[0])
        found = self.defined.get(key[0], [])
        if not any(d.path == self.path and d.start == node.start for d in found):
            d = Declaration(
                key[0], key[1], shape, self.path, node.start, node.end, "definition",
                made_of=made_of,
            )  # fmt: skip
            self.writes.append(d)
            self.defined[key[0]] = [*found, d]  # (replaced: see apply)


def _in_own_example(bounds: Boundaries, defined: int, at: int) -> bool:
    """Is ``at`` in an example, an exercise or a remark (a result that states nothing) that
    does not hold ``defined``: its letters are its own?"""
    span = bounds.result_of(at) if bounds.results else None
    return span is not None and not span[0] <= defined < span[1] and not bounds.states(span)


# what follows a formula a list of mistakes corrects: "$… $ should read $…$", "instead of"
_CORRECTED = re.compile(
    r"[^$]{0,300}?\$\s*,?\s*(?:should\s+(?:read|be|have\s+been)|must\s+read|is\s+(?:wrong|incorrect)"
    r"|instead\s+of|in\s+place\s+of|→|--?>|\$\\(?:to|rightarrow|mapsto)\$)"
)


def _corrected(source: str, at: int) -> bool:
    """Is the inline formula holding ``at`` followed by words that correct it?"""
    return _CORRECTED.match(source, at) is not None


def _sentence_start_past_matrices(source: str, lo: int, at: int) -> int:
    r"""``sentence_start``, where the rows of a matrix written out (``\begin{bmatrix} 1 & 0.5
    \\ 0.5 & 1 \end{bmatrix}``) end no sentence: "Take $M = 2$ and $R = [\dots]$, $p =
    [\dots]$" is one sentence, its sizes stated for both."""
    window = _MATRIX_ENV.sub(lambda m: " " * len(m.group(0)), source[lo:at])
    return lo + sentence_start(window, 0, len(window))


# a matrix written out, to its end (not nested: the innermost)
_MATRIX_ENV = re.compile(
    r"\\begin\{([bpvVB]?matrix|smallmatrix|array)\*?\}(?:(?!\\begin\{).)*?\\end\{\1\*?\}", re.S
)


# words that turn a sentence to another case ("Here $n = 2$, but on the augmented model …")
_CONTRAST = re.compile(r"\b(?:but|however|though|although|instead|whereas|while)\b|[;:]")


# words by which a sentence gives a letter a new meaning ("Now …", "we redefine …")
# a display, after the blank line a sentence ending in a colon leads into it across
_DISPLAY = re.compile(r"\s*(?:\$\$|\\\[|\\begin\{|```+\s*\{math\}|:::+\s*\{math\})")

_NAMES_ANEW = re.compile(
    r"\b(?:[Nn]ow|[Dd]efine|[Rr]edefine|[Dd]enote|[Ww]rite|[Cc]all|[Hh]ere|[Ii]nstead|[Ff]or)\b"
)


# others who write a formula: "some notes write", "many texts write" (a formula quoted, not
# one the text names anew)
_OTHERS_WRITE = re.compile(
    r"\b(?:notes|texts|textbooks|books|papers|authors|sources|references|students|others|people)"
    r"\s+(?:also\s+|still\s+|often\s+|instead\s+)?$"
)


def _names_anew(source: str, lo: int, hi: int) -> bool:
    """Do the words between ``lo`` and ``hi`` name a letter anew (``_NAMES_ANEW``: "Now",
    "define", "we write"), not counting others who write a formula ("some notes write")?"""
    for m in _NAMES_ANEW.finditer(source, lo, hi):
        if m[0] in ("write", "Write") and _OTHERS_WRITE.search(
            source, max(lo, m.start() - 40), m.start()
        ):
            continue
        return True
    return False


# the title of a callout that lists what is wrong ("## Typos in circulation", title="Common
# mistakes"), read in the box's first characters
_WRONG_BOX = re.compile(
    r"\b(?:[Tt]ypos?|[Mm]isprints?|[Mm]istakes?|[Ee]rrors?|[Ee]rrata|[Ww]rong|[Pp]itfalls?"
    r"|[Ss]lips?|[Ii]ncorrect|[Bb]ugs?)\b"
)
_BOX_TITLE = 120


# what a redefinition's right side is: a formula (K = P H^\top S^{-1}), not a bare name
_FORMULAS = (t.Product, t.Add, t.Frac, t.Apply, t.Neg, t.Power, t.Transpose, t.Paren)


# functions a vector's definition applies entry by entry: \log \sigma^2 = …, \exp(s) = …
_ENTRYWISE_FUNCTIONS = frozenset({"log", "ln", "exp", "sqrt"})


_BOLD = frozenset({"mathbf", "boldsymbol", "bm", "bf", "vec"})


def _squares(left: t.Node) -> bool:
    r"""Is ``left`` the square of a letter, or an entrywise function of it (``\log \sigma^2``)?"""
    if isinstance(left, t.Apply) and len(left.args) == 1:
        left = left.args[0]
        if isinstance(left, t.Paren) and left.open in ("(", "\\left("):
            left = left.body  # type: ignore[assignment]
    return isinstance(left, t.Power) and show(left.exponent) == "2"


def _entrywise_of(left: t.Node) -> t.Node | None:
    r"""The letter of ``\log \sigma^2``, ``\log \sigma``, ``\sigma^2``: an entrywise function or
    square of one symbol, which an equation with a vector on its right defines (a network's
    log-variance head)."""
    if isinstance(left, t.Apply) and len(left.args) == 1:
        func = left.func
        if not (isinstance(func, t.Func) and func.name in _ENTRYWISE_FUNCTIONS):
            return None
        left = left.args[0]
        if isinstance(left, t.Paren) and left.open in ("(", "\\left("):
            left = left.body  # type: ignore[assignment]
        if symbol_key(left) is not None:
            return left
    if isinstance(left, t.Power) and show(left.exponent) == "2" and symbol_key(left.base):
        return left.base
    return None


# the letters an eigendecomposition K = U \Lambda U^\top and a Cholesky factor K = L L^\top
# are written with (a product of other letters, K = \Phi \Phi^\top, may be of any width)
_EIGENVECTORS = frozenset({"U", "Q", "V", "P", "E", "W"})
_EIGENVALUES = frozenset({"\\Lambda", "D", "\\Sigma", "S"})


# "for $d = 1, 2$", "($d = 1, 2, 3$)": the members a statement about a family is made for
_LISTED = re.compile(r"\$\s*(?P<v>[a-z])\s*=\s*(?P<list>1\s*,\s*2(?:\s*,\s*3)?)\s*\$")


def _members_listed(source: str, index: str, at: int) -> list[int]:
    """The numbers the sentence holding ``at`` lists for ``index`` ("for $d = 1, 2$")."""
    lo = sentence_start(source, max(0, at - SENTENCE_LOOKBACK), at)
    stop = next_break(source, at, at + SENTENCE_LOOKBACK)
    for m in _LISTED.finditer(source, lo, stop.start() if stop else at + SENTENCE_LOOKBACK):
        if m["v"] == index:
            return [int(x) for x in m["list"].replace(" ", "").split(",")]
    return []


def _letter_of(node: t.Node) -> str | None:
    """The letter of ``Q``, ``\\mathbf{Q}``, ``Q_d`` (its name, whatever its font)."""
    if isinstance(node, t.Sub):
        node = node.base
    return node.name if isinstance(node, t.Symbol) and not node.accents else None


def _index_of(node: t.Node) -> str | None:
    """The subscript a letter is written with (``d`` of ``Q_d``), None for a bare letter."""
    if isinstance(node, t.Sub):
        return show(node.index)
    if isinstance(node, t.Symbol):
        return None
    return "?"  # (an accent, a tag: not a factor this reads)


def _family_base(node: t.Node) -> str | None:
    """The letter of a labelled member (``h_t``, ``h^{(t)}``, ``W^{(l+1)}``), else None."""
    if isinstance(node, (t.Sub, t.Tagged)):
        base = node.base
    elif isinstance(node, t.Power) and isinstance(node.exponent, t.Paren):
        base = node.base
    else:
        return None
    key = symbol_key(base) if isinstance(base, t.Symbol) else None
    return key[0] if key is not None else None


def _recurrence(left: t.Node, value: t.Node) -> bool:
    r"""Is ``left = value`` a recurrence, ``h_t = \bar A h_{t-1} + \bar B u_t``: a member of
    a family written in another member of it (the same quantity one step on, not a new
    meaning of the letter)?"""
    base = _family_base(left)
    if base is None:
        return False
    written = show(left)
    return any(
        _family_base(n) == base and show(n) != written
        for n in value.walk()
        if isinstance(n, (t.Sub, t.Tagged, t.Power))
    )


def _factorises(value: t.Node) -> bool:
    r"""Is ``value`` a symmetric factorisation, ``U \Lambda U^\top``, ``L L^\top``: a product
    ending in the transpose of its first factor (an eigendecomposition or a Cholesky factor of
    the letter set equal to it, not a new meaning of the letter)?"""
    if not isinstance(value, t.Product) or len(value.factors) < 2:
        return False
    first, last = value.factors[0], value.factors[-1]
    if not isinstance(last, t.Transpose):
        return False
    key = symbol_key(first)
    return key is not None and key == symbol_key(last.base)


def _normal_arguments(node: t.Node | None) -> tuple[t.Node | None, ...] | None:
    r"""The mean and covariance of ``\mathcal{N}(\mu, \Sigma)`` (written as a call or as a
    letter and its bracket), else None."""
    if isinstance(node, t.Product) and len(node.factors) == 2:
        node = call_of(*node.factors)
    if not isinstance(node, t.Apply):
        return None
    name = node.func
    if not (isinstance(name, t.Symbol) and name.name == "N" and name.font == "mathcal"):
        return None
    return node.args


def _zero(node: t.Node | None) -> bool:
    """The number 0 as written (``0``, ``\\mathbf{0}``)."""
    if isinstance(node, t.Font):
        node = node.body
    return isinstance(node, t.Number) and node.text == "0"


def _lost(a: Shape, b: Shape) -> bool:
    """A matrix or vector set equal to a scalar: not a new meaning of its letter (papers
    redefine a letter as another matrix or vector), but a sum of outer products written as
    inner ones, ``(x - \\mu)^\\top (x - \\mu)``."""
    return b.is_scalar and not a.is_scalar


def _computed(node: t.Node) -> bool:
    """Is ``node`` a computation (a product, a sum, a big operator), not a letter named?"""
    return isinstance(unwrapped(node, (t.Neg, t.Paren)), (t.Product, t.BigOp, t.Add, t.BinOp))


def _transposes(a: t.Node, b: t.Node) -> bool:
    """Is one side the transpose of the other (``A = A^\\top``, ``A^H = A``)?"""
    for x, y in ((a, b), (b, a)):
        if isinstance(x, t.Transpose) and show(x.base) == show(y):
            return True
    return False


def _row_of(node: t.Node) -> tuple[t.Node, t.Node] | None:
    r"""``P_{i,:}``, ``Z_{i,\cdot}``: (the matrix, the row's index); else None."""
    if not isinstance(node, t.Sub):
        return None
    parts = index_parts(node.index)
    if len(parts) != 2 or not isinstance(parts[1], t.Symbol) or parts[1].name not in _ALL:
        return None
    if not isinstance(parts[0], t.Symbol) or parts[0].name in _ALL:
        return None
    return node.base, parts[0]


_ALL = frozenset({":", "\\cdot", "\\bullet"})  # what stands for "every column" in a slice


def _is_derivative(node: t.Node) -> bool:
    return isinstance(_operator(node), (t.Derivative, t.Nabla))


def _is_fraction(node: t.Node) -> bool:
    r"""A derivative written as a fraction or a quotient (``\frac{\partial L}{\partial W}``)."""
    return isinstance(_operator(node), t.Derivative)


def _operator(node: t.Node) -> t.Node:
    r"""The derivative a side is, or applies to what follows it (``\frac{\partial}{\partial W}
    \frac12\|Wx - y\|^2``, ``\nabla_W \frac12\|…\|^2``: the operator reads as the product's
    first factor)."""
    node = unwrapped(node)
    if isinstance(node, t.Product) and node.factors:
        first = unwrapped(node.factors[0])
        if isinstance(first, (t.Derivative, t.Nabla)):
            return first
    return node


def _is_space(node: t.Node) -> bool:
    return isinstance(node, t.Space) or (
        isinstance(node, t.Product) and isinstance(node.factors[0], t.Space)
    )


def _no_number(d: Dim) -> bool:
    """Is ``d`` made of names alone (``n + p``, ``Kp``; not ``2K``, ``n + 1``, ``3``)?"""
    if d.is_Number:
        return False
    if d.is_Add:
        return d.coeff == 0 and all(c == 1 and _no_number(term) for term, c in d.terms)
    if d.is_Mul:
        return bool(d.coeff == 1)
    return True


def _is_zero(node: t.Node) -> bool:
    return isinstance(node, t.Number) and node.text == "0"


def _has_number(node: t.Node) -> bool:
    """Is a number written anywhere in ``node`` (an entry, ``0_{n \\times 2}``, ``2A``)?"""
    return any(isinstance(n, t.Number) for n in node.walk())


def _is_explicit(node: t.Node) -> bool:
    r"""A matrix written out entry by entry, or its diagonal (``\operatorname{diag}(4, 1)``):
    its dimensions are numbers."""
    node = unwrapped(node, (t.Neg, t.Paren))
    if isinstance(node, t.Apply) and isinstance(node.func, t.Func) and node.func.name == "diag":
        return len(node.args) > 1 and not any(isinstance(a, t.Dots) for a in node.args)
    return isinstance(node, t.Matrix)


def _instance(a: Shape, b: Shape) -> bool:
    """Could one shape be the other with its dimension names given numbers (1 included)?  A
    matrix written out is an example: its entries may be special cases too (``x_t = [1; y_t]``
    with a scalar ``y_t`` where ``y_t ∈ ℝ^k`` in general), so only numbers must agree."""
    return all(
        same(x, y) or not (x.is_Number and y.is_Number)
        for x, y in ((a.rows, b.rows), (a.cols, b.cols))
    )


def _is_literal(node: t.Node) -> bool:
    if isinstance(node, t.Neg):
        node = node.operand
    return isinstance(node, t.Number) or (
        isinstance(node, t.Symbol)
        and node.font in ("mathbf", "bm", "boldsymbol")
        and node.name in ("0", "1")
    )


# the functions of one number a formula of an activation or a link is built from
_SCALAR_FUNCS = frozenset(
    "log ln exp sin cos tan tanh sinh cosh sqrt abs max min erf sign sgn".split()
)


def _several_letters(node: t.Node) -> bool:
    r"""``(\mu, \nu)``, ``(p, q)``: round brackets around two or more letters, a call's
    arguments (never an array)."""
    if not isinstance(node, t.Paren) or node.open not in ("(", "\\left("):
        return False
    body = node.body
    return (
        isinstance(body, t.List) and len(body.items) > 1
        and all(i is not None and symbol_key(i) is not None for i in body.items)
    )  # fmt: skip


def operator_key(name: str) -> str:
    r"""The key of the signature an operator defined by the document is kept under
    (``\operatorname{sym}``: never a symbol's key)."""
    return f"\\operatorname{{{name}}}"


def _combination_of(node: t.Node | None, param: tuple[str, str | None]) -> bool:
    r"""Is ``node`` numbers times ``param`` and its transpose, added: ``\tfrac12(M + M^\top)``,
    ``(M - M^\top)/2``, ``-M``?  (A matrix of the parameter's shape, when it is square.)"""
    seen = False
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, t.Transpose):
            n = n.base
        if isinstance(n, t.Symbol) and symbol_key(n) == param:
            seen = True
        elif isinstance(n, t.Paren) and n.open in ("(", "\\left(", "\\big(", "\\Big("):
            stack.append(n.body)
        elif isinstance(n, t.Add):
            stack.extend(n.terms)
        elif isinstance(n, t.Neg):
            stack.append(n.operand)
        elif isinstance(n, t.Frac) and _a_number(n.den):
            stack.append(n.num)
        elif isinstance(n, t.BinOp) and n.op == "/" and _a_number(n.right):
            stack.append(n.left)
        elif isinstance(n, t.Product):
            rest = [f for f in n.factors if not _a_number(f)]
            if len(rest) != 1:
                return False
            stack.append(rest[0])
        else:
            return False
    return seen


def _a_number(node: t.Node | None) -> bool:
    """``2``, ``\tfrac12``: a number written."""
    if isinstance(node, t.Frac):
        return _a_number(node.num) and _a_number(node.den)
    return isinstance(node, t.Number)


def scalar_formula(node: t.Node | None, param: tuple[str, str | None]) -> bool:
    r"""Is ``node`` a formula of the parameter ``param``, numbers, ``e`` and ``\pi`` alone,
    through sums, products, fractions, powers and functions of numbers
    (``\max(0, z)``, ``1/(1 + e^{-t})``, ``\log(1 + \exp(z))``), the parameter in it?"""
    seen = False
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, t.Symbol):
            if (n.name, n.font) == param and not n.accents:
                seen = True
            elif n.name not in ("e", "\\pi") or n.font or n.accents:
                return False
            continue
        parts = _formula_parts(n)
        if parts is None:
            return False
        stack += parts
    return seen


_PARTS: dict[type, Callable[[Any], list[t.Node | None]]] = {
    t.Add: lambda a: list(a.terms),
    t.List: lambda a: list(a.items),
    t.Neg: lambda a: [a.operand],
    t.Product: lambda a: list(a.factors),
    t.Frac: lambda a: [a.num, a.den],
    t.Power: lambda a: [a.base, a.exponent],
    t.Sqrt: lambda a: [a.body] if a.index is None else [a.body, a.index],
    t.Paren: lambda a: [a.body],
    t.Abs: lambda a: [a.body],
}


def _formula_parts(n: t.Node | None) -> list[t.Node | None] | None:
    """The parts of a node of a formula of numbers (:func:`scalar_formula`); None if it is
    none (a matrix operation, a letter's subscript, a function not of numbers)."""
    if isinstance(n, t.Number):
        return []
    if isinstance(n, t.Func):
        ok = n.name in _SCALAR_FUNCS and n.sub is None and n.sup is None
        return [] if ok else None
    if isinstance(n, t.Apply):
        return [n.func, *n.args] if isinstance(n.func, t.Func) else None
    if isinstance(n, t.BinOp):
        return [n.left, n.right] if n.op in ("/", "\\cdot", "*") else None
    get = _PARTS.get(type(n))
    return get(n) if get is not None else None


def _m_times(total: Dim, other: Dim, sums: dict[str, str]) -> bool:
    r"""Is ``total`` a size summed over a family (``sums``: its count) and ``other`` a product
    with that count as a factor (``Mk`` against ``K = k_1 + \dots + k_M``)?"""
    count = sums.get(str(total)) if total.is_Symbol else None
    return (
        count is not None and bool(other.is_Mul)
        and any(str(f) == count for f in other.free_symbols)
    )  # fmt: skip


def _mentions(node: t.Node, key: tuple[str, str | None], alone: bool = False) -> bool:
    """Is the letter ``key`` written anywhere in ``node`` (in a subscript too: ``P_A``; with
    ``alone``, only as a letter of its own, not a subscript's)?"""
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, t.Symbol) and symbol_key(n) == key:
            return True
        todo.extend([n.base] if alone and isinstance(n, t.Sub) else n.children())
    return False
