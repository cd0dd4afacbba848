r"""The quick fix of a wrong derivative written as the author wrote it: the claim's own text
with the slip undone, not the engine's result printed anew.

``(UV\T - M)\T U`` for ``U\T (UV\T - M)`` (the transpose, the document's ``\T`` macro
kept), ``2(X - A)`` for ``2(A - X)`` (the sign), ``(A + A^\top)\mathbf x`` for
``2A\mathbf x``, ``X^\top G_A + \lambda W_1`` for ``X^\top G_A + 2\lambda W_1``,
``\frac{1}{\tau}\, G_S K`` for ``\frac{1}{\tau}\, G_S^\top K``: :func:`fixed_as_written`
makes the few edits of the claim's source that the slip's kind (a cause of
:mod:`~texgrad.calculus.discrepancy`) suggests — transposes toggled, a product's factors
reversed, a sign or a factor 2 changed, a term's sign flipped, a matrix replaced by its
symmetric part — and keeps the first one that ``holds`` (the caller's numeric check: the
edited text, read back, is the right derivative at random points).  Nothing is guessed:
where no edit holds, the caller's fix (the engine's result) stays.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from texgrad.syntax import tree as t

MAX_TRIED = 48  # candidate edits checked, at most (each is a numeric check)
MAX_PLACES = 8  # matrices whose transposes are toggled in pairs, at most

_COMMAND_END = re.compile(r"\\[A-Za-z]+$")
_MARKS = re.compile(
    r"\^\s*(?:\{\s*(?:\\top|T|\\intercal|\\mathsf\{T\})\s*\}|\\top|T(?![A-Za-z])|\\intercal)"
)


def fixed_as_written(
    text: str,
    claimed: t.Node,
    kind: str,
    holds: Callable[[str], bool],
    is_scalar: Callable[[t.Node], bool],
    term: str = "",
    is_symmetric: Callable[[t.Node], bool] = lambda node: False,
    row: tuple[int, int] | None = None,
    transpose_macros: tuple[str, ...] = (),
) -> str:
    r"""The claim's source (``text[claimed.start:claimed.end]``) with its slip of ``kind``
    undone, the first edit that ``holds``; "" where none does.  ``term``: the term a
    "missing-term" cause names (as the engine prints it); ``is_symmetric``: a matrix the
    document says is symmetric (``C``, not ``C^\top``, in a transpose); ``row``: the span of
    the claim's row, whose transposes say how to write one; ``transpose_macros``: the
    document's macros for a transpose (``T`` of ``\newcommand{\T}{^{\top}}``)."""
    if not 0 <= claimed.start < claimed.end <= len(text):
        return ""
    mark = _mark(text, claimed, row, transpose_macros)
    edits = _Edits(text, claimed, is_scalar, is_symmetric, mark)
    seen: set[str] = set()
    own = edits.src(claimed)
    for candidate in itertools.islice(edits.candidates(kind, term), 4 * MAX_TRIED):
        candidate = candidate.strip()
        if not candidate or candidate == own or candidate in seen:
            continue
        seen.add(candidate)
        if len(seen) > MAX_TRIED:
            break
        if holds(candidate):
            return candidate
    return ""


