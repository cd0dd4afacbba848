r"""Dimensions without SymPy: integers, names, and their sums, products and integer powers,
built by SymPy's own automatic rules, so that ``==``, ``hash`` and the printed text are
SymPy's for every dimension the shape layer makes (issue 17: ``import sympy`` is ~0.3 s of a
cold ``texgrad check --no-derivatives``).

Not used yet: :mod:`texgrad.shapes.dims` still makes SymPy dimensions; the switch, and the
engine's boundary (``to_sympy``), are the plan in docs/internals/fronts.md ("A SymPy-free shape
layer").  ``tests/shapes/test_dim_terms.py`` builds random dimensions both ways and asserts
the same text, equality, expansion, names and substitutions.

What is copied of SymPy (1.14), for these forms only:

- a sum is flattened, like terms collected (``n + n`` is ``2*n``), zero terms dropped, and a
  sum of one term is that term;
- a product is flattened, equal bases collected (``n*n`` is ``n**2``), a product with 0 is 0,
  1 dropped, and a number times exactly one sum is distributed (``2*(n + 1)`` is
  ``2*n + 2``; ``n*(n + 1)`` is not ``n**2 + n``: equality is structural, not a
  polynomial's — :func:`expanded` decides that);
- an integer power of a number is computed, of a product taken factor by factor
  (``(2*n)**2`` is ``4*n**2``), of a power multiplied (``(n**2)**3`` is ``n**6``);
- the text is ``StrPrinter``'s: terms in descending lexicographic order of their monomials
  over the generators in SymPy's sort order (``-m*n + 1``), but a positive number first
  beside one negated factor (``1 - n``, ``3 - (n + 1)**2``); factors by SymPy's sort key
  (the number first, ``n**2`` beside ``n``, sums last), a sum inside a product or power
  bracketed, ``-`` for a negative coefficient.

Negative exponents (fractions) and symbolic exponents are refused with ValueError: the shape
layer never makes them (``2^{-1}``, ``n^m`` are of unknown size).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy

_INT, _SYM, _POW, _MUL, _ADD = "int", "sym", "pow", "mul", "add"
# SymPy's class keys (Basic.class_key) of the classes a dimension is made of
_NUMBER_CLASS, _SYMBOL_CLASS = (1, 0, "Number"), (2, 0, "Symbol")
_ADD_CLASS, _MUL_CLASS = (3, 1, "Add"), (3, 0, "Mul")

SortKey = tuple[Any, ...]
Factors = frozenset[tuple["Dim", int]]  # a product's bases with their exponents
Terms = frozenset[tuple["Dim", int]]  # a sum's terms (without their numbers) with them


def _number_key(value: int) -> SortKey:
    return (_NUMBER_CLASS, (0, ()), (), value)  # Number.sort_key


class Dim:
    """A dimension: a frozen term made only by :func:`integer`, :func:`symbol` and the
    arithmetic (``+``, ``-``, ``*``, ``**`` an integer), equal to another exactly when SymPy's
    automatic forms of the two are equal."""

    # (__dict__: for the cached properties)
    __slots__ = (
        "kind",
        "value",
        "name",
        "base",
        "exp",
        "coeff",
        "factors",
        "terms",
        "plain",
        "_hash",
        "__dict__",
    )

    kind: str  # "int" value; "sym" name; "pow" base**exp; "mul" coeff*factors; "add" coeff+terms
    value: int
    name: str
    base: Dim
    exp: int
    coeff: int  # a product's number; a sum's constant term
    factors: Factors
    terms: Terms
    plain: bool  # a name made by texgrad, never equal to a document's (SymPy's Symbol(name))
    _hash: int

    def _identity(self) -> tuple[Any, ...]:
        kind = self.kind
        if kind == _INT:
            return (kind, self.value)
        if kind == _SYM:
            return (kind, self.name, self.plain)
        if kind == _POW:
            return (kind, self.base, self.exp)
        return (kind, self.coeff, self.factors if kind == _MUL else self.terms)

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            # a number hashes as the int it equals (as SymPy's Integer does)
            self._hash = hash(self.value) if self.kind == _INT else hash(self._identity())
            return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, Dim):
            return self._identity() == other._identity()
        if isinstance(other, int) and not isinstance(other, bool):
            return self.kind == _INT and self.value == other
        if _sympy_object(other):  # the engine's (calculus/sympy_dims.py): compared as SymPy's
            return bool(self._sympy == other)
        return False

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as how it is made, without its kept hash (a name's differs from process
        to process) nor what it printed."""
        kind = self.kind
        if kind == _INT:
            return (integer, (self.value,))
        if kind == _SYM:
            return (plain_symbol if self.plain else symbol, (self.name,))
        if kind == _POW:
            return (power, (self.base, self.exp))
        if kind == _MUL:
            return (_product, (self.coeff, tuple(self.factors)))
        return (_sum, (self.coeff, tuple(self.terms)))

    # the flags the shape layer reads, as SymPy's
    @property
    def is_Symbol(self) -> bool:  # (SymPy's names)
        return self.kind == _SYM

    @property
    def is_Number(self) -> bool:
        return self.kind == _INT

    @property
    def is_Integer(self) -> bool:
        return self.kind == _INT

    @property
    def is_Add(self) -> bool:
        return self.kind == _ADD

    @property
    def is_Mul(self) -> bool:
        return self.kind == _MUL

    @property
    def is_Pow(self) -> bool:
        return self.kind == _POW

    @cached_property
    def free_symbols(self) -> frozenset[Dim]:
        kind = self.kind
        if kind == _INT:
            return frozenset()
        if kind == _SYM:
            return frozenset((self,))
        if kind == _POW:
            return self.base.free_symbols
        parts = self.factors if kind == _MUL else self.terms
        return frozenset().union(*(part.free_symbols for part, _ in parts))

    def xreplace(self, swaps: dict[Dim, Dim]) -> Dim:
        """Names replaced (``n`` → ``n_1 n_2``) and the result rebuilt by the rules, as
        SymPy's ``xreplace``."""
        kind = self.kind
        if kind == _INT:
            return self
        if kind == _SYM:
            return swaps.get(self, self)
        if kind == _POW:
            return power(self.base.xreplace(swaps), self.exp)
        if kind == _MUL:  # (one call with every factor: the order of the factors is no matter)
            rebuilt = [power(b.xreplace(swaps), e) for b, e in self.factors]
            return mul(integer(self.coeff), *rebuilt)
        rebuilt = [mul(integer(c), term.xreplace(swaps)) for term, c in self.terms]
        return add(integer(self.coeff), *rebuilt)

    # arithmetic
    def __add__(self, other: Dim | int) -> Dim:
        if _sympy_object(other):
            return self._sympy + other  # type: ignore[no-any-return]
        return add(self, _dim(other))

    def __radd__(self, other: Dim | int) -> Dim:
        if _sympy_object(other):
            return other + self._sympy  # type: ignore[no-any-return]
        return add(_dim(other), self)

    def __sub__(self, other: Dim | int) -> Dim:
        if _sympy_object(other):
            return self._sympy - other  # type: ignore[no-any-return]
        return add(self, mul(_MINUS_ONE, _dim(other)))

    def __rsub__(self, other: Dim | int) -> Dim:
        if _sympy_object(other):
            return other - self._sympy  # type: ignore[no-any-return]
        return add(_dim(other), mul(_MINUS_ONE, self))

    def __mul__(self, other: Dim | int) -> Dim:
        if _sympy_object(other):
            return self._sympy * other  # type: ignore[no-any-return]
        return mul(self, _dim(other))

    def __rmul__(self, other: Dim | int) -> Dim:
        if _sympy_object(other):
            return other * self._sympy  # type: ignore[no-any-return]
        return mul(_dim(other), self)

    def __neg__(self) -> Dim:
        return mul(_MINUS_ONE, self)

    def __pow__(self, exponent: Dim | int) -> Dim:
        e = _dim(exponent)
        if e.kind != _INT:
            raise ValueError(f"a dimension's exponent is a number, not {e}")
        return power(self, e.value)

    # a number as Python's
    def __int__(self) -> int:
        if self.kind != _INT:
            raise TypeError(f"{self} is not a number")
        return self.value

    def __float__(self) -> float:
        return float(int(self))

    def _compared(self, other: Dim | int) -> int:
        return int(self) - int(other)

    def __lt__(self, other: Dim | int) -> bool:
        return self._compared(other) < 0

    def __le__(self, other: Dim | int) -> bool:
        return self._compared(other) <= 0

    def __gt__(self, other: Dim | int) -> bool:
        return self._compared(other) > 0

    def __ge__(self, other: Dim | int) -> bool:
        return self._compared(other) >= 0

    # SymPy's sort key (Expr.sort_key) and text (StrPrinter), for these forms
    @cached_property
    def sort_key(self) -> SortKey:
        kind = self.kind
        if kind == _INT:
            return _number_key(self.value)
        if kind == _SYM:
            return (_SYMBOL_CLASS, (1, (self.name,)), _number_key(1), 1)
        if kind == _ADD:
            keys = tuple(term.sort_key for term in self._ordered_terms)
            return (_ADD_CLASS, (len(keys), keys), _number_key(1), 1)
        if kind == _POW:
            base = self.base.sort_key
            return (base[0], base[1], _number_key(self.exp), 1)
        rest = self._rest  # a product: its number, and the key of the rest
        if rest.kind != _MUL:
            key = rest.sort_key
            return (key[0], key[1], key[2], self.coeff)
        keys = tuple(f.sort_key for f in rest._ordered_factors)
        return (_MUL_CLASS, (len(keys), keys), _number_key(1), self.coeff)

    @cached_property
    def _rest(self) -> Dim:
        """A product without its number."""
        return _product(1, self.factors)

    @cached_property
    def _ordered_factors(self) -> list[Dim]:
        factors = [power(b, e) for b, e in self.factors]
        if self.coeff != 1:
            factors.append(integer(self.coeff))
        return sorted(factors, key=lambda f: f.sort_key)

    @cached_property
    def _summands(self) -> list[Dim]:
        out = [mul(integer(c), term) for term, c in self.terms]
        return out + ([integer(self.coeff)] if self.coeff else [])

    @cached_property
    def _ordered_terms(self) -> list[Dim]:
        """A sum's terms as SymPy orders them (Expr.as_ordered_terms)."""
        terms = self._summands
        if len(terms) == 2 and self.coeff > 0:  # 1 - n, 3 - (n + 1)**2: the number first
            other = next(term for term in terms if term.kind != _INT)
            if other.kind == _MUL and other.coeff < 0 and len(other.factors) == 1:
                return [integer(self.coeff), other]
        split: list[tuple[Dim, int, dict[Dim, int]]] = []
        generators: set[Dim] = set()
        for term in terms:
            if term.kind == _INT:
                split.append((term, term.value, {}))
                continue
            c, rest = (term.coeff, term._rest) if term.kind == _MUL else (1, term)
            if rest.kind == _MUL:
                powers = dict(rest.factors)
            else:
                powers = {rest.base: rest.exp} if rest.kind == _POW else {rest: 1}
            generators |= set(powers)
            split.append((term, c, powers))
        order = sorted(generators, key=lambda g: g.sort_key)

        def lex(item: tuple[Dim, int, dict[Dim, int]]) -> SortKey:
            _, c, powers = item
            return (tuple(-powers.get(g, 0) for g in order), (), ((False, 0), (c, 0)))

        return [term for term, _, _ in sorted(split, key=lex)]

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        kind = self.kind
        if kind == _INT:
            return str(self.value)
        if kind == _SYM:
            return self.name
        if kind == _POW:
            base = self.base._text
            return f"({base})**{self.exp}" if self.base.kind == _ADD else f"{base}**{self.exp}"
        if kind == _MUL:
            sign = "-" if self.coeff < 0 else ""
            positive = _product(-self.coeff, self.factors) if sign else self
            items = positive._ordered_factors if positive.kind == _MUL else [positive]
            return sign + "*".join(f"({f._text})" if f.kind == _ADD else f._text for f in items)
        out: list[str] = []
        for term in self._ordered_terms:
            text = term._text
            out += ["-", text[1:]] if text.startswith("-") else ["+", text]
        sign = out.pop(0)
        return ("" if sign == "+" else sign) + " ".join(out)

    # the engine's dimensions
    def to_sympy(self) -> sympy.Expr:
        """The same dimension as SymPy's (names ``positive=True, integer=True``)."""
        return self._sympy

    def _sympy_(self) -> sympy.Expr:
        return self._sympy

    @cached_property
    def _sympy(self) -> sympy.Expr:
        import sympy

        kind = self.kind
        if kind == _INT:
            return sympy.Integer(self.value)
        if kind == _SYM:
            return sympy.Symbol(self.name) if self.plain else _sympy_symbol(self.name)
        if kind == _POW:
            return sympy.Pow(self.base._sympy, sympy.Integer(self.exp))
        if kind == _MUL:
            factors = [sympy.Pow(b._sympy, sympy.Integer(e)) for b, e in self.factors]
            return sympy.Mul(sympy.Integer(self.coeff), *factors)
        terms = [sympy.Mul(sympy.Integer(c), t._sympy) for t, c in self.terms]
        return sympy.Add(sympy.Integer(self.coeff), *terms)


