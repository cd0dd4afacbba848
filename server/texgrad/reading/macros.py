r"""User macros: read their definitions, expand them in math, keep the origin map.

Definitions understood: ``\newcommand``, ``\renewcommand``, ``\providecommand``
(each also starred, with ``[n]`` arguments and an optional first-argument
default), ``\def`` with simple ``#1#2`` parameters, ``\let\a\b`` and
``\DeclareMathOperator`` (starred: limits go below, as for ``\max``) and mathtools'
``\DeclarePairedDelimiter{\inner}{\langle}{\rangle}`` (``\inner{x}``, ``\inner*{x}``,
``\inner[\big]{x}`` become ``\langle x \rangle``).

Expansion keeps the map from every produced character back to the source: the
body of a macro maps to the whole call (``\norm{Ax}``), while the characters of
its arguments keep their own positions, so a diagnostic on ``Ax`` lands on
``Ax``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from texgrad.reading.problems import ReadProblem
from texgrad.reading.source import MappedText


@dataclass(frozen=True, slots=True)
class Macro:
    name: str  # without the backslash
    nargs: int
    default: str | None  # default of an optional first argument
    body: str
    kind: (
        # "newcommand", "renewcommand", "providecommand", "def", "let", "operator", "delimiter";
        # "primitive": a \let of a command no macro defines yet (see merge)
        str
    )
    start: int  # the definition's source range (in the file that defines it)
    end: int
    path: str = ""
    # A package command's bodies by the form of its call (see texgrad.reading.packages):
    # ("2", body), ("o2", body with the optional argument as #1), ("(", body), …
    forms: tuple[tuple[str, str], ...] = ()


MacroTable = dict[str, Macro]

# The commands that define a macro, each also starred (the scanners look for them too).
DEFINITION_COMMANDS = (
    "newcommand", "renewcommand", "providecommand", "DeclareMathOperator",
    "DeclareRobustCommand", "def", "gdef", "let", "DeclarePairedDelimiter", "DeclarePairedDelimiterX",
    "NewDocumentCommand", "RenewDocumentCommand", "ProvideDocumentCommand",
    "DeclareDocumentCommand",
)  # fmt: skip
_DEF_START = re.compile(r"\\(" + "|".join(DEFINITION_COMMANDS) + r")(?![A-Za-z@])(\*?)")
_CS = re.compile(r"\\(?:[A-Za-z@]+|.)")
_PARAMS = re.compile(r"(?:#\d)*")


def _skip_space(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\r\n":
        pos += 1
    return pos


def balanced_group(text: str, pos: int, open_: str = "{", close: str = "}") -> int | None:
    """Given text[pos] == open_, the offset just after its matching close, or None."""
    depth = 0
    i = pos
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "%":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _group_at(text: str, pos: int) -> tuple[int, int] | None:
    """A braced group after optional spaces: (offset of its ``{``, offset after its ``}``)."""
    i = _skip_space(text, pos)
    if i >= len(text) or text[i] != "{":
        return None
    close = balanced_group(text, i)
    return None if close is None else (i, close)


def parse_definition(text: str, pos: int, path: str = "") -> tuple[Macro | None, int]:
    """Read a definition starting at ``pos``; return it (or None) and where reading stopped."""
    m = _DEF_START.match(text, pos)
    if m is None:
        return None, pos + 1
    kind, star = m.group(1), m.group(2)
    defined = _defined_name(text, m.end())
    if defined is None:
        return None, m.end()
    name, i = defined
    if kind == "let":
        return _let(text, i, name, pos, path)
    if kind in ("def", "gdef"):
        return _def(text, i, name, pos, path)
    if kind == "DeclareMathOperator":
        return _operator(text, i, name, star, pos, path)
    if kind == "DeclarePairedDelimiter":
        return _delimiter(text, i, name, pos, path)
    if kind == "DeclarePairedDelimiterX":
        return _delimiter_x(text, i, name, pos, path)
    if kind.endswith("DocumentCommand"):
        return _document_command(text, i, name, kind, pos, path)
    return _newcommand(text, i, name, kind, pos, path)


def _defined_name(text: str, i: int) -> tuple[str, int] | None:
    r"""The control sequence being defined, ``{\name}`` or ``\name``: (name, where it ends)."""
    i = _skip_space(text, i)
    if i < len(text) and text[i] == "{":
        close = balanced_group(text, i)
        if close is None:
            return None
        cs = _CS.fullmatch(text[i + 1 : close - 1].strip())
        i = close
    else:
        cs = _CS.match(text, i)
        if cs is not None:
            i = cs.end()
    return None if cs is None else (cs.group(0)[1:], i)


def _let(text: str, i: int, name: str, pos: int, path: str) -> tuple[Macro | None, int]:
    r"""``\let\a\b`` or ``\let\a=\b``: ``\a`` becomes ``\b``."""
    i = _skip_space(text, i)
    if i < len(text) and text[i] == "=":
        i = _skip_space(text, i + 1)
    target = _CS.match(text, i)
    if target is None:
        return None, i
    return Macro(name, 0, None, target.group(0), "let", pos, target.end(), path), target.end()


def _def(text: str, i: int, name: str, pos: int, path: str) -> tuple[Macro | None, int]:
    r"""``\def\a#1#2{body}``."""
    params = _PARAMS.match(text, i)
    nargs = len(params.group(0)) // 2 if params else 0
    i = params.end() if params else i
    group = _group_at(text, i)
    if group is None:
        return None, i
    i, close = group
    return Macro(name, nargs, None, _body(text, i, close), "def", pos, close, path), close


