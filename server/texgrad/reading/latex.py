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

from texgrad.reading.macros import balanced_group, parse_definition
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
)


_TEXT_EVENTS = re.compile(r"%|\\(?:[A-Za-z@]+\*?|.)|\$\$?|\n", re.S)
_MAGIC_ROOT = re.compile(r"%\s*!\s*tex\s+root\s*=\s*(.+?)\s*$", re.I | re.M)
_PAR = re.compile(r"\n[ \t]*(?:\r?\n)")
_ENV_NAME = re.compile(r"\s*\{([^{}\n]*)\}")
_MATH_EVENTS = re.compile(r"%|\\(?:[A-Za-z@]+\*?|.)|\$\$?|\n[ \t]*\r?\n|[{}]", re.S)


def magic_root(text: str) -> str | None:
    """The root named by a ``% !TEX root = …`` line near the top."""
    m = _MAGIC_ROOT.search(text[:4000])
    return m.group(1) if m else None


def scan(text: str, extra_environments: frozenset[str] = frozenset(), path: str = "") -> ScanResult:
    """Scan a LaTeX file (or a fragment of one, e.g. a Markdown paragraph)."""
    envs = MATH_ENVIRONMENTS | extra_environments
    out = ScanResult()
    out.magic_root = magic_root(text)
    pos = 0
    n = len(text)
    while pos < n:
        m = _TEXT_EVENTS.search(text, pos)
        if m is None:
            break
        tok = m.group(0)
        start = m.start()
        pos = m.end()
        if tok == "%":
            nl = text.find("\n", pos)
            pos = n if nl < 0 else nl + 1
        elif tok == "\n":
            continue
        elif tok in ("$", "$$"):
            pos = _math(
                text,
                out,
                start,
                tok,
                tok,
                display=tok == "$$",
                kind="display" if tok == "$$" else "inline",
            )
        elif tok == "\\(":
            pos = _math(text, out, start, tok, "\\)", display=False, kind="inline")
        elif tok == "\\[":
            pos = _math(text, out, start, tok, "\\]", display=True, kind="display")
        elif tok in ("\\begin", "\\begin*"):
            em = _ENV_NAME.match(text, pos)
            if em is None:
                continue
            env = em.group(1).strip()
            if env in NON_MATH_ENVIRONMENTS:
                pos = _skip_environment(text, out, start, em.end(), env)
            elif env in envs:
                body_start = em.end()
                if env.startswith(("alignat", "xalignat")):  # \begin{alignat}{2}
                    arg = re.compile(r"\s*\{[^{}]*\}").match(text, body_start)
                    if arg:
                        body_start = arg.end()
                pos = _math(
                    text,
                    out,
                    start,
                    "\\begin",
                    "\\end{" + env + "}",
                    display=env not in ("math", "math*"),
                    kind=env,
                    body_start=body_start,
                )
            else:
                pos = em.end()
        elif tok in ("\\verb", "\\verb*"):
            if pos < n:
                verb_close = text.find(text[pos], pos + 1)
                nl = text.find("\n", pos)
                if verb_close >= 0 and (nl < 0 or verb_close < nl):
                    pos = verb_close + 1
        elif tok in ("\\iffalse",):
            fi = re.compile(r"\\fi(?![A-Za-z@])").search(text, pos)
            pos = n if fi is None else fi.end()
        elif tok.rstrip("*")[1:] in (
            "newcommand",
            "renewcommand",
            "providecommand",
            "DeclareMathOperator",
            "DeclareRobustCommand",
            "def",
            "gdef",
            "let",
        ):
            macro, end = parse_definition(text, start, path)
            if macro is not None:
                out.definitions.append(macro)
                pos = end
        elif tok == "\\documentclass":
            out.has_documentclass = True
        elif tok[1:] in INCLUDE_COMMANDS:
            pos = _include(text, out, start, pos, tok[1:])
        elif tok in ("\\usepackage", "\\RequirePackage"):
            pos = _usepackage(text, out, start, pos)
        elif tok == "\\ensuremath":
            j = pos
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "{":
                close = balanced_group(text, j)
                if close is not None:
                    out.regions.append(
                        RawRegion("inline", "\\ensuremath", start, close, j + 1, close - 1, False)
                    )
                    pos = close
    return out


