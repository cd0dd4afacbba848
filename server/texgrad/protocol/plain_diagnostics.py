"""A document's diagnostics as the JSON the server publishes, made without pygls or
lsprotocol (issue 17: importing them takes ~0.46 s of CPU before a first diagnostic can
be sent; see "First diagnostics of a cold server" in ``docs/internals/fronts.md``).

:func:`diagnostics_json` gives, for an :class:`~texgrad.workspace.Analysis`, the list
``protocol/diagnostics.py``'s ``diagnostics_of`` makes, as pygls's converter unstructures
it: the same fields (camelCase, absent ones left out), positions counted in the agreed
encoding as ``protocol/convert.py`` counts them with pygls's codec, and file URIs as
``pygls.uris.from_fs_path`` writes them.  ``tests/protocol/test_plain_diagnostics.py``
holds the two equal over the corpus' documents in the three encodings.

Standard library and texgrad's analysis types only: it is meant to run before the
server is loaded (the plan's step 3; not used by the server yet).
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlunparse

if TYPE_CHECKING:
    from texgrad.reading.problems import ReadProblem
    from texgrad.shapes.diagnostics import Diagnostic, Fix
    from texgrad.workspace import Analysis

SOURCE = "texgrad"  # (protocol/diagnostics.py's)
# LSP's DiagnosticSeverity: Error 1, Warning 2, Information 3, Hint 4
_SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}
_README = Path(__file__).resolve().parents[3] / "README.md"  # (as protocol/diagnostics.py)
_BREAK = re.compile(r"\r\n|\r|\n")
_DRIVE = re.compile(r"^\/[a-zA-Z]:")


def _utf8(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))  # (a lone surrogate: 3, as pygls counts)


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


UNITS: dict[str, Callable[[str], int]] = {"utf-8": _utf8, "utf-16": _utf16, "utf-32": len}


def file_uri(path: str) -> str:
    """A path's URI as ``pygls.uris.from_fs_path`` writes it."""
    netloc = ""
    if os.name == "nt":
        path = path.replace("\\", "/")
    if path[:2] == "//":
        idx = path.index("/", 2)
        netloc, path = path[2:idx], path[idx:]
    if not path.startswith("/"):
        path = "/" + path
    if _DRIVE.match(path):
        path = path[0] + path[1].lower() + path[2:]
    quoted = path[:3] + quote(path[3:]) if _DRIVE.match(path) else quote(path)
    return urlunparse(("file", quote(netloc), quoted, "", "", ""))


class Positions:
    """Offsets into one text as LSP positions (``protocol/convert.py``'s ``Positions``:
    lines split at ``\\n``, ``\\r\\n`` and ``\\r``; clamped, never inside a ``\\r\\n``)."""

    __slots__ = ("text", "units", "starts", "_ascii")

    def __init__(self, text: str, encoding: str):
        self.text = text
        self.units = UNITS[encoding]
        if "\r" in text:
            self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        else:
            self.starts = [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]
        self._ascii = text.isascii()

    def _line_end(self, line: int) -> int:
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            return end - 2 if self.text.startswith("\r\n", end - 2) else end - 1
        return len(self.text)

    def position(self, offset: int) -> dict[str, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        offset = min(offset, self._line_end(line))
        if self._ascii:
            return {"line": line, "character": offset - start}
        return {"line": line, "character": self.units(self.text[start:offset])}

    def range(self, start: int, end: int) -> dict[str, dict[str, int]]:
        return {"start": self.position(start), "end": self.position(max(start, end))}


def diagnostics_json(
    analysis: Analysis, encoding: str, uri_of: Callable[[str], str] = file_uri
) -> list[dict[str, Any]]:
    """The diagnostics published for ``analysis`` (``diagnostics_of``'s, unstructured);
    ``uri_of``: a path's URI (the server's names an open document by the URI it was
    opened with)."""
    made: dict[tuple[str, int], Positions] = {}

    def positions_of(path: str, text: str) -> Positions:
        key = (path, id(text))
        if key not in made:
            made[key] = Positions(text, encoding)
        return made[key]

    out: list[dict[str, Any]] = []
    if analysis.note:
        zero = {"line": 0, "character": 0}
        out.append(
            {
                "range": {"start": zero, "end": dict(zero)},
                "message": analysis.note,
                "severity": _SEVERITY["information"],
                "code": "not-analysed",
                "source": SOURCE,
            }
        )
    result = analysis.result
    if result is None:
        return out
    texts = dict(result.table.texts)
    texts[result.path] = analysis.text
    for p in analysis.problems:
        out.append(_problem(positions_of(result.path, analysis.text), p))
    for d in [*result.diagnostics, *analysis.findings]:
        out.append(_diagnostic(d, texts, positions_of, uri_of))
    return out


def _problem(pos: Positions, p: ReadProblem) -> dict[str, Any]:
    return {
        "range": pos.range(p.start, p.end),
        "message": p.message,
        "severity": _SEVERITY.get(p.severity, _SEVERITY["warning"]),
        "code": p.code,
        "source": SOURCE,
    }


def _diagnostic(
    d: Diagnostic,
    texts: Mapping[str, str],
    positions_of: Callable[[str, str], Positions],
    uri_of: Callable[[str], str],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "range": positions_of(d.path, texts.get(d.path, "")).range(d.start, d.end),
        "message": d.message,
        "severity": _SEVERITY.get(d.severity, _SEVERITY["error"]),
        "code": d.code,
    }
    href = _help_href(d.code)
    if href is not None:
        out["codeDescription"] = {"href": href}
    out["source"] = SOURCE
    related = [
        {
            "location": {
                "uri": uri_of(r.path),
                "range": positions_of(r.path, texts[r.path]).range(r.start, r.end),
            },
            "message": r.message,
        }
        for r in d.related
        if r.path in texts
    ]
    if related:
        out["relatedInformation"] = related
    if d.fixes:
        out["data"] = {"fixes": [_fix(f, texts, positions_of, uri_of) for f in d.fixes]}
    return out


def _help_href(code: str) -> str | None:
    from texgrad.shapes.undeclared import HELP  # (as protocol/diagnostics.help_link)

    anchor = HELP.get(code)
    if anchor is None or not _README.is_file():
        return None
    return _README.as_uri() + anchor[anchor.index("#") :]


def _fix(
    f: Fix,
    texts: Mapping[str, str],
    positions_of: Callable[[str, str], Positions],
    uri_of: Callable[[str], str],
) -> dict[str, Any]:
    return {
        "title": f.title,
        "uri": uri_of(f.path),
        "range": positions_of(f.path, texts.get(f.path, "")).range(f.start, f.end),
        "newText": f.text,
    }
