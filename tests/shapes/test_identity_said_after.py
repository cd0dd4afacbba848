r"""Two prose forms of the -31 documents that gave false alarms on main: an identity said,
after it, to hold "only for square invertible factors" is in letters of its own (A, B
declared m×n and p×m above: texse-answer-tags-31), and "$K \approx \dots$, which is $m
\times m$ at best" sizes the right side of a relation, not its left letter
(html-kernel-methods-31)."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture


def _got(tmp_path: Path, text: str) -> list[str]:
    _, result = check_fixture(tmp_path, text)
    doc = result.doc.text
    return [doc[d.start : d.end] for d in result.diagnostics]


def test_an_identity_said_to_hold_for_square_factors_is_generic(tmp_path: Path) -> None:
    text = r"""
        Let $A \in \mathbb{R}^{m \times n}$ and $B \in \mathbb{R}^{p \times m}$, so $BA \in \mathbb{R}^{p \times n}$.

        Also note $(AB)^{-1} = B^{-1}A^{-1}$ only for square invertible factors. Here $AB$ is wrong.
        """
    assert _got(tmp_path, text) == ["AB"]
    # said of the letters themselves, it is the declared A and B: still an error
    said = text.replace("only for square invertible factors", "since $A$ and $B$ are as above")
    assert _got(tmp_path, said) == ["AB", "B^{-1}", "A^{-1}", "AB"]


def test_which_is_after_a_relation_does_not_size_its_left_letter(tmp_path: Path) -> None:
    text = r"""
        Let $K \in \mathbb{R}^{n \times n}$, $Z \in \mathbb{R}^{n \times m}$, $G \in \mathbb{R}^{m \times m}$, $F \in \mathbb{R}^{n \times r}$.

        Some write $K \approx Z G^{-1} Z$, which is $m \times m$ at best.

        The right approximation $K \approx F F^\top$ holds.
        """
    assert _got(tmp_path, text) == ["Z G^{-1} Z"]
    # a letter alone is sized so: "Take $K$, which is $m \times m$" (re-declared)
    alone = text.replace(r"$K \approx Z G^{-1} Z$, which is", r"$K$, which is")
    assert _got(tmp_path, alone) == [r"K \approx F F^\top"]
