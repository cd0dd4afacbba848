r"""What held-out-style documents (``tests/derivations/``, issue 14) showed the reading lacked.

Each test is one sentence or row as an author writes it, and what texgrad must make of it.
"""

from __future__ import annotations

from texgrad.shapes.check import Checker


def _check(text: str, name: str = "notes.md") -> list[str]:
    return [d.code for d in Checker().check(name, text=text).diagnostics]


def test_a_squared_difference_of_numbers_is_no_dimension() -> None:
    # `(r_{ui} - q_i^T p_u)^2` once read its difference as the number 0 and raised
    # "math domain error" while checking the whole document
    text = (
        "Let $\\mathbf{p}_u, \\mathbf{q}_i \\in \\mathbb{R}^k$.\n\n"
        "$$\\ell_{ui} = (r_{ui} - \\mathbf{q}_i^\\top\\mathbf{p}_u)^2$$\n\n"
        "$$x = (1 - 1)^2, \\quad y = (1 - 1)^{-2}, \\quad v \\in \\mathbb{R}^{(3-3)^2}$$\n"
    )
    assert "internal-error" not in _check(text)


def test_a_derivative_written_with_its_value_is_asked_by_its_own_variable() -> None:
    # a math.SE answer: `texgrad diff --file answer.md --line N --wrt X` on the line
    # `\frac{\partial f}{\partial X} = AXB + A^TXB^T` asks for ∂f/∂X (not for d(AXB + …))
    from texgrad.calculus import api

    text = (
        "Let $X \\in \\mathbb{R}^{m \\times n}$, $A \\in \\mathbb{R}^{m \\times m}$, "
        "$B \\in \\mathbb{R}^{n \\times n}$. For $f(X) = \\operatorname{tr}(X^T A X B)$,\n\n"
        "$$\n\\frac{\\partial f}{\\partial X} = A X B + A^T X B^T.\n$$\n"
    )
    by_x = api.diff_in_document("answer.md", 4, "X", text=text)
    assert by_x.verified and by_x.kind == "gradient", by_x.error
    assert by_x.result == "A X B + A^T X B^T"
    by_a = api.diff_in_document("answer.md", 4, "A", text=text)  # another symbol: the value's
    assert by_a.verified and by_a.kind != "gradient"


def test_a_function_the_document_defines_is_written_in_numpy() -> None:
    # "Copy as NumPy" on a Quarto page's GELU MLP and a CS229 paper's own sigmoid g(z): the
    # code once said "cannot write Applied in NumPy"; now the function's body, run at new
    # random points against the engine's value of the result
    import numpy as np

    from tests.derivations.harness import DERIVATIONS, differentiate, read_markers
    from texgrad.calculus import expr as e
    from texgrad.calculus.numpy_code import check_code
    from texgrad.calculus.sampling import sample_inputs

    wanted = {
        ("quarto-gelu-mlp", "mlp.qmd:51:W_1"),
        ("quarto-gelu-mlp", "mlp.qmd:71:\\mathbf{v}"),
        ("arxiv-cs229-superscripts", "sections/logistic.tex:13:\\bm\\theta"),
    }
    found = 0
    for name, marker_id in sorted(wanted):
        marker = next(m for m in read_markers(DERIVATIONS / name) if m.id == marker_id)
        out = differentiate(DERIVATIONS / name, marker)
        assert out.verified and out.numpy, out.numpy_note
        code = out.code
        assert code is not None and "lambda u_:" in code.source
        shapes = {v.name: v.shape for v in code.result.walk() if isinstance(v, e.Var)}
        points = (sample_inputs(shapes, rng=np.random.default_rng(100 + k)) for k in range(3))
        problem, checked = check_code(code, points, enough=3)
        assert problem is None and checked == 3, problem
        found += 1
    assert found == 3


