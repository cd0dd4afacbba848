"""The regular expressions texgrad's modules compile, kept beside texgrad's bytecode as the
arguments Python's compiler gave ``_sre.compile`` (``texgrad/regex_code.py``): the same
patterns as Python's own (``Pattern`` equality compares their compiled code), read again by
the next process, never stale (an edited pattern is another key), nothing at all where the
file is damaged, of other values, or cannot be written, and safe from threads.

The processes run with a bytecode folder of their own (``PYTHONPYCACHEPREFIX``), which is
where the kept file goes; no timing is asserted (figures: ``benchmarks/cold.py``)."""

from __future__ import annotations

import json
import marshal
import os
import re
import subprocess
import sys
import threading
from array import array
from pathlib import Path

import pytest

from texgrad import regex_code

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="re._compiler: Python 3.11 and later"
)

# A process importing the shape checker and a module of its own (an "edited" pattern), then
# saying how many patterns it compiled and whether every kept one is Python's own.
PROBE = r"""
import json, re
import texgrad.shapes.check
from texgrad import regex_code as rc
import probe_module as p
kept = {k: v for k, v in rc.read_kept().items() if k not in rc._damaged}  # (the file's)
same = all(rc._sre.compile(*rc._given(args)) == rc._real_compile(*key) for key, args in kept.items())
print(json.dumps({
    "compiled": len(rc._new),
    "kept": len(kept),
    "installed": re._compiler.compile is rc._compile,
    "file": str(rc.code_file()),
    "same": same,
    "probe": [p.P.pattern, p.P.flags, p.P.groups, dict(p.P.groupindex),
              p.P.findall("ab12 AB3 x"), p.P.sub(r"<\g<word>>", "ab12 AB3")],
}))
"""

PROBE_MODULE = """
import re

P = re.compile(r"(?P<word>[a-z]+)(?P<digits>\\d{count})", re.IGNORECASE)
"""


