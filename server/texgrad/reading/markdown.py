r"""Find math in Markdown source: regions and the macro definitions written inside math.

Markdown hides math behind a second syntax.  ``$x$`` in a paragraph is math,
but the same characters in a fenced code block, an indented code block, an
inline code span or an HTML block are not, and telling them apart needs the
real CommonMark block rules (fence lengths, list indentation, lazy
continuation lines).  So the block structure comes from markdown-it-py; only
the pieces it cannot give us are scanned by hand:

* markdown-it tokens carry line ranges, not offsets, and inline math tokens
  carry none at all.  We convert line ranges to offsets ourselves and find
  inline math with our own scanner over the raw source of each paragraph and
  heading, which skips code spans, inline HTML and link destinations the way
  CommonMark does.
* Display math on lines of its own is claimed at block level by our rule
  below, so that Markdown does not break it apart (a row starting with
  ``- x`` would start a list): ``$$`` blocks (blank lines allowed, as in
  mdit-py-plugins' dollarmath, but ``$$$$`` closes and reopens as in TeX,
  which dollarmath gets wrong), ``\begin{align}`` blocks (as the amsmath
  plugin) and ``\\[`` blocks (no blank lines).
* Fences: ```` ```math ```` and MyST ```` ```{math} ```` are math (MyST option
  lines such as ``:label:`` are excluded); MyST directives whose body is
  Markdown (``{note}``, ``{exercise}`` …) are read as Markdown; every other
  fence is code.

Unlike TeX, an unclosed ``$`` is not an error (GitHub and pandoc read it as a
dollar sign); an unclosed display (``$$``, ``\\[``, ``\begin{…}``) is reported
on its opener and reading goes on.  Inline math never leaves its paragraph.

Offsets are Python ``str`` indices into the text as given (``\r\n`` and all).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.front_matter import front_matter_plugin

from texgrad.reading.latex import MATH_ENVIRONMENTS, TEXT_COMMANDS
from texgrad.reading.macros import parse_definition
from texgrad.reading.regions import RawRegion, ReadProblem, ScanResult

# MyST directives whose body is not Markdown; any other ```{name} fence is read as Markdown.
NON_MARKDOWN_DIRECTIVES = frozenset(
    {
        "code-cell", "code", "code-block", "sourcecode", "literalinclude", "raw", "eval-rst",
        "eval-md", "index", "include", "toctree", "contents", "bibliography", "mermaid",
        "graphviz", "jupyter-execute", "ipython", "testcode", "testoutput", "doctest",
        "csv-table", "tikz", "parsed-literal", "highlight", "glossary", "autodoc",
        "automodule", "autoclass", "autofunction", "py:function", "py:class",
    }
)  # fmt: skip

_MAX_DIRECTIVE_DEPTH = 16
_ENV_KEY = "texgrad"

_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it normalises

# Text mode (paragraph source).  Order matters: `\\[` before the escape `\\.`.
_TEXT_EVENT = re.compile(r"\\\\[\[(]|\\(?:begin(?![A-Za-z])|.)|\$+|`+|<|\]\(|\{math\}`", re.S)
# Math mode: what can end math or hide a closer (a \text{…} group may hold $…$).
_MATH_EVENT = re.compile(
    r"\\(?:(?:"
    + "|".join(sorted(TEXT_COMMANDS | {"end"}, key=len, reverse=True))
    + r")(?![A-Za-z])|.)|\$\$?",
    re.S,
)
_BRACE_EVENT = re.compile(r"\\.|[{}]", re.S)
_COMMENT_EVENT = re.compile(r"\\.|%", re.S)
_BACKTICKS = re.compile(r"`+")
_ENV_OPEN = re.compile(r"\\begin[ \t]*\{([^{}\r\n]*)\}")
_ENV_NAME = re.compile(r"[ \t]*\{([^{}\r\n]*)\}")
_ALIGNAT_ARG = re.compile(r"[ \t]*\{[^{}\r\n]*\}")
_EOL = re.compile(r"[\r\n]")
_DEF_START = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|DeclareMathOperator|DeclareRobustCommand"
    r"|def|gdef|let)(?![A-Za-z@])"
)
# `\\[2pt]`, `\\[\dimexpr…]`: a LaTeX row break with a length (bookish raw LaTeX), not `\\[` math.
_ROW_BREAK_ARG = re.compile(
    r"\\\\\[[ \t]*(?:[-+]?[ \t]*(?:\d+(?:\.\d*)?|\.\d+)[ \t]*(?:pt|em|ex|mm|cm|in|bp|pc|dd|cc|sp|mu)"
    r"|\\dimexpr|\\(?:normal)?baselineskip|\\jot)[^\]\r\n]{0,60}(?<!\\)\]"
)
# CommonMark inline HTML (open/close tag, comment) and autolinks: never math.
_HTML_INLINE = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|<!--.*?-->"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*>"
    r"|<[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9][\w.-]*>",
    re.S,
)
# A link destination and title after `](`: a `$` in a URL is not math.
_LINK_DEST = re.compile(
    r"\]\((?:<[^<>\r\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
# HTML blocks holding no Markdown-level text at all (`<script>`, `<pre>`, comments …).
_RAW_HTML = re.compile(r"\s*<(?:(?:script|pre|style|textarea)(?![A-Za-z0-9-])|[!?])", re.I)
_DIRECTIVE = re.compile(r"\{([A-Za-z][\w:.+-]*)\}")
_OPTION_LINE = re.compile(r"[ \t>]*:[\w-]+:")
_YAML_MARK = re.compile(r"[ \t>]*---[ \t]*")
_QUOTE_PREFIX = re.compile(r"[ \t>]*")
_DOLLAR_LABEL = re.compile(r"[ \t]*\([^)$\r\n]+\)[ \t]*")  # $$ x $$ (eq1), as dollarmath

# Backslash openers found in text mode: closer, kind, display.
_BACKSLASH_OPENERS = {
    "\\\\[": ("\\\\]", "display", True),
    "\\\\(": ("\\\\)", "inline", False),
    "\\[": ("\\]", "display", True),
    "\\(": ("\\)", "inline", False),
}


def scan(text: str, extra_environments: frozenset[str] = frozenset(), path: str = "") -> ScanResult:
    """Scan a Markdown file: every math region, with exact source offsets."""
    doc = _Doc(text, MATH_ENVIRONMENTS | extra_environments, path)
    if text:
        _scan_blocks(doc, 0, len(doc.starts), 0)
    doc.out.regions.sort(key=lambda r: (r.start, r.end))
    return doc.out


# -- documents and lines ------------------------------------------------------


@dataclass
class _Doc:
    text: str
    envs: frozenset[str]
    path: str
    out: ScanResult = field(default_factory=ScanResult)
    starts: list[int] = field(default_factory=list)  # line i is text[starts[i]:ends[i]]
    ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.starts.append(0)
        for m in _NEWLINE.finditer(self.text):
            self.ends.append(m.start())
            self.starts.append(m.end())
        self.ends.append(len(self.text))

    def line(self, i: int) -> str:
        return self.text[self.starts[i] : self.ends[i]]


class _ParseState:
    """Per-parse settings and caches our block rules find in markdown-it's ``state.env``."""

    def __init__(self, envs: frozenset[str]):
        self.envs = envs
        self._finds: dict[str, tuple[int, int]] = {}
        self._closers: dict[str, tuple[int, int, tuple[int, int] | None]] = {}

    def find(self, src: str, needle: str, start: int) -> int:
        """``src.find(needle, start)``, remembered so that repeated misses stay linear."""
        hit = self._finds.get(needle)
        if hit is not None and hit[0] <= start and (hit[1] < 0 or hit[1] >= start):
            return hit[1]
        found = src.find(needle, start)
        self._finds[needle] = (start, found)
        return found

    def closer(self, src: str, closer: str, start: int, limit: int) -> tuple[int, int] | None:
        """:func:`_find_closer` over a whole container, remembered like :meth:`find`."""
        hit = self._closers.get(closer)
        if hit is not None and hit[0] <= start and hit[1] == limit and (hit[2] is None or hit[2][0] >= start):
            return hit[2]
        found = _find_closer(src, start, limit, closer)
        self._closers[closer] = (start, limit, found)
        return found