def test_a_definition_in_another_file_of_the_project_serves_this_one() -> None:
    # an arXiv project: Q = XW_Q, K = XW_K, V = XW_V in sections/setup.tex; the appendix
    # (sections/appendix-grads.tex) differentiates tr(G^T softmax(QK^T/sqrt(d_k)) V) by V
    from tests.derivations.harness import DERIVATIONS, differentiate, read_markers

    folder = DERIVATIONS / "arxiv-attention-appendix"
    by_v = next(m for m in read_markers(folder) if m.id == "sections/appendix-grads.tex:6:V")
    out = differentiate(folder, by_v)
    assert out.verified and out.kind == "gradient", out.error
    assert out.result.endswith("^\\top G"), out.result


def test_samples_numbered_by_a_superscript_are_a_family() -> None:
    # CS229 notation: J = \frac12 \sum_i (\theta^T x^{(i)} - y^{(i)})^2 once got "the summand
    # does not involve the entries `·_{i}` of a declared vector", then a refusal naming the
    # superscript; now the members x^{(i)}, y^{(i)} are sampled as a family (values checked
    # in tests/calculus/test_samples.py)
    from texgrad.calculus import api

    text = (
        "Examples $\\bm{x}^{(i)} \\in \\mathbb{R}^n$, targets $y^{(i)} \\in \\mathbb{R}$ and "
        "$\\bm\\theta \\in \\mathbb{R}^n$.\n\n"
        "$$J = \\frac{1}{2}\\sum_{i=1}^m (\\bm\\theta^T \\bm{x}^{(i)} - y^{(i)})^2$$\n"
    )
    out = api.diff_in_document("notes.md", 3, "\\bm\\theta", text=text)
    assert out.verified, out.error
    assert out.result == r"\sum_{i=1}^m (\bm\theta^T \bm{x}^{(i)} - y^{(i)}) \bm{x}^{(i)}"
    assert "every member of the family sampled" in out.note


def test_a_declared_subscripted_vector_is_no_entry() -> None:
    # a recommender blog: p_u, q_i ∈ ℝ^k declared; r_{ui} an entry of the declared R.
    # The refusal once said `\mathbf{q}_{i}`'s "letter names no declared vector or matrix"
    from texgrad.calculus import api

    text = (
        "Ratings $R \\in \\mathbb{R}^{m \\times n}$, factors "
        "$\\mathbf{p}_u \\in \\mathbb{R}^k$ and $\\mathbf{q}_i \\in \\mathbb{R}^k$.\n\n"
        "$$\\ell_{ui} = (r_{ui} - \\mathbf{q}_i^\\top\\mathbf{p}_u)^2$$\n"
    )
    out = api.diff_in_document("post.md", 3, "\\mathbf{p}_u", text=text)
    # since: the per-rating loss read with u, i fixed (r_{ui} a number), its gradient
    # -2(r_{ui} - q_iᵀp_u) q_i (tests/calculus/test_fixed_indices.py checks the numbers)
    assert out.error is None and out.verified, out.error
    assert "r_{ui}" in out.result and "\\mathbf{q}_i" in out.result


def test_a_noun_before_the_stacked_members() -> None:
    # "The samples $x_i^T$ are the rows of $X$", "the rows of $X$ are the samples $x_i^T$":
    # x_i once unsized ("the shape of `\mathbf{x}_i` is unknown")
    import numpy as np

    from texgrad.calculus import api
    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    for said in (
        "The samples $\\mathbf{x}_i^\\top$ are the rows of $X$",
        "The rows of $X$ are the observations $\\mathbf{x}_i^\\top$",
    ):
        text = (
            "Let $X \\in \\mathbb{R}^{n \\times d}$ and $\\mathbf{w} \\in \\mathbb{R}^d$. "
            f"{said}, and $y_i \\in \\mathbb{{R}}$.\n\n"
            "$$\nL = \\sum_{i=1}^n (\\mathbf{w}^\\top\\mathbf{x}_i - y_i)^2\n$$\n"
        )
        out = api.diff_in_document("notes.md", 4, "\\mathbf{w}", text=text)
        assert out.error is None and out.verified, (said, out.error)
        rng = np.random.default_rng(2)
        x, w, y = rng.standard_normal((5, 3)), rng.standard_normal((3, 1)), rng.standard_normal(5)
        tree = parse_row(MappedText.identity(out.result)).tree
        values = {"family:x": x[:, :, None], "family:y": y[:, None, None], "w": w, "n": 5}
        got = np.asarray(evaluate(tree, values), dtype=float)
        assert np.allclose(got, 2 * x.T @ (x @ w - y[:, None]))


