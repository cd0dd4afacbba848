"""The editor snippets as the README prints them, so that the tests run exactly what a
user copies: a snippet is the n-th fenced block of a language under a heading of the README
(up to the next heading of the same or a higher level)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
FENCE = re.compile(r"^(`{3,})([\w+-]*)\s*$")
HEADING = re.compile(r"^(#{1,6}) (.*?)\s*$")


def _lines(text: str) -> Iterator[tuple[str, str | None]]:
    """Each line with the language of the fenced block it is inside (None outside, "" for a
    block without a language); fence lines themselves are inside."""
    fence, language = "", None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if language is None and m:
            fence, language = m.group(1), m.group(2)
            yield line, language
        elif language is not None and m and m.group(1) == fence and not m.group(2):
            yield line, language
            language = None
        else:
            yield line, language


def section(heading: str, text: str | None = None) -> str:
    """The text under the heading titled ``heading`` (any level) of ``text`` (the README)."""
    text = README.read_text(encoding="utf-8") if text is None else text
    level = 0
    body: list[str] = []
    for line, language in _lines(text):
        h = HEADING.match(line) if language is None else None
        if level and h and len(h.group(1)) <= level:
            break
        if level:
            body.append(line)
        elif h and h.group(2) == heading:
            level = len(h.group(1))
    if not level:
        raise AssertionError(f"README.md has no heading {heading!r}")
    return "\n".join(body)


def blocks(text: str, language: str) -> list[str]:
    """The contents of the fenced ``language`` blocks of ``text``, without their fences."""
    found: list[str] = []
    body: list[str] = []
    fence, lang = "", None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if lang is None:
            if m:
                fence, lang, body = m.group(1), m.group(2), []
        elif m and m.group(1) == fence and not m.group(2):
            if lang == language:
                found.append("\n".join(body) + "\n")
            lang = None
        else:
            body.append(line)
    return found


def snippet(heading: str, language: str, index: int = 0) -> str:
    """The ``index``-th ``language`` block under ``heading`` in the README."""
    found = blocks(section(heading), language)
    if len(found) <= index:
        raise AssertionError(
            f"README.md: under {heading!r} there is no {language} block number {index + 1}"
        )
    return found[index]
