r"""A formula the text itself calls wrong — "A common mistake is to write $Xw^\top$",
"$\operatorname{tr}(A\mathbf x)$ makes no sense", "Do not write $\nabla f = …$" — gets no shape
error and no ``wrong-derivative``: it is a counterexample shown on purpose.  Only in its own
sentence, and not where the words after the blame make the formula the author's own answer
("To avoid the common mistake …, we write $…$", "… wrong; the correct form is $…$")."""

from __future__ import annotations

import pytest

from tests.calculus.written_check import check_written
from texgrad.shapes.check import Checker
from texgrad.shapes.denounced import denounced

DECLS = (
    r"Let $X \in \mathbb{R}^{n \times d}$, $A \in \mathbb{R}^{n \times n}$, "
    r"$x \in \mathbb{R}^n$ and $w \in \mathbb{R}^d$." + "\n\n"
)


def errors(body: str) -> list[str]:
    text = DECLS + body
    result = Checker().check("doc.md", text=text)
    return [text[d.start : d.end] for d in result.diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    "body",
    [
        r"A common mistake is to write $X w^\top$ here.",
        r"Students often write $X w^\top$, which does not even type-check.",
        r"Do not write $X w^\top$.",
        r"It is wrong to write $X w^\top$; use $X w$.",
        r"A typical slip: $X^\top x w$.",
        r"The product $\operatorname{tr}(X)$ makes no sense.",
        "One might try\n$$X w^\\top$$\nwhich is not defined.",
    ],
)
def test_a_counterexample_the_text_calls_wrong_is_no_error(body: str) -> None:
    assert errors(body) == []


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        (r"To avoid the common mistake of a missing transpose, we write $X w^\top$ here.", 1),
        (r"It is wrong to write $X w$ without care; the correct form is $w^\top X$.", 1),
        (r"We write $X w^\top$. A common mistake is to forget it.", 1),  # another sentence
        (r"Here $X w^\top$ is the outer product, and $x^\top w$ is not defined.", 1),
    ],
)
def test_the_authors_own_formulas_are_still_checked(body: str, flagged: int) -> None:
    assert len(errors(body)) == flagged


def test_a_derivative_the_text_calls_wrong_is_not_flagged() -> None:
    text = DECLS + (
        r"Do not write $\nabla_x (x^\top A x) = 2Ax$ for a general $A$."
        "\n\n"
        r"Here $\nabla_x (x^\top A x) = 2Ax$ again."
    )
    found = check_written(Checker().check("doc.md", text=text))
    assert [text.count("\n", 0, f.start) for f in found] == [4]


def test_the_sentence_bounds_the_blame() -> None:
    text = "A common mistake. Then $Xw$ is fine."
    at = text.index("Xw")
    assert not denounced(text, at, at + 2)
