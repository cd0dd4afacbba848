"""A document that says its symbols are real, and declares no shape: the note says what is
missing (their shapes), quoting the document, not that nothing is declared."""

from __future__ import annotations

import pytest

from texgrad.shapes.check import Checker
from texgrad.shapes.undeclared import MESSAGE


def _note(text: str) -> str:
    found = [
        d for d in Checker().check("doc.md", text=text).diagnostics if d.code == "no-declarations"
    ]
    assert len(found) == 1
    return found[0].message


@pytest.mark.parametrize(
    ("prose", "said"),
    [
        ("All variables are real.", "All variables are real"),
        (
            "Throughout, the quantities are real-valued.",
            "Throughout, the quantities are real-valued",
        ),
        ("We fit a line. Every symbol is real here.", "Every symbol is real"),
    ],
)
def test_real_said_asks_for_shapes(prose: str, said: str) -> None:
    message = _note(f"{prose}\n\n$$ L = \\|y - X w\\|^2 $$\n")
    assert message.startswith(
        f"the document says its symbols are real (“{said}”) but gives no shape"
    )
    assert r"`$x \in \mathbb{R}^n$`" in message


@pytest.mark.parametrize("prose", ["Its eigenvalues are real.", "Nothing is said."])
def test_otherwise_the_plain_note(prose: str) -> None:
    assert _note(f"{prose}\n\n$$ L = \\|y - X w\\|^2 $$\n") == MESSAGE
