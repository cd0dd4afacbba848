r"""LaTeX projects: roots, includes, macros across files, and what is never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.fixtures import parse_fixture
from texgrad.reading.document import DocumentRead, detect_format, read_document, read_text
from texgrad.reading.project import load_project, read_file

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}"
)


def write(tmp_path: Path, fixture: str) -> dict[str, Path]:
    return parse_fixture(fixture).write(tmp_path)


def rel(project, base: Path) -> list[str]:
    return [Path(p).relative_to(base.resolve()).as_posix() for p in project.files]


def rows(doc: DocumentRead) -> list[str]:
    return [row.text.text.strip() for reg in doc.regions for row in reg.rows]


# -- finding the root ----------------------------------------------------------------


def test_root_by_magic_comment(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! a.tex
        \documentclass{article}
        \newcommand{\R}{\mathbb{A}}
        \input{chap}
        %! b.tex
        \documentclass{article}
        \newcommand{\R}{\mathbb{B}}
        \input{chap}
        %! chap.tex
        % !TEX root = b.tex
        $x \in \R$
        """,
    )
    project = load_project(paths["chap.tex"])
    assert Path(project.root) == paths["b.tex"].resolve()
    assert rel(project, tmp_path) == ["b.tex", "chap.tex"]
    assert rows(read_document(paths["chap.tex"], project=project)) == [r"x \in \mathbb{B}"]


def test_magic_root_in_a_parent_directory(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \newcommand{\vx}{\mathbf{x}}
        \include{chapters/one}
        %! chapters/one.tex
        %!TeX root = ../main.tex
        $\vx$
        """,
    )
    doc = read_document(paths["chapters/one.tex"], folder=tmp_path)
    assert rows(doc) == [r"\mathbf{x}"]
    assert doc.problems == ()


def test_missing_magic_root_is_reported_and_the_file_read_alone(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! chap.tex
        % !TEX root = nowhere.tex
        $x$
        """,
    )
    project = load_project(paths["chap.tex"])
    assert Path(project.root) == paths["chap.tex"].resolve()
    (p,) = project.problems_for(paths["chap.tex"])
    assert (p.code, p.severity) == ("missing-file", "information")
    assert "nowhere.tex" in p.message


def test_subfiles_documentclass_names_the_root(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \newcommand{\R}{\mathbb{R}}
        \subfile{parts/p1}
        %! parts/p1.tex
        \documentclass[../main]{subfiles}
        \begin{document}
        $\R$
        \end{document}
        """,
    )
    project = load_project(paths["parts/p1.tex"], folder=tmp_path)
    assert Path(project.root) == paths["main.tex"].resolve()
    assert rows(read_document(paths["parts/p1.tex"], project=project)) == [r"\mathbb{R}"]


def test_root_by_documentclass_is_the_file_itself(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \input{standalone}
        %! standalone.tex
        \documentclass{standalone}
        $y$
        """,
    )
    project = load_project(paths["standalone.tex"], folder=tmp_path)
    assert Path(project.root) == paths["standalone.tex"].resolve()
    assert rel(project, tmp_path) == ["standalone.tex"]


