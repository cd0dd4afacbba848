r"""The document's notation, learnt from its trees: what the engine prints in.

A :class:`~texgrad.calculus.printing.Style` is learnt from the rows of a checked
document: its first transpose mark (``^\top``, ``^T``, ``'``), its spelling of each
function (``\operatorname{Tr}``, a macro ``\tr``) and of each symbol (``\mathbf{x}``,
``\vx``).  What each row taught is kept by the row's key, relative to where it starts,
with the text it read: after an edit, only rows whose text changed are walked again.
(:mod:`~texgrad.calculus.context` keeps the learnt style once per checked document.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from texgrad.calculus.printing import Style
from texgrad.calculus.written import is_zero_literal, max_arguments, primed_among, upright_name
from texgrad.shapes.check import CheckResult
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import member_key, symbol_key


def document_style(result: CheckResult) -> Style:
    """The notation of the whole document, walking only rows not kept from the last check.

    The same as one :func:`learn_style` over every row, in order, but each row's part
    is kept (by the row's key, relative to where it starts, with the text it read) for
    the next check of the document: after an edit, only rows whose text changed are
    walked again, and the others' trees are not even moved to where they now are."""
    text = result.doc.text
    before = _taught.pop(result.path, {})
    now: dict[Hashable, _Taught] = {}
    style = Style()
    seen_mark = False
    for row in result.rows:
        if not row.parsed:
            continue
        hit = before.get(row.key) if row.key is not None else None
        if hit is None and row.key is not None:
            hit = now.get(row.key)  # (a row written again: what it taught, if read alike)
        if hit is not None and hit.still(text, row.start):
            taught = hit
        else:
            assert row.tree is not None
            taught = taught_by(row.tree, text, row.start)
        if taught.start is not None and row.key is not None:
            now[row.key] = taught
        if taught.transpose is not None and not seen_mark:
            style.transpose = taught.transpose
            seen_mark = True
        if taught.bare_norm:
            style.vector_norm = ""
        for name, spelled in taught.names:
            style.names.setdefault(name, spelled)
        for key, spelled in taught.symbols:
            style.symbols.setdefault(key, spelled)
    _taught[result.path] = now
    while len(_taught) > 16:
        del _taught[next(iter(_taught))]
    return style


@dataclass(frozen=True, slots=True)
class _Taught:
    """What one row teaches about notation (the first mark and spellings in it, as
    (name, spelling) pairs in order: kept for every row of every open document, tuples
    take a third of the memory of dicts), and the source text its spellings were read
    from, relative to the row's start (``start`` None: read outside the text, not to be
    kept)."""

    transpose: str | None
    names: tuple[tuple[str, str], ...]
    symbols: tuple[tuple[str, str], ...]
    start: int | None
    read: str
    bare_norm: bool = False  # a norm written with no subscript (\|x\|^2)

    def still(self, text: str, base: int) -> bool:
        if self.start is None:
            return False
        at = base + self.start
        return text[at : at + len(self.read)] == self.read


# per document path: what each row taught at the last check (by the row's key)
_taught: dict[str, dict[Hashable, _Taught]] = {}


def taught_by(tree: t.Node, text: str, base: int) -> _Taught:
    probe = Style(transpose="")
    span = [len(text), 0, 0]
    learn_style(probe, [tree], text, span=span)
    lo, hi, outside = span
    lo = min(lo, hi)
    start, read = (None, "") if outside else (lo - base, text[lo:hi])
    bare = probe.vector_norm == ""
    names = _alike(tuple(map(_alike, probe.names.items())))
    symbols = _alike(tuple(map(_alike, probe.symbols.items())))
    return _alike(_Taught(probe.transpose or None, names, symbols, start, read, bare))


# What rows teach is mostly alike (the same spellings, read from the same text at the same
# place in rows that differ elsewhere): one object for equal values, as for equal runs in
# shapes/check.py (a third of what _taught keeps for the corpus, issue 17).  Bounded: past
# the limit it starts again (sharing saves memory, it decides nothing).
_ALIKE: dict[object, object] = {}
_ALIKE_LIMIT = 50_000
_V = TypeVar("_V")


def _alike(value: _V) -> _V:
    if len(_ALIKE) > _ALIKE_LIMIT:
        _ALIKE.clear()
    return _ALIKE.setdefault(value, value)  # type: ignore[return-value]


def copy_style(style: Style) -> Style:
    return replace(style, names=dict(style.names), symbols=dict(style.symbols))


_MARKS = {"T": "^T", "\\top": "^\\top", "\\intercal": "^\\intercal", "\\mathsf{T}": "^{\\mathsf{T}}",
          "\\mathrm{T}": "^{\\mathrm{T}}", "\\mathsf T": "^{\\mathsf{T}}"}  # fmt: skip


def _primed_parameters(nodes: list[t.Node]) -> set[str]:
    r"""The keys of primed letters a function is written of, alone (``\mathcal{L}(\boldsymbol
    \theta')``, also where the parser read the call as a product), or declared
    (``\boldsymbol\theta' \in \mathbb{R}^p``): names of points of their own, not
    transposes."""
    found: set[str] = set()
    for n in nodes:
        arg: t.Node | None = None
        if isinstance(n, t.Chain) and n.relations[:1] in (("\\in",), ("∈",)):
            arg = n.items[0]  # θ' ∈ ℝᵖ: a letter declared
        elif isinstance(n, t.Apply) and len(n.args) == 1:
            arg = n.args[0]
        elif (
            isinstance(n, t.Product)
            and len(n.factors) == 2
            and isinstance(n.factors[0], (t.Symbol, t.Font))
            and isinstance(n.factors[1], t.Paren)
            and n.factors[1].open == "("
            and n.factors[0].end == n.factors[1].start
        ):
            arg = n.factors[1].body
        if isinstance(arg, t.Prime) and (k := symbol_key(arg)) is not None:
            found.add(k[0])
    return found


def learn_style(
    style: Style,
    trees: list[t.Node],
    text: str,
    override: bool = False,
    span: list[int] | None = None,
) -> None:
    """The notation the trees use: the first transpose mark, the first spelling of each
    function and symbol (or the last ones, with ``override``).  ``span`` (lowest start,
    highest end, 1 if a range fell outside the text) is widened to what was read."""
    seen_mark = False
    nodes = [node for tree in trees for node in tree.walk()]  # (walked once, looked at thrice)
    named = primed_among(nodes)  # k(x, x'): x' a second point, not a transpose mark
    named |= _primed_parameters(nodes)  # \mathcal{L}(\boldsymbol\theta'): a point of its own
    # S'(A), \sigma'(z): a function's name or derivative, not a transpose mark
    applied = {id(n.func) for n in nodes if isinstance(n, t.Apply) and isinstance(n.func, t.Prime)}
    applied |= {
        id(a) for n in nodes if isinstance(n, t.Product)
        for a, b in zip(n.factors, n.factors[1:], strict=False)
        if isinstance(a, t.Prime) and isinstance(a.base, t.Symbol) and isinstance(b, t.Paren)
        and b.open.endswith("(") and a.end == b.start
    }  # fmt: skip
    bare = any(isinstance(n, t.Norm) and n.p is None for n in nodes)
    style.vector_norm = "" if bare else style.vector_norm  # \|x\|^2 as written
    # the plain y of an entry y_j spells no vector: \mathbf{y} stays as declared
    bases = {
        id(n.base) for n in nodes
        if isinstance(n, t.Sub) and isinstance(n.base, t.Symbol) and n.base.font is None
    }  # fmt: skip
    # the plain θ of h_\theta labels a function, it spells no variable: \bm\theta stays as
    # the row writes it elsewhere
    labels = {
        id(n.index) for n in nodes
        if isinstance(n, t.Sub) and isinstance(n.index, t.Symbol) and n.index.font is None
        and not n.index.accents
    }  # fmt: skip
    for node in nodes:
        if id(node) in labels:
            continue
        _upright(style, node, text, override)  # \mathrm{KL}, \text{loss}: a quantity's name
        if isinstance(node, t.Apply) and (override or "relu" not in style.names):
            _relu_as_written(style, node, text)
        if isinstance(node, t.Transpose) and not node.conjugate and not seen_mark:
            mark = _MARKS.get(node.mark)
            if mark is not None:
                style.transpose = _transpose_macro(node, text) or mark
                seen_mark = True
        elif isinstance(node, t.Prime) and (k := symbol_key(node)) is not None and k[0] in named:
            _spelling(style, k[0], node, text, override, span)  # k(x, x'): a second point
        elif isinstance(node, t.Prime) and not seen_mark and id(node) not in applied:
            style.transpose = "'"
            seen_mark = True
        elif isinstance(node, t.Func):
            spelled = text[node.start : node.end] if node.end <= len(text) else ""
            if span is not None:
                _widen(span, node, text)
            name = {"Tr": "tr", "trace": "tr", "Trace": "tr", "ln": "log"}.get(node.name, node.name)
            if (
                spelled
                and (override or name not in style.names)
                and node.sub is None
                and node.sup is None
            ):
                if name == "log" and node.name == "ln":
                    spelled = spelled if spelled.startswith("\\") else "\\ln"
                style.names[name] = spelled.strip()
        elif isinstance(node, (t.Symbol, t.Sub, t.Tagged, t.Power)):  # W_{hh}, W^{(l+1)}
            _sized_ones_spelling(style, node, text, override, span)  # \mathbf 1_n as written
            k = member_key(node)
            if k is not None and id(node) not in bases:
                _spelling(style, k[0], node, text, override, span)


# the logistic sigmoid as a function a document writes: \sigma(…), \operatorname{sigmoid}(…)
_SIGMOID_WRITTEN = re.compile(
    r"\\sigma\s*'?\s*(?:\\(?:left|bigl?|Bigl?)\s*)?\(|sigm(?:oid)?\b"
    r"|\\operatorname\s*\{\s*(?:expit|logistic)"
)


def logistic_as_written(style: Style, text: str) -> Style:
    r"""``style`` for a fix or a finding of a document that never writes the logistic
    sigmoid as a function (no ``\sigma(…)``, no "sigmoid") but spells it out, ``1 +
    e^{…}``: the engine's σ of a number printed ``\frac{1}{1 + e^{-t}}`` (``ARG`` marks
    where its argument goes), with ``\exp`` where the document writes it; ``style`` itself
    elsewhere.  (Not for ``texgrad diff`` and derivations, where σ is the textbook's word.)"""
    spelled = _logistic_spelling(text)
    if spelled is None or "sigma" in style.names:
        return style
    style = copy_style(style)
    style.names["sigma"] = spelled
    return style


@functools.lru_cache(maxsize=8)
def _logistic_spelling(text: str) -> str | None:
    """How ``text`` spells the logistic function out, or None (it writes σ, or no logistic
    of its own: σ stays the engine's name).  (Read once per text: every claim asks.)"""
    if _SIGMOID_WRITTEN.search(text) or not re.search(r"1\s*\+\s*(?:e\s*\^|\\exp\b)", text):
        return None
    spelled = re.search(r"\\exp\b", text) and not re.search(r"(?<![\\\w])e\s*\^", text)
    exp = "\\exp(-ARG)" if spelled else "e^{-ARG}"  # (as the document writes exp)
    return f"\\frac{{1}}{{1 + {exp}}}"


def _relu_as_written(style: Style, node: t.Apply, text: str) -> None:
    r"""``\max(0, z)``, ``\max\{0, z\}`` or ``\max(z, 0)`` as the row writes relu: the
    engine's relu printed so (``ARG`` marks where its argument goes)."""
    f = node.func
    if not (isinstance(f, t.Func) and f.name == "max" and f.sub is None and f.sup is None):
        return
    args = max_arguments(node)
    if len(args) != 2 or not any(is_zero_literal(a) for a in args) or f.end > len(text):
        return
    name = text[f.start : f.end].strip() or "\\max"
    braces = len(node.args) == 1  # \max\{0, z\}
    first = "0, ARG" if is_zero_literal(args[0]) else "ARG, 0"
    style.names["relu"] = f"{name}\\{{{first}\\}}" if braces else f"{name}({first})"


def _sized_ones_spelling(
    style: Style, node: t.Node, text: str, override: bool, span: list[int] | None
) -> None:
    r"""``\mathbf 1_n``, ``\mathbf{1}_{N}``, ``\mathbb 1_n``, a ones vector with its size, as
    written (under the key ``1_{n}``: the printer's, as ``I_{n}`` is the identity's)."""
    if not isinstance(node, t.Sub) or not isinstance(node.base, t.Symbol):
        return
    index = symbol_key(node.index)
    if node.base.name == "1" and node.base.font and index is not None and index[1] is None:
        if _ONES_WRITTEN.match(text, node.start, node.end):  # (not a macro's: \one_n)
            _spelling(style, f"1_{{{index[0]}}}", node, text, override, span)


_ONES_WRITTEN = re.compile(r"\\(?:mathbf|bm|boldsymbol|mathbb)\s*(?:1|\{\s*1\s*\})\s*_")


def _spelling(
    style: Style, key: str, node: t.Node, text: str, override: bool, span: list[int] | None
) -> None:
    """A symbol's spelling as written, the first (or with ``override`` the last) one."""
    if not override and key in style.symbols:
        return
    spelled = text[node.start : node.end] if node.end <= len(text) else ""
    if span is not None:
        _widen(span, node, text)
    while spelled.startswith("{") and spelled.endswith("}"):
        spelled = spelled[1:-1].strip()
    if spelled.count("{") != spelled.count("}"):
        return  # W^{(l) of W^{(l)\mathsf{T}}: a tag whose group holds a transpose too
    if spelled and len(spelled) < 40:
        style.symbols[key] = spelled


def _upright(style: Style, node: t.Node, text: str, override: bool) -> None:
    r"""A quantity's name in upright letters (``\mathrm{KL}``, ``\text{loss}``), printed as
    written where the engine names a quantity by it."""
    if not isinstance(node, (t.Func, t.Text)):
        return
    name = upright_name(node)
    spelled = text[node.start : node.end] if node.end <= len(text) else ""
    if name is not None and spelled.strip() and (override or name not in style.symbols):
        style.symbols[name] = spelled.strip()


def _widen(span: list[int], node: t.Node, text: str) -> None:
    span[0] = min(span[0], node.start)
    span[1] = max(span[1], node.end)
    if node.end > len(text) or node.start < 0:
        span[2] = 1


def _transpose_macro(node: t.Transpose, text: str) -> str | None:
    r"""``\T`` where the document writes its transposes with a macro of its own
    (``\newcommand{\T}{^{\mathsf{T}}}``, ``X\T X``): the result is then written with it too;
    None where the mark is written out."""
    if not node.from_macro or not 0 <= node.base.end <= node.end <= len(text):
        return None
    spelled = text[node.base.end : node.end].strip()  # \T, or ^\T of \newcommand{\T}{\top}
    return spelled if re.fullmatch(r"(?:\^\s*)?\\[A-Za-z]+", spelled) else None


SIGMOID_APART = "\\operatorname{sigmoid}"


def sigmoid_apart(style: Style, names: Iterable[str]) -> Style:
    r"""``style`` with the logistic function spelt ``\operatorname{sigmoid}`` where the
    document uses σ as a symbol of its own (a noise scale ``\sigma > 0``, spreads
    ``\boldsymbol\sigma``, ``\sigma_j``) and never as a function: ``\sigma(\sigma + w^\top
    x)`` would read as σ times a sum, in the result and when it is read back.  ``names``:
    the keys of the document's symbols; a style that already spells the function is kept."""
    if "sigma" in style.names:
        return style
    if not any(k == "\\sigma" or k.startswith("\\sigma_") for k in names):
        return style
    return replace(style, names={**style.names, "sigma": SIGMOID_APART})
