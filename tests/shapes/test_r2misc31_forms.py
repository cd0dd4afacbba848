r"""Issue-13 misses of round 2 (session 31): an iterate sized by its start (``Z^{(k)}`` of
``Z^{(0)} = H``), each with its planted error and a trap that must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

APPNP = r"""
%! paper.tex
\documentclass{article}
\begin{document}
Let $H \in \mathbb{R}^{N\times C}$ and $\hat A \in \mathbb{R}^{N \times N}$.
\begin{align}
Z^{(0)} &= H, \\
Z^{(LETTER+1)} &= (1-\alpha)\,\hat A Z^{(LETTER)} + \alpha H,
\end{align}
The other order, $Z^{(LETTER+1)} = (1-\alpha)\,Z^{(LETTER)}\hat A + \alpha H$, is undefined.
\end{document}
"""


@pytest.mark.parametrize("letter", ["k", "t"])
def test_an_iterate_has_the_shape_of_its_start(tmp_path: Path, letter: str) -> None:
    # llncs-appnp-30: Z^{(k)} is N×C as Z^{(0)} = H is; Z^{(k)} \hat A multiplies C by N
    text = APPNP.replace("LETTER", letter)
    assert codes_by_line(text, tmp_path) == [(8, "matmul-mismatch")]


def test_a_layer_family_is_not_sized_by_its_input(tmp_path: Path) -> None:
    # the letter l is a layer's: h^{(l)} is no iterate of h^{(0)} = x
    text = APPNP.replace("LETTER", "l")
    assert codes_by_line(text, tmp_path) == []


LAYERS = r"""
%! notes.tex
\documentclass{article}
\begin{document}
Let $x \in \mathbb{R}^{d}$ and $W^{(k)} \in \mathbb{R}^{WIDTH_k \times WIDTH_{k-1}}$ with $WIDTH_0 = d$.
\begin{align}
h^{(0)} &= x, \\
h^{(k)} &= \sigma(W^{(k)} h^{(k-1)}), \qquad k = 1,\dots,K.
\end{align}
\end{document}
"""


@pytest.mark.parametrize("width", ["d", "n", "m"])
def test_layers_numbered_by_k_are_not_iterates(tmp_path: Path, width: str) -> None:
    # widths named in the letter (d_k) make h^{(k)} layers of their own width: no alarm
    assert codes_by_line(LAYERS.replace("WIDTH", width), tmp_path) == []
