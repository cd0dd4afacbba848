r"""How written notation is read for the engine: patterns of the syntax tree that
:class:`~texgrad.calculus.lower.Lowerer` recognises before it builds an expression.

Function names as documents spell them, ``\mathbb{1}[z > 0]`` in a product, ``\mu(x)``
read as an application, ``\text{ReLU}(x)``, the arguments of ``\max\{0, x\}``, a
norm's subscript, the index of a sum or an entry, the exponent of ``x^{\circ k}``, the
conditions of ``cases``.  :mod:`~texgrad.calculus.tree_notation` reads some of the same
notation for the independent evaluator; the two are kept apart on purpose (verification
compares their readings, so they must not share a mistake).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace

import sympy

from texgrad.syntax import tree as t
from texgrad.syntax.latex import latex_of
from texgrad.syntax.show import show
from texgrad.syntax.symbols import symbol_key

# Names of elementwise functions as documents spell them.
FUNCTION_NAMES = {
    "exp": "exp", "log": "log", "ln": "log", "sin": "sin", "cos": "cos", "tan": "tan",
    "tanh": "tanh", "sinh": "sinh", "cosh": "cosh", "arctan": "arctan",
    "\\sigma": "sigma", "sigmoid": "sigma", "sigm": "sigma", "relu": "relu", "ReLU": "relu",
    "softplus": "softplus", "abs": "abs", "sign": "sign", "sgn": "sign", "sqrt": "sqrt",
    "erf": "erf",
}  # fmt: skip
TEXT_OPERATORS = {"softmax", "diag", "tr", "Tr", "trace", "det", "logdet", "logsumexp", "LSE"}
TRACE_NAMES = {"tr", "Tr", "trace", "Trace", "TR"}
# operators whose meaning is known: a document's "definition" of one is an identity it states
KNOWN_FUNCTIONS = (
    set(FUNCTION_NAMES) | TEXT_OPERATORS | TRACE_NAMES
    | {"max", "min", "arg", "argmax", "argmin", "lim", "sup", "inf", "Pr", "E", "Var", "Cov",
       "vec", "rank", "sum", "Diag", "expm", "logm", "sqrtm"}
)  # fmt: skip
MATRIX_FUNCTION_NAMES = {"exp", "log", "ln", "sin", "cos", "sqrt"}


@dataclass(frozen=True)
class Indicator:
    """``\\mathbb{1}[z > 0]`` found in a product: the step function of ``body``."""

    body: t.Node


def indicators(factors: list[t.Node]) -> list[t.Node | Indicator]:
    out: list[t.Node | Indicator] = []
    i = 0
    while i < len(factors):
        f = factors[i]
        nxt = factors[i + 1] if i + 1 < len(factors) else None
        if (
            isinstance(f, (t.Symbol, t.Number))
            and getattr(f, "name", getattr(f, "text", "")) == "1"
            and isinstance(nxt, t.Paren)
            and nxt.open in ("[", "\\left[", "(")
            and isinstance(nxt.body, t.Chain)
            and nxt.body.relations in ((">",), ("\\gt",))
            and isinstance(nxt.body.items[1], t.Number)
            and nxt.body.items[0] is not None
        ):
            out.append(Indicator(nxt.body.items[0]))
            i += 2
            continue
        out.append(f)
        i += 1
    return out


def as_application(node: t.Node) -> t.Node:
    r"""``\mu(x)``, which the parser reads as a product of a Greek letter and a bracket, as
    the application it is where a function is being defined or is known to be one."""
    if (
        isinstance(node, t.Product)
        and len(node.factors) == 2
        and (
            isinstance(node.factors[0], t.Symbol)
            # E_\lambda(\theta) = …, E_{\mathrm{reg}}(\theta) = …: a subscripted name
            or (isinstance(node.factors[0], t.Sub) and isinstance(node.factors[0].base, t.Symbol))
            # \mathbf x^\star(\lambda) = …: a name with a mark (the solution, as a function)
            or (_marked_name(node.factors[0]))
        )
        and isinstance(node.factors[1], t.Paren)
        and node.factors[1].open in ("(", "\\left(")
        and node.factors[1].body is not None
    ):
        body = node.factors[1].body
        args = (
            tuple(a for a in body.items if a is not None) if isinstance(body, t.List) else (body,)
        )
        return t.Apply(node.factors[0], args, True, start=node.start, end=node.end)
    return node


def matrix_before_script(node: t.Node, is_matrix: Callable[[t.Node], bool]) -> t.Node | None:
    r"""``J(K - \beta J)^{-1}`` of a declared matrix ``J``: ``J`` times the bracket's inverse.
    The parser reads a function letter (J, L, F, H, …) before a bracket as applied to it and
    scripts the application, as ``f(x)^2`` is; a matrix is no function, and the script is the
    bracket's. None for any other node (or a letter ``is_matrix`` does not accept)."""
    if not isinstance(node, (t.Power, t.Transpose, t.InverseTranspose)):
        return None
    app = node.base
    if not isinstance(app, t.Apply) or not app.parens or len(app.args) != 1:
        return None
    if isinstance(app.args[0], t.List) or not is_matrix(app.func):
        return None
    bracket = t.Paren(app.args[0], "(", ")", start=app.func.end, end=app.end)
    scripted = replace(node, base=bracket, start=bracket.start)
    return t.Product((app.func, scripted), start=node.start, end=node.end)


