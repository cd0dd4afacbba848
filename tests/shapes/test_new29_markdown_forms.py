r"""Forms met writing the set-29 documents (Marp, HackMD, Quarto reveal.js, a GitHub README, a
Jekyll post, pandoc-crossref notes): "$c$ a scalar" in a list, "$\mathbf m_t, \mathbf v_t$
live in $\mathbb{R}^p$", the prose of GitHub's ``$`…`$`` math, an errata section that recalls the ones before, ``D = 3 + 6L = 63``, an
iterate beside its sized family in a sum, and "$U$
orthogonal and $\Lambda$ diagonal, both $p \times p$"."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import codes_by_line

# -- "$c$ a scalar": an apposition in a list -------------------------------------------------

SCALAR = r"""
%! ppo.md
With $\mathbf w \in \mathbb{R}^{h}$ and $c$ a scalar, and $d$ a scalar multiple of $\mathbf w$:

one $\mathbf w + c$ and two $\mathbf w^\top c\,\mathbf w$.

wrong $\mathbf w^\top + c\,\mathbf w$, unknown $\mathbf w^\top + d$.
"""


def test_a_letter_said_a_scalar_in_a_list(tmp_path: Path) -> None:
    # c is a number (line 5 reports the row plus the column; line 3 is quiet); d, "a scalar
    # multiple of w", is not said to be a number: `w^T + d` is not checked
    assert codes_by_line(SCALAR, tmp_path) == [(5, "add-mismatch")]


# -- "… live in $\mathbb{R}^p$" ---------------------------------------------------------------

LIVE_IN = r"""
%! adam.md
Let $A \in \mathbb{R}^{p \times p}$. The moments $\mathbf m_t, \mathbf v_t$ live in $\mathbb{R}^p$.

Every state $\mathbf h_\ell$ is in $\mathbb{R}^{p}$, and $\mathbf u$ lies in $\operatorname{range}(A)$.

If $\mathbf q$ is in $\mathbb{R}^{p}$ then things. Fine: $A\mathbf m_t + \mathbf v_{t-1}$.

Wrong: $A\mathbf m_t^\top$, $A\mathbf h_8^\top$. Unknown: $A\mathbf u^\top$, $A\mathbf q^\top$.
"""


def test_a_space_the_letters_live_in(tmp_path: Path) -> None:
    # a space sizes its letters (and a family's members); a range is no space, an "If" supposes
    assert codes_by_line(LIVE_IN, tmp_path) == [(7, "matmul-mismatch"), (7, "matmul-mismatch")]


# -- GitHub's $`…`$ math in prose ---------------------------------------------------------------

GITHUB = r"""
%! README.md
Let $`B`$ be a $`p\times p`$ matrix and $`\mathbf x \in \mathbb R^{q}`$.

Wrong: $`B\mathbf x`$. The cost is `$5` and `x$` in code.
"""


def test_prose_reads_githubs_backtick_math(tmp_path: Path) -> None:
    assert codes_by_line(GITHUB, tmp_path) == [(3, "matmul-mismatch")]


# -- errata and bug lists recall the sections before them ---------------------------------------

ERRATA = r"""
%! readme.md
## Attention

Let $X \in \mathbb{R}^{n \times d}$, $W \in \mathbb{R}^{d \times k}$ and $Q = XW$.

## Bugs we fixed

- $X Q$ in the first commit.
"""


def test_a_bug_list_recalls_what_the_sections_define(tmp_path: Path) -> None:
    assert codes_by_line(ERRATA, tmp_path) == [(7, "matmul-mismatch")]


# -- a size chained to its value -----------------------------------------------------------------

CHAINED = r"""
%! nerf.md
## Positional encoding

A 3-D point $`\mathbf x \in \mathbb R^3`$ is lifted with $`L`$ frequencies,

```math
\gamma(\mathbf x) = \big[\mathbf x^\top,\ \sin(2^0\pi\mathbf x^\top),\ \cos(2^0\pi\mathbf x^\top),\ \dots,\ \sin(2^{L-1}\pi\mathbf x^\top),\ \cos(2^{L-1}\pi\mathbf x^\top)\big]^\top \in \mathbb R^{3 + 6L}
```

so with $`L = 10`$ the MLP sees $`D = 3 + 6L = 63`$ numbers. (Here $`2^{L-1}`$ is a power of two, not a label.)

## The MLP

Write $`\mathbf e = \gamma(\mathbf x) \in \mathbb R^{D}`$. The trunk has $`8`$ layers of width $`W = 256`$:
$`\mathbf h_1 = \operatorname{ReLU}(A_1\mathbf e + \mathbf a_1)`$ with $`A_1 \in \mathbb R^{W\times D}`$, and $`\mathbf h_{\ell+1} = \operatorname{ReLU}(A_{\ell+1}\mathbf h_\ell + \mathbf a_{\ell+1})`$ with $`A_{\ell+1} \in \mathbb R^{W\times W}`$.

Wrong: $`A_1^\top\mathbf e`$.
"""


def test_a_size_chained_to_its_value_keeps_its_formula(tmp_path: Path) -> None:
    # D = 3 + 6L = 63 with L = 10: D is 6L + 3 (`\mathbf e = \gamma(\mathbf x) \in \mathbb R^D`
    # agrees); the 63 does not set D apart from 6L + 3
    assert codes_by_line(CHAINED, tmp_path) == [(16, "matmul-mismatch")]


# -- an iterate beside its sized family, in a sum -----------------------------------------------

ITERATE = r"""
%! adam.md
Let $\mathbf g \in \mathbb{R}^{p}$, $\beta \in (0, 1)$, and let $\mathbf v_t \in \mathbb{R}^{p}$.

Right: $\mathbf v_t = \beta\mathbf v_{t-1} + (1-\beta)\,\mathbf g\odot\mathbf g$.

Wrong: $\mathbf v_t = \beta\mathbf v_{t-1} + (1-\beta)\,\mathbf g\mathbf g^\top$.
"""


def test_an_iterate_of_a_sized_family_is_written_plainly(tmp_path: Path) -> None:
    # v_{t-1}, a member of the declared v_t, is sized by the document: a column beside a
    # square matrix is an error, not broadcasting
    assert codes_by_line(ITERATE, tmp_path) == [(5, "add-mismatch")]


# -- "$U$ orthogonal and $\Lambda$ diagonal, both $p \times p$" ---------------------------------

BOTH = r"""
%! whitening.md
Let $\Sigma = U\Lambda U^\top$, with $U$ orthogonal and $\Lambda$ diagonal, both $p \times p$, and $X \in \mathbb{R}^{n \times p}$.

Fine: $X\Sigma$ and $X U\Lambda$. Wrong: $\Sigma X$ and $\Lambda X$.
"""


def test_both_sized_after_a_word_each(tmp_path: Path) -> None:
    assert codes_by_line(BOTH, tmp_path) == [(3, "matmul-mismatch"), (3, "matmul-mismatch")]