def test_root_by_search_prefers_the_top_document(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! thesis.tex
        \documentclass{book}
        \input{macros}
        \input{parts/part1}
        %! macros.tex
        \newcommand{\R}{\mathbb{R}}
        %! parts/part1.tex
        \input{parts/chapters/ch1}
        %! parts/chapters/ch1.tex
        $f: \R^n \to \R$
        %! other.tex
        \documentclass{article}
        \input{unrelated}
        %! unrelated.tex
        $z$
        """,
    )
    project = load_project(paths["parts/chapters/ch1.tex"], folder=tmp_path)
    assert Path(project.root) == paths["thesis.tex"].resolve()
    assert rel(project, tmp_path) == [
        "thesis.tex", "macros.tex", "parts/part1.tex", "parts/chapters/ch1.tex",
    ]  # fmt: skip
    doc = read_document(paths["parts/chapters/ch1.tex"], project=project)
    assert rows(doc) == [r"f: \mathbb{R}^n \to \mathbb{R}"]


def test_search_skips_hidden_directories_and_node_modules(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! .hidden/main.tex
        \documentclass{article}
        \newcommand{\R}{H}
        \input{../chap}
        %! node_modules/pkg/main.tex
        \documentclass{article}
        \newcommand{\R}{N}
        \input{../../chap}
        %! chap.tex
        $\R$
        """,
    )
    project = load_project(paths["chap.tex"], folder=tmp_path)
    assert Path(project.root) == paths["chap.tex"].resolve()
    assert rows(read_document(paths["chap.tex"], project=project)) == [r"\R"]


def test_without_any_root_the_file_is_its_own_project(tmp_path):
    paths = write(tmp_path, "%! notes.tex\n\\newcommand{\\x}{y}$\\x$\n")
    project = load_project(paths["notes.tex"])
    assert Path(project.root) == paths["notes.tex"].resolve()
    assert Path(project.folder) == tmp_path.resolve()
    assert list(project.macros) == ["x"]


def test_default_folder_is_the_files_directory(tmp_path):
    # main.tex is above the default folder (chapters/), so it is not found
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \newcommand{\R}{\mathbb{R}}
        \input{chapters/one}
        %! chapters/one.tex
        $\R$
        """,
    )
    assert rows(read_document(paths["chapters/one.tex"])) == [r"\R"]
    assert rows(read_document(paths["chapters/one.tex"], folder=tmp_path)) == [r"\mathbb{R}"]


# -- following includes ----------------------------------------------------------------


def test_input_include_with_and_without_extension(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \input{a}
        \input{b.tex}
        \include{c}
        \input d
        \input{e.defs}
        %! a.tex
        \newcommand{\A}{1}
        %! b.tex
        \newcommand{\B}{2}
        %! c.tex
        \newcommand{\C}{3}
        %! d.tex
        \newcommand{\D}{4}
        %! e.defs
        \newcommand{\E}{5}
        """,
    )
    project = load_project(paths["main.tex"])
    assert rel(project, tmp_path) == ["main.tex", "a.tex", "b.tex", "c.tex", "d.tex", "e.defs"]
    assert sorted(project.macros) == ["A", "B", "C", "D", "E"]
    assert project.problems == {}


def test_input_resolves_against_the_root_then_the_including_file(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \input{chapters/one}
        %! chapters/one.tex
        \input{chapters/shared}
        \input{local}
        %! chapters/shared.tex
        \newcommand{\S}{s}
        %! chapters/local.tex
        \newcommand{\L}{l}
        """,
    )
    project = load_project(paths["main.tex"])
    assert rel(project, tmp_path) == [
        "main.tex", "chapters/one.tex", "chapters/shared.tex", "chapters/local.tex",
    ]  # fmt: skip


def test_subfile_is_relative_to_the_including_file(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \subfile{parts/p1}
        %! parts/p1.tex
        \documentclass[../main.tex]{subfiles}
        \subfile{sec/s1}
        %! parts/sec/s1.tex
        \newcommand{\W}{w}
        """,
    )
    project = load_project(paths["main.tex"])
    assert rel(project, tmp_path) == ["main.tex", "parts/p1.tex", "parts/sec/s1.tex"]


