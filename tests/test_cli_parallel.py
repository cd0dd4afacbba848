r"""`texgrad check` on every core: the output of a serial run, byte for byte; the progress
line; one-line errors and the exit statuses (0 clean, 1 findings, 2 usage or input, 3 internal).

The pool is forced (``PARALLEL_MIN_BYTES = 0``) where a test compares it with a serial run: the
fixtures are small, and below the threshold the run would be serial anyway. Forked workers
inherit the test's monkeypatches, so a patched analysis function raises in them too.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import parse_fixture, run_cli
from texgrad import cli, cli_parallel
from texgrad.cli_errors import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from texgrad.cli_parallel import Job, Progress, worth_a_pool
from texgrad.reading import document
from texgrad.shapes.check import Checker

REPO = Path(__file__).resolve().parents[1]

PROJECT = r"""
%! main.tex
\documentclass{article}
\begin{document}
Let $A \in \mathbb{R}^{m \times n}$ and $y \in \mathbb{R}^m$.
\input{sections/one}
\input{sections/two}
\end{document}
%! sections/one.tex
Then $A y$ is wrong, by the declarations of main.tex.
%! sections/two.tex
And $A^\top y \in \mathbb{R}^n$ is right, $y A$ is not.
%! notes.md
Let $B \in \mathbb{R}^{2 \times 3}$ and $v \in \mathbb{R}^2$: $B v$.
%! other.tex
\documentclass{article}
\begin{document}
$x \in \mathbb{R}^k$, $M \in \mathbb{R}^{k \times k}$, $x M x$ and $x^\top M x$.
\end{document}
%! z/alone.md
Let $C \in \mathbb{R}^{4 \times 5}$: $C C$.
"""


run = run_cli  # texgrad ARGV in this process: (status, stdout, stderr)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    parse_fixture(PROJECT).write(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every run of two jobs or more goes to the pool; the list counts the runs that did."""
    pools: list[int] = []
    real = cli_parallel._pooled

    def counted(*args: Any, **kwargs: Any) -> Any:
        pools.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(cli_parallel, "SPAWNED_MIN_BYTES", 0)
    monkeypatch.setattr(cli_parallel, "_pooled", counted)
    return pools


def test_a_project_in_parallel_is_the_serial_output(project: Path, pooled: list[int]) -> None:
    for fmt in ("text", "json"):
        serial = run("check", "--jobs", "1", "--format", fmt, ".")
        assert pooled == []
        parallel = run("check", "--jobs", "2", "--format", fmt, ".")
        assert pooled == [1]
        pooled.clear()
        assert parallel == serial
    code, out, err = serial
    assert code == EXIT_FINDINGS and err == ""
    found = [(r["path"], r["line"], r["code"]) for r in json.loads(out)]
    # the sections are checked with main.tex's declarations, and reported at their own files
    # (in the order of the folder, main.tex first, whose project brings its sections)
    assert found == [
        (os.path.join("sections", "one.tex"), 1, "matmul-mismatch"),
        (os.path.join("sections", "two.tex"), 1, "matmul-mismatch"),
        ("notes.md", 1, "matmul-mismatch"),
        ("other.tex", 3, "matmul-mismatch"),
        (os.path.join("z", "alone.md"), 1, "matmul-mismatch"),
    ]


def test_a_root_named_with_other_files_in_parallel(project: Path, pooled: list[int]) -> None:
    argv = ["check", "z/alone.md", "main.tex", "notes.md", "sections/two.tex"]
    serial = run(*argv, "-j", "1")
    parallel = run(*argv, "-j", "2")
    assert pooled == [1] and parallel == serial
    paths = [line.split(":")[0] for line in serial[1].splitlines() if ": error:" in line]
    # the order named; main.tex brings its sections, and sections/two.tex is reported once
    assert paths == [os.path.join("z", "alone.md"), os.path.join("sections", "one.tex"),
                     os.path.join("sections", "two.tex"), "notes.md"]  # fmt: skip


