"""Sections, paragraphs and sentences: the edges of declarations' scopes.

A declaration holds to the end of its section (and in the sections a heading's level lets
it reach), for the uses before it in its paragraph, and for a use just before it in its
sentence ("…, where $x \\in …$").  ``Boundaries`` are where a text's sections and paragraphs begin;
the patterns say what a sentence or a heading means for what is declared in it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from texgrad.reading.edits import TextEdit
from texgrad.reading.memo import by_text

# How far after a use a declaration may come and still be the one meant (", where …").
WHERE_DISTANCE = 300
# How far back from a declaration the start of its sentence is looked for, to read what the
# sentence says of it ("Throughout, …" notation, "Assume …" a hypothesis): an edit further
# back cannot change that (shapes/check.py's _REACH builds on this and WHERE_DISTANCE).
SENTENCE_LOOKBACK = 400
# Between a use and a declaration: the end of a sentence, paragraph or list item (not the
# blank line after a Markdown display when the sentence goes on: "$$ … $$\n\nwhere …",
# "```{math} … ```\n\nhere for a single head with …").
SENTENCE_BREAK = re.compile(
    r"\n[ \t]*\n(?![ \t]*(?:where|with|in which|for|and|here|since|because)\s)|\\item\b|\\\\(?![\[\]()])|\\textbf\{\(|\n[ \t]*(?:[-*+]|\d+[.)])[ \t]|[.!?](?:\s|\$|\\\]|$)"
)


# What hides a SENTENCE_BREAK from a use looking for its declaration just after it: a row
# break inside a matrix (``[R_1 \\ 0]`` is one formula, "with $R_1 = R$" follows it) and
# the text of a comment (``% see eq. (3). …``).  Both are marks an edit may change (_reach).
_MATRIX_ENV = re.compile(r"\\(begin|end)\{(?:[pbBvV]?matrix|smallmatrix|array|[dr]?cases)\*?\}")
_COMMENT = re.compile(r"(?:^|(?<=[ \t]))%(?=[ \t\w])", re.M)
BREAK_MASKS = re.compile(f"{_MATRIX_ENV.pattern}|{_COMMENT.pattern}", re.M)
_MATRIX_LOOKBACK = 2000  # how far back a matrix's \begin is looked for


def next_break(text: str, start: int, end: int) -> re.Match[str] | None:
    r"""The first SENTENCE_BREAK in ``text[start:end]`` that ends a sentence: not a row break
    ``\\`` inside a matrix (``\begin{bmatrix} a \\ b \end{bmatrix}`` is one formula)."""
    for m in SENTENCE_BREAK.finditer(text, start, end):
        if m.group() == "\\\\" and _in_matrix(text, m.start()):
            continue
        return m
    return None


def goes_on(text: str, start: int, end: int) -> bool:
    """Does the sentence at ``start`` go on to ``end``: no SENTENCE_BREAK between them but
    a row break inside a matrix or a sentence's end inside a comment?"""
    for m in SENTENCE_BREAK.finditer(text, start, end):
        if m.group().startswith("\n"):
            return False  # (a blank line or a list item: after a comment too)
        if m.group() == "\\\\" and _in_matrix(text, m.start()):
            continue
        if m.group()[0] in ".!?\\" and _in_comment(text, m.start()):
            continue
        return False
    return True


# A display, a blank line, then a paragraph that explains it: "$$ … $$\n\nHere $\mathbf y_i^\top$
# and $\mathbf p_i^\top$ are the rows of …", "\end{equation}\n\nwhere …" (Markdown writers leave
# a blank line around displays).  An edit may change it: a mark for incremental._reach, with the
# math delimiters that tell a use inside the display from one in the prose before it.
DISPLAY_EXPLAINED = re.compile(
    r"(?:\$\$|\\\]|\\end\{(?:equation|align|gather|multline|eqnarray|flalign|alignat|displaymath)\*?\})"
    r"[ \t]*\n[ \t]*\n[ \t]*(?:[Ww]here|[Hh]ere|[Ww]ith|[Ii]n\s+which)\b"
)
DISPLAY_MARKS = re.compile(DISPLAY_EXPLAINED.pattern + r"|\$|\\[()\[\]]")


def explains_display(text: str, use: int, said: int) -> bool:
    r"""Is ``said`` (a declaration after the use at ``use``, up to ``WHERE_DISTANCE`` after
    it) in the first sentence of the paragraph right after the display holding the use,
    a paragraph that explains it ("$$ … L = -\sum_i \mathbf y_i^\top \log \mathbf p_i . $$
    ⏎⏎ Here $\mathbf y_i^\top$ … are the rows of $Y$ …")?"""
    if not 0 < said - use <= WHERE_DISTANCE:
        return False
    m = DISPLAY_EXPLAINED.search(text, use, said)
    if m is None or PARAGRAPH_BREAK.search(text, m.end(), said) is not None:
        return False
    body = text[use : m.start()]
    if "$" in body or "\\(" in body or "\\)" in body or "\\[" in body or "\n\n" in body:
        return False  # (the use is in the prose before the display, or in another one)
    return goes_on(text, m.end(), said)


# the texts read lately (a project's files, open documents) and where their comments start
_comments: dict[int, tuple[str, list[int]]] = {}


