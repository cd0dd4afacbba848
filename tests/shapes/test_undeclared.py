r"""A document with math but no declaration at all gets one information note on how to
declare shapes (``no-declarations``), not one per symbol; any declaration makes it go."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import check_fixture
from texgrad.shapes.undeclared import CODE, HELP


def _notes(tmp_path: Path, body: str, name: str = "doc.md") -> list[tuple[str, str, str]]:
    _, result = check_fixture(tmp_path, f"%! {name}\n{body}\n")
    text = result.doc.text
    return [
        (d.severity, d.message, text[d.start : d.end]) for d in result.diagnostics if d.code == CODE
    ]


def test_one_note_on_the_first_formula(tmp_path: Path) -> None:
    notes = _notes(
        tmp_path,
        "With $n$ samples the loss is $f(x) = \\|Ax - b\\|^2$, and $g = x^\\top y + z$.",
    )
    assert len(notes) == 1
    severity, message, where = notes[0]
    assert severity == "information" and where == "f(x) = \\|Ax - b\\|^2"
    assert "`$A \\in \\mathbb{R}^{m \\times n}$`" in message
    assert message.endswith("(see README.md#declaring-shapes)")
    assert HELP[CODE] == "README.md#declaring-shapes"


@pytest.mark.parametrize(
    "declares",
    [
        "Let $x \\in \\mathbb{R}^n$.",
        "Let $\\lambda > 0$.",
        "Let $f : \\mathbb{R}^n \\to \\mathbb{R}$.",
        "Let $W$ be an $m \\times n$ matrix.",
        "The set $\\{x \\in \\mathbb{R}^n : Ax = b\\}$.",
    ],
)
def test_any_declaration_means_no_note(tmp_path: Path, declares: str) -> None:
    assert _notes(tmp_path, f"{declares} Then $f(x) = \\|Ax - b\\|^2$.") == []


def test_no_math_or_only_lone_letters_means_no_note(tmp_path: Path) -> None:
    assert _notes(tmp_path, "Plain prose, costs 5 dollars.") == []
    assert _notes(tmp_path, "For $n$ and $k$ and $2$.") == []


def test_latex_too_and_the_shape_diagnostics_unchanged(tmp_path: Path) -> None:
    notes = _notes(tmp_path, "We minimise $\\operatorname{tr}(X^\\top X)$.", "doc.tex")
    assert [n[2] for n in notes] == ["\\operatorname{tr}(X^\\top X)"]


def test_the_readme_has_the_section() -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    assert "\n### Declaring shapes\n" in readme.read_text(encoding="utf-8")
