"""A notebook's lines are its cells': ``inspect`` says them as ``check`` does, ``diff``
takes ``--cell C --line L``, and the server does not read a notebook's JSON as Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import run
from texgrad.workspace import Workspace

CELLS = [
    (
        "markdown",
        "# Least squares\n\nLet $A \\in \\mathbb{R}^{m \\times n}$ and $b \\in \\mathbb{R}^m$.",
    ),
    ("code", "import numpy as np\nA = np.eye(3)"),
    ("markdown", "The loss is\n\n$$\nf(x) = \\|A x - b\\|^2\n$$\n\nfor $x \\in \\mathbb{R}^n$."),
]


def _notebook(tmp_path: Path) -> Path:
    cells = [
        {"cell_type": k, "metadata": {}, "source": s.splitlines(keepends=True)} for k, s in CELLS
    ]
    path = tmp_path / "ls.ipynb"
    path.write_text(json.dumps({"cells": cells, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_inspect_gives_a_notebooks_positions_in_its_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("inspect", str(_notebook(tmp_path)))
    assert code == 0
    # f(x) = … is on line 4 of cell 3 (its own source), not line 8 of the cells joined
    assert "  cell 3:3:1-5:3 display $$ f(x) = \\|A x - b\\|^2 $$\n" in out
    assert "    row 1 cell 3:4:1-4:21 " in out
    assert "  cell 1:3:5-3:36 inline $A \\in \\mathbb{R}^{m \\times n}$\n" in out
    code, out = run("inspect", "--format", "json", str(_notebook(tmp_path)))
    region = json.loads(out)[0]["regions"][2]
    assert region["start"] | {"offset": 0} == {"cell": 3, "line": 3, "column": 1, "offset": 0}


def test_diff_takes_a_notebooks_cell_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = str(_notebook(tmp_path))
    code, out = run("diff", "--file", nb, "--cell", "3", "--line", "4", "--wrt", "x")
    assert (code, out) == (0, "2 A^\\top (A x - b)\n")
    capsys.readouterr()
    # the line alone (of which text?) is refused, saying how to give it
    assert run("diff", "--file", nb, "--line", "8", "--wrt", "x") == (2, "")
    assert "give --cell C --line L, as `texgrad check` reports them" in capsys.readouterr().err
    assert run("diff", "--file", nb, "--cell", "2", "--line", "1", "--wrt", "x")[0] == 2
    assert "cell 2 of" in (err := capsys.readouterr().err) and "not a Markdown cell" in err
    assert "(those texgrad reads: 1, 3)" in err
    assert run("diff", "--file", nb, "--cell", "3", "--line", "9", "--wrt", "x")[0] == 2
    assert "line 9 is outside cell 3 of" in capsys.readouterr().err
    md = tmp_path / "ls.md"
    md.write_text(CELLS[2][1])
    assert run("diff", "--file", str(md), "--cell", "3", "--line", "4", "--wrt", "x")[0] == 2
    assert "--cell is for a notebook (.ipynb), not" in capsys.readouterr().err


def test_a_notebook_opened_as_a_file_is_not_read_as_markdown(tmp_path: Path) -> None:
    nb = _notebook(tmp_path)
    analysis = Workspace().analyse(str(nb), nb.read_text(), {})
    assert analysis.result is None
    assert analysis.note is not None
    assert analysis.note.startswith("texgrad does not read ls.ipynb as a text file")
    # a cell given as a buffer of its own (VS Code's notebook editor) is read
    cell = tmp_path / "ls.ipynb-cell-3.md"
    read = Workspace().analyse(str(cell), CELLS[2][1], {})
    assert read.result is not None and read.note is None