def _in_comment(text: str, at: int) -> bool:
    """Is ``at`` in a comment: does one start on its line before it?  Where comments start is
    found once per text (scanning from the line's start at every sentence's end was quadratic
    in a paragraph written as one long line)."""
    known = _comments.get(id(text))
    if known is None or known[0] is not text:
        if len(_comments) >= 16:
            _comments.clear()
        known = _comments[id(text)] = (text, comment_starts(text))
    starts = known[1]
    i = bisect.bisect_left(starts, text.rfind("\n", 0, at) + 1)
    return i < len(starts) and starts[i] < at


def comment_starts(text: str) -> list[int]:
    """Where comments start in ``text``: what ``_COMMENT.finditer`` finds, matched at each
    ``%`` (a match is one), not searched for at every place of the text (4 ms of the
    Cookbook, which has none, at an edit)."""
    found = []
    at = text.find("%")
    while at >= 0:
        if _COMMENT.match(text, at):
            found.append(at)
        at = text.find("%", at + 1)
    return found


def _in_matrix(text: str, at: int) -> bool:
    depth = 0
    for m in _MATRIX_ENV.finditer(text, max(0, at - _MATRIX_LOOKBACK), at):
        depth = depth + 1 if m[1] == "begin" else max(0, depth - 1)
    return depth > 0


# a sentence or a section that sets notation for the whole document
NOTATION_SENTENCE = re.compile(
    r"\b[Tt]hroughout\b|\b(?:[Ii]n|[Ff]or) the rest of (?:this|the) (?:paper|document|article|note|chapter|book)"
)


def sentence_start(text: str, lo: int, at: int) -> int:
    """Where the sentence holding ``at`` starts, looking no further back than ``lo``."""
    breaks = [
        m.end()
        for m in SENTENCE_BREAK.finditer(text, lo, at)
        if m.group() != "\\\\" or not _in_matrix(text, m.start())
    ]  # (not a matrix's row break)
    return breaks[-1] if breaks else lo


def clause_start(text: str, start: int, at: int) -> int:
    """Where the clause holding ``at`` starts in the sentence starting at ``start``: after the
    last semicolon of the prose (outside ``$…$``) before it ("We drop the index when one head
    is involved; $v_t \\in …$ is then …": what the first clause supposes is not the second's)."""
    clause, in_math = start, False
    for m in _DOLLAR_OR_SEMICOLON.finditer(text, start, at):
        if m.group() == "$":
            in_math = not in_math
        elif not in_math:
            clause = m.end()
    return clause


_DOLLAR_OR_SEMICOLON = re.compile(r"(?<!\\)\$|;")


# a sentence that supposes, for the identity or example at hand
SUPPOSING = re.compile(
    r"\b(?:[Aa]ssum(?:e|ing)|[Ss]uppos(?:e|ing)|[Ii]f|[Ww]hen(?:ever)?|[Ff]or (?:any|all|every|each|some))\b"
)
NOTATION_HEADING = re.compile(
    r"\b(?:[Nn]otations?|[Pp]reliminar(?:y|ies)|[Ss]et-?up|[Cc]onventions)\b|\b[Pp]roblem (?:[Ss]etting|[Ff]ormulation|[Ss]tatement)\b"
    # (in Spanish, French, German lecture notes)
    r"|\b(?:[Nn]otaci[óo]n|[Pp]reliminares|[Pp]r[ée]liminaires|[Bb]ezeichnungen|[Nn]otationen)\b"
)
_HEADING = re.compile(
    r"^[ \t]*(?:\\(?P<command>part|chapter|section|subsection|subsubsection)\*?\s*[\[{]|(?P<hashes>#{1,6})[ \t])",
    re.M,
)
# a section that sets up what the sections after it use: a paper's model, its parameters
MODEL_HEADING = re.compile(
    r"\b(?:[Mm]odels?|[Pp]arameters|[Bb]ackground|[Ss]etting)\b"
    r"|\b(?:[Mm]odelos?|[Mm]od[èe]les?|[Mm]odell(?:e|s)?|[Pp]ar[áa]metros|[Pp]aram[èe]tres)\b"
)
# a heading of a section that recalls the others: what they define holds in it
# errata and bug lists quote the formulas of the sections before them, wrong ("Errata", "Bugs
# we fixed", "Mistakes I made", "Common slips", "Typos"): what they define holds in them, and
# what they write sizes nothing ("$\Sigma = \frac{1}{n} X X^\top$ is an $n \times n$ matrix, not
# the covariance" is the wrong Σ, not the Σ of the sections after)
# (the lookahead on the alternatives' first letters lets the regex engine skip to them: the
# whole Cookbook searched in 3.1 ms against 20.6 without it, on a loaded machine — once a
# text, errata_spans, at every keystroke; a word added here: its first letters into the
# lookahead, the word lowercased into _ERRATA_WORDS)
ERRATA_HEADING = re.compile(
    r"(?=[EeMmBbTtPpSsCc])\b(?:[Ee]rrat(?:a|um)|[Mm]istakes?|[Bb]ugs?|[Tt]ypos?|[Mm]isprints?|[Pp]itfalls|[Ss]lips|"
    r"[Cc]ommon\s+errors)\b"
)
# words ERRATA_HEADING's matches hold, lowercased: a text with none (most) has no errata
# section, told without the regex (0.75 ms for the Cookbook against 3.1; kept with it)
_ERRATA_WORDS = ("errat", "mistake", "bug", "typo", "misprint", "pitfalls", "slips", "common")
RECAP_HEADING = re.compile(
    r"\b(?:[Ss]ummary|[Rr]ecap|[Cc]heat[- ]?sheet|[Pp]utting it (?:all )?together)\b|"
    + ERRATA_HEADING.pattern
)
_LEVELS = {"part": 0, "chapter": 1, "section": 2, "subsection": 3, "subsubsection": 4}
# a heading that makes its section a unit of its own: a problem, an exercise, an example
# (whose letters are its own); the sections under "Examples" or "Exercises" are such units;
# so is an example in lecture notes in German, French or Spanish ("Beispiel", "Exemple",
# "Ejemplo": its numbers size its letters, not the lecture's) — not their exercises, whose
# sheets go on using the letters of the exercise before ("Aufgabe 4" uses the X of 2)
UNIT_HEADING = re.compile(
    r"\b(?:[Pp]roblem|[Ee]xercise|[Ee]xample|[Qq]uestion|[Hh]omework)(?P<plural>s)?\b"
    r"|\b(?:[Bb]eispiel|[Ee]xemple|[Ee]jemplo)(?P<plurals>e|s)?\b"
)


