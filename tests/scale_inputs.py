r"""Generated inputs for the scale figures and tests: a LaTeX project of many files and
large documents made of the shared corpus.

``write_project(folder, files)`` writes ``main.tex`` (``\input`` of a macros file, a
notation file and ``files - 3`` section files), with the letters of the notation file used in every
section, a letter declared in one section used in the next, and a planted shape error in
every tenth section.  Nothing is committed: the benchmark and the tests write into a
temporary folder.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import NamedTuple

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
COOKBOOK = CORPUS / "matrix-cookbook-md" / "main.md"

MACROS = r"""\newcommand{\vx}{\mathbf{x}}
\newcommand{\vy}{\mathbf{y}}
\newcommand{\mA}{\mathbf{A}}
\newcommand{\R}{\mathbb{R}}
\newcommand{\T}{\top}
"""

NOTATION = r"""\section{Notation}
Throughout, $\mA \in \R^{m \times n}$, $\vx \in \R^{n}$, $\vy \in \R^{m}$ and
$W \in \R^{n \times n}$.
"""


def section(k: int) -> str:
    r"""Section ``k``: uses the notation's letters, declares ``B_k`` and ``G`` (k even) or
    uses the ``G`` of the section before (k odd); every tenth holds a planted error."""
    lines = [
        rf"\section{{Part {k}}}",
        rf"Let $B_{{{k}}} \in \R^{{n \times p}}$ and $c_{{{k}}} \in \R^{{p}}$.",
        r"The residual is",
        r"\begin{equation}",
        rf"  r_{{{k}}} = \mA \vx - \vy + \mA B_{{{k}}} c_{{{k}}},",
        r"\end{equation}",
        rf"and the quadratic form $q_{{{k}}} = \vx^\T W \vx + c_{{{k}}}^\T B_{{{k}}}^\T W \vx$.",
    ]
    if k % 2 == 0:
        lines.append(rf"We set $G_{{{k // 2}}} \in \R^{{p \times m}}$ for the next part.")
    else:
        lines.append(rf"With $G_{{{k // 2}}}$ as before, $h_{{{k}}} = G_{{{k // 2}}} \vy$.")
        if k % 10 == 7:  # planted: G (p×m, declared in the section before) times x (n)
            lines.append(rf"Also $f_{{{k}}} = G_{{{k // 2}}} \vx$.")
    if k % 10 == 5:
        lines.append(rf"Then $e_{{{k}}} = \vx^\T \mA \vx$.")  # planted: x^T is 1×n, A is m×n
    lines.append(r"\begin{align}")
    lines.append(rf"  g_{{{k}}} &= \mA^\T (\mA \vx - \vy) \\")
    lines.append(rf"  H_{{{k}}} &= \mA^\T \mA + W + W^\T")
    lines.append(r"\end{align}")
    return "\n".join(lines) + "\n"


def write_project(folder: Path, files: int) -> Path:
    """Write a project of ``files`` files: main, macros, notation and ``files - 3``
    sections; its root."""
    n = files - 3
    (folder / "sections").mkdir(parents=True, exist_ok=True)
    (folder / "macros.tex").write_text(MACROS, encoding="utf-8")
    (folder / "notation.tex").write_text(NOTATION, encoding="utf-8")
    inputs = []
    for k in range(1, n + 1):
        name = f"sections/s{k:03d}"
        (folder / f"{name}.tex").write_text(section(k), encoding="utf-8")
        inputs.append(rf"\input{{{name}}}")
    main = "\n".join(
        [
            r"\documentclass{article}",
            r"\input{macros}",
            r"\begin{document}",
            r"\input{notation}",
            *inputs,
            r"\end{document}",
        ]
    )
    root = folder / "main.tex"
    root.write_text(main + "\n", encoding="utf-8")
    return root


def planted(files: int) -> int:
    """How many planted errors ``write_project(folder, files)`` holds."""
    n = files - 3
    return sum(1 for k in range(1, n + 1) if k % 10 in (5, 7))


def cookbook_times(folder: Path, times: int) -> Path:
    """The Matrix Cookbook ``times`` over in one Markdown file."""
    text = COOKBOOK.read_text(encoding="utf-8")
    path = folder / f"cookbook-x{times}.md"
    path.write_text("\n".join([text] * times), encoding="utf-8")
    return path


# the corpus's LaTeX chapters a generated thesis is made of, and the macro files it loads
THESIS_CHAPTERS = (
    "mit-matrixcalc/pset1sol.tex",
    "mit-matrixcalc/pset2sol.tex",
    "cs229m-notes/collection/07-03-ntk.tex",
    "cs229m-notes/collection/09-01-unsupervised.tex",
    "tensor-cookbook/chapters/functions.tex",
    "dlbook-notation/notation.tex",
)
THESIS_MACROS = ("dlbook-notation/math_commands.tex", "cs229m-notes/macros.tex")


def _body(text: str) -> str:
    """A LaTeX file's text between ``\\begin{document}`` and ``\\end{document}`` (all of it
    when it has none)."""
    begin, end = text.find(r"\begin{document}"), text.rfind(r"\end{document}")
    if begin >= 0:
        text = text[begin + len(r"\begin{document}") : end if end > begin else len(text)]
    return text


def thesis(folder: Path, size: int = 1_000_000) -> Path:
    """A one-file LaTeX thesis of at least ``size`` bytes: the corpus's macro files as its
    preamble and its LaTeX chapters, one after another, again until it is that long."""
    read = [(CORPUS / p).read_text(encoding="utf-8") for p in THESIS_CHAPTERS]
    parts = [r"\documentclass{book}", *((CORPUS / p).read_text(encoding="utf-8")
                                         for p in THESIS_MACROS), r"\begin{document}"]  # fmt: skip
    length = sum(len(p.encode()) for p in parts)
    k = 0
    while length < size:
        name = THESIS_CHAPTERS[k % len(read)].rsplit("/", 1)[-1]
        chapter = f"\\chapter{{{name} ({k // len(read) + 1})}}\n{_body(read[k % len(read)])}"
        parts.append(chapter)
        length += len(chapter.encode()) + 1
        k += 1
    parts.append(r"\end{document}")
    path = folder / "thesis.tex"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


# A thesis of distinct text: the one above repeats six chapters, so most of its rows are the
# same text again (~85%) and every cache keyed by text makes it look cheaper than a thesis
# is.  Each chapter of this one draws its own letters, fonts, decorations and dimension
# names, its own expressions and its own prose from a random generator seeded by the seed
# and the chapter's number (chapter k is the same text whatever the size asked).

_MATRIX_LETTERS = "ABCDFGHKLMPQRSUVWYZ"  # (not I: the identity; not N, T: dimensions)
_VECTOR_LETTERS = "abcuvwxyz"  # (not e, f, g, h, r, s: the names defined)
_SCALAR_NAMES = (r"\lambda", r"\alpha", r"\beta", r"\gamma", r"\mu", r"\rho", r"\eta", r"\tau")
_DIMENSION_NAMES = ("n", "m", "p", "d", "k", "N", "T")
_DIMENSION_TAGS = ("", "", "", "_{0}", "_{1}", "_{2}", "_{h}", "_{c}", "_{k}")
_DECORATIONS = ("", "", "", "", r"\tilde", r"\hat", r"\bar")
_WORDS = (
    "estimator model layer operator gradient objective update step iterate residual kernel "
    "feature sample batch projection solution bound constraint penalty regulariser loss "
    "likelihood posterior prior covariance mean variance basis subspace embedding encoder "
    "decoder attention weight bias activation network problem method scheme algorithm "
    "approximation expansion term factor component direction descent minimiser curvature"
).split()
_VERBS = (
    "gives shows suggests implies requires yields bounds controls determines approximates "
    "defines describes motivates simplifies"
).split()


class _Chapter:
    """One chapter's symbols and the rows made of them."""

    def __init__(self, rng: random.Random, k: int) -> None:
        self.rng, self.k = rng, k
        names = rng.sample(_DIMENSION_NAMES, 3)
        tag = rng.choice(_DIMENSION_TAGS)
        if tag == "_{k}":  # (the chapter's number)
            tag = f"_{{{k % 9 + 1}}}"
        self.dims = [f"{n}{tag}" for n in names]
        letters = rng.sample(_MATRIX_LETTERS, 6)
        vletters = rng.sample(_VECTOR_LETTERS, 6)
        bold = rng.random() < 0.5
        sub = rng.random() < 0.4
        # matrices: two of shape (0, 1), then (1, 2), (0, 0), (1, 1), (2, 0)
        shapes = [(0, 1), (0, 1), (1, 2), (0, 0), (1, 1), (2, 0)]
        self.matrices: dict[tuple[int, int], list[str]] = {}
        for letter, shape in zip(letters, shapes, strict=True):
            name = self._name(letter, bold, sub)
            self.matrices.setdefault(shape, []).append(name)
        self.vectors: dict[int, list[str]] = {}
        for i, letter in enumerate(vletters):
            self.vectors.setdefault(i % 3, []).append(self._name(letter, bold, sub))
        self.scalars = rng.sample(_SCALAR_NAMES, 2)
        self.defined = 0
        self.wrong = 0  # derivatives written wrong

    def _name(self, letter: str, bold: bool, sub: bool) -> str:
        name = rf"\mathbf{{{letter}}}" if bold else letter
        deco = self.rng.choice(_DECORATIONS)
        if deco:
            name = rf"{deco}{{{name}}}"
        if sub:
            name += f"_{{{self.rng.choice('123456789')}}}"
        return name

    def shape(self, s: tuple[int, int] | int) -> str:
        if isinstance(s, int):
            return rf"\R^{{{self.dims[s]}}}"
        return rf"\R^{{{self.dims[s[0]]} \times {self.dims[s[1]]}}}"

    def declarations(self) -> list[str]:
        parts = [f"${m} \\in {self.shape(s)}$" for s, ms in self.matrices.items() for m in ms]
        parts += [f"${v} \\in {self.shape(i)}$" for i, vs in self.vectors.items() for v in vs]
        self.rng.shuffle(parts)
        a, b = self.scalars
        return [
            f"Throughout this chapter let {', '.join(parts[:-1])} and {parts[-1]}, where "
            f"${self.dims[0]}, {self.dims[1]}, {self.dims[2]}$ are positive integers, and let "
            f"${a} > 0$ and ${b} \\in \\R$ be scalars."
        ]

    # shapes: an int i is a vector of dimension i; (i, j) a matrix; None a scalar
    def expr(self, shape: tuple[int, int] | int, depth: int) -> str:
        """A random expression of that shape (vectors and matrices of the chapter)."""
        rng = self.rng
        if isinstance(shape, int):
            options = ["leaf"] * 2 + (["sum", "mat"] if depth > 0 else [])
            if depth > 0 and (shape, shape) in self.matrices:
                options.append("inverse")
            choice = rng.choice(options)
            if choice == "inverse":
                s, lam = self.matrices[(shape, shape)][0], rng.choice(self.scalars)
                return rf"({s}^\top {s} + {lam} I)^{{-1}} {rng.choice(self.vectors[shape])}"
            if choice == "leaf":
                return rng.choice(self.vectors[shape])
            if choice == "sum":
                sign = rng.choice("+-")
                coef = rng.choice(["", "", "2 ", r"\frac{1}{2} ", f"{rng.choice(self.scalars)} "])
                return f"{self.expr(shape, depth - 1)} {sign} {coef}{self.expr(shape, depth - 1)}"
            inner = [j for (i, j) in self.matrices if i == shape]
            inner += [i for (i, j) in self.matrices if j == shape and i != j]
            j = rng.choice(inner)
            mat = self.matrix((shape, j))
            arg = self.expr(j, depth - 1)
            return f"{mat} ({arg})" if (" + " in arg or " - " in arg) else f"{mat} {arg}"
        return self.matrix(shape)

    def scalar(self) -> str:
        """A random scalar expression: a norm, a quadratic form, a trace."""
        rng = self.rng
        i = rng.randrange(3)
        (m0, n0) = rng.choice([s for s in self.matrices if s[0] != s[1]])
        a = self.matrix((m0, n0))
        forms = [
            rf"\|{self.expr(i, 2)}\|_2^2",
            rf"\frac{{1}}{{2}} \|{a} {rng.choice(self.vectors[n0])} - {rng.choice(self.vectors[m0])}\|_2",
            rf"{rng.choice(self.vectors[m0])}^\top {a} {rng.choice(self.vectors[n0])}",
            rf"\tr({a}^\top {a}) + {rng.choice(self.scalars)} \|{rng.choice(self.vectors[i])}\|_2^2",
        ]
        return rng.choice(forms)

    def matrix(self, shape: tuple[int, int]) -> str:
        i, j = shape
        if shape in self.matrices and (
            i == j or (j, i) not in self.matrices or self.rng.random() < 0.7
        ):
            return self.rng.choice(self.matrices[shape])
        return f"{self.rng.choice(self.matrices[(j, i)])}^\\top"

    def sentence(self) -> str:
        rng = self.rng
        w = rng.sample(_WORDS, 4)
        return (
            f"The {w[0]} of the {w[1]} {rng.choice(_VERBS)} the {w[2]} "
            f"{rng.choice(['for', 'of', 'in', 'on'])} the {w[3]}."
        )

    def fresh(self, letter: str) -> str:
        self.defined += 1
        return (
            f"{letter}_{{{self.k}{self.defined}}}"
            if self.defined < 10
            else f"{letter}_{{{self.k},{self.defined}}}"
        )

    def derivative(self) -> str:
        """A derivative written in the chapter's letters: a true one, or one of the wrong
        ones a thesis may hold (``self.wrong`` counts them)."""
        rng = self.rng
        if rng.random() < 0.1:
            return self.wrong_derivative()
        i = rng.randrange(3)
        x, a = rng.sample(self.vectors[i], 2)
        square = self.matrices.get((i, i))
        (m0, n0) = rng.choice([s for s in self.matrices if s[0] != s[1]])
        A = self.matrices[(m0, n0)][0]
        y, v = self.vectors[m0][0], self.vectors[n0][0]
        lam = self.scalars[0]
        forms = [
            rf"\nabla_{{{x}}} ({a}^\top {x}) = {a}",
            rf"\frac{{\partial}}{{\partial {x}}} \|{x}\|_2^2 = 2 {x}",
            rf"\nabla_{{{x}}} \frac{{{lam}}}{{2}} {x}^\top {x} = {lam} {x}",
            rf"\nabla_{{{v}}} \frac{{1}}{{2}}\|{A} {v} - {y}\|_2^2 = {A}^\top ({A} {v} - {y})",
            rf"\frac{{\partial ({A} {v})}}{{\partial {v}}} = {A}",
            rf"\frac{{\partial}}{{\partial {A}}} {y}^\top {A} {v} = {y} {v}^\top",
            rf"\frac{{\partial}}{{\partial {A}}} \|{A}\|_F^2 = 2 {A}",
        ]
        if square:
            S = square[0]
            forms += [
                rf"\frac{{\partial}}{{\partial {x}}} {x}^\top {S} {x} = ({S} + {S}^\top) {x}",
                rf"\frac{{\partial}}{{\partial {S}}} \tr({S}) = I",
                rf"\frac{{\partial}}{{\partial {S}}} {a}^\top {S} {x} = {a} {x}^\top",
            ]
        return rng.choice(forms)

    def wrong_derivative(self) -> str:
        """A derivative written wrong: a factor 2 lost, a transpose forgotten."""
        self.wrong += 1
        i = self.rng.randrange(3)
        x = self.rng.choice(self.vectors[i])
        square = self.matrices.get((i, i))
        if square and self.rng.random() < 0.5:
            s = square[0]
            return rf"\nabla_{{{x}}} {x}^\top {s} {x} = 2 {s} {x}"
        return rf"\frac{{\partial}}{{\partial {x}}} \|{x}\|_2^2 = {x}"

    def derivation(self) -> list[str]:
        """The expansion of a least-squares objective, step by step (a derivation)."""
        (m0, n0) = self.rng.choice([s for s in self.matrices if s[0] != s[1]])
        A = self.matrices[(m0, n0)][-1]
        x, y = self.vectors[n0][-1], self.vectors[m0][-1]
        f = self.fresh("f")
        return [
            r"\begin{align}",
            rf"  {f} &= \frac{{1}}{{2}} ({A} {x} - {y})^\top ({A} {x} - {y}) \\",
            rf"  &= \frac{{1}}{{2}} {x}^\top {A}^\top {A} {x} - {y}^\top {A} {x} + \frac{{1}}{{2}} {y}^\top {y}",
            r"\end{align}",
        ]

    def planted(self) -> str:
        """A product whose inner dimensions differ (a shape error)."""
        (m0, n0) = self.rng.choice([s for s in self.matrices if s[0] != s[1]])
        wrong = next(i for i in range(3) if i != n0)
        return f"{self.matrices[(m0, n0)][0]} {self.vectors[wrong][0]}"


