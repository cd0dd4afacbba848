r"""Build the typed tree while the parser reduces: rule callbacks and what neighbours mean.

:class:`Builder` turns each grammar rule into a node of :mod:`texgrad.syntax.tree`,
computing every node's source range through the row's :class:`MappedText`.  It
also decides what a flat run of factors means, which a context-free grammar
cannot: ``\log \det X`` applies right to left, ``\sum_i`` takes the rest of the
product as its body, ``f(x)`` is an application when ``f`` is conventionally (or
by declaration) a function.  What one written form means (``\frac{\partial f}{\partial x}``
a derivative, ``A^\top`` a transpose, ``\mathbb{R}^{m \times n}`` a space) it asks
:mod:`texgrad.syntax.notation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from sys import intern
from typing import Any

from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.notation import (
    CONVENTIONAL_FUNCTIONS,
    derivative,
    dims_of,
    is_d,
    is_round,
    operand_run,
    rebase,
    round_base,
    sign_of,
    superscript,
    takes_argument,
    with_font,
)
from texgrad.syntax.tokens import Token

_WRITES_TOP = re.compile(r"\^\s*\{?\s*\\(?:top|intercal)(?![A-Za-z])")
# \hat{x}_t^{t-1}, x_{k}^{k}: a step's estimate labelled by the data's step, beside which ^T
# is the same label (Shumway and Stoffer: \hat x_t^T = \hat x_t^t + J_t(\hat x_{t+1}^T - …))
_STEP_LABELLED = re.compile(
    r"_\s*(?:[tk]|\{\s*[tk]\s*(?:[+-]\s*\d\s*)?\})\s*\^\s*(?:[tk]|\{\s*[tk]\s*(?:[+-]\s*\d\s*)?\})(?![A-Za-z])"
)


def _horizon(base: t.Node, sup: t.Node) -> bool:
    r"""``\hat{\mathbf x}_t^T``, ``\tilde x_{k+1}^T`` (in a row that writes ``^\top``, or
    labels estimates by steps): an estimate — an accented letter at a time step — given all T
    steps, where a plain ``\mathbf x_k^T`` beside ``^\top`` is a transpose (notes merged
    from sources that spell transposes both ways)."""
    if not (isinstance(sup, t.Symbol) and sup.name == "T" and not (sup.font or sup.accents)):
        return False
    if not (isinstance(base, t.Sub) and isinstance(base.base, t.Symbol) and base.base.accents):
        return False
    index = base.index
    if isinstance(index, t.Add) and len(index.terms) == 2 and isinstance(index.terms[1], t.Number):
        index = index.terms[0]
    return isinstance(index, t.Symbol) and index.name in ("t", "k") and not index.font


MAX_TEXT_NESTING = 3  # \text{… $…\text{… $…$}$ …}: levels of nested math read

# Parses the math nested in ``\text{… $…$ …}``: (row, functions, depth) -> its tree.  Given
# by parse.py, which owns the parser, so that this module need not import it back.
NestedParse = Callable[[MappedText, frozenset[str], int], t.Node | None]


def _span(x: Any) -> tuple[int, int]:
    if isinstance(x, Token):
        return x.start_pos or 0, x.end_pos or 0
    span: tuple[int, int] = x.span
    return span


# Spans within a row, (start, end), made once each for the process while both are below
# SHARED_SPAN_LIMIT (at most ~32,000 of them: rows are mostly shorter; the corpus's 54,000
# nodes hold 11,000 distinct spans).  A tree kept in the parse cache keeps the sharing
# within its file (pickle writes a shared tuple once).
SHARED_SPAN_LIMIT = 256
_spans: dict[tuple[int, int], tuple[int, int]] = {}


def shared_span(a: int, b: int) -> tuple[int, int]:
    span = (a, b)
    if b >= SHARED_SPAN_LIMIT:
        return span
    return _spans.setdefault(span, span)


# accents that make a letter a vector (``\vec{x}``): over 0 or 1, the zero or ones vector
_ARROWS = frozenset({"vec", "vv", "overrightarrow"})


class Builder:
    """Grammar rules → typed nodes: one method per rule, named by the rule or its alias,
    called with the rule's children (see module docstring and syntax/lalr.py)."""

    def __init__(self, parse_nested: NestedParse) -> None:
        self.parse_nested = parse_nested
        self.text = MappedText("", ())
        self.functions: frozenset[str] = CONVENTIONAL_FUNCTIONS
        self.depth = 0
        self.offsets: dict[int, int] = {}

    def reset(self, text: MappedText, functions: frozenset[str], depth: int) -> None:
        """Start a row; ``functions`` are the names it declares as functions (the
        conventional ones are added here)."""
        self.text = text
        # id(node) -> (node, span with its braces).  The node is kept so that its id
        # cannot be reused by a later node while the row is being built.
        self.braced: dict[int, tuple[t.Node, tuple[int, int]]] = {}
        self.functions = functions | CONVENTIONAL_FUNCTIONS
        self.depth = depth
        # a row that spells its transposes ^\top (or ^\intercal), or labels estimates by steps
        # (\hat x_t^{t-1}), uses ^T for something else: the horizon of \hat{x}_t^T, "given all
        # T observations" (Kalman smoothers, EM)
        row = text.text
        self.top_row = "^" in row and bool(_WRITES_TOP.search(row) or _STEP_LABELLED.search(row))
        segs = text.segments
        # Most rows are one verbatim run of the source: offsets then just shift.
        self.shift = (
            segs[0].src_start - segs[0].start if len(segs) == 1 and segs[0].verbatim else None
        )
        # one int object per source offset of the row: a node starts where its first child
        # does and ends where its last one does (see _loc)
        self.offsets = {}

    # -- locations ------------------------------------------------------------------
    def _loc(self, a: int, b: int) -> dict[str, Any]:
        """A node's location: where it is in the source, and (``span``) in the row.

        Equal offsets share one int object within a row, and small spans one tuple in the
        process (:func:`shared_span`): the trees are kept for every row of every open
        document, and their positions were a fifth of their memory (issue 17)."""
        offsets = self.offsets
        if self.shift is not None:
            s, e, from_macro = a + self.shift, b + self.shift, False
        else:
            s, e = self.text.source_range(a, b)
            from_macro = not self.text.is_verbatim(a, b)
        return {
            "start": offsets.setdefault(s, s),
            "end": offsets.setdefault(e, e),
            "from_macro": from_macro,
            "span": shared_span(a, b),
        }

    def _over(self, *items: Any) -> dict[str, Any]:
        """The location covering ``items``, given in source order (None skipped)."""
        first = last = None
        for i in items:
            if i is not None:
                if first is None:
                    first = i
                last = i
        a0, b0 = self._braced_span(first)
        a1, b1 = self._braced_span(last)
        return self._loc(min(a0, a1), max(b0, b1))

    def _braced_span(self, x: Any) -> tuple[int, int]:
        hit = self.braced.get(id(x))
        return hit[1] if hit is not None and hit[0] is x else _span(x)

    # -- tokens -----------------------------------------------------------------------
    def node(self, x: Any) -> t.Node:
        if not isinstance(x, Token):
            return x  # type: ignore[no-any-return]
        a, b = _span(x)
        loc = self._loc(a, b)
        v = intern(str(x.value))  # (a name once for the process, and once in a cached file)
        ty = x.type
        if ty in ("LETTER", "SYMBOL"):
            return t.Symbol(v, **loc)
        if ty == "NUMBER":
            return t.Number(v, **loc)
        if ty == "FSYMBOL":  # \mathbf{A}: "mathbf:A"
            font, _, name = v.partition(":")
            font, name = intern(font), intern(name)
            inner = t.Number(name) if name.isdigit() else t.Symbol(name)
            return with_font(inner, font, loc)
        if ty == "DOTS":
            return t.Dots(v, **loc)
        if ty == "TEXT":
            return t.Text(v, self._nested_math(v, a), **loc)
        if ty == "FUNC":
            return t.Func(v, **loc)
        if ty == "BIGOP":
            return t.BigOp(v, None, None, None, **loc)
        if ty == "NABLA":
            return t.Nabla(None, **loc)
        if ty == "PARTIAL":
            return t.Partial(None, **loc)
        if ty == "DIFF":
            return t.Differential(None, **loc)
        if ty == "REL":
            return t.Chain((None, None), (v,), **loc)
        if ty in ("ADDOP", "MULOP", "COMMA", "PRIME"):
            return t.Symbol(v, **loc)
        return t.Opaque(v, **loc)

    def finish(self, tree: t.Node | None, trailing: list[Token]) -> t.Node | None:
        """Attach a row's dangling end (``a = b +``, ``f(x) =``) to its tree."""
        for tok in trailing:
            if tok.type == "ADDOP":
                tree = self._trail_sign(tree, str(tok.value), tok)
            elif tok.type == "REL":
                loc = self._over(tree, tok) if tree is not None else self._over(tok)
                if isinstance(tree, t.Chain):
                    tree = t.Chain((*tree.items, None), (*tree.relations, str(tok.value)), **loc)
                else:
                    tree = t.Chain((tree, None), (str(tok.value),), **loc)
        return tree

    def _trail_sign(self, tree: t.Node | None, sign: str, tok: Token) -> t.Node | None:
        if tree is None:
            return t.Symbol(sign, **self._over(tok))
        if isinstance(tree, t.Chain) and tree.items and tree.items[-1] is not None:
            last = self._trail_sign(tree.items[-1], sign, tok)
            return replace(tree, items=(*tree.items[:-1], last), **self._over(tree, tok))
        loc = self._over(tree, tok)
        if isinstance(tree, t.Add) and not tree.trailing:
            return replace(tree, trailing=sign, **loc)
        return t.Add((tree,), ("",), sign, **loc)

    def _nested_math(self, raw: str, offset: int) -> tuple[t.Node, ...]:
        if "$" not in raw or self.depth >= MAX_TEXT_NESTING:
            return ()
        out = []
        saved = (self.text, self.functions, self.depth)
        row = saved[0].text
        for m in re.finditer(r"(?<!\\)\$([^$]+)\$", raw):
            a, b = offset + m.start(1), offset + m.end(1)
            # Blank out the rest of the row so the nested math keeps the row's offsets and map.
            sub = MappedText(
                " " * a + row[a:b] + " " * (len(row) - b), saved[0].segments, saved[0].calls
            )
            tree = self.parse_nested(sub, saved[1], saved[2] + 1)
            # the nested parse reset this (shared, per-thread) builder: restore this row's state
            self.reset(*saved)
            if tree is not None:
                out.append(tree)
        return tuple(out)

    # -- rules ------------------------------------------------------------------------
    def start(self, c: list[Any]) -> t.Node | None:
        return self.node(c[0]) if c else None

    def seq(self, c: list[Any]) -> t.Node:
        return self._separated(c, "SEP", t.Sequence)

    def _separated(
        self, c: list[Any], separator: str, kind: type[t.Sequence] | type[t.List]
    ) -> t.Node:
        """Items between separators (`;` / `.`, or commas); one item stands for itself."""
        items = [self.node(x) for x in c if not (isinstance(x, Token) and x.type == separator)]
        if len(items) == 1:
            return items[0]
        return kind(tuple(items), **self._over(*c))

    def chain(self, c: list[Any]) -> t.Node:
        items: list[t.Node | None] = []
        rels: list[str] = []
        expect_operand = True
        for x in c:
            if isinstance(x, Token) and x.type == "REL":
                if expect_operand:
                    items.append(None)
                rels.append(str(x.value))
                expect_operand = True
                continue
            items.append(self.node(x))
            expect_operand = False
        if expect_operand:
            items.append(None)
        return t.Chain(tuple(items), tuple(rels), **self._over(*c))

    def operand(self, c: list[Any]) -> t.Node:
        return self._separated(c, "COMMA", t.List)

    def add(self, c: list[Any]) -> t.Node:
        terms: list[t.Node] = []
        signs: list[str] = []
        sign = ""
        raw = ""
        sign_token: Token | None = None
        for x in c:
            if isinstance(x, Token) and x.type in ("ADDOP", "TRAIL"):
                raw = str(x.value)
                sign = sign_of(raw)
                sign_token = x
            elif sign == "-" and sign_token is not None and terms and _open_sum(terms[-1]):
                # \sum_{j=1}^N -\tfrac12 x_j^2: the sign opens the summand (TeX sets it so)
                body = self.node(x)
                negated = t.Neg(body, sign, **self._over(sign_token, x))
                terms[-1] = _with_summand(terms[-1], negated, self._over(terms[-1], x))
                sign = ""
            else:
                terms.append(self.node(x))
                signs.append(sign)
                sign = ""
        loc = self._over(*c)
        if len(terms) == 1 and not sign:
            if signs[0] in ("-", "\\pm", "\\mp"):
                return t.Neg(terms[0], signs[0], **loc)
            return terms[0] if not signs[0] else replace(terms[0], **loc)
        if not terms:
            return t.Symbol(raw, **loc)  # signs alone: \mathbb{R}_{++}, x^{+}
        return t.Add(tuple(terms), tuple(signs), sign, **loc)

    def mul(self, c: list[Any]) -> t.Node:
        left = self.node(c[0])
        i = 1
        while i < len(c):
            op = str(c[i].value)
            i += 1
            negate = None
            if i < len(c) and isinstance(c[i], Token) and c[i].type == "ADDOP":
                negate = c[i]
                i += 1
            right: t.Node | None = None
            if i < len(c):
                right = self.node(c[i])
                if negate is not None:
                    right = t.Neg(right, str(negate.value), **self._over(negate, c[i]))
                i += 1
            loc = self._over(left, *(x for x in (right,) if x is not None), c[i - 1])
            deriv = derivative(left, right) if op == "/" and right is not None else None
            if deriv is not None:  # \partial f / \partial x
                left = t.Derivative(deriv[0], deriv[1], deriv[2], deriv[3], **loc)
            elif op == "/" and right is not None and (after := self._slashed(left, right)):
                left = after  # Q^{-1} \partial L / \partial W: Q^{-1} times the derivative
            elif (
                op == "/"
                and isinstance(left, t.Number)
                and isinstance(right, t.Product)
                and isinstance(right.factors[0], t.Number)
            ):
                # 1/2 x^T A x: a number over a number is a coefficient, the rest its factor
                # (x^2/2\sigma^2 keeps its whole denominator)
                first = right.factors[0]
                half = t.BinOp(op, left, first, **self._over(left, first))
                rest = right.factors[1:]
                left = t.Product((half, *rest), **loc)
            else:
                left = t.BinOp(op, left, right, **loc)
        return left

    def _slashed(self, left: t.Node, right: t.Node) -> t.Node | None:
        r"""``Q^{-1}\partial L/\partial W``: a derivative written with a slash after factors,
        read as those factors times the derivative (``\partial`` binds its own slash, as
        ``\frac`` does), not as a quotient of the whole product."""
        if not isinstance(left, t.Product):
            return None
        factors = left.factors
        i = next(
            (k for k, f in enumerate(factors) if isinstance(f, t.Partial) and f.body is not None),
            None,
        )
        if not i:  # (none, or \partial first: the whole numerator's)
            return None
        num = (
            factors[i]
            if i == len(factors) - 1
            else t.Product(factors[i:], **self._over(factors[i], factors[-1]))
        )
        deriv = derivative(num, right)
        if deriv is None:
            return None
        made = t.Derivative(deriv[0], deriv[1], deriv[2], deriv[3], **self._over(num, right))
        return t.Product((*factors[:i], made), **self._over(left, right))

    def jux(self, c: list[Any]) -> t.Node:
        return self._juxtapose([self.node(x) for x in c])

    def group(self, c: list[Any]) -> t.Node:
        loc = self._over(*c)
        if len(c) == 2:
            return t.Empty(**loc)
        inner = self.node(c[1])
        # Braces only group: the node keeps its own range, but what contains it
        # (A^{-1}) must reach the closing brace.
        self.braced[id(inner)] = (inner, (_span(c[0])[0], _span(c[-1])[1]))
        return inner

    def delimited(self, c: list[Any]) -> t.Node:
        open_, close = str(c[0].value), str(c[-1].value)
        body = self.node(c[1]) if len(c) == 3 else None
        loc = self._over(*c)
        o = open_.removeprefix("\\left")
        cl = close.removeprefix("\\right")
        if o == "|" and cl == "|":
            return t.Abs(body, **loc)
        if o == "\\|" and cl == "\\|":
            return t.Norm(body, **loc)
        if o == "\\langle":
            items = (
                body.items if isinstance(body, t.List) else ((body,) if body is not None else ())
            )
            return t.Angle(tuple(items), **loc)
        if o in ("(", "[", "\\{", ".") and cl in (")", "]", "\\}", "."):
            return t.Paren(body, open_, close, **loc)
        return t.Delimited(body, open_, close, **loc)

    def frac(self, c: list[Any]) -> t.Node:
        num, den = self.node(c[1]), self.node(c[2])
        loc = self._over(*c)
        deriv = derivative(num, den)
        if deriv is not None:
            body, wrt, partial, order = deriv
            return t.Derivative(body, wrt, partial, order, **loc)
        return t.Frac(num, den, str(c[0].value), **loc)

    def binom(self, c: list[Any]) -> t.Node:
        return t.Binom(self.node(c[1]), self.node(c[2]), **self._over(*c))

    def sqrt(self, c: list[Any]) -> t.Node:
        index = self.node(c[2]) if len(c) == 5 else None
        return t.Sqrt(self.node(c[-1]), index, **self._over(*c))

    def font(self, c: list[Any]) -> t.Node:
        return with_font(self.node(c[1]), str(c[0].value), self._over(*c))

    def accent(self, c: list[Any]) -> t.Node:
        body = self.node(c[1])
        loc = self._over(*c)
        if isinstance(body, t.Symbol):
            return replace(body, accents=(*body.accents, str(c[0].value)), **loc)
        if isinstance(body, t.Number) and body.text in ("0", "1") and str(c[0].value) in _ARROWS:
            return t.Symbol(body.text, "mathbf", **loc)  # \vec{0}: the zero vector, as \mathbf{0}
        return t.Accent(str(c[0].value), body, **loc)

    def overset(self, c: list[Any]) -> t.Node:
        return t.Overset(str(c[0].value), self.node(c[1]), self.node(c[2]), **self._over(*c))

    def environment(self, c: list[Any]) -> t.Node:
        env = str(c[0].value)
        rows = c[1]
        loc = self._over(c[0], c[2])
        base = env.rstrip("*")
        if base in ("cases", "dcases", "rcases", "numcases", "subnumcases"):
            return t.Cases(env, rows, **loc)
        if base in ("aligned", "alignedat", "split", "gathered", "multlined") or base.startswith(
            "align"
        ):
            return t.Aligned(env, rows, **loc)
        return t.Matrix(env, rows, **loc)

    def cells(self, c: list[Any]) -> tuple[tuple[t.Node | None, ...], ...]:
        rows = [r for r in c if not isinstance(r, Token)]
        if rows and all(x is None for x in rows[-1]):
            rows.pop()  # a trailing \\ before \end
        return tuple(rows)

    def cellrow(self, c: list[Any]) -> tuple[t.Node | None, ...]:
        return tuple(x for x in c if not isinstance(x, Token) or x.type != "AMP")

    def cell(self, c: list[Any]) -> t.Node | None:
        return self.node(c[0]) if c else None

    def script(self, c: list[Any]) -> tuple[str, Any]:
        ty = c[0].type
        if ty == "PRIME":
            return ("prime", c[0])
        if ty == "BANG":
            return ("bang", c[0])
        return ("sub" if ty == "SUB" else "sup", c[1])

    def postfix(self, c: list[Any]) -> t.Node:
        base = self.node(c[0])
        scripts: list[tuple[str, Any]] = c[1:]
        sub = sup = None
        primes = 0
        last: Any = c[0]
        extra: list[tuple[str, Any]] = []
        for kind, val in scripts:
            last = val
            if kind == "sub" and sub is None:
                sub = self.node(val)
            elif kind == "sup" and sup is None:
                sup = self.node(val)
            elif kind == "prime" and sup is None:
                primes += 1
            else:
                extra.append((kind, val))
        loc = self._over(c[0], last)
        node = self._scripted(base, sub, sup, primes, loc)
        for kind, val in extra:
            loc = self._over(node, val)
            if kind == "bang":
                node = t.Factorial(node, **loc)
            elif kind == "prime":
                node = t.Prime(node, 1, **loc)
            else:
                node = self._scripted(
                    node,
                    self.node(val) if kind == "sub" else None,
                    self.node(val) if kind == "sup" else None,
                    0,
                    loc,
                )
        return node

    def _scripted(
        self, base: t.Node, sub: t.Node | None, sup: t.Node | None, primes: int, loc: dict[str, Any]
    ) -> t.Node:
        if isinstance(base, t.Func) and base.sub is None and base.sup is None:
            node: t.Node = replace(base, sub=sub, sup=sup, **loc)
            return t.Prime(node, primes, **loc) if primes else node
        if isinstance(base, t.BigOp) and base.body is None:
            return replace(base, lower=sub, upper=sup, **loc)
        if isinstance(base, t.Nabla) and base.body is None:
            return replace(base, wrt=sub, order=sup, **loc)
        if isinstance(base, t.Partial) and base.body is None:
            return replace(base, wrt=sub, order=sup, **loc)
        if isinstance(base, t.Space) and not base.dims and base.sub is None and not primes:
            dims = dims_of(sup) if sup is not None else ()
            return replace(base, dims=dims, sub=sub, **loc)
        if isinstance(base, t.Product) and all(
            isinstance(f, t.Symbol) and f.font for f in base.factors
        ):
            # \mathbf{A A}^{T}: TeX sets the script after the last letter, and that is what is meant
            last = base.factors[-1]
            scripted = self._scripted(
                last, sub, sup, primes, self._over(last, *(x for x in (sub, sup) if x is not None))
            )
            return replace(base, factors=(*base.factors[:-1], scripted), **loc)
        node = base
        if sub is not None:
            if isinstance(node, t.Norm) and node.p is None:
                node = replace(node, p=sub, **self._over(node, sub))
            else:
                node = t.Sub(node, sub, **self._over(node, sub))
        if primes:
            node = t.Prime(node, primes, **loc)
        if sup is not None:
            if self.top_row and _horizon(node, sup):
                return t.Tagged(node, sup, "", **loc)  # \hat{x}_t^T beside y_t^\top: a label
            node = superscript(node, sup, loc)
        return node

    # -- juxtaposition: applications and operator bodies -----------------------------------
    def _juxtapose(self, factors: list[t.Node]) -> t.Node:
        out: list[t.Node] = []
        for f in reversed(factors):
            if isinstance(f, t.BigOp) and f.body is None and out:
                if (
                    f.op in ("\\int", "\\iint", "\\iiint", "\\oint")
                    and len(out) >= 2
                    and is_d(out[-2])
                ):
                    out[-2:] = [
                        t.Differential(out[-1], **self._over(out[-2], out[-1]))
                    ]  # \int f(t)\,dt
                body = out[0] if len(out) == 1 else t.Product(tuple(out), **self._over(*out))
                out = [replace(f, body=body, **self._over(f, body))]
                continue
            if takes_argument(f) and out:
                n = operand_run(f, out)
                arg = out[0] if n == 1 else t.Product(tuple(out[:n]), **self._over(*out[:n]))
                out[:n] = [self._apply(f, arg)]
                continue
            if out and self._is_function(f) and is_round(out[0], f):
                out[0] = self._apply(f, out[0])
                continue
            out.insert(0, f)
        if len(out) == 1:
            return out[0]
        return t.Product(tuple(out), **self._over(*out))

    def _is_function(self, f: t.Node) -> bool:
        base = f
        while isinstance(base, (t.Sub, t.Tagged, t.Prime)):
            base = base.base
        if not isinstance(base, t.Symbol):
            return False
        name = (
            base.name
            if base.font in (None, "mathit", "mathrm")
            else f"\\{base.font}{{{base.name}}}"
        )
        return name in self.functions or base.name in self.functions and base.font is None

    def _apply(self, f: t.Node, arg: t.Node) -> t.Node:
        """Apply an operator or function to the next factor; ``\\det(X)^{-1}`` scripts the result."""
        wrapped = round_base(arg)
        if wrapped is not None and not isinstance(f, (t.Derivative, t.Partial)):
            outer, paren = wrapped
            applied = self._apply(f, paren)
            return rebase(outer, applied, self._over(f, outer))
        loc = self._over(f, arg)
        if isinstance(f, t.Nabla):
            return replace(f, body=arg, **loc)
        if isinstance(f, t.Partial):
            return replace(f, body=arg, **loc)
        if isinstance(f, t.Derivative):
            return replace(f, body=arg, **loc)
        if isinstance(f, t.Differential):
            return replace(f, body=arg, **loc)
        if isinstance(arg, t.Paren) and arg.open in ("(", "\\left(", "[", "\\left["):
            body = arg.body
            args: tuple[t.Node, ...] = (
                body.items if isinstance(body, t.List) else ((body,) if body is not None else ())
            )
            return t.Apply(f, args, True, **loc)
        return t.Apply(f, (arg,), False, **loc)


def _open_sum(node: t.Node) -> bool:
    r"""``\sum_{j=1}^N`` with no summand yet, alone or ending a product (``\frac1N\sum_j``)."""
    if isinstance(node, t.Product):
        node = node.factors[-1]
    return isinstance(node, t.BigOp) and node.body is None and node.op in ("\\sum", "\\prod")


def _with_summand(node: t.Node, body: t.Node, loc: dict[str, Any]) -> t.Node:
    """``node`` (an open sum, or a product ending in one) with ``body`` as the sum's summand."""
    if isinstance(node, t.Product):
        last = node.factors[-1]
        assert isinstance(last, t.BigOp)
        summed = replace(last, body=body, **loc)
        return replace(node, factors=(*node.factors[:-1], summed), **loc)
    assert isinstance(node, t.BigOp)
    return replace(node, body=body, **loc)
