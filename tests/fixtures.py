r"""The fixture language of texgrad's tests, in the style of texlab's.

Several files in one string, each introduced by a line ``%! name.tex``
(a fixture without such a line is one file, ``main.tex``).  Inside a file:

- a line holding only white space and ``^`` characters marks the ranges of
  the line above it that the test expects, one per group of carets (the line
  itself is removed);
- with ``cursor=True``, one ``|`` marks the cursor and is removed (use
  ``\vert`` for bars in such fixtures).

>>> f = parse_fixture('''
... %! main.tex
... $Ax = b$
...  ^^
... ''')
>>> f.files["main.tex"]
'$Ax = b$\n'
>>> f.ranges["main.tex"]
[(1, 3)]
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

_FILE_LINE = re.compile(r"^%! (\S+)\s*$")
_MARK_LINE = re.compile(r"^[\s^]*\^[\s^]*$")


@dataclass
class Fixture:
    files: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    cursor: tuple[str, int] | None = None  # (file name, offset)

    def write(self, folder: Path) -> dict[str, Path]:
        """Write the files below ``folder``; return their paths by name."""
        paths = {}
        for name, text in self.files.items():
            p = folder / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
            paths[name] = p
        return paths

    @property
    def main(self) -> str:
        return next(iter(self.files))


def parse_fixture(text: str, *, cursor: bool = False) -> Fixture:
    text = textwrap.dedent(text).lstrip("\n")
    fx = Fixture()
    name = "main.tex"
    lines: list[str] = []
    chunks: list[tuple[str, list[str]]] = []
    for line in text.splitlines(keepends=True):
        m = _FILE_LINE.match(line)
        if m:
            if lines or chunks:
                chunks.append((name, lines))
            name, lines = m.group(1), []
        else:
            lines.append(line)
    chunks.append((name, lines))
    for fname, flines in chunks:
        out = ""
        ranges: list[tuple[int, int]] = []
        prev_start = 0
        for line in flines:
            if _MARK_LINE.match(line) and out:
                for m in re.finditer(r"\^+", line):  # one range per group of carets
                    ranges.append((prev_start + m.start(), prev_start + m.end()))
                continue
            if cursor and "|" in line and fx.cursor is None:
                col = line.index("|")
                fx.cursor = (fname, len(out) + col)
                line = line[:col] + line[col + 1 :]
            prev_start = len(out)
            out += line
        fx.files[fname] = out
        fx.ranges[fname] = ranges
    return fx


def random_edit(rng: random.Random, text: str, at: int, snippets: list[str], most: int = 4) -> str:
    """``text`` edited at ``at`` as a random-edit test does it: 1 to ``most`` characters
    deleted (three times in ten) or one of ``snippets`` inserted."""
    if rng.random() < 0.3:
        return text[:at] + text[at + rng.randint(1, most) :]
    return text[:at] + rng.choice(snippets) + text[at:]


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``texgrad ARGV`` run in this process."""
    import io
    import sys

    from texgrad import cli

    out, err = io.StringIO(), io.StringIO()
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdout, sys.stderr = real
    return code, out.getvalue(), err.getvalue()


# -- timing-sensitive tests in a process of their own -------------------------------------

FRESH_PROCESS = "TEXGRAD_IN_FRESH_PROCESS"


def in_fresh_process_only() -> pytest.MarkDecorator:
    """Skip the test in a long-lived test worker; :func:`run_in_fresh_process` runs it.
    For scheduling tests that measure whether one document waits behind another: in a
    worker that has run thousands of tests, they fail for reasons of the worker's own
    (seen in CI, not reproduced otherwise), not of the server's."""
    return pytest.mark.skipif(
        not os.environ.get(FRESH_PROCESS), reason="run by run_in_fresh_process"
    )


def run_in_fresh_process(node: str) -> None:
    """Run one test (``path::name``) in a fresh pytest process; fail with its output."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", node],
        env={**os.environ, FRESH_PROCESS: "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and "1 passed" in done.stdout, (
        done.stdout[-4000:] + done.stderr[-2000:]
    )
