"""The shape check reads a layout the whole text states, and only such a statement."""

from __future__ import annotations

import pytest

from texgrad.shapes.sections import layouts_named


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("We use the denominator layout.", {"denominator"}),
        ("Throughout, we work in numerator layout.", {"numerator"}),
        ("We use the denominator layout throughout. Then we go on.", {"denominator"}),
        # a supposition, a part of the text, a denial: nothing of the whole text
        ("If we use the numerator layout, the result is $X$.", set()),
        ("In this appendix we use the numerator layout.", set()),
        ("This section uses the numerator layout.", set()),
        ("We do not use the numerator layout.", set()),
        ("Here we use the denominator layout.", set()),
    ],
)
def test_a_layout_stated_for_the_whole_text(text: str, named: set[str]) -> None:
    assert layouts_named(text) == named
