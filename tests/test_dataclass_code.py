"""The methods dataclasses write for texgrad's classes, compiled once and kept beside
texgrad's bytecode (``texgrad/dataclass_code.py``): the same code as Python's own, kept
and read again by the next process, never stale (an edited class is another text), and
nothing at all where the file is damaged or cannot be written.

The processes run with a bytecode folder of their own (``PYTHONPYCACHEPREFIX``), which is
where the kept file goes; no timing is asserted (figures: ``benchmarks/cold.py``)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from texgrad import dataclass_code

# A process importing the shape checker and a module of its own (an "edited" class), then
# printing how many texts it compiled and what its classes do.
PROBE = r"""
import json, sys
import texgrad.shapes.check
from texgrad import dataclass_code as dc
from texgrad.syntax import tree as t
import probe_module as p
x = t.Symbol("x", start=1, end=2)
print(json.dumps({
    "compiled": len(dc._new),
    "installed": "exec" in __import__("dataclasses").__dict__,
    "file": str(dc.code_file()),
    "symbol": [repr(x), x == t.Symbol("x", start=1, end=2), hash(x) == hash(t.Symbol("x")),
               t.Symbol("x") == t.Symbol("y")],
    "probe": [repr(p.P(1)), p.P(1) == p.P(1), p.P(1) == p.P(2), sorted(p.P.__init__.__annotations__)],
}))
"""

PROBE_MODULE = """
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class P:
    {name}: int
    rest: list = field(default_factory=list)
"""


def _run(tmp: Path, name: str = "a", **env: str) -> dict[str, object]:
    (tmp / "probe_module.py").write_text(PROBE_MODULE.format(name=name), encoding="utf-8")
    full = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    full["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    full["PYTHONPATH"] = os.pathsep.join([str(tmp), *sys.path])
    full.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=full, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # (nothing said: a damaged or unwritable file is a miss)
    return json.loads(proc.stdout)


def test_a_second_process_compiles_nothing_and_its_classes_behave_alike(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first["installed"] is True
    assert first["compiled"] > 300  # (every method of the checker's classes)
    kept = Path(str(first["file"]))
    assert kept.is_file() and str(kept).startswith(str(tmp_path / "pycache"))
    assert sys.implementation.cache_tag in kept.name  # (another Python: another file)
    second = _run(tmp_path)
    assert second["compiled"] == 0
    assert second["symbol"] == first["symbol"] == ["Symbol(start=1, end=2, from_macro=False, "
                                                   "name='x', font=None, accents=())",
                                                   True, False, False]  # fmt: skip
    assert second["probe"] == first["probe"]


def test_an_edited_class_is_compiled_anew(tmp_path: Path) -> None:
    # (the edit changes the module's size: Python's own bytecode of it is keyed by its size
    # and its modification time in whole seconds, which two runs within a second share)
    _run(tmp_path, name="a")
    edited = _run(tmp_path, name="beta")
    assert edited["compiled"] > 0  # (its methods' texts changed)
    assert edited["probe"] == ["P(beta=1, rest=[])", True, False, ["beta", "rest", "return"]]
    again = _run(tmp_path, name="beta")
    assert again["compiled"] == 0 and again["probe"] == edited["probe"]


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage", b"texgrad-dataclass-code-2\n\x00\x01", b"texgrad-dataclass-code-2\n"],
)
def test_a_damaged_file_is_a_miss(tmp_path: Path, damage: bytes) -> None:
    kept = Path(str(_run(tmp_path)["file"]))
    data = kept.read_bytes()
    kept.write_bytes(damage or data[: len(data) // 2])  # (b"": cut in the middle)
    after = _run(tmp_path)
    assert after["compiled"] > 300
    assert after["symbol"][1:] == [True, False, False]
    assert _run(tmp_path)["compiled"] == 0  # (written whole again)


def test_a_file_of_other_values_is_not_run(tmp_path: Path) -> None:
    kept = Path(str(_run(tmp_path)["file"]))
    import marshal

    kept.write_bytes(b"texgrad-dataclass-code-2\n" + marshal.dumps({"def f(): pass": 1, 2: 3}))
    assert _run(tmp_path)["compiled"] > 300


def test_kept_bytes_that_are_not_a_code_are_compiled(tmp_path: Path) -> None:
    """Every text kept, but its bytes another value's, damaged, or a code object of the
    first format (not bytes): each text is compiled, and its classes behave alike."""
    import marshal

    kept = Path(str(_run(tmp_path)["file"]))
    texts = list(marshal.loads(kept.read_bytes()[len(b"texgrad-dataclass-code-2\n") :]))
    spoilt = [marshal.dumps(1), b"\xff\x00", compile("x = 1", "<string>", "exec")]
    wrong = {text: spoilt[i % 3] for i, text in enumerate(texts)}
    kept.write_bytes(b"texgrad-dataclass-code-2\n" + marshal.dumps(wrong))
    after = _run(tmp_path)
    assert after["compiled"] >= len(texts) - 1 > 300  # (the probe's own: its module's)
    assert after["symbol"][1:] == [True, False, False]
    assert after["probe"][:3] == ["P(a=1, rest=[])", True, False]


def test_an_unwritable_folder_and_no_bytecode_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "pycache").write_text("a file where the folder would be", encoding="utf-8")
    assert _run(tmp_path)["compiled"] > 300  # (and nothing on stderr: _run)
    other = tmp_path / "other"
    other.mkdir()
    first = _run(other, PYTHONDONTWRITEBYTECODE="1")
    assert not Path(str(first["file"])).exists()


def test_turned_off(tmp_path: Path) -> None:
    off = _run(tmp_path, TEXGRAD_CODE_CACHE="off")
    assert off["installed"] is False and off["compiled"] == 0
    assert not Path(str(off["file"])).exists()


def test_the_code_is_what_the_builtin_compiles() -> None:
    """A class made through the kept codes has methods of the same code as Python's own
    (``__future__`` flags of texgrad's modules not inherited: the return annotation is the
    object, not a string)."""

    def make() -> type:
        @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
        class K:
            a: int = 0
            b: tuple[int, ...] = ()

        return K

    assert "exec" in dataclasses.__dict__  # (installed by importing texgrad)
    ours = make()
    dataclass_code.uninstall()
    try:
        theirs = make()
    finally:
        dataclass_code.install()
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        assert getattr(ours, name).__code__ == getattr(theirs, name).__code__, name
    assert ours.__init__.__annotations__["return"] is None
    assert repr(ours(a=1)) == repr(theirs(a=1)).replace(theirs.__qualname__, ours.__qualname__)