def test_numpy_of_a_sum_over_entries_of_a_defined_vector_says_why_not() -> None:
    # m(x) = \sum_i \alpha_i exp(-‖x - x_i‖²/2ℓ²) with α = K^{-1}y defined: `--format numpy`
    # was an internal error (KeyError '\alpha')
    from tests.derivations.harness import DERIVATIONS, differentiate, read_markers

    folder = DERIVATIONS / "gp-marginal-blog"
    marker = next(m for m in read_markers(folder) if m.id == "post.md:68:\\mathbf{x}")
    out = differentiate(folder, marker)
    assert out.verified, out.error
    assert out.numpy == "" and "\\boldsymbol\\alpha" in out.numpy_note, out.numpy_note


def test_symmetric_positive_definite_said_without_a_comma() -> None:
    # "$\Sigma \in \mathbb{R}^{n \times n}$ symmetric positive definite": once not read, the
    # Gaussian NLL's gradient came out with Σ^{-⊤} and unfactored
    import numpy as np

    from texgrad.calculus import api
    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    text = (
        "Let $\\mathbf{x}, \\boldsymbol{\\mu} \\in \\mathbb{R}^n$ and "
        "$\\Sigma \\in \\mathbb{R}^{n \\times n}$ symmetric positive definite.\n\n"
        "$$\ng(\\Sigma) = \\frac{1}{2}\\log\\det\\Sigma + \\frac{1}{2}(\\mathbf{x} - "
        "\\boldsymbol{\\mu})^\\top\\Sigma^{-1}(\\mathbf{x} - \\boldsymbol{\\mu})\n$$\n"
    )
    out = api.diff_in_document("notes.md", 4, "\\Sigma", text=text)
    assert out.error is None and out.verified, out.error
    assert "-\\top" not in out.result and "^{-T}" not in out.result
    rng = np.random.default_rng(8)
    a = rng.standard_normal((3, 3))
    s = a @ a.T + 3 * np.eye(3)
    x, mu = rng.standard_normal((2, 3, 1))
    got = evaluate(
        parse_row(MappedText.identity(out.result)).tree, {"\\Sigma": s, "x": x, "\\mu": mu}
    )
    inv = np.linalg.inv(s)
    want = 0.5 * inv - 0.5 * inv @ (x - mu) @ (x - mu).T @ inv
    assert np.allclose(np.asarray(got, dtype=float), want)


def test_cross_entropy_written_with_components_of_a_defined_softmax() -> None:
    # -\sum_k y_k \log p_k with p = softmax(z): once refused ("a sum over its entries is not
    # differentiated through the definition yet"); p - y for a one-hot y, p 1ᵀy - y otherwise
    import numpy as np

    from texgrad.calculus import api
    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    rng = np.random.default_rng(6)
    z, y = rng.standard_normal((2, 4, 1))
    p = np.exp(z) / np.exp(z).sum()
    for label, want in (
        ("a one-hot label $\\mathbf{y} \\in \\{0, 1\\}^K$", None),
        ("weights $\\mathbf{y} \\in \\mathbb{R}^K$", p * y.sum() - y),
    ):
        text = (
            f"Logits $\\mathbf{{z}} \\in \\mathbb{{R}}^K$, {label} and "
            "$\\mathbf{p} = \\operatorname{softmax}(\\mathbf{z})$.\n\n"
            "$$\n\\mathcal{L} = -\\sum_{k=1}^K y_k \\log p_k\n$$\n"
        )
        out = api.diff_in_document("notes.md", 4, "\\mathbf{z}", text=text)
        assert out.error is None and out.verified, (label, out.error)
        one_hot = "one-hot" in label
        at = {"p": p, "y": np.eye(4)[:, [2]] if one_hot else y}
        got = np.asarray(evaluate(parse_row(MappedText.identity(out.result)).tree, at), float)
        assert np.allclose(got, p - at["y"] if one_hot else want)
        assert out.result == "\\mathbf{p} - \\mathbf{y}" or not one_hot  # as textbooks write