# -- block structure (markdown-it) ---------------------------------------------


def _display_block_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    r"""A ``$$…$$``, ``\begin{env}…\end{env}`` or ``\\[…\\]`` block on lines of its own.

    Claimed as a block so that Markdown does not reinterpret its rows (a row
    starting with ``- `` or ``+ `` would otherwise start a list).  ``$$`` and
    environments may hold blank lines; ``\\[`` may not.  The closer must end
    its line (``$$`` may be followed by a label ``(eq1)``); otherwise the lines
    stay a paragraph and the inline scanner reads them.
    """
    if state.is_code_block(startLine):
        return False
    settings = state.env.get(_ENV_KEY)
    if not isinstance(settings, _ParseState):
        return False
    src = state.src
    pos = state.bMarks[startLine] + state.tShift[startLine]
    line_end = state.eMarks[startLine]
    if pos + 2 > line_end or src[pos] not in "\\$":
        return False
    if src.startswith("$$", pos):
        # `silent` means markdown-it asks whether this line interrupts a paragraph
        # (or list, quote): `$$` never does, as in dollarmath.
        if silent or src.startswith("$$$", pos):
            return False
        kind, delimiter, closer, body = "display", "$$", "$$", pos + 2
    elif src.startswith("\\\\[", pos):
        if _ROW_BREAK_ARG.match(src, pos, line_end):
            return False
        kind, delimiter, closer, body = "display", "\\\\[", "\\\\]", pos + 3
    elif src.startswith("\\[", pos):
        kind, delimiter, closer, body = "display", "\\[", "\\]", pos + 2
    else:
        env = _open_env(src, pos, line_end, settings.envs)
        if env is None:
            return False
        kind, body = env
        delimiter, closer = "\\begin", "\\end{" + kind + "}"

    limit = state.eMarks[endLine - 1] if endLine > startLine else line_end
    if delimiter == "$$":
        close = settings.closer(src, closer, body, limit)
    elif kind == "display":
        for line in range(startLine + 1, endLine):
            if state.isEmpty(line):
                limit = state.bMarks[line]
                break
        close = _find_closer(src, body, limit, closer)
    else:
        at = settings.find(src, closer, body)
        close = (at, at + len(closer)) if 0 <= at and at + len(closer) <= limit else None
    if close is None:
        return False
    body_end, end = close
    last = startLine  # the line holding the closer, which must end that line
    while last < endLine and state.eMarks[last] < end:
        last += 1
    if last >= endLine:
        return False
    rest = src[end : state.eMarks[last]]
    if rest.strip() and not (delimiter == "$$" and _DOLLAR_LABEL.fullmatch(rest)):
        return False
    for line in range(startLine + 1, last + 1):
        if not state.isEmpty(line) and state.sCount[line] < state.blkIndent:
            return False  # a less indented line ends the enclosing list item
    if silent:
        return True
    token = state.push("tex_display", "math", 0)
    token.block = True
    token.map = [startLine, last + 1]
    token.content = state.getLines(startLine, last + 1, state.blkIndent, False)
    # Columns, not offsets: markdown-it normalised the line breaks of its copy.
    row0 = src.rfind("\n", 0, pos) + 1
    row1 = src.rfind("\n", 0, body_end) + 1
    token.meta = {
        "kind": kind,
        "delimiter": delimiter,
        "open": pos - row0,
        "body": body - row0,
        "close": body_end - row1,
        "end": end - row1,
    }
    state.line = last + 1
    return True


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark").use(front_matter_plugin)
    md.block.ruler.before(
        "blockquote", "tex_display", _display_block_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )  # fmt: skip
    md.disable("inline")  # block structure is all we use; inline math is our own scan
    return md


