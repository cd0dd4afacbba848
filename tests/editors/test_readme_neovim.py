"""The README's Neovim snippets, run as printed: each is read out of README.md and written
into an ``init.lua`` (``nvim -u init.lua``), ``texgrad`` is found on PATH as the README
says, and a LaTeX and a Markdown file with a planted mismatch get their diagnostic, hover,
definition and code actions through the client that the snippet started.  Neovim 0.7.2 runs
the 0.7–0.10 snippet itself; the 0.11 snippet runs with ``vim.lsp.config``/``vim.lsp.enable``
stood in for (``nvim011_shim.lua``).  Skipped when nvim is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editors.harness import MD, MISMATCH, TEX, Run, run_editor, texgrad_on_path
from tests.editors.readme import snippet
from tests.editors.settings_check import assert_known_settings
from tests.editors.test_neovim import check_common, which_or_skip

pytestmark = pytest.mark.editor

HERE = Path(__file__).parent
OLD = "Neovim 0.7 to 0.10"
NEW = "Neovim 0.11 and later"


def run_with_init(
    tmp_path: Path, init: str, name: str, text: str, *, shim: bool = False, **spec: object
) -> Run:
    nvim = which_or_skip("nvim", "neovim")
    init_file = tmp_path / "init.lua"
    init_file.write_text(init, encoding="utf-8")
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    before = ["--cmd", f"luafile {HERE / 'nvim011_shim.lua'}"] if shim else []
    argv = [nvim, "--headless", *before, "-u", str(init_file), "-i", "NONE", "-n"]
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


def test_the_0_11_snippet_with_its_api_stood_in_for(tmp_path: Path) -> None:
    """What can be checked without Neovim 0.11: the snippet is valid Lua that configures
    only documented fields, its command starts the server, its filetypes include Neovim's
    names for .tex and .md files, its root marker is found and its settings arrive."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "notes").mkdir()
    run = run_with_init(
        tmp_path,
        snippet(NEW, "lua"),
        "notes/doc.tex",
        TEX,
        shim=True,
        hover=[MISMATCH[0], "A y"],
    )
    r = run.report
    assert r["errors"] == [], r["errors"]
    shim = r["shim"]
    assert shim["enabled"] == ["texgrad"] and shim["inlay_hint"] is True
    assert not shim["unknown_keys"], shim["unknown_keys"]
    config = shim["configs"]["texgrad"]
    assert {"tex", "markdown"} <= set(config["filetypes"])
    assert r["filetype"] == "tex" and r["root_dir"] == str(tmp_path)
    assert r["settings"]["texgrad"] == {"gradientNotation": "auto", "inlayHints": {"enabled": True}}
    assert_known_settings(r["settings"])
    (d,) = r["diagnostics"]
    assert d["code"] == "matmul-mismatch" and d["lnum"] == MISMATCH[0] - 1
    assert "ℝ^{m×n} (declared)" in r["hover"]["result"]["contents"]["value"]