def test_two_matrices_said_symmetric_at_once() -> None:
    # "$A \in …$ and $B \in …$, both symmetric positive definite", "$A$ and $B$ are
    # symmetric": once only B was read, the gradient of tr(WᵀBWA) then BWAᵀ + BᵀWA
    import numpy as np

    from texgrad.calculus import api
    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    rng = np.random.default_rng(9)
    w, a, b = rng.standard_normal((3, 2)), rng.standard_normal((2, 2)), rng.standard_normal((3, 3))
    a, b = a @ a.T + np.eye(2), b @ b.T + np.eye(3)
    declared = (
        "Let $W \\in \\mathbb{R}^{p \\times q}$, $A \\in \\mathbb{R}^{q \\times q}$ and "
        "$B \\in \\mathbb{R}^{p \\times p}$"
    )
    for said, stated in (
        (", both symmetric positive definite.", True),
        (". $A$ and $B$ are symmetric.", True),
        (". If $A$ and $B$ are symmetric, then so is $A + B$.", False),
    ):
        text = f"{declared}{said}\n\n$$\nQ = \\operatorname{{tr}}(W^\\top B W A)\n$$\n"
        out = api.diff_in_document("notes.md", 4, "W", text=text)
        assert out.error is None and out.verified, (said, out.error)
        assert ("\\top" not in out.result) is stated, (said, out.result)
        got = evaluate(parse_row(MappedText.identity(out.result)).tree, {"W": w, "A": a, "B": b})
        assert np.allclose(np.asarray(got, dtype=float), 2 * b @ w @ a)


def test_a_transpose_macro_of_the_document_is_kept() -> None:
    # beamer slides with \newcommand{\T}{^{\mathsf{T}}}: the result was written X^{\mathsf{T}}
    import numpy as np

    from texgrad.calculus import api
    from texgrad.calculus.evaluate_tree import evaluate
    from texgrad.reading.source import MappedText
    from texgrad.syntax.parse import parse_row

    text = (
        "\\documentclass{beamer}\n\\newcommand{\\T}{^{\\mathsf{T}}}\n\\begin{document}\n"
        "Let $X \\in \\mathbb{R}^{n \\times p}$, $\\mathbf{y} \\in \\mathbb{R}^n$, "
        "$\\mathbf{b} \\in \\mathbb{R}^p$ and $\\lambda > 0$.\n"
        "\\[ J(\\mathbf{b}) = (\\mathbf{y} - X\\mathbf{b})\\T(\\mathbf{y} - X\\mathbf{b}) "
        "+ \\lambda\\mathbf{b}\\T\\mathbf{b} \\]\n\\end{document}\n"
    )
    out = api.diff_in_document("slides.tex", 5, "\\mathbf{b}", text=text)
    assert out.error is None and out.verified, out.error
    assert "X\\T" in out.result and "mathsf" not in out.result
    assert "not read back" not in out.note
    rng = np.random.default_rng(12)
    x, y, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    tree = parse_row(MappedText.identity(out.result.replace("\\T", "^\\top"))).tree
    got = evaluate(tree, {"X": x, "y": y, "b": b, "\\lambda": np.array([[0.5]])})
    assert np.allclose(np.asarray(got, dtype=float), -2 * x.T @ (y - x @ b) + b)
