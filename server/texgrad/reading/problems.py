"""What the reader reports: a problem met while reading, with where it is.

A module of its own because every stage of reading makes them (the scanners, macro
expansion, region building, the project walk) and the stages import each other only
downward: this module imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "information"]


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Something the reader could not read as written (an error is local to one region)."""

    message: str
    start: int
    end: int
    severity: Severity = "error"
    code: str = "read-error"
