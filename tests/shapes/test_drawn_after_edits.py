r"""The mean and covariance of a normal a declared column is drawn from (``_drawn_sizes``) are
read after an edit from the rows the last collect marked as products or draws (kept before
the edit, moved after it, read again in it): the table is a fresh collect's, whatever the
edit made or unmade a draw."""

from __future__ import annotations

import random

from texgrad.shapes.check import Checker
from texgrad.shapes.declarations import collect

_DOC = r"""# Draws

Let $\mathbf{x}_1, \dots, \mathbf{x}_n \in \mathbb{R}^d$ be i.i.d. draws from $\mathcal{N}(\boldsymbol\mu, \Sigma)$.

Padding $a + b$ and $c d$ and $e$.

Let $\mathbf{z} \in \mathbb{R}^k$ and $\mathbf{z} \sim \mathcal{N}(\mathbf{m}, S)$.

More $f g$ and $h$.

$$
\mathbf{w} \sim \mathcal{N}(\mathbf{0}, V)
$$

Let $\mathbf{w} \in \mathbb{R}^p$.
"""

_SNIPPETS = (
    "x", " ", "$\\mathbf{y} \\sim \\mathcal{N}(\\mathbf{q}, Q)$", "\\in \\mathbb{R}^r",
    " drawn from $\\mathcal{N}(\\boldsymbol\\nu, T)$", "$$", "\n\n", "$u \\in \\mathbb{R}^3$",
)  # fmt: skip


def _declared(table) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    return {
        k: [(d.path, d.start, d.end, d.shape, d.how, d.font) for d in ds]
        for k, ds in table.declarations.items()
    }


def test_drawn_sizes_after_edits_are_a_fresh_collects(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "draws.md")
    text = _DOC
    checker = Checker()
    first = checker.check(path, None, None, text)
    decls = first.table.declarations
    assert {"\\mu", "\\Sigma", "m", "S"} <= decls.keys()  # (the normals' parts are sized)
    rng = random.Random(5)
    for _ in range(40):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.35:
            text = text[:at] + text[at + rng.randint(1, 25) :]
        else:
            text = text[:at] + rng.choice(_SNIPPETS) + text[at:]
        got = checker.check(path, None, None, text)
        fresh = collect(iter(got.rows), {got.path: got.doc.text})
        assert _declared(got.table) == _declared(fresh), text