def _distinct_chapter(seed: int, k: int) -> tuple[str, int, int]:
    """Chapter ``k`` of the distinct thesis, how many shape errors it plants and how many
    derivatives it writes wrong."""
    rng = random.Random(seed * 1_000_003 + k)
    c = _Chapter(rng, k)
    words = rng.sample(_WORDS, 3)
    out = [rf"\chapter{{The {words[0]} {words[1]}s of {words[2]} models ({k})}}"]
    out += c.declarations()
    planted = 0
    for _ in range(rng.randint(3, 5)):
        out.append(rf"\section{{{rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS)}s}}")
        for _ in range(rng.randint(3, 6)):
            kind = rng.random()
            prose = " ".join(c.sentence() for _ in range(rng.randint(1, 3)))
            if kind < 0.3:
                i = rng.randrange(3)
                out.append(f"{prose} Let ${c.fresh('r')} = {c.expr(i, 2)}$ and note that "
                           f"${c.fresh('s')} = {c.expr(rng.randrange(3), 2)}$.")  # fmt: skip
                continue
            if kind < 0.55:
                math = [r"\begin{equation}", f"  {c.fresh('g')} = {c.expr(rng.randrange(3), 3)},",
                        r"\end{equation}"]  # fmt: skip
            elif kind < 0.75:
                rows = [f"  {c.fresh('h')} &= {c.expr(rng.randrange(3), 3)}"
                        for _ in range(rng.randint(2, 4))]  # fmt: skip
                rows.append(f"  {c.fresh('q')} &= {c.scalar()}")
                math = [r"\begin{align}", " \\\\\n".join(rows), r"\end{align}"]
            elif kind < 0.9:
                prose += " Differentiating,"
                math = [r"\begin{equation}", f"  {c.derivative()}", r"\end{equation}"]
            else:
                prose += " Expanding the square,"
                math = c.derivation()
            out.append("\n".join([prose, *math]))
        if rng.random() < 0.15:
            out.append(f"One checks that ${c.fresh('e')} = {c.planted()}$ is wrong.")
            planted += 1
    return "\n\n".join(out) + "\n\n", planted, c.wrong


DISTINCT_PREAMBLE = r"""\documentclass{book}
\usepackage{amsmath,amssymb}
\newcommand{\R}{\mathbb{R}}
\DeclareMathOperator{\tr}{tr}
\begin{document}
"""


class Thesis(NamedTuple):
    path: Path
    shape_errors: int  # planted: products whose inner dimensions differ
    wrong_derivatives: int  # planted: derivatives written wrong


def distinct_thesis(folder: Path, size: int = 1_000_000, seed: int = 18) -> Thesis:
    """A one-file LaTeX thesis of at least ``size`` bytes whose chapters are all different
    text (letters, dimensions, expressions and prose drawn per chapter from ``seed``), with
    what it plants."""
    parts, length, k = [DISTINCT_PREAMBLE], len(DISTINCT_PREAMBLE), 0
    shapes = wrong = 0
    while length < size:
        k += 1
        chapter, planted, written_wrong = _distinct_chapter(seed, k)
        parts.append(chapter)
        shapes, wrong = shapes + planted, wrong + written_wrong
        length += len(chapter.encode())
    parts.append("\\end{document}\n")
    path = folder / "distinct-thesis.tex"
    path.write_text("".join(parts), encoding="utf-8")
    return Thesis(path, shapes, wrong)
