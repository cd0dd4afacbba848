r"""A tree's walk, which reads each node class's child fields from their annotations, visits
exactly the nodes a field-by-field look at every value finds, in the same order."""

from __future__ import annotations

import dataclasses

import pytest

from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row


def _by_values(node: t.Node) -> list[t.Node]:
    """Every node held by a field of ``node``, found by looking at each value."""
    out: list[t.Node] = []
    for f in dataclasses.fields(node):
        if f.name in ("start", "end", "from_macro", "span"):
            continue
        v = getattr(node, f.name)
        if isinstance(v, t.Node):
            out.append(v)
        elif isinstance(v, tuple):
            for item in v:
                if isinstance(item, t.Node):
                    out.append(item)
                elif isinstance(item, tuple):
                    out.extend(x for x in item if isinstance(x, t.Node))
    return out


ROWS = [
    r"\begin{pmatrix} A & 0 \\ & B^\top \end{pmatrix} x",
    r"f(x) = \begin{cases} x^2 & x > 0 \\ 0 & \text{otherwise, $x \le 0$} \end{cases}",
    r"\frac{\partial}{\partial X} \operatorname{tr}(A X^{-1} B) = -X^{-\top} A^\top B^\top X^{-\top}",
    r"\sum_{i=1}^n \|W^{(l)} h_i - y_i\|_2^2 + \lambda \left| \det \Sigma \right|",
    r"\mathbb{E}[x \mid y] = \mu_x + \Sigma_{xy} \Sigma_{yy}^{-1} (y - \mu_y), \quad J \in \mathbb{R}^{m \times n}",
    r"\underbrace{A B}_{C} \otimes \sqrt{\lambda} I_n \circ [a, b; c, d]",
]


@pytest.mark.parametrize("latex", ROWS)
def test_walk_visits_what_the_fields_hold(latex: str) -> None:
    parsed = parse_row(MappedText.identity(latex))
    tree = parsed.tree
    assert tree is not None and parsed.error is None
    expected: list[t.Node] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        expected.append(node)
        stack.extend(reversed(_by_values(node)))
    walked = list(tree.walk())
    assert [id(n) for n in walked] == [id(n) for n in expected]
    assert len(walked) >= 7


def test_every_node_class_has_a_plan_for_each_child_field() -> None:
    """A field whose annotation is not one of the known forms is looked at value by value
    (kept correct), but every field of today's classes has a known form."""
    classes = [c for c in vars(t).values() if isinstance(c, type) and issubclass(c, t.Node)]
    assert len(classes) > 30
    for cls in classes:
        for name, how in t._child_plan(cls):
            assert how != t._ANY, (cls.__name__, name)


def _placed(node: t.Node) -> list[tuple[object, ...]]:
    return [(type(n).__name__, n.start, n.end, n.span, n.from_macro) for n in node.walk()]


@pytest.mark.parametrize("latex", ROWS)
def test_a_shifted_tree_is_the_tree_of_its_row_written_later(latex: str) -> None:
    """``shifted`` (a row written twice shares one parse; an edit moves the rows after
    it) gives the very tree a parse of the row where it now is gives: every node moved,
    its span in the row and all else kept."""
    from texgrad.reading.document import read_text

    head = "\\newcommand{\\W}{W^{(l)}}\n"
    text = f"$\\W x$ and $${latex}$$\n"
    pad = "Some words first, and $y$.\n\n"
    here, later = read_text(head + text), read_text(head + pad + text)
    rows = [r for reg in here.regions for r in reg.rows]
    moved = [r for reg in later.regions for r in reg.rows][1:]  # (after the pad's $y$)
    assert len(rows) == len(moved) >= 2
    for a, b in zip(rows, moved, strict=True):
        tree, there = parse_row(a.text).tree, parse_row(b.text).tree
        assert tree is not None and there is not None
        shifted = t.shifted(tree, len(pad))
        assert shifted == there and _placed(shifted) == _placed(there)
        assert _placed(t.shifted(shifted, -len(pad))) == _placed(tree)
    assert any(n.from_macro for r in rows for n in parse_row(r.text).tree.walk())  # type: ignore[union-attr]