@lru_cache(maxsize=4096)
def _sympy_symbol(name: str) -> sympy.Symbol:
    import sympy

    return sympy.Symbol(name, positive=True, integer=True)


def _new(kind: str, **fields: Any) -> Dim:
    d = Dim.__new__(Dim)
    d.kind = kind
    for key, value in fields.items():
        setattr(d, key, value)
    return d


@lru_cache(maxsize=1024)
def integer(value: int) -> Dim:
    """A number."""
    return _new(_INT, value=int(value))


@lru_cache(maxsize=8192)
def symbol(name: str) -> Dim:
    """A name (a positive integer, as the shape layer's names are)."""
    return _new(_SYM, name=name, plain=False)


def plain_symbol(name: str) -> Dim:
    """A name of texgrad's own, unequal to a document's name of the same spelling (as SymPy's
    ``Symbol(name)`` without assumptions is)."""
    return _new(_SYM, name=name, plain=True)


_MINUS_ONE = integer(-1)


def _sympy_object(x: object) -> bool:
    """One of SymPy's objects (the engine's dimensions), told without importing SymPy."""
    return type(x).__module__.startswith("sympy.")


def _dim(x: Dim | int) -> Dim:
    return x if isinstance(x, Dim) else integer(x)


def power(x: Dim, exponent: int) -> Dim:
    """``x**exponent`` for an integer exponent ≥ 0."""
    if exponent < 0:
        raise ValueError(f"a dimension's exponent is not negative: {x}**{exponent}")
    if exponent == 0:
        return integer(1)
    if exponent == 1:
        return x
    kind = x.kind
    if kind == _INT:
        return integer(x.value**exponent)
    if kind == _POW:
        return power(x.base, x.exp * exponent)
    if kind == _MUL:
        factors = (power(b, e * exponent) for b, e in x.factors)
        return mul(integer(x.coeff**exponent), *factors)
    return _new(_POW, base=x, exp=exponent)