def _scan_blocks(doc: _Doc, first: int, last: int, depth: int) -> None:
    """Parse lines [first, last) as Markdown and read the math in its blocks."""
    src = doc.text[doc.starts[first] : doc.ends[last - 1]]
    env: dict[str, Any] = {_ENV_KEY: _ParseState(doc.envs)}
    try:
        tokens = _markdown().parse(src, env)
    except Exception as exc:  # a third-party parser must not take the reader down
        doc.out.problems.append(
            ReadProblem(
                f"Markdown structure could not be read ({type(exc).__name__}); "
                "math is looked for in every paragraph",
                doc.starts[first], doc.starts[first], "warning", "markdown-parse-failed",
            )
        )  # fmt: skip
        _scan_plain(doc, first, last)
        return
    quotes = 0  # blockquote depth: lines then carry `>` prefixes
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "blockquote_open":
            quotes += 1
            continue
        if kind == "blockquote_close":
            quotes -= 1
            continue
        if tok.map is None:
            continue
        a, b = first + tok.map[0], min(first + tok.map[1], last)
        if a >= b:
            continue
        if kind in ("paragraph_open", "heading_open"):
            prefixes: tuple[tuple[int, int], ...] = ()
            if quotes and i + 1 < len(tokens):
                prefixes = _quote_prefixes(doc, zip(range(a, b), tokens[i + 1].content.split("\n")))
            _scan_inline(doc, doc.starts[a], doc.ends[b - 1], prefixes)
        elif kind == "fence":
            _fence(doc, tok.markup, tok.info, tok.content, a, b, quotes > 0, depth)
        elif kind == "tex_display":
            _display_block(doc, tok.meta, tok.content, a, b, quotes > 0)
        elif kind == "html_block" and not _RAW_HTML.match(tok.content):
            # Not math, but MathJax still reads definitions hidden in a <div>.
            _scan_inline(doc, doc.starts[a], doc.ends[b - 1], record=False)