# a heading that is the bare word "Problem": the problem a text goes on to solve (numbered
# or qualified, "Problem 2", "Problem 3.1 (regression)", it is an exercise)
_BARE_PROBLEM = re.compile(r"[ \t]*(?:[Tt]he[ \t]+)?[Pp]roblem[ \t]*\}?[ \t]*$")

# a heading that says what is done to a model, not what it is: "Training the reward model",
# "Fitting a model" (its letters are the section's own; not "Setting", the set-up's word)
_DOING = re.compile(r"[ \t{]*(?![Ss]etting\b)[A-Z][a-z]+ing[ \t]+(?:the|a|an|our|its|each)\b")

_Kind = tuple[int, bool, bool, bool, bool, bool, bool]


def heading_kind(line: str) -> _Kind:
    """A heading line's level (``\\section`` 2, ``##`` 2), whether it names a Notation section,
    whether it names a unit (a problem, an example), whether a plural one (Examples),
    whether it names a section that sets up the others (a Model, Parameters), and whether
    one that recalls the others (a Summary), and whether one that lists mistakes (Errata)."""
    m = _HEADING.match(line)
    if m is None:
        return (-1, False, False, False, False, False, False)
    level = _LEVELS[m.group("command")] if m.group("command") else len(m.group("hashes"))
    notation = bool(NOTATION_HEADING.search(line))
    unit = None if notation else UNIT_HEADING.search(line, m.end())
    if unit and unit.group(0)[0] in "Pp" and re.search(r"[^\W\d_]", line[m.end() : unit.start()]):
        unit = None  # "The regularised problem", "The dual problem": a problem solved, no exercise
    sets_up = bool(MODEL_HEADING.search(line, m.end())) and not _DOING.match(line, m.end())
    if unit and _BARE_PROBLEM.match(line, m.end()):
        unit, sets_up = None, True  # \section*{Problem} opening lecture notes: the problem posed
    recaps = bool(RECAP_HEADING.search(line, m.end()))
    errata = recaps and bool(ERRATA_HEADING.search(line, m.end()))
    plural = bool(unit and (unit.group("plural") or unit.group("plurals")))
    return (level, notation, unit is not None, plural, sets_up, recaps, errata)


PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

# Theorem-like environments: what a lemma's "Let $A \in …$" declares is the lemma's own (and
# its proof's); the next lemma reuses the letters.  A definition or an assumption sets
# notation that holds after it, so it is not one of them.
_RESULT_NAMES = (
    "theorem|thm|lemma|lem|proposition|prop|corollary|cor|claim|proof|example|examples|"
    "exercise|exercises|xca|remark|rem|fact|observation|conjecture|problem|question|solution"
)
_RESULT_TITLE = re.compile(
    r"^(?:" + _RESULT_NAMES + r"|theorems?|lemmas?|propositions?|corollar(?:y|ies)|claims?|"
    r"examples?|exercises?|remarks?|facts?|observations?|conjectures?|problems?|questions?)$",
    re.I,
)
_NEWTHEOREM = re.compile(r"\\newtheorem\*?\s*\{([^{}]+)\}\s*(?:\[[^\]]*\]\s*)?\{([^{}]+)\}")
_ENV = re.compile(r"\\(begin|end)\s*\{([A-Za-z@]+)\*?\}")
# a proof or a solution starting this near after a result's end belongs to it
_FOLLOWING = 300
# a code fence's line: its run of backticks or tildes (an opener's info string after it)
_FENCE_LINE = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)")


