"""The command line: `texgrad inspect` on the shipped examples and on fixtures."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures import parse_fixture
from texgrad import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    real = sys.stdout
    sys.stdout = out
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdout = real
    return code, out.getvalue()


def test_inspect_prints_regions_rows_and_trees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fx = parse_fixture(
        r"""
        %! main.tex
        \documentclass{article}
        \newcommand{\R}{\mathbb{R}}
        \begin{document}
        Ünï $A \in \R^{m \times n}$ and \input{part}
        \end{document}
        %! part.tex
        \begin{align}
          y &= Ax \\
          z &= {x
        \end{align}
        """
    )
    fx.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run("inspect", "part.tex")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "part.tex (latex): 1 regions, 2 rows"
    assert lines[2] == "    row 1 2:3-2:10 (Chain y = (Product A x))"
    assert lines[3] == "    row 2 3:3-3:10 error at 3:8: unclosed brace {"
    code, out = run("inspect", "main.tex")
    assert "    row 1 4:6-4:27 (Chain A \\in (Space:R m n))" in out.splitlines()


def test_inspect_json_and_stats(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(
        "Text `$code$` and $x^\\top y$.\n\n```python\n$no$\n```\n\n$$\n\\|x\\|_2\n$$\n",
        encoding="utf-8",
    )
    code, out = run("inspect", "--format", "json", str(doc))
    assert code == 0
    (report,) = json.loads(out)
    assert report["format"] == "markdown"
    assert [r["kind"] for r in report["regions"]] == ["inline", "display"]
    first = report["regions"][0]
    assert first["start"] == {"line": 1, "column": 19, "offset": 18}
    assert first["rows"][0]["tree"] == "(Product (Transpose:\\top x) y)"
    assert report["regions"][1]["rows"][0]["tree"] == "(Norm x 2)"

    code, out = run("inspect", "--stats", str(tmp_path))
    assert code == 0
    table = out.splitlines()
    assert table[0].split() == ["file", "regions", "parsed", "share", "rows", "failed", "time"]
    assert table[-1].split()[:6] == ["total", "2", "2", "100.0%", "2", "0"]


def test_inspect_examples() -> None:
    code, out = run("inspect", "--stats", str(EXAMPLES))
    assert code == 0
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    total = rows["total"]
    assert int(total[1]) >= 15 and total[3] == "100.0%"


def test_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("inspect", str(tmp_path / "nope.tex"))
    assert code == 2
    assert capsys.readouterr().err == f"texgrad: no such file: {tmp_path / 'nope.tex'}\n"


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "texgrad", "inspect", "--stats", str(EXAMPLES / "least-squares.tex")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "least-squares.tex" in proc.stdout


def test_blas_runs_one_thread_unless_the_user_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """texgrad's arrays are small: one BLAS thread (set before numpy is imported, which the
    command line does only when a derivative is computed), a user's own setting kept."""
    for name in cli.BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")
    with pytest.raises(SystemExit):
        run("--version")

    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["MKL_NUM_THREADS"] == "4"
    code = "import sys, texgrad.cli; print('numpy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False"  # so the setting is made before numpy reads it


# -- check ------------------------------------------------------------------------------


def test_check_reports_like_a_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fx = parse_fixture(
        r"""
        %! paper.tex
        \documentclass{article}
        \begin{document}
        Ünï: let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$. Then $A y$ is wrong.
                                                                                 ^^^
        \end{document}
        """
    )
    fx.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "paper.tex")
    assert code == 1
    assert out.splitlines() == [
        "paper.tex:3:74: error: `A` is m×n but `y` ∈ ℝᵐ: inner dimensions n and m differ; "
        "transposing `A` would make it agree [matmul-mismatch]",
        "paper.tex:3:11: note: `A` declared ℝ^{m×n} here",
        "paper.tex:3:47: note: `y` declared ℝ^{m} here",
    ]
    (start, end) = fx.ranges["paper.tex"][0]
    text = fx.files["paper.tex"]
    assert text[start:end] == "A y"

    code, out = run("check", "--format", "json", "paper.tex")
    assert code == 1
    (record,) = json.loads(out)
    assert set(record) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "related",
    }
    assert (record["line"], record["column"], record["end_line"], record["end_column"]) == (
        3,
        74,
        3,
        77,
    )
    assert record["code"] == "matmul-mismatch" and record["severity"] == "error"
    assert record["related"][0] == {
        "path": "paper.tex",
        "line": 3,
        "column": 11,
        "end_line": 3,
        "end_column": 12,
        "message": "`A` declared ℝ^{m×n} here",
    }


