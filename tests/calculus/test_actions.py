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


def test_a_failed_differentiation_is_listed_disabled_with_its_reason(tmp_path: Path) -> None:
    from texgrad.calculus.actions import Disabled, disabled_offers
    from texgrad.calculus.refusals import Refusal

    result, plan = _checked(tmp_path), _plan()
    failed = DiffOutcome(error="the Hessian of a sum over samples is not computed yet")
    verified = DiffOutcome(kind="gradient", result="2 x", verified=True)
    got = disabled_offers(result, [(plan, "result", verified), (plan, "hessian", failed)])
    assert got == [
        Disabled("Hessian of L w.r.t. x", "the Hessian of a sum over samples is not computed yet")
    ]
    refused = Refusal(plan.row_start, plan.row_end, "L", "`\\mathbb{E}[\\cdot]` is not supported")
    assert disabled_offers(result, [], refused) == [
        Disabled("Differentiate L", "`\\mathbb{E}[\\cdot]` is not supported")
    ]


SUM_TEXT = (
    "Let $X \\in \\mathbb{R}^{N \\times d}$ stacks the $x_i^\\top$ as rows, "
    "$y \\in \\mathbb{R}^N$ and $w \\in \\mathbb{R}^d$.\n"
    "\\[ L = \\sum_{i=1}^N (w^\\top x_i - y_i)^2 \\]\n"
)


def test_a_sum_with_a_verified_matrix_form_is_offered_in_that_form_too(tmp_path: Path) -> None:
    path = tmp_path / "sum.tex"
    path.write_text(SUM_TEXT, encoding="utf-8")
    result = Checker().check(str(path))
    start = SUM_TEXT.index("L =")
    plan = DiffPlan("w", "gradient", "", False, start, SUM_TEXT.index(" \\]", start))
    outcome = DiffOutcome(
        kind="gradient", result=r"\sum_{i=1}^N 2 (w^\top x_i - y_i) x_i", verified=True, wrt="w",
        matrix_form=r"2 X^\top (X w - y)", numpy="import numpy as np\n",
        matrix_numpy="import numpy as np\n\n\ndef grad_w_matrix_form(w, X, y):\n    pass\n",
    )  # fmt: skip
    got = offers(result, [(plan, "result", outcome)])
    assert [(o.title, o.mode) for o in got] == [
        ("Differentiate L w.r.t. w (gradient)", "result"),
        ("Differentiate L w.r.t. w (matrix form)", "matrix-form"),
        ("Show derivation of ∇_w L", "show"),
        ("Insert derivation of ∇_w L", "derivation"),
    ]
    written = writing(got[1], outcome, result, "latex", "auto")
    assert written is not None and written.equation == r"\nabla_w L = 2 X^\top (X w - y)"
    summed = writing(got[0], outcome, result, "latex", "auto")
    assert summed is not None and summed.equation == (
        r"\nabla_w L = \sum_{i=1}^N 2 (w^\top x_i - y_i) x_i"
    )
    copies = numpy_copies(result, [(plan, "result", outcome)])
    assert [(c.title, c.what) for c in copies] == [
        ("Copy ∇_w L as NumPy", "∇_w L"),
        ("Copy ∇_w L (matrix form) as NumPy", "∇_w L in matrix form"),
    ]
    assert copies[1].code == outcome.matrix_numpy
    # unverified: neither the matrix form nor its code
    unverified = DiffOutcome(kind="gradient", result="…", verified=False, matrix_form="2 X^\\top y")
    assert [o.mode for o in offers(result, [(plan, "result", unverified)])] == [
        "result", "show", "derivation",
    ]  # fmt: skip
    assert numpy_copies(result, [(plan, "result", unverified)]) == []


def test_in_markdown_the_matrix_forms_code_can_be_inserted_too(tmp_path: Path) -> None:
    text = (
        "Let $X \\in \\mathbb{R}^{N \\times d}$ stacks the $x_i^\\top$ as rows, "
        "$y \\in \\mathbb{R}^N$ and $w \\in \\mathbb{R}^d$.\n\n"
        "$$\nL = \\sum_{i=1}^N (w^\\top x_i - y_i)^2\n$$\n\nMore.\n"
    )
    path = tmp_path / "sum.md"
    path.write_text(text, encoding="utf-8")
    result = Checker().check(str(path))
    start = text.index("L =")
    plan = DiffPlan("w", "gradient", "", False, start, text.index("\n", start))
    matrix_code = "import numpy as np\n\n\ndef grad_w_matrix_form(w, X, y):\n    return X\n"
    outcome = DiffOutcome(
        kind="gradient", result="…", verified=True, wrt="w", matrix_form=r"2 X^\top (X w - y)",
        numpy="import numpy as np\n", matrix_numpy=matrix_code,
    )  # fmt: skip
    got = numpy_insertions(result, [(plan, "result", outcome)])
    assert [(o.title, o.mode) for o in got] == [
        ("Insert ∇_w L as NumPy code", "numpy"),
        ("Insert ∇_w L in matrix form as NumPy code", "numpy-matrix-form"),
    ]
    written = writing(got[1], outcome, result, "markdown", "auto")
    assert written is not None and "def grad_w_matrix_form(w, X, y):" in written.insertion.text


def test_differentials_by_each_variable_have_titles_of_their_own(tmp_path: Path) -> None:
    """A matrix expression differentiated by each of its matrices: every title of the menu
    says which (not "Show derivation of df" twice)."""
    text = "Let $A, X \\in \\mathbb{R}^{n \\times n}$.\n\\[ A X \\]\n"
    path = tmp_path / "doc.tex"
    path.write_text(text, encoding="utf-8")
    result = Checker().check(str(path))
    start = text.index("A X \\]")
    end = text.index(" \\]", start)
    done = [
        (
            DiffPlan(v, "matrix", "", True, start, end),
            "result",
            DiffOutcome(kind="matrix", result=r, verified=True),
        )
        for v, r in (("A", "dA X"), ("X", "A dX"))
    ]
    titles = [o.title for o in offers(result, done)]
    assert titles == [
        "Differentiate A X w.r.t. A (differential)",
        "Differentiate A X w.r.t. X (differential)",
        "Show derivation of df w.r.t. A",
        "Show derivation of df w.r.t. X",
        "Insert derivation of df w.r.t. A",
        "Insert derivation of df w.r.t. X",
    ]
    assert len(set(titles)) == len(titles)