def _marked_name(node: t.Node) -> bool:
    r"""``\mathbf x^\star``, ``\theta^{\ast}``: a letter with an optimum's mark, a name of
    its own (``symbol_key``)."""
    return (
        isinstance(node, t.Tagged)
        and isinstance(node.base, t.Symbol)
        and isinstance(node.tag, t.Symbol)
        and node.tag.name in ("\\star", "\\ast", "*")
    )


def statements(chain: t.Chain) -> list[t.Chain]:
    r"""The statements of a row that lists several, each a chain ``head = value``.

    ``z = Wx + b, \qquad a = \sigma(z)`` parses as one chain whose middle item is the list
    ``(Wx + b, a)``: the list's last item is the next statement's head. A row of one
    statement (``f(x) = a = b`` included) is itself.
    """
    items, rels = chain.items, chain.relations
    if not any(isinstance(i, t.List) and len(i.items) > 1 for i in items[1:-1]):
        return [chain]
    out: list[t.Chain] = []
    # (a statement may be a chain itself: ``\mathrm d g = a = b, \qquad \nabla g = c``)
    current: list[t.Node | None] = [items[0]]
    relations: list[str] = []

    def close() -> None:
        head, value = current[0], current[-1]
        if head is not None and value is not None and len(current) > 1:
            out.append(t.Chain(tuple(current), tuple(relations), start=head.start, end=value.end))

    for k in range(1, len(items)):
        item = items[k]
        if isinstance(item, t.List) and len(item.items) > 1 and k < len(items) - 1:
            cut = _declared_heads(item.items, rels[k])
            parts = item.items[:cut]
            value: t.Node | None = (
                parts[0]
                if len(parts) == 1
                else t.List(parts, start=parts[0].start, end=parts[-1].end)
            )
            current.append(value)
            relations.append(rels[k - 1])
            close()
            heads = item.items[cut:]
            head = (
                heads[0]
                if len(heads) == 1
                else t.List(heads, start=heads[0].start, end=heads[-1].end)
            )
            current, relations = [head], []
        else:
            current.append(item)
            relations.append(rels[k - 1])
    close()
    return out


# relations after which a statement's head may be a list of letters: "u, w \in \mathbb{R}^D"
_DECLARING = frozenset({"\\in", "\\sim", "\\subset", "\\subseteq"})


def _declared_heads(items: tuple[t.Node, ...], rel: str) -> int:
    r"""Where a listed value ends and the next statement's heads begin: before the last item
    (``z = Wx + b, \qquad a = \sigma(z)``), or, before a declaration, before the letters it
    declares (``f(\mathbf z) = \mathbf z + \mathbf u h(\cdot), \qquad \mathbf u, \mathbf w
    \in \mathbb{R}^D``: the value is the formula, the heads u and w)."""
    last = len(items) - 1
    if rel not in _DECLARING or len(items) < 3:
        return last
    cut = last
    while cut > 1 and symbol_key(items[cut - 1]) is not None:
        cut -= 1
    return cut if symbol_key(items[cut - 1]) is None else last


SIGNATURE_ARROWS = ("\\to", "\\rightarrow", "\\mapsto", "\\longrightarrow")


