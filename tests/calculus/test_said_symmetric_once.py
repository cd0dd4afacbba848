r"""What a paragraph says is symmetric (``written_derivatives._said_in``), read once per
question: asked again — by another claim of the paragraph, or of a paragraph written again —
it answers what reading the text answers, and gives the places again."""

from __future__ import annotations

import pytest

from texgrad.calculus import written_derivatives as wd

PARAGRAPHS = [
    ("Let $A \\in \\mathbb{R}^{n \\times n}$ be symmetric and $B$ symmetric too.", None, False),
    (
        "For symmetric $P$, the gradient is $2Px$; a non-symmetric $Q$ gives $(Q + Q^T)x$.",
        30,
        False,
    ),
    ("This is only right for a symmetric $A$, and $S$ is symmetric.", 10, True),
    ("Sei $A$ symmetrisch. Soit $M$ une matrice symétrique.", None, False),
]


@pytest.mark.parametrize(("text", "at", "hedged"), PARAGRAPHS)
def test_asked_again_it_answers_as_the_text_does(text: str, at: int | None, hedged: bool) -> None:
    for local in (True, False):
        want: dict[str, list[int]] = {}
        said = wd._said_in_text(text, local, at, hedged, want)
        for _ in range(2):  # (read, then remembered)
            got: dict[str, list[int]] = {}
            assert wd._said_in(text, local, at, hedged, positions=got) == said
            assert got == want
            assert wd._said_in(text, local, at, hedged) == said


def test_the_paragraphs_say_what_they_say() -> None:
    assert wd._said_in(PARAGRAPHS[0][0], local=True) == {"A", "B"}
    got: dict[str, list[int]] = {}
    assert wd._said_in(PARAGRAPHS[2][0], local=True, at=10, hedged=True, positions=got) == {
        "A",
        "S",
    }
    assert got == {
        "A": [PARAGRAPHS[2][0].index("symmetric $A")],
        "S": [PARAGRAPHS[2][0].index("$S$")],
    }
