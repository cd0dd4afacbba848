r"""What ``--explain`` says of a set written where a set goes: ``\mathbf{R}^m`` of a signature
``f : \mathbf R^n \to \mathbf R^m`` (Boyd and Vandenberghe's reals) was said to be a letter
"with no shape, never declared"; it is the reals, nothing to declare. A plain ``R`` of
``x \in R^n`` is so too where the document reads R as the reals, and a letter of unknown shape
in an operation is still said."""

from __future__ import annotations

import pytest

from texgrad.calculus.unchecked import UNKNOWN, explain
from texgrad.shapes.check import Checker


def _said(text: str) -> list[tuple[str, str]]:
    result = Checker().check("notes.md", text=text)
    return [(u.code, text[u.start : u.end]) for u in explain(result)]


@pytest.mark.parametrize(
    "signature",
    [
        r"f : \mathbf R^n \to \mathbf R^m",
        r"f : \mathbf{R}^n \to \mathbf{R}^m",
        r"f : \Re^n \to \Re^m",
        r"f : \mathbf{R}^{n} \rightarrow \mathbf{R}",
    ],
)
def test_the_spaces_of_a_signature_are_no_letters_to_declare(signature: str) -> None:
    text = f"Let ${signature}$, $x \\in \\mathbf{{R}}^n$ and $A \\in \\mathbf{{R}}^{{m \\times n}}$.\n\n"
    text += "$$ y = A x $$\n"
    assert [s for s in _said(text) if s[0] == UNKNOWN] == []


def test_plain_r_of_a_signature_where_r_is_the_reals() -> None:
    text = "Let $f : R^n \\to R^m$, $x \\in R^n$ and $A \\in R^{m \\times n}$.\n\n$$ y = A x $$\n"
    assert [s for s in _said(text) if s[0] == UNKNOWN] == []


def test_a_letter_of_unknown_shape_is_still_said() -> None:
    text = "Let $f : \\mathbf R^n \\to \\mathbf R^m$ and $x \\in \\mathbf R^n$.\n\n$$ y = B x $$\n"
    assert (UNKNOWN, "B") in _said(text)
