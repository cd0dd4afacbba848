"""Run a piece of texgrad in a child process with a hard wall-clock limit.

A hang in C code (a power of big integers in sympy, a product of many terms) cannot be
interrupted from inside the process; a child killed at its limit can.  The child prints
one JSON value on its last line of output, which the test reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from typing import Any


def run_bounded(code: str, limit: float) -> tuple[Any, float]:
    """Run ``code`` (Python; its last line of output is JSON) in a child process killed after
    ``limit`` seconds (then the test fails); its value and the seconds it took."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no answer within {limit} s") from None
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-2000:]
    return json.loads(lines[-1]), took
