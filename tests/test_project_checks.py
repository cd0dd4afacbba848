"""A project's files checked one after another learn the project once, and after an edit in
one file the others infer again only the rows that read what the edit changed — with the
diagnostics of a fresh check, both ways.  (The figures are in benchmarks/scale.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.scale_inputs import planted, write_project
from texgrad.reading.project import normalize
from texgrad.shapes.check import Checker
from texgrad.workspace import Workspace

FILES = 23  # main, macros, notation and 20 sections


def _facts(result):
    return [
        (
            d.path,
            d.start,
            d.end,
            d.code,
            d.message,
            tuple((r.path, r.start, r.end) for r in d.related),
        )
        for d in result.diagnostics
    ]


def _all(ws: Workspace, paths: list[str], buffers: dict[str, str]):
    return {p: ws.analyse(p, buffers.get(p), buffers) for p in paths}


def test_a_project_is_learnt_once_for_all_its_files(tmp_path: Path) -> None:
    from texgrad.reading.project import load_project

    root = write_project(tmp_path, FILES)
    project = load_project(root, folder=tmp_path)
    checker = Checker()
    results = {p: checker.check(p, project, tmp_path) for p in project.paths}
    # the first file learnt every row of the project; each other file inferred its own rows
    # once (pass 2), none of the others'
    first, *rest = project.paths
    assert results[first].stats["inferred"] == sum(len(r.rows) for r in results.values())
    for p in rest:
        assert results[p].stats["inferred"] == len(results[p].rows), p
    errors = [d for r in results.values() for d in r.diagnostics if d.severity == "error"]
    assert len(errors) == planted(FILES) == 4
    for p in project.paths:  # as each file checked alone
        assert _facts(results[p]) == _facts(Checker().check(p, project, tmp_path)), p


def test_an_edit_that_declares_nothing_re_checks_no_other_file(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    ws = Workspace([str(tmp_path)])
    paths = list(ws.analyse(normalize(root), None, {}).project)
    _all(ws, paths, {})
    section = normalize(tmp_path / "sections" / "s012.tex")
    text = Path(section).read_text(encoding="utf-8")
    edited = text.replace(r"\mA \vx - \vy +", r"\mA \vx - \vy - \vy +")
    assert edited != text
    buffers = {section: edited}
    after = _all(ws, [section, *(p for p in paths if p != section)], buffers)
    assert after[section].result.stats["inferred"] >= 1  # the edited row
    for p in paths:
        if p != section:
            assert after[p].result.stats["inferred"] == 0, p
    fresh = Workspace([str(tmp_path)])
    for p in paths:
        assert _facts(after[p].result) == _facts(fresh.analyse(p, buffers.get(p), buffers).result)


def test_an_edited_declaration_re_checks_the_files_that_use_it(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    ws = Workspace([str(tmp_path)])
    paths = list(ws.analyse(normalize(root), None, {}).project)
    before = _all(ws, paths, {})
    notation = normalize(tmp_path / "notation.tex")
    text = Path(notation).read_text(encoding="utf-8")
    edited = text.replace(r"$\vx \in \R^{n}$", r"$\vx \in \R^{m}$")
    assert edited != text
    buffers = {notation: edited}
    after = _all(ws, [notation, *(p for p in paths if p != notation)], buffers)
    sections = [p for p in paths if "/sections/" in p]
    for p in sections:  # every section uses \vx: its rows that do are inferred again …
        assert 0 < after[p].result.stats["inferred"] < len(after[p].result.rows), p
    # … and x ∈ ℝᵐ against A ∈ ℝ^{m×n} is wrong in every section now
    assert sum(len(a.result.diagnostics) for a in after.values()) > sum(
        len(b.result.diagnostics) for b in before.values()
    )
    fresh = Workspace([str(tmp_path)])
    for p in paths:
        assert _facts(after[p].result) == _facts(fresh.analyse(p, buffers.get(p), buffers).result)
    # and back: the diagnostics of before, the related locations where they are
    back = _all(ws, [notation, *(p for p in paths if p != notation)], {notation: text})
    for p in paths:
        assert _facts(back[p].result) == _facts(before[p].result), p


def test_related_locations_in_an_edited_file_move_with_the_edit(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    ws = Workspace([str(tmp_path)])
    paths = list(ws.analyse(normalize(root), None, {}).project)
    _all(ws, paths, {})
    notation = normalize(tmp_path / "notation.tex")
    text = Path(notation).read_text(encoding="utf-8")
    edited = text.replace("Throughout,", "Throughout this text,")  # before the declarations
    buffers = {notation: edited}
    after = _all(ws, [notation, *(p for p in paths if p != notation)], buffers)
    related = [
        r for a in after.values() for d in a.result.diagnostics for r in d.related
        if r.path == notation
    ]  # fmt: skip
    assert related
    for r in related:  # each still points at a declared letter in the edited text
        assert edited[r.start : r.end] in (r"\vx", r"\mA", r"\vy", "W")
        assert edited[r.end :].startswith(r" \in \R")
    fresh = Workspace([str(tmp_path)])
    for p in paths:
        assert _facts(after[p].result) == _facts(fresh.analyse(p, buffers.get(p), buffers).result)
