r"""A loss over states a recurrence defines (:mod:`texgrad.calculus.recurrences`): where the
loss involves the variable only through the recurrence, the derivative is refused in words
(backpropagation through time), never given as 0; where it involves it directly too, the
states are held as given and the note says so (the result checked by central differences,
n = 3 states' size, T = 4 steps)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

RNN = r"""# An Elman network

Inputs $\mathbf{x}_t \in \mathbb{R}^m$ and states $\mathbf{h}_t \in \mathbb{R}^n$, with
$\mathbf{h}_0 = \mathbf{0}$, $W \in \mathbb{R}^{n \times n}$, $U \in \mathbb{R}^{n \times m}$
and targets $\mathbf{y}_t \in \mathbb{R}^n$:

$$\mathbf{h}_t = \tanh(W\mathbf{h}_{t-1} + U\mathbf{x}_t)$$

$$L = \sum_{t=1}^T \frac{1}{2}\|\mathbf{h}_t - \mathbf{y}_t\|^2$$

$$\ell_t = \frac{1}{2}\|\mathbf{h}_t - \mathbf{y}_t\|^2$$

$$E = \sum_{t=1}^T \|\mathbf{h}_t - W\mathbf{h}_{t-1}\|^2$$
"""


def _document(tmp_path: Path) -> Path:
    doc = tmp_path / "rnn.md"
    doc.write_text(RNN, encoding="utf-8")
    return doc


def test_a_loss_through_the_recurrence_only_is_refused_in_words(tmp_path: Path) -> None:
    doc = _document(tmp_path)
    for line, wrt in ((9, "W"), (9, "U"), (11, "W")):
        out = diff_in_document(doc, line, wrt)
        assert out.error is not None and not out.result, (line, wrt, out.result)
        assert "backpropagation through time" in out.error
        assert f"involves `{wrt}` only through it" in out.error
        assert "is 0" not in out.error


def test_a_loss_involving_the_variable_directly_holds_the_states(tmp_path: Path) -> None:
    out = diff_in_document(_document(tmp_path), 13, "W")
    assert out.error is None and out.verified, out.error
    assert "held as given (teacher forcing)" in out.note
    rng = np.random.default_rng(5)
    h, w = rng.standard_normal((5, 3)), rng.standard_normal((3, 3))  # h_0 … h_4
    values = {"family:h": h, "family-first:h": 0, "W": w, "T": 4}
    got = evaluate(parse_row(MappedText.identity(out.result)).tree, values)
    want = sum(-2 * np.outer(h[t] - w @ h[t - 1], h[t - 1]) for t in range(1, 5))
    assert np.allclose(np.asarray(got, dtype=float), want)


def test_states_the_text_says_are_held_fixed_are_held(tmp_path: Path) -> None:
    r"""A sum over states defined by a recurrence involving the variable: refused in words,
    unless the text just before says the states are held fixed (teacher forcing); then the
    derivative holds them as given, says so, and is checked (every state sampled)."""
    readme = Path(__file__).resolve().parents[1] / "derivations" / "gh-rnn-readme" / "README.md"
    text = readme.read_text(encoding="utf-8")
    line = next(n for n, s in enumerate(text.split("\n"), 1) if s.startswith("E = \\sum"))
    out = diff_in_document(readme, line, "W_{hh}")
    assert out.error is None and out.verified, out.error
    assert out.result == (
        r"\sum_{t=1}^{T} 2 (W_{hh} \mathbf{h}_{t-1} - \mathbf{h}_t) \mathbf{h}_{t-1}^\top"
    )
    assert out.note.count("held as given") == 1 and "as the text says" in out.note
    said = "If the hidden states are held fixed (teacher forcing of the states, as in a linear"
    assert said in text
    silent = tmp_path / "README.md"
    silent.write_text(text.replace(said, "Otherwise (as in a linear"), encoding="utf-8")
    out = diff_in_document(silent, line, "W_{hh}")
    assert out.error is not None and "backpropagation through time" in out.error