def _scan_plain(doc: _Doc, first: int, last: int) -> None:
    """Fallback without block structure: every blank-line-separated chunk is a paragraph."""
    start = None
    for i in range(first, last + 1):
        blank = i == last or not doc.line(i).strip()
        if blank and start is not None:
            _scan_inline(doc, doc.starts[start], doc.ends[i - 1])
            start = None
        elif not blank and start is None:
            start = i


def _quote_prefixes(doc: _Doc, lines: Any) -> tuple[tuple[int, int], ...]:
    """Source spans of the ``>`` container prefixes, from (line, content as markdown-it saw it)."""
    spans = []
    for line, content in lines:
        source = doc.line(line).rstrip()
        content = content.rstrip()
        if not source.endswith(content):
            continue  # tabs expanded by markdown-it: leave the line as it is
        cut = len(source) - len(content)
        if cut and _QUOTE_PREFIX.fullmatch(source, 0, cut):
            spans.append((doc.starts[line], doc.starts[line] + cut))
    return tuple(spans)


def _fence(
    doc: _Doc, markup: str, info: str, content: str, a: int, b: int, quoted: bool, depth: int
) -> None:
    """A fenced block: math, a MyST directive holding Markdown, or code (ignored)."""
    words = info.split(None, 1)
    word = words[0] if words else ""
    directive = _DIRECTIVE.fullmatch(word)
    name = directive.group(1) if directive else None
    if word != "math" and name is None:
        return  # code, including d2l's {.python .input}
    closing = doc.line(b - 1).lstrip(" \t>").rstrip()
    closed = b - 1 > a and len(closing) >= len(markup) and closing == markup[0] * len(closing)
    c0, c1 = a + 1, (b - 1 if closed else b)  # content lines
    if name is not None and name != "math":
        column = doc.line(a).find(markup)
        if name in NON_MARKDOWN_DIRECTIVES or quoted or column != 0 or depth >= _MAX_DIRECTIVE_DEPTH:
            return
        body = _skip_options(doc, c0, c1)
        if body < c1:
            _scan_blocks(doc, body, c1, depth + 1)
        return
    start = doc.starts[a] + max(doc.line(a).find(markup), 0)
    if c1 > c0:
        body_start, body_end = doc.starts[c0], doc.ends[c1 - 1]
    else:
        body_start = body_end = doc.starts[c0] if closed else doc.ends[a]
    end = doc.starts[b - 1] + len(doc.line(b - 1).rstrip()) if closed else body_end
    excluded: list[tuple[int, int]] = []
    if quoted:
        excluded.extend(_quote_prefixes(doc, zip(range(c0, c1), content.split("\n"))))
    if name == "math":
        options_end = _skip_options(doc, c0, c1)
        if options_end > c0:
            excluded.append((doc.starts[c0], doc.starts[options_end] if options_end < c1 else body_end))
    delimiter = "```{math}" if name == "math" else "```math"
    _add(doc, "math", delimiter, start, end, body_start, body_end, True, False, excluded)