def _operator(
    text: str, i: int, name: str, star: str, pos: int, path: str
) -> tuple[Macro | None, int]:
    r"""``\DeclareMathOperator{\a}{name}``: ``\a`` becomes ``\operatorname{name}``."""
    group = _group_at(text, i)
    if group is None:
        return None, i
    i, close = group
    body = "\\operatorname" + star + "{" + text[i + 1 : close - 1] + "}"
    return Macro(name, 0, None, body, "operator", pos, close, path), close


def _delimiter(text: str, i: int, name: str, pos: int, path: str) -> tuple[Macro | None, int]:
    r"""``\DeclarePairedDelimiter{\inner}{\langle}{\rangle}``: ``\inner{x}`` becomes
    ``\langle x \rangle`` (its star and size argument are skipped where it is called)."""
    left = _group_at(text, i)
    right = _group_at(text, left[1]) if left is not None else None
    if left is None or right is None:
        return None, i
    body = text[left[0] + 1 : left[1] - 1] + " #1 " + text[right[0] + 1 : right[1] - 1]
    return Macro(name, 1, None, body, "delimiter", pos, right[1], path), right[1]


_ARGS_COUNT = re.compile(r"\s*\[\s*(\d)\s*\]")


def _delimiter_x(text: str, i: int, name: str, pos: int, path: str) -> tuple[Macro | None, int]:
    r"""``\DeclarePairedDelimiterX{\inner}[2]{\langle}{\rangle}{#1, #2}``: ``\inner{x}{y}``
    becomes ``\langle x, y \rangle`` (``\delimsize``, the size of the call, dropped)."""
    count = _ARGS_COUNT.match(text, i)
    if count is None:
        return None, i
    left = _group_at(text, count.end())
    right = _group_at(text, left[1]) if left is not None else None
    inner = _group_at(text, right[1]) if right is not None else None
    if left is None or right is None or inner is None:
        return None, i
    middle = _body(text, *inner).replace("\\delimsize", "")
    body = text[left[0] + 1 : left[1] - 1] + " " + middle + " " + text[right[0] + 1 : right[1] - 1]
    return Macro(name, int(count.group(1)), None, body, "delimiter", pos, inner[1], path), inner[1]


def _newcommand(
    text: str, i: int, name: str, kind: str, pos: int, path: str
) -> tuple[Macro | None, int]:
    r"""The ``\newcommand`` family: ``[n]``, then an optional ``[default]``, then ``{body}``."""
    nargs = 0
    default = None
    i = _skip_space(text, i)
    if i < len(text) and text[i] == "[":
        close = text.find("]", i)
        if close < 0:
            return None, i
        try:
            nargs = int(text[i + 1 : close].strip())
        except ValueError:
            return None, close
        i = _skip_space(text, close + 1)
        if i < len(text) and text[i] == "[":
            default_end = balanced_group(text, i, "[", "]")
            if default_end is None:
                return None, i
            default = text[i + 1 : default_end - 1]
            i = _skip_space(text, default_end)
    group = _group_at(text, i)
    if group is None:
        return None, i
    i, close = group
    if kind == "DeclareRobustCommand":
        kind = "newcommand"
    return Macro(name, nargs, default, _body(text, i, close), kind, pos, close, path), close


