r"""Rules for operators on one operand: powers and inverses (``A^{-1}``, ``A^2``, a family
member's ``h^{(t)\top}``), transposes (``A^\top``, ``A^{-\top}``, ``x'``), norms and absolute
values, inner products written ``\langle x, y \rangle``, square roots."""

from __future__ import annotations

import re

from texgrad.shapes import dim_terms, messages
from texgrad.shapes.dims import ONE, SCALAR, Dim, Shape
from texgrad.shapes.families import ITERATE_LABELS, member_shape, time_step
from texgrad.shapes.questions import DIMENSION, dimension_key
from texgrad.shapes.rules.base import square_key
from texgrad.shapes.rules.exponentials import ExponentialRules
from texgrad.shapes.sections import SENTENCE_LOOKBACK, next_break, sentence_start
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import (
    NAME_MARKS,
    OPTIMUM_MARKS,
    label_of,
    same_letter,
    symbol_key,
    tagged_key,
)

# exponents that make a matrix power (of a square matrix), as show() writes them
_MATRIX_EXPONENTS = (
    "(Neg 1)",
    "2",
    "3",
    "k",
    "n",
    "p",
    "(BinOp:/ 1 2)",
    "(Frac 1 2)",
    "(Neg (Frac 1 2))",
    "(Neg (BinOp:/ 1 2))",
)

# words that make a power of a matrix one of its entries ("squared entrywise")
_ENTRYWISE = re.compile(
    r"\b(?:entry|element|component|coordinate|point)[- ]?wise\b|\bHadamard (?:power|square)",
    re.I,
)