def _product(coeff: int, factors: Any) -> Dim:
    """The product of a number and bases with exponents, already collected."""
    collected: Factors = frozenset(factors)
    if coeff == 0:
        return integer(0)
    if not collected:
        return integer(coeff)
    if coeff == 1 and len(collected) == 1:
        ((base, exp),) = collected
        return power(base, exp)
    return _new(_MUL, coeff=coeff, factors=collected)


def _sum(const: int, terms: Any) -> Dim:
    """A sum already collected (of two terms at least, or one and a number)."""
    return _new(_ADD, coeff=const, terms=frozenset(terms))


def mul(*args: Dim) -> Dim:
    """The product, as SymPy's ``Mul``."""
    coeff = 1
    powers: dict[Dim, int] = {}
    for a in args:
        kind = a.kind
        if kind == _INT:
            coeff *= a.value
        elif kind == _MUL:
            coeff *= a.coeff
            for b, e in a.factors:
                powers[b] = powers.get(b, 0) + e
        elif kind == _POW:
            powers[a.base] = powers.get(a.base, 0) + a.exp
        else:
            powers[a] = powers.get(a, 0) + 1
    if coeff == 0:
        return integer(0)
    factors = {b: e for b, e in powers.items() if e != 0}
    if coeff != 1 and len(factors) == 1:
        ((base, exp),) = factors.items()
        if exp == 1 and base.kind == _ADD:  # a number times one sum: 2*(n + 1) is 2*n + 2
            return add(*(mul(integer(coeff), term) for term in base._summands))
    return _product(coeff, factors.items())


