r"""Functions a document defines, and what documents write around their losses.

``\sigma(t) = 1/(1+e^{-t})``, ``\phi(z) = \max(0, z)``, ``g(t) = \log(1 + t^2)``,
``\operatorname{swish}(t) = t\sigma(t)``, a kernel ``k(\mathbf{x}, \mathbf{x}')``, Huber's
loss by cases: applied as written (to each entry of an array when defined on numbers) and
differentiated through their definition, the answer in the function's own name.  Each
result is checked here against a gradient written out with numpy, at a point with a
different size for every dimension.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from texgrad.calculus.actions import offers, writing
from texgrad.calculus.api import diff_at, diff_in_document, diff_latex, plans_at
from texgrad.calculus.evaluate_tree import Functions, evaluate
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax import tree as t
from texgrad.syntax.parse import parse_row
from texgrad.syntax.symbols import symbol_key

RNG = np.random.default_rng(20261205)


def _tree(latex: str) -> t.Node:
    row = parse_row(MappedText.identity(latex))
    assert row.tree is not None, latex
    return row.tree


def _value(
    latex: str, values: dict[str, np.ndarray], functions: Functions | None = None
) -> np.ndarray:
    return evaluate(_tree(latex), values, functions)


def _with_where(where: list[str], values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The values with the names a result uses ("t_0 = …", printed after it) evaluated in."""
    out = dict(values)
    for line in where:
        name, _, latex = line.partition("=")
        key = symbol_key(_tree(name.strip()))
        assert key is not None, line
        out[key[0]] = evaluate(_tree(latex.strip()), out)
    return out


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


SIGMOID_TEX = r"""\section{Logistic regression}
Let $X \in \mathbb{R}^{N \times d}$ be the data, $y \in \{0,1\}^N$ the labels and
$w \in \mathbb{R}^d$ the weights. The sigmoid is
\begin{equation}
\sigma(t) = 1/(1+e^{-t}).
\end{equation}
The loss is
\begin{equation}
L(w) = -\frac{1}{N}\left(y^\top \log \sigma(Xw) + (1-y)^\top \log(1-\sigma(Xw))\right)
\end{equation}
"""


def test_a_sigmoid_defined_in_a_tex_equation_is_the_logistic_function() -> None:
    out = diff_in_document("doc.tex", _line(SIGMOID_TEX, "L(w) ="), "w", text=SIGMOID_TEX)
    assert out.error is None, out.error
    assert out.verified and "independently" not in out.note, out.note
    assert "\\sigma(X w)" in out.result
    X, y, w = (
        RNG.standard_normal((5, 3)),
        RNG.integers(0, 2, (5, 1)) * 1.0,
        RNG.standard_normal((3, 1)),
    )
    got = _value(out.result, {"X": X, "y": y, "w": w, "N": np.array([[5.0]])})
    assert np.allclose(got, X.T @ (_sigmoid(X @ w) - y) / 5)


SIGMOID_MD = r"""# A squared error through a sigmoid

Let $X \in \mathbb{R}^{n \times d}$, $y \in \mathbb{R}^n$ and $w \in \mathbb{R}^d$, and write
$\sigma(t) = \frac{1}{1+\exp(-t)}$ for the sigmoid, applied to each entry.

$$E = \|\sigma(Xw) - y\|^2$$
"""


def test_a_sigmoid_defined_inline_in_markdown_prose() -> None:
    out = diff_in_document("doc.md", _line(SIGMOID_MD, "$$E"), "w", text=SIGMOID_MD)
    assert out.error is None, out.error
    assert out.verified and "independently" not in out.note, out.note
    assert "\\sigma(X w)" in out.result and "\\sigma'" not in out.result
    X, y, w = RNG.standard_normal((6, 4)), RNG.standard_normal((6, 1)), RNG.standard_normal((4, 1))
    s = _sigmoid(X @ w)
    got = _value(out.result, {"X": X, "y": y, "w": w})
    assert np.allclose(got, 2 * X.T @ ((s - y) * s * (1 - s)))