class OperatorRules(ExponentialRules):
    """Powers, transposes, norms, inner products, square roots."""

    def _marked(self, node: t.Power, exp: str) -> Shape | None:
        r"""``P^\star``: the optimal P; ``A^*``: its adjoint, or an optimum; ``P_k^-``,
        ``\hat{x}_k^-``: a prior (predicted) estimate, of the letter's shape (``A^-`` of a
        rectangular A, a generalised inverse maybe: nothing) — each its own where declared."""
        named = self._own_name(node)
        base = self.infer(node.base)
        if named is not None or self._named_anywhere(node):
            return named  # X^\star = [X; \sqrt{\lambda} I]: a matrix of its own
        square = base is not None and base.rows == base.cols
        if exp == "-":
            return base if square or (base is not None and base.cols == ONE) else None
        return base if exp == "\\star" or square else None

    def _vector_power(
        self, node: t.Power, base: Shape, matrix_power: bool, exp: str
    ) -> Shape | None:
        r"""A power of a vector, or another power of a matrix than a matrix power: x^2 of a
        vector is elementwise in many papers, its inner product with itself in others (known
        only where the text takes it so: ``_squared``); \hat x_t^{t-1} is x_t's estimate given
        t-1 steps (Kalman filters), of its shape."""
        if not matrix_power and base.cols == ONE and _estimate(node):
            return base
        return base if exp == "2" and base.cols == ONE and self._squared(node) else None

    def _squared(self, node: t.Power) -> bool:
        r"""Is ``\boldsymbol\sigma^2`` of a vector the entrywise square, as the text takes
        it where it sets ``\log \boldsymbol\sigma^2`` to a vector (rules/relations.py
        ``_defines_within``, ``square_key``)?"""
        key = symbol_key(node.base)
        if key is None:
            return False
        made = self._definition(square_key(key[0]), node.start)
        return made is not None and same_letter(key[1], made.font)

    def _power(self, node: t.Power) -> Shape | None:
        tagged = _tagged_transpose(node)
        if tagged is not None:  # \vh^{(t)\top}: the transpose of h^{(t)}
            s = self.infer(tagged)
            return s.transposed() if s is not None else None
        label = _label(node)
        if label is not None:  # \vh^{(t-1)}: a member of the family h^{(t)}
            return self.infer(label)
        iterate = self._iterate(node)
        if (
            iterate is not None
        ):  # \mathbf{x}^{t+1} of \mathbf{x}^t \in \Delta^{n-1}: a round's iterate
            return iterate
        # P_{k-1}^+ of P_k^+ \in \mathbb{R}^{n \times n}; G^{\odot 2}, x^{\circ 1/2}: entry by entry
        member = (
            self._marked_member(node) or self._lettered_member(node) or self._hadamard_power(node)
        )
        if member is not None:
            return member
        if isinstance(node.exponent, t.Symbol | t.Number) and self._named_anywhere(node):
            # \Delta^z_t declared: a gate's name, not a power; K^2_k declared m_2×n: a player's
            return self._own_name(node)
        if not _is_e(node.base) and self._letters_label(node.exponent):
            # f^{\alpha\beta} of vectors α, β: a name (not e^{hA}: an exponential)
            return self._own_name(node)
        exp = show(node.exponent)
        if exp in OPTIMUM_MARKS or exp == "-":
            return self._marked(node, exp)
        base = self.infer(node.base)
        power = self.infer(node.exponent)
        if base is None:
            return self._of_e(node, power)
        if base.is_scalar:
            return SCALAR
        if exp in ("+", "\\dagger"):  # W^{+}: the pseudo-inverse, of W's transposed shape
            vector = ONE in (base.rows, base.cols)  # (x^+ of a vector: its positive part?)
            return None if vector else base.transposed()
        matrix_power = exp in _MATRIX_EXPONENTS or _root(node.exponent)
        if not matrix_power and base.rows == base.cols != ONE and power in (None, SCALAR):
            # \hat A^K, P^t, A^{k+1} of a square matrix: square whatever the count (never flagged)
            counted = _count(node.exponent) or (power == SCALAR and _letter(node.exponent))
            return base if counted else None
        if not matrix_power or base.cols == ONE or base.rows == ONE:
            return self._vector_power(node, base, matrix_power, exp)
        return self._matrix_power(node, base, exp)

    def _matrix_power(self, node: t.Power, base: Shape, exp: str) -> Shape | None:
        """A power of a matrix: of its shape if square, else flagged (or entry by entry)."""
        if self._same(base.rows, base.cols, node.start):
            return base
        if exp not in _MATRIX_EXPONENTS:
            return None  # W^{1/3} of a rectangular W: its entries' roots, maybe
        if exp != "(Neg 1)" and self._entrywise(node):
            return base  # (dW)^2 "squared entrywise", \nabla_W L^2 in Adam: entry by entry
        what = "inverse" if exp == "(Neg 1)" else "power"
        self._not_square(what, node.base, base, node)
        return None

    def _hadamard_power(self, node: t.Power) -> Shape | None:
        return self.infer(node.base) if _hadamard_exponent(node.exponent) else None

    def _of_e(self, node: t.Power, power: Shape | None) -> Shape | None:
        """A power of a letter of no shape: of Euler's e, an exponential."""
        if _is_e(node.base) and self._timed_exponential(node.exponent, node):
            return None  # e^{Bt} of a matrix B not square
        found = _exponential(node.base, power or self._timed(node.exponent))
        if found is None and _is_e(node.base) and power is not None and self._entrywise(node):
            return power  # K = e^{-C/\varepsilon} (entrywise) of an n×m cost C: n×m
        return found

    def _entrywise(self, node: t.Power) -> bool:
        r"""Is the power of a matrix that is not square meant entry by entry: of a gradient
        (``(\nabla_W L)^2``, ``(\partial L / \partial W)^2`` in Adam), or in a sentence that
        says so ("squared entrywise", "element-wise square")?"""
        base = node.base.body if isinstance(node.base, t.Paren) else node.base
        if isinstance(base, (t.Derivative, t.Nabla)):
            return True
        if isinstance(base, t.Product) and isinstance(base.factors[0], (t.Derivative, t.Nabla)):
            return True
        lo = sentence_start(self.source, max(0, node.start - SENTENCE_LOOKBACK), node.start)
        end = next_break(self.source, node.end, node.end + SENTENCE_LOOKBACK)
        hi = end.start() if end is not None else node.end + SENTENCE_LOOKBACK
        return _ENTRYWISE.search(self.source, lo, hi) is not None

    def _iterate(self, node: t.Power) -> Shape | None:
        """``x^{t+1}``, ``x^t``: a member of the iterates ``x^t`` the document declares (a
        bare superscript labelled by a round, ``families.ITERATE_LABELS``)."""
        label = label_of(node.exponent)
        if label is None or label[0] not in ITERATE_LABELS:
            return None
        base = symbol_key(node.base)
        if base is None:
            return None
        font = base[1]

        def declared(key: str) -> Shape | None:
            if not self._declared(key):
                return None
            decl = self._lookup((key, font), node.start)
            return decl.shape if decl is not None else None

        def named(d: Dim) -> bool:
            return bool(self._ask(DIMENSION, dimension_key(d), d, None))

        return member_shape(base[0], "", node.exponent, declared, named)

    def _timed(self, exponent: t.Node) -> Shape | None:
        r"""``A_c h``, ``A_c s`` in ``e^{A_c s}``: one square matrix times small letters nothing
        declares (a time, a step) — the matrix's shape."""
        if not isinstance(exponent, t.Product):
            return None
        matrix: Shape | None = None
        for f in exponent.factors:
            s = self.infer(f)
            if s is None and _small_letter(f):
                continue
            if s is None or (not s.is_scalar and matrix is not None):
                return None
            if not s.is_scalar:
                matrix = s
        return matrix if matrix is not None and matrix.rows == matrix.cols else None

    def _own_name(self, node: t.Power) -> Shape | None:
        """The shape the document gives ``node`` as a name of its own (``x^\\star \\in …``)."""
        key = symbol_key(t.Tagged(node.base, node.exponent, "", start=node.start, end=node.end))
        if key is None:
            return None
        decl = self._lookup(key, node.start) or self._definition(key[0], node.start)
        return decl.shape if decl is not None else None

    def _marked_member(self, node: t.Power) -> Shape | None:
        r"""``P_{k-1}^+``, ``\hat{x}_{k-1}^+``: a member of the family ``P_k^+`` declared for
        every step (the mark kept, the subscript read as the family's label)."""
        mark = show(node.exponent)
        if mark not in NAME_MARKS or not isinstance(node.base, t.Sub):
            return None
        letter = symbol_key(node.base.base)
        if letter is None:
            return None
        return self._tagged_family_member(letter, node.base.index, "", mark, node.start)

    def _lettered_member(self, node: t.Power) -> Shape | None:
        r"""``C^{u}_j``, the tag written before the subscript (read as a power of ``C_j``): a
        member of the family ``C^{u}_i`` declared with its tag (as ``W_1^Q`` of ``W_i^Q``)."""
        if not isinstance(node.exponent, t.Symbol) or not isinstance(node.base, t.Sub):
            return None
        letter = symbol_key(node.base.base)
        if letter is None:
            return None
        tag = show(node.exponent)

        def written(key: str) -> bool:
            return self._written_family((tagged_key(key, "", tag), letter[1]), key, node.start)

        return self._tagged_family_member(letter, node.base.index, "", tag, node.start, written)

    def _named_anywhere(self, node: t.Power) -> bool:
        key = symbol_key(t.Tagged(node.base, node.exponent, "", start=node.start, end=node.end))
        return key is not None and (self._declared(key[0]) or self._defined_anywhere(key[0]))

    def _letters_label(self, exponent: t.Node) -> bool:
        r"""Is an exponent written as letters side by side (``f^{\alpha\beta}``, ``K^{xy}``)
        a label, as one of the letters is a vector or a matrix, so no power could be meant?"""
        if not isinstance(exponent, t.Product) or not all(
            isinstance(f, t.Symbol) for f in exponent.factors
        ):
            return False
        shapes = [self.infer(f) for f in exponent.factors]
        return any(s is not None and not s.is_scalar for s in shapes)

    def _transpose(self, node: t.Transpose) -> Shape | None:
        if isinstance(node.base, t.Number):
            return None  # 1^\top: the vector of ones, written as the number
        entries = _numbers_in_brackets(node.base) or self._scalars_in_brackets(node.base)
        if entries:
            return Shape(dim_terms.integer(entries), ONE)  # x = (1, 0, -1)^\top: a column
        s = self.infer(node.base)
        return s.transposed() if s is not None else None

    def _scalars_in_brackets(self, node: t.Node) -> int:
        r"""How many scalars ``(r, 1)`` lists (``\mathbf b = (r, 1)^\top`` with r a declared
        number: a column of two), else 0 — a list with an entry of no shape or not a
        scalar is no column said."""
        body = node.body if isinstance(node, t.Paren) and node.open in ("(", "[") else None
        if not isinstance(body, t.List) or len(body.items) < 2:
            return 0
        if any(isinstance(i, t.Dots) for i in body.items):
            return 0
        shapes = [self.infer(item) for item in body.items]
        if not all(s is not None and s.is_scalar for s in shapes):
            return 0
        return len(body.items)

    def _inverse_transpose(self, node: t.InverseTranspose) -> Shape | None:
        s = self.infer(node.base)
        if s is None or s.is_scalar:
            return s
        if not self._same(s.rows, s.cols, node.start):
            self._not_square("inverse", node.base, s, node)
            return None
        return s.transposed()

    def _prime(self, node: t.Prime) -> Shape | None:
        # Alone, x' is as often another variable (x and x') or a derivative (f') as a
        # transpose; only inside a product (x' A x, see _factor) is it read as one — unless
        # the document declares it (Z' \in \mathbb{R}^{N \times d}).
        own = self._declaration(node)
        if own is not None:
            return own.shape
        self.infer(node.base)
        key = symbol_key(node)
        defined = self._sized_definition(key[0], node.start) if key is not None else None
        if defined is not None and defined.start != self._own_left and defined.path == self.path:
            return defined.shape  # L' = L + \operatorname{MHA}(L), a residual block's output
        return None

    def _scalar_of(self, node: t.Norm | t.Abs) -> Shape | None:
        body = self.infer(node.body)
        if (
            isinstance(node, t.Abs)
            and body is not None
            and not body.is_scalar
            and ONE in (body.rows, body.cols)
        ):
            # |\mathbf s| of a vector: its length, or its entries' absolute values (Glow's
            # \log|\det W| = \mathbf 1^\top \log|\mathbf s|): papers write both
            return None
        return SCALAR

    def _angle(self, node: t.Angle) -> Shape | None:
        shapes = [self.infer(item) for item in node.items]
        if len(node.items) != 2:
            return None
        a, b = shapes
        if a is None or b is None or a.is_scalar or b.is_scalar:
            return SCALAR
        if self._agrees(a, b, node.start) or self._borrowed(*node.items):
            return SCALAR
        if ONE in (a.rows, a.cols) and self._agrees(a, b.transposed(), node.start):
            return SCALAR  # \langle x, y^\top \rangle: a row for a column, the same numbers
        # \langle x, z \rangle of an n- and a p-vector, \langle A, B \rangle_F of an n×p and
        # an n×n matrix: an inner product pairs the entries of two operands of one shape
        left, right = node.items
        message = messages.inner_product_mismatch(
            self._described(left, a), self._described(right, b)
        )
        self._emit(
            "elementwise-mismatch", message, node.start, node.end, self._related(left, right)
        )
        return SCALAR

    def _sqrt(self, node: t.Sqrt) -> Shape | None:
        r"""``\sqrt{x}`` has x's shape: taken entrywise (Adam's ``\sqrt{\hat{\mathbf v}_t}``) or,
        of a square matrix, its square root — the same shape either way (a cube root or
        other index: only of a number).  Only of a letter (``\sqrt{\hat{\mathbf v}_t}``): under
        the root of a formula may be a call written as a product
        (``\sqrt{\sigma_{\min} ( \Phi \Phi^\top )}``, a singular value)."""
        s = self.infer(node.body)
        if s is not None and node.index is None and symbol_key(node.body) is not None:
            return s
        return SCALAR if s is not None and s.is_scalar else None


