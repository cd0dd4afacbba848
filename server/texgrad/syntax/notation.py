r"""What written notation means, decided on nodes already built.

A context-free grammar reads ``A^\top`` as a power, ``\frac{\partial f}{\partial x}`` as
a fraction and ``\tr XY`` as ``\tr`` next to ``X`` and ``Y``.  The builder
(:mod:`texgrad.syntax.build`) asks these functions what papers mean by such forms: which
superscripts spell a transpose, which fractions are derivatives, which fonts make a
space (``\mathbb{R}^{m \times n}``), how far an operator without brackets reaches, and
which names are conventionally functions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from texgrad.syntax import tree as t
from texgrad.syntax.commands import GREEK

# Names that read as functions when followed directly by parentheses.
CONVENTIONAL_FUNCTIONS = frozenset(
    r"f g h F G H \sigma \phi \varphi \psi \ell L J p q \mathcal{L} \Phi \Psi \pi".split()
)
SPACE_FIELDS = frozenset("RCSNZQ")
# Superscripts that spell a transpose.  ``*`` and ``\\star`` are left as powers: ``x^*``
# is an optimum as often as ``A^*`` is an adjoint, which only the shapes can tell.
TRANSPOSE_MARKS = {"T": False, "\\top": False, "\\intercal": False, "\\mathsf{T}": False, "\\mathrm{T}": False,
                   "H": True, "\\dagger": True, "\\mathrm{H}": True, "\\mathsf{H}": True}  # fmt: skip


def sign_of(run: str) -> str:
    """The sign a run of signs amounts to: ``--`` is ``+``; ``\\pm`` or ``\\mp`` wins."""
    signs: list[str] = re.findall(r"\\pm|\\mp|[+-]", run)
    plus_minus = [x for x in signs if x.startswith("\\")]
    if plus_minus:
        return plus_minus[-1]
    return "-" if signs.count("-") % 2 else "+"


# Operators whose unbracketed argument is the whole product after them, as
# documents write them: ``\tr XY = \tr YX``, ``\det AB = \det A \det B``.
WHOLE_PRODUCT_OPERATORS = frozenset({"tr", "Tr", "trace", "Trace", "det", "rank", "log", "ln"})
# ``\log \mathbf{1}^\top \exp(z)``, ``\log x^\top y``: the logarithm of the product when it
# starts with a row (whose logarithm alone would be no scalar), applications included.
_LOGARITHMS = frozenset({"log", "ln"})


def operand_run(f: t.Node, following: list[t.Node]) -> int:
    r"""How many of the ``following`` factors an operator ``f`` takes: one, or for
    ``\tr``/``\det``/``\log`` without brackets the run up to the next operator or big
    operator (for ``\log``, applications such as ``\exp(z)`` belong to the run); for a
    derivative written as an operator, :func:`derivative_run`."""
    if isinstance(f, (t.Derivative, t.Nabla, t.Partial)):
        return derivative_run(f, following)
    if not (isinstance(f, t.Func) and f.name in WHOLE_PRODUCT_OPERATORS and f.sub is None):
        return 1
    first = following[0]
    if round_base(first) is not None or (
        isinstance(first, t.Paren) and first.open in ("(", "\\left(", "[", "\\left[")
    ):
        return 1  # \tr(A) B: the brackets delimit the argument
    stops: tuple[type[t.Node], ...] = (t.BigOp, t.Func, t.Nabla, t.Partial, t.Derivative)
    if f.name in _LOGARITHMS and not isinstance(first, (t.Transpose, t.Prime)):
        return 1  # \log x y is (\log x) y; \log x^\top y is \log(x^\top y)
    if f.name not in _LOGARITHMS:
        stops = (t.Apply, *stops)
    n = 1
    while n < len(following) and not isinstance(following[n], stops):
        n += 1
    return n


# what ends the run a derivative operator takes: another derivative (``\nabla_\theta \log p
# \nabla_\theta \log p^\top``, the product of two), a measure, words
_RUN_STOPS = (t.Derivative, t.Nabla, t.Partial, t.Differential, t.Text)


def derivative_run(f: t.Node, following: list[t.Node]) -> int:
    r"""How many of the ``following`` factors a derivative operator takes, as a reader does:
    ``\frac{\partial}{\partial \mathbf x}\, \mathbf x^\top A \mathbf x`` and ``\frac{d}{dt}
    e^{tA} B`` the whole product (up to the next derivative, measure or words); ``\nabla_x
    x^\top A x`` and ``\partial_x \tfrac12 \|Ax - b\|^2`` too, where a number comes first or
    the rest holds the variable; but ``\nabla f(x)^\top p``, ``\nabla_W \ell\, G^{-1}`` and
    ``\partial S\, \mathbf v`` (a differential) only their first factor."""
    end = 1
    while end < len(following) and not (
        isinstance(following[end], _RUN_STOPS) or is_d(following[end])
    ):
        end += 1
    if end == 1 or not isinstance(f, (t.Nabla, t.Partial)):
        return end
    if f.wrt is None and isinstance(f, t.Partial):
        return 1
    if number_written(following[0]):
        return end
    if f.wrt is None:
        return 1
    names = _names(f.wrt)
    if names and any(_names(x) & names for x in following[1:end]):
        return end
    return 1


def number_written(node: t.Node) -> bool:
    r"""``2``, ``\tfrac12``, ``\frac{1}{N}``: a number written as such."""
    if isinstance(node, t.Number):
        return True
    return isinstance(node, t.Frac) and number_written(node.num) and number_written(node.den)


def _names(node: t.Node) -> set[str]:
    """The letters ``node`` writes (their names, whatever the font)."""
    return {
        n.name
        for n in node.walk()
        if isinstance(n, t.Symbol) and (n.name[:1].isalpha() or n.name[1:2].isalpha())
    }


def takes_argument(f: t.Node) -> bool:
    if isinstance(f, t.Func):
        return True
    if isinstance(f, (t.Nabla, t.Partial, t.Derivative, t.Differential)):
        return f.body is None
    return False


def is_round(node: t.Node, f: t.Node) -> bool:
    target = round_base(node)
    paren = target[1] if target else node
    return (
        isinstance(paren, t.Paren)
        and paren.open in ("(", "\\left(")
        and paren.span[0] == f.span[1]  # written directly after the name: f(x), not f (x)
    )


def round_base(node: t.Node) -> tuple[t.Node, t.Paren] | None:
    """For ``(x)^2`` or ``(x)^\\top``: the scripted node and its parenthesised base."""
    if isinstance(node, (t.Power, t.Transpose, t.InverseTranspose, t.Prime, t.Sub)) and isinstance(
        node.base, t.Paren
    ):
        if node.base.open in ("(", "\\left("):
            return node, node.base
    return None


def rebase(outer: t.Node, base: t.Node, loc: dict[str, Any]) -> t.Node:
    return replace(outer, base=base, **loc)  # type: ignore[call-arg]


def call_of(f: t.Node, nxt: t.Node) -> t.Node | None:
    r"""``f`` (known to be a function) applied to the bracket ``nxt`` written after it: ``u(x)``,
    and ``r(x)^\top`` or ``r(x)^2`` (the application, transposed or powered); None when
    ``nxt`` is no round bracket."""
    wrapped = round_base(nxt)
    outer, paren = wrapped if wrapped is not None else (None, nxt)
    if not isinstance(paren, t.Paren) or paren.open not in ("(", "\\left("):
        return None
    body = paren.body
    args = body.items if isinstance(body, t.List) else ((body,) if body is not None else ())
    call = t.Apply(f, tuple(args), True, start=f.start, end=paren.end, from_macro=f.from_macro,
                   span=(f.span[0], paren.span[1]))  # fmt: skip
    if outer is None:
        return call
    loc = {"start": f.start, "end": outer.end, "from_macro": f.from_macro,
           "span": (f.span[0], outer.span[1])}  # fmt: skip
    return rebase(outer, call, loc)


def with_font(node: t.Node, font: str, loc: dict[str, Any]) -> t.Node:
    if isinstance(node, t.Symbol):
        if font == "mathbb" and node.name in SPACE_FIELDS and not node.accents:
            return t.Space(node.name, **loc)  # \mathbb{R}; its exponent comes with the scripts
        return replace(node, font=font, **loc)
    if isinstance(node, t.Number) and font in (
        "mathbf",
        "bm",
        "boldsymbol",
        "mathbb",
        "mathds",
        "bbold",
        "pmb",
        "mathsf",  # (\mathsf{0}: the zero matrix of texts that set matrices in sans-serif)
        "mathbfit",
        "symbf",
        "vb",
    ):
        return t.Symbol(node.text, font, **loc)  # \mathbf{1}, \mathbb{1}
    if isinstance(node, t.Product) and all(isinstance(f, t.Symbol) for f in node.factors):
        symbols = tuple(replace(f, font=font) for f in node.factors if isinstance(f, t.Symbol))
        return replace(node, factors=symbols, **loc)
    if isinstance(node, (t.Sub, t.Power, t.Transpose)) and isinstance(node.base, t.Symbol):
        return replace(node, base=replace(node.base, font=font), **loc)
    return t.Font(font, node, **loc)


def dims_of(sup: t.Node) -> tuple[t.Node, ...]:
    r"""``n \times m`` → (n, m); ``n`` → (n,); ``n, m`` → (n, m) (``\mathbb{R}^{n,m}``, as some
    European texts write the n×m matrices)."""
    if (
        isinstance(sup, t.List)
        and len(sup.items) == 2
        and not any(isinstance(x, (t.List, t.Dots)) for x in sup.items)
    ):
        return tuple(sup.items)
    out: list[t.Node] = []

    def walk(x: t.Node) -> None:
        if isinstance(x, t.BinOp) and x.op in ("\\times", "x", "*") and x.right is not None:
            walk(x.left)
            walk(x.right)
        else:
            out.append(x)

    walk(sup)
    return tuple(out)


def _mark(node: t.Node) -> str | None:
    """The transpose mark a superscript spells, if any."""
    if isinstance(node, t.Symbol):
        if node.font in ("mathsf", "mathrm") and node.name in ("T", "H"):  # (H: Hermitian)
            return f"\\{node.font}{{T}}"
        if node.font is None and not node.accents:
            return node.name
    return None


def superscript(base: t.Node, sup: t.Node, loc: dict[str, Any]) -> t.Node:
    mark = _mark(sup)
    if mark in TRANSPOSE_MARKS:
        return t.Transpose(base, mark, TRANSPOSE_MARKS[mark], **loc)
    if mark == "\\prime":
        return t.Prime(base, 1, **loc)
    if (
        isinstance(sup, t.Neg)
        and (m := _mark(sup.operand)) in TRANSPOSE_MARKS
        and not TRANSPOSE_MARKS[m]
    ):
        return t.InverseTranspose(base, m, **loc)
    if (
        isinstance(sup, t.Paren)
        and sup.open in ("(", "[")
        and sup.body is not None
        and not isinstance(sup.body, t.Add | t.Neg)
    ):
        return t.Tagged(base, sup.body, sup.open, **loc)
    if name_tag(base, sup):
        return t.Tagged(base, sup, "", **loc)
    if isinstance(sup, t.Product) and len(sup.factors) == 2:
        tag, last = sup.factors  # x^{*\top}, W^{Q\top}: the transpose of a tagged name
        mark = _mark(last)
        if mark in TRANSPOSE_MARKS and name_tag(base, tag):
            tagged = t.Tagged(base, tag, "", start=base.start, end=tag.end,
                              from_macro=base.from_macro or tag.from_macro,
                              span=(base.span[0], tag.span[1]))  # fmt: skip
            return t.Transpose(tagged, mark, TRANSPOSE_MARKS[mark], **loc)
        if (
            mark is not None
            and TRANSPOSE_MARKS.get(mark) is False
            and isinstance(tag, t.Paren)
            and tag.open in ("(", "[")
        ):
            # W^{(2)\top}, W^{(l+1)T}: the transpose of the layer's member W^{(2)} (not
            # W^{(2)\dagger}: a pseudo-inverse as often as a conjugate transpose)
            inner = superscript(base, tag, {"start": base.start, "end": tag.end,
                                            "from_macro": base.from_macro or tag.from_macro,
                                            "span": (base.span[0], tag.span[1])})  # fmt: skip
            return t.Transpose(inner, mark, TRANSPOSE_MARKS[mark], **loc)
    return t.Power(base, sup, **loc)


# Stars in a superscript: a name where the document declares it (Z_t^* ∈ ℝ^{p_t×m}).
STARS = frozenset({"*", "\\ast", "\\star"})
# Upright text in a superscript names, it does not raise: W^{\text{enc}}, b^{\mathrm{out}}.
_TAG_FONTS = frozenset({"mathrm", "textrm", "text", "mathsf", "textsf", "operatorname"})


def name_tag(base: t.Node, sup: t.Node) -> bool:
    r"""Is ``sup`` a label that names a matrix rather than an exponent — ``W^Q``, ``W_i^K``,
    ``\mathbf{G}^V_i``, ``W^{\text{enc}}``, as attention and encoder papers write them?
    One capital letter (not a transpose mark: ``T``, ``H`` are taken first) or upright text,
    on a letter (``e^X`` stays the exponential)."""
    letter = base.base if isinstance(base, t.Sub) else base
    if not isinstance(letter, t.Symbol) or letter.name in ("e", "\\mathrm{e}", "\\exp"):
        return False
    if isinstance(sup, t.Text):
        return True
    if isinstance(sup, t.List):
        return tag_list(sup)
    if isinstance(sup, t.Func) and sup.sub is None and sup.sup is None:
        return sup.name.isalpha() and len(sup.name) > 1  # W^{\mathrm{new}}, b^{\mathrm{out}}
    if isinstance(sup, t.Symbol) and sup.name in STARS:
        return True  # x^*, \theta^\star: an optimum's name, or an adjoint (a power, undeclared)
    if not isinstance(sup, t.Symbol) or sup.accents:
        return False
    if sup.font in _TAG_FONTS:
        return sup.name.isalpha()
    return sup.font is None and len(sup.name) == 1 and "A" <= sup.name <= "Z"


def tag_list(sup: t.List) -> bool:
    r"""Is ``sup`` a list of tags — ``h,\text{next}`` in ``\delta^{h,\text{next}}_t``,
    ``(l),Q`` in ``W^{(l),Q}``? Letters, upright words and bracketed labels, at least one of
    them upright or bracketed (``A^{n,m}`` may be a power: it stays one)."""
    if len(sup.items) < 2 or not all(_list_tag(x) for x in sup.items):
        return False
    return any(not isinstance(x, t.Symbol) or x.font in _TAG_FONTS for x in sup.items)


def _list_tag(x: t.Node) -> bool:
    if isinstance(x, t.Text):
        return True
    if isinstance(x, t.Func) and x.sub is None and x.sup is None:
        return x.name.isalpha() and len(x.name) > 1
    if isinstance(x, t.Symbol):
        plain = x.font is None or x.font in _TAG_FONTS
        letter = x.name.isalpha() or x.name[1:] in GREEK or x.name == "\\ell"
        return plain and not x.accents and letter
    if isinstance(x, t.Paren) and x.open in ("(", "["):
        body = x.body
        if isinstance(body, t.Symbol):
            return body.font is None and not body.accents and len(body.name) == 1
        return isinstance(body, t.Number) and body.text.isdigit()
    return False


def derivative(
    num: t.Node, den: t.Node
) -> tuple[t.Node | None, tuple[t.Node, ...], bool, t.Node | None] | None:
    r"""``\frac{\partial f}{\partial x}`` and ``\frac{d}{dx}`` forms → (body, wrt, partial, order)."""
    den_factors = den.factors if isinstance(den, t.Product) else (den,)
    # \partial takes the whole numerator: \frac{\partial x^T a}{\partial x}
    if isinstance(num, t.Product):
        head = num.factors[0]
        if isinstance(head, (t.Partial, t.Differential)) and head.body is not None:
            num = replace(head, body=_product((head.body, *num.factors[1:])))
    # ∂ form: every factor of the denominator is \partial x
    wrt = _bodies(den_factors, t.Partial)
    if wrt is not None:
        return (num.body, wrt, True, num.order) if isinstance(num, t.Partial) else None
    # \mathrm{d} form
    wrt = _bodies(den_factors, t.Differential)
    if wrt is not None:
        if isinstance(num, t.Differential):
            return num.body, wrt, False, None
        if isinstance(num, t.Power) and isinstance(num.base, t.Differential):
            return num.base.body, wrt, False, num.exponent
        if (  # \frac{\mathrm{d}^2 g}{\mathrm{d}t^2}
            isinstance(num, t.Product)
            and isinstance(num.factors[0], t.Power)
            and isinstance(num.factors[0].base, t.Differential)
            and num.factors[0].base.body is None
        ):
            return _product(num.factors[1:]), wrt, False, num.factors[0].exponent
        return None
    # plain-d form: \frac{d}{dx}, \frac{df}{dx}, \frac{d^2 y}{dx^2}
    if isinstance(den, t.Product) and len(den.factors) == 2 and is_d(den.factors[0]):
        wrt_node = den.factors[1]
        if is_d(num):
            return None, (wrt_node,), False, None
        if isinstance(num, t.Product) and is_d(num.factors[0]):
            return _product(num.factors[1:]), (wrt_node,), False, None
        if isinstance(num, t.Power) and is_d(num.base):
            return None, (wrt_node,), False, num.exponent
        if (  # \frac{d^2 y}{dx^2}
            isinstance(num, t.Product)
            and isinstance(num.factors[0], t.Power)
            and is_d(num.factors[0].base)
        ):
            return _product(num.factors[1:]), (wrt_node,), False, num.factors[0].exponent
    return None


def _bodies(
    factors: tuple[t.Node, ...], kind: type[t.Partial] | type[t.Differential]
) -> tuple[t.Node, ...] | None:
    r"""The operands when every factor is ``kind`` with one (``\partial x \partial y``)."""
    out = []
    for f in factors:
        if not isinstance(f, kind) or f.body is None:
            return None
        out.append(f.body)
    return tuple(out)


def _product(parts: tuple[t.Node, ...]) -> t.Node:
    """One node for a run of factors, located over them."""
    if len(parts) == 1:
        return parts[0]
    return t.Product(
        parts,
        start=parts[0].start,
        end=parts[-1].end,
        from_macro=any(x.from_macro for x in parts),
        span=(parts[0].span[0], parts[-1].span[1]),
    )


def is_d(node: t.Node) -> bool:
    return (
        isinstance(node, t.Symbol)
        and node.name == "d"
        and node.font in (None, "mathrm")
        and not node.accents
    )


_ONES = frozenset({"1", "\\mathbb{1}", "\\mathbbm{1}", "\\one"})


def sized_constant(node: t.Sub) -> tuple[str, tuple[t.Node, ...]] | None:
    r"""What a subscripted constant is, and the nodes its size is written in: ``I_p``,
    ``\mathbf{I}_p`` → ("identity", (p,)); ``\mathbf{1}_n``, ``1_n`` → ("ones", (n,)); ``0_n``
    → ("zeros", (n,)); ``\mathbf{0}_{m \times n}`` → ("zeros", (m, n)).  Shapes and the
    engine read the same constants (each sizes them by what it knows of the dimensions)."""
    base = node.base
    while isinstance(base, t.Font):
        base = base.body
    if isinstance(base, t.Number):
        name = base.text
    elif isinstance(base, t.Symbol) and not base.accents:
        name = base.name  # (a bold \mathbf{1} is read as a symbol named 1)
    else:
        return None
    if name == "1" and isinstance(base, t.Symbol) and base.font == "mathbb":
        return None  # \mathbb{1}_m: physics' identity, or the ones, or an indicator: unsaid
    index = node.index
    if name == "0" and isinstance(index, t.BinOp) and index.op == "\\times" and index.right:
        return "zeros", (index.left, index.right)
    if name == "I":
        return "identity", (index,)
    if name == "0":
        return "zeros", (index,)
    return ("ones", (index,)) if name in _ONES else None


def index_parts(index: t.Node | None) -> tuple[t.Node | None, ...]:
    """The parts of a two-part subscript: ``ij``, ``i,j``, ``i,:`` (else none)."""
    if isinstance(index, t.List):
        return index.items
    if isinstance(index, t.Product):
        return index.factors
    return ()


# "plus a constant", as likelihoods and losses are written: ``+ \text{const}``, ``+
# \mathrm{const}``, ``+ \mathrm{const.}``, ``+ \text{constant}``
CONSTANT_WORDS = frozenset(("const", "constant", "cst", "cte"))
_TEXT_WORDS = re.compile(r"\\(?:text|textrm|textnormal|mbox|mathrm)\s*\{([^{}]*)\}")
_UPRIGHT = frozenset({"mathrm", "text", "textrm", "textnormal", "operatorname"})


def constant_word(node: t.Node | None) -> bool:
    r"""``\text{const}``, ``\mathrm{const}`` (read as a function's name), ``\mathrm{const.}``
    (read as upright letters), ``\text{constant}``: a word saying "a constant" (the constant
    letters ``c``, ``C`` are the readers' to judge: a letter may be declared)."""
    if isinstance(node, t.Text):
        words = _TEXT_WORDS.fullmatch(node.text.strip())
        inner = words[1] if words is not None else node.text
        return not node.math and inner.strip().rstrip(".").strip().lower() in CONSTANT_WORDS
    if isinstance(node, t.Func):
        return node.sub is None and node.sup is None and node.name.lower() in CONSTANT_WORDS
    if isinstance(node, t.Product) and 3 <= len(node.factors) <= 8:
        letters = [x for x in node.factors if isinstance(x, t.Symbol)]
        return (
            len(letters) == len(node.factors)
            and all(x.font in _UPRIGHT and len(x.name) == 1 and not x.accents for x in letters)
            and "".join(x.name for x in letters).lower() in CONSTANT_WORDS
        )
    return False


def constant_letter(node: t.Node | None) -> bool:
    r"""``c``, ``C``: a letter that ends a log-likelihood or a loss as "plus a constant" (a
    constant only where nothing declares or defines it, and the sum's other terms are
    numbers: the reader decides)."""
    return (
        isinstance(node, t.Symbol)
        and node.name in ("c", "C")
        and node.font is None
        and not node.accents
    )