def _skip_options(doc: _Doc, c0: int, c1: int) -> int:
    """First line after a MyST directive's options (``:key: value`` lines or a ``---`` block)."""
    line = c0
    if line < c1 and _YAML_MARK.fullmatch(doc.line(line)):
        for j in range(line + 1, c1):
            if _YAML_MARK.fullmatch(doc.line(j)):
                return j + 1
        return line
    while line < c1 and _OPTION_LINE.match(doc.line(line)):
        line += 1
    return line


def _display_block(doc: _Doc, meta: dict[str, Any], content: str, a: int, b: int, quoted: bool) -> None:
    """A block from :func:`_display_block_rule`; its meta holds columns on the first/last line."""
    first, last = doc.starts[a], doc.starts[b - 1]
    kind = meta["kind"]
    excluded: tuple[tuple[int, int], ...] = ()
    if quoted:
        excluded = _quote_prefixes(doc, zip(range(a, b), content.split("\n")))
    _add(
        doc, kind, meta["delimiter"], first + meta["open"], last + meta["end"],
        first + meta["body"], last + meta["close"], kind != "math",
        meta["delimiter"] in ("\\\\[", "\\["), excluded,
    )  # fmt: skip


# -- inline math (our own scanner over a paragraph's source) --------------------


def _scan_inline(
    doc: _Doc, lo: int, hi: int, prefixes: tuple[tuple[int, int], ...] = (), record: bool = True
) -> None:
    """Find the math in text[lo:hi], one paragraph or heading (or HTML block, if not ``record``)."""
    text = doc.text
    failed: dict[str, int] = {}  # closer -> a position from which it was not found
    pos = lo
    while True:
        m = _TEXT_EVENT.search(text, pos, hi)
        if m is None:
            return
        tok = m.group()
        s = m.start()
        pos = m.end()
        c = tok[0]
        if c == "\\":
            if tok in _BACKSLASH_OPENERS:
                if tok == "\\\\[" and (row_break := _ROW_BREAK_ARG.match(text, s, hi)):
                    pos = row_break.end()
                    continue
                closer, kind, display = _BACKSLASH_OPENERS[tok]
                found = _close(text, pos, hi, closer, failed)
                if found is None:
                    # `\[`, `\(` and `\\(` are common Markdown escapes: only `\\[` is surely math.
                    if tok == "\\\\[" and record:
                        _unclosed(doc, tok, closer, s, pos)
                    continue
                _add(doc, kind, tok, s, found[1], pos, found[0], display, True, prefixes, record)
                pos = found[1]
            elif tok == "\\begin":
                env = _open_env(text, s, hi, doc.envs)
                if env is None:
                    continue
                name, body = env
                closer = "\\end{" + name + "}"
                found = _close(text, body, hi, closer, failed)
                if found is None:
                    if record:
                        _unclosed(doc, f"\\begin{{{name}}}", closer, s, body)
                    pos = body
                    continue
                _add(doc, name, "\\begin", s, found[1], body, found[0], name != "math", True, prefixes, record)
                pos = found[1]
            # any other backslash pair is an escape (`\$`, `\``) and is skipped whole
        elif c == "$":
            if len(tok) == 2:
                found = _close(text, pos, hi, "$$", failed)
                if found is None:
                    if record:
                        _unclosed(doc, "$$", "$$", s, pos)
                    continue
                _add(doc, "display", "$$", s, found[1], pos, found[0], True, True, prefixes, record)
                pos = found[1]
            elif len(tok) == 1:
                nxt = text[pos] if pos < hi else ""
                if nxt == "`":  # GitHub's $`…`$
                    run = _BACKTICKS.match(text, pos, hi)
                    assert run is not None
                    n = run.end() - run.start()
                    close = _backtick_run(text, run.end(), hi, n, failed)
                    if close < 0:
                        pos = run.end()
                    elif close + n < hi and text[close + n] == "$":
                        _add(doc, "inline", "$`", s, close + n + 1, run.end(), close, False, False, (), record)
                        pos = close + n + 1
                    else:
                        pos = close + n  # a code span after a plain dollar sign
                elif nxt and not nxt.isspace():
                    found = _close(text, pos, hi, "$", failed)
                    if found is not None:
                        _add(doc, "inline", "$", s, found[1], pos, found[0], False, True, prefixes, record)
                        pos = found[1]
            # three or more dollars open nothing
        elif c == "`":
            n = len(tok)
            close = _backtick_run(text, pos, hi, n, failed)
            if close >= 0:
                pos = close + n  # a code span: never math
        elif c == "<":
            html = _HTML_INLINE.match(text, s, hi)
            if html:
                pos = html.end()
        elif c == "]":
            link = _LINK_DEST.match(text, s, hi)
            if link:
                pos = link.end()
        else:  # MyST role {math}`…`
            run = _BACKTICKS.match(text, s + 6, hi)
            assert run is not None
            n = run.end() - run.start()
            close = _backtick_run(text, run.end(), hi, n, failed)
            if close >= 0:
                _add(doc, "inline", "{math}`", s, close + n, run.end(), close, False, False, (), record)
                pos = close + n
            else:
                pos = run.end()


