r"""One Checker (the server's, for a whole workspace) checking a file that two projects
include, each with its own macros: the file is read with each project's macros, not with
the first project's parse."""

from __future__ import annotations

from pathlib import Path

from texgrad.reading.project import load_project
from texgrad.shapes.check import Checker

ROOT = r"""\documentclass{article}
\newcommand{\vv}{%s}
\begin{document}
Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$, $y \in \mathbb{R}^m$.
\input{sec}
\end{document}
"""


def test_a_shared_file_is_read_with_each_projects_macros(tmp_path: Path) -> None:
    (tmp_path / "a.tex").write_text(ROOT % "x", encoding="utf-8")  # A x: agrees
    (tmp_path / "b.tex").write_text(ROOT % "y", encoding="utf-8")  # A y: n and m differ
    (tmp_path / "sec.tex").write_text("Then $A \\vv$ is computed.\n", encoding="utf-8")
    sec = str(tmp_path / "sec.tex")
    a = load_project(str(tmp_path / "a.tex"), folder=tmp_path)
    b = load_project(str(tmp_path / "b.tex"), folder=tmp_path)
    checker = Checker()
    for project, codes in ((a, []), (b, ["matmul-mismatch"]), (a, []), (b, ["matmul-mismatch"])):
        result = checker.check(sec, project, tmp_path)
        assert [d.code for d in result.diagnostics] == codes, project.root
