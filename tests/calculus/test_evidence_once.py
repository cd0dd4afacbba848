r"""The letters a document sets equal to a scalar (``\boldsymbol\mu^\top \mathbf w = r``),
found once per checked document (issue 18: each refused claim of a 1 MB thesis looked at
every row of it): the same answer as the look at every row, for every letter."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus import evidence
from texgrad.shapes.check import Checker
from texgrad.shapes.dims import ONE
from texgrad.syntax import tree as t
from texgrad.syntax.symbols import symbol_key

DOC = r"""Let $\boldsymbol\mu \in \mathbb{R}^n$, $\mathbf w \in \mathbb{R}^n$, $A \in \mathbb{R}^{m \times n}$
and $\mathbf b \in \mathbb{R}^m$.

$$ \boldsymbol\mu^\top \mathbf w = r $$

$$ \mathbf y = A \mathbf w - \mathbf b $$

$$ s = \mathbf b^\top \mathbf b = q $$

$$ \begin{bmatrix} r \\ \mathbf w \end{bmatrix} = \mathbf z $$
"""


def _each_row(result: object, key: tuple[str, str | None]) -> bool:
    """The look at every row (what _equals_a_scalar did for each question)."""
    for row in (r for r in result.rows if r.path == result.path):  # type: ignore[attr-defined]
        tree = row.tree
        if not isinstance(tree, t.Chain) or "=" not in tree.relations:
            continue
        items = [i for i in tree.items if i is not None]
        if not any(symbol_key(i) == key for i in items):
            continue
        for other in items:
            shape = result.shapes.get(other) if symbol_key(other) != key else None  # type: ignore[attr-defined]
            if shape is not None and shape.rows == ONE and shape.cols == ONE:
                return True
    return False


def test_the_letters_set_to_a_scalar_are_those_every_row_says(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(DOC, encoding="utf-8")
    result = Checker().check(str(path))
    keys = {symbol_key(n) for row in result.rows if row.tree is not None for n in row.tree.walk()}
    keys.discard(None)
    assert len(keys) > 8
    answers = {k: evidence._equals_a_scalar(result, k) for k in keys}  # type: ignore[arg-type]
    assert answers == {k: _each_row(result, k) for k in keys}
    assert sum(answers.values()) >= 3  # (r, \mu's and w's row; s, b, q)
    assert ("r", None) in {k for k, v in answers.items() if v}
    # the rows changed: found again
    result.rows = [r for r in result.rows if "mu" not in str(r.tree)]
    assert not _each_row(result, ("r", None))
    assert evidence._equals_a_scalar(result, ("r", None)) is False