def _open_env(text: str, pos: int, hi: int, envs: frozenset[str]) -> tuple[str, int] | None:
    r"""At ``\begin{name}`` of a math environment: (name, where its body starts)."""
    m = _ENV_OPEN.match(text, pos, hi)
    if m is None:
        return None
    name = m.group(1).strip()
    if name not in envs:
        return None
    body = m.end()
    if name.startswith(("alignat", "xalignat")):  # \begin{alignat}{2}
        arg = _ALIGNAT_ARG.match(text, body, hi)
        if arg:
            body = arg.end()
    return name, body


def _close(text: str, pos: int, hi: int, closer: str, failed: dict[str, int]) -> tuple[int, int] | None:
    """:func:`_find_closer`, remembering misses: once a closer is missing after p, it is
    missing after any later opener too (keeps a paragraph of stray ``$`` linear)."""
    if failed.get(closer, hi + 1) <= pos:
        return None
    found = _find_closer(text, pos, hi, closer)
    if found is None:
        failed[closer] = pos
    return found


def _find_closer(text: str, pos: int, hi: int, closer: str) -> tuple[int, int] | None:
    """Scan math from ``pos``; return (body end, region end) at ``closer``, or None."""
    env = closer[5:-1] if closer.startswith("\\end{") else None
    while True:
        m = _MATH_EVENT.search(text, pos, hi)
        if m is None:
            return None
        tok = m.group()
        s = m.start()
        pos = m.end()
        if tok[0] == "$":
            if closer == "$":
                # GitHub/pandoc: no space before the closing $, no digit after it
                if text[s - 1].isspace() or "0" <= text[s + 1 : s + 2] <= "9":
                    pos = s + 1
                    continue
                return s, s + 1
            if closer == "$$" and tok == "$$":
                return s, s + 2
        elif tok == closer:  # \] or \)
            return s, pos
        elif tok == "\\\\" and len(closer) == 3 and text.startswith(closer, s) and s + 3 <= hi:
            return s, s + 3  # \\] or \\)
        elif tok == "\\end":
            if env is not None:
                em = _ENV_NAME.match(text, pos, hi)
                if em and em.group(1).strip() == env:
                    return s, em.end()
        elif tok[1:] in TEXT_COMMANDS:
            group_end = _skip_group(text, pos, hi)
            if group_end is not None:
                pos = group_end