def frobenius_operands(chain: t.Chain) -> list[t.Node] | None:
    r"""``g = A : B`` (``A : B = \operatorname{tr}(A^\top B)``, the Frobenius product): the
    operands joined by the colons the chain ends with; None when its last relation is no
    ``:`` or a colon is a signature's (``f : \mathbb{R}^n \to \mathbb{R}``)."""
    rels = chain.relations
    if not rels or rels[-1] != ":" or any(r in SIGNATURE_ARROWS for r in rels):
        return None
    k = len(rels)
    while k > 0 and rels[k - 1] == ":":
        k -= 1
    ops = [x for x in chain.items[k:] if x is not None]
    return ops if len(ops) == len(chain.items) - k else None


CASE_RELATIONS = {
    "<": "<", "\\lt": "<", "\\le": "<=", "\\leq": "<=", "\\leqslant": "<=",
    ">": ">", "\\gt": ">", "\\ge": ">=", "\\geq": ">=", "\\geqslant": ">=",
}  # fmt: skip


def is_otherwise(cond: t.Node) -> bool:
    words = cond.text if isinstance(cond, t.Text) else ""
    return any(w in words for w in ("otherwise", "else", "elsewhere"))


def without_words(node: t.Node) -> t.Node:
    """``\text{if } |r|``: the math without the words before it."""
    if isinstance(node, t.Product):
        rest = [f for f in node.factors if not isinstance(f, t.Text)]
        if rest and len(rest) < len(node.factors):
            return rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start)
    return node


def quotient_of(node: t.Node) -> tuple[t.Node, t.Node] | None:
    """The numerator and denominator of ``\frac{a}{b}`` or ``a / b`` (brackets allowed)."""
    while isinstance(node, t.Paren) and node.body is not None:
        node = node.body
    if isinstance(node, t.Frac) and node.num is not None and node.den is not None:
        return node.num, node.den
    if isinstance(node, t.BinOp) and node.op == "/" and node.right is not None:
        return node.left, node.right
    return None


def max_arguments(node: t.Apply) -> list[t.Node]:
    r"""The arguments of ``\max(0, x)`` or ``\max\{0, x\}``."""
    written = list(node.args)
    if (
        len(written) == 1
        and isinstance(written[0], t.Paren)
        and isinstance(written[0].body, t.List)
    ):
        written = [a for a in written[0].body.items if a is not None]
    return written


def text_functions(factors: list[t.Node], defined: Collection[str] = ()) -> list[t.Node]:
    """``\text{ReLU}(x)`` (a function named in text, read as a product): the application, for
    a known name or one of ``defined`` (``\text{GELU}(x) = …``)."""
    out: list[t.Node] = []
    i = 0
    while i < len(factors):
        f = factors[i]
        nxt = factors[i + 1] if i + 1 < len(factors) else None
        call = text_application(f, nxt) if nxt is not None else None
        name = call.func.name if call is not None and isinstance(call.func, t.Func) else ""
        if call is not None and (
            name in FUNCTION_NAMES or name in TEXT_OPERATORS or name in defined
        ):
            out.append(call)
            i += 2
            continue
        out.append(f)
        i += 1
    return out


def text_name(node: t.Node) -> t.Func | None:
    r"""``\text{loss}`` standing alone: the upright name it writes, read as an operator name
    (``\operatorname{loss}``); None for any other text."""
    if not isinstance(node, t.Text):
        return None
    name = re.sub(r"^\\[A-Za-z]+\{(.*)\}$", r"\1", node.text).strip()
    if not name.isalpha() or name in KNOWN_FUNCTIONS:
        return None
    return t.Func(name, start=node.start, end=node.end)


def upright_name(node: t.Node) -> str | None:
    r"""The name a quantity written in upright letters has (``\mathrm{KL}``,
    ``\operatorname{MSE}``, ``\text{loss}``: ``KL``, ``MSE``, ``loss``), for an operator
    the engine does not know, written without sub- or superscript; None otherwise."""
    func = text_name(node) if isinstance(node, t.Text) else node
    if not isinstance(func, t.Func) or func.sub is not None or func.sup is not None:
        return None
    return None if func.name.lstrip("\\") in KNOWN_FUNCTIONS else func.name