_XPARSE_KIND = {"New": "newcommand", "Renew": "renewcommand", "Provide": "providecommand",
               "Declare": "newcommand"}  # fmt: skip
# An xparse argument specification read as a \newcommand: mandatory arguments (``m``,
# ``+m``), the first of them perhaps optional with a default (``O{2}``).  Others (``o``
# tested by \IfValueTF, ``s``, ``d()``, ``e{^_}``, processors) are not: the macro stays
# unknown, and the math using it unread rather than read wrong.
_XPARSE_SPEC = re.compile(r"\s*(?:\+?\s*O\s*(\{(?:[^{}]|\{[^{}]*\})*\}))?((?:\s*\+?\s*m)*)\s*")


def _document_command(
    text: str, i: int, name: str, kind: str, pos: int, path: str
) -> tuple[Macro | None, int]:
    r"""xparse's ``\NewDocumentCommand{\norm}{m}{\lVert #1 \rVert}`` (and Renew, Provide,
    Declare): read when its arguments are mandatory, the first perhaps ``O{default}``."""
    spec = _group_at(text, i)
    body = _group_at(text, spec[1]) if spec is not None else None
    if spec is None or body is None:
        return None, i
    m = _XPARSE_SPEC.fullmatch(text, spec[0] + 1, spec[1] - 1)
    if m is None:
        forms = _optional_forms(text, spec, body)
        if forms is None:
            return None, body[1]
        macro_kind = _XPARSE_KIND[kind[: -len("DocumentCommand")]]
        nargs = int(forms[0][0])
        return Macro(name, nargs, None, forms[0][1], macro_kind, pos, body[1], path, forms), body[1]
    default = m.group(1)[1:-1] if m.group(1) is not None else None
    nargs = m.group(2).count("m") + (default is not None)
    macro_kind = _XPARSE_KIND[kind[: -len("DocumentCommand")]]
    macro = Macro(name, nargs, default, _body(text, *body), macro_kind, pos, body[1], path)
    return macro, body[1]


# an optional first argument tested by the whole body: ``{o m}`` with ``\IfNoValueTF{#1}{…}{…}``
_XPARSE_OPTIONAL = re.compile(r"\s*o((?:\s*\+?\s*m)*)\s*")
_IF_VALUE = re.compile(r"\s*\\If(No)?ValueTF\s*\{\s*#1\s*\}")


def _optional_forms(
    text: str, spec: tuple[int, int], body: tuple[int, int]
) -> tuple[tuple[str, str], ...] | None:
    r"""``\NewDocumentCommand{\W}{o}{\IfNoValueTF{#1}{\mathbf{W}}{\mathbf{W}_{#1}}}``: the
    body without the optional argument (its parameters renumbered: ``#2`` is then ``#1``)
    and with it, as a package command's forms (``"1"``, ``"o1"``); None for any other use
    of ``o``."""
    m = _XPARSE_OPTIONAL.fullmatch(text, spec[0] + 1, spec[1] - 1)
    if m is None:
        return None
    inner = body[0] + 1
    test = _IF_VALUE.match(text, inner)
    first = _group_at(text, test.end()) if test is not None else None
    second = _group_at(text, first[1]) if first is not None else None
    if test is None or first is None or second is None or text[second[1] : body[1] - 1].strip():
        return None
    branches = (_body(text, *first), _body(text, *second))
    without, with_value = branches if test.group(1) else branches[::-1]
    if "#1" in without:
        return None
    mandatory = m.group(1).count("m")
    shifted = _PARAM.sub(lambda p: f"#{int(p.group(1)) - 1}", without)
    return ((str(mandatory), shifted), (f"o{mandatory}", with_value))


_COMMENT = re.compile(r"(?<!\\)%[^\n]*\n?[ \t]*")


def _body(text: str, open_: int, close: int) -> str:
    """A definition's body between its braces, without its ``%`` comments (TeX drops them)."""
    return _COMMENT.sub("", text[open_ + 1 : close - 1])


