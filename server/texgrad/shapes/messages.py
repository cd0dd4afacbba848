"""What diagnostics say: every message, related note and fix title of shape checking.

Messages name both shapes, the way papers write them ("`A` is m×n", "`y` ∈ ℝᵐ"); the parts
quoted are the document's own text (quoted by the caller, see ``RuleBase._quote``).
"""

from __future__ import annotations

from collections.abc import Iterable

from texgrad.shapes.dims import Dim, Shape, dim_text

_SUPERSCRIPTS = str.maketrans(
    "0123456789+-=()nmkdpqrstijlNMKDT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿᵐᵏᵈᵖ\ufffdʳˢᵗⁱʲˡᴺᴹᴷᴰᵀ"
)
# a subscript (n_l, n_{l+1}) has no superscript form: ℝ^{n_{l+1}}
_NO_SUPERSCRIPT = frozenset("_{}\\")


def space(dim: str) -> str:
    """ℝᵐ for a dimension that has superscript letters, the way papers print it; ℝ^{d_k} otherwise."""
    sup = dim.translate(_SUPERSCRIPTS)
    return (
        "ℝ" + sup
        if "\ufffd" not in sup
        and all(c not in sup for c in dim if c.isalnum())
        and not _NO_SUPERSCRIPT.intersection(dim)
        and dim.isalnum()  # ℝ^{n + p}, not ℝⁿ ⁺ ᵖ
        else f"ℝ^{{{dim}}}"
    )


def set_text(shape: Shape) -> str:
    """A shape as the set its members belong to, as messages write members: ℝ, ℝⁿ, ℝ^{m×n}."""
    if shape.is_scalar:
        return "ℝ"
    if shape.is_vector:
        return space(dim_text(shape.rows))
    return f"ℝ^{{{shape.short()}}}"


def described(quoted: str, shape: Shape) -> str:
    """ "`A` is m×n", "`y` ∈ ℝ^m", "`c` is a scalar"."""
    q = f"`{quoted}`"
    if shape.is_scalar:
        return f"{q} is a scalar"
    if shape.is_vector:
        return f"{q} ∈ {space(dim_text(shape.rows))}"
    return f"{q} is {shape.short()}"


# -- related locations -----------------------------------------------------------------------
def declared_here(written: str, shape: Shape) -> str:
    return f"`{written}` declared {shape.unicode()} here"


def defined_here(key: str, shape: Shape) -> str:
    return f"`{key}` is {shape.unicode()} by its definition here"


def signature_text(key: str, domain: Shape, codomain: Shape) -> str:
    return f"`{key}` : {set_text(domain)} → {set_text(codomain)}"


# -- fixes, and the hint that mentions them ----------------------------------------------------
def transpose_title(quoted: str) -> str:
    return f"Transpose `{quoted}`"


def remove_transpose_title(quoted: str) -> str:
    return f"Remove the transpose of `{quoted}`"


def agreement_hint(titles: Iterable[str]) -> str:
    """ "; transposing `x` or removing the transpose of `A` would make it agree" (or "")."""
    said = [
        title.replace("Transpose ", "transposing ", 1).replace(
            "Remove the transpose", "removing the transpose", 1
        )
        for title in titles
    ]
    if len(said) == 2 and said[0] == said[1] and said[0].startswith("transposing "):
        said = [said[0].replace("transposing ", "transposing either ", 1)]  # W W: one letter twice
    return "; " + " or ".join(said) + " would make it agree" if said else ""


# -- mismatches, by code -----------------------------------------------------------------------
def matmul_mismatch(left: str, right: str, inner: tuple[Dim, Dim], hint: str) -> str:
    """``left`` and ``right``: the operands :func:`described`."""
    return (
        f"{left} but {right}: inner dimensions {dim_text(inner[0])} and {dim_text(inner[1])} "
        f"differ{hint}"
    )


def add_mismatch(first: str, term: str, hint: str) -> str:
    """``first`` and ``term``: the terms :func:`described` ("`B` is n×n", "`x` ∈ ℝⁿ")."""
    return f"{first} but {term}: terms of a sum must have the same shape{hint}"


def elementwise_mismatch(op: str, left: str, right: str) -> str:
    name = (
        "a Hadamard product"
        if op in ("\\odot", "\\circ", "*", "\\ast")
        else "an elementwise division"
    )
    return f"{name} needs equal shapes, but {left} and {right}"


def inner_product_mismatch(left: str, right: str) -> str:
    return f"an inner product pairs operands of one shape, but {left} and {right}"


_OF_A_NORMAL = {
    "mean": "a normal's mean",
    "point": "the point of a normal density",
    "drawn": "a vector drawn from a normal",
}


def normal_mismatch(what: str, operand: str, cov: str) -> str:
    """``what``: "mean", "point" (of a density) or "drawn" (a vector drawn from it)."""
    return f"{_OF_A_NORMAL[what]} has as many rows as its covariance, but {operand} and {cov}"


def block_mismatch(along: str, first: str, block: str, hint: str) -> str:
    """``along``: "rows" (blocks of one block-row) or "cols" (of one block-column)."""
    where = (
        "block-row need the same number of rows"
        if along == "rows"
        else ("block-column need the same number of columns")
    )
    return f"blocks in one {where}, but {first} and {block}{hint}"


def not_square(operation: str, operand: str) -> str:
    """``operation``: inverse, power, trace, determinant."""
    return f"the {operation} needs a square matrix, but {operand}"


def argument_mismatch(function: str, domain: Shape, argument: str) -> str:
    return f"`{function}` takes {set_text(domain)} but {argument}"


def equation_mismatch(relation: str, left: str, right: str, hint: str) -> str:
    return f"the sides of `{relation}` differ: {left} but {right}{hint}"


def block_rows_mismatch(
    relation: str, left: str, mine: list[str], right: str, theirs: list[str]
) -> str:
    """Two sides of one size whose block-rows differ (``[b; -c]`` against a product of n, m)."""
    return (
        f"the sides of `{relation}` differ block by block: the block-rows of `{left}` have "
        f"{', '.join(mine)} rows but those of `{right}` have {', '.join(theirs)}"
    )


def redeclared(written: str, shape: Shape, before: Shape) -> str:
    return f"`{written}` is declared {shape.unicode()} here but {before.unicode()} just before"
