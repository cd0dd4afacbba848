r"""Markdown: the math inside a paragraph's source, and the recording of every region.

markdown.py finds the blocks (with markdown-it); this module reads what it cannot:
inline math in the raw source of a paragraph or heading, skipping code spans, inline
HTML and link destinations as CommonMark does (:func:`scan_inline`); the closer of math
(:func:`find_closer`, which the block rule and rescan.py use too); and the recording of a
region found either way (:func:`add_region`: container prefixes, comments and macro
definitions inside it excluded).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from texgrad.reading.latex import TEXT_COMMANDS
from texgrad.reading.macros import DEFINITION_COMMANDS, parse_definition
from texgrad.reading.packages import package_macros
from texgrad.reading.problems import ReadProblem
from texgrad.reading.regions import RawRegion, ScanResult

Span = tuple[int, int]

_MAX_DEFINITION = 10_000  # longest \newcommand read, in characters
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it normalises to \n

# Text mode (paragraph source).  `\\[` must be tried before the escape `\\.`.
TEXT_EVENT = re.compile(
    r"\\\\[\[(]|\\(?:begin(?![A-Za-z])|.)|\$+|`+|<|\]\(|\{math\}`|\{\{<[ \t]*katex(?![\w-])[^<>\n]{0,80}>\}\}",
    re.S,
)
# Math mode: what may close the math, and \text{…}, which may hide a nested $…$.
MATH_EVENT = re.compile(
    r"\\(?:(?:"
    + "|".join(sorted(TEXT_COMMANDS | {"end"}, key=lambda w: (-len(w), w)))
    + r")(?![A-Za-z])|.)|\$\$?",
    re.S,
)
# MATH_EVENT as find_closer reads it: of a backslash and the character after it, only those
# it acts on (\$, \\, \] and \), besides \end and the text commands) — the others (\mathbf,
# \alpha: most of a formula's events) do nothing there, and their second character can start
# no event (one starts at a backslash or a dollar), so skipping them finds the same closers
_CLOSER_EVENT = re.compile(
    r"\\(?:(?:"
    + "|".join(sorted(TEXT_COMMANDS | {"end"}, key=lambda w: (-len(w), w)))
    + r")(?![A-Za-z])|[\\$\])])|\$\$?",
)
_BRACE_EVENT = re.compile(r"\\[\\{}]|[{}]")
# inline R code (R Markdown `r …`, Quarto `{r} …`) inside math: knitr writes its value there
_INLINE_R = re.compile(r"`(?:r|\{r\})[ \t][^`\r\n]*`")
_COMMENT_EVENT = re.compile(r"\\.|%", re.S)
_BACKTICKS = re.compile(r"`+")
ENV_OPEN = re.compile(r"\\begin[ \t]*\{([^{}\r\n]*)\}")
_ENV_NAME = re.compile(r"[ \t]*\{([^{}\r\n]*)\}")
_ALIGNAT_ARG = re.compile(r"[ \t]*\{[^{}\r\n]*\}")
_EOL = re.compile(r"[\r\n]")
_DEF_START = re.compile(r"\\(?:" + "|".join(DEFINITION_COMMANDS) + r")(?![A-Za-z@])")
# `\\[2pt]`, `\\[\dimexpr…]`: a LaTeX row break with a length (bookish raw LaTeX), not math.
ROW_BREAK_ARG = re.compile(
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
# Backslash openers of text mode: closer, kind, display.
BACKSLASH_OPENERS = {
    "\\\\[": ("\\\\]", "display", True),
    "\\\\(": ("\\\\)", "inline", False),
    "\\[": ("\\]", "display", True),
    "\\(": ("\\)", "inline", False),
}


@dataclass
class Doc:
    """A Markdown file being scanned: its text and lines, and what was found in it."""

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


# -- inline math: our own scanner over a paragraph's source ---------------------------


def scan_inline(
    doc: Doc, lo: int, hi: int, prefixes: tuple[Span, ...] = (), record: bool = True
) -> None:
    """Find the math in text[lo:hi], a paragraph or heading (an HTML block if not ``record``).

    Each event found is handed to its entry in :data:`_INLINE_HANDLERS`, by its first
    character, which reads on and says where to go on from."""
    p = _Paragraph(doc, hi, prefixes, record)
    text, handlers = doc.text, _INLINE_HANDLERS
    pos = lo
    while m := TEXT_EVENT.search(text, pos, hi):
        tok = m.group()
        pos = handlers[tok[0]](p, tok, m.start(), m.end())


class _Paragraph:
    """What the inline handlers share: the paragraph's end, where regions go, and the
    closers known to be missing after some point (``failed``: closer -> a position after
    which it does not occur), which keeps a paragraph of unclosed openers linear."""

    __slots__ = ("doc", "text", "hi", "prefixes", "record", "failed", "html")

    def __init__(
        self, doc: Doc, hi: int, prefixes: tuple[Span, ...], record: bool, html: bool = False
    ) -> None:
        self.doc, self.text, self.hi = doc, doc.text, hi
        self.prefixes, self.record = prefixes, record
        self.failed: dict[str, int] = {}
        # text of an HTML block: no Markdown escapes, and an opener left unclosed is not
        # reported (MathJax may close it past a <br>, where this reading stops)
        self.html = html

    @property
    def reports(self) -> bool:
        """Is an unclosed opener reported here?"""
        return self.record and not self.html

    def close(self, pos: int, closer: str) -> Span | None:
        """:func:`find_closer` from ``pos`` to the paragraph's end, remembering a miss."""
        if self.failed.get(closer, self.hi + 1) <= pos:
            return None
        found = find_closer(self.text, pos, self.hi, closer, self.failed)
        if found is None:
            self.failed[closer] = pos
        return found

    def region(
        self, kind: str, delimiter: str, start: int, span: Span, body: int, escapes: bool = True
    ) -> int:
        """Record math from ``start`` to ``span[1]``, its body from ``body`` to ``span[0]``;
        return where reading goes on (the math's end)."""
        display = delimiter in ("$$", "\\\\[", "\\[") or (delimiter == "\\begin" and kind != "math")
        add_region(
            self.doc, kind, delimiter, start, span[1], body, span[0], display,
            escapes and not self.html, self.prefixes, self.record,
        )  # fmt: skip
        return span[1]


