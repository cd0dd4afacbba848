r"""Rules for symbols: a letter's declaration, definition or signature; a member of a family
(``h^{(t-1)}`` of ``h^{(t)}``); an undeclared dimension name as a number; and subscripts,
which make an element (``x_i``, ``A_{ij}``), a row or column (``A_{i,:}``) or a symbol of
their own (``x_t``, ``\sigma_{\min}``)."""

from __future__ import annotations

import re
from dataclasses import replace

from texgrad.shapes.dims import ONE, SCALAR, Dim, Shape, dim_of, mentions
from texgrad.shapes.facts import fact_key
from texgrad.shapes.families import member_shape, time_step
from texgrad.shapes.formulas import (
    SUBSCRIPTED_LATIN,
    WEAK_BESIDE_BOLD,
    WEAK_LATIN,
    WEAK_STRICT,
    any_member_key,
)
from texgrad.shapes.gates import GATES_KEY
from texgrad.shapes.generic_members import MEMBER
from texgrad.shapes.questions import APART, DIMENSION, GATE, STACKED, dimension_key
from texgrad.shapes.rules.base import (
    TEMPLATE_COLS,
    TEMPLATE_ROWS,
    UNSIZED,
    RuleBase,
    template_key,
)
from texgrad.shapes.table import Declaration, Signature
from texgrad.syntax import tree as t
from texgrad.syntax.notation import index_parts, sized_constant
from texgrad.syntax.show import show
from texgrad.syntax.symbols import label_of, ones_key, same_letter, symbol_key, tagged_key

# accents that keep a letter's shape: a time derivative (\dot x, \ddot q).  Not \hat: an
# estimate (\hat\Sigma) mostly, but also the skew-symmetric matrix of a vector (\hat p in
# robotics) or a prediction of another size than the label it is compared with
SAME_SHAPE_ACCENTS = frozenset({"dot", "ddot"})
# an estimate of a matrix (\hat\Sigma of \Sigma, \hat B of B) has its shape; not of a vector
ESTIMATE_ACCENTS = frozenset({"hat", "widehat"})
# but for the two letters statistics names a vector of coefficients or a mean with:
# \hat\beta of \beta \in \mathbb{R}^p, \hat\mu of a mean vector (not \hat\omega, \hat\xi: the
# skew matrix of an angular velocity, a twist; nor \hat\theta: the cs229m notes' \theta is
# \operatorname{vec}(W) \in \mathbb{R}^{dm} in one example and p-dimensional in the others)
_ESTIMATED_VECTORS = frozenset({"\\mu", "\\beta"})
# the letters an iterative method counts its rounds with, in x^{(k)}, u^{(\ell+1)}
_ITERATION_LABELS = frozenset({"k", "t", "\\ell"})
# the letters that count the rounds of a recursion written p_{k+1} = … p_k …
_RECURSION_LABELS = frozenset({"k", "t"})
# "$\Lambda = \Sigma^{-1}$ in the same blocks", "$B = A^\top$, partitioned conformably"
_SAME_BLOCKS = re.compile(
    r"\$\s*(?P<letter>\\?[A-Za-z]+)\s*=\s*(?P<side>[^$=]{1,80})\$\s*,?\s*"
    r"(?:(?:partitioned\s+)?(?:in|into)\s+the\s+same\s+blocks"
    r"|partitioned\s+(?:conformably|the\s+same\s+way|likewise|alike))"
)
# a letter of a formula: \Sigma, A
_LETTER = re.compile(r"\\[A-Za-z]+|[A-Za-z]")
_SAID_SAME_BLOCKS: dict[int, tuple[str, list[tuple[int, str, str]]]] = {}


def _said_same_blocks(source: str) -> list[tuple[int, str, str]]:
    """Where ``source`` says a letter is partitioned as another (the end of the saying, the
    letter, the formula it is set to): found once per text."""
    hit = _SAID_SAME_BLOCKS.get(id(source))
    if hit is not None and hit[0] is source:
        return hit[1]
    found = (
        [(m.end(), m["letter"], m["side"]) for m in _SAME_BLOCKS.finditer(source)]
        if "same blocks" in source or "partitioned" in source
        else []
    )
    if len(_SAID_SAME_BLOCKS) > 64:
        _SAID_SAME_BLOCKS.clear()
    _SAID_SAME_BLOCKS[id(source)] = (source, found)
    return found