def merge(tables: Iterable[Iterable[Macro]]) -> MacroTable:
    """One table from definitions in reading order: later (re)definitions win,
    ``\\providecommand`` only fills a gap."""
    table: MacroTable = {}
    for defs in tables:
        for d in defs:
            if d.kind == "providecommand" and d.name in table:
                continue
            table[d.name] = _let_resolved(d, table) if d.kind == "let" else d
    return table


def _let_resolved(d: Macro, table: MacroTable) -> Macro:
    r"""``\let\a\b`` as TeX reads it: ``\a`` takes the meaning ``\b`` has now — a user's
    macro (copied under the new name), or else the command itself, which a later
    ``\renewcommand{\b}{\boldsymbol{\a}}`` does not change (``"primitive"``: its body is
    not expanded again, where it would come back to ``\a`` without end)."""
    target = table.get(d.body[1:])
    if target is None:
        return replace(d, kind="primitive")
    return replace(target, name=d.name, start=d.start, end=d.end, path=d.path)


def katex_definitions(text: str, table: MacroTable) -> str:
    r"""``\def`` lines defining the macros of ``table`` that ``text`` uses (and those their
    bodies use), for a renderer that has not read the document: KaTeX, in VS Code's Markdown
    preview of a derivation written with the document's ``\vx`` and ``\mB``.  A macro with
    an optional argument, a package command's forms or a name KaTeX cannot define is left
    out (its math then fails to render as before, no worse)."""
    wanted: list[Macro] = []
    seen: set[str] = set()
    todo = [text]
    while todo:
        for m in _CS.finditer(todo.pop()):
            name = m.group(0)[1:]
            macro = table.get(name)
            if name in seen or macro is None or macro.default is not None or macro.forms:
                continue
            seen.add(name)
            if not name.isalpha() or not name.isascii():
                continue
            wanted.append(macro)
            todo.append(macro.body)
    return "".join(
        f"\\def\\{m.name}{''.join(f'#{i}' for i in range(1, m.nargs + 1))}{{{m.body}}}"
        for m in sorted(wanted, key=lambda m: m.name)
    )


# -- expansion ---------------------------------------------------------------

MAX_DEPTH = 24  # nested expansions before we call it a loop
MAX_GROWTH = 100_000  # characters an expansion may produce
MAX_EXPANSIONS = 2_000  # macro calls expanded in one region (\def\a{\a\a} doubles each time)
# ... and no more than this many per character of the region, besides a few: a short region
# of a doubling macro (``\newcommand{\d}[1]{#1#1}``, ``$\d{\d{…{x}…}}$``) made 2,000 calls,
# each copying what the calls below it made (0.2 s a region: a page of them never ended);
# no document of the corpus or the tests makes more than one call per two characters
EXPANSIONS_PER_CHARACTER = 2
EXPANSIONS_BESIDES = 32
# ... and the characters produced, likewise: \def\a#1{\a{#1#1}} doubles its argument at each
# of 24 levels up to MAX_GROWTH, ~1 s of copying per region — 200 such regions held a check
# for minutes; a real region's macros produce a few times its own length
GROWTH_PER_CHARACTER = 50
GROWTH_BESIDES = 4_000


class _Budget:
    def __init__(self, size: int = 0) -> None:
        self.produced = 0
        self.calls = 0
        self.max_calls = min(MAX_EXPANSIONS, EXPANSIONS_BESIDES + EXPANSIONS_PER_CHARACTER * size)
        self.max_produced = min(MAX_GROWTH, GROWTH_BESIDES + GROWTH_PER_CHARACTER * size)
        self.loops = 0  # expansions cut off so far
        self.exceeded: tuple[str, int, int] | None = None


_OPEN_ENDED = re.compile(r"^\s*#\d|#\d\s*$")
_CALL = re.compile(r"\\([A-Za-z@]+)|\\.")
_PARAM = re.compile(r"#(\d)")
_CONTROL_WORD_END = re.compile(r"(?<!\\)\\[A-Za-z]+$")  # a body's text ending in \lVert


def expand(text: MappedText, table: MacroTable) -> tuple[MappedText, list[ReadProblem]]:
    """Expand every user macro in ``text``; report loops or runaway growth as problems."""
    if not table or "\\" not in text.text:
        return text, []
    budget = _Budget(len(text.text))
    out = _expand(text, table, 0, budget)
    problems = []
    if budget.exceeded is not None:
        name, a, b = budget.exceeded
        problems.append(
            ReadProblem(
                f"macro \\{name} expands without end (recursive definition?); left unexpanded",
                a,
                b,
                "warning",
                "macro-loop",
            )
        )
    return out, problems