def _skip_group(text: str, pos: int, hi: int) -> int | None:
    """After ``\\text``: the end of its braced argument, or None."""
    while pos < hi and text[pos] in " \t":
        pos += 1
    if pos >= hi or text[pos] != "{":
        return None
    depth = 0
    for m in _BRACE_EVENT.finditer(text, pos, hi):
        t = m.group()
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    return None


def _backtick_run(text: str, pos: int, hi: int, n: int, failed: dict[str, int]) -> int:
    """Start of the next run of exactly ``n`` backticks in text[pos:hi], or -1."""
    key = "`" * n
    if failed.get(key, hi + 1) <= pos:
        return -1
    for run in _BACKTICKS.finditer(text, pos, hi):
        if run.end() - run.start() == n:
            return run.start()
    failed[key] = pos
    return -1


# -- recording -------------------------------------------------------------------


def _unclosed(doc: _Doc, what: str, closer: str, start: int, end: int) -> None:
    doc.out.problems.append(
        ReadProblem(
            f"math opened by {what} is not closed (expected {closer} before the paragraph ends)",
            start, end, "error", "unclosed-math",
        )
    )  # fmt: skip


def _add(
    doc: _Doc, kind: str, delimiter: str, start: int, end: int, body_start: int, body_end: int,
    display: bool, markdown_escapes: bool, prefixes: Any = (), record: bool = True,
) -> None:  # fmt: skip
    """Record a region: exclude container prefixes, TeX comments and macro definitions."""
    text = doc.text
    excluded = [(a, b) for a, b in prefixes if body_start <= a and b <= body_end]
    if text.find("%", body_start, body_end) >= 0:
        excluded.extend(_comments(text, body_start, body_end))
    definitions = _definitions(doc, body_start, body_end)
    if definitions:
        excluded.extend(definitions)
        if _only_blank(text, body_start, body_end, excluded):
            return  # `$$\newcommand{\R}{\mathbb{R}}$$` holds nothing to read
    if record:
        region = RawRegion(
            kind, delimiter, start, end, body_start, body_end, display,
            tuple(sorted(excluded)), markdown_escapes,
        )  # fmt: skip
        doc.out.regions.append(region)


def _comments(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """``%`` comments in math (MathJax and KaTeX read them as TeX does)."""
    spans = []
    pos = lo
    while True:
        m = _COMMENT_EVENT.search(text, pos, hi)
        if m is None:
            return spans
        pos = m.end()
        if m.group() == "%":
            eol = _EOL.search(text, pos, hi)
            pos = eol.start() if eol else hi
            spans.append((m.start(), pos))


def _definitions(doc: _Doc, lo: int, hi: int) -> list[tuple[int, int]]:
    r"""Collect ``\newcommand`` & co. written inside math (MathJax style); return their spans."""
    spans = []
    pos = lo
    while True:
        m = _DEF_START.search(doc.text, pos, hi)
        if m is None:
            return spans
        at = m.start()
        macro, stop = parse_definition(doc.text[at:hi], 0, doc.path)
        if macro is None:
            pos = m.end()
            continue
        doc.out.definitions.append(replace(macro, start=at + macro.start, end=at + macro.end))
        spans.append((at, at + macro.end))
        pos = at + max(stop, macro.end, 1)


def _only_blank(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> bool:
    pos = lo
    for a, b in sorted(spans):
        if text[pos:a].strip():
            return False
        pos = max(pos, b)
    return not text[pos:hi].strip()
