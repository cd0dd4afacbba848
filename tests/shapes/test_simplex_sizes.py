r"""The probability simplex as papers write it: ``\Delta^{n-1}`` holds vectors of n entries
and ``\Delta_n`` too, but ``\Delta^n`` holds n entries to OT and ML papers ("histograms $a
\in \Delta^m$", m bins) and n + 1 to geometers: no size is read from it (a false alarm on
every marginal of hw-enumerate-sinkhorn-31 on main)."""

from __future__ import annotations

from pathlib import Path

from tests.shapes.helpers import check_fixture


def test_simplex_with_a_bare_exponent_gives_no_size(tmp_path: Path) -> None:
    _, result = check_fixture(
        tmp_path,
        r"""
        Let $a \in \Delta^{m}$, $b \in \Delta^n$, $p \in \Delta^{n-1}$, $q \in \Delta_m$ and $P \in \mathbb{R}^{m \times n}$.

        Right: $P\mathbf{1}_n = a$, $P^\top \mathbf{1}_m = b$, $a^\top P$, $P p$, $q^\top P$.
        Wrong: $P q$, $p^\top P$, $P\mathbf{1}_m$.
        """,
    )
    text = result.doc.text
    got = [text[d.start : d.end] for d in result.diagnostics]
    assert got == ["P q", r"p^\top P", r"P\mathbf{1}_m"]