class _Edits:
    """The candidate edits of one claim (texts of the whole claim)."""

    def __init__(
        self, text: str, claimed: t.Node, is_scalar: Callable[[t.Node], bool],
        is_symmetric: Callable[[t.Node], bool], mark: str,
    ) -> None:  # fmt: skip
        self.text = text
        self.claimed = claimed
        self.is_scalar = is_scalar
        self.is_symmetric = is_symmetric
        self.mark = mark
        self._scalars: dict[int, bool] = {}

    # -- sources -------------------------------------------------------------------------

    def src(self, node: t.Node) -> str:
        return self.text[node.start : node.end]

    def scalar(self, node: t.Node) -> bool:
        if id(node) not in self._scalars:
            self._scalars[id(node)] = isinstance(node, t.Number) or self.is_scalar(node)
        return self._scalars[id(node)]

    def replaced(self, changes: list[tuple[t.Node, str]]) -> str:
        """The claim's source with each node's source replaced (nodes apart, in any order)."""
        out = self.src(self.claimed)
        base = self.claimed.start
        for node, new in sorted(changes, key=lambda c: c[0].start, reverse=True):
            out = out[: node.start - base] + new + out[node.end - base :]
        return out

    # -- the candidates of each kind -----------------------------------------------------

    def candidates(self, kind: str, term: str) -> Iterator[str]:
        root = self.claimed
        if not kind:  # no simple cause found: the slips of one sign or one factor, tried
            yield from self.term_signs()
            yield from self.signs()
            yield from self.term_factors()
            yield from self.factors()
        elif kind == "transpose":
            yield self.transposed(root)
        elif kind == "order":
            yield from self.reorderings()
        elif kind == "kronecker-order":
            yield from self.kronecker_swaps()
        elif kind in ("transposes", "inverse-transpose"):
            yield from self.toggles(inverse=kind == "inverse-transpose")
        elif kind in ("sign", "scaled"):
            yield from self.signs()
            if kind == "scaled":
                for flipped in list(self.signs()):
                    yield f"2{flipped}" if not self._is_sum(flipped) else f"2({flipped})"
        elif kind == "factor":
            yield from self.factors()
        elif kind == "term-sign":
            yield from self.term_signs()
        elif kind == "term-factor":
            yield from self.term_factors()
        elif kind == "extra-term":
            yield from self.dropped_terms()
        elif kind == "missing-term" and term:
            own = self.src(root)
            yield f"{own} - {term[1:].lstrip()}" if term.startswith("-") else f"{own} + {term}"
        elif kind == "symmetric":
            yield from self.symmetrized()

    def _is_sum(self, source: str) -> bool:
        depth = 0
        for i, ch in enumerate(source):
            if ch in "({[":
                depth += 1
            elif ch in ")}]":
                depth -= 1
            elif ch in "+-" and depth == 0 and i > 0 and source[i - 1] != "^":
                return True
        return False

    # transposes

    def toggled(self, node: t.Node) -> str:
        """``node``'s source transposed once more (``A`` → ``A^\\top``, ``A^\\top`` → ``A``,
        ``X^{-1}`` → ``X^{-\\top}``)."""
        node = _bare(node)
        if isinstance(node, t.Transpose):
            base = node.base
            if isinstance(base, t.Paren) and isinstance(base.body, _ATOMS):
                return self.src(base.body)  # \left(\frac{\partial \ell}{\partial s}\right)^\top
            own = self.src(base)
            if own.count("{") != own.count("}"):  # \delta^{(1)\top}: the mark in the group
                return _TAG_MARK.sub("}", self.src(node), count=1)
            return own
        if isinstance(node, t.Tagged) and self.src(node).endswith(")}"):
            if not (self.scalar(node) or self.is_symmetric(node)):  # W^{(2)} → W^{(2)\top}
                return self.src(node)[:-1] + _inner_mark(self.mark).lstrip("-") + "}"
        if isinstance(node, t.InverseTranspose):
            return self.src(node.base) + "^{-1}"
        if _inverse(node) and not self.is_symmetric(node):  # ((X^\top X)^{-1} stays)
            assert isinstance(node, t.Power)
            return self.src(node.base) + "^{-" + _inner_mark(self.mark) + "}"
        if self.scalar(node) or self.is_symmetric(node) or _diagonal(node):
            return self.src(node)
        if isinstance(node, (t.Symbol, t.Font, t.Sub, t.Paren, t.Apply, t.Accent)):
            return self.src(node) + self.mark
        return "(" + self.src(node) + ")" + self.mark

    def transposed(self, node: t.Node) -> str:
        """The source of ``node``ᵀ as an author writes it: a product's factors reversed and
        each transposed, a sum's terms each transposed."""
        if isinstance(node, t.Neg):
            return self.text[node.start : node.operand.start] + self.transposed(node.operand)
        if isinstance(node, t.Add):
            parts = [
                (self.text[self._term_start(node, i) : term.start], self.transposed(term))
                for i, term in enumerate(node.terms)
            ]
            return "".join(lead + body for lead, body in parts)
        if isinstance(node, t.Product):
            return self.reordered(node, transpose=True)
        if isinstance(node, t.Frac) and self.scalar(node.den) and not self.scalar(node.num):
            return self.replaced_in(node, [(node.num, self.transposed(node.num))])
        return self.toggled(node)

    def replaced_in(self, outer: t.Node, changes: list[tuple[t.Node, str]]) -> str:
        out = self.src(outer)
        for node, new in sorted(changes, key=lambda c: c[0].start, reverse=True):
            out = out[: node.start - outer.start] + new + out[node.end - outer.start :]
        return out

    def _term_start(self, node: t.Add, i: int) -> int:
        return node.start if i == 0 else node.terms[i - 1].end

    def reordered(self, product: t.Product, transpose: bool = False) -> str:
        """The product's source with its matrix factors in the other order (scalars where
        they stand), each transposed with ``transpose``."""
        factors = list(product.factors)
        places = [i for i, f in enumerate(factors) if not self.scalar(f)]
        order = list(reversed(places))
        pieces = []
        for i, f in enumerate(factors):
            g = factors[order[places.index(i)]] if i in places else f
            piece = (
                (self.transposed(g) if transpose else self.src(g)) if i in places else self.src(f)
            )
            pieces.append(piece)
        return self.joined(factors, pieces)

    def joined(self, factors: list[t.Node], pieces: list[str]) -> str:
        """``pieces`` (one per factor) joined by what the source writes between the factors
        (a space where a command would otherwise run into a letter)."""
        out = ""
        for i, piece in enumerate(pieces):
            if i:
                sep = self.text[factors[i - 1].end : factors[i].start]
                if not sep and _COMMAND_END.search(out) and piece[:1].isalpha():
                    sep = " "
                out += sep
            out += piece
        return out

    def reorderings(self) -> Iterator[str]:
        """The claim with a product's matrix factors in the other order, then with two
        neighbours of one swapped (``AX^{-1}X^{-1}dX`` for ``X^{-1}AX^{-1}dX`` in a trace)."""
        for product in self.products():
            yield self.replaced([(product, self.reordered(product))])
        for product in self.products():
            yield from (self.replaced([(product, s)]) for s in self.swapped(product))

    def kronecker_swaps(self) -> Iterator[str]:
        r"""The claim with one ``A \otimes B``'s operands exchanged (``B \otimes A``)."""
        for node in self.claimed.walk():
            if isinstance(node, t.BinOp) and node.op == "\\otimes" and node.left and node.right:
                left, right = self.src(node.left), self.src(node.right)
                yield self.replaced([(node, f"{right} \\otimes {left}")])

    def swapped(self, product: t.Product) -> Iterator[str]:
        """The product's source with two neighbouring matrix factors swapped, each pair in
        turn (scalars where they stand); none for a product of two (:meth:`reordered`)."""
        factors = list(product.factors)
        places = [i for i, f in enumerate(factors) if not self.scalar(f)]
        if len(places) < 3:
            return
        for a, b in itertools.pairwise(places):
            pieces = [self.src(f) for f in factors]
            pieces[a], pieces[b] = pieces[b], pieces[a]
            yield self.joined(factors, pieces)

    def products(self) -> Iterator[t.Product]:
        for node in self.claimed.walk():
            if isinstance(node, t.Product) and sum(not self.scalar(f) for f in node.factors) >= 2:
                yield node

    def places(self, inverse: bool) -> list[t.Node]:
        """The matrices of the claim whose transposes may be toggled (factors of products,
        the operands of inverses for ``inverse``)."""
        out: list[t.Node] = []
        for node in self.claimed.walk():
            if inverse:
                if _inverse(node) or isinstance(node, t.InverseTranspose):
                    out.append(node)
            elif isinstance(node, t.Product):
                out += [f for f in node.factors if not self.scalar(f)]
        return out[:MAX_PLACES]

    def toggles(self, inverse: bool) -> Iterator[str]:
        places = self.places(inverse)
        for size in (1, 2, 3):
            for chosen in itertools.combinations(places, size):
                if any(
                    a.start < b.end and b.start < a.end
                    for a, b in itertools.combinations(chosen, 2)
                ):
                    continue  # (nested: one inside the other)
                yield self.replaced([(n, self.toggled(n)) for n in chosen])

    # signs and factors

    def signs(self) -> Iterator[str]:
        root = self.claimed
        own = self.src(root)
        if isinstance(root, t.Neg):
            yield self.src(root.operand)
        for node in root.walk():  # a difference inside: 2(A - X) → 2(X - A)
            if (
                isinstance(node, t.Add)
                and len(node.terms) == 2
                and node.signs in (("", "-"), ("", "−"))
            ):
                a, b = node.terms
                yield self.replaced([(node, f"{self.src(b)} - {self.src(a)}")])
        for node in root.walk():  # a minus inside: diag(-cos x) → diag(cos x), not -diag(-cos x)
            if isinstance(node, t.Neg) and node is not root and node.operand is not None:
                yield self.replaced([(node, self.src(node.operand))])
        if isinstance(root, t.Add):
            yield self.flipped_terms(root, range(len(root.terms)))
            yield f"-({own})"
        elif not isinstance(root, t.Neg):
            yield f"-{own}"

    def flipped_terms(self, node: t.Add, which: range | list[int]) -> str:
        out = ""
        for i, term in enumerate(node.terms):
            lead = self.text[self._term_start(node, i) : term.start]
            if i in which:
                sign = node.signs[i]
                if sign in ("-", "−"):
                    lead = lead.replace(sign, "+" if i else "", 1)
                    lead = lead.lstrip() if i == 0 else lead
                elif sign == "+":
                    lead = lead.replace("+", "-", 1)
                else:
                    lead = lead + "-"
            out += lead + self.src(term)
        return out

    def factors(self) -> Iterator[str]:
        root = self.claimed
        own = self.src(root)
        yield from self.without_two(root)
        yield f"2({own})" if isinstance(root, t.Add) else f"2{own}"
        if isinstance(root, t.Neg) and not isinstance(root.operand, t.Add):
            yield "-2" + self.src(root.operand)

    def without_two(self, node: t.Node) -> Iterator[str]:
        r"""``node``'s source without the factor 2 it leads with (as the whole claim), or
        without the half (``\tfrac12 M\dot{\mathbf q}`` twice is ``M\dot{\mathbf q}``)."""
        inner = node.operand if isinstance(node, t.Neg) else node
        if (
            isinstance(inner, t.Product)
            and len(inner.factors) > 1
            and (_is_two(inner.factors[0]) or _is_half(inner.factors[0]))
        ):
            rest = self.text[inner.factors[1].start : inner.end]
            yield self.replaced([(inner, rest)])

    def sums(self) -> Iterator[t.Add]:
        """The sums of the claim, the outermost first."""
        return (n for n in self.claimed.walk() if isinstance(n, t.Add))

    def term_signs(self) -> Iterator[str]:
        for node in self.sums():
            for i in range(len(node.terms)):
                yield self.replaced([(node, self.flipped_terms(node, [i]))])

    def term_factors(self) -> Iterator[str]:
        for node in self.sums():
            yield from self._term_factors(node)

    def _term_factors(self, root: t.Add) -> Iterator[str]:
        for term in root.terms:
            inner = term.operand if isinstance(term, t.Neg) else term
            if (
                isinstance(inner, t.Product)
                and _is_two(inner.factors[0])
                and len(inner.factors) > 1
            ):
                yield self.replaced([(inner, self.text[inner.factors[1].start : inner.end])])
            else:
                yield self.replaced([(inner, "2" + self.src(inner))])

    def dropped_terms(self) -> Iterator[str]:
        root = self.claimed
        if not isinstance(root, t.Add) or len(root.terms) < 2:
            return
        for i in range(len(root.terms)):
            kept = [j for j in range(len(root.terms)) if j != i]
            out = ""
            for j in kept:
                lead = self.text[self._term_start(root, j) : root.terms[j].start]
                if j == kept[0]:
                    lead = lead.replace("+", "", 1).strip()
                out += lead + self.src(root.terms[j])
            yield out

    def symmetrized(self) -> Iterator[str]:
        """``2A\\mathbf x`` → ``(A + A^\\top)\\mathbf x``: a matrix factor replaced by its
        symmetric part, the factor 2 dropped where it leads."""
        for product in (n for n in self.claimed.walk() if isinstance(n, t.Product)):
            two = _is_two(product.factors[0])
            for f in product.factors:
                if self.scalar(f) or not isinstance(_bare(f), (t.Symbol, t.Font, t.Sub)):
                    continue
                part = f"({self.src(f)} + {self.src(f)}{self.mark})"
                if two:
                    rest = self.replaced_in(product, [(f, part)])
                    head = self.text[product.start : product.factors[1].start]
                    yield self.replaced([(product, rest[len(head) :])])
                else:
                    yield self.replaced([(f, part)])