def _kept_apart(
    replacement: MappedText, macro: Macro, s: str, at: int, call_end: int, src_a: int, src_b: int
) -> MappedText:
    """The expansion of the call ``s[at:call_end]``, with a space on either side where a
    control word would otherwise run into letters."""
    parts = [replacement]
    # a control word before the call: A^\top\unf{1} of \unf{1} = X_{(1)} is A^\top X_{(1)},
    # not the unknown \topX
    if _after_a_control_word(s, at, replacement.text):
        parts.insert(0, MappedText.synthetic(" ", src_a, src_b))
    # A control word in the body must stay separate from letters that follow the call.
    if macro.body and re.search(r"\\[A-Za-z@]+\s*$", macro.body) and call_end < len(s):
        if s[call_end].isalpha():
            parts.append(MappedText.synthetic(" ", src_a, src_b))
    return parts[0] if len(parts) == 1 else MappedText.concat(parts)


def _after_a_control_word(s: str, at: int, replacement: str) -> bool:
    r"""Whether a call at ``at`` of ``s`` follows a control word (``\top``) and its expansion
    begins with a letter: a space must then keep the two apart."""
    return (
        at > 0
        and s[at - 1].isalpha()
        and replacement[:1].isalpha()
        and _CONTROL_WORD_END.search(s[max(0, at - 40) : at]) is not None
    )


def _expand(text: MappedText, table: MacroTable, depth: int, budget: _Budget) -> MappedText:
    s = text.text
    parts: list[MappedText] = []
    last = 0
    pos = 0
    while True:
        m = _CALL.search(s, pos)
        if m is None:
            break
        name = m.group(1) or m.group(0)[1:]  # a control symbol too: \newcommand{\1}{\mathbf{1}}
        macro = table.get(name)
        if macro is None:
            pos = m.end()
            continue
        if macro.forms:
            call_end, args, body = _read_form(s, m.end(), macro)
            if body is not None:
                macro = replace(macro, body=body, default=None)
        else:
            call_end, args = _read_args(s, m.end(), macro)
        if args is None:
            pos = m.end()
            continue
        src_a, src_b = text.source_range(m.start(), call_end)
        budget.calls += 1
        if (
            depth >= MAX_DEPTH
            or budget.produced > budget.max_produced
            or budget.calls > budget.max_calls
        ):
            if budget.exceeded is None:
                budget.exceeded = (name, src_a, src_b)
            budget.loops += 1
            pos = m.end()
            continue
        replacement = _substitute(
            macro, [None if a < 0 else text.slice(a, b) for a, b in args], src_a, src_b
        )
        if _OPEN_ENDED.search(macro.body):  # the body begins or ends with an argument
            replacement = replacement.as_call(src_a, src_b)
        budget.produced += len(replacement.text)
        loops_before = budget.loops
        if macro.kind != "primitive":  # (\let\a\b of a command \b: \b as TeX has it)
            replacement = _expand(replacement, table, depth + 1, budget)
        if depth == 0 and budget.loops != loops_before:
            # the call expands without end: leave it as written
            pos = call_end
            continue
        parts.append(text.slice(last, m.start()))
        parts.append(_kept_apart(replacement, macro, s, m.start(), call_end, src_a, src_b))
        last = pos = call_end
    if not parts:
        return text
    parts.append(text.slice(last, len(s)))
    return MappedText.concat(parts)


def _read_args(s: str, pos: int, macro: Macro) -> tuple[int, list[tuple[int, int]] | None]:
    """Arguments of a call as (start, end) spans of their contents."""
    args: list[tuple[int, int]] = []
    i = pos
    n = len(s)
    nargs = macro.nargs
    if macro.kind == "delimiter":  # \inner*{x}, \inner[\big]{x}: a star, a size, then x
        if i < n and s[i] == "*":
            i += 1
        j = _skip_space(s, i)
        if j < n and s[j] == "[":
            close = balanced_group(s, j, "[", "]")
            if close is None:
                return pos, None
            i = close
    if macro.default is not None and nargs > 0:
        j = _skip_space(s, i)
        if j < n and s[j] == "[":
            close = balanced_group(s, j, "[", "]")
            if close is None:
                return pos, None
            args.append((j + 1, close - 1))
            i = close
        else:
            args.append((-1, -1))  # the default
        nargs -= 1
    for _ in range(nargs):
        i = _skip_space(s, i)
        if i >= n:
            return pos, None
        if s[i] == "{":
            close = balanced_group(s, i)
            if close is None:
                return pos, None
            args.append((i + 1, close - 1))
            i = close
        elif s[i] == "\\":
            cs = _CS.match(s, i)
            if cs is None:  # a backslash at the end of the text
                return pos, None
            args.append((i, cs.end()))
            i = cs.end()
        elif s[i] == "}":
            return pos, None
        else:
            args.append((i, i + 1))
            i += 1
    return i, args


