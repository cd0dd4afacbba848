r"""Second derivatives by a number, as documents write them — ``\frac{\partial^2 g}{\partial
t^2}``, ``\frac{\mathrm d^2 g}{\mathrm d t^2}``, ``\frac{d^2 g}{dt^2}`` — are computed (the
derivative of the derivative, checked by second differences) and a written one is checked;
by the square of a *vector* (``\partial x^2``) the notation is ambiguous and is said so, never
flagged.  And a function the document defines, differentiated whole, is answered by its
definition's derivative, not by its own name primed (``\phi'(t)`` answers nothing)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.calculus.written_check import check_written
from texgrad.calculus import written_derivatives as wd
from texgrad.calculus.api import diff_in_document, diff_latex
from texgrad.calculus.evaluate_tree import evaluate_scalar
from texgrad.calculus.unchecked import explain
from texgrad.reading.source import MappedText
from texgrad.shapes.check import Checker
from texgrad.syntax.parse import parse_row

DECLS = (
    r"Let $a, t \in \mathbb{R}$, $\mathbf x \in \mathbb{R}^n$, $A \in \mathbb{R}^{n \times n}$, "
    r"$g(t) = \frac12 a t^2 + t^3$ and $f(\mathbf x) = \frac12 \mathbf x^\top A \mathbf x$."
    "\n\n"
)


def flagged(body: str) -> list[str]:
    text = DECLS + body
    checked = Checker().check("doc.md", text=text)
    return [text[f.start : f.end] for f in check_written(checked)]


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        (r"$$\frac{\partial^2 g}{\partial t^2} = a + 6t$$", []),
        (r"$$\frac{\partial^{2} g}{\partial t^{2}} = a$$", ["a"]),
        (r"$$\frac{\mathrm{d}^2 g}{\mathrm{d} t^2} = a + 6t$$", []),
        (r"$$\frac{\mathrm{d}^2 g}{\mathrm{d} t^2} = a + 3t$$", ["a + 3t"]),
        (r"$$\frac{d^2 g}{dt^2} = a + 6t$$", []),
        (r"$$\frac{d^2 g}{dt^2} = 6t$$", ["6t"]),
    ],
)
def test_written_second_derivatives_by_a_number(body: str, wrong: list[str]) -> None:
    assert flagged(body) == wrong


def test_the_message_says_second_derivative() -> None:
    text = DECLS + r"$$\frac{d^2 g}{dt^2} = 6t$$"
    checked = Checker().check("doc.md", text=text)
    (finding,) = check_written(checked)
    assert "is not the second derivative of `g` with respect to `t`" in finding.message


@pytest.mark.parametrize(
    "body",
    [
        r"$$\frac{\partial^2 f}{\partial \mathbf x^2} = A$$",  # (A not symmetric: unclear)
        r"$$\frac{\partial^2 h}{\partial \mathbf x^2} = 6\mathbf x$$",  # entry by entry
    ],
)
def test_by_the_square_of_a_vector_is_said_never_flagged(body: str) -> None:
    text = DECLS + r"Let $h(\mathbf x) = \sum_{i=1}^n x_i^3$." + "\n\n" + body
    checked = Checker().check("doc.md", text=text)
    assert check_written(checked) == []
    tally = wd.Tally()
    wd.check_written(checked, 30.0, tally=tally, only_findings=True)
    said = [u.message for u in explain(checked, tally.undecided)]
    assert any("by the square of a vector" in m for m in said), said


@pytest.mark.parametrize(
    ("expr", "second"),
    [
        (r"\frac12 a t^2 + t^3", lambda a, t: a + 6 * t),
        (r"\log(1 + e^{a t})", lambda a, t: a * a * np.exp(a * t) / (1 + np.exp(a * t)) ** 2),
        (r"\sin(a t) t", lambda a, t: 2 * a * np.cos(a * t) - a * a * t * np.sin(a * t)),
    ],
)
def test_the_engine_takes_a_second_derivative_by_a_number(expr: str, second) -> None:  # type: ignore[no-untyped-def]
    out = diff_latex(expr, "t", r"a \in \mathbb{R}; t \in \mathbb{R}", hessian=True, budget=60)
    assert out.verified and out.kind == "hessian" and out.shape == "scalar", out.error
    # the printed result, evaluated, is the second derivative (checked here independently)
    a, t = 0.7, -1.3
    env = {"a": a, "t": t}
    value = _evaluate_printed(out.result, env)
    assert value == pytest.approx(second(a, t), rel=1e-9)


def _evaluate_printed(latex: str, env: dict[str, float]) -> float:
    tree = parse_row(MappedText.identity(latex)).tree
    assert tree is not None
    return evaluate_scalar(tree, {k: np.array([[v]]) for k, v in env.items()})


def test_a_defined_function_differentiated_whole_is_answered_by_its_definition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "d.tex"
    doc.write_text(
        "Let $t \\in \\mathbb{R}$, $\\phi(t) = t^3 + 2t$ and $\\sigma(t) = \\frac{1}{1 + e^{-t}}$.\n"
        "Then $\\frac{\\mathrm{d} \\phi}{\\mathrm{d} t} = 0$.\n"
        "And $\\frac{\\mathrm{d} \\sigma}{\\mathrm{d} t} = 0$.\n",
        encoding="utf-8",
    )
    phi = diff_in_document(doc, 2, "", budget=60)
    assert phi.verified and "'" not in phi.result and "t^{2}" in phi.result, phi.result
    sigma = diff_in_document(doc, 3, "", budget=60)  # σ keeps its textbook form
    assert sigma.verified and sigma.result == r"\sigma(t) (1 - \sigma(t))", sigma.result
