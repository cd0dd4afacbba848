r"""Find math in Markdown source: regions and the macro definitions written inside math.

Markdown hides math behind a second syntax.  ``$x$`` in a paragraph is math,
but the same characters in a fenced code block, an indented code block, an
inline code span or an HTML block are not, and telling them apart needs the
real CommonMark block rules (fence lengths, list indentation, lazy
continuation lines).  So the block structure comes from markdown-it-py, and
only what it cannot give us is done by hand:

* markdown-it tokens carry line ranges, not offsets, and inline math tokens
  carry none at all.  We convert line ranges to offsets ourselves and find
  inline math with our own scanner over the raw source of each paragraph and
  heading, which skips code spans, inline HTML and link destinations as
  CommonMark does.
* Display math on lines of its own is claimed at block level by our rule
  below, so that Markdown does not take it apart (a row starting with ``- x``
  would start a list): ``$$`` blocks (blank lines allowed, as in
  mdit-py-plugins' dollarmath, but a ``$$$$`` line closes and reopens as in
  TeX, which dollarmath reads as one block), ``\begin{align}`` blocks (as the
  amsmath plugin) and ``\\[`` blocks (no blank lines).
* Fences: ```` ```math ```` and MyST ```` ```{math} ```` are math (MyST option
  lines such as ``:label:`` are excluded); MyST directives whose body is
  Markdown (``{note}``, ``{exercise}`` …) are read as Markdown; every other
  fence is code.

Unlike TeX, an unclosed ``$`` is not an error (GitHub and pandoc read it as a
dollar sign); an unclosed display (``$$``, ``\\[``, ``\begin{…}``) is reported
on its opener and reading goes on.  Inline math never leaves its paragraph.

Delimiters recorded: ``$``, ``$$``, ``$``` `` (GitHub), ``{math}``` `` (MyST
role), ``\\[``/``\\(`` (doubled, as Markdown escaping makes them), ``\[``/``\(``,
``\begin``, and ```` ```math ```` / ```` ```{math} ```` for fences of either
fence character.  Offsets are Python ``str`` indices into the text as given.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from texgrad.reading.latex import MATH_ENVIRONMENTS, TEXT_COMMANDS
from texgrad.reading.macros import parse_definition
from texgrad.reading.problems import ReadProblem
from texgrad.reading.regions import RawRegion, ScanResult

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

# MyST directives whose body is not Markdown; any other ```{name} fence is read as Markdown.
NON_MARKDOWN_DIRECTIVES = frozenset(
    {
        "code-cell", "code", "code-block", "sourcecode", "literalinclude", "raw", "eval-rst",
        "eval-md", "index", "include", "toctree", "contents", "bibliography", "mermaid",
        "graphviz", "jupyter-execute", "ipython", "testcode", "testoutput", "doctest",
        "csv-table", "tikz", "parsed-literal", "highlight", "glossary",
    }
)  # fmt: skip

_MAX_DIRECTIVE_DEPTH = 16
_MAX_DEFINITION = 10_000  # longest \newcommand read, in characters
_ENV_KEY = "texgrad"  # our entry in markdown-it's per-parse `env`
_SPAN = tuple[int, int]

_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it normalises to \n
_BLANK_LINE = re.compile(r"^[ \t]*$", re.M)

# Text mode (paragraph source).  `\\[` must be tried before the escape `\\.`.
_TEXT_EVENT = re.compile(r"\\\\[\[(]|\\(?:begin(?![A-Za-z])|.)|\$+|`+|<|\]\(|\{math\}`", re.S)
# Math mode: what may close the math, and \text{…}, which may hide a nested $…$.
_MATH_EVENT = re.compile(
    r"\\(?:(?:"
    + "|".join(sorted(TEXT_COMMANDS | {"end"}, key=len, reverse=True))
    + r")(?![A-Za-z])|.)|\$\$?",
    re.S,
)
_BRACE_EVENT = re.compile(r"\\[\\{}]|[{}]")
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
# `\\[2pt]`, `\\[\dimexpr…]`: a LaTeX row break with a length (bookish raw LaTeX), not math.
_ROW_BREAK_ARG = re.compile(
    r"\\\\\[[ \t]*(?:[-+]?[ \t]*(?:\d+(?:\.\d*)?|\.\d+)[ \t]*(?:pt|em|ex|mm|cm|in|bp|pc|dd|cc|sp|mu)"
    r"|\\dimexpr|\\(?:normal)?baselineskip|\\jot)[^\]\r\n]{0,60}(?<!\\)\]"
)
# CommonMark inline HTML tags and autolinks (comments are found separately): never math.
_HTML_INLINE = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*"
    r"(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']{0,1000}'|\"[^\"]{0,1000}\"))?)*\s*/?>"
    r"|<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*>"
    r"|<[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9][\w.-]*>"
)
# A link destination and title after `](`: a `$` in a URL is not math.
_LINK_DEST = re.compile(
    r"\]\((?:<[^<>\r\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]{0,1000}\"|'[^']{0,1000}'|\([^()]{0,1000}\)))?\s*\)"
)
# HTML blocks with no text MathJax would read (`<script>`, `<pre>`, comments …).
_RAW_HTML = re.compile(r"\s*<(?:(?:script|pre|style|textarea)(?![A-Za-z0-9-])|[!?])", re.I)
_DIRECTIVE = re.compile(r"\{([A-Za-z][\w:.+-]*)\}")
_OPTION_LINE = re.compile(r"[ \t>]*:[\w-]+:")
_YAML_MARK = re.compile(r"[ \t>]*---[ \t]*")
_QUOTE_PREFIX = re.compile(r"[ \t>]*")
_DOLLAR_LABEL = re.compile(r"[ \t]*\([^)$\r\n]+\)[ \t]*")  # `$$ x $$ (eq1)`, as dollarmath

# Backslash openers of text mode: closer, kind, display.
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


# -- shared state ------------------------------------------------------------------


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
    """What our block rule needs during one markdown-it parse (kept in ``state.env``).

    The caches keep a pathological document (hundreds of unclosed ``$$`` or
    ``\\begin{align}`` lines) linear: a closer missing after one opener is
    missing after every later opener too.
    """

    def __init__(self, envs: frozenset[str]):
        self.envs = envs
        self._groups: dict[int, dict[str, int]] = {}  # limit -> misses, see _skip_group
        self._finds: dict[str, tuple[int, int]] = {}
        self._closers: dict[str, tuple[int, int, _SPAN | None]] = {}
        self._blanks: list[int] | None = None

    def find(self, src: str, needle: str, start: int) -> int:
        """``src.find(needle, start)``, remembered."""
        hit = self._finds.get(needle)
        if hit is not None and hit[0] <= start and (hit[1] < 0 or hit[1] >= start):
            return hit[1]
        found = src.find(needle, start)
        self._finds[needle] = (start, found)
        return found

    def closer(self, src: str, closer: str, start: int, limit: int) -> _SPAN | None:
        """:func:`_find_closer`, remembered."""
        hit = self._closers.get(closer)
        if (
            hit is not None
            and hit[0] <= start
            and hit[1] == limit
            and (hit[2] is None or hit[2][0] >= start)
        ):
            return hit[2]
        found = _find_closer(src, start, limit, closer, self._groups.setdefault(limit, {}))
        self._closers[closer] = (start, limit, found)
        return found

    def blank_after(self, src: str, pos: int) -> int:
        """Offset of the first blank line after ``pos`` (or the end of ``src``)."""
        if self._blanks is None:
            self._blanks = [m.start() for m in _BLANK_LINE.finditer(src)]
        i = bisect.bisect_right(self._blanks, pos)
        return self._blanks[i] if i < len(self._blanks) else len(src)


# -- block structure (markdown-it) -------------------------------------------------


def _display_block_rule(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    r"""A ``$$…$$``, ``\begin{env}…\end{env}`` or ``\\[…\\]`` block on lines of its own.

    ``$$`` and environments may hold blank lines; ``\\[`` may not.  The closer
    must end its line (``$$`` may be followed by a label ``(eq1)``); otherwise
    the lines stay a paragraph and the inline scanner reads them.
    """
    settings = state.env.get(_ENV_KEY)
    if not isinstance(settings, _ParseState) or state.is_code_block(startLine):
        return False
    src = state.src
    pos = state.bMarks[startLine] + state.tShift[startLine]
    line_end = state.eMarks[startLine]
    if pos + 2 > line_end or src[pos] not in "\\$":
        return False
    limit = state.eMarks[endLine - 1]
    if src.startswith("$$", pos):
        # `silent` is markdown-it asking whether this line may interrupt a
        # paragraph (or list, quote): `$$` never does, as in dollarmath.
        if silent or src.startswith("$$$", pos):
            return False
        kind, delimiter, body = "display", "$$", pos + 2
        close = settings.closer(src, "$$", body, limit)
    elif src.startswith(("\\\\[", "\\["), pos):
        if _ROW_BREAK_ARG.match(src, pos, line_end):
            return False
        kind, delimiter = "display", src[pos : src.index("[", pos) + 1]
        body = pos + len(delimiter)
        close = settings.closer(
            src, _BACKSLASH_OPENERS[delimiter][0], body, min(limit, settings.blank_after(src, pos))
        )
    else:
        env = _open_env(src, pos, line_end, settings.envs)
        if env is None:
            return False
        kind, body = env
        delimiter, closer = "\\begin", "\\end{" + kind + "}"
        at = settings.find(src, closer, body)  # amsmath too ends the body at the text \end{…}
        close = (at, at + len(closer)) if 0 <= at and at + len(closer) <= limit else None
    if close is None:
        return False
    body_end, end = close
    last = bisect.bisect_left(state.eMarks, end, startLine, endLine)  # the closer's line
    if last >= endLine:
        return False
    rest = src[end : state.eMarks[last]]
    if rest.strip() and not (delimiter == "$$" and _DOLLAR_LABEL.fullmatch(rest)):
        return False
    for line in range(startLine + 1, last + 1):
        if state.isEmpty(line):
            if delimiter != "$$" and kind == "display":
                return False  # a blank line inside a blockquote
        elif state.sCount[line] < state.blkIndent:
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
    # imported on first use: markdown-it adds tens of ms to every start; LaTeX never needs it
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

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
    try:
        tokens = _markdown().parse(src, {_ENV_KEY: _ParseState(doc.envs)})
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
        elif kind == "blockquote_close":
            quotes -= 1
        if tok.map is None:
            continue
        a, b = first + tok.map[0], min(first + tok.map[1], last)
        if a >= b:
            continue
        if kind in ("paragraph_open", "heading_open"):
            prefixes: tuple[_SPAN, ...] = ()
            if quotes and i + 1 < len(tokens):
                prefixes = _quote_prefixes(doc, a, b, tokens[i + 1].content)
            _scan_inline(doc, doc.starts[a], doc.ends[b - 1], prefixes)
        elif kind == "fence":
            _fence(doc, tok.markup, tok.info, tok.content, a, b, quotes > 0, depth)
        elif kind == "tex_display":
            _display_block(doc, tok.meta, tok.content, a, b, quotes > 0)
        elif kind == "html_block" and not _RAW_HTML.match(tok.content):
            # Never math, but MathJax reads definitions hidden in e.g. a <div hidden>.
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


def _quote_prefixes(doc: _Doc, a: int, b: int, content: str) -> tuple[_SPAN, ...]:
    """Source spans of the ``>`` prefixes of lines [a, b), whose text markdown-it saw as ``content``."""
    spans = []
    for line, seen in zip(range(a, b), content.split("\n"), strict=False):
        source = doc.line(line).rstrip()
        seen = seen.rstrip()
        if not source.endswith(seen):
            continue  # markdown-it expanded a tab: leave the line as it is
        cut = len(source) - len(seen)
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
        return  # code, d2l's {.python .input} included
    closing = doc.line(b - 1).lstrip(" \t>").rstrip()
    closed = b - 1 > a and len(closing) >= len(markup) and closing == markup[0] * len(closing)
    c0, c1 = a + 1, (b - 1 if closed else b)  # the content lines
    if name is not None and name != "math":
        if name in NON_MARKDOWN_DIRECTIVES or quoted or doc.line(a).find(markup) != 0:
            return  # code, or a directive whose indented body we would misread
        body = _skip_options(doc, c0, c1)
        if body < c1 and depth < _MAX_DIRECTIVE_DEPTH:
            _scan_blocks(doc, body, c1, depth + 1)
        return
    start = doc.starts[a] + max(doc.line(a).find(markup), 0)
    if c1 > c0:
        body_start, body_end = doc.starts[c0], doc.ends[c1 - 1]
    else:
        body_start = body_end = doc.starts[c0] if closed else doc.ends[a]
    end = doc.starts[b - 1] + len(doc.line(b - 1).rstrip()) if closed else body_end
    excluded: list[_SPAN] = []
    if quoted:
        excluded.extend(_quote_prefixes(doc, c0, c1, content))
    if name == "math":
        options_end = _skip_options(doc, c0, c1)
        if options_end > c0:
            excluded.append(
                (doc.starts[c0], doc.starts[options_end] if options_end < c1 else body_end)
            )
    delimiter = "```{math}" if name == "math" else "```math"
    _add(doc, "math", delimiter, start, end, body_start, body_end, True, False, excluded)


def _skip_options(doc: _Doc, c0: int, c1: int) -> int:
    """The first line after a MyST directive's options (``:key: value`` lines or a ``---`` block)."""
    if c0 < c1 and _YAML_MARK.fullmatch(doc.line(c0)):
        for line in range(c0 + 1, c1):
            if _YAML_MARK.fullmatch(doc.line(line)):
                return line + 1
        return c0
    line = c0
    while line < c1 and _OPTION_LINE.match(doc.line(line)):
        line += 1
    return line


def _display_block(
    doc: _Doc, meta: dict[str, Any], content: str, a: int, b: int, quoted: bool
) -> None:
    """A block from :func:`_display_block_rule`; ``meta`` holds columns on its first and last line."""
    first, last = doc.starts[a], doc.starts[b - 1]
    kind, delimiter = meta["kind"], meta["delimiter"]
    excluded = _quote_prefixes(doc, a, b, content) if quoted else ()
    _add(
        doc, kind, delimiter, first + meta["open"], last + meta["end"],
        first + meta["body"], last + meta["close"], kind != "math",
        # `\\[` exists because Markdown escapes run over it; $$ and environment blocks are raw
        delimiter in ("\\\\[", "\\["), excluded,
    )  # fmt: skip


# -- inline math: our own scanner over a paragraph's source ---------------------------


def _scan_inline(
    doc: _Doc, lo: int, hi: int, prefixes: tuple[_SPAN, ...] = (), record: bool = True
) -> None:
    """Find the math in text[lo:hi], a paragraph or heading (an HTML block if not ``record``)."""
    text = doc.text
    failed: dict[str, int] = {}  # closer -> a position after which it does not occur

    def close(pos: int, closer: str) -> _SPAN | None:
        if failed.get(closer, hi + 1) <= pos:
            return None
        found = _find_closer(text, pos, hi, closer, failed)
        if found is None:
            failed[closer] = pos
        return found

    def region(
        kind: str, delimiter: str, start: int, span: _SPAN, body: int, escapes: bool = True
    ) -> int:
        display = delimiter in ("$$", "\\\\[", "\\[") or (delimiter == "\\begin" and kind != "math")
        _add(
            doc, kind, delimiter, start, span[1], body, span[0], display, escapes, prefixes, record
        )
        return span[1]

    pos = lo
    while m := _TEXT_EVENT.search(text, pos, hi):
        tok = m.group()
        s = m.start()
        pos = m.end()
        c = tok[0]
        if tok in _BACKSLASH_OPENERS:
            if tok == "\\\\[" and (row_break := _ROW_BREAK_ARG.match(text, s, hi)):
                pos = row_break.end()
                continue
            closer, kind, _ = _BACKSLASH_OPENERS[tok]
            found = close(pos, closer)
            if found is not None:
                pos = region(kind, tok, s, found, pos)
            elif tok == "\\\\[" and record:
                # `\[`, `\(` and `\\(` are also plain Markdown escapes: only `\\[` is surely math
                _unclosed(doc, tok, closer, s, pos)
        elif tok == "\\begin":
            env = _open_env(text, s, hi, doc.envs)
            if env is None:
                continue
            name, body = env
            found = close(body, "\\end{" + name + "}")
            if found is not None:
                pos = region(name, "\\begin", s, found, body)
            else:
                if record:
                    _unclosed(doc, f"\\begin{{{name}}}", f"\\end{{{name}}}", s, body)
                pos = body
        elif c == "\\":
            pass  # an escape such as `\$` or `\``, skipped whole
        elif tok == "$$":
            found = close(pos, "$$")
            if found is not None:
                pos = region("display", "$$", s, found, pos)
            elif record:
                _unclosed(doc, "$$", "$$", s, pos)
        elif tok == "$":
            nxt = text[pos] if pos < hi else ""
            if nxt == "`":  # GitHub's $`…`$
                ticks = _BACKTICKS.match(text, pos, hi)
                n = ticks.end() - pos if ticks else 1
                end = _backtick_run(text, pos + n, hi, n, failed)
                if end < 0:
                    pos += n
                elif end + n < hi and text[end + n] == "$":
                    pos = region("inline", "$`", s, (end, end + n + 1), pos + n, escapes=False)
                else:
                    pos = end + n  # a plain dollar sign before a code span
            elif nxt and not nxt.isspace():
                found = close(pos, "$")
                if found is not None:
                    pos = region("inline", "$", s, found, pos)
        elif c == "`":
            end = _backtick_run(text, pos, hi, len(tok), failed)
            if end >= 0:
                pos = end + len(tok)  # a code span: never math
        elif c == "<":
            if text.startswith("<!--", s):
                end = -1 if failed.get("-->", hi + 1) <= s else text.find("-->", s + 4, hi)
                if end < 0:
                    failed["-->"] = s
                else:
                    pos = end + 3
            elif html := _HTML_INLINE.match(text, s, hi):
                pos = html.end()
        elif c == "]":
            if link := _LINK_DEST.match(text, s, hi):
                pos = link.end()
        elif tok == "{math}`":  # MyST role {math}`…`
            ticks = _BACKTICKS.match(text, s + 6, hi)
            n = ticks.end() - (s + 6) if ticks else 1
            end = _backtick_run(text, s + 6 + n, hi, n, failed)
            if end >= 0:
                pos = region("inline", "{math}`", s, (end, end + n), s + 6 + n, escapes=False)
            else:
                pos = s + 6 + n
        # three or more dollars open nothing


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


def _find_closer(text: str, pos: int, hi: int, closer: str, failed: dict[str, int]) -> _SPAN | None:
    """Read math from ``pos``; return (body end, region end) at ``closer``, or None."""
    env = closer[5:-1] if closer.startswith("\\end{") else None
    while m := _MATH_EVENT.search(text, pos, hi):
        tok = m.group()
        s = m.start()
        pos = m.end()
        if tok[0] == "$":
            if closer == "$":
                # GitHub and pandoc: no space before the closing $, no digit after it
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
            if (
                env is not None
                and (em := _ENV_NAME.match(text, pos, hi))
                and em.group(1).strip() == env
            ):
                return s, em.end()
        elif tok[1:] in TEXT_COMMANDS:
            group_end = _skip_group(text, pos, hi, failed)
            if group_end is not None:
                pos = group_end
    return None


def _skip_group(text: str, pos: int, hi: int, failed: dict[str, int]) -> int | None:
    """After ``\\text``: the end of its braced argument, or None.

    Once a group is found unclosed, later groups in text[:hi] are not skipped
    either, which keeps a paragraph of unclosed ``\\text{`` linear.
    """
    while pos < hi and text[pos] in " \t":
        pos += 1
    if pos >= hi or text[pos] != "{" or failed.get("{", hi + 1) <= pos:
        return None
    depth = 0
    for m in _BRACE_EVENT.finditer(text, pos, hi):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                return m.end()
    failed["{"] = pos
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


# -- recording ----------------------------------------------------------------------


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


def _comments(text: str, lo: int, hi: int) -> list[_SPAN]:
    """``%`` comments in math (MathJax and KaTeX read them as TeX does)."""
    spans = []
    pos = lo
    while m := _COMMENT_EVENT.search(text, pos, hi):
        pos = m.end()
        if m.group() == "%":
            eol = _EOL.search(text, pos, hi)
            pos = eol.start() if eol else hi
            spans.append((m.start(), pos))
    return spans


def _definitions(doc: _Doc, lo: int, hi: int) -> list[_SPAN]:
    r"""Collect ``\newcommand`` & co. written inside math (MathJax style); return their spans."""
    spans = []
    pos = lo
    while m := _DEF_START.search(doc.text, pos, hi):
        at = m.start()
        macro, stop = parse_definition(doc.text[at : min(hi, at + _MAX_DEFINITION)], 0, doc.path)
        if macro is None:
            pos = m.end()
            continue
        doc.out.definitions.append(replace(macro, start=at + macro.start, end=at + macro.end))
        spans.append((at, at + macro.end))
        pos = at + max(stop, macro.end, 1)
    return spans


def _only_blank(text: str, lo: int, hi: int, spans: list[_SPAN]) -> bool:
    pos = lo
    for a, b in sorted(spans):
        if text[pos:a].strip():
            return False
        pos = max(pos, b)
    return not text[pos:hi].strip()