# the letters of a step or a position after a name: R_{\Theta,t}, R_{\Theta,s}
_STEP_LABELS = frozenset({"t", "s", "k", "\\tau"})
# Greek letters that index rather than name (W_{\ell,t})
_NOT_NAMES = frozenset({"\\ell", "\\tau", "\\iota", "\\kappa", "\\nu", "\\mu"})
# letters that index entries (x_i, x_j); t, s, k … make a new vector (x_t, the iterate x_k)
_ELEMENT_INDICES = frozenset("i j l m n p q r".split())
# what stands for "all rows" or "all columns" in a slice: A_{i,:}, A_{:,j}, A_{i,\cdot}
_SLICE_MARKS = frozenset({":", "\\cdot", "*", "\\ast", "\\bullet"})
_STARS = frozenset({"*", "\\ast", "\\star"})
# the keys of the plain Latin letters a strict comparison with a number makes numbers
_LATIN_WEAK = frozenset((letter, None) for letter in WEAK_LATIN)
# … and those a comparison with a number of either kind makes numbers: a radius, a rate or a
# rank r, a time t, a step h ("$r \\ge 0$", "for $t \\ge 0$"); not s (a slack vector's sign),
# p, q (a distribution's), a, c (a constraint's, a cost's), which are vectors as often
_LATIN_WEAK_EITHER = frozenset((letter, None) for letter in "hrt")
# r_x, c_{i}, t_1: a plain letter of SUBSCRIPTED_LATIN under one letter or a number
_SUBSCRIPTED_WEAK = re.compile(r"([a-z])_(?:\{)?(?:[A-Za-z]|\d+)(?:\})?")


def _summed_member(name: str, counted: frozenset[str]) -> bool:
    """Is ``name`` (``k_2``) a numbered member of a family of sizes the text sums ("$K = k_1 +
    \\dots + k_M$" counts ``k_1``): a size as ``k_1`` is?"""
    letter, _, number = name.partition("_")
    return number.isdigit() and len(letter) == 1 and f"{letter}_1" in counted


def _subscripted_weak(key: tuple[str, str | None]) -> bool:
    """Is ``key`` that of a subscripted letter a strict comparison with a number makes a scalar
    ("$r_x, r_y > 0$")?"""
    found = _SUBSCRIPTED_WEAK.fullmatch(key[0]) if key[1] is None else None
    return found is not None and found[1] in SUBSCRIPTED_LATIN


