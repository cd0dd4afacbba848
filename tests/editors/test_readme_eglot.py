"""The README's Emacs snippets, run as printed: each is read out of README.md into an init
file loaded before the driver (``emacs --batch -l init.el -l eglot_driver.el``); the
snippet's hooks start eglot (no ``eglot-ensure`` from the driver), with ``texgrad`` found on
``exec-path`` from PATH, or, with the second snippet, by the full path of a virtual
environment's ``texgrad`` while PATH has none.  Skipped when emacs or eglot is absent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.editors.harness import MD, MISMATCH, TEX, Run, place, run_editor, texgrad_on_path
from tests.editors.readme import snippet
from tests.editors.test_eglot import DRIVER, check_common, emacs_with_eglot

pytestmark = pytest.mark.editor

HEADING = "Emacs (eglot)"
PLACEHOLDER = "/path/to/texgrad/.venv/bin/texgrad"


def run_with_init(
    tmp_path: Path, init: str, name: str, text: str, env: dict[str, str], **spec: object
) -> Run:
    emacs = emacs_with_eglot()
    init_file = tmp_path / "init.el"
    init_file.write_text(init, encoding="utf-8")
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    argv = [emacs, "--batch", "-l", str(init_file), "-l", str(DRIVER)]
    env = {"HOME": str(tmp_path), "TEXGRAD_LSP_DEBOUNCE": "0.05", **env}
    return run_editor(argv, tmp_path, doc, {"cmd": None, "env": None, **spec}, env)


def test_the_snippet_on_latex(tmp_path: Path) -> None:
    init = snippet(HEADING, "elisp")
    assert '("texgrad" "lsp")' in init and "eglot-ensure" in init
    run = run_with_init(
        tmp_path,
        init,
        "doc.tex",
        TEX,
        texgrad_on_path(tmp_path),
        hover=[MISMATCH[0], "A y"],
        definition=[MISMATCH[0], "A y"],
        fix=[MISMATCH[0], "A y", "^Transpose"],
        action=[8, "f(x)", "^Differentiate f w\\.r\\.t\\. x "],
        hover_after=[8, "\\nabla"],
    )
    r = run.report
    assert r["mode"] == "latex-mode" and r["contact"] == '("texgrad" "lsp")'
    check_common(run, TEX, MISMATCH[0], 4)
    # the snippet's eglot-workspace-configuration reached the server
    reply = r["events"].split('"workspace/configuration"', 1)[1].split("[server-", 1)[0]
    assert re.search(r":result\s+\[\(:inlayHints\s+\(:enabled t\)\)\]", reply), reply


def test_the_snippet_on_markdown(tmp_path: Path) -> None:
    """With markdown-mode (elpa-markdown-mode): a .md file starts eglot by the snippet's
    hook.  Without it the README says eglot does not start: nothing to run."""
    run = run_with_init(
        tmp_path,
        snippet(HEADING, "elisp"),
        "doc.md",
        MD,
        texgrad_on_path(tmp_path),
        hover=[4, "A y"],
    )
    r = run.report
    assert not r.get("errors"), r["errors"]
    if r["hover_formats"] != "markdown":
        pytest.skip("markdown-mode is not installed: apt-get install elpa-markdown-mode")
    assert r["mode"] == "markdown-mode"
    (d,) = r["diagnostics"]
    a = place(MD, 4, "A y")
    assert (d["line"], d["col"], d["end_col"]) == (4, a.char, a.char + 3)
    assert "matmul-mismatch" in d["text"] and "ℝ^{m×n} (declared)" in r["hover"]


def test_the_full_path_of_a_virtual_environment(tmp_path: Path) -> None:
    """Both snippets, the second's placeholder replaced by a real path, and no texgrad on
    PATH: eglot runs the full path."""
    texgrad = Path(texgrad_on_path(tmp_path)["PATH"].split(os.pathsep)[0]) / "texgrad"
    second = snippet(HEADING, "elisp", 1)
    assert PLACEHOLDER in second
    init = snippet(HEADING, "elisp") + second.replace(PLACEHOLDER, str(texgrad))
    run = run_with_init(tmp_path, init, "doc.tex", TEX, {"PATH": "/usr/bin:/bin"})
    r = run.report
    assert not r.get("errors"), r["errors"]
    assert r["contact"] == f'("{texgrad}" "lsp")'
    (d,) = r["diagnostics"]
    assert d["text"].startswith("texgrad [matmul-mismatch]")
