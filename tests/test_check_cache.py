r"""``texgrad check`` keeps each unit's results on disk (``cli_check_cache.py``, issue 17): a
second check of unchanged files prints what the first printed, without loading the analysis;
any change to what was read (an edit, an included file, a new root, the options), to
texgrad's code or grammar, or to its version, is a miss; a damaged or foreign file is a miss;
a folder that cannot be written leaves the check as without a cache; a result cut short by
a time limit, an internal error or an unread file is not kept."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from texgrad import cli
from texgrad import cli_check_cache as cc
from texgrad.cli_check_cache import CheckCache

WRONG = r"Let $x \in \mathbb{R}^n$. Then $\frac{\partial x^\top x}{\partial x} = 3x$." "\n"
RIGHT = r"Let $x \in \mathbb{R}^n$. Then $\frac{\partial x^\top x}{\partial x} = 2x$." "\n"
MISMATCH = r"Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$; then $x A$." "\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The check cache on, in a folder of this test; a fresh run's project memo."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("TEXGRAD_CACHE_DIR", str(folder))
    monkeypatch.delenv("TEXGRAD_CHECK_CACHE", raising=False)
    monkeypatch.delenv("TEXGRAD_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    return folder / "checks"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    real_out, real_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdout, sys.stderr = real_out, real_err
    return code, out.getvalue(), err.getvalue()


def kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def test_a_kept_result_is_the_fresh_one(cache: Path, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(WRONG + MISMATCH, encoding="utf-8")
    for fmt in ("text", "json", "sarif"):
        first = run("check", "--format", fmt, "a.md")
        second = run("check", "--format", fmt, "a.md")
        assert first == second
    assert first[0] == 1 and len(kept(cache)) == 1
    records = json.loads(run("check", "--format", "json", "a.md")[1])
    assert {r["code"] for r in records} == {"wrong-derivative", "matmul-mismatch"}
    fixed = [r for r in records if r["code"] == "wrong-derivative"][0]["fixes"]
    assert fixed and fixed[0]["text"] == "2 x"


def test_an_edit_is_checked_again(cache: Path, tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text(WRONG, encoding="utf-8")
    assert "[wrong-derivative]" in run("check", "a.md")[1]
    doc.write_text(RIGHT, encoding="utf-8")
    assert run("check", "a.md") == (0, "", "")
    doc.write_text(WRONG, encoding="utf-8")
    assert "[wrong-derivative]" in run("check", "a.md")[1]
    assert len(kept(cache)) == 1  # (one file per unit: replaced, not piled up)


def test_a_change_to_what_a_project_reads_is_checked_again(cache: Path, tmp_path: Path) -> None:
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\input{defs}\n$x A$\n\\end{document}\n",
        encoding="utf-8",
    )
    defs = proj / "defs.tex"
    defs.write_text(r"Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$." "\n", "utf-8")
    first = run("check", "p/main.tex")
    assert first[0] == 1 and "[matmul-mismatch]" in first[1]
    assert run("check", "p/main.tex") == first
    # the included file changes: x is now a row, x A fits
    defs.write_text(r"Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^{1 \times m}$." "\n", "utf-8")  # fmt: skip
    assert run("check", "p/main.tex") == (0, "", "")
    # the included file goes missing: said where it is included
    defs.unlink()
    gone = run("check", "p/main.tex")
    assert gone != (0, "", "") and gone == run("check", "p/main.tex")


def test_a_new_root_is_a_new_project(cache: Path, tmp_path: Path) -> None:
    proj = tmp_path / "q"
    proj.mkdir()
    (proj / "part.tex").write_text("$x A$\n", encoding="utf-8")
    alone = run("check", "q/part.tex")
    assert alone[0] == 0  # undeclared: nothing to say of its shapes
    (proj / "main.tex").write_text(
        "\\documentclass{article}\n"
        r"Let $A \in \mathbb{R}^{m \times n}$, $x \in \mathbb{R}^n$." "\n"
        "\\input{part}\n",
        encoding="utf-8",
    )  # fmt: skip
    rooted = run("check", "q/part.tex")
    assert rooted[0] == 1 and "[matmul-mismatch]" in rooted[1]


def test_the_options_and_the_working_folder_key_the_result(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.md").write_text(WRONG, encoding="utf-8")
    assert "[wrong-derivative]" in run("check", "a.md")[1]
    assert run("check", "--no-derivatives", "a.md") == (0, "", "")
    assert "[wrong-derivative]" in run("check", "a.md")[1]
    (tmp_path / "b.md").write_text(MISMATCH + "And $A y$.\n", encoding="utf-8")
    assert "[unknown-shape]" not in run("check", "b.md")[1]
    explained = run("check", "--explain", "b.md")[1]  # not the result kept without --explain
    assert "[matmul-mismatch]" in explained and "[unknown-shape]" in explained
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    code, out, _ = run("check", "../a.md")
    assert code == 0 and out.startswith("../a.md:1:")  # printed relative to where it runs


def test_code_grammar_and_version_changes_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import texgrad

    root = Path(texgrad.__file__).resolve().parent
    copy = tmp_path / "texgrad"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    grammar = cc._grammar_folder()
    shutil.copytree(grammar, tmp_path / "grammar") if grammar is not None else None
    monkeypatch.setattr(cc, "_grammar_folder", lambda: tmp_path / "grammar")
    before = cc.version_of(copy)
    assert cc.version_of(copy) == before
    rule = copy / "shapes" / "rules" / "products.py"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after_rule = cc.version_of(copy)
    lark = tmp_path / "grammar" / "math.lark"
    if (copy / "grammar").is_dir():  # (an installed package holds its grammar)
        lark = copy / "grammar" / "math.lark"
    lark.write_text(lark.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    after_grammar = cc.version_of(copy)
    monkeypatch.setattr(texgrad, "__version__", texgrad.__version__ + ".post1")
    after_version = cc.version_of(copy)
    assert len({before, after_rule, after_grammar, after_version}) == 4
    # and what the cache reads under one version, another does not
    kept_by = CheckCache(tmp_path / "c", version=before)
    name = kept_by.name(["/x.md"], ())
    outcome = {"messages": [], "records": [], "errors": 0, "bad": False, "internal": False}
    kept_by.save(name, kept_by.key(name, ["k"]), [outcome])
    assert kept_by.load(name, kept_by.key(name, ["k"]), 1) == [outcome]
    other = CheckCache(tmp_path / "c", version=after_rule)
    assert other.load(other.name(["/x.md"], ()), other.key(name, ["k"]), 1) is None


def test_a_damaged_or_foreign_file_is_a_miss(cache: Path, tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(WRONG, encoding="utf-8")
    first = run("check", "a.md")
    [file] = kept(cache)
    good = file.read_bytes()
    stored = json.loads(good)
    stored["outcomes"][0]["records"][0]["line"] = "one"
    for damage in (b"", b"\x00\xff garbage", good[: len(good) // 2], b'{"magic": "other"}',
                   json.dumps(stored).encode(), b"[1, 2]"):  # fmt: skip
        file.write_bytes(damage)
        assert run("check", "a.md") == first
        assert file.read_bytes() == good  # written again, whole


def test_a_folder_that_cannot_be_written_checks_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEXGRAD_CHECK_CACHE", raising=False)
    monkeypatch.delenv("TEXGRAD_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("TEXGRAD_CACHE_DIR", str(blocker))
    (tmp_path / "a.md").write_text(WRONG, encoding="utf-8")
    first = run("check", "a.md")
    assert "[wrong-derivative]" in first[1]
    assert run("check", "a.md") == first
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"


def test_turned_off_nothing_is_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.md").write_text(WRONG, encoding="utf-8")
    for variable in ("TEXGRAD_CHECK_CACHE", "TEXGRAD_CACHE"):
        monkeypatch.setenv(variable, "off")
        run("check", "a.md")
        assert kept(cache) == []
        monkeypatch.delenv(variable)
    run("check", "a.md")
    assert len(kept(cache)) == 1


def test_results_cut_short_or_failed_are_not_kept(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.md").write_text(WRONG, encoding="utf-8")
    code, _, err = run("check", "--derivatives-budget", "0", "a.md")
    assert "time budget" in err or "not checked" in err
    assert kept(cache) == []
    real = cli._check_file

    def broken(*args: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_check_file", broken)
    assert run("check", "a.md")[0] == cli.EXIT_INTERNAL
    assert kept(cache) == []
    monkeypatch.setattr(cli, "_check_file", real)
    (tmp_path / "b.md").write_bytes(b"\x00\x01 not text")
    run("check", "b.md")
    assert kept(cache) == []
    assert "[wrong-derivative]" in run("check", "a.md")[1] and len(kept(cache)) == 1


def test_concurrent_writers_leave_whole_files(tmp_path: Path) -> None:
    caches = [CheckCache(tmp_path / "c", version="v") for _ in range(4)]
    name = caches[0].name(["/x.md"], ())
    outcome = {"messages": ["m" * 5000], "records": [], "errors": 0, "bad": False,
               "internal": False}  # fmt: skip
    seen: list[object] = []

    def write(c: CheckCache) -> None:
        for _ in range(30):
            c.save(name, c.key(name, ["k"]), [outcome])
            seen.append(c.load(name, c.key(name, ["k"]), 1))

    threads = [threading.Thread(target=write, args=(c,)) for c in caches]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert seen and all(s == [outcome] for s in seen)
    assert [p.name for p in (tmp_path / "c").iterdir()] == [name]


def test_the_folder_is_kept_under_its_size(tmp_path: Path) -> None:
    c = CheckCache(tmp_path / "c", version="v", max_bytes=30_000)
    outcome = {"messages": ["m" * 10_000], "records": [], "errors": 0, "bad": False,
               "internal": False}  # fmt: skip
    for i in range(10):
        name = c.name([f"/{i}.md"], ())
        c.save(name, c.key(name, []), [outcome])
        os.utime(tmp_path / "c" / name, (1000 + i, 1000 + i))
    assert 1 <= len(list((tmp_path / "c").iterdir())) <= 3
    last = c.name(["/9.md"], ())
    assert c.load(last, c.key(last, []), 1) == [outcome]  # the newest is kept


def test_a_kept_answer_loads_nothing_of_the_analysis(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(WRONG + MISMATCH, encoding="utf-8")
    script = (
        "import json, sys, io, contextlib\n"
        "from texgrad import cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    status = cli.main(['check', 'a.md'])\n"
        "watched = ['sympy', 'numpy', 'lark', 'multiprocessing', 'markdown_it',\n"
        "           'texgrad.syntax', 'texgrad.shapes', 'texgrad.calculus', 'texgrad.reading.project']\n"
        "print(json.dumps({'status': status, 'out': out.getvalue(),\n"
        "                  'loaded': [w for w in watched if w in sys.modules]}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("TEXGRAD_CHECK_CACHE", "TEXGRAD_CACHE")}
    env["TEXGRAD_CACHE_DIR"] = str(tmp_path / "cache")

    def once() -> dict[str, object]:
        proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=300)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)  # type: ignore[no-any-return]

    first, second = once(), once()
    assert {"sympy", "texgrad.shapes"} <= set(first["loaded"])  # type: ignore[arg-type]
    assert first["status"] == second["status"] == 1
    assert first["out"] == second["out"] and "[wrong-derivative]" in str(first["out"])
    assert second["loaded"] == []


def test_markdown_suffixes_are_the_reading_layers() -> None:
    from texgrad.reading.project import MARKDOWN_SUFFIXES

    assert cli.MARKDOWN_SUFFIXES == MARKDOWN_SUFFIXES
