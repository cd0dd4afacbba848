r"""Macros of system packages that documents load for calculus notation.

``\usepackage{physics}`` gives ``\pdv{f}{x}``, ``\grad``, ``\norm{x}``, ``\qty(…)``,
``\dd``, ``\vb{x}`` and ``\mqty(…)``; ``derivative``, ``diffcoeff``, ``esdiff`` and
``commath`` give their own derivative commands.  Such a document never defines them
itself, so without this table its math would read as unknown commands and every
derivative it writes with them would go unchecked.

Each command is written as what it typesets, in plain LaTeX, as a user's
``\newcommand`` would be.  Most of them take a variable number of arguments
(``\pdv{x}`` is the operator ∂/∂x, ``\pdv{f}{x}`` the derivative, ``\pdv[2]{f}{x}``
the second one), so a command has one body per *form*, keyed by what follows it at
the call (see :data:`texgrad.reading.macros.Macro.forms`):

- ``"N"``: N braced arguments; ``"*N"``: a star, then N; ``"oN"``: an optional
  ``[…]`` argument first (``#1``), then N;
- ``"("``, ``"["``, ``"|"``: one argument closed by the matching delimiter
  (``\mqty(a & b \\ c & d)``).

A document's own definition of the same name, made after the package is loaded,
replaces the package's (definitions are merged in reading order).
"""

from __future__ import annotations

from collections.abc import Iterator

from texgrad.reading.macros import Macro

_D = r"\mathrm{d}"
_P = r"\partial"


def _derivative(d: str, mixed: bool = False, operator: bool = True) -> dict[str, str]:
    """The forms of a derivative command whose differential is ``d``."""
    forms = {
        "2": rf"\frac{{{d} #1}}{{{d} #2}}",
        "o2": rf"\frac{{{d}^{{#1}} #2}}{{{d} #3^{{#1}}}}",
    }
    if operator:
        forms["1"] = rf"\frac{{{d}}}{{{d} #1}}"
        forms["o1"] = rf"\frac{{{d}^{{#1}}}}{{{d} #2^{{#1}}}}"
    if mixed:
        forms["3"] = rf"\frac{{{d}^{{2}} #1}}{{{d} #2 {d} #3}}"
    for key in list(forms):  # a starred form changes only how it is typeset
        forms["*" + key] = forms[key]
    return forms


def _same(body: str, nargs: int = 0) -> dict[str, str]:
    """A command with one form (and its starred variant)."""
    return {str(nargs): body, f"*{nargs}": body}


_NORM = _same(r"\|#1\|", 1)
_ABS = _same(r"|#1|", 1)

# physics (Sean Berrios), the subset that matrix calculus uses.
_PHYSICS: dict[str, dict[str, str]] = {
    "grad": _same(r"\nabla"),
    "gradient": _same(r"\nabla"),
    "laplacian": _same(r"\nabla^2"),
    "vdot": _same(r"\cdot"),
    "dotproduct": _same(r"\cdot"),
    "cross": _same(r"\times"),
    "cp": _same(r"\times"),
    "crossproduct": _same(r"\times"),
    "norm": _NORM,
    "abs": _ABS,
    "absolutevalue": _ABS,
    "qty": {"(": "(#1)", "[": "[#1]", "|": "|#1|", "1": r"\{#1\}"},
    "quantity": {"(": "(#1)", "[": "[#1]", "|": "|#1|", "1": r"\{#1\}"},
    "pqty": _same("(#1)", 1),
    "bqty": _same("[#1]", 1),
    "vqty": _same("|#1|", 1),
    "Bqty": _same(r"\{#1\}", 1),
    "tr": _same(r"\operatorname{tr}"),
    "trace": _same(r"\operatorname{tr}"),
    "Tr": _same(r"\operatorname{Tr}"),
    "Trace": _same(r"\operatorname{Tr}"),
    "rank": _same(r"\operatorname{rank}"),
    "dd": {"0": _D, "1": _D + " #1", "o1": _D + "^{#1} #2"},
    "dv": _derivative(_D),
    "derivative": _derivative(_D),
    "pdv": _derivative(_P, mixed=True),
    "partialderivative": _derivative(_P, mixed=True),
    "vb": {"1": r"\mathbf{#1}", "*1": r"\boldsymbol{#1}"},
    "vectorbold": {"1": r"\mathbf{#1}", "*1": r"\boldsymbol{#1}"},
    "vu": {"1": r"\hat{\mathbf{#1}}", "*1": r"\hat{\boldsymbol{#1}}"},
    "vectorunit": {"1": r"\hat{\mathbf{#1}}", "*1": r"\hat{\boldsymbol{#1}}"},
    "mqty": {
        "(": r"\begin{pmatrix}#1\end{pmatrix}",
        "[": r"\begin{bmatrix}#1\end{bmatrix}",
        "|": r"\begin{vmatrix}#1\end{vmatrix}",
        "1": r"\begin{matrix}#1\end{matrix}",
    },
    "pmqty": _same(r"\begin{pmatrix}#1\end{pmatrix}", 1),
    "bmqty": _same(r"\begin{bmatrix}#1\end{bmatrix}", 1),
    "vmqty": _same(r"\begin{vmatrix}#1\end{vmatrix}", 1),
}

# derivative (Simon Jensen): \odv, \pdv; the operator form writes an empty first argument.
_DERIVATIVE: dict[str, dict[str, str]] = {
    "odv": _derivative(_D, operator=False),
    "pdv": _derivative(_P, operator=False),
}

# diffcoeff and esdiff: \diff, \diffp.
_DIFFCOEFF: dict[str, dict[str, str]] = {
    "diff": _derivative(_D, operator=False),
    "diffp": _derivative(_P, operator=False),
}

# commath: \od, \pd, \dif, \norm, \abs.
_COMMATH: dict[str, dict[str, str]] = {
    "od": _derivative(_D, operator=False),
    "pd": _derivative(_P, operator=False),
    "dif": _same(_D),
    "norm": _NORM,
    "abs": _ABS,
}

PACKAGES: dict[str, dict[str, dict[str, str]]] = {
    "physics": _PHYSICS,
    "physics2": _PHYSICS,
    "derivative": _DERIVATIVE,
    "diffcoeff": _DIFFCOEFF,
    "esdiff": _DIFFCOEFF,
    "commath": _COMMATH,
}


def package_macros(package: str, start: int, end: int, path: str) -> Iterator[Macro]:
    """The macros ``\\usepackage{package}`` defines, located at that command."""
    for name, forms in PACKAGES.get(package, {}).items():
        nargs = max((int(k.lstrip("*o")) for k in forms if k.lstrip("*o").isdigit()), default=1)
        yield Macro(
            name, nargs, None, "", "package", start, end, path, tuple(sorted(forms.items()))
        )
