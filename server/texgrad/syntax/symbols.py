"""What symbol a syntax node names: the key declarations, definitions and values share.

A symbol is its name after macro expansion, with its accents (``\\hat{x}``), subscript
(``W_{1}``) or family tag (``W^{(l)}``); its font is kept apart, as a font alone does not
make a new symbol unless the document declares both (see ``SymbolTable.lookup``).
"""

from __future__ import annotations

import re

from texgrad.syntax import tree as t
from texgrad.syntax.commands import GREEK
from texgrad.syntax.show import show

# Fonts that make another letter: \mathcal{F} is not F (an augmented Jacobian beside F_k,
# the observability matrix \mathcal{O}), whereas \mathbf{x} is x written in bold.
LETTER_FONTS = frozenset({"mathcal", "mathscr", "mathfrak", "mathbb", "bbold", "EuScript", "euscr"})


def same_letter(font: str | None, other: str | None) -> bool:
    """Whether a letter written in ``font`` may stand for one written in ``other``."""
    return font == other or (font not in LETTER_FONTS and other not in LETTER_FONTS)


def tagged_key(base: str, bracket: str, label: str) -> str:
    """The key of a labelled member of a family, ``h^{(t)}``, ``a^{[l]}``, or of a name
    tag (no bracket): ``W^{Q}``."""
    close = {"(": ")", "[": "]"}.get(bracket, "")
    return f"{base}^{{{bracket}{label}{close}}}"


# the parts of a key written by :func:`~texgrad.syntax.show.show` that a reader would see
# as a tree: ``(Text '\\text{model}')`` of ``d_{\text{model}}``, ``(Func:out)`` of
# ``x_{\mathrm{out}}``
_SHOWN_TEXT = re.compile(r"\(Text '((?:[^'\\]|\\.)*)'\)")
_SHOWN_FUNC = re.compile(r"\(Func:(\w+)\)")


def key_text(key: str) -> str:
    r"""A symbol's key as a message quotes it: ``d_{\text{model}}``, not the key's
    ``d_{(Text '\\text{model}')}`` (keys stay as they are: they are identities)."""
    if "(" not in key:
        return key
    key = _SHOWN_TEXT.sub(lambda m: m[1].encode().decode("unicode_escape"), key)
    return _SHOWN_FUNC.sub(lambda m: f"\\mathrm{{{m[1]}}}", key)


def symbol_key(node: t.Node) -> tuple[str, str | None] | None:
    """The identity of a symbol node (key, font), or None if the node is not a symbol."""
    if isinstance(node, t.Symbol):
        if not (node.name[:1].isalpha() or node.name.startswith("\\")) or node.name.isdigit():
            return None
        key = node.name
        for accent in node.accents:
            key = f"\\{accent}{{{key}}}"
        return key, node.font
    if not isinstance(node, _COMPOUND):
        return None
    # (a subscript's key shows its index: asked of the same node again and again by both
    # passes and the derivatives' contexts, ~700,000 times in a 1 MB thesis, kept by node)
    hit = _KEYS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    found = _compound_key(node)
    if len(_KEYS) >= _KEYS_LIMIT:
        _KEYS.clear()
    _KEYS[id(node)] = (node, found)
    return found


_COMPOUND = (t.Sub, t.Tagged, t.Prime)
# symbol_key of compound nodes, by the node's id (with the node: an id is reused only once
# the node is gone, and the node kept is compared)
_KEYS: dict[int, tuple[t.Node, tuple[str, str | None] | None]] = {}
_KEYS_LIMIT = 100_000


def forget_keys() -> None:
    """Let go of the keys kept so far (a check starting: ``shapes.check``).  A node's key is
    asked again and again within one check and the derivative check after it, seldom after:
    kept on, the entries held their nodes — trees an edit has since moved or replaced —
    up to ``_KEYS_LIMIT`` of them (with every corpus file checked in process, 1.8 MB by
    ``getsizeof``; 152.2 -> 150.0 MB resident, ``benchmarks/memory_owners.py``)."""
    _KEYS.clear()


def _compound_key(node: t.Node) -> tuple[str, str | None] | None:
    if isinstance(node, t.Sub):
        base = symbol_key(node.base)
        if base is None:
            return None
        return f"{base[0]}_{{{show(node.index)}}}", base[1]
    if isinstance(node, t.Tagged):
        base = symbol_key(node.base)
        if base is None:
            return None
        return tagged_key(base[0], node.bracket, show(node.tag)), base[1]
    if isinstance(node, t.Prime):  # Z' declared itself (a second view): a name of its own
        base = symbol_key(node.base)
        if base is None:
            return None
        return base[0] + "'" * node.count, base[1]
    return None