# letters papers count with in an exponent (A^k, P^t, \hat A^K); not T, H (transposes), nor
# letters that label (\Sigma^x, \Sigma^y: the covariance of x, of y; W^Q, W^V)
_COUNT_LETTERS = frozenset("ijklmnprstJKLMNR")


def _hadamard_exponent(exponent: t.Node) -> bool:
    r"""``\circ 2``, ``\odot -1``, ``\circ 1/2``: the exponent of a Hadamard power."""
    if isinstance(exponent, t.BinOp) and exponent.op in ("/", "\\div"):
        return _hadamard_exponent(exponent.left)
    first = (
        exponent.factors[0] if isinstance(exponent, t.Product)
        else exponent.terms[0] if isinstance(exponent, t.Add)
        else None
    )  # fmt: skip
    parts = len(exponent.factors) if isinstance(exponent, t.Product) else 2
    return (
        isinstance(first, t.Symbol) and first.name in ("\\circ", "\\odot") and not first.accents
        and parts > 1
    )  # fmt: skip


def _exponential(base: t.Node, power: Shape | None) -> Shape | None:
    r"""``e^{A_c h}`` of a square matrix: its matrix exponential, of its shape; ``e^{-\eta g}``
    of a vector: entry by entry (``e`` undeclared, upright or not)."""
    if not _is_e(base) or power is None or power.is_scalar:
        return None
    square = power.rows == power.cols
    return power if square or ONE in (power.rows, power.cols) else None


