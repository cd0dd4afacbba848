r"""Reading a document again after an edit that stayed inside one math region.

Typing happens inside math.  Scanning a whole document again for every key costs
tens of milliseconds (markdown-it's block pass alone), so when an edit replaces
text strictly inside the body of one region and cannot have changed what is math
and what is not, the last scan is reused: that region is read again by the
scanner's own routine on the new text, and the regions after it are moved.

"Cannot have changed" is decided conservatively; whenever in doubt the caller
scans the whole text.  The edit must not add or remove a character that opens,
closes or hides math (``$``, a backquote, ``%``; in Markdown also line breaks,
``|``, ``<``) nor a macro definition or a ``\text{…}`` group (whose braces the
scanners skip with memory of earlier failures), and, in Markdown, must leave the
line's start (block structure: lists, quotes, headings, indentation) alone.  The
region's closer is then found again by the same function the scanner used, on
the new text, and must be the old closer, moved.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from texgrad.reading import latex, markdown, markdown_inline
from texgrad.reading.edits import Splice, TextEdit
from texgrad.reading.macros import DEFINITION_COMMANDS
from texgrad.reading.memo import Recent
from texgrad.reading.problems import ReadProblem
from texgrad.reading.regions import Include, RawRegion, ScanResult, shifted_all

_DEFINITION = re.compile(
    r"\\(?:" + "|".join((*DEFINITION_COMMANDS, "newenvironment")) + r")(?![A-Za-z@])"
)
_TEXT_GROUP = re.compile(r"\\(?:" + "|".join(sorted(latex.TEXT_COMMANDS)) + r")(?![A-Za-z@])")
_LATEX_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_MARKDOWN_CLOSERS = {**_LATEX_CLOSERS, "\\\\(": "\\\\)", "\\\\[": "\\\\]"}
# blanks, list markers and quote marks at a line's start: block content begins after them
_LINE_PREFIX = re.compile(r"(?:[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)|>))*[ \t]*", re.M)
# a line that could be a setext underline, a thematic break or a list/quote/heading marker
_STRUCTURAL_LINE = re.compile(r"[ \t]*[-=*_+#>]*[ \t]*")


def rescan(
    old_text: str,
    old: ScanResult,
    new_text: str,
    format: str,
    extra_environments: frozenset[str] = frozenset(),
) -> ScanResult | None:
    """The scan of ``new_text`` from the scan of ``old_text``, or None when it must be
    scanned whole (see the module's docstring)."""
    edit = TextEdit.between(old_text, new_text)
    region = _region_holding(old.regions, edit)
    if region is None:
        return _prose_edit(old_text, old, new_text, format, edit)
    index, raw = region
    removed, inserted = old_text[edit.start : edit.old_end], new_text[edit.start : edit.new_end]
    forbidden = "$%`\n|<" if format == "markdown" else "$%`"
    if any(c in removed or c in inserted for c in forbidden):
        return None
    if not _escapes_kept(old_text, new_text, edit):
        return None  # what a backslash escapes (\}, \$) changes, or a command that matters
    if not (_balanced(removed) and _balanced(inserted)):
        return None  # a definition or group far before may look for its closing brace here
    d = edit.delta
    old_body = old_text[raw.body_start : raw.body_end]
    new_body = new_text[raw.body_start : raw.body_end + d]
    for body in (old_body, new_body):
        if _DEFINITION.search(body):
            return None
    moved = _moved(raw, d, edit.start)
    found = (
        _closer_markdown(new_text, raw, moved, edit, old.regions, index, extra_environments)
        if format == "markdown"
        else _closer_latex(old_text, new_text, raw, moved, edit, old.regions, index)
    )
    if not found:
        return None
    regions = [*old.regions[:index], moved, *_shifted(old.regions[index + 1 :], d, edit.start)]
    splice = Splice(old.regions, index, len(regions) - index - 1, d)
    return _moved_scan(old, regions, new_text, format, edit, splice, old_text)


def _moved_scan(
    old: ScanResult,
    regions: list[RawRegion],
    new_text: str,
    format: str,
    edit: TextEdit,
    splice: Splice,
    old_text: str,
) -> ScanResult:
    """The old scan with these regions and everything else after the edit moved (a
    Markdown scan's paragraphs too, where the edit kept its lines' block structure)."""
    d = edit.delta
    out = ScanResult(
        regions,
        [m if m.start < edit.start else replace(m, start=m.start + d, end=m.end + d) for m in old.definitions],
        [i if i.start < edit.start else Include(i.command, i.target, i.start + d, i.end + d) for i in old.includes],
        [_moved_problem(p, edit) for p in old.problems],
        old.magic_root,
        old.has_documentclass,
        splice,
        _moved_paragraphs(old.paragraphs, edit)
        if old.paragraphs is not None and _lines_kept(old_text, new_text, edit)
        else None,
        old.include_only,  # (an edit inside one math region leaves \includeonly as it was)
    )  # fmt: skip
    if format != "markdown" and edit.start < 4000:
        out.magic_root = latex.magic_root(new_text)
    return out


def _prose_edit(
    old_text: str, old: ScanResult, new_text: str, format: str, edit: TextEdit
) -> ScanResult | None:
    """An edit to text outside math that leaves every scanner event (a command, a dollar
    sign, a comment, a backquote, a bracket, an HTML tag…) and every line's start as they
    were: the same regions, moved."""
    if edit.start == edit.old_end == edit.new_end:
        return old
    changed = old_text[edit.start : edit.old_end] + new_text[edit.start : edit.new_end]
    if any(c in changed for c in "\\$%`<>[]{}|\n"):
        return None
    if _overlaps_structure(old, edit):
        return None
    # regions right next to the edit: their own delimiters are events that keep their meaning
    # (a closing $ only needs no digit after it), except a Markdown display's closing line
    beside = [r for r in old.regions if r.end == edit.start or r.start == edit.old_end]
    if _closer_disturbed(beside, new_text, format, edit, changed):
        return None
    if _event_near(old_text, new_text, format, edit, beside):
        return None  # an event next to the edit: its meaning may have changed
    if _context_reads_on(new_text, format, edit):
        return None
    kept = bisect.bisect_left(old.regions, edit.start, key=lambda r: r.start)
    regions = [*old.regions[:kept], *_shifted(old.regions[kept:], edit.delta, edit.start)]
    splice = Splice(old.regions, kept, len(regions) - kept, edit.delta)
    return _moved_scan(old, regions, new_text, format, edit, splice, old_text)


def _overlaps_structure(old: ScanResult, edit: TextEdit) -> bool:
    """Whether the edit touches a region, a definition or an include."""
    for r in old.regions:  # (few regions start after the edit's line; bisect is not needed)
        if r.start < edit.old_end and edit.start < r.end:
            return True
    for span in (
        *((m.start, m.end) for m in old.definitions),
        *((i.start, i.end) for i in old.includes),
    ):
        if span[0] < edit.old_end and edit.start < span[1]:
            return True
    return False


def _closer_disturbed(
    beside: list[RawRegion], new_text: str, format: str, edit: TextEdit, changed: str
) -> bool:
    """Whether the edit changes what a neighbouring region's delimiter means: text after a
    Markdown display's closer on its line, or a digit right after a closing $."""
    for r in beside:
        if format == "markdown" and (r.display or r.delimiter != "$") and changed.strip(" \t"):
            return True  # only blanks may follow a display's closer on its line
        if r.end == edit.start and new_text[edit.start : edit.start + 1].isdigit():
            return True
    return False


def _event_near(
    old_text: str, new_text: str, format: str, edit: TextEdit, beside: list[RawRegion]
) -> bool:
    """Whether a scanner event (other than a neighbouring region's own delimiter) touches the
    edit, before or after it."""
    for text, end, shift in ((old_text, edit.old_end, 0), (new_text, edit.new_end, edit.delta)):
        lo, hi = max(0, edit.start - 1), min(len(text), end + 1)
        for pattern in _events(format):
            for m in pattern.finditer(text, max(0, lo - 40), hi):
                if not (m.start() < hi and lo < m.end()):
                    continue
                a = m.start() if m.start() < edit.start else m.start() - shift
                if any(r.start <= a and a + len(m.group()) <= r.end for r in beside):
                    continue
                return True
    return False


def _context_reads_on(new_text: str, format: str, edit: TextEdit) -> bool:
    """Whether what precedes the edit on its line or in its paragraph may give the edited
    text a meaning: a command's argument, Markdown block structure, a link or tag, or a
    LaTeX construct that reads ahead."""
    line = new_text.rfind("\n", 0, edit.start) + 1
    if _IN_ARGUMENT.search(new_text, line, edit.start):
        return True  # in an argument: \begin{align}, \input{…} mean something else now
    par = _paragraph_start(new_text, edit.start)
    if par is None:
        return True
    if format == "markdown":
        if not _block_structure_kept(new_text, edit):
            return True
        before = new_text[par : edit.start]
        if "](" in before or _MAY_OPEN_HTML.search(before):
            return True
    elif _READS_AHEAD.search(new_text, par, edit.start):
        return True  # a package list, an \input or a definition before it may read on
    return False


def _block_structure_kept(text: str, edit: TextEdit) -> bool:
    """Markdown decides block structure at a line's start: is the edit past the line's list
    markers, quote marks and fence, leaving neither a line of markers only (a rule, a
    setext underline) nor one starting a link reference definition?"""
    line = text.rfind("\n", 0, edit.start) + 1
    line_end = text.find("\n", edit.new_end)
    whole = text[line : line_end if line_end >= 0 else len(text)]
    return not (
        _content_start(text, line) >= edit.start
        or _STRUCTURAL_LINE.fullmatch(whole)
        or whole.lstrip().startswith("[")
    )


def _content_start(text: str, line: int) -> int:
    """Where a Markdown line's block content starts (after list markers and quote marks);
    a fence line (```, ~~~, MyST's :::) is structure to its end: returns its end."""
    m = _LINE_PREFIX.match(text, line)
    start = m.end() if m else line
    if text.startswith(("```", "~~~", ":::"), start):
        end = text.find("\n", start)
        return len(text) if end < 0 else end
    return start


_COMMAND = re.compile(r"\\[A-Za-z@]+")
# commands a scanner acts on, besides text groups and definitions: environments' ends and
# what reads ahead (\verb, conditionals)
_ACTED_ON = frozenset({"begin", "end", "verb", "fi", "else", "or", "ensuremath", "item"})


def _escapes_kept(old_text: str, new_text: str, edit: TextEdit) -> bool:
    r"""Does every backslash in or right before the edit start a command name (escape a
    letter) in both texts — not escape a brace, a dollar or a backslash — and is every
    command the edit touches one the scanners pass over (typing ``\alpha`` is; ``\end``,
    ``\text`` or ``\}`` are not)?"""
    lo = max(0, edit.start - 1)
    if "\\" not in old_text[lo : edit.old_end] and "\\" not in new_text[lo : edit.new_end]:
        return True
    for text, end in ((old_text, edit.old_end), (new_text, edit.new_end)):
        i = text.find("\\", lo, end)
        while i >= 0:
            run = 0  # backslashes right before it
            while i - run > 0 and text[i - run - 1] == "\\":
                run += 1
            after = text[i + 1 : i + 2]
            if run % 2 == 0 and not (after.isascii() and after.isalpha()):
                return False  # it escapes something that is not a letter
            i = text.find("\\", i + 1, end)
        for m in _COMMAND.finditer(text, max(0, edit.start - 40), end + 40):
            if m.end() < edit.start or m.start() > end:
                continue
            name = m.group()[1:]
            if (
                name in latex.TEXT_COMMANDS
                or name in _ACTED_ON
                or name.startswith("if")
                or _DEFINITION.match(m.group())
                or _READS_AHEAD.match(m.group())
                or _TEXT_GROUP.match(m.group())
            ):
                return False
    return True


def _balanced(text: str) -> bool:
    """Are the braces of ``text`` balanced, whether ``\\{`` counts as a brace or not?"""
    for counted in (text, text.replace("\\\\", "").replace("\\{", "").replace("\\}", "")):
        depth = 0
        for c in counted:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth < 0:
                    return False
        if depth:
            return False
    return True


def _region_holding(regions: list[RawRegion], edit: TextEdit) -> tuple[int, RawRegion] | None:
    lo, hi = 0, len(regions)
    while lo < hi:  # the last region starting before the edit
        mid = (lo + hi) // 2
        if regions[mid].start < edit.start:
            lo = mid + 1
        else:
            hi = mid
    i = lo - 1
    if i < 0:
        return None
    raw = regions[i]
    # (right after a `$` opener a blank would end Markdown math; after `$$`, `\[` … it would not)
    first = raw.body_start < edit.start or (
        raw.body_start == edit.start and raw.delimiter in ("$$", "\\[", "\\(")
    )
    if not (first and edit.old_end <= raw.body_end):
        return None
    if any(a <= edit.old_end and edit.start <= b for a, b in raw.excluded):
        return None  # the edit touches a comment or a quote prefix inside the math
    return i, raw


def _shifted(raws: list[RawRegion], d: int, after: int) -> list[RawRegion]:
    """``_moved`` of each of ``raws`` (those after an edit: 1,000 of the Cookbook's when
    the edit is at its top), without a call of it for each one wholly after the edit."""
    if d == 0:
        return raws
    k = bisect.bisect_left(raws, after, key=lambda r: r.start)  # (in order: those before
    return [*(_moved(r, d, after) for r in raws[:k]), *shifted_all(raws[k:], d)]  # hold it)


def _moved(raw: RawRegion, d: int, after: int) -> RawRegion:
    """``raw`` as it is after ``d`` characters were inserted at ``after`` (in or before it)."""
    if d == 0:
        return raw
    if raw.start >= after:  # wholly after the edit
        return raw.shifted(d)
    # the edited region: its end moves, and what of it lies after the edit
    return RawRegion(
        raw.kind, raw.delimiter, raw.start, raw.end + d, raw.body_start, raw.body_end + d,
        raw.display, tuple((a + d, b + d) if a >= after else (a, b) for a, b in raw.excluded),
        raw.markdown_escapes,
    )  # fmt: skip


def _moved_problem(p: ReadProblem, edit: TextEdit) -> ReadProblem:
    if p.end <= edit.start:
        return p
    if p.start < edit.start:
        return replace(p, end=p.end + edit.delta)
    return replace(p, start=p.start + edit.delta, end=p.end + edit.delta)


_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


def _events(format: str) -> tuple[re.Pattern[str], ...]:
    """The scanner's events in text and in math."""
    if format == "markdown":
        return (markdown_inline.TEXT_EVENT, markdown_inline.MATH_EVENT)
    return (latex.TEXT_EVENTS, latex.MATH_EVENTS)


# text-mode commands whose argument or closer a scanner looks for, possibly far ahead
_SCANNED = (
    "input|include|subfile|import|subimport|includefrom|inputfrom|subincludefrom|usepackage|"
    "RequirePackage|newcommand|renewcommand|providecommand|DeclareMathOperator|"
    "DeclareRobustCommand|def|gdef|let|ensuremath|verb|NewDocumentCommand|"
    "RenewDocumentCommand|ProvideDocumentCommand|DeclareDocumentCommand|LoadClass"
)
_READS_AHEAD = re.compile(r"\\(?:" + _SCANNED + r"|iffalse)(?![A-Za-z@])")
# the edit is inside an unclosed argument of such a command, or of \begin, \end,
# \documentclass (an environment's name …); a heading's or \emph's argument is text
_IN_ARGUMENT = re.compile(
    r"\\(?:" + _SCANNED + r"|begin|end|documentclass)"
    r"(?![A-Za-z@])\*?(?:\s*(?:\[[^\[\]]*\]|\{[^{}]*\}))*\s*[\[{][^\[\]{}]*\Z"
)
# a `<` before the edit in its paragraph that may open what holds the edit: a tag, a
# comment, a declaration or a processing instruction (CommonMark: `<` then a letter, `/`,
# `!` or `?`; they may hold blanks), or an autolink (no blank, `<` or `>` in it) reaching
# the edit; a `<` before a blank, a digit or math (`|\lambda|<1`) opens none of them
_MAY_OPEN_HTML = re.compile(r"<(?:[A-Za-z/!?]|[^\s<>]*\Z)")
_BEGIN = re.compile(r"\\begin(?![A-Za-z@])")
_ENDS = re.compile(r"\\(?:end\s*\{[^{}]*\}|fi(?![A-Za-z@]))")


def _paragraph_start(text: str, pos: int) -> int | None:
    """Where the paragraph holding ``pos`` starts (after the last blank line before it);
    None when there is none in the 20,000 characters before it (looking no further)."""
    starts = [m.end() for m in _BLANK_LINE.finditer(text, max(0, pos - 20_000), pos)]
    if starts:
        return starts[-1]
    return 0 if pos <= 20_000 else None


def _paragraph_before(
    text: str, raw: RawRegion, regions: list[RawRegion], index: int
) -> tuple[int, list[RawRegion]] | None:
    """Where the paragraph holding ``raw`` starts, and the regions before it there; None
    when something there is not plainly text and math (a ``$`` outside math, which the
    scanner pairs as far as it can)."""
    par = _paragraph_start(text, raw.start)
    if par is None:
        return None
    earlier = []
    i = index - 1
    while i >= 0 and regions[i].start >= par:
        earlier.append(regions[i])
        i -= 1
    if i >= 0 and regions[i].end > par:
        return None  # a region reaching into this paragraph from before
    earlier.reverse()
    pos = par
    for r in [*earlier, raw]:
        gap = text[pos : r.start].replace("\\\\", "").replace("\\$", "")
        if "$" in gap:
            return None
        pos = r.end
    return par, earlier


def _closer_of(r: RawRegion, closers: dict[str, str]) -> str | None:
    """What closes a region opened by its delimiter (``\\end{align}`` for ``\\begin``)."""
    if r.delimiter == "\\begin":
        return "\\end{" + r.kind + "}"
    return closers.get(r.delimiter)


def _closer_latex(
    old_text: str, text: str, raw: RawRegion, expected: RawRegion, edit: TextEdit,
    regions: list[RawRegion], index: int,
) -> bool:  # fmt: skip
    """Does the LaTeX scanner, reading this region's math again from its opener on the new
    text, close it where expected — and do the regions before it in its paragraph, whose
    scan may look ahead for a closer when their braces do not balance, end as before?"""
    window = (max(0, edit.start - 40), 40)
    if [m.group() for m in _ENDS.finditer(old_text, window[0], edit.old_end + window[1])] != [
        m.group() for m in _ENDS.finditer(text, window[0], edit.new_end + window[1])
    ]:
        return False  # an \end{…} or \fi an earlier unclosed environment may now find
    found = _paragraph_before(text, raw, regions, index)
    if found is None:
        return False
    par, earlier = found
    if _READS_AHEAD.search(text, par, raw.start):
        return False
    for r, want in [*((r, r) for r in earlier), (raw, expected)]:
        opener, closer = r.delimiter, _closer_of(r, _LATEX_CLOSERS)
        if closer is None:
            return False
        out = ScanResult()
        end = latex.read_math(
            text, out, r.start, opener, closer, display=r.display, kind=r.kind,
            body_start=r.body_start if opener == "\\begin" else None,
        )  # fmt: skip
        if end != want.end or out.regions != [want] or out.problems:
            return False
    return True


def _closer_markdown(
    text: str, raw: RawRegion, expected: RawRegion, edit: TextEdit,
    regions: list[RawRegion], index: int, extra_environments: frozenset[str] = frozenset(),
) -> bool:  # fmt: skip
    """Markdown: the same, with the edited line's start (its block structure) unchanged and
    nothing in the text before it in its paragraph that looks ahead (HTML, links, ``\\[``,
    ``\\begin``); the math before it in its paragraph, whose ``\\text{…}`` groups may read
    on, is read again too."""
    if not _block_structure_kept(text, edit):
        return False
    found = _paragraph_before(text, raw, regions, index)
    if found is None:
        return False
    par, earlier = found
    gaps, pos = [], par  # the text between the math: (start, end)
    for r in [*earlier, raw]:
        gaps.append((pos, r.start))
        pos = r.end
    gap = "\n".join(text[a:b] for a, b in gaps)
    if "<" in gap or "](" in gap or _TEXT_GROUP.search(gap):
        return False
    if "\\[" in gap or "\\(" in gap:
        return False  # an opener that found no closer may find one in the edited text
    envs = latex.MATH_ENVIRONMENTS | extra_environments
    for a, b in gaps:  # \begin{align} that found no closer, too (\begin{tabular} is text)
        for m in _BEGIN.finditer(text, a, b):
            named = markdown_inline.ENV_OPEN.match(text, m.start(), b)
            if named is None or markdown_inline.open_env(text, m.start(), b, envs) is not None:
                return False
    for r, want in [*((r, r) for r in earlier), (raw, expected)]:
        closer = _closer_of(r, _MARKDOWN_CLOSERS)
        if closer is None:
            return False
        # \text{…} groups are skipped unless an unclosed one came earlier (the scanner
        # remembers that): the closer must be the same either way
        if not all(
            markdown_inline.find_closer(text, r.body_start, len(text), closer, failed)
            == (want.body_end, want.end)
            for failed in ({}, {"{": 0})
        ):
            return False
    return True


def _lines_kept(old_text: str, new_text: str, edit: TextEdit) -> bool:
    """Does the edit leave Markdown block structure alone: no line break typed or removed,
    and in both texts the edited line's first word (after list markers and quote marks)
    and the blank after it are before the edit — or that word starts with a letter, a
    single `$` or a parenthesis, and the edit is past its first character — and the line
    is not one of markers only (a rule, a setext underline)?  Blanks typed or deleted at
    the end of a line after its first word (``$$`` and a blank) leave it too."""
    removed, inserted = old_text[edit.start : edit.old_end], new_text[edit.start : edit.new_end]
    if any(c in removed or c in inserted for c in "\r\n"):
        return False
    blanks = not (removed + inserted).strip(" \t")  # (blanks typed or deleted)
    for text, end in ((old_text, edit.old_end), (new_text, edit.new_end)):
        line = text.rfind("\n", 0, edit.start) + 1
        content = _content_start(text, line)
        word = _FIRST_WORD.match(text, content)
        if word is None or word.end() == word.start() or content >= edit.start:
            return False
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if (
            word.end() >= edit.start
            and not (text[content] in _NEUTRAL_START and not text.startswith("$$", content))
            and not (blanks and not text[end:line_end].strip(" \t"))
        ):
            # (the edit is in a first word that may start a block: `1.`, `###`; blanks at
            # the end of a line that holds more, after its first word (`$$ `), leave its
            # block as it was: a block rule reads a line's words, not the blanks after them)
            return False
        if _MARKERS_ONLY.fullmatch(text, line, line_end):
            return False
    return True


_FIRST_WORD = re.compile(r"[^ \t\r\n]*")
# what a line's first word may start with and start no block (`$x$ is …`, `where …`)
_NEUTRAL_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$(")
_MARKERS_ONLY = re.compile(r"[ \t>]*(?:[-=*_+#~`:][ \t]*)*")


def _moved_paragraphs(
    paragraphs: list[tuple[int, int]] | None, edit: TextEdit
) -> list[tuple[int, int]] | None:
    """The paragraphs after an edit that left block structure alone: the one holding it
    longer or shorter, those after it moved."""
    d = edit.delta
    if paragraphs is None or d == 0:
        return paragraphs
    i = bisect.bisect_right(paragraphs, (edit.start, _AFTER_ALL)) - 1  # the last starting by it
    out = paragraphs[: max(i, 0)]
    if i >= 0:
        lo, hi = paragraphs[i]
        out.append((lo, hi + d) if hi >= edit.start else (lo, hi))
    out += [(lo + d, hi + d) for lo, hi in paragraphs[i + 1 :]]
    return out


_AFTER_ALL = 1 << 62


# In the paragraph an edit is read again in, the edited line may not hold what a block
# rule reads beyond it: a display's delimiters, an environment's \begin or \end, an include.
_BLOCK_READS = ("$$", "\\[", "\\]", "\\begin", "\\end", "{{<")


def rescan_paragraph(
    old_text: str,
    old: ScanResult,
    new_text: str,
    extra_environments: frozenset[str] = frozenset(),
    path: str = "",
) -> ScanResult | None:
    """The scan of Markdown ``new_text`` from the last one, when the edit stays inside one
    paragraph's lines (no line break typed or removed) and leaves block structure alone
    (the line's start, a rule or setext underline, a link reference definition, and what
    block rules read: :data:`_BLOCK_READS`): that paragraph is read again for inline math
    — a ``$`` deleted or typed, an edit beside a bracket or a tag — and the regions before
    it kept, those after it moved.  None when it must be scanned whole."""
    paragraphs = old.paragraphs
    if paragraphs is None:
        return None
    edit = TextEdit.between(old_text, new_text)
    removed, inserted = old_text[edit.start : edit.old_end], new_text[edit.start : edit.new_end]
    if not (_balanced(removed) and _balanced(inserted)):
        return None
    i = bisect.bisect_right(paragraphs, (edit.start, _AFTER_ALL)) - 1
    if i < 0:
        return None
    lo, hi = paragraphs[i]
    if not (lo < edit.start and edit.old_end <= hi):
        return None
    first = old_text[_content_start(old_text, lo) : hi].lstrip()
    if first.startswith("["):
        return None  # a link reference definition may begin the paragraph
    if not _lines_kept(old_text, new_text, edit):
        return None
    for text, end in ((old_text, edit.old_end), (new_text, edit.new_end)):
        line = text.rfind("\n", 0, edit.start) + 1
        line_end = text.find("\n", end)
        whole = text[line : line_end if line_end >= 0 else len(text)]
        if any(mark in whole for mark in _BLOCK_READS):
            return None
    if not _escapes_kept(old_text, new_text, edit):
        return None
    for m in old.definitions:
        if lo <= m.start < hi:
            return None  # (the macros would change)
    d = edit.delta
    got = markdown.scan_paragraph(new_text, lo, hi + d, extra_environments, path)
    if got.definitions:
        return None
    regions = old.regions
    a = bisect.bisect_left(regions, lo, key=lambda r: r.start)
    b = bisect.bisect_left(regions, hi, key=lambda r: r.start)
    out_regions = [*regions[:a], *got.regions, *(_moved(r, d, edit.start) for r in regions[b:])]
    splice = Splice(regions, a, len(regions) - b, d)
    out = _moved_scan(old, out_regions, new_text, "markdown", edit, splice, old_text)
    before = [p for p in old.problems if p.start < lo]
    after = [_moved_problem(p, edit) for p in old.problems if p.start >= hi]
    out.problems = [*before, *got.problems, *after]
    return out


class ScanMemo:
    """The last scan of each path, to scan again after an edit (bounded, thread-safe)."""

    def __init__(self, size: int = 64) -> None:
        self._last: Recent[tuple[str, str, frozenset[str]], tuple[str, ScanResult]] = Recent(size)
        self.reused = 0  # scans answered without scanning the whole text (for tests)

    def get(self, key: tuple[str, str, frozenset[str]], text: str) -> ScanResult | None:
        last = self._last.get(key)
        if last is None:
            return None
        if last[0] == text:
            return last[1]
        found = rescan(last[0], last[1], text, key[1], key[2])
        if found is None and key[1] == "markdown":
            found = rescan_paragraph(last[0], last[1], text, key[2], key[0])
        if found is not None:
            self.reused += 1
            self.put(key, text, found)
        return found

    def clear(self) -> None:
        self._last.clear()

    def put(self, key: tuple[str, str, frozenset[str]], text: str, scan: ScanResult) -> None:
        self._last.put(key, (text, scan))
