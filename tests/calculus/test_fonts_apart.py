r"""One letter in two fonts with two meanings — "$\boldsymbol\sigma \in \mathbb{R}^d$ the
scales, $\sigma > 0$ a temperature" — is two symbols: the plain letter the text compares with
0 is a number of its own (keyed ``{\sigma}``), the bold one the declared vector.  (The calculus
once keyed a letter without its font, and ``\sigma\mathbf 1^\top(x - \mu)`` by μ came out a
"verified" d×d Jacobian ``-\boldsymbol\sigma\mathbf 1^\top``.)  Each result is checked against
central differences, every dimension its own size.  A plain letter used for its bold
declaration with nothing saying otherwise is still that symbol."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

SIGMAS = (
    "Let $\\boldsymbol\\sigma \\in \\mathbb{R}^d$ be the scales, $\\sigma > 0$ a "
    "temperature, and $x, \\mu \\in \\mathbb{R}^d$.\n\n$$ f = {row} $$\n"
)


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return np.asarray(evaluate(parsed.tree, values), dtype=float)


def test_a_letter_in_two_fonts_with_two_meanings_is_two_symbols(tmp_path: Path) -> None:
    doc = tmp_path / "sig.md"
    doc.write_text(SIGMAS.replace("{row}", "\\sigma \\mathbf 1^\\top (x - \\mu)"), encoding="utf-8")
    out = diff_in_document(doc, 3, "\\mu", budget=60)
    assert out.verified and out.kind == "gradient", out.error
    # the textbook answer, -σ 1_d: its value at σ = 1.7 against central differences of f
    s, d = 1.7, 4
    x, mu = np.ones((d, 1)), np.zeros((d, 1))
    f = lambda m: s * float(np.sum(x - m))  # noqa: E731
    want = np.array([(f(mu + h) - f(mu - h)) / 2e-6 for h in 1e-6 * np.eye(d)[:, :, None]])
    assert out.result.replace(" ", "") in ("-\\sigma\\mathbf{1}_d", "-\\sigma\\mathbf{1}"), (
        out.result
    )
    assert np.allclose(want.reshape(-1), -s), want
    assert "\\boldsymbol" not in out.result


def test_by_the_plain_letter_and_by_the_bold_one(tmp_path: Path) -> None:
    doc = tmp_path / "sig.md"
    row = "\\sigma^2 \\|\\boldsymbol\\sigma - x\\|^2 + \\boldsymbol\\sigma^\\top \\mu"
    doc.write_text(SIGMAS.replace("{row}", row), encoding="utf-8")
    rng = np.random.default_rng(3)
    d = 4
    bold, x, mu = (rng.normal(size=(d, 1)) for _ in range(3))
    s = 0.8
    plain = diff_in_document(doc, 3, "\\sigma", budget=60)
    assert plain.verified and plain.kind == "derivative", plain.error
    values = {"\\sigma": bold, "x": x, "\\mu": mu, "{\\sigma}": np.array([[s]])}
    got = float(_value(plain.result, values).reshape(-1)[0])
    assert np.isclose(got, 2 * s * float(np.sum((bold - x) ** 2))), plain.result
    vec = diff_in_document(doc, 3, "\\boldsymbol\\sigma", budget=60)
    assert vec.verified and vec.kind == "gradient", vec.error
    got_v = _value(vec.result, values).reshape(-1, 1)
    assert np.allclose(got_v, 2 * s**2 * (bold - x) + mu), vec.result


def test_a_plain_letter_for_its_bold_declaration_is_that_symbol(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "Let $\\mathbf x \\in \\mathbb{R}^n$, $A \\in \\mathbb{R}^{n \\times n}$ and "
        "$\\lambda > 0$.\n\n$$ f = x^\\top A x + \\lambda x^\\top x $$\n",
        encoding="utf-8",
    )
    out = diff_in_document(doc, 3, "x", budget=60)
    assert out.verified and out.kind == "gradient", out.error


def test_the_numpy_code_takes_the_two_letters_apart() -> None:
    r"""``--format numpy``: the plain σ and the bold σ are two parameters, and the code
    returns the gradient (against central differences)."""
    from texgrad.calculus.api import diff_latex

    out = diff_latex(
        r"\sigma^2\|\boldsymbol\sigma - \mathbf{x}\|^2 + \boldsymbol\sigma^\top\mathbf{x}",
        r"\boldsymbol\sigma",
        r"\boldsymbol\sigma \in \mathbb{R}^n; \sigma > 0; \mathbf{x} \in \mathbb{R}^n",
        budget=60,
    )
    assert out.verified and out.code is not None, out.error
    space: dict[str, object] = {}
    exec(out.code.source, space)  # our own generated code
    fn = space[out.code.function]
    assert "sigma_2: \\sigma, a number" in out.numpy, out.numpy
    rng = np.random.default_rng(13)
    bold, x, s = rng.normal(size=5), rng.normal(size=5), 0.7
    got = fn(sigma=bold, sigma_2=s, x=x)  # type: ignore[operator]
    f = lambda v: s**2 * float(np.sum((v - x) ** 2)) + float(v @ x)  # noqa: E731
    want = np.array([(f(bold + h) - f(bold - h)) / 2e-6 for h in 1e-6 * np.eye(5)])
    assert np.allclose(np.asarray(got).reshape(-1), want, atol=1e-6)