class SymbolRules(RuleBase):
    def _symbol(self, node: t.Symbol) -> Shape | None:
        ones = ones_key(node)
        if ones is not None:  # \mathbf{1}: sized where the document says so, else unsized
            decl = self._lookup(ones, node.start)
            return decl.shape if decl is not None else None
        return self._symbolic(node)

    def _redefined(self, key: tuple[str, str | None], decl: Declaration, at: int) -> Shape | None:
        """The shape of a declared letter ``key`` at ``at``, where a later definition may
        give it another."""
        anew = self._definition(key[0], at)
        if anew is not None and not same_letter(key[1], anew.font):
            anew = None  # \mathcal{B} = [B 0; AB B] in an Example names another letter
        if anew is not None and anew.path == decl.path and anew.start > decl.start:
            # K = P H^\top S^{-1} in a later section (a gain, not the kernel K declared
            # before): which the text means from there on is not certain — say nothing; unless
            # the facts in force make both one (an Example's "$n_0 = 3$ … one input
            # $x = (1, 0, -1)^\top$" of an x \in \mathbb{R}^{n_0})
            same = anew.shape == decl.shape or (
                anew.shape is not UNSIZED
                and self._under_facts(anew.shape, at) == self._under_facts(decl.shape, at)
            )
            return decl.shape if same else None
        return decl.shape

    def _symbolic(self, node: t.Node) -> Shape | None:
        key = symbol_key(node)
        if key is None:
            return None
        if self._bound is not None and key in self._bound:
            return self._bound[key]  # (the argument of a template inferred: rules/relations.py)
        decl = self._lookup(key, node.start)
        greek = key[0].startswith("\\") and key[1] is None  # (only those are weak scalars)
        if decl is not None and decl.font != key[1] and key in self._parameters:
            return None  # \sigma'(z) = …: the argument z, not the declared \mathbf z
        if decl is not None:
            if decl.font != key[1] and self._plain_dimension(node):
                return SCALAR  # D = N for \mathbf{D} \in \mathbb{R}^{D \times D}: the size D
            if (
                (greek or self._beside_bold(key, node.start))
                and not decl.shape.is_scalar
                and (self._weak_scalar(key, node.start))
            ):  # (or "a weight $w > 0$" beside a declared \mathbf{w}: two letters)
                return SCALAR  # "$\lambda > 0$" says more of this \lambda than \boldsymbol{\lambda}
            return self._redefined(key, decl, node.start)
        sig = self._signature(key[0], node.start)
        if sig is not None:  # a function named alone: its value, where that is a vector
            return self._value_named(node, sig)
        defined = (
            self._defined_shape(key, node.start)
            or self._row_of_defined(key, node.start)
            or self._instance(node)
        )
        if defined is not None:
            return defined
        weak = self._weak(key, node.start)
        if weak is not None and weak.how == "set":
            return weak.shape  # U(a, b) = \{P \in \mathbb{R}_+^{n \times m} : …\}, then P
        if greek and weak is not None:
            return SCALAR  # \lambda > 0 somewhere, and nothing else says what \lambda is
        if weak is not None and (
            (weak.how == WEAK_STRICT and (key in _LATIN_WEAK or _subscripted_weak(key)))
            or (weak.how == "weak" and key in _LATIN_WEAK_EITHER)
        ):
            return SCALAR  # "a scale $s > 0$", "$r_x, r_y > 0$", "$r \ge 0$" (not s \ge 0)
        inherited = self._inherited(node) or self._adjoint(node)
        if inherited is not None:
            return inherited
        if isinstance(node, t.Tagged):
            return self._tagged(node)
        return SCALAR if self._is_dimension(node) else None

    def _instance(self, node: t.Node) -> Shape | None:
        r"""``P_Z`` where the text defines ``P_A = A(A'A)^{-1}A'`` for any A (a template:
        rules/relations.py ``_template``): the template's shape with Z's rows and columns put
        for A's, where Z's shape is known."""
        if not isinstance(node, t.Sub) or not isinstance(node.index, t.Symbol):
            return None
        base = symbol_key(node.base) if isinstance(node.base, t.Symbol) else None
        if base is None:
            return None
        template = self._definition(template_key(base[0]), node.start)
        if template is None or not same_letter(base[1], template.font):
            return None
        if template.path == self.path and template.start == node.start:
            return None  # (the template's own name)
        argument = self.infer(node.index)
        if argument is None:
            return None
        swaps = {TEMPLATE_ROWS: argument.rows, TEMPLATE_COLS: argument.cols}
        return Shape(template.shape.rows.xreplace(swaps), template.shape.cols.xreplace(swaps))

    def _tagged(self, node: t.Tagged) -> Shape | None:
        """A superscript-labelled name no declaration sizes as written."""
        if _version(node.tag) or _estimate_round(node):
            # W^{\mathrm{new}}: the next W, of W's shape; \hat\delta^{(1)}: the one-step
            # estimate, of \hat\delta's (not W^{(1)}, which may be a layer of its own)
            return self.infer(node.base)
        if _horizon(node):
            # \hat x_t^T beside ^\top: the estimate of step t given all T, of x_t's shape
            if isinstance(node.base, t.Sub) and time_step(node.base.index):
                return self.infer(node.base)
            return self._tagged_member(node)
        power = node.as_power()  # W^Q names a matrix where declared; else A^N is a power
        if power is None:
            return self._member(node) or self._tagged_member(node) or self._iterate_of_vector(node)
        return self._tagged_member(node) or self.infer(power)

    def _defined_shape(self, key: tuple[str, str | None], at: int) -> Shape | None:
        """The shape of the definition of ``key`` in force at ``at``, if any."""
        defined = self._sized_definition(key[0], at)
        if defined is not None and defined.start == self._own_left and defined.path == self.path:
            # h = W_2 h: the h it is computed from is the one in force before it (if any)
            before = self._sized_definition(key[0], defined.start - 1) if defined.start else None
            defined = before if before is not None and before.start != defined.start else None
        if defined and defined.font != key[1] and key in self._parameters:
            return None  # \sigma'(z) = …: the argument z, not the \mathbf z defined
        if defined and same_letter(key[1], defined.font):  # (B = … is not \mathcal{B})
            return defined.shape
        return None

    def _row_of_defined(self, key: tuple[str, str | None], at: int) -> Shape | None:
        r"""``\mathbf p_i`` where the text says "$\mathbf p_i^\top$ is the $i$-th row of $P$"
        of a ``P`` declared nowhere but defined by a formula (``P = \operatorname{softmax}(Z)``,
        B×C): a vector of P's columns (a column of it: of its rows), P's definition read
        where the member is used."""
        said: Declaration | None = self._ask(STACKED, key[0], key[1], at)
        if said is None:
            return None
        (matrix,) = said.made_of
        made = self._sized_definition(matrix[0], at)
        if made is None or not same_letter(matrix[1], made.font) or made.shape.is_scalar:
            return None
        size = made.shape.cols if said.how == "row of" else made.shape.rows
        return None if size == ONE else Shape(size, ONE)

    def _beside_bold(self, key: tuple[str, str | None], at: int) -> bool:
        """Is a plain Latin letter said to be a number (``w > 0``) beside its bold array?"""
        if key[1] is not None:
            return False
        weak = self._weak(key, at)
        return weak is not None and weak.how == WEAK_BESIDE_BOLD

    def _primed_member(self, node: t.Prime) -> Shape | None:
        r"""``R'_t``: a member of the primed family ``R'_m \in \mathbb{R}^{r \times r}``
        (another family than ``R_m``'s: the prime is part of the name, no transpose)."""
        if not isinstance(node.base, t.Sub):
            return None
        return self._member(node.base, "'" * node.count)

    def _adjoint(self, node: t.Node) -> Shape | None:
        r"""``V^*`` of a matrix declared complex (``V \in \mathbb{C}^{m \times r}``): its
        conjugate transpose, r×m, as numerical linear algebra writes it.  Not of a real letter
        (``x^*``, an optimum), nor of a vector, nor where the document writes ``\dagger``
        (physics: ``A^\dagger`` the adjoint, ``A^*`` the entries conjugated)."""
        if not isinstance(node, t.Tagged) or node.bracket:
            return None
        if not isinstance(node.tag, t.Symbol) or node.tag.name not in ("*", "\\ast"):
            return None
        decl = self._declaration(node.base)
        if decl is None or not decl.complex or ONE in (decl.shape.rows, decl.shape.cols):
            return None
        if self._gate("dagger"):
            return None
        return decl.shape.transposed()

    def _member(self, node: t.Tagged | t.Sub, suffix: str = "") -> Shape | None:
        """``h^{(t-1)}``, ``W^{(l+1)}``, ``h_{t-1}``: a member of a family declared as
        ``h^{(t)}``, ``W^{(l)}``, ``h_t`` (see ``shapes.families``); ``suffix``: the primes
        the family's keys end with (``R_{m}'`` of ``R'_m``)."""
        base = symbol_key(node.base)
        if base is None:
            return None
        font = base[1]

        def declared(key: str) -> Shape | None:
            key += suffix
            if not self._declared(key):  # (most candidates: a cheaper question)
                return None
            decl = self._lookup((key, font), node.start)
            if decl is not None and decl.how == MEMBER:
                return None  # (x, the generic member of x_i: x_{n+1} is no entry of it)
            return decl.shape if decl is not None else None

        def defined(key: str) -> Shape | None:
            if suffix or self._declared(key) or not self._defined_anywhere(key):
                return None
            made = self._sized_definition(key, node.start)
            return made.shape if made is not None and same_letter(font, made.font) else None

        def named(d: Dim) -> bool:  # (or said to be one: "with $n^{[0]} = n_x$")
            return (
                bool(self._ask(DIMENSION, dimension_key(d), d, None))
                or _summed_member(str(getattr(d, "name", "")), self.table.counted)
                or bool(self._facts({d}, node.start))
                or bool(self._ask(APART, fact_key(d), None, None))
                or self._fact_value(d)
            )  # (d_L of H^{(L)}, said anywhere to be c: "so that $d_L = c$", sections on)

        def choose(keys: list[str]) -> str | None:
            return self._family_of_this_section(keys, font, node.start)

        def written(key: str) -> bool:
            return self._written_family((key + suffix, font), key, node.start)

        form, label = ("_", node.index) if isinstance(node, t.Sub) else (node.bracket, node.tag)
        found = member_shape(base[0], form, label, declared, named, choose=choose, written=written)
        if found is None and (
            isinstance(label, (t.Number, t.Symbol))
            and form == "_"
            or form in ("(", "[")
            or form == "_"
            and (_conditional(label) or _step_shifted(label))
        ):
            # V_1 of V_i = Y W_i^V, defined for every head in force here; \delta^{(l+1)} of
            # \delta^{(l)} = \partial L / \partial z^{(l)}, defined for every layer;
            # P_{k|k-1} of P_{k+1|k} = A P_{k|k} A^\top + Q, defined for every step
            found = member_shape(base[0], form, label, defined, named)
        return found

    def _fact_value(self, d: Dim) -> bool:
        """Is ``d`` the value of a fact the text states ("With $K = n_L$ classes" names
        n_L as the number of classes)?"""
        return any(f.value == d for fs in self.table.facts.values() for f in fs)

    def _family_of_this_section(self, keys: list[str], font: str | None, at: int) -> str | None:
        r"""Of several families a member may belong to (``X_1`` of ``X_i \in \mathbb{R}^{T
        \times K}``, declared in an earlier section, and of ``X_g \in \mathbb{R}^{T \times
        K_g}``), the one declared in the member's own section before it, if only one is: a
        family declared anew holds from there, as a letter declared anew does."""
        bounds = self.table.boundaries.get(self.path)
        if bounds is None:
            return None
        here = []
        for key in keys:
            decl = self._lookup((key, font), at)
            if decl is None or decl.path != self.path or decl.start > at:
                continue
            if not bounds.section_between(decl.start, at):
                here.append(key)
        return here[0] if len(here) == 1 else None

    def _value_named(self, node: t.Node, sig: Signature) -> Shape | None:
        r"""``r`` for ``r(x_k)`` of ``r : \mathbb{R}^n \to \mathbb{R}^m``, as Gauss-Newton notes
        write ``J^\top r``: the value, an m-vector, when the function maps vectors to
        vectors (a bare letter only: ``r_i`` is an entry, ``f`` of a scalar map says nothing;
        not in an exercise, an example or a result, which re-use letters)."""
        value, domain = sig.codomain, sig.domain
        if not isinstance(node, t.Symbol) or sig.domains:
            return None
        bounds = self.table.boundaries.get(self.path)
        if bounds is not None and (bounds.in_unit(node.start) or bounds.result_of(node.start)):
            return None  # an exercise's v, a lemma's: the letter re-used (the tensor cookbook)
        if value.cols != ONE or value.is_scalar or domain.cols != ONE or domain.is_scalar:
            return None
        return value

    def _iterate_of_vector(self, node: t.Tagged) -> Shape | None:
        r"""``v^{(\ell)}``, ``u^{(\ell+1)}``, ``x^{(k)}``: an iterate of a vector the document
        declares plain (``v \in \mathbb{R}^m``) and as no family: of its shape.  Not of a
        matrix (``W^{(l)}``: layers of other sizes), nor labelled ``l`` or ``i`` (a layer's
        width, a sample of another view)."""
        label = label_of(node.tag)
        if node.bracket != "(" or label is None or label[0] not in _ITERATION_LABELS:
            return None
        s = self.infer(node.base)
        return s if s is not None and s.cols == ONE and not s.is_scalar else None

    def _tagged_member(self, node: t.Tagged) -> Shape | None:
        r"""``W_1^Q``, ``W_{h}^{Q}``: a member of the family ``W_i^Q`` declared for every head
        (the tag kept, the subscript read as the family's label, as for ``h_{t-1}``)."""
        if not isinstance(node.base, t.Sub):
            return None
        letter = symbol_key(node.base.base)
        if letter is None:
            return None
        tag = show(node.tag)

        def written(key: str) -> bool:
            return self._written_family(
                (tagged_key(key, node.bracket, tag), letter[1]), key, node.start
            )

        return self._tagged_family_member(
            letter, node.base.index, node.bracket, tag, node.start, written
        )

    def _plain_dimension(self, node: t.Node) -> bool:
        """A plain letter (``D``, ``N``) that names a dimension of some declared shape: the
        size, not a letter the document declares only in another font (``\\mathbf{D}``)."""
        if not (isinstance(node, t.Symbol) and node.font is None and not node.accents):
            return False
        d = dim_of(node)
        if d is None or not d.is_Symbol:
            return False
        named: bool = self._ask(DIMENSION, dimension_key(d), d, None)
        return named

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
        named: bool = self._ask(DIMENSION, dimension_key(d), d, None)
        return named

    def _inherited(self, node: t.Node) -> Shape | None:
        r"""The shape of a rate the document never declares nor defines: ``\dot J`` has
        that of ``J``, ``\ddot q`` that of ``q``; so has an estimate of a matrix, ``\hat
        \Sigma`` of ``\Sigma``.  (``\tilde A``, ``\bar A`` and ``\hat p`` of a vector often
        name something else: an augmented matrix, a mean, a skew-symmetric matrix.)"""
        if not isinstance(node, t.Symbol) or not node.accents:
            return None
        estimate = node.accents[-1] in ESTIMATE_ACCENTS
        if (
            node.accents[-1] not in SAME_SHAPE_ACCENTS
            and not estimate
            and not self._bar_adjoint(node)
        ):
            return None
        if self._defined_anywhere(symbol_key(node)[0]):  # type: ignore[index]
            return None
        shape = self._symbolic(replace(node, accents=node.accents[:-1]))
        if estimate and shape is not None and ONE in (shape.rows, shape.cols):
            if shape.cols == ONE and node.name in _ESTIMATED_VECTORS:
                return shape  # \hat\mu of the n-vector \mu
            return None  # \hat p of a vector: its skew-symmetric matrix, or a prediction
        return shape

    def _sized_constant(self, node: t.Sub) -> Shape | None:
        r"""``I_p``, ``\mathbf{I}_n``: the p×p, n×n identity; ``\mathbf{1}_n``, ``1_n``,
        ``\mathbf{0}_n``: n ones or zeros; ``\mathbf{0}_{m \times n}``: the m×n zero matrix —
        unless the document introduces the letter itself (then ``I_p`` is one of its own), and
        only for sizes that are numbers or dimensions of declared shapes (``\mathbf{1}_A`` is
        an indicator; the engine reads the same sizes)."""
        found = sized_constant(node)
        blackboard = found is None and self._blackboard_identity(node)
        if blackboard:
            found = ("identity", (node.index,))
        if found is None:
            return None
        kind, written = found
        if kind == "identity" and not blackboard:
            key = symbol_key(node.base)
            if key is None or self._introduced(key, node.start):
                return None
        sizes = [self._size(w) for w in written]
        if None in sizes:
            return None
        rows, cols = sizes[0], sizes[-1] if len(sizes) == 2 else ONE
        assert rows is not None and cols is not None  # (for mypy: checked above)
        return Shape(rows, rows if kind == "identity" else cols)

    def _blackboard_identity(self, node: t.Sub) -> bool:
        r"""``\mathbb{1}_N`` as the N×N identity, where the document uses it as one
        (``\mathsf U_r^\top \mathsf U_r = \mathbb{1}_r``: gates.says_blackboard_identity);
        elsewhere it is the ones, an indicator or the identity, unsaid."""
        base = node.base
        if not (isinstance(base, t.Symbol) and base.name == "1" and base.font == "mathbb"):
            return False
        return node.index is not None and bool(self._gate("one-identity"))

    def _size(self, node: t.Node | None) -> Dim | None:
        """A size written as a number or as dimensions of declared shapes (``p``, ``n + 1``)."""
        size = dim_of(node)
        if size is None:
            return None
        for name in size.free_symbols:
            if not self._ask(DIMENSION, dimension_key(name), name, None):
                return None
        return size

    def _sub(self, node: t.Sub) -> Shape | None:
        key = symbol_key(node)
        limit = self._limit(node)  # x_\infty, as x is: before what a formula defines it as
        if limit is not None and key is not None and self._lookup(key, node.start) is None:
            return limit
        own = self._symbolic(node) or self._block_in_the_same_blocks(node)
        if own is not None:
            return own
        if key is not None and (self._known(key[0], node.start) or self._defined_anywhere(key[0])):
            # (defined in another section: \Sigma_{yx} names a block, no entry; K_1 declared
            # in an Example is still the member K_1 of K_i = Y W_i^K outside it)
            return self._member(node)
        constant = self._sized_constant(node)
        if constant is not None:
            return constant
        member = self._member(node)
        element = self._element(node)
        if member is not None and element is not None and element != member:
            return None  # x_0 of x ∈ ℝⁿ and of the family x_t: the entry, or the first x_t?
        return (
            member
            or element
            or self._estimate_of_state(node)
            or self._any_member(node)
            or self._iterate_of_recursion(node)
            or self._named_at_a_step(node)
            or self._numbered_head(node)
        )

    def _numbered_head(self, node: t.Sub) -> Shape | None:
        r"""``O_1``, ``O_2`` where the sentence speaks of heads ("the heads are concatenated,
        $[O_1 \; O_2]$"), of an ``O`` declared or defined as one head's output (``O = AV
        \in \mathbb{R}^{T \times d_v}``): a head's output of O's shape.  Numbered members
        only, declared nowhere themselves."""
        if not isinstance(node.index, t.Number) or not isinstance(node.base, t.Symbol):
            return None
        base = symbol_key(node.base)
        if base is None:
            return None
        made = self._lookup(base, node.start) or self._sized_definition(base[0], node.start)
        if made is None or not same_letter(base[1], made.font) or made.shape is UNSIZED:
            return None
        if made.shape.is_scalar or not self._ask(GATE, GATES_KEY, ("heads",), node.start):
            return None
        return made.shape

    def _block_in_the_same_blocks(self, node: t.Sub) -> Shape | None:
        r"""``\Lambda_{22}`` where the text writes "$\Lambda = \Sigma^{-1}$ in the same blocks"
        (or "partitioned the same way", "conformably"): a block of a matrix partitioned as
        another is, of the shape of that other's block of the same index (``\Sigma_{22}``).
        Only after the sentence saying so, of the letter it sets, and of a block the other
        matrix has a shape for."""
        base = node.base
        if not isinstance(base, t.Symbol) or base.accents:
            return None
        written = self.source[base.start : base.end]
        for end, letter, side in _said_same_blocks(self.source):
            if end > node.start or letter not in (base.name, written):
                continue
            other = _LETTER.search(side)
            if other is None or other[0] in (base.name, written):
                continue
            name = other[0]
            twin = replace(node, base=replace(base, name=name, font=None))
            shape = self._symbolic(twin)
            if shape is not None:
                return shape
        return None

    def _named_at_a_step(self, node: t.Sub) -> Shape | None:
        r"""``R_{\Theta,t}``, ``R_{\Theta,s}`` of a declared ``R_\Theta`` ("per position"):
        the named matrix at a step or a position, of its shape where that does not depend on
        the step.  Only a name (``\Theta``, ``\text{enc}``; no index letter: ``A_{i,t}`` may
        be an entry) then a step's letter (t, s, k, \tau)."""
        parts = index_parts(node.index)
        if len(parts) != 2:
            return None
        name, step = parts
        if not (isinstance(step, t.Symbol) and step.name in _STEP_LABELS and not step.font):
            return None
        if name is None or (
            isinstance(name, t.Symbol) and (len(name.name) == 1 or name.name in _NOT_NAMES)
        ):
            return None  # A_{i,t}, W_{\ell,t}: indices, not a name
        key = symbol_key(replace(node, index=name))
        decl = self._lookup(key, node.start) if key is not None else None
        if decl is None or mentions(decl.shape, step.name):
            return None
        return decl.shape

    def _iterate_of_recursion(self, node: t.Sub) -> Shape | None:
        r"""``p_k``, ``p_{k-1}`` of a declared vector ``p`` (``p \in \Delta^{n-1}``) where the
        document defines ``p_{k+1} = \dots`` (mirror descent's steps): the iterates, of p's
        shape.  Only labelled by a round (``k``, ``t``: ``p_i`` is an entry) and only where
        such a recursion is written (else ``x_k`` may be an entry too, as in a sum)."""
        label = label_of(node.index)
        base = symbol_key(node.base)
        if label is None or label[0] not in _RECURSION_LABELS or base is None:
            return None
        decl = self._lookup(base, node.start)
        if decl is None or decl.shape.is_scalar:
            return None
        if decl.font != base[1]:
            return None  # x_k beside a bold \mathbf{x} = (x_1, …, x_N): a block of the stack
        written = self.source[node.base.start : node.base.end]
        if not written or node.base.from_macro:
            return None
        if ONE not in (decl.shape.rows, decl.shape.cols):
            return _iterate_of_matrix(decl.shape, label[0], written, self.source)
        if decl.shape.cols != ONE:
            return None
        recursion = re.compile(
            re.escape(written) + r"_\{\s*" + label[0] + r"\s*\+\s*1\s*\}\s*(?:=|:=|\\coloneqq)"
        )
        return decl.shape if recursion.search(self.source) else None

    def _any_member(self, node: t.Sub) -> Shape | None:
        r"""``W_i`` where the document declares ``W_\ast \in \mathbb{R}^{H \times d}`` ("each
        $W_\ast$", an LSTM's gates ``W_i, W_f, W_o``): a placeholder subscript stands for any."""
        if not isinstance(node, t.Sub):
            return None
        base = symbol_key(node.base)
        if base is None or not self._declared(key := any_member_key(base[0])):
            return None
        decl = self._lookup((key, base[1]), node.start)
        return decl.shape if decl is not None else None

    def _estimate_of_state(self, node: t.Sub) -> Shape | None:
        r"""``\hat x_{k|k-1}``, ``\hat x_k`` that nothing declares nor defines: the estimate of
        the state ``x_k`` at a step has its shape (Kalman notes declare ``x_k``, rarely its
        estimates).  Only a subscripted estimate: a bare ``\hat p`` may be the skew matrix of
        ``p``, ``\hat y`` a prediction of another size."""
        base = node.base if isinstance(node, t.Sub) else None
        if not isinstance(base, t.Symbol) or base.accents[-1:] not in (("hat",), ("widehat",)):
            return None
        if len(base.accents) != 1:
            return None
        index: t.Node | None = node.index  # x_{k|k-1}, predicted at k from k - 1: the state x_k
        if isinstance(index, t.Chain) and index.relations[0] in ("\\mid", "|", "\\vert"):
            index = index.items[0]
        if index is None:
            return None
        return self._sub(replace(node, base=replace(base, accents=()), index=index))

    def _element(self, node: t.Sub) -> Shape | None:
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
        parts = index_parts(index)
        if len(parts) != 2:
            return None
        slices = [isinstance(p, t.Symbol) and p.name in _SLICE_MARKS for p in parts]
        if slices == [False, True]:
            return Shape(ONE, base.cols)  # A_{i,:}: the i-th row
        if slices == [True, False]:
            return Shape(base.rows, ONE)  # A_{:,j}: the j-th column
        if slices == [True, True]:
            # A_{:,:} is A; but K_{**}, K_{*,*} name the test-test covariance of a GP: no slice
            stars = all(p.name in _STARS for p in parts if isinstance(p, t.Symbol))
            return None if stars else base
        if self._block_of_declared_blocks(node, parts):
            return None  # K_{ba} beside K_{aa}, K_{ab} \in \mathbb{R}^{n_a \times n_b}: a block
        return SCALAR  # A_{ij}, A_{i,j}: an entry

    def _block_of_declared_blocks(self, node: t.Sub, parts: tuple[t.Node | None, ...]) -> bool:
        r"""Is ``K_{ba}`` one of the blocks ``K_{aa}``, ``K_{ab}``, ``K_{bb}`` the document
        declares as matrices (a partition into free and fixed unknowns), rather than an entry
        of ``K``?  Any other pairing of its two index letters declared non-scalar says so."""
        letters = [p for p in parts if isinstance(p, t.Symbol)]
        if len(letters) != 2 or letters[0].name == letters[1].name:
            return False
        for first, second in ((letters[0], letters[0]), (letters[1], letters[1]),
                              (letters[1], letters[0])):  # fmt: skip
            index: t.Node
            if isinstance(node.index, t.List):
                index = replace(node.index, items=(first, second))
            elif isinstance(node.index, t.Product):
                index = replace(node.index, factors=(first, second))
            else:
                return False
            key = symbol_key(replace(node, index=index))
            if key is None or not self._declared(key[0]):
                continue
            decl = self._lookup(key, node.start)
            if decl is not None and not decl.shape.is_scalar:
                return True
        return False


