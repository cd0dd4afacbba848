r"""Words in roman type that name a matrix: ``\operatorname{head}_i``, ``\mathrm{head}_i``,
``\text{head}_i``.

Transformer papers name each head's output by a word with the head's index,
``\operatorname{head}_i = \operatorname{Attention}(QW_i^Q, KW_i^K, VW_i^V)``, and go on with
``\operatorname{head}_i W_i^O``. The parser reads such a word as an operator (``\max_x``,
``\operatorname{prox}_f``) applied to what follows. For the shape check, and for it only
(the calculus engine reads the parsed trees), a word with a subscript that no list of
functions knows is a letter of its own — ``head`` in roman type, with its index: declared,
defined by an equation and sized as a family as any subscripted letter is — and what it was
applied to is multiplied by it. A word the document never sizes stays unknown, so reading it
so says nothing new: it only lets the rules see the shape the document gives it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Any, overload

from texgrad.shapes.rows import PlacedRow
from texgrad.syntax import tree as t
from texgrad.syntax.commands import OPERATOR_NAMES_IN_TEXT

# words that are functions wherever they are written with a subscript, beyond the parser's
# list: a proximal map, a projection, a divergence, a limit, an expectation, layers
_FUNCTION_WORDS = frozenset(
    (
        "prox proj kl lim sup inf max min argmax argmin arg log ln exp mod var cov corr "
        "softmax sigmoid relu gelu tanh attention attn mha multihead layernorm batchnorm "
        "rmsnorm dropout ffn mlp concat stack span col row null range im ker supp dist "
        "grad div curl hess vec diag tr trace det rank sign sgn sd std mean median cost loss"
    ).split()
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_TEXT_WORD = re.compile(r"\\(?:text|textrm|mathrm|operatorname)\s*\{\s*([A-Za-z]{2,})\s*\}")
# what a row's text holds when it may hold such a word (most rows do not: not walked)
_MAYBE = re.compile(
    r"\\(?:operatorname\*?|mathrm|mathop|text|textrm)\s*\{\s*[A-Za-z]{2,}\s*\}\s*_|\\rm\b"
    r"|\\text(?:rm)?\s*\{\s*[Cc]oncat\s*\}"
)
# ``\text{Concat}(A, B)``: the concatenation written in text, a product of words and a bracket
_TEXT_CONCAT = re.compile(r"\\text(?:rm)?\s*\{\s*([Cc]oncat)\s*\}")
# the scripts the parser puts on an application when they were written on its bracket:
# ``\operatorname{head}_i (W_i^O)^\top`` is read ``(\operatorname{head}_i(W_i^O))^\top``
_ROUND_OUTERS = (t.Power, t.Transpose, t.InverseTranspose, t.Prime, t.Sub)


def is_word(name: str) -> bool:
    """Whether a roman word may name a matrix (no function of any list)."""
    return (
        _WORD.fullmatch(name) is not None
        and name not in OPERATOR_NAMES_IN_TEXT
        and name.lower() not in _FUNCTION_WORDS
    )


def word_symbol(node: t.Node) -> t.Sub | None:
    r"""``\operatorname{head}_i`` (a ``Func`` with a subscript and no superscript) or
    ``\text{head}_i`` as the letter ``head`` in roman type with its index; None for
    anything else."""
    if isinstance(node, t.Func):
        if node.sub is None or node.sup is not None or not is_word(node.name):
            return None
        name, index = node.name, node.sub
    elif isinstance(node, t.Sub) and isinstance(node.base, t.Text) and not node.base.math:
        m = _TEXT_WORD.fullmatch(node.base.text.strip())
        if m is None or not is_word(m[1]):
            return None
        name, index = m[1], node.index
    else:
        return None
    loc: dict[str, Any] = {
        "start": node.start,
        "end": node.end,
        "from_macro": node.from_macro,
        "span": node.span,
    }
    return t.Sub(t.Symbol(name, "mathrm", **loc), index, **loc)


def row_tree(row: PlacedRow) -> t.Node | None:
    """A row's tree as the shape check reads it: :func:`words_as_symbols`, for a row whose
    text may hold such a word (the text of its key: see ``MappedText.key``)."""
    key = row.key
    text = key if isinstance(key, str) else key[0] if isinstance(key, tuple) and key else None
    tree = row.tree
    if tree is None or isinstance(text, str) and _MAYBE.search(text) is None:
        return tree
    kept = _REWRITES.get(id(tree))
    if kept is not None and kept[0] is tree:  # (the declarations' pass, then inference's)
        return kept[1]
    out = words_as_symbols(tree)
    with _REWRITES_LOCK:
        if len(_REWRITES) >= _REWRITES_KEPT:
            _REWRITES.pop(next(iter(_REWRITES)))
        _REWRITES[id(tree)] = (tree, out)
    return out


# The rows' trees last rewritten, by the tree's id (the tree kept with it, so that the id
# names it): collecting the declarations and inference read each row that may hold a word,
# and rewrote it twice per analysis.  Bounded; the oldest goes first.
_REWRITES: dict[int, tuple[t.Node, t.Node]] = {}
_REWRITES_KEPT = 4096
_REWRITES_LOCK = threading.Lock()


@overload
def words_as_symbols(tree: t.Node) -> t.Node: ...
@overload
def words_as_symbols(tree: None) -> None: ...
@overload
def words_as_symbols(tree: t.Node | None) -> t.Node | None: ...
def words_as_symbols(tree: t.Node | None) -> t.Node | None:
    """The tree with every such word read as a letter (the same tree when it holds none)."""
    if tree is None or not any(word_symbol(n) is not None or _concat_text(n) for n in tree.walk()):
        return tree
    return _rewrite(tree)


def _rewrite(node: t.Node) -> t.Node:
    word = word_symbol(node)
    if word is not None:
        return word
    product = _as_product(node) or _text_concat(node)
    if product is not None:
        node = product
    changed: dict[str, Any] = {}
    for name, value in _fields(node):
        if isinstance(value, t.Node):
            new = _rewrite(value)
            if new is not value:
                changed[name] = new
        elif isinstance(value, tuple) and any(isinstance(v, t.Node | tuple) for v in value):
            items = tuple(_rewrite_item(v) for v in value)
            if any(a is not b for a, b in zip(items, value, strict=True)):
                changed[name] = items
    return replace(node, **changed) if changed else node


def _rewrite_item(value: object) -> object:
    if isinstance(value, t.Node):
        return _rewrite(value)
    if isinstance(value, tuple):
        items = tuple(_rewrite_item(v) for v in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _fields(node: t.Node) -> list[tuple[str, object]]:
    return [
        (name, getattr(node, name))
        for name in node.__dataclass_fields__
        if name not in ("start", "end", "from_macro", "span")
    ]


def _as_product(node: t.Node) -> t.Product | None:
    r"""``\operatorname{head}_i W_i^O`` and ``\operatorname{head}_i (W_i^O)^\top``, read as
    applications, as the products they are; None when ``node`` is no such application."""
    outer: t.Node | None = None
    apply = node
    if isinstance(node, _ROUND_OUTERS) and isinstance(node.base, t.Apply) and node.base.parens:
        outer, apply = node, node.base
    if not isinstance(apply, t.Apply) or len(apply.args) != 1:
        return None
    func = apply.func
    word = word_symbol(func)
    if word is None:
        return None
    arg = apply.args[0]
    if apply.parens:
        loc: dict[str, Any] = {
            "start": func.end,
            "end": apply.end,
            "from_macro": apply.from_macro,
            "span": (func.span[1], apply.span[1]),
        }
        arg = t.Paren(arg, "(", ")", **loc)
    if outer is not None:
        arg = replace(outer, base=arg, start=func.end, span=(func.span[1], outer.span[1]))  # type: ignore[call-arg]
    factors = arg.factors if isinstance(arg, t.Product) else (arg,)
    return t.Product((word, *factors), start=node.start, end=node.end,
                     from_macro=node.from_macro, span=node.span)  # fmt: skip


def _concat_text(node: t.Node) -> bool:
    return isinstance(node, t.Text) and _TEXT_CONCAT.fullmatch(node.text.strip()) is not None


def _text_concat(node: t.Node) -> t.Node | None:
    r"""``\text{Concat}(A, B) W``, a product of a text, a bracket and more, with the text
    and the bracket made the application ``\operatorname{Concat}(A, B)``."""
    if not isinstance(node, t.Product):
        return None
    factors = list(node.factors)
    for i, (word, paren) in enumerate(zip(factors, factors[1:], strict=False)):
        if not (isinstance(word, t.Text) and not word.math and isinstance(paren, t.Paren)):
            continue
        m = _TEXT_CONCAT.fullmatch(word.text.strip())
        if m is None or paren.open != "(":
            continue
        body = paren.body
        args = body.items if isinstance(body, t.List) else (body,) if body is not None else ()
        func = t.Func(m[1], start=word.start, end=word.end, from_macro=word.from_macro,
                      span=word.span)  # fmt: skip
        applied = t.Apply(func, tuple(args), True, start=word.start, end=paren.end,
                          from_macro=word.from_macro, span=(word.span[0], paren.span[1]))  # fmt: skip
        factors[i : i + 2] = [applied]
        if len(factors) == 1:
            return applied
        return replace(node, factors=tuple(factors))
    return None
