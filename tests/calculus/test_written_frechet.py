r"""``Df(x)``, the derivative as Boyd and Vandenberghe and Magnus and Neudecker write it: the
m×n Jacobian of f at x, whatever layout the document uses for ∂f/∂x — checked as such where
``D`` is no letter the document declares (a diagonal ``D`` before ``f(x)`` is a product)."""

from __future__ import annotations

import pytest

from tests.calculus.written_check import check_written
from texgrad.shapes.check import Checker

DECLS = (
    r"Let $A \in \mathbb{R}^{m \times n}$, $b \in \mathbb{R}^m$, $x \in \mathbb{R}^n$, "
    r"$f(x) = Ax + b$ and $r(x) = Ax - b$." + "\n\n"
)


def flagged(body: str, decls: str = DECLS) -> list[str]:
    text = decls + body
    checked = Checker().check("doc.tex", text=text)
    return [text[f.start : f.end] for f in check_written(checked)]


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        (r"$Df(x) = A$", []),
        (r"$\mathrm{D}f(x) = A$", []),
        (r"$Dr(x) = A$", []),  # (r: not a function name until the document defines it)
        (r"$Df(x) = A^T$", ["A^T"]),  # the n×m transpose: Df(x) is m×n in every text
        (r"$Dr(x) = A^\top$", ["A^\\top"]),
        (r"$Df(x) = 2A$", ["2A"]),
    ],
)
def test_df_is_the_m_by_n_jacobian(claim: str, wrong: list[str]) -> None:
    assert flagged(claim) == wrong


def test_df_is_the_jacobian_even_where_denominator_layout_is_stated() -> None:
    decls = "We use the denominator layout throughout.\n\n" + DECLS
    assert flagged(r"$Df(x) = A^T$", decls) == ["A^T"]
    assert flagged(r"$Df(x) = A$", decls) == []


def test_a_declared_d_before_a_call_is_a_product_not_a_derivative() -> None:
    decls = DECLS + r"Let $D \in \mathbb{R}^{m \times m}$ be diagonal." + "\n\n"
    assert flagged(r"$Df(x) = A^T$", decls) == []


DIRECTIONAL = (
    r"Let $A \in \mathbb{R}^{n\times n}$ be symmetric, $B \in \mathbb{R}^{n \times p}$, "
    r"$X, \dot X \in \mathbb{R}^{n\times p}$ and "
    r"$f(X) = \frac12 \operatorname{tr}(X^\top A X) - \operatorname{tr}(B^\top X)$." + "\n\n"
)


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        (
            r"\mathrm{D}f(X)[\dot X] = \operatorname{tr}(\dot X^\top A X) - \operatorname{tr}(B^\top \dot X)",
            [],
        ),
        (r"\mathrm{D}f(X)[\dot X] = \langle AX - B, \dot X \rangle", []),
        (
            r"\mathrm{D}f(X)[\dot X] = \langle AX + B, \dot X \rangle",
            [r"\langle AX + B, \dot X \rangle"],
        ),
        (
            r"Df(X)[\dot X] = \operatorname{tr}(B^\top \dot X)",
            [r"\operatorname{tr}(B^\top \dot X)"],
        ),
    ],
)
def test_a_derivative_in_a_direction_is_checked_as_the_differential(
    claim: str, wrong: list[str]
) -> None:
    assert flagged(f"\\[ {claim} \\]", DIRECTIONAL) == wrong


def test_its_finding_and_fix_are_said_in_the_direction() -> None:
    text = DIRECTIONAL + r"\[ \mathrm{D}f(X)[\dot X] = \langle AX + B, \dot X \rangle \]"
    (found,) = check_written(Checker().check("doc.tex", text=text))
    assert "in the direction `\\dot X`" in found.message
    assert "\\mathrm{d}" not in found.correct and "\\dot X" in found.correct
    fixed = text[: found.start] + found.correct + text[found.end :]
    assert check_written(Checker().check("doc.tex", text=fixed)) == []
