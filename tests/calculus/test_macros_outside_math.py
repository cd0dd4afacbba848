r"""The macros a Markdown document defines outside math (pandoc's ``header-includes:``, a
``{=latex}`` raw block, a paragraph of ``\newcommand`` lines) are the document's: its
equations written with them are differentiated and its written derivatives checked (they
were unread: "no shape is declared", every claim silent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.written_derivatives import Tally, check_written
from texgrad.shapes.check import Checker

RIDGE = r"""---
title: "Ridge regression, by hand"
header-includes:
  - \newcommand{\vw}{\mathbf{w}}
  - "\\newcommand{\\vy}{\\mathbf{y}}"
  - |
    \newcommand{\R}{\mathbb{R}}
---

```{=latex}
\newcommand{\mX}{\mathbf{X}}
```

\newcommand{\lam}{\lambda}

We fit $\vw \in \R^d$ to targets $\vy \in \R^n$ with the design matrix $\mX \in \R^{n \times d}$
and a penalty $\lam > 0$. The objective is
$$
L(\vw) = \|\mX\vw - \vy\|^2 + \lam \|\vw\|^2 .
$$
Its gradient is
$$
\nabla_{\vw} L = 2\mX^\top(\mX\vw - \vy) + 2\lam\vw ,
$$
and a common slip is to write $\nabla_{\vw} L = 2\mX^\top(\mX\vw - \vy) + \lam\vw$.
"""


def test_macros_of_the_front_matter_a_raw_block_and_a_paragraph_are_read(tmp_path: Path) -> None:
    doc = tmp_path / "ridge.md"
    doc.write_text(RIDGE, encoding="utf-8")
    line = RIDGE.split("\n").index(r"L(\vw) = \|\mX\vw - \vy\|^2 + \lam \|\vw\|^2 .") + 1
    out = diff_in_document(doc, line, r"\vw", budget=60.0)
    assert out.error is None and out.verified, out.error
    # the value, n = 5 rows, d = 3 columns: 2Xᵀ(Xw − y) + 2λw against central differences
    rng = np.random.default_rng(7)
    x, y, w, lam = rng.standard_normal((5, 3)), rng.standard_normal(5), rng.standard_normal(3), 0.7

    def loss(v: np.ndarray) -> float:
        return float(np.sum((x @ v - y) ** 2) + lam * v @ v)

    fd = np.array([(loss(w + 1e-6 * e) - loss(w - 1e-6 * e)) / 2e-6 for e in np.eye(3)])
    assert np.allclose(fd, 2 * x.T @ (x @ w - y) + 2 * lam * w, atol=1e-5)
    assert out.result == r"2 (\mX^\top (\mX \vw - \vy) + \lam \vw)"  # (the value above)
    tally = Tally()
    found = check_written(Checker().check(str(doc)), seconds=120.0, tally=tally)
    assert [RIDGE.count("\n", 0, f.start) + 1 for f in found] == [RIDGE.count("\n") - 0]
    assert tally.verified == 1
    assert "lacks a factor 2" in found[0].message
    assert found[0].correct == r"2\mX^\top(\mX\vw - \vy) + 2\lam\vw"  # (in the document's macros)