def test_import_and_subimport(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \import{sections/}{intro}
        \import{}{top}
        %! top.tex
        \newcommand{\T}{t}
        %! sections/intro.tex
        \input{fig}
        \subimport{deeper/}{more}
        %! sections/fig.tex
        \newcommand{\F}{f}
        %! sections/deeper/more.tex
        \newcommand{\M}{m}
        """,
    )
    project = load_project(paths["main.tex"])
    assert rel(project, tmp_path) == [
        "main.tex", "sections/intro.tex", "sections/fig.tex", "sections/deeper/more.tex", "top.tex",
    ]  # fmt: skip
    assert project.problems == {}


def test_local_package_macros_are_read_and_system_packages_ignored(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \usepackage{amsmath,mymacros}
        $\vx$
        %! mymacros.sty
        \ProvidesPackage{mymacros}
        \newcommand{\vx}{\mathbf{x}}
        """,
    )
    doc = read_document(paths["main.tex"])
    assert rows(doc) == [r"\mathbf{x}"]
    assert doc.problems == ()


def test_a_local_class_and_the_class_it_loads_define_macros_too(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass[12pt,
          a4paper]{mythesis}
        \input{chapter}
        %! mythesis.cls
        \ProvidesClass{mythesis}
        \LoadClassWithOptions{basethesis}
        \newcommand{\mA}{\mathbf{A}}
        %! basethesis.cls
        \LoadClass{report}
        \newcommand{\R}{\mathbb{R}}
        %! chapter.tex
        % !TEX root = main.tex
        $\mA \in \R^{n}$
        %! part.tex
        \documentclass[main.tex]{subfiles}
        $\mA$
        """,
    )
    project = load_project(paths["chapter.tex"], folder=tmp_path)
    assert rel(project, tmp_path) == ["main.tex", "mythesis.cls", "basethesis.cls", "chapter.tex"]
    doc = read_document(paths["chapter.tex"], project=project)
    assert rows(doc) == [r"\mathbf{A} \in \mathbb{R}^{n}"]
    assert doc.problems == ()  # report.cls and article.cls are the system's: not said
    subfile = load_project(paths["part.tex"], folder=tmp_path)
    assert "subfiles.cls" not in " ".join(subfile.files)


def test_declaration_in_notation_file_expands_in_chapter(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{book}
        \input{notation}
        \input{chapter}
        %! notation.tex
        \newcommand{\mW}{\mathbf{W}}
        \newcommand{\R}{\mathbb{R}}
        \DeclareMathOperator{\diag}{diag}
        %! chapter.tex
        Let $\mW \in \R^{m \times n}$ and $\diag(\mW)$.
        """,
    )
    doc = read_document(paths["chapter.tex"], folder=tmp_path)
    assert doc.path == str(paths["chapter.tex"].resolve())
    assert doc.format == "latex"
    assert rows(doc) == [
        r"\mathbf{W} \in \mathbb{R}^{m \times n}",
        r"\operatorname{diag}(\mathbf{W})",
    ]
    t = doc.regions[0].rows[0].text
    src = doc.text
    assert src[slice(*t.source_range(0, len(r"\mathbf{W}")))] == r"\mW"
    assert doc.problems == ()
    project = load_project(paths["chapter.tex"], folder=tmp_path)
    assert Path(project.macros["mW"].path) == paths["notation.tex"].resolve()


def test_macros_follow_reading_order_across_files(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \newcommand{\X}{root-before}
        \newcommand{\Y}{root-before}
        \input{defs}
        \renewcommand{\Y}{root-after}
        \providecommand{\Z}{root-provide}
        %! defs.tex
        \renewcommand{\X}{defs}
        \renewcommand{\Y}{defs}
        \newcommand{\Z}{defs}
        """,
    )
    project = load_project(paths["main.tex"])
    assert {k: m.body for k, m in project.macros.items()} == {
        "X": "defs",
        "Y": "root-after",
        "Z": "defs",
    }


def test_includeonly_leaves_the_other_includes_out_and_says_so(tmp_path):
    # thesis-includeonly-bundle-adjustment-32: a chapter left out by \includeonly is not part
    # of the document (its J \in \mathbb{R}^{1 \times 9} declared J of the chapters read)
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{report}
        %\includeonly{chapters/a,chapters/b,chapters/c}
        \includeonly{chapters/a, chapters/c.tex}
        \begin{document}
        \include{chapters/a}
        \include{chapters/b}
        \input{chapters/d}
        \include{chapters/c}
        \end{document}
        %! chapters/a.tex
        \newcommand{\A}{1}
        %! chapters/b.tex
        \newcommand{\B}{2}
        %! chapters/c.tex
        \newcommand{\C}{3}
        %! chapters/d.tex
        \newcommand{\D}{4}
        """,
    )
    project = load_project(paths["main.tex"])
    assert rel(project, tmp_path) == [
        "main.tex",
        "chapters/a.tex",
        "chapters/d.tex",
        "chapters/c.tex",
    ]
    assert sorted(project.macros) == ["A", "C", "D"]
    problems = project.problems_for(paths["main.tex"])
    assert [(p.code, p.severity) for p in problems] == [("include-only", "information")]
    src = paths["main.tex"].read_text()
    assert src[problems[0].start : problems[0].end] == r"\include{chapters/b}"


