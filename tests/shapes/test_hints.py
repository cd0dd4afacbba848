r"""Inlay hints: shapes shown where the text does not say them."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.test_navigation import DOC, checked
from texgrad.shapes.hints import hints


def test_hints(tmp_path: Path) -> None:
    result = checked(tmp_path)
    got = {(DOC[: h.offset].rsplit("$", 1)[-1][-6:], h.label) for h in hints(result, 0, len(DOC))}
    assert ("y", ": ℝ^{m}") in got
    assert any(label == " : ℝ" for _, label in got)  # f(x) = ‖Ax‖² is a scalar
    assert any(label == ": ℝ^{m×?}" for _, label in got)  # u from u^T A
