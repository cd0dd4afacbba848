r"""A loss written in a declared letter the text sets in terms of the variable — "logits
$\mathbf z \in \mathbb{R}^K$ … and $\mathbf z = W\mathbf x$", then ``\frac{\partial L}{\partial
W}`` of ``L = -\mathbf y^\top\log\operatorname{softmax}(\mathbf z)`` — is checked through that
setting (it was "the document gives L no formula in W"); by z itself z stays the variable."""

from __future__ import annotations

import pytest

from tests.calculus.written_check import check_written
from texgrad.shapes.check import Checker

DOC = (
    r"Logits $\mathbf{z} \in \mathbb{R}^K$, a target $\mathbf{y} \in \mathbb{R}^K$ with "
    r"$\mathbf 1^\top \mathbf y = 1$, weights $W \in \mathbb{R}^{K \times d}$, input "
    r"$\mathbf{x} \in \mathbb{R}^d$, and $\mathbf{z} = W\mathbf{x}$." + "\n"
    r"$$\mathbf{p} = \operatorname{softmax}(\mathbf{z}), \qquad L = \frac12\|\mathbf p - "
    r"\mathbf y\|^2 + \mathbf 1^\top \mathbf z$$" + "\n\n"
)


@pytest.mark.parametrize(
    ("claim", "wrong"),
    [
        (
            r"\frac{\partial L}{\partial \mathbf{z}} = (\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top)(\mathbf p - \mathbf y) + \mathbf 1",
            False,
        ),
        (
            r"\frac{\partial L}{\partial W} = ((\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top)(\mathbf p - \mathbf y) + \mathbf 1)\mathbf x^\top",
            False,
        ),
        (
            r"\frac{\partial L}{\partial W} = 2((\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top)(\mathbf p - \mathbf y) + \mathbf 1)\mathbf x^\top",
            True,
        ),
        (
            r"\frac{\partial L}{\partial \mathbf x} = W^\top((\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top)(\mathbf p - \mathbf y) + \mathbf 1)",
            False,
        ),
        (
            r"\frac{\partial L}{\partial \mathbf x} = -W^\top((\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top)(\mathbf p - \mathbf y) + \mathbf 1)",
            True,
        ),
    ],
)
def test_a_loss_in_a_set_letter_is_checked_through_the_setting(claim: str, wrong: bool) -> None:
    text = DOC + f"$${claim}$$\n"
    found = check_written(Checker().check("doc.md", text=text))
    assert len(found) == int(wrong), [f.message for f in found]


def test_a_one_hot_target_inside_the_names_gives_the_textbook_fix() -> None:
    text = (
        r"Logits $\mathbf{z} \in \mathbb{R}^K$, one-hot target $\mathbf{y} \in \{0,1\}^K$, "
        r"weights $W \in \mathbb{R}^{K \times d}$, input $\mathbf{x} \in \mathbb{R}^d$, and "
        r"$\mathbf{z} = W\mathbf{x}$." + "\n"
        r"$$\mathbf{p} = \operatorname{softmax}(\mathbf{z}), \qquad L = -\mathbf{y}^\top \log \mathbf{p}$$"
        "\n\n"
        r"$$\frac{\partial L}{\partial W} = 3(\mathbf{p} - \mathbf{y})\mathbf{x}^\top$$" + "\n"
    )
    (found,) = check_written(Checker().check("doc.md", text=text))
    assert (
        found.correct.replace("(", "").replace(")", "")
        == r"\mathbf{p} - \mathbf{y} \mathbf{x}^\top"
    )
    assert "factor 3 too many" in found.message
