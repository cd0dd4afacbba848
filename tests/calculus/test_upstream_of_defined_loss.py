r"""Upstream gradients of a loss the document defines (session 30): ``\frac{\partial L}{\partial
A_1} = \frac{\partial L}{\partial Z_2} W_2`` where ``L = -\frac1B \sum_i \mathbf y_i^\top \log
\mathbf p_i``, ``P = \operatorname{softmax}(Z_2)`` and ``Z_2 = A_1 W_2 + …``: L reaches A_1
only through Z_2, so the claim is checked as for a loss of no formula — and only then."""

from __future__ import annotations

from tests.calculus.written_check import found_lines
from texgrad.calculus.written_upstream import only_through
from texgrad.reading.source import MappedText
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row

FORWARD = r"""
Let $X \in \mathbb{R}^{B \times H}$, $W_1, W_2 \in \mathbb{R}^{H \times H}$,
$\mathbf b_1, \mathbf b_2 \in \mathbb{R}^{H}$, $Y \in \{0, 1\}^{B \times H}$ and $\lambda > 0$.

$$
\begin{aligned}
Z_1 &= X W_1 + \mathbf 1_B \mathbf b_1^\top, \\
A_1 &= \tanh(Z_1), \\
Z_2 &= A_1 W_2 + \mathbf 1_B \mathbf b_2^\top, \\
P &= \operatorname{softmax}(Z_2), \\
L &= -\frac{1}{B} \sum_{i=1}^{B} \mathbf y_i^\top \log \mathbf p_i LOSS_TAIL .
\end{aligned}
$$

Here $\mathbf y_i^\top$ and $\mathbf p_i^\top$ are the $i$-th rows of $Y$ and $P$.

$$
\begin{aligned}
"""


def _doc(rows: list[str], tail: str = "") -> str:
    body = " \\\\\n".join(rows)
    return FORWARD.replace(" LOSS_TAIL", tail) + body + "\n\\end{aligned}\n$$\n"


def _line(text: str, row: str) -> int:
    return text[: text.rindex(row)].count("\n") + 1  # (the last: W_2 is a prefix of W_2^T)


CORRECT = [
    r"\frac{\partial L}{\partial W_2} &= A_1^\top \frac{\partial L}{\partial Z_2}",
    r"\frac{\partial L}{\partial \mathbf b_2} &= \Big(\frac{\partial L}{\partial Z_2}\Big)^\top \mathbf 1_B",
    r"\frac{\partial L}{\partial A_1} &= \frac{\partial L}{\partial Z_2} W_2^\top",
    r"\frac{\partial L}{\partial W_1} &= X^\top \frac{\partial L}{\partial Z_1}",
]
WRONG = r"\frac{\partial L}{\partial A_1} &= \frac{\partial L}{\partial Z_2} W_2"


def test_a_missing_transpose_of_a_square_weight_is_found() -> None:
    text = _doc([*CORRECT, WRONG])
    lines, _ = found_lines(text)
    assert lines == [_line(text, WRONG)]


def test_a_weight_decay_keeps_the_claims_on_its_weight_unchecked() -> None:
    # L also reaches W_2 through λ/2‖W_2‖²: the right `+ λ W_2` and the wrong one without it
    # are both left alone; A_1 is still reached through Z_2 only, so its slip is found
    decay = (
        r"\frac{\partial L}{\partial W_2} &= A_1^\top \frac{\partial L}{\partial Z_2} + \lambda W_2"
    )
    text = _doc([decay, CORRECT[0], WRONG], r" + \frac{\lambda}{2} \|W_2\|_F^2")
    lines, _ = found_lines(text)
    assert lines == [_line(text, WRONG)]


def test_a_letter_of_unknown_meaning_in_the_loss_keeps_it_silent() -> None:
    # R is neither declared nor defined: it might depend on A_1, nothing is proved
    text = _doc([WRONG], " + R")
    lines, _ = found_lines(text)
    assert lines == []


def test_only_through_follows_definitions_members_and_leaves() -> None:
    def row(src: str) -> t.Node:
        tree = parse_row(MappedText.identity(src)).tree
        assert tree is not None
        return tree

    defs = {
        "L": (row(r"\sum_{i=1}^{B} \mathbf y_i^\top \log \mathbf p_i"), ()),
        "P": (row(r"\operatorname{softmax}(Z_{2})"), ()),
        "Z_{2}": (row(r"A_1 W_2"), ()),
    }
    stacks = {"y_{i}": ("Y", "row"), "p_{i}": ("P", "row")}
    leaves = {"Y", "B", "W_{2}", "A_{1}"}
    bodies, leaf = defs.get, leaves.__contains__
    assert only_through("L", "Z_{2}", "W_{2}", bodies, stacks, leaf)
    unknown = {**defs, "L": (row(r"\sum_{i=1}^{B} \mathbf y_i^\top \log \mathbf p_i + R"), ())}
    assert not only_through("L", "Z_{2}", "W_{2}", unknown.get, stacks, leaf)  # R: unknown
    decayed = {
        **defs,
        "L": (row(r"\sum_{i=1}^{B} \mathbf y_i^\top \log \mathbf p_i + \|W_2\|^2"), ()),
    }
    assert not only_through("L", "Z_{2}", "W_{2}", decayed.get, stacks, leaf)
    assert not only_through("L", "Z_{1}", "W_{2}", bodies, stacks, leaf)  # Z_1 never reached
