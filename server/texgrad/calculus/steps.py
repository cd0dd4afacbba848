r"""The words of a derivation: the function's own name, the rules each step uses, and the
identification that reads the result off.

A derivation (:mod:`~texgrad.calculus.derive`) is a list of LaTeX lines.  Here is what
makes them readable as a textbook's: the function keeps the name the row gives it
(``\mathcal{L}(\mathbf{w}) = …`` is ``\mathrm{d}\mathcal{L}``, ``\nabla_{\mathbf{w}}
\mathcal{L}``; ``f`` only where the row names none), each step names its rules (the
product rule, Jacobi's formula, the chain rule with what it chains, the cyclic property of
the trace, the identification ``\mathrm{d}f = \operatorname{tr}(G^\top \mathrm{d}X)
\Rightarrow \nabla_X f = G``), the differential has one spelling (the document's), and no
line repeats the one before it.

Pure: strings and the engine's expressions; no document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

if TYPE_CHECKING:  # (the engine, and sympy, load after the server has started)
    from texgrad.calculus.expr import Expr
    from texgrad.calculus.printing import Style

ANNOTATION = " \\quad \\text{("
_LONG = 48  # a chained argument longer than this (printed) is not repeated in the note
_OUTER = {"abs": "|\\cdot|", "sqrt": "\\sqrt{\\cdot}"}


def own_name(tree: t.Node | None, style: Style, taken: Iterable[str] = ()) -> str:
    r"""The name the row gives what it differentiates: ``\mathcal{L}`` of
    ``\mathcal{L}(\mathbf{w}) = …``, ``L`` of ``L = …``; where it gives none, ``f`` — or
    another letter where ``f`` is one of the row's or the document's (``taken``): the right
    side of ``\nabla_{\mathbf x} f = A^\top(A\mathbf x - \mathbf b)`` is not ``f``."""
    if not isinstance(tree, t.Chain) or not tree.relations or tree.relations[0] not in ("=", ":="):
        return unnamed(tree, taken)
    if len(tree.items) < 2:
        return unnamed(tree, taken)
    head = tree.items[0]
    if isinstance(head, t.Apply):
        head = head.func
    key = symbol_key(head) if head is not None else None
    if key is None:
        return unnamed(tree, taken)
    return style.symbols.get(key[0], key[0])


_UNNAMED = ("f", "g", "h", "\\phi", "\\psi", "F")


def unnamed(tree: t.Node | None, taken: Iterable[str] = ()) -> str:
    """A name for an expression the row does not name: ``f``, else the first of ``g``,
    ``h``, ``\\phi``, … that neither the row (``tree``) nor ``taken`` uses."""
    used = set(taken)
    if tree is not None:
        used |= {k[0] for n in tree.walk() if (k := symbol_key(n)) is not None}
    return next((name for name in _UNNAMED if name not in used), "f")


def respell(text: str, style: Style) -> str:
    r"""``text`` (a rule written with ``\mathrm{d}``) in the document's differential."""
    d = style.differential
    return text if d == "\\mathrm{d}" else text.replace("\\mathrm{d}", d)


def rules_note(
    rules: list[str], chains: list[tuple[str, Expr]], style: Style, show: Callable[[Expr], str]
) -> str:
    r"""`` \quad \text{(product rule; chain rule ($\log$ of $\mathbf{a}^\top\mathbf{x}$))}``
    for the rules a differential was taken by ("" for none)."""
    named = []
    for rule in rules:
        if rule == "chain rule" and chains:
            rule = (
                "chain rule (" + ", ".join(_chained(fn, x, style, show) for fn, x in chains) + ")"
            )
        elif "$" not in rule and ("\\" in rule or "(" in rule):
            rule = f"${rule}$"
        named.append(respell(rule, style))
    return f"{ANNOTATION}{'; '.join(named)})}}" if named else ""


def _chained(fn: str, x: Expr, style: Style, show: Callable[[Expr], str]) -> str:
    outer = _OUTER.get(fn, style.op(fn).replace("ARG", "\\cdot"))  # (σ, relu as written)
    inner = show(x)
    return f"${outer}$ of ${inner}$" if len(inner) <= _LONG else f"${outer}$ of its argument"


def note(words: str) -> str:
    r"""`` \quad \text{(words)}``: a step's reason, after its math."""
    return f"{ANNOTATION}{words})}}"


def math_of(line: str) -> str:
    """A line without its note: what it says."""
    i = line.find(ANNOTATION)
    return line if i < 0 else line[:i]


