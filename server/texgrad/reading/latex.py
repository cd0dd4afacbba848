r"""Find math in LaTeX source: regions, macro definitions and the files it includes.

One left-to-right pass over the file, in the modes TeX itself has: text, where
comments, ``\verb``, verbatim-like environments and macro definitions are
skipped; and math, entered by ``$``, ``$$``, ``\(``, ``\[`` or a display
environment, left by its closer.  Math never spans a blank line (TeX stops
with an error there too), so an unclosed ``$`` spoils one region and reading
goes on after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from texgrad.reading.macros import DEFINITION_COMMANDS, balanced_group, parse_definition
from texgrad.reading.packages import package_macros
from texgrad.reading.problems import ReadProblem
from texgrad.reading.regions import Include, RawRegion, ScanResult

MATH_ENVIRONMENTS = frozenset(
    name + star
    for name in (
        "equation", "align", "alignat", "flalign", "gather", "multline", "eqnarray",
        "math", "displaymath", "xalignat", "dmath", "IEEEeqnarray",
    )
    for star in ("", "*")
)  # fmt: skip

NON_MATH_ENVIRONMENTS = frozenset(
    {
        "verbatim", "verbatim*", "Verbatim", "Verbatim*", "BVerbatim", "LVerbatim",
        "lstlisting", "minted", "comment", "alltt", "filecontents", "filecontents*",
        "pycode", "sagecode", "juliacode", "luacode", "luacode*", "tcblisting",
    }
)  # fmt: skip

# Commands whose braced argument is text even inside math (it may hold nested $…$).
TEXT_COMMANDS = frozenset(
    {
        "text", "mbox", "textrm", "textbf", "textit", "textsf", "texttt", "textup",
        "textnormal", "hbox", "intertext", "shortintertext", "makebox", "fbox", "framebox",
        "parbox", "textsc", "emph",
    }
)  # fmt: skip

INCLUDE_COMMANDS = (
    "input",
    "include",
    "subfile",
    "import",
    "subimport",
    "includefrom",
    "subincludefrom",
    "inputfrom",
    "subinputfrom",
    "InputIfFileExists",  # \InputIfFileExists{file}{then}{else}: the file, where it exists
)


# The events of each mode; rescan.py looks at them near an edit too.
TEXT_EVENTS = re.compile(r"%|\\(?:[A-Za-z@]+\*?|.)|\$\$?|\n", re.S)
MATH_EVENTS = re.compile(r"%|\\(?:[A-Za-z@]+\*?|.)|\$\$?|\n[ \t]*\r?\n|[{}]", re.S)
_MAGIC_ROOT = re.compile(r"%\s*!\s*tex\s+root\s*=\s*(.+?)\s*$", re.I | re.M)
_ENV_NAME = re.compile(r"\s*\{([^{}\n]*)\}")
_ALIGNAT_ARG = re.compile(r"\s*\{[^{}]*\}")
_FI = re.compile(r"\\fi(?![A-Za-z@])")
_INPUT_FILE = re.compile(r"[ \t]+([^\s{}%\\]+)")  # \input file, without braces

# \import{dir/}{file} and its kin name a directory, then a file
_TWO_ARGUMENTS = frozenset(
    {"import", "subimport", "includefrom", "subincludefrom", "inputfrom", "subinputfrom"}
)
# Math openers in text: closer, display, kind.
_MATH_OPENERS = {
    "$": ("$", False, "inline"),
    "$$": ("$$", True, "display"),
    "\\(": ("\\)", False, "inline"),
    "\\[": ("\\]", True, "display"),
}


def magic_root(text: str) -> str | None:
    """The root named by a ``% !TEX root = …`` line near the top."""
    m = _MAGIC_ROOT.search(text[:4000])
    return m.group(1) if m else None


def scan(text: str, extra_environments: frozenset[str] = frozenset(), path: str = "") -> ScanResult:
    """Scan a LaTeX file (or a fragment of one, e.g. a Markdown paragraph).

    Text mode: each event found is handed to its entry in :data:`_TEXT_HANDLERS` (one per
    command or character that matters), which reads on and says where to go on from;
    any other event (``\\alpha``, a line break) is passed over.
    """
    out = ScanResult()
    out.magic_root = magic_root(text)
    reader = _Text(text, out, MATH_ENVIRONMENTS | extra_environments, path)
    handlers = _TEXT_HANDLERS
    pos = 0
    while m := TEXT_EVENTS.search(text, pos):
        tok = m.group(0)
        handler = handlers.get(tok)
        pos = m.end() if handler is None else handler(reader, tok, m.start(), m.end())
    return out


class _Text:
    """What the text-mode handlers share: the file, where they record, its environments."""

    __slots__ = ("text", "out", "envs", "path")

    def __init__(self, text: str, out: ScanResult, envs: frozenset[str], path: str) -> None:
        self.text, self.out, self.envs, self.path = text, out, envs, path


# -- text mode: one handler per event; each gets (reader, event, its start, its end) and
# returns where reading goes on


def _comment(r: _Text, tok: str, start: int, pos: int) -> int:
    nl = r.text.find("\n", pos)
    return len(r.text) if nl < 0 else nl + 1


def _math_opener(r: _Text, tok: str, start: int, pos: int) -> int:
    closer, display, kind = _MATH_OPENERS[tok]
    return read_math(r.text, r.out, start, tok, closer, display=display, kind=kind)


def _begin(r: _Text, tok: str, start: int, pos: int) -> int:
    """An environment: math, one to skip whole (verbatim) or one whose body is text."""
    em = _ENV_NAME.match(r.text, pos)
    if em is None:
        return pos
    env = em.group(1).strip()
    if env in NON_MATH_ENVIRONMENTS:
        return _skip_environment(r.text, r.out, start, em.end(), env)
    if env not in r.envs:
        return em.end()
    body_start = em.end()
    if env.startswith(("alignat", "xalignat")):  # \begin{alignat}{2}
        arg = _ALIGNAT_ARG.match(r.text, body_start)
        if arg:
            body_start = arg.end()
    return read_math(
        r.text, r.out, start, "\\begin", "\\end{" + env + "}",
        display=env not in ("math", "math*"), kind=env, body_start=body_start,
    )  # fmt: skip


def _verb(r: _Text, tok: str, start: int, pos: int) -> int:
    r"""``\verb|…|``: to the next copy of its delimiter on the same line."""
    text = r.text
    if pos < len(text):
        verb_close = text.find(text[pos], pos + 1)
        nl = text.find("\n", pos)
        if verb_close >= 0 and (nl < 0 or verb_close < nl):
            return verb_close + 1
    return pos


def _iffalse(r: _Text, tok: str, start: int, pos: int) -> int:
    fi = _FI.search(r.text, pos)
    return len(r.text) if fi is None else fi.end()


def _definition(r: _Text, tok: str, start: int, pos: int) -> int:
    macro, end = parse_definition(r.text, start, r.path)
    if macro is None:
        return pos
    r.out.definitions.append(macro)
    return end


def _argument_after_options(text: str, pos: int) -> tuple[int, int] | None:
    """Where the braced argument after ``pos`` opens and closes, past an optional ``[…]``
    (``\\documentclass[11pt]{article}``, ``\\usepackage[margin=1in]{geometry}``); None if
    there is none or it is not closed."""
    i = _skip_blank(text, pos)
    if i < len(text) and text[i] == "[":
        close = balanced_group(text, i, "[", "]")
        if close is None:
            return None
        i = _skip_blank(text, close)
    if i >= len(text) or text[i] != "{":
        return None
    close = balanced_group(text, i)
    return None if close is None else (i, close)


def _documentclass(r: _Text, tok: str, start: int, pos: int) -> int:
    r"""``\documentclass[opts]{mythesis}``: a root, and an include of ``mythesis.cls`` (a
    local class defines the notation as a local package does; ``\LoadClass`` too)."""
    if tok == "\\documentclass":
        r.out.has_documentclass = True
    text = r.text
    found = _argument_after_options(text, pos)
    if found is None:
        return pos
    i, close = found
    name = text[i + 1 : close - 1].strip()
    if re.fullmatch(r"[\w./-]+", name) and name != "subfiles":
        r.out.includes.append(Include("usepackage", name + ".cls", start, close))
    return close


def _ensuremath(r: _Text, tok: str, start: int, pos: int) -> int:
    r"""``\ensuremath{…}``: its argument is inline math."""
    text = r.text
    j = pos
    while j < len(text) and text[j] in " \t":
        j += 1
    if j < len(text) and text[j] == "{":
        close = balanced_group(text, j)
        if close is not None:
            r.out.regions.append(
                RawRegion("inline", "\\ensuremath", start, close, j + 1, close - 1, False)
            )
            return close
    return pos


def _skip_environment(text: str, out: ScanResult, start: int, pos: int, env: str) -> int:
    end_marker = "\\end{" + env + "}"
    close = text.find(end_marker, pos)
    if close < 0:
        out.problems.append(
            ReadProblem(
                f"\\begin{{{env}}} is not closed; the rest of the file is read as {env}",
                start,
                pos,
                "warning",
                "unclosed-environment",
            )
        )
        return len(text)
    return close + len(end_marker)


def _include(r: _Text, tok: str, start: int, pos: int) -> int:
    r"""``\input{file}`` and its kin: an include of the file."""
    text, command = r.text, tok[1:]
    args: list[str] = []
    want = 2 if command in _TWO_ARGUMENTS else 1
    i = pos
    n = len(text)
    for _ in range(want):
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == "{":
            close = balanced_group(text, i)
            if close is None:
                return pos
            args.append(text[i + 1 : close - 1].strip())
            i = close
        else:
            break
    if not args and command == "input":  # \input file (TeX primitive syntax)
        m = _INPUT_FILE.match(text, pos)
        if m:
            args.append(m.group(1))
            i = m.end()
    if len(args) != want:
        return pos
    if want == 1:
        target = args[0]
    else:  # \import{dir/}{file}; an empty directory means the file alone
        directory = args[0].rstrip("/")
        target = directory + "/" + args[1] if directory else args[1]
    r.out.includes.append(Include(command, target, start, i))
    return i


def _includeonly(r: _Text, tok: str, start: int, pos: int) -> int:
    r"""``\includeonly{chapters/a,chapters/b}``: the ``\include`` files LaTeX reads; the
    others are left out of the document (a thesis compiled one chapter at a time)."""
    text = r.text
    i = _skip_blank(text, pos)
    if i >= len(text) or text[i] != "{":
        return pos
    close = balanced_group(text, i)
    if close is None:
        return pos
    inner = re.sub(r"%[^\n]*", "", text[i + 1 : close - 1])
    names = tuple(only_name(n) for n in inner.split(",") if n.strip())
    if r.out.include_only is None:  # (LaTeX keeps the first)
        r.out.include_only = names
    return close


def only_name(target: str) -> str:
    r"""How ``\includeonly`` and ``\include`` name a file: as written, without ``.tex``."""
    name = target.strip()
    return name[: -len(".tex")] if name.endswith(".tex") else name


def _usepackage(r: _Text, tok: str, start: int, pos: int) -> int:
    r"""``\usepackage[opts]{a,b}``: an include of ``a.sty`` and ``b.sty``.

    A project reads the ones that exist in its folder (local macro packages);
    the others are system packages and are not reported; those that give calculus
    commands (physics' ``\pdv``, ``\grad``, ``\norm``) define them here.
    """
    text = r.text
    found = _argument_after_options(text, pos)
    if found is None:
        return pos
    i, close = found
    inner = re.sub(r"%[^\n]*", "", text[i + 1 : close - 1])
    for name in inner.split(","):
        name = name.strip()
        if name and re.fullmatch(r"[\w./-]+", name):
            r.out.includes.append(Include("usepackage", name + ".sty", start, close))
            r.out.definitions.extend(package_macros(name, start, close, r.path))
    return close


def _skip_blank(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


_TEXT_HANDLERS: dict[str, Callable[[_Text, str, int, int], int]] = {
    "%": _comment,
    **dict.fromkeys(_MATH_OPENERS, _math_opener),
    "\\begin": _begin,
    "\\begin*": _begin,
    "\\verb": _verb,
    "\\verb*": _verb,
    "\\iffalse": _iffalse,
    **{"\\" + name + star: _definition for name in DEFINITION_COMMANDS for star in ("", "*")},
    "\\documentclass": _documentclass,
    "\\LoadClass": _documentclass,
    "\\LoadClassWithOptions": _documentclass,
    **{"\\" + name: _include for name in INCLUDE_COMMANDS},
    "\\usepackage": _usepackage,
    "\\RequirePackage": _usepackage,
    "\\includeonly": _includeonly,
    "\\ensuremath": _ensuremath,
}


# -- math mode


def read_math(
    text: str,
    out: ScanResult,
    start: int,
    opener: str,
    closer: str,
    *,
    display: bool,
    kind: str,
    body_start: int | None = None,
) -> int:
    """Read math from after the opener to its closer; record a region or a problem and
    return where reading goes on (rescan.py reads one region again with it)."""
    body = len(opener) + start if body_start is None else body_start
    excluded: list[tuple[int, int]] = []
    found = _math_end(text, body, closer, opener == "\\begin", excluded)
    if found is None:  # unclosed: report on the opener, resume right after it
        what = f"\\begin{{{kind}}}" if opener == "\\begin" else opener
        out.problems.append(
            ReadProblem(
                f"math opened by {what} is not closed (expected {closer} before the paragraph ends)",
                start, body, "error", "unclosed-math",
            )
        )  # fmt: skip
        return body
    body_end, end, kept = found
    out.regions.append(
        RawRegion(kind, opener, start, end, body, body_end, display, tuple(excluded[:kept]))
    )
    return end


def _math_end(  # noqa: C901 - the hot scanning loop: inlined on purpose, no calls per event
    text: str, pos: int, closer: str, is_env: bool, excluded: list[tuple[int, int]]
) -> tuple[int, int, int] | None:
    """Where the math from ``pos`` ends: (body end, end, comments in it), or None before a
    blank line; the comments met are added to ``excluded`` (the hot loop: no calls per event)."""
    n = len(text)
    depth = 0  # braces opened inside the math
    nested: tuple[int, int, int] | None = None  # the first closer met inside braces
    while m := MATH_EVENTS.search(text, pos):
        tok = m.group(0)
        pos = m.end()
        if tok == "%":  # a comment, to the end of its line: not math
            nl = text.find("\n", pos)
            pos = n if nl < 0 else nl
            excluded.append((m.start(), pos))
        elif tok[0] == "\n":
            break  # a blank line: math cannot go on
        elif tok == "{":
            depth += 1
        elif tok == "}":
            depth = max(0, depth - 1)
        elif tok[0] == "$" or tok in ("\\)", "\\]"):
            # `$a$$b$`: the first $ closes, the second opens new math
            if tok == closer or (closer == "$" and tok == "$$"):
                at = (m.start(), m.start() + len(closer), len(excluded))
                if depth == 0:
                    return at
                # Inside a group the closer cannot end the math (TeX would stop with
                # an error): it belongs to text in the group, e.g. a tikz node's
                # {$x$}.  Should the group never close, this is where math ends.
                if nested is None:
                    nested = at
        elif tok == "\\end" and is_env:
            em = _ENV_NAME.match(text, pos)
            if em and "\\end{" + em.group(1).strip() + "}" == closer:
                return m.start(), em.end(), len(excluded)
        elif tok[1:] in TEXT_COMMANDS:  # \text{…}: may hold a nested $…$
            j = pos
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "{":
                close = balanced_group(text, j)
                if close is not None:
                    pos = close
    return nested  # unbalanced braces: end at the first closer after all (None: unclosed)