def test_a_file_two_projects_include_is_read_with_each_ones_macros(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    # common.tex declares \V in R^2: v in a.tex's project, w in b.tex's; both $M \V$ are wrong
    root = "\\documentclass{article}\n\\newcommand{\\V}{%s}\n\\begin{document}\n"
    body = (
        "Let $M \\in \\mathbb{R}^{2 \\times 3}$.\n\\input{common}\nThen $M \\V$.\n\\end{document}\n"
    )
    (tmp_path / "a.tex").write_text(root % "v" + body, "utf-8")
    (tmp_path / "b.tex").write_text(root % "w" + body, "utf-8")
    (tmp_path / "common.tex").write_text("Here $\\V \\in \\mathbb{R}^{2}$.\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    serial = run("check", "-j", "1", "a.tex", "b.tex")
    assert run("check", "-j", "2", "a.tex", "b.tex") == serial and pooled == [1]
    errors = [line.split(": error:")[0] for line in serial[1].splitlines() if ": error:" in line]
    assert errors == ["a.tex:6:7", "b.tex:6:7"]


def test_the_corpus_in_parallel_is_the_serial_output(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    # A quick part of the corpus: a project of five files and three single documents.
    monkeypatch.chdir(corpus)
    argv = ["check", "dlbook-notation", "d2l-en/backprop.md", "mit-matrixcalc/pset2sol.tex"]
    serial = run(*argv, "-j", "1")
    parallel = run(*argv, "-j", "2")
    assert pooled == [1]
    assert parallel == serial
    assert serial[2] == ""


def test_the_whole_corpus_in_parallel_is_the_serial_output(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slow (conftest): the real command, in processes of its own, as a user runs it
    def texgrad(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "texgrad", *argv], capture_output=True,
                              text=True, cwd=corpus.parent, timeout=900)  # fmt: skip

    for fmt in ("text", "json"):
        serial = texgrad("check", "-j", "1", "--format", fmt, corpus.name)
        parallel = texgrad("check", "-j", "2", "--format", fmt, corpus.name)
        assert (parallel.returncode, parallel.stdout, parallel.stderr) == (
            serial.returncode, serial.stdout, serial.stderr,
        )  # fmt: skip
        assert serial.returncode == EXIT_FINDINGS and serial.stdout


def test_without_processes_the_run_is_done_here(
    project: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    serial = run("check", "-j", "1", ".")

    def no_pool(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")  # no /dev/shm: no semaphores

    import concurrent.futures  # (cli_parallel imports the pool where it makes one)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    assert run("check", "-j", "2", ".") == serial
    assert pooled == [1]  # tried, and done in this process


def test_spawned_workers_give_the_same_output(
    project: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    # as on macOS and Windows, where workers are spawned: a fresh interpreter imports texgrad
    # and is sent each unit (its project included) by pickling
    import multiprocessing

    serial = run("check", "-j", "1", "--format", "json", ".")
    monkeypatch.setattr(cli_parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    assert run("check", "-j", "2", "--format", "json", ".") == serial
    assert pooled == [1]


# -- internal errors ---------------------------------------------------------------------


def _raising_on(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Checker.check raises for the file called ``name`` (an analysis bug)."""
    real = Checker.check

    def check(self: Checker, path: str, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == name:
            raise ZeroDivisionError("division by zero\nsecond line")
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(Checker, "check", check)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_exception_in_one_file_is_one_line_and_the_others_are_checked(
    project: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int], jobs: str
) -> None:
    _raising_on(monkeypatch, "notes.md")
    code, out, err = run("check", "-j", jobs, ".")
    assert code == EXIT_INTERNAL
    assert err == (
        "texgrad: internal error while checking notes.md: ZeroDivisionError: division by zero "
        "(run with --debug for the traceback)\n"
    )
    errors = [line.split(":")[0] for line in out.splitlines() if ": error:" in line]
    assert errors == [
        os.path.join("sections", "one.tex"), os.path.join("sections", "two.tex"), "other.tex",
        os.path.join("z", "alone.md"),
    ]  # fmt: skip
    code, _, err = run("check", "-j", jobs, "--debug", ".")
    lines = err.splitlines()
    assert code == EXIT_INTERNAL
    assert lines[0].startswith("texgrad: internal error while checking notes.md: ZeroDivision")
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-2:] == ["ZeroDivisionError: division by zero", "second line"]


def test_inspect_says_an_internal_error_per_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = document.read_document  # (the command imports it where it is used)

    def read(path: str, *args: object, **kwargs: Any) -> Any:
        if Path(path).name == "notes.md":
            raise IndexError("list index out of range")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(document, "read_document", read)
    code, out, err = run("inspect", "--stats", "notes.md", "z/alone.md")
    assert code == EXIT_INTERNAL
    assert err == (
        "texgrad: internal error while reading notes.md: IndexError: list index out of range "
        "(run with --debug for the traceback)\n"
    )
    assert "alone.md" in out


def test_a_worker_that_dies_loses_only_its_own_files(
    project: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    _, everything, _ = run("check", "-j", "1", ".")
    real = Checker.check

    def check(self: Checker, path: str, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == "other.tex":
            os._exit(9)  # as the kernel's out-of-memory killer would end it
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(Checker, "check", check)
    code, out, err = run("check", "-j", "2", ".")
    assert code == EXIT_INTERNAL and pooled
    assert err.splitlines() == [
        "texgrad: internal error while checking other.tex: the process checking it stopped "
        "(BrokenProcessPool: its process was terminated); try --jobs 1"
    ]
    # every other file is reported, as a run without the crash reports it
    lines = everything.splitlines()
    at = lines.index(next(x for x in lines if x.startswith("other.tex:3:")))
    assert out.splitlines() == lines[:at] + lines[at + 3 :]


def test_diff_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from texgrad.calculus import api

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("shape")

    monkeypatch.setattr(api, "diff_latex", broken)
    monkeypatch.setattr(api, "diff_in_document", broken)
    code, out, err = run("diff", r"x^\top A x", "--wrt", "x")
    assert (code, out) == (EXIT_INTERNAL, "")
    assert err == (
        r"texgrad: internal error while differentiating x^\top A x: KeyError: 'shape' "
        "(run with --debug for the traceback)\n"
    )
    doc = tmp_path / "doc.md"
    doc.write_text("Let $x \\in \\mathbb{R}^n$.\n\n$$x^\\top x$$\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("diff", "--file", "doc.md", "--line", "3", "--wrt", "x", "--debug")
    assert code == EXIT_INTERNAL
    assert err.startswith("texgrad: internal error while differentiating line 3 of doc.md: ")
    assert "Traceback (most recent call last):" in err


# -- errors of input and usage -----------------------------------------------------------


def test_input_errors_are_one_line_each_with_status_2(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "empty").mkdir()
    (project / "folder.tex").mkdir()
    code, out, err = run("check", "missing.tex", "nowhere", "empty", "folder.tex", "notes.md")
    assert code == EXIT_USAGE
    assert err.splitlines() == [
        "texgrad: no such file: missing.tex",
        "texgrad: no such file or folder: nowhere",
        "texgrad: no documents in folder: empty (looked for .tex, .ltx, .latex, .md, .markdown, "
        ".qmd, .rmd, .mdx, .ipynb)",
        "texgrad: no documents in folder: folder.tex (looked for .tex, .ltx, .latex, .md, "
        ".markdown, .qmd, .rmd, .mdx, .ipynb)",
    ]
    assert out.startswith("notes.md:1:")  # what could be read is still checked


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_what_a_folder_holds_that_cannot_be_read(project: Path) -> None:
    odd = project / "odd"
    odd.mkdir()
    os.mkfifo(odd / "pipe.tex")  # reading it would wait for ever
    (odd / "loop.tex").symlink_to("loop.tex")
    (odd / "dangling.md").symlink_to("nowhere.md")
    (odd / "ok.md").write_text(r"Let $C \in \mathbb{R}^{4 \times 5}$: $C C$." + "\n", "utf-8")
    code, out, err = run("check", "odd")
    assert code == EXIT_FINDINGS  # what a folder holds and is not read is said, not an error
    assert err.splitlines() == [
        f"texgrad: {os.path.join('odd', 'dangling.md')}: skipped: it does not exist",
        f"texgrad: {os.path.join('odd', 'loop.tex')}: skipped: a symlink loop",
        f"texgrad: {os.path.join('odd', 'pipe.tex')}: skipped: not a regular file",
    ]
    assert out.startswith(os.path.join("odd", "ok.md") + ":1:")


# (an unlistable sub-folder: tests/reading/test_hostile_files.py)


def test_an_unreadable_file_says_so(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # (as root, chmod 000 does not stop reading: the read itself is made to fail)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "notes.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, err = run("check", "notes.md", "z/alone.md")
    assert code == EXIT_USAGE
    assert err == "texgrad: notes.md is not read: permission denied\n"
    assert out.startswith(os.path.join("z", "alone.md") + ":1:")


def test_status_0_when_clean(project: Path) -> None:
    (project / "clean.md").write_text(r"Let $v \in \mathbb{R}^3$: $v^\top v$." + "\n", "utf-8")
    assert run("check", "clean.md") == (EXIT_OK, "", "")


def test_a_broken_pipe_keeps_the_status(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `texgrad check . | head -1` in CI: the findings are still status 1
    def closed(*args: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_print_records", closed)
    assert run("check", "notes.md") == (EXIT_FINDINGS, "", "")


def test_usage_errors_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    version = capsys.readouterr().out
    assert stop.value.code == 0 and version.count("\n") == 1 and version.startswith("texgrad ")
    code, out, err = run()
    assert (code, out) == (EXIT_USAGE, "")
    assert err.splitlines()[-1] == (
        "texgrad: give a command (inspect, check, diff, lsp, settings); texgrad --help says more"
    )
    for argv, said in (
        (["check", "--jobs", "0", "x.tex"], "argument --jobs/-j: must be 1 or more: 0"),
        (["check", "--jobs", "many", "x.tex"], "argument --jobs/-j: not a number: 'many'"),
        (["check", "--format", "xml", "x.tex"], "argument --format: invalid choice: 'xml'"),
    ):
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == EXIT_USAGE
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert err.splitlines()[-1].startswith(f"texgrad check: error: {said}")
    with pytest.raises(SystemExit) as stop:
        cli.main(["check", "--help"])
    assert stop.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 no errors found; 1 errors found; 2 bad usage or input" in help_text
    assert "3 internal error" in help_text and "--jobs N" in help_text


def test_diff_of_a_missing_or_odd_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir.tex").mkdir()
    assert run("diff", "--file", "gone.tex", "--line", "1") == (
        EXIT_USAGE, "", "texgrad: no such file: gone.tex\n",
    )  # fmt: skip
    assert run("diff", "--file", "dir.tex", "--line", "1") == (
        EXIT_USAGE, "", "texgrad: not a regular file: dir.tex\n",
    )  # fmt: skip


# -- the pool's threshold and the progress line ------------------------------------------


def test_small_runs_do_not_start_a_pool() -> None:
    def jobs(*sizes: int) -> list[Job[int]]:
        return [Job(i, size, 1) for i, size in enumerate(sizes)]

    assert not worth_a_pool(jobs(10**7), 8)  # one file, however large
    assert not worth_a_pool(jobs(10**6, 2000, 3000), 8)  # little beside the largest
    assert not worth_a_pool(jobs(*[1000] * 20), 8)  # twenty notes of a kilobyte
    assert not worth_a_pool(jobs(10**6, 10**6), 1)  # --jobs 1
    least = cli_parallel.PARALLEL_MIN_BYTES
    if cli_parallel._context().get_start_method() != "fork":
        least = cli_parallel.SPAWNED_MIN_BYTES
    assert worth_a_pool(jobs(least, least), 2)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_rewritten_in_place_and_cleared() -> None:
    screen = _Terminal()
    progress = Progress(3, screen, delay=0.0)
    progress.advance(1)
    assert screen.getvalue() == "\rchecked 1/3 files"
    progress.last = 0.0
    progress.tick()  # the same line is not written again
    assert screen.getvalue() == "\rchecked 1/3 files"
    progress.say(["texgrad: no such file: x.tex"])  # a message clears the line first
    assert screen.getvalue().endswith("\r" + " " * 17 + "\rtexgrad: no such file: x.tex\n")
    progress.advance(2)
    assert screen.getvalue().endswith("\rchecked 3/3 files")
    progress.clear()
    assert screen.getvalue().endswith("\rchecked 3/3 files\r" + " " * 17 + "\r")

    quiet = _Terminal()
    Progress(400, quiet, delay=60.0).advance(1)  # a short run: nothing before the delay
    assert quiet.getvalue() == ""
    piped = io.StringIO()  # not a terminal: never
    p = Progress(400, piped, delay=0.0)
    p.advance(10)
    p.clear()
    assert piped.getvalue() == ""
