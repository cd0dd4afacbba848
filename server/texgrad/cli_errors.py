"""What the command line says when something goes wrong, and the exit status it sets.

One line on stderr per problem, ``texgrad: …``, naming the file; never a traceback unless
``--debug`` asks for it. The exit statuses are documented in ``texgrad check --help`` and the
README, and CI tells them apart: a crash (``EXIT_INTERNAL``) is never mistaken for a finding.
"""

from __future__ import annotations

import sys
from typing import TextIO

EXIT_OK = 0  # nothing found (check), a verified result (diff)
EXIT_FINDINGS = 1  # errors found (check), no verified result (diff)
EXIT_USAGE = 2  # bad usage or input: a missing, unreadable or empty path, a bad option
EXIT_INTERNAL = 3  # a bug in texgrad: an exception while checking or differentiating
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT

EXIT_STATUSES = (
    "exit status: 0 no errors found; 1 errors found; 2 bad usage or input (a missing, "
    "unreadable or empty path named: each is named on stderr; what a named folder holds and "
    "is not read is said as 'skipped' and does not change the status); 3 internal error (a bug in texgrad: "
    "the other files are still checked; --debug prints the traceback)"
)

# The reading layer's problems that mean a named file was not read at all: the command line
# reports them as input errors (EXIT_USAGE), not as findings in the file.
UNREAD_CODES = frozenset({"not-text", "read-failed", "file-too-large"})

_LONGEST = 240  # characters of an exception's message said on its line


def say(message: str, err: TextIO | None = None) -> None:
    """One line on stderr: ``texgrad: message``."""
    print(f"texgrad: {message}", file=err if err is not None else sys.stderr)


def one_line(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    if len(first) > _LONGEST:
        first = first[: _LONGEST - 1] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def internal_error(what: str, exc: BaseException, debug: bool) -> list[str]:
    """The lines an exception while doing ``what`` prints: one line, or with ``debug`` the
    traceback after it (as text, so that a worker process can hand it to the parent)."""
    if debug:
        import traceback  # (only here: not on every command's start)

        lines = [f"texgrad: internal error while {what}: {one_line(exc)}"]
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return lines + trace.rstrip("\n").splitlines()
    return [f"texgrad: internal error while {what}: {one_line(exc)} (run with --debug for the traceback)"]  # fmt: skip


def not_found(raw: str, suffixes: tuple[str, ...]) -> str:
    """``no such file: x.tex`` for a name that looks like a document, else ``… or folder``."""
    kind = "file" if raw.lower().endswith(suffixes) else "file or folder"
    return f"no such {kind}: {raw}"


def with_path(message: str, name: str, shown: str) -> str:
    """A reading problem's message (which names the file by its base ``name``) said with the
    path the user knows the file by: ``cannot read sub/x.tex: Permission denied``."""
    if name and name in message:
        return message.replace(name, shown, 1)
    return f"{shown}: {message}"
