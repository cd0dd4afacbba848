"""Time from opening a .tex file to its first diagnostic shown, in Neovim (0.7 and 0.11,
where found) and in Emacs (eglot), each set up with the README's snippet and ``texgrad`` on PATH, the server's default
debounce: the median of several runs, each a fresh editor and server.

    .venv/bin/python tests/editors/time_to_first_diagnostic.py [--runs 5]

Neovim counts from ``:edit`` to the diagnostic in ``vim.diagnostic.get``; Emacs from
``find-file`` to the diagnostic in ``flymake-diagnostics`` (both start the server on the
way, so the server's start is included).  An editor that is not installed is left out."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.editors.harness import TEX, neovims, run_editor, texgrad_on_path
from tests.editors.readme import snippet

HERE = Path(__file__).parent


def nvim_argv(nvim: str, tmp: Path, heading: str) -> list[str]:
    init = tmp / "init.lua"
    init.write_text(snippet(heading, "lua"), encoding="utf-8")
    return [nvim, "--headless", "-u", str(init), "-i", "NONE", "-n", "-c",
            f"luafile {HERE / 'nvim_driver.lua'}"]  # fmt: skip


def emacs_argv(emacs: str, tmp: Path) -> list[str]:
    init = tmp / "init.el"
    init.write_text(snippet("Emacs (eglot)", "elisp"), encoding="utf-8")
    return [emacs, "--batch", "-l", str(init), "-l", str(HERE / "eglot_driver.el")]


def once(editor: str, program: str) -> float:
    """One run of ``editor`` ("nvim 0.7", "nvim 0.11" or "emacs") at ``program``."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        doc = tmp / "doc.tex"
        doc.write_text(TEX, encoding="utf-8")
        env = texgrad_on_path(tmp) | {"HOME": str(tmp)}
        env |= {f"XDG_{d}_HOME": str(tmp / d.lower()) for d in ("CACHE", "STATE", "DATA")}
        if editor == "emacs":
            argv = emacs_argv(program, tmp)
        elif editor == "nvim 0.11":
            argv = nvim_argv(program, tmp, "Neovim 0.11 and later")
        else:
            argv = nvim_argv(program, tmp, "Neovim 0.7 to 0.10")
        run = run_editor(argv, tmp, doc, {"cmd": None, "env": None}, env)
        errors = run.report.get("errors")
        if errors or len(run.report.get("diagnostics") or []) != 1:
            raise SystemExit(f"{editor}: no diagnostic ({errors}); server log:\n{run.stderr}")
        return float(run.report["first_diagnostic_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cores, load = os.cpu_count(), os.getloadavg()[0]
    print(f"{cores} cores, load average {load:.1f} (the figures grow with the load)")
    found = neovims()
    old = [v for v in found if v < (0, 11)]
    new = [v for v in found if v >= (0, 11)]
    programs = {
        "nvim 0.7": found[max(old)] if old else None,
        "nvim 0.11": found[max(new)] if new else None,
        "emacs": shutil.which("emacs"),
    }
    for editor, program in programs.items():
        if program is None:
            print(f"{editor}: not installed, left out")
            continue
        times = sorted(once(editor, program) for _ in range(args.runs))
        print(
            f"{editor}: median {statistics.median(times):.0f} ms over {args.runs} runs "
            f"(min {times[0]:.0f}, max {times[-1]:.0f}): " + ", ".join(f"{t:.0f}" for t in times)
        )


if __name__ == "__main__":
    main()