MLP_MD = r"""# A two-layer network

Let $x \in \mathbb{R}^d$ be an input, $y \in \mathbb{R}^k$ its target, and
$W_1 \in \mathbb{R}^{h \times d}$, $W_2 \in \mathbb{R}^{k \times h}$ the weights.
The activation is $\phi(z) = \max(0, z)$, applied to each entry, and the logistic
function is $s(t) = \frac{1}{1+\exp(-t)}$.

$$L = \frac{1}{2}\|W_2 \phi(W_1 x) - y\|^2$$

$$\ell = -y^\top \log s(W_2 \phi(W_1 x))$$
"""
RELU: Functions = {
    "\\phi": (("z",), _tree(r"\max(0, z)")),
    "s": (("t",), _tree(r"\frac{1}{1+\exp(-t)}")),
}


def _mlp_point() -> dict[str, np.ndarray]:
    return {
        "x": RNG.standard_normal((3, 1)),
        "y": RNG.standard_normal((2, 1)),
        "W_{1}": RNG.standard_normal((5, 3)),
        "W_{2}": RNG.standard_normal((2, 5)),
    }


def test_a_generic_activation_keeps_its_name_and_its_derivative() -> None:
    out = diff_in_document("doc.md", _line(MLP_MD, "$$L ="), "W_1", text=MLP_MD)
    assert out.error is None, out.error
    assert out.verified and "independently" not in out.note, out.note
    assert "\\phi'(W_1 x)" in out.result and "\\phi(W_1 x)" in out.result
    v = _mlp_point()
    z = v["W_{1}"] @ v["x"]
    want = ((v["W_{2}"].T @ (v["W_{2}"] @ np.maximum(z, 0) - v["y"])) * (z > 0)) @ v["x"].T
    assert np.allclose(_value(out.result, v, RELU), want, atol=1e-6)


def test_log_of_a_defined_function_applies_it_to_the_bracket() -> None:
    # \log s(W_2 …) is read by the parser as (\log s)(W_2 …): s is the document's function
    out = diff_in_document("doc.md", _line(MLP_MD, "$$\\ell ="), "W_2", text=MLP_MD)
    assert out.error is None, out.error
    # s is the logistic function under another name: its derivative is written with s
    assert out.verified and "s'(" not in out.result and "s(W_2" in out.result, out.result
    v = _mlp_point()
    h = np.maximum(v["W_{1}"] @ v["x"], 0)
    want = -(v["y"] * (1 - _sigmoid(v["W_{2}"] @ h))) @ h.T
    assert np.allclose(_value(out.result, v, RELU), want, atol=1e-6)


def test_code_actions_are_planned_through_a_defined_activation() -> None:
    offset = MLP_MD.index("L = \\frac")
    plans = plans_at("doc.md", MLP_MD, offset)
    assert {(p.wrt, p.kind) for p in plans} == {
        ("W_1", "gradient"),
        ("W_2", "gradient"),
        ("x", "gradient"),
        ("y", "gradient"),
    }


WHERE = r"W \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n"


def test_the_hessian_through_a_function_of_numbers_is_its_second_derivative() -> None:
    out = diff_latex(r"\mathbf{1}^\top g(Wx)", "x", WHERE + r"; g(t) = \log(1 + t^2)", hessian=True)
    assert out.verified, out.note
    assert out.result == "W^\\top \\operatorname{diag}(g''(W x)) W"
    W, x = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 1))
    z = (W @ x).ravel()
    g2 = (2 - 2 * z**2) / (1 + z**2) ** 2
    assert np.allclose(
        W.T @ np.diag(g2) @ W,
        _value(out.result, {"W": W, "x": x}, {"g": (("t",), _tree(r"\log(1 + t^2)"))}),
        atol=1e-5,
    )


def test_an_operator_name_the_engine_does_not_know_is_the_documents() -> None:
    out = diff_latex(
        r"\mathbf{1}^\top \operatorname{swish}(Wx)",
        "x",
        WHERE + r"; \operatorname{swish}(t) = t\sigma(t)",
    )
    assert out.verified and "independently" not in out.note, out.note
    assert out.result == "W^\\top \\operatorname{swish}'(W x)"
    W, x = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 1))
    z = W @ x
    want = W.T @ (_sigmoid(z) + z * _sigmoid(z) * (1 - _sigmoid(z)))
    got = _value(out.result, {"W": W, "x": x}, {"swish": (("t",), _tree(r"t\sigma(t)"))})
    assert np.allclose(got, want, atol=1e-6)