def repeats(steps: list[str], line: str) -> bool:
    """Whether ``line`` says what the last step already says: the same line, or a
    continuation ``\\phantom{df} = X`` after ``… = X``."""
    if not steps:
        return False
    last, new = math_of(steps[-1]).rstrip(), math_of(line).rstrip()
    if last == new:
        return True
    head, _, said = new.partition(" = ")  # a continuation (\phantom{df} = …) saying it again
    return head.startswith("\\phantom{") and bool(said) and last.endswith(f"= {said}")


def identification(kind: str, name: str, wrt: str, matrix: bool, style: Style) -> str:
    r"""The note on the line that reads the result off the differential:
    ``\mathrm{d}f = \operatorname{tr}(G^\top \mathrm{d}X) \Rightarrow \nabla_X f = G``."""
    d, top = style.differential, style.transpose
    sub = wrt if len(wrt) == 1 else "{" + wrt + "}"
    if kind == "gradient":
        if matrix:
            g = _placeholder("G", name, wrt)
            pair = f"{style.op('tr')}({g}{top} {d}{wrt})"
            return note(
                f"identification: ${d}{name} = {pair} \\Rightarrow \\nabla_{sub} {name} = {g}$"
            )
        g = _placeholder("g", name, wrt)
        return note(
            f"identification: ${d}{name} = {g}{top} {d}{wrt} \\Rightarrow \\nabla_{sub} {name} = {g}$"
        )
    if kind == "jacobian":
        j = _placeholder("J", name, wrt)
        frac = f"\\frac{{\\partial {name}}}{{\\partial {wrt}}}"
        return note(f"identification: ${d}{name} = {j}\\, {d}{wrt} \\Rightarrow {frac} = {j}$")
    if kind == "hessian":
        h = _placeholder("H", name, wrt)
        return note(
            f"identification: ${d}(\\nabla_{sub} {name}) = {h}\\, {d}{wrt} \\Rightarrow "
            f"\\nabla^2_{sub} {name} = {h}$"
        )
    return ""


def _placeholder(letter: str, *taken: str) -> str:
    """The letter that stands for the derivative in the identification, another one where
    the function or the variable is called so (``g`` of ``\\nabla g = g`` would read wrong)."""
    others = ("v", "u", "w") if letter.islower() else ("M", "K", "Q")
    for candidate in (letter, *others):
        if all(candidate != name.strip() for name in taken):
            return candidate
    return letter


def as_markdown(title: str, steps: list[str], status: str, preamble: str = "") -> str:
    r"""A derivation to display (rendered: VS Code's Markdown preview): a heading, the steps
    in one ``aligned`` block (each step's relation aligned, its note in a column of its
    own) and whether the result was verified.  ``preamble``: definitions of the document's
    macros the steps use (``\def\vx{\mathbf{x}}``), first in the block, for a renderer
    that has not read the document."""
    rows = []
    for step in steps:
        math, words = math_of(step), step[len(math_of(step)) :]
        if math.startswith("\\phantom{"):  # aligned: the relation stands under the one above
            math = math[_closing(math, len("\\phantom")) + 1 :].lstrip()
        row = _aligned(math)
        if words:
            row += " && " + words.removeprefix(" \\quad ").strip()
        rows.append(row)
    body = " \\\\\n".join(rows)
    first = f"{preamble}\n" if preamble else ""
    return (
        f"### {title}\n\n$$\n{first}\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n$$\n\n{status}\n"
    )


def as_text(title: str, steps: list[str], status: str) -> str:
    """A derivation to display as plain text (a message): one step a line, LaTeX as the
    document writes it, each note on a line of its own below its step."""
    lines = [title, ""]
    for step in steps:
        math = math_of(step)
        if math.startswith("\\phantom{"):
            math = "    " + math[_closing(math, len("\\phantom")) + 1 :].lstrip()
        lines.append("  " + math)
        words = step[len(math_of(step)) :].removeprefix(ANNOTATION)
        if words:
            lines.append("        (" + words.removesuffix(")}").removesuffix("}") + ")")
    lines += ["", status]
    return "\n".join(lines) + "\n"


def _closing(text: str, brace: int) -> int:
    """The index of the ``}`` closing the ``{`` at ``brace``."""
    depth = 0
    for i in range(brace, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return len(text) - 1


def _aligned(math: str) -> str:
    """``a &= b``: the first relation of a step aligned."""
    if "&" in math:
        return math
    if math.startswith("= "):
        return "&" + math
    i = math.find(" = ")
    return math if i < 0 else f"{math[:i]} &= {math[i + 3 :]}"
