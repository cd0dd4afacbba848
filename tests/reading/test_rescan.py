"""Scanning again after an edit inside one math region gives what a whole scan gives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.fixtures import random_edit
from texgrad.reading import latex, markdown, project
from texgrad.reading.document import clear_caches, read_document
from texgrad.reading.edits import TextEdit
from texgrad.reading.project import scan_text
from texgrad.reading.rescan import ScanMemo, rescan, rescan_paragraph


def _full(text: str, fmt: str):
    return (markdown.scan if fmt == "markdown" else latex.scan)(text, frozenset(), path="")


def test_text_edit_between_two_texts() -> None:
    assert TextEdit.between("abcdef", "abXYef") == TextEdit(2, 4, 4)
    assert TextEdit.between("aaa", "aaaa") == TextEdit(3, 3, 4)
    edit = TextEdit.between("x = 1;", "x = 12;")
    assert (edit.moved(0), edit.moved(6), edit.delta) == (0, 7, 1)
    assert edit.moved(5) == 5  # the insertion point itself stays (an end before it)
    assert TextEdit.between("abcdef", "abef").moved(3) is None  # inside what was removed


@pytest.mark.parametrize(
    ("fmt", "old", "new", "reused"),
    [
        ("latex", r"Let $x + y$ and $A x$.", r"Let $x + yz$ and $A x$.", True),
        ("markdown", "Let $x + y$ and $A x$.\n", "Let $x + y^\\top$ and $A x$.\n", True),
        (
            "latex",
            "\\begin{align}\n a &= b \\\\\n c &= d\n\\end{align}\n",
            "\\begin{align}\n a &= b \\\\\n c &= d + e\n\\end{align}\n",
            True,
        ),
        # a dollar sign, a comment, a line break in Markdown: the whole text again
        ("latex", r"Let $x + y$ and $A x$.", r"Let $x $+ y$ and $A x$.", False),
        ("latex", r"Let $x + y$ and $A x$.", r"Let $x %+ y$ and $A x$.", False),
        ("markdown", "Let $x + y$ and $A x$.\n", "Let $x +\n y$ and $A x$.\n", False),
        # the closer moves: `\)` typed inside \( … \)
        ("latex", r"Let \(x + y\) be.", r"Let \(x \) + y\) be.", False),
        # an earlier region with an open brace looks ahead for a closer at depth 0
        ("latex", "$a{b$ and $c + d$ end.", "$a{b$ and $c} + d$ end.", False),
        # a character typed after a backslash changes what it escapes: \} is no brace, \1} is
        ("markdown", "Let $\\{x_t\\}$ be.\n", "Let $\\{x_t\\1}$ be.\n", False),
        ("latex", "Let $\\frac{a}{b}$ be.", "Let $\\frac{a}{b + c}$ be.", True),
        # Markdown: the start of a line decides block structure
        ("markdown", "$$\nx\n+ y\n$$\n", "$$\nx\n- + y\n$$\n", False),
        # …and the start of a list item's content (a fence may open there)
        ("markdown", "Then\n\n1. $a$\n1. $b$\n", "Then\n\n1. $a$\n1. ~~~$b$\n", False),
        # a fence's info string decides whether its lines are read (MyST directives are)
        ("markdown", "```{note}\nSee $x$.\n```\n", "```{nyote}\nSee $x$.\n```\n", False),
        # a package list earlier in the paragraph may read on
        (
            "latex",
            "\\usepackage[a,\nb=1]{c}\nText $x$.",
            "\\usepackage[a,\nb1]{c}\nText $x$.",
            False,
        ),
        # Markdown: \text before the edit in its paragraph, a \begin that is not math
        ("markdown", "$a \\text{b}$ and $c$.\n", "$a \\text{b}$ and $cd$.\n", True),
        ("markdown", "\\begin{tabular} $a$ & $b$\n", "\\begin{tabular} $a$ & $bc$\n", True),
        # … but an unclosed \begin{align} before it may find a closer: the whole text again
        ("markdown", "\\begin{align} $a$ & $b$\n", "\\begin{align} $a$ & $bc$\n", False),
        # prose: plain words are a move; typing in a command's argument is not
        ("latex", "Some text and $x$.", "Some fine text and $x$.", True),
        ("latex", "\\begin{align} a \\end{align}", "\\begin{alig} a \\end{align}", False),
        (
            "latex",
            "\\section{The Kronecker product}\nText $x$.",
            "\\section{The big Kronecker product}\nText $x$.",
            True,
        ),
        ("markdown", "See [3. And $x$ here.\n", "See [3.  And $x$ here.\n", True),
        # a `<` earlier in the paragraph: a tag or an autolink may hold the edit, a `<` before
        # a digit or a blank opens neither (the Cookbook's `$|\lambda_i|<1$ for all …`)
        ("markdown", "When $|a|<1$ for all $x$.\n", "When $|a|<1$ for all $x$. \n", True),
        ("markdown", "Let $a$ <1 and $x$ be.\n", "Let $a$ <1 and so $x$ be.\n", True),
        ("markdown", "See <b title='a b'> $x$.\n", "See <b title='a bc'> $x$.\n", False),
        ("markdown", "Mail <12 and $x$.\n", "Mail <123 and $x$.\n", False),
    ],
)
def test_rescan_only_when_the_edit_cannot_change_what_is_math(fmt, old, new, reused) -> None:
    got = rescan(old, _full(old, fmt), new, fmt)
    assert (got is not None) == reused
    if got is not None:
        assert got == _full(new, fmt)


def test_scan_text_remembers_and_rescans(tmp_path: Path) -> None:
    path = str(tmp_path / "a.tex")
    text = "Let $x + y$ and $A x$ and $B$.\n\nMore $C$.\n"
    before = project.SCANS.reused
    first = scan_text(text, "latex", frozenset(), path)
    assert scan_text(text, "latex", frozenset(), path) is first
    edited = text.replace("x + y", "x + y + z")
    again = scan_text(edited, "latex", frozenset(), path)
    assert project.SCANS.reused == before + 1
    assert again == _full(edited, "latex")
    assert (
        again.regions[0] is not first.regions[0]
        and again.regions[-1].start == first.regions[-1].start + 4
    )


def test_memo_is_bounded() -> None:
    memo = ScanMemo(size=2)
    for i in range(5):
        memo.put((f"p{i}", "latex", frozenset()), "", _full("", "latex"))
    assert len(memo._last) == 2


def test_random_edits_to_corpus_documents(corpus: Path) -> None:
    rng = random.Random(11)
    snippets = [" ", "x", "+ y", "A^\\top", "\\frac{a}{b}", "}", "{", "\\", "\\end{align}", "\\]",
                "\\)", "\\text{a}", "a\\\\b", "_", "(", "$", "%", "\n", "\\fi", "\\end{verbatim}",
                "\\verb+", "<a ", "](x", "1", "word", " and ", ".", "-", "=", "#", "* ", "~~~", "  "]  # fmt: skip
    names = ["matrix-cookbook-md/main.md", "mit-matrixcalc/pset1sol.tex",
             "tensor-cookbook/cookbook.tex", "parr-howard-matrix-calculus/matrix-calculus.md"]  # fmt: skip
    reused = 0
    for name in names:
        fmt = "markdown" if name.endswith(".md") else "latex"
        text = (corpus / name).read_text(encoding="utf-8")
        scan = _full(text, fmt)
        for _ in range(40):
            u = rng.random()
            if scan.regions and u < 0.45:
                r = rng.choice(scan.regions)
                at = rng.randint(r.body_start, r.body_end)
            elif scan.regions and u < 0.7:  # right before or after a region
                r = rng.choice(scan.regions)
                at = rng.choice([r.start, r.end])
            else:
                at = rng.randint(0, len(text))
            new = random_edit(rng, text, at, snippets)
            fast = rescan(text, scan, new, fmt)
            full = _full(new, fmt)
            if fast is not None:
                reused += 1
                assert fast == full, f"{name}: edit at {at}"
            text, scan = new, full
    assert reused > 40  # most edits inside math are read again region by region


def _read_facts(doc):
    regions = [
        (r.kind, r.delimiter, r.start, r.end, r.body_start, r.body_end, r.display, r.problems,
         [(w.text.text, w.text.segments, w.start, w.end, w.index) for w in r.rows])
        for r in doc.regions
    ]  # fmt: skip
    return regions, doc.problems


def test_reading_after_edits_splices_what_a_fresh_read_gives(corpus: Path) -> None:
    # regions kept and moved by an edit (moved lazily) are those a fresh read builds
    rng = random.Random(5)
    snippets = ["Q", " ", "x", "+ y", "A^\\top", "}", "{", "\\", "_", "$", "\n", "\\R"]
    spliced = 0
    for name in ("matrix-cookbook-md/main.md", "mit-matrixcalc/pset1sol.tex"):
        path = str(corpus / name)
        text = (corpus / name).read_text(encoding="utf-8")
        read_document(path, text=text)
        for _ in range(25):
            doc = read_document(path, text=text)
            if rng.random() < 0.7:
                r = rng.choice(doc.regions)
                at = rng.randint(r.body_start, r.body_end)
            else:
                at = rng.randint(0, len(text))
            text = random_edit(rng, text, at, snippets)
            got = read_document(path, text=text)
            spliced += got.splice is not None
            got_facts = _read_facts(got)
            clear_caches()
            assert got_facts == _read_facts(read_document(path, text=text)), f"{name}: at {at}"
    assert spliced > 15


def test_typing_commands_in_math_key_by_key(corpus: Path) -> None:
    # a backslash that starts a command name is read again region by region; one that
    # escapes a brace or a dollar, or a command scanners act on (\end, \text), is not
    rng = random.Random(2)
    words = [
        "\\alpha",
        "\\mathbf{x}",
        "\\end{align}",
        "\\text{ if }",
        "\\}",
        "\\$",
        "\\\\",
        "\\frac",
    ]
    reused = 0
    for name in ("matrix-cookbook-md/main.md", "mit-matrixcalc/pset1sol.tex"):
        fmt = "markdown" if name.endswith(".md") else "latex"
        text = (corpus / name).read_text(encoding="utf-8")
        scan = _full(text, fmt)
        for _ in range(12):
            r = rng.choice(scan.regions)
            at = rng.randint(r.body_start, r.body_end)
            for c in rng.choice(words):
                new = text[:at] + c + text[at:]
                fast = rescan(text, scan, new, fmt)
                full = _full(new, fmt)
                if fast is not None:
                    reused += 1
                    assert fast == full, f"{name}: {c!r} at {at}"
                text, scan, at = new, full, at + 1
    assert reused > 60
    old = "Let $a + b$ be."
    assert rescan(old, _full(old, "latex"), "Let $a + \\alpha b$ be.", "latex") is not None
    for new in ("Let $a + \\}b$ be.", "Let $a + \\text b$ be.", "Let $a + \\end b$ be."):
        assert rescan(old, _full(old, "latex"), new, "latex") is None


@pytest.mark.parametrize(
    ("old", "new", "reused"),
    [
        # a `$` deleted or typed: that paragraph is read again, its regions pair otherwise
        ("Para one $a$.\n\nLet $x$ and $y$ be.\n\nLast $z$.\n",
         "Para one $a$.\n\nLet x$ and $y$ be.\n\nLast $z$.\n", True),
        ("Let $x$ and y be.\n\nLast $z$.\n", "Let $x$ and $y be.\n\nLast $z$.\n", True),
        # beside a bracket, a tag, a backquote: read again with the inline scanner's rules
        ("See [3. And $x$ here.\n", "See [3] And $x$ here.\n", True),
        ("Text `a $b` and $c$.\n", "Text `a $b and $c$.\n", True),
        # a line's first word may start a block: `#`, a list marker, a fence
        ("Intro.\n\n(a)=\n##Notes $x$\n", "Intro.\n\n(a)=\n## Notes $x$\n", False),
        ("Text.\n\n1 Compute $x$\n", "Text.\n\n1. Compute $x$\n", False),
        ("Then $x$ and\nmore $y$.\n", "Then $x$ and\nmore $y$.\n---\n", False),
        # what block rules read past the line: $$ and an environment's \begin/\end
        ("Let $x$ and $y$ be.\n", "Let $x$ and $$y$ be.\n", False),
        ("Let \\begin{align} $x$ be.\n", "Let \\begin{align} x$ be.\n", False),
        # a line break typed or removed, a paragraph that may be a link reference definition
        ("Let $x$ be.\n", "Let $x$\nbe.\n", False),
        ("[a]: $x$ and $y$\n", "[a]: $x$ and y$\n", False),
        # a blockquote's paragraph: its prefixes are read with its block structure
        ("> Let $x$ and $y$.\n", "> Let $x$ and y$.\n", False),
    ],
)  # fmt: skip
def test_a_paragraph_is_read_again_only_when_block_structure_stays(old, new, reused) -> None:
    got = rescan_paragraph(old, _full(old, "markdown"), new)
    assert (got is not None) == reused
    if got is not None:
        full = _full(new, "markdown")
        assert got == full and got.paragraphs == full.paragraphs
        assert got.origin is not None and got.origin.previous is not None


def test_random_edits_read_again_paragraph_by_paragraph(corpus: Path) -> None:
    # dollars, brackets, tags and line starts typed and deleted in the Markdown corpus:
    # a paragraph read again gives what a whole scan gives, and so do the paragraphs the
    # scan keeps for the next edit (moved by the other fast paths)
    rng = random.Random(13)
    snippets = ["$", "$", "$$", " ", "x", "[", "]", "<", "`", "\\", "{", "}", "\\alpha",
                "$x$", "- ", "#", "# ", "*", "_", "\\$", "](", "<b>", "---", "1. ", "2) ",
                "\\begin{align}", "\\end{align}", "\\[", "%", "~~~", "> ", "===", "[a]: x",
                "    ", "{{< include x >}}", ":::", "\\text{", "\\newcommand{\\R}{x}"]  # fmt: skip
    names = ["matrix-cookbook-md/main.md", "parr-howard-matrix-calculus/matrix-calculus.md",
             "d2l-en/backprop.md", "quantecon/linear_models.md"]  # fmt: skip
    read_again = 0
    for name in names:
        text = (corpus / name).read_text(encoding="utf-8")
        scan = _full(text, "markdown")
        for _ in range(50):
            assert scan.paragraphs is not None
            lo, hi = rng.choice(scan.paragraphs)
            at = rng.randint(lo, hi)
            if rng.random() < 0.3:  # at or near a line's start
                at = min(len(text), text.rfind("\n", 0, at) + 1 + rng.randint(0, 4))
            new = random_edit(rng, text, at, snippets, most=3)
            full = _full(new, "markdown")
            for fast in (rescan(text, scan, new, "markdown"), rescan_paragraph(text, scan, new)):
                if fast is not None:
                    assert fast == full, f"{name}: edit at {at}"
                    assert fast.paragraphs in (None, full.paragraphs), f"{name}: edit at {at}"
            read_again += rescan_paragraph(text, scan, new) is not None
            text, scan = new, full
    assert read_again > 80  # most edits inside a paragraph's lines


def test_reading_after_a_whole_scan_splices_the_regions_alike() -> None:
    # a `$` deleted in a paragraph that starts a line's block: the whole text is scanned,
    # and the regions before and after those it changed are reused (kept, moved)
    clear_caches()
    head = "".join(f"Para {i} with $a_{i} + b$.\n\n" for i in range(5))
    text = head + "$x$ and $y$ here.\n\n" + head
    first = read_document("/doc.md", text=text)
    new = text.replace("$x$ and", "x$ and", 1)
    got = read_document("/doc.md", text=new)
    assert got.splice is not None and got.splice.previous is first.regions
    # ($y$ pairs as before: it is moved with the regions after it; $x$ is gone)
    assert (got.splice.kept, got.splice.moved, got.splice.delta) == (5, 6, -1)
    assert len(got.regions) == len(first.regions) - 1
    assert got.regions[:5] == first.regions[:5] and got.regions[0] is first.regions[0]
    clear_caches()
    fresh = read_document("/doc.md", text=new)
    assert _read_facts(got) == _read_facts(fresh)


def test_the_edit_between_two_texts_is_the_smallest_replacement() -> None:
    """``TextEdit.between`` (block by block, then by halving) against the obvious loop, on
    texts across its block size."""
    import random

    from texgrad.reading.edits import TextEdit

    def smallest(old: str, new: str) -> tuple[int, int, int]:
        n, p, q = min(len(old), len(new)), 0, 0
        while p < n and old[p] == new[p]:
            p += 1
        while q < n - p and old[len(old) - 1 - q] == new[len(new) - 1 - q]:
            q += 1
        return p, len(old) - q, len(new) - q

    rng = random.Random(3)
    for _ in range(400):
        size = rng.choice([0, 1, 7, 4095, 4096, 4097, 9000])
        old = "".join(rng.choice("ab") for _ in range(size))
        a = rng.randint(0, size)
        b = rng.randint(a, size)
        new = old[:a] + "".join(rng.choice("ab") for _ in range(rng.choice([0, 1, 5000]))) + old[b:]
        e = TextEdit.between(old, new)
        assert (e.start, e.old_end, e.new_end) == smallest(old, new)


def test_problems_of_regions_kept_moved_and_built_again_after_edits(tmp_path: Path) -> None:
    # a macro that expands without end: a problem in each region using it, found among the
    # regions kept, moved or built again by each edit as a fresh read finds them
    text = (
        "\\newcommand{\\again}{\\again x}\n\\begin{document}\n"
        + "".join(f"Words {i}, then $a_{i} + \\again$ and $b_{i}$.\n\n" for i in range(12))
        + "\\end{document}\n"
    )
    path = str(tmp_path / "loops.tex")
    rng = random.Random(3)
    read_document(path, text=text)
    for _ in range(30):
        doc = read_document(path, text=text)
        r = rng.choice(doc.regions)
        at = rng.choice([rng.randint(r.body_start, r.body_end), rng.randint(0, len(text))])
        text = random_edit(rng, text, at, ["Q", " ", "y", " + \\again", "$", "\n"])
        got = read_document(path, text=text)
        facts = _read_facts(got)
        clear_caches()
        fresh = _read_facts(read_document(path, text=text))
        assert facts == fresh
        assert any(p.code == "macro-loop" for p in got.problems)


_LINES = ("$$", "$$ ", "1. Compute $x$", "1.", "- item $y$", "### Notes $z$", "###", "```",
          "<div>", "\\[", "\\begin{align}", "[a]: /url", "***", "Let $x$ be", "> Let $q$",
          "    code $c$", "Then $w$ \\\\", "---", "$$ (eq1)", "Text $a$  ", "##Notes $x$|2",
          "1.Compute $x$|2", "-item $y$|1", "$$x$$|2")  # fmt: skip


@pytest.mark.parametrize("line", _LINES)
@pytest.mark.parametrize("blank", [" ", "  ", "\t"])
def test_blanks_at_a_lines_end_keep_the_paragraphs(line: str, blank: str) -> None:
    # a blank typed at the end of a line (or at ``|k``, in its first word), or deleted
    # there: the scan after it keeps the paragraphs for the next edit only where they are
    # those of a whole scan
    line, _, k = line.partition("|")
    text = f"Intro $a$ here.\n\n{line}\nmore $b$ text.\n\n$$\nx = y\n$$\n\nLast $c$ one.\n"
    at = text.index(line) + (int(k) if k else len(line))
    for old, new in ((text, text[:at] + blank + text[at:]), (text[:at] + blank + text[at:], text)):
        full = _full(new, "markdown")
        fast = rescan(old, _full(old, "markdown"), new, "markdown")
        if fast is not None:
            assert fast == full
            assert fast.paragraphs in (None, full.paragraphs)


def test_blanks_typed_at_lines_ends_keep_the_paragraphs_of_the_corpus(corpus: Path) -> None:
    # blanks typed and deleted at the ends of lines (the benchmark's one-line edit), often
    # after a display's `$$`, with a letter or a dollar typed between: each scan is a whole
    # scan's, paragraphs included, and the paragraphs stay known after a blank at the end
    # of a `$$` line (the next edit in a paragraph is read paragraph-wise)
    rng = random.Random(17)
    after_dollars = 0
    for name in ("matrix-cookbook-md/main.md", "d2l-en/backprop.md", "quantecon/linear_models.md"):
        text = (corpus / name).read_text(encoding="utf-8")
        scan = _full(text, "markdown")
        for _ in range(40):
            ends = [i for i, c in enumerate(text) if c == "\n" and i and text[i - 1] != "\n"]
            displays = [i for i in ends if text[text.rfind("\n", 0, i) + 1 : i].strip() == "$$"]
            at = rng.choice(displays if displays and rng.random() < 0.5 else ends)
            if rng.random() < 0.3 and text[at - 1] in " \t":
                new = text[: at - 1] + text[at:]
            elif rng.random() < 0.2:
                at = rng.randrange(len(text))
                new = text[:at] + rng.choice(("x", "$", " ")) + text[at:]
            else:
                new = text[:at] + rng.choice((" ", "  ", "\t")) + text[at:]
            full = _full(new, "markdown")
            fast = rescan(text, scan, new, "markdown") or rescan_paragraph(text, scan, new)
            if fast is not None:
                assert fast == full, f"{name}: edit at {at}"
                assert fast.paragraphs in (None, full.paragraphs), f"{name}: edit at {at}"
                line = new[new.rfind("\n", 0, at) + 1 : new.find("\n", at)]
                after_dollars += line.strip() == "$$" and fast.paragraphs is not None
                scan = fast if fast.paragraphs is not None else full
            else:
                scan = full
            text = new
    assert after_dollars > 25  # (a blank after a `$$`: the paragraphs kept)


def test_the_last_edit_told_again_only_for_the_same_two_texts() -> None:
    """``TextEdit.between`` keeps the last edit it told: asked again of the same two strings
    it tells it again; asked of others (equal or not), it tells theirs."""
    from texgrad.reading.edits import TextEdit

    old = "alpha beta gamma " * 40
    new = old[:100] + "XY" + old[103:]
    first = TextEdit.between(old, new)
    assert first == TextEdit(100, 103, 102)
    assert TextEdit.between(old, new) is first
    other = new[:7] + "z" + new[7:]
    assert TextEdit.between(new, other) == TextEdit(7, 7, 8)
    assert TextEdit.between(old, other) == TextEdit(7, 103, 103)  # (not the last one's)
    same_text = "".join(list(new))  # (equal, another string)
    assert same_text is not new
    assert TextEdit.between(old, same_text) == first
    assert TextEdit.between(other, old) == TextEdit(7, 103, 103)
