"""The functions defined after a claim ("…, where φ(z) = max(0, z)") that its context reads:
the first definition of each name after the claim, in their order, found from the last claim's
(a thesis's 950 claims each read its 460 later definitions of 28 names: issue 18)."""

from __future__ import annotations

import pytest

from texgrad.calculus import context
from texgrad.calculus.lower import IndexedFunctions
from texgrad.shapes.check import Checker

ROWS = [f"$g(x) = x + {k}$" if k % 3 else f"$h_{{{k % 2}}}(x) = {k} x$" for k in range(60)]
TEXT = "Let $x \\in \\mathbb{R}$.\n\n" + "\n\n".join(f"Then {r}." for r in ROWS) + "\n"


def _later_sets(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """What the contexts made from now on ``setdefault`` in their functions, in order."""
    names: list[tuple[str, object]] = []
    real = IndexedFunctions.setdefault

    def counted(self: IndexedFunctions, key: str, value: object) -> object:
        names.append((key, value))
        return real(self, key, value)  # type: ignore[arg-type]

    monkeypatch.setattr(IndexedFunctions, "setdefault", counted)
    return names


def _reference(result: object, offset: int) -> list[tuple[str, object]]:
    """The functions a look at every later definition sets, in order."""
    found: dict[str, object] = {}
    for start, key, fdef in context._defined_of(result).later:  # type: ignore[arg-type]
        if start > offset:
            found.setdefault(key, fdef)
    return list(found.items())


def test_the_first_later_definition_of_each_name_is_read_once_per_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = Checker().check("doc.tex", text=TEXT)
    later = context._defined_of(result).later
    assert len(later) == 60 and {k for _, k, _ in later} == {"g", "h_{0}", "h_{1}"}
    names = _later_sets(monkeypatch)
    # the claims in the document's order, then one asked again near the top (a server's)
    offsets = [0, *(start - 1 for start, _, _ in later[::7]), 5, len(TEXT)]
    for offset in offsets:
        names.clear()
        ctx = context.context_of(result, offset, [])
        expected = _reference(result, offset)
        # one set per name, not one per definition (a set only keeps the first: the same)
        assert len(names) == len(expected)
        assert all(a == b and x is y for (a, x), (b, y) in zip(names, expected, strict=True))
        assert all(k in ctx.env.functions for k, _ in expected)
    firsts = {}
    for d in later:
        if d[0] > 5:
            firsts.setdefault(d[1], d)
    assert context._later_firsts(context._defined_of(result), 5) == list(firsts.values())
