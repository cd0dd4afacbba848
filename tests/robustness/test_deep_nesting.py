r"""Deeply nested math (1,000 parentheses, 500 ``\frac``, 2,000 superscripts, ``\left(`` ×500)
once raised RecursionError in every pass after parsing.  A row nested deeper than
``syntax/limits.MAX_DEPTH`` is now one ``too-deep`` warning; the rest of the file is
checked, and hovers, code actions and ``texgrad diff`` answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import run_cli
from texgrad.reading.source import MappedText
from texgrad.shapes.query import shape_info
from texgrad.syntax import tree as t
from texgrad.syntax.limits import MAX_DEPTH
from texgrad.syntax.parse import parse_row
from texgrad.workspace import Workspace

DEEP = {
    "parentheses": "(" * 1000 + "x" + ")" * 1000,
    "fractions": "\\frac{1}{" * 500 + "x" + "}" * 500,
    "superscripts": "x^{" * 2000 + "2" + "}" * 2000,
    "left-right": "\\left(" * 500 + "x" + "\\right)" * 500,
    "functions": "\\sin " * 2000 + "x",
    "subscripts": "x_{" * 1000 + "1" + "}" * 1000,
    "norms": "\\|" * 400 + "x" + "\\|" * 400,
}

HEAD = "\\section{A}\nLet $x \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
TAIL = "\n\nAfter it: $A x x$ is wrong.\n"


def _document(math: str) -> str:
    return HEAD + "\\[ " + math + " \\]" + TAIL


@pytest.mark.parametrize("name", sorted(DEEP))
def test_a_deep_row_is_one_warning_and_the_rest_is_checked(name: str, tmp_path: Path) -> None:
    text = _document(DEEP[name])
    path = tmp_path / "deep.tex"
    path.write_text(text, encoding="utf-8")
    ws = Workspace([str(tmp_path)])
    analysis = ws.analyse(str(path), text, {})
    result = analysis.result
    assert result is not None
    codes = [(d.code, d.severity) for d in result.diagnostics]
    assert ("too-deep", "warning") in codes
    deep = next(d for d in result.diagnostics if d.code == "too-deep")
    assert text.index("\\[") < deep.start < deep.end <= text.index("\\]")
    assert f"more than the {MAX_DEPTH}" in deep.message
    # the row after it is still checked: A x x multiplies ℝⁿ by ℝⁿ
    after = text.index("A x x")
    assert any(d.code == "matmul-mismatch" and d.start >= after for d in result.diagnostics)
    # hover, code actions and differentiation on the deep row answer, none raises
    inside = text.index("\\[") + 10
    info = shape_info(result, inside)
    assert info is None or info.shape is None or info.shape is not None
    assert ws.plans(result, inside) == []
    ws.refusal(result, inside)
    outcome = ws.differentiate(result, inside, "x")
    assert outcome.error is not None and "too deeply nested" in outcome.error
    # and the hover after it still knows x
    hovered = shape_info(result, after + 2)
    assert hovered is not None and hovered.shape is not None


def test_the_depth_limit_is_above_every_row_of_the_corpus_and_exact() -> None:
    # 38 nested parentheses around x: 39 levels, read; one more level past the limit is not
    ok = parse_row(MappedText.identity("(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)))
    assert ok.tree is not None and not isinstance(ok.tree, t.Unread)
    deep = parse_row(MappedText.identity("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH))
    assert isinstance(deep.tree, t.Unread) and deep.tree.code == "too-deep"
    assert f"nests {MAX_DEPTH + 1} levels" in deep.tree.why
    assert (deep.tree.start, deep.tree.end) == (0, 2 * MAX_DEPTH + 1)


_diff = run_cli  # texgrad ARGV in this process: (status, stdout, stderr)


@pytest.mark.parametrize("name", ["parentheses", "fractions", "superscripts"])
def test_diff_of_deep_math_says_so(name: str) -> None:
    code, out, err = _diff("diff", DEEP[name], "--wrt", "x", "--where", "x \\in \\mathbb{R}")
    assert code == 1 and out == ""
    assert "too deeply nested" in err and "Traceback" not in err


def test_diff_just_below_the_limit_answers_and_verifies() -> None:
    expr = "\\sigma(" * 30 + "x^\\top x" + ")" * 30
    code, out, err = _diff("diff", expr, "--wrt", "x", "--where", "x \\in \\mathbb{R}^n")
    assert code == 0, err
    assert "verified" in out + err