def text_application(f: t.Node, nxt: t.Node) -> t.Apply | None:
    """``\text{name}`` before a round bracket: the application of the function ``name``."""
    if not (isinstance(f, t.Text) and isinstance(nxt, t.Paren) and nxt.body is not None):
        return None
    if nxt.open not in ("(", "\\left("):
        return None
    name = re.sub(r"^\\[A-Za-z]+\{(.*)\}$", r"\1", f.text).strip()
    if not name.isalpha():
        return None
    body = nxt.body
    args = tuple(a for a in body.items if a is not None) if isinstance(body, t.List) else (body,)
    func = t.Func(name, start=f.start, end=f.end)
    return t.Apply(func, args, True, start=f.start, end=nxt.end)


def number_letters(node: t.Node | None) -> list[t.Symbol | t.Sub]:
    r"""The letters standing where only a number can: the factors of a denominator
    (``\frac{1}{N}``, ``\frac{1}{2\sigma^2}``, ``\frac{1}{\sqrt{d_k}}``, ``\frac{1}{N - 1}``),
    not inside a norm, a function or an absolute value."""
    if isinstance(node, (t.Symbol, t.Sub)):
        base = node.base if isinstance(node, t.Sub) else node
        if not isinstance(base, t.Symbol) or base.font or base.accents:
            return []
        return [node] if base.name.removeprefix("\\").isalpha() else []
    if isinstance(node, t.Product):
        return [s for f in node.factors for s in number_letters(f)]
    if isinstance(node, t.Add):
        return [s for f in node.terms for s in number_letters(f)]
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Number):
        return number_letters(node.base)
    if isinstance(node, t.Sqrt) and node.index is None:
        return number_letters(node.body)
    if isinstance(node, t.Paren) and node.open in ("(", "\\left("):
        return number_letters(node.body)
    return []


def written_latex(node: t.Node) -> str:
    """A symbol as LaTeX for a message (``x_{i}``, ``\\hat{x}``), not as a tree."""
    if isinstance(node, t.Sub):
        return f"{written_latex(node.base)}_{{{written_latex(node.index)}}}"
    if isinstance(node, t.Symbol):
        name = node.name
        for accent in node.accents:
            name = f"\\{accent}{{{name}}}"
        return f"\\{node.font}{{{name}}}" if node.font else name
    if isinstance(node, t.Number | t.Text):
        return node.text  # a Text keeps its command: \text{head}
    if isinstance(node, t.Tagged):
        closed = {"(": ")", "[": "]"}.get(node.bracket, "")  # W^{(l)}, a^{[l]}, W^{Q}
        return f"{written_latex(node.base)}^{{{node.bracket}{written_latex(node.tag)}{closed}}}"
    if isinstance(node, t.BinOp):  # a subscript such as m \times n
        right = "" if node.right is None else f" {written_latex(node.right)}"
        return f"{written_latex(node.left)} {node.op}{right}"
    if isinstance(node, t.Product):
        return " ".join(written_latex(f) for f in node.factors)
    if isinstance(node, t.Add):
        parts = [
            f"{s} {written_latex(x)}".strip() for s, x in zip(node.signs, node.terms, strict=True)
        ]
        return " ".join(parts) + (f" {node.trailing}" if node.trailing else "")
    if isinstance(node, t.Paren) and node.body is not None:
        return f"{node.open}{written_latex(node.body)}{node.close}"
    if isinstance(node, t.Tagged):  # W^{(l+1)}, W^{Q}
        close = {"(": ")", "[": "]"}.get(node.bracket, "")
        return f"{written_latex(node.base)}^{{{node.bracket}{written_latex(node.tag)}{close}}}"
    return latex_of(node)


def norm_subscript(p: t.Node | None) -> str | None:
    r"""``2``, ``1``, ``F`` for ``_F``, ``_{\mathrm{F}}``, ``_\text{F}``, ``_{\mathrm{Fro}}``.

    :func:`texgrad.calculus.tree_notation.norm_name` reads the same subscripts for the
    independent evaluator, written twice on purpose: verification compares the two
    readings, so they must not share a mistake."""
    if p is None:
        return None
    if isinstance(p, t.Symbol) and not p.accents:
        name = p.name
    elif isinstance(p, t.Text):
        name = p.text.removeprefix("\\text{").removesuffix("}").strip()
    elif isinstance(p, t.Func):
        name = p.name
    else:
        name = show(p)
    return "F" if name in ("F", "Fro", "fro", "Frob") else name