def _fences(text: str) -> list[tuple[int, int]]:
    r"""The fenced code blocks of ``text``: from the start of an opening line (three or more
    backticks or tildes, then anything) to the end of the first later line that is the same
    run alone (``[ \t]*`` around it); an opener with no such line closes with a shorter
    run of its own (its longest that has one), else is no fence.  What the pattern
    ``^[ \t]*(```+|~~~+)[^\n]*\n.*?^[ \t]*\1[ \t]*$`` (re.M, re.S) matched, found in
    one pass: that pattern tried every shorter run against the rest of the text for an
    opener never closed (a line of 100,000 backticks: 17 s).  Closers are found by their
    run, by bisection."""
    lines: list[tuple[int, int, str, int, bool]] = []  # start, end, char, run, alone
    closers: dict[tuple[str, int], list[int]] = {}  # (char, run): the lines it is alone on
    pos = 0
    for k, line in enumerate(text.split("\n")):
        m = _FENCE_LINE.match(line)
        if m is not None:
            run = m.group(1)
            alone = not m.group(2).strip(" \t")
            lines.append((pos, pos + len(line), run[0], len(run), alone))
            if alone:
                closers.setdefault((run[0], len(run)), []).append(k)
        else:
            lines.append((pos, pos + len(line), "", 0, False))
        pos += len(line) + 1
    out: list[tuple[int, int]] = []
    k = 0
    last = len(lines) - 1  # (an opener needs a line after it: the pattern's \n)
    while k < last:
        start, _, char, run, _ = lines[k]
        close = None
        for n in range(run, 2, -1) if char else ():
            at = closers.get((char, n))
            if at:
                i = bisect.bisect_right(at, k)
                if i < len(at):
                    close = at[i]
                    break
        if close is None:
            k += 1
            continue
        out.append((start, lines[close][1]))
        k = close + 1
    return out


