r"""What a lecture on sample statistics writes is no function to differentiate, and the count
of its samples is a number.

``\hat{\boldsymbol\mu} = \frac1n\sum_{i=1}^n \mathbf{x}_i`` computes a value from the samples
(nothing in it is a variable to differentiate by), "drawn from $\mathcal{N}(\boldsymbol\mu,
\Sigma)$" names a distribution: ``--explain`` said of both that texgrad "cannot differentiate"
them, with a misleading reason. The n of ``\mathbf{x}_1, \dots, \mathbf{x}_n`` and of
``\sum_{i=1}^n`` counts the samples: a scalar where used as a number (``\frac1n``), where it
was "never declared" and left its rows unchecked."""

from __future__ import annotations

from texgrad.calculus.unchecked import REFUSED, UNKNOWN, explain
from texgrad.shapes.check import Checker

SAMPLES = (
    "Let $\\mathbf{x}_1, \\dots, \\mathbf{x}_n \\in \\mathbb{R}^d$ be drawn from "
    "$\\mathcal{N}(\\boldsymbol\\mu, \\Sigma)$ and $\\mathbf{w} \\in \\mathbb{R}^d$.\n\n"
)


def _said(body: str) -> list[tuple[str, str]]:
    text = SAMPLES + body
    result = Checker().check("notes.md", text=text)
    return [(u.code, text[u.start : u.end]) for u in explain(result)]


def test_a_statistic_of_the_samples_is_no_function_and_its_count_is_a_number() -> None:
    said = _said(
        "The mean is $\\hat{\\boldsymbol\\mu} = \\frac1n\\sum_{i=1}^n \\mathbf{x}_i$ and the "
        "scatter $S = \\sum_{i=1}^n (\\mathbf{x}_i - \\hat{\\boldsymbol\\mu})"
        "(\\mathbf{x}_i - \\hat{\\boldsymbol\\mu})^\\top$.\n"
    )
    assert said == []


def test_a_function_of_a_variable_is_still_said_when_it_cannot_be_differentiated() -> None:
    # (the trap: w is a variable; an undefined function of it is said, as before)
    said = _said("The score is $s = g(\\mathbf{w}) + \\frac1n \\mathbf{w}^\\top\\mathbf{x}_1$.\n")
    assert [code for code, _ in said] == [REFUSED]


def test_a_letter_that_counts_nothing_is_still_unknown() -> None:
    said = _said("The mean is $\\hat{\\boldsymbol\\mu} = \\frac1m\\sum_{i=1}^n \\mathbf{x}_i$.\n")
    assert (UNKNOWN, "m") in said


def test_a_letter_compared_with_a_size_is_a_count() -> None:
    r""" "$n > p$" of a p×p Σ: n counts the samples, a number in ``\frac{n}{2}\log\det\Sigma``
    (it was "never declared", and the row unchecked); compared with a letter that sizes
    nothing, it stays unknown."""
    text = (
        "Let $\\Sigma \\in \\mathbb{R}^{p\\times p}$ and $n > p$.\n\n"
        "Then $\\ell(\\Sigma) = -\\frac{n}{2}\\log\\det\\Sigma$ and $g = \\frac{m}{2}\\log\\det\\Sigma$ "
        "with $m > q$.\n"
    )
    result = Checker().check("notes.md", text=text)
    said = [(u.code, text[u.start : u.end]) for u in explain(result)]
    assert (UNKNOWN, "n") not in said and (UNKNOWN, "m") in said


def test_a_derivative_named_in_prose_is_no_function_to_differentiate() -> None:
    r""" "…, which forgets $\sigma'$": a defined function's derivative named in a sentence
    states no function (it was "cannot differentiate `\sigma'`: the shape of `\sigma` is
    unknown — declare it, e.g. `\sigma \in \mathbb{R}`", advice that is wrong for a function)."""
    said = _said(
        "Let $\\sigma(a) = 1/(1 + e^{-a})$. The slip $\\mathbf{w}^\\top\\mathbf{x}_1$ "
        "forgets $\\sigma'$ and $f'$.\n"
    )
    assert said == []


def test_a_row_too_deep_to_read_is_said_once_by_its_warning() -> None:
    # f(x) = ((((… x + 1) …) + 1), 45 levels: the too-deep warning says why; a
    # cannot-differentiate note on the same row said it again
    deep = "(" * 45 + "x" + " + 1)" * 45
    text = f"Let $x \\in \\mathbb{{R}}$.\n\n$$\nf(x) = {deep}\n$$\n\nThen $g(x) = h(x) + x$.\n"
    result = Checker().check("notes.md", text=text)
    assert [d.code for d in result.diagnostics if d.code == "too-deep"] == ["too-deep"]
    said = [(u.code, text[u.start : u.end][:6]) for u in explain(result)]
    assert said == [(REFUSED, "g(x) =")]  # (the trap: a row of its own is still said)
