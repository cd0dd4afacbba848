r"""Where and how a differentiation result is written into a document.

Right after the math it came from, in the document's own style: a new row of an
``align``; after a LaTeX display a new ``equation*`` (after an environment) or
``\[ … \]``; after Markdown display math a new ``$$ … $$`` block; after inline
math an inline ``$…$``.  The derivation goes in an ``align*`` (LaTeX) or a
``$$\begin{aligned} … \end{aligned}$$`` block (Markdown); NumPy code in a fenced
``python`` block (Markdown).  Left-hand sides are
``\nabla_x f`` or ``\frac{\partial f}{\partial x}`` as the document or the
setting prefers.

Pure: text and offsets in, an offset and the text to insert there out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from texgrad.reading.regions import ROW_ENVIRONMENTS, MathRegion

# row environments whose rows are separate equations (multline and split are one equation)
_ROWS = ROW_ENVIRONMENTS - {"multline", "multline*", "split", "multlined"}


@dataclass(frozen=True, slots=True)
class Insertion:
    offset: int
    text: str


def notation_of(text: str, setting: str = "auto") -> str:
    """``nabla`` or ``partial``: the setting, or what the document writes most."""
    if setting in ("nabla", "partial"):
        return setting
    nabla = len(re.findall(r"\\nabla(?![a-zA-Z])", text))
    partial = len(re.findall(r"\\frac\s*\{\s*\\partial", text))
    return "partial" if partial > nabla else "nabla"


def _sub(wrt: str) -> str:
    return wrt if len(wrt) == 1 else "{" + wrt + "}"


def _differential_mark(rhs: str) -> str:
    m = re.search(r"\\(?:mathrm|operatorname|text)\{d\}|\\mathop\{\}\\!\\mathrm\{d\}|\\,d", rhs)
    return m.group(0) if m else "\\mathrm{d}"


# a differential's mark as documents write it (\mathrm d X, \mathrm{d}X, \operatorname{d}X, …)
_D_MARK = re.compile(
    r"\\mathop\{\}\\!\\mathrm\{d\}|\\(?:mathrm|operatorname|text|mathit|textrm)\s*\{\s*d\s*\}"
    r"|\\mathrm\s+d"
)


def differential_spelling(written: str) -> str | None:
    r"""The first differential mark ``written`` (a document's row, or its text) spells, in
    one form: ``\mathrm d`` (``\mathrm dX``), ``\mathrm{d}``, ``\operatorname{d}``, …; None
    where it writes none so."""
    m = _D_MARK.search(written)
    if m is None:
        return None
    mark = m.group(0)
    if mark.startswith("\\mathop"):
        return mark
    return re.sub(r"\s*\{\s*d\s*\}", "{d}", mark) if "{" in mark else "\\mathrm d"


# a macro the document defines as a differential's mark: \newcommand{\dd}{\mathrm{d}},
# \def\dd{\mathrm d}, \DeclareMathOperator{\dd}{d}
_D_MACRO = re.compile(
    r"\\(?:(?:re|provide)?newcommand\*?\s*\{?\s*\\([A-Za-z]+)\s*\}?|def\s*\\([A-Za-z]+))"
    r"\s*\{\s*(" + _D_MARK.pattern + r")\s*\}"
    r"|\\DeclareMathOperator\s*\{\s*\\([A-Za-z]+)\s*\}\s*\{\s*d\s*\}"
)


def macro_differential(row: str, text: str) -> str | None:
    r"""The document's own macro for a differential's mark (``\dd`` of
    ``\newcommand{\dd}{\mathrm{d}}``) where ``row`` writes it; None else."""
    if "\\" not in row:
        return None
    for m in _D_MACRO.finditer(text):
        name = "\\" + (m[1] or m[2] or m[4])
        if re.search(re.escape(name) + r"(?![A-Za-z])", row):
            return name
    return None


def spelled_as(latex: str, spelling: str | None) -> str:
    r"""The engine's ``latex`` with its ``\mathrm{d}`` spelled ``spelling`` (the document's:
    :func:`differential_spelling`), so that a quick fix reads like the row it replaces."""
    if spelling is None or spelling == "\\mathrm{d}":
        return latex
    if spelling == "\\mathrm d":  # \mathrm dX: one token taken, as \mathrm{d}X
        return re.sub(r"\\mathrm\{d\}(?=\S)", lambda _: "\\mathrm d", latex)
    if re.fullmatch(r"\\[A-Za-z]+", spelling) and not _D_MARK.match(spelling):
        # the document's macro (\dd): a space before a letter (\dd X, not \ddX)
        return re.sub(
            r"\\mathrm\{d\}([A-Za-z])?", lambda m: spelling + (f" {m[1]}" if m[1] else ""), latex
        )
    return latex.replace("\\mathrm{d}", spelling)


def left_side(kind: str, function: str, wrt: str, notation: str, rhs: str = "") -> str:
    """The left-hand side for a result of ``kind`` (gradient, jacobian, derivative,
    matrix, hessian) of ``function`` (LaTeX) with respect to ``wrt`` (as written)."""
    f = function
    if kind == "gradient":
        if notation == "partial":
            return f"\\frac{{\\partial {f}}}{{\\partial {wrt}}}"
        return f"\\nabla_{_sub(wrt)} {f}"
    if kind == "hessian":
        if notation == "partial":
            return f"\\frac{{\\partial^2 {f}}}{{\\partial {wrt} \\, \\partial {wrt}^\\top}}"
        return f"\\nabla^2_{_sub(wrt)} {f}"
    if kind in ("jacobian", "derivative"):
        return f"\\frac{{\\partial {f}}}{{\\partial {wrt}}}"
    d = _differential_mark(rhs)
    if re.fullmatch(r"\\?[A-Za-z]+(?:_\{?\w+\}?)?", f):
        return f"{d} {f}"
    return f"{d}{f}" if _in_parentheses(f) else f"{d}\\left({f}\\right)"


def _in_parentheses(latex: str) -> bool:
    """Is ``latex`` one ``\\left( … \\right)`` group (as ``function_label`` writes an
    expression): the differential of it needs no second pair."""
    if not (latex.startswith("\\left(") and latex.endswith("\\right)")):
        return False
    depth = 0
    for m in re.finditer(r"\\(left|right)(?![A-Za-z])", latex):
        depth += 1 if m.group(1) == "left" else -1
        if depth == 0:
            return m.end() == len(latex) - 1  # (its ")")
    return False


def function_label(name: str, head: str, expression: str) -> str:
    """What the result is the derivative of: the function's name (``f``), the defined
    symbol (``L`` of ``L = …``), else the expression in parentheses."""
    if name:
        return name
    if head:
        return head
    return f"\\left({expression}\\right)"


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, offset) + 1
    b = text.find("\n", offset)
    return a, (b if b >= 0 else len(text))


def _indent(text: str, offset: int) -> str:
    a, _ = _line_bounds(text, offset)
    m = re.match(r"[ \t>]*", text[a:])
    return m.group(0) if m else ""


def _after_display(text: str, region: MathRegion) -> tuple[int, str]:
    """Where a block after a display goes: after trailing punctuation on the region's
    last line, then a line break.  Returns (offset, suffix to close the insertion)."""
    end = region.end
    m = re.match(r"[ \t]*[.,;:]?[ \t]*(?=\r?\n|$)", text[end:])
    if m:
        return end + len(m.group(0).rstrip(" \t")), ""
    return end, "\n"


def result_insertion(
    text: str, fmt: str, region: MathRegion, row_start: int, row_end: int, line: str
) -> Insertion:
    """Insert the equation ``line`` (``lhs = rhs``) after the math of ``region``."""
    indent = _indent(text, region.start)
    env = region.kind if region.delimiter == "\\begin" else ""
    if env in _ROWS and region.start <= row_end <= region.end:
        row_indent = _indent(text, row_start)
        row_text = text[row_start:row_end]
        eq = line.replace(" = ", " &= ", 1) if "&" in row_text else line
        return Insertion(row_end, f" \\\\\n{row_indent}{eq}")
    if not region.display:
        if region.delimiter == "\\(":
            return Insertion(region.end, f" \\({line}\\)")
        return Insertion(region.end, f" ${line}$")
    at, close = _after_display(text, region)
    if fmt == "markdown":
        if region.delimiter.startswith(("```", "~~~")):
            fence = region.delimiter
            block = f"{fence}\n{indent}{line}\n{indent}{fence[:3]}"
        else:
            block = f"$$\n{indent}{line}\n{indent}$$"
        return Insertion(at, f"\n\n{indent}{block}{close}")
    if region.delimiter == "\\begin":
        block = f"\\begin{{equation*}}\n{indent}  {line}\n{indent}\\end{{equation*}}"
    else:
        block = f"\\[\n{indent}  {line}\n{indent}\\]"
    return Insertion(at, f"\n{indent}{block}{close}")


def derivation_insertion(text: str, fmt: str, region: MathRegion, steps: list[str]) -> Insertion:
    """Insert the derivation ``steps`` (LaTeX lines) as a block after ``region``."""
    indent = _indent(text, region.start)
    rows = [_aligned(s) for s in steps]
    body = f" \\\\\n{indent}  ".join(rows)
    if region.display:
        at, close = _after_display(text, region)
    else:
        at, close = _line_bounds(text, region.end)[1], ""
    if fmt == "markdown":
        block = f"$$\n{indent}\\begin{{aligned}}\n{indent}  {body}\n{indent}\\end{{aligned}}\n{indent}$$"
        return Insertion(at, f"\n\n{indent}{block}{close}")
    block = f"\\begin{{align*}}\n{indent}  {body}\n{indent}\\end{{align*}}"
    return Insertion(at, f"\n{indent}{block}{close}")


def code_insertion(text: str, region: MathRegion, code: str) -> Insertion:
    """Insert ``code`` (NumPy) as a fenced ``python`` block after the math of ``region``
    (a Markdown document), indented as the math is (in a list or a quote)."""
    indent = _indent(text, region.start)
    if region.display:
        at, close = _after_display(text, region)
    else:
        at, close = _line_bounds(text, region.end)[1], ""
    body = "".join(
        f"{indent}{line}\n" if line else f"{indent.rstrip()}\n" for line in code.splitlines()
    )
    return Insertion(at, f"\n\n{indent}```python\n{body}{indent}```{close}")


def _aligned(step: str) -> str:
    """A step with its first relation aligned (``&=``)."""
    if "&" in step:
        return step
    m = re.search(r"(?<![<>!\\])=", step)
    if m is None:
        return step
    return step[: m.start()] + "&" + step[m.start() :]