def test_missing_file_is_reported_once_as_information(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \input{missing}
        \input{missing}
        \include{chapters/gone}
        $x$
        """,
    )
    project = load_project(paths["main.tex"])
    problems = project.problems_for(paths["main.tex"])
    assert [(p.code, p.severity) for p in problems] == [
        ("missing-file", "information"),
        ("missing-file", "information"),
    ]
    src = paths["main.tex"].read_text()
    assert src[problems[0].start : problems[0].end] == r"\input{missing}"
    assert "missing" in problems[0].message
    assert "chapters/gone" in problems[1].message
    doc = read_document(paths["main.tex"], project=project)
    assert [p.code for p in doc.problems] == ["missing-file", "missing-file"]


def test_include_computed_by_a_macro_is_reported_not_followed(tmp_path):
    paths = write(tmp_path, "%! main.tex\n\\documentclass{book}\n\\input{\\chapdir/one}\n")
    (p,) = load_project(paths["main.tex"]).problems_for(paths["main.tex"])
    assert (p.code, p.severity) == ("unresolved-include", "information")


def test_paths_escaping_the_folder_are_not_read(tmp_path):
    outside = tmp_path / "secret.tex"
    outside.write_text("\\newcommand{\\S}{SECRET}\n", encoding="utf-8")
    proj = tmp_path / "proj"
    paths = write(
        proj,
        rf"""
        %! main.tex
        \documentclass{{article}}
        \input{{../../etc/passwd}}
        \input{{../secret}}
        \input{{{outside}}}
        \input{{link}}
        $\S$
        """,
    )
    os.symlink(outside, proj / "link.tex")
    project = load_project(paths["main.tex"])
    assert rel(project, proj) == ["main.tex"]
    assert "S" not in project.macros
    problems = project.problems_for(paths["main.tex"])
    assert [(p.code, p.severity) for p in problems] == [("outside-project", "information")] * 4
    src = paths["main.tex"].read_text()
    assert src[problems[0].start : problems[0].end] == r"\input{../../etc/passwd}"
    assert rows(read_document(paths["main.tex"], project=project)) == [r"\S"]


def test_magic_root_outside_the_folder_is_not_read(tmp_path):
    (tmp_path / "main.tex").write_text("\\documentclass{article}\\newcommand{\\R}{X}\\input{sub/c}")
    paths = write(tmp_path / "sub", "%! c.tex\n% !TEX root = ../main.tex\n$\\R$\n")
    project = load_project(paths["c.tex"])  # folder: sub/
    assert Path(project.root) == paths["c.tex"].resolve()
    assert [p.code for p in project.problems_for(paths["c.tex"])] == ["outside-project"]


def test_cycles_are_broken(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \input{a}
        %! a.tex
        \newcommand{\A}{a}
        \input{b}
        %! b.tex
        \newcommand{\B}{b}
        \input{a}
        \input{main}
        \input{b}
        """,
    )
    project = load_project(paths["b.tex"])
    assert rel(project, tmp_path) == ["main.tex", "a.tex", "b.tex"]
    assert sorted(project.macros) == ["A", "B"]
    assert project.problems == {}


