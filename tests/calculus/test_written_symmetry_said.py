r"""Symmetry a document states where real documents state it, so that ``2Mz`` for
``\partial z^\top M z/\partial z`` is not flagged: in another file of the project read before
(a setup section), after the last two matrices of a sentence ("…; both are symmetric
positive definite"), and of a symbol spelt with the document's own macro ("for symmetric
$\bM$"). Each with the trap beside it: where nothing says so, ``2Mz`` is still wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.calculus.test_written_project_layouts import _flagged  # (one project, checked)

CLAIM = "Then $\\frac{\\partial}{\\partial z} z^\\top M z = 2 M z$.\n"


def _project(setup: str) -> dict[str, str]:
    return {
        "main.tex": (
            "\\documentclass{article}\n\\begin{document}\n"
            "\\input{sections/setup}\n\\input{sections/grad}\n\\end{document}\n"
        ),
        "sections/setup.tex": setup,
        "sections/grad.tex": CLAIM,
    }


@pytest.mark.parametrize(
    ("setup", "lines"),
    [
        ("Let $M \\in \\mathbb{R}^{d\\times d}$ be symmetric and $z \\in \\mathbb{R}^d$.\n", []),
        (
            "Let $z \\in \\mathbb{R}^d$ and a positive semidefinite $M \\in \\mathbb{R}^{d\\times d}$.\n",
            [],
        ),
        # the trap: nothing says M is symmetric (and a supposition holds in its sentence only)
        ("Let $M \\in \\mathbb{R}^{d\\times d}$ and $z \\in \\mathbb{R}^d$.\n", [1]),
        (
            "Let $M \\in \\mathbb{R}^{d\\times d}$ and $z \\in \\mathbb{R}^d$. "
            "If $M$ is symmetric, then $M^\\top z = Mz$.\n",
            [1],
        ),
    ],
)
def test_symmetry_stated_in_an_earlier_file_of_the_project(
    tmp_path: Path, setup: str, lines: list[int]
) -> None:
    assert _flagged(tmp_path, _project(setup), "sections/grad.tex") == lines


def test_a_file_read_after_states_nothing_for_this_one(tmp_path: Path) -> None:
    files = _project("Let $M \\in \\mathbb{R}^{d\\times d}$ and $z \\in \\mathbb{R}^d$.\n")
    files["main.tex"] = files["main.tex"].replace(
        "\\input{sections/grad}", "\\input{sections/grad}\n\\input{sections/later}"
    )
    files["sections/later.tex"] = "From here on $M$ is symmetric.\n"
    assert _flagged(tmp_path, files, "sections/grad.tex") == [1]


@pytest.mark.parametrize(
    ("said", "lines"),
    [
        ("the metric and $K \\in \\mathbb{R}^{d\\times d}$ the kernel; both are symmetric.", []),
        (
            "the metric and $K \\in \\mathbb{R}^{d\\times d}$ the kernel; both are symmetric "
            "positive definite.",
            [],
        ),
        # the trap: "both" of the two matrices named last, not of one before them
        (
            "the metric, $K \\in \\mathbb{R}^{d\\times d}$ the kernel and "
            "$L \\in \\mathbb{R}^{d\\times d}$ the factor; both are symmetric.",
            [3],
        ),
        ("the metric and $K \\in \\mathbb{R}^{d\\times d}$ the kernel.", [3]),
    ],
)
def test_both_are_symmetric_names_the_last_two_matrices(
    tmp_path: Path, said: str, lines: list[int]
) -> None:
    text = "Let $z \\in \\mathbb{R}^d$, $M \\in \\mathbb{R}^{d \\times d}$ " + said + "\n\n" + CLAIM
    assert _flagged(tmp_path, {"a.md": text}, "a.md") == lines


@pytest.mark.parametrize(("hedge", "lines"), [(" for symmetric $\\bM$", []), ("", [10])])
def test_for_symmetric_spelt_with_the_documents_macro(
    tmp_path: Path, hedge: str, lines: list[int]
) -> None:
    text = (
        "\\documentclass{article}\n\\usepackage{bm}\n\\newcommand{\\bz}{\\bm{z}}\n"
        "\\newcommand{\\bM}{\\bm{M}}\n\\begin{document}\n"
        "Let $\\bM \\in \\mathbb{R}^{d\\times d}$ and $\\bz \\in \\mathbb{R}^d$.\n\n"
        "Some text.\n\n"
        f"And $\\frac{{\\partial}}{{\\partial \\bz}}\\bz^\\top\\bM\\bz = 2 \\bM \\bz${hedge}.\n"
        "\\end{document}\n"
    )
    assert _flagged(tmp_path, {"a.tex": text}, "a.tex") == lines


@pytest.mark.parametrize(
    ("claim", "lines"), [("\\mathbf{p}_i - \\vy_i", []), ("\\vy_i - \\mathbf{p}_i", [10])]
)
def test_one_hot_labels_spelt_with_the_documents_macro(
    tmp_path: Path, claim: str, lines: list[int]
) -> None:
    r""" "one-hot labels $\vy_i \in \{0,1\}^K$" (``\vy`` a macro of ``\mathbf y``): the labels are
    sampled one-hot for the written check too, as ``diff`` samples them — Σ(p_i − y_i)x_iᵀ is
    right (it is wrong for labels that do not sum to 1), its sign slip is flagged."""
    text = (
        "$$\n\\newcommand{\\vx}{\\mathbf{x}}\n\\newcommand{\\vy}{\\mathbf{y}}\n$$\n\n"
        "Pairs $(\\vx_i, \\vy_i)$, $i = 1, \\dots, N$, with $\\vx_i \\in \\mathbb{R}^d$ and one-hot "
        "labels $\\vy_i \\in \\{0, 1\\}^K$; $W \\in \\mathbb{R}^{K \\times d}$ and "
        "$\\mathbf{p}_i = \\operatorname{softmax}(W\\vx_i)$.\n\n"
        "$$L = -\\sum_{i=1}^N \\vy_i^\\top \\log \\mathbf{p}_i$$\n\n"
        f"Then $\\nabla_W L = \\sum_i ({claim})\\vx_i^\\top$.\n"
    )
    assert _flagged(tmp_path, {"a.md": text}, "a.md") == lines


@pytest.mark.parametrize(
    ("setup", "lines"),
    [
        # a Gram or scatter form is symmetric whatever its letters: the sample covariance
        (
            "Let $X \\in \\mathbb{R}^{n\\times d}$, $z \\in \\mathbb{R}^d$ and "
            "$M \\in \\mathbb{R}^{d\\times d}$ the sample covariance, so $M = \\frac{1}{n}X^\\top X$.\n",
            [],
        ),
        (
            "Let $x_i \\in \\mathbb{R}^d$, $z \\in \\mathbb{R}^d$, $M \\in \\mathbb{R}^{d\\times d}$; "
            "$M = \\sum_{i=1}^n x_i x_i^\\top + \\lambda I_d$.\n",
            [],
        ),
        (
            "Let $B, M \\in \\mathbb{R}^{d\\times d}$, $z \\in \\mathbb{R}^d$; $M = B + B^\\top$.\n",
            [],
        ),
        # the traps: a product that is not a Gram form, and one said only as a supposition
        (
            "Let $X, Y \\in \\mathbb{R}^{n\\times d}$, $z \\in \\mathbb{R}^d$, "
            "$M \\in \\mathbb{R}^{d\\times d}$; $M = X^\\top Y$.\n",
            [1],
        ),
        (
            "Let $B, C, M \\in \\mathbb{R}^{d\\times d}$, $z \\in \\mathbb{R}^d$; $M = B^\\top C B$.\n",
            [1],
        ),
        (
            "Let $X \\in \\mathbb{R}^{n\\times d}$, $M \\in \\mathbb{R}^{d\\times d}$ and "
            "$z \\in \\mathbb{R}^d$. If $M = X^\\top X$, then $Mz = X^\\top Xz$.\n",
            [1],
        ),
        (
            "Let $X \\in \\mathbb{R}^{n\\times d}$, $M \\in \\mathbb{R}^{d\\times d}$ and "
            "$z \\in \\mathbb{R}^d$. Taking $M = X^\\top X$ gives the normal equations.\n",
            [1],
        ),
    ],
)
def test_a_matrix_defined_as_a_gram_form_is_symmetric(
    tmp_path: Path, setup: str, lines: list[int]
) -> None:
    assert _flagged(tmp_path, _project(setup), "sections/grad.tex") == lines


@pytest.mark.parametrize(
    ("after", "lines"),
    [
        (" (This needs $M$ symmetric.)", []),  # a hedge in brackets, its sentence ending ".)"
        (" This needs $M$ symmetric.", []),
        (" (This is the usual answer.)", [3]),  # the trap: the brackets say nothing of M
    ],
)
def test_a_hedge_in_brackets_after_the_claim_is_read(
    tmp_path: Path, after: str, lines: list[int]
) -> None:
    text = (
        "Let $M \\in \\mathbb{R}^{d\\times d}$ and $z \\in \\mathbb{R}^d$.\n\n"
        + CLAIM.rstrip("\n")
        + after
        + "\n"
    )
    assert _flagged(tmp_path, {"main.md": text}, "main.md") == lines


def _declarations_as_first_written(text: str, key: str) -> list[int]:
    r"""The pattern ``_declarations`` had, led by its look-behind (tried at every offset)."""
    import re

    pattern = r"(?<![\\A-Za-z])" + re.escape(key) + r"\s*\\in(?![A-Za-z])"
    return [m.start() for m in re.finditer(pattern, text)]


@pytest.mark.parametrize("key", ["A", "x", "AA", "\\Sigma", "\\mathbf{x}", "W_1", "a b"])
def test_declarations_found_as_the_look_behind_led_pattern_found_them(key: str) -> None:
    from texgrad.calculus.written_derivatives import _declarations

    pieces = [key, key, " ", "\\in", "\\in ", "\\inf", "x", "\\", "B", "$", "(", "\n", ","]
    rng = __import__("random").Random(key)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    texts += [f"{key} \\in R", f"B{key}\\in R", f"\\{key}\\in R", f"({key}\\in", f"{key}\\inR"]
    found = 0
    for text in texts:
        expected = _declarations_as_first_written(text, key)
        assert _declarations(text, key) == expected, text
        found += bool(expected)
    assert found > 100  # (the texts hold declarations, and texts where none is)
