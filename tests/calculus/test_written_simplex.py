r"""One-hot labels and distributions the prose states (calculus/written_simplex.py): the
softmax cross-entropy's gradient softmax(z) − y holds only where y sums to one; said to,
it is right, and its slips are still flagged."""

from __future__ import annotations

import numpy as np
import pytest

from texgrad.calculus.written_derivatives import check_written
from texgrad.calculus.written_simplex import resample, stated_sums
from texgrad.shapes.check import Checker

CE = r"\nabla_{\mathbf z}\left(-\mathbf y^\top \log\operatorname{softmax}(\mathbf z)\right)"
RIGHT = rf"$${CE} = \operatorname{{softmax}}(\mathbf z) - \mathbf y$$" + "\n"
SIGN = rf"$${CE} = \mathbf y - \operatorname{{softmax}}(\mathbf z)$$" + "\n"


def found(text: str) -> list[str]:
    checked = Checker().check("doc.tex", text=text)
    return [text[f.start : f.end] for f in check_written(checked, seconds=60.0)]


@pytest.mark.parametrize(
    "said",
    [
        r"let $\mathbf y \in \mathbb{R}^K$ be the one-hot encoding of the label.",
        r"let $\mathbf y \in \mathbb{R}^K$ be a probability vector.",
        r"let $\mathbf y \in \Delta^{K-1}$.",
        r"let $\mathbf y \in \mathbb{R}^K$ with $\mathbf 1^\top \mathbf y = 1$.",
        r"let the target $\mathbf y \in \mathbb{R}^K$ be a distribution over the $K$ classes.",
        # declarations and named conventions, not only words next to the letter
        r"let $\mathbf y \in \{0,1\}^K$.",
        r"let $\mathbf y \in \{0, 1\}^{K}$ be the label.",
        r"let $\mathbf y \in \{\mathbf e_1, \dots, \mathbf e_K\}$.",
        r"let $\mathbf y = \mathbf e_c \in \mathbb{R}^K$ for the true class $c$.",
        r"let $\mathbf y \in \mathbb{R}^K$ with $\sum_{k=1}^K y_k = 1$.",
        r"let $\mathbf y \in \mathbb{R}^K$ with $\sum_k y_k = 1$.",
        r"let $\mathbf y \in \mathbb{R}^K$ with $y_c = 1$ for the true class and $y_k = 0$ otherwise.",
        r"let $\mathbf y \in \mathbb{R}^K$ use the 1-of-K coding.",
        r"labels use one-hot encoding: $\mathbf y \in \mathbb{R}^K$.",
        r"let $\mathbf y \in \mathbb{R}^K$ be the indicator vector of the class.",
    ],
)
def test_a_label_said_to_sum_to_one(said: str) -> None:
    head = r"Let $\mathbf z \in \mathbb{R}^K$ and " + said + "\n\n"
    assert found(head + RIGHT) == []
    assert found(head + SIGN) == [r"\mathbf y - \operatorname{softmax}(\mathbf z)"]


def test_a_label_not_said_to_sum_to_one_is_general() -> None:
    head = r"Let $\mathbf z \in \mathbb{R}^K$ and $\mathbf y \in \mathbb{R}^K$." + "\n\n"
    assert found(head + RIGHT) == [r"\operatorname{softmax}(\mathbf z) - \mathbf y"]


def test_what_is_said_and_how_it_is_sampled() -> None:
    text = (
        r"Let $\mathbf z \in \mathbb{R}^K$ and let $\mathbf y \in \mathbb{R}^K$ be one-hot; "
        r"$\mathbf p \in \Delta^{K-1}$."
    )
    assert stated_sums(text) == (("p", "simplex"), ("y", "onehot"))
    rng = np.random.default_rng(0)
    values = {"y": np.zeros((5, 1)), "p": np.zeros((5, 1)), "z": np.ones((5, 1))}
    resample(values, {"y": "onehot", "p": "simplex"}, rng)
    assert sorted(values["y"].ravel()) == [0, 0, 0, 0, 1]
    assert np.isclose(values["p"].sum(), 1.0) and np.all(values["p"] > 0)
    assert np.all(values["z"] == 1)


def test_a_display_before_the_words_is_not_paired_with_the_prose() -> None:
    r"""Delimiters pair in order: after a ``$$…$$`` display (longer than any bound), "with
    $\mathbf p_t = …$ and one-hot $\mathbf y_t$" states that y is one-hot — not the hidden state h
    nor the letters of the heading between the display and the words (once read as math)."""
    display = "$$\n" + r"\mathbf h_t = \tanh(W \mathbf h_{t-1} + U \mathbf x_t) + " * 8 + "0\n$$\n"
    text = (
        display
        + "\n## Cross-entropy head\n\nFor classification, with "
        + r"$\mathbf p_t = \operatorname{softmax}(V\mathbf h_t)$ and one-hot $\mathbf y_t$:"
        + "\n"
    )
    assert {key for key, _ in stated_sums(text)} <= {"y", "t"}
    assert ("y", "onehot") in stated_sums(text)
