r"""A derivative the prose itself calls wrong ("A common slip is to write …", "… which has
the wrong sign", "这是错误的", a ✗ beside it) is reported as ``wrong-derivative`` saying that
the text calls it wrong, as information, not a warning (calculus/written_denounced.py): the
author is told how it differs, not warned of what they know.  The same slip written without
such words is a warning; a judgement negated ("not a mistake"), "error" as a quantity and
words about another claim denounce nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from texgrad.calculus.written_denounced import denounced
from texgrad.calculus.written_derivatives import Tally, check_written, diagnostics_of
from texgrad.shapes.check import Checker

HEAD = (
    "Let $\\mathbf x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{m \\times n}$, $B \\in "
    "\\mathbb{R}^{n \\times n}$ and $\\mathbf b \\in \\mathbb{R}^m$.\n\n"
)
GRAD = "\\nabla_{\\mathbf x}\\|A\\mathbf x - \\mathbf b\\|^2"
QUAD = "\\nabla_{\\mathbf x}(\\mathbf x^\\top B \\mathbf x)"
SLIP = f"{QUAD} = 2B\\mathbf x"  # (B is not symmetric: (B + Bᵀ)x)


def _lines(tmp_path: Path, body: str, name: str = "doc.md") -> tuple[list[int], Tally]:
    """The lines of the findings the text does not call wrong (warnings)."""
    found, tally = _found(tmp_path, body, name)
    return [line for line, said in found if not said], tally


def _denounced(tmp_path: Path, body: str, name: str = "doc.md") -> list[tuple[int, str]]:
    """The lines of the findings the text calls wrong, with its words."""
    return [(line, said) for line, said in _found(tmp_path, body, name)[0] if said]


def _found(tmp_path: Path, body: str, name: str) -> tuple[list[tuple[int, str]], Tally]:
    text = HEAD + body
    checked = Checker().check(str(tmp_path / name), text=text)
    tally = Tally()
    found = check_written(checked, seconds=120.0, tally=tally)
    diagnostics = diagnostics_of(checked, found)
    for f, d in zip(found, diagnostics, strict=True):  # (information where the text says so)
        assert d.severity == ("information" if f.denounced else "warning")
        assert d.message.startswith(f"as the text says (“{f.denounced}”), ") == bool(f.denounced)
    return [(text.count("\n", 0, f.start) + 1, f.denounced) for f in found], tally


def _said(text: str) -> str | None:
    at = text.index("$x$") + 1
    return denounced(text, (at, len(text)), (at, at + 1))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("A common slip is to write $x$ here.", "slip"),
        ("It is tempting but wrong to write $x$.", "tempting"),
        ("**Incorrect:** $x$", "Incorrect"),
        ("Some students wrote $x$, which has the wrong sign.", "wrong"),
        ("The version $x$ forgets a factor.", "forgets"),
        ("Die Lösung $x$ ist falsch.", "falsch"),
        ("有同学写成 $x$ 这是错误的。", "错误"),
        ("Un error común es $x$.", "Un error común"),
        ("$x$ ✗", "✗"),
        ("A version that dropped the minus sign: $x$.", "dropped the"),
        ("We get $x$. This is wrong.", "wrong"),  # the next sentence, speaking of it
    ],
)
def test_words_that_denounce_a_claim(text: str, word: str) -> None:
    assert _said(text) == word


@pytest.mark.parametrize(
    "text",
    [
        "This is not a mistake: $x$ holds.",
        "The gradient of the squared error is $x$.",
        "Der quadratische Fehler hat den Gradienten $x$.",
        "We get $x$. The next one is wrong.",  # the next sentence speaks of another
        "Do not forget the factor: $x$.",
        "The loss drops quickly, since $x$ here.",
        "The gradient of the error is $x$.",
        "A student answered $x$.",  # quoted, not judged
        "A common slip is $y = 1$, and the gradient is $x$ with the 2.",  # (see below)
    ],
)
def test_words_that_do_not(text: str) -> None:
    # (the last: a judgement before another claim is that claim's, tested with real claims
    # below; the pure function sees no other claim here and reads "slip" as this one's)
    if "slip" in text:
        at = text.index("$x$") + 1
        assert denounced(text, (at, at + 1), (at, at + 1), [(20, 25, 20, 20)]) is None
        return
    assert _said(text) is None


def test_a_denounced_slip_is_information_saying_so(tmp_path: Path) -> None:
    body = (
        f"A common slip is to write ${SLIP}$ for a general $B$.\n\n"  # line 3
        f"Here ${SLIP}$ is what we claim.\n\n"  # line 5: reported
        f"It is tempting but wrong to write\n$$\n{GRAD} = A^\\top(A\\mathbf x - \\mathbf b)\n$$\n\n"
        f"Without any word, ${GRAD} = A^\\top(A\\mathbf x - \\mathbf b)$ here.\n"  # line 12
    )
    lines, tally = _lines(tmp_path, body)
    assert lines == [5, 12]
    assert _denounced(tmp_path, body) == [(3, "slip"), (9, "tempting")]
    assert tally.reasons["denounced"] == 2


def test_a_judgement_belongs_to_the_nearest_claim(tmp_path: Path) -> None:
    body = (  # a cheat sheet's "Wrong:" before the first row denounces that row only
        "Wrong:\n\\begin{align*}\n"
        f"{SLIP} \\\\\n"  # line 5: denounced
        f"{GRAD} &= A^\\top(A\\mathbf x - \\mathbf b)\n"  # line 6: reported
        "\\end{align*}\n"
    )
    lines, _ = _lines(tmp_path, body, "doc.tex")
    assert lines == [6]
    assert _denounced(tmp_path, body, "doc.tex") == [(5, "Wrong")]


def test_words_after_a_chain_judge_its_rows(tmp_path: Path) -> None:
    body = (
        "\\begin{align*}\n"
        f"{QUAD} &= (B + B^\\top)\\mathbf x \\\\\n"
        "&= 2B\\mathbf x\n"  # line 5: the slip
        "\\end{align*}\n"
        "and the slip in the last row is the usual one.\n\n"
        "\\begin{align*}\n"
        f"{QUAD} &= (B + B^\\top)\\mathbf x \\\\\n"
        "&= 2B\\mathbf x\n"  # line 11: reported
        "\\end{align*}\n"
    )
    lines, _ = _lines(tmp_path, body, "doc.tex")
    assert lines == [11]
    assert _denounced(tmp_path, body, "doc.tex") == [(5, "slip")]


def test_rows_after_an_intertext_continue_the_chain(tmp_path: Path) -> None:
    # (i15: ``\intertext{…}`` between two rows of an align is prose, not the chain's end)
    body = (
        "\\begin{align*}\n"
        f"{QUAD} &= (B + B^\\top)\\mathbf x \\\\\n"
        "\\intertext{which we also write as}\n"
        "&= B\\mathbf x + B^\\top\\mathbf x \\\\\n"  # line 6: right
        "\\shortintertext{or}\n"
        "&= 2B\\mathbf x\n"  # line 8: the slip, reported
        "\\end{align*}\n"
    )
    lines, _ = _lines(tmp_path, body, "doc.tex")
    assert lines == [8]


def test_a_derivative_written_d_subscript(tmp_path: Path) -> None:
    # (i15: ``D_{\mathbf x} f`` as the gradient by x, where D is no letter of the document)
    body = (
        "$$D_{\\mathbf x} (\\mathbf x^\\top B \\mathbf x) = (B + B^\\top)\\mathbf x$$\n\n"  # 3
        "$$D_{\\mathbf x} (\\mathbf x^\\top B \\mathbf x) = 2B\\mathbf x$$\n\n"  # 5: reported
        "$$D_{\\mathbf x}\\, e^{-\\mathbf b^\\top A\\mathbf x} = -e^{-\\mathbf b^\\top A\\mathbf x}"
        " A^\\top\\mathbf b$$\n\n"  # 7
        "$$D_{\\mathbf x}\\, e^{-\\mathbf b^\\top A\\mathbf x} = e^{-\\mathbf b^\\top A\\mathbf x}"
        " A^\\top\\mathbf b$$\n"  # 9: reported
    )
    lines, _ = _lines(tmp_path, body)
    assert lines == [5, 9]
    declared = "Let $D \\in \\mathbb{R}^{n \\times n}$ be diagonal.\n\n" + body
    lines, tally = _lines(tmp_path, declared)  # D a letter of the document: not read so
    assert lines == []


def test_a_mark_in_or_beside_the_formula(tmp_path: Path) -> None:
    body = (
        f"$${SLIP} \\quad \\text{{(wrong)}}$$\n\n"  # line 3: marked in its math
        f"$${SLIP} \\quad \\text{{(our claim)}}$$\n\n"  # line 5: reported
        f"${SLIP}$ ✗\n"  # line 7: marked beside it
    )
    lines, _ = _lines(tmp_path, body)
    assert lines == [5]
    assert [line for line, _ in _denounced(tmp_path, body)] == [3, 7]