# what needs no parentheses once its transpose is undone (an inline upstream gradient's
# stand-in is a subscripted letter spanning its derivative's source)
_ATOMS = (t.Derivative, t.Frac, t.Symbol, t.Sub, t.Font)


def _bare(node: t.Node) -> t.Node:
    return node


def _diagonal(node: t.Node) -> bool:
    """``\\operatorname{diag}(\\mathbf a)``: a diagonal matrix, its own transpose."""
    return (
        isinstance(node, t.Apply)
        and isinstance(node.func, t.Func)
        and node.func.name.lstrip("\\") == "diag"
        and node.func.sub is None
        and node.func.sup is None
    )


def _inverse(node: t.Node) -> bool:
    if not isinstance(node, t.Power):
        return False
    ex = node.exponent
    while isinstance(ex, t.Paren) and ex.body is not None:
        ex = ex.body
    return isinstance(ex, t.Neg) and isinstance(ex.operand, t.Number) and ex.operand.text == "1"


def _is_two(node: t.Node) -> bool:
    return isinstance(node, t.Number) and node.text == "2"


# the transpose mark a layer's tag holds in its group: the ``\top}`` of ``\delta^{(1)\top}``
_TAG_MARK = re.compile(r"(?<=\))\s*(?:\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\}|T)\s*\}$")