@pytest.mark.parametrize("body", [r"\exp(t)", r"t^{-1}"])
def test_a_function_of_numbers_on_a_square_matrix_is_refused_when_unclear(body: str) -> None:
    # e^A or the entries' exponentials? A^{-1} or the entries' reciprocals? Not guessed.
    out = diff_latex(
        r"\mathbf{1}^\top f(A) \mathbf{1}", "A", r"A \in \mathbb{R}^{n \times n}; f(t) = " + body
    )
    assert out.error is not None and not out.verified
    assert "cannot tell whether `f`" in out.error and "(" not in out.error.split("`A`")[0][-3:]


GP_TEX = r"""\section{Kernels}
For inputs $\mathbf{x}, \mathbf{z} \in \mathbb{R}^d$ the squared-exponential kernel with
length-scale $\ell > 0$ is
\begin{equation}
k(\mathbf{x}, \mathbf{x}') = \exp\left(-\frac{\|\mathbf{x}-\mathbf{x}'\|^2}{2\ell^2}\right).
\end{equation}
\begin{equation}
f(\mathbf{x}) = \log k(\mathbf{x}, \mathbf{z}) + k(\mathbf{x}, \mathbf{z})
\end{equation}
The Huber loss with threshold $\delta > 0$ is
$h(r) = \begin{cases} \frac{1}{2} r^2 & |r| \le \delta \\ \delta |r| - \frac{1}{2}\delta^2 & \text{otherwise} \end{cases}$
and with $W \in \mathbb{R}^{m \times d}$ the loss is $G = \mathbf{1}^\top h(W\mathbf{x})$.
"""


def test_a_kernel_of_two_vectors_with_a_primed_parameter() -> None:
    out = diff_in_document("doc.tex", _line(GP_TEX, "f(\\mathbf{x}) ="), "\\mathbf{x}", text=GP_TEX)
    assert out.error is None, out.error
    assert out.verified and "independently" not in out.note, out.note
    x, z, ell = RNG.standard_normal((3, 1)), RNG.standard_normal((3, 1)), np.array([[1.3]])
    k = np.exp(-np.sum((x - z) ** 2) / (2 * 1.3**2))
    want = -(1 + k) * (x - z) / 1.3**2
    values = _with_where(out.where, {"x": x, "z": z, "\\ell": ell})
    assert np.allclose(_value(out.result, values), want)


def test_a_definition_by_cases_with_a_constant_keeps_its_name() -> None:
    line = _line(GP_TEX, "the loss is")
    out = diff_in_document("doc.tex", line, "W", text=GP_TEX)
    assert out.error is None, out.error
    assert out.verified and out.result == "h'(W \\mathbf{x}) \\mathbf{x}^\\top", out.result
    where = r"W \in \mathbb{R}^{m \times d}; x \in \mathbb{R}^d; \delta \in \mathbb{R}; " + (
        r"h(r) = \begin{cases} \frac{1}{2} r^2 & |r| \le \delta \\ \delta |r| - \frac{1}{2}\delta^2 "
        r"& \text{otherwise} \end{cases}"
    )
    assert diff_latex(r"\mathbf{1}^\top h(Wx)", "W", where).verified
    refused = diff_latex(r"\mathbf{1}^\top h(Wx)", "\\delta", where)
    assert refused.error is not None and "a constant of its definition" in refused.error


STATS_MD = r"""# Around the loss

Let $X \in \mathbb{R}^{N \times d}$ hold the samples and $A \in \mathbb{R}^{d \times d}$.
The empirical covariance is $S = \frac{1}{N} X^\top X$.

$$f = \operatorname{tr}(S A) + \frac{d}{2}\log 2\pi + \frac{1}{\sqrt{d}} \|A\|_F^2$$

For $x \in \mathbb{R}^n$ and $\mu \in \mathbb{R}$, the variance is
$\sigma^2 = \frac{1}{n}\sum_{i=1}^n (x_i - \mu)^2$.

$$g = \log \sigma^2 + \frac{1}{\sigma}$$
"""