def _is_e(node: t.Node) -> bool:
    """Euler's ``e`` (upright or not)."""
    return (
        isinstance(node, t.Symbol) and node.name == "e" and not node.accents
        and node.font in (None, "mathrm", "rm", "text")
    )  # fmt: skip


def _small_letter(node: t.Node) -> bool:
    """``h``, ``s``, ``t``, ``\\tau``: one small letter in no font."""
    if not isinstance(node, t.Symbol) or node.font is not None or node.accents:
        return False
    name = node.name.removeprefix("\\")
    return name.islower() and (len(name) == 1 or node.name.startswith("\\"))


def _letter(node: t.Node | None) -> bool:
    """A plain Latin letter: ``K``, ``t``."""
    return (
        isinstance(node, t.Symbol) and node.font is None and not node.accents
        and len(node.name) == 1 and node.name.isascii() and node.name.isalpha()
    )  # fmt: skip


def _root(node: t.Node | None) -> bool:
    """A fractional exponent of integers, a matrix root or its inverse: ``1/4``, ``-1/4``,
    ``\\frac{3}{2}`` (Shampoo's ``L^{-1/4}``), as ``1/2`` and ``-1/2`` are."""
    if isinstance(node, t.Neg):
        node = node.operand
    if isinstance(node, t.BinOp) and node.op == "/":
        parts: tuple[t.Node | None, ...] = (node.left, node.right)
    elif isinstance(node, t.Frac):
        parts = (node.num, node.den)
    else:
        return False
    return all(isinstance(p, t.Number) and p.text.isdigit() for p in parts)


