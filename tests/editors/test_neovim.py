"""texgrad lsp in Neovim's built-in LSP client (verified with Debian 12's Neovim 0.7.2,
which speaks UTF-16 only): diagnostics, hover, go to definition, the transpose quick fix
and Differentiate… picked from ``vim.lsp.buf.code_action()`` (resolved by Neovim through
codeAction/resolve, applied, saved).  Skipped when nvim is not installed."""

from __future__ import annotations

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
    neovim_or_skip,
    place,
    run_editor,
    write_project,
)

pytestmark = pytest.mark.editor

DRIVER = Path(__file__).with_name("nvim_driver.lua")


def run_nvim(tmp_path: Path, name: str, text: str, **spec: object) -> Run:
    nvim = neovim_or_skip((0, 7), below=(0, 11))
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {DRIVER}"]
    env = {f"XDG_{d}_HOME": str(tmp_path / d.lower()) for d in ("CACHE", "STATE", "DATA")}
    return run_editor(argv, tmp_path, doc, dict(spec), env)


def check_common(
    run: Run,
    text: str,
    mismatch_line: int,
    decl_line: int,
    exit: dict[str, object] | None = None,
) -> None:
    r = run.report
    assert r["errors"] == [], r["errors"]
    assert r["offset_encoding"] == "utf-16"
    # the diagnostic, in Neovim's byte columns: the emoji and é before it counted right
    a = place(text, mismatch_line, "A y")
    (d,) = r["diagnostics"]
    assert d["code"] == "matmul-mismatch" and d["source"] == "texgrad" and d["severity"] == 1
    assert (d["lnum"], d["col"], d["end_lnum"], d["end_col"]) == (
        a.line,
        a.byte,
        a.line,
        a.byte + 3,
    )
    # hover on A: what was sent is UTF-16, the range comes back on A
    hover = r["hover"]
    assert hover["sent"] == {"line": a.line, "character": a.utf16}
    assert "ℝ^{m×n} (declared)" in hover["result"]["contents"]["value"]
    rng = hover["result"]["range"]
    assert rng["start"] == {"line": a.line, "character": a.utf16}
    assert rng["end"] == {"line": a.line, "character": a.utf16 + 1}
    # go to definition: Neovim's own jump lands on the declaration's A
    decl = place(text, decl_line, "A \\in")
    jumped = r["definition"]["jumped"]
    assert Path(jumped["file"]) == run.doc
    assert (jumped["line"], jumped["col"]) == (decl.line + 1, decl.byte)
    # the transpose quick fix, applied and saved; the server follows the edit
    fix = r["fix"]
    assert fix["titles"] == ["Transpose `A`"] and fix["chosen"] == "Transpose `A`"
    assert fix["applied"] and fix["had_edit"]
    assert "$z = A^\\top y$" in fix["text"]
    assert fix["republished"] and fix["diagnostics_after"] == []
    # Differentiate…: listed without an edit, resolved by Neovim, applied
    action = r["action"]
    assert action["chosen"] in action["titles"]
    assert "Hessian of f w.r.t. x" in action["titles"]
    assert action["applied"] and not action["had_edit"]
    assert "verified numerically" in r["hover_after"]["result"]["contents"]["value"]
    assert r["exit"] == (exit or {"code": 0, "signal": 0})
    assert not [m for m in r["messages"] if m.get("type") == 1 or m.get("level") == 4]
    assert_clean_server_log(run)


def test_latex(tmp_path: Path) -> None:
    run = run_nvim(
        tmp_path,
        "doc.tex",
        TEX,
        hover=[MISMATCH[0], "A y"],
        definition=[MISMATCH[0], "A y"],
        fix=[MISMATCH[0], "A y", "^Transpose"],
        action=[8, "f(x)", "^Differentiate f w%.r%.t%. x "],
        hover_after=[8, "\\nabla"],
    )
    assert run.report["filetype"] == "tex"
    check_common(run, TEX, MISMATCH[0], DECLARATION[0])
    assert run.report["action"]["chosen"] == "Differentiate f w.r.t. x (gradient)"
    # the result follows the inline math, on a line with an emoji before it
    assert (
        "Ça 🎉 donne, with $A \\in \\mathbb{R}^{n\\times n}$ and $x \\in \\mathbb{R}^n$: "
        "$f(x) = x^\\top A x$ $\\nabla_x f = (A + A^\\top) x$ is a form."
    ) in run.text.splitlines()