def test_cycle_without_documentclass_finds_a_root(tmp_path):
    paths = write(tmp_path, "%! a.tex\n\\input{b}\n%! b.tex\n\\input{a}\n$x$\n")
    project = load_project(paths["b.tex"])
    assert sorted(rel(project, tmp_path)) == ["a.tex", "b.tex"]


def test_overrides_win_over_disk(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \input{notation}
        \input{chapter}
        %! notation.tex
        \newcommand{\R}{\mathbb{R}}
        %! chapter.tex
        $\R$
        """,
    )
    overrides = {
        str(paths["notation.tex"]): "\\newcommand{\\R}{\\mathbf{R}}\n\\input{new}",
        str(tmp_path / "new.tex"): "\\newcommand{\\N}{\\mathbb{N}}",  # unsaved, not on disk
    }
    project = load_project(paths["chapter.tex"], overrides=overrides)
    assert project.macros["R"].body == r"\mathbf{R}"
    assert project.macros["N"].body == r"\mathbb{N}"
    assert "new.tex" in rel(project, tmp_path)
    doc = read_document(paths["chapter.tex"], project=project, text="$\\R + \\N$ $q$")
    assert rows(doc) == [r"\mathbf{R} + \mathbb{N}", "q"]


def test_text_argument_is_the_documents_buffer(tmp_path):
    paths = write(tmp_path, "%! main.tex\n\\documentclass{article}\n$old$\n")
    doc = read_document(paths["main.tex"], text="\\newcommand{\\vx}{x}\n$\\vx + new$")
    assert rows(doc) == ["x + new"]
    assert doc.text.startswith("\\newcommand")


def test_a_buffer_newer_than_the_project_uses_its_own_definitions(tmp_path):
    paths = write(
        tmp_path,
        r"""
        %! main.tex
        \documentclass{article}
        \newcommand{\vx}{\mathbf{x}}
        $\vx$
        """,
    )
    project = load_project(paths["main.tex"])
    doc = read_document(
        paths["main.tex"], project=project, text="\\newcommand{\\vx}{\\bm{x}}\n$\\vx$"
    )
    assert rows(doc) == [r"\bm{x}"]


def test_file_outside_the_given_folder_uses_its_own_directory(tmp_path):
    (tmp_path / "a").mkdir()
    paths = write(tmp_path / "b", "%! x.tex\n$x$\n")
    project = load_project(paths["x.tex"], folder=tmp_path / "a")
    assert Path(project.folder) == (tmp_path / "b").resolve()


# -- files that are not text -----------------------------------------------------------------


def test_binary_file_is_a_problem_not_an_exception(tmp_path):
    path = tmp_path / "bin.tex"
    path.write_bytes(b"\x00\x01$x$\x00")
    text, problems = read_file(path)
    assert text == ""
    assert [p.code for p in problems] == ["not-text"]
    doc = read_document(path)
    assert doc.regions == ()
    assert [p.code for p in doc.problems] == ["not-text"]


def test_huge_file_is_a_problem_not_an_exception(tmp_path):
    path = tmp_path / "huge.tex"
    with path.open("wb") as f:
        f.truncate(21 * 1024 * 1024)
    doc = read_document(path)
    assert doc.regions == ()
    assert [(p.code, p.severity) for p in doc.problems] == [("file-too-large", "warning")]


def test_invalid_utf8_is_replaced_and_bom_dropped(tmp_path):
    path = tmp_path / "latin1.tex"
    path.write_bytes(b"\xef\xbb\xbfGr\xf6\xdfe $x$")
    doc = read_document(path)
    assert doc.text == "Gr\ufffd\ufffde $x$"
    assert [doc.text[r.start : r.end] for r in doc.regions] == ["$x$"]
    assert doc.problems == ()


def test_missing_document_is_a_problem(tmp_path):
    doc = read_document(tmp_path / "nope.tex")
    assert doc.text == ""
    assert [p.code for p in doc.problems] == ["read-failed"]


def test_included_binary_file_is_reported_in_its_own_path(tmp_path):
    paths = write(tmp_path, "%! main.tex\n\\documentclass{article}\\input{fig.pdf}\n")
    (tmp_path / "fig.pdf").write_bytes(b"%PDF\x00\x00")
    project = load_project(paths["main.tex"])
    assert [p.code for p in project.problems_for(tmp_path / "fig.pdf")] == ["not-text"]
    assert project.problems_for(paths["main.tex"]) == []


# -- formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "language_id", "expected"),
    [
        ("a.tex", None, "latex"),
        ("a.ltx", None, "latex"),
        ("a.latex", None, "latex"),
        ("a.sty", None, "latex"),
        ("a.cls", None, "latex"),
        ("a.md", None, "markdown"),
        ("a.markdown", None, "markdown"),
        ("a.qmd", None, "markdown"),
        ("a.Rmd", None, "markdown"),
        ("a.mdx", None, "markdown"),
        ("a.txt", None, "latex"),
        ("", None, "latex"),
        ("a.txt", "markdown", "markdown"),
        ("a.tex", "markdown", "markdown"),
        ("a.md", "latex", "latex"),
        ("a", "tex", "latex"),
        ("a", "plaintex", "latex"),
        ("a", "context", "latex"),
        ("a", "pandoc", "markdown"),
        ("a", "quarto", "markdown"),
        ("a", "rmd", "markdown"),
        ("a", "mdx", "markdown"),
        ("a.md", "python", "markdown"),
    ],
)
def test_detect_format(path, language_id, expected):
    assert detect_format(path, language_id) == expected


def test_markdown_file_is_a_single_file_project(tmp_path):
    pytest.importorskip(
        "texgrad.reading.markdown", reason="the Markdown scanner is not written yet"
    )
    (tmp_path / "macros.tex").write_text("\\newcommand{\\R}{\\mathbb{R}}")
    path = tmp_path / "notes.md"
    path.write_text("$$\n\\newcommand{\\vx}{\\mathbf{x}}\n$$\n\nLet $\\vx \\in \\R^n$.\n")
    project = load_project(path)
    assert list(project.files) == [str(path.resolve())]
    assert project.files[str(path.resolve())].format == "markdown"
    doc = read_document(path)
    assert doc.format == "markdown"
    assert r"\mathbf{x} \in \R^n" in rows(doc)


def test_read_text_is_file_free():
    doc = read_text("\\newcommand{\\R}{\\mathbb{R}} $x \\in \\R$")
    assert doc.path == ""
    assert doc.format == "latex"
    assert rows(doc) == [r"x \in \mathbb{R}"]


# -- the shared corpus ---------------------------------------------------------------------


@needs_corpus
def test_dlbook_notation_project():
    folder = CORPUS / "dlbook-notation"
    project = load_project(folder / "notation.tex", folder=folder)
    assert Path(project.root).name == "notation_example.tex"
    assert [Path(p).name for p in project.files] == [
        "notation_example.tex", "settings.tex", "math_commands.tex", "notation.tex", "commentary.tex",
    ]  # fmt: skip
    assert Path(project.macros["vx"].path).name == "math_commands.tex"
    assert project.macros["vx"].body == r"{\bm{x}}"
    assert len(project.macros) > 400
    doc = read_document(folder / "notation.tex", project=project)
    assert doc.problems == ()
    assert len(doc.regions) > 100
    texts = rows(doc)
    assert r"{\bm{J}} \in \mathbb{R}^{m\times n}" in texts


@needs_corpus
def test_cs229m_project_with_missing_chapters():
    folder = CORPUS / "cs229m-notes"
    chapter = folder / "collection" / "07-03-ntk.tex"
    project = load_project(chapter, folder=folder)
    assert Path(project.root).name == "master.tex"
    names = [Path(p).name for p in project.files]
    assert names[:2] == ["master.tex", "macros.tex"]
    assert "07-03-ntk.tex" in names
    missing = project.problems_for(folder / "master.tex")
    assert len(missing) > 10
    assert {(p.code, p.severity) for p in missing} == {("missing-file", "information")}
    assert any("01supervised" in p.message for p in missing)
    doc = read_document(chapter, project=project)
    assert doc.problems == ()  # the missing chapters are master.tex's problems
    assert any(r"\mathbb R^" in t for t in rows(doc))


@needs_corpus
def test_tensor_cookbook_project():
    folder = CORPUS / "tensor-cookbook"
    chapter = folder / "chapters" / "functions.tex"
    project = load_project(chapter, folder=folder)
    assert Path(project.root).name == "cookbook.tex"
    doc = read_document(chapter, project=project)
    assert len(doc.regions) > 100
    assert any(r"\mathbb R^n" in t for t in rows(doc))


@needs_corpus
@pytest.mark.parametrize(
    "path", sorted(str(p) for p in CORPUS.glob("**/*.tex")) if CORPUS.is_dir() else []
)
def test_every_corpus_file_reads_without_errors(path):
    doc = read_document(path, folder=CORPUS)
    assert [p for p in doc.problems if p.severity == "error"] == []
    for reg in doc.regions:
        for row in reg.rows:
            assert reg.start <= row.start <= row.end <= reg.end


def test_a_long_include_chain_is_cut_without_recursion_errors(tmp_path):
    n = 200
    (tmp_path / "main.tex").write_text("\\documentclass{article}\\input{f0}")
    for i in range(n):
        (tmp_path / f"f{i}.tex").write_text(f"\\newcommand{{\\m{i}}}{{}}\\input{{f{i + 1}}}")
    project = load_project(tmp_path / "main.tex")
    assert 60 < len(project.files) < 70
    problems = [p for ps in project.problems.values() for p in ps]
    assert [p.code for p in problems] == ["include-depth"]


def test_a_quarto_include_brings_the_macros_of_the_shared_page(tmp_path):
    (tmp_path / "_macros.qmd").write_text(
        "::: {.hidden}\n$$\n\\newcommand{\\Ks}{\\mathbf{K}_*}\n$$\n:::\n", encoding="utf-8"
    )
    page = tmp_path / "page.qmd"
    page.write_text(
        "---\ntitle: t\n---\n\n{{< include _macros.qmd >}}\n\n{{< include _gone.qmd >}}\n\n"
        "é $\\Ks^\\top y$\n",
        encoding="utf-8",
    )
    project = load_project(page, folder=tmp_path)
    assert "Ks" in project.macros
    doc = read_document(page, project=project, folder=tmp_path)
    (region,) = doc.regions
    assert doc.text[region.start : region.end] == "$\\Ks^\\top y$"
    assert "\\mathbf{K}_*" in region.rows[0].text.text
    missing = [p for p in doc.problems if p.code == "missing-file"]
    assert [p.message for p in missing] == [
        "file _gone.qmd not found ({{< include _gone.qmd >}}); its macros are not known"
    ]


QUARTO_BOOK = r"""
%! _quarto.yml
project:
  type: book
  render:
    - notes.qmd
book:
  title: "Notes"
  chapters:
    - index.qmd
    - part: "Models"
      chapters:
        - chapters/model.qmd   # the model
        - "chapters/loss.qmd"
  appendices:
    - missing.qmd
format:
  html:
    include-in-header: _macros.html
%! index.qmd
$$
\newcommand{\vw}{\mathbf{w}}
$$
%! chapters/model.qmd
$$\newcommand{\mX}{\mathbf{X}}$$
%! chapters/loss.qmd
The loss is $\|\mX\vw\|^2$.
%! notes.qmd
Not a chapter: $\vw$.
"""


def test_a_quarto_book_reads_its_chapters_in_order(tmp_path):
    write(tmp_path, QUARTO_BOOK)
    project = load_project(tmp_path / "chapters" / "loss.qmd", folder=tmp_path)
    assert Path(project.root).name == "_quarto.yml"
    assert rel(project, tmp_path) == ["index.qmd", "chapters/model.qmd", "chapters/loss.qmd"]
    assert [m.name for m in project.macros.values()] == ["vw", "mX"]
    doc = read_document(tmp_path / "chapters" / "loss.qmd", project=project, folder=tmp_path)
    assert rows(doc) == [r"\|\mathbf{X}\mathbf{w}\|^2"]
    # a page the book does not list is a project of its own
    alone = load_project(tmp_path / "notes.qmd", folder=tmp_path)
    assert (rel(alone, tmp_path), alone.macros) == (["notes.qmd"], {})


def test_a_jupyter_book_toc_names_pages_without_their_suffix(tmp_path):
    write(
        tmp_path,
        r"""
        %! _toc.yml
        format: jb-book
        root: intro
        parts:
          - caption: Basics
            chapters:
            - file: chapters/setup
              sections:
              - file: chapters/grad.md
            - file: chapters/notebook
        %! intro.md
        $$\newcommand{\vw}{\mathbf{w}}$$
        %! chapters/setup.md
        Let $\vw \in \mathbb{R}^d$.
        %! chapters/grad.md
        $\vw^\top\vw$
        %! chapters/notebook.ipynb
        {}
        """,
    )
    project = load_project(tmp_path / "chapters" / "grad.md", folder=tmp_path)
    assert Path(project.root).name == "_toc.yml"
    assert rel(project, tmp_path) == ["intro.md", "chapters/setup.md", "chapters/grad.md"]
    assert list(project.macros) == ["vw"]
    # the book is not read above the folder given
    inner = load_project(tmp_path / "chapters" / "grad.md", folder=tmp_path / "chapters")
    assert rel(inner, tmp_path) == ["chapters/grad.md"]


def test_an_input_of_a_folder_says_it_is_a_folder(tmp_path):
    # \input{sections} where sections/ is a folder: "not found" would send the user looking
    (tmp_path / "sections").mkdir()
    main = tmp_path / "main.tex"
    main.write_text("\\input{sections}\n\\input{gone}\n$x$\n", encoding="utf-8")
    project = load_project(main, folder=tmp_path)
    doc = read_document(main, project=project, folder=tmp_path)
    assert [p.message for p in doc.problems if p.code == "missing-file"] == [
        "\\input{sections} is not read: sections is a folder, not a file",
        "file gone not found (\\input{gone}); its macros are not known",
    ]


def test_an_input_of_a_symlink_loop_says_it_is_a_loop(tmp_path):
    # main.tex checked alone, \input{a} with a.tex -> b.tex -> a.tex (and c.tex -> c.tex):
    # "not found" would send the user looking for a file that is there
    os.symlink("b.tex", tmp_path / "a.tex")
    os.symlink("a.tex", tmp_path / "b.tex")
    os.symlink("c.tex", tmp_path / "c.tex")
    main = tmp_path / "main.tex"
    main.write_text("\\input{a}\n\\input{c.tex}\n\\input{gone}\n$x$\n", encoding="utf-8")
    project = load_project(main, folder=tmp_path)
    doc = read_document(main, project=project, folder=tmp_path)
    assert [p.message for p in doc.problems if p.code == "missing-file"] == [
        "\\input{a} is not read: a.tex is a symlink loop (a link that never reaches a file);"
        " its macros are not known",
        "\\input{c.tex} is not read: c.tex is a symlink loop (a link that never reaches a"
        " file); its macros are not known",
        "file gone not found (\\input{gone}); its macros are not known",
    ]
