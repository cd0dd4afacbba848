r"""Textbook form: expand, collect like terms, factor — as the Matrix Cookbook writes.

:func:`simplify` expands products of sums into monomials (a number, scalar
factors, a matrix chain), merges like terms (a 1×1 factor and its transpose are
one scalar: ``x^\top A b = b^\top A^\top x``; powers of one scalar add up, so
``\|x\| \cdot \|x\|^{-1}`` cancels), then factors greedily: a common number,
common scalars, a common left or right end of the chains (``(A + A^\top)x``,
``2A^\top(Ax - b)``), and, when no end is common to all, groups of terms that
share one (``D(Xb + c) + D^\top(Xb + c) = (D + D^\top)(Xb + c)``).  Every
rewrite is an identity, and results are verified numerically afterwards anyway.
The local identities applied to each product before expanding are in
:mod:`~texgrad.calculus.rewrite`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd

import sympy

from texgrad.calculus import expr as e
from texgrad.calculus.differential import UNLIMITED, Budget
from texgrad.calculus.expr import Expr, segments
from texgrad.calculus.hyperbolic import fold_tanh
from texgrad.calculus.polynomials import factored
from texgrad.calculus.printing import Style, printer
from texgrad.calculus.rewrite import (
    absorb_into_hadamard,
    cancel,
    diag_times_vector,
    merge_powers,
    merge_unvecs,
    outer_ones_met,
    solve_sylvester,
    sum_of_squares,
    vec_of_sum,
    vec_trick,
)

MAX_TERMS = 256  # expansion beyond this keeps the product unexpanded


@dataclass(frozen=True)
class Monomial:
    coef: sympy.Rational
    scalars: tuple[Expr, ...]  # sorted, canonical orientation
    chain: tuple[Expr, ...]  # the matrix factors, in order

    def expr(self) -> Expr:
        return e.mul(e.num(self.coef), *self.scalars, *self.chain)

    def key(self) -> tuple[tuple[Expr, ...], tuple[Expr, ...]]:
        return self.scalars, self.chain


def simplify(x: Expr, style: Style | None = None, budget: Budget = UNLIMITED) -> Expr:
    return _Simplifier(style or Style(), budget).top(x)


def simplifier(style: Style | None = None, budget: Budget = UNLIMITED) -> Callable[[Expr], Expr]:
    """:func:`simplify` for several expressions in one style, remembering what it did:
    the parts they share (a differential, the gradient read off it) are simplified
    once.  The style must not change while it is used."""
    return _Simplifier(style or Style(), budget).top


class _Simplifier:
    def __init__(self, style: Style, budget: Budget) -> None:
        self.style = style
        self.budget = budget
        self.memo: dict[Expr, Expr] = {}
        self.sizes: dict[Expr, int] = {}  # printed lengths (equal expressions print alike)
        # monomials in canonical form (:func:`_normal`): a sum collected at one level is
        # expanded again at each level above it, its monomials normalised again
        self.normals: dict[tuple[type, Monomial], Monomial] = {}
        self.text = printer(style)
        self.distributing = False  # expanding Hadamard products of sums too
        self.keeping_sums = False  # a sum without dX in a chain kept whole ((x - μ)(x - μ)ᵀ)
        self.kept_seen: list[Expr] = []  # the sums kept whole so far (one of s and -s kept)
        self.over_inverse = False  # a sum being put over a common inverse (not again inside)
        # sums written as one outer product (not beside an I put in: ½Σ^{-1} - ½Σ^{-1}v v^\top
        # Σ^{-1} stays two symmetric terms, not ½Σ^{-1}(I - v v^\top Σ^{-1}))
        self.outer = True

    def size(self, x: Expr) -> int:
        n = self.sizes.get(x)
        if n is None:
            n = self.sizes[x] = len(self.text(x))
        return n

    def top(self, x: Expr) -> Expr:
        """:meth:`run`, and a sum whose every term is transposed written as the transpose of
        one sum when that is shorter: ``A^\top (X^2)^\top + X^\top A^\top X^\top +
        (X^2)^\top A^\top = (X^2 A + X A X + A X^2)^\top`` (the Cookbook's (122))."""
        out = fold_tanh(self.run(x), self.run)  # (e^u - e^{-u}) / (e^u + e^{-u}) = tanh u
        if not self.over_inverse and any(
            isinstance(y, e.Inv) or (isinstance(y, e.Pow) and y.is_scalar) for y in out.walk()
        ):  # (only these can be put over an inverse or factored)
            out = self.over_inverses(out)
        if isinstance(out, e.Add) and out.cols != e.ONE and out.rows != e.ONE:
            if not e.has_d(out) and all(_all_transposed(t) for t in out.terms):
                whole = e.T(self.run(e.transpose(out)), rows=out.rows, cols=out.cols)
                if self.size(whole) < self.size(out):
                    return whole
        return out

    def run(self, x: Expr) -> Expr:
        hit = self.memo.get(x)
        if hit is None:
            hit = self.memo[x] = self._run(x)
        return hit

    def _run(self, x: Expr) -> Expr:
        self.budget.check()
        base = None
        if isinstance(x, e.Mul) and x.is_scalar:
            scalars = [f for f in x.factors if f.is_scalar]
            base = e.gram_base(e.mul(*(f for f in x.factors if not f.is_scalar)))
        if base is not None:  # c aᵀa stays a squared norm: its two halves simplify alike
            half = self.run(base)
            inner = e.mul(*(self.run(f) for f in scalars), e.transpose(half), half)
        else:
            inner = e.rebuild(x, [self.run(c) for c in x.children()])
        if isinstance(inner, e.Tr):
            inner = _orient(inner, self.style, self.text)
        if isinstance(inner, e.Mul):
            inner = merge_powers(inner)
        if isinstance(inner, e.Mul):
            inner = sum_of_squares(inner)
        if isinstance(inner, e.Mul):
            inner = absorb_into_hadamard(inner)
        if isinstance(inner, e.Mul):
            inner = diag_times_vector(inner)
        if isinstance(inner, e.Mul):
            inner = outer_ones_met(inner)
        vec_read = _vec_read(inner)
        if vec_read is not inner:
            return self.run(vec_read)
        if isinstance(inner, e.Unvec):
            return solve_sylvester(inner)
        if isinstance(inner, e.Add):
            inner = merge_unvecs(inner)
            if not isinstance(inner, e.Add):  # R C + C R solved: C
                return self.run(inner) if inner != x else inner
        return self._finished(inner)

    def _finished(self, inner: Expr) -> Expr:
        """A node whose children are simplified: a diagonal with its scalars out, a sum with
        a shared Hadamard operand factored, like terms collected."""
        if isinstance(inner, e.DiagV):
            inner = _scalars_out_of_diag(inner)
        if isinstance(inner, e.Add):
            shared = self.hadamard_factored(inner)
            if shared is not None:
                return shared
        if isinstance(inner, (e.Add, e.Mul)):
            return self._collected(inner)
        return inner

    def hadamard_factored(self, s: e.Add) -> Expr | None:
        r"""A sum whose every term is a Hadamard product with one operand ``P`` in common,
        written ``P \odot (A + B)`` when that reads shorter: the softmax backward pass
        ``P \odot (G - \operatorname{diag}(G P^\top)\mathbf{1}^\top)`` (None otherwise)."""
        if e.has_d(s) or s.is_scalar or len(s.terms) < 2:
            return None
        parts = [_hadamard_term(term) for term in s.terms]
        if any(p is None for p in parts):
            return None
        split = [p for p in parts if p is not None]
        ends = {(pre, post) for _, pre, _, post in split}
        if len(ends) != 1:
            return None  # (((G V^T) ⊙ P) K - (… ⊙ P) K: the same K after each)
        prefix, suffix = ends.pop()
        common = [a for a in split[0][2] if all(a in args for _, _, args, _ in split[1:])]
        if not common:
            return None
        try:
            rests = []
            for c, _, args, _ in split:
                left = list(args)
                for a in common:
                    left.remove(a)
                shape = e.had(*args)
                rests.append(e.mul(c, e.had(*left) if left else e.ones(shape.rows, shape.cols)))
            body = self.run(e.add(*rests))
            out = e.mul(*prefix, e.had(*common, body), *suffix)
        except e.ShapeError:
            return None
        fallback = self._collected(s)
        return out if self.size(out) < self.size(fallback) else fallback

    def over_inverses(self, x: Expr) -> Expr:
        """Every sum of ``x`` (inner ones first) put over a common inverse, or a scalar one
        factored as a polynomial in one quantity (:mod:`polynomials`), where shorter."""
        kids = list(x.children())
        if not kids:
            return x
        y = e.rebuild(x, [self.over_inverses(k) for k in kids])
        if isinstance(y, e.Add) and y.is_scalar:
            z = factored(y)
            return z if z is not None and self.size(z) < self.size(y) else y
        if isinstance(y, e.Add) and any(isinstance(u, e.Inv) for u in y.walk()):
            return self.over_common_inverse(y)
        return y

    def over_common_inverse(self, s: e.Add) -> Expr:
        r"""A sum with terms that end in one inverse ``M^{-1}`` and terms that do not, over it
        where that reads shorter: ``(A - I)(I + A)^{-1} - I = -2(I + A)^{-1}`` (the Cayley
        transform's differential); the same at the left end."""
        for right in (True, False):
            ends = [_inverse_end(t, right) for t in s.terms]
            bases = [b for b in ends if b is not None]
            if not bases or len(bases) == len(ends):
                continue
            m = max(bases, key=bases.count)
            inv = e.inv(m)
            parts = []
            for t, b in zip(s.terms, ends, strict=True):
                if b == m:
                    parts.append(_without_end(t, right))
                elif any(x == inv for x in t.walk()):
                    break
                else:
                    parts.append(e.mul(t, m) if right else e.mul(m, t))
            else:
                self.over_inverse = True
                try:
                    top = self.run(e.add(*parts))
                finally:
                    self.over_inverse = False
                whole = e.mul(top, inv) if right else e.mul(inv, top)
                if self.size(whole) < self.size(s):
                    return whole
        return s

    def _collected(self, inner: e.Add | e.Mul) -> Expr:
        """A sum or product with like terms collected and factored, or left as it was when
        that reads longer (or expanding would blow up)."""
        monos = self.monomials(inner)
        if monos is None:
            return inner
        collected = self.collect(monos)
        if not collected:  # everything cancelled: a zero of the right shape
            return e.num(0) if inner.is_scalar else e.zero(inner.rows, inner.cols)
        factored = self.factor(collected)
        if _has_distributable(inner):
            other = self.distributed(collected)
            if other is not None and self.size(other) < self.size(factored):
                factored = other
        kept = self.with_sums_kept(inner)
        if kept is not None and self._keeps_better(kept, factored):
            factored = kept  # the document's own groups, unless expanding is much shorter
        # expanding can lengthen what was compact ((I - a 1 1^T) x inside a norm):
        # keep whichever reads shorter
        # fewer terms read better when not much longer: (B + B^T) x, σ(z)(1 - σ(z))
        a, b = self.size(factored), self.size(inner)
        ta, tb = _term_count(factored), _term_count(inner)
        if ta < tb and a <= 1.15 * b:
            return factored
        if tb < ta and b <= 1.15 * a:
            return inner
        return factored if a <= b else inner

    def _keeps_better(self, kept: Expr, factored: Expr) -> bool:
        r"""The form with the document's sums kept, when it is shorter, or not much longer and
        not led by a minus the other avoids (``2X^\top(XW - Y)``, not ``-2X^\top(Y - XW)``)."""
        a, b = self.text(kept), self.text(factored)
        if len(a) < len(b):
            return True
        return len(a) <= 1.15 * len(b) and not (a.startswith("-") and not b.startswith("-"))

    def with_sums_kept(self, inner: Expr) -> Expr | None:
        r"""Like terms collected and factored with every sum free of dX inside a product kept
        whole: ``½Σ^{-1} - ½Σ^{-1}(x - μ)(x - μ)^\top Σ^{-1}``, not ``x(μ - x)^\top + …``;
        None where there is no such sum."""
        if not any(
            isinstance(f, e.Add) and not f.is_scalar and not e.has_d(f)
            for t in (inner.terms if isinstance(inner, e.Add) else (inner,))
            if isinstance(t, e.Mul)
            for f in t.factors
        ):
            return None
        self.keeping_sums = True
        self.kept_seen = []
        try:
            monos = self.monomials(inner)
        finally:
            self.keeping_sums = False
        if monos is None:
            return None
        collected = self.collect(monos)
        return self.like_terms_met(self.factor(collected)) if collected else None

    def like_terms_met(self, x: Expr) -> Expr:
        r"""``x`` with each sum that holds a term twice collected: a kept sum beside its
        transpose, ``(A + \lambda I) + (A + \lambda I)^\top``, is ``A + 2\lambda I + A^\top``."""
        if isinstance(x, e.Add) and len(set(x.terms)) < len(x.terms):
            return self.run(x)
        kids = list(x.children())
        if not kids:
            return x
        met = [self.like_terms_met(k) for k in kids]
        return x if met == kids else e.rebuild(x, met)

    def distributed(self, collected: list[Monomial]) -> Expr | None:
        """The terms with their Hadamard products of sums distributed, where that makes like
        terms meet: ``(1 - y) ⊙ s - y ⊙ (1 - s) = s - y``, but ``σ ⊙ σ ⊙ (1 - σ)`` stays (not
        ``σ^{∘2} - σ^{∘3}``); None where nothing meets (or expanding would blow up)."""
        self.distributing = True
        try:
            parts = [self.monomials(m.expr()) for m in collected]
        finally:
            self.distributing = False
        if any(p is None for p in parts):
            return None
        spread = [m for p in parts for m in p or ()]
        merged = self.collect(spread)
        return self.factor(merged) if len(merged) < len(spread) else None

    # -- expansion -----------------------------------------------------------------------
    def monomials(self, x: Expr) -> list[Monomial] | None:
        """``x`` as a list of monomials, or None when expanding would blow up (told before
        the products are built: nested norms multiply sums of sums)."""
        self.budget.check()
        if isinstance(x, e.Add):
            out: list[Monomial] = []
            for t in x.terms:
                m = self.monomials(t)
                if m is None:
                    return None
                out.extend(m)
                if len(out) > MAX_TERMS:
                    return None
            return out
        if isinstance(x, e.Mul):
            acc: list[Monomial] = [Monomial(sympy.Integer(1), (), ())]
            groups = segments(x.factors)
            for g in groups:
                value = e.mul(*g)
                if value.is_scalar and len(g) > 1 and not any(e.has_d(f) for f in g):
                    # a scalar chain without dX ((x - a)^T (x - a)) stays whole: expanding
                    # it helps nothing and loses the textbook form
                    whole = Monomial(sympy.Integer(1), (value,), ())
                    acc = [_times_scalar(a, whole) for a in acc]
                elif value.is_scalar:
                    # a scalar with dX (dx^T A x + x^T A dx): expand, to collect like terms
                    expanded = self.monomials_of_chain(g)
                    if expanded is None or len(acc) * len(expanded) > MAX_TERMS:
                        return None
                    acc = [_times_scalar(a, p) for a in acc for p in expanded]
                else:
                    for f in g:
                        parts = (
                            self.monomials(f)
                            if (isinstance(f, e.Add) and not self.kept_whole(f))
                            or self.distributable(f)
                            else [self.kept_atom(f)]
                        )
                        if parts is None or len(acc) * len(parts) > MAX_TERMS:
                            return None
                        acc = [_times(a, p) for a in acc for p in parts]
                if len(acc) > MAX_TERMS:
                    return None
            return acc
        if self.distributable(x):
            return self.monomials(self.distribute(x))  # type: ignore[arg-type]
        return [_atom(x)]

    def kept_atom(self, f: Expr) -> Monomial:
        r"""A factor as a monomial; a sum kept whole that is the negative of one kept before
        as minus that one, so that the terms meet: ``γP^\top D t + D(-t)`` is
        ``(γP^\top D - D)t`` (t = r + (γP - I)Φw, written -r + (I - γP)Φw in the other)."""
        if not (self.keeping_sums and isinstance(f, e.Add) and not e.has_d(f)):
            return _atom(f)
        for g in self.kept_seen:
            if g == f:
                return _atom(f)
            if (g.rows, g.cols) == (f.rows, f.cols) and len(g.terms) == len(f.terms):  # type: ignore[attr-defined]
                self.keeping_sums = False
                try:
                    both = self.run(e.add(f, g))
                finally:
                    self.keeping_sums = True
                if e.is_zero(both):
                    return Monomial(sympy.Integer(-1), (), (g,))
        self.kept_seen.append(f)
        return _atom(f)

    def kept_whole(self, f: e.Add) -> bool:
        return self.keeping_sums and not e.has_d(f)

    def distributable(self, x: Expr) -> bool:
        return self.distributing and _distributable(x)

    def ordered(self, x: Expr) -> Expr:
        """A Hadamard product (or a multiple of one) with its operands in printed order."""
        if isinstance(x, e.Had):
            return e.had(*sorted(x.args, key=self.text))
        if isinstance(x, e.Mul):
            return e.mul(*(self.ordered(f) for f in x.factors))
        return x

    def distribute(self, h: e.Had) -> Expr:
        """(a + b) ⊙ c = a ⊙ c + b ⊙ c, each product's operands in one order so that like
        terms meet (``(1 - y) ⊙ s - y ⊙ (1 - s) = s - y``)."""
        combos: list[list[Expr]] = [[]]
        for a in h.args:
            terms = a.terms if isinstance(a, e.Add) else (a,)
            combos = [c + [t] for c in combos for t in terms]
            if len(combos) > MAX_TERMS:
                return h
        out = []
        for c in combos:
            out.append(self.ordered(e.had(*c)))
        return e.add(*out)

    def monomials_of_chain(self, g: list[Expr]) -> list[Monomial] | None:
        acc: list[Monomial] = [Monomial(sympy.Integer(1), (), ())]
        for f in g:
            parts = self.monomials(f) if isinstance(f, e.Add) else [_atom(f)]
            if parts is None or len(acc) * len(parts) > MAX_TERMS:
                return None
            acc = [_times(a, p) for a in acc for p in parts]
            if len(acc) > MAX_TERMS:
                return None
        return acc

    # -- like terms ----------------------------------------------------------------------
    def normal(self, m: Monomial) -> Monomial:
        key = (type(m.coef), m)  # (a number equal to another of another type: its own)
        hit = self.normals.get(key)
        if hit is None:
            hit = self.normals[key] = _normal(m, self.style, self.text)
        return hit

    def collect(self, monos: list[Monomial]) -> list[Monomial]:
        merged: dict[tuple[tuple[Expr, ...], tuple[Expr, ...]], sympy.Rational] = {}
        order: list[tuple[tuple[Expr, ...], tuple[Expr, ...]]] = []
        first: dict[tuple[tuple[Expr, ...], tuple[Expr, ...]], tuple[Expr, ...]] = {}
        for m in monos:
            m = self.normal(m)
            # a Hadamard product commutes: a ⊙ x and x ⊙ a are like terms (written as first met)
            k = (m.scalars, tuple(self.ordered(f) for f in m.chain))
            if k not in merged:
                merged[k] = sympy.Integer(0)
                order.append(k)
                first[k] = m.chain
            merged[k] += m.coef
        out = [Monomial(merged[k], k[0], first[k]) for k in order if merged[k] != 0]
        return out

    # -- factoring -------------------------------------------------------------------------
    def factor(self, monos: list[Monomial]) -> Expr:
        self.budget.check()
        if not monos:
            return e.num(0)
        if len(monos) == 1:
            return monos[0].expr()
        plain = _plain_sum(monos)
        best = self.factor_common(monos)
        chained = _scalar_chains(monos)
        alt = self.factor_common(chained) if chained is not None else None
        if alt is not None and (best is None or self.size(alt) < self.size(best)):
            best = alt  # x^T A dx - b^T A dx = (x^T - b^T) A dx
        if best is not None:
            inserted_identity = any(isinstance(x, e.Identity) for x in best.walk()) and not any(
                isinstance(x, e.Identity) for m in monos for f in m.chain for x in f.walk()
            )
            # (s 1^T - I) y is no clearer than s 1^T y - y: an I must pay for itself; and
            # ½Σ^{-1} - ½Σ^{-1} v v^T Σ^{-1} stays, its terms symmetric (not ½Σ^{-1}(I - v v^T Σ^{-1}))
            if not inserted_identity or (
                self.size(best) < self.size(plain) and not _symmetric_terms(monos)
            ):
                return best
        candidates = [plain]
        for by_end in ("first", "last"):
            grouped = self.group_by(monos, by_end)
            if grouped is not None:
                candidates.append(grouped)
            outer = self.outer_product(monos, by_end)
            if outer is not None:
                candidates.append(outer)
        over = self.group_by_denominator(monos)
        if over is not None:
            candidates.append(over)
        # the shortest, or one with fewer terms when not much longer: (A + A^T) x + b
        shortest = min(self.size(c) for c in candidates)
        near = [c for c in candidates if self.size(c) <= 1.15 * shortest]
        return min(near, key=lambda c: (_term_count(c), self.size(c)))

    def factor_common(self, monos: list[Monomial]) -> Expr | None:
        """Pull out what every term shares; None if nothing is shared."""
        coefs = [m.coef for m in monos]
        c = _rational_gcd(coefs)
        if all(e.negative(k) for k in coefs):
            c = -c
        common_s = list(monos[0].scalars)
        for m in monos[1:]:
            common_s = _multiset_common(common_s, list(m.scalars))
        prefix = _common_prefix([m.chain for m in monos])
        suffix = _common_suffix([m.chain[len(prefix) :] for m in monos])
        if c == 1 and not common_s and not prefix and not suffix:
            return None
        inner: list[Monomial] = []
        for m in monos:
            s = list(m.scalars)
            for f in common_s:
                s.remove(f)
            chain = m.chain[len(prefix) : len(m.chain) - len(suffix)]
            inner.append(Monomial(m.coef / c, tuple(s), chain))
        shaped = [m for m in inner if m.chain]
        if shaped and len(shaped) < len(inner):
            # A x + x = (A + I) x: a term left without matrix factors becomes I
            rows, cols = e.chain_shape(shaped[0].chain)
            if not e.same(rows, cols) or (rows == e.ONE and cols == e.ONE):
                return None
            ident = (e.identity(rows),)
            inner = [m if m.chain else Monomial(m.coef, m.scalars, ident) for m in inner]
        outer, self.outer = self.outer, self.outer and len(shaped) == len(inner)
        try:
            if prefix or suffix or common_s:
                body = self.factor(self.collect(inner))
            else:
                body = _plain_sum(inner)
            body = _fit(body, prefix, suffix)
            return e.mul(e.num(c), *common_s, *prefix, body, *suffix)
        except e.ShapeError:
            return None  # what is left of the terms does not fit together
        finally:
            self.outer = outer

    def group_by_denominator(self, monos: list[Monomial]) -> Expr | None:
        r"""Terms over one denominator together, as a Hessian of a quotient is written:
        ``\frac{A + A^\top}{s} - \frac{2((A + A^\top) x x^\top + …)}{s^2} + …``."""
        groups: dict[tuple[Expr, ...], list[Monomial]] = {}
        for m in monos:
            key = tuple(s for s in m.scalars if isinstance(s, e.Pow) and e.negative(s.exp))
            groups.setdefault(key, []).append(m)
        if len(groups) == len(monos) or len(groups) == 1:
            return None
        # the lowest powers of the denominators first: 1/s, then 1/s², 1/s³
        order = sorted(groups, key=_denominator_degree)
        parts = [
            self.factor(groups[k]) if len(groups[k]) > 1 else groups[k][0].expr() for k in order
        ]
        return e.add(*parts)

    def outer_product(self, monos: list[Monomial], end: str) -> Expr | None:
        r"""The terms as one product of two sums, where grouped by their factor at ``end``
        each group's rest is one sum times a number: ``h h^\top - h g^\top - g h^\top +
        g g^\top = (h - g)(h - g)^\top``, ``a c^\top + b c^\top - 2 a d^\top - 2 b d^\top
        = (a + b)(c - 2d)^\top``; None where they are not."""
        if not self.outer:
            return None
        groups: dict[Expr, list[Monomial]] = {}
        alone = [len(m.chain) == 1 for m in monos]  # (1 - s) a - (1 - s) b = (1 - s)(a - b)
        if any(alone) and not (all(alone) and all(_vector(m.chain[0]) for m in monos)):
            return None  # (a vector alone only beside vectors alone: no scalar beside a matrix)
        for m in monos:
            if not m.chain:
                return None
            groups.setdefault(m.chain[-1] if end == "last" else m.chain[0], []).append(m)
        if len(groups) < 2 or len(groups) == len(monos):
            return None
        rests: list[dict[tuple[tuple[Expr, ...], tuple[Expr, ...]], sympy.Rational]] = []
        for g in groups.values():
            rest = [Monomial(m.coef, m.scalars, m.chain[:-1] if end == "last" else m.chain[1:])
                    for m in g]  # fmt: skip
            rests.append({m.key(): m.coef for m in self.collect(rest)})
        base = rests[0]
        ratios: list[sympy.Rational] = []
        for have in rests:
            if have.keys() != base.keys():
                return None
            found = {have[k] / base[k] for k in base}
            if len(found) != 1:
                return None
            ratios.append(found.pop())
        sign = -1 if e.negative(next(iter(base.values()))) else 1  # -(x - μ)(x - μ)^\top
        shared = self.factor(
            self.collect([Monomial(sign * c, k[0], k[1]) for k, c in base.items()])
        )  # (each sum led by a plus: not (x - μ)(μ - x)^\top)
        ends = self.run(e.add(*(e.mul(e.num(r), k) for r, k in zip(ratios, groups, strict=True))))
        try:
            both = (shared, ends) if end == "last" else (ends, shared)
            return e.mul(e.num(sign), *both)
        except e.ShapeError:
            return None

    def group_by(self, monos: list[Monomial], end: str) -> Expr | None:
        groups: dict[Expr | None, list[Monomial]] = {}
        for m in monos:
            k = (m.chain[0] if end == "first" else m.chain[-1]) if m.chain else None
            groups.setdefault(k, []).append(m)
        if len(groups) == len(monos) or len(groups) == 1:
            return None
        parts = [self.factor(g) if len(g) > 1 else g[0].expr() for g in groups.values()]
        regrouped = [m for p in parts for m in (_as_monomials(p))]
        again = self.factor_common(regrouped) if len(regrouped) > 1 else None
        return again if again is not None else e.add(*parts)


def _hadamard_term(
    term: Expr,
) -> tuple[Expr, tuple[Expr, ...], tuple[Expr, ...], tuple[Expr, ...]] | None:
    """A term as (its scalar factor, the matrices before, the operands of its one Hadamard
    product, the matrices after); None for a term with no Hadamard product or two."""
    factors = term.factors if isinstance(term, e.Mul) else (term,)
    scalars = [f for f in factors if f.is_scalar]
    chain = [f for f in factors if not f.is_scalar]
    hads = [i for i, f in enumerate(chain) if isinstance(f, e.Had)]
    if len(hads) != 1:
        return None
    i = hads[0]
    had = chain[i]
    assert isinstance(had, e.Had)
    coef = e.mul(*scalars) if scalars else e.num(1)
    return coef, tuple(chain[:i]), had.args, tuple(chain[i + 1 :])


def _scalars_out_of_diag(d: e.DiagV) -> Expr:
    r"""``\operatorname{diag}(-c A B)`` as ``-c\operatorname{diag}(A B)``: the diagonal is linear."""
    m = d.arg
    if not isinstance(m, e.Mul):
        return d
    scalars = [f for f in m.factors if f.is_scalar]
    if not scalars:
        return d
    return e.mul(*scalars, e.diag_vector(e.mul(*(f for f in m.factors if not f.is_scalar))))


def _vector(f: Expr) -> bool:
    """Whether ``f`` is a column vector (not a number, not a matrix)."""
    return f.is_vector


def _vec_read(x: Expr) -> Expr:
    """(P ⊗ Q) vec X = vec(Q X Pᵀ); vec A - vec B = vec(A - B); ``x`` itself where neither is."""
    if isinstance(x, e.Mul):
        return vec_trick(x)
    if isinstance(x, e.Add):
        return vec_of_sum(x)
    return x


def _inverse_end(t: Expr, right: bool) -> Expr | None:
    """M of a term that ends in ``M^{-1}`` (at its right or left end); None otherwise."""
    if isinstance(t, e.Inv):
        return t.arg
    if isinstance(t, e.Mul) and t.factors:
        f = t.factors[-1] if right else next((x for x in t.factors if not x.is_scalar), None)
        if isinstance(f, e.Inv) and not f.is_scalar:
            return f.arg
    return None


def _without_end(t: Expr, right: bool) -> Expr:
    """The term without its inverse end (I where it is all of it)."""
    if isinstance(t, e.Inv):
        return e.identity(t.rows)
    assert isinstance(t, e.Mul)
    factors = list(t.factors)
    if right:
        factors.pop()
    else:
        factors.remove(next(x for x in factors if not x.is_scalar))
    rest = [x for x in factors if not x.is_scalar]
    return e.mul(*factors) if rest else e.mul(*factors, e.identity(t.rows))


def _denominator_degree(key: tuple[Expr, ...]) -> float:
    """How high the powers of a group's denominators are (1/s: 1, 1/s²: 2)."""
    return sum(-float(s.exp) for s in key if isinstance(s, e.Pow))


def _symmetric_terms(monos: list[Monomial]) -> bool:
    r"""Every term a symmetric matrix by its form (``Σ^{-1}``, ``Σ^{-1} v v^\top Σ^{-1}``), or
    one of a pair of terms each the other's transpose (``Σ^{-1}xμ^\topΣ^{-1}`` beside
    ``Σ^{-1}μx^\topΣ^{-1}``, of ``(x - μ)(x - μ)^\top`` expanded): the sum is symmetric term
    by term, as the textbook writes it."""
    chains = []
    for m in monos:
        if not m.chain:
            return False
        chain = e.mul(*m.chain)
        if chain.is_scalar or chain.rows != chain.cols:
            return False
        chains.append((m.coef, Counter(m.scalars), chain))
    for coef, scalars, chain in chains:
        flipped = e.transpose(chain)
        if flipped != chain and not any(
            c == coef and s == scalars and x == flipped for c, s, x in chains
        ):
            return False
    return True


def _all_transposed(term: Expr) -> bool:
    """Every matrix factor of the term is a transpose (``A^\top (X^2)^\top``)."""
    factors = term.factors if isinstance(term, e.Mul) else (term,)
    chain = [f for f in factors if not f.is_scalar]
    return bool(chain) and all(
        isinstance(f, e.T) or (isinstance(f, e.Inv) and isinstance(f.arg, e.T)) for f in chain
    )


def _has_distributable(x: Expr) -> bool:
    """Whether expanding ``x`` into monomials meets a Hadamard product of a sum."""
    if isinstance(x, e.Add):
        return any(_has_distributable(t) for t in x.terms)
    if isinstance(x, e.Mul):
        return any(_has_distributable(f) for f in x.factors)
    return _distributable(x)


def _distributable(x: Expr) -> bool:
    """A Hadamard product with a sum among its operands."""
    return isinstance(x, e.Had) and any(isinstance(a, e.Add) for a in x.args)


def _term_count(x: Expr) -> int:
    return len(x.terms) if isinstance(x, e.Add) else 1


def _scalar_chains(monos: list[Monomial]) -> list[Monomial] | None:
    """Terms that are each one scalar product (``v^\\top A w``) as chains, each turned
    the way that shares an end with the first term, so that
    ``v^\\top A w + w^\\top A v = v^\\top (A + A^\\top) w`` can be factored."""
    out: list[Monomial] = []
    first: tuple[Expr, ...] | None = None
    for m in monos:
        if m.chain:
            return None
        products = [s for s in m.scalars if isinstance(s, e.Mul) and not all(
            f.is_scalar for f in s.factors)]  # fmt: skip
        if len(products) != 1:
            return None
        p = products[0]
        if len(segments(p.factors)) != 1:
            return None  # (x^T y)(z^T w): two products, not one chain
        rest = tuple(s for s in m.scalars if s is not p)
        chain = p.factors
        if first is None:
            first = chain
        else:
            flipped = e.transpose(p)
            alt = flipped.factors if isinstance(flipped, e.Mul) else (flipped,)
            if _shared_ends(alt, first) > _shared_ends(chain, first):
                chain = alt
        out.append(Monomial(m.coef, rest, tuple(f for f in chain if not f.is_scalar)))
        if any(f.is_scalar for f in chain):
            return None
    return out


def _shared_ends(a: tuple[Expr, ...], b: tuple[Expr, ...]) -> int:
    return len(_common_prefix([a, b])) + len(_common_suffix([a, b]))


def _fit(body: Expr, prefix: tuple[Expr, ...], suffix: tuple[Expr, ...]) -> Expr:
    """A factored-out inner sum that is only a number or scalar gets the identity's
    shape when it sits between matrix ends (``A(2I + …)``)."""
    if body.is_scalar and prefix and suffix:
        left = e.mul(*prefix)
        right = e.mul(*suffix)
        if left.cols != 1 and left.cols == right.rows and left.cols != e.ONE:
            return e.mul(body, e.identity(left.cols))
    return body


def _as_monomials(x: Expr) -> list[Monomial]:
    """A factored term as a single monomial (its factors kept whole)."""
    if isinstance(x, e.Add):
        return [m for t in x.terms for m in _as_monomials(t)]
    if isinstance(x, e.Mul):
        coef = sympy.Integer(1)
        scal: list[Expr] = []
        chain: list[Expr] = []
        for f in x.factors:
            if isinstance(f, e.Num) and f.value.is_Rational:
                coef *= f.value
            elif f.is_scalar:
                scal.append(f)
            else:
                chain.append(f)
        rest, inside = _scalar_subchains(tuple(chain))  # (x^T A x) a^T, not a chain x^T A x a^T
        return [Monomial(coef, (*scal, *inside), rest)]
    return [_atom(x)]


def _plain_sum(monos: list[Monomial]) -> Expr:
    ordered = sorted(monos, key=lambda m: e.negative(m.coef))  # positive terms first
    return e.add(*(m.expr() for m in ordered))


def _atom(f: Expr) -> Monomial:
    if isinstance(f, e.Num) and f.value.is_Rational:
        return Monomial(f.value, (), ())
    if f.is_scalar:
        return Monomial(sympy.Integer(1), (f,), ())
    return Monomial(sympy.Integer(1), (), (f,))


def _times(a: Monomial, b: Monomial) -> Monomial:
    return Monomial(a.coef * b.coef, a.scalars + b.scalars, a.chain + b.chain)


def _times_scalar(a: Monomial, b: Monomial) -> Monomial:
    """``a`` times the scalar value of ``b`` (a monomial of a 1×1 chain)."""
    scal = b.scalars + ((e.mul(*b.chain),) if b.chain else ())
    return Monomial(a.coef * b.coef, a.scalars + scal, a.chain)


def _normal(m: Monomial, style: Style, text: Callable[[Expr], str]) -> Monomial:
    """Canonical scalars: each in its preferred orientation, powers of one base added,
    sorted; a chain with X⁻¹X cancelled and 1ᵀ1 = n (once expanded: (μ1ᵀ - Xᵀ)1 = nμ - Xᵀ1)."""
    m = _ones_counted(m)
    powers: dict[Expr, sympy.Expr] = {}
    order: list[Expr] = []
    coef = m.coef
    numbers: sympy.Expr = sympy.Integer(1)  # 1/m, -2/m: one number, its rational part in coef
    chain_left, inner_scalars = _scalar_subchains(m.chain)
    for s in (*m.scalars, *inner_scalars):
        if isinstance(s, e.Num):
            numbers *= s.value
            continue
        s = _orient(_reciprocal_met(s), style, text)
        base, p = (s.arg, s.exp) if isinstance(s, e.Pow) and s.is_scalar else (s, sympy.Integer(1))
        if isinstance(base, e.Num) and base.value.is_Rational and p.is_Integer:
            coef *= base.value**p
            continue
        if base not in powers:
            powers[base] = sympy.Integer(0)
            order.append(base)
        powers[base] += p
    rational, numbers = sympy.Mul(numbers).as_coeff_Mul()
    coef *= rational
    scalars: list[Expr] = [] if numbers == 1 else [e.num(numbers)]
    for b in order:
        p = powers[b]
        if p == 0:
            continue
        x = e.power(b, p)
        if isinstance(x, e.Num) and x.value.is_Rational:
            coef *= x.value
            continue
        if (
            isinstance(x, e.Mul)
            and x != b
            and isinstance(x.factors[0], e.Num)
            and x.factors[0].value.is_Rational
        ):  # power() split off a number: (2a)^p = 2^p a^p
            coef *= x.factors[0].value
            x = e.mul(*x.factors[1:])
        scalars.append(x)
    scalars.sort(key=text)
    chain = cancel(list(chain_left))
    if len(chain) == 1 and isinstance(chain[0], e.Ones) and chain[0].cols == e.ONE:
        # (\mathbf{1}^\top x)\mathbf{1} is \mathbf{1}\mathbf{1}^\top x: one form, so that they meet
        total = next(
            (x for x in scalars if isinstance(x, e.Mul) and x.factors and _ones_row(x.factors[0])),
            None,
        )
        if total is not None:
            scalars.remove(total)
            chain = [chain[0], *total.factors]
    if len(chain) > 1 and any(isinstance(f, e.DiagM) for f in chain):
        # once expanded: diag(v^{∘-1}) diag(v) = I, diag(v^{∘-1}) v wᵀ = 1 wᵀ
        merged = diag_times_vector(e.Mul(tuple(chain), rows=chain[0].rows, cols=chain[-1].cols))
        parts = list(merged.factors) if isinstance(merged, e.Mul) else [merged]
        if not any(f.is_scalar for f in parts):  # else keep it as it was
            chain = cancel(parts)
    return Monomial(coef, tuple(scalars), tuple(chain))


def _reciprocal_met(s: Expr) -> Expr:
    r"""A number ``(\mathbf{y} \oslash \mathbf{s})^\top \mathbf{s}`` (a row's entries divided
    by the column's it meets) as the sum ``\mathbf{1}^\top\mathbf{y}`` it is, and its mirror
    ``\mathbf{s}^\top(\mathbf{y} \oslash \mathbf{s})`` (where a chain holds it whole,
    ``\mathbf{s}\mathbf{s}^\top(\mathbf{y} \oslash \mathbf{s})``, no diag(s⁻¹) s meets)."""
    if not (isinstance(s, e.Mul) and len(s.factors) == 2):
        return s
    row, col = s.factors
    if row.rows != e.ONE or col.cols != e.ONE or row.cols == e.ONE:
        return s
    if _reciprocals(row, col):  # sᵀ s^{∘-1} = 1ᵀ1: the length (label smoothing's 1ᵀ log p)
        return e.num(row.cols)
    for had, other, first in ((row, col, True), (col, row, False)):
        if not isinstance(had, e.Had):
            continue
        args = list(had.args)
        for i, a in enumerate(args):
            if isinstance(a, e.HPow) and a.exp == -1 and e.transpose(a.arg) == other:
                rest = e.had(*args[:i], *args[i + 1 :]) if len(args) > 1 else None
                if rest is None:
                    return s
                if first:  # (y ⊘ s)ᵀ s = yᵀ 1
                    return e.mul(rest, e.ones(col.rows, e.ONE))
                return e.mul(e.transpose(e.ones(row.cols, e.ONE)), rest)  # sᵀ(y ⊘ s) = 1ᵀy
    return s


def _reciprocals(row: Expr, col: Expr) -> bool:
    r"""Whether the row ``row`` and the column ``col`` are a vector and its entrywise
    reciprocal, one of them transposed (``\mathbf{s}^\top\mathbf{s}^{\circ -1}``,
    ``(\mathbf{s}^{\circ -1})^\top\mathbf{s}``): their product is the vector's length."""
    for a, b in ((col, row), (e.transpose(row), e.transpose(col))):
        if isinstance(a, e.HPow) and a.exp == -1 and e.transpose(a.arg) == b:
            return True
    return False


def _ones_counted(m: Monomial) -> Monomial:
    """A chain's ``\\mathbf{1}^\\top \\mathbf{1}`` as the scalar it is (its length)."""
    chain = list(m.chain)
    counted: list[Expr] = []
    i = 0
    while i < len(chain) - 1:
        a, b = chain[i], chain[i + 1]
        if isinstance(a, e.Ones) and isinstance(b, e.Ones) and a.rows == e.ONE and b.cols == e.ONE:
            counted.append(e.num(a.cols))
            del chain[i : i + 2]
        else:
            i += 1
    if not counted:
        return m
    return Monomial(m.coef, m.scalars + tuple(counted), tuple(chain))


def _scalar_subchains(chain: tuple[Expr, ...]) -> tuple[tuple[Expr, ...], list[Expr]]:
    r"""A chain with the 1×1 products inside it moved out as scalars: ``a x^\top x a^\top =
    (x^\top x) a a^\top``, ``x x^\top A x x^\top = (x^\top A x) x x^\top`` (a row times
    what makes it a column is a number; not around dX, whose place the differential keeps;
    not a sum of entries ``\mathbf{1}^\top y``, which reads as a product where it stands)."""
    out = list(chain)
    found: list[Expr] = []
    i = 0
    while i < len(out):
        if out[i].rows == e.ONE and not _ones_row(out[i]):
            j = next((k for k in range(i, len(out)) if out[k].cols == e.ONE), None)
            whole = i == 0 and j == len(out) - 1
            if j is not None and not whole and not any(e.has_d(f) for f in out[i : j + 1]):
                found.append(e.mul(*out[i : j + 1]))
                del out[i : j + 1]
                continue
        i += 1
    return tuple(out), found


def _ones_row(f: Expr) -> bool:
    return isinstance(f, e.Ones) or (isinstance(f, e.T) and isinstance(f.arg, e.Ones))


def _orient(s: Expr, style: Style, print_: Callable[[Expr], str]) -> Expr:
    """A 1×1 product and its transpose are the same number: pick one spelling."""
    if isinstance(s, e.Mul) and any(not f.is_scalar for f in s.factors):
        other = e.transpose(s)
    elif isinstance(s, e.Tr) and isinstance(s.arg, e.Mul):
        other = e.tr(e.transpose(s.arg))
    else:
        return s

    def score(x: Expr) -> tuple[int, int, int, str]:
        # dX untransposed and last reads best (x^T A dx, tr(A^T dX)); then fewer transposes
        text = print_(x)
        d_transposed = any(isinstance(y, e.T) and isinstance(y.arg, e.D) for y in x.walk())
        return int(d_transposed), text.count(style.transpose), len(text), text

    return s if score(s) <= score(other) else other


def _rational_gcd(values: list[sympy.Rational]) -> sympy.Rational:
    nums = [abs(int(sympy.Rational(v).p)) for v in values]
    dens = [int(sympy.Rational(v).q) for v in values]
    g = 0
    for n in nums:
        g = gcd(g, n)
    lcm_den = 1
    for d in dens:
        lcm_den = lcm_den * d // gcd(lcm_den, d)
    common = sympy.Rational(g, 1)
    # only pull out a fraction when every term has it (½(a + b))
    if all(d == dens[0] for d in dens):
        common = sympy.Rational(g, dens[0])
    return common if common != 0 else sympy.Integer(1)


def _multiset_common(a: list[Expr], b: list[Expr]) -> list[Expr]:
    out = []
    rest = list(b)
    for x in a:
        if x in rest:
            rest.remove(x)
            out.append(x)
    return out


def _common_prefix(chains: list[tuple[Expr, ...]]) -> tuple[Expr, ...]:
    n = min(len(c) for c in chains)
    k = 0
    while k < n and all(c[k] == chains[0][k] for c in chains):
        k += 1
    return chains[0][:k]


def _common_suffix(chains: list[tuple[Expr, ...]]) -> tuple[Expr, ...]:
    rev = [tuple(reversed(c)) for c in chains]
    p = _common_prefix(rev)
    return tuple(reversed(p))
