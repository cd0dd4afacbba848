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