def function_name(f: t.Node) -> str | None:
    if isinstance(f, t.Func):
        return f.name
    if isinstance(f, t.Symbol):
        return f.name
    if isinstance(f, t.Opaque):
        return f.text.lstrip("\\")
    return None


def without_circ(ex: t.Node) -> t.Node | None:
    r"""The exponent of ``x^{\circ k}`` without its ``\circ`` (None if it has none)."""
    if isinstance(ex, t.Product) and len(ex.factors) >= 2 and is_circ(ex.factors[0]):
        rest = ex.factors[1:]
        return rest[0] if len(rest) == 1 else t.Product(tuple(rest), start=rest[0].start)
    if isinstance(ex, t.Add) and len(ex.terms) >= 2 and is_circ(ex.terms[0]):
        # x^{\circ -1}, read as "\circ minus 1"
        return t.Add(ex.terms[1:], ex.signs[1:], start=ex.terms[1].start, end=ex.end)
    if isinstance(ex, t.BinOp) and ex.op == "/" and ex.left is not None:
        left = without_circ(ex.left)  # x^{\circ 1/2}
        if left is not None:
            return t.BinOp(ex.op, left, ex.right, start=ex.start, end=ex.end)
    return None


def is_circ(node: t.Node) -> bool:
    return isinstance(node, (t.Symbol, t.Opaque)) and getattr(
        node, "name", getattr(node, "text", "")
    ) in ("\\circ", "\\odot")


def is_named(f: t.Node) -> bool:
    return isinstance(f, t.Func)


def is_zero_literal(node: t.Node) -> bool:
    r"""``0``, or the zero vector ``\mathbf{0}``."""
    if isinstance(node, t.Symbol):
        return node.name == "0" and not node.accents
    return isinstance(node, t.Number) and sympy.Rational(node.text) == 0


def in_parens(node: t.Node) -> t.Node:
    return t.Paren(node, "(", ")", start=node.start, end=node.end)


def sum_index(lower: t.Node | None) -> tuple[str, ...] | None:
    r"""``i`` of ``\sum_{i=1}^n`` or ``\sum_i``; ``(i, j)`` of ``\sum_{i,j}``."""
    if isinstance(lower, t.Chain) and lower.items and isinstance(lower.items[0], t.Symbol):
        return (lower.items[0].name,)
    if isinstance(lower, t.Symbol):
        return (lower.name,)
    return index_names(lower) if isinstance(lower, t.List) else None


def unread_sum_index(lower: t.Node | None) -> str:
    r"""Why a sum's index is not read: over the members of a set (``(i,j) \in \Omega``, the
    observed entries), said with the form that is read; else the general words."""
    if isinstance(lower, t.Chain) and lower.relations[:1] == ("\\in",) and len(lower.items) == 2:
        where = lower.items[1]
        name = latex_of(where) if where is not None else ""
        return (
            f"a sum over the members of a set (`{name}`) is not read yet: write it over every "
            f"entry with a 0/1 mask of `{name}`, e.g. `\\|M \\odot (R - UV^\\top)\\|_F^2`"
        )
    if isinstance(lower, t.Chain) and len(lower.items) == 2 and lower.items[1] is not None:
        said = latex_of(lower)
        if set(lower.relations) & _ORDERS:
            return (
                f"a sum over the pairs with `{said}` is not read yet: write it over every pair, "
                "`\\sum_{i,j}`, less the terms with i = j (for a symmetric summand, the sum over "
                "i < j is half of that)"
            )
        if lower.relations == ("=",) and _letters(lower.items[1]):
            return f"a sum whose bound depends on another index (`{said}`) is not read yet"
        first = lower.items[1]
        if lower.relations == ("=",) and isinstance(first, t.Number) and first.text.isdigit():
            return _part_of_the_entries(lower, int(first.text))
        if lower.relations == ("=",):
            return f"a sum from `{said}` is not read yet: write it from 1 (`\\sum_{{i=1}}^n`)"
    return "cannot read the index of this sum (write `\\sum_{i=1}^n`)"