def _is_half(node: t.Node) -> bool:
    r"""``\frac12``, ``\tfrac{1}{2}``: a half."""
    return (
        isinstance(node, t.Frac)
        and isinstance(node.num, t.Number)
        and node.num.text == "1"
        and _is_two(node.den)
    )


def _mark(text: str, claimed: t.Node, row: tuple[int, int] | None, macros: tuple[str, ...]) -> str:
    """How the document writes a transpose: as the claim does (``\\T``, ``^\\top``, ``^T``),
    else as its row does, else as most of the document does (outside the definitions of
    its macros), else ``^\\top``."""
    for node in claimed.walk():
        if isinstance(node, t.Transpose) and node.base.end < node.end:
            written = text[node.base.end : node.end].strip()
            if written.count("{") == written.count("}"):  # (not ``\top}`` of ``\delta^{(1)\top}``)
                return written
    pattern = _MARKS
    if macros:
        names = "|".join(re.escape(m) for m in macros)
        pattern = re.compile(_MARKS.pattern + r"|\\(?:" + names + r")(?![A-Za-z])")
    for lo, hi in (row if row is not None else (0, 0), (0, len(text))):
        whole, last = (text, pattern.pattern), _WHOLE_MARK  # (the whole text's: read once)
        if hi - lo == len(text) and last is not None and last[0] == whole:
            return last[1]
        counts: dict[str, int] = {}
        for m in pattern.finditer(text, lo, hi):
            line = text[text.rfind("\n", 0, m.start()) + 1 : m.start()]
            if "newcommand" in line or "\\def" in line:
                continue  # (the macro's definition: no use of it)
            counts[m[0]] = counts.get(m[0], 0) + 1
        found = max(counts, key=lambda k: counts[k]) if counts else None
        if hi - lo == len(text):
            _keep_whole_mark(whole, found or "^\\top")
        if found is not None:
            return found
    return "^\\top"


_WHOLE_MARK: tuple[tuple[str, str], str] | None = None  # (text, pattern), its mark


def _keep_whole_mark(whole: tuple[str, str], mark: str) -> None:
    global _WHOLE_MARK
    _WHOLE_MARK = (whole, mark)


_TRANSPOSE_BODY = re.compile(r"\s*\^\s*(?:\{\s*(?:\\top|T|\\intercal)\s*\}|\\top|T|\\intercal)\s*")


def transpose_macros(bodies: dict[str, str]) -> tuple[str, ...]:
    """The names of the macros (without arguments) whose body is a transpose mark."""
    return tuple(sorted(name for name, body in bodies.items() if _TRANSPOSE_BODY.fullmatch(body)))


def _inner_mark(mark: str) -> str:
    """The transpose inside an inverse's exponent (``-\\top`` of ``^\\top``, ``-T`` of ``^T``)."""
    if mark.startswith("^") and "T" in mark and "\\top" not in mark and "intercal" not in mark:
        return "T"
    return "\\top"
