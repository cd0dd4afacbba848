r"""Reading forms met writing the set-28 documents: ``\InputIfFileExists`` includes its file,
and ``\let\a\b`` gives ``\a`` the meaning ``\b`` has then (a later ``\renewcommand{\b}``
written with ``\a`` is no loop)."""

from __future__ import annotations

from tests.reading.test_macros import expanded
from tests.reading.test_project import rel, write
from texgrad.reading.project import load_project


def test_input_if_file_exists_includes_its_file(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \InputIfFileExists{localdefs.tex}{}{\typeout{no local definitions}}
        \InputIfFileExists{absent.tex}{}{}
        %! localdefs.tex
        \newcommand{\Lsym}{L_{\mathrm{sym}}}
        """,
    )
    project = load_project(paths["main.tex"])
    assert rel(project, tmp_path) == ["main.tex", "localdefs.tex"]
    assert sorted(project.macros) == ["Lsym"]


def test_let_of_a_command_a_later_renewcommand_uses():
    src = r"\let\oldbeta\beta \renewcommand{\beta}{\boldsymbol{\oldbeta}} $X\beta + \oldbeta$"
    assert expanded(src) == [r"X\boldsymbol{\beta} + \beta"]


def test_let_of_a_user_macro_copies_its_meaning_then():
    src = (
        r"\newcommand{\vx}[1]{\mathbf{#1}} \let\oldvx\vx "
        r"\renewcommand{\vx}[1]{\oldvx{#1}_0} $\vx{a} + \oldvx{b}$"
    )
    assert expanded(src) == [r"\mathbf{a}_0 + \mathbf{b}"]


def test_let_of_a_macro_defined_later_is_the_command():
    # TeX: \let takes the meaning at that point; \eps stays \epsilon, not the later \epsilon
    src = r"\let\eps\epsilon \renewcommand{\epsilon}{\varepsilon} $\eps + \epsilon$"
    assert expanded(src) == [r"\epsilon + \varepsilon"]
