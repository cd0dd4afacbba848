r"""Inlay hints: shapes shown where the text does not say them."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.test_navigation import DOC, checked
from texgrad.shapes.check import Checker
from texgrad.shapes.hints import hints


def test_hints(tmp_path: Path) -> None:
    result = checked(tmp_path)
    got = {(DOC[: h.offset].rsplit("$", 1)[-1][-6:], h.label) for h in hints(result, 0, len(DOC))}
    assert ("y", ": ℝ^{m}") in got
    assert any(label == " : ℝ" for _, label in got)  # f(x) = ‖Ax‖² is a scalar
    assert any(label == ": ℝ^{m×?}" for _, label in got)  # u from u^T A


def test_a_member_of_a_family_is_hinted_with_its_family(tmp_path: Path) -> None:
    doc = tmp_path / "rnn.md"
    text = (
        "# RNN\n\n"
        r"Let $h_t \in \mathbb{R}^n$ and $W \in \mathbb{R}^{n \times n}$."
        "\n\n"
        r"$$h_t = \tanh(W h_{t-1})$$"
        "\n"
    )
    doc.write_text(text, encoding="utf-8")
    result = Checker().check(str(doc), None, tmp_path)
    got = [(text[: h.offset][-7:], h.label, h.tooltip) for h in hints(result, 0, len(text))]
    assert got == [("h_{t-1}", ": ℝ^{n}", "h_{t-1}: ℝ^{n} (as the family `h_{t}` is declared)")]


def test_a_scalar_by_its_place_is_not_said_defined(tmp_path: Path) -> None:
    r"""``\lambda w^\top w`` of a λ nothing declares: the checker reads λ as a scalar
    coefficient, ``diff`` asks for its declaration; the hint and the hover say it is read
    from its place, not declared (they said "defined"). Once ``\lambda = v^\top A v`` is
    written, it is defined there and after, for both."""
    from texgrad.calculus.api import diff_in_document
    from texgrad.shapes.query import shape_info

    doc = tmp_path / "notes.md"
    text = (
        r"Let $A \in \mathbb{R}^{n \times n}$, $v \in \mathbb{R}^n$ and $w \in \mathbb{R}^n$."
        "\n\n"
        r"$$ L = w^\top A w + \lambda w^\top w $$"
        "\n\n"
        r"$$ \lambda = v^\top A v $$"
        "\n\n"
        r"$$ g = \lambda w $$"
        "\n"
    )
    doc.write_text(text, encoding="utf-8")
    result = Checker().check(str(doc), None, tmp_path)
    lam = [h for h in hints(result, 0, len(text)) if h.tooltip.startswith("\\lambda")]
    said = [(text.count("\n", 0, h.offset) + 1, h.tooltip.split(" (", 1)[1]) for h in lam]
    assert said == [
        (3, "read from its place, not declared: declare it to differentiate by it or through it)"),
        (5, "defined)"),
        (7, "defined)"),
    ]
    first = text.index("\\lambda w^")
    assert shape_info(result, first + 1).source == "assumed"  # type: ignore[union-attr]
    assert shape_info(result, text.index("\\lambda w $") + 1).source == "defined"  # type: ignore[union-attr]
    # and diff agrees: λ unknown on line 3, defined by line 5 for line 7
    assert "unknown" in (diff_in_document(doc, 3, "w").error or "")
    assert diff_in_document(doc, 7, "w").error is None
