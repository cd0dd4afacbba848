r"""One rule per node kind: the shape of every subexpression, and the mismatches.

Precision first: a rule reports a mismatch only when both shapes are known and
certainly disagree; anything involving an unknown shape is unknown (None),
and after a mismatch the result is unknown so one mistake gives one message.
Scalars act as scalars wherever they stand (a 1×1 ``x^\top y`` scales a
matrix), and adding a scalar to a matrix is not flagged (papers broadcast).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from texgrad.shapes.diagnostics import Diagnostic, Fix, Related, Severity
from texgrad.shapes.dims import ONE, SCALAR, Dim, Shape, dim_of, dim_text, same
from texgrad.shapes.table import Declaration, Signature, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key, tagged_key

# what a factor of unknown shape may be for its product still to have a shape (A \Sigma A^\top)
_OPERANDS = (t.Symbol, t.Sub, t.Tagged, t.Apply, t.Paren, t.Transpose, t.Power, t.Accent, t.Font,
             t.InverseTranspose, t.Prime)  # fmt: skip
_BOLD = frozenset({"mathbf", "bm", "boldsymbol", "pmb", "vb", "mathbfit"})
ELEMENTWISE = frozenset(
    "log ln exp sin cos tan tanh sinh cosh sigmoid relu softplus sqrt abs sign sgn erf".split()
)
# letters that name a probability or a density when applied as p(z \mid x) or p(x; \theta)
_DENSITIES = frozenset({"p", "q"})
# lowercase Greek letters that, undeclared, scale what follows them (\lambda I, \eta g);
# not those papers use for vectors of parameters or for maps (\theta, \phi, \psi)
_GREEK_COEFFICIENTS = frozenset(
    "\\" + g
    for g in "alpha beta gamma delta epsilon varepsilon zeta eta iota kappa lambda mu nu xi "
    "pi rho varrho sigma tau upsilon chi omega".split()
)
# letters that label the members of a family declared as h^{(t)}, x^{(i)}, a^{[l]}
_FAMILY_LABELS = ("t", "i", "j", "k", "l", "s", "n", "\\ell", "\\tau")
# letters that index entries (x_i, x_j); t, s, k … make a new vector (x_t, the iterate x_k)
_ELEMENT_INDICES = frozenset("i j l m n p q r".split())
# what stands for "all rows" or "all columns" in a slice: A_{i,:}, A_{:,j}, A_{i,\cdot}
_SLICE_MARKS = frozenset({":", "\\cdot", "*", "\\ast", "\\bullet"})
EQUALITIES = frozenset({"=", ":=", "\\coloneqq", "\\triangleq", "\\equiv", "\\defeq", "\\eqdef"})
_SQUARE_FUNCS = {"tr": "trace", "Tr": "trace", "trace": "trace", "det": "determinant"}


class Inference:
    """Infers shapes over the rows of one document; collects diagnostics."""

    def __init__(
        self,
        table: SymbolTable,
        path: str,
        source: str,
        *,
        report: bool = True,
        names: frozenset[Any] | None = None,  # the table's dimension names, if known
    ):
        self.table = table
        self.path = path
        self.source = source
        self.report = report
        self.diagnostics: list[Diagnostic] = []
        # (start, end, node type) -> shape, for hovers and hints
        self.shapes: dict[tuple[int, int, type], Shape] = {}
        # y = Ax gives an undeclared y its shape where it is written (scoped like a declaration)
        self.defined: dict[str, list[Declaration]] = {}
        # what use tells about undeclared symbols: key -> (rows, columns), either may be unknown
        self.evidence: dict[str, tuple[Dim | None, Dim | None]] = {}
        self.conflicting: set[str] = set()
        # What inferring the current row read and changed, so that a re-check can tell which
        # rows an edit affects (see shapes/check.py): the symbols whose knowledge it used,
        # the definitions it added (y = Ax, f(x) = …) and what it noted about undeclared ones.
        self.reads: set[str] = set()
        # … and each question it asked of them with the answer (kind, key, font or name,
        # offset, answer), so that a re-check can ask again instead of inferring the row
        self.asked: list[Question] = []
        self.writes: list[Declaration | Signature] = []
        self.notes: list[tuple[str, Dim | None, Dim | None]] = []
        # N of \mathbb{R}^{N \times D}: a number wherever it is written undeclared (\frac{1}{N})
        self.dimension_names = dimension_names(table) if names is None else names
        self._rules: dict[type, Callable[[Any], Shape | None]] = {
            t.Symbol: self._symbol, t.Number: lambda n: SCALAR, t.Sub: self._sub, t.Tagged: self._symbolic,
            t.Product: self._product, t.Add: self._add, t.Neg: lambda n: self.infer(n.operand),
            t.BinOp: self._binop, t.Frac: self._frac, t.Power: self._power, t.Transpose: self._transpose,
            t.InverseTranspose: self._inverse_transpose, t.Prime: self._prime, t.Paren: self._paren,
            t.Norm: self._scalar_of, t.Abs: self._scalar_of, t.Angle: self._angle, t.Apply: self._apply,
            t.Chain: self._chain, t.List: self._each, t.Sequence: self._each, t.BigOp: self._bigop,
            t.Derivative: self._derivative, t.Nabla: self._nabla, t.Differential: lambda n: self.infer(n.body),
            t.Matrix: self._matrix, t.Font: lambda n: self.infer(n.body), t.Accent: lambda n: self.infer(n.body),
            t.Overset: lambda n: self.infer(n.base), t.Sqrt: self._sqrt, t.Factorial: lambda n: SCALAR,
            t.Aligned: self._cells, t.Cases: self._cells, t.Text: self._text,
        }  # fmt: skip

    # -- driver ---------------------------------------------------------------------------
    def infer(self, node: t.Node | None) -> Shape | None:
        if node is None:
            return None
        rule = self._rules.get(type(node))
        shape = rule(node) if rule is not None else None
        if shape is not None:
            self.shapes[_span(node)] = shape
        return shape

    # -- what a row reads of the symbol table and the definitions (recorded) ---------------
    def _lookup(self, key: tuple[str, str | None], offset: int) -> Declaration | None:
        return self._ask("lookup", key[0], key[1], offset)

    def _signature(self, key: str, offset: int) -> Signature | None:
        return self._ask("signature", key, None, offset)

    def _declared(self, key: str) -> bool:
        """Is ``key`` declared anywhere (in scope here or not)?"""
        return self._ask("declared", key, None, None)

    def _ask(self, kind: str, key: str, font: Any, offset: int | None) -> Any:
        self.reads.add(key)
        answer = answer_of(self.table, self.defined, self.dimension_names, self.path,
                           kind, key, font, offset)  # fmt: skip
        self.asked.append((kind, key, font, offset, answer))
        return answer

    def apply(self, write: Declaration | Signature) -> None:
        """Redo a definition a row made when it was last inferred (its text unchanged)."""
        if isinstance(write, Signature):
            sigs = self.table.signatures.setdefault(write.key, [])
            if not any(s.path == write.path and s.start == write.start for s in sigs):
                sigs.append(write)
                sigs.sort(key=lambda s: (s.path, s.start))
        else:
            found = self.defined.setdefault(write.key, [])
            if not any(d.path == write.path and d.start == write.start for d in found):
                found.append(write)

    def _each(self, node: t.List | t.Sequence) -> None:
        for item in node.items:
            self.infer(item)
        return None

    # -- messages -------------------------------------------------------------------------
    def _quote(self, node: t.Node) -> str:
        text = " ".join(self.source[node.start : node.end].split())
        return text if len(text) <= 40 else text[:39] + "…"

    def _described(self, node: t.Node, shape: Shape) -> str:
        """ "`A` is m×n", "`y` ∈ ℝ^m", "`c` is a scalar"."""
        q = f"`{self._quote(node)}`"
        if shape.is_scalar:
            return f"{q} is a scalar"
        if shape.is_vector:
            return f"{q} ∈ {_space(dim_text(shape.rows))}"
        return f"{q} is {shape.short()}"

    def _related(self, *nodes: t.Node) -> tuple[Related, ...]:
        out: list[Related] = []
        for node in nodes:
            decl = self._declaration(node)
            if decl is not None:
                if any((r.path, r.start) == (decl.path, decl.start) for r in out):
                    continue  # `x^\top x`: one note for x
                out.append(
                    Related(
                        decl.path,
                        decl.start,
                        decl.end,
                        f"`{self.table.written(decl)}` declared {decl.shape.unicode()} here",
                    )
                )
                continue
            key = symbol_key(_unwrapped(node))
            defined = self._definition(key[0], node.start) if key else None
            if key and defined:
                out.append(Related(defined.path, defined.start, defined.end,
                                   f"`{key[0]}` is {defined.shape.unicode()} by its definition here"))  # fmt: skip
        return tuple(out)

    def _declaration(self, node: t.Node) -> Declaration | None:
        node = _unwrapped(node)
        key = symbol_key(node)
        return self._lookup(key, node.start) if key is not None else None

    def _emit(self, code: str, message: str, start: int, end: int, related: tuple[Related, ...] = (),
              fixes: tuple[Fix, ...] = (), severity: Severity = "error") -> None:  # fmt: skip
        if self.report:
            self.diagnostics.append(
                Diagnostic(code, severity, message, self.path, start, end, related, fixes)
            )  # type: ignore[arg-type]

    def _hint(self, fixes: tuple[Fix, ...] | list[Fix]) -> str:
        if not fixes:
            return ""
        said = [
            f.title.replace("Transpose ", "transposing ", 1).replace(
                "Remove the transpose", "removing the transpose", 1
            )
            for f in fixes
        ]
        return "; " + " or ".join(said) + " would make it agree"

    def _transpose_fix(self, node: t.Node) -> Fix:
        text = self.source[node.start : node.end]
        if isinstance(node, (t.Transpose, t.Prime)):  # drop an existing transpose (A^\top, A')
            base = node.base
            return Fix(f"Remove the transpose of `{self._quote(base)}`", self.path, node.start, node.end,
                       self.source[base.start : base.end])  # fmt: skip
        simple = isinstance(node, (t.Symbol, t.Sub, t.Paren)) or (isinstance(node, t.Tagged))
        new = f"{text}^\\top" if simple else f"({text})^\\top"
        return Fix(f"Transpose `{self._quote(node)}`", self.path, node.start, node.end, new)

    # -- symbols --------------------------------------------------------------------------
    def _symbolic(self, node: t.Node) -> Shape | None:
        key = symbol_key(node)
        if key is None:
            return None
        decl = self._lookup(key, node.start)
        if decl is not None:
            return decl.shape
        if self._signature(key[0], node.start) is not None:
            return None  # a function named alone
        defined = self._definition(key[0], node.start)
        if defined:
            return defined.shape
        if isinstance(node, t.Tagged):
            return self._member(node)
        return SCALAR if self._is_dimension(node) else None

    def _member(self, node: t.Tagged) -> Shape | None:
        """``h^{(t-1)}``, ``h^{(\\tau)}`` of a family declared as ``h^{(t)} \\in \\mathbb{R}^{n}``: every
        member has its shape — unless the shape depends on the label (``W^{(l)}`` is
        ``n_l \\times n_{l-1}``), or several families could be meant."""
        base = symbol_key(node.base)
        if base is None:
            return None
        found = []
        for v in _FAMILY_LABELS:
            decl = self._lookup((tagged_key(base[0], node.bracket, v), base[1]), node.start)
            if decl is not None:
                found.append((v, decl.shape))
        if len(found) != 1:
            return None
        v, shape = found[0]
        label = re.compile(rf"(?<![A-Za-z\\]){re.escape(v)}(?![A-Za-z])")
        names = [str(x) for d in (shape.rows, shape.cols) for x in d.free_symbols]
        return None if any(label.search(n) for n in names) else shape

    def _is_dimension(self, node: t.Node) -> bool:
        """An undeclared ``N``, ``d_k`` that is a dimension of some declared shape."""
        plain = isinstance(node, t.Symbol) and node.font is None and not node.accents
        if isinstance(node, t.Sub):
            base = node.base
            plain = isinstance(base, t.Symbol) and base.font is None and not base.accents
        key = symbol_key(node)
        if not plain or key is None or self._declared(key[0]):
            return False  # declared somewhere (out of scope here): not a number
        d = dim_of(node)
        if d is None or not d.is_Symbol:
            return False
        return self._ask("dimension", dimension_key(d), d, None)

    def _known(self, key: str, offset: int) -> bool:
        """Does the document declare ``key`` (anywhere) or define it (in force here)?"""
        return self._declared(key) or self._definition(key, offset) is not None

    def _unknown(self, key: str, offset: int) -> bool:
        """Does nothing declare, define or sign ``key`` (a letter a paper never introduces)?"""
        return not self._known(key, offset) and self._signature(key, offset) is None

    def _definition(self, key: str, offset: int) -> Declaration | None:
        return self._ask("definition", key, None, offset)

    def _symbol(self, node: t.Symbol) -> Shape | None:
        return self._symbolic(node)

    def _sub(self, node: t.Sub) -> Shape | None:
        own = self._symbolic(node)
        if own is not None:
            return own
        key = symbol_key(node)
        if key is not None and self._known(key[0], node.start):
            return None
        base = self.infer(node.base)
        if base is None or base.is_scalar:
            return None  # \sigma_{\min} is a symbol of its own, not the scalar \sigma
        # an element of a declared vector or matrix: x_i, A_{ij}, A_{i,j} — but x_t, w_{t+1}
        # (a time index) and a bold \mathbf{x}_i (the i-th sample) are vectors of their own
        index = node.index
        if base.is_vector or base.rows == ONE:
            bold = isinstance(node.base, t.Symbol) and node.base.font in (
                "mathbf",
                "bm",
                "boldsymbol",
                "pmb",
                "vb",
            )
            element_index = (
                isinstance(index, t.Symbol) and index.name in _ELEMENT_INDICES
            ) or isinstance(index, t.Number)
            return SCALAR if element_index and not bold else None
        parts = (
            index.items
            if isinstance(index, t.List)
            else index.factors
            if isinstance(index, t.Product)
            else ()
        )
        if len(parts) != 2:
            return None
        slices = [isinstance(p, t.Symbol) and p.name in _SLICE_MARKS for p in parts]
        if slices == [False, True]:
            return Shape(ONE, base.cols)  # A_{i,:}: the i-th row
        if slices == [True, False]:
            return Shape(base.rows, ONE)  # A_{:,j}: the j-th column
        if slices == [True, True]:
            return base
        return SCALAR  # A_{ij}, A_{i,j}: an entry

    # -- products and sums ------------------------------------------------------------------
    def _product(self, node: t.Product) -> Shape | None:
        factors = self._applications(list(node.factors))
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
        self._coefficients(factors, shapes)
        self._gather_evidence(factors, shapes)
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
            # the left operand is the run multiplied so far: `A B` in `A B x`
            left = factors[first] if i == first + 1 else _span_node(factors[first], factors[i - 1])
            acc = self._matmul(acc, s, left, factors[i], i == first + 1, factors[first:i])
            failed = failed or acc is None
        if first == 0 and not failed:
            result = acc
        elif (
            not failed and operands and first < len(factors) and head is not None
            and acc is not None and not head.is_scalar and not acc.is_scalar
        ):  # fmt: skip
            result = Shape(head.rows, acc.cols)
        return result

    def _coefficients(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        """``\\eta \\nabla f``, ``2 \\lambda w``, ``\\sigma_n^2 x``: undeclared lowercase Greek letters
        leading a product, before a vector or matrix, are its scalar coefficients."""
        for i, f in enumerate(factors):
            if shapes[i] is not None:
                if shapes[i].is_scalar:  # type: ignore[union-attr]
                    continue
                return  # past the first vector or matrix
            if not self._coefficient(f):
                return
            if i + 1 < len(factors) and _arguments(factors[i + 1]) and _plain(factors[i + 1]):
                return  # \mu(x), \phi(x, y): a function's arguments, not a factor
            if any(s is not None and not s.is_scalar for s in shapes[i + 1 :]):
                shapes[i] = SCALAR

    def _coefficient(self, node: t.Node) -> bool:
        """Is ``node`` a lowercase Greek letter (``\\lambda``, ``\\eta_t``, ``\\sigma_n^2``) that
        nothing declares or defines: a coefficient when it scales a vector or a matrix."""
        if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
            node = node.base
        base = node.base if isinstance(node, t.Sub) else node
        if not (
            isinstance(base, t.Symbol) and base.font is None and not base.accents
            and base.name in _GREEK_COEFFICIENTS
        ):  # fmt: skip
            return False
        for key in {symbol_key(node), symbol_key(base)}:
            if key is None or not self._unknown(key[0], node.start):
                return False
        return True

    def _gather_evidence(self, factors: list[t.Node], shapes: list[Shape | None]) -> None:
        """``Ax`` with A m×n tells that an undeclared x has n rows: shown as inferred, never
        used to report (a guess must not make a squiggle)."""
        for i in range(len(factors) - 1):
            left, right = shapes[i], shapes[i + 1]
            if left is not None and right is None and not left.is_scalar:
                self._note(factors[i + 1], left.cols, None)
            elif left is None and right is not None and not right.is_scalar:
                self._note(factors[i], None, right.rows)

    def _note(self, node: t.Node, rows: Dim | None, cols: Dim | None) -> None:
        if isinstance(node, t.Transpose):  # u^\top A: what is said of u^\top, transposed
            node, rows, cols = node.base, cols, rows
        key = symbol_key(node)
        if key is None or self._known(key[0], node.start):
            return
        self.notes.append((key[0], rows, cols))
        merge_evidence(self.evidence, self.conflicting, key[0], rows, cols)

    def _applications(self, factors: list[t.Node]) -> list[t.Node]:
        """``u (x)`` for a symbol with a signature (``u : \\mathbb{R}^n \\to \\mathbb{R}^m``) is a call."""
        out: list[t.Node] = []
        i = 0
        while i < len(factors):
            f = factors[i]
            key = symbol_key(f)
            nxt = factors[i + 1] if i + 1 < len(factors) else None
            if (
                key
                and isinstance(nxt, t.Paren)
                and nxt.open in ("(", "\\left(")
                and self._signature(key[0], f.start)
            ):
                args = (
                    nxt.body.items
                    if isinstance(nxt.body, t.List)
                    else ((nxt.body,) if nxt.body is not None else ())
                )
                out.append(
                    t.Apply(
                        f,
                        tuple(args),
                        True,
                        start=f.start,
                        end=nxt.end,
                        from_macro=f.from_macro,
                        span=(f.span[0], nxt.span[1]),
                    )
                )
                i += 2
                continue
            out.append(f)
            i += 1
        return out

    def _factor(self, node: t.Node, followed: bool, preceded: bool = False) -> Shape | None:
        """A factor of a product; ``x'`` before another factor is a transpose (``x' A x``), and
        so is a matrix's ``A'`` after one (``C C'``, ``A \\Sigma A'``)."""
        if isinstance(node, t.Prime) and (followed or preceded) and node.count == 1:
            s = self.infer(node.base)
            if s is not None and not s.is_scalar and (followed or ONE not in (s.rows, s.cols)):
                shape = s.transposed()
                self.shapes[_span(node)] = shape
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
        if same(a.cols, b.rows):
            return Shape(a.rows, b.cols)
        fixes: list[Fix] = []
        if same(a.rows, b.rows) and left_is_factor:
            fixes.append(self._transpose_fix(left))
        if same(a.cols, b.cols):
            fixes.append(self._transpose_fix(right))
        hint = self._hint(fixes)
        self._emit(
            "matmul-mismatch",
            f"{self._described(left, a)} but {self._described(right, b)}: inner dimensions "
            f"{dim_text(a.cols)} and {dim_text(b.rows)} differ{hint}",
            left.start, right.end, self._related(*(left_factors or [left]), right), tuple(fixes),
        )  # fmt: skip
        return None

    def _add(self, node: t.Add) -> Shape | None:
        shapes = [self.infer(term) for term in node.terms]
        matrices = [
            (term, s)
            for term, s in zip(node.terms, shapes, strict=True)
            if s is not None and not s.is_scalar
        ]
        for term, s in matrices[1:]:
            first, fs = matrices[0]
            if not s.agrees(fs):
                if _broadcasts(s, fs) or _broadcasts(fs, s):
                    return None  # XW + b with b a row: broadcasting, as ML papers write it
                fixes = (self._transpose_fix(term),) if s.agrees(fs.transposed()) else ()
                self._emit("add-mismatch",
                           f"cannot add {self._described(first, fs)} and {self._described(term, s)}{self._hint(fixes)}",
                           node.start, node.end, self._related(first, term), fixes)  # fmt: skip
                return None
        if matrices:  # x + Ay: an undeclared term has the shape of the others (shown, not used)
            for term, shape in zip(node.terms, shapes, strict=True):
                if shape is None and not self._identity(term):
                    self._note(term, matrices[0][1].rows, matrices[0][1].cols)
        # an undeclared identity (\lambda I) takes the shape of what it is added to
        adapted = [
            s is None and self._identity(term) for term, s in zip(node.terms, shapes, strict=True)
        ]
        if any(s is None and not a for s, a in zip(shapes, adapted, strict=True)):
            return None
        known = [s for s in shapes if s is not None]
        non_scalar = [s for s in known if not s.is_scalar]
        if any(adapted) and not non_scalar:
            return None
        if non_scalar and len(non_scalar) < len(known):
            return None  # scalar + matrix: broadcasting, not checked
        return non_scalar[0] if non_scalar else SCALAR

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

    def _binop(self, node: t.BinOp) -> Shape | None:
        a = self.infer(node.left)
        b = self.infer(node.right)
        if a is None or b is None or node.right is None:
            return None
        op = node.op
        if op in ("\\odot", "\\oslash"):
            if a.is_scalar:
                return b
            if b.is_scalar:
                return a
            if a.agrees(b):
                return a
            name = "a Hadamard product" if op == "\\odot" else "an elementwise division"
            self._emit("elementwise-mismatch",
                       f"{name} needs equal shapes, but {self._described(node.left, a)} and {self._described(node.right, b)}",
                       node.start, node.end, self._related(node.left, node.right))  # fmt: skip
            return None
        if op == "\\otimes":
            return Shape(a.rows * b.rows, a.cols * b.cols)
        if op == "\\cdot":
            if a.is_scalar:
                return b
            if b.is_scalar:
                return a
            if a.cols == ONE and b.cols == ONE and same(a.rows, b.rows):
                return SCALAR  # a dot product of two vectors
            return self._matmul(a, b, node.left, node.right)
        if op in ("\\times", "*", "\\ast"):
            if a.is_scalar:
                return b
            if b.is_scalar:
                return a
            return None  # cross products, convolutions: not checked
        if op == "/":
            return a if b.is_scalar else None
        return None

    def _frac(self, node: t.Frac) -> Shape | None:
        num = self.infer(node.num)
        den = self.infer(node.den)
        return num if den is not None and den.is_scalar else None

    # -- powers and transposes -----------------------------------------------------------------
    def _power(self, node: t.Power) -> Shape | None:
        tagged = _tagged_transpose(node)
        if tagged is not None:  # \vh^{(t)\top}: the transpose of h^{(t)}
            s = self.infer(tagged)
            return s.transposed() if s is not None else None
        label = _label(node)
        if label is not None:  # \vh^{(t-1)}: a member of the family h^{(t)}
            return self.infer(label)
        base = self.infer(node.base)
        self.infer(node.exponent)
        if base is None:
            return None
        if base.is_scalar:
            return SCALAR
        exp = show(node.exponent)
        matrix_power = exp in (
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
        if not matrix_power or base.cols == ONE or base.rows == ONE:
            return None  # x^2 of a vector is elementwise in many papers
        if not same(base.rows, base.cols):
            what = "inverse" if exp == "(Neg 1)" else "power"
            self._emit("not-square", f"the {what} needs a square matrix, but {self._described(node.base, base)}",
                       node.start, node.end, self._related(node.base))  # fmt: skip
            return None
        return base

    def _transpose(self, node: t.Transpose) -> Shape | None:
        if isinstance(node.base, t.Number):
            return None  # 1^\top: the vector of ones, written as the number
        s = self.infer(node.base)
        return s.transposed() if s is not None else None

    def _inverse_transpose(self, node: t.InverseTranspose) -> Shape | None:
        s = self.infer(node.base)
        if s is None or s.is_scalar:
            return s
        if not same(s.rows, s.cols):
            self._emit("not-square", f"the inverse needs a square matrix, but {self._described(node.base, s)}",
                       node.start, node.end, self._related(node.base))  # fmt: skip
            return None
        return s.transposed()

    def _prime(self, node: t.Prime) -> Shape | None:
        # Alone, x' is as often another variable (x and x') or a derivative (f') as a
        # transpose; only inside a product (x' A x, see _factor) is it read as one.
        self.infer(node.base)
        return None

    # -- grouping and functions ------------------------------------------------------------------
    def _paren(self, node: t.Paren) -> Shape | None:
        if node.open.removeprefix("\\left") in ("(", "["):
            return self.infer(node.body)
        self.infer(node.body)
        return None

    def _scalar_of(self, node: t.Norm | t.Abs) -> Shape | None:
        self.infer(node.body)
        return SCALAR

    def _angle(self, node: t.Angle) -> Shape | None:
        for item in node.items:
            self.infer(item)
        return SCALAR if len(node.items) == 2 else None

    def _sqrt(self, node: t.Sqrt) -> Shape | None:
        s = self.infer(node.body)
        return SCALAR if s is not None and s.is_scalar else None

    def _text(self, node: t.Text) -> None:
        for m in node.math:
            self.infer(m)
        return None

    def _cells(self, node: t.Aligned | t.Cases) -> None:
        for row in node.rows:
            for cell in row:
                self.infer(cell)
        return None

    def _apply(self, node: t.Apply) -> Shape | None:
        args = [self.infer(a) for a in node.args]
        func = node.func
        if isinstance(func, t.Func):
            return self._named(func.name, func, node, args)
        if (
            isinstance(func, t.Symbol)
            and func.name in ("\\sigma",)
            and len(args) == 1
            and not self._declared("\\sigma")
        ):
            return args[0]  # the logistic function, elementwise
        key = symbol_key(func)
        sig = self._signature(key[0], func.start) if key else None
        if sig is None and key is not None and key[0] in _DENSITIES and _conditional(node.args):
            if not self._known(key[0], func.start):
                return SCALAR  # p(z = j \mid x; \phi), q(z \mid x): a probability or a density
        if sig is None or len(args) != 1:
            return None
        arg = args[0]
        if arg is not None and _comparable(arg, sig.domain) and not arg.agrees(sig.domain):
            self._emit("argument-mismatch",
                       f"`{self._quote(func)}` takes {_set_text(sig.domain)} but {self._described(node.args[0], arg)}",
                       node.args[0].start, node.args[0].end,
                       (Related(sig.path, sig.start, sig.end, f"`{sig.key}` : {_set_text(sig.domain)} → {_set_text(sig.codomain)}"),))  # fmt: skip
            return None
        if arg is None or not arg.agrees(sig.domain):
            return None  # applied elementwise or to a batch: the result's shape is not the codomain
        return sig.codomain

    def _named(
        self, name: str, func: t.Func, node: t.Apply, args: list[Shape | None]
    ) -> Shape | None:
        arg = args[0] if len(args) == 1 else None
        if name in _SQUARE_FUNCS:
            if arg is not None and not arg.is_scalar and not same(arg.rows, arg.cols):
                self._emit("not-square", f"the {_SQUARE_FUNCS[name]} needs a square matrix, but {self._described(node.args[0], arg)}",
                           node.start, node.end, self._related(node.args[0]))  # fmt: skip
                return None
            return SCALAR if arg is not None or len(args) == 1 else None
        if name in ELEMENTWISE or name == "softmax":
            return arg
        if name == "diag" and arg is not None:
            if arg.cols == ONE:
                return Shape(arg.rows, arg.rows)
            if same(arg.rows, arg.cols):
                return Shape(arg.rows, ONE)
            return None
        if name == "vec" and arg is not None:
            return Shape(arg.rows * arg.cols, ONE)
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
        return None

    def _bigop(self, node: t.BigOp) -> Shape | None:
        body = self.infer(node.body)
        if node.op in ("\\sum", "\\int"):
            return body
        return body if body is not None and body.is_scalar else None

    def _derivative(self, node: t.Derivative) -> Shape | None:
        scalar = self._scalar_valued(node.body)
        shapes = [self.infer(w) for w in node.wrt]
        if scalar and len(shapes) == 1 and node.order is None:
            return shapes[0]
        return None

    def _nabla(self, node: t.Nabla) -> Shape | None:
        scalar = self._scalar_valued(node.body, gradient=True)
        if node.wrt is not None:
            x = self.infer(node.wrt)
        elif isinstance(node.body, t.Apply) and len(node.body.args) == 1:
            x = self.shapes.get(_span(node.body.args[0]))  # \nabla f(x): with respect to x
        else:
            x = None
        if scalar and x is not None and node.order is None:
            return x
        return None

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
            k is not None and self._unknown(k[0], body.start)
            for k in {symbol_key(name), key if not isinstance(body, t.Apply) else None} - {None}
        )  # fmt: skip

    def _matrix(self, node: t.Matrix) -> Shape | None:
        grid = [[self.infer(c) for c in row] for row in node.rows]
        if not grid or any(s is None for row in grid for s in row):
            return None
        widths = [len(row) for row in grid]
        if len(set(widths)) != 1:
            return None
        heights = []
        for row in grid:
            h = row[0].rows  # type: ignore[union-attr]
            if not all(same(s.rows, h) for s in row):  # type: ignore[union-attr]
                return None
            heights.append(h)
        cols = []
        for j in range(widths[0]):
            w = grid[0][j].cols  # type: ignore[union-attr]
            if not all(same(row[j].cols, w) for row in grid):  # type: ignore[union-attr]
                return None
            cols.append(w)
        return Shape(sum(heights[1:], heights[0]), sum(cols[1:], cols[0]))

    # -- relations ---------------------------------------------------------------------------------
    def _chain(self, node: t.Chain) -> Shape | None:
        head = node.items[0]
        if isinstance(head, t.Product) and node.relations[0] in EQUALITIES:
            call = self._call_head(head)
            if call is not None:  # k(x) = … defines a function k (k a dimension elsewhere)
                node = t.Chain((call, *node.items[1:]), node.relations, start=node.start,
                               end=node.end, from_macro=node.from_macro, span=node.span)  # fmt: skip
        shapes = [
            None
            if i is None or _is_space(i) or (k == 0 and self._is_definition_head(node, i))
            else self.infer(i)
            for k, i in enumerate(node.items)
        ]
        head = node.items[0]
        if head is not None and len(shapes) > 1 and self._is_definition_head(node, head):
            self._define_function(head, shapes[1])  # type: ignore[arg-type]
        last = len(node.items) - 1
        for i, rel in enumerate(node.relations):
            if rel not in EQUALITIES:
                continue
            left, right = node.items[i], node.items[i + 1]
            a, b = shapes[i], shapes[i + 1]
            # "Z = X V, \qquad Y = Z V^\top" reads as Z = (X V, Y) = Z V^\top: a list between
            # two relations ends one statement and starts the next
            if isinstance(left, t.List) and i > 0 and left.items:
                left = left.items[-1]
                a = self.shapes.get(_span(left)) if left is not None else None
            if isinstance(right, t.List) and i + 1 < last and right.items:
                right = right.items[0]
                b = self.shapes.get(_span(right)) if right is not None else None
            if left is None or right is None:
                continue
            if b is not None and self._defines(left):
                self._define(
                    left, b
                )  # y = Ax gives an undeclared y its shape (again, if redefined)
                continue
            if a is None or b is None or a.agrees(b):
                continue
            if self._redefines(left) and not a.agrees(b.transposed()):
                continue  # \beta = \sum_i \alpha_i \phi(x_i) in a later section: \beta anew
            if _transposes(left, right):
                continue  # A = A^\top states a property (symmetry), for a square A
            if (_is_derivative(left) or _is_derivative(right)) and a.agrees(b.transposed()):
                continue  # a gradient written in the other layout (a row, numerator layout)
            if a.is_scalar != b.is_scalar and (_is_literal(left) or _is_literal(right)):
                continue  # x = 0 for a vector: a zero vector
            if (_is_explicit(left) or _is_explicit(right)) and _instance(a, b):
                continue  # C = [0; 0; 0] for C ∈ ℝ^{n×m}: an example with n = 3, m = 1
            fixes = (self._transpose_fix(right),) if a.agrees(b.transposed()) else ()
            self._emit("equation-mismatch",
                       f"the sides of `{rel}` differ: {self._described(left, a)} but {self._described(right, b)}{self._hint(fixes)}",
                       left.start, right.end, self._related(left, right), fixes)  # fmt: skip
        return None

    def _define_function(self, head: t.Apply, value: Shape | None) -> None:
        """``f(x) = Ax`` with x ∈ ℝⁿ: from here on f maps ℝⁿ to what the right side is."""
        key = symbol_key(head.func)
        if key is None or value is None or len(head.args) != 1:
            return
        arg = self.infer(head.args[0])
        if arg is None:
            return
        self.reads.add(key[0])
        sigs = self.table.signatures.setdefault(key[0], [])
        if not any(s.path == self.path and s.start == head.start for s in sigs):
            sig = Signature(key[0], arg, value, self.path, head.start, head.end)
            self.writes.append(sig)
            sigs.append(sig)
            sigs.sort(key=lambda s: (s.path, s.start))

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
        return key is not None and self._ask("redefines", key[0], key[1], node.start)

    def _defines(self, node: t.Node) -> bool:
        """Is ``node`` an undeclared symbol, so that ``node = …`` defines its shape?"""
        key = symbol_key(node)
        return key is not None and not self._declared(key[0])

    def _define(self, node: t.Node, shape: Shape) -> None:
        key = symbol_key(node)
        if key is None:
            return
        self.reads.add(key[0])
        found = self.defined.setdefault(key[0], [])
        if not any(d.path == self.path and d.start == node.start for d in found):
            d = Declaration(key[0], key[1], shape, self.path, node.start, node.end, "definition")
            self.writes.append(d)
            found.append(d)


_SUPERSCRIPTS = str.maketrans(
    "0123456789+-=()nmkdpqrstijlNMKDT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿᵐᵏᵈᵖ\ufffdʳˢᵗⁱʲˡᴺᴹᴷᴰᵀ"
)


def _space(dim: str) -> str:
    """ℝᵐ for a dimension that has superscript letters, the way papers print it; ℝ^{d_k} otherwise."""
    sup = dim.translate(_SUPERSCRIPTS)
    return (
        "ℝ" + sup
        if "\ufffd" not in sup and all(c not in sup for c in dim if c.isalnum())
        else f"ℝ^{{{dim}}}"
    )


def _set_text(shape: Shape) -> str:
    """A shape as the set its members belong to, as messages write members: ℝ, ℝⁿ, ℝ^{m×n}."""
    if shape.is_scalar:
        return "ℝ"
    if shape.is_vector:
        return _space(dim_text(shape.rows))
    return f"ℝ^{{{shape.short()}}}"


def _unwrapped(node: t.Node, through: tuple[type, ...] = (t.Transpose, t.Paren)) -> t.Node:
    """What is under transposes and parentheses (or other wrappers): `A` of `(A^\top)`."""
    while isinstance(node, through):
        inner: t.Node | None
        if isinstance(node, t.Transpose):
            inner = node.base
        elif isinstance(node, t.Neg):
            inner = node.operand
        elif isinstance(node, t.Paren):
            inner = node.body
        else:
            return node
        if inner is None:
            return node
        node = inner
    return node


def merge_evidence(
    evidence: dict[str, tuple[Dim | None, Dim | None]],
    conflicting: set[str],
    key: str,
    rows: Dim | None,
    cols: Dim | None,
) -> None:
    """Add what one use says of an undeclared symbol to what earlier uses said."""
    if key in conflicting:
        return
    old_rows, old_cols = evidence.get(key, (None, None))
    if (rows is not None and old_rows is not None and not same(rows, old_rows)) or (
        cols is not None and old_cols is not None and not same(cols, old_cols)
    ):
        # uses disagree: the letter means different things in different places
        conflicting.add(key)
        evidence.pop(key, None)
        return
    evidence[key] = (old_rows if rows is None else rows, old_cols if cols is None else cols)


def _span(node: t.Node) -> tuple[int, int, type]:
    """What identifies a node among the nodes of its document: its range and its kind."""
    return (node.start, node.end, type(node))


# A question inference asked of the symbol table or the definitions, and its answer:
# (kind, symbol key, font (or the dimension's name), offset, answer)
Question = tuple[str, str, Any, "int | None", Any]


def answer_of(
    table: SymbolTable,
    defined: dict[str, list[Declaration]],
    names: frozenset[Any],
    path: str,
    kind: str,
    key: str,
    font: Any,
    offset: int | None,
) -> Any:
    """The answer to a question about a symbol, asked at ``offset`` in ``path`` (the only
    way inference reads what the document declares and defines)."""
    at = -1 if offset is None else offset
    if kind == "lookup":
        return table.lookup(key, font, path, at)
    if kind == "signature":
        return table.signature(key, path, at)
    if kind == "declared":
        return key in table.declarations
    if kind == "definition":
        found = defined.get(key)
        return table.in_force(found, path, at) if found else None
    if kind == "dimension":
        return font in names
    if kind == "redefines":  # declared in an earlier section, so that `key = …` may redefine it
        decl = table.lookup(key, font, path, at)
        return decl is not None and table.carried(decl, path, at)
    raise ValueError(kind)


def dimension_key(name: Any) -> str:
    """What a row reads when it asks whether ``name`` names a dimension (never a symbol's
    key, which holds no NUL)."""
    return "\0dimension " + getattr(name, "name", str(name))  # (a sympy Symbol's name: fast)


def dimension_names(table: SymbolTable) -> frozenset[Any]:
    """The names that stand for dimensions in the declared shapes and signatures."""
    shapes = [d.shape for decls in table.declarations.values() for d in decls]
    shapes += [d.shape for bound in table.bound.values() for d, _, _ in bound]
    shapes += [
        s for sigs in table.signatures.values() for sig in sigs for s in (sig.domain, sig.codomain)
    ]
    return frozenset(
        sym for shape in shapes for dim in (shape.rows, shape.cols) for sym in dim.free_symbols
    )


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


def _conditional(args: tuple[t.Node, ...]) -> bool:
    """Arguments as a distribution takes them: ``z \\mid x``, or parameters after ``;``."""
    return any(
        isinstance(a, t.Sequence)
        or (isinstance(a, t.Chain) and any(r in ("\\mid", "|", "\\vert") for r in a.relations))
        for a in args
    )


def _plain(paren: t.Node) -> bool:
    """Brackets around symbols only, as arguments are: ``(x)``, ``(x, y)``."""
    body = paren.body if isinstance(paren, t.Paren) else None
    items = body.items if isinstance(body, (t.List, t.Sequence)) else (body,)
    return all(i is not None and symbol_key(i) is not None for i in items)


def _arguments(node: t.Node) -> bool:
    """Could this factor be the arguments of the one before it (``(x)`` in ``A(x) x``)?"""
    return isinstance(node, t.Paren) and node.open in ("(", "\\left(")


def _span_node(first: t.Node, last: t.Node) -> t.Node:
    """A stand-in covering first..last, to quote and locate a run of factors."""
    return t.Opaque("", start=first.start, end=last.end, from_macro=first.from_macro or last.from_macro,
                    span=(first.span[0], last.span[1]))  # fmt: skip


def _broadcasts(small: Shape, big: Shape) -> bool:
    """A row (1×q) or column (n×1) added along the rows or columns of an n×q matrix."""
    if small.rows == ONE and same(small.cols, big.cols) and big.rows != ONE:
        return True
    return small.cols == ONE and same(small.rows, big.rows) and big.cols != ONE


def _comparable(arg: Shape, domain: Shape) -> bool:
    """Only a vector for a vector or a matrix for a matrix is checked: a scalar function
    applied to a vector, or a vector function to a batch (a matrix), applies elementwise."""
    if domain.is_scalar or arg.is_scalar:
        return False
    return arg.is_vector == domain.is_vector


def _transposes(a: t.Node, b: t.Node) -> bool:
    """Is one side the transpose of the other (``A = A^\\top``, ``A^H = A``)?"""
    for x, y in ((a, b), (b, a)):
        if isinstance(x, t.Transpose) and show(x.base) == show(y):
            return True
    return False


def _is_derivative(node: t.Node) -> bool:
    return isinstance(_unwrapped(node), (t.Derivative, t.Nabla))


def _is_space(node: t.Node) -> bool:
    return isinstance(node, t.Space) or (
        isinstance(node, t.Product) and isinstance(node.factors[0], t.Space)
    )


def _is_explicit(node: t.Node) -> bool:
    """A matrix written out entry by entry: its dimensions are numbers."""
    return isinstance(_unwrapped(node, (t.Neg, t.Paren)), t.Matrix)


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
