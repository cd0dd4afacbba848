r"""Find math in Markdown source: regions and the macro definitions written inside math.

Markdown hides math behind a second syntax.  ``$x$`` in a paragraph is math,
but the same characters in a fenced code block, an indented code block, an
inline code span or a ``<pre>`` block are not, and telling them apart needs the
real CommonMark block rules (fence lengths, list indentation, lazy
continuation lines).  So the block structure comes from markdown-it-py, and
only what it cannot give us is done by hand:

* markdown-it tokens carry line ranges, not offsets, and inline math tokens
  carry none at all.  We convert line ranges to offsets ourselves and find
  inline math with our own scanner over the raw source of each paragraph and
  heading, which skips code spans, inline HTML and link destinations as
  CommonMark does (markdown_inline.py, which also records every region).
* Display math on lines of its own is claimed at block level by our rule
  below, so that Markdown does not take it apart (a row starting with ``- x``
  would start a list): ``$$`` blocks (blank lines allowed, as in
  mdit-py-plugins' dollarmath, but a ``$$$$`` line closes and reopens as in
  TeX, which dollarmath reads as one block), ``\begin{align}`` blocks (as the
  amsmath plugin) and ``\\[`` blocks (no blank lines).
* HTML blocks (``<details>``, ``<div align="center">`` …, up to a blank line, as
  CommonMark ends them) are not Markdown: their math is what MathJax or KaTeX renders
  in the page, read raw between the tags, never in ``<code>``, ``<pre>``, ``<script>``.
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
from typing import TYPE_CHECKING, Any

from texgrad.reading.latex import MATH_ENVIRONMENTS
from texgrad.reading.markdown_inline import (
    BACKSLASH_OPENERS,
    ROW_BREAK_ARG,
    Doc,
    Span,
    add_region,
    definitions_in,
    definitions_in_front_matter,
    definitions_outside_math,
    find_closer,
    open_env,
    scan_html,
    scan_inline,
)
from texgrad.reading.problems import ReadProblem
from texgrad.reading.regions import Include, ScanResult

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
_ENV_KEY = "texgrad"  # our entry in markdown-it's per-parse `env`
_BLANK_LINE = re.compile(r"^[ \t]*$", re.M)

# HTML blocks with no text MathJax would read (`<script>`, `<pre>`, comments …).
# Quarto's include shortcode, alone on its line: {{< include _macros.qmd >}} (read as an
# include, as \input is, so that the shared page's macros are the document's)
_QUARTO_INCLUDE = re.compile(r"^[ \t]*\{\{<\s*include\s+(?P<target>[^\s>]+)\s*>\}\}[ \t]*$", re.M)
_RAW_HTML = re.compile(r"\s*<(?:(?:script|pre|style|textarea)(?![A-Za-z0-9-])|[!?])", re.I)
# pandoc's raw attribute for TeX (```{=latex}): passed through, its \newcommand applied
_RAW_TEX = frozenset({"{=latex}", "{=tex}"})
_DIRECTIVE = re.compile(r"\{([A-Za-z][\w:.+-]*)\}")
_OPTION_LINE = re.compile(r"[ \t>]*:[\w-]+:")
_YAML_MARK = re.compile(r"[ \t>]*---[ \t]*")
_QUOTE_PREFIX = re.compile(r"[ \t>]*")
# the opener of a Python-Markdown container whose body is indented: !!! note "Title",
# ??? tip, ???+ example (pymdownx.details), === "Tab" (pymdownx.tabbed); group 1: its indent
_CONTAINER_OPENER = re.compile(r"( *)(?:!!!|\?\?\?\+?|===\+?!?)[ \t]+\S")
_FENCE_MARK = re.compile(r"`{3,}|~{3,}")
# `$$ x $$ (eq1)`, as dollarmath; `$$ … $$ {#eq-name}`, as Quarto labels an equation
_DOLLAR_LABEL = re.compile(r"[ \t]*(?:\([^)$\r\n]+\)|\{#[^}$\r\n]+\})[ \t]*")


def scan(text: str, extra_environments: frozenset[str] = frozenset(), path: str = "") -> ScanResult:
    """Scan a Markdown file: every math region, with exact source offsets."""
    doc = Doc(text, MATH_ENVIRONMENTS | extra_environments, path)
    doc.out.paragraphs = []
    if text:
        _scan_blocks(doc, 0, len(doc.starts), 0)
    doc.out.regions.sort(key=lambda r: (r.start, r.end))
    doc.out.definitions.sort(key=lambda m: m.start)  # (in reading order: a later one wins)
    return doc.out


def scan_paragraph(
    text: str, lo: int, hi: int, extra_environments: frozenset[str] = frozenset(), path: str = ""
) -> ScanResult:
    """The math of the paragraph ``text[lo:hi]`` (outside quotes), as :func:`scan` reads it
    there: its regions, problems and definitions only."""
    doc = Doc.__new__(Doc)  # (no line table: inline reading needs none)
    doc.text, doc.envs, doc.path = text, MATH_ENVIRONMENTS | extra_environments, path
    doc.out, doc.starts, doc.ends = ScanResult(), [], []
    scan_inline(doc, lo, hi)
    definitions_outside_math(doc, lo, hi)
    doc.out.regions.sort(key=lambda r: (r.start, r.end))
    return doc.out


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
        self._closers: dict[str, tuple[int, int, Span | None]] = {}
        self._blanks: list[int] | None = None

    def find(self, src: str, needle: str, start: int) -> int:
        """``src.find(needle, start)``, remembered."""
        hit = self._finds.get(needle)
        if hit is not None and hit[0] <= start and (hit[1] < 0 or hit[1] >= start):
            return hit[1]
        found = src.find(needle, start)
        self._finds[needle] = (start, found)
        return found

    def closer(self, src: str, closer: str, start: int, limit: int) -> Span | None:
        """:func:`find_closer`, remembered."""
        hit = self._closers.get(closer)
        if (
            hit is not None
            and hit[0] <= start
            and hit[1] == limit
            and (hit[2] is None or hit[2][0] >= start)
        ):
            return hit[2]
        found = find_closer(src, start, limit, closer, self._groups.setdefault(limit, {}))
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
    pos = state.bMarks[startLine] + state.tShift[startLine]
    found = _display_at(state, settings, pos, startLine, endLine, silent)
    if found is None:
        return False
    kind, delimiter, body, (body_end, end) = found
    last = bisect.bisect_left(state.eMarks, end, startLine, endLine)  # the closer's line
    if last >= endLine or not _lines_fit(state, startLine, last, end, kind, delimiter):
        return False
    if silent:
        return True
    token = state.push("tex_display", "math", 0)
    token.block = True
    token.map = [startLine, last + 1]
    token.content = state.getLines(startLine, last + 1, state.blkIndent, False)
    # Columns, not offsets: markdown-it normalised the line breaks of its copy.
    row0 = state.src.rfind("\n", 0, pos) + 1
    row1 = state.src.rfind("\n", 0, body_end) + 1
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


def _display_at(
    state: StateBlock, settings: _ParseState, pos: int, line: int, endLine: int, silent: bool
) -> tuple[str, str, int, Span] | None:
    """The display math opened at ``pos`` (the start of ``line``'s text) and where it
    closes: (kind, delimiter, body start, (body end, end)); None if there is none."""
    src = state.src
    line_end = state.eMarks[line]
    if pos + 2 > line_end or src[pos] not in "\\$":
        return None
    limit = state.eMarks[endLine - 1]
    if src.startswith("$$", pos):
        # `silent` is markdown-it asking whether this line may interrupt a
        # paragraph (or list, quote): `$$` never does, as in dollarmath.
        if silent or src.startswith("$$$", pos):
            return None
        kind, delimiter, body = "display", "$$", pos + 2
        close = settings.closer(src, "$$", body, limit)
    elif src.startswith(("\\\\[", "\\["), pos):
        if ROW_BREAK_ARG.match(src, pos, line_end):
            return None
        kind, delimiter = "display", src[pos : src.index("[", pos) + 1]
        body = pos + len(delimiter)
        close = settings.closer(
            src, BACKSLASH_OPENERS[delimiter][0], body, min(limit, settings.blank_after(src, pos))
        )
    else:
        env = open_env(src, pos, line_end, settings.envs)
        if env is None:
            return None
        kind, body = env
        delimiter, closer = "\\begin", "\\end{" + kind + "}"
        at = settings.find(src, closer, body)  # amsmath too ends the body at the text \end{…}
        close = (at, at + len(closer)) if 0 <= at and at + len(closer) <= limit else None
    return None if close is None else (kind, delimiter, body, close)


def _lines_fit(
    state: StateBlock, first: int, last: int, end: int, kind: str, delimiter: str
) -> bool:
    """May lines [first, last] be one display block closed at ``end``: nothing but a label
    after the closer, and no line that ends the container (a blank line in a quote, a
    less indented line in a list item)?"""
    rest = state.src[end : state.eMarks[last]]
    if rest.strip() and not (delimiter == "$$" and _DOLLAR_LABEL.fullmatch(rest)):
        return False
    for line in range(first + 1, last + 1):
        if state.isEmpty(line):
            if delimiter != "$$" and kind == "display":
                return False  # a blank line inside a blockquote
        elif state.sCount[line] < state.blkIndent:
            return False  # a less indented line ends the enclosing list item
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


def _scan_blocks(doc: Doc, first: int, last: int, depth: int) -> None:
    """Parse lines [first, last) as Markdown and read the math in its blocks."""
    src = doc.text[doc.starts[first] : doc.ends[last - 1]]
    try:
        tokens = _markdown().parse(src, {_ENV_KEY: _ParseState(doc.envs)})
    except Exception as exc:  # noqa: BLE001 - a third-party parser must not take the reader down
        doc.out.problems.append(
            ReadProblem(
                f"Markdown structure could not be read ({type(exc).__name__}); "
                "math is looked for in every paragraph",
                doc.starts[first], doc.starts[first], "warning", "markdown-parse-failed",
            )
        )  # fmt: skip
        _scan_plain(doc, first, last)
        doc.out.paragraphs = None  # (no block structure: no edit is read paragraph-wise)
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
            inline = tokens[i + 1].content if i + 1 < len(tokens) else ""
            _paragraph(doc, kind == "paragraph_open", inline, a, b, quotes > 0)
        elif kind == "front_matter":  # header-includes: \newcommand{\vx}{\mathbf{x}}
            definitions_in_front_matter(doc, doc.starts[a], doc.ends[b - 1])
        elif kind == "fence":
            _fence(doc, tok.markup, tok.info, tok.content, a, b, quotes > 0, depth)
        elif kind == "tex_display":
            _display_block(doc, tok.meta, tok.content, a, b, quotes > 0)
        elif kind == "code_block" and _under_container(doc, a):
            _container_body(doc, a, b)
        elif kind == "html_block" and not _RAW_HTML.match(tok.content):
            # what MathJax renders in the page: <details>, <div align="center"> …
            prefixes = _quote_prefixes(doc, a, b, tok.content) if quotes else ()
            scan_html(doc, doc.starts[a], doc.ends[b - 1], prefixes)


def _under_container(doc: Doc, a: int) -> bool:
    """Does the indented block at line ``a`` follow (past blank lines) the opener of a
    Python-Markdown container — an admonition ``!!! note``, ``??? tip``, or a content tab
    ``=== "Tab"`` (MkDocs Material) — less indented than it, whose body it then is?"""
    i = a - 1
    while i >= 0 and not doc.line(i).strip():
        i -= 1
    if i < 0 or i == a - 1:
        return False  # (right after it, the body is the opener's lazy continuation: a paragraph)
    opener = _CONTAINER_OPENER.match(doc.line(i))
    body = doc.line(a)
    return opener is not None and len(body) - len(body.lstrip(" ")) > len(opener.group(1))


def _container_body(doc: Doc, a: int, b: int) -> None:
    """Lines [a, b), a container's body Markdown reads as code for its indent: each run of
    lines between blank lines is a paragraph (MathJax's ``\\(…\\)``, ``\\[…\\]`` found
    inside); a fence in it, or a block indented four more, stays code."""
    start = None
    fence: str | None = None
    first = doc.line(a)
    code = len(first) - len(first.lstrip(" ")) + 4  # (a block indented 4 more: code in the body)
    for i in range(a, b + 1):
        whole = doc.line(i) if i < b else ""
        line = whole.strip()
        if start is None and line and len(whole) - len(whole.lstrip(" ")) >= code:
            continue
        mark = _FENCE_MARK.match(line)
        if fence is not None:
            fence = None if mark is not None and mark.group(0).startswith(fence) else fence
            continue
        if mark is not None:
            if start is not None:
                scan_inline(doc, doc.starts[start], doc.ends[i - 1])
            start, fence = None, mark.group(0)
            continue
        if not line and start is not None:
            scan_inline(doc, doc.starts[start], doc.ends[i - 1])
            start = None
        elif line and start is None:
            start = i


def _paragraph(doc: Doc, paragraph: bool, inline: str, a: int, b: int, quoted: bool) -> None:
    """A paragraph (or a heading) of lines [a, b), whose text markdown-it saw as ``inline``:
    its includes, its math, and (a paragraph's) definitions outside math."""
    if paragraph and "{{<" in inline:
        _includes(doc, doc.starts[a], doc.ends[b - 1])
    prefixes = _quote_prefixes(doc, a, b, inline) if quoted else ()
    if not quoted and paragraph and doc.out.paragraphs is not None and "{{<" not in inline:
        doc.out.paragraphs.append((doc.starts[a], doc.ends[b - 1]))  # (nor includes)
    scan_inline(doc, doc.starts[a], doc.ends[b - 1], prefixes)
    if paragraph:  # (pandoc's raw TeX: \newcommand outside math)
        definitions_outside_math(doc, doc.starts[a], doc.ends[b - 1])


def _includes(doc: Doc, a: int, b: int) -> None:
    """The Quarto includes of a paragraph (``{{< include file.qmd >}}`` lines)."""
    for m in _QUARTO_INCLUDE.finditer(doc.text, a, b):
        target = m.group("target").strip("\"'")
        doc.out.includes.append(Include("quarto-include", target, m.start(), m.end()))


def _scan_plain(doc: Doc, first: int, last: int) -> None:
    """Fallback without block structure: every blank-line-separated chunk is a paragraph."""
    start = None
    for i in range(first, last + 1):
        blank = i == last or not doc.line(i).strip()
        if blank and start is not None:
            scan_inline(doc, doc.starts[start], doc.ends[i - 1])
            start = None
        elif not blank and start is None:
            start = i


def _quote_prefixes(doc: Doc, a: int, b: int, content: str) -> tuple[Span, ...]:
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
    doc: Doc, markup: str, info: str, content: str, a: int, b: int, quoted: bool, depth: int
) -> None:
    """A fenced block: math, a MyST directive holding Markdown, or code (ignored)."""
    words = info.split(None, 1)
    word = words[0] if words else ""
    directive = _DIRECTIVE.fullmatch(word)
    name = directive.group(1) if directive else None
    if word != "math" and name is None and word not in _RAW_TEX:
        return  # code, d2l's {.python .input} included
    closing = doc.line(b - 1).lstrip(" \t>").rstrip()
    closed = b - 1 > a and len(closing) >= len(markup) and closing == markup[0] * len(closing)
    c0, c1 = a + 1, (b - 1 if closed else b)  # the content lines
    if word in _RAW_TEX:  # pandoc's raw TeX block: not math, but its definitions are read
        if c1 > c0 and not quoted:
            definitions_in(doc, doc.starts[c0], doc.ends[c1 - 1])
        return
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
    excluded: list[Span] = []
    if quoted:
        excluded.extend(_quote_prefixes(doc, c0, c1, content))
    if name == "math":
        options_end = _skip_options(doc, c0, c1)
        if options_end > c0:
            excluded.append(
                (doc.starts[c0], doc.starts[options_end] if options_end < c1 else body_end)
            )
    delimiter = "```{math}" if name == "math" else "```math"
    add_region(doc, "math", delimiter, start, end, body_start, body_end, True, False, excluded)


def _skip_options(doc: Doc, c0: int, c1: int) -> int:
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
    doc: Doc, meta: dict[str, Any], content: str, a: int, b: int, quoted: bool
) -> None:
    """A block from :func:`_display_block_rule`; ``meta`` holds columns on its first and last line."""
    first, last = doc.starts[a], doc.starts[b - 1]
    kind, delimiter = meta["kind"], meta["delimiter"]
    excluded = _quote_prefixes(doc, a, b, content) if quoted else ()
    add_region(
        doc, kind, delimiter, first + meta["open"], last + meta["end"],
        first + meta["body"], last + meta["close"], kind != "math",
        # `\\[` exists because Markdown escapes run over it; $$ and environment blocks are raw
        delimiter in ("\\\\[", "\\["), excluded,
    )  # fmt: skip
