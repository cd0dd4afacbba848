r"""Generated inputs for the scale figures and tests: a LaTeX project of many files and
large documents made of the shared corpus.

``write_project(folder, files)`` writes ``main.tex`` (``\input`` of a macros file, a
notation file and ``files - 3`` section files), with the letters of the notation file used in every
section, a letter declared in one section used in the next, and a planted shape error in
every tenth section.  Nothing is committed: the benchmark and the tests write into a
temporary folder.
"""

from __future__ import annotations

from pathlib import Path

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