def add(*args: Dim) -> Dim:
    """The sum, as SymPy's ``Add``."""
    const = 0
    terms: dict[Dim, int] = {}
    pending = list(args)
    while pending:
        a = pending.pop()
        kind = a.kind
        if kind == _INT:
            const += a.value
        elif kind == _ADD:
            pending.extend(a._summands)
        elif kind == _MUL:
            rest = a._rest
            terms[rest] = terms.get(rest, 0) + a.coeff
        else:
            terms[a] = terms.get(a, 0) + 1
    items = [(term, c) for term, c in terms.items() if c != 0]
    if not items:
        return integer(const)
    if len(items) == 1 and const == 0:
        term, c = items[0]
        return mul(integer(c), term)
    return _new(_ADD, coeff=const, terms=frozenset(items))


Monomial = tuple[tuple[str, int], ...]  # (name, exponent) pairs, sorted


def expanded(d: Dim) -> dict[Monomial, int]:
    """The polynomial ``d`` is: each monomial's coefficient, none zero."""
    kind = d.kind
    if kind == _INT:
        return {(): d.value} if d.value else {}
    if kind == _SYM:
        return {((d.name, 1),): 1}
    if kind == _POW:
        out: dict[Monomial, int] = {(): 1}
        base = expanded(d.base)
        for _ in range(d.exp):
            out = _times(out, base)
        return out
    if kind == _MUL:
        out = {(): d.coeff}
        for b, e in d.factors:
            out = _times(out, expanded(power(b, e)))
        return out
    out = {(): d.coeff} if d.coeff else {}
    for term, c in d.terms:
        for monomial, v in expanded(term).items():
            out[monomial] = out.get(monomial, 0) + c * v
    return {monomial: v for monomial, v in out.items() if v}


