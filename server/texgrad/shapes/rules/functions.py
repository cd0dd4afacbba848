r"""Rules for functions: applications of named functions (``\operatorname{tr}``, ``\log``,
``\operatorname{diag}``), of declared signatures (``f : \mathbb{R}^n \to \mathbb{R}``) and
densities (``p(z \mid x)``); big operators (``\sum``); derivatives and gradients."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from texgrad.shapes import messages
from texgrad.shapes.diagnostics import Related
from texgrad.shapes.dim_terms import integer
from texgrad.shapes.dims import ONE, SCALAR, Shape, dim_of, same
from texgrad.shapes.families import SUBSCRIPT_LABELS
from texgrad.shapes.formulas import call_key
from texgrad.shapes.gates import ELEMENTWISE, SHAPE_KEEPING
from texgrad.shapes.questions import LAYOUT, LAYOUT_KEY
from texgrad.shapes.rules.base import row_map_key, span_key
from texgrad.shapes.rules.exponentials import ExponentialRules
from texgrad.shapes.rules.products import DIAG_SPELLINGS, given_part, number_written
from texgrad.shapes.rules.relations import operator_key, other_layout
from texgrad.shapes.table import Declaration, Signature
from texgrad.syntax import tree as t
from texgrad.syntax.commands import GREEK
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

# fonts that make a letter a vector or a matrix (\nabla \mathbf{f}: a Jacobian)
_BOLD = frozenset({"mathbf", "bm", "boldsymbol", "pmb", "vb", "mathbfit"})
# the letters (and fonts) papers name a scalar loss with, never introduced: \frac{\partial L}{…}
_LOSS_LETTERS = frozenset({("L", None), ("\\ell", None), ("L", "mathcal"), ("J", "mathcal")})
# letters that name a probability or a density when applied as p(z \mid x) or p(x; \theta)
_DENSITIES = frozenset({"p", "q"})
# moments: an expectation keeps its argument's shape, a (co)variance of vectors is a matrix
_MOMENTS = frozenset({"E", "Var", "var", "Cov", "cov"})
# functions of a square matrix, by what messages call them
_SQUARE_FUNCS = {"tr": "trace", "Tr": "trace", "trace": "trace", "det": "determinant"}


# what a bracket after a matrix's name holds when the name is a function's at a point
_AT_A_POINT = (t.Symbol, t.Sub, t.Tagged, t.Accent, t.Font, t.Number, t.List, t.Chain)


class FunctionRules(ExponentialRules):
    """Applications, big operators, derivatives and gradients."""

    def _apply(self, node: t.Apply) -> Shape | None:
        args = [self.infer(a) for a in node.args]
        func = node.func
        if isinstance(func, t.Func) and func.name.lower() == "concat":
            return self._concatenated(node, args)
        if isinstance(func, t.Func):
            return self._named(DIAG_SPELLINGS.get(func.name, func.name), func, node, args)
        logistic = func.base if isinstance(func, t.Prime) and func.count <= 2 else func
        if (
            isinstance(logistic, t.Symbol)
            and logistic.name in ("\\sigma",)
            and len(args) == 1
            and not self._declared("\\sigma")
        ):
            return args[0]  # the logistic function, elementwise, and its derivative \sigma'(z)
        key = symbol_key(func)
        sig = self._signature(key[0], func.start) if key else None
        own = self._elementwise(logistic) is not None or (
            # (h'(z) of h = \tanh: the derivative of an entrywise function is entrywise)
            sig is None and (self._said_elementwise(logistic) or self._said_shape_keeping(func))
        )
        if own and len(args) == 1:
            # \phi(\mathbf z), \phi'(\mathbf z) for \phi(z) = \max(0, z), or "$\phi$ is
            # applied elementwise", "an element-wise activation $f$": entry by entry
            return args[0]
        if sig is None and key is not None:
            valued = self._valued_call(key, node)
            # J_u(x) \in \mathbb{R}^{m \times d}, declared so: at a point (at a batch of
            # points, k_u(X_*), the values are stacked)
            if valued is not None and all(a is not None and a.cols == ONE for a in args):
                return valued.shape
            if valued is not None and self._as_declared(node, valued, args):
                return valued.shape  # \tau(y) \in \mathbb{R}^{M \times d}, y never sized
        if sig is None and key is not None and _conditional(node.args, key[0] in _DENSITIES):
            if not self._known(key[0], func.start):
                # p(z = j \mid x; \phi), q(z \mid x), a policy \pi_w(a \mid s): a probability
                return SCALAR
        if sig is not None and sig.domains and len(args) == len(sig.domains):
            return self._of_several(node, sig, args)
        if sig is None and key is not None and len(args) == 1:
            return self._matrix_times(node, args[0])
        if sig is None or len(args) != 1 or sig.domains:
            return None
        arg = args[0]
        if (
            arg is not None
            and _comparable(arg, sig.domain)
            and not self._agrees(arg, sig.domain, node.start)
        ):
            given = node.args[0]
            message = messages.argument_mismatch(
                self._quote(func), sig.domain, self._described(given, arg)
            )
            said = messages.signature_text(sig.key, sig.domain, sig.codomain)
            related = (Related(sig.path, sig.start, sig.end, said),)
            self._emit("argument-mismatch", message, given.start, given.end, related)
            return None
        if arg is None or not self._agrees(arg, sig.domain, node.start):
            return None  # applied elementwise or to a batch: the result's shape is not the codomain
        return sig.codomain

    def _valued_call(self, key: tuple[str, str | None], node: t.Apply) -> Declaration | None:
        r"""The declared value of the function ``node`` calls: that of the call as written
        where the document declares it (``\mathbf p(u) \in \mathbb{R}^n`` after ``\mathbf
        p(i) \in \mathbb{R}^m``), else the one in force."""
        valued = self._valued(key, node.func.start)
        if valued is not None and valued.call and valued.call != show(node):
            return self._lookup((call_key(show(node)), key[1]), node.func.start) or valued
        return valued

    def _as_declared(self, node: t.Apply, valued: Declaration, args: list[Shape | None]) -> bool:
        r"""Is the call written as its declaration writes it (``\tau(y)`` after ``\tau(y) \in
        \mathbb{R}^{M \times d_\tau}``)?  Then it has the declared shape, whatever its
        arguments are (an encoder's input, text, is sized nowhere).  So is a call whose
        arguments of no shape are members of the declared call's there (``h(x, y_w)`` after
        ``h(x, y) \in \mathbb{R}^d``: the chosen response ``y_w`` is one ``y``)."""
        if not valued.call:
            return False
        if show(node) == valued.call:
            return True
        bases = [
            a.base if shape is None and isinstance(a, (t.Sub, t.Prime)) else a
            for a, shape in zip(node.args, args, strict=True)
        ]
        return any(b is not a for a, b in zip(node.args, bases, strict=True)) and (
            show(replace(node, args=tuple(bases))) == valued.call
        )

    def _of_several(self, node: t.Apply, sig: Signature, args: list[Shape | None]) -> Shape | None:
        """``f(x, u)`` for ``f : ℝⁿ × ℝᵐ → ℝⁿ``: the codomain when every argument agrees (a
        kernel's Gram matrix when matrices of points are given); else the first argument
        that does not is reported."""
        if all(
            a is not None and self._agrees(a, d, node.start)
            for a, d in zip(args, sig.domains, strict=True)
        ):
            return sig.codomain
        gram = self._gram(sig, args, node.start)
        if gram is not None:
            return gram
        self._first_wrong_argument(node, sig, args)
        return None

    def _gram(self, sig: Signature, args: list[Shape | None], at: int) -> Shape | None:
        r"""``k(Z, X)`` for a kernel ``k : ℝᵈ × ℝᵈ → ℝ`` applied to matrices of d columns
        (points as rows, as ``X \in \mathbb{R}^{n \times d}`` stacks them): the Gram matrix
        of their rows, m×n."""
        if len(args) != 2 or not sig.codomain.is_scalar:
            return None
        rows = []
        for a, d in zip(args, sig.domains, strict=True):
            if a is None or d.cols != ONE or d.is_scalar or a.cols == ONE:
                return None
            if not self._same(a.cols, d.rows, at):
                return None
            rows.append(a.rows)
        return Shape(rows[0], rows[1])

    def _first_wrong_argument(
        self, node: t.Apply, sig: Signature, args: list[Shape | None]
    ) -> None:
        r"""Report the first argument of a function of several (``f : ℝⁿ × ℝᵐ → ℝᵖ``) that
        is a vector where a vector of another size is taken, or a matrix where another
        matrix is: ``\epsilon_\theta(z_t, t)`` for ``\epsilon_\theta : ℝᴰ × {1, …, T} → ℝᴰ``
        and ``z_t ∈ ℝᵈ``."""
        for given, a, d in zip(node.args, args, sig.domains, strict=True):
            if a is not None and _comparable(a, d) and not self._agrees(a, d, node.start):
                message = messages.argument_mismatch(
                    self._quote(node.func), d, self._described(given, a)
                )
                said = messages.signature_text(sig.key, sig.domain, sig.codomain)
                related = (Related(sig.path, sig.start, sig.end, said),)
                self._emit("argument-mismatch", message, given.start, given.end, related)
                return

    def _said_elementwise(self, func: t.Node) -> bool:
        """Does the document's prose say ``func`` (a bare letter, declared nowhere) applies
        entry by entry: "$\\phi$ is the GELU nonlinearity applied elementwise", "an
        element-wise activation $\\sigma(\\cdot)$"?"""
        if not isinstance(func, t.Symbol) or func.font or func.accents:
            return False
        if self._declared(func.name):
            return False
        return bool(self._gate("elementwise", func.name))

    def _said_shape_keeping(self, func: t.Node) -> bool:
        r"""Does the document's prose say ``func`` (as written: ``\FFN``, ``f``) keeps its
        argument's shape: "where $\FFN$ acts row-wise and keeps the width", "$g$ is shape
        preserving"?  Not of a function the document gives a signature to."""
        if isinstance(func, t.Func) and func.sub is not None:
            return False
        key = symbol_key(func)
        if key is not None and self._signature(key[0], func.start) is not None:
            return False
        spelling = self.source[func.start : func.end]
        if not spelling or "$" in spelling:
            return False
        return bool(self._gate("kept", spelling))

    def _elementwise(self, func: t.Node) -> Signature | None:
        """The signature of ``func`` if the document defines it by a formula of one number."""
        key = symbol_key(func)
        sig = self._signature(key[0], func.start) if key is not None else None
        return sig if sig is not None and sig.elementwise else None

    def _at_time(self, node: t.Apply) -> Shape | None:
        r"""``J(t)``, ``A(\tau)`` for a matrix or a vector declared without its time
        (``J(t) \in \mathbb{R}^{D \times D}`` declares J): its value at that time, of its
        shape (read as a product with the scalar t, it would be the same)."""
        shape = self.infer(node.func)
        return None if shape is None or shape.is_scalar else shape

    def _called_at_a_point(self, node: t.Apply) -> bool:
        r"""Is ``node`` a call of a letter the document declares at a call somewhere
        (``\mathbf{J}(\mathbf{q}) \in \mathbb{R}^{6 \times n}``): its value at the point,
        of the shape the letter has here (``\mathbf{J}^\dagger \in …`` sized J alone)?"""
        key = symbol_key(node.func)
        return key is not None and self._called_somewhere(key[0])

    def _matrix_times(self, node: t.Apply, arg: Shape | None) -> Shape | None:
        r"""``H\big(k_* - \tfrac1n K \mathbf{1}_n\big)`` for a matrix H (no function): a
        product, when the bracket holds an expression whose rows are H's columns.  One letter
        in it (``J(x_k)``, ``\Sigma(\theta)``) is a value at a point: nothing is said."""
        if arg is None and _at_a_time(node.args[0]):
            return self._at_time(node)
        # J(q) for a J declared both alone and at a call (not k_u(X_*) at a matrix of
        # points: the values stack)
        if (
            isinstance(node.args[0], _AT_A_POINT) and (arg is None or arg.cols == ONE)
            and self._called_at_a_point(node)
        ):  # fmt: skip
            return self._at_time(node)
        if arg is None or isinstance(node.args[0], _AT_A_POINT):
            return None
        shape = self.infer(node.func)
        if shape is None or shape.rows == ONE or shape.cols == ONE:
            return None
        if not self._same(shape.cols, arg.rows, node.start):
            return None
        return Shape(shape.rows, arg.cols)

    def _of_square(
        self, name: str, func: t.Func, node: t.Apply, args: list[Shape | None]
    ) -> Shape | None:
        """A trace or determinant: a number, of a square matrix."""
        arg = args[0] if len(args) == 1 else None
        if func.sub is not None and name != "det":
            return None  # \Tr_B \rho_{AB}: a partial trace, a matrix of the other factor's size
        if arg is not None and not arg.is_scalar and not self._same(arg.rows, arg.cols, node.start):
            self._not_square(_SQUARE_FUNCS[name], node.args[0], arg, node)
            return None
        return SCALAR if arg is not None or len(args) == 1 else None

    def _named(
        self, name: str, func: t.Func, node: t.Apply, args: list[Shape | None]
    ) -> Shape | None:
        arg = args[0] if len(args) == 1 else None
        if name in _SQUARE_FUNCS:
            return self._of_square(name, func, node, args)
        said, shape = self._matrix_function(name, node, args)
        if said:  # \operatorname{expm}(A), \exp(At): of a square matrix
            return shape
        if name.lower() in ELEMENTWISE or name == "softmax":  # \operatorname{ReLU} too
            return arg
        if len(args) == 1 and (name.lower() in SHAPE_KEEPING or self._said_shape_keeping(func)):
            return arg  # (and "where $\FFN$ acts row-wise and keeps the width")
        if name == "diag" and len(args) > 1:
            return _diagonal_of_entries(node.args, args)
        if name == "diag" and arg is not None:
            if arg.cols == ONE:
                return Shape(arg.rows, arg.rows)
            if same(arg.rows, arg.cols):
                return Shape(arg.rows, ONE)
            return None
        if name == "vec" and arg is not None:
            return Shape(arg.rows * arg.cols, ONE)
        if name in _MOMENTS:
            return self._moment(name, node)
        if name in ("rank", "dim", "logsumexp", "Pr"):
            return SCALAR
        if name in ("max", "min") and len(args) == 2 and func.sub is None:
            known = [a for a in args if a is not None and not a.is_scalar]
            return known[0] if known else (SCALAR if all(a is not None for a in args) else None)
        if (
            name in ("max", "min", "sup", "inf", "argmax", "argmin", "lim")
            and arg is not None
            and arg.is_scalar
        ):
            return SCALAR if name not in ("argmax", "argmin") else None
        return self._defined_operator(func, arg, len(args)) or self._row_mapped(func, arg, args)

    def _row_mapped(self, func: t.Func, arg: Shape | None, args: list[Any]) -> Shape | None:
        r"""``\operatorname{FFN}_e(D_e X)`` of an operator the text applies row-wise, mapping
        rows of width d to rows of width d' (rules/relations.py ``_row_map``): a matrix of
        the argument's rows and d' columns, where the argument's rows are of width d."""
        if len(args) != 1 or arg is None or ONE in (arg.rows, arg.cols):
            return None
        made = self._definition(row_map_key(func.name), func.start)
        if made is None or not self._same(arg.cols, made.shape.rows, func.start):
            return None
        return Shape(arg.rows, made.shape.cols)

    def _defined_operator(self, func: t.Func, arg: Shape | None, count: int) -> Shape | None:
        r"""``\operatorname{sym}(X^\top G)`` for ``\operatorname{sym}(M) = \tfrac12(M +
        M^\top)`` defined before it: the square argument's shape."""
        if count != 1 or arg is None or func.sub is not None or func.sup is not None:
            return None
        sig = self._signature(operator_key(func.name), func.start)
        if sig is None or not sig.elementwise:
            return None
        return arg if self._same(arg.rows, arg.cols, func.start) else None

    def _concatenated(self, node: t.Apply, args: list[Shape | None]) -> Shape | None:
        r"""``\operatorname{Concat}(A, B)``: the blocks side by side, their rows alike and
        their columns added; ``\operatorname{Concat}(\operatorname{head}_1, \dots,
        \operatorname{head}_h)``, members 1 to h of one family of one shape: h times its
        columns.  Unknown when the rows are not certainly alike (nothing is said)."""
        items = node.args
        if len(items) == 3 and isinstance(items[1], t.Dots):
            members = self._members_one_to(items, args)
            return None if members is None else Shape(members[0].rows, members[1] * members[0].cols)
        if len(items) < 2 or any(
            a is None or isinstance(i, t.Dots) for a, i in zip(args, items, strict=True)
        ):
            return None
        known = [a for a in args if a is not None]
        if not all(self._same(a.rows, known[0].rows, node.start) for a in known):
            return None
        cols = known[0].cols
        for a in known[1:]:
            cols = cols + a.cols
        return Shape(known[0].rows, cols)

    def _moment(self, name: str, node: t.Apply) -> Shape | None:
        """``\\operatorname{E}(x \\mid y)``: the shape of x; ``\\operatorname{Var}(x)`` of a vector
        x ∈ ℝⁿ: n×n (of a scalar: a scalar); ``\\operatorname{Cov}(x, y)``: n×m."""
        args = [self.infer(given_part(a)) for a in node.args]
        if name == "E":
            return args[0] if len(args) == 1 else None
        if len(args) == 1:
            args.append(args[0])
        if len(args) != 2 or any(a is None or a.cols != ONE for a in args):
            return None  # the covariance of a matrix: vec'd or not, papers differ
        return Shape(args[0].rows, args[1].rows)  # type: ignore[union-attr]

    def _bigop(self, node: t.BigOp) -> Shape | None:
        body = self.infer(node.body)
        if body is None and node.op in ("\\sum", "\\prod"):
            body = self._bound_member(node)
        if node.op in ("\\sum", "\\int"):
            return body
        return body if body is not None and body.is_scalar else None

    def _bound_member(self, node: t.BigOp) -> Shape | None:
        r"""``\prod_{s \le t} \alpha_s``, ``\sum_{s=1}^t \gamma_s``: a letter indexed by the
        operator's own index, of a family the document writes at another index (``\alpha_t
        = 1 - \beta_t``), has that member's shape if it is a scalar (not shifted by a label)."""
        body, lower = node.body, node.lower
        bound = lower.items[0] if isinstance(lower, t.Chain) and lower.items else lower
        if not (
            isinstance(body, t.Sub) and isinstance(body.base, t.Symbol)
            and isinstance(body.index, t.Symbol) and isinstance(bound, t.Symbol)
            and body.index.name == bound.name
        ):  # fmt: skip
            return None
        found = set()
        for v in SUBSCRIPT_LABELS:
            key = symbol_key(replace(body, index=t.Symbol(v))) if v != bound.name else None
            if key is None:
                continue
            made = (
                self._lookup(key, node.start)
                or self._sized_definition(key[0], node.start)
                or self._weak(key, node.start)
            )
            if made is not None:
                found.add(made.shape)
        return SCALAR if found == {SCALAR} else None

    def _derivative(self, node: t.Derivative) -> Shape | None:
        scalar = self._scalar_valued(node.body) or self._a_loss(node.body)
        shapes = [self.infer(w) for w in node.wrt]
        if scalar and len(shapes) == 1 and node.order is None:
            return self._in_the_layout(node, shapes[0])
        return self._by_scalars(node, shapes)

    def _in_the_layout(self, node: t.Derivative, x: Shape | None) -> Shape | None:
        r"""The shape of the derivative of a scalar by a matrix of shape ``x``: x's, or its
        transpose where the text states the numerator layout (in force at the derivative:
        layout_statements.py), where ``\frac{\partial L}{\partial W}`` of an m×n W is n×m.
        (By a vector: as many papers write a column in either layout, its shape stays x's, and
        an equation with the row is read as the other layout; and in a sentence that speaks of
        another layout, "in the denominator layout the step is $W - \eta\, \partial L /
        \partial W$", x's.)"""
        if x is None or ONE in (x.rows, x.cols):
            return x
        if self._ask(LAYOUT, LAYOUT_KEY, None, node.start) != "numerator":
            return x
        other = other_layout(self.source, node.start, node.end, "numerator", named=True)
        return x if other else x.transposed()

    def _a_loss(self, body: t.Node | None) -> bool:
        r"""Is what a fraction differentiates a loss the document never introduces
        (``\frac{\partial L}{\partial W}``, ``\partial \mathcal{L}_{\text{aux}} / \partial Z``,
        ``\partial \ell / \partial z``): a scalar, as the loss of a ``\nabla`` is.  Only the
        letters papers name their losses with; another undeclared letter may be a vector.
        So is the logarithm of a density named alone (``\partial \log q / \partial \hat f``,
        ``q`` or ``p`` never introduced), as ``\log p(y \mid f)`` is."""
        if _log_of_a_density(body):
            arg = body.args[0]  # type: ignore[union-attr]
            return self._unknown(arg.name, arg.start)
        name = body.base if isinstance(body, (t.Sub, t.Tagged)) else body
        if not isinstance(name, t.Symbol) or name.accents:
            return False
        if (name.name, name.font) not in _LOSS_LETTERS:
            return False
        return self._scalar_valued(body, gradient=True)

    def _by_scalars(self, node: t.Derivative, shapes: list[Shape | None]) -> Shape | None:
        r"""A matrix differentiated by scalars has its shape in every layout:
        ``\frac{\partial K_y}{\partial \theta_j}`` is n×n for an n×n ``K_y`` — by a scalar,
        or by a plain small letter the document never introduces (a hyperparameter
        ``\theta_j``: by a vector or a matrix, the derivative of a matrix is no matrix)."""
        f = self.shapes.get(span_key(node.body)) if node.body is not None else None
        if f is None or ONE in (f.rows, f.cols) or not node.wrt:  # (body inferred just before)
            return None
        for w, x in zip(node.wrt, shapes, strict=True):
            if x is not None and not x.is_scalar:
                return None
            if x is None and not self._plain_unknown_letter(w):
                return None
        return f

    def _plain_unknown_letter(self, node: t.Node) -> bool:
        r"""``\theta_j``, ``\ell``, ``t``: a small letter in no bold font, nothing declares."""
        key = symbol_key(node)
        base = node.base if isinstance(node, t.Sub) else node
        if key is None or not isinstance(base, t.Symbol) or base.font is not None:
            return False
        name = base.name.removeprefix("\\")
        small = name in GREEK and name.islower() if base.name.startswith("\\") else name.islower()
        return small and not base.accents and self._unknown(key[0], node.start)

    def _nabla(self, node: t.Nabla) -> Shape | None:
        if number_written(node.body):  # \nabla_\Sigma \frac{1}{2} x^\top …: of all that follows
            return None
        scalar = self._scalar_valued(node.body, gradient=True)
        if node.wrt is not None:
            x = self.infer(node.wrt)
        elif (
            isinstance(node.body, t.Apply) and len(node.body.args) == 1
            and symbol_key(node.body.args[0]) is not None
        ):  # fmt: skip
            # \nabla f(x): with respect to x (not \nabla \log p(y \mid f): p(…) is no variable)
            x = self.shapes.get(span_key(node.body.args[0]))
        else:
            x = self._density_variable(node.body)
            scalar = scalar or x is not None
        if scalar and x is not None and node.order is None:
            return x.transposed() if self._transposed_at_end(node.body) else x
        return None

    def _transposed_at_end(self, body: t.Node | None) -> bool:
        r"""Is the scalar a gradient is of written with a transpose at its end, as in
        ``\nabla_\theta \ell^\top`` or ``\nabla_\theta \log p(y)^\top``? A scalar's transpose
        is itself, so the mark transposes the gradient: ``\nabla\ell\,\nabla\ell^\top`` is the
        outer product of the empirical Fisher, not a column times a column."""
        while isinstance(body, t.Apply) and isinstance(body.func, t.Func) and len(body.args) == 1:
            body = body.args[0]  # \log p^\top: the transpose is read on p, inside \log
        if not isinstance(body, t.Transpose) or body.conjugate:
            return False
        base = self.infer(body.base)
        return base is None or base.is_scalar

    def _density_variable(self, body: t.Node | None) -> Shape | None:
        r"""The shape ``\nabla \log p(y \mid \hat f)`` has, with no subscript: that of the
        variables of the density, when every one of them is a letter of one and the same
        vector shape (y and f both n-vectors: whichever it is taken by, the gradient is an
        n-vector; ``\hat f``, where the density of f is taken, is f's); None where they differ or one is unknown, or ``p`` is a letter the
        document gives a shape (a vector p is no density)."""
        if not (
            isinstance(body, t.Apply) and isinstance(body.func, t.Func) and len(body.args) == 1
        ):
            return None
        density = body.args[0]
        if body.func.name not in ("log", "ln") or not isinstance(density, t.Apply):
            return None
        name = density.func
        if not (isinstance(name, t.Symbol) and name.name in _DENSITIES and name.font is None):
            return None
        if name.accents or self._declared(name.name) or not density.args:
            return None
        found: set[Shape] = set()
        for arg in density.args:
            for item in arg.items if isinstance(arg, t.Chain) else (arg,):
                shape = self.infer(item) if item and symbol_key(item) is not None else None
                if shape is None and isinstance(item, t.Symbol) and item.accents[-1:] == ("hat",):
                    shape = self.infer(replace(item, accents=item.accents[:-1]))  # the mode f̂
                if shape is None or shape.cols != ONE or shape.is_scalar:
                    return None
                found.add(shape)
        return found.pop() if len(found) == 1 else None

    def _scalar_valued(self, body: t.Node | None, gradient: bool = False) -> bool:
        """Is what is differentiated a scalar: a scalar expression, or a function named
        alone whose signature ends in a scalar (``f`` of ``f : \\mathbb{R}^{m×n} → \\mathbb{R}``)?
        A ``gradient`` (``\\nabla_W L``, ``\\nabla f(x)``) is of a scalar unless its letter is
        known otherwise: the loss or objective a paper differentiates is often never declared."""
        if body is None:
            return False
        f = self.infer(body)
        if f is not None:
            return f.is_scalar
        if gradient and isinstance(body, t.Transpose) and not body.conjugate:
            body = body.base  # \nabla_{\bm\mu}\ell^\top: of the loss, the row (_transposed_at_end)
        key = symbol_key(body)
        sig = self._signature(key[0], body.start) if key is not None else None
        if sig is not None or not gradient:
            return sig is not None and sig.codomain.is_scalar
        name = body.func if isinstance(body, t.Apply) else body
        if isinstance(name, (t.Sub, t.Tagged)):
            name = name.base
        if not isinstance(name, t.Symbol) or name.font in _BOLD:
            return False  # \nabla \mathbf{f}: a vector field's Jacobian
        return all(
            k is not None and not self._introduced(k, body.start)
            for k in {symbol_key(name), key if not isinstance(body, t.Apply) else None} - {None}
        )  # fmt: skip  (\mathcal{L} of a loss beside a Laplacian \mathbf{L}: another letter)


def _log_of_a_density(body: t.Node | None) -> bool:
    r"""``\log q``, ``\log p``: the logarithm of a plain density letter, named alone."""
    if not isinstance(body, t.Apply) or len(body.args) != 1:
        return False
    if not isinstance(body.func, t.Func) or body.func.name not in ("log", "ln"):
        return False
    arg = body.args[0]
    return (
        isinstance(arg, t.Symbol) and arg.name in _DENSITIES and arg.font is None
        and not arg.accents
    )  # fmt: skip


def _diagonal_of_entries(entries: tuple[t.Node, ...], shapes: list[Shape | None]) -> Shape | None:
    r"""``\operatorname{diag}(4, 3)`` is 2×2, ``\operatorname{diag}(\psi_1, \dots, \psi_p)``
    p×p and ``\operatorname{diag}(u_1^2, \ldots, u_n^2)`` n×n: a diagonal matrix of scalars
    listed, or numbered from 1 (or 0) to a dimension.  Entries known not to be scalars
    (``\operatorname{diag}(A_1, \dots, A_k)``, block-diagonal) or that may not be (an
    unknown capital letter) give no shape."""
    dots = [i for i, e in enumerate(entries) if isinstance(e, t.Dots)]
    for entry, shape in zip(entries, shapes, strict=True):
        if isinstance(entry, t.Dots):
            continue
        if shape is not None and not shape.is_scalar:
            return None
        if shape is None and not _small_letter(_entry_of(entry)) and not _of_numbers(entry):
            return None
    if not dots:
        return Shape(integer(len(entries)), integer(len(entries)))
    if dots != [len(entries) - 2]:
        return None  # a_1, \dots, a_n only: the last entry numbers them
    first, last = _numbered_by(entries[0]), _numbered_by(entries[-1])
    if not (isinstance(first, t.Sub) and isinstance(last, t.Sub)):
        return None
    if show(first.base) != show(last.base) or not isinstance(first.index, t.Number):
        return None
    start = first.index.text
    size = dim_of(last.index)
    if size is None or start not in ("0", "1"):
        return None
    size = size + 1 if start == "0" else size
    return Shape(size, size)


def _of_numbers(node: t.Node) -> bool:
    r"""An expression of numbers and lower-case letters alone (``\mu_1(1 - \mu_1)``,
    ``\frac{1}{\sigma_i^2}``, ``g'(\mu_1)``): a scalar, as an entry of a list of diagonal entries."""
    if isinstance(node, (t.Number, t.Symbol, t.Sub)):
        return _small_letter(node)
    if isinstance(node, t.Add):
        return all(_of_numbers(x) for x in node.terms)
    if isinstance(node, t.Product):
        return all(_of_numbers(x) for x in node.factors)
    if isinstance(node, t.Neg):
        return _of_numbers(node.operand)
    if isinstance(node, t.Paren):
        return node.open.endswith("(") and node.body is not None and _of_numbers(node.body)
    if isinstance(node, t.Frac):
        return _of_numbers(node.num) and _of_numbers(node.den)
    if isinstance(node, t.Apply) and len(node.args) == 1:
        # g'(\mu_1), v(\mu_i): a lower-case function (or its derivative) of a scalar
        func = node.func.base if isinstance(node.func, t.Prime) else node.func
        return isinstance(func, t.Symbol) and _small_letter(func) and _of_numbers(node.args[0])
    return (
        isinstance(node, t.Power)
        and isinstance(node.exponent, t.Number)
        and (_of_numbers(node.base))
    )


def _numbered_by(node: t.Node) -> t.Node:
    r"""The member that numbers an entry: ``u_1`` of ``u_1^2``, ``\mu_N`` of ``\mu_N(1 -
    \mu_N)`` (an expression of one member alone); else the entry itself."""
    node = _entry_of(node)
    if isinstance(node, t.Sub) or not _of_numbers(node):
        return node
    subs = [n for n in node.walk() if isinstance(n, t.Sub)]
    if subs and len({show(n) for n in subs}) == 1:
        return subs[0]
    return node


def _entry_of(node: t.Node) -> t.Node:
    """An entry of a list without a numeric power: ``u_1`` of ``u_1^2``."""
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
        return node.base
    return node


def _small_letter(node: t.Node) -> bool:
    r"""A number, or a lower-case letter (Latin or Greek) possibly subscripted: an entry a
    list of diagonal entries names as a scalar (``\sigma_i``, ``d_1``)."""
    if isinstance(node, t.Number):
        return True
    if isinstance(node, t.Sub):
        node = node.base
    if not isinstance(node, t.Symbol) or node.font is not None:
        return False
    name = node.name.lstrip("\\")
    return name[:1].islower() and (len(name) == 1 or name in GREEK)


def _conditional(args: tuple[t.Node, ...], density: bool = True) -> bool:
    """Arguments as a distribution takes them: ``z \\mid x``, or (for a letter that names
    densities, p or q) parameters after ``;`` — ``f(x; \\theta)`` is a model's output."""
    return any(
        (density and isinstance(a, t.Sequence))
        or (isinstance(a, t.Chain) and any(r in ("\\mid", "|", "\\vert") for r in a.relations))
        for a in args
    )


def _comparable(arg: Shape, domain: Shape) -> bool:
    """Only a vector for a vector or a matrix for a matrix is checked: a scalar function
    applied to a vector, or a vector function to a batch (a matrix), applies elementwise."""
    if domain.is_scalar or arg.is_scalar:
        return False
    return arg.is_vector == domain.is_vector


def _at_a_time(node: t.Node) -> bool:
    """A plain letter that names time, never declared: ``t``, ``\\tau``."""
    return (
        isinstance(node, t.Symbol)
        and node.name in ("t", "\\tau")
        and not (node.font or node.accents)
    )