def test_a_wrong_derivative_is_said_once_not_also_as_an_equation_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # b b^T for the derivative of b^T x: its sides differ in shape (n against n×n) because the
    # derivative is wrong; the user sees the wrong-derivative, with the derivative texgrad finds,
    # as an error (the shapes certainly differ), and no equation-mismatch on the same row
    (tmp_path / "d.md").write_text(
        "Let $x, b \\in \\mathbb{R}^n$. Then\n\n"
        "$$\\frac{\\partial}{\\partial x} (b^\\top x) = b b^\\top$$\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "d.md")
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith("d.md:3:44: error: `b b^\\top` is not the derivative of `b^\\top x`"), (
        line
    )
    assert line.endswith("[wrong-derivative]")
    # without the derivative check, the mismatch is what is left to say
    code, out = run("check", "--no-derivatives", "d.md")
    assert code == 1 and out.splitlines()[0].endswith("[equation-mismatch]")


def test_explain_without_derivatives_says_nothing_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r"""``--explain --no-derivatives``: what the shapes leave unchecked, never a row that
    "cannot be differentiated" (no derivative was looked at); with the derivatives, it is said."""
    (tmp_path / "d.md").write_text(
        "Let $x \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n\n"
        "$$f(x) = \\operatorname{rank}(A x x^\\top) + q^\\top x$$\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "--explain", "d.md")
    assert code == 0 and "[cannot-differentiate]" in out, out
    code, out = run("check", "--explain", "--no-derivatives", "d.md")
    assert code == 0, out
    (line,) = out.splitlines()
    assert line.startswith("d.md:3:44: information: `q` has no shape") and "[unknown-shape]" in line


def test_explain_says_which_math_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r"""An equation left open before a blank line is not read (as LaTeX stops there too): plain
    ``check`` stays quiet about it (its exit status is the shapes'), ``--explain`` says where and
    that its math is not checked — here a real mismatch (A is m×n, x has m entries) it hides."""
    (tmp_path / "n.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "Let $A \\in \\mathbb{R}^{m\\times n}$ and $x \\in \\mathbb{R}^m$, é.\n"
        "\\begin{equation}\n  y = A x\n\nMore text.\n\\input{missing}\n\\end{document}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "n.tex")
    assert (code, out) == (0, "")
    code, out = run("check", "--explain", "n.tex")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == (
        "n.tex:4:1: information: math opened by \\begin{equation} is not closed (expected"
        " \\end{equation} before the paragraph ends): its math is not checked [unclosed-math]"
    ), out
    assert any(line.startswith("n.tex:8:1: information: file missing not found") for line in lines)


def test_a_table_of_identities_alone_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a cheat sheet whose only derivatives are in a table headed in words: no row writes a
    # derivative, and the check of them was skipped (held15's booktabs sheet: 0 of 6 flagged)
    (tmp_path / "sheet.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "Let $\\mathbf x, \\mathbf a \\in \\mathbb{R}^n$ and $A \\in \\mathbb{R}^{n \\times n}$.\n"
        "\\begin{tabular}{ll}\n\\textbf{Expression} & \\textbf{Gradient w.r.t.\\ $\\mathbf x$} \\\\\n"
        "$\\mathbf a^\\top \\mathbf x$ & $\\mathbf a$ \\\\\n"
        "$\\mathbf x^\\top A \\mathbf x$ & $2A\\mathbf x$ \\\\\n"
        "\\end{tabular}\n\\end{document}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "sheet.tex")
    (line,) = out.splitlines()
    assert line.startswith("sheet.tex:7:"), line
    assert "unless `A` is symmetric" in line and line.endswith("[wrong-derivative]"), line
    assert cli._titled_table("| $f$ | $g$ |\n|---|---|\n| Gradient |") is True
    assert cli._titled_table("\\begin{tabular}{ll} a & b \\end{tabular}") is False


def test_check_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # in the folder: a file named from outside the working directory is read with the LaTeX
    # roots up to three folders above it, which in /tmp may be anyone's
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.md"
    good.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^n$; then $Ax$.\n",
        encoding="utf-8",
    )
    assert run("check", str(good)) == (0, "")
    assert run("check", str(tmp_path / "missing.tex"))[0] == 2
    assert capsys.readouterr().err == f"texgrad: no such file: {tmp_path / 'missing.tex'}\n"
    binary = tmp_path / "junk.tex"
    binary.write_bytes(b"\x00\x01\x02$x$")
    assert run("check", str(binary))[0] == 2
    assert "junk.tex" in capsys.readouterr().err


def test_check_examples_finds_the_planted_mistake() -> None:
    code, out = run("check", str(EXAMPLES))
    assert code == 1
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert (
        len(errors) == 1
        and "[matmul-mismatch]" in errors[0]
        and "least-squares.tex:27:55" in errors[0]
    )


PROJECT = r"""
%! main.tex
\documentclass{article}
\input{macros}
\begin{document}
\section{Setup}
Ü: Let $A \in \mathbb{R}^{m \times n}$ and $\vx \in \mathbb{R}^{n}$.
\input{sections/model}
\end{document}
%! macros.tex
\newcommand{\vx}{\mathbf{x}}
%! sections/model.tex
The residual is $r = A^\top \vx$.
%! other.tex
\documentclass{article}
\begin{document}
Let $B \in \mathbb{R}^{2 \times 3}$ and $y = B B$.
\end{document}
"""


def _mismatches(out: str) -> list[str]:
    return [line.split(": error:")[0] for line in out.splitlines() if ": error:" in line]


def test_check_of_a_root_checks_every_file_it_includes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The mistake is in an included section, with its declarations (and the macro) in main.
    parse_fixture(PROJECT).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "main.tex")
    assert code == 1
    assert _mismatches(out) == ["sections/model.tex:1:22"]
    assert "main.tex:5:9: note: `A` declared ℝ^{m×n} here" in out.splitlines()
    assert "main.tex:5:45: note: `\\vx` declared ℝ^{n} here" in out.splitlines()
    # a section named alone is checked with its project's declarations
    assert _mismatches(run("check", "sections/model.tex")[1]) == ["sections/model.tex:1:22"]


def test_check_of_several_paths_is_the_union_and_reports_a_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_fixture(PROJECT).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    alone = set(_mismatches(run("check", "main.tex")[1]))
    alone |= set(_mismatches(run("check", "other.tex")[1]))
    both = _mismatches(run("check", "other.tex", "main.tex", "sections/model.tex")[1])
    assert sorted(both) == sorted(alone) == ["other.tex:3:46", "sections/model.tex:1:22"]
    code, out = run("check", "--format", "json", "main.tex", "sections/model.tex")
    assert code == 1
    assert [(r["path"], r["line"]) for r in json.loads(out)] == [("sections/model.tex", 1)]


SHARED = r"""%! thesis.tex
\documentclass{report}
\input{macros}
\begin{document}
Let $\mA \in \R^{n \times p}$ and $\vw \in \R^{p}$.
\input{sections/shared}
\end{document}
%! paper.tex
\documentclass{article}
\input{macros}
\begin{document}
Let $\mA \in \R^{n \times p}$ and $\vw \in \R^{n}$.
\input{sections/shared}
\end{document}
%! macros.tex
\newcommand{\mA}{\mathbf{A}}\newcommand{\vw}{\mathbf{w}}\newcommand{\R}{\mathbb{R}}
%! sections/shared.tex
The prediction $\mA\vw$ and $\mA^\top\vw$.
"""


def test_a_section_two_roots_share_is_checked_with_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A thesis and a paper include one section; \vw is p-long in the thesis, n-long in the
    # paper: each root finds its own mistake there, and any set of paths gives the union.
    parse_fixture(SHARED).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    thesis = _mismatches(run("check", "thesis.tex")[1])
    paper = _mismatches(run("check", "paper.tex")[1])
    assert (thesis, paper) == (["sections/shared.tex:1:30"], ["sections/shared.tex:1:17"])
    for paths in (["thesis.tex", "paper.tex"], ["paper.tex", "thesis.tex"], ["."]):
        assert sorted(_mismatches(run("check", *paths)[1])) == sorted(thesis + paper)


def test_a_diagnostic_two_roots_both_give_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_fixture(SHARED.replace("\\R^{n}$.", "\\R^{p}$.")).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "--format", "json", "thesis.tex", "paper.tex")
    assert code == 1
    found = [(r["path"], r["line"], r["column"]) for r in json.loads(out)]
    assert found == [("sections/shared.tex", 1, 30)]
    assert json.loads(out)[0]["related"][0]["path"] == "thesis.tex"  # the first root's notes


def test_diff_of_an_included_file_reads_its_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `A` and `\vx` are declared in main.tex, `\vx` defined in macros.tex: the section alone
    # knows neither; --wrt takes the document's own spelling and the answer keeps it.
    project = PROJECT.replace(
        "\\input{sections/model}", "\\input{sections/model}\\input{sections/loss}"
    )
    parse_fixture(project + "%! sections/loss.tex\nThe loss is $f(\\vx) = \\|A\\vx\\|^2$.\n").write(
        tmp_path
    )
    monkeypatch.chdir(tmp_path)
    for wrt in ("\\vx", "\\mathbf{x}"):
        code, out = run("diff", "--file", "sections/loss.tex", "--line", "1", "--wrt", wrt)
        assert (code, out.strip()) == (0, "2 A^\\top A \\vx")


def test_diff_of_a_file_takes_where_in_the_document_s_macros(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `\vw` is declared nowhere: --where declares it in the document's own macros (\vw, \R)
    project = PROJECT.replace(
        "\\input{sections/model}", "\\input{sections/model}\\input{sections/loss}"
    )
    loss = "%! sections/loss.tex\nThe loss is $f(\\vw) = \\|A^\\top\\vw\\|^2$.\n"
    macros = "\\newcommand{\\vx}{\\mathbf{x}}\n"
    project = project.replace(
        macros, macros + "\\newcommand{\\vw}{\\mathbf{w}}\\newcommand{\\R}{\\mathbb{R}}\n"
    )
    parse_fixture(project + loss).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run("diff", "--file", "sections/loss.tex", "--line", "1", "--wrt", "\\vw")
    # (\vw, declared nowhere, is a column vector by its use beside A^T: the same answer)
    assert (code, out.strip()) == (0, "2 A A^\\top \\vw")
    for where in ("\\vw \\in \\R^m", "\\mathbf{w} \\in \\mathbb{R}^{m}"):
        code, out = run(
            "diff", "--file", "sections/loss.tex", "--line", "1", "--wrt", "\\vw", "--where", where
        )
        assert (code, out.strip()) == (0, "2 A A^\\top \\vw")
    code, _ = run("diff", "--file", "sections/loss.tex", "--line", "1", "--where", "\\vw \\in (")
    assert code == 2  # a --where that does not parse is said, as for an EXPR


def test_check_of_a_folder_reads_quarto_and_r_markdown(tmp_path: Path) -> None:
    body = "Let $A \\in \\mathbb{R}^{m \\times n}$ and $x \\in \\mathbb{R}^m$.\n\n$$y = Ax$$\n"
    (tmp_path / "notes.qmd").write_text("---\ntitle: Q\n---\n\n" + body, encoding="utf-8")
    (tmp_path / "report.Rmd").write_text("---\ntitle: R\n---\n\n" + body, encoding="utf-8")
    code, out = run("check", str(tmp_path))
    assert code == 1
    errors = sorted(
        line.split(":")[0].rsplit("/", 1)[-1] for line in out.splitlines() if ": error:" in line
    )
    assert errors == ["notes.qmd", "report.Rmd"]


def test_a_root_reading_a_sibling_folder_is_read_when_the_folder_holding_both_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # paper/paper.tex reads ../macros and ../shared/sec (a section a thesis shares): named
    # alone, its project is its own folder, whatever the working directory (issue 18: `cd ~
    # && texgrad check Downloads/p/main.tex` must not reach the home folder), and it says
    # what it does not read; the folder that holds both, named, is the project
    files = {
        "macros.tex": "\\newcommand{\\mX}{\\mathbf{X}}\\newcommand{\\R}{\\mathbb{R}}\n",
        "paper/paper.tex": "\\documentclass{article}\n\\input{../macros}\n\\begin{document}\n"
        "Let $\\mX \\in \\R^{d \\times n}$ and $w \\in \\R^{n}$.\n\\input{../shared/sec}\n"
        "\\end{document}\n",
        "shared/sec.tex": "The scores $\\mX^\\top w$.\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "paper/paper.tex")
    assert (code, _mismatches(out)) == (0, [])
    code, out = run("check", ".")
    assert (code, _mismatches(out)) == (1, ["shared/sec.tex:1:13"])


def test_a_chapter_of_a_quarto_book_is_checked_with_the_book_s_declarations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # \mW and \vx are defined in _macros.qmd (included by the first chapter) and declared
    # in index.qmd; the mistake is in a chapter that includes nothing, one folder down
    files = {
        "_quarto.yml": "book:\n  chapters:\n    - index.qmd\n    - chapters/model.qmd\n",
        "_macros.qmd": "$$\n\\newcommand{\\mW}{\\mathbf{W}}\\newcommand{\\vx}{\\mathbf{x}}\n$$\n",
        "index.qmd": "{{< include _macros.qmd >}}\n\n"
        "Let $\\mW \\in \\mathbb{R}^{m \\times n}$ and $\\vx \\in \\mathbb{R}^{n}$.\n",
        "chapters/model.qmd": "# Model\n\nThe trap $\\vx^\\top\\mW^\\top\\mW\\vx$; wrong: $\\mW^\\top\\vx$.\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "chapters")
    code, out = run("check", "model.qmd")
    assert code == 1
    assert _mismatches(out) == ["model.qmd:3:44"]
    assert "../index.qmd:3:6: note: `\\mW` declared ℝ^{m×n} here" in out.splitlines()
    monkeypatch.chdir(tmp_path)
    assert _mismatches(run("check", ".")[1]) == ["chapters/model.qmd:3:44"]


def test_a_section_named_from_outside_its_project_is_read_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run from elsewhere, `texgrad check proj/sections/model.tex` finds proj/main.tex above it
    parse_fixture(PROJECT).write(tmp_path / "proj")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, out = run("check", str(tmp_path / "proj" / "sections" / "model.tex"))
    assert code == 1
    assert [m.rsplit("/", 2)[-2:] for m in _mismatches(out)] == [["sections", "model.tex:1:22"]]
    project = PROJECT.replace("\\input{sections/model}", "\\input{sections/loss}")
    project += "%! sections/loss.tex\nThe loss is $f(\\vx) = \\|A\\vx\\|^2$.\n"
    parse_fixture(project).write(tmp_path / "proj2")
    loss = str(tmp_path / "proj2" / "sections" / "loss.tex")
    code, out = run("diff", "--file", loss, "--line", "1", "--wrt", "\\vx")
    assert (code, out.strip()) == (0, "2 A^\\top A \\vx")


def test_diff_prints_numpy_code_that_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(
        "diff", r"\frac{1}{2}\|A\mathbf{x} - \mathbf{b}\|_2^2 + \lambda\|\mathbf{x}\|^2",
        "--wrt", r"\mathbf{x}", "--format", "numpy", "--where",
        r"A \in \mathbb{R}^{m \times n}; \mathbf{x} \in \mathbb{R}^n; \mathbf{b} \in \mathbb{R}^m; "
        r"\lambda \in \mathbb{R}",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("import numpy as np\n")
    assert "def grad_x(x, A, b, lambda_):" in out
    assert "# gradient" in capsys.readouterr().err
    space: dict[str, object] = {}
    exec(out, space)  # the code texgrad generated, run as a user would
    grad = space["grad_x"]
    a, x, b = np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0, 2.0]), np.array([0.5, 1.0])
    np.testing.assert_allclose(grad(x, a, b, 0.25), a.T @ (a @ x - b) + 0.5 * x)  # type: ignore[operator]


def test_diff_json_has_a_numpy_field() -> None:
    code, out = run("diff", r"x^\top x", "--wrt", "x", "--where", r"x \in \mathbb{R}^n",
                    "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["numpy"].startswith("import numpy as np")
    assert "return (2 * x).ravel()" in data["numpy"]


def test_diff_of_a_document_row_as_numpy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(
        "Let $\\Sigma \\in \\mathbb{S}^n_{++}$ be the covariance, and the mean and a sample\n"
        "be $\\boldsymbol{\\mu}, \\mathbf{x} \\in \\mathbb{R}^n$.\n\n"
        "$$\nL(\\boldsymbol{\\mu}) = \\frac{1}{2}(\\mathbf{x} - \\boldsymbol{\\mu})^\\top "
        "\\Sigma^{-1} (\\mathbf{x} - \\boldsymbol{\\mu})\n$$\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run(
        "diff", "--file", "notes.md", "--line", "5", "--wrt", r"\boldsymbol{\mu}", "--format", "numpy"
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "def grad_mu(mu, x, Sigma):" in out and "np.linalg.solve(Sigma, " in out
    space: dict[str, object] = {}
    exec(out, space)  # the code texgrad generated
    rng = np.random.default_rng(0)
    m = rng.standard_normal((3, 3))
    sigma, x, mu = m @ m.T + np.eye(3), rng.standard_normal(3), rng.standard_normal(3)
    got = space["grad_mu"](mu=mu, x=x, Sigma=sigma)  # type: ignore[operator]
    np.testing.assert_allclose(got, np.linalg.solve(sigma, mu - x), rtol=1e-10)


@pytest.mark.parametrize(
    ("argv", "want"),
    [
        (["diff", r"-\|x\|^2", "--wrt", "x", "--where", r"x \in \mathbb{R}^n"], "-2 x"),
        (["diff", r"-x^\top x", "--wrt", "x", "--where", r"x \in \mathbb{R}^n"], "-2 x"),
        (["diff", "--wrt", "x", "--where", r"x \in \mathbb{R}^n", "-x^T x"], "-2 x"),
        (["diff", "--wrt=X", r"-\log\det X", "--where", r"X \in \mathbb{S}^n_{++}"],
         "-X^{-1}"),
        (["diff", "--wrt", "x", "--where", r"x \in \mathbb{R}^n", "--", r"-\|x\|^2"], "-2 x"),
    ],
)  # fmt: skip
def test_diff_takes_an_expression_that_starts_with_a_minus(argv: list[str], want: str) -> None:
    # argparse reads "-\|x\|^2" as an unknown option; it is the expression as typed
    code, out = run(*argv)
    assert (code, out.strip()) == (0, want)


def test_diff_with_two_expressions_is_bad_usage() -> None:
    code, _ = run("diff", r"x^\top x", r"-\|x\|^2", "--wrt", "x", "--where", r"x \in \mathbb{R}^n")
    assert code == 2


# -- derivative requests written without a right side (issue 15) -------------------------

_AB = r"A \in \mathbb{R}^{m \times n}; B \in \mathbb{R}^{n \times m}"


@pytest.mark.parametrize(
    ("argv", "want"),
    [
        ([r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "--where", _AB], r"B^\top"),
        ([r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "--wrt", "A", "--where", _AB],
         r"B^\top"),
        ([r"\nabla_X \log\det X", "--where", r"X \in \mathbb{S}^n_{++}"], "X^{-1}"),
        ([r"-\nabla_X \log\det X", "--where", r"X \in \mathbb{S}^n_{++}"], "-X^{-1}"),
        ([r"\nabla_{\mathbf x}\|A\mathbf x\|^2", "--where",
          r"A \in \mathbb{R}^{m \times n}; \mathbf x \in \mathbb{R}^n"], r"2 A^\top A \mathbf x"),
        ([r"\frac{\partial}{\partial x}(x^\top A x)", "--where",
          r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n"], r"(A + A^\top) x"),
        ([r"\partial (a^\top X b)/\partial X", "--where",
          r"a \in \mathbb{R}^m; X \in \mathbb{R}^{m \times n}; b \in \mathbb{R}^n"], r"a b^\top"),
        ([r"\frac{\mathrm d}{\mathrm dt} \|x + t v\|^2", "--where",
          r"x, v \in \mathbb{R}^n; t \in \mathbb{R}"], r"2 (x + t v)^\top v"),
        ([r"\frac{\partial f}{\partial x}", "--where",
          r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}; f(x) = x^\top A x"],
         r"(A + A^\top) x"),
        ([r"\nabla^2_x \frac{1}{2}\|Ax - b\|^2", "--where",
          r"A \in \mathbb{R}^{m \times n}; x \in \mathbb{R}^n; b \in \mathbb{R}^m"], r"A^\top A"),
        ([r"\frac{\partial^2 (x^\top A x)}{\partial x \partial x^\top}", "--where",
          r"A \in \mathbb{R}^{n \times n}; x \in \mathbb{R}^n"], r"A + A^\top"),
    ],
)  # fmt: skip
def test_diff_answers_a_derivative_request(argv: list[str], want: str) -> None:
    code, out = run("diff", *argv)
    assert (code, out.strip()) == (0, want)


def test_diff_of_a_request_by_another_variable_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run(
        "diff", r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "--wrt", "B", "--where", _AB
    )
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert "is a derivative with respect to `A`, not `B`" in err
    assert "(Derivative" not in err and "already a derivative" not in err


def test_diff_without_a_variable_says_how_to_give_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("diff", r"\operatorname{tr}(AB)", "--where", _AB)
    assert code == 1
    assert "say with respect to what (`--wrt`)" in capsys.readouterr().err


def test_diff_of_a_mixed_second_derivative_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("diff", r"\frac{\partial^2 (x^\top y)}{\partial x \partial y}", "--where",
                    r"x, y \in \mathbb{R}^n")  # fmt: skip
    assert (code, out) == (1, "")
    assert "a mixed second derivative is not computed yet" in capsys.readouterr().err


def test_diff_of_a_request_as_json_with_steps() -> None:
    code, out = run("diff", r"\frac{\partial \operatorname{tr}(AB)}{\partial A}", "--where", _AB,
                    "--format", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["verified"] is True
    assert (data["kind"], data["result"]) == ("gradient", r"B^\top")
    assert data["steps"][0] == r"f = \operatorname{tr}(A B)"
    assert data["steps"][-1].startswith(r"\nabla_{A} f = B^\top \quad \text{(identification:")


def test_diff_of_a_request_on_a_document_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(
        "Let $A \\in \\mathbb{R}^{m \\times n}$ and $B \\in \\mathbb{R}^{n \\times m}$.\n\n"
        "$$\n\\frac{\\partial \\operatorname{tr}(AB)}{\\partial A} =\n$$\n\n"
        "and the Hessian $\\nabla^2_{\\mathbf w} \\|A^\\top \\mathbf w\\|^2$ too, "
        "with $\\mathbf w \\in \\mathbb{R}^m$.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("diff", "--file", "notes.md", "--line", "4", "--steps")
    lines = out.splitlines()
    assert code == 0 and lines[0] == r"B^\top"
    code, out = run("diff", "--file", "notes.md", "--line", "7")
    assert (code, out.strip()) == (0, r"2 A A^\top")


@pytest.mark.parametrize(
    ("expr", "said", "caret"),
    [
        (r"(x^\top A x", "unbalanced `(` at column 1: it is never closed", "^"),
        (r"x^\top A x)", "unbalanced `)` at column 11: no `(` opens it", "          ^"),
        (r"\operatorname{tr}(A x", "unbalanced `(` at column 18: it is never closed",
         "                 ^"),
    ],
)  # fmt: skip
def test_diff_says_where_an_expression_is_unbalanced(
    expr: str, said: str, caret: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run("diff", expr, "--wrt", "x", "--where",
                    r"x \in \mathbb{R}^n; A \in \mathbb{R}^{n \times n}")  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert (code, out) == (2, "")
    assert err == [f"texgrad diff: EXPR does not parse: {said}", f"  {expr}", f"  {caret}"]


def test_diff_says_where_a_declaration_is_unbalanced(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("diff", r"x^\top x", "--wrt", "x", "--where", r"x \in \mathbb{R}^{n")
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert (
        err[0]
        == "texgrad diff: --where does not parse: unbalanced `{` at column 18: it is never closed"
    )
    assert err[2] == "  " + " " * 17 + "^"


def test_inspect_shows_a_parse_error_under_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.tex").write_text("Then $(x^\\top A x$ here.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out = run("inspect", "a.tex")
    lines = out.splitlines()
    assert code == 0
    assert lines[2] == "    row 1 1:7-1:18 error at 1:7: unclosed ("
    assert lines[3:5] == ["      Then $(x^\\top A x$ here.", "            ^"]


def test_diff_of_a_document_line_that_does_not_parse_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.md").write_text(
        "Let $A \\in \\mathbb{R}^{n\\times n}$, $x \\in \\mathbb{R}^n$.\n\n"
        "$$ f = \\operatorname{tr}(A x x^\\top $$\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out = run("diff", "--file", "bad.md", "--line", "3", "--wrt", "x")
    assert (code, out) == (1, "")
    assert capsys.readouterr().err.splitlines() == [
        "texgrad diff: line 3 does not parse: unbalanced `(` at column 25: it is never closed",
        "  $$ f = \\operatorname{tr}(A x x^\\top $$",
        "  " + " " * 24 + "^",
    ]


def test_diff_of_a_line_takes_its_request_after_a_declaration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "line.md").write_text(
        "With $W \\in \\mathbb{R}^{m \\times n}$ the gradient $\\nabla_W \\|W\\|_F^2$ is easy.\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run("diff", "--file", "line.md", "--line", "1") == (0, "2 W\n")


def test_a_subfile_named_beside_its_root_is_read_with_its_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # \documentclass[../main.tex]{subfiles}: a child, read with main.tex's macros and
    # declarations (\T = ^\top), reported once, whether named alone or with its root
    (tmp_path / "chapters").mkdir()
    (tmp_path / "main.tex").write_text(
        "\\documentclass{report}\n\\usepackage{subfiles}\n\\newcommand{\\T}{^\\top}\n"
        "\\begin{document}\nLet $E \\in \\mathbb{R}^{n \\times k}$.\n"
        "\\subfile{chapters/one}\n\\end{document}\n",
        encoding="utf-8",
    )
    (tmp_path / "chapters" / "one.tex").write_text(
        "\\documentclass[../main.tex]{subfiles}\n\\begin{document}\n"
        "Fine: $E\\T E$. Wrong: $E\\T + E$.\n\\end{document}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for paths in (["chapters/one.tex"], ["main.tex", "chapters/one.tex"]):
        code, out = run("check", *paths)
        assert (code, _mismatches(out)) == (1, ["chapters/one.tex:3:24"]), (paths, out)


# main.tex reaches a section by each way LaTeX has: \input, \include, \subfile, \import,
# \subimport (and a \subimport nested in an imported file); each has one mistake, with the
# declarations and macros of main.tex; sections/ holds a plain section beside a subfile
EVERY_INCLUDE = r"""
%! main.tex
\documentclass{article}
\usepackage{subfiles,import}
\input{macros}
\begin{document}
Throughout, $\mX \in \mathbb{R}^{n \times d}$, $\vw \in \mathbb{R}^{d}$, $\vy \in \mathbb{R}^{n}$.
\input{sections/a}
\include{sections/b}
\subfile{sections/c}
\import{chapters/}{d}
\subimport{chapters/}{e}
\end{document}
%! macros.tex
\newcommand{\vw}{\mathbf{w}}\newcommand{\vy}{\mathbf{y}}\newcommand{\mX}{\mathbf{X}}
%! sections/a.tex
Fine: $\vy - \mX \vw$. Wrong: $\vw \mX$.
The energy is $g(\vw) = \vw^\top \mX^\top \mX \vw$.
%! sections/b.tex
Fine: $\mX \vw$. Wrong: $\mX^\top \vw$.
%! sections/c.tex
\documentclass[../main.tex]{subfiles}
\begin{document}
Wrong: $\vy + \vw$.
\end{document}
%! chapters/d.tex
Fine: $\mX^\top \mX$. Wrong: $\mX \mX$.
\subimport{sub/}{f}
%! chapters/sub/f.tex
Wrong: $\vw^\top \vy$.
%! chapters/e.tex
Wrong: $\vy^\top \vw$.
"""
EVERY_MISTAKE = [
    "sections/a.tex:1:32",
    "sections/b.tex:1:26",
    "sections/c.tex:3:9",
    "chapters/d.tex:1:31",
    "chapters/sub/f.tex:1:9",
    "chapters/e.tex:1:9",
]


def test_every_include_of_a_root_and_any_set_of_its_files_or_folders_give_the_union(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parse_fixture(EVERY_INCLUDE).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out = run("check", "main.tex")
    assert (code, sorted(_mismatches(out))) == (1, sorted(EVERY_MISTAKE))
    alone = {m: _mismatches(run("check", m.split(":")[0])[1]) for m in EVERY_MISTAKE}
    # a plain section beside a subfile (which names ../main.tex) is main.tex's, not a
    # project of sections/ alone
    assert alone == {m: [m] for m in EVERY_MISTAKE}
    in_sections = [m for m in EVERY_MISTAKE if m.startswith("sections/")]
    in_chapters = [m for m in EVERY_MISTAKE if m.startswith("chapters/")]
    for paths, want in (
        (["sections"], in_sections),
        (["chapters"], in_chapters),
        (["sections/a.tex", "chapters"], in_sections[:1] + in_chapters),
        (["sections", "main.tex"], EVERY_MISTAKE),
        (["sections/a.tex", "chapters", "."], EVERY_MISTAKE),
    ):
        assert sorted(_mismatches(run("check", *paths)[1])) == sorted(want), paths
    code, out = run("check", "--format", "sarif", "sections")
    results = json.loads(out)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert sorted(uris) == ["sections/a.tex", "sections/b.tex", "sections/c.tex"]
    monkeypatch.chdir(tmp_path / "sections")
    code, out = run("diff", "--file", "a.tex", "--line", "2", "--wrt", "\\vw")
    assert (code, out.strip()) == (0, "2 \\mX^\\top \\mX \\vw")


def test_a_second_run_in_one_process_reads_the_projects_as_they_are_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What one run learns of projects (each file's project, a folder's roots) is not kept
    for the next: in a long-lived process (the server, tests) files change in between."""
    from tests.fixtures import run_cli

    monkeypatch.setenv("TEXGRAD_CHECK_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    used = "Let $A \\in \\mathbb{R}^{m \\times m}$ and $y \\in \\mathbb{R}^n$; then $\\W y$.\n"
    (tmp_path / "a.tex").write_text(used, encoding="utf-8")
    assert run_cli("check", "a.tex")[:2] == (0, "")  # (\W: not defined, not read)
    assert run_cli("inspect", "a.tex")[1].endswith("(Product (Opaque '\\\\W') y)\n")
    # a root appears in the folder, defining the macro a.tex uses: the next run reads it
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\newcommand{\\W}{A}\n\\begin{document}\n\\input{a}\n"
        "\\end{document}\n",
        encoding="utf-8",
    )
    status, out, _ = run_cli("check", "a.tex")
    assert status == 1 and out.startswith("a.tex:1:69: error: `\\W` is m×m but `y` ∈ ℝⁿ")
    assert "(Product A y)" in run_cli("inspect", "a.tex")[1]  # (\W read as A)
    # the root changes what it defines: read as it is now
    main = (tmp_path / "main.tex").read_text(encoding="utf-8")
    (tmp_path / "main.tex").write_text(main.replace("{A}", "{B}"), encoding="utf-8")
    assert run_cli("check", "a.tex")[:2] == (0, "")


def test_a_files_shape_check_makes_fewer_full_collections_and_restores_the_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trees a long document's check makes live until it ends: a full collection walks
    them all again, so while one file is checked one comes after FULL_COLLECTION_EVERY
    collections of the middle generation; Python's thresholds are back afterwards."""
    import gc

    from tests.fixtures import run_cli
    from texgrad.shapes.check import Checker

    monkeypatch.setenv("TEXGRAD_CHECK_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text("Let $A \\in \\mathbb{R}^{m \\times n}$; then $A A$.\n")
    seen: list[tuple[int, int, int]] = []
    real = Checker.check

    def check(self: Checker, *args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Checker, "check", check)
    before = gc.get_threshold()
    status, out, _ = run_cli("check", "--no-derivatives", "-j", "1", "a.md")
    assert status == 1 and "matmul-mismatch" in out
    assert seen == [(before[0], before[1], max(before[2], cli.FULL_COLLECTION_EVERY))]
    assert gc.get_threshold() == before
