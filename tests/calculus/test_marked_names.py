r"""A letter with a sign mark (``\mathbf z_k^-``, the negative example) is a name of its
own: undeclared, it is refused naming it as written, not its letter ``\mathbf z_k``;
declared, it is read (checked numerically)."""

from __future__ import annotations

from texgrad.calculus.api import diff_latex

WHERE = r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n"


def test_an_undeclared_marked_name_is_named_as_written() -> None:
    out = diff_latex(r"\|\mathbf z_k^- - A x\|^2", "x", WHERE, budget=30.0)
    assert out.error == (
        r"the shape of `\mathbf z_k^-` is unknown — declare it, e.g. `\mathbf z_k^- \in "
        r"\mathbb{R}` or `\mathbf z_k^- \in \mathbb{R}^n`"
    )


def test_a_declared_marked_name_is_read() -> None:
    out = diff_latex(
        r"\|\mathbf z_k^- - A x\|^2", "x", WHERE + r"; \mathbf z_k^- \in \mathbb{R}^n", budget=30.0
    )
    assert out.error is None and out.verified
    assert out.result == r"2 A^\top (A x - \mathbf z_k^-)"