def test_markdown_with_settings(tmp_path: Path) -> None:
    """Markdown, and ``settings`` given to start_client: Neovim 0.7 does not announce
    workspace/configuration, the server asks all the same (∂f/∂x, not ∇ₓf)."""
    run = run_nvim(
        tmp_path,
        "doc.md",
        MD,
        settings={"texgrad": {"gradientNotation": "partial"}},
        hover=[4, "A y"],
        definition=[4, "A y"],
        fix=[4, "A y", "^Transpose"],
        action=[11, "f(x)", "^Differentiate f w%.r%.t%. x "],
        hover_after=[15, "\\frac"],
    )
    assert run.report["filetype"] == "markdown"
    check_common(run, MD, 4, 3)
    assert run.text.endswith(
        "$$\nf(x) = x^\\top A x\n$$\n\n$$\n\\frac{\\partial f}{\\partial x} = (A + A^\\top) x\n$$\n"
    ), run.text


WRONG = (
    "Ça 🎉: let $A \\in \\mathbb{R}^{n \\times n}$ and $x \\in \\mathbb{R}^n$.\n"
    "\n"
    "$$\\nabla_x (x^\\top A x) = 2Ax$$\n"
)


def test_a_wrong_derivative_flagged_and_fixed(tmp_path: Path) -> None:
    """The ``wrong-derivative`` warning reaches Neovim after the shape diagnostics, at its
    byte columns after an emoji line; its quick fix writes the verified derivative."""
    run = run_nvim(tmp_path, "wrong.md", WRONG, fix=[3, "2Ax", "^Replace"])
    r = run.report
    assert r["errors"] == [], r["errors"]
    (d,) = r["diagnostics"]
    at = place(WRONG, 3, "2Ax")
    assert d["code"] == "wrong-derivative" and d["severity"] == 2
    assert (d["lnum"], d["col"], d["end_col"]) == (at.line, at.byte, at.byte + 3)
    assert "(A + A^\\top)x" in d["message"]
    fix = r["fix"]
    assert fix["applied"] and fix["chosen"].startswith("Replace")
    assert "$$\\nabla_x (x^\\top A x) = (A + A^\\top)x$$" in fix["text"]  # (its own text, edited)
    assert fix["republished"]
    assert_clean_server_log(run)


DERIVE = "Ça 🎉: let $X \\in \\mathbb{R}^{n \\times n}$.\n\n$$\\mathcal{L}(X) = \\log\\det X$$\n"


def _show(tmp_path: Path, nvim: str) -> Run:
    doc = tmp_path / "derive.md"
    doc.write_text(DERIVE, encoding="utf-8")
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {DRIVER}"]
    env = {f"XDG_{d}_HOME": str(tmp_path / d.lower()) for d in ("CACHE", "STATE", "DATA")}
    return run_editor(
        argv, tmp_path, doc, {"show": [3, "log", "^Show derivation"], "clean": True}, env
    )


def test_show_derivation_in_neovim_0_7_is_a_message(tmp_path: Path) -> None:
    """Neovim 0.7 runs the action's command on the server (workspace/executeCommand); with
    no window/showDocument, the derivation comes as a plain-text message; nothing edited."""
    run = _show(tmp_path, neovim_or_skip((0, 7), below=(0, 8)))
    r = run.report
    assert r["errors"] == [], r["errors"]
    show = r["show"]
    assert show["chosen"] == "Show derivation of ∇_X \\mathcal{L}"
    assert not show["had_edit"] and show["command"] == "texgrad.showDerivation"
    [message] = [m for m in show["messages"] if "Derivation" in str(m.get("message"))]
    text = message["message"]
    assert text.startswith("Derivation of ∇_X \\mathcal{L}") and "Jacobi's formula" in text
    assert "X^{-\\top}" in text and "Verified by texgrad" in text and "$$" not in text
    assert show["doc_unchanged"] and run.text == DERIVE
    assert_clean_server_log(run)