def _count(node: t.Node | None) -> bool:
    """An exponent that counts: an integer, a counting letter (``K``, ``t``), or sums,
    negatives and products of those (``k+1``, ``-k``, ``2t``)."""
    if isinstance(node, t.Number):
        return node.text.isdigit()
    if isinstance(node, t.Symbol):
        return _letter(node) and node.name in _COUNT_LETTERS
    if isinstance(node, t.Add):
        return all(_count(term) for term in node.terms)
    if isinstance(node, t.Neg):
        return _count(node.operand)
    if isinstance(node, t.Product):
        return all(_count(f) for f in node.factors)
    return False


def _tagged_transpose(node: t.Power) -> t.Tagged | None:
    """``h^{(t)\\top}`` (a label and a transpose in one superscript): the labelled ``h^{(t)}``."""
    exp = node.exponent
    if not (isinstance(exp, t.Product) and len(exp.factors) == 2):
        return None
    label, mark = exp.factors
    if not (
        isinstance(label, t.Paren) and label.open in ("(", "[") and label.body is not None
        and isinstance(mark, t.Symbol) and mark.name in ("T", "\\top", "\\intercal")
        and symbol_key(node.base) is not None
    ):  # fmt: skip
        return None
    return t.Tagged(node.base, label.body, label.open, start=node.start, end=label.end,
                    from_macro=node.from_macro, span=(node.span[0], label.span[1]))  # fmt: skip


def _label(node: t.Power) -> t.Tagged | None:
    """``h^{(t-1)}``, read as a power: a label in brackets, as ``h^{(t)}`` is."""
    paren = node.exponent
    if not (
        isinstance(paren, t.Paren) and paren.open in ("(", "[") and paren.body is not None
        and symbol_key(node.base) is not None
    ):  # fmt: skip
        return None
    return t.Tagged(node.base, paren.body, paren.open, start=node.start, end=node.end,
                    from_macro=node.from_macro, span=node.span)  # fmt: skip


def _numbers_in_brackets(node: t.Node) -> int:
    """How many numbers ``(1, 0, -1)`` lists (a tuple of two or more numbers), else 0."""
    body = node.body if isinstance(node, t.Paren) and node.open in ("(", "[", "\\left(") else None
    if not isinstance(body, t.List) or len(body.items) < 2:
        return 0
    for item in body.items:
        if isinstance(item, t.Neg):
            item = item.operand
        if not isinstance(item, t.Number):
            return 0
    return len(body.items)


def _estimate(node: t.Power) -> bool:
    r"""``\hat{\mathbf x}_t^{t-1}``, ``\mathbf m_k^{k}``: a step's estimate labelled by the step
    of the data it is given (Shumway and Stoffer's notation), a name and no power."""
    base = node.base
    return isinstance(base, t.Sub) and time_step(base.index) and time_step(node.exponent)
