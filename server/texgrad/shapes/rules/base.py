"""What every rule uses: an inference's state, the driver, the questions it records, and how
it reports a mismatch (see ``shapes/infer.py`` for the rules put together)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from typing import Any

from texgrad.shapes import messages
from texgrad.shapes.diagnostics import Diagnostic, Fix, Related, Severity
from texgrad.shapes.dim_terms import equal_polynomials, plain_symbol
from texgrad.shapes.dims import Dim, Shape, dim_of, same
from texgrad.shapes.facts import apart_key, fact_key
from texgrad.shapes.families import member_shape
from texgrad.shapes.gates import GATES_KEY
from texgrad.shapes.questions import (
    APART,
    CALLED,
    DECLARED,
    DEFINED,
    DEFINITION,
    DIMENSION,
    FACT,
    GATE,
    LETTER,
    LOOKUP,
    SIGNATURE,
    WEAK,
    Ask,
    Question,
    answer_of,
    dimension_key,
    dimension_names,
)
from texgrad.shapes.sections import (
    SENTENCE_LOOKBACK,
    errata_at,
    goes_on,
    in_errata,
    sentence_start,
)
from texgrad.shapes.table import Declaration, Signature, SymbolTable
from texgrad.syntax import tree as t
from texgrad.syntax.show import show
from texgrad.syntax.symbols import same_letter, symbol_key, tagged_key

# what a definition of unknown size records (``K = P H^\top S^{-1}`` with P unknown, for a K
# declared otherwise in an earlier section): the letter means something new from there on
# the fonts of vectors: \mathbf{x}, \bm{x}, \boldsymbol{x}
BOLD_FONTS = frozenset({"mathbf", "bm", "boldsymbol", "pmb", "vb"})
# what the uses of a letter in a bold font say of it is kept apart from what those of the
# same letter in no font say (``\mathbf w`` of a regression, the number w of a 1-d example):
# its notes' keys end so, until ``bold_first`` merges the two
BOLD_NOTE = "\x00bold"
UNSIZED = Shape(plain_symbol("unsized"), plain_symbol("unsized"))
# a notation defined for any argument, ``P_A = A(A'A)^{-1}A'``: its template is inferred with
# A of these rows and columns (names of texgrad's own) and kept under ``template_key``, so
# that ``P_Z`` is the template with Z's rows and columns put for them
TEMPLATE_ROWS = plain_symbol("argument rows")
TEMPLATE_COLS = plain_symbol("argument columns")
TEMPLATE_ARGUMENT = Shape(TEMPLATE_ROWS, TEMPLATE_COLS)


def template_key(base: str) -> str:
    """The key a notation's template is defined under: ``P_A = …`` of the letter ``P``
    (never a symbol's key, which holds no NUL)."""
    return base + "_{\0}"


def row_map_key(name: str) -> str:
    r"""The key of an operator said to apply row-wise (``\operatorname{FFN}_e``, of its name
    ``FFN``), defined as the widths it maps rows between (rules/relations.py ``_row_map``)."""
    return f"\\operatorname{{{name}}}\0rows"


def square_key(letter: str) -> str:
    r"""The key that says the square of a vector ``letter`` is taken entry by entry, defined
    where the text sets ``\log \sigma^2`` (or ``\sigma^2``) equal to a vector."""
    return letter + "\0square"


# bars: an adjoint where the document says so (``_bar_adjoint``), else a mean, a conjugate …
BARS = frozenset({"bar", "overline"})


class RuleBase:
    """Infers shapes over the rows of one document; collects diagnostics.

    The rules (one per node kind) live in the subclasses of this one, by family; ``infer``
    dispatches a node to its rule through ``_RULES`` (filled by ``Inference``)."""

    # node kind -> its rule, called with the inference (see infer.py)
    _RULES: dict[type, Callable[[Any, Any], Shape | None]] = {}

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
        # rows an edit affects (see shapes/incremental.py): the symbols whose knowledge it used,
        # the definitions it added (y = Ax, f(x) = …) and what it noted about undeclared ones.
        self.reads: set[str] = set()
        # … and each question it asked of them with the answer, so that a re-check can ask
        # again instead of inferring the row
        self.asked: list[Question] = []
        self.writes: list[Declaration | Signature] = []
        self.notes: list[tuple[str, Dim | None, Dim | None]] = []
        # the factors read as vectors by their bold face alone (span keys: X\boldsymbol\beta)
        self.bold_guesses: set[Any] = set()
        # N of \mathbb{R}^{N \times D}: a number wherever it is written undeclared (\frac{1}{N})
        self.dimension_names = dimension_names(table) if names is None else names
        # where the left side of the equation whose right side is being inferred starts: the
        # h of ``h = W_2 h`` is the h before this definition, not the one it makes
        self._own_left: int | None = None
        # the plain letters a row defines a function of (``g(z) = …``), while its right side
        # is inferred: there a plain z is the function's argument, not a \mathbf z declared
        self._parameters: frozenset[tuple[str, str | None]] = frozenset()
        # the letter a notation's template is inferred for (``P_A = A(A'A)^{-1}A'``: A), with
        # the shape standing for any argument's (``TEMPLATE_ARGUMENT``), while it is inferred
        self._bound: dict[tuple[str, str | None], Shape] | None = None
        # the answers to questions of TABLE_ONLY kinds asked again in this check (shared by
        # its two passes, which read one table: see incremental.same_answers); None: none kept
        self.answers: dict[tuple[Any, ...], Any] | None = None

    # -- driver -------------------------------------------------------------------------------
    def infer(self, node: t.Node | None) -> Shape | None:
        if node is None:
            return None
        rule = self._RULES.get(type(node))
        shape = rule(self, node) if rule is not None else None
        if shape is not None:
            self.shapes[span_key(node)] = shape
        return shape

    def apply(self, write: Declaration | Signature) -> None:
        """Redo a definition a row made when it was last inferred (its text unchanged)."""
        # (lists replaced, not changed: a check shares them with the project's other files')
        if isinstance(write, Signature):
            sigs = self.table.signatures.get(write.key, [])
            if not any(s.path == write.path and s.start == write.start for s in sigs):
                sigs = self.table.signatures[write.key] = [*sigs, write]
                sigs.sort(key=lambda s: (s.path, s.start))
        else:
            found = self.defined.get(write.key, [])
            if not any(d.path == write.path and d.start == write.start for d in found):
                self.defined[write.key] = [*found, write]

    # -- what a row reads of the symbol table and the definitions (recorded) ------------------
    def _ask(self, kind: Ask, key: str, font: Any, offset: int | None) -> Any:
        self.reads.add(key)
        answer = answer_of(
            self.table, self.defined, self.dimension_names, self.path, kind, key, font, offset
        )
        self.asked.append((kind, key, font, offset, answer))
        return answer

    def _gate(self, *gate: str) -> Any:
        """What the texts say every row may read (shapes/gates.py: ``gates.read``), asked and
        recorded as a question, so that a row asks again when an edit may change it."""
        return self._ask(GATE, GATES_KEY, gate, None)

    def _lookup(self, key: tuple[str, str | None], offset: int) -> Declaration | None:
        found: Declaration | None = self._ask(LOOKUP, key[0], key[1], offset)
        return found

    def _valued(self, key: tuple[str, str | None], offset: int) -> Declaration | None:
        """The declared value of a function, ``k_u(x) \\in \\mathbb{R}^m``, in force here."""
        found = self._lookup(key, offset)
        return found if found is not None and found.how == "value" else None

    def _called_somewhere(self, key: str) -> bool:
        """Is ``key`` declared at a call anywhere (``\\mathbf{J}(\\mathbf{q}) \\in …``, in
        scope here or not): the document writes it as a function of its arguments?"""
        called: bool = self._ask(CALLED, key, None, None)
        return called

    def _signature(self, key: str, offset: int) -> Signature | None:
        signature: Signature | None = self._ask(SIGNATURE, key, None, offset)
        return signature

    def _tagged_family_member(
        self,
        letter: tuple[str, str | None],
        index: t.Node,
        bracket: str,
        tag: str,
        at: int,
        written: Callable[[str], bool] | None = None,
    ) -> Shape | None:
        r"""The shape of a member (``W_1^Q``, ``P_{k-1}^+``) of a family declared with its tag
        or mark kept (``W_i^Q``, ``P_k^+``), the subscript ``index`` read as the family's
        label: shared by a tagged member (rules/symbols.py) and a marked one (operators.py)."""

        def declared(key: str) -> Shape | None:
            key = tagged_key(key, bracket, tag)
            if not self._declared(key):
                return None
            decl = self._lookup((key, letter[1]), at)
            return decl.shape if decl is not None else None

        def named(d: Dim) -> bool:
            return bool(self._ask(DIMENSION, dimension_key(d), d, None))

        return member_shape(letter[0], "_", index, declared, named, tagged=True, written=written)

    def _written_family(self, key: tuple[str, str | None], member: str, at: int) -> bool:
        r"""Is the family ``key`` (its member ``member``, ``x_{i}``) declared as the document
        writes it, with its label (``x_i \in \mathbb{R}^d``, ``W_i^Q \in …``), not only
        as the members of a list (``x_1, \dots, x_N``)?"""
        decl = self._lookup(key, at)
        if decl is None or not member.endswith("}") or "_{" not in member:
            return False
        label = member[member.rindex("_{") + 2 : -1]
        text = self.table.texts.get(decl.path, "")[decl.start : decl.end]
        if "_" not in text and "\\" in text:
            # \vect{x} \in \mathbb{R}^d of \newcommand{\vect}[2][t]{\mathbf{#2}_{#1}}: a
            # macro writes the label, a letter (a list of members writes subscripts itself)
            return re.fullmatch(r"\\?[A-Za-z]+", label) is not None
        return re.search(r"_\{?\s*" + re.escape(label) + r"(?![A-Za-z])", text) is not None

    def _declared(self, key: str) -> bool:
        """Is ``key`` declared anywhere (in scope here or not)?"""
        # (answer_of's answer, asked and recorded as _ask does, without its dispatch: inference
        # asks this of nearly every letter it meets)
        self.reads.add(key)
        declared = key in self.table.declarations
        self.asked.append((DECLARED, key, None, None, declared))
        return declared

    def _defined_anywhere(self, key: str) -> bool:
        """Is ``key`` defined by an equation (``y = Ax``) anywhere in the document?"""
        self.reads.add(key)  # (as _declared: answer_of's answer, asked and recorded)
        defined = key in self.defined
        self.asked.append((DEFINED, key, None, None, defined))
        return defined

    def _bar_adjoint(self, node: t.Symbol) -> bool:
        r"""Is ``node`` a bar the document marks adjoints with (``\bar Y`` of "the upstream
        gradient $\bar Y$": gates.says_bar_adjoint)?  Then it has its letter's shape."""
        return node.accents[-1] in BARS and bool(self._gate("bar-adjoint"))

    def _definition(self, key: str, offset: int) -> Declaration | None:
        definition: Declaration | None = self._ask(DEFINITION, key, None, offset)
        if definition is None or definition.path != self.path or not self._gate("errata"):
            return definition
        span = errata_at(self.source, definition.start)
        if span is None or (
            goes_on(self.source, definition.end, offset)
            if definition.start <= offset
            else goes_on(self.source, offset, definition.start)
        ):
            return definition  # (in its sentence)
        # what a list of mistakes defines holds in its own sentence only: else the definition
        # in force before the list
        before: Declaration | None = (
            self._ask(DEFINITION, key, None, span[0] - 1) if span[0] else None
        )
        if before is not None and before.path == self.path and in_errata(self.source, before.start):
            return None
        return before

    def _sized_definition(self, key: str, offset: int) -> Declaration | None:
        """The definition in force here, if it gives a shape (not a redefinition of unknown size)."""
        found = self._definition(key, offset)
        return found if found is not None and found.shape is not UNSIZED else None

    def _weak(self, key: tuple[str, str | None], offset: int) -> Declaration | None:
        """A weak scalar (``\\lambda > 0``) for a letter nothing declares."""
        found: Declaration | None = self._ask(WEAK, key[0], key[1], offset)
        return found

    def _weak_scalar(self, key: tuple[str, str | None], offset: int) -> bool:
        """Is there a weak scalar (``\\lambda > 0``), not a named set's member, for ``key``?"""
        found = self._weak(key, offset)
        return found is not None and found.how != "set"

    # -- comparing dimensions under the facts the text states (n = n_1 n_2, N = 2) -----------
    def _same(self, a: Dim, b: Dim, offset: int) -> bool:
        """Do two dimensions agree where ``offset`` is, under the facts in force there?  The
        facts are asked only when they may change the answer: when the dimensions differ, or
        agree only as a number and a name (``N`` and ``3``)."""
        if a == b:
            return True
        plain = same(a, b)
        if plain and not (a.is_Number or b.is_Number):
            return True  # n + 1 and 1 + n: no fact makes them differ
        facts = self._facts(a.free_symbols | b.free_symbols, offset)
        if not facts:
            return (plain and not self._said_apart(a, b)) or (
                not plain and self._unnamed_width(a, b)
            )
        a, b = _under(a, facts), _under(b, facts)
        if plain:  # N and 3: still an instance unless a fact gives N another number
            return same(a, b) and not self._said_apart(a, b)
        return a == b or equal_polynomials(a, b)  # (N = 2 does not make d and N agree)

    def _said_apart(self, a: Dim, b: Dim) -> bool:
        """A name and a number the text says it may differ from ("when $n < 6$"): not an
        instance of it (see ``facts._apart``)."""
        if a.is_Number:
            a, b = b, a
        if not (a.is_Symbol and b.is_Number):
            return False
        apart: bool = self._ask(APART, apart_key(a, b), None, None)
        return apart

    def _unnamed_width(self, a: Dim, b: Dim) -> bool:
        r"""Might two different dimensions still be one?  When one is a layer's width the
        document never writes (``n_2`` of ``W^{(2)}``, made from ``W^{(l)} \in \mathbb{R}^{n_l
        \times n_{l-1}}``) and the other is not a width of the same letter: the last layer's
        ``n_2`` may be the ``K`` of the output.  Widths of one letter (``n_2``, ``n_1``) differ."""
        names = a.free_symbols | b.free_symbols
        unnamed = [
            s
            for s in names
            if _NUMBERED.match(str(s)) and not self._ask(DIMENSION, dimension_key(s), s, None)
        ]
        if not unnamed:
            return False
        letters = {str(s).partition("_")[0] for s in names}
        return len(letters) > 1 or any("_" not in str(s) for s in names)

    def _agrees(self, a: Shape, b: Shape, offset: int) -> bool:
        return self._same(a.rows, b.rows, offset) and self._same(a.cols, b.cols, offset)

    def _under_facts(self, shape: Shape, offset: int) -> Shape:
        """A shape with the facts in force at ``offset`` applied (N of ℝ^N as 2 where N = 2)."""
        facts = self._facts(shape.rows.free_symbols | shape.cols.free_symbols, offset)
        if not facts:
            return shape
        return Shape(_under(shape.rows, facts), _under(shape.cols, facts))

    def _facts(self, names: set[Any], offset: int) -> dict[Any, Dim]:
        """The facts in force at ``offset`` about these names and the names they bring in."""
        facts: dict[Any, Dim] = {}
        todo, seen = list(names), set[Any]()
        while todo and len(seen) < 32:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            fact = self._ask(FACT, fact_key(name), None, offset)
            if fact is None:
                fact = self._member_fact(name, offset)
            if fact is not None:
                facts[name] = fact.value
                todo.extend(fact.value.free_symbols)
        return facts

    def _member_fact(self, name: Any, offset: int) -> Any:
        """``d_l = d`` (of every layer: "Suppose $d_l = d$ for all $l$") for a shifted member of
        its family, ``d_{l-1}`` or ``d_{l+1}``, when the value does not depend on the label."""
        m = _SHIFTED.fullmatch(str(name))
        if m is None:
            return None
        fact = self._ask(FACT, fact_key(f"{m[1]}_{m[2]}"), None, offset)
        if fact is None or any(m[2] in str(s) for s in fact.value.free_symbols):
            return None
        return fact

    def _members_one_to(
        self, items: tuple[t.Node, ...], shapes: list[Shape | None]
    ) -> tuple[Shape, Dim] | None:
        r"""``head_1, \dots, head_h`` (three items, the middle one dots): members 1 to h of one
        family of one shape, that shape and their number h; None otherwise (h a size the
        document gives nothing, members sized by their own label: n×d_1 of n×d_i)."""
        first, last = items[0], items[2]
        shape, end = shapes[0], shapes[2]
        if not (isinstance(first, t.Sub) and isinstance(last, t.Sub)):
            return None
        count = dim_of(last.index)
        if (
            shape is None or count is None or show(first.index) != "1"
            or symbol_key(first.base) is None
            or symbol_key(first.base) != symbol_key(last.base)
            or (end is not None and not (shape.rows == end.rows and shape.cols == end.cols))
            or _labelled_by_one(shape)  # (n×d_1 of n×d_i: the members differ)
            # h of head_h a size the document gives something (so its facts are read)
            or not all(self._ask(DIMENSION, dimension_key(d), d, None)
                       for d in count.free_symbols)
        ):  # fmt: skip
            return None
        return shape, count

    def _limit(self, node: t.Sub) -> Shape | None:
        r"""``x_\infty`` of a declared vector ``x \in \mathbb{R}^n`` (or of a family ``x_k``):
        the limit, the equilibrium of ``x_k``, of x's shape — where ``x_\infty`` is not
        declared itself, before what a formula defines it as.  Only of a vector:
        ``H_\infty``, ``L_\infty`` of a matrix may name a norm or a space."""
        index = node.index
        if not (isinstance(index, t.Symbol) and index.name == "\\infty"):
            return None
        base = self.infer(node.base)
        for label in ("k", "t"):  # \xi_\infty of \xi_k \in \mathbb{R}^q
            base = base or self.infer(
                dataclasses.replace(node, index=dataclasses.replace(index, name=label))
            )
        return base if base is not None and base.is_vector else None

    def _bold_guessed(self, node: t.Node) -> bool:
        r"""Is ``node`` a product whose last factor was read a vector by its bold face alone
        (``(K + \sigma^2 I)\boldsymbol\alpha``)?  Then, set equal to a known side, it still
        solves for that letter (``_solves``), which defines it for later rows."""
        return (
            isinstance(node, t.Product) and bool(node.factors)
            and span_key(node.factors[-1]) in self.bold_guesses
        )  # fmt: skip

    def _known(self, key: str, offset: int) -> bool:
        """Does the document declare ``key`` (anywhere) or define it (in force here)?"""
        if self._bound is not None and any(k[0] == key for k in self._bound):
            return True  # (a template's argument: A of A(A'A)^{-1}A', no function A)
        return self._declared(key) or self._definition(key, offset) is not None

    def _introduced(self, key: tuple[str, str | None], offset: int) -> bool:
        r"""Does the document declare the letter in this font (or one standing for it),
        anywhere, or define or sign it where ``offset`` is?  (``\mathcal{I}(\beta)``, a
        Fisher information, does not introduce the I of ``I_p``.)"""
        if not self._unknown(key[0], offset):
            letter, font = key
            if self._declared(letter) and self._ask(LETTER, letter, font, None):
                return True
            made = self._definition(letter, offset) or self._signature(letter, offset)
            return made is not None and same_letter(font, made.font)
        return False

    def _unknown(self, key: str, offset: int) -> bool:
        """Does nothing declare, define or sign ``key`` (a letter a paper never introduces)?"""
        return not self._known(key, offset) and self._signature(key, offset) is None

    def _note(self, node: t.Node, rows: Dim | None, cols: Dim | None) -> None:
        """What a use tells of an undeclared symbol (shown as inferred, never reported)."""
        if isinstance(node, t.Transpose):  # u^\top A: what is said of u^\top, transposed
            node, rows, cols = node.base, cols, rows
        key = symbol_key(node)
        if key is None or self._known(key[0], node.start):
            return
        noted = key[0] + BOLD_NOTE if key[1] in BOLD_FONTS else key[0]
        self.notes.append((noted, rows, cols))
        merge_evidence(self.evidence, self.conflicting, noted, rows, cols)

    # -- reporting a mismatch -----------------------------------------------------------------
    def _emit(
        self,
        code: str,
        message: str,
        start: int,
        end: int,
        related: tuple[Related, ...] = (),
        fixes: tuple[Fix, ...] = (),
        severity: Severity = "error",
    ) -> None:
        if not self.report:
            return
        made = Diagnostic(code, severity, message, self.path, start, end, related, fixes)
        # a part inferred twice (the body of \mathbb{E}[…] is) says it once
        if made not in self.diagnostics[-8:]:
            self.diagnostics.append(made)

    def _not_square(self, operation: str, operand: t.Node, shape: Shape, node: t.Node) -> None:
        """``operation`` (inverse, power, trace, determinant) of a matrix not square."""
        message = messages.not_square(operation, self._described(operand, shape))
        self._emit("not-square", message, node.start, node.end, self._related(operand))

    def _quote(self, node: t.Node) -> str:
        text = " ".join(self.source[node.start : node.end].split())
        return text if len(text) <= 40 else text[:39] + "…"

    def _described(self, node: t.Node, shape: Shape) -> str:
        return messages.described(self._quote(node), shape)

    def _related(self, *nodes: t.Node) -> tuple[Related, ...]:
        """Where the shapes of these operands come from: their declarations or definitions."""
        out: list[Related] = []
        for node in nodes:
            inner = unwrapped(node)
            if isinstance(inner, t.Sub) and self._limit(inner) and not self._declaration(inner):
                node = inner.base  # x_\infty: sized as x is declared
            decl = self._declaration(node)
            if decl is not None:
                if any((r.path, r.start) == (decl.path, decl.start) for r in out):
                    continue  # `x^\top x`: one note for x
                text = messages.declared_here(self.table.written(decl), decl.shape)
                out.append(Related(decl.path, decl.start, decl.end, text))
                continue
            key = symbol_key(unwrapped(node))
            defined = self._sized_definition(key[0], node.start) if key else None
            if key and defined:
                text = messages.defined_here(self.table.written(defined), defined.shape)
                out.append(Related(defined.path, defined.start, defined.end, text))
        return tuple(out)

    def _borrowed(self, *nodes: t.Node) -> bool:
        """Is one of these operands a bare letter sized only by a definition carried from an
        earlier section (``SymbolTable.borrowed``)?  Such a shape is trusted where the letter
        agrees with its neighbours, never as the side of a mismatch — unless the sentence
        writing it calls what it writes wrong ("the version $H D H^\top$ on the board was
        wrong"): a slip quoted as one uses the letters of the text before it."""
        blamed: bool | None = None
        for node in nodes:
            inner = unwrapped(node, (t.Transpose, t.Paren, t.Neg))
            if isinstance(inner, t.Power) and is_inverse(inner):
                inner = unwrapped(inner.base, (t.Transpose, t.Paren, t.Neg))  # V^{-1}: V's
            key = symbol_key(inner)
            if key is None or self._declared(key[0]):
                continue
            d = self._sized_definition(key[0], inner.start)
            if (
                d is not None and self.table.borrowed(d, self.path, inner.start)
                and not self._made_of_set_up(d, inner.start)
                and not self._restates_set_up(d)
            ):  # fmt: skip
                if blamed is None:
                    blamed = self._said_wrong(inner.start)
                if not blamed:
                    return True
        return False

    def _said_wrong(self, at: int) -> bool:
        """Does the sentence holding ``at`` call what it writes wrong (``gates.said_wrong``)?
        Asked as a gate at ``at``: an edit of the words around it asks again."""
        return bool(self._ask(GATE, GATES_KEY, ("blamed",), at))

    def _restates_set_up(self, d: Declaration) -> bool:
        r"""Does the definition ``d`` restate, with the same shape (under the text's facts),
        the one before it of its letter, made of letters a set-up section gives (a Setup's
        ``\alpha = (K + \sigma^2 I_n)^{-1} y``, computed again through an eigendecomposition
        in the next section)?  Then it names the model's quantity still."""
        for _ in range(4):  # (through a few restatements: Setup, Eigendecomposition, …)
            if d.path != self.path:
                return False
            paragraph = self.source.rfind("\n\n", 0, d.start)  # (not d, just after in its sentence)
            before = self._sized_definition(d.key, paragraph) if paragraph > 0 else None
            if before is None or before.start >= d.start or before.font != d.font:
                return False
            if not self._agrees(before.shape, d.shape, d.start):
                return False
            if self._made_of_set_up(before, before.start):
                return True
            d = before
        return False

    def _made_of_set_up(self, d: Declaration, offset: int) -> bool:
        r"""Is the definition ``d`` made only of letters a section that sets up the others
        declares or defines (a Setting's K, σ² and y: ``lpha = (K + \sigma^2 I_n)^{-1}
        y``), each the one in force at ``offset``?  Then it names a quantity of the whole
        model, as those letters do, not a computation of its own section (a definition for a
        case, "In the balanced case $V = B B^\top$", has no ingredients: ``ingredients``)."""
        if not d.made_of:
            return False
        for key in d.made_of:
            found = self._lookup(key, offset) or self._weak(key, offset)
            if found is None and not self._declared(key[0]):
                found = self._definition(key[0], offset)
            if found is None or not self.table.sets_up(found):
                return False
        return True

    def _declaration(self, node: t.Node) -> Declaration | None:
        node = unwrapped(node)
        key = symbol_key(node)
        return self._lookup(key, node.start) if key is not None else None

    def _hint(self, fixes: Iterable[Fix]) -> str:
        return messages.agreement_hint(f.title for f in fixes)

    def _transpose_fix(self, node: t.Node) -> Fix:
        text = self.source[node.start : node.end]
        named = isinstance(node, t.Prime) and self._declaration(node) is not None  # Z' declared
        if isinstance(node, (t.Transpose, t.Prime)) and not named:  # drop a transpose (A^\top, A')
            base = node.base
            title = messages.remove_transpose_title(self._quote(base))
            return Fix(title, self.path, node.start, node.end, self.source[base.start : base.end])
        simple = isinstance(node, (t.Symbol, t.Sub, t.Paren)) or (isinstance(node, t.Tagged))
        new = f"{text}^\\top" if simple else f"({text})^\\top"
        return Fix(
            messages.transpose_title(self._quote(node)), self.path, node.start, node.end, new
        )


def span_key(node: t.Node) -> tuple[int, int, type]:
    """What identifies a node among the nodes of its document: its range and its kind."""
    return (node.start, node.end, type(node))


# a width numbered from 1 that families make (n_2 of W^{(2)}): see RuleBase._unnamed_width
# a layer's width numbered from 1 (n_2) or below the last layer's (n_{L-1}): see _unnamed_width
_NUMBERED = re.compile(r"[^_]+_(?:\{?[1-9][0-9]*\}?|\{[A-Z] ?- ?[1-9][0-9]*\})$")


# words by which a sentence makes what it defines a special case's
_A_CASE = re.compile(r"\b(?:[Cc]ases?|[Ss]pecial(?:ly)?|[Hh]ere|[Ee]xamples?|[Ii]nstance)\b")


def ingredients(node: t.Node, source: str, at: int) -> tuple[tuple[str, str | None], ...]:
    r"""The letters (key, font) a formula defining the letter at ``at`` is made of, each
    once, in order: its outermost symbols (``K_1`` whole), but for identities and written
    constants (``I_n``, ``\mathbf{1}``), which any section may write; none when the sentence
    makes the definition a case's ("In the balanced case $V = B B^\top$": V means more
    after it)."""
    lo = sentence_start(source, max(0, at - SENTENCE_LOOKBACK), at)
    if _A_CASE.search(source, lo, at) is not None:
        return ()
    out: list[tuple[str, str | None]] = []
    todo = [node]
    while todo:
        n = todo.pop()
        key = symbol_key(n)
        if key is None:
            todo.extend(reversed(list(n.children())))
            continue
        base = key[0].partition("_")[0]
        if base not in _CONSTANT_LETTERS and key not in out:
            out.append(key)
    return tuple(out)


_CONSTANT_LETTERS = frozenset({"I", "0", "1", "e", "\\pi"})


def is_inverse(node: t.Power) -> bool:
    r"""``V^{-1}`` (and ``V^{-1/2}``-like negative powers are not: only the inverse)."""
    e = node.exponent
    return isinstance(e, t.Neg) and isinstance(e.operand, t.Number) and e.operand.text == "1"


def unwrapped(node: t.Node, through: tuple[type, ...] = (t.Transpose, t.Paren)) -> t.Node:
    r"""What is under transposes and parentheses (or other wrappers): `A` of `(A^\top)`."""
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


def bold_first(
    evidence: dict[str, tuple[Dim | None, Dim | None]], conflicting: set[str]
) -> dict[str, tuple[Dim | None, Dim | None]]:
    r"""What the uses say of each letter (``merge_evidence``'s), a bold letter's uses
    (``X\mathbf w``) before those of the same letter in no font (``2yw`` of a 1-d example,
    another letter): by the bold ones where they agree with each other, else by none."""
    out: dict[str, tuple[Dim | None, Dim | None]] = {}
    for key, said in evidence.items():
        if not key.endswith(BOLD_NOTE):
            out.setdefault(key, said)
    for key in [*evidence, *conflicting]:
        if key.endswith(BOLD_NOTE):
            letter = key[: -len(BOLD_NOTE)]
            out.pop(letter, None)
            if key not in conflicting:
                out[letter] = evidence[key]
    return out


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


# a member of a family of sizes shifted from its label: d_{l-1}, n_{t+1}
_SHIFTED = re.compile(r"([A-Za-z]+)_\{?([a-z])\s*[+-]\s*[0-9]+\}?")


def _under(d: Dim, facts: dict[Any, Dim]) -> Dim:
    """``d`` with the names of ``facts`` replaced by their values, until none is left (a few
    rounds: n = n_1 n_2 with n_1 = 2)."""
    for _ in range(4):
        replaced = d.xreplace(facts)
        if replaced == d:
            break
        d = replaced
    return d


# a dimension named with the label 1 (d_1, n_{1}): of a family's first member, shifted
_LABEL_ONE = re.compile(r"_\{?1(?![0-9])")


def _labelled_by_one(shape: Shape) -> bool:
    """Whether a shape names a dimension by the label 1 (``d_1``): a member's own size."""
    names = shape.rows.free_symbols | shape.cols.free_symbols
    return any(_LABEL_ONE.search(d.name) for d in names)