def _times(p: dict[Monomial, int], q: dict[Monomial, int]) -> dict[Monomial, int]:
    out: dict[Monomial, int] = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            merged = dict(m1)
            for name, e in m2:
                merged[name] = merged.get(name, 0) + e
            monomial = tuple(sorted(merged.items()))
            out[monomial] = out.get(monomial, 0) + c1 * c2
    return {monomial: v for monomial, v in out.items() if v}


def equal_polynomials(a: Dim, b: Dim) -> bool:
    """Are two dimensions the same polynomial (``n*(n + 1)`` and ``n**2 + n``)? As
    ``sympy.expand(a - b) == 0``."""
    return not expanded(add(a, mul(_MINUS_ONE, b)))


def from_sympy(expr: Any) -> Dim:
    """A SymPy dimension (integers, names, sums, products, integer powers ≥ 0) as ours: the
    engine's dimensions handed to the shape layer (``from_sympy(d).to_sympy() == d``)."""
    if isinstance(expr, Dim):
        return expr
    if expr.is_Integer:
        return integer(int(expr))
    if expr.is_Symbol:
        plain = not expr.assumptions0.get("integer", False)
        return plain_symbol(expr.name) if plain else symbol(expr.name)
    if expr.is_Pow and expr.exp.is_Integer:
        return power(from_sympy(expr.base), int(expr.exp))
    if expr.is_Mul:
        return mul(*(from_sympy(a) for a in expr.args))
    if expr.is_Add:
        return add(*(from_sympy(a) for a in expr.args))
    raise ValueError(f"not a dimension: {expr}")