_DELIMITED = {"(": ")", "[": "]", "|": "|"}


def _read_form(
    s: str, pos: int, macro: Macro
) -> tuple[int, list[tuple[int, int]] | None, str | None]:
    r"""A package command's call (``\pdv{f}{x}``, ``\pdv[2]{f}{x}``, ``\mqty(…)``):
    where it ends, its arguments' spans and the body of the form it has."""
    forms = dict(macro.forms)
    n = len(s)
    i = pos
    star = ""
    if i < n and s[i] == "*" and any(k.startswith("*") for k in forms):
        star, i = "*", i + 1
    j = _skip_space(s, i)
    opener = s[j] if j < n else ""
    if opener in _DELIMITED and opener in forms:  # \mqty(a & b \\ c & d)
        close = _delimited_end(s, j, opener, _DELIMITED[opener])
        if close is None:
            return pos, None, None
        return close, [(j + 1, close - 1)], forms[opener]
    args: list[tuple[int, int]] = []
    optional = ""
    if opener == "[" and any("o" in k for k in forms):
        close = balanced_group(s, j, "[", "]")
        if close is None:
            return pos, None, None
        args.append((j + 1, close - 1))
        optional, i = "o", close
    most = max((int(k.lstrip("*o")) for k in forms if k.lstrip("*o").isdigit()), default=0)
    while len(args) - len(optional) < most:
        j = _skip_space(s, i)
        if j >= n or s[j] != "{":
            break
        close = balanced_group(s, j)
        if close is None:
            return pos, None, None
        args.append((j + 1, close - 1))
        i = close
    key = f"{optional}{len(args) - len(optional)}"
    body = forms.get(star + key, forms.get(key))
    if body is None:
        return pos, None, None
    return i, args, body


def _delimited_end(s: str, at: int, open_: str, close: str) -> int | None:
    """Given s[at] == open_, the offset after its matching ``close`` (braces kept whole)."""
    if open_ != close:
        return balanced_group(s, at, open_, close)
    i = at + 1
    while i < len(s):
        if s[i] == "{":
            end = balanced_group(s, i)
            if end is None:
                return None
            i = end
            continue
        if s[i] == "\\":
            i += 2
            continue
        if s[i] == close:
            return i + 1
        i += 1
    return None


def _substitute(macro: Macro, args: list[MappedText | None], src_a: int, src_b: int) -> MappedText:
    """The body with its parameters replaced; ``None`` stands for an omitted optional argument."""
    body = macro.body
    parts: list[MappedText] = []
    last = 0
    for m in _PARAM.finditer(body):
        k = int(m.group(1)) - 1
        before = body[last : m.start()]
        parts.append(MappedText.synthetic(before, src_a, src_b))
        if 0 <= k < len(args):
            arg = args[k]
            text = (macro.default or "") if arg is None else arg.text
            if _CONTROL_WORD_END.search(before) and text[:1].isalpha():
                # \lVert#1\rVert of X: TeX read \lVert as a word when it was defined, so
                # the argument does not run into it (not \lVertX)
                parts.append(MappedText.synthetic(" ", src_a, src_b))
            if arg is None:
                parts.append(MappedText.synthetic(macro.default or "", src_a, src_b))
            else:
                parts.append(arg)
            after = body[m.end() : m.end() + 1]
            if _CONTROL_WORD_END.search(text) and after.isalpha():
                parts.append(MappedText.synthetic(" ", src_a, src_b))  # (#1x of \alpha)
        last = m.end()
    parts.append(MappedText.synthetic(body[last:], src_a, src_b))
    return MappedText.concat(parts)
