"""A regular (non-editable) install ships the grammar and parses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_regular_install_finds_the_grammar(tmp_path: Path) -> None:
    # Built from a copy of what the wheel is made of: setuptools writes build/ and *.egg-info
    # next to pyproject.toml, which must not happen in the checkout while other tests run.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("server", "grammar"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(source)],
        check=True, timeout=300, capture_output=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("texgrad-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "texgrad/grammar/math.lark" in names
    assert "texgrad/grammar/math.tables.json" in names  # the parse tables (syntax/lalr.py)
    assert "texgrad/syntax/parse.py" in names
    # every module of the package ships (a new subpackage must be listed in pyproject.toml)
    modules = {f"texgrad/{p.relative_to(REPO / 'server' / 'texgrad').as_posix()}"
               for p in (REPO / "server" / "texgrad").rglob("*.py")}  # fmt: skip
    assert modules - set(names) == set()

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, timeout=300, capture_output=True,
    )  # fmt: skip
    code = (
        "import texgrad, texgrad.syntax.parse as p, texgrad.reading.source as s, texgrad.syntax.show as sh;"
        "print(texgrad.__file__);"
        "print(sh.show(p.parse_row(s.MappedText.identity(r'x^\\top A x')).tree))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    where, tree = proc.stdout.splitlines()
    assert where.startswith(str(target))  # the installed copy, not the checkout
    assert tree == "(Product (Transpose:\\top x) A x)"


def test_ci_runs_the_readme_test_command() -> None:
    # .ci/run is the README's one-line test command from a clean clone: they must not drift.
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ci.startswith("python3 -m venv .venv && "), ci
    assert ci.endswith(" -m pytest -n auto"), ci  # on every core (pytest-xdist)
    assert f"```sh\n{ci}\n```" in readme, ci