def test_a_definition_inline_in_a_sentence_and_dimensions_as_numbers() -> None:
    line = _line(STATS_MD, "$$f =")
    out = diff_in_document("doc.md", line, "A", text=STATS_MD)
    assert out.error is None, out.error
    assert out.verified and out.result == "S + \\frac{2 A}{\\sqrt{d}}", out.result
    by_x = diff_in_document("doc.md", line, "X", text=STATS_MD)
    assert by_x.verified, by_x.error
    X, A = RNG.standard_normal((6, 3)), RNG.standard_normal((3, 3))
    assert np.allclose(
        _value(by_x.result, {"X": X, "A": A, "N": np.array([[6.0]])}), X @ (A + A.T) / 6
    )


def test_sigma_squared_defines_sigma_as_its_root() -> None:
    out = diff_in_document("doc.md", _line(STATS_MD, "$$g ="), "\\mu", text=STATS_MD)
    assert out.error is None, out.error
    assert out.verified, out.note
    x, mu = RNG.standard_normal((5, 1)), np.array([[0.3]])
    r = x - mu
    v = float(np.mean(r**2))
    want = -2 * float(np.mean(r)) / v + 0.5 * v**-1.5 * 2 * float(np.mean(r))
    values = {"x": x, "\\mu": mu, "n": np.array([[5.0]]), "1": np.ones((5, 1))}
    values["\\sigma"] = np.array([[np.sqrt(v)]])  # a result may keep the document's name σ
    values["\\sigma^{2}"] = np.array([[v]])
    got = _value(out.result, _with_where(out.where, values))
    assert np.allclose(got, want)


NUMBERS_MD = r"""# Losses and the numbers around them

Let $X \in \mathbb{R}^{n \times d}$, $y \in \mathbb{R}^n$ and $w \in \mathbb{R}^d$; we average
over the $N$ samples and $\lambda$ weighs the penalty.

$$R = \frac{1}{N}\|Xw - y\|^2 + \frac{\lambda}{2}\|w\|^2$$

For $x, \mu \in \mathbb{R}^n$ and $\Sigma \in \mathbb{S}^n_{++}$, in dimension $d$,

$$\ell = \frac{1}{2}\log\det\Sigma + \frac{1}{2}(x-\mu)^\top\Sigma^{-1}(x-\mu) + \frac{d}{2}\log 2\pi$$

With $Q, K \in \mathbb{R}^{n \times d}$ and keys of size $d_k$,

$$A = \frac{1}{\sqrt{d_k}} \operatorname{tr}(Q K^\top)$$
"""


def test_a_letter_in_a_denominator_is_a_number() -> None:
    out = diff_in_document("doc.md", _line(NUMBERS_MD, "$$R ="), "w", text=NUMBERS_MD)
    assert out.verified, out.error or out.note
    X, y, w = RNG.standard_normal((5, 2)), RNG.standard_normal((5, 1)), RNG.standard_normal((2, 1))
    values = {"X": X, "y": y, "w": w, "N": np.array([[7.0]]), "\\lambda": np.array([[0.3]])}
    assert np.allclose(_value(out.result, values), 2 * X.T @ (X @ w - y) / 7 + 0.3 * w)
    plans = plans_at("doc.md", NUMBERS_MD, NUMBERS_MD.index("R = "))
    assert "N" not in {p.wrt for p in plans}  # a number, not a variable to differentiate


def test_half_a_dimension_and_the_root_of_one_are_numbers() -> None:
    out = diff_in_document("doc.md", _line(NUMBERS_MD, "$$\\ell ="), "\\mu", text=NUMBERS_MD)
    assert out.verified and out.result == "\\Sigma^{-1} (\\mu - x)", out.error or out.result
    att = diff_in_document("doc.md", _line(NUMBERS_MD, "$$A ="), "Q", text=NUMBERS_MD)
    assert att.verified and att.result == "\\frac{K}{\\sqrt{d_k}}", att.error or att.result