# Each handler gets (paragraph, event, its start, its end) and returns where reading goes on.


def _backslash(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    r"""``\[``, ``\(``, ``\\[``, ``\\(``, ``\begin``, or an escape such as ``\$`` (skipped whole)."""
    if tok == "\\begin":
        return _environment(p, s, pos)
    opener = BACKSLASH_OPENERS.get(tok)
    if opener is None:
        return pos
    if tok == "\\\\[" and (row_break := ROW_BREAK_ARG.match(p.text, s, p.hi)):
        return row_break.end()
    closer, kind, _ = opener
    found = p.close(pos, closer)
    if found is not None:
        return p.region(kind, tok, s, found, pos)
    if tok == "\\\\[" and p.reports:
        # `\[`, `\(` and `\\(` are also plain Markdown escapes: only `\\[` is surely math
        unclosed(p.doc, tok, closer, s, pos)
    return pos


def _environment(p: _Paragraph, s: int, pos: int) -> int:
    env = open_env(p.text, s, p.hi, p.doc.envs)
    if env is None:
        return pos
    name, body = env
    found = p.close(body, "\\end{" + name + "}")
    if found is not None:
        return p.region(name, "\\begin", s, found, body)
    if p.reports:
        unclosed(p.doc, f"\\begin{{{name}}}", f"\\end{{{name}}}", s, body)
    return body


def _dollars(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    """``$$…$$``, ``$…$`` or GitHub's ``$`…`$``; three or more dollars open nothing."""
    if tok == "$$":
        found = p.close(pos, "$$")
        if found is not None:
            return p.region("display", "$$", s, found, pos)
        if p.reports:
            unclosed(p.doc, "$$", "$$", s, pos)
        return pos
    if tok != "$" or pos >= p.hi:
        return pos
    nxt = p.text[pos]
    if nxt == "`":  # GitHub's $`…`$ (in HTML, where GitHub reads no math: not read)
        return pos if p.html else _dollar_backtick(p, s, pos)
    if nxt.isspace():
        return pos
    found = p.close(pos, "$")
    return pos if found is None else p.region("inline", "$", s, found, pos)


def _dollar_backtick(p: _Paragraph, s: int, pos: int) -> int:
    text, hi = p.text, p.hi
    ticks = _BACKTICKS.match(text, pos, hi)
    n = ticks.end() - pos if ticks else 1
    end = _backtick_run(text, pos + n, hi, n, p.failed)
    if end < 0:
        return pos + n
    if end + n < hi and text[end + n] == "$":
        return p.region("inline", "$`", s, (end, end + n + 1), pos + n, escapes=False)
    return end + n  # a plain dollar sign before a code span


def _code_span(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    end = _backtick_run(p.text, pos, p.hi, len(tok), p.failed)
    return pos if end < 0 else end + len(tok)  # a code span: never math


def _html(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    """An HTML comment, tag or autolink: never math."""
    text, hi, failed = p.text, p.hi, p.failed
    if text.startswith("<!--", s):
        end = -1 if failed.get("-->", hi + 1) <= s else text.find("-->", s + 4, hi)
        if end < 0:
            failed["-->"] = s
            return pos
        return end + 3
    html = _HTML_INLINE.match(text, s, hi)
    return html.end() if html else pos


def _link(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    link = _LINK_DEST.match(p.text, s, p.hi)
    return link.end() if link else pos


def _math_role(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    """MyST's role {math}`…`."""
    text, hi = p.text, p.hi
    ticks = _BACKTICKS.match(text, s + 6, hi)
    n = ticks.end() - (s + 6) if ticks else 1
    end = _backtick_run(text, s + 6 + n, hi, n, p.failed)
    if end < 0:
        return s + 6 + n
    return p.region("inline", "{math}`", s, (end, end + n), s + 6 + n, escapes=False)


# Hugo's KaTeX shortcode (the hugo-book theme): {{< katex >}}…{{< /katex >}}
_KATEX_CLOSE = re.compile(r"\{\{<[ \t]*/katex[ \t]*>\}\}")
_KATEX_INLINE = re.compile(r"display[ \t]*=[ \t]*[\"']?false", re.I)


def _brace(p: _Paragraph, tok: str, s: int, pos: int) -> int:
    """MyST's role {math}`…`, or Hugo's shortcode ``{{< katex [display] >}}…{{< /katex >}}``,
    whose content Hugo hands to KaTeX as written (no Markdown escapes)."""
    if tok.startswith("{math}"):
        return _math_role(p, tok, s, pos)
    close = _KATEX_CLOSE.search(p.text, pos, p.hi)
    if close is None:
        return pos
    display = "display" in tok[9:] and not _KATEX_INLINE.search(tok)
    add_region(
        p.doc, "display" if display else "inline", "{{< katex >}}", s, close.end(), pos,
        close.start(), display, False, p.prefixes, p.record,
    )  # fmt: skip
    return close.end()


# by the event's first character (every event TEXT_EVENT finds has an entry)
_INLINE_HANDLERS: dict[str, Callable[[_Paragraph, str, int, int], int]] = {
    "\\": _backslash,
    "$": _dollars,
    "`": _code_span,
    "<": _html,
    "]": _link,
    "{": _brace,
}


# -- math in an HTML block: what MathJax or KaTeX renders in the page -------------------

# Text of an HTML block: no code spans, links or roles (Markdown is not read there), and
# no `\\[` (MathJax's delimiter there is `\[`: `\\` is an escaped backslash)
_HTML_TEXT_EVENT = re.compile(r"\\(?:begin(?![A-Za-z])|.)|\$+", re.S)
_HTML_TEXT_HANDLERS: dict[str, Callable[[_Paragraph, str, int, int], int]] = {
    "\\": _backslash,
    "$": _dollars,
}
# a tag (its attributes' values may hold `$` and `>`) or a comment
_HTML_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s+[A-Za-z_:][\w.:-]*"
    r"(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']{0,1000}'|\"[^\"]{0,1000}\"))?)*\s*(/?)>",
    re.S,
)
# elements whose text MathJax (skipHtmlTags) or KaTeX's auto-render (ignoredTags) leaves
# as it is, and MathML and SVG, whose text is not TeX
_RAW_ELEMENTS = frozenset(
    {"script", "noscript", "style", "textarea", "pre", "code", "option", "annotation",
     "annotation-xml", "math", "svg"}
)  # fmt: skip
# a block MathJax renders but nobody sees: the place of hidden macro definitions
_HIDDEN = re.compile(r"\s(?:hidden(?![\w-])|style\s*=\s*[\"'][^\"']*display\s*:\s*none)", re.I)


def scan_html(doc: Doc, lo: int, hi: int, prefixes: tuple[Span, ...] = ()) -> None:
    """The math of the HTML block ``text[lo:hi]``, as MathJax or KaTeX reads it in the page.

    Markdown is not read in an HTML block, so its math is raw TeX (no Markdown escapes);
    math is read in the text between two tags (KaTeX renders each text node alone), never
    inside ``<code>``, ``<pre>``, ``<script>`` … (:data:`_RAW_ELEMENTS`), nor in a comment
    or a tag's attributes (``prefixes``: a quote's ``>`` marks).  A block opened by a hidden element (``<div hidden>``,
    ``style="display:none"``) only lends its macro definitions, as before."""
    text = doc.text
    first = _HTML_TAG.search(text, lo, hi)
    record = first is None or not _HIDDEN.search(text, first.start(), first.end())
    pos = lo
    while pos < hi:
        tag = _HTML_TAG.search(text, pos, hi)
        end = tag.start() if tag else hi
        if end > pos:
            _scan_html_text(doc, pos, end, record, prefixes)
        if tag is None:
            return
        pos = tag.end()
        name = tag.group(2)
        if name and not tag.group(1) and not tag.group(3) and name.lower() in _RAW_ELEMENTS:
            close = re.compile(r"</" + re.escape(name) + r"\s*>", re.I).search(text, pos, hi)
            pos = close.end() if close else hi


def _scan_html_text(doc: Doc, lo: int, hi: int, record: bool, prefixes: tuple[Span, ...]) -> None:
    p = _Paragraph(doc, hi, prefixes, record, html=True)
    text, handlers = doc.text, _HTML_TEXT_HANDLERS
    pos = lo
    while m := _HTML_TEXT_EVENT.search(text, pos, hi):
        tok = m.group()
        pos = handlers[tok[0]](p, tok, m.start(), m.end())


def open_env(text: str, pos: int, hi: int, envs: frozenset[str]) -> tuple[str, int] | None:
    r"""At ``\begin{name}`` of a math environment: (name, where its body starts)."""
    m = ENV_OPEN.match(text, pos, hi)
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


def find_closer(text: str, pos: int, hi: int, closer: str, failed: dict[str, int]) -> Span | None:
    """Read math from ``pos``; return (body end, region end) at ``closer``, or None."""
    env = closer[5:-1] if closer.startswith("\\end{") else None
    while m := _CLOSER_EVENT.search(text, pos, hi):
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


def unclosed(doc: Doc, what: str, closer: str, start: int, end: int) -> None:
    doc.out.problems.append(
        ReadProblem(
            f"math opened by {what} is not closed (expected {closer} before the paragraph ends)",
            start, end, "error", "unclosed-math",
        )
    )  # fmt: skip


def add_region(
    doc: Doc, kind: str, delimiter: str, start: int, end: int, body_start: int, body_end: int,
    display: bool, markdown_escapes: bool, prefixes: Iterable[Span] = (), record: bool = True,
) -> None:  # fmt: skip
    """Record a region: exclude container prefixes, TeX comments and macro definitions."""
    text = doc.text
    excluded = [(a, b) for a, b in prefixes if body_start <= a and b <= body_end]
    if text.find("%", body_start, body_end) >= 0:
        excluded.extend(_comments(text, body_start, body_end))
    if text.find("`", body_start, body_end) >= 0:  # "$n = `r nrow(d)`$": knitr's number
        excluded.extend(m.span() for m in _INLINE_R.finditer(text, body_start, body_end))
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


def _comments(text: str, lo: int, hi: int) -> list[Span]:
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


def _definitions(doc: Doc, lo: int, hi: int) -> list[Span]:
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
    for m in _REQUIRE.finditer(doc.text, lo, hi):  # MathJax's \require{physics}
        doc.out.definitions.extend(package_macros(m[1], m.start(), m.end(), doc.path))
        spans.append((m.start(), m.end()))
    return sorted(spans)


# MathJax 3 loads a TeX extension where the math asks: ``\require{physics}``
_REQUIRE = re.compile(r"\\require\s*\{\s*([\w-]+)\s*\}")


# a definition that opens a line of a paragraph, outside math (pandoc's raw TeX)
_LINE_DEF = re.compile(r"^[ \t]*(?=" + _DEF_START.pattern + ")", re.M)


def definitions_outside_math(doc: Doc, lo: int, hi: int) -> None:
    r"""``\newcommand`` & co. written outside math in the paragraph ``text[lo:hi]``, each at
    the start of a line (or after another on it): pandoc reads them as raw TeX, and its
    ``latex_macros`` extension applies them to every formula, so they are the document's
    macros as much as those written in ``$$…$$``.  A definition inside math is read by
    :func:`add_region` (not twice); one in a code span never opens its line."""
    text = doc.text
    seen = {m.start for m in doc.out.definitions}
    pos = lo
    while m := _LINE_DEF.search(text, pos, hi):
        at = m.end()
        pos = at + 1
        while at < hi and at not in seen:
            macro, stop = parse_definition(text[at : min(hi, at + _MAX_DEFINITION)], 0, doc.path)
            if macro is None:
                break
            doc.out.definitions.append(replace(macro, start=at + macro.start, end=at + macro.end))
            seen.add(at)
            pos = at = at + max(stop, macro.end, 1)
            while at < hi and text[at] in " \t":  # (\newcommand{\a}{…}\newcommand{\b}{…})
                at += 1
            if not _DEF_START.match(text, at, hi):
                break


def definitions_in(doc: Doc, lo: int, hi: int) -> None:
    r"""The definitions of raw TeX ``text[lo:hi]`` (a pandoc ``{=latex}`` block), wherever
    they are in it."""
    _definitions(doc, lo, hi)


# a YAML double-quoted scalar filling the rest of its line (``- "\\newcommand{\\vx}{…}"``)
_YAML_QUOTED = re.compile(r'"((?:[^"\\\r\n]|\\.)*)"[ \t]*(?:#.*)?$')
_YAML_ESCAPE = re.compile(r"\\(.)")
_YAML_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "/": "/"}
_NEWLINE_LINE = re.compile(r"[^\r\n]*")


def definitions_in_front_matter(doc: Doc, lo: int, hi: int) -> None:
    r"""The definitions of a YAML front matter ``text[lo:hi]`` (pandoc's and Quarto's
    ``header-includes:``, ``include-in-header:``), line by line: in a double-quoted scalar
    with its backslashes doubled (the definition's span its quotes), else as written (a
    plain or block scalar)."""
    text = doc.text
    for line in _NEWLINE_LINE.finditer(text, lo, hi):
        a, b = line.span()
        if not _DEF_START.search(text, a, b):
            continue
        quoted = _YAML_QUOTED.search(text, a, b)
        if quoted is None:
            _definitions(doc, a, b)
            continue
        value = _YAML_ESCAPE.sub(lambda m: _YAML_ESCAPES.get(m[1], m[1]), quoted[1])
        at = 0
        while m := _DEF_START.search(value, at):
            macro, stop = parse_definition(
                value[m.start() : m.start() + _MAX_DEFINITION], 0, doc.path
            )
            if macro is None:
                at = m.end()
                continue
            doc.out.definitions.append(replace(macro, start=quoted.start(), end=quoted.end()))
            at = m.start() + max(stop, macro.end, 1)


def _only_blank(text: str, lo: int, hi: int, spans: list[Span]) -> bool:
    pos = lo
    for a, b in sorted(spans):
        if text[pos:a].strip():
            return False
        pos = max(pos, b)
    return not text[pos:hi].strip()