def _run(tmp: Path, count: str = "+", **env: str) -> dict[str, object]:
    (tmp / "probe_module.py").write_text(PROBE_MODULE.format(count=count), encoding="utf-8")
    full = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    full["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    full["PYTHONHASHSEED"] = "0"  # (two of texgrad's patterns are joined from sets of words)
    full["PYTHONPATH"] = os.pathsep.join([str(tmp), *sys.path])
    full.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=full, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # (nothing said: a damaged or unwritable file is a miss)
    return json.loads(proc.stdout)


PROBED = ["(?P<word>[a-z]+)(?P<digits>\\d+)", (re.IGNORECASE | re.UNICODE).value, 2, {"word": 1, "digits": 2},
          [["ab", "12"], ["AB", "3"]], "<ab> <AB>"]  # fmt: skip


def test_a_second_process_compiles_nothing_and_its_patterns_are_pythons(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first["installed"] is True
    assert first["compiled"] > 150  # (the checker's modules' patterns)
    kept = Path(str(first["file"]))
    assert kept.is_file() and str(kept).startswith(str(tmp_path / "pycache"))
    assert sys.implementation.cache_tag in kept.name  # (another Python: another file)
    assert str(regex_code._sre.MAGIC) in kept.name  # (another regular expression engine too)
    second = _run(tmp_path)
    assert second["compiled"] == 0 and second["kept"] == first["compiled"]
    assert second["same"] is True
    assert second["probe"] == first["probe"] == PROBED


def test_an_edited_pattern_is_compiled_anew(tmp_path: Path) -> None:
    _run(tmp_path, count="+")
    edited = _run(tmp_path, count="{2}")
    assert edited["compiled"] == 1  # (its pattern changed)
    assert edited["probe"][0] == "(?P<word>[a-z]+)(?P<digits>\\d{2})"
    assert edited["probe"][4] == [["ab", "12"]]
    again = _run(tmp_path, count="{2}")
    assert again["compiled"] == 0 and again["probe"] == edited["probe"] and again["same"]


@pytest.mark.parametrize(
    "damage", [b"", b"garbage", b"texgrad-regex-code-2\n\x00\x01", b"texgrad-regex-code-2\n"]
)
def test_a_damaged_file_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    kept = Path(str(_run(tmp_path)["file"]))
    data = kept.read_bytes()
    kept.write_bytes(damage or data[: len(data) // 2])  # (b"": cut in the middle)
    after = _run(tmp_path)
    assert after["compiled"] > 150 and after["probe"] == PROBED
    assert _run(tmp_path)["compiled"] == 0  # (written whole again)


def test_a_file_of_other_values_is_not_used(tmp_path: Path) -> None:
    kept = Path(str(_run(tmp_path)["file"]))
    key = ("(?P<word>[a-z]+)(?P<digits>\\d+)", re.IGNORECASE.value)
    wrong = {  # (another pattern's arguments under its key; values of other types)
        key: ("(?P<word>[a-z]+)(?P<digits>\\d+)", 34, _code([1, 2, 3]), 0, {}, (None,)),
        ("x", 0): ("y", 32, _code([1]), 0, {}, (None,)),
        ("z", 0): ("z", 32, "code", 0, {}, (None,)),
        ("w", 0): ("w", 32, [17, 4, 0], 0, {}, (None,)),  # (a list: the first format's)
        ("v", 0): ("v", 32, b"\x11\x00", 0, {}, (None,)),  # (half a code)
        1: 2,
    }
    kept.write_bytes(b"texgrad-regex-code-2\n" + marshal.dumps(wrong))
    after = _run(tmp_path)
    assert after["probe"] == PROBED and after["same"] is True  # (its kept code invalid)
    assert after["compiled"] > 150


def test_an_unwritable_folder_and_no_bytecode_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "pycache").write_text("a file where the folder would be", encoding="utf-8")
    assert _run(tmp_path)["compiled"] > 150  # (and nothing on stderr: _run)
    other = tmp_path / "other"
    other.mkdir()
    first = _run(other, PYTHONDONTWRITEBYTECODE="1")
    assert not Path(str(first["file"])).exists()


def test_turned_off(tmp_path: Path) -> None:
    off = _run(tmp_path, TEXGRAD_CODE_CACHE="off")
    assert off["installed"] is False and off["compiled"] == 0
    assert not Path(str(off["file"])).exists()
    assert off["probe"] == PROBED


def test_patterns_compiled_by_threads_at_once_are_each_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each thread's miss sees its own ``_sre.compile`` call (the lock): every pattern kept
    is the one Python compiles for its key."""
    if re._compiler.compile is not regex_code._compile:  # type: ignore[attr-defined]
        pytest.skip("turned off")
    # (an empty table: a worker that ran many tests before holds near MAX_ENTRIES patterns
    # already, and those past it are not kept — the KeyError seen once under xdist)
    monkeypatch.setattr(regex_code, "_new", {})
    texts = [f"(?P<g{i}>a{{{i}}})|b{i}[c-{chr(100 + i % 20)}]+" for i in range(400)]
    made: dict[str, re.Pattern[str]] = {}

    def compile_some(part: list[str]) -> None:
        for text in part:
            made[text] = regex_code._compile(text, 0)

    threads = [threading.Thread(target=compile_some, args=(texts[i::4],)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(made[x] == regex_code._real_compile(x, 0) for x in texts)
    for x in texts:
        assert regex_code._sre.compile(*regex_code._given(regex_code._new[(x, 0)])) == made[x]
        regex_code._new.pop((x, 0))


def _code(codes: list[int]) -> bytes:
    return array("I", codes).tobytes()


def test_a_code_of_anything_but_whole_32_bit_codes_is_not_valid() -> None:
    from texgrad.regex_code import _valid

    key = ("ab", 32)
    assert _valid(key, ("ab", 32, _code([17, 4, 0]), 0, {}, (None,)))
    for code in ([17, 4, 0], _code([17, 4, 0])[:-1], "code", bytearray(_code([17]))):
        assert not _valid(key, ("ab", 32, code, 0, {}, (None,)))


def test_the_code_is_kept_as_bytes_and_given_back_as_the_same_ints() -> None:
    """What ``_sre.compile`` was given comes back from the kept bytes as the same list,
    codes past 2**16 included, and a pattern made of it is Python's own."""
    from texgrad.regex_code import _given, _kept_args

    seen = ("ab", 32, [17, 4, 0, 70000, 2**32 - 1], 0, {}, (None,))
    kept = _kept_args("ab", seen)
    assert kept is not None and kept[2].__class__ is bytes and len(kept[2]) == 20
    assert _given(kept) == seen
    assert _kept_args("ab", ("ab", 32, [17, -1], 0, {}, (None,))) is None
    assert _kept_args("ab", ("ab", 32, [17, 2**32], 0, {}, (None,))) is None
    if re._compiler.compile is regex_code._compile:  # type: ignore[attr-defined]
        text = "(?P<w>[a-z]+)\\d{2,7}?"
        made = regex_code._compile(text, 0)
        assert regex_code._sre.compile(*regex_code._given(regex_code._new[(text, 0)])) == made
        assert made == regex_code._real_compile(text, 0)
        regex_code._new.pop((text, 0))


# A process that compiles the probe's pattern, then says what it holds of the file.
HELD = r"""
import json, re
from texgrad import regex_code as rc
import probe_module as p
key = (p.P.pattern, re.IGNORECASE.value)
print(json.dumps({"held": key in (rc._kept or {}), "compiled": len(rc._new),
                  "in_file": key in rc.read_kept()}))
"""


def test_an_entry_used_is_let_go_of_and_stays_in_the_file(tmp_path: Path) -> None:
    """A pattern made from the kept file is not held by the process after (Python keeps
    the pattern); the file keeps it when the process writes what it compiled besides."""
    _run(tmp_path)  # (the file: the checker's patterns and the probe's)
    full = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    full.update(PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"), PYTHONHASHSEED="0",
                PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))  # fmt: skip

    def held(extra: str = "") -> dict[str, object]:
        code = HELD + extra
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=full, timeout=300)  # fmt: skip
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        return json.loads(proc.stdout.splitlines()[0])

    # a new pattern compiled besides: the file is written again, the used entries kept
    got = held("re.compile('texgrad-probe-[0-9]{3}-new')\n")
    assert got == {"held": False, "compiled": 0, "in_file": True}
    again = held()
    assert again == {"held": False, "compiled": 0, "in_file": True}
    assert ("texgrad-probe-[0-9]{3}-new", 0) in _file_keys(tmp_path)


def _file_keys(tmp: Path) -> set[object]:
    found = list((tmp / "pycache").rglob("regex_code.*.marshal"))
    assert len(found) == 1
    data = found[0].read_bytes()
    assert data.startswith(b"texgrad-regex-code-2\n")
    return set(marshal.loads(data[len(b"texgrad-regex-code-2\n") :]))