def _math(
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
    """Read math from after the opener to its closer; record a region or a problem."""
    body = len(opener) + start if body_start is None else body_start
    pos = body
    n = len(text)
    excluded: list[tuple[int, int]] = []
    is_env = opener == "\\begin"
    depth = 0  # braces opened inside the math
    nested_close: tuple[tuple[int, int], int] | None = None  # a closer met inside braces
    while pos < n:
        m = _MATH_EVENTS.search(text, pos)
        if m is None:
            break
        tok = m.group(0)
        if tok == "%":
            nl = text.find("\n", m.end())
            end = n if nl < 0 else nl
            excluded.append((m.start(), end))
            pos = end
            continue
        if tok.startswith("\n"):
            break  # a blank line: math cannot go on
        if tok == "{":
            depth += 1
            pos = m.end()
            continue
        if tok == "}":
            depth = max(0, depth - 1)
            pos = m.end()
            continue
        close_at: tuple[int, int] | None = None
        if tok in ("$", "$$"):
            if closer == "$" and tok == "$$":
                # `$a$$b$`: the first $ closes, the second opens new math
                close_at = (m.start(), m.start() + 1)
            elif tok == closer:
                close_at = (m.start(), m.end())
        elif tok in ("\\)", "\\]") and tok == closer:
            close_at = (m.start(), m.end())
        if close_at is not None:
            if depth == 0:
                return _close(
                    out, kind, opener, start, body, close_at[0], close_at[1], display, excluded
                )
            # Inside a group the closer cannot end the math (TeX would stop with
            # an error): it belongs to text in the group, e.g. a tikz node's
            # {$x$}.  Should the group never close, this is where math ends.
            if nested_close is None:
                nested_close = (close_at, len(excluded))
            pos = m.end()
            continue
        if tok in ("$", "$$", "\\)", "\\]"):
            pos = m.end()
            continue
        if is_env and tok == "\\end":
            em = _ENV_NAME.match(text, m.end())
            if em and "\\end{" + em.group(1).strip() + "}" == closer:
                return _close(
                    out, kind, opener, start, body, m.start(), em.end(), display, excluded
                )
            pos = m.end()
            continue
        name = tok[1:]
        if name in TEXT_COMMANDS:
            j = m.end()
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] == "{":
                close = balanced_group(text, j)
                if close is not None:
                    pos = close
                    continue
        pos = m.end()
    if nested_close is not None:  # unbalanced braces: end at the first closer after all
        (a, b), n_excluded = nested_close
        return _close(out, kind, opener, start, body, a, b, display, excluded[:n_excluded])
    # unclosed: report on the opener, resume right after it
    what = {"\\begin": f"\\begin{{{kind}}}"}.get(opener, opener)
    out.problems.append(
        ReadProblem(
            f"math opened by {what} is not closed (expected {closer} before the paragraph ends)",
            start,
            body if not is_env else body,
            "error",
            "unclosed-math",
        )
    )
    return body if not is_env else body


def _close(
    out: ScanResult,
    kind: str,
    opener: str,
    start: int,
    body: int,
    body_end: int,
    end: int,
    display: bool,
    excluded: list[tuple[int, int]],
) -> int:
    out.regions.append(
        RawRegion(kind, opener, start, end, body, body_end, display, tuple(excluded))
    )
    return end


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


def _include(text: str, out: ScanResult, start: int, pos: int, command: str) -> int:
    args: list[str] = []
    want = (
        2
        if command
        in ("import", "subimport", "includefrom", "subincludefrom", "inputfrom", "subinputfrom")
        else 1
    )
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
        m = re.compile(r"[ \t]+([^\s{}%\\]+)").match(text, pos)
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
    out.includes.append(Include(command, target, start, i))
    return i


def _usepackage(text: str, out: ScanResult, start: int, pos: int) -> int:
    r"""``\usepackage[opts]{a,b}``: an include of ``a.sty`` and ``b.sty``.

    A project reads the ones that exist in its folder (local macro packages);
    the others are system packages and are not reported.
    """
    i = _skip_blank(text, pos)
    if i < len(text) and text[i] == "[":
        close = balanced_group(text, i, "[", "]")
        if close is None:
            return pos
        i = _skip_blank(text, close)
    if i >= len(text) or text[i] != "{":
        return pos
    close = balanced_group(text, i)
    if close is None:
        return pos
    inner = re.sub(r"%[^\n]*", "", text[i + 1 : close - 1])
    for name in inner.split(","):
        name = name.strip()
        if name and re.fullmatch(r"[\w./-]+", name):
            out.includes.append(Include("usepackage", name + ".sty", start, close))
    return close


def _skip_blank(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i