def test_the_code_action_offers_and_writes_the_derivative_in_the_functions_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "doc.md"
    path.write_text(MLP_MD, encoding="utf-8")
    result = Checker().check(str(path))
    offset = MLP_MD.index("L = \\frac")
    plan = next(p for p in plans_at(str(path), MLP_MD, offset, result=result) if p.wrt == "W_1")
    outcome = diff_at(str(path), MLP_MD, offset, plan.wrt, result=result)
    assert outcome.verified, outcome.error or outcome.note
    offered = offers(result, [(plan, "result", outcome)])
    assert offered[0].title == "Differentiate L w.r.t. W_1 (gradient)"
    written = writing(offered[0], outcome, result, "markdown", "auto")
    assert written is not None and written.equation is not None
    assert "\\phi'(W_1 x)" in written.equation


AFTER_MD = r"""# Network

With $W \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$, the loss is

$$L = \|\phi(Wx) - y\|^2 + \mathbf{1}^\top \text{GELU}(Wx),$$

where $\phi(z) = \log(1 + e^{z})$ acts on each entry and $\text{GELU}(t) = t\,\sigma(1.702\, t)$.
"""


def test_functions_defined_after_their_use_and_named_in_text() -> None:
    out = diff_in_document("doc.md", _line(AFTER_MD, "$$L ="), "W", text=AFTER_MD)
    assert out.error is None, out.error
    assert out.verified and "independently" not in out.note, out.note
    assert "\\phi'(W x)" in out.result and "\\operatorname{GELU}'(W x)" in out.result
    W, x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 1)), RNG.standard_normal((4, 1))
    z = W @ x
    s = _sigmoid(1.702 * z)
    want = (2 * (np.logaddexp(0, z) - y) * _sigmoid(z) + s + 1.702 * z * s * (1 - s)) @ x.T
    functions: Functions = {
        "\\phi": (("z",), _tree(r"\log(1 + e^{z})")),
        "GELU": (("t",), _tree(r"t\,\sigma(1.702\, t)")),
    }
    assert np.allclose(_value(out.result, {"W": W, "x": x, "y": y}, functions), want, atol=1e-6)


PAPER_TEX = r"""\section{A hidden layer}
Let $\mathbf{W} \in \mathbb{R}^{H \times D}$, $\mathbf{v} \in \mathbb{R}^H$. Then
\begin{align}
\mathbf{h} &= \tanh(\mathbf{W}\mathbf{x}), \quad \mathbf{x} \in \mathbb{R}^D \\
f(\mathbf{x}) &= \sigma(\mathbf{v}^\top \mathbf{h})
\end{align}
"""


def test_a_definition_followed_by_a_declaration_in_its_row() -> None:
    line = _line(PAPER_TEX, "f(\\mathbf{x})")
    out = diff_in_document("doc.tex", line, "\\mathbf{v}", text=PAPER_TEX)
    assert out.verified, out.error or out.note
    W, v, x = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 1)), RNG.standard_normal((3, 1))
    h = np.tanh(W @ x)
    s = float(_sigmoid(v.T @ h)[0, 0])
    got = _value(out.result, {"W": W, "v": v, "x": x, "h": h})
    assert np.allclose(got, s * (1 - s) * h)
    by_x = diff_in_document("doc.tex", line, "\\mathbf{x}", text=PAPER_TEX)
    assert by_x.verified, by_x.error or by_x.note
    want = W.T @ ((1 - h**2) * v) * s * (1 - s)
    values = _with_where(by_x.where, {"W": W, "v": v, "x": x, "h": h})
    assert np.allclose(_value(by_x.result, values), want)


def test_a_number_or_a_weak_scalar_before_a_bracket_is_no_product() -> None:
    # σ(Xw) beside 1/σ²: the sigmoid of Xw, not σ·Xw; ℓ ≥ 0 then ℓ(wᵀx): not ℓ·wᵀx
    where = r"X \in \mathbb{R}^{n \times d}; y \in \mathbb{R}^n; w \in \mathbb{R}^d"
    out = diff_latex(r"\frac{1}{2\sigma^2}\|\sigma(Xw) - y\|^2", "w", where)
    assert out.verified, out.error or out.note
    X, y, w = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 1)), RNG.standard_normal((3, 1))
    s = _sigmoid(X @ w)
    values = {"X": X, "y": y, "w": w}
    got = evaluate(
        _tree(out.result.replace("{\\sigma^{2}}", "{v}")), {**values, "v": np.array([[2.0]])}
    )
    assert np.allclose(got, X.T @ ((s - y) * s * (1 - s)) / 2.0)
    text = "Let $w \\in \\mathbb{R}^d$, $x \\in \\mathbb{R}^d$ and a loss $\\ell \\ge 0$.\n\n$$R = \\ell(w^\\top x) + w^\\top w$$\n"
    refused = diff_in_document("doc.md", 3, "w", text=text)
    assert refused.error == "cannot differentiate the function `\\ell`"


