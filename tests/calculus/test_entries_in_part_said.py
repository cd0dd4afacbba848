r"""A sum that takes the entries of a declared bold vector over part of their range, or
shifted (``\sum_{i=1}^{n-1}(u_{i+1} - u_i)^2`` of ``\mathbf u \in \mathbb{R}^n``), is refused
in the words of entries — it was "`\mathbf u` is summed over: differentiating with respect to
the samples of a sum", which these are not; a family of bold samples keeps that message."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.api import diff_in_document

ROD = r"""With $\mathbf{u} \in \mathbb{R}^n$ and $h > 0$,

$$
E(\mathbf{u}) = \frac{1}{2h}\sum_{i=1}^{n-1} (u_{i+1} - u_i)^2
$$
"""


def test_part_of_the_entries_is_said_in_their_words(tmp_path: Path) -> None:
    doc = tmp_path / "rod.md"
    doc.write_text(ROD, encoding="utf-8")
    out = diff_in_document(doc, 4, "\\mathbf{u}", budget=30.0)
    assert not out.verified and out.error is not None
    assert "takes entries of `\\mathbf{u}` (n of them)" in out.error
    assert "\\sum_{i=1}^{n - 1}" in out.error and "samples" not in out.error
