r"""Rules for products and sums: matrix products (``x^\top A y``, ``A \Sigma A^\top``), scalar
coefficients (``\eta \nabla f``), calls written as products (``u (x)``), sums with
broadcasting and identities (``\lambda I``), binary operators (``\odot``, ``\otimes``,
``\cdot``) and fractions; and what a product tells of an undeclared factor's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from texgrad.shapes import messages
from texgrad.shapes.broadcasting import broadcast_verdict, written_plainly
from texgrad.shapes.diagnostics import Fix
from texgrad.shapes.dims import ONE, SCALAR, Dim, Shape
from texgrad.shapes.rules.base import BOLD_FONTS, span_key
from texgrad.shapes.rules.distributions import DistributionRules, normal_parts
from texgrad.syntax import tree as t
from texgrad.syntax.notation import (
    call_of,
    constant_letter,
    constant_word,
    is_d,
    is_round,
    round_base,
    sized_constant,
)
from texgrad.syntax.show import show
from texgrad.syntax.symbols import difference_key, symbol_key

# what a factor of unknown shape may be for its product still to have a shape (A \Sigma A^\top)
_OPERANDS = (t.Symbol, t.Sub, t.Tagged, t.Apply, t.Paren, t.Transpose, t.Power, t.Accent, t.Font,
             t.InverseTranspose, t.Prime)  # fmt: skip


# lowercase Greek letters that, undeclared, scale what follows them (\lambda I, \eta g);
# not those papers use for vectors of parameters or for maps (\theta, \phi, \psi)
_GREEK_COEFFICIENTS = frozenset(
    "\\" + g
    for g in "alpha beta gamma delta epsilon varepsilon zeta eta iota kappa lambda mu nu xi "
    "pi rho varrho sigma tau upsilon chi omega".split()
)


# the one accented letter read as a coefficient: a diffusion model's \bar\alpha_t (the
# product of the \alpha_s; \hat\beta, \bar\mu, \hat\theta are estimates, often vectors)
_SCHEDULE = ("\\alpha", ("bar",))

# the braces a product's factor may be written under (``\underbrace{[C \; 0]}_{\tilde C}``)
_BRACES = frozenset({"underbrace", "overbrace"})

# binary operators a scalar operand makes a scaling: \odot, \cdot, \times (cross products
# and convolutions of two vectors are not checked)
_SCALES = frozenset({"\\odot", "\\oslash", "\\cdot", "\\times", "*", "\\ast"})
# … of which these are also a convolution (``y = \bar K * u`` of a kernel and a signal, whose
# samples the document declares as numbers: ``u(t) \in \mathbb{R}``): a scaling only by a
# number written out (``2 * x``)
_CONVOLUTIONS = frozenset({"*", "\\ast"})


def diag_argument(node: t.Node) -> t.Node | None:
    r"""The one argument of ``\operatorname{diag}(…)`` (any spelling), else None."""
    if (
        isinstance(node, t.Apply) and isinstance(node.func, t.Func)
        and DIAG_SPELLINGS.get(node.func.name) == "diag" and len(node.args) == 1
    ):  # fmt: skip
        return node.args[0]
    return None


def _diagonal_of_a_vector(node: t.Node) -> bool:
    r"""``\operatorname{diag}(u)``, ``\operatorname{diag}(u^{(\ell)})`` of one lowercase Latin
    letter: a vector made a square diagonal matrix (``\operatorname{diag}(A)`` of a matrix
    is its diagonal, a vector)."""
    arg = diag_argument(node)
    while isinstance(arg, t.Sub | t.Tagged | t.Paren):
        arg = arg.body if isinstance(arg, t.Paren) else arg.base
    return (
        isinstance(arg, t.Symbol) and len(arg.name) == 1 and arg.name.islower()
        and arg.name.isascii()
    )  # fmt: skip


def _diagonals_by_neighbours(factors: list[t.Node], shapes: list[Shape | None]) -> None:
    r"""``\operatorname{diag}(u) K \operatorname{diag}(v)`` with u and v unknown: each diagonal
    matrix is square, so it has the size the known matrix beside it must meet (K's rows on
    its left, K's columns on its right); the product then has K's shape."""
    for i, f in enumerate(factors):
        if shapes[i] is not None or not _diagonal_of_a_vector(f):
            continue
        right = shapes[i + 1] if i + 1 < len(shapes) else None
        left = shapes[i - 1] if i > 0 else None
        if right is not None and not right.is_scalar:
            shapes[i] = Shape(right.rows, right.rows)
        elif left is not None and not left.is_scalar:
            shapes[i] = Shape(left.cols, left.cols)


class ProductRules(DistributionRules):
    """Products, sums, binary operators and fractions."""

    if TYPE_CHECKING:  # (rules/brackets.py)

        def _completed(self, node: t.Node, rows: Dim | None, cols: Dim | None) -> Shape | None: ...

        def _said_shape_keeping(self, func: t.Node) -> bool: ...  # (rules/functions.py)

        def _said_elementwise(self, func: t.Node) -> bool: ...  # (rules/functions.py)

    def _product(self, node: t.Product) -> Shape | None:
        difference = self._difference(node)
        if difference is not None:
            return difference
        factors = self._differences(self._applications(list(node.factors)))
        if len(factors) == 1:
            return self.infer(factors[0])
        node = t.Product(
            tuple(factors),
            start=node.start,
            end=node.end,
            from_macro=node.from_macro,
            span=node.span,
        )
        shapes = [self._factor(f, i + 1 < len(factors), i > 0) for i, f in enumerate(factors)]
        if len(factors) == 2 and _squared_call(factors, shapes):
            return SCALAR  # W_2^2(\mu, \nu) of a distance W_2 defined as a number
        _constant_pi(factors, shapes)
        self._expectations(factors, shapes)
        for i in range(len(factors) - 1):  # \mathcal{N}(\mu, \Sigma): a normal's sizes
            if shapes[i] is None and (parts := normal_parts(factors[i], factors[i + 1])):
                self._normal(factors[i], *parts)
        _differentials(factors, shapes)
        self._coefficients(factors, shapes)
        self._gather_evidence(factors, shapes)
        _diagonals_by_neighbours(factors, shapes)
        self._roots_by_neighbours(factors, shapes)
        self._flanked_diagonals(factors, shapes)
        _unsized_ones(factors, shapes)
        self._bold_vectors_by_neighbours(factors, shapes)
        self._unsized_blocks(factors, shapes)
        _operator_on_the_rest(factors, shapes)
        # Each run of factors of known shape is multiplied out: however the product is
        # bracketed, its neighbours must agree (`A y` in `u^\top A y`, whatever u is).  A factor
        # of unknown shape is never part of a message; the product has the rows of its first
        # factor and the columns of its last (`A \Sigma A^\top`, whatever \Sigma is), if known.
        result: Shape | None = None
        first = 0  # where the current run of known factors starts
        acc: Shape | None = None
        failed = False
        head: Shape | None = None  # the product of the first run, when it ended
        operands = True  # are the factors of unknown shape symbols, calls, brackets?
        for i, s in enumerate(shapes):
            if i > first and isinstance(factors[i - 1], t.Nabla) and _arguments(factors[i]):
                continue  # \nabla_\theta f \big(x\big): the brackets are f's arguments
            if s is None or (i == first and i > 0 and _arguments(factors[i])):
                # `A(x) x` with A unknown: the brackets may be A's arguments
                if first == 0 and i > 0:
                    head = acc
                operands = operands and s is None and isinstance(factors[i], _OPERANDS)
                acc, first = None, i + 1
                continue
            if i == first:
                acc = s
                continue
            if acc is None:
                continue  # the run failed already: one message per run
            # the left operand is the run multiplied so far: `A B` in `A B x`; a differential
            # is quoted with what it applies to: `W^{[l]}` and `dZ^{[l]}`, not `W^{[l]} d`
            last, right = i - 1, factors[i]
            if i - 1 > first and _differential_of(factors[i - 1], factors[i], shapes[i - 1]):
                last, right = i - 2, _span_node(factors[i - 1], factors[i])
            left = factors[first] if last == first else _span_node(factors[first], factors[last])
            acc = self._matmul(acc, s, left, right, last == first, factors[first : last + 1])
            failed = failed or acc is None
        if first == 0 and not failed:
            result = acc
        elif (
            not failed and operands and first < len(factors) and head is not None
            and acc is not None and not head.is_scalar and not acc.is_scalar
        ):  # fmt: skip
            result = Shape(head.rows, acc.cols)
        return result

    def _bold_vectors_by_neighbours(
        self, factors: list[t.Node], shapes: list[Shape | None]
    ) -> None:
        r"""``X\boldsymbol\beta`` with X n×p and β declared and defined nowhere: a bold
        lower-case letter is a column vector (the convention of every text that writes
        ``\mathbf{x}`` for vectors and ``\mathbf{X}`` for matrices), so after a known factor
        of p columns it is a p-vector (and ``\boldsymbol\beta^\top`` before one of p rows
        a row).  Where nothing defines it anywhere either, that is noted as what its use says
        of it (``_note``): every use agreeing, the calculus reads it so (``\nabla
        J(\boldsymbol\beta)`` checked)."""
        for i, f in enumerate(factors):
            if shapes[i] is not None:
                continue
            transposed = isinstance(f, t.Transpose)
            if not self._undeclared_bold_vector(f.base if isinstance(f, t.Transpose) else f):
                continue
            if not transposed and i > 0:
                before = shapes[i - 1]
                if before is not None and not before.is_scalar and before.cols != ONE:
                    shapes[i] = Shape(before.cols, ONE)
            elif transposed and i + 1 < len(factors):
                after = shapes[i + 1]
                if after is not None and not after.is_scalar and after.rows != ONE:
                    shapes[i] = Shape(ONE, after.rows)
            guessed = shapes[i]
            if guessed is None:
                continue
            self.bold_guesses.add(span_key(f))
            key = symbol_key(f.base if isinstance(f, t.Transpose) else f)
            if key is not None and not self._defined_anywhere(key[0]):
                # the letter's shape by this use, merged with its others (uses that disagree
                # drop it): the calculus types it so, and the derivatives by it are checked
                self._note(f, guessed.rows, guessed.cols)

    def _undeclared_bold_vector(self, node: t.Node) -> bool:
        r"""A bold lower-case letter (``\mathbf{x}``, ``\boldsymbol\beta``, ``\mathbf{x}_i``)
        that nothing declares, defines or signs, in any font."""
        base = node.base if isinstance(node, t.Sub) else node
        if not isinstance(base, t.Symbol) or base.font not in BOLD_FONTS or base.accents:
            return False
        name = base.name.lstrip("\\")
        if not name[:1].isalpha() or not name[:1].islower() or name in ("e", "0", "1"):
            return False
        key = symbol_key(node)
        return (
            key is not None
            and self._unknown(key[0], node.start)
            and self._unknown(base.name, node.start)
        )

    def _roots_by_neighbours(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        r"""``\tilde D^{-1/2} (A + I_N) \tilde D^{-1/2}`` with ``\tilde D`` declared and defined
        nowhere: an inverse or a root of a letter is of a square matrix or of a number, so
        beside a known n×n factor it is n×n or a scale — either way the product has that
        factor's shape; read as n×n.  Only beside a square factor (beside a rectangular one a
        letter's entrywise power, an outer product's column, would have another size)."""
        for i, f in enumerate(factors):
            if shapes[i] is not None or not self._undeclared_root(f):
                continue
            right = shapes[i + 1] if i + 1 < len(shapes) else None
            left = shapes[i - 1] if i > 0 else None
            for side in (right, left):
                if side is not None and not side.is_scalar and side.rows == side.cols:
                    shapes[i] = Shape(side.rows, side.rows)
                    break

    def _undeclared_root(self, node: t.Node) -> bool:
        """Is ``node`` an inverse or a root (``D^{-1}``, ``D^{-1/2}``, ``D^{\frac12}``) of a
        letter nothing declares, defines or signs?"""
        if not isinstance(node, t.Power) or not _root_or_inverse(node.exponent):
            return False
        key = symbol_key(node.base) if isinstance(node.base, (t.Symbol, t.Sub)) else None
        if key is None:
            return False
        return (
            not self._declared(key[0])
            and not self._defined_anywhere(key[0])
            and self._signature(key[0], node.start) is None
        )

    def _unsized_blocks(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        r"""``[C \; 0] \xi_k``, ``u^\top [B; 0]``: a matrix written out with zeros of no
        written size has the size its known neighbour asks, when its other blocks fix the rest."""
        for i, f in enumerate(factors):
            if isinstance(f, t.Sub) and isinstance(f.base, t.Accent) and f.base.accent in _BRACES:
                f = f.base.body  # \underbrace{\begin{pmatrix} C & 0 \end{pmatrix}}_{\tilde C}
            if shapes[i] is not None or not isinstance(f, t.Matrix):
                continue
            after = shapes[i + 1] if i + 1 < len(factors) else None
            before = shapes[i - 1] if i > 0 else None
            cols = after.rows if after is not None and not after.is_scalar else None
            rows = before.cols if before is not None and not before.is_scalar else None
            if rows is not None or cols is not None:
                shapes[i] = self._completed(f, rows, cols)

    def _expectations(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        """``\\mathbb{E}[x x^\\top \\mid y]``, ``\\mathbb{E}_q(z)``: an expectation has the shape of
        what it averages (the condition after ``\\mid`` left out) — unless the document
        declares ``\\mathbb{E}`` itself."""
        for i in range(len(factors) - 1):
            f, bracket = factors[i], factors[i + 1]
            if shapes[i] is not None or not isinstance(bracket, t.Paren):
                continue
            base = f.base if isinstance(f, t.Sub) else f
            if not (
                isinstance(base, t.Symbol) and base.name == "E" and base.font == "mathbb"
                and bracket.open in ("(", "[") and bracket.body is not None
                and self._lookup(("E", "mathbb"), f.start) is None
            ):  # fmt: skip
                continue
            inner = self.infer(given_part(bracket.body))
            if inner is not None:
                shapes[i], shapes[i + 1] = SCALAR, inner

    def _coefficients(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        """``\\eta \\nabla f``, ``2 \\lambda w``, ``\\sigma_n^2 x``: undeclared lowercase Greek letters
        leading a product, before a vector or matrix, are its scalar coefficients."""
        for i, f in enumerate(factors):
            if shapes[i] is not None:
                if shapes[i].is_scalar:  # type: ignore[union-attr]
                    continue
                return  # past the first vector or matrix
            if self._reciprocal(f) or self._scales_identity(factors, shapes, i):
                shapes[i] = SCALAR  # \frac{1}{N_k} \sum_i …: one over a count; s I_n
                continue
            if not self._coefficient(f):
                return
            if i + 1 < len(factors) and _arguments(factors[i + 1]) and _plain(factors[i + 1]):
                return  # \mu(x), \phi(x, y): a function's arguments, not a factor
            if any(s is not None and not s.is_scalar for s in shapes[i + 1 :]):
                shapes[i] = SCALAR
                # (kept as the letter's shape here: its hover, and --explain does not say
                # it has none while the product is checked with it)
                self.shapes[span_key(f)] = SCALAR

    def _scales_identity(self, factors: list[t.Node], shapes: list[Shape | None], i: int) -> bool:
        r"""Is ``factors[i]`` a lowercase letter nothing introduces right before an identity
        of known size (``s I_n - A``, ``z \mathbf{I} - A``, ``\lambda I``): the Laplace or
        z-transform variable, an eigenvalue — a scalar multiple of the identity."""
        node = factors[i]
        if not (isinstance(node, t.Symbol) and node.font is None and not node.accents):
            return False
        if not (node.name.isascii() and node.name.isalpha() and node.name.islower()):
            return False
        if i + 1 >= len(factors) or shapes[i + 1] is None:
            return False
        after = factors[i + 1]
        found = sized_constant(after) if isinstance(after, t.Sub) else None
        if found is None or found[0] != "identity":
            return False
        key = symbol_key(node)
        return key is not None and self._unknown(key[0], node.start)

    def _reciprocal(self, node: t.Node) -> bool:
        """Is ``node`` one over a letter nothing declares or defines (``\\frac{1}{N_k}``,
        ``\\tfrac{2}{n}``): a count or a size, leading a product as its scalar coefficient."""
        if not isinstance(node, t.Frac) or not isinstance(node.num, t.Number):
            return False
        den = node.den
        base = den.base if isinstance(den, t.Sub) else den
        if not isinstance(base, t.Symbol) or base.font is not None or base.accents:
            return False
        key = symbol_key(den)
        return key is not None and self._unknown(key[0], den.start)

    def _coefficient(self, node: t.Node) -> bool:
        """Is ``node`` a lowercase Greek letter (``\\lambda``, ``\\eta_t``, ``\\sigma_n^2``) that
        nothing declares or defines: a coefficient when it scales a vector or a matrix; so is
        such a letter over a count, ``\\frac{\\lambda}{m}``, ``\\tfrac{\\eta}{2n}``."""
        if isinstance(node, t.Paren) and node.open in ("(", "\\left(") and node.body is not None:
            # (\sigma^2 / \sigma_u^2) I_q, (1 - \bar\alpha_t) I_D
            return self._variance_ratio(node.body) or self._one_minus(node.body)
        if isinstance(node, t.Sqrt) and node.index is None:
            # \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1 - \bar\alpha_t}\, \epsilon
            return self._coefficient(node.body) or self._one_minus(node.body)
        if isinstance(node, t.Frac):
            if self._variance_ratio(node):
                return True
            return self._coefficient(node.num) and self._count(node.den)
        if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
            node = node.base
        base = node.base if isinstance(node, t.Sub) else node
        if not (
            isinstance(base, t.Symbol) and base.font is None
            and (not base.accents or (base.name, base.accents) == _SCHEDULE)
            and base.name in _GREEK_COEFFICIENTS
        ):  # fmt: skip
            return False
        if base.name == "\\delta" and node is not base:
            return False  # \delta_1, \delta_t: a layer's or a step's error vector (\delta c_t is
            # a variation, of c_t's shape)
        for key in {symbol_key(node), symbol_key(base)}:
            if key is None or not self._unknown(key[0], node.start):
                return False
        return True

    def _one_minus(self, node: t.Node) -> bool:
        r"""Is ``node`` a number plus or minus such letters, ``1 - \bar\alpha_t``,
        ``1 + \lambda``: a scalar (not ``\mu - \nu``, which may be vectors)."""
        if not isinstance(node, t.Add):
            return False
        numbers = [x for x in node.terms if isinstance(x, t.Number)]
        return bool(numbers) and all(
            isinstance(x, t.Number) or self._coefficient(x) for x in node.terms
        )

    def _variance_ratio(self, node: t.Node) -> bool:
        r"""Is ``node`` a ratio of squares of such letters, ``\frac{\sigma^2}{\tau^2}``,
        ``\sigma^2 / \sigma_u^2`` (the weight of a ridge or a mixed model's shrinkage): a
        scalar, as a letter squared is (not ``\frac{\rho}{\tau}``, a ratio the text may size)."""
        if isinstance(node, t.Frac):
            num, den = node.num, node.den
        elif isinstance(node, t.BinOp) and node.op == "/" and node.right is not None:
            num, den = node.left, node.right
        else:
            return False
        return all(
            isinstance(x, t.Power) and isinstance(x.exponent, t.Number) and self._coefficient(x)
            for x in (num, den)
        )

    def _count(self, node: t.Node | None) -> bool:
        """A number, a plain Latin letter that is a scalar (a dimension, ``m``) or that nothing
        introduces, or a product of them (``2m``): a count a coefficient is divided by (not
        ``\\sigma_2`` of ``\\frac{\\sigma_1}{\\sigma_2}``, a ratio of the example's own)."""
        if isinstance(node, t.Product):
            return all(self._count(f) for f in node.factors)
        if isinstance(node, t.Number):
            return True
        if node is None:
            return False
        base = node.base if isinstance(node, t.Sub) else node
        if not (isinstance(base, t.Symbol) and base.font is None and not base.accents):
            return False
        if not (len(base.name) == 1 and base.name.isascii() and base.name.isalpha()):
            return False
        shape = self.infer(node)
        if shape is not None:
            return shape.is_scalar
        key = symbol_key(node)
        return key is not None and self._unknown(key[0], node.start)

    def _gather_evidence(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        """``Ax`` with A m×n tells that an undeclared x has n rows: shown as inferred, never
        used to report (a guess must not make a squiggle)."""
        for i in range(len(factors) - 1):
            left, right = shapes[i], shapes[i + 1]
            if left is not None and right is None and not left.is_scalar:
                self._note(factors[i + 1], left.cols, None)
            elif left is None and right is not None and not right.is_scalar:
                self._note(factors[i], None, right.rows)

    def _difference(self, node: t.Product) -> Shape | None:
        r"""``\Delta\mathbf{y}_i`` declared as one name (``\Delta\mathbf{y}_i \in
        \mathbb{R}^{T-2}``, first differences): its shape, where ``\Delta`` is no letter the
        text sizes itself."""
        key = difference_key(node)
        if key is None or self._known("\\Delta", node.start):
            return None
        decl = self._lookup(key, node.start)
        return decl.shape if decl is not None else None

    def _differences(self, factors: list[t.Node]) -> list[t.Node]:
        r"""``\Delta\mathbf{y}_i`` among the factors, declared as one name: grouped as one
        factor (``\mathbf{W}_i\hat\delta - \Delta\mathbf{y}_i``, ``\mathbf{Z}'\Delta\mathbf{y}``)."""
        if not any(isinstance(f, t.Symbol) and f.name == "\\Delta" for f in factors[:-1]):
            return factors
        out: list[t.Node] = []
        i = 0
        while i < len(factors):
            if i + 1 < len(factors):
                pair = t.Product((factors[i], factors[i + 1]), start=factors[i].start,
                                 end=factors[i + 1].end)  # fmt: skip
                if self._difference(pair) is not None:
                    out.append(pair)
                    i += 2
                    continue
            out.append(factors[i])
            i += 1
        return out

    def _applications(self, factors: list[t.Node]) -> list[t.Node]:
        """``u (x)`` for a symbol with a signature (``u : \\mathbb{R}^n \\to \\mathbb{R}^m``) is a
        call, and ``r(x)^\\top`` its transpose (not ``r`` times ``(x)^\\top``)."""
        out: list[t.Node] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            key = symbol_key(f)
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            call = call_of(f, nxt) if nxt is not None else None
            if call is not None and (
                (key and self._called(key, f, nxt)) or self._map_of_a_map(f, nxt)  # type: ignore[arg-type]
            ):
                out.append(call)
                i += 2
                continue
            if isinstance(f, t.Apply) and self._matrix_before_bracket(f):
                out.extend(_as_product(f))  # X G(y - \mu) for a matrix G: X G (y - \mu)
                i += 1
                continue
            out.append(f)
            i += 1
        return out

    def _map_of_a_map(self, f: t.Node, bracket: t.Node) -> bool:
        r"""Is ``f`` the adjoint, inverse or dual of a map the document declares, applied to the
        round ``bracket`` written after it: ``\Phi^\dagger(O)`` after ``\Phi(\rho) \in …``
        (the Heisenberg picture), ``f^{-1}(y)``?  A call of another map, of no shape said."""
        if not isinstance(f, (t.Transpose, t.Power, t.InverseTranspose)) or not is_round(
            bracket, f
        ):
            return False
        key = symbol_key(f.base)
        if key is None:
            return False
        return (
            self._signature(key[0], f.start) is not None
            or self._valued(key, f.start) is not None
            or self._called_somewhere(key[0])
        )

    def _matrix_before_bracket(self, node: t.Apply) -> bool:
        r"""Is ``node``, read as a call (``G(\mathbf{y} - \boldsymbol\mu)``), a matrix the
        document declares or defines (``G = \operatorname{diag}(…)``) times the bracket after
        it?  Only for a letter that is no function (no signature, no value declared at a
        call, not said to act elementwise) and a bracket holding an expression, not a point
        (``\Sigma(\theta)``, ``J(x_k)``: a value at a point, as ``_matrix_times`` reads it)."""
        func = node.func
        if not node.parens or len(node.args) != 1 or not isinstance(func, (t.Symbol, t.Sub)):
            return False
        if not isinstance(node.args[0], (t.Add, t.Product, t.Neg)):
            return False
        shape = self.infer(func)  # (first: most letters before a bracket have no shape)
        if shape is None or ONE in (shape.rows, shape.cols):
            return False
        key = symbol_key(func)
        if key is None or self._signature(key[0], func.start) is not None:
            return False
        if self._valued(key, func.start) is not None or self._called_somewhere(key[0]):
            return False
        return not (self._said_shape_keeping(func) or self._said_elementwise(func))

    def _called(self, key: tuple[str, str | None], f: t.Node, bracket: t.Node) -> bool:
        """Is ``f`` applied to the round ``bracket`` after it: ``f`` has a signature or a
        declared value (``k_u(x) \\in \\mathbb{R}^m``), or the bracket is scripted and
        written right after a name nothing introduces (``\\kappa(A)^2``, the square of the
        condition number, not ``\\kappa`` times ``(A)^2``; ``k_u(x)^\\top``)?"""
        if self._signature(key[0], f.start):
            return True
        if not is_round(bracket, f):
            return False
        if self._valued(key, f.start) is not None:
            return True
        if self._called_somewhere(key[0]):
            return True  # \mathbf{J}(\mathbf{q}) for a J declared at a call elsewhere
        if isinstance(bracket, t.Paren) and self._said_shape_keeping(f):
            return True  # \mathcal{F}(X) for "$\mathcal{F}$ keeps the shape of its input"
        if _scripted_time(bracket) and isinstance(f, (t.Symbol, t.Sub)):
            return (
                True  # \mathbf{g}(t)^\top of a signal: the transpose of its value, not g (t)^\top
            )
        return (
            not isinstance(bracket, t.Paren)
            and isinstance(f, (t.Symbol, t.Sub))
            and self._unknown(key[0], f.start)
        )

    def _factor(self, node: t.Node, followed: bool, preceded: bool = False) -> Shape | None:
        """A factor of a product; ``x'`` before another factor is a transpose (``x' A x``), and
        so is a matrix's ``A'`` after one (``C C'``, ``A \\Sigma A'``)."""
        if isinstance(node, t.Prime) and (followed or preceded) and node.count == 1:
            own = self._declaration(node)  # Z' \in \mathbb{R}^{N \times d}: a name, no transpose
            if own is not None:
                return own.shape
            named = self.infer(node)  # L' = L + \operatorname{MHA}(L) defined: a name too
            if named is not None:
                return named
            s = self.infer(node.base)
            if s is not None and not s.is_scalar and (followed or ONE not in (s.rows, s.cols)):
                shape = s.transposed()
                self.shapes[span_key(node)] = shape
                return shape
            return None
        return self.infer(node)

    def _matmul(
        self,
        a: Shape,
        b: Shape,
        left: t.Node,
        right: t.Node,
        left_is_factor: bool = True,
        left_factors: list[t.Node] | None = None,
    ) -> Shape | None:
        if a.is_scalar:
            return b
        if b.is_scalar:
            return a
        if self._same(a.cols, b.rows, left.start):
            return Shape(a.rows, b.cols)
        if (
            left_is_factor and isinstance(left, t.Symbol | t.Sub) and _arguments(right)
            and _plain(right) and right.start == left.end
        ):  # fmt: skip
            return None  # K(\theta): a kernel matrix as a function of its parameters, maybe
        if self._borrowed(left, right):
            return (
                None  # u_k = -K x_k: the K of an earlier section's computation, maybe not this one
            )
        fixes: list[Fix] = []
        if self._same(a.rows, b.rows, left.start) and left_is_factor:
            fixes.append(self._transpose_fix(left))
        if self._same(a.cols, b.cols, left.start):
            fixes.append(self._transpose_fix(right))
        operands = self._described(left, a), self._described(right, b)
        message = messages.matmul_mismatch(*operands, (a.cols, b.rows), self._hint(fixes))
        related = self._related(*(left_factors or [left]), right)
        self._emit("matmul-mismatch", message, left.start, right.end, related, tuple(fixes))
        return None

    def _broadcast(self, node: t.Node, a: Shape, b: Shape) -> bool:
        r"""Is one operand a row (1×k) that broadcasts along the other's rows, by the rule
        sums follow (``shapes.broadcasting``)?  Only a row, written or declared as one (DoRA's
        magnitude ``m \odot V``): a column beside a matrix (``P_i \odot c_{t-1}``, an LSTM's
        peephole as a full matrix) is the product ``P_i c_{t-1}`` mistyped."""
        plain = self._written_plainly(node)
        return (a.rows == 1 and broadcast_verdict(a, b, plain)) or (
            b.rows == 1 and broadcast_verdict(b, a, plain)
        )

    def _written_plainly(self, node: t.Node) -> bool:
        r"""Is every letter of the sum sized by the document itself (declared, defined with a
        shape, or said to be a scalar, ``t > 0``)?  See ``shapes.broadcasting``."""
        at = node.start

        def sized(key: tuple[str, str | None]) -> bool:
            return (
                self._lookup(key, at) is not None
                or self._sized_definition(key[0], at) is not None
                or self._weak(key, at) is not None
            )

        def member(sub: t.Sub) -> bool:  # \Lambda_{t|t-1} of a filter's family, sized
            index = sub.index
            conditional = isinstance(index, t.Chain) and all(
                r in ("\\mid", "|") for r in index.relations
            )
            return (conditional or _shifted(index)) and self.infer(sub) is not None

        return written_plainly(node, sized, member)

    def _add(self, node: t.Add) -> Shape | None:
        shapes = [self.infer(term) for term in node.terms]
        self._diagonal_matrices(node.terms, shapes)
        self._plus_a_constant(node, shapes)
        matrices = [
            (term, s)
            for term, s in zip(node.terms, shapes, strict=True)
            if s is not None and not s.is_scalar
        ]
        for term, s in matrices[1:]:
            first, fs = matrices[0]
            if not self._agrees(s, fs, node.start):
                if self._borrowed(first, term):
                    return None
                plain = self._written_plainly(node)
                if (broadcast_verdict(s, fs, plain) and not self._sized_identity(first)) or (
                    broadcast_verdict(fs, s, plain) and not self._sized_identity(term)
                ):
                    return None  # XW + b with b a row: broadcasting, as ML papers write it
                fixes = (
                    (self._transpose_fix(term),)
                    if self._agrees(s, fs.transposed(), node.start)
                    else ()
                )
                message = messages.add_mismatch(
                    self._described(first, fs), self._described(term, s), self._hint(fixes)
                )
                related = self._related(first, term)
                self._emit("add-mismatch", message, node.start, node.end, related, fixes)
                return None
        if matrices:  # x + Ay: an undeclared term has the shape of the others (shown, not used)
            for term, shape in zip(node.terms, shapes, strict=True):
                if shape is None and not self._identity(term):
                    self._note(term, matrices[0][1].rows, matrices[0][1].cols)
        # an undeclared identity (\lambda I) takes the shape of what it is added to; so does
        # an undeclared standard basis vector added to columns (\mathbf{p} - \mathbf{e}_y)
        square = any(s is not None and not s.is_vector and s.rows == s.cols for s in shapes)
        columns = [s for s in shapes if s is not None and not s.is_scalar]
        columns_only = bool(columns) and all(s.cols == ONE for s in columns)
        adapted = [
            s is None
            and (
                self._identity(term)
                or (square and self._ones_outer(term))
                or (columns_only and self._basis_vector(term))
                or (columns_only and self._bias_vector(term))
                # \mathbf{1} - \boldsymbol\sigma: the unsized ones of the columns' length (also
                # scaled: \sqrt{\mathbf v} + \epsilon\mathbf 1)
                or (columns_only and self._scaled_ones(term))
            )
            for term, s in zip(node.terms, shapes, strict=True)
        ]
        known = [s for s in shapes if s is not None]
        if any(s is None and not a for s, a in zip(shapes, adapted, strict=True)):
            # P - Y with Y n×K and P undeclared: whether P is Y's shape or broadcast into it
            # (a scalar, a row), the difference is n×K — when no dimension of Y is 1 (a
            # vector b may be broadcast into a larger W X in b + W X) and no term is a scalar
            if (
                columns
                and len(columns) == len(known)
                and ONE not in (columns[0].rows, columns[0].cols)
            ):
                return columns[0]
            return None
        non_scalar = [s for s in known if not s.is_scalar]
        if any(adapted) and not non_scalar:
            return None
        if non_scalar and len(non_scalar) < len(known) and self._inner_beside_outer(node, shapes):
            return None  # (reported: u^\top v + A where u v^\top fits)
        # scalar + matrix: broadcasting, or \lambda I meant — not said to be wrong, but either
        # way the matrix's shape (P x (\lambda + x x^\top P)^{-1} disagrees under both)
        return non_scalar[0] if non_scalar else SCALAR

    def _flanked_diagonals(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        r"""``\mathbf x^\top \operatorname{diag}(VV^\top)\,\mathbf x``, ``\operatorname{diag}(H)B``
        with H n×n: before a factor of n rows (and after one of n columns, if any), the diagonal
        of a square matrix is the diagonal matrix (papers write ``\operatorname{diag}`` for
        both; read as the vector, the product would disagree, or scale a vector by an inner
        product)."""
        for i in range(len(factors) - 1):
            f, s, right = factors[i], shapes[i], shapes[i + 1]
            left = shapes[i - 1] if i else None
            if s is None or right is None or right.is_scalar:
                continue
            if not (
                isinstance(f, t.Apply) and isinstance(f.func, t.Func) and len(f.args) == 1
                and DIAG_SPELLINGS.get(f.func.name) == "diag" and f.args[0] is not None
            ):  # fmt: skip
                continue
            arg = self.shapes.get(span_key(f.args[0]))
            if arg is None or arg.is_vector or s != Shape(arg.rows, ONE):
                continue
            n = arg.rows
            if self._same(right.rows, n, f.start) and (
                left is None or left.is_scalar or self._same(left.cols, n, f.start)
            ):
                shapes[i] = Shape(n, n)

    def _inner_beside_outer(self, node: t.Add, shapes: list[Shape | None]) -> bool:
        r"""``\boldsymbol\alpha^\top \boldsymbol\alpha - K_y^{-1}``, ``A + \mathbf{u}^\top
        \mathbf{v}``: an inner product of two n-vectors (1×1) added to an n×n matrix, where the
        outer product (n×n) is what fits — a slip of the transposes, not a scalar added to every
        entry or times the identity (a letter, ``\lambda``, may be either; this is neither).
        Reported; True when it is."""
        square = [
            (term, s) for term, s in zip(node.terms, shapes, strict=True)
            if s is not None and not s.is_scalar and not s.is_vector and s.rows == s.cols
        ]  # fmt: skip
        if len(square) + sum(1 for s in shapes if s is not None and s.is_scalar) != len(shapes):
            return False
        if not square:
            return False
        matrix, ms = square[0]
        for term, s in zip(node.terms, shapes, strict=True):
            if s is None or not s.is_scalar:
                continue
            length = self._inner_length(term) or self._applied_inner_length(term, square)
            if length is None or not self._same(length, ms.rows, node.start):
                continue
            message = messages.add_mismatch(
                self._described(matrix, ms),
                f"`{self._quote(term)}` is 1×1 (an inner product; the outer product would be "
                f"{ms.short()})",
                "",
            )
            related = self._related(matrix, term)
            self._emit("add-mismatch", message, node.start, node.end, related, ())
            return True
        return False

    def _applied_inner_length(self, term: t.Node, square: list[tuple[t.Node, Shape]]) -> Dim | None:
        r"""The length n of ``\sigma(\mathbf c^\top\mathbf u)``, a function of an inner
        product, where the same function of a square matrix is a term too (``1 -
        \sigma(\mathbf c\mathbf u^\top) + \sigma(\mathbf c^\top\mathbf u)``): the function
        keeps its argument's shape, so the slip of the transposes is the one an inner
        product beside an outer one is."""
        inner = term.operand if isinstance(term, t.Neg) else term
        if not (isinstance(inner, t.Apply) and len(inner.args) == 1 and inner.args[0] is not None):
            return None
        name = show(inner.func)
        for other, _ in square:
            other = other.operand if isinstance(other, t.Neg) else other
            if isinstance(other, t.Apply) and show(other.func) == name:
                return self._inner_length(inner.args[0])
        return None

    def _inner_length(self, term: t.Node) -> Dim | None:
        r"""The length n of ``u^\top v`` (a row times a column, both of n entries, perhaps
        negated, perhaps after scalar coefficients: ``h'(s)\,\mathbf w^\top\mathbf u``),
        else None.  So is ``\sum_{s} \mathbf x_s^\top \mathbf x_s`` (a sum of such inner
        products, as a design matrix ``\lambda I + \sum_s x_s x_s^\top`` is miswritten)."""
        if isinstance(term, t.Neg):
            term = term.operand
        if isinstance(term, t.BigOp) and term.op == "\\sum" and term.body is not None:
            return self._inner_length(term.body)
        if not isinstance(term, t.Product) or len(term.factors) < 2:
            return None
        *coefficients, row, column = term.factors
        for f in coefficients:
            c = self.shapes.get(span_key(f))
            if c is None or not c.is_scalar:
                return None
        a, b = self.shapes.get(span_key(row)), self.shapes.get(span_key(column))
        if a is None or b is None or a.rows != ONE or b.cols != ONE or a.cols == ONE:
            return None
        if not isinstance(row, t.Transpose):
            return None  # (written as a transpose: not a 1×n of its own)
        return a.cols if a.cols == b.rows else None

    def _diagonal_matrices(self, terms: tuple[t.Node, ...], shapes: list[Shape | None]) -> None:
        r"""``I_n - \operatorname{diag}(H)`` with H n×n: added to a square matrix, the diagonal of
        a square matrix is the diagonal matrix (papers write ``\operatorname{diag}`` for both)."""
        square = [s for s in shapes if s is not None and not s.is_vector and s.rows == s.cols]
        if not square:
            return
        for i, term in enumerate(terms):
            inner = diag_argument(term.operand if isinstance(term, t.Neg) else term)
            if inner is None:
                continue
            arg = self.shapes.get(span_key(inner))  # (inferred with the term)
            s = shapes[i]
            if arg is None or s is None or arg.is_vector or s != Shape(arg.rows, ONE):
                continue
            if any(self._agrees(q, Shape(arg.rows, arg.rows), term.start) for q in square):
                shapes[i] = Shape(arg.rows, arg.rows)

    def _plus_a_constant(self, node: t.Add, shapes: list[Shape | None]) -> None:
        r"""``… + c``, ``- C``, ``+ \text{const}``, ``+ \mathrm{const}`` ending a sum of numbers
        (a log-likelihood, a loss "up to a constant"): a number too, where nothing declares,
        defines or signs the letter — so that the sum is a number (compared with a gradient
        said equal to it) rather than of unknown shape."""
        last = node.terms[-1]
        if (
            len(shapes) < 2 or shapes[-1] is not None or node.signs[-1] not in ("+", "-")
            or not all(s is not None and s.is_scalar for s in shapes[:-1])
        ):  # fmt: skip
            return
        if constant_word(last) or (constant_letter(last) and self._unknown(last.name, last.start)):  # type: ignore[attr-defined]
            shapes[-1] = SCALAR

    def _sized_identity(self, node: t.Node) -> bool:
        """``I_n``, ``-\\rho I_p``: an identity of written size, which no vector is broadcast over
        (``A\\mathbf{1}_n + I_n`` is a mistake, where ``X + \\mu`` may broadcast)."""
        if isinstance(node, t.Neg):
            return self._sized_identity(node.operand)
        if isinstance(node, t.Product):
            rest = [f for f in node.factors if not self._sized_identity(f)]
            return len(rest) == len(node.factors) - 1 and all(
                (s := self.infer(f)) is not None and s.is_scalar for f in rest
            )
        if not isinstance(node, t.Sub):
            return False
        found = sized_constant(node)
        return found is not None and found[0] == "identity" and self.infer(node) is not None

    def _identity(self, node: t.Node) -> bool:
        """An undeclared identity matrix, possibly scaled: ``I``, ``\\mathbf{I}``, ``\\lambda I``, ``-2I``."""
        if isinstance(node, t.Neg):
            return self._identity(node.operand)
        if isinstance(node, t.Product):
            others = [f for f in node.factors if not self._identity(f)]
            return len(others) == len(node.factors) - 1 and all(
                ((s := self.infer(f)) is not None and s.is_scalar) or self._coefficient(f)
                for f in others
            )
        key = symbol_key(node)
        return key is not None and key[0] == "I" and not self._declared(key[0])

    def _basis_vector(self, node: t.Node) -> bool:
        r"""An undeclared standard basis vector, possibly negated: ``\mathbf{e}_i``, ``e_{y_t}``
        (the one-hot vector of a label), where neither it nor the letter e has a shape.  Added
        to columns, it is a column of their length (the sum has their shape, whatever it is)."""
        if isinstance(node, t.Neg):
            return self._basis_vector(node.operand)
        if not isinstance(node, t.Sub) or not isinstance(node.base, t.Symbol):
            return False
        base = node.base
        if base.name != "e" or base.accents or (base.font is not None and base.font not in _BOLD):
            return False
        key = symbol_key(node)
        return key is not None and not self._declared(key[0]) and not self._declared("e")

    def _bias_vector(self, node: t.Node) -> bool:
        r"""An undeclared bold lowercase letter, possibly subscripted or negated: ``\mathbf
        b_\pi`` of ``W_\pi\mathbf h + \mathbf b_\pi`` (a layer's bias, which papers rarely
        size).  Added to columns it is one of their length, or a number broadcast: the sum
        has their shape either way."""
        if isinstance(node, t.Neg):
            return self._bias_vector(node.operand)
        letter = node.base if isinstance(node, t.Sub) else node
        if not isinstance(letter, t.Symbol) or letter.accents or letter.font not in _BOLD:
            return False
        if not (len(letter.name) == 1 and "a" <= letter.name <= "z"):
            return False
        key = symbol_key(node)
        return key is not None and not self._declared(key[0])

    def _scaled_ones(self, term: t.Node) -> bool:
        r"""Is ``term`` the unsized ones column, maybe negated or scaled by scalars
        (``\mathbf 1``, ``-\mathbf 1``, ``\epsilon\mathbf 1``)?"""
        if isinstance(term, t.Neg):
            term = term.operand
        if _ones(term) == "column":
            return True
        if not isinstance(term, t.Product):
            return False
        ones = [f for f in term.factors if _ones(f) == "column"]
        if len(ones) != 1:
            return False
        for f in term.factors:
            if f is not ones[0]:
                s = self.shapes.get(span_key(f))
                if s is None or not s.is_scalar:
                    return False
        return True

    def _ones_outer(self, node: t.Node) -> bool:
        r"""``\tfrac1n \mathbf{1}\mathbf{1}^\top``: the unsized all-ones matrix, possibly scaled,
        which takes the size of the square matrix it is added to (``I_n - \tfrac1n
        \mathbf{1}\mathbf{1}^\top``)."""
        if isinstance(node, t.Neg):
            return self._ones_outer(node.operand)
        if not isinstance(node, t.Product):
            return False
        fs = node.factors
        pairs = [
            i for i in range(len(fs) - 1) if _ones(fs[i]) == "column" and _ones(fs[i + 1]) == "row"
        ]
        if len(pairs) != 1:
            return False
        others = fs[: pairs[0]] + fs[pairs[0] + 2 :]
        return all(
            ((s := self.infer(f)) is not None and s.is_scalar) or self._coefficient(f)
            for f in others
        )

    def _binop(self, node: t.BinOp) -> Shape | None:
        a = self.infer(node.left)
        b = self.infer(node.right)
        if node.right is None:
            return None
        op = node.op
        if a is None or b is None:
            return _with_unknown(op, a, b, node.right)
        if op in _CONVOLUTIONS and not _scaled_by_number(node, a, b):
            if a.is_scalar or b.is_scalar or not self._gate("star-hadamard"):
                return None  # a kernel convolved with a signal, or a scaling: no shape
            return self._hadamard(node, node.right, a, b)  # "where $*$ is the Hadamard product"
        if op in _SCALES and (a.is_scalar or b.is_scalar):
            return b if a.is_scalar else a  # a scalar times anything, elementwise or not
        if op == "\\circ" and self._functions_named(node.left, node.right):
            return None  # r \circ g: maps composed, not their values multiplied
        if op == "\\circ" and not (a.is_scalar or b.is_scalar):
            # A \circ B: the Hadamard product as statistics texts write it, or linear maps
            # composed (A B): either reading that fits is taken, a mismatch only if none does
            if self._agrees(a, b, node.start):
                return a
            if self._same(a.cols, b.rows, node.start):
                return Shape(a.rows, b.cols)
        if op in ("\\odot", "\\oslash", "\\circ"):
            return self._hadamard(node, node.right, a, b)
        if op == "\\otimes":
            return Shape(a.rows * b.rows, a.cols * b.cols)
        if op == "\\cdot":
            if a.cols == ONE and b.cols == ONE and self._same(a.rows, b.rows, node.start):
                return SCALAR  # a dot product of two vectors
            return self._matmul(a, b, node.left, node.right)
        if op == "/":
            return a if b.is_scalar else _reciprocal(node.left, a, b)
        return None

    def _hadamard(self, node: t.BinOp, right: t.Node, a: Shape, b: Shape) -> Shape | None:
        r"""``A \odot B``, ``A \oslash B``, ``A \circ B`` of arrays (``right`` is B): equal
        shapes, or a row broadcast along a matrix (``_broadcast``)."""
        if node.op == "\\circ" and (a.is_scalar or b.is_scalar):
            return None  # (f \circ g of functions: no shape to compare)
        if node.op == "\\odot" and self._same(a.cols, b.cols, node.start) and self._gate("khatri"):
            return self._khatri_rao(a, b, node.start)
        if self._agrees(a, b, node.start):
            return a
        if self._broadcast(node, a, b):
            return None  # m \odot M with m a 1×k row: broadcast along M's rows, as in sums
        message = messages.elementwise_mismatch(
            node.op, self._described(node.left, a), self._described(right, b)
        )
        related = self._related(node.left, right)
        self._emit("elementwise-mismatch", message, node.start, node.end, related)
        return None

    def _khatri_rao(self, a: Shape, b: Shape, at: int) -> Shape | None:
        r"""``C \odot B`` where the document names the Khatri–Rao product (``gates``): the
        columnwise Kronecker product of a K×R and a J×R matrix, KJ×R; with equal shapes
        either product may be meant (no shape); with unequal columns neither is defined (the
        caller reports it as for a Hadamard product)."""
        if self._agrees(a, b, at):
            return None
        return Shape(a.rows * b.rows, a.cols)

    def _functions_named(self, *nodes: t.Node | None) -> bool:
        """Is one of these a function's name alone (``r`` of ``r : ℝⁿ → ℝᵐ``)?"""
        for node in nodes:
            key = symbol_key(node) if isinstance(node, t.Symbol) else None
            if key is not None and self._signature(key[0], node.start) is not None:  # type: ignore[union-attr]
                return True
        return False

    def _frac(self, node: t.Frac) -> Shape | None:
        num = self.infer(node.num)
        den = self.infer(node.den)
        if den is None and num is not None and not num.is_scalar and _letter_power(node.den):
            # \frac{X^\top X}{\sigma^2} with σ undeclared: a matrix is not divided by a matrix
            # (and were σ² a square matrix, X^T X σ^{-2} would keep X^T X's shape); not
            # \frac{1}{\kappa} A, whose A may be a matrix of another section's
            return num
        if den is not None and num is not None and not den.is_scalar:
            return _reciprocal(node.num, num, den)
        return num if den is not None and den.is_scalar else None


def _reciprocal(num: t.Node, a: Shape, b: Shape) -> Shape | None:
    r"""``1/(w_{22} - \mathbf w_{12}\boldsymbol\beta^\top)``, ``\frac{1}{M}``: a number written
    out over a square matrix, its entries' reciprocals or its inverse (papers write both):
    of its shape either way.  Not over a vector or another matrix (``1/\mathbf x`` may be
    entrywise or a misprint for a norm), nor a letter over one."""
    if not (isinstance(num, t.Number) and a.is_scalar) or b.rows != b.cols:
        return None
    return b


def _scaled_by_number(node: t.BinOp, a: Shape, b: Shape) -> bool:
    """Is ``node`` (``2 * x``) a scaling by a number written out, or of two scalars?"""
    if a.is_scalar and b.is_scalar:
        return True
    scalar = node.left if a.is_scalar else node.right if b.is_scalar else None
    return isinstance(scalar, t.Number)


def _with_unknown(op: str, a: Shape | None, b: Shape | None, right: t.Node) -> Shape | None:
    """A binary operation with an operand of unknown shape."""
    if op == "/" and a is not None and not a.is_scalar and _letter_power(right):
        return a  # X^\top X / \sigma^2 with σ undeclared (as \frac is read)
    known = a if a is not None else b
    return _elementwise_with_unknown(known) if op in ("\\odot", "\\oslash") else None


def _root_or_inverse(exponent: t.Node) -> bool:
    r"""``-1``, ``-1/2``, ``1/2``, ``-\frac12``: the exponent of an inverse or a root."""
    negative = isinstance(exponent, t.Neg)
    if negative:
        exponent = exponent.operand  # type: ignore[attr-defined]
    if isinstance(exponent, t.Number):
        return negative
    if isinstance(exponent, t.BinOp) and exponent.op == "/":
        return isinstance(exponent.left, t.Number) and isinstance(exponent.right, t.Number)
    if isinstance(exponent, t.Frac):
        return isinstance(exponent.num, t.Number) and isinstance(exponent.den, t.Number)
    return False


def _letter_power(node: t.Node) -> bool:
    r"""``\sigma``, ``\sigma^2``, ``\tau_0^2``: a plain letter or its power, as the
    denominators of fractions are (not ``x^\top x`` nor ``\lVert x \rVert``)."""
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
        node = node.base
    return isinstance(node, (t.Symbol, t.Sub)) and symbol_key(node) is not None


def _elementwise_with_unknown(known: Shape | None) -> Shape | None:
    """``T \\odot \\log P`` with P unknown: P is the same matrix as T or is broadcast into it (a
    vector, a scalar), so the product has T's shape — when T has no dimension 1 (a vector
    ``x \\odot Q`` may be broadcast into a larger Q)."""
    return known if known is not None and ONE not in (known.rows, known.cols) else None


def _squared_call(factors: list[t.Node], shapes: list[Shape | None]) -> bool:
    r"""``W_2^2(\mu, \nu)``, ``d^2(x, y)``: the square of a number (a distance) followed by
    round brackets around two or more letters, its arguments: a number."""
    power, paren = factors
    if shapes[1] is not None or shapes[0] is None or not shapes[0].is_scalar:
        return False
    if not (isinstance(power, t.Power) and isinstance(power.exponent, t.Number)):
        return False
    if power.exponent.text != "2" or not isinstance(paren, t.Paren):
        return False
    body = paren.body
    return (
        paren.open in ("(", "\\left(") and isinstance(body, t.List) and len(body.items) > 1
        and all(i is not None and symbol_key(i) is not None for i in body.items)
    )  # fmt: skip


def _as_product(node: t.Apply) -> tuple[t.Node, t.Node]:
    r"""``G(y - \mu)`` as the factors ``G`` and ``(y - \mu)``."""
    bracket = t.Paren(node.args[0], "(", ")", start=node.func.end, end=node.end)
    return node.func, bracket


def given_part(node: t.Node) -> t.Node:
    """What a conditional ``x \\mid y`` is about (``x``); any other node itself."""
    if isinstance(node, t.Chain) and node.relations and node.relations[0] in _GIVEN:
        return node.items[0] if node.items[0] is not None else node
    return node


_GIVEN = frozenset({"\\mid", "|", "\\vert"})


def _arguments(node: t.Node) -> bool:
    """Could this factor be the arguments of the one before it (``(x)`` in ``A(x) x``)?"""
    return isinstance(node, t.Paren) and node.open in ("(", "\\left(")


def _plain(paren: t.Node) -> bool:
    """Brackets around symbols only, as arguments are: ``(x)``, ``(x, y)``."""
    body = paren.body if isinstance(paren, t.Paren) else None
    items = body.items if isinstance(body, (t.List, t.Sequence)) else (body,)
    return all(i is not None and symbol_key(i) is not None for i in items)


def _span_node(first: t.Node, last: t.Node) -> t.Node:
    """A stand-in covering first..last, to quote and locate a run of factors."""
    return t.Opaque("", start=first.start, end=last.end, from_macro=first.from_macro or last.from_macro,
                    span=(first.span[0], last.span[1]))  # fmt: skip


_BOLD = frozenset(("mathbf", "bm", "boldsymbol", "pmb"))


def number_written(node: t.Node | None) -> bool:
    """A number as written (``2``, ``\\frac{1}{2}``, ``-1``): a gradient operator before it
    is applied to the rest of its product, not to the number."""
    if isinstance(node, t.Number):
        return True
    if isinstance(node, t.Neg):
        return number_written(node.operand)
    return isinstance(node, t.Frac) and number_written(node.num) and number_written(node.den)


def _operator_on_the_rest(factors: list[t.Node], shapes: list[Shape | None]) -> None:
    r"""``\frac{\partial}{\partial A} \tfrac12 \mathbf{y}^\top A^{-1} \mathbf{y}``: a derivative
    written as an operator before a number applies to all that follows (as the calculus reads
    it), not to the number: sized as the derivative of a number only where the rest is a
    scalar (``\frac{\partial}{\partial W} \frac12 \|W x - y\|^2``), else of unknown shape."""
    for i, f in enumerate(factors[:-1]):
        if isinstance(f, t.Derivative) and number_written(f.body) and shapes[i] is not None:
            if any(s is None or not s.is_scalar for s in shapes[i + 1 :]):
                shapes[i] = None


def _ones(node: t.Node) -> str | None:
    r"""``\mathbf{1}`` with no size: "column"; its transpose: "row"; else None."""
    if isinstance(node, t.Transpose):
        return "row" if _ones(node.base) == "column" else None
    if isinstance(node, t.Symbol) and node.name == "1" and node.font in _BOLD:
        return "column" if not node.accents else None
    return None


def _unsized_ones(factors: list[t.Node], shapes: list[Shape | None]) -> None:
    r"""``\mathbf{1}^\top w``, ``A\mathbf{1}``: the all-ones vector written without its size has
    the one that makes it multiply its known neighbour (a row before a column or a matrix, a
    column after a matrix); beside a scalar or another unknown it stays unsized."""
    for i, f in enumerate(factors):
        kind = _ones(f) if shapes[i] is None else None
        if kind == "row" and i + 1 < len(factors):
            after = shapes[i + 1]
            if after is not None and after.rows != ONE and _ones(factors[i + 1]) is None:
                shapes[i] = Shape(ONE, after.rows)
        elif kind == "column" and i > 0:
            before = shapes[i - 1]
            if before is not None and before.cols != ONE and _ones(factors[i - 1]) is None:
                shapes[i] = Shape(before.cols, ONE)


# how papers spell the diagonal operator (``\DeclareMathOperator{\Diag}{Diag}``)
DIAG_SPELLINGS = {"diag": "diag", "Diag": "diag"}


def _differentials(factors: list[t.Node], shapes: list[Shape | None]) -> None:
    r"""``dO^\top P``, ``P^\top dO``, ``\mathrm{d}X``: an undeclared ``d`` before a factor is
    the differential, which has the shape of what it applies to (and ``dO^\top`` is
    ``(dO)^\top``): for shapes, a scalar."""
    for i, f in enumerate(factors):  # \int_0^h e^{A s} \mathrm{d}s\, B: the measure of a time
        if shapes[i] is None and isinstance(f, t.Differential) and _time_letter(f.body):
            shapes[i] = SCALAR
    for i in range(len(factors) - 1):
        d, after = shapes[i], shapes[i + 1]
        if after is None or not is_d(factors[i]) or not isinstance(factors[i + 1], _DIFFERENTIATED):
            continue
        if d is None:
            shapes[i] = SCALAR
        elif (
            d.cols == ONE and not d.is_scalar and after.rows != ONE
            and factors[i].end == factors[i + 1].start
        ):  # fmt: skip
            shapes[i] = SCALAR  # d\pi with a vector d declared: d times \pi would not conform


def _differential_of(d: t.Node, after: t.Node, shape: Shape | None) -> bool:
    """Is ``d`` the differential written just before ``after`` (``dZ``), read as a scalar?"""
    return shape is not None and shape.is_scalar and is_d(d) and d.end == after.start


def _time_letter(node: t.Node | None) -> bool:
    r"""``s``, ``t``, ``\tau``: a time an integral runs over (undeclared, as asked)."""
    return isinstance(node, t.Symbol) and not node.font and node.name in ("s", "t", "\\tau")


# what a differential is written before: dX, dX^\top, dx_i, dW^{(l)}
_DIFFERENTIATED = (t.Symbol, t.Sub, t.Transpose, t.Tagged, t.Font)


def _constant_pi(factors: list[t.Node], shapes: list[Shape | None]) -> None:
    """``2\\pi``, ``(2\\pi)^{d/2}``: a number times a bare ``\\pi`` is the constant, even where
    ``\\pi`` is declared (mixing weights ``\\pi \\in \\Delta^{K-1}``, written ``\\pi_k``)."""
    for i in range(1, len(factors)):
        f = factors[i]
        if (
            isinstance(f, t.Symbol) and f.name == "\\pi" and f.font is None and not f.accents
            and isinstance(factors[i - 1], t.Number) and shapes[i] is not None
        ):  # fmt: skip
            shapes[i] = SCALAR


def _scripted_time(bracket: t.Node) -> bool:
    r"""Is ``bracket`` a round bracket around a time (or a time of a sequence, ``s_t``),
    transposed or raised (``(t)^\top``, ``(\tau)^{-1}``): what follows a signal's letter in
    ``\mathbf{g}(t)^\top``?"""
    wrapped = round_base(bracket)
    if wrapped is None:
        return False
    body = wrapped[1].body
    # (\boldsymbol\phi(s_t)^\top, \mathbf g(t_k)^\top: at a time of a sequence, the same)
    return _time_letter(body.base if isinstance(body, t.Sub) else body)


def _shifted(index: t.Node) -> bool:
    r"""``t-1``, ``\ell+1``: the index of an iterate next to a member the document sizes
    (``\mathbf v_{t-1}`` beside a declared ``\mathbf v_t``), sized as plainly as it."""
    return (
        isinstance(index, t.Add)
        and len(index.terms) == 2
        and isinstance(index.terms[0], t.Symbol)
        and isinstance(index.terms[1], t.Number)
    )
