r"""The differentiation actions offered at a row: their titles and what taking one writes."""

from __future__ import annotations

from pathlib import Path

from texgrad.calculus.actions import Offer, numpy_copies, numpy_insertions, offers, writing
from texgrad.calculus.api import DiffOutcome, DiffPlan
from texgrad.shapes.check import Checker, CheckResult

TEXT = "Let $x \\in \\mathbb{R}^n$.\n\\[ L = x^\\top x \\]\n"


def _checked(tmp_path: Path) -> CheckResult:
    path = tmp_path / "doc.tex"
    path.write_text(TEXT, encoding="utf-8")
    return Checker().check(str(path))


def _plan() -> DiffPlan:
    start = TEXT.index("L =")
    return DiffPlan("x", "gradient", "", True, start, TEXT.index(" \\]", start))


def test_titles_say_what_is_not_verified(tmp_path: Path) -> None:
    result, plan = _checked(tmp_path), _plan()
    verified = DiffOutcome(kind="gradient", result="2 x", verified=True)
    got = offers(result, [(plan, "result", verified), (plan, "hessian", None)])
    assert [(o.title, o.mode, o.head) for o in got] == [
        ("Differentiate L w.r.t. x (gradient)", "result", "L"),
        ("Hessian of L w.r.t. x (not verified)", "hessian", "L"),
        ("Show derivation of ∇ₓL", "show", "L"),
        ("Insert derivation of ∇ₓL", "derivation", "L"),
    ]
    assert offers(result, [(plan, "result", DiffOutcome(error="no"))]) == []


def test_a_taken_offer_writes_its_equation_after_the_math(tmp_path: Path) -> None:
    result, plan = _checked(tmp_path), _plan()
    row_text = TEXT[plan.row_start : plan.row_end]
    offer = Offer("", "result", "x", plan.row_start, row_text, "L")
    outcome = DiffOutcome(kind="gradient", result="2 x", verified=True, wrt="x")
    written = writing(offer, outcome, result, "latex", "auto")
    assert written is not None and written.equation == "\\nabla_x L = 2 x"
    ins = written.insertion
    assert TEXT[: ins.offset] + ins.text == TEXT[:-1] + "\n\\[\n  \\nabla_x L = 2 x\n\\]"
    moved = Offer("", "result", "x", len(TEXT), "", "L")
    assert writing(moved, outcome, result, "latex", "auto") is None


def test_only_verified_results_with_code_are_offered_to_copy(tmp_path: Path) -> None:
    result, plan = _checked(tmp_path), _plan()
    code = "import numpy as np\n"
    verified = DiffOutcome(kind="gradient", result="2 x", verified=True, numpy=code)
    unverified = DiffOutcome(kind="gradient", result="2 x", verified=False, numpy=code)
    without = DiffOutcome(kind="gradient", result="2 x", verified=True, numpy_note="no spelling")
    got = numpy_copies(result, [(plan, "result", verified), (plan, "hessian", verified)])
    assert [(c.title, c.code, c.what) for c in got] == [
        ("Copy ∇ₓL as NumPy", code, "∇ₓL"),
        ("Copy the Hessian of L w.r.t. x as NumPy", code, "the Hessian of L w.r.t. x"),
    ]
    assert numpy_copies(result, [(plan, "result", unverified), (plan, "result", without)]) == []
    assert numpy_copies(result, [(plan, "result", None)]) == []


def test_markdown_results_can_be_inserted_as_numpy_code(tmp_path: Path) -> None:
    text = "Let $x \\in \\mathbb{R}^n$.\n\n- the loss:\n  $$\n  L = x^\\top x\n  $$\n\nMore.\n"
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    result = Checker().check(str(path))
    start = text.index("L =")
    plan = DiffPlan("x", "gradient", "", True, start, text.index("\n", start))
    code = 'import numpy as np\n\n\ndef grad_x(x):\n    """…"""\n    return 2 * x\n'
    outcome = DiffOutcome(kind="gradient", result="2 x", verified=True, numpy=code, wrt="x")
    got = numpy_insertions(result, [(plan, "result", outcome), (plan, "hessian", None)])
    assert [(o.title, o.mode) for o in got] == [("Insert ∇ₓL as NumPy code", "numpy")]
    written = writing(got[0], outcome, result, "markdown", "auto")
    assert written is not None and written.equation is None
    ins = written.insertion
    new = text[: ins.offset] + ins.text + text[ins.offset :]
    block = '  ```python\n  import numpy as np\n\n\n  def grad_x(x):\n      """…"""\n'
    assert "  $$\n\n" + block + "      return 2 * x\n  ```\n\nMore.\n" in new
    tex = _checked(tmp_path)  # a LaTeX document: no code block
    assert numpy_insertions(tex, [(_plan(), "result", outcome)]) == []
