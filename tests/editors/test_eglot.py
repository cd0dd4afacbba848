"""texgrad lsp in Emacs's eglot (verified with Debian 12's Emacs 28.2 and eglot 1.9,
which count columns in UTF-16 and take every code-action edit at once): diagnostics
through flymake, hover through eldoc, go to definition through xref (M-.), the
transpose quick fix and Differentiate… through M-x eglot-code-actions, saved.
Skipped when emacs or eglot is not installed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.editors.harness import (
    CANNOT_REASON,
    DECLARATION,
    MACRO_EDIT,
    MD,
    MISMATCH,
    PROJECT,
    SECTION,
    SECTION_LINES,
    TEX,
    UNDECLARED,
    WRONG_FIXED,
    Run,
    assert_clean_server_log,
    place,
    run_editor,
    which_or_skip,
    write_project,
)

pytestmark = pytest.mark.editor

DRIVER = Path(__file__).with_name("eglot_driver.el")


def emacs_with_eglot() -> str:
    emacs = which_or_skip("emacs", "emacs-nox elpa-eglot")
    probe = subprocess.run(
        [emacs, "--batch", "--eval", "(require 'eglot)"], capture_output=True, timeout=30
    )
    if probe.returncode != 0:
        pytest.skip("eglot not installed: apt-get install elpa-eglot")
    return emacs


def run_emacs(tmp_path: Path, name: str, text: str, **spec: object) -> Run:
    emacs = emacs_with_eglot()
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    return run_editor(
        [emacs, "--batch", "-l", str(DRIVER)], tmp_path, doc, dict(spec), {"HOME": str(tmp_path)}
    )


def check_common(run: Run, text: str, mismatch_line: int, decl_line: int) -> None:
    r = run.report
    assert not r.get("errors"), r["errors"]
    # flymake's diagnostic, in characters: the emoji and é before it counted right
    a = place(text, mismatch_line, "A y")
    (d,) = r["diagnostics"]
    assert d["type"] == "eglot-error"
    assert d["text"].startswith("texgrad [matmul-mismatch]: `A` is m×n but `y` ∈ ℝᵐ")
    assert (d["line"], d["col"], d["end_col"]) == (a.line + 1, a.char, a.char + 3)
    # M-. lands on the declaration's A
    decl = place(text, decl_line, "A \\in")
    assert Path(r["definition"]["file"]) == run.doc
    assert (r["definition"]["line"], r["definition"]["col"]) == (decl.line + 1, decl.char)
    # the transpose quick fix, applied and saved; the server follows the edit
    fix = r["fix"]
    assert fix["titles"] == ["Transpose `A`"] and fix["chosen"] == "Transpose `A`"
    assert fix["applied"] and "$z = A^\\top y$" in fix["text"]
    assert fix["republished"] and not fix["diagnostics_after"]
    # Differentiate…: eglot resolves nothing, so the listed action carries its edit
    action = r["action"]
    assert action["chosen"] in action["titles"] and "Hessian of f w.r.t. x" in action["titles"]
    assert action["applied"] and action["republished"] and not action["diagnostics_after"]
    assert "inserted by texgrad: verified numerically" in r["hover_after"]
    assert_clean_server_log(run)


def test_latex_plain_text_hover(tmp_path: Path) -> None:
    """As with emacs-nox and elpa-eglot alone: no markdown-mode, so eglot asks for
    plain-text hovers."""
    run = run_emacs(
        tmp_path,
        "doc.tex",
        TEX,
        no_markdown_mode=True,
        hover=[MISMATCH[0], "A y"],
        definition=[MISMATCH[0], "A y"],
        fix=[MISMATCH[0], "A y", "^Transpose"],
        action=[8, "f(x)", "^Differentiate f w\\.r\\.t\\. x "],
        hover_after=[8, "\\nabla"],
    )
    r = run.report
    assert (r["mode"], r["hover_formats"]) == ("latex-mode", "plaintext")
    check_common(run, TEX, MISMATCH[0], DECLARATION[0])
    assert r["hover"].startswith("A : ℝ^{m×n} (declared)\n\ndeclared: Café déjà vu 🎉: let $A")
    # the declaration's line and link, then why z cannot be differentiated (its product fails)
    declared = r["hover"].split("\n\n")[1]
    assert declared.startswith("declared: Café") and declared.endswith("(doc.tex:4)"), r["hover"]
    assert (
        "Ça 🎉 donne, with $A \\in \\mathbb{R}^{n\\times n}$ and $x \\in \\mathbb{R}^n$: "
        "$f(x) = x^\\top A x$ $\\nabla_x f = (A + A^\\top) x$ is a form."
    ) in run.text.splitlines()


def test_markdown_after_latex_with_settings(tmp_path: Path) -> None:
    """A .md file opened after a .tex file of the same project: eglot 1.9 shares the
    server and says ``latex`` for the Markdown buffer too; it is still read as
    Markdown.  Settings come from eglot-workspace-configuration."""
    (tmp_path / "doc.tex").write_text(TEX, encoding="utf-8")
    run = run_emacs(
        tmp_path,
        "doc.md",
        MD,
        open_first=str(tmp_path / "doc.tex"),
        settings={"texgrad": {"gradientNotation": "partial"}},
        hover=[4, "A y"],
        definition=[4, "A y"],
        fix=[4, "A y", "^Transpose"],
        action=[11, "f(x)", "^Differentiate f w\\.r\\.t\\. x "],
        hover_after=[15, "\\frac"],
    )
    r = run.report
    assert r["mode"] == "markdown-mode"
    if r["eglot"] == "1.9":  # later versions send each buffer's own language id
        assert f':uri "{run.doc.as_uri()}" :version 0 :languageId "latex"' in r["events"]
    check_common(run, MD, 4, 3)
    assert "ℝ^{m×n} (declared)" in r["hover"]
    assert run.text.endswith(
        "$$\nf(x) = x^\\top A x\n$$\n\n$$\n\\frac{\\partial f}{\\partial x} = (A + A^\\top) x\n$$\n"
    ), run.text


def test_show_derivation_is_a_message(tmp_path: Path) -> None:
    """eglot 1.9 runs the action's command on the server (workspace/executeCommand); with
    no window/showDocument, the derivation comes as a plain-text message (echo area and
    *Messages*); the document is not edited."""
    text = "Ça 🎉: let $X \\in \\mathbb{R}^{n \\times n}$.\n\n$$\\mathcal{L}(X) = \\log\\det X$$\n"
    run = run_emacs(tmp_path, "derive.md", text, show=[3, "log", "^Show derivation"], clean=True)
    r = run.report
    assert not r.get("errors"), r["errors"]
    show = r["show"]
    assert show["chosen"] == "Show derivation of ∇_X \\mathcal{L}"
    assert not show["had_edit"] and show["command"] == "texgrad.showDerivation"
    [message] = [m for m in show["messages"] if "Derivation" in m]
    assert message.startswith("Derivation of ∇_X \\mathcal{L}") and "Jacobi's formula" in message
    assert "X^{-\\top}" in message and "Verified by texgrad" in message and "$$" not in message
    assert show["doc_unchanged"] and run.text == text
    assert_clean_server_log(run)


SILENT = (
    "Ça 🎉: let $A \\in \\mathbb{R}^{n \\times m}$ and $x \\in \\mathbb{R}^n$.\n"
    "\n"
    "$$y = A x$$\n"
    "\n"
    "$$g = \\Phi A^\\top x$$\n"
)


def test_the_plain_text_hover_says_why_a_letter_has_no_shape(tmp_path: Path) -> None:
    """Say why, in eglot without markdown-mode (plain-text hovers, no disabled actions):
    the hover on a letter of unknown shape says why and what to declare, without Markdown."""
    run = run_emacs(tmp_path, "why.md", SILENT, no_markdown_mode=True, hover=[5, "\\Phi"])
    r = run.report
    assert not r.get("errors"), r["errors"]
    assert r["hover_formats"] == "plaintext"
    assert (
        "\\Phi has no shape: it is never declared (its use suggests m columns); declare it, "
        "e.g. \\Phi \\in \\mathbb{R}^{k \\times m} (see README.md#declaring-shapes)"
    ) in r["hover"], r["hover"]
    assert "`" not in r["hover"]
    assert_clean_server_log(run)


def test_a_project_section_opened_first(tmp_path: Path) -> None:
    """A section of a git repository's project opened before main.tex (eglot roots the
    server at the repository, as the README says): it gets the macros file's macros and
    main.tex's declarations; flymake shows the mismatch and the wrong derivative at their
    characters after é, 中文 and an emoji; M-. goes into main.tex; the fix writes the
    verified derivative in place; the hover of a function texgrad cannot differentiate
    says why (eglot 1.9 lists no disabled action); Show derivation is a message; the
    macros file visited, edited and saved changes the section's diagnostics."""
    emacs = emacs_with_eglot()
    git = which_or_skip("git", "git")
    proj = write_project(tmp_path)
    subprocess.run([git, "init", "-q", str(proj)], check=True, timeout=30)
    lines = SECTION_LINES
    macros, line, old, new = MACRO_EDIT
    spec = {
        "codes": ["matmul-mismatch", "wrong-derivative"],
        "definition": [lines["mismatch"], "\\mA"],
        "hover": [lines["cannot"], "g(\\vx)"],
        "fix": [lines["wrong"], "2\\mB", "^Replace"],
        "show": [lines["wrong"], "\\vx^", "^Show derivation of ∇"],
        "edit": [str(proj / macros), line, old, new],
    }
    doc = proj / SECTION
    run = run_editor(
        [emacs, "--batch", "-l", str(DRIVER)], tmp_path, doc, spec, {"HOME": str(tmp_path)}
    )
    r = run.report
    text = PROJECT[SECTION]
    assert not r.get("errors"), r["errors"]
    a = place(text, lines["mismatch"], "\\mA \\vy")
    w = place(text, lines["wrong"], "2\\mB\\vx")
    got = sorted(
        (d["line"], d["col"], d["end_col"], d["text"].split("]")[0]) for d in r["diagnostics"]
    )
    assert got == [
        (a.line + 1, a.char, a.char + len("\\mA \\vy"), "texgrad [matmul-mismatch"),
        (w.line + 1, w.char, w.char + len("2\\mB\\vx"), "texgrad [wrong-derivative"),
    ], r["diagnostics"]
    decl = place(PROJECT["main.tex"], 5, "\\mA \\in")
    assert Path(r["definition"]["file"]) == proj / "main.tex"
    assert (r["definition"]["line"], r["definition"]["col"]) == (decl.line + 1, decl.char)
    assert CANNOT_REASON in r["hover"] and "`g(\\vx) = \\lambda \\vx^\\top \\vx`" in r["hover"]
    fix = r["fix"]
    assert fix["applied"] and fix["chosen"].startswith("Replace")
    wrong_line = text.split("\n")[lines["wrong"] - 1]
    fixed_line = wrong_line.replace("= 2\\mB\\vx$", "= (\\mB + \\mB^\\top)\\vx$")
    assert WRONG_FIXED in fixed_line
    assert fix["text"] == text.replace(wrong_line, fixed_line)
    assert fix["republished"] and [d["line"] for d in fix["diagnostics_after"]] == [a.line + 1]
    show = r["show"]
    assert show["chosen"].startswith("Show derivation of ∇") and not show["had_edit"]
    [message] = [m for m in show["messages"] if "Derivation" in m]
    assert "Verified by texgrad" in message and show["doc_unchanged"]
    edit = r["edit"]
    p = place(text, lines["macro"], "\\proj \\vy")
    after = sorted((d["line"], d["col"], d["end_col"]) for d in edit["diagnostics_after"])
    assert edit["republished"] and after == [
        (a.line + 1, a.char, a.char + len("\\mA \\vy")),
        (p.line + 1, p.char, p.char + len("\\proj \\vy")),
    ], edit
    assert_clean_server_log(run)


def test_math_without_declarations_gets_one_information(tmp_path: Path) -> None:
    """A document with math and no declaration: exactly one note in flymake, saying how to
    declare shapes."""
    run = run_emacs(tmp_path, "notes.md", UNDECLARED, hover=[3, "A x"])
    r = run.report
    assert not r.get("errors"), r["errors"]
    [d] = r["diagnostics"]
    assert d["type"] == "eglot-note" and d["text"].startswith("texgrad [no-declarations]"), d
    assert "README.md#declaring-shapes" in d["text"]
    assert "declare" in r["hover"] and "README.md#declaring-shapes" in r["hover"], r["hover"]
    assert_clean_server_log(run)
