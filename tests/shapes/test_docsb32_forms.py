r"""Session 32's Markdown documents (tests/documents/*-32, docsb): forms of the shape check
they found, each on a short text.

- a rational power of a square matrix, Shampoo's ``L_t^{-1/4} G_t R_t^{-1/4}``, is a matrix
  of its size (only ``\pm 1/2`` were): a swapped ``R_t^{-1/4} G_t L_t^{-1/4}`` went unflagged
  (anki-shampoo-muon-32); a rational power of a rectangular matrix, maybe its entries'
  roots, is not flagged (nor sized).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shapes.helpers import codes_by_line

SHAMPOO = r"""
%! notes.md
Let $G \in \mathbb{R}^{m \times n}$, $L \in \mathbb{R}^{m \times m}$, $R \in \mathbb{R}^{n \times n}$ and $W \in \mathbb{R}^{m \times n}$.
Then $W - \eta\, L^{-1/4} G R^{-1/4}$ is the update, and $L^{\frac{1}{3}} G R^{-\frac{1}{3}}$ conforms.
Wrong: $W - \eta\, R^{POWER} G L^{POWER}$.
Not flagged: $W^{1/4}$ (its entries), nor $G^{-1/3}$.
"""


@pytest.mark.parametrize("power", ["-1/4", "1/4", "-\\frac{1}{4}", "1/3"])
def test_a_rational_power_of_a_square_matrix_keeps_its_size(power: str, tmp_path: Path) -> None:
    text = SHAMPOO.replace("POWER", power)
    assert codes_by_line(text, tmp_path) == [(3, "matmul-mismatch")]


ENCODER = r"""
%! prefs.md
A pair is embedded by a frozen encoder into $h(x, y) \in \mathbb{R}^d$, and $W \in \mathbb{R}^{k \times k}$.
We write $h_w = h(x, y_w)$ for the chosen response, and $g = h(x', y)$.
Then $W h(x, y_w)$, $W h_w$ and $W g$ do not conform, nor $W h(x, y)$.
"""


def test_a_call_on_members_of_the_declared_calls_arguments_has_its_value(tmp_path: Path) -> None:
    r"""``h(x, y_w)`` after ``h(x, y) \in \mathbb{R}^d``, the text x and y sized nowhere: the
    chosen response ``y_w`` is one ``y``, so the call is a d-vector (gh-readme-dpo-reward-32)."""
    assert codes_by_line(ENCODER, tmp_path) == [(3, "matmul-mismatch")] * 4


TRAINING = r"""
%! rlhf.md
# Reward models

The head is $r = \mathbf{v}^\top \mathbf{h}$ with $\mathbf{v} \in \mathbb{R}^{m}$ and $\mathbf{h} \in \mathbb{R}^m$.

## HEADING

With a linear head (now $\mathbf{v} \in \mathbb{R}^d$) the loss only sees the margin.

## The nonlinear head

Then $\mathbf{v} \odot \mathbf{h}$ is fine.
"""


@pytest.mark.parametrize(
    ("heading", "codes"),
    [
        ("Training the reward model", []),  # what is done to a model: its letters its own
        ("Fitting a model", []),
        ("The linear model", [(11, "elementwise-mismatch")]),  # a set-up: v ∈ ℝ^d carried
    ],
)
def test_a_heading_that_trains_a_model_sets_nothing_up(
    heading: str, codes: list[tuple[int, str]], tmp_path: Path
) -> None:
    r""" "## Training the reward model" named a Model section (one that sets up the others),
    so its "(now $\mathbf v \in \mathbb{R}^d$)" held in the sections after it: three false
    alarms in hugo-book-rlhf-katex-32."""
    assert codes_by_line(TRAINING.replace("HEADING", heading), tmp_path) == codes
