r"""``\exp`` of a square matrix read entrywise where the document says so right before it
("the kernel matrix is, entrywise, $$K = \exp(-D/2\ell^2)$$"): the derivative is then the
entrywise one, checked against central differences (every dimension its own size); said
elsewhere only, or with another function of a square matrix not said entrywise, it is still
refused (the matrix function would be a wrong derivative, and so would a guess)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgrad.calculus.api import diff_in_document
from texgrad.calculus.evaluate_tree import evaluate
from texgrad.reading.source import MappedText
from texgrad.syntax.parse import parse_row

BUDGET = 60.0  # generous: the machine running the tests is loaded
DECLS = (
    r"Let $D \in \mathbb{R}^{n \times n}$ be symmetric, $\mathbf{y} \in \mathbb{R}^n$, "
    r"$A \in \mathbb{R}^{n \times n}$ and $\ell > 0$."
)
SAID = "The kernel matrix is, entrywise,\n\n$$\nK = \\exp\\left(-\\frac{D}{2\\ell^2}\\right)\n$$\n"
ROWS = "\nand the scores are\n\n$$\ns = \\mathbf{y}^\\top K \\mathbf{y}\n$$\n\n$$\nr = \\operatorname{tr}(K A)\n$$\n"


def _doc(tmp_path: Path, text: str) -> Path:
    doc = tmp_path / "kernel.md"
    doc.write_text(text, encoding="utf-8")
    return doc


def _line(doc: Path, start: str) -> int:
    lines = doc.read_text(encoding="utf-8").splitlines()
    return next(i for i, s in enumerate(lines, 1) if s.startswith(start))


def _value(latex: str, values: dict[str, np.ndarray]) -> np.ndarray:
    parsed = parse_row(MappedText.identity(latex))
    assert parsed.tree is not None, parsed.error
    return np.asarray(evaluate(parsed.tree, values), dtype=float)


def _point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(4)
    b = rng.normal(size=(5, 5))
    return {"D": (b + b.T) / 2, "y": rng.normal(size=(5, 1)), "A": rng.normal(size=(5, 3))[:, :1]
            @ rng.normal(size=(1, 5)) + rng.normal(size=(5, 5)), "ell": np.array([[1.3]])}  # fmt: skip


def _kernel(d: np.ndarray, ell: float) -> np.ndarray:
    return np.exp(-d / (2 * ell**2))  # entrywise


def test_by_a_number_inside_the_entrywise_exp(tmp_path: Path) -> None:
    doc = _doc(tmp_path, f"# Kernel\n\n{DECLS}\n\n{SAID}{ROWS}")
    out = diff_in_document(str(doc), _line(doc, "s ="), r"\ell", budget=BUDGET)
    assert out.verified, out.error
    assert "entrywise" in out.note
    p = _point()
    d, y, ell = p["D"], p["y"], float(p["ell"][0, 0])
    f = lambda v: float((y.T @ _kernel(d, v) @ y)[0, 0])  # noqa: E731
    want = (f(ell + 1e-6) - f(ell - 1e-6)) / 2e-6
    values = {"D": d, r"\mathbf{y}": y, "y": y, r"\ell": p["ell"], "K": _kernel(d, ell)}
    assert np.isclose(float(_value(out.result, values).reshape(-1)[0]), want, rtol=1e-5)


def test_by_the_matrix_inside_the_entrywise_exp(tmp_path: Path) -> None:
    doc = _doc(tmp_path, f"# Kernel\n\n{DECLS}\n\n{SAID}{ROWS}")
    out = diff_in_document(str(doc), _line(doc, "r ="), "D", budget=BUDGET)
    assert out.verified, out.error
    p = _point()
    d, a, ell = p["D"], p["A"], float(p["ell"][0, 0])
    want = np.zeros_like(d)
    for idx in np.ndindex(d.shape):
        h = np.zeros_like(d)
        h[idx] = 1e-6
        want[idx] = (np.trace(_kernel(d + h, ell) @ a) - np.trace(_kernel(d - h, ell) @ a)) / 2e-6
    values = {"D": d, "A": a, r"\ell": p["ell"], "K": _kernel(d, ell)}
    assert np.allclose(_value(out.result, values), want, atol=1e-6), out.result


def test_entrywise_said_elsewhere_is_still_refused(tmp_path: Path) -> None:
    far = SAID.replace("The kernel matrix is, entrywise,", "The kernel matrix is")
    text = f"# Kernel\n\nProducts are taken entrywise.\n\n{DECLS}\n\n{far}{ROWS}"
    doc = _doc(tmp_path, text)
    out = diff_in_document(str(doc), _line(doc, "s ="), r"\ell", budget=BUDGET)
    assert not out.verified and out.result == ""
    assert "entrywise" in (out.error or ""), out.error


def test_another_function_of_a_square_matrix_not_said_is_refused(tmp_path: Path) -> None:
    rows = ROWS.replace(
        r"s = \mathbf{y}^\top K \mathbf{y}", r"s = \mathbf{y}^\top K \exp(A) \mathbf{y}"
    )
    doc = _doc(tmp_path, f"# Kernel\n\n{DECLS}\n\n{SAID}{rows}")
    out = diff_in_document(str(doc), _line(doc, "s ="), r"\ell", budget=BUDGET)
    assert not out.verified and out.result == "", out.result


FAR = (
    "Squared distances $D \\in \\mathbb{R}^{n \\times n}$ (symmetric, "
    "$D_{ij} = \\|\\mathbf{x}_i - \\mathbf{x}_j\\|^2$), $\\mathbf{y} \\in \\mathbb{R}^n$, $s > 0$, "
    "$\\ell > 0$; the exponential is taken entrywise.\n\n"
    "With the noise $e^{\\rho}$, $\\rho \\in \\mathbb{R}$, the evidence is\n\n"
    "$$\nF = -\\mathbf{y}^\\top(s\\exp(-D/(2\\ell^2)) + e^{\\rho}I)^{-1}\\mathbf{y}"
    " - \\log\\det(s\\exp(-D/(2\\ell^2)) + e^{\\rho}I)\n$$\n"
)


def test_a_constant_function_of_a_square_matrix_is_read_as_the_document_says(
    tmp_path: Path,
) -> None:
    r"""By ρ the exponential is of a constant: the answer is written alike either way, but
    read as the matrix exponential (of a distance matrix's negative: huge) it was left NOT
    VERIFIED; read entrywise, as said far above, it is verified — and right."""
    doc = _doc(tmp_path, FAR)
    out = diff_in_document(doc, _line(doc, "F = "), "\\rho", budget=BUDGET)
    assert out.error is None and out.verified, (out.error, out.note)
    assert "read entrywise" in out.note
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 2))
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    y, s, ell, rho = rng.normal(size=4), 0.8, 1.3, -0.4

    def f(r: float) -> float:
        t = s * np.exp(-d / (2 * ell**2)) + np.exp(r) * np.eye(4)
        return float(-y @ np.linalg.solve(t, y) - np.linalg.slogdet(t)[1])

    t0 = s * np.exp(-d / (2 * ell**2)) + np.exp(rho) * np.eye(4)
    ti = np.linalg.inv(t0)
    want = np.exp(rho) * (y @ ti @ ti @ y - np.trace(ti))  # e^ρ (yᵀT⁻²y − tr T⁻¹)
    assert abs(want - (f(rho + 1e-6) - f(rho - 1e-6)) / 2e-6) < 1e-5 * max(1.0, abs(want))
    assert "".join(out.result.split()) == (
        r"\exp(\rho)(\mathbf{y}^\topT_0^{-1}T_0^{-1}\mathbf{y}-\operatorname{tr}(T_0^{-1}))"
    )
    assert [w.replace(" ", "") for w in out.where] == [
        r"T_0=s\exp(-\frac{D}{2\ell^{2}})+\exp(\rho)I"
    ]