def test_a_constant_of_a_definition_at_a_number_is_differentiated_through_it() -> None:
    where = r"x \in \mathbb{R}^d; w \in \mathbb{R}^d; \beta \in \mathbb{R}; "
    where += r"\sigma(z) = \frac{1}{1 + e^{-\beta z}}"
    out = diff_latex(r"\sigma(w^\top x)", "\\beta", where)
    assert out.verified and out.kind == "derivative", out.error or out.note
    x, w, beta = RNG.standard_normal((3, 1)), RNG.standard_normal((3, 1)), 0.7
    a = float((w.T @ x)[0, 0])
    got = _value(out.result, {"x": x, "w": w, "\\beta": np.array([[beta]])})
    assert np.allclose(got, a * np.exp(-beta * a) / (1 + np.exp(-beta * a)) ** 2)
    by_w = diff_latex(r"\sigma(w^\top x)", "w", where)
    assert by_w.verified and by_w.result == "\\sigma'(w^\\top x) x", by_w.result
    refused = diff_latex(r"\mathbf{1}^\top \sigma(w x^\top w)", "\\beta", where)
    assert refused.error is not None and "a constant of its definition" in refused.error


SECOND_POINT_MD = r"""We have inputs $\mathbf{x} \in \mathbb{R}^D$ and a kernel with $\ell > 0$,

$$
k(\mathbf{x}, \mathbf{x}') = \exp\left(-\frac{\|\mathbf{x} - \mathbf{x}'\|^2}{2\ell^2}\right),
$$

and its row, a function of the first point:

$$
g(\mathbf{x}) = k(\mathbf{x}, \mathbf{x}') + \mathbf{b}^\top\mathbf{x}
$$

with $\mathbf{b} \in \mathbb{R}^D$.
"""


def test_a_primed_argument_beside_its_letter_is_a_second_point_not_a_transpose() -> None:
    line = _line(SECOND_POINT_MD, "g(\\mathbf{x}) =")
    out = diff_in_document("post.md", line, "\\mathbf{x}", text=SECOND_POINT_MD)
    assert out.error is None, out.error
    assert out.verified and "independently" not in out.note, out.note
    assert "\\mathbf{x}'" in out.result and "^\\top" not in out.result.replace("\\mathbf{b}", "")
    x, xp, b = (RNG.standard_normal((5, 1)) for _ in range(3))
    k = np.exp(-np.sum((x - xp) ** 2) / (2 * 0.7**2))
    want = -k * (x - xp) / 0.7**2 + b
    values = _with_where(out.where, {"x": x, "x'": xp, "b": b, "\\ell": np.array([[0.7]])})
    kernel = _tree(r"\exp(-\|\mathbf{p} - \mathbf{q}\|^2/(2\ell^2))")  # the answer names k
    assert np.allclose(_value(out.result, values, {"k": (("p", "q"), kernel)}), want)
    # the steps keep the document's transpose mark, not the prime of x'
    assert "^\\top" in "\n".join(out.steps) and ")'" not in "\n".join(out.steps)


def test_a_prime_on_a_lone_vector_is_still_its_transpose() -> None:
    out = diff_latex(
        "x'Ax + k(x, x')", "x", where="A \\in \\mathbb{R}^{n \\times n}; x \\in \\mathbb{R}^n"
    )
    assert out.error is not None  # k is not defined: refused, not guessed
    out = diff_latex("x'Ax", "x", where="A \\in \\mathbb{R}^{n \\times n}; x \\in \\mathbb{R}^n")
    assert out.verified and out.result == "(A + A') x", out.result
