"""The regular expressions texgrad's modules make at import are the same in every process.

A pattern joined from a set (``"|".join(sorted(words, key=len))``) takes the set's order for
words of one length, and a str set's order changes with the process's hash seed: the pattern's
text then differs from one process to the next, so ``regex_code`` (which keeps compiled code by
pattern) misses it at every start and its file grows by each new spelling.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"

_DUMP = """
import re, sys
import texgrad.shapes.check, texgrad.calculus.api, texgrad.reading.markdown, texgrad.cli
out = []
for name, module in sorted(sys.modules.items()):
    if name == "texgrad" or name.startswith("texgrad."):
        for value in vars(module).values():
            if isinstance(value, re.Pattern):
                out.append(repr((name, value.pattern, value.flags)))
print(len(out))
print("\\n".join(sorted(out)))
"""


def _patterns(seed: str) -> str:
    env = {
        **os.environ,
        "PYTHONHASHSEED": seed,
        "PYTHONPATH": str(SERVER),
        "TEXGRAD_CODE_CACHE": "off",
    }
    done = subprocess.run(
        [sys.executable, "-c", _DUMP],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def test_module_patterns_do_not_depend_on_the_hash_seed() -> None:
    first, second = _patterns("1"), _patterns("2")
    assert int(first.split("\n", 1)[0]) > 100  # (the modules' patterns were found)
    if first != second:
        differ = sorted(set(first.splitlines()) ^ set(second.splitlines()))
        raise AssertionError("patterns that change with the hash seed:\n" + "\n".join(differ[:6]))
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()
