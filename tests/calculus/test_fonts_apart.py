r"""One letter in two fonts with two meanings — "$\boldsymbol\sigma \in \mathbb{R}^d$ the
scales, $\sigma > 0$ a temperature" — is refused in words, never read as one symbol: the
calculus keys a letter without its font, and ``\sigma\mathbf 1^\top(x - \mu)`` by μ came out a
"verified" d×d Jacobian ``-\boldsymbol\sigma\mathbf 1^\top``.  A plain letter used for its bold
declaration with nothing saying otherwise is still that symbol."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.api import diff_in_document


def test_a_letter_in_two_fonts_with_two_meanings_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "sig.md"
    doc.write_text(
        "Let $\\boldsymbol\\sigma \\in \\mathbb{R}^d$ be the scales, $\\sigma > 0$ a "
        "temperature, and $x, \\mu \\in \\mathbb{R}^d$.\n\n$$ f = \\sigma \\mathbf 1^\\top (x - \\mu) $$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, "\\mu", budget=60)
    assert not out.verified and out.result == ""
    assert "does not tell one letter's fonts apart" in (out.error or ""), out.error


def test_a_plain_letter_for_its_bold_declaration_is_that_symbol(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "Let $\\mathbf x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{n \\times n}$ and "
        "$\\lambda > 0$.\n\n$$ f = x^\\top A x + \\lambda x^\\top x $$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, "x", budget=60)
    assert out.verified and out.kind == "gradient", out.error
