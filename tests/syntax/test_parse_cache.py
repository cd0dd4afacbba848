r"""Parsed rows kept on disk (syntax/parse_cache.py): a cached parse is a fresh one; an edit,
another grammar or another version misses; a damaged file or a folder that cannot be written
is parsed around, said once, never a crash; writers never leave half a file."""

from __future__ import annotations

import dataclasses
import io
import logging
import os
import pickle
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from texgrad.reading.document import clear_caches
from texgrad.shapes.check import Checker
from texgrad.syntax import parse_cache as pc
from texgrad.syntax import tree as t
from texgrad.syntax.parse_cache import ParseCache

REPO = Path(__file__).resolve().parents[2]
COOKBOOK = REPO.parent / "shared" / "corpus" / "matrix-cookbook-md" / "main.md"

DOC = r"""# Notes

Let $A \in \mathbb{R}^{m \times n}$ and $x \in \mathbb{R}^n$.

$$
y = A x + b, \qquad f(x) = \|A x - b\|^2
$$

Then $z = x^\top A$ has a problem.
"""


@pytest.fixture(autouse=True)
def _unsaid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process: no failure of the cache said yet."""
    monkeypatch.setattr(pc, "_said", False)


def _fields(node: object) -> object:
    """Every field of a tree, source ranges and spans included."""
    if isinstance(node, t.Node):
        return (
            type(node).__name__,
            *(_fields(getattr(node, f.name)) for f in dataclasses.fields(node)),
        )
    if isinstance(node, tuple):
        return tuple(_fields(x) for x in node)
    return node


def _check(tmp: Path, text: str, cache: ParseCache | None) -> tuple[list[object], list[object]]:
    clear_caches()
    doc = tmp / "notes.md"
    doc.write_text(text, encoding="utf-8")
    result = Checker(cache).check(str(doc), None, tmp, text)
    trees = [_fields(r.tree) for r in result.rows]
    return trees, [(d.code, d.start, d.end, d.message) for d in result.diagnostics]


def test_a_cached_parse_is_a_fresh_one(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "parses")
    fresh = _check(tmp_path, DOC, None)
    first = _check(tmp_path, DOC, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    assert len(list((tmp_path / "parses").glob("*.parses"))) == 1
    again = _check(tmp_path, DOC, cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert fresh == first == again
    assert fresh[1], "the document has a mismatch to report"


@pytest.mark.skipif(not COOKBOOK.is_file(), reason="no shared corpus beside the repository")
def test_the_cookbook_cached_is_the_cookbook_parsed(tmp_path: Path) -> None:
    text = COOKBOOK.read_text(encoding="utf-8")
    cache = ParseCache(tmp_path / "parses")

    def parse(c: ParseCache | None) -> list[object]:
        clear_caches()
        parsed = Checker(c).parsed(str(COOKBOOK), None, COOKBOOK.parent, text)
        return [(r.start, r.end, _fields(r.tree)) for r in parsed.rows]

    fresh = parse(None)
    parse(cache)
    cached = parse(cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert len(fresh) > 1000 and cached == fresh


def test_an_edit_reparses_the_edited_rows_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ParseCache(tmp_path / "parses")
    _check(tmp_path, DOC, cache)
    edited = DOC.replace("z = x^\\top A", "z = A x")
    parsed: list[str] = []
    import texgrad.shapes.check as check_module

    real = check_module.parse_row
    monkeypatch.setattr(
        check_module, "parse_row", lambda text: parsed.append(text.text) or real(text)
    )
    got = _check(tmp_path, edited, cache)
    assert parsed == ["z = A x"]  # the other rows came from the cache, moved where they are now
    monkeypatch.setattr(check_module, "parse_row", real)
    assert got == _check(tmp_path, edited, None)
    assert not got[1]  # the mismatch went with the edit


def test_another_version_or_grammar_misses(tmp_path: Path) -> None:
    folder = tmp_path / "parses"
    _check(tmp_path, DOC, ParseCache(folder, version="one"))
    other = ParseCache(folder, version="two")
    assert other.load(str(tmp_path / "notes.md")) == {}
    assert other.misses == 1
    assert ParseCache(folder, version="one").load(str(tmp_path / "notes.md"))

    # the version follows the grammar, the parser's sources and texgrad's version
    root = tmp_path / "texgrad"
    source = Path(t.__file__).resolve().parents[1]
    for package in ("syntax", "reading"):
        shutil.copytree(
            source / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copytree(
        REPO / "grammar", root / "grammar", ignore=shutil.ignore_patterns("__pycache__")
    )
    before = pc.version_of(root)
    assert pc.version_of(root) == before
    lark = root / "grammar" / "math.lark"
    lark.write_text(lark.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    after_grammar = pc.version_of(root)
    build = root / "syntax" / "build.py"
    build.write_text(build.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after_builder = pc.version_of(root)
    assert len({before, after_grammar, after_builder}) == 3
    import texgrad

    original = texgrad.__version__
    try:
        texgrad.__version__ = original + ".post1"
        assert pc.version_of(root) != after_builder
    finally:
        texgrad.__version__ = original


def test_the_version_covers_every_module_a_parse_runs() -> None:
    """Every texgrad module that parse_row imports lies in a package the version hashes."""
    code = (
        "import sys, texgrad.syntax.parse, texgrad.syntax.parse_cache; "
        "print('\\n'.join(m for m in sys.modules if m.startswith('texgrad.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(out.stdout.split())
    assert "texgrad.syntax.lalr" in modules
    # (texgrad.cache_folder says where the files go, texgrad.dataclass_code keeps the code the
    # dataclasses compile, regex_code the patterns' code, keyed by their text: nothing of what a
    # tree is)
    allowed = {"syntax", "reading", "grammar", "cache_folder", "dataclass_code", "regex_code"}
    assert {m.split(".")[1] for m in modules} <= allowed


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"garbage",
        pc._MAGIC + b"\x80\x05truncated",
        pc._MAGIC + pickle.dumps(("v", "p", {"row": (1, 2)})),
        pc._MAGIC + pickle.dumps((os.system, "p", {})),  # code, not trees: never loaded
    ],
)
def test_a_damaged_file_is_parsed_around_and_replaced(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    cache = ParseCache(tmp_path / "parses")
    expected = _check(tmp_path, DOC, None)
    _check(tmp_path, DOC, cache)
    (file,) = (tmp_path / "parses").glob("*.parses")
    file.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="texgrad.syntax.parse_cache"):
        assert _check(tmp_path, DOC, cache) == expected
    assert "damaged" in caplog.text or "cannot" in caplog.text
    assert cache.misses == 2
    assert _check(tmp_path, DOC, cache) == expected and cache.hits == 1  # rewritten whole


def test_a_node_whose_state_is_cut_short_is_a_miss(tmp_path: Path) -> None:
    """A file of this version and document whose trees' nodes lack fields (a damaged state)
    is a miss, not trees that would fail later."""
    cache = ParseCache(tmp_path / "parses")
    expected = _check(tmp_path, DOC, None)
    _check(tmp_path, DOC, cache)
    (file,) = (tmp_path / "parses").glob("*.parses")
    _, path, entries = pc._TreesOnly(io.BytesIO(file.read_bytes()[len(pc._MAGIC) :])).load()
    made = t.Symbol.__getstate__
    t.Symbol.__getstate__ = lambda self: made(self)[:3]  # type: ignore[method-assign]
    try:
        file.write_bytes(pc._MAGIC + pickle.dumps((cache.version, path, entries)))
    finally:
        t.Symbol.__getstate__ = made  # type: ignore[method-assign]
    misses = cache.misses
    assert _check(tmp_path, DOC, cache) == expected
    assert cache.misses == misses + 1 and cache.hits == 0


def test_a_folder_that_cannot_be_written_is_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    cache = ParseCache(blocked / "parses")
    expected = _check(tmp_path, DOC, None)
    with caplog.at_level(logging.WARNING, logger="texgrad.syntax.parse_cache"):
        assert _check(tmp_path, DOC, cache) == expected
        assert _check(tmp_path, DOC.replace("x^\\top A", "A x"), cache)
        assert _check(tmp_path, DOC, ParseCache(blocked / "parses"))  # another file's Checker
    said = [r for r in caplog.records if "parse cache" in r.getMessage()]
    assert len(said) == 1 and "a-file" in said[0].getMessage()  # once per process


def test_a_path_that_is_not_utf8(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "parses", version="v")
    path = str(tmp_path / "caf\udce9.tex")  # the byte 0xE9 of a Latin-1 name, as Python keeps it
    entries = {"x": (t.Symbol("x", start=3, end=4), 3)}
    cache.save(path, entries)
    assert cache.load(path) == entries and not cache.failed


def test_writers_at_once_leave_whole_files(tmp_path: Path) -> None:
    folder = tmp_path / "parses"
    trees = {f"x_{i}": (t.Symbol(f"x_{i}", start=i, end=i + 1), i) for i in range(200)}
    versions = [dict(list(trees.items())[: 50 + 30 * k]) for k in range(4)]
    failures: list[object] = []

    def write(k: int) -> None:
        cache = ParseCache(folder, version="v")
        for _ in range(15):
            cache.save("doc.md", versions[k])

    def read() -> None:
        cache = ParseCache(folder, version="v")
        for _ in range(60):
            got = cache.load("doc.md")
            if got and got not in versions:
                failures.append(got)
        if cache.failed:
            failures.append("a damaged file was seen")

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=read) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    assert [p.name for p in folder.iterdir() if p.suffix == ".tmp"] == []
    assert ParseCache(folder, version="v").load("doc.md") in versions


def test_the_folder_is_kept_under_its_size(tmp_path: Path) -> None:
    folder = tmp_path / "parses"
    entries = {f"row {i}": (t.Symbol("x" * 50, start=i, end=i + 1), i) for i in range(100)}
    size = len(pickle.dumps(("v", "doc-00.md", entries)))
    cache = ParseCache(folder, version="v", max_bytes=5 * size)
    for i in range(12):
        cache.save(f"doc-{i:02}.md", entries)
        os.utime(cache._file(f"doc-{i:02}.md"), (1000 + i, 1000 + i))  # written in this order
    kept = sorted(folder.glob("*.parses"))
    assert 1 <= len(kept) <= 5
    assert cache.load("doc-11.md") == entries  # the latest kept, the oldest gone
    assert cache.load("doc-00.md") == {}


def test_where_the_cache_is(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TEXGRAD_CACHE_DIR", raising=False)
    monkeypatch.delenv("TEXGRAD_CACHE", raising=False)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert pc.default_folder() == tmp_path / "xdg" / "texgrad" / "parses"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec: absolute only
        assert pc.default_folder() == Path.home() / ".cache" / "texgrad" / "parses"
    monkeypatch.setenv("TEXGRAD_CACHE_DIR", str(tmp_path / "mine"))
    assert pc.default_folder() == tmp_path / "mine"
    cache = ParseCache.for_user()
    assert cache is not None and cache.folder == tmp_path / "mine"
    for off in ("off", "0", "no", "False"):
        monkeypatch.setenv("TEXGRAD_CACHE", off)
        assert pc.default_folder() is None and ParseCache.for_user() is None


def test_check_twice_from_the_command_line(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text(DOC, encoding="utf-8")
    env = {**os.environ, "TEXGRAD_CACHE_DIR": str(tmp_path / "parses")}
    run = [sys.executable, "-m", "texgrad", "check", "--no-derivatives", str(doc)]
    first = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert len(list((tmp_path / "parses").glob("*.parses"))) == 1
    (file,) = (tmp_path / "parses").glob("*.parses")
    written = file.stat().st_mtime_ns
    second = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert file.stat().st_mtime_ns >= written  # read (touched), not written again
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout and "mismatch" in first.stdout


def test_trees_read_back_share_equal_positions_and_names(tmp_path: Path) -> None:
    """Read from the cache, a document's trees hold one object per equal offset, span and
    name, as parsed (pickle writes each int again: shared as read; a name the builder
    interned it writes once); the same trees, and nothing shared once the reading is done."""
    text = DOC + "\nSome words. " * 30 + "\n$$\nA x + A^\\top b = x^\\top x\n$$\n"
    cache = ParseCache(tmp_path / "parses")
    _check(tmp_path, text, cache)
    (file,) = (tmp_path / "parses").glob("*.parses")
    data = file.read_bytes()
    entries = pc._read(data, cache.version, str(tmp_path / "notes.md"))
    plain = pickle.loads(data[len(pc._MAGIC) :])[2]  # (no sharing: what it saves)
    nodes = [n for tree, _ in entries.values() if tree is not None for n in tree.walk()]
    assert len(nodes) > 40
    assert [_fields(tree) for tree, _ in entries.values()] == [
        _fields(tree) for tree, _ in plain.values()
    ]
    by_value: dict[object, set[int]] = {}
    for n in nodes:
        for v in (n.start, n.end, n.span, getattr(n, "name", None)):
            if v is not None:
                by_value.setdefault(v, set()).add(id(v))
    assert all(len(ids) == 1 for ids in by_value.values())
    names = [n.name for n in nodes if isinstance(n, t.Symbol)]
    assert names.count("A") >= 3 and names.count("x") >= 3
    big = [v for v in by_value if isinstance(v, int) and v > 256]
    assert big, "offsets past the small ints Python shares anyway"
    plain_ids: dict[object, set[int]] = {}
    for tree, _ in plain.values():
        for n in tree.walk() if tree is not None else ():
            for v in (n.start, n.end):
                plain_ids.setdefault(v, set()).add(id(v))
    assert any(len(plain_ids[v]) > 1 for v in big)
    assert t._memo is None