# upright tags that name another version of the same quantity (an update, an estimate)
_VERSIONS = frozenset("new old next prev init opt best final true MAP MLE ML OLS GLS LS EM".split())


def _horizon(node: t.Tagged) -> bool:
    r"""``\hat{\mathbf x}_t^T`` in a row that writes transposes ``^\top`` (or labels estimates
    by steps): the ``T`` there is a label, the estimate given all T steps (``syntax.build``
    reads it so, of accented letters at a time step only), neither a transpose nor a power."""
    tag = node.tag
    return not node.bracket and isinstance(tag, t.Symbol) and tag.name == "T" and not tag.font


def _estimate_round(node: t.Tagged) -> bool:
    r"""``\hat{\boldsymbol\delta}^{(1)}``, ``\hat\beta^{(2)}``: an estimate of a numbered
    round or step (one-step and two-step GMM), a hatted letter with a number in parentheses."""
    base = node.base
    return (
        node.bracket == "(" and isinstance(node.tag, t.Number)
        and isinstance(base, t.Symbol) and bool(ESTIMATE_ACCENTS & set(base.accents))
    )  # fmt: skip


def _version(tag: t.Node | None) -> bool:
    r"""``W^{\mathrm{new}}``, ``\beta^{\text{OLS}}``, ``\theta^{\mathrm{MAP}}``: a version of W."""
    if isinstance(tag, t.Func) and tag.sub is None and tag.sup is None:
        return tag.name in _VERSIONS
    if isinstance(tag, t.Text):
        return tag.text.strip().removeprefix("\\text{").removesuffix("}") in _VERSIONS
    return False


