r"""The plain parameter of a function a row defines (``\sigma'(z) = \sigma(z)(1 -
\sigma(z))``, ``g(z) = z(1 - z)``) is the function's argument on that row's right side: a
``\mathbf z`` declared or defined in bold does not size it, while a plain letter declared
so still does, and the bold letter keeps its shape everywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

BOLD = r"""
%! post.md
With $W \in \mathbb{R}^{m \times d}$, $\mathbf{x} \in \mathbb{R}^d$ and SOURCE, let
$\mathbf{z} = W\mathbf{x}$, with $\sigma$ acting entrywise and
$DEFINITION$.

Then $\mathbf{z}\mathbf{z}$ is undefined, and so is $z\,W$.
"""


@pytest.mark.parametrize(
    "definition",
    [
        r"\sigma'(z) = \sigma(z)(1 - \sigma(z))",
        r"g(z) = z(1 - z)",
        r"\phi(z) = z^2 z",
    ],
)
@pytest.mark.parametrize(
    "source", [r"$\mathbf{b} \in \mathbb{R}^m$", r"$\mathbf{z} \in \mathbb{R}^m$"]
)
def test_the_parameter_is_not_the_bold_letter(definition: str, source: str, tmp_path: Path) -> None:
    text = BOLD.replace("DEFINITION", definition).replace("SOURCE", source)
    # nothing on the definition (line 3); outside it, \mathbf z \mathbf z and z W (z read
    # as the m-vector \mathbf z) are still found (line 5)
    assert codes_by_line(text, tmp_path) == [(5, "matmul-mismatch"), (5, "matmul-mismatch")]


def test_a_plain_parameter_declared_plain_still_sizes_its_definition(tmp_path: Path) -> None:
    text = r"""
%! notes.md
Let $z \in \mathbb{R}^m$ and $A \in \mathbb{R}^{m \times m}$.

Define $g(z) = z A$.
"""
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]