def test_show_derivation_in_neovim_0_11_opens_a_markdown_buffer(tmp_path: Path) -> None:
    """Neovim 0.11 announces window/showDocument: the derivation opens beside the document
    as a Markdown file (rendered math source, ``$$…$$``); the document is not edited."""
    run = _show(tmp_path, neovim_or_skip((0, 11)))
    r = run.report
    assert r["errors"] == [], r["errors"]
    show = r["show"]
    assert show["chosen"] == "Show derivation of ∇_X \\mathcal{L}" and not show["had_edit"]
    assert show["shown_file"].endswith(".md") and show["shown_file"] != str(run.doc)
    assert show["shown_filetype"] == "markdown"
    assert show["shown_text"].startswith("### Derivation of ∇_X \\mathcal{L}\n\n$$")
    assert "Jacobi's formula" in show["shown_text"] and "X^{-\\top}" in show["shown_text"]
    assert show["doc_unchanged"] and run.text == DERIVE
    assert_clean_server_log(run)


SILENT = (
    "Ça 🎉: let $A \\in \\mathbb{R}^{n \\times m}$ and $x \\in \\mathbb{R}^n$.\n"
    "\n"
    "$$y = A x$$\n"
    "\n"
    "$$g = \\Phi A^\\top x$$\n"
)


def test_the_hover_says_why_a_letter_has_no_shape(tmp_path: Path) -> None:
    """Say why, in a real editor: Neovim 0.7 lists no disabled actions, so the hover on a
    letter texgrad knows no shape of says why and what to declare, fitted to its use."""
    run = run_nvim(tmp_path, "why.md", SILENT, hover=[5, "\\Phi"])
    r = run.report
    assert r["errors"] == [], r["errors"]
    assert [d["code"] for d in r["diagnostics"]] == ["matmul-mismatch"]
    said = r["hover"]["result"]["contents"]["value"]
    assert (
        "`\\Phi` has no shape: it is never declared (its use suggests m columns); declare it, "
        "e.g. `\\Phi \\in \\mathbb{R}^{k \\times m}`"
    ) in said, said
    assert "README.md#declaring-shapes" in said
    assert_clean_server_log(run)