def _part_of_the_entries(lower: t.Chain, first: int) -> str:
    r"""A sum over entries from ``i = 2`` (or any number past 1), said plainly: every entry
    less the ones left out, picked by unit vectors, is read."""
    said, index = latex_of(lower), latex_of(lower.items[0]) if lower.items[0] else "i"
    if first <= 1:
        return f"a sum from `{said}` over entries is not read yet: write it from 1"
    left = ", ".join(str(k) for k in range(1, first)) if first <= 4 else f"1, \\dots, {first - 1}"
    return (
        f"a sum from `{said}` runs over part of the entries, and entries are read only "
        f"summed over all of them: write it over every entry less those left out "
        f"(`{index}` = {left}), picked by unit vectors the document declares: for "
        f"`\\sum_{{{index}=2}}^n v_{index}^2`, `\\sum_{{{index}=1}}^n v_{index}^2 - "
        f"(\\mathbf{{e}}_1^\\top\\mathbf{{v}})^2` with `\\mathbf{{e}}_1 \\in \\mathbb{{R}}^n`"
    )


_ORDERS = frozenset({"<", ">", "\\lt", "\\gt", "\\le", "\\leq", "\\ge", "\\geq", "\\ne", "\\neq"})


def _letters(node: t.Node) -> bool:
    return any(isinstance(n, t.Symbol) and n.name.isalpha() for n in node.walk())


def index_names(index: t.Node | None) -> tuple[str, ...] | None:
    """The index names of an entry: ``i`` → (i,), ``ij`` / ``i,j`` / ``i j`` → (i, j)."""
    if isinstance(index, t.Symbol) and not index.font and not index.accents:
        return (index.name,)
    if isinstance(index, (t.Product, t.List)):
        items = index.factors if isinstance(index, t.Product) else index.items
        names = [i.name for i in items if isinstance(i, t.Symbol) and not i.font]
        if len(names) == len(items):
            return tuple(names)
    return None


def describe(node: t.Node) -> str:
    if isinstance(node, t.Opaque):
        return node.text
    if isinstance(node, t.Func):
        return "\\" + node.name
    if isinstance(node, t.Space):
        return "a set (\\mathbb{R}^…): a declaration"
    if isinstance(node, t.List):
        return f"a list of {len(node.items)} items separated by commas"
    return latex_of(node)


def power_name(node: t.Node) -> str | None:
    r"""The name a definition ``\sigma^2 = …`` gives its left side (``\sigma^{2}``): a
    symbol to a whole-number power; None for anything else."""
    if not isinstance(node, t.Power) or not isinstance(node.exponent, t.Number):
        return None
    if not node.exponent.text.isdigit():
        return None
    key = symbol_key(node.base)
    return None if key is None else f"{key[0]}^{{{node.exponent.text}}}"


def is_expectation(node: t.Node) -> bool:
    r"""``\mathbb{E}`` (or ``\mathbb{E}_{x}``) standing where a factor would: an expectation,
    which the engine does not read."""
    if isinstance(node, t.Sub):
        node = node.base
    return isinstance(node, t.Symbol) and node.name == "E" and node.font == "mathbb"


def has_times(node: t.Node) -> bool:
    r"""An index written with ``\times`` (``X_{i \times i}``: a leading block, not an entry)."""
    return any(isinstance(n, t.BinOp) and n.op == "\\times" for n in node.walk())


def primed_beside(args: tuple[t.Node, ...]) -> set[str]:
    r"""The keys of the primed symbols among the arguments ``args`` written beside their
    unprimed letter (``k(\mathbf{x}, \mathbf{x}')``, in a definition or a call): a second
    point, a name of its own, not the transpose ``x'`` of ``x'Ax``."""
    if len(args) < 2:
        return set()
    plain = {k[0] for a in args if (k := symbol_key(a)) is not None}
    found: set[str] = set()
    for a in args:
        if isinstance(a, t.Prime) and (k := symbol_key(a)) is not None:
            base = symbol_key(a.base)
            if base is not None and base[0] in plain:
                found.add(k[0])
    return found


def primed_arguments(trees: Collection[t.Node]) -> set[str]:
    """:func:`primed_beside` over every argument list in ``trees`` (an application's, or a
    parenthesised list ``(x, x')``)."""
    return primed_among(node for tree in trees for node in tree.walk())


def primed_among(nodes: Iterable[t.Node]) -> set[str]:
    """:func:`primed_arguments` of nodes already walked (each looked at, not its parts)."""
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, t.Apply):
            found |= primed_beside(node.args)
        elif isinstance(node, t.Paren) and isinstance(node.body, t.List):
            found |= primed_beside(node.body.items)
    return found