def _blank_fences(text: str) -> str:
    """``text`` with its fenced code blocks' characters (but line ends) made spaces."""
    spans = _fences(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for a, b in spans:
        parts += (text[last:a], re.sub(r"[^\n]", " ", text[a:b]))
        last = b
    parts.append(text[last:])
    return "".join(parts)


@dataclass
class Boundaries:
    """Where a text's sections and paragraphs begin: the edges of declarations' scopes."""

    sections: list[int]
    paragraphs: list[int]
    # per section: its heading's level, and the level of the headings that end what is
    # declared in it (that of the problem or example it is part of; -1: none ends it)
    levels: list[int] = field(default_factory=list)
    limits: list[int] = field(default_factory=list)
    # per section: is it (part of) a problem, an exercise or an example (whose letters are
    # its own)?
    units: list[bool] = field(default_factory=list)
    # the spans of theorem-like environments (outermost; a result and its proof as one):
    # what is declared in one holds in it only
    results: list[tuple[int, int]] = field(default_factory=list)
    # the sentences of results that introduce what the text goes on to use ("there are
    # scalings $u \in …$ such that"): what they declare is no lemma's own
    introduced: list[tuple[int, int]] = field(default_factory=list)
    # the spans of callouts (Quarto, R Markdown): asides whose letters are their own where
    # the letter is declared otherwise outside (SymbolTable.lookup), else they carry on
    boxes: list[tuple[int, int]] = field(default_factory=list)
    # the results that state (a theorem, a lemma, a proposition and its proof; not an
    # example, an exercise or a remark): what they declare of a letter the text gives one
    # shape holds after them too (a chapter's A of "Theorem. Let $A \in …$")
    stating: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> Boundaries:
        results = _results(text)  # MyST's ```{prf:lemma} fences are results, not code
        source = text
        # a `# comment` in a fenced code block is no heading: blank the fences out first
        if "```" in text or "~~~" in text:
            text = _blank_fences(text)
        boxes: list[tuple[int, int]] = []
        divs: list[tuple[int, int]] = []
        if ":::" in text:  # Quarto's theorem-like divs are results, its callouts boxes
            divs, boxes = _divs(text)
            if divs:
                results = _outermost(sorted(results + divs))
            divs = _outermost(sorted(divs + boxes))
        if "\\item" in text:  # the items of an exercise list: each exercise is an aside
            items = _exercise_items(text)
            if items:
                boxes = sorted(boxes + items)
        introduced = _introduced(source, results)
        titles = _theorem_titles(source) if results else {}
        stating = [span for span in results if _states(source, span[0], titles)]
        sections, levels, limits, units = [], [], [], []
        ancestors: list[_Kind] = []  # the headings a section is under
        for m in _HEADING.finditer(text):
            end = text.find("\n", m.start())
            kind = heading_kind(text[m.start() : end if end >= 0 else len(text)])
            if divs and not kind[2] and _inside(divs, m.start()):
                continue  # a callout's "## Title" is its title, not a section (but an Example's)
            while ancestors and ancestors[-1][0] >= kind[0]:
                ancestors.pop()
            ancestors.append(kind)
            sections.append(m.start())
            levels.append(kind[0])
            limits.append(_limit(ancestors))
            units.append(any(a[2] for a in ancestors))
        paragraphs = [m.start() for m in PARAGRAPH_BREAK.finditer(text)]
        return cls(sections, paragraphs, levels, limits, units, results, introduced, boxes, stating)

    @classmethod
    def after(cls, old_text: str, old: Boundaries, text: str) -> Boundaries:
        """The boundaries of ``text``, from those of ``old_text`` when one edit inside a line
        changed neither a heading nor a blank line nor a code fence (they move with it)."""
        if text == old_text:
            return old
        edit = TextEdit.between(old_text, text)
        start, old_end, new_end = edit.start, edit.old_end, edit.new_end
        changed = old_text[start:old_end] + text[start:new_end]
        if any(c in changed for c in "\n\r\\#`~"):
            return cls.of(text)
        if _near_structure(old_text, start, old_end) or _near_structure(text, start, new_end):
            return cls.of(text)
        d = new_end - old_end
        results = [(a if a < start else a + d, b if b < start else b + d) for a, b in old.results]
        introduced = [
            (a if a < start else a + d, b if b < start else b + d) for a, b in old.introduced
        ]
        if any(a <= old_end and start <= b for a, b in old.results):
            introduced = _introduced(text, results)  # (words in a lemma: does one introduce?)
        moved = cls(
            [b if b < start else b + d for b in old.sections],
            [b if b < start else b + d for b in old.paragraphs],
            old.levels,
            old.limits,
            old.units,
            results,
            introduced,
            [(a if a < start else a + d, b if b < start else b + d) for a, b in old.boxes],
            [(a if a < start else a + d, b if b < start else b + d) for a, b in old.stating],
        )
        if "_ends" in old.__dict__:  # (made of the same levels and limits: see _reach_ends)
            moved.__dict__["_ends"] = old.__dict__["_ends"]
        return moved

    @property
    def scopes(self) -> list[tuple[int, int]]:
        """The spans of results and callouts, whose letters are their own, and of the sentences
        of results that introduce, and those of results that state again (for
        ``incremental``: one that appeared, went, moved or changed kind changes what is in
        force around it)."""
        if not (self.boxes or self.introduced or self.stating):
            return self.results
        return sorted(self.results + self.boxes + self.introduced + self.stating)

    def section_between(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.sections, a)
        return i < len(self.sections) and self.sections[i] < b

    def left_section(self, a: int, b: int) -> bool:
        """Does a heading between ``a`` and ``b`` end the section ``a`` is in (not a subsection
        of it)?"""
        i = bisect.bisect_right(self.sections, a) - 1
        level = self.levels[i] if 0 <= i < len(self.levels) else -1
        j = bisect.bisect_right(self.sections, b)
        return any(h <= level for h in self.levels[i + 1 : j])

    def reaches(self, a: int, b: int) -> bool:
        """Does what is declared at ``a`` hold at ``b``, in a later section?  Papers declare a
        letter once and use it in the sections that follow; what a problem, an exercise or
        an example declares ends with it (the next one reuses the letters)."""
        i = bisect.bisect_right(self.sections, a) - 1
        if not 0 <= i < len(self.limits) or self.limits[i] < 0:
            return True
        return bisect.bisect_right(self.sections, b) <= self._reach_ends()[i]

    def _reach_ends(self) -> list[int]:
        """Per section i: the index of the first later section whose heading ends what is
        declared in i (a level at or above its limit), or the number of sections; computed once
        (``reaches`` is asked for every carried declaration)."""
        ends = self.__dict__.get("_ends")
        if ends is None or len(ends) != len(self.levels):
            ends = [len(self.levels)] * len(self.levels)
            open_: list[int] = []  # sections whose end is not yet found, by limit
            for k, level in enumerate(self.levels):
                still = []
                for i in open_:
                    if level <= self.limits[i]:
                        ends[i] = k
                    else:
                        still.append(i)
                open_ = still
                if k < len(self.limits) and self.limits[k] >= 0:
                    open_.append(k)
            self.__dict__["_ends"] = ends
        return ends

    def in_unit(self, a: int) -> bool:
        """Is ``a`` in a problem, an exercise or an example (or a section under one)?"""
        i = bisect.bisect_right(self.sections, a) - 1
        return 0 <= i < len(self.units) and self.units[i]

    def result_of(self, a: int) -> tuple[int, int] | None:
        """The span of the theorem-like environment (a lemma and its proof) ``a`` is in."""
        results = self.results
        if not results:
            return None
        i = bisect.bisect_right(results, (a, 1 << 62)) - 1
        if i < 0 or not results[i][0] <= a < results[i][1]:
            return None
        return None if self.introduces(a) else results[i]

    def states(self, span: tuple[int, int]) -> bool:
        """Is the result at ``span`` (of ``result_of``) one that states (a theorem, a lemma,
        a proof), not an example, an exercise or a remark?"""
        i = bisect.bisect_left(self.stating, span)
        return i < len(self.stating) and self.stating[i] == span

    def introduces(self, a: int) -> bool:
        """Is ``a`` in a sentence of a result that introduces what the text goes on to use?"""
        spans = self.introduced
        i = bisect.bisect_right(spans, (a, 1 << 62)) - 1
        return i >= 0 and spans[i][0] <= a < spans[i][1]

    def box_of(self, a: int) -> tuple[int, int] | None:
        """The span of the callout ``a`` is in."""
        boxes = self.boxes
        if not boxes:
            return None
        i = bisect.bisect_right(boxes, (a, 1 << 62)) - 1
        return boxes[i] if i >= 0 and boxes[i][0] <= a < boxes[i][1] else None

    def paragraph_between(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self.paragraphs, a)
        return i < len(self.paragraphs) and self.paragraphs[i] < b


# a result's sentence that brings objects in: "there are scalings $u, v$ such that",
# "there exists a unique $P$", "the solution has the form $P = \Diag(u) K \Diag(v)$, where
# … $u \in …$" (its letters are used after it; a "Let $A \in …$" is not)
_INTRODUCING = re.compile(
    r"\b[Tt]here (?:is|are|exists?)\b|\b(?:has|have|takes?|is|are)\s+(?:of\s+)?the\s+form\b"
)
_SENTENCE_END = re.compile(r"\.(?=\s)")


def _introduced(text: str, results: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of the sentences of ``results`` that introduce objects, in order."""
    spans: list[tuple[int, int]] = []
    for a, b in results:
        for m in _INTRODUCING.finditer(text, a, b):
            end = _SENTENCE_END.search(text, m.end(), b)
            spans.append((m.start(), end.start() if end else b))
    return spans


def _results(text: str) -> list[tuple[int, int]]:
    """The spans of a text's outermost theorem-like environments (LaTeX's, and MyST's
    ``:::{prf:example}`` directives), a result and the proof right after it (or a problem
    and its solution) joined."""
    spans = _latex_results(text)
    if "{prf:" not in text:
        return spans
    return _outermost(sorted(spans + _myst_results(text)))


# the results that state: a theorem, a lemma, a proposition, a corollary, a claim and the
# proof of one (what they declare is the text's letters, as a chapter's "Let $A \in …$");
# an example, an exercise, a problem, a remark are asides whose letters are their own
_STATING_TITLE = re.compile(
    r"^(?:theorems?|thm|lemmas?|lem|propositions?|prop|corollar(?:y|ies)|cor|claims?|proof|"
    r"facts?|observations?|conjectures?)$",
    re.I,
)
_QUARTO_STATING = re.compile(r"(?:^|[\s{])(?:#(?:thm|lem|cor|prp|cnj)-|\.proof\b)")


def _states(text: str, at: int, titles: dict[str, str]) -> bool:
    """Does the result starting at ``at`` (its ``\\begin``, directive or div fence) state,
    by the name of its environment or the title ``titles`` give it (``\\newtheorem{thm}{Theorem}``
    makes ``thm`` one)?"""
    line_end = text.find("\n", at)
    line = text[at : line_end if line_end >= 0 else len(text)]
    m = _ENV.match(line)
    if m is not None:
        name = m.group(2)
        if _STATING_TITLE.match(name):
            return True
        title = titles.get(name)
        return title is not None and bool(_STATING_TITLE.match(title))
    m = _MYST_RESULT.match(line)
    if m is not None:
        return bool(_STATING_TITLE.match(m.group(2)))
    m = _DIV_FENCE.match(line)
    return m is not None and _QUARTO_STATING.search(m.group(1)) is not None


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the nested ones merged into those around them."""
    outermost: list[tuple[int, int]] = []
    for a, b in spans:
        if outermost and a < outermost[-1][1]:
            outermost[-1] = (outermost[-1][0], max(b, outermost[-1][1]))
        else:
            outermost.append((a, b))
    return outermost


# a Pandoc fenced div (Quarto, R Markdown): "::: {.callout-note}", "::::: {#thm-bound}", and
# its bare closing fence ":::"
_DIV_FENCE = re.compile(r"^[ \t]*:{3,}[ \t]*([^\n]*?)[ \t]*$", re.M)
# a div that is a box of its own: a callout (an aside, often with letters of its own: "For
# $A \in \mathbb{R}^{r \times s}$, vec(AXB) = …"), or one of Quarto's theorem-like divs
# (#thm-, #lem-, #exm- …; not #def-: a definition sets notation that holds after it)
_BOX = re.compile(
    r"(?:^|[\s{])(?P<kind>\.?callout(?:-[a-z]+)?|\.(?:proof|remark|solution)|#(?:thm|lem|cor|prp|cnj|exm|exr)-)"
)


def _divs(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The spans of a Markdown text's theorem-like fenced divs (``{#thm-…}``: what is
    declared in one holds in it only, as in a LaTeX lemma) and of its callouts, outermost."""
    results: list[tuple[int, int]] = []
    boxes: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []  # the open divs: where each starts, what it is
    for m in _DIV_FENCE.finditer(text):
        attrs = m.group(1)
        if attrs:
            box = _BOX.search(attrs)
            stack.append((m.start(), "" if box is None else box.group("kind")))
        elif stack:
            start, kind = stack.pop()
            if not kind or any(k for _, k in stack):
                continue
            if kind.lstrip(".").startswith("callout"):
                boxes.append((start, m.end()))
                continue
            if results and kind in (".proof", ".solution") and start - results[-1][1] <= _FOLLOWING:
                start = results.pop()[0]  # a theorem and the proof right after it, as one
            results.append((start, m.end()))
    return results, boxes


# a heading of a list of exercises (in the languages lecture notes are written in)
_EXERCISES_HEADING = re.compile(
    r"\b(?:[Ee]xercises|[Ee]xerc[íi]cios|[Ee]jercicios|[Ee]sercizi|[Ee]xercices|"
    r"[Hh]omework|[Pp]roblems|[Ll]ista de exerc[íi]cios|Übungen|Übungsaufgaben|Aufgaben)\b"
)
_ITEM_OR_LIST_END = re.compile(r"\\item\b|\\end\s*\{(?:enumerate|itemize)\}")


def _exercise_items(text: str) -> list[tuple[int, int]]:
    r"""The spans of the ``\item``\ s of the lists in a section headed as exercises
    ("Exercises", "Exercícios", "Aufgaben"): each is an exercise, and what one declares anew
    ("Seja agora $X \in \mathbb{R}^{m \times q}$") is its own where the letter is declared
    otherwise outside (the next exercise uses the text's X again)."""
    spans: list[tuple[int, int]] = []
    headings = list(_HEADING.finditer(text))
    for k, h in enumerate(headings):
        line_end = text.find("\n", h.start())
        line_end = len(text) if line_end < 0 else line_end
        if not _EXERCISES_HEADING.search(text, h.end(), line_end):
            continue
        end = headings[k + 1].start() if k + 1 < len(headings) else len(text)
        item = -1
        for m in _ITEM_OR_LIST_END.finditer(text, line_end, end):
            if item >= 0:
                spans.append((item, m.start()))
            item = m.start() if m.group().startswith("\\item") else -1
        if item >= 0:
            spans.append((item, end))
    return spans


def _inside(spans: list[tuple[int, int]], a: int) -> bool:
    i = bisect.bisect_right(spans, (a, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= a < spans[i][1]


# a MyST directive of a result: ":::{prf:lemma} Title", "```{prf:example}", "````{prf:proof}"
_MYST_RESULT = re.compile(r"^[ \t]*(:{3,}|`{3,})\{prf:([A-Za-z]+)\}", re.M)


def _myst_results(text: str) -> list[tuple[int, int]]:
    """The spans of MyST's theorem-like directives, each to the fence that closes it, a
    proof right after a result joined to it."""
    spans: list[tuple[int, int]] = []
    end = 0
    for m in _MYST_RESULT.finditer(text):
        if m.start() < end or not _RESULT_TITLE.match(m.group(2)):
            continue  # inside the last one (a nested directive), or no result
        fence = m.group(1)
        close = re.compile(
            r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M
        )
        c = close.search(text, m.end())
        end = c.end() if c else len(text)
        start = m.start()
        if spans and m.group(2) == "proof" and start - spans[-1][1] <= _FOLLOWING:
            start = spans.pop()[0]
        spans.append((start, end))
    return spans


def _latex_results(text: str) -> list[tuple[int, int]]:
    if "\\begin" not in text:
        return []
    names = _theorem_names(text)
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    blocks: list[bool] = []  # the Beamer blocks open: is each an example?
    for m in _ENV.finditer(text):
        name = m.group(2)
        if name in _BEAMER_BLOCKS:  # \begin{block}{Example: planar 2R arm}: an example
            if m.group(1) == "begin":
                blocks.append(_EXAMPLE_TITLE.match(text, m.end()) is not None)
                if not blocks[-1]:
                    continue
            elif not (blocks and blocks.pop()):
                continue
        elif not (_RESULT_TITLE.match(name) or name in names):
            continue
        if m.group(1) == "begin":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                if spans and name in ("proof", "solution") and start - spans[-1][1] <= _FOLLOWING:
                    start = spans.pop()[0]
                spans.append((start, m.end()))
    return spans


# Beamer's blocks, and the title that makes one an example (whose letters are its own)
_BEAMER_BLOCKS = frozenset({"block", "exampleblock", "alertblock"})
_EXAMPLE_TITLE = re.compile(
    r"\s*\{\s*(?:\\[a-z]+\s*)*(?:[Ee]xample|[Bb]eispiel|[Ee]xemple|[Ee]jemplo|[Ee]xemplo|[Ee]sempio)s?\b"
)


def _limit(ancestors: list[_Kind]) -> int:
    """The level of the headings that end what is declared in the section of the last of
    ``ancestors`` (the heading kinds it is under, itself last): what is declared there holds
    in the sections that follow under the same heading (2.2 after 2.1, not 3), and within
    the innermost problem or example it is part of."""
    limit = ancestors[-1][0] - 1
    for i in range(len(ancestors) - 1, -1, -1):
        level, _, unit, plural, _, _, _ = ancestors[i]
        if unit:
            unit_level = ancestors[i + 1][0] if plural and i + 1 < len(ancestors) else level
            return max(limit, unit_level)
    return limit


# a LaTeX run-in heading (``\paragraph{Common mistakes}``), which ends at the next one or at
# any heading; what _HEADING reads as sections does not include it
_RUN_IN_HEADING = re.compile(r"^[ \t]*\\(?:sub)?paragraph\*?\s*\{([^{}\n]*)\}", re.M)


@by_text(maxsize=16)
def errata_spans(text: str) -> tuple[tuple[int, int], ...]:
    r"""The spans of a text's sections that list mistakes (``## Errata``, ``\section*{Errata}``,
    ``\paragraph{Common mistakes}``: ERRATA_HEADING), each from its heading to the next heading
    of its level or above (a run-in ``\paragraph``'s: the next heading of any kind).  What
    their prose sizes and what their formulas define is the wrong formula's, not the text's."""
    lowered = text.lower()
    if not any(w in lowered for w in _ERRATA_WORDS) or not ERRATA_HEADING.search(text):
        return ()
    if "```" in text or "~~~" in text:
        text = _blank_fences(text)
    heads: list[tuple[int, int, bool]] = []  # start, level (run-in: 9), lists mistakes
    for m in _HEADING.finditer(text):
        end = text.find("\n", m.start())
        kind = heading_kind(text[m.start() : end if end >= 0 else len(text)])
        heads.append((m.start(), kind[0], kind[6]))
    if "paragraph" in text:
        for m in _RUN_IN_HEADING.finditer(text):
            heads.append((m.start(), 9, bool(ERRATA_HEADING.search(m.group(1)))))
        heads.sort()
    spans: list[tuple[int, int]] = []
    for k, (start, level, errata) in enumerate(heads):
        if not errata or (spans and start < spans[-1][1]):
            continue
        end = next((a for a, lv, _ in heads[k + 1 :] if lv <= level or level == 9), len(text))
        spans.append((start, end))
    return tuple(spans)


def in_errata(text: str, offset: int) -> bool:
    """Is ``offset`` in a section that lists mistakes (``errata_spans``)?"""
    return errata_at(text, offset) is not None


def errata_at(text: str, offset: int) -> tuple[int, int] | None:
    """The span of the section that lists mistakes ``offset`` is in (``errata_spans``)."""
    spans = errata_spans(text)
    if not spans:
        return None
    i = bisect.bisect_right(spans, (offset, 1 << 62)) - 1
    return spans[i] if i >= 0 and spans[i][0] <= offset < spans[i][1] else None


def _near_structure(src: str, start: int, end: int) -> bool:
    """Is the line edited at ``src[start:end]`` blank (where paragraphs end), or is there a
    heading (``\\section`` may end on the next line), an environment's begin or end, or a
    fence on it or the lines beside it?"""
    line = src.rfind("\n", 0, start) + 1
    line_end = src.find("\n", end)
    line_end = len(src) if line_end < 0 else line_end
    if not src[line:line_end].strip():
        return True
    lo = src.rfind("\n", 0, max(0, line - 1)) + 1
    hi = src.find("\n", line_end + 1)
    window = src[lo : len(src) if hi < 0 else hi]
    if _HEADING.search(window) or any(m in window for m in ("```", "~~~", ":::", "\\newtheorem")):
        return True
    names = None
    for m in _ENV.finditer(window):  # a lemma's begin or end: its name may be edited
        if _RESULT_TITLE.match(m.group(2)):
            return True
        if names is None:
            names = _theorem_names(src)
        if m.group(2) in names:
            return True
    return False


def _theorem_titles(text: str) -> dict[str, str]:
    """The titles of the environments a text's ``\\newtheorem``s make, by name."""
    if "\\newtheorem" not in text:
        return {}
    return {m.group(1).strip(): m.group(2).strip() for m in _NEWTHEOREM.finditer(text)}


def _theorem_names(text: str) -> set[str]:
    """The theorem-like environments a text's ``\\newtheorem``s make (``\\newtheorem{lem}{Lemma}``)."""
    if "\\newtheorem" not in text:
        return set()
    return {m.group(1).strip() for m in _NEWTHEOREM.finditer(text)
            if _RESULT_TITLE.match(m.group(2).strip())}  # fmt: skip


# where a definition opens: LaTeX's definition environments, MyST's ``{prf:definition}``
# directive and Quarto's ``::: {#def-…}`` div; what it declares is notation for what follows
_DEFINITION_ENV = re.compile(
    r"\\begin\{(?P<env>[Dd]efinitions?\*?|[Dd]efn\*?|[Dd]fn\*?|[Nn]otation\*?)\}"
)
_DEFINITION_FENCE = re.compile(
    r"^[ \t]*(?P<fence>:{3,}|`{3,})[ \t]*(?:\{prf:definition\}|\{#def-[^}\n]*\})", re.M
)


@by_text(maxsize=16)
def definition_spans(text: str) -> tuple[tuple[int, int], ...]:
    r"""The spans of a text's definitions (``\begin{definition}``, ``:::{prf:definition}``,
    ``::: {#def-graph}``), each to its end or closing fence (a fence of the same character,
    at least as long; the end of the text if none)."""
    opens = list(_DEFINITION_ENV.finditer(text)) if "\\begin{" in text else []
    if "{prf:definition}" in text or "{#def-" in text:  # (the fence pattern tries every line)
        opens = sorted([*opens, *_DEFINITION_FENCE.finditer(text)], key=lambda m: m.start())
    spans: list[tuple[int, int]] = []
    for m in opens:
        if spans and m.start() < spans[-1][1]:
            continue
        if m.re is _DEFINITION_ENV:
            close = text.find("\\end{" + m.group("env") + "}", m.end())
        else:
            fence = m.group("fence")
            c = re.compile(
                r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M
            ).search(text, m.end())
            close = c.start() if c else -1
        spans.append((m.start(), len(text) if close < 0 else close))
    return tuple(spans)


def in_definition(text: str, offset: int) -> bool:
    """Is ``offset`` inside a definition (``definition_spans``)?"""
    return _inside(list(definition_spans(text)), offset)