def test_a_project_section_opened_first(tmp_path: Path) -> None:
    """A section of a project opened before its main.tex (Neovim at the project's root, as
    the README's 0.7 snippet roots it at the working directory): it gets the macros file's
    macros and main.tex's declarations; the planted mismatch and the wrong derivative show
    at their byte columns after é, 中文 and an emoji; M-. of a macro-named matrix lands in
    main.tex; the derivative's fix writes the verified one in place; the hover of a function
    texgrad cannot differentiate says why (Neovim 0.7 lists no disabled action); Show
    derivation is a message; the macros file edited in a split and saved changes the
    section's diagnostics."""
    nvim = neovim_or_skip((0, 7), below=(0, 11))
    proj = write_project(tmp_path)
    doc = proj / SECTION
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {DRIVER}"]
    env = {f"XDG_{d}_HOME": str(tmp_path / d.lower()) for d in ("CACHE", "STATE", "DATA")}
    lines = SECTION_LINES
    macros, line, old, new = MACRO_EDIT
    spec = {
        "root_dir": str(proj),
        "codes": ["matmul-mismatch", "wrong-derivative"],
        "definition": [lines["mismatch"], "\\mA"],
        "hover": [lines["cannot"], "g(\\vx)"],
        "fix": [lines["wrong"], "2\\mB", "^Replace"],
        "show": [lines["wrong"], "\\vx^", "^Show derivation of ∇"],
        "edit": [str(proj / macros), line, old, new],
        "disk_edit": [str(proj / macros), "{" + new + "}", "{" + old + "}"],
    }
    run = run_editor(argv, tmp_path, doc, spec, env)
    r = run.report
    text = PROJECT[SECTION]
    assert r["errors"] == [], r["errors"]
    assert r["root_dir"] == str(proj)
    # what the section shows once opened: the mismatch (an error) and the wrong derivative
    got = sorted((d["lnum"], d["col"], d["end_col"], d["code"]) for d in r["diagnostics"])
    a = place(text, lines["mismatch"], "\\mA \\vy")
    w = place(text, lines["wrong"], "2\\mB\\vx")
    assert got == [
        (a.line, a.byte, a.byte + len("\\mA \\vy"), "matmul-mismatch"),
        (w.line, w.byte, w.byte + len("2\\mB\\vx"), "wrong-derivative"),
    ], r["diagnostics"]
    # go to definition: into main.tex, on the declaration's \mA
    jumped = r["definition"]["jumped"]
    decl = place(PROJECT["main.tex"], 5, "\\mA \\in")
    assert Path(jumped["file"]) == proj / "main.tex"
    assert (jumped["line"], jumped["col"]) == (decl.line + 1, decl.byte)
    # the hover of g says why nothing is offered, quoting g as the section writes it
    said = r["hover"]["result"]["contents"]["value"]
    assert CANNOT_REASON in said and "`g(\\vx) = \\lambda \\vx^\\top \\vx`" in said, said
    # the fix, applied and saved: the verified derivative in place, after é 中文 🎉
    fix = r["fix"]
    assert fix["applied"] and fix["had_edit"] and fix["chosen"].startswith("Replace")
    wrong_line = text.split("\n")[lines["wrong"] - 1]
    fixed_line = wrong_line.replace("= 2\\mB\\vx$", "= (\\mB + \\mB^\\top)\\vx$")
    assert WRONG_FIXED in fixed_line
    assert (
        fix["text"].split("\n")
        == [
            fixed_line if i == lines["wrong"] - 1 else row for i, row in enumerate(text.split("\n"))
        ][: len(fix["text"].split("\n"))]
    )
    assert fix["republished"]
    assert [d["lnum"] for d in fix["diagnostics_after"]] == [a.line]
    # Show derivation: a message (no window/showDocument in 0.7); nothing edited
    show = r["show"]
    assert show["chosen"].startswith("Show derivation of ∇") and not show["had_edit"]
    [message] = [m for m in show["messages"] if "Derivation" in str(m.get("message"))]
    assert "Verified by texgrad" in message["message"], message
    assert show["doc_unchanged"]
    # the macros file edited: \proj is now A, and line 3 gets its mismatch
    edit = r["edit"]
    assert edit["republished"]
    p = place(text, lines["macro"], "\\proj \\vy")
    after = sorted(
        (d["lnum"], d["col"], d["end_col"], d["code"]) for d in edit["diagnostics_after"]
    )
    assert after == [
        (a.line, a.byte, a.byte + len("\\mA \\vy"), "matmul-mismatch"),
        (p.line, p.byte, p.byte + len("\\proj \\vy"), "matmul-mismatch"),
    ], edit
    # macros.tex changed back on disk by another program, then the section saved (:w):
    # Neovim watches no file for the server; the save reads the project again
    assert [d["lnum"] for d in r["disk_edit"]["diagnostics_after"]] == [a.line], r["disk_edit"]
    saved = (proj / macros).read_text(encoding="utf-8").split("\n")[line - 1]
    assert saved.endswith("{\\mA^\\top}"), saved
    assert_clean_server_log(run)


def test_math_without_declarations_gets_one_information(tmp_path: Path) -> None:
    """A document with math and no declaration: exactly one information diagnostic, saying
    how to declare shapes; the hover of an unknown letter says it briefly."""
    run = run_nvim(tmp_path, "notes.md", UNDECLARED, hover=[3, "A x"])
    r = run.report
    assert r["errors"] == [], r["errors"]
    [d] = r["diagnostics"]
    assert d["code"] == "no-declarations" and d["severity"] == 3, d
    assert "README.md#declaring-shapes" in d["message"]
    said = r["hover"]["result"]["contents"]["value"]
    assert "declare" in said and "README.md#declaring-shapes" in said, said
    assert_clean_server_log(run)
