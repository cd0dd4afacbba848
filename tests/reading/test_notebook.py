"""Jupyter notebooks: the math of their Markdown cells, positions in the cells."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from texgrad import cli
from texgrad.reading.notebook import NotANotebook, cell_position, markdown_of
from texgrad.reading.project import read_file
from texgrad.reading.source import line_starts


def _notebook(*cells: tuple[str, str | list[str]]) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": kind, "metadata": {}, "source": src} for kind, src in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_markdown_cells_are_joined_exactly_and_code_cells_left_out() -> None:
    nb = markdown_of(
        _notebook(
            ("markdown", ["# T\n", "Let $x \\in \\mathbb{R}^n$"]),
            ("code", ["x = 1  # $A B$\n"]),
            ("raw", "$C D$"),
            ("markdown", "and $y$.\n"),
        )
    )
    assert nb.text == "# T\nLet $x \\in \\mathbb{R}^n$\n\nand $y$.\n\n"
    assert nb.numbers == (1, 4)
    assert nb.starts == (0, nb.text.index("and"))
    assert "A B" not in nb.text and "C D" not in nb.text


def test_an_offset_maps_to_its_cell_line_and_column() -> None:
    nb = markdown_of(
        _notebook(("markdown", ["a\n", "bc $x$\n"]), ("code", "1"), ("markdown", "z\n$y$"))
    )
    assert cell_position(nb, nb.text.index("$x$")) == (1, 1, 3)
    assert cell_position(nb, nb.text.index("$y$")) == (3, 1, 0)
    assert cell_position(nb, 0) == (1, 0, 0)


def test_not_a_notebook_says_why() -> None:
    for raw in ("{", "[]", '{"cells": 3}'):
        with pytest.raises(NotANotebook):
            markdown_of(raw)


def test_read_file_reads_a_notebook_as_its_markdown_cells(tmp_path: Path) -> None:
    path = tmp_path / "n.ipynb"
    path.write_text(_notebook(("markdown", "$A$\n")), encoding="utf-8")
    assert read_file(path) == ("$A$\n\n", [])
    path.write_text("not json", encoding="utf-8")
    text, problems = read_file(path)
    assert text == "" and [p.code for p in problems] == ["read-failed"]
    assert "not read as a notebook" in problems[0].message


def _check(*argv: str) -> str:
    out, real = io.StringIO(), sys.stdout
    sys.stdout = out
    try:
        cli.main(list(argv))
    finally:
        sys.stdout = real
    return out.getvalue()


NOTES = _notebook(
    ("markdown", ["Let $A \\in \\mathbb{R}^{m \\times n}$ and\n", "$x \\in \\mathbb{R}^m$.\n"]),
    ("code", ["y = A @ x\n"]),
    ("markdown", ["Then\n", "$$\n", "y = A x\n", "$$\n"]),
)


def test_check_reports_positions_in_the_cells(tmp_path: Path) -> None:
    (tmp_path / "notes.ipynb").write_text(NOTES, encoding="utf-8")
    records = json.loads(_check("check", "--format", "json", str(tmp_path / "notes.ipynb")))
    assert [(r["code"], r["cell"], r["line"], r["column"]) for r in records] == [
        ("matmul-mismatch", 3, 3, 5)
    ]
    assert {(n["cell"], n["line"]) for n in records[0]["related"]} == {(1, 1), (1, 2)}
    text = _check("check", str(tmp_path / "notes.ipynb"))
    assert "notes.ipynb:cell 3:3:5: error:" in text
    assert "notes.ipynb:cell 1:2:2: note:" in text


def test_a_folder_check_reads_notebooks(tmp_path: Path) -> None:
    (tmp_path / "notes.ipynb").write_text(NOTES, encoding="utf-8")
    assert ":cell 3:3:5: error:" in _check("check", str(tmp_path))
    assert ".ipynb" in cli.DOCUMENT_SUFFIXES


def test_the_cells_offsets_match_the_text_texgrad_read(tmp_path: Path) -> None:
    (tmp_path / "notes.ipynb").write_text(NOTES, encoding="utf-8")
    text, _ = read_file(tmp_path / "notes.ipynb")
    nb = markdown_of(NOTES)
    assert text == nb.text and len(line_starts(text)) == 9