# the fonts that make ``1`` the all-ones vector: ``\mathbf{1}``, ``\bm{1}``
_ONES_FONTS = frozenset({"mathbf", "bm", "boldsymbol", "pmb"})


def ones_key(node: t.Node) -> tuple[str, str | None] | None:
    r"""The key of ``\mathbf{1}`` (bold, unaccented), the all-ones vector a document may size
    ("$\mathbf{1} \in \mathbb{R}^N$", "$\mathbf{1}$ is the all-ones vector of length $N$");
    None for anything else (the number 1 is no symbol: :func:`symbol_key`)."""
    if isinstance(node, t.Symbol) and node.name == "1" and node.font in _ONES_FONTS:
        return None if node.accents else ("1", node.font)
    return None


# superscripts that mark an optimum (x^\star, P^\star); ``*`` and ``\ast`` an adjoint too (A^*)
OPTIMUM_MARKS = frozenset({"\\star", "*", "\\ast"})
# … and the marks of an estimate before and after a measurement (P_k^-, \hat{x}_k^+), which
# make a name where the document declares one so (else ``X^+`` is a pseudo-inverse)
NAME_MARKS = OPTIMUM_MARKS | {"-", "+"}

# A label of a member of a family: a letter and an offset (``l-1`` is ("l", -1)), or a
# number (None, 3).
Label = tuple[str | None, int]


def label_of(node: t.Node | None) -> Label | None:
    r"""A label as papers number the members of a family: a letter (``t``, ``L``, ``\ell``),
    the letter plus or minus a whole number (``t-1``, ``l+1``), or a number (``0``, ``12``);
    None for anything else (``2l``, ``i_1,i_2``, ``\text{enc}``)."""
    if isinstance(node, t.Number):
        return (None, int(node.text)) if node.text.isdigit() else None
    if isinstance(node, t.Symbol):
        plain = node.font is None and not node.accents
        name = node.name
        letter = len(name) == 1 and name.isalpha()
        greek = name.startswith("\\") and (name[1:] in GREEK or name == "\\ell")
        return (name, 0) if plain and (letter or greek) else None
    if isinstance(node, t.Add) and not node.trailing and node.signs[0] == "":
        head = label_of(node.terms[0])
        if head is None or head[0] is None:
            return None
        offset = 0
        for sign, term in zip(node.signs[1:], node.terms[1:], strict=True):
            if not (isinstance(term, t.Number) and term.text.isdigit()):
                return None
            offset += -int(term.text) if sign == "-" else int(term.text)
        return head[0], offset
    return None


def label_text(label: Label) -> str:
    """A label as a subscript writes it: ``l``, ``{l-1}``, ``1``, ``{12}``."""
    var, offset = label
    if var is None:
        text = str(offset)
    elif offset == 0:
        text = var
    else:
        text = f"{var}{'+' if offset > 0 else '-'}{abs(offset)}"
    return text if len(text) == 1 or (var is not None and offset == 0) else "{" + text + "}"


def member_key(node: t.Node) -> tuple[str, str | None] | None:
    """:func:`symbol_key`, and for ``W^{(l+1)}`` (a label with a sign, which the parser
    leaves a power) the key of that member of the family ``W^{(l)}`` — as declarations
    read what they declare, so that a member declared itself is found."""
    if isinstance(node, t.Power) and isinstance(node.exponent, t.Paren):
        label, bracket = node.exponent.body, node.exponent.open
        if bracket in ("(", "[") and label is not None and label_of(label) is not None:
            return symbol_key(t.Tagged(node.base, label, bracket))
    if isinstance(node, t.Power) and show(node.exponent) in NAME_MARKS:
        return symbol_key(t.Tagged(node.base, node.exponent, ""))  # x^\star \in …: a name
    return symbol_key(node)


def difference_key(node: t.Node) -> tuple[str, str | None] | None:
    r"""The key of a difference written with ``\Delta`` before a letter, ``\Delta\mathbf{y}_i``
    (a product as parsed: ``\Delta`` times ``\mathbf{y}_i``), where a text declares it as one
    name (``\Delta\mathbf{y}_i \in \mathbb{R}^{T-2}``): the letter's key marked (it holds a
    NUL, which no symbol's key does), and its font."""
    if not isinstance(node, t.Product) or len(node.factors) != 2:
        return None
    delta, letter = node.factors
    if not (isinstance(delta, t.Symbol) and delta.name == "\\Delta" and not delta.font):
        return None
    if delta.accents or not isinstance(letter, (t.Symbol, t.Sub)):
        return None
    key = symbol_key(letter)
    return None if key is None else ("\0\\Delta " + key[0], key[1])
