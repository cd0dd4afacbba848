r"""A project's files read once per state of their parses (shapes/check.py ``_ProjectRead``),
not once per file checked: every file of an n-file project checked asks for n parses, not
n², and each check sees what a fresh checker sees — after a buffer's edit too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from texgrad.reading.project import Project, load_project
from texgrad.shapes.check import Checker, CheckResult, ParsedDocument

ROOT = r"""\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^{n}$.
%s
\end{document}
"""
SECTIONS = 6


def _write(folder: Path) -> list[str]:
    inputs = "\n".join(f"\\input{{s{k}}}" for k in range(SECTIONS))
    (folder / "main.tex").write_text(ROOT % inputs, encoding="utf-8")
    for k in range(SECTIONS):
        wrong = r" and $x A$" if k == 2 else ""  # (n×1 times m×n: a mismatch in s2)
        text = f"Section {k}: $y_{k} = A x$ and $z_{k} = y_{k}^\\top y_{k}${wrong}.\n"
        (folder / f"s{k}.tex").write_text(text, encoding="utf-8")
    return [str(folder / "main.tex"), *(str(folder / f"s{k}.tex") for k in range(SECTIONS))]


def _seen(result: CheckResult) -> tuple[Any, ...]:
    """What a check of one file says and reads of its project."""
    return (
        [(d.code, d.start, d.end, d.message) for d in result.diagnostics],
        dict(result.project_texts),
        [(r.path, r.start, r.end, r.key) for r in result.elsewhere],
        {k: [(d.path, d.start) for d in v] for k, v in result.defined.items()},
    )


class _Counting(Checker):
    def __init__(self) -> None:
        super().__init__()
        self.parses = 0

    def parsed(
        self,
        path: str,
        project: Project | None,
        folder: str | Path | None = None,
        text: str | None = None,
    ) -> ParsedDocument:
        self.parses += 1
        return super().parsed(path, project, folder, text)


def test_each_file_checked_reads_the_project_once(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    project = load_project(paths[0], folder=tmp_path)
    checker = _Counting()
    seen = [_seen(checker.check(p, project, tmp_path)) for p in paths]
    n = len(paths)
    # (the first check parses the project; each other file asks for its own parse only —
    # before, every check asked for every file's: n + n² = 56)
    assert checker.parses == 2 * n - 1, checker.parses
    for p, got in zip(paths, seen, strict=True):
        assert got == _seen(Checker().check(p, project, tmp_path)), p
    codes = [d[0] for d in seen[3][0]]
    assert codes == ["matmul-mismatch"], seen[3][0]  # (s2 is the fourth file)


def test_an_edit_in_a_buffer_is_read_by_the_other_files(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    project = load_project(paths[0], folder=tmp_path)
    checker = _Counting()
    for p in paths:
        checker.check(p, project, tmp_path)
    s1 = paths[2]
    edited = Path(s1).read_text(encoding="utf-8").replace("= A x", "= A x + x")  # m vs n
    # the editor's project, patched with the buffer: every other file reads the edit
    patched = load_project(paths[0], folder=tmp_path, overrides={s1: edited})
    first = checker.check(s1, patched, tmp_path, edited)
    assert [d.code for d in first.diagnostics] == ["add-mismatch"], first.diagnostics
    for p in paths:
        got = _seen(checker.check(p, patched, tmp_path, edited if p == s1 else None))
        assert got == _seen(Checker().check(p, patched, tmp_path, edited if p == s1 else None))
        assert got[1].get(s1) == edited
    # a buffer the project does not hold (its text differs): the other files read the
    # project's text, as a fresh checker does, not the buffer checked last
    checker.check(s1, project, tmp_path, edited)
    for p in paths[3:]:
        got = _seen(checker.check(p, project, tmp_path))
        assert got == _seen(Checker().check(p, project, tmp_path)), p
        assert got[1][s1] == project.files[s1].text != edited


def test_a_file_forgotten_is_read_again(tmp_path: Path) -> None:
    paths = _write(tmp_path)
    project = load_project(paths[0], folder=tmp_path)
    checker = _Counting()
    for p in paths:
        checker.check(p, project, tmp_path)
    checker.forget(paths[1])
    checker.parses = 0
    got = _seen(checker.check(paths[3], project, tmp_path))
    assert checker.parses == len(paths)  # (the project read again, its files' parses asked)
    assert got == _seen(Checker().check(paths[3], project, tmp_path))