def _step_shifted(label: t.Node) -> bool:
    r"""A step shifted by a number, ``k+1``, ``t-1``: the label of a recursion's next or last
    member (``P_{k+1}`` of ``P_k = Q + A^\top P_{k+1} A - \dots``, defined for every step)."""
    return (
        isinstance(label, t.Add)
        and len(label.terms) == 2
        and isinstance(label.terms[0], t.Symbol)
        and label.terms[0].name in _RECURSION_LABELS
        and isinstance(label.terms[1], t.Number)
    )


def _iterate_of_matrix(shape: Shape, label: str, written: str, source: str) -> Shape | None:
    r"""``W_t``, ``G_{t-1}`` of a declared matrix (neither dimension 1): one index names no
    entry of a matrix (``W_{ij}`` does), so a step's letter labels its value at that step (an
    optimiser's iterates), of its shape — unless the shape counts the steps (``Y \in
    \mathbb{R}^{T \times p}``: ``Y_t`` is a row).  A ``k`` labels iterates only where the
    document steps the letter itself (``P_{k-1}``, ``W_{k+1}``): elsewhere ``U_k``, ``D_k``
    keep k components of an SVD, a smaller matrix."""
    if mentions(shape, label) or mentions(shape, label.upper()):
        return None
    if label == "k":
        step = re.compile(re.escape(written) + r"_\{\s*k\s*[-+]\s*1\s*\}")
        return shape if step.search(source) else None
    return shape


def _conditional(label: t.Node) -> bool:
    r"""A conditional label, as filters write one: ``k|k-1``, ``k+1|k`` (a chain of ``|``)."""
    return isinstance(label, t.Chain) and all(r in ("\\mid", "|") for r in label.relations)
